"""Hypothesis properties: scale invariance, column independence, drawdown bounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import quantlab.metrics as qm

returns_2d = arrays(
    np.float64,
    st.tuples(st.integers(3, 40), st.integers(1, 4)),
    elements=st.one_of(st.integers(-500, 500).map(lambda i: i / 1000.0), st.just(np.nan)),
)


@given(returns_2d, st.floats(0.01, 2.0))
def test_sharpe_invariant_to_positive_scaling(r, k):
    base = qm.summary(r, periods_per_year=252)
    scaled = qm.summary(r * k, periods_per_year=252)
    for row in ("sharpe", "sortino", "skew", "kurtosis", "information_ratio"):
        np.testing.assert_allclose(scaled.loc[row], base.loc[row], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(
        qm.sharpe(r * k, periods_per_year=252), base.loc["sharpe"], rtol=1e-8
    )


@given(returns_2d)
def test_columns_do_not_depend_on_each_other(r):
    full = qm.summary(r, periods_per_year=252)
    for c in range(r.shape[1]):
        alone = qm.summary(r[:, c], periods_per_year=252).iloc[:, 0]
        pd.testing.assert_series_equal(full.iloc[:, c], alone, check_names=False, rtol=1e-12)


@given(returns_2d)
def test_max_drawdown_in_bounds(r):
    mdd = qm.max_drawdown(r)
    assert ((mdd <= 0) & (mdd >= -1) | mdd.isna()).all()
    dd = qm.drawdown_series(r)
    assert ((dd.to_numpy() <= 0) | np.isnan(dd.to_numpy())).all()


@given(returns_2d)
def test_benchmark_columns_independent(rb):
    r, b = rb[:, :-1], rb[:, -1:]
    if r.shape[1] == 0:
        r = rb
    full = qm.summary(r, b, periods_per_year=252)
    first = qm.summary(r[:, :1], b, periods_per_year=252).iloc[:, 0]
    pd.testing.assert_series_equal(full.iloc[:, 0], first, check_names=False, rtol=1e-12)


@given(returns_2d)
def test_stability_is_an_r_squared_in_0_1(r):
    s = qm.stability(r).to_numpy()
    assert ((s >= 0.0) & (s <= 1.0) | np.isnan(s)).all()


@given(st.integers(-500, 500).filter(bool).map(lambda i: i / 1000.0), st.integers(2, 300))
def test_stability_of_constant_returns_is_exactly_one(value, n):
    # log equity is a straight line: R^2 = 1 (it came out as 1.0000000000000004)
    import empyrical as ep

    r = np.full(n, value)
    assert qm.stability(r) == 1.0
    assert ep.stability_of_timeseries(r) == pytest.approx(1.0, rel=1e-12)
