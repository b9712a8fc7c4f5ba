"""Sweeps: one engine call per chunk, identical results whatever the chunking or backend."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quantlab as ql
from quantlab.errors import ChunkError, DataTypeError, ParameterError
from tests.conftest import make_prices

GRID = {"fast": [5, 10, 15], "slow": [20, 40]}


def cross(data: pd.DataFrame, fast: int, slow: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    f, s = data.rolling(fast).mean(), data.rolling(slow).mean()
    return (f > s) & (f.shift() <= s.shift()), (f < s) & (f.shift() >= s.shift())


@ql.optimize.vectorized
def vcross(data: pd.DataFrame, fast: list[int], slow: list[int]) -> tuple:
    f = ql.indicators.sma(data, sorted(set(fast)))
    s = ql.indicators.sma(data, sorted(set(slow)))
    names = ["fast", "slow"]
    return ql.signals.crossed_above(f, s, names=names), ql.signals.crossed_below(f, s, names=names)


@pytest.fixture(scope="module")
def close() -> pd.DataFrame:
    return make_prices(400, 3, seed=4)


@pytest.fixture(scope="module")
def reference(close: pd.DataFrame) -> ql.optimize.SweepResult:
    return ql.optimize.sweep(cross, GRID, close, fees=0.001, progress=False)


def test_table_matches_individual_backtests(close: pd.DataFrame, reference) -> None:
    table = reference.table
    assert len(table) == 6 * 3
    for (fast, slow), rows in table.groupby(["fast", "slow"]):
        e, x = cross(close, fast, slow)
        res = ql.backtest.from_signals(close, e, x, fees=0.001)
        np.testing.assert_allclose(rows["total_return"], res.total_return.to_numpy(), rtol=1e-12)
        # combination returns = equal-weight mean of its assets' returns
        np.testing.assert_allclose(
            reference.returns[(fast, slow)], res.returns.mean(axis=1), rtol=1e-12, atol=1e-15
        )


def test_best_is_the_argmax_of_the_mean_metric(reference) -> None:
    means = reference.table.groupby(["fast", "slow"])["sharpe"].mean()
    fast, slow = means.idxmax()
    assert reference.best == {"fast": fast, "slow": slow}
    assert isinstance(reference.best["fast"], int)


def test_vectorized_strategy_gives_identical_table(close, reference) -> None:
    res = ql.optimize.sweep(vcross, GRID, close, fees=0.001, progress=False)
    pd.testing.assert_frame_equal(res.table, reference.table)


@pytest.mark.parametrize("max_memory", [1, 50_000])
def test_chunked_sweep_is_identical(close, reference, max_memory: int) -> None:
    res = ql.optimize.sweep(cross, GRID, close, fees=0.001, progress=False, max_memory=max_memory)
    pd.testing.assert_frame_equal(res.table.reset_index(drop=True), reference.table)
    pd.testing.assert_frame_equal(res.returns, reference.returns)


def test_local_processes_give_identical_table(close, reference) -> None:
    res = ql.optimize.sweep(cross, GRID, close, fees=0.001, progress=False, max_memory=1, n_jobs=2)
    pd.testing.assert_frame_equal(res.table.reset_index(drop=True), reference.table)


def test_random_sample_of_grid_is_seeded(close) -> None:
    a = ql.optimize.sweep(cross, GRID, close, n_samples=3, seed=1, progress=False)
    b = ql.optimize.sweep(cross, GRID, close, n_samples=3, seed=1, progress=False)
    assert a.returns.shape[1] == 3
    pd.testing.assert_frame_equal(a.table, b.table)


def test_heatmap_and_diagnostics(reference) -> None:
    hm = reference.heatmap("fast", "slow")
    assert hm.shape == (2, 3)
    assert hm.loc[40, 10] == pytest.approx(
        reference.table.query("fast == 10 and slow == 40")["sharpe"].mean()
    )
    dsr = reference.deflated_sharpe
    assert 0.0 <= dsr <= 1.0
    res = reference.pbo(n_splits=4)
    assert 0.0 <= res.pbo <= 1.0


def test_weights_strategy(close) -> None:
    def momentum(data: pd.DataFrame, lookback: int) -> pd.DataFrame:
        score = data.pct_change(lookback)
        w = score.rank(axis=1).div(score.rank(axis=1).sum(axis=1), axis=0)
        w[w.index.day_of_week != 4] = np.nan  # rebalance on Fridays
        return w

    res = ql.optimize.sweep(momentum, {"lookback": [20, 60]}, close, progress=False)
    assert list(res.table["lookback"]) == [20, 60]
    w = momentum(close, 60)
    direct = ql.backtest.from_weights(close, w)
    assert res.table.set_index("lookback").loc[60, "total_return"] == pytest.approx(
        float(direct.total_return.iloc[0]), rel=1e-12
    )


def test_empty_grid_is_an_error(close) -> None:
    with pytest.raises(ParameterError, match="grid must be a non-empty dict"):
        ql.optimize.sweep(cross, {}, close)
    with pytest.raises(ParameterError, match=r"grid\['fast'\] has no values"):
        ql.optimize.sweep(cross, {"fast": [], "slow": [20]}, close)


def test_unknown_parameter_is_named(close) -> None:
    with pytest.raises(ParameterError, match=r"\['window'\] that the strategy 'cross'"):
        ql.optimize.sweep(cross, {"window": [5]}, close)


def test_unknown_engine_keyword_is_named(close) -> None:
    with pytest.raises(ParameterError, match=r"unknown or reserved engine keyword\(s\) \['fee'\]"):
        ql.optimize.sweep(cross, GRID, close, fee=0.001)


def test_wrong_output_and_non_boolean_signals(close) -> None:
    with pytest.raises(ChunkError, match=r"returned int for \(fast=5\)"):
        ql.optimize.sweep(lambda data, fast: 3, {"fast": [5]}, close, progress=False)

    def floats(data: pd.DataFrame, fast: int) -> tuple:
        return data * 0.0, data * 0.0

    with pytest.raises(DataTypeError, match="entries must be boolean"):
        ql.optimize.sweep(floats, {"fast": [5]}, close, progress=False)


def test_failing_chunk_names_the_combination(close) -> None:
    def boom(data: pd.DataFrame, fast: int) -> tuple:
        if fast == 10:
            raise ZeroDivisionError("bad window")
        return cross(data, fast, 20)

    with pytest.raises(ChunkError, match=r"parameters \(fast=10\): ZeroDivisionError: bad window"):
        ql.optimize.sweep(boom, {"fast": [5, 10]}, close, progress=False)


def test_walk_forward_uses_only_past_data(close) -> None:
    wf = ql.optimize.walk_forward(cross, GRID, close, train=200, test=100, progress=False)
    assert len(wf.windows) == 2
    assert wf.oos_returns.index[0] == close.index[200]
    assert wf.oos_returns.index.is_unique and len(wf.oos_returns) == 200
    # the first window's choice is the in-sample best of a sweep on bars [0, 200)
    first = ql.optimize.sweep(cross, GRID, close.iloc[:200], progress=False).best
    assert {k: wf.windows.loc[0, k] for k in first} == first
    # changing future prices never changes an earlier window's choice
    shocked = close.copy()
    shocked.iloc[300:] *= 3.0
    wf2 = ql.optimize.walk_forward(cross, GRID, shocked, train=200, test=100, progress=False)
    assert wf2.windows.loc[0, "fast"] == wf.windows.loc[0, "fast"]
    np.testing.assert_allclose(wf2.oos_returns.iloc[:99], wf.oos_returns.iloc[:99])


def test_walk_forward_bad_windows(close) -> None:
    with pytest.raises(ParameterError, match="train must be a positive number of bars"):
        ql.optimize.walk_forward(cross, GRID, close, train=0, test=10)
    with pytest.raises(ParameterError, match="train \\+ test = 500 bars but the data has 400"):
        ql.optimize.walk_forward(cross, GRID, close, train=400, test=100)


def test_walk_forward_with_vectorized_strategy_matches_plain(close) -> None:
    plain = ql.optimize.walk_forward(cross, GRID, close, train=200, test=100, progress=False)
    vec = ql.optimize.walk_forward(vcross, GRID, close, train=200, test=100, progress=False)
    pd.testing.assert_frame_equal(plain.windows, vec.windows)
    np.testing.assert_allclose(plain.oos_returns, vec.oos_returns, rtol=1e-12, atol=1e-15)
