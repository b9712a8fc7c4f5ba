"""Properties of the engine that hold for any input (hypothesis, ``ci`` profile)."""

from __future__ import annotations

import contextlib
import types
from collections.abc import Iterator
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import quantlab as ql
from quantlab.backtest import _execution, _records_kernel, _signals_kernel, _stats, _weights_kernel


# --------------------------------------------------------------------------- inputs
def panel(seed: int, n_bars: int, n_assets: int, nan: bool) -> pd.DataFrame:
    gen = np.random.default_rng(seed)
    close = 50.0 * np.exp(np.cumsum(gen.normal(0.0, 0.03, (n_bars, n_assets)), axis=0))
    if nan:
        close[gen.random(close.shape) < 0.1] = np.nan
    index = pd.bdate_range("2022-01-03", periods=n_bars)
    return pd.DataFrame(close, index=index, columns=[f"S{j}" for j in range(n_assets)])


def signals(close: pd.DataFrame, seed: int, p: float) -> pd.DataFrame:
    gen = np.random.default_rng(seed)
    return pd.DataFrame(gen.random(close.shape) < p, index=close.index, columns=close.columns)


cases = st.fixed_dictionaries(
    {
        "seed": st.integers(0, 2**31),
        "n_bars": st.integers(20, 60),
        "n_assets": st.integers(2, 4),
        "nan": st.booleans(),
        "p": st.floats(0.03, 0.3),
    }
)
costs = st.fixed_dictionaries(
    {
        "fees": st.sampled_from([0.0, 0.001, 0.01]),
        "fixed_fees": st.sampled_from([0.0, 0.1]),
        "slippage": st.sampled_from([0.0, 0.002]),
    }
)
stops = st.fixed_dictionaries(
    {
        "sl_stop": st.sampled_from([None, 0.03, 0.1]),
        "tp_stop": st.sampled_from([None, 0.05]),
        "sl_trail": st.booleans(),
        "time_stop": st.sampled_from([None, 4]),
    }
)
sizing = st.sampled_from(
    [
        {},
        {"size": 0.5, "size_type": "percent"},
        {"size": 40.0, "size_type": "value"},
        {"size": 1.0, "size_granularity": 0.5},
    ]
)


def build(case: dict) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    close = panel(case["seed"], case["n_bars"], case["n_assets"], case["nan"])
    return (
        close,
        signals(close, case["seed"] + 1, case["p"]),
        signals(close, case["seed"] + 2, case["p"]),
    )


def weights_for(close: pd.DataFrame, seed: int) -> pd.DataFrame:
    gen = np.random.default_rng(seed)
    w = gen.normal(0.2, 0.4, close.shape)
    w[gen.random(close.shape[0]) < 0.3] = np.nan
    return pd.DataFrame(w, index=close.index, columns=close.columns)


def as2d(x: pd.DataFrame | pd.Series) -> np.ndarray:
    return x.to_numpy().reshape(len(x), -1)


# --------------------------------------------------------------------------- accounting
def assert_identity(res: ql.backtest.BacktestResult, close: pd.DataFrame) -> None:
    """cash + sum(position x last valid close) == equity, every bar, every portfolio."""
    cash = as2d(res.cash)
    pos = as2d(res.positions)
    eq = as2d(res.equity)
    px = close.ffill().to_numpy()[:, res._asset_of_col]
    held = np.where(pos != 0.0, pos * np.nan_to_num(px), 0.0)
    gs = res._group_start
    value = cash + np.stack([held[:, gs[g] : gs[g + 1]].sum(axis=1) for g in range(len(gs) - 1)], 1)
    scale = np.abs(eq).max()
    np.testing.assert_allclose(value, eq, rtol=1e-9, atol=1e-9 * scale)
    # the kernel's running figures agree with the panels rebuilt from the orders
    table = res.summary_table
    np.testing.assert_allclose(table["final_value"], eq[-1], rtol=1e-9, atol=1e-9 * scale)
    assert (table["n_orders"].to_numpy().sum()) == len(res.order_records)


