"""The engine against vectorbt on the semantics both share (equity equal to 1e-9 relative).

Differences by design, each pinned by an explicit vectorbt option here:

* stop exits pay slippage in quantlab (a stop is a market order); vectorbt's default
  ``stop_exit_price="stoplimit"`` fills stops without slippage, so the comparison passes
  ``stop_exit_price="stopmarket"``;
* quantlab's ``direction="short"`` is vectorbt's ``"shortonly"``;
* a trade's return is its PnL over the capital committed (entry value + entry fees);
  vectorbt divides by the entry value alone.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import quantlab as ql

vbt = pytest.importorskip("vectorbt")

N_BARS, N_COLS = 250, 300
RTOL = 1e-9


@pytest.fixture(scope="module")
def market() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(7)
    idx = pd.bdate_range("2015-01-01", periods=N_BARS)
    close = pd.DataFrame(
        100 * np.exp(np.cumsum(rng.normal(0, 0.02, (N_BARS, N_COLS)), 0)), index=idx
    )
    high = close * (1 + rng.uniform(0, 0.03, close.shape))
    low = close * (1 - rng.uniform(0, 0.03, close.shape))
    open_ = low + (high - low) * rng.uniform(0, 1, close.shape)
    sig = lambda p: pd.DataFrame(rng.random(close.shape) < p, index=idx)
    return {
        "close": close,
        "open": open_,
        "high": high,
        "low": low,
        "entries": sig(0.1),
        "exits": sig(0.1),
        "short_entries": sig(0.07),
        "short_exits": sig(0.07),
    }


def _vbt_value(pf: object) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(pf.value())  # type: ignore[attr-defined]


CASES = {
    "all_in": ({}, {}),
    "costs": (
        {"fees": 0.001, "fixed_fees": 0.5, "slippage": 0.002},
        {"fees": 0.001, "fixed_fees": 0.5, "slippage": 0.002},
    ),
    "value_sizing": (
        {"size": 50.0, "size_type": "value", "fees": 0.001},
        {"size": 50.0, "size_type": "value", "fees": 0.001},
    ),
    "percent_sizing": (
        {"size": 0.5, "size_type": "percent", "fees": 0.001, "fixed_fees": 0.1},
        {"size": 0.5, "size_type": "percent", "fees": 0.001, "fixed_fees": 0.1},
    ),
    "amount_lots": (
        {"size": 3.0, "size_granularity": 1.0, "min_size": 1.0, "fees": 0.001, "fixed_fees": 1},
        {"size": 3.0, "size_granularity": 1.0, "min_size": 1.0, "fees": 0.001, "fixed_fees": 1},
    ),
    "long_short_reversal": (
        {"direction": "both", "fees": 0.001, "slippage": 0.001},
        {"direction": "both", "fees": 0.001, "slippage": 0.001},
    ),
    "short_only": (
        {"direction": "short", "fees": 0.001},
        {"direction": "shortonly", "fees": 0.001},
    ),
    "stops_close_only": (
        {"sl_stop": 0.05, "tp_stop": 0.08, "fees": 0.001, "slippage": 0.001},
        {
            "sl_stop": 0.05,
            "tp_stop": 0.08,
            "fees": 0.001,
            "slippage": 0.001,
            "stop_exit_price": "stopmarket",
        },
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_from_signals_equity_matches_vectorbt(market: dict, case: str) -> None:
    qkw, vkw = CASES[case]
    m = market
    res = ql.backtest.from_signals(m["close"], m["entries"], m["exits"], **qkw)
    pf = vbt.Portfolio.from_signals(m["close"], m["entries"], m["exits"], **vkw)
    np.testing.assert_allclose(res.equity.to_numpy(), _vbt_value(pf), rtol=RTOL, atol=0)
    assert len(res.order_records) == int(pf.orders.count().sum())


@pytest.mark.parametrize("trail", [False, True])
def test_ohlc_stops_match_vectorbt(market: dict, trail: bool) -> None:
    m = market
    kw = {"sl_stop": 0.05, "fees": 0.001, "slippage": 0.001, "sl_trail": trail}
    if not trail:
        kw["tp_stop"] = 0.08
    ohlc = {"open": m["open"], "high": m["high"], "low": m["low"]}
    res = ql.backtest.from_signals(m["close"], m["entries"], m["exits"], **ohlc, **kw)
    pf = vbt.Portfolio.from_signals(
        m["close"], m["entries"], m["exits"], **ohlc, **kw, stop_exit_price="stopmarket"
    )
    np.testing.assert_allclose(res.equity.to_numpy(), _vbt_value(pf), rtol=RTOL, atol=0)
    # the exit reasons agree with vectorbt's stop orders count
    assert len(res.order_records) == int(pf.orders.count().sum())


def test_long_short_signals_match_vectorbt(market: dict) -> None:
    m = market
    kw = {"fees": 0.001, "fixed_fees": 0.2}
    res = ql.backtest.from_signals(
        m["close"],
        m["entries"],
        m["exits"],
        short_entries=m["short_entries"],
        short_exits=m["short_exits"],
        direction="both",
        **kw,
    )
    pf = vbt.Portfolio.from_signals(
        m["close"],
        m["entries"],
        m["exits"],
        short_entries=m["short_entries"],
        short_exits=m["short_exits"],
        **kw,
    )
    np.testing.assert_allclose(res.equity.to_numpy(), _vbt_value(pf), rtol=RTOL, atol=0)


def test_per_column_parameters_match_vectorbt(market: dict) -> None:
    m = market
    rng = np.random.default_rng(3)
    fees = rng.uniform(0, 0.003, N_COLS)
    init_cash = rng.uniform(50, 500, N_COLS)
    sl = rng.uniform(0.02, 0.1, N_COLS)
    res = ql.backtest.from_signals(
        m["close"], m["entries"], m["exits"], fees=fees, init_cash=init_cash, sl_stop=sl
    )
    pf = vbt.Portfolio.from_signals(
        m["close"],
        m["entries"],
        m["exits"],
        fees=fees[None, :],
        init_cash=init_cash,
        sl_stop=sl[None, :],
        stop_exit_price="stopmarket",
    )
    np.testing.assert_allclose(res.equity.to_numpy(), _vbt_value(pf), rtol=RTOL, atol=0)


def test_trade_pnl_matches_vectorbt(market: dict) -> None:
    m = market
    close = m["close"].iloc[:, :40]
    ent, ext = m["entries"].iloc[:, :40], m["exits"].iloc[:, :40]
    res = ql.backtest.from_signals(close, ent, ext, fees=0.002, fixed_fees=0.3, slippage=0.001)
    pf = vbt.Portfolio.from_signals(close, ent, ext, fees=0.002, fixed_fees=0.3, slippage=0.001)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = pf.trades.records_readable.sort_values(["Column", "Entry Timestamp"])
    ours = res.trades.sort_values(["column", "entry_time"])
    np.testing.assert_allclose(ours["pnl"].to_numpy(), theirs["PnL"].to_numpy(), rtol=1e-9)
    # Documented difference: quantlab's trade return divides by the capital committed
    # (entry value + entry fees); vectorbt divides by the entry value alone.
    entry_value = (ours["size"] * ours["entry_price"]).to_numpy()
    rescaled = theirs["Return"].to_numpy() * entry_value / (entry_value + ours["entry_fees"])
    np.testing.assert_allclose(ours["return"].to_numpy(), rescaled, rtol=1e-9)


@pytest.mark.parametrize("costs", [{}, {"fees": 0.001, "fixed_fees": 0.3, "slippage": 0.001}])
def test_from_weights_matches_vectorbt_target_percent(costs: dict) -> None:
    rng = np.random.default_rng(11)
    n, k = 300, 8
    idx = pd.bdate_range("2016-01-01", periods=n)
    cols = [f"A{i}" for i in range(k)]
    close = pd.DataFrame(
        100 * np.exp(np.cumsum(rng.normal(0, 0.02, (n, k)), 0)), index=idx, columns=cols
    )
    w = pd.DataFrame(rng.normal(0.1, 0.2, (n, k)), index=idx, columns=cols)
    w[rng.random(n) < 0.8] = np.nan
    res = ql.backtest.from_weights(close, w, **costs)
    pf = vbt.Portfolio.from_orders(
        close,
        w,
        size_type="targetpercent",
        group_by=True,
        cash_sharing=True,
        call_seq="auto",
        **costs,
    )
    np.testing.assert_allclose(res.equity.to_numpy(), _vbt_value(pf), rtol=1e-9, atol=0)
    assert len(res.order_records) == int(pf.orders.count().sum())


@pytest.mark.parametrize("fixed_fees", [0.0, 0.3])
@pytest.mark.parametrize("rebalance", [None, 21])
def test_from_weights_equal_weights_with_fees_match_vectorbt(
    fixed_fees: float, rebalance: int | None
) -> None:
    """Equal target weights tie exactly: the fee-forced partial fill must hit the same asset.

    The order values ``w * V - position * price`` of an equal-weight opening are exact
    ties; computed as ``(w * V / price - position) * price`` they differ in the last bit,
    the execution order changes and another asset takes the partial fill.
    """
    rng = np.random.default_rng(23)
    n, k = 300, 20
    idx = pd.bdate_range("2016-01-01", periods=n)
    cols = [f"S{i:02d}" for i in range(k)]
    close = pd.DataFrame(
        np.round(
            np.exp(rng.uniform(1, 6, k)) * np.exp(np.cumsum(rng.normal(0, 0.02, (n, k)), 0)), 2
        ),
        index=idx,
        columns=cols,
    )
    w = pd.DataFrame(1.0 / k, index=idx, columns=cols)
    if rebalance is not None:
        w[np.arange(n) % rebalance != 0] = np.nan
    else:
        w.iloc[1:] = np.nan  # buy and hold the equal-weight opening
    costs = {"fees": 0.001, "fixed_fees": fixed_fees}
    res = ql.backtest.from_weights(close, w, init_cash=10_000.0, **costs)
    pf = vbt.Portfolio.from_orders(
        close,
        w,
        size_type="targetpercent",
        group_by=True,
        cash_sharing=True,
        call_seq="auto",
        init_cash=10_000.0,
        **costs,
    )
    np.testing.assert_allclose(res.equity.to_numpy(), _vbt_value(pf), rtol=1e-9, atol=0)
    assert len(res.order_records) == int(pf.orders.count().sum())
