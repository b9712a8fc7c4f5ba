"""trade_stats from trade records, DataFrames and duck-typed backtest results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quantlab.metrics as qm
from quantlab.backtest.records import TradeStatus, order_dt, trade_dt
from quantlab.errors import DataTypeError, ValidationError


def make_trades() -> np.ndarray:
    t = np.zeros(5, dtype=trade_dt)
    t["col"] = [0, 0, 0, 1, 1]
    t["pnl"] = [10.0, -5.0, 20.0, -2.0, 4.0]
    t["ret"] = [0.1, -0.05, 0.2, -0.02, 0.04]
    t["duration"] = [2, 3, 4, 1, 1]
    t["entry_idx"] = [0, 3, 6, 0, 5]
    t["exit_idx"] = [2, 6, 10, 1, -1]
    t["status"] = [1, 1, 1, 1, TradeStatus.OPEN]
    return t


def test_closed_trade_statistics():
    s = qm.trade_stats(make_trades(), n_bars=10)
    a = s[0]
    assert a["n_trades"] == 3
    assert a["win_rate"] == pytest.approx(2 / 3)
    assert a["profit_factor"] == pytest.approx(30 / 5)
    assert a["payoff_ratio"] == pytest.approx(0.15 / 0.05)
    assert a["expectancy"] == pytest.approx(25 / 3)
    assert a["avg_holding_bars"] == pytest.approx(3.0)
    assert a["kelly"] == pytest.approx(2 / 3 - (1 / 3) / 3.0)
    assert a["exposure"] == pytest.approx(0.9)  # bars 0-1, 3-5, 6-9
    b = s[1]
    assert b["n_trades"] == 1 and b["win_rate"] == 0.0 and b["profit_factor"] == 0.0
    assert b["exposure"] == pytest.approx(0.6)  # bar 0 and the open trade 5-9
    assert np.isnan(s.loc["turnover"]).all()


def test_include_open_and_dataframe_input():
    t = make_trades()
    s = qm.trade_stats(pd.DataFrame(t), include_open=True, columns=["a", "b"])
    assert list(s.columns) == ["a", "b"]
    assert s.loc["n_trades", "b"] == 2 and s.loc["win_rate", "b"] == 0.5


def test_duck_typed_result_with_equity_orders_positions():
    idx = pd.bdate_range("2024-01-01", periods=10)
    o = np.zeros(2, dtype=order_dt)
    o["col"] = [0, 1]
    o["size"] = [10.0, 5.0]
    o["price"] = [10.0, 20.0]

    class Result:
        trade_records = make_trades()
        order_records = o
        equity = pd.DataFrame({"x": np.full(10, 100.0), "y": np.full(10, 200.0)}, index=idx)
        positions = pd.DataFrame({"x": [0, 1, 1, 0, 0, 0, 0, 0, 0, 0], "y": 1.0}, index=idx)

    s = qm.trade_stats(Result())
    assert list(s.columns) == ["x", "y"]
    assert s.loc["exposure", "x"] == pytest.approx(0.2) and s.loc["exposure", "y"] == 1.0
    assert s.loc["turnover", "x"] == pytest.approx(100.0 / 100.0 * 252 / 10)
    assert s.loc["turnover", "y"] == pytest.approx(100.0 / 200.0 * 252 / 10)


def test_errors():
    with pytest.raises(DataTypeError, match=r"trades DataFrame lacks the column\(s\)"):
        qm.trade_stats(pd.DataFrame({"pnl": [1.0]}))
    with pytest.raises(DataTypeError, match="trades must be a structured array"):
        qm.trade_stats([1, 2, 3])
    with pytest.raises(ValidationError, match=r"trades has col values in \[0, 1\] but n_columns=1"):
        qm.trade_stats(make_trades(), n_columns=1)


def test_no_trades():
    s = qm.trade_stats(np.zeros(0, dtype=trade_dt), n_columns=2)
    assert (s.loc["n_trades"] == 0).all() and s.loc["win_rate"].isna().all()


def test_trade_stats_of_a_weights_backtest_is_labelled_by_asset() -> None:
    import pandas as pd

    import quantlab as ql

    idx = pd.bdate_range("2024-01-01", periods=6)
    close = pd.DataFrame(
        {"A": [10.0, 11, 12, 13, 14, 15], "B": [20.0, 21, 22, 23, 24, 25]}, index=idx
    )
    w = pd.DataFrame({"A": [0.5, 0.0, 0.5, 0.0, 0.5, 0.0], "B": [0.5] * 6}, index=idx)
    res = ql.backtest.from_weights(close, w)
    stats = ql.metrics.trade_stats(res)
    assert list(stats.columns) == ["A", "B"]
    # every closed trade of A made money: no losing trade gives +inf, never -inf
    assert stats.loc["profit_factor", "A"] == float("inf")
