"""BacktestResult: trades, orders, returns, exposure, labels, and the docstring examples."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

import quantlab as ql
from quantlab.backtest import api

IDX = pd.bdate_range("2024-01-01", periods=8)
NAN = np.nan


def reasons_panel() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict]:
    """One column per exit reason, close-only prices, every entry on the first bar."""
    close = pd.DataFrame(
        {
            "signal": [10.0, 10, 11, 11, 11, 11, 11, 11],
            "stop_loss": [10.0, 10, 9, 9, 9, 9, 9, 9],
            "take_profit": [10.0, 10.5, 12, 12, 12, 12, 12, 12],
            "trailing_stop": [10.0, 12, 14, 12, 12, 12, 12, 12],
            "time_stop": [10.0] * 8,
            "end": [10.0, 11, 12, 13, 14, 15, 16, 17],
        },
        index=IDX,
    )
    entries = pd.DataFrame(False, index=IDX, columns=close.columns)
    entries.iloc[0] = True
    exits = pd.DataFrame(False, index=IDX, columns=close.columns)
    exits.loc[IDX[3], "signal"] = True
    kw = dict(
        sl_stop=[NAN, 0.05, NAN, 0.1, NAN, NAN],
        tp_stop=[NAN, NAN, 0.1, NAN, NAN, NAN],
        sl_trail=[False, False, False, True, False, False],
        time_stop=[NAN, NAN, NAN, NAN, 3, NAN],
        fees=0.01,
        fixed_fees=0.5,
    )
    return close, entries, exits, kw


# --------------------------------------------------------------------------- trades
def test_trade_exit_reasons_prices_and_durations() -> None:
    close, entries, exits, kw = reasons_panel()
    res = ql.backtest.from_signals(close, entries, exits, **kw)
    t = res.trades.set_index("column")
    assert list(t.index) == list(close.columns)
    expect = {  # exit bar, exit price
        "signal": (3, 11.0),
        "stop_loss": (2, 9.0),  # close-only: the close is the bar's whole range
        "take_profit": (2, 12.0),
        "trailing_stop": (3, 12.0),  # trails the 14 of bar 2: stop at 12.6, closed at 12
        "time_stop": (3, 10.0),
    }
    for col, (bar, price) in expect.items():
        row = t.loc[col]
        assert row["exit_reason"] == col
        assert row["status"] == "closed"
        assert row["exit_time"] == IDX[bar]
        assert row["exit_price"] == pytest.approx(price)
        assert row["duration"] == bar
        assert row["entry_time"] == IDX[0] and row["entry_price"] == 10.0
        assert row["direction"] == "long"
    end = t.loc["end"]
    assert (end["exit_reason"], end["status"], end["duration"]) == ("end", "open", 7)
    assert pd.isna(end["exit_time"])
    assert end["exit_price"] == 17.0 and end["exit_fees"] == 0.0
    # the order reasons of the exits are the same names
    exits_ = res.orders[res.orders["side"] == "sell"].set_index("column")["reason"]
    assert dict(exits_) == {c: c for c in expect}
    assert set(res.orders[res.orders["side"] == "buy"]["reason"]) == {"none"}


def _flows(res: ql.backtest.BacktestResult) -> dict[tuple[int, int], float]:
    """Cash flow of each (column, bar)'s orders: + proceeds - cost, net of fees."""
    out: dict[tuple[int, int], float] = {}
    for o in res.order_records:
        v = o["size"] * o["price"]
        f = v - o["fees"] if o["side"] == 1 else -(v + o["fees"])
        key = (int(o["col"]), int(o["idx"]))
        out[key] = out.get(key, 0.0) + f
    return out


@pytest.mark.parametrize("direction", ["long", "short"])
@pytest.mark.parametrize("seed", [0, 1])
def test_trade_pnl_is_the_round_trip_cash_flow(direction: str, seed: int) -> None:
    gen = np.random.default_rng(seed)
    close = pd.DataFrame(
        50 * np.exp(np.cumsum(gen.normal(0, 0.02, (120, 3)), axis=0)),
        index=pd.bdate_range("2020-01-01", periods=120),
        columns=list("XYZ"),
    )
    ent = pd.DataFrame(gen.random(close.shape) < 0.1, close.index, close.columns)
    ext = pd.DataFrame(gen.random(close.shape) < 0.1, close.index, close.columns)
    res = ql.backtest.from_signals(
        close,
        ent,
        ext,
        direction=direction,
        fees=0.003,
        fixed_fees=0.2,
        slippage=0.001,
        sl_stop=0.06,
        size=[np.inf, 0.5, 30.0],
        size_type="amount",
        init_cash=1000.0,
    )
    flows = _flows(res)
    t = res.trade_records
    closed = t[t["status"] == 1]
    assert len(closed) > 5
    for tr in closed:
        c = int(tr["col"])
        expected = flows[(c, int(tr["entry_idx"]))] + flows[(c, int(tr["exit_idx"]))]
        assert tr["pnl"] == pytest.approx(expected, rel=1e-9, abs=1e-9)
        assert tr["duration"] == tr["exit_idx"] - tr["entry_idx"]
        cost = tr["entry_price"] * tr["size"] + tr["entry_fees"]
        assert tr["ret"] == pytest.approx(tr["pnl"] / cost, rel=1e-12)
    assert set(res.trades["direction"]) == {direction}


