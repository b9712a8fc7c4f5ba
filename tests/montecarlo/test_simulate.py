"""simulate(): against the slow reference, closed forms, determinism, result methods."""

from __future__ import annotations

import math

import numba
import numpy as np
import pandas as pd
import pytest

import quantlab.montecarlo as mc
import quantlab.montecarlo.simulation as sim_mod
from quantlab._numba import JIT_ENABLED
from quantlab.montecarlo import _kernels as K
from quantlab.montecarlo.generators import draw_spec
from tests.montecarlo.naive import portfolio_paths

HIST = np.random.default_rng(21).normal(0.0004, 0.012, size=(400, 3))
PPY = 252.0


def _compare(res, ref, rtol=1e-10):
    np.testing.assert_allclose(res.paths, ref.wealth, rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(res.terminal_wealth, ref.wealth[:, -1], rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(res.max_drawdowns, ref.max_dd, rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(res.min_wealth, ref.min_wealth, rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(res.cagr, ref.cagr, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(res.sharpe, ref.sharpe, rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(res.ruin_step, ref.ruin_step)


CASES = {
    "buy_and_hold": dict(weights=[0.5, 0.3, 0.2]),
    "monthly_fees": dict(weights=[0.5, 0.3, 0.2], rebalance=21, fees=0.002),
    "contributions": dict(
        weights=[0.4, 0.4, 0.2], rebalance="Q", fees=0.001, cashflow=0.05, cashflow_every=21
    ),
    "withdrawals": dict(
        weights=[0.6, 0.2, 0.2],
        rebalance="M",
        withdrawal_rate=0.04,
        cashflow_every="M",
        cashflow=-0.01,
    ),
    "leverage": dict(
        weights=[0.5, 0.3, 0.2], leverage=1.8, borrow_rate=0.05, rebalance=5, fees=0.0005
    ),
    "cash_and_short": dict(weights=[0.8, -0.3, 0.2], rebalance=1, fees=0.001),
    "ruin": dict(
        weights=[1.0, 1.0, 1.0],
        leverage=3.0,
        borrow_rate=0.1,
        ruin_threshold=0.6,
        cashflow=-0.02,
        cashflow_every=5,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("method", ["bootstrap", "stationary_bootstrap", "normal"])
def test_matches_naive_reference(case, method):
    kw = dict(CASES[case])
    horizon, n_paths, seed = 300, 12, 17
    res = mc.simulate(
        HIST,
        n_paths=n_paths,
        horizon=horizon,
        method=method,
        seed=seed,
        block_length=8,
        keep_paths=True,
        goal=1.1,
        **kw,
        periods_per_year=252,
    )
    rets = mc.generate_paths(HIST, n_paths, horizon, method, seed=seed, block_length=8)
    w = np.asarray(kw.pop("weights")) * kw.pop("leverage", 1.0)
    reb = sim_mod.period_steps(kw.pop("rebalance", None), "rebalance", PPY)
    every = sim_mod.period_steps(kw.pop("cashflow_every", 1), "cashflow_every", PPY)
    wrate = kw.pop("withdrawal_rate", 0.0)
    ref = portfolio_paths(
        rets,
        w,
        rebalance=reb,
        fee=kw.pop("fees", 0.0),
        borrow_step=(1 + kw.pop("borrow_rate", 0.0)) ** (1 / PPY) - 1,
        cashflow=kw.get("cashflow", 0.0),
        withdraw_frac=wrate * every / PPY,
        cashflow_every=every if (kw.pop("cashflow", 0.0) or wrate) else 0,
        ruin=kw.pop("ruin_threshold", 0.0),
        goal=1.1,
    )
    _compare(res, ref)
    np.testing.assert_array_equal(res.goal_step, ref.goal_step)
    if case == "ruin":
        assert res.prob_ruin() > 0.5


@pytest.mark.parametrize(
    "method", ["bootstrap", "stationary_bootstrap", "block_bootstrap", "shuffle"]
)
@pytest.mark.parametrize("weights,rebalance", [([1.0], None), ([1.5], 1)])
def test_fast_single_series_path_matches_naive(method, weights, rebalance):
    hist = HIST[:, :1]
    res = mc.simulate(
        hist,
        weights,
        n_paths=10,
        horizon=700,
        method=method,
        seed=3,
        rebalance=rebalance,
        fees=0.001,
        borrow_rate=0.03,
        keep_paths=True,
        goal=1.05,
        block_length=5,
        periods_per_year=252,
    )
    assert (
        sim_mod._series_table(draw_spec(method, hist, 1, block_length=5), _port(weights, rebalance))
        is not None
    )
    rets = mc.generate_paths(hist, 10, 700, method, seed=3, block_length=5)
    ref = portfolio_paths(
        rets,
        np.asarray(weights),
        rebalance=rebalance or 0,
        fee=0.001,
        borrow_step=1.03 ** (1 / PPY) - 1,
        goal=1.05,
    )
    _compare(res, ref)
    np.testing.assert_array_equal(res.goal_step, ref.goal_step)


def _port(weights, rebalance):
    w = np.asarray(weights, float)
    return K.PortfolioSpec(
        w, 1 - w.sum(), rebalance or 0, 0.001, 0.0, 0.0, 0.0, 0, 1.0, 0.0, math.inf, PPY
    )


def test_fast_path_ruin_threshold_matches_general():
    hist = HIST[:, :1] * 3
    kw = dict(n_paths=50, horizon=1000, seed=5, ruin_threshold=0.8, goal=1.3)
    fast = mc.simulate(hist, **kw, periods_per_year=252)
    # same portfolio through the general kernel (a zero second asset disables the fast path)
    general = mc.simulate(
        np.column_stack([hist, np.zeros(len(hist))]), [1.0, 0.0], **kw, periods_per_year=252
    )
    assert 0 < fast.prob_ruin() < 1
    np.testing.assert_array_equal(fast.ruin_step, general.ruin_step)
    np.testing.assert_array_equal(fast.goal_step, general.goal_step)
    np.testing.assert_allclose(fast.grid_wealth, general.grid_wealth, rtol=1e-10)
    np.testing.assert_allclose(fast.max_drawdowns, general.max_drawdowns, rtol=1e-10)


def test_zero_volatility_contributions_equal_the_annuity():
    g, c, every, horizon = 1.0004, 0.1, 21, 2520
    for method, kw in [("bootstrap", {}), ("normal", dict(mean=[g - 1], cov=[[0.0]]))]:
        res = mc.simulate(
            np.full(100, g - 1),
            n_paths=5,
            horizon=horizon,
            method=method,
            seed=1,
            cashflow=c,
            cashflow_every=every,
            initial_wealth=2.0,
            **kw,
            periods_per_year=252,
        )
        annuity = 2.0 * g**horizon + c * (g**horizon - 1) / (g**every - 1)
        np.testing.assert_allclose(res.terminal_wealth, annuity, rtol=1e-10)


def test_zero_volatility_cagr_and_time_to_goal():
    res = mc.simulate(
        np.full(10, 0.01), n_paths=4, horizon=252, seed=0, goal=1.5, periods_per_year=252
    )
    np.testing.assert_allclose(res.cagr, 1.01**252 - 1, rtol=1e-10)
    steps = math.ceil(math.log(1.5) / math.log(1.01))
    np.testing.assert_array_equal(res.time_to_goal(), steps)
    assert np.isnan(res.sharpe).all()  # constant returns: undefined


def test_shuffle_cannot_change_terminal_wealth_but_bootstrap_does():
    h = HIST[:, :1]
    shuf = mc.simulate(h, n_paths=200, method="shuffle", seed=1, periods_per_year=252)
    boot = mc.simulate(h, n_paths=200, method="bootstrap", seed=1, periods_per_year=252)
    hist_tw = np.prod(1 + h[:, 0])
    np.testing.assert_allclose(shuf.terminal_wealth, hist_tw, rtol=1e-10)
    assert shuf.max_drawdowns.std() > 0.01  # the path does change
    assert boot.terminal_wealth.std() > 0.1 * hist_tw


def test_gbm_terminal_log_wealth_matches_theory():
    mu, sigma2, horizon, n = 0.0003, 1e-4, 252, 4000
    res = mc.simulate(
        None,
        [1.0],
        n_paths=n,
        horizon=horizon,
        method="gbm",
        mean=[mu],
        cov=[[sigma2]],
        seed=2,
        periods_per_year=252,
    )
    lw = np.log(res.terminal_wealth)
    var = horizon * sigma2
    assert abs(lw.mean() - horizon * (mu - sigma2 / 2)) < 5 * np.sqrt(var / n)
    assert abs(lw.var(ddof=1) - var) < 5 * var * np.sqrt(2 / (n - 1))


@pytest.mark.parametrize(
    "method,weights",
    [
        ("bootstrap", [1.0]),
        ("stationary_bootstrap", [0.5, 0.3, 0.2]),
        ("student_t", [0.5, 0.3, 0.2]),
    ],
)
def test_independent_of_threads_and_chunks(method, weights):
    h = HIST[:, : len(weights)]
    kw = dict(n_paths=37, horizon=600, method=method, seed=9, rebalance=10, n_grid=7)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = mc.simulate(h, weights, **kw, periods_per_year=252)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = mc.simulate(h, weights, **kw, periods_per_year=252)
    finally:
        numba.set_num_threads(before)
    chunked = mc.simulate(h, weights, chunk_size=5, **kw, periods_per_year=252)
    kept = mc.simulate(h, weights, keep_paths=True, **kw, periods_per_year=252)
    for other in (many, chunked, kept):
        np.testing.assert_array_equal(one.terminal_wealth, other.terminal_wealth)
        np.testing.assert_array_equal(one.max_drawdowns, other.max_drawdowns)
        np.testing.assert_array_equal(one.sharpe, other.sharpe)
    np.testing.assert_array_equal(one.grid_wealth, many.grid_wealth)
    np.testing.assert_array_equal(kept.paths[:, one.grid_steps], one.grid_wealth)


@pytest.mark.skipif(not JIT_ENABLED, reason="compares compiled kernels with their .py_func")
@pytest.mark.parametrize("series", [False, True])
def test_compiled_equals_py_func(series):
    h = HIST[:, :1] if series else HIST
    w = np.ones(1) if series else np.array([0.5, 0.3, 0.2])
    spec = draw_spec("stationary_bootstrap", h, h.shape[1], block_length=4)
    port = K.PortfolioSpec(
        w,
        1 - w.sum(),
        0 if series else 7,
        0.001,
        0.0,
        0.01 * (not series),
        0.0,
        0 if series else 3,
        1.0,
        0.5,
        1.2,
        PPY,
    )
    grid = np.array([0, 10, 33, 300, 301, 600], dtype=np.int64)
    outs = [sim_mod._allocate(6, len(grid)) for _ in range(2)]
    if series:
        lg, ret = sim_mod._series_table(spec, port)
        K.simulate_series(np.uint64(4), 3, spec, lg, ret, port, grid, outs[0], 2)
        K.simulate_series.py_func(np.uint64(4), 3, spec, lg, ret, port, grid, outs[1], 2)
    else:
        K.simulate_general(np.uint64(4), 3, spec, port, grid, outs[0], 2)
        K.simulate_general.py_func(np.uint64(4), 3, spec, port, grid, outs[1], 2)
    for a, b in zip(outs[0], outs[1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, equal_nan=True)


def test_result_methods():
    res = mc.simulate(
        HIST,
        [0.6, 0.2, 0.2],
        n_paths=2000,
        horizon=504,
        method="stationary_bootstrap",
        block_length=10,
        rebalance="M",
        seed=4,
        goal=1.3,
        ruin_threshold=0.2,
        n_grid=8,
        periods_per_year=252,
    )
    tw = res.terminal_wealth
    fan = res.quantile_fan([0.1, 0.5, 0.9])
    assert list(fan.index) == list(res.grid_steps) and len(fan) == 9
    np.testing.assert_allclose(fan.iloc[-1].to_numpy(), np.quantile(tw, [0.1, 0.5, 0.9]))
    assert (fan[0.1] <= fan[0.9]).all()
    assert res.prob_goal() == pytest.approx(np.mean(tw >= 1.3))
    assert res.prob_goal(1.0) == pytest.approx(np.mean(tw >= 1.0))
    assert res.prob_ruin(0.9) == pytest.approx(np.mean(res.min_wealth <= 0.9))
    assert res.var(0.05) == pytest.approx(1.0 - np.quantile(tw, 0.05))
    assert res.cvar(0.05) >= res.var(0.05)
    ttg = res.time_to_goal()
    reached = ~np.isnan(ttg)
    assert reached.any() and (ttg[reached] <= 504).all()
    assert np.all(np.nanmax(res.grid_wealth[~reached], axis=1) < 1.3)
    table = res.summary()
    assert list(table.index) == [
        "terminal_wealth",
        "cagr",
        "sharpe",
        "max_drawdown",
        "ruined",
        "goal_reached",
        "years_to_goal",
    ]
    assert table.loc["goal_reached", "mean"] == pytest.approx(res.prob_goal())
    assert "n_paths=2000" in repr(res)
    assert ((res.max_drawdowns >= -1) & (res.max_drawdowns <= 0)).all()
    assert res.historical_wealth is not None and len(res.historical_wealth) == 401


def test_dataframe_input_infers_periods_and_reports_dropped_rows():
    idx = pd.date_range("2020-01-31", periods=120, freq="ME")
    df = pd.DataFrame(HIST[:120, :2], index=idx, columns=["x", "y"])
    df.iloc[3, 1] = np.nan
    with pytest.warns(UserWarning, match="dropped 1 of 120 rows"):
        res = mc.simulate(df, {"y": 0.5, "x": 0.5}, n_paths=10, seed=0, rebalance="Q")
    assert res.periods_per_year == 12.0 and res.dropped_rows == 1 and res.horizon == 119
    daily = pd.DataFrame(HIST[:, :1], index=pd.bdate_range("2020-01-01", periods=400))
    assert mc.simulate(daily, n_paths=2, seed=0).periods_per_year == 252.0


def test_max_drawdown_has_the_sign_of_metrics_and_backtest():
    """One drawdown convention: negative, in [-1, 0], as metrics.max_drawdown (empyrical)."""
    import empyrical as ep

    import quantlab.metrics as qm

    res = mc.simulate(
        HIST, [0.5, 0.3, 0.2], n_paths=50, horizon=120, rebalance="M", seed=9,
        keep_paths=True, periods_per_year=PPY,
    )  # fmt: skip
    wealth = res.paths
    step_returns = (wealth[:, 1:] / wealth[:, :-1] - 1.0).T  # (horizon, n_paths)
    expected = qm.max_drawdown(step_returns).to_numpy()
    assert (expected < 0).all()
    np.testing.assert_allclose(res.max_drawdowns, expected, rtol=1e-9)
    np.testing.assert_allclose(res.max_drawdowns, ep.max_drawdown(step_returns), rtol=1e-9)
    worst = res.summary(quantiles=(0.05, 0.95)).loc["max_drawdown"]
    assert worst["q5"] <= worst["q95"] <= 0.0  # the worst paths are the lowest quantile
