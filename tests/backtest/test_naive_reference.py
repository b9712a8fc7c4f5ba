"""The engine against the slow reference in ``tests/backtest/naive.py`` on random panels."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import quantlab as ql
from tests.backtest import naive

RTOL = 1e-9


# --------------------------------------------------------------------------- data
def make_ohlc(
    n_bars: int,
    n_assets: int,
    seed: int,
    *,
    gap: float = 0.01,
    nan_frac: float = 0.0,
    edges: bool = False,
    start: str = "2021-01-01",
) -> dict[str, pd.DataFrame]:
    """A random OHLC panel with overnight gaps and (optionally) NaN bars in the middle."""
    gen = np.random.default_rng(seed)
    close = np.empty((n_bars, n_assets))
    opn = np.empty((n_bars, n_assets))
    prev = 100.0 * np.exp(gen.normal(0, 0.3, n_assets))
    for i in range(n_bars):
        big = gen.random(n_assets) < 0.08  # occasional large gaps, through any stop
        g = gen.normal(0, gap, n_assets) + big * gen.normal(0, 8 * gap, n_assets)
        opn[i] = prev * np.exp(g)
        close[i] = opn[i] * np.exp(gen.normal(0.0005, 0.02, n_assets))
        prev = close[i]
    high = np.maximum(opn, close) * np.exp(np.abs(gen.normal(0, 0.01, (n_bars, n_assets))))
    low = np.minimum(opn, close) * np.exp(-np.abs(gen.normal(0, 0.01, (n_bars, n_assets))))
    if nan_frac:
        for a in range(n_assets):
            if gen.random() < 0.7:
                k = max(1, int(nan_frac * n_bars))
                s = int(gen.integers(n_bars // 4, n_bars - k - 2))
                for arr in (close, opn, high, low):
                    arr[s : s + k, a] = np.nan
            # a few isolated NaN bars too
            for i in gen.choice(np.arange(2, n_bars - 2), size=2, replace=False):
                for arr in (close, opn, high, low):
                    arr[i, a] = np.nan
    if edges:  # listed late (leading NaN) / delisted early (trailing NaN)
        for arr in (close, opn, high, low):
            arr[: n_bars // 5, 0] = np.nan
            arr[-(n_bars // 6) :, n_assets - 1] = np.nan
    index = pd.bdate_range(start, periods=n_bars)
    cols = [f"A{j}" for j in range(n_assets)]
    return {
        k: pd.DataFrame(v, index=index, columns=cols)
        for k, v in (("open", opn), ("high", high), ("low", low), ("close", close))
    }


def random_signals(like: pd.DataFrame, seed: int, p: float = 0.08) -> pd.DataFrame:
    gen = np.random.default_rng(seed)
    return pd.DataFrame(gen.random(like.shape) < p, index=like.index, columns=like.columns)


# --------------------------------------------------------------------------- comparison
def _as2d(x: pd.DataFrame | pd.Series) -> np.ndarray:
    return x.to_numpy().reshape(len(x), -1)


def assert_matches(res: ql.backtest.BacktestResult, ref: naive.NaiveResult) -> None:
    """Equity / cash / positions to 1e-9 relative and identical order lists."""
    scale = float(np.max(res.init_cash))
    np.testing.assert_allclose(
        _as2d(res.equity), ref.equity, rtol=RTOL, atol=RTOL * scale, err_msg="equity"
    )
    np.testing.assert_allclose(
        _as2d(res.cash), ref.cash, rtol=RTOL, atol=RTOL * scale, err_msg="cash"
    )
    pos = _as2d(res.positions)
    np.testing.assert_allclose(
        pos,
        ref.positions,
        rtol=RTOL,
        atol=RTOL * (np.abs(ref.positions).max() + 1e-300),
        err_msg="positions",
    )
    rec = res.order_records
    got = res.orders
    assert len(rec) == len(ref.orders), (len(rec), len(ref.orders))
    for k, o in enumerate(ref.orders):
        where = f"order {k}: engine {got.iloc[k].to_dict()} vs reference {o}"
        assert (int(rec["col"][k]), int(rec["idx"][k])) == (o.col, o.idx), where
        assert (got["side"].iloc[k], got["reason"].iloc[k]) == (o.side, o.reason), where
        assert math.isclose(rec["size"][k], o.size, rel_tol=RTOL), where
        assert math.isclose(rec["price"][k], o.price, rel_tol=RTOL), where
        assert math.isclose(rec["fees"][k], o.fees, rel_tol=RTOL, abs_tol=1e-12), where


def run_signals(close: pd.DataFrame, entries, exits, **kw):
    res = ql.backtest.from_signals(close, entries, exits, **kw)
    ref = naive.from_signals(close, entries, exits, **kw)
    assert_matches(res, ref)
    return res, ref


def run_weights(close: pd.DataFrame, weights, *, naive_kw=None, **kw):
    res = ql.backtest.from_weights(close, weights, **kw)
    ref = naive.from_weights(close, weights, **(naive_kw or {}), **kw)
    assert_matches(res, ref)
    return res, ref


SEEDS = [0, 1, 2]


# --------------------------------------------------------------------------- from_signals
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("direction", ["long", "short", "both"])
def test_close_execution_with_costs(seed: int, direction: str) -> None:
    px = make_ohlc(90, 4, seed)
    close = px["close"]
    res, ref = run_signals(
        close,
        random_signals(close, seed + 10),
        random_signals(close, seed + 20),
        direction=direction,
        fees=[0.0, 0.001, 0.003, 0.01],
        fixed_fees=[0.0, 0.0, 0.05, 0.1],
        slippage=[0.0, 0.002, 0.0, 0.001],
        init_cash=[100.0, 1000.0, 50.0, 1e6],
    )
    assert len(ref.orders) > 10


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("direction", ["long", "short", "both"])
def test_next_open_execution(seed: int, direction: str) -> None:
    px = make_ohlc(100, 5, seed, nan_frac=0.05)
    close = px["close"]
    res, ref = run_signals(
        close,
        random_signals(close, seed + 1, 0.12),
        random_signals(close, seed + 2, 0.12),
        open=px["open"],
        price="next_open",
        direction=direction,
        fees=0.002,
        slippage=0.001,
    )
    # fills happen at opens, never at closes
    opn = px["open"].to_numpy()
    for o in ref.orders:
        assert o.price == pytest.approx(
            opn[o.idx, o.col] * (1 + 0.001 * (1 if o.side == "buy" else -1))
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_long_short_signals(seed: int) -> None:
    px = make_ohlc(120, 3, seed)
    close = px["close"]
    run_signals(
        close,
        random_signals(close, seed + 1),
        random_signals(close, seed + 2),
        short_entries=random_signals(close, seed + 3),
        short_exits=random_signals(close, seed + 4),
        direction="both",
        fees=0.001,
        fixed_fees=0.01,
    )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    ("size", "size_type"),
    [(0.5, "percent"), (1.0, "percent"), (30.0, "value"), (0.4, "amount"), (np.inf, "amount")],
)
@pytest.mark.parametrize("direction", ["long", "both"])
def test_sizing(seed: int, size: float, size_type: str, direction: str) -> None:
    px = make_ohlc(80, 3, seed)
    close = px["close"]
    run_signals(
        close,
        random_signals(close, seed + 5, 0.1),
        random_signals(close, seed + 6, 0.1),
        size=size,
        size_type=size_type,
        direction=direction,
        fees=0.002,
        fixed_fees=0.02,
        slippage=0.001,
    )


def test_partial_buy_when_cash_is_short() -> None:
    idx = pd.bdate_range("2024-01-01", periods=4)
    close = pd.DataFrame({"A": [10.0, 11, 12, 13], "B": [10.0, 11, 12, 13]}, index=idx)
    entries = pd.DataFrame({"A": [True, False, False, False], "B": [True] * 4}, index=idx)
    res, ref = run_signals(
        close,
        entries,
        entries & False,
        size=500.0,
        size_type="value",
        fees=0.01,
        fixed_fees=1.0,
        slippage=0.01,
        size_granularity=[np.nan, 1.0],
    )
    a, b = res.order_records[0], res.order_records[1]
    assert a["size"] == pytest.approx((100.0 - 1.0) / 1.01 / 10.1)  # all the cash, after fees
    assert b["size"] == 9.0  # floored to whole lots: 9 x 10.1 x 1.01 + 1 <= 100
    np.testing.assert_allclose(res.cash.iloc[0], [0.0, 100 - 9 * 10.1 * 1.01 - 1], atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("price", ["close", "next_open"])
def test_granularity_and_min_size(seed: int, price: str) -> None:
    px = make_ohlc(100, 4, seed)
    close = px["close"] * np.array([1.0, 3.0, 0.2, 10.0])  # lots of different costs
    res, ref = run_signals(
        close,
        random_signals(close, seed + 7),
        random_signals(close, seed + 8),
        open=px["open"] * np.array([1.0, 3.0, 0.2, 10.0]),
        price=price,
        direction="both",
        size_granularity=[1.0, 0.5, 10.0, 0.25],
        min_size=[0.0, 2.0, 50.0, 0.5],
        init_cash=[1000.0, 500.0, 200.0, 150.0],
        fees=0.001,
        size=[np.inf, 100.0, 300.0, 1.0],
    )
    lots = [1.0, 0.5, 10.0, 0.25]
    for o in ref.orders:
        assert o.size / lots[o.col] == pytest.approx(round(o.size / lots[o.col]))


@pytest.mark.parametrize("seed", SEEDS)
def test_min_size_rejects_entries(seed: int) -> None:
    px = make_ohlc(60, 3, seed)
    close = px["close"]
    res, ref = run_signals(
        close,
        random_signals(close, seed + 1, 0.15),
        random_signals(close, seed + 2, 0.15),
        min_size=[0.0, 1.5, 1e9],
        size=[0.5, 1.0, 2.0],
        init_cash=1000.0,
    )
    assert all(o.col != 2 for o in ref.orders)  # every fill of column 2 is too small


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("price", ["close", "next_open"])
@pytest.mark.parametrize("direction", ["long", "short", "both"])
def test_stops_with_ohlc(seed: int, price: str, direction: str) -> None:
    px = make_ohlc(150, 6, seed, gap=0.015)
    close = px["close"]
    res, ref = run_signals(
        close,
        random_signals(close, seed + 30, 0.06),
        random_signals(close, seed + 31, 0.03),
        open=px["open"],
        high=px["high"],
        low=px["low"],
        price=price,
        direction=direction,
        sl_stop=[0.03, 0.05, np.nan, 0.02, 0.08, 1.0],
        tp_stop=[0.04, np.nan, 0.05, 0.02, 0.1, np.nan],
        sl_trail=[False, True, False, False, True, False],
        fees=0.001,
    )
    reasons = {o.reason for o in ref.orders}
    assert {"stop_loss", "take_profit", "trailing_stop"} <= reasons


@pytest.mark.parametrize("seed", SEEDS)
def test_stops_close_only(seed: int) -> None:
    px = make_ohlc(120, 4, seed)
    close = px["close"]
    run_signals(
        close,
        random_signals(close, seed + 40),
        random_signals(close, seed + 41, 0.02),
        direction="both",
        sl_stop=[0.02, 0.04, np.nan, 0.03],
        tp_stop=[0.03, np.nan, 0.05, 0.06],
        sl_trail=[False, False, False, True],
        slippage=0.001,
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_stops_high_low_without_open(seed: int) -> None:
    px = make_ohlc(120, 3, seed, gap=0.02)
    close = px["close"]
    run_signals(
        close,
        random_signals(close, seed + 50),
        random_signals(close, seed + 51, 0.02),
        high=px["high"],
        low=px["low"],
        sl_stop=0.03,
        tp_stop=0.04,
        sl_trail=[False, True, False],
    )


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("price", ["close", "next_open"])
def test_time_stops(seed: int, price: str) -> None:
    px = make_ohlc(120, 4, seed, nan_frac=0.04)
    close = px["close"]
    res, ref = run_signals(
        close,
        random_signals(close, seed + 60),
        random_signals(close, seed + 61, 0.02),
        open=px["open"],
        high=px["high"],
        low=px["low"],
        price=price,
        direction="both",
        time_stop=[1, 3, 7, 12],
        sl_stop=[np.nan, 0.05, np.nan, 0.04],
    )
    assert any(o.reason == "time_stop" for o in ref.orders)


def test_gap_through_stop_fills_at_open_and_sl_wins() -> None:
    idx = pd.bdate_range("2024-01-01", periods=5)
    close = pd.DataFrame(
        {"gap": [100.0, 101.0, 90.0, 91, 92], "both": [100.0, 100, 100, 100, 100]}, index=idx
    )
    opn = pd.DataFrame({"gap": [100.0, 100.0, 92.0, 91, 92], "both": [100.0] * 5}, index=idx)
    high = pd.DataFrame(
        {"gap": [100.0, 102.0, 93.0, 92, 93], "both": [100.0, 100, 106, 100, 100]}, index=idx
    )
    low = pd.DataFrame(
        {"gap": [100.0, 99.0, 89.0, 90, 91], "both": [100.0, 100, 94, 100, 100]}, index=idx
    )
    entries = pd.DataFrame(False, index=idx, columns=close.columns)
    entries.iloc[0] = True
    exits = pd.DataFrame(False, index=idx, columns=close.columns)
    res, ref = run_signals(
        close, entries, exits, open=opn, high=high, low=low, sl_stop=0.05, tp_stop=0.05
    )
    o = res.orders
    gap = o[o["column"] == "gap"].iloc[1]
    assert (gap["reason"], gap["price"], gap["timestamp"]) == ("stop_loss", 92.0, idx[2])
    both = o[o["column"] == "both"].iloc[1]
    assert (both["reason"], both["price"]) == ("stop_loss", 95.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_nan_prices_in_the_middle(seed: int) -> None:
    px = make_ohlc(110, 5, seed, nan_frac=0.1, edges=True)
    close = px["close"]
    res, ref = run_signals(
        close,
        random_signals(close, seed + 70, 0.15),
        random_signals(close, seed + 71, 0.15),
        direction="both",
        fees=0.001,
        sl_stop=0.05,
        time_stop=5,
    )
    nan = close.isna().to_numpy()
    assert all(not nan[o.idx, o.col] for o in ref.orders)
    # value carried over NaN bars
    eq = res.equity.to_numpy()
    pos = res.positions.to_numpy()
    for i, a in zip(*np.nonzero(nan[1:]), strict=True):
        if not np.isnan(close.iloc[: i + 1, a]).all():
            assert pos[i + 1, a] == pos[i, a]
            assert eq[i + 1, a] == pytest.approx(eq[i, a], rel=1e-12)


def test_parameter_grid_columns() -> None:
    px = make_ohlc(80, 3, 5)
    close = px["close"]
    cols = pd.MultiIndex.from_product([[0.02, 0.05], close.columns], names=["sl", "asset"])
    gen = np.random.default_rng(3)
    ent = pd.DataFrame(gen.random((80, 6)) < 0.1, index=close.index, columns=cols)
    ext = pd.DataFrame(gen.random((80, 6)) < 0.1, index=close.index, columns=cols)
    sl = np.repeat([0.02, 0.05], 3)
    res = ql.backtest.from_signals(close, ent, ext, sl_stop=sl)
    ref = naive.from_signals(close, ent, ext, sl_stop=sl, asset_of_col=[0, 1, 2, 0, 1, 2])
    assert_matches(res, ref)


# --------------------------------------------------------------------------- from_weights
def random_weights(
    like: pd.DataFrame,
    seed: int,
    *,
    nan_rows: float = 0.0,
    nan_cells: float = 0.0,
    short: bool = False,
) -> pd.DataFrame:
    gen = np.random.default_rng(seed)
    w = gen.random(like.shape)
    if short:
        w = w - 0.4
    w = w / np.abs(w).sum(axis=1, keepdims=True) * gen.uniform(0.5, 1.6, (like.shape[0], 1))
    w[gen.random(like.shape) < nan_cells] = np.nan
    w[gen.random(like.shape[0]) < nan_rows] = np.nan
    return pd.DataFrame(w, index=like.index, columns=like.columns)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("short", [False, True])
def test_weights_panel_with_leverage_cap(seed: int, short: bool) -> None:
    close = make_ohlc(90, 5, seed)["close"]
    w = random_weights(close, seed, short=short)
    res, ref = run_weights(
        close, w, fees=0.001, fixed_fees=0.01, slippage=0.0005, max_leverage=1.0, init_cash=1e4
    )
    assert len(ref.orders) > 50
    gross = res.gross_exposure.to_numpy()
    assert np.nanmax(gross) < 1.0 + 0.05


@pytest.mark.parametrize("seed", SEEDS)
def test_weights_min_trade_and_nan(seed: int) -> None:
    px = make_ohlc(100, 4, seed, nan_frac=0.08, edges=True)
    close = px["close"]
    w = random_weights(close, seed + 1, nan_rows=0.3, nan_cells=0.2, short=True)
    res, ref = run_weights(close, w, min_trade=25.0, fees=0.002, init_cash=1000.0)
    everything = ql.backtest.from_weights(close, w, fees=0.002, init_cash=1000.0)
    assert 0 < len(res.order_records) < len(everything.order_records)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("rebalance", ["W-FRI", "ME", 7])
def test_weights_rebalance_schedule(seed: int, rebalance) -> None:
    close = make_ohlc(130, 4, seed, nan_frac=0.05)["close"]
    w = random_weights(close, seed + 2, nan_rows=0.1)
    run_weights(close, w, rebalance=rebalance, fees=0.001)
    const = pd.Series([0.4, 0.3, 0.2, 0.1], index=close.columns)
    res, ref = run_weights(close, const, rebalance=rebalance, fees=0.001, slippage=0.001)
    bars = sorted({o.idx for o in ref.orders})
    decided = [i for i, d in enumerate(naive.rebalance_bars(rebalance, close.index, True)) if d]
    assert set(bars) <= set(decided)
    assert bars[0] == 0


def test_calendar_rebalance_bars() -> None:
    idx = pd.bdate_range("2024-01-25", "2024-03-05")
    close = pd.DataFrame({"A": np.linspace(10, 12, len(idx))}, index=idx)
    res = ql.backtest.from_weights(close, {"A": 1.0}, rebalance="ME", fees=0.01)
    got = sorted(set(res.orders["timestamp"]))
    expect = [
        pd.Timestamp("2024-01-25"),
        pd.Timestamp("2024-01-31"),
        pd.Timestamp("2024-02-29"),
        pd.Timestamp("2024-03-05"),
    ]
    assert set(got) <= set(expect)
    assert got[0] == expect[0]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("constant", [False, True])
def test_weights_next_open(seed: int, constant: bool) -> None:
    px = make_ohlc(80, 4, seed, nan_frac=0.05)
    close = px["close"]
    w = (
        pd.Series([0.5, -0.2, 0.3, 0.4], index=close.columns)
        if constant
        else random_weights(close, seed + 3, nan_rows=0.2, short=True)
    )
    run_weights(
        close, w, open=px["open"], price="next_open", rebalance=5, fees=0.001, max_leverage=1.5
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_weights_granularity_and_partial_buys(seed: int) -> None:
    close = make_ohlc(70, 4, seed)["close"]
    w = random_weights(close, seed + 4)
    # fees and fixed fees make the last purchases of each rebalance short of cash
    res, ref = run_weights(
        close, w, size_granularity=0.5, fees=0.01, fixed_fees=1.0, init_cash=5000.0
    )
    assert (res.cash.to_numpy() >= -1e-9).all()


def test_weights_groups() -> None:
    close = make_ohlc(60, 3, 9)["close"]
    cols = pd.MultiIndex.from_product([["a", "b"], close.columns], names=["p", "asset"])
    gen = np.random.default_rng(1)
    w = pd.DataFrame(gen.random((60, 6)) / 3, index=close.index, columns=cols)
    res = ql.backtest.from_weights(close, w, rebalance=10, init_cash=[100.0, 300.0], fees=0.001)
    ref = naive.from_weights(
        close,
        w,
        rebalance=10,
        init_cash=[100.0, 300.0],
        fees=0.001,
        groups=[[0, 1, 2], [3, 4, 5]],
        asset_of_col=[0, 1, 2, 0, 1, 2],
    )
    assert_matches(res, ref)


@pytest.mark.parametrize("layout", ["c_array", "f_array", "two_blocks"])
def test_weights_layouts_give_the_frame_result(layout: str) -> None:
    # the kernel reads the weights column-major: a frame's own layout is used as is,
    # anything else is converted first; every path must give the same orders
    close = make_ohlc(80, 4, 5, nan_frac=0.05)["close"]
    w = random_weights(close, 6, nan_rows=0.3, nan_cells=0.1, short=True)
    base, _ = run_weights(close, w, fees=0.001)
    data: object
    if layout == "c_array":
        data = np.ascontiguousarray(w.to_numpy())
    elif layout == "f_array":
        data = np.asfortranarray(w.to_numpy())
    else:
        data = pd.concat([w.iloc[:, :2], w.iloc[:, 2:]], axis=1)
    res = ql.backtest.from_weights(close, data, fees=0.001)
    np.testing.assert_array_equal(res.order_records, base.order_records)
    np.testing.assert_array_equal(res.equity.to_numpy(), base.equity.to_numpy())


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("min_trade", [60.0, 200.0])  # some / more than half skipped
def test_weights_orders_packed_after_skipped_trades(seed: int, min_trade: float) -> None:
    # each column writes its orders from a slot sized for a trade at every bar giving it a
    # weight; skipped trades (min_trade, NaN prices) leave gaps that must be packed
    close = make_ohlc(100, 4, seed, nan_frac=0.08, edges=True)["close"]
    w = random_weights(close, seed + 7, nan_rows=0.3, nan_cells=0.2, short=True)
    res, _ = run_weights(close, w, min_trade=min_trade, fees=0.002, init_cash=1000.0)
    rec = res.order_records
    assert 0 < len(rec)
    np.testing.assert_array_equal(rec["id"], np.arange(len(rec)))
    assert (np.diff(rec["col"] * len(close) + rec["idx"]) > 0).all()  # by column, then bar
    counts = np.bincount(rec["col"], minlength=close.shape[1])
    np.testing.assert_array_equal(res._col_start, np.r_[0, np.cumsum(counts)])


def test_sells_execute_before_buys() -> None:
    idx = pd.bdate_range("2024-01-01", periods=2)
    close = pd.DataFrame({"A": [10.0, 10.0], "B": [20.0, 20.0]}, index=idx)
    w = pd.DataFrame({"A": [1.0, 0.0], "B": [0.0, 1.0]}, index=idx)
    res, ref = run_weights(close, w)
    day2 = res.orders[res.orders["timestamp"] == idx[1]]
    # orders are reported by column; in time the sale of A funded the purchase of B
    assert sorted(day2["side"]) == ["buy", "sell"]
    assert [o.side for o in ref.orders if o.idx == 1] == ["sell", "buy"]
    assert float(res.positions["B"].iloc[-1]) == pytest.approx(5.0)


# --------------------------------------------------------------------------- stats mode
@pytest.mark.parametrize("kind", ["signals", "weights"])
def test_stats_mode_matches_full_result(kind: str) -> None:
    px = make_ohlc(120, 4, 11, nan_frac=0.05)
    close = px["close"]
    if kind == "signals":
        kw = dict(direction="both", fees=0.001, sl_stop=0.05, periods_per_year=252.0)
        args = (random_signals(close, 1), random_signals(close, 2))
        full = ql.backtest.from_signals(close, *args, **kw)
        stats = ql.backtest.from_signals(close, *args, mode="stats", **kw)
    else:
        kw = dict(fees=0.001, rebalance=5, periods_per_year=252.0)
        w = random_weights(close, 3, short=True)
        full = ql.backtest.from_weights(close, w, **kw)
        stats = ql.backtest.from_weights(close, w, mode="stats", **kw)
    table = stats.table
    eq = full.equity.to_frame() if isinstance(full.equity, pd.Series) else full.equity
    rets = full.returns.to_frame() if isinstance(full.returns, pd.Series) else full.returns
    for g, label in enumerate(table.index):
        e = eq.iloc[:, g].tolist()
        ref = naive.stats_from_equity(e, float(full.init_cash[g]), 252.0)
        row = table.loc[label]
        for name in ("final_value", "total_return", "max_drawdown", "mean_return"):
            assert row[name] == pytest.approx(ref[name], rel=1e-9, abs=1e-12), name
        assert row["sharpe"] == pytest.approx(ref["sharpe"], rel=1e-7)
        vol = "annual_volatility" if "annual_volatility" in row.index else "volatility"
        assert row[vol] == pytest.approx(ref["volatility"], rel=1e-7)
        r = rets.iloc[:, g].to_numpy()
        assert row["sharpe"] == pytest.approx(r.mean() / r.std(ddof=1) * np.sqrt(252), rel=1e-7)
        rec = full.order_records
        cols = np.arange(full._group_start[g], full._group_start[g + 1])
        mine = rec[np.isin(rec["col"], cols)]
        assert row["n_orders"] == len(mine)
        assert row["n_trades"] == _count_openings(mine)
        assert row["total_fees"] == pytest.approx(mine["fees"].sum(), rel=1e-9, abs=1e-12)
        pos = full.positions.to_numpy()[:, cols]
        assert row["exposure"] == pytest.approx((pos != 0).any(axis=1).mean(), rel=1e-12)
        assert row["sortino"] == pytest.approx(ref["sortino"], rel=1e-7)
        # both kernels book closed trades in their running figures
        t = full.trade_records
        pnl = t[(t["status"] == 1) & np.isin(t["col"], cols)]["pnl"]
        assert row["n_closed_trades"] == len(pnl)
        assert row["win_rate"] == pytest.approx((pnl > 0).mean(), rel=1e-12)
        pf = pnl[pnl > 0].sum() / -pnl[pnl < 0].sum()
        assert row["profit_factor"] == pytest.approx(pf, rel=1e-9)
    pd.testing.assert_frame_equal(table, full.summary_table)


def _count_openings(rec: np.ndarray) -> int:
    """Positions opened (from flat, or by crossing zero), from the order records."""
    n = 0
    for c in np.unique(rec["col"]):
        pos = 0.0
        for o in rec[rec["col"] == c]:
            new = pos + (o["size"] if o["side"] == 0 else -o["size"])
            if abs(new) < 1e-12 * max(1.0, o["size"]):
                new = 0.0
            if new != 0.0 and (pos == 0.0 or (pos > 0) != (new > 0)):
                n += 1
            pos = new
    return n


def test_a_first_bar_loss_is_a_drawdown() -> None:
    # buy on the first bar paying 1% fees, then prices only rise: the one drawdown is the
    # first bar's, measured from init_cash (the naive twin used to start at the first equity)
    close = pd.Series(np.linspace(100.0, 120.0, 30), index=pd.bdate_range("2024-01-01", periods=30))
    entries = pd.Series(False, index=close.index)
    entries.iloc[0] = True
    exits = pd.Series(False, index=close.index)
    kw = dict(fees=0.01, init_cash=1000.0, periods_per_year=252.0)
    full = ql.backtest.from_signals(close, entries, exits, **kw)
    stats = ql.backtest.from_signals(close, entries, exits, mode="stats", **kw)
    ref = naive.stats_from_equity(full.equity.tolist(), 1000.0, 252.0)
    expected = full.equity.iloc[0] / 1000.0 - 1.0
    assert expected < 0 and ref["max_drawdown"] == pytest.approx(expected, rel=1e-12)
    assert stats.table["max_drawdown"].iloc[0] == pytest.approx(expected, rel=1e-9)
    assert full.stats().loc["max_drawdown"].iloc[0] == pytest.approx(expected, rel=1e-9)