@given(cases, costs, stops, sizing, st.sampled_from(["long", "short", "both"]))
def test_signals_accounting_identity(case, cost, stop, size, direction) -> None:
    close, ent, ext = build(case)
    res = ql.backtest.from_signals(close, ent, ext, direction=direction, **cost, **stop, **size)
    assert_identity(res, close)


@given(cases, costs, st.sampled_from([None, 3, "W-FRI"]), st.sampled_from([None, 1.0, 2.0]))
def test_weights_accounting_identity(case, cost, rebalance, lev) -> None:
    close = panel(case["seed"], case["n_bars"], case["n_assets"], case["nan"])
    w = weights_for(close, case["seed"])
    res = ql.backtest.from_weights(close, w, rebalance=rebalance, max_leverage=lev, **cost)
    assert_identity(res, close)


@given(cases, costs, stops, sizing)
def test_long_only_never_borrows(case, cost, stop, size) -> None:
    close, ent, ext = build(case)
    res = ql.backtest.from_signals(close, ent, ext, direction="long", **cost, **stop, **size)
    assert (as2d(res.cash) >= -1e-9 * res.init_cash.max()).all()
    assert (as2d(res.positions) >= 0.0).all()
    assert (as2d(res.equity) > 0.0).all()


@given(cases, costs)
def test_long_only_weights_never_borrow(case, cost) -> None:
    close = panel(case["seed"], case["n_bars"], case["n_assets"], case["nan"])
    w = weights_for(close, case["seed"]).abs()
    w = w.div(w.sum(axis=1), axis=0)  # fully invested, long only
    res = ql.backtest.from_weights(close, w, **cost)
    assert (as2d(res.cash) >= -1e-9 * res.init_cash.max()).all()
    assert (as2d(res.positions) >= 0.0).all()


# --------------------------------------------------------------------------- structure
@given(cases, costs, stops, st.sampled_from(["long", "both"]), st.data())
def test_columns_are_independent(case, cost, stop, direction, data) -> None:
    close, ent, ext = build(case)
    j = data.draw(st.integers(0, close.shape[1] - 1))
    kw = dict(direction=direction, **cost, **stop)
    full = ql.backtest.from_signals(close, ent, ext, **kw)
    one = ql.backtest.from_signals(close.iloc[:, [j]], ent.iloc[:, [j]], ext.iloc[:, [j]], **kw)
    np.testing.assert_allclose(as2d(one.equity)[:, 0], as2d(full.equity)[:, j], rtol=1e-12)
    np.testing.assert_allclose(as2d(one.positions)[:, 0], as2d(full.positions)[:, j], rtol=1e-12)
    mine = full.order_records[full.order_records["col"] == j]
    for f in ("idx", "size", "price", "fees", "side", "reason"):
        np.testing.assert_array_equal(one.order_records[f], mine[f])


@given(cases, stops, st.sampled_from([0.0, 0.001, 0.004]), st.sampled_from([0.0, 0.005]))
def test_higher_fees_never_help(case, stop, fee, extra) -> None:
    close, ent, ext = build(case)
    kw = dict(direction="long", **stop)  # all-in sizing: size=inf, amount
    low = ql.backtest.from_signals(close, ent, ext, fees=fee, **kw)
    high = ql.backtest.from_signals(close, ent, ext, fees=fee + extra + 0.001, **kw)
    lo_eq, hi_eq = as2d(low.equity)[-1], as2d(high.equity)[-1]
    assert (hi_eq <= lo_eq * (1 + 1e-12)).all()
    assert (high.summary_table["total_fees"] >= 0).all()


@given(cases, costs, stops, sizing, st.sampled_from(["long", "short", "both"]))
def test_deterministic(case, cost, stop, size, direction) -> None:
    close, ent, ext = build(case)
    kw = dict(direction=direction, **cost, **stop, **size)
    a = ql.backtest.from_signals(close, ent, ext, **kw)
    b = ql.backtest.from_signals(close.copy(), ent.copy(), ext.copy(), **kw)
    np.testing.assert_array_equal(a.order_records, b.order_records)
    np.testing.assert_array_equal(as2d(a.equity), as2d(b.equity))
    pd.testing.assert_frame_equal(a.summary_table, b.summary_table)


