"""Kernels that rebuild states and trades from order records.

The simulation kernels keep only order records (and running statistics); positions,
cash and trades are derived here on demand, so a result costs ``(n_bars, n_columns)``
memory only when the user asks for those panels.
"""

from __future__ import annotations

import numpy as np

from quantlab._numba import jit, prange
from quantlab.backtest._execution import book_fill
from quantlab.backtest.records import Direction, ExitReason, Side, TradeStatus

# the enums of records.py as plain ints (numba folds module globals into constants)
SIDE_BUY = int(Side.BUY)
LONG = int(Direction.LONG)
SHORT = int(Direction.SHORT)
OPEN = int(TradeStatus.OPEN)
CLOSED = int(TradeStatus.CLOSED)
R_END = int(ExitReason.END)


def _positions_from_orders(
    orders: np.ndarray, col_start: np.ndarray, n_bars: int, n_cols: int
) -> np.ndarray:
    """Units held at the close of each bar, ``(n_bars, n_cols)``.

    ``orders`` are sorted by column then bar; ``col_start[c]:col_start[c+1]`` indexes column c.
    """
    out = np.empty((n_cols, n_bars)).T  # F-order: each column contiguous
    for c in prange(n_cols):
        pos = 0.0
        k = col_start[c]
        end = col_start[c + 1]
        for i in range(n_bars):
            while k < end and orders[k]["idx"] == i:
                if orders[k]["side"] == SIDE_BUY:
                    pos += orders[k]["size"]
                else:
                    pos -= orders[k]["size"]
                if abs(pos) < 1e-12 * max(1.0, orders[k]["size"]):
                    pos = 0.0
                k += 1
            out[i, c] = pos
    return out


@jit()
def cash_flows(
    orders: np.ndarray, group_of_col: np.ndarray, n_bars: int, n_groups: int
) -> np.ndarray:
    """Net cash flow of each group at each bar, ``(n_bars, n_groups)``."""
    out = np.zeros((n_groups, n_bars)).T
    for k in range(orders.shape[0]):
        o = orders[k]
        g = group_of_col[o["col"]]
        value = o["size"] * o["price"]
        if o["side"] == SIDE_BUY:
            out[o["idx"], g] -= value + o["fees"]
        else:
            out[o["idx"], g] += value - o["fees"]
    return out


def _equity_from_state(
    cash: np.ndarray,
    positions: np.ndarray,
    close_ffill: np.ndarray,
    asset_of_col: np.ndarray,
    group_of_col: np.ndarray,
    group_start: np.ndarray,
) -> np.ndarray:
    """Equity ``cash + sum(position * last valid close)`` per group, ``(n_bars, n_groups)``."""
    n_bars, n_groups = cash.shape
    out = np.empty((n_groups, n_bars)).T
    for g in prange(n_groups):
        for i in range(n_bars):
            v = cash[i, g]
            for c in range(group_start[g], group_start[g + 1]):
                p = positions[i, c]
                if p != 0.0:
                    v += p * close_ffill[i, asset_of_col[c]]
            out[i, g] = v
    return out


