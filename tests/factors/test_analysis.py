"""analyze() end to end: a planted signal is found, an event-style factor is handled."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlab.errors import ParameterError
from quantlab.factors import analyze, compare, factor_weights


@pytest.fixture(scope="module")
def close():
    rng = np.random.default_rng(11)
    idx = pd.bdate_range("2022-01-03", periods=160)
    return pd.DataFrame(
        40 * np.exp(rng.normal(0, 0.015, (160, 40)).cumsum(0)),
        index=idx,
        columns=[f"A{i:02d}" for i in range(40)],
    )


def test_planted_signal_is_found_and_noise_is_not(close):
    rng = np.random.default_rng(5)
    future = close.shift(-1) / close - 1.0
    signal = future + rng.normal(0, 0.02, close.shape)  # knows tomorrow's return, noisily
    noise = pd.DataFrame(rng.normal(size=close.shape), index=close.index, columns=close.columns)
    good = analyze(signal, close, horizons=(1, 5), fees=0.0, name="signal", max_loss=0.5)
    bad = analyze(noise, close, horizons=(1, 5), fees=0.0, name="noise", max_loss=0.5)
    assert good.ic_summary.loc[1, "mean"] > 0.3 and good.ic_summary.loc[1, "t_stat"] > 10
    assert abs(bad.ic_summary.loc[1, "t_stat"]) < 3
    assert good.spread_summary.loc[1, "t_stat"] > 10
    mr = good.mean_returns[1]
    assert mr.is_monotonic_increasing  # quantile 5 earns most
    cum = good.cumulative_returns()
    assert cum["long_short"].iloc[-1] > 1.5 and cum["Q5"].iloc[-1] > cum["Q1"].iloc[-1]
    table = compare([good, bad])
    assert list(table.columns) == ["signal", "noise"]
    assert table.loc["IC mean (1)", "signal"] == good.ic_summary.loc[1, "mean"]
    with pytest.raises(ParameterError, match="distinct names"):
        compare([good, good])


def test_fees_lower_the_net_result(close):
    f = close.pct_change(5)
    free = analyze(f, close, horizons=(1,), fees=0.0).backtests[1].table
    paid = analyze(f, close, horizons=(1,), fees=0.005).backtests[1].table
    assert (paid["total_return"] < free["total_return"]).all()


def test_group_neutral_and_by_group(close):
    groups = {s: f"G{i % 4}" for i, s in enumerate(close.columns)}
    fa = analyze(close.pct_change(5), close, horizons=(1, 5), groups=groups, group_neutral=True)
    assert list(fa.ic_by_group.index) == ["G0", "G1", "G2", "G3"]
    # group-neutral weights: each date's long-short book has gross 1 and every group nets 0
    w = factor_weights(fa.data, group_adjust=True).to_frame("w")
    w["g"] = [groups[s] for s in w.index.get_level_values(1)]
    net = w.groupby([w.index.get_level_values(0), "g"])["w"].sum()
    assert np.abs(net.to_numpy()).max() < 1e-12
    gross = w["w"].abs().groupby(level=0).sum()
    np.testing.assert_allclose(gross.to_numpy(), 1.0, atol=1e-12)


def test_sparse_event_factor_with_bins(close):
    """A disclosure count: mostly absent, a few names on some dates, many ties."""
    rng = np.random.default_rng(9)
    counts = pd.DataFrame(
        rng.poisson(0.05, close.shape).astype(float), index=close.index, columns=close.columns
    )
    counts = counts.where(counts > 0)  # no event = no row
    fa = analyze(
        counts,
        close,
        horizons=(1, 5),
        quantiles=None,
        bins=[0.5, 1.5, np.inf],
        max_loss=0.2,
        name="disclosures",
    )
    assert fa.data.n_buckets == 2
    assert fa.data.loss.binning == 0  # bins never fail on ties
    n_per_date = pd.Series(fa.data.date_pos).value_counts()
    assert n_per_date.min() == 1  # dates with a single name are analysed, not dropped
    assert np.isfinite(fa.mean_returns.loc[1]).all()
    # the same factor with quantiles: qcut fails on tied dates; the report counts them
    with pytest.raises(Exception, match="binning"):
        analyze(counts, close, horizons=(1,), quantiles=5, max_loss=0.0)
    q = analyze(counts, close, horizons=(1,), quantiles=5, max_loss=1.0, min_names=2)
    assert q.data.loss.sparse_dates > 0 and q.data.loss.binning_dates > 0