def test_trade_pnl_adds_up_to_the_equity_change() -> None:
    """Closed + open trades (average-price accounting) explain the whole equity change."""
    gen = np.random.default_rng(7)
    close = pd.DataFrame(
        50 * np.exp(np.cumsum(gen.normal(0, 0.02, (100, 4)), axis=0)),
        index=pd.bdate_range("2020-01-01", periods=100),
        columns=list("ABCD"),
    )
    ent = pd.DataFrame(gen.random(close.shape) < 0.1, close.index, close.columns)
    ext = pd.DataFrame(gen.random(close.shape) < 0.1, close.index, close.columns)
    sig = ql.backtest.from_signals(close, ent, ext, direction="both", fees=0.002, fixed_fees=0.1)
    pnl = sig.trades.groupby("column")["pnl"].sum().reindex(close.columns)
    np.testing.assert_allclose(pnl, sig.equity.iloc[-1] - 100.0, rtol=1e-9, atol=1e-9)
    w = pd.DataFrame(gen.normal(0.25, 0.3, close.shape), close.index, close.columns)
    wts = ql.backtest.from_weights(close, w, rebalance=5, fees=0.002)
    total = wts.trades["pnl"].sum()
    assert total == pytest.approx(float(wts.equity.iloc[-1]) - 100.0, rel=1e-9, abs=1e-9)
    assert set(wts.orders["reason"]) == {"rebalance"}


# --------------------------------------------------------------------------- orders
def test_orders_frame() -> None:
    close, entries, exits, kw = reasons_panel()
    res = ql.backtest.from_signals(close, entries, exits, **kw)
    o = res.orders
    assert list(o.columns) == ["column", "timestamp", "size", "price", "fees", "side", "reason"]
    rec = res.order_records
    assert len(o) == len(rec) == 11
    np.testing.assert_array_equal(rec["id"], np.arange(len(rec)))
    assert list(o["column"]) == list(close.columns[rec["col"]])
    assert list(o["timestamp"]) == list(IDX[rec["idx"]])
    assert (o["size"] > 0).all()
    np.testing.assert_allclose(o["fees"], o["size"] * o["price"] * 0.01 + 0.5)
    assert set(o["side"]) == {"buy", "sell"}
    # sorted by column, then by time
    keys = list(zip(rec["col"], rec["idx"], strict=True))
    assert keys == sorted(keys)


def test_no_orders() -> None:
    close = reasons_panel()[0]
    res = ql.backtest.from_signals(close, close < 0, close < 0)
    assert len(res.orders) == 0 and len(res.trades) == 0
    assert list(res.orders.columns)[:2] == ["column", "timestamp"]
    np.testing.assert_allclose(res.equity.to_numpy(), 100.0)
    np.testing.assert_allclose(res.returns.to_numpy(), 0.0)


# --------------------------------------------------------------------------- panels
def test_returns_first_bar_against_init_cash() -> None:
    close = pd.DataFrame({"A": [10.0, 12, 9, 11], "B": [5.0, 5, 6, 3]}, index=IDX[:4])
    ent = pd.DataFrame(
        {"A": [True, False, False, False], "B": [False, True, False, False]}, index=IDX[:4]
    )
    res = ql.backtest.from_signals(close, ent, ent & False, fees=0.01, init_cash=[100.0, 50.0])
    eq = res.equity.to_numpy()
    rets = res.returns.to_numpy()
    np.testing.assert_allclose(rets[0], eq[0] / np.array([100.0, 50.0]) - 1)
    np.testing.assert_allclose(rets[1:], eq[1:] / eq[:-1] - 1)
    assert rets[0, 0] == pytest.approx(-0.01 / 1.01)  # the entry fee, on the first bar
    assert rets[0, 1] == 0.0
    np.testing.assert_allclose(res.cash.iloc[0], [0.0, 50.0], atol=1e-12)


def test_gross_exposure() -> None:
    idx = IDX[:4]
    close = pd.DataFrame({"A": [10.0, 12, NAN, 11], "B": [20.0, 20, 22, 18]}, index=idx)
    w = pd.DataFrame({"A": [0.6, NAN, NAN, NAN], "B": [-0.3, NAN, NAN, NAN]}, index=idx)
    res = ql.backtest.from_weights(close, w)
    pos = res.positions.to_numpy()
    px = close.ffill().to_numpy()
    expect = np.abs(pos * px).sum(axis=1) / res.equity.to_numpy()
    np.testing.assert_allclose(res.gross_exposure.to_numpy(), expect, rtol=1e-12)
    assert res.gross_exposure.iloc[0] == pytest.approx(0.9)
    assert np.isfinite(res.gross_exposure.to_numpy()).all()


