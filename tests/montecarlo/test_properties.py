"""Hypothesis properties of simulate()."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import quantlab.montecarlo as mc

returns_1d = arrays(np.float64, st.integers(2, 40), elements=st.floats(-0.5, 0.5))


@given(
    n=st.integers(2, 30),
    horizon=st.integers(1, 60),
    flow=st.floats(-0.05, 0.5),
    every=st.integers(1, 10),
    method=st.sampled_from(["bootstrap", "stationary_bootstrap", "block_bootstrap", "shuffle"]),
)
def test_zero_returns_wealth_is_initial_plus_cashflows(n, horizon, flow, every, method):
    res = mc.simulate(
        np.zeros((n, 2)),
        [0.7, 0.3],
        n_paths=3,
        horizon=horizon,
        method=method,
        seed=1,
        cashflow=flow,
        cashflow_every=every,
        rebalance=3,
        fees=0.01,
        periods_per_year=252,
    )
    expected = 1.0 + flow * (horizon // every)
    if expected > 0 and all(1.0 + flow * k > 0 for k in range(horizon // every + 1)):
        np.testing.assert_allclose(res.terminal_wealth, expected, rtol=1e-12, atol=1e-12)
    else:
        assert res.prob_ruin() == 1.0


@given(
    r=returns_1d,
    seed=st.integers(0, 2**64 - 1),
    lev=st.floats(0.1, 3.0),
    reb=st.sampled_from([None, 1, 5]),
)
def test_terminal_wealth_is_nonnegative_and_drawdowns_bounded(r, seed, lev, reb):
    res = mc.simulate(
        r,
        n_paths=5,
        horizon=50,
        seed=seed,
        leverage=lev,
        rebalance=reb,
        withdrawal_rate=0.05,
        periods_per_year=252,
    )
    assert (res.terminal_wealth >= 0).all()
    assert ((res.max_drawdowns >= -1) & (res.max_drawdowns <= 0)).all()
    assert (res.grid_wealth >= 0).all()


@given(r=returns_1d, seed=st.integers(0, 2**32))
def test_shuffle_preserves_buy_and_hold_terminal_wealth(r, seed):
    res = mc.simulate(
        r, n_paths=4, horizon=2 * len(r), method="shuffle", seed=seed, periods_per_year=252
    )
    np.testing.assert_allclose(res.terminal_wealth, np.prod(1 + r) ** 2, rtol=1e-9)
