"""Metrics empyrical lacks, against the slow references in ``tests/metrics/naive.py``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quantlab.metrics as qm
from tests.metrics import naive

PPY = 252


def close(a, b, rtol=1e-10) -> None:
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=1e-13)


def per_col(func, df, *args, **kw):
    return np.array([func(df[c].to_numpy(), *args, **kw) for c in df.columns])


@pytest.mark.parametrize(
    "name",
    [
        "max_drawdown",
        "max_drawdown_duration",
        "avg_drawdown",
        "recovery_time",
        "ulcer_index",
        "gain_to_pain",
        "common_sense_ratio",
    ],
)
def test_return_only_metrics(panel, name):
    close(getattr(qm, name)(panel), per_col(getattr(naive, name), panel))


def test_ulcer_performance_index(panel):
    close(
        qm.ulcer_performance_index(panel, 0.02),
        per_col(naive.ulcer_performance_index, panel, PPY, 0.02),
    )


@pytest.mark.parametrize("cutoff", [0.01, 0.05])
def test_parametric_var(panel, cutoff):
    close(
        qm.value_at_risk(panel, cutoff, method="gaussian"),
        per_col(naive.var_gaussian, panel, cutoff),
    )
    close(
        qm.value_at_risk(panel, cutoff, method="cornish_fisher"),
        per_col(naive.var_cornish_fisher, panel, cutoff),
    )


def test_benchmark_metrics(panel, bench):
    b = bench.to_numpy()
    close(qm.correlation(panel, bench), per_col(naive.correlation, panel, b))
    close(qm.r_squared(panel, bench), per_col(naive.correlation, panel, b) ** 2)
    close(qm.tracking_error(panel, bench), per_col(naive.tracking_error, panel, b, PPY))
    rf_per = 1.02 ** (1 / PPY) - 1
    close(qm.treynor(panel, bench, 0.02), per_col(naive.treynor, panel, b, PPY, rf_per))


def test_per_column_benchmark_frame(panel, bench):
    frame = pd.concat([bench] * panel.shape[1], axis=1, keys=panel.columns)
    frame.iloc[:, 1] = frame.iloc[:, 1] * 2
    got = qm.beta(panel, frame)
    close(got, [naive.beta(panel[c].to_numpy(), frame[c].to_numpy()) for c in panel.columns])


def test_drawdown_table_matches_episodes(panel):
    s = panel.iloc[:, 0]
    table = qm.drawdown_table(s)
    valid_index = s.dropna().index
    eps = sorted(naive.episodes(s.to_numpy()), key=lambda e: e[3])
    assert len(table) == len(eps)
    n = len(valid_index)
    for row, (start, trough, end, depth) in zip(table.itertuples(), eps, strict=True):
        assert row.start == valid_index[start]
        assert row.trough == valid_index[trough]
        assert (pd.isna(row.end) and end is None) or row.end == valid_index[end]
        assert row.length == (end if end is not None else n) - start
        close(row.depth, depth)
    assert table["length"].max() == qm.max_drawdown_duration(s)
    close(table["depth"].min(), qm.max_drawdown(s))


def test_drawdown_table_frame_and_top(panel):
    t = qm.drawdown_table(panel, top=2)
    assert t.index.names == ["column", "rank"]
    assert set(t.index.get_level_values(0)) == set(panel.columns)
    assert (t.groupby(level=0).size() <= 2).all()


def test_drawdown_series(panel):
    dd = qm.drawdown_series(panel)
    assert dd.shape == panel.shape
    assert dd.isna().equals(panel.isna())
    close(dd.iloc[:, 0].dropna().to_numpy(), naive.drawdowns(panel.iloc[:, 0].to_numpy()))


@pytest.mark.parametrize("min_periods", [None, 15])
def test_rolling_with_nan(panel, bench, min_periods):
    w = 20
    x = panel.iloc[:, 0]
    mp = w if min_periods is None else min_periods
    ref = naive.rolling(x.to_numpy(), w, lambda c: c.mean() / c.std(ddof=1) * np.sqrt(PPY), mp)
    close(qm.rolling_sharpe(x, w, min_periods=min_periods), ref, rtol=1e-9)
    ref = naive.rolling(x.to_numpy(), w, lambda c: c.std(ddof=1) * np.sqrt(PPY), mp)
    close(qm.rolling_volatility(x, w, min_periods=min_periods), ref, rtol=1e-9)
    ref = naive.rolling(x.to_numpy(), w, naive.max_drawdown, mp)
    close(qm.rolling_drawdown(x, w, min_periods=min_periods), ref)


def test_rolling_constant_window_is_infinite_sharpe():
    r = pd.Series(
        [0.01, -0.02, 0.01, 0.01, 0.01, 0.03], index=pd.bdate_range("2024-01-01", periods=6)
    )
    out = qm.rolling_sharpe(r, 3)
    assert np.isinf(out.iloc[4]) and out.iloc[4] > 0
    assert np.isfinite(out.iloc[5])
    assert qm.rolling_volatility(r, 3).iloc[4] == 0.0
