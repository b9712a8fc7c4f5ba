"""from_signals with shared cash (``group_by=..., cash_sharing=True``).

Checked against vectorbt's ``from_signals(group_by=..., cash_sharing=True,
call_seq="auto")`` on several hundred groups, against the naive twin for the limits
vectorbt does not have (``max_positions``, ``max_weight``), and against the single-account
engine for groups of one column (where sharing changes nothing).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import quantlab as ql
from tests.backtest import naive

vbt = pytest.importorskip("vectorbt")

N_BARS, N_ASSETS, N_GROUPS = 250, 4, 300
RTOL = 1e-9


@pytest.fixture(scope="module")
def market() -> dict:
    rng = np.random.default_rng(17)
    idx = pd.bdate_range("2015-01-01", periods=N_BARS)
    syms = [f"A{i}" for i in range(N_ASSETS)]
    close = pd.DataFrame(
        100 * np.exp(np.cumsum(rng.normal(0, 0.02, (N_BARS, N_ASSETS)), 0)),
        index=idx,
        columns=syms,
    )
    high = close * (1 + rng.uniform(0, 0.03, close.shape))
    low = close * (1 - rng.uniform(0, 0.03, close.shape))
    open_ = low + (high - low) * rng.uniform(0, 1, close.shape)
    cols = pd.MultiIndex.from_product([range(N_GROUPS), syms], names=["basket", "symbol"])
    shape = (N_BARS, len(cols))
    sig = lambda p: pd.DataFrame(rng.random(shape) < p, index=idx, columns=cols)
    tile = lambda f: pd.DataFrame(np.tile(f.to_numpy(), N_GROUPS), index=idx, columns=cols)
    return {
        "close": close,
        "open": open_,
        "high": high,
        "low": low,
        "wide": {k: tile(v) for k, v in dict(close=close, open=open_, high=high, low=low).items()},
        "entries": sig(0.08),
        "exits": sig(0.08),
    }


def _value(pf: object) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(pf.value())  # type: ignore[attr-defined]


CASES = {
    "value_costs": {"size": 30.0, "size_type": "value", "fees": 0.001, "fixed_fees": 0.2},
    "all_in": {"fees": 0.001},
    "percent": {"size": 0.3, "size_type": "percent", "fees": 0.001, "fixed_fees": 0.1},
    "amount_lots": {"size": 3.0, "size_granularity": 1.0, "min_size": 1.0, "fees": 0.002},
    "slippage": {"size": 0.25, "size_type": "percent", "slippage": 0.002, "fees": 0.001},
    "reversal": {"size": 40.0, "size_type": "value", "direction": "both", "fees": 0.001},
    "short_only": {"size": 0.4, "size_type": "percent", "direction": "short", "fees": 0.001},
}


@pytest.mark.parametrize("case", list(CASES))
def test_shared_cash_matches_vectorbt(market: dict, case: str) -> None:
    kw = dict(CASES[case])
    m = market
    res = ql.backtest.from_signals(
        m["close"], m["entries"], m["exits"], group_by="basket", cash_sharing=True, **kw
    )
    vkw = dict(kw)
    if vkw.get("direction") == "short":
        vkw["direction"] = "shortonly"
    pf = vbt.Portfolio.from_signals(
        m["wide"]["close"],
        m["entries"],
        m["exits"],
        group_by="basket",
        cash_sharing=True,
        call_seq="auto",
        freq="D",
        **vkw,
    )
    np.testing.assert_allclose(res.equity.to_numpy(), _value(pf), rtol=RTOL, atol=0)
    assert len(res.order_records) == int(pf.orders.count().sum())


@pytest.mark.parametrize("trail", [False, True])
def test_shared_cash_stops_match_vectorbt(market: dict, trail: bool) -> None:
    m = market
    kw = {"size": 30.0, "size_type": "value", "fees": 0.001, "slippage": 0.001}
    res = ql.backtest.from_signals(
        m["close"],
        m["entries"],
        m["exits"],
        open=m["open"],
        high=m["high"],
        low=m["low"],
        sl_stop=0.04,
        tp_stop=0.06,
        sl_trail=trail,
        group_by="basket",
        cash_sharing=True,
        **kw,
    )
    w = m["wide"]
    pf = vbt.Portfolio.from_signals(
        w["close"],
        m["entries"],
        m["exits"],
        open=w["open"],
        high=w["high"],
        low=w["low"],
        sl_stop=0.04,
        tp_stop=0.06,
        sl_trail=trail,
        stop_exit_price="stopmarket",
        group_by="basket",
        cash_sharing=True,
        call_seq="auto",
        freq="D",
        **kw,
    )
    np.testing.assert_allclose(res.equity.to_numpy(), _value(pf), rtol=RTOL, atol=0)


def test_shared_cash_stats_mode_matches_full_mode_and_vectorbt(market: dict) -> None:
    m = market
    kw = dict(CASES["value_costs"])
    full = ql.backtest.from_signals(
        m["close"], m["entries"], m["exits"], group_by="basket", cash_sharing=True, **kw
    )
    stats = ql.backtest.from_signals(
        m["close"],
        m["entries"],
        m["exits"],
        group_by="basket",
        cash_sharing=True,
        mode="stats",
        **kw,
    )
    pf = vbt.Portfolio.from_signals(
        m["wide"]["close"],
        m["entries"],
        m["exits"],
        group_by="basket",
        cash_sharing=True,
        call_seq="auto",
        freq="D",
        **kw,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tr = pf.total_return().to_numpy()
    # quantlab's drawdown starts from the initial capital (README "Metric conventions")
    eq = np.vstack([np.full((1, N_GROUPS), 100.0), _value(pf)])
    mdd = (eq / np.maximum.accumulate(eq, axis=0) - 1.0).min(axis=0)
    table = stats.table
    assert list(table.index) == list(range(N_GROUPS))
    np.testing.assert_allclose(table["total_return"].to_numpy(), tr, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(table["max_drawdown"].to_numpy(), mdd, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        table["final_value"].to_numpy(), full.equity.to_numpy()[-1], rtol=1e-12
    )
    np.testing.assert_array_equal(
        table["n_orders"].to_numpy(), full.summary_table["n_orders"].to_numpy()
    )
    assert table["n_orders"].sum() == len(full.order_records)


@pytest.mark.parametrize(
    "limits",
    [
        {"max_positions": 2},
        {"max_weight": 0.3},
        {"max_positions": 1, "max_weight": 0.5},
    ],
)
@pytest.mark.parametrize(
    "sizing",
    [
        {"size": 40.0, "size_type": "value", "fees": 0.001, "fixed_fees": 0.1},
        {"size": 0.5, "size_type": "percent", "fees": 0.002},
        {"fees": 0.001, "direction": "both"},
    ],
)
def test_position_limits_match_naive_twin(market: dict, limits: dict, sizing: dict) -> None:
    m = market
    n_groups = 12
    ent = m["entries"].iloc[:, : n_groups * N_ASSETS]
    ext = m["exits"].iloc[:, : n_groups * N_ASSETS]
    res = ql.backtest.from_signals(
        m["close"], ent, ext, group_by="basket", cash_sharing=True, **limits, **sizing
    )
    ref = naive.from_signals_shared(
        m["wide"]["close"].iloc[:, : n_groups * N_ASSETS],
        ent,
        ext,
        [c // N_ASSETS for c in range(n_groups * N_ASSETS)],
        **limits,
        **sizing,
    )
    np.testing.assert_allclose(res.equity.to_numpy(), ref.equity, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(res.positions.to_numpy(), ref.positions, rtol=1e-9, atol=1e-9)
    assert len(res.order_records) == len(ref.orders)
    if "max_positions" in limits:
        held = (res.positions.to_numpy() != 0).reshape(N_BARS, n_groups, N_ASSETS).sum(axis=2)
        assert held.max() == limits["max_positions"]


@pytest.mark.parametrize("price", ["close", "next_open"])
def test_groups_of_one_column_equal_independent_accounts(market: dict, price: str) -> None:
    """Sharing one account with nobody changes nothing: every path, stops included."""
    m = market
    ent = m["entries"].iloc[:, :40]
    ext = m["exits"].iloc[:, :40]
    kw = dict(
        open=m["open"],
        high=m["high"],
        low=m["low"],
        price=price,
        size=0.5,
        size_type="percent",
        fees=0.001,
        slippage=0.001,
        sl_stop=0.03,
        tp_stop=0.05,
        time_stop=7,
        direction="both",
    )
    alone = ql.backtest.from_signals(m["close"], ent, ext, **kw)
    shared = ql.backtest.from_signals(
        m["close"], ent, ext, group_by=np.arange(40), cash_sharing=True, **kw
    )
    np.testing.assert_allclose(shared.equity.to_numpy(), alone.equity.to_numpy(), rtol=1e-12)
    np.testing.assert_array_equal(shared.order_records, alone.order_records)


def test_bad_grouping_arguments_are_refused(market: dict) -> None:
    m = market
    ent, ext = m["entries"].iloc[:, :8], m["exits"].iloc[:, :8]
    with pytest.raises(ql.errors.ParameterError, match="group_by=.* without cash_sharing=True"):
        ql.backtest.from_signals(m["close"], ent, ext, group_by="basket")
    with pytest.raises(ql.errors.ParameterError, match="cash_sharing=True needs group_by"):
        ql.backtest.from_signals(m["close"], ent, ext, cash_sharing=True)
    with pytest.raises(ql.errors.ParameterError, match="max_positions / max_weight limit"):
        ql.backtest.from_signals(m["close"], ent, ext, max_positions=2)
    with pytest.raises(ql.errors.ParameterError, match="whole number of positions; got 1.5"):
        ql.backtest.from_signals(
            m["close"], ent, ext, group_by="basket", cash_sharing=True, max_positions=1.5
        )
    with pytest.raises(ql.errors.AlignmentError, match="group_by group are not contiguous"):
        ql.backtest.from_signals(m["close"], ent, ext, group_by=[0, 1] * 4, cash_sharing=True)
    with pytest.raises(ql.errors.ShapeError, match="one label per column; got 3 labels for 8"):
        ql.backtest.from_signals(m["close"], ent, ext, group_by=[0, 0, 1], cash_sharing=True)


def test_nan_prices_match_naive_twin(market: dict) -> None:
    """A NaN close: that asset does not trade on the bar; its holding keeps its last value."""
    m = market
    rng = np.random.default_rng(3)
    close = m["close"].copy()
    close[rng.random(close.shape) < 0.1] = np.nan
    close.iloc[:5, 0] = np.nan  # leading NaN bars
    n_groups = 10
    ent = m["entries"].iloc[:, : n_groups * N_ASSETS]
    ext = m["exits"].iloc[:, : n_groups * N_ASSETS]
    kw = {"size": 0.4, "size_type": "percent", "fees": 0.001, "max_positions": 3}
    res = ql.backtest.from_signals(close, ent, ext, group_by="basket", cash_sharing=True, **kw)
    wide = pd.DataFrame(np.tile(close.to_numpy(), n_groups), index=close.index, columns=ent.columns)
    groups = [c // N_ASSETS for c in range(n_groups * N_ASSETS)]
    ref = naive.from_signals_shared(wide, ent, ext, groups, **kw)
    np.testing.assert_allclose(res.equity.to_numpy(), ref.equity, rtol=1e-9, atol=1e-9)
    stats = ql.backtest.from_signals(
        close, ent, ext, group_by="basket", cash_sharing=True, mode="stats", **kw
    )
    np.testing.assert_allclose(stats.table["final_value"].to_numpy(), ref.equity[-1], rtol=1e-12)