@jit()
def trades_from_orders(
    orders: np.ndarray,
    col_start: np.ndarray,
    close_ffill: np.ndarray,
    asset_of_col: np.ndarray,
    trades: np.ndarray,
) -> int:
    """Pair orders into round trips (average-price accounting); returns the count.

    A fill that reduces a position closes that part of it as one trade, with the average
    entry price and a pro-rata share of the entry fees; a fill that crosses zero closes
    the position and opens a new one with the rest. A position still open at the end is
    reported as an open trade valued at the last valid close.
    """
    n_cols = col_start.shape[0] - 1
    n_bars = close_ffill.shape[0]
    t = 0
    for c in range(n_cols):
        pos = 0.0
        entry_size = 0.0
        entry_price = 0.0
        entry_fees = 0.0
        entry_idx = -1
        for k in range(col_start[c], col_start[c + 1]):
            o = orders[k]
            signed = o["size"] if o["side"] == SIDE_BUY else -o["size"]
            fsize = o["size"]
            new_pos = pos + signed
            if abs(new_pos) < 1e-12 * max(1.0, fsize):
                new_pos = 0.0
            closing, pnl, e_size, e_price, e_fees_left, _ = book_fill(
                pos,
                new_pos,
                signed > 0.0,
                fsize,
                o["price"],
                o["fees"],
                entry_size,
                entry_price,
                entry_fees,
            )
            if closing > 0.0:
                efees = entry_fees * (closing / entry_size if entry_size > 0.0 else 1.0)
                tr = trades[t]
                tr["id"] = t
                tr["col"] = c
                tr["size"] = closing
                tr["entry_idx"] = entry_idx
                tr["entry_price"] = entry_price
                tr["entry_fees"] = efees
                tr["exit_idx"] = o["idx"]
                tr["exit_price"] = o["price"]
                tr["exit_fees"] = o["fees"] * closing / fsize
                tr["pnl"] = pnl
                cost = closing * entry_price + efees
                tr["ret"] = pnl / cost if cost != 0.0 else np.nan
                tr["duration"] = o["idx"] - entry_idx
                tr["direction"] = LONG if pos > 0.0 else SHORT
                tr["status"] = CLOSED
                tr["exit_reason"] = o["reason"]
                t += 1
            if new_pos != 0.0 and (pos == 0.0 or (pos > 0.0) != (new_pos > 0.0)):
                entry_idx = o["idx"]
            entry_size = e_size
            entry_price = e_price
            entry_fees = e_fees_left
            pos = new_pos
            if pos == 0.0:
                entry_size = 0.0
                entry_fees = 0.0
        if pos != 0.0:
            last = close_ffill[n_bars - 1, asset_of_col[c]]
            size = abs(pos)
            if pos > 0.0:
                pnl = size * (last - entry_price) - entry_fees
                direction = LONG
            else:
                pnl = size * (entry_price - last) - entry_fees
                direction = SHORT
            tr = trades[t]
            tr["id"] = t
            tr["col"] = c
            tr["size"] = size
            tr["entry_idx"] = entry_idx
            tr["entry_price"] = entry_price
            tr["entry_fees"] = entry_fees
            tr["exit_idx"] = -1
            tr["exit_price"] = last
            tr["exit_fees"] = 0.0
            tr["pnl"] = pnl
            cost = size * entry_price + entry_fees
            tr["ret"] = pnl / cost if cost != 0.0 else np.nan
            tr["duration"] = n_bars - 1 - entry_idx
            tr["direction"] = direction
            tr["status"] = OPEN
            tr["exit_reason"] = R_END
            t += 1
    return t


def _ffill_columns(a: np.ndarray) -> np.ndarray:
    """Forward-fill NaN down each column (leading NaN stay NaN)."""
    n, m = a.shape
    out = np.empty((m, n)).T
    for j in prange(m):
        last = np.nan
        for i in range(n):
            v = a[i, j]
            if not np.isnan(v):
                last = v
            out[i, j] = last
    return out


@jit()
def compact_orders(
    orders: np.ndarray, offsets: np.ndarray, counts: np.ndarray, out: np.ndarray
) -> None:
    """Gather each column's ``counts[c]`` orders from ``orders[offsets[c]:]`` contiguously."""
    n_cols = counts.shape[0]
    starts = np.zeros(n_cols + 1, dtype=np.int64)
    for c in range(n_cols):
        starts[c + 1] = starts[c] + counts[c]
    for c in prange(n_cols):
        for k in range(counts[c]):
            out[starts[c] + k] = orders[offsets[c] + k]
            out[starts[c] + k]["id"] = starts[c] + k


@jit()
def close_gaps(orders: np.ndarray, offsets: np.ndarray, counts: np.ndarray) -> int:
    """Pack, in place, the ``counts[c]`` orders each column wrote at ``orders[offsets[c]:]``.

    Columns follow one another from the start of ``orders`` (each keeps its order, ids are
    renumbered); returns the number of orders. A column only ever moves down, so moving
    them in order never overwrites one not yet moved; columns before the first gap stay.
    """
    n = 0
    for c in range(counts.shape[0]):
        src = offsets[c]
        if src != n:
            for k in range(counts[c]):
                orders[n + k] = orders[src + k]
                orders[n + k]["id"] = n + k
        n += counts[c]
    return n


# Parallel and serial twins of the panel builders (see _signals_kernel): small results
# use the serial ones.
positions_from_orders = jit(parallel=True)(_positions_from_orders)
positions_from_orders_serial = jit()(_positions_from_orders)
equity_from_state = jit(parallel=True)(_equity_from_state)
equity_from_state_serial = jit()(_equity_from_state)
ffill_columns = jit(parallel=True)(_ffill_columns)
ffill_columns_serial = jit()(_ffill_columns)
