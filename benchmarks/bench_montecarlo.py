"""pytest-benchmark suite of quantlab.montecarlo (never run as part of the tests).

Run: ``pytest benchmarks/bench_montecarlo.py --benchmark-only``. Path-steps per second are
attached to each result as ``extra_info["path_steps_per_s"]`` (from the mean time).
The side-by-side comparison with quantstats is ``benchmarks/compare_montecarlo.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import quantlab.montecarlo as mc

SINGLE = np.random.default_rng(7).normal(0.0004, 0.011, 8_000)
MULTI = np.random.default_rng(8).normal(0.0003, 0.01, size=(2_520, 20))


def _record(benchmark, n_paths: int, horizon: int) -> None:
    mean = benchmark.stats.stats.mean
    benchmark.extra_info["path_steps_per_s"] = n_paths * horizon / mean


@pytest.mark.parametrize("method", ["bootstrap", "shuffle", "stationary_bootstrap"])
def test_single_series_10k_x_8k(benchmark, method):
    """The issue's workload: 10,000 paths x 8,000 steps, terminal wealth + max drawdown."""
    mc.simulate(SINGLE[:100], n_paths=4, horizon=50, method=method, seed=0, periods_per_year=252)
    res = benchmark.pedantic(
        mc.simulate,
        args=(SINGLE,),
        kwargs=dict(
            n_paths=10_000,
            horizon=8_000,
            method=method,
            seed=1,
            block_length=20,
            periods_per_year=252,
        ),
        rounds=3,
        iterations=1,
    )
    assert res.max_drawdowns.shape == (10_000,)
    _record(benchmark, 10_000, 8_000)


def test_multi_asset_rebalanced(benchmark):
    """20 assets, monthly rebalancing with fees, stationary bootstrap (10,000 x 2,520)."""
    kw = dict(
        method="stationary_bootstrap",
        block_length=20,
        rebalance="M",
        fees=0.0005,
        periods_per_year=252,
    )
    mc.simulate(MULTI[:100], n_paths=4, horizon=50, seed=0, **kw)
    benchmark.pedantic(
        mc.simulate,
        args=(MULTI,),
        kwargs=dict(n_paths=10_000, horizon=2_520, seed=1, **kw),
        rounds=2,
        iterations=1,
    )
    _record(benchmark, 10_000, 2_520)


@pytest.mark.parametrize("method", ["normal", "student_t"])
def test_parametric_5_assets(benchmark, method):
    """Model-based paths: 5 correlated assets, quarterly rebalancing (5,000 x 2,520)."""
    hist = MULTI[:, :5]
    mc.simulate(
        hist, n_paths=4, horizon=50, seed=0, method=method, rebalance="Q", periods_per_year=252
    )
    benchmark.pedantic(
        mc.simulate,
        args=(hist,),
        kwargs=dict(
            n_paths=5_000, horizon=2_520, seed=1, method=method, rebalance="Q", periods_per_year=252
        ),
        rounds=2,
        iterations=1,
    )
    _record(benchmark, 5_000, 2_520)
