"""Slow, obviously-correct reference of the backtest engine (``from_signals``, ``from_weights``).

Written from the documented semantics (the docstrings of :mod:`quantlab.backtest.api`,
:mod:`quantlab.backtest._signals_kernel`, :mod:`quantlab.backtest._weights_kernel` and
:mod:`quantlab.backtest._execution`), not from the kernels' code: plain Python loops over
bars and columns, plain floats, no numba and no vectorization. Inputs are converted to
nested lists first; only the outputs are turned back into NumPy arrays.

Semantic decisions taken where the documentation is silent or ambiguous (each follows the
engine's behaviour where it is sensible; the tag ``DECISION`` marks them below):

* D1  Free cash (buying power for shorts) is ``cash - 2 * short entry value``, the
      definition of the ``_execution`` docstring; a long buy is limited by ``cash`` itself.
* D2  Order amounts are compared with a tolerance of 1e-9 relative / 1e-12 absolute (the
      engine's documented ``REL_TOL`` / ``ABS_TOL``): a purchase that costs "the same" as the
      cash is filled in full, a sum within tolerance of zero is zero, and cash within the
      tolerance of zero is snapped to zero at the end of each bar.
* D3  Stop-loss / take-profit / trailing levels are fractions of the *signal* price of the
      entry (the bar's close or open, before slippage), not of the slipped fill price.
* D4  Without an open panel, the close stands in for the open when stops are checked (so
      with high/low but no open, a close beyond the stop fills at the close).
* D5  A trailing stop starts at the entry's signal price and trails the extreme (high for
      longs, low for shorts) of the bars *after* the check of each bar; the entry bar of a
      close-executed entry does not count (its high happened before the fill), the fill bar
      of a ``next_open`` entry does (after its stops were checked).
* D6  With ``price="next_open"`` the time stop is checked first and fills at the open
      (the open comes before anything else in the bar); signals on a bar where a stop fired
      are still read (they act on the next open). With ``price="close"`` a stop exit ignores
      the bar's signals (documented).
* D7  A signal on a bar whose close is NaN is ignored (no trading on that bar); a pending
      ``next_open`` order waits for the next bar with a valid open; a signal on the last bar
      with ``next_open`` is dropped.
* D8  Exits by signal respect ``min_size``; stop exits do not (they close whatever is held).
      Exits are never partial for longs; a short cover that the cash cannot pay is filled
      partially, like any purchase.
* D9  A sale whose proceeds do not cover its fees is refused.
* D10 A reversal (an opposite entry while in a position) is one order of ``|position| +
      new size``; with ``size_type="percent"`` the new size is the fraction of the cash
      (free cash for shorts) that is left once the old position is closed.
* D11 ``from_weights`` with ``price="next_open"``: the decision of bar ``i`` (weights row
      ``i``) is executed at the open of bar ``i + 1``; an asset without an open on that bar
      is not traded (it is *not* deferred); a decision on the last bar is dropped.
* D12 ``from_weights`` values the portfolio at the execution prices, falling back on the
      last valid close of earlier bars for an asset without a price; ``max_leverage`` is
      applied to the gross of the non-NaN weights of the row; the trades are executed in
      ascending order of ``target value - held value`` (exact ties keep the column order).
* D14 Shared cash (``from_signals_shared``): per bar and group every column's order is
      decided first, then the orders run in ascending order of their approximate value
      (stable); ``max_positions`` / ``max_weight`` apply to entries from flat as they run.
* D13 A calendar ``rebalance`` alias: the first bar and the last bar of every period in the
      index; the period of a bar is found by rolling its date forward to the alias' anchor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

REL_TOL = 1e-9
ABS_TOL = 1e-12
INF = math.inf
NAN = math.nan


# --------------------------------------------------------------------------- helpers
def _close(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return False
    return a == b or abs(a - b) <= max(REL_TOL * max(abs(a), abs(b)), ABS_TOL)


def _less(a: float, b: float) -> bool:
    return a < b and not _close(a, b)


def _plus(a: float, b: float) -> float:
    """``a + b`` with a result within tolerance of zero made exactly zero (D2)."""
    if (a > 0) != (b > 0) and a != 0 and b != 0 and _close(abs(a), abs(b)):
        return 0.0
    s = a + b
    return 0.0 if _close(s, 0.0) else s


def _floor(size: float, lot: float) -> float:
    if math.isnan(lot):
        return size
    return (size // lot) * lot


def _rows(data: Any) -> list[list[float]]:
    """A 2-D table as a list of rows of Python floats (or bools)."""
    if data is None:
        return []
    if isinstance(data, (pd.DataFrame, pd.Series)):
        data = data.to_numpy()
    arr = np.asarray(data)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    return arr.tolist()


def _per_col(value: Any, n: int, default: float = NAN) -> list[float]:
    if value is None:
        return [default] * n
    if isinstance(value, pd.Series):
        value = value.to_numpy()
    if np.ndim(value) == 0:
        return [float(value)] * n
    vals = [float(v) for v in value]
    return vals * n if len(vals) == 1 else vals


@dataclass
class Order:
    col: int
    idx: int
    size: float
    price: float
    fees: float
    side: str  # "buy" / "sell"
    reason: str  # "none", "signal", "stop_loss", ..., "rebalance"


@dataclass
class NaiveResult:
    equity: np.ndarray  # (n_bars, n_portfolios)
    cash: np.ndarray  # (n_bars, n_portfolios)
    positions: np.ndarray  # (n_bars, n_columns)
    orders: list[Order] = field(default_factory=list)


# --------------------------------------------------------------------------- account
@dataclass
class Account:
    """One cash account holding one position per column (a single one for signals)."""

    cash: float
    pos: list[float]
    debt: list[float]  # entry value of each open short (0 when long or flat)

    def free(self) -> float:
        return self.cash - 2.0 * sum(self.debt)  # D1

    def buy(
        self,
        j: int,
        size: float,
        price: float,
        fees: float,
        fixed_fees: float,
        slippage: float,
        min_size: float,
        lot: float,
        cash_fraction: float = NAN,
        cover_only: bool = False,
    ) -> tuple[float, float, float] | None:
        """Buy ``size`` units (inf = all the cash allows); partial fill when cash is short.

        Returns ``(units, fill_price, fees_paid)`` or None when nothing is filled.
        """
        fill_price = price * (1.0 + slippage)
        budget = self.cash if math.isnan(cash_fraction) else cash_fraction * self.cash
        pos = self.pos[j]
        if cover_only:
            if pos >= 0.0:
                return None
            size = min(size, -pos)
        elif budget <= 0.0:
            return None
        if size <= 0.0:
            return None
        size = _floor(size, lot)
        cost = size * fill_price
        fee = cost * fees + fixed_fees
        if cost + fee < budget or _close(cost + fee, budget):
            units, paid, spent = size, fee, cost + fee
        else:  # partial fill: as many units as the budget buys after fees
            net_budget = _plus(budget, -fixed_fees) / (1.0 + fees)
            if net_budget <= 0.0:
                return None
            units = net_budget / fill_price
            if math.isnan(lot):
                paid = budget - net_budget
                spent = budget
            else:
                units = _floor(units, lot)
                paid = units * fill_price * fees + fixed_fees
                spent = units * fill_price + paid
        if units <= 0.0 or _close(units, 0.0) or _less(units, min_size):
            return None
        self.cash = _plus(self.cash, -spent)
        new_pos = _plus(pos, units)
        if pos < 0.0:
            if new_pos < 0.0:
                self.debt[j] = _plus(self.debt[j], -units * self.debt[j] / -pos)
            else:
                self.debt[j] = 0.0
        self.pos[j] = new_pos
        return units, fill_price, paid

    def sell(
        self,
        j: int,
        size: float,
        price: float,
        fees: float,
        fixed_fees: float,
        slippage: float,
        min_size: float,
        lot: float,
        fraction: float = NAN,
        close_only: bool = False,
    ) -> tuple[float, float, float] | None:
        """Sell ``size`` units (close a long and/or go short).

        ``size=inf`` with a ``fraction``: that fraction of the long position plus the
        largest short the free cash (after the long's sale) can collateralize.
        """
        fill_price = price * (1.0 - slippage)
        pos = self.pos[j]
        if close_only:
            if pos <= 0.0:
                return None
            size = min(size, pos)
        elif math.isinf(size) and not math.isnan(fraction):
            long_units = max(pos, 0.0)
            free = _plus(self.free(), long_units * fill_price * (1.0 - fees))
            if free <= 0.0:
                if pos <= 0.0:
                    return None
                size = long_units
            else:
                size = _plus(long_units, _plus(free, -fixed_fees) / (fill_price * (1.0 + fees)))
        if not math.isnan(fraction):
            size = fraction * size
        if math.isinf(size):
            return None
        size = _floor(size, lot)
        if size <= 0.0 or _close(size, 0.0) or _less(size, min_size):
            return None
        proceeds = size * fill_price
        fee = proceeds * fees + fixed_fees
        net = _plus(proceeds, -fee)
        if net < 0.0:  # D9
            return None
        self.cash = self.cash + net
        new_pos = _plus(pos, -size)
        if new_pos < 0.0:
            opened_short = size if pos < 0.0 else -new_pos
            self.debt[j] = self.debt[j] + opened_short * fill_price
        self.pos[j] = new_pos
        return size, fill_price, fee


# --------------------------------------------------------------------------- signals
@dataclass
class _Col:
    """Parameters of one from_signals column."""

    size: float
    size_type: str
    fees: float
    fixed_fees: float
    slippage: float
    min_size: float
    lot: float
    sl: float
    tp: float
    trail: bool
    time_stop: float


def _resolve(le: bool, lx: bool, se: bool, sx: bool) -> tuple[bool, bool, bool, bool]:
    """Conflicting signals cancel: entry+exit of one side, long entry+short entry."""
    if le and lx:
        le = lx = False
    if se and sx:
        se = sx = False
    if le and se:
        le = se = False
    return le, lx, se, sx


class _SignalColumn:
    """The state machine of one from_signals column."""

    def __init__(
        self,
        col: int,
        p: _Col,
        init_cash: float,
        orders: list[Order],
        acct: Account | None = None,
        j: int = 0,
    ) -> None:
        self.col = col
        self.p = p
        # a shared account (one position slot ``j`` per column), or one of its own
        self.acct = Account(init_cash, [0.0], [0.0]) if acct is None else acct
        self.j = j
        self.orders = orders
        self.entry_bar = -1
        self.entry_base = NAN
        self.peak = NAN

    @property
    def pos(self) -> float:
        return self.acct.pos[self.j]

    def _record(
        self,
        i: int,
        before: float,
        fill: tuple[float, float, float] | None,
        side: str,
        reason: str,
        base: float,
    ) -> bool:
        if fill is None:
            return False
        self.orders.append(Order(self.col, i, fill[0], fill[1], fill[2], side, reason))
        after = self.pos
        if after == 0.0:
            self.entry_bar, self.entry_base, self.peak = -1, NAN, NAN
        elif before == 0.0 or (before > 0.0) != (after > 0.0):  # a new position: D3, D5
            self.entry_bar, self.entry_base, self.peak = i, base, base
        return True

    def _buy(self, i: int, size: float, price: float, reason: str, **kw: Any) -> bool:
        p, before = self.p, self.pos
        fill = self.acct.buy(
            self.j,
            size,
            price,
            p.fees,
            p.fixed_fees,
            p.slippage,
            kw.pop("min_size", p.min_size),
            p.lot,
            **kw,
        )
        return self._record(i, before, fill, "buy", reason, price)

    def _sell(self, i: int, size: float, price: float, reason: str, **kw: Any) -> bool:
        p, before = self.p, self.pos
        fill = self.acct.sell(
            self.j,
            size,
            price,
            p.fees,
            p.fixed_fees,
            p.slippage,
            kw.pop("min_size", p.min_size),
            p.lot,
            **kw,
        )
        return self._record(i, before, fill, "sell", reason, price)

    def close_out(self, i: int, price: float, reason: str) -> None:
        """Stop exit: close the whole position, whatever min_size says (D8)."""
        if self.pos > 0.0:
            self._sell(i, self.pos, price, reason, close_only=True, min_size=0.0)
        else:
            self._buy(i, INF, price, reason, cover_only=True, min_size=0.0)

    def act(self, i: int, sig: tuple[bool, bool, bool, bool], price: float) -> None:
        """Execute resolved signals at ``price`` against the current position."""
        le, lx, se, sx = _resolve(*sig)
        p = self.p
        pos = self.pos
        if pos > 0.0:
            if se:  # reverse long -> short (D10)
                if p.size_type == "percent":
                    px = price * (1.0 - p.slippage)
                    free_after = self.acct.free() + pos * px * (1.0 - p.fees)
                    max_short = max(free_after - p.fixed_fees, 0.0) / (px * (1.0 + p.fees))
                    self._sell(i, pos + p.size * max_short, price, "signal")
                elif math.isinf(p.size):
                    self._sell(i, INF, price, "signal", fraction=1.0)
                else:
                    units = p.size / price if p.size_type == "value" else p.size
                    self._sell(i, pos + units, price, "signal")
            elif lx:
                self._sell(i, pos, price, "signal", close_only=True)
        elif pos < 0.0:
            if le:  # reverse short -> long (D10)
                if p.size_type == "percent":
                    px = price * (1.0 + p.slippage)
                    left = max(self.acct.cash + pos * px * (1.0 + p.fees) - p.fixed_fees, 0.0)
                    units = -pos + p.size * left / (px * (1.0 + p.fees))
                elif p.size_type == "value":
                    units = -pos + p.size / price
                else:
                    units = -pos + p.size
                self._buy(i, units, price, "signal")
            elif sx:
                self._buy(i, INF, price, "signal", cover_only=True)
        elif le:
            if p.size_type == "percent":
                self._buy(i, INF, price, "none", cash_fraction=p.size)
            else:
                units = p.size / price if p.size_type == "value" else p.size
                self._buy(i, units, price, "none")
        elif se:
            if p.size_type == "percent":
                self._sell(i, INF, price, "none", fraction=p.size)
            elif math.isinf(p.size):
                self._sell(i, INF, price, "none", fraction=1.0)
            else:
                units = p.size / price if p.size_type == "value" else p.size
                self._sell(i, units, price, "none")

    def check_price_stops(self, i: int, o: float, h: float, lo: float) -> bool:
        """Stop-loss (or trailing stop) first, then take-profit; True if one fired."""
        p = self.p
        long = self.pos > 0.0
        if not math.isnan(p.sl):
            ref = self.peak if p.trail else self.entry_base
            reason = "trailing_stop" if p.trail else "stop_loss"
            level = ref * (1.0 - p.sl) if long else ref * (1.0 + p.sl)
            gapped = o <= level if long else o >= level
            touched = lo <= level if long else h >= level
            if gapped or touched:
                self.close_out(i, o if gapped else level, reason)
                return True
        if not math.isnan(p.tp):
            level = self.entry_base * (1.0 + p.tp) if long else self.entry_base * (1.0 - p.tp)
            gapped = o >= level if long else o <= level
            touched = h >= level if long else lo <= level
            if gapped or touched:
                self.close_out(i, o if gapped else level, "take_profit")
                return True
        if p.trail:  # D5: the bar's extreme counts for the next bars
            if long:
                self.peak = max(self.peak, h)
            else:
                self.peak = min(self.peak, lo)
        return False


def _directional(
    direction: str, le: bool, lx: bool, se: bool, sx: bool, has_short: bool
) -> tuple[bool, bool, bool, bool]:
    """Map user signals onto (long entry, long exit, short entry, short exit)."""
    if direction == "short":
        return False, False, le, lx
    if direction == "both" and not has_short:
        return le, False, lx, False  # exits go short: always in the market
    return le, lx, se, sx


def from_signals(
    close: Any,
    entries: Any,
    exits: Any,
    *,
    short_entries: Any = None,
    short_exits: Any = None,
    direction: str = "long",
    open: Any = None,
    high: Any = None,
    low: Any = None,
    price: str = "close",
    size: Any = INF,
    size_type: str = "amount",
    min_size: Any = 0.0,
    size_granularity: Any = None,
    init_cash: Any = 100.0,
    fees: Any = 0.0,
    fixed_fees: Any = 0.0,
    slippage: Any = 0.0,
    sl_stop: Any = None,
    tp_stop: Any = None,
    sl_trail: Any = False,
    time_stop: Any = None,
    asset_of_col: list[int] | None = None,
) -> NaiveResult:
    """Reference from_signals; ``asset_of_col`` maps signal columns onto price columns."""
    cl = _rows(close)
    op, hi, lw = _rows(open), _rows(high), _rows(low)
    le_rows, lx_rows = _rows(entries), _rows(exits)
    has_short = short_entries is not None
    se_rows, sx_rows = _rows(short_entries), _rows(short_exits)
    n_bars, n_cols = len(le_rows), len(le_rows[0])
    assets = list(range(n_cols)) if asset_of_col is None else list(asset_of_col)
    cols = {
        k: _per_col(v, n_cols)
        for k, v in dict(
            size=size,
            min_size=min_size,
            lot=size_granularity,
            init_cash=init_cash,
            fees=fees,
            fixed_fees=fixed_fees,
            slippage=slippage,
            sl=sl_stop,
            tp=tp_stop,
            trail=sl_trail,
            time_stop=time_stop,
        ).items()
    }
    orders: list[Order] = []
    equity = [[0.0] * n_cols for _ in range(n_bars)]
    cash = [[0.0] * n_cols for _ in range(n_bars)]
    positions = [[0.0] * n_cols for _ in range(n_bars)]
    for col in range(n_cols):
        a = assets[col]
        p = _Col(
            size=cols["size"][col],
            size_type=size_type,
            fees=cols["fees"][col],
            fixed_fees=cols["fixed_fees"][col],
            slippage=cols["slippage"][col],
            min_size=cols["min_size"][col],
            lot=cols["lot"][col],
            sl=cols["sl"][col],
            tp=cols["tp"][col],
            trail=bool(cols["trail"][col]),
            time_stop=cols["time_stop"][col],
        )
        sim = _SignalColumn(col, p, cols["init_cash"][col], orders)
        has_stops = not (math.isnan(p.sl) and math.isnan(p.tp) and math.isnan(p.time_stop))
        last_close = NAN
        pending: tuple[bool, bool, bool, bool] | None = None

        def signals_at(i: int, col: int = col) -> tuple[bool, bool, bool, bool]:
            se = bool(se_rows[i][col]) if has_short else False
            sx = bool(sx_rows[i][col]) if has_short else False
            return _directional(
                direction, bool(le_rows[i][col]), bool(lx_rows[i][col]), se, sx, has_short
            )

        for i in range(n_bars):
            c = cl[i][a]
            if price == "next_open":
                o = op[i][a]
                if not math.isnan(o):
                    if pending is not None:  # D7: the first bar with a valid open
                        sim.act(i, pending, o)
                        pending = None
                    if has_stops and sim.pos != 0.0:
                        if (
                            not math.isnan(p.time_stop)
                            and sim.entry_bar < i
                            and (i - sim.entry_bar >= p.time_stop)
                        ):  # D6
                            sim.close_out(i, o, "time_stop")
                        elif not (math.isnan(p.sl) and math.isnan(p.tp)):
                            h, lo = _range(o, c, hi, lw, i, a)
                            sim.check_price_stops(i, o, h, lo)
                if not math.isnan(c):
                    last_close = c
                    sig = signals_at(i)
                    if any(sig):
                        pending = sig if i + 1 < n_bars else None
            elif not math.isnan(c):
                last_close = c
                stopped = False
                if has_stops and sim.pos != 0.0 and sim.entry_bar < i:
                    if not (math.isnan(p.sl) and math.isnan(p.tp)):
                        o = op[i][a] if op and not math.isnan(op[i][a]) else c  # D4
                        h, lo = _range(o, c, hi, lw, i, a)
                        stopped = sim.check_price_stops(i, o, h, lo)
                    if (
                        not stopped
                        and not math.isnan(p.time_stop)
                        and i - sim.entry_bar >= p.time_stop
                    ):
                        sim.close_out(i, c, "time_stop")
                        stopped = True
                if not stopped:
                    sig = signals_at(i)
                    if any(sig):
                        sim.act(i, sig, c)
            acct = sim.acct
            if _close(acct.cash, 0.0):
                acct.cash = 0.0
            cash[i][col] = acct.cash
            positions[i][col] = sim.pos
            equity[i][col] = acct.cash + (sim.pos * last_close if sim.pos != 0.0 else 0.0)
    orders.sort(key=lambda o: o.col)  # stable: time order within a column
    return NaiveResult(np.array(equity), np.array(cash), np.array(positions), orders)


def _range(
    o: float, c: float, hi: list[list[float]], lw: list[list[float]], i: int, a: int
) -> tuple[float, float]:
    """The bar's high and low; from open/close when high/low are missing."""
    top = o if math.isnan(c) else max(o, c)
    bottom = o if math.isnan(c) else min(o, c)
    h = hi[i][a] if hi else NAN
    lo = lw[i][a] if lw else NAN
    return (top if math.isnan(h) else h), (bottom if math.isnan(lo) else lo)


# --------------------------------------------------------------------------- weights
def rebalance_bars(rebalance: Any, index: pd.Index, constant: bool) -> list[bool]:
    """Decision bars of ``from_weights`` (see its ``rebalance`` parameter, D13)."""
    n = len(index)
    if rebalance is None:
        return [i == 0 or not constant for i in range(n)]
    if isinstance(rebalance, int):
        return [i % rebalance == 0 for i in range(n)]
    offset = pd.tseries.frequencies.to_offset(rebalance)
    keys = [offset.rollforward(ts.normalize()) for ts in index]
    out = [False] * n
    out[0] = True
    for i in range(n):
        if i == n - 1 or keys[i + 1] != keys[i]:
            out[i] = True
    return out


def from_weights(
    close: Any,
    weights: Any,
    *,
    index: pd.Index | None = None,
    groups: list[list[int]] | None = None,
    asset_of_col: list[int] | None = None,
    rebalance: Any = None,
    open: Any = None,
    price: str = "close",
    init_cash: Any = 100.0,
    fees: Any = 0.0,
    fixed_fees: Any = 0.0,
    slippage: Any = 0.0,
    max_leverage: Any = None,
    min_trade: Any = 0.0,
    size_granularity: Any = None,
) -> NaiveResult:
    """Reference from_weights.

    ``weights``: a 2-D table ``(n_bars, n_columns)`` or a 1-D vector ``(n_columns,)`` of
    constant weights; ``groups``: the columns of each portfolio (default: one portfolio of
    every column); ``asset_of_col``: price column of each weight column.
    """
    cl = _rows(close)
    op = _rows(open)
    n_bars = len(cl)
    if index is None:
        index = close.index if isinstance(close, pd.DataFrame) else pd.RangeIndex(n_bars)
    w_arr = weights.to_numpy() if isinstance(weights, (pd.DataFrame, pd.Series)) else weights
    constant = np.ndim(w_arr) == 1
    w_rows = [list(map(float, w_arr))] if constant else _rows(w_arr)
    n_cols = len(w_rows[0])
    assets = list(range(n_cols)) if asset_of_col is None else list(asset_of_col)
    groups = [list(range(n_cols))] if groups is None else groups
    n_groups = len(groups)
    par = {
        k: _per_col(v, n_groups)
        for k, v in dict(
            init_cash=init_cash,
            fees=fees,
            fixed_fees=fixed_fees,
            slippage=slippage,
            max_leverage=max_leverage,
            min_trade=min_trade,
            lot=size_granularity,
        ).items()
    }
    decide = rebalance_bars(rebalance, index, constant)
    orders: list[Order] = []
    equity = [[0.0] * n_groups for _ in range(n_bars)]
    cash = [[0.0] * n_groups for _ in range(n_bars)]
    positions = [[0.0] * n_cols for _ in range(n_bars)]
    for g, members in enumerate(groups):
        k = len(members)
        fees_g, fixed_g, slip_g = par["fees"][g], par["fixed_fees"][g], par["slippage"][g]
        lev, min_trade_g, lot = par["max_leverage"][g], par["min_trade"][g], par["lot"][g]
        acct = Account(par["init_cash"][g], [0.0] * k, [0.0] * k)
        last = [NAN] * k
        for i in range(n_bars):
            # which decision executes on this bar (D11)
            if price == "next_open":
                row = (0 if constant else i - 1) if i >= 1 and decide[i - 1] else None
                exec_px = [op[i][assets[c]] for c in members]
            else:
                row = (0 if constant else i) if decide[i] else None
                exec_px = [cl[i][assets[c]] for c in members]
            w = [w_rows[row][c] for c in members] if row is not None else None
            if w is not None and any(not math.isnan(x) for x in w):
                value = acct.cash
                for j in range(k):
                    if acct.pos[j] != 0.0:
                        px = exec_px[j] if not math.isnan(exec_px[j]) else last[j]  # D12
                        value += acct.pos[j] * px
                gross = sum(abs(x) for x in w if not math.isnan(x))
                scale = lev / gross if not math.isnan(lev) and gross > lev else 1.0
                trades = []
                for j in range(k):
                    if math.isnan(w[j]) or math.isnan(exec_px[j]) or value <= 0.0:
                        continue
                    target = w[j] * scale * value
                    delta = target / exec_px[j] - acct.pos[j]
                    if _close(delta, 0.0) or abs(delta) * exec_px[j] < min_trade_g:
                        continue
                    # order value = target value - held value: equal targets tie exactly
                    trades.append((target - acct.pos[j] * exec_px[j], j, delta))
                trades.sort(key=lambda t: t[0])  # sales first (stable on ties)
                for _, j, delta in trades:
                    if delta < 0.0:
                        fill = acct.sell(j, -delta, exec_px[j], fees_g, fixed_g, slip_g, 0.0, lot)
                        side = "sell"
                    else:
                        fill = acct.buy(j, delta, exec_px[j], fees_g, fixed_g, slip_g, 0.0, lot)
                        side = "buy"
                    if fill is not None:
                        orders.append(
                            Order(members[j], i, fill[0], fill[1], fill[2], side, "rebalance")
                        )
            value = acct.cash
            for j in range(k):
                c = cl[i][assets[members[j]]]
                if not math.isnan(c):
                    last[j] = c
                if acct.pos[j] != 0.0:
                    value += acct.pos[j] * last[j]
                positions[i][members[j]] = acct.pos[j]
            if _close(acct.cash, 0.0):
                acct.cash = 0.0
            cash[i][g] = acct.cash
            equity[i][g] = value
    orders.sort(key=lambda o: (o.col, o.idx))
    return NaiveResult(np.array(equity), np.array(cash), np.array(positions), orders)


# --------------------------------------------------------------------------- statistics
def stats_from_equity(equity: list[float], init_cash: float, periods_per_year: float) -> dict:
    """Summary figures of one equity curve (returns vs the previous bar, init_cash first)."""
    rets = []
    prev = init_cash
    for v in equity:
        rets.append(v / prev - 1.0)
        prev = v
    n = len(rets)
    mean = sum(rets) / n
    var = sum((r - mean) ** 2 for r in rets) / (n - 1)
    std = math.sqrt(var)
    downside = math.sqrt(sum(r * r for r in rets if r < 0.0) / n)
    peak = init_cash  # drawdowns start from the capital: a first-bar loss is one
    max_dd = 0.0
    for v in equity:
        peak = max(peak, v)
        max_dd = min(max_dd, v / peak - 1.0)
    return {
        "final_value": equity[-1],
        "total_return": equity[-1] / init_cash - 1.0,
        "max_drawdown": max_dd,
        "mean_return": mean,
        "sharpe": mean / std * math.sqrt(periods_per_year) if std > 0 else NAN,
        "volatility": std * math.sqrt(periods_per_year),
        "sortino": mean * math.sqrt(periods_per_year) / downside if downside > 0 else NAN,
    }


# ------------------------------------------------------------------ shared-cash signals
def _order_value(
    p: _Col, pos: float, sig: tuple[bool, bool, bool, bool], price: float, cash: float, free: float
) -> float | None:
    """D14: the value a bar's orders are sorted by (None: the signals order nothing)."""
    le, lx, se, sx = _resolve(*sig)
    size, kind = p.size, p.size_type

    def units() -> float:
        return size / price if kind == "value" else size

    if pos > 0.0:
        if se:
            if kind == "percent":
                return -(pos * price + size * max(free, 0.0))
            return -(pos + units()) * price
        return -pos * price if lx else None
    if pos < 0.0:
        if le:
            if kind == "percent":
                return -pos * price + size * cash
            return (-pos + units()) * price
        return -pos * price if sx else None
    if le:
        return size * cash if kind == "percent" else (size if kind == "value" else size * price)
    if se:
        if kind == "percent":
            return -size * max(free, 0.0)
        return -size if kind == "value" else -size * price
    return None


def from_signals_shared(
    close: Any,
    entries: Any,
    exits: Any,
    groups: list[int],
    *,
    direction: str = "long",
    size: Any = INF,
    size_type: str = "amount",
    init_cash: float = 100.0,
    fees: Any = 0.0,
    fixed_fees: Any = 0.0,
    slippage: Any = 0.0,
    min_size: Any = 0.0,
    size_granularity: Any = None,
    max_positions: float = INF,
    max_weight: float = NAN,
) -> NaiveResult:
    """Reference of shared-cash from_signals at the close, without stops.

    D14 Per bar and group, every column's order is decided first; the orders then run in
        ascending order of value (stable), from the group's one account. ``max_positions``
        drops an entry from flat while that many columns hold a position (counted as the
        orders run); ``max_weight`` turns an entry from flat into a cash value of at most
        ``max_weight`` x the group's value before the bar (valued at the previous closes).
    """
    cl = _rows(close)
    le_rows, lx_rows = _rows(entries), _rows(exits)
    n_bars, n_cols = len(le_rows), len(le_rows[0])
    per = {
        k: _per_col(v, n_cols)
        for k, v in dict(size=size, fees=fees, fixed_fees=fixed_fees, slippage=slippage,
                         min_size=min_size, lot=size_granularity).items()
    }  # fmt: skip
    orders: list[Order] = []
    n_groups = max(groups) + 1
    equity = [[0.0] * n_groups for _ in range(n_bars)]
    cash_out = [[0.0] * n_groups for _ in range(n_bars)]
    positions = [[0.0] * n_cols for _ in range(n_bars)]
    for g in range(n_groups):
        members = [c for c in range(n_cols) if groups[c] == g]
        acct = Account(init_cash, [0.0] * len(members), [0.0] * len(members))
        sims = []
        for j, col in enumerate(members):
            p = _Col(per["size"][col], size_type, per["fees"][col], per["fixed_fees"][col],
                     per["slippage"][col], per["min_size"][col], per["lot"][col], NAN, NAN,
                     False, NAN)  # fmt: skip
            sims.append(_SignalColumn(col, p, init_cash, orders, acct, j))
        last = [NAN] * len(members)
        for i in range(n_bars):
            value0 = acct.cash + sum(
                acct.pos[j] * last[j] for j in range(len(members)) if acct.pos[j] != 0.0
            )
            cash0, free0 = acct.cash, acct.free()
            todo = []
            for j, col in enumerate(members):
                c = cl[i][col]
                if math.isnan(c):
                    continue
                last[j] = c
                sig = _directional(
                    direction, bool(le_rows[i][col]), bool(lx_rows[i][col]), False, False, False
                )
                val = _order_value(sims[j].p, acct.pos[j], sig, c, cash0, free0)
                if val is not None:
                    todo.append((val, j, sig, c))
            todo.sort(key=lambda t: t[0])  # stable: equal values keep the column order
            for _, j, sig, c in todo:
                sim = sims[j]
                if acct.pos[j] == 0.0:  # an entry from flat
                    if sum(1 for x in acct.pos if x != 0.0) >= max_positions:
                        continue
                    if not math.isnan(max_weight):
                        p = sim.p
                        if p.size_type == "value":
                            want = p.size
                        elif p.size_type == "percent":
                            buying = _resolve(*sig)[0]
                            want = p.size * (acct.cash if buying else acct.free())
                        else:
                            want = p.size * c
                        capped = _Col(min(want, max_weight * value0), "value", p.fees,
                                      p.fixed_fees, p.slippage, p.min_size, p.lot, NAN, NAN,
                                      False, NAN)  # fmt: skip
                        sim.p = capped
                        sim.act(i, sig, c)
                        sim.p = p
                        continue
                sim.act(i, sig, c)
            if _close(acct.cash, 0.0):
                acct.cash = 0.0
            cash_out[i][g] = acct.cash
            for j, col in enumerate(members):
                positions[i][col] = acct.pos[j]
            equity[i][g] = acct.cash + sum(
                acct.pos[j] * last[j] for j in range(len(members)) if acct.pos[j] != 0.0
            )
    orders.sort(key=lambda o: o.col)
    return NaiveResult(np.array(equity), np.array(cash_out), np.array(positions), orders)
