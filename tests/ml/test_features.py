"""FeatureSet: values vs pandas, no train/serve skew, JSON round trip, no look-ahead."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from quantlab.data import events_to_features, sample_universe
from quantlab.errors import NotFoundError, ParameterError, ValidationError
from quantlab.ml import FEATURE_KINDS, Feature, FeatureSet, check_lookahead


@pytest.fixture(scope="module")
def uni():
    u = sample_universe(n_assets=6, n_days=160, seed=4)
    close = u.close.copy()
    close.iloc[40:43, 2] = np.nan  # a trading halt
    return u, close


ALL_KINDS = FeatureSet(
    [
        Feature("ret", window=1),
        Feature("ret", window=5, lag=2),
        Feature("vol", window=10),
        Feature("sma_ratio", window=10),
        Feature("ema_ratio", span=10),
        Feature("rsi", window=14),
        Feature("macd"),
        Feature("bollinger", window=20),
        Feature("zscore", window=15),
        Feature("atr", window=14),
        Feature("volume_ratio", window=10),
        Feature("event", field="net_amount", window=10),
        Feature("ret", window=5, transform="xs_rank"),
        Feature("vol", window=10, transform="xs_zscore"),
    ]
)


def test_every_kind_is_covered():
    assert {f.kind for f in ALL_KINDS.features} == set(FEATURE_KINDS)


def test_values_match_pandas(uni):
    u, close = uni
    panels = ALL_KINDS.compute_panels({**u.ohlcv, "close": close}, u.events)
    rets = close / close.shift(1) - 1
    expected = {
        "ret_1": rets,
        "ret_5_lag2": close.shift(2) / close.shift(7) - 1,
        "vol_10": rets.rolling(10).std(),
        "sma_ratio_10": close / close.rolling(10).mean() - 1,
        "ret_5_xs_rank": (close / close.shift(5) - 1).rank(axis=1, pct=True),
        "event_net_amount_10": events_to_features(
            u.events, close.index, symbols=close.columns, windows=[10]
        )["event_net_amount_10"],
    }
    for name, ref in expected.items():
        np.testing.assert_allclose(
            panels[name].to_numpy(), ref.to_numpy(), atol=1e-12, err_msg=name
        )
    vz = rets.rolling(10).std()
    ref = vz.sub(vz.mean(axis=1), axis=0).div(vz.std(axis=1), axis=0)
    np.testing.assert_allclose(panels["vol_10_xs_zscore"].to_numpy(), ref.to_numpy(), atol=1e-12)


def test_indicator_kinds_call_quantlab_indicators(uni):
    import quantlab.indicators as ind

    u, close = uni
    panels = ALL_KINDS.compute_panels({**u.ohlcv, "close": close}, u.events)
    np.testing.assert_allclose(panels["rsi_14"], ind.rsi(close, 14), equal_nan=True)
    np.testing.assert_allclose(panels["zscore_15"], ind.zscore(close, 15), equal_nan=True)
    m = ind.macd(close, 12, 26, 9)
    np.testing.assert_allclose(panels["macd_12_26_9"], m.hist / close, equal_nan=True)
    atr = ind.atr(u.high, u.low, close, 14)
    np.testing.assert_allclose(panels["atr_14"], atr / close, equal_nan=True)


def test_compute_is_stacked_on_the_full_grid(uni):
    u, close = uni
    X = ALL_KINDS.compute({**u.ohlcv, "close": close}, u.events)
    assert X.index.names == ["date", "symbol"]
    assert len(X) == close.size and list(X.columns) == ALL_KINDS.names
    assert X.dtypes.eq(np.float64).all()
    assert not np.isinf(X.to_numpy()).any()
    wide = X["ret_1"].unstack()
    np.testing.assert_allclose(wide.to_numpy(), (close / close.shift(1) - 1).to_numpy())
    assert list(wide.columns) == list(close.columns)


@pytest.mark.parametrize("fs", [FeatureSet.default(), ALL_KINDS], ids=["finite", "infinite"])
def test_latest_equals_last_bar_of_compute(uni, fs):
    u, close = uni
    prices = {**u.ohlcv, "close": close}
    full = fs.compute(prices, u.events)
    last = fs.latest(prices, u.events)
    pd.testing.assert_frame_equal(last, full.tail(close.shape[1]))


def test_json_round_trip():
    text = ALL_KINDS.to_json()
    again = FeatureSet.from_json(text)
    assert again == ALL_KINDS and again.names == ALL_KINDS.names
    assert json.loads(text)["format"] == "quantlab.FeatureSet"
    assert FeatureSet.from_dict(json.loads(text)).to_dict() == ALL_KINDS.to_dict()
    spec = ALL_KINDS.to_dict() | {"version": 99}
    with pytest.raises(ValidationError, match="version 99 is not supported"):
        FeatureSet.from_dict(spec)


def test_no_lookahead_in_any_feature(uni):
    u, _ = uni
    check_lookahead(lambda p: ALL_KINDS.compute(p, u.events), u, n_cuts=3)


def test_a_peeking_feature_is_detected(uni):
    u, close = uni

    def leaky(prices):
        X = FeatureSet.default(events=False).compute(prices)
        c = prices["close"] if isinstance(prices, dict) else prices.close
        X["tomorrow"] = (c.shift(-1) / c - 1).to_numpy().ravel()
        return X

    with pytest.raises(ValidationError, match="look-ahead: 'tomorrow'"):
        check_lookahead(leaky, u)


def test_bad_feature_specs(uni):
    u, close = uni
    with pytest.raises(NotFoundError, match="feature kind 'momentum' is not known; choose one of"):
        Feature("momentum")
    with pytest.raises(ParameterError, match="has no parameter\\(s\\) \\['span'\\]"):
        Feature("ret", span=3)
    with pytest.raises(
        ParameterError, match="'window' parameter of feature 'vol' must be an int >= 1. Got 0"
    ):
        Feature("vol", window=0)
    with pytest.raises(
        ParameterError, match="must be one of \\['count', 'net_count', 'net_amount'\\]"
    ):
        Feature("event", field="gross")
    with pytest.raises(ParameterError, match="transform must be None or one of"):
        Feature("ret", transform="demean")
    with pytest.raises(ValidationError, match="names must be unique"):
        FeatureSet([Feature("ret"), Feature("ret")])
    with pytest.raises(ValidationError, match="features is empty"):
        FeatureSet([])
    with pytest.raises(ValidationError, match="needs an event table"):
        FeatureSet([Feature("event")]).compute(close)
    with pytest.raises(ValidationError, match="needs the 'high' panel"):
        FeatureSet([Feature("atr")]).compute(close)
    with pytest.raises(ValidationError, match="strictly positive"):
        FeatureSet([Feature("ret")]).compute(close * -1)


def test_flat_feature_spec_reads_its_parameters():
    # issue 13 item 2: the flat form {"kind", "window"} gave ret_1 (window dropped silently)
    flat = Feature.from_dict({"kind": "ret", "window": 5, "lag": 2, "transform": "xs_rank"})
    assert flat == Feature("ret", window=5, lag=2, transform="xs_rank")
    assert flat.name == "ret_5_lag2_xs_rank"
    assert Feature.from_dict({"kind": "ret", "params": {"window": 5}}).name == "ret_5"
    assert FeatureSet([{"kind": "vol", "window": 10}]).names == ["vol_10"]
    with pytest.raises(ParameterError, match=r"has no parameter\(s\) \['windw'\]; its parameters"):
        Feature.from_dict({"kind": "ret", "windw": 5})
    with pytest.raises(ValidationError, match=r"gives \['window'\] both flat and under 'params'"):
        Feature.from_dict({"kind": "ret", "window": 5, "params": {"window": 3}})
    with pytest.raises(ValidationError, match="must be a dict with a 'kind'"):
        Feature.from_dict({"window": 5})


def test_feature_set_dict_refuses_unknown_keys():
    good = {"features": [{"kind": "ret", "window": 5}], "name": "x"}
    assert FeatureSet.from_dict(good).names == ["ret_5"]
    with pytest.raises(
        ValidationError,
        match=r"unknown FeatureSet key\(s\) \['featurs'\]; a FeatureSet dict has keys "
        r"\['format', 'version', 'name', 'features'\]",
    ):
        FeatureSet.from_dict({"featurs": [{"kind": "ret"}]})
    with pytest.raises(ValidationError, match="needs 'features', a list of feature specs"):
        FeatureSet.from_dict({"name": "x"})
    with pytest.raises(ValidationError, match="'format' must be 'quantlab.FeatureSet'"):
        FeatureSet.from_dict({**good, "format": "other"})
