"""Ledger tracking against the backtest engine's own fills and a row-by-row replay."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import quantlab as ql
from quantlab.errors import AlignmentError, DataTypeError, ValidationError
from quantlab.portfolio import track


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    idx = pd.bdate_range("2022-01-03", periods=300)
    p = pd.DataFrame(
        30 * np.exp(np.cumsum(rng.normal(0, 0.01, (300, 4)), axis=0)), idx, list("ABCD")
    )
    p.iloc[100:103, 1] = np.nan  # B halted for three bars
    return p


def _ledger_from_backtest(res: ql.backtest.BacktestResult) -> pd.DataFrame:
    o = res.orders
    return pd.DataFrame(
        {
            "date": o["timestamp"],
            "symbol": o["column"],
            "quantity": np.where(o["side"] == "buy", 1.0, -1.0) * o["size"].to_numpy(),
            "price": o["price"],
            "fees": o["fees"],
        }
    ).sort_values("date", kind="stable")  # the engine lists orders column by column


def test_replaying_the_engine_fills_gives_its_equity(prices: pd.DataFrame) -> None:
    w = pd.DataFrame(
        np.random.default_rng(1).dirichlet(np.ones(4), 300), prices.index, prices.columns
    )
    res = ql.backtest.from_weights(prices, w, rebalance="W-FRI", fees=0.002, init_cash=1000.0)
    ledger = _ledger_from_backtest(res)
    tp = track(ledger, prices, init_cash=1000.0, allow_duplicates=True)
    np.testing.assert_allclose(tp.equity, res.equity, rtol=1e-10)
    np.testing.assert_allclose(tp.cash, res.cash, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(tp.positions, res.positions, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(tp.returns, res.returns, rtol=1e-9, atol=1e-12)
    assert tp.fees.sum() == pytest.approx(res.orders["fees"].sum(), rel=1e-12)


def _replay(ledger: pd.DataFrame, prices: pd.DataFrame, init_cash: float) -> pd.Series:
    """Row by row: apply each fill, value the book at every close (last valid price)."""
    units = dict.fromkeys(prices.columns, 0.0)
    cash, last, out, i = init_cash, {}, [], 0
    for d, row in prices.iterrows():
        while i < len(ledger) and ledger["date"].iloc[i] == d:
            f = ledger.iloc[i]
            units[f["symbol"]] += f["quantity"]
            cash -= f["quantity"] * f["price"] + f["fees"]
            i += 1
        for s in prices.columns:
            if not np.isnan(row[s]):
                last[s] = row[s]
        out.append(cash + sum(u * last[s] for s, u in units.items() if u))
    return pd.Series(out, index=prices.index)


def test_equity_matches_replay_and_stats_vs_benchmark(prices: pd.DataFrame) -> None:
    d = prices.index
    ledger = pd.DataFrame(
        {
            "date": [d[0], d[0], d[50], d[101 - 2], d[150], d[150], d[299]],
            "symbol": ["A", "B", "A", "B", "C", "A", "B"],
            "quantity": [10.0, 5.0, -4.0, 3.0, 2.5, -6.0, -8.0],
            "price": [30.0, 31.0, 33.0, 29.0, 35.0, 28.0, 30.0],
            "fees": [1.0, 0.5, 0.2, 0.0, 0.1, 0.3, 0.4],
        }
    )
    tp = track(ledger, prices, init_cash=1000.0)
    np.testing.assert_allclose(tp.equity, _replay(ledger, prices, 1000.0), rtol=1e-12)
    assert tp.positions.iloc[-1].tolist() == [0.0, 0.0, 2.5, 0.0]
    bench = prices["D"].pct_change().fillna(0.0)
    st = tp.stats(benchmark=bench)
    assert st.loc["beta", "portfolio"] == pytest.approx(ql.metrics.beta(tp.returns, bench))
    assert st.loc["total_return", "portfolio"] == pytest.approx(tp.equity.iloc[-1] / 1000 - 1)


def _base(prices: pd.DataFrame) -> pd.DataFrame:
    d = prices.index
    return pd.DataFrame(
        {"date": [d[0], d[5], d[9]], "symbol": ["A", "B", "A"], "quantity": [3.0, 2.0, -1.0],
         "price": [30.0, 30.0, 31.0], "fees": [0.1, 0.1, 0.1]},
        index=["t1", "t2", "t3"],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        ({"quantity": -4.0}, r"row 't3' \(position 2\) sells more than is held.*allow_short"),
        ({"symbol": "ZZ"}, r"row 't3' \(position 2\) has a symbol that is not a column"),
        ({"date": "unsorted"}, r"row 't3' \(position 2\) is dated before the row above it"),
        ({"date": "saturday"}, r"row 't3' .* not a bar of prices"),
        ({"quantity": 0.0}, r"row 't3' .* zero or non-finite quantity"),
        ({"price": -1.0}, r"row 't3' .* non-positive or non-finite price"),
        ({"fees": np.nan}, r"row 't3' .* negative or non-finite fees"),
        ({"duplicate": True}, r"row 't3' \(position 2\) duplicates an earlier row.*allow_dup"),
    ],
)
def test_bad_ledger_names_the_row(prices: pd.DataFrame, edit: dict, match: str) -> None:
    ledger = _base(prices)
    for key, value in edit.items():
        if key == "duplicate":
            ledger.iloc[2] = ledger.iloc[1]
        elif value == "unsorted":
            ledger.loc["t3", "date"] = prices.index[1]
        elif value == "saturday":
            ledger.loc["t3", "date"] = pd.Timestamp("2022-01-15")
        else:
            ledger.loc["t3", key] = value
    with pytest.raises(ValidationError, match=match):
        track(ledger, prices)


def test_allow_short_and_duplicates(prices: pd.DataFrame) -> None:
    ledger = _base(prices)
    ledger.loc["t3", "quantity"] = -4.0
    tp = track(ledger, prices, allow_short=True)
    assert tp.positions["A"].iloc[-1] == -1.0
    ledger.iloc[2] = ledger.iloc[1]
    assert track(ledger, prices, allow_duplicates=True).positions["B"].iloc[-1] == 4.0


def test_bad_ledger_shape(prices: pd.DataFrame) -> None:
    with pytest.raises(AlignmentError, match=r"ledger lacks column\(s\) \['price'\]"):
        track(_base(prices).drop(columns="price"), prices)
    with pytest.raises(DataTypeError, match="ledger must be a DataFrame; got list"):
        track([], prices)
    late = prices.copy()
    late.iloc[:6, 1] = np.nan
    with pytest.raises(ValidationError, match=r"row 't2' .* before its first price"):
        track(_base(prices), late)


@given(st.integers(0, 10_000), st.integers(1, 30), st.booleans())
def test_random_ledgers_match_replay(seed: int, n_fills: int, short: bool) -> None:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2023-01-02", periods=40)
    prices = pd.DataFrame(20 * np.exp(np.cumsum(rng.normal(0, 0.02, (40, 3)), axis=0)), idx,
                          ["X", "Y", "Z"])  # fmt: skip
    held = dict.fromkeys(prices.columns, 0.0)
    rows = []
    for t in np.sort(rng.integers(0, 40, n_fills)):
        s = str(rng.choice(prices.columns))
        q = float(rng.integers(1, 5)) * (1 if rng.random() < 0.6 or short else -1)
        if not short and q < 0:
            q = -min(-q, held[s]) or 1.0  # never sell more than held
        held[s] += q
        rows.append((idx[t], s, q, prices[s].iloc[t] * (1 + rng.normal(0, 0.001)), rng.random()))
    ledger = pd.DataFrame(rows, columns=["date", "symbol", "quantity", "price", "fees"])
    tp = track(ledger, prices, init_cash=500.0, allow_short=short, allow_duplicates=True)
    np.testing.assert_allclose(tp.equity, _replay(ledger, prices, 500.0), rtol=1e-12)
    np.testing.assert_allclose(tp.positions.iloc[-1], pd.Series(held)[prices.columns], atol=1e-12)