@given(cases, costs, st.sampled_from(["long", "both"]))
def test_parameter_grid_broadcast(case, cost, direction) -> None:
    """(param, asset) signal columns over one price column per asset == each asset alone."""
    close, _, _ = build(case)
    params = [0.02, 0.08]
    cols = pd.MultiIndex.from_product([params, close.columns], names=["sl", "asset"])
    gen = np.random.default_rng(case["seed"])
    ent = pd.DataFrame(gen.random((len(close), len(cols))) < case["p"], close.index, cols)
    ext = pd.DataFrame(gen.random((len(close), len(cols))) < case["p"], close.index, cols)
    sl = np.repeat(params, close.shape[1])
    grid = ql.backtest.from_signals(close, ent, ext, sl_stop=sl, direction=direction, **cost)
    assert grid.equity.columns.equals(cols)
    for p, asset in cols:
        alone = ql.backtest.from_signals(
            close[[asset]],
            ent[[(p, asset)]].droplevel(0, axis=1),
            ext[[(p, asset)]].droplevel(0, axis=1),
            sl_stop=p,
            direction=direction,
            **cost,
        )
        np.testing.assert_allclose(
            grid.equity[(p, asset)].to_numpy(), as2d(alone.equity)[:, 0], rtol=1e-12
        )


# --------------------------------------------------------------------------- jit vs python
KERNEL_MODULES = (_execution, _stats, _signals_kernel, _weights_kernel, _records_kernel)


@contextlib.contextmanager
def pure_python() -> Iterator[None]:
    """Replace every numba dispatcher of the engine by its Python function (``.py_func``).

    The kernels look their callees up in their module's globals at call time, so the whole
    simulation, records included, then runs uncompiled: the ``QUANTLAB_DISABLE_JIT`` mode.
    """
    with contextlib.ExitStack() as stack:
        for mod in KERNEL_MODULES:
            for name, obj in vars(mod).copy().items():
                py = getattr(obj, "py_func", None)
                if isinstance(py, types.FunctionType):
                    stack.enter_context(mock.patch.object(mod, name, py))
        yield


def test_pure_python_patch_reaches_every_kernel() -> None:
    with pure_python():
        for mod in KERNEL_MODULES:
            for name, obj in vars(mod).items():
                assert not hasattr(obj, "py_func"), f"{mod.__name__}.{name} still compiled"
    assert hasattr(_signals_kernel.simulate_signals, "py_func")


def _full_result(res: ql.backtest.BacktestResult) -> dict[str, np.ndarray]:
    return {
        "orders": res.order_records.copy(),
        "equity": as2d(res.equity),
        "positions": as2d(res.positions),
        "trades": res.trade_records.copy(),
        "stats": res.summary_table.to_numpy(),
    }


def _assert_same(a: dict, b: dict) -> None:
    for key in ("equity", "positions", "stats"):
        np.testing.assert_allclose(a[key], b[key], rtol=1e-12, atol=1e-12, err_msg=key)
    for rec in ("orders", "trades"):
        assert a[rec].dtype == b[rec].dtype and len(a[rec]) == len(b[rec])
        for f in a[rec].dtype.names:
            np.testing.assert_allclose(a[rec][f], b[rec][f], rtol=1e-12, err_msg=f"{rec}.{f}")


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("price", ["close", "next_open"])
def test_compiled_signals_equal_pure_python(seed: int, price: str) -> None:
    close = panel(seed, 25, 2, nan=True)
    ent, ext = signals(close, seed, 0.2), signals(close, seed + 5, 0.2)
    kw = dict(
        direction="both",
        fees=0.001,
        sl_stop=0.04,
        tp_stop=0.05,
        time_stop=5,
        price=price,
        open=close.shift(1).fillna(close) * 1.001,
        high=close * 1.02,
        low=close * 0.98,
    )
    compiled = _full_result(ql.backtest.from_signals(close, ent, ext, **kw))
    with pure_python():
        python = _full_result(ql.backtest.from_signals(close, ent, ext, **kw))
    _assert_same(compiled, python)
    assert len(compiled["orders"]) > 3


