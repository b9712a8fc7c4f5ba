"""Inputs shared by the report tests: one small backtest, benchmark, simulation and sweep."""

from __future__ import annotations

import pandas as pd
import pytest

import quantlab as ql
from tests.conftest import make_prices

GRID = {"fast": [5, 10, 20], "slow": [30, 60]}


def cross(data: pd.DataFrame, fast: int, slow: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Moving-average crossover: long while the fast average is above the slow one."""
    f, s = data.rolling(fast).mean(), data.rolling(slow).mean()
    return (f > s) & (f.shift() <= s.shift()), (f < s) & (f.shift() >= s.shift())


@pytest.fixture(scope="session")
def close() -> pd.DataFrame:
    return make_prices(504, 2, seed=7)


@pytest.fixture(scope="session")
def backtest(close: pd.DataFrame):
    entries, exits = cross(close, 10, 30)
    return ql.backtest.from_signals(close, entries, exits, fees=0.001)


@pytest.fixture(scope="session")
def bench(close: pd.DataFrame) -> pd.Series:
    return close.pct_change().mean(axis=1).fillna(0.0).rename("equal weight")


@pytest.fixture(scope="session")
def simulation(backtest):
    rets = backtest.returns.iloc[:, 0].to_numpy()
    return ql.montecarlo.simulate(
        rets, n_paths=300, horizon=126, seed=3, goal=1.1, periods_per_year=252
    )


@pytest.fixture(scope="session")
def sweep(close: pd.DataFrame):
    return ql.optimize.sweep(cross, GRID, close, fees=0.001, progress=False)


@pytest.fixture(scope="session")
def model_run() -> dict:
    return {
        "feature_importances": pd.Series(
            [0.4, 0.25, 0.2, 0.1, 0.05], index=["mom_20", "rev_5", "vol_60", "beta", "size"]
        ),
        "ic_by_fold": pd.DataFrame(
            {"ic": [0.031, 0.012, -0.004, 0.022], "rank_ic": [0.028, 0.015, 0.001, 0.019]},
            index=pd.Index(range(4), name="fold"),
        ),
        "oos_ic": {"mean_ic": 0.0153, "ic_ir": 0.41, "t_stat": 2.37},
        "params": {"model": "lgbm", "learning_rate": 0.05, "num_leaves": 31},
    }


@pytest.fixture(scope="session")
def full_tearsheet(backtest, bench, simulation, sweep, model_run):
    return ql.report.tearsheet(
        backtest,
        benchmark=bench,
        montecarlo=simulation,
        sweep=sweep,
        model=model_run,
        title="Crossover 10/30",
    )
