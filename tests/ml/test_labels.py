"""Labels: hand values, end times, the kernels' references, and peeking-label detection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlab.data import sample_universe
from quantlab.errors import AlignmentError, ParameterError, ValidationError
from quantlab.ml import (
    average_uniqueness,
    check_lookahead,
    cross_sectional_rank,
    forward_returns,
    forward_sign,
    meta_labels,
    triple_barrier_labels,
)
from quantlab.ml.labels import _build, _forward
from tests.ml import naive

IDX = pd.bdate_range("2024-01-01", periods=6)
CLOSE = pd.DataFrame(
    {"A": [10.0, 11.0, 12.0, 11.0, 11.0, 13.0], "B": [5.0, 5.0, 4.0, 6.0, 6.0, 6.0]}, index=IDX
)


def test_forward_returns_hand_values_and_ends():
    lab = forward_returns(CLOSE, horizon=2)
    y = lab.y.unstack()
    np.testing.assert_allclose(y["A"].to_numpy()[:4], [0.2, 0.0, 11 / 12 - 1, 13 / 11 - 1])
    assert y["A"].iloc[4:].isna().all()
    assert lab.end.loc[(IDX[0], "B")] == IDX[2]
    assert lab.end.loc[(IDX[5], "A")] is pd.NaT
    assert lab.kind == "return" and lab.horizon == 2
    assert lab.ret.equals(lab.y.rename("ret"))


def test_sign_and_rank():
    s = forward_sign(CLOSE, horizon=1).y.unstack()
    assert s["B"].tolist()[:5] == [0.0, -1.0, 1.0, 0.0, 0.0]
    r = cross_sectional_rank(CLOSE, horizon=1).y.unstack()
    assert r.iloc[0].tolist() == [1.0, 0.5]  # A +10% beats B 0%
    assert r.iloc[1].tolist() == [1.0, 0.5]


def test_triple_barrier_matches_naive_and_ends_at_the_touch():
    u = sample_universe(n_assets=4, n_days=150, seed=8)
    lab = triple_barrier_labels(u.close, horizon=10, upper=1.0, lower=1.5, vol_window=20)
    c = u.close.to_numpy()
    rets = np.vstack([np.full((1, 4), np.nan), c[1:] / c[:-1] - 1])
    scale = naive.rolling_std(rets, 20, 1) * np.sqrt(10)
    label, ret, end = naive.triple_barrier(c, 1.0 * scale, 1.5 * scale, np.ones_like(c), 10)
    np.testing.assert_allclose(lab.y.unstack().to_numpy(), label)
    np.testing.assert_allclose(lab.ret.unstack().to_numpy(), ret)
    got_end = lab.end.unstack().to_numpy()
    ok = np.isfinite(end)
    assert (got_end[ok] == u.close.index.to_numpy()[end[ok].astype(int)]).all()
    # a touched barrier ends the label before the vertical barrier
    touched = np.isin(label, (1.0, -1.0))
    vertical = (np.arange(150)[:, None] + 10).repeat(4, 1)
    assert (end[touched] <= vertical[touched]).all() and (end[touched] < vertical[touched]).any()
    assert (end[label == 0] == vertical[label == 0]).all()


def test_meta_labels_follow_the_side():
    u = sample_universe(n_assets=3, n_days=120, seed=9)
    long = pd.DataFrame(1.0, index=u.close.index, columns=u.close.columns)
    short = -long
    m_long = meta_labels(u.close, long, horizon=5)
    m_short = meta_labels(u.close, short, horizon=5)
    both = m_long.y.notna() & m_short.y.notna() & (m_long.ret != 0)
    # with symmetric barriers, long and short bets cannot both pay off
    assert ((m_long.y[both] + m_short.y[both]) <= 1).all()
    flat = long.copy()
    flat.iloc[:10] = 0.0
    assert meta_labels(u.close, flat, horizon=5).y.unstack().iloc[:10].isna().all().all()
    with pytest.raises(ParameterError, match="side must hold -1, 0, \\+1 or NaN; got 2.0"):
        meta_labels(u.close, long * 2)
    with pytest.raises(AlignmentError, match="same index and columns as close"):
        meta_labels(u.close, long.iloc[1:])


def test_label_parameter_errors():
    with pytest.raises(ParameterError, match="'horizon' parameter must be an int >= 1. Got 0"):
        forward_returns(CLOSE, horizon=0)
    with pytest.raises(ParameterError, match="'upper' parameter must be a number > 0"):
        triple_barrier_labels(CLOSE, upper=-1.0)
    with pytest.raises(ParameterError, match="'vol_window' parameter must be an int >= 2"):
        triple_barrier_labels(CLOSE, vol_window=1)


def test_honest_labels_pass_the_lookahead_check():
    u = sample_universe(n_assets=4, n_days=120, seed=10)
    check_lookahead(lambda p: forward_returns(p, 5), u.close)
    check_lookahead(lambda p: triple_barrier_labels(p, 10), u.close)


def test_a_label_that_peeks_beyond_its_end_is_detected():
    """Plant a label that reads 10 bars ahead but declares a 5-bar end time."""
    u = sample_universe(n_assets=4, n_days=120, seed=10)

    def peeking(close):
        fwd10 = _forward(close, 10)
        declared_end = np.where(np.isfinite(fwd10), np.arange(len(close))[:, None] + 5, np.nan)
        return _build(close, fwd10, declared_end, fwd10, "return", 5)

    with pytest.raises(ValidationError, match="look-ahead: 'y'"):
        check_lookahead(peeking, u.close)


def test_uniqueness_hand_case_and_reference():
    lab = forward_returns(CLOSE, horizon=2)
    w = average_uniqueness(lab).unstack()
    # return spans (t, t+2]: c = [0, 1, 2, 2, 2, 1] per asset
    np.testing.assert_allclose(w["A"].to_numpy()[:4], [0.75, 0.5, 0.5, 0.75])
    u = sample_universe(n_assets=3, n_days=80, seed=1)
    tb = triple_barrier_labels(u.close, horizon=8, upper=0.5, lower=0.5)
    from quantlab.ml.weights import label_spans

    start, end, col, cal = label_spans(tb)
    ref = naive.average_uniqueness(np.minimum(start + 1, end), end, col, len(cal), 3)
    np.testing.assert_allclose(average_uniqueness(tb).dropna().to_numpy(), ref)