def test_signals_py_func_directly() -> None:
    """``simulate_signals.py_func`` on the kernel inputs gives the compiled counts and stats."""
    sk = _signals_kernel
    close = panel(4, 20, 2, nan=False).to_numpy()
    gen = np.random.default_rng(0)
    ent = np.asfortranarray(gen.random(close.shape) < 0.25)
    ext = np.asfortranarray(gen.random(close.shape) < 0.25)
    empty_f, empty_b = np.empty((0, 0)), np.zeros((0, 0), dtype=bool)
    arr = sk.SignalArrays(
        np.asfortranarray(close),
        empty_f,
        empty_f,
        empty_f,
        ent,
        ext,
        empty_b,
        empty_b,
        np.arange(2, dtype=np.int64),
    )
    one = np.array([np.nan])
    par = sk.SignalParams(
        size=np.array([np.inf]),
        fees=np.array([0.001]),
        fixed_fees=np.array([0.0]),
        slippage=np.array([0.0]),
        min_size=np.array([0.0]),
        granularity=one,
        init_cash=np.array([100.0]),
        sl_stop=np.array([0.05]),
        tp_stop=one,
        sl_trail=np.array([0.0]),
        time_stop=one,
    )
    capacity = np.zeros(3, dtype=np.int64)
    sk.count_capacity(arr, capacity, 0, 2)
    offsets = np.cumsum(capacity)
    out = []
    for fn in (sk.simulate_signals, sk.simulate_signals.py_func):
        orders = np.zeros(int(offsets[-1]), dtype=ql.backtest.order_dt)
        raw = np.zeros((2, _stats.N_STATS))
        counts = np.zeros(2, dtype=np.int64)
        fn(
            arr,
            par,
            sk.SIZE_AMOUNT,
            sk.DIR_BOTH,
            sk.PRICE_CLOSE,
            offsets,
            orders,
            True,
            raw,
            counts,
            0,
            2,
        )
        out.append((counts, orders, raw))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    np.testing.assert_array_equal(out[0][1], out[1][1])
    np.testing.assert_allclose(out[0][2], out[1][2], rtol=1e-12)


@pytest.mark.parametrize("price", ["close", "next_open"])
def test_compiled_weights_equal_pure_python(price: str) -> None:
    close = panel(3, 25, 3, nan=True)
    w = weights_for(close, 3)
    kw = dict(
        rebalance=2,
        fees=0.002,
        max_leverage=1.5,
        price=price,
        open=close.bfill() * 0.999,
        size_granularity=0.01,
    )
    compiled = _full_result(ql.backtest.from_weights(close, w, **kw))
    with pure_python():
        python = _full_result(ql.backtest.from_weights(close, w, **kw))
    _assert_same(compiled, python)
    assert len(compiled["orders"]) > 5


def test_order_buffer_holds_repeated_partial_stop_exits() -> None:
    from tests.backtest import naive

    idx = pd.bdate_range("2024-01-01", periods=7)
    close = pd.Series([10.0, 35.0, 30.0, 20.0, 4.0, 1.0, 0.5], index=idx)
    entries = pd.Series([True] + [False] * 6, index=idx)
    exits = pd.Series(False, index=idx)
    kw = dict(direction="short", time_stop=1, size_granularity=1.0)
    ref = naive.from_signals(close, entries, exits, **kw)
    assert len(ref.orders) == 5  # entry, then four partial covers (cash for 5, 1, 1, 1 lots)
    with pure_python():  # the compiled kernel would corrupt the heap: run it bounds-checked
        res = ql.backtest.from_signals(close, entries, exits, **kw)
        assert len(res.order_records) == len(ref.orders)