def test_series_in_series_out() -> None:
    close = pd.Series([10.0, 11, 12, 11], index=IDX[:4], name="px")
    res = ql.backtest.from_signals(close, [True, False, False, False], [False, False, True, False])
    for panel in (res.equity, res.cash, res.positions, res.returns, res.gross_exposure):
        assert isinstance(panel, pd.Series)
        assert panel.index.equals(close.index)
    assert res.equity.name == "px"
    assert float(res.equity.iloc[-1]) == pytest.approx(120.0)
    ser = ql.backtest.from_signals(close, close > 10.5, close > 11.5)
    assert isinstance(ser.equity, pd.Series)
    frame = ql.backtest.from_signals(
        close.to_frame(), close.to_frame() > 10.5, close.to_frame() > 11.5
    )
    assert isinstance(frame.equity, pd.DataFrame)
    np.testing.assert_allclose(frame.equity["px"], ser.equity)
    wres = ql.backtest.from_weights(close, {"px": 1.0})
    assert isinstance(wres.equity, pd.Series) and isinstance(wres.positions, pd.Series)


def test_multiindex_columns_preserved() -> None:
    gen = np.random.default_rng(2)
    close = pd.DataFrame(
        50 * np.exp(np.cumsum(gen.normal(0, 0.02, (40, 2)), axis=0)),
        index=pd.bdate_range("2020-01-01", periods=40),
        columns=["AAA", "BBB"],
    )
    cols = pd.MultiIndex.from_product(
        [[5, 10], [True, False], close.columns], names=["fast", "flag", "asset"]
    )
    ent = pd.DataFrame(gen.random((40, 8)) < 0.1, close.index, cols)
    ext = pd.DataFrame(gen.random((40, 8)) < 0.1, close.index, cols)
    res = ql.backtest.from_signals(close, ent, ext)
    for panel in (res.equity, res.cash, res.positions, res.returns, res.gross_exposure):
        assert panel.columns.equals(cols) and panel.columns.names == cols.names
    assert res.summary_table.index.equals(cols)
    assert set(res.orders["column"]) <= set(cols)
    assert set(res.trades["column"]) <= set(cols)
    stats = ql.backtest.from_signals(close, ent, ext, mode="stats")
    assert stats.table.index.equals(cols)
    assert stats.stats().columns.equals(cols)
    assert stats.final_value.index.equals(cols)
    w = pd.DataFrame(gen.random((40, 8)) / 2, close.index, cols)
    wres = ql.backtest.from_weights(close, w, rebalance=5)
    groups = cols.droplevel(-1).unique()
    assert wres.equity.columns.equals(groups) and wres.equity.columns.names == ["fast", "flag"]
    assert wres.positions.columns.equals(cols)
    assert wres.summary_table.index.equals(groups)


def test_summary_and_stats() -> None:
    close, entries, exits, kw = reasons_panel()
    res = ql.backtest.from_signals(close, entries, exits, periods_per_year=252, **kw)
    table = res.summary_table
    np.testing.assert_allclose(table["final_value"], res.equity.iloc[-1], rtol=1e-12)
    np.testing.assert_allclose(res.final_value, res.equity.iloc[-1], rtol=1e-12)
    np.testing.assert_allclose(res.total_return, res.equity.iloc[-1] / 100.0 - 1, rtol=1e-12)
    assert list(table["n_orders"]) == [2, 2, 2, 2, 2, 1]
    assert list(table["n_trades"]) == [1] * 6
    assert list(table["n_closed_trades"]) == [1, 1, 1, 1, 1, 0]
    full = res.stats()
    assert list(full.columns) == list(close.columns)
    for name in ("final_value", "n_orders", "total_fees"):
        np.testing.assert_allclose(full.loc[name].astype(float), table[name])


def test_weights_summary_counts_closed_trades() -> None:
    idx = IDX[:4]
    close = pd.DataFrame({"A": [10.0, 11, 12, 13], "B": [20.0, 19, 18, 17]}, index=idx)
    w = pd.DataFrame({"A": [0.5, 1.0, 0.0, NAN], "B": [0.5, 0.0, 1.0, NAN]}, index=idx)
    res = ql.backtest.from_weights(close, w)
    closed = res.trades[res.trades["status"] == "closed"]
    assert len(closed) == 2
    table = ql.backtest.from_weights(close, w, mode="stats").table
    assert table["n_closed_trades"].iloc[0] == len(closed)
    assert table["win_rate"].iloc[0] == pytest.approx((closed["pnl"] > 0).mean())


def test_flat_equity_has_no_drawdown_duration() -> None:
    close = pd.Series([10.0, 11, 12, 13, 14, 15], index=IDX[:6])
    table = ql.backtest.from_signals(close, close < 0, close < 0, mode="stats").table
    assert table["max_drawdown"].iloc[0] == 0.0
    assert table["max_drawdown_duration"].iloc[0] == 0.0


# --------------------------------------------------------------------------- docstrings
def test_docstring_examples_run() -> None:
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=flags)
    tests = [t for t in finder.find(api) if t.examples]
    names = {t.name.rsplit(".", 1)[-1] for t in tests}
    assert {"from_signals", "from_weights"} <= names
    for t in tests:
        runner.run(t)
    result = runner.summarize(verbose=False)
    assert result.failed == 0 and result.attempted >= 6
