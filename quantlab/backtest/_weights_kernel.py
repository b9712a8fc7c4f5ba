"""The from_weights simulation kernel: one portfolio (group of columns) per thread.

At a rebalance bar the portfolio value ``V = cash + sum(position * price)`` is taken at
the execution prices (the last valid close for an asset without a price on that bar);
each asset with a target weight ``w`` is traded towards ``w * V / price`` units. Orders
are executed in ascending order of their value ``w * V - position * price`` (equal values
in column order), so every sale happens before any purchase and the cash exists; a
purchase the remaining cash cannot cover is filled partially. A NaN weight leaves that
asset's position unchanged; a row of NaN weights does not rebalance. When the gross
target exposure ``sum(|w|)`` exceeds ``max_leverage`` the weights are scaled down
proportionally. A trade smaller in value than ``min_trade`` is skipped.

Memory layout: the weights are read column-major (``(n_cols, n_rows)``, each column
contiguous, the layout of a pandas frame, so no copy): a portfolio walks its own columns
down the bars as a few sequential streams, where a row-major panel made it jump a whole
row (every portfolio's columns) from one bar to the next, a cache miss per bar.

In full mode (``record``) the kernel only executes the rebalances: every per-bar figure
is rebuilt later from the equity the orders imply (as for ``from_signals``), and each
column's orders go straight to their final place, ``orders[col_offset[c]:]``, sized by
:func:`order_capacity` (a column trades at most once per bar that gives it a weight).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import numpy as np

from quantlab._numba import jit
from quantlab.backtest import _execution
from quantlab.backtest import _stats as S
from quantlab.backtest._execution import AMOUNT, SIDE_BUY, SIDE_SELL, Costs, Intent, is_close, snap
from quantlab.backtest._signals_kernel import flex
from quantlab.backtest.records import ExitReason

R_REBALANCE = int(ExitReason.REBALANCE)

F = TypeVar("F", bound=Callable[..., Any])


def _inlined(kernel: F) -> F:
    """A twin of an execution kernel that numba inlines (IR level) into the rebalance loop.

    The intent fields the loop never varies (amount sizing, no reduce-only or reversal
    orders) then fold away in the inlined order path.
    """
    return jit(inline=True)(getattr(kernel, "py_func", kernel))


execute = _inlined(_execution.execute)
book_fill = _inlined(_execution.book_fill)


class WeightArrays(NamedTuple):
    close: np.ndarray  # (n_bars, n_assets) last valid close (forward-filled), for valuation
    weights: np.ndarray  # (n_cols, n_weight_rows) float64, column-major, NaN = unchanged
    reb_bar: np.ndarray  # (n_reb,) int64, ascending: the bars that may rebalance
    reb_row: np.ndarray  # (n_reb,) int64: the weights row each of them executes
    # (n_reb, n_assets) prices at those bars, contiguous (a group reads them in turn):
    trade_price: np.ndarray  # fill prices (close or open), NaN = the asset does not trade
    value_price: np.ndarray  # valuation: the fill price, else the last valid close before
    asset_of_col: np.ndarray  # (n_cols,) int64
    group_start: np.ndarray  # (n_groups + 1,) int64, columns of group g: [gs[g], gs[g+1])
    high: np.ndarray  # (n_assets,) highest |close| (0 if none), for the overflow bound


class WeightParams(NamedTuple):
    """Per-group parameters (length 1 or n_groups)."""

    fees: np.ndarray
    fixed_fees: np.ndarray
    slippage: np.ndarray
    init_cash: np.ndarray
    max_leverage: np.ndarray
    min_trade: np.ndarray
    granularity: np.ndarray


@jit()
def order_capacity(
    weights: np.ndarray, row_of_bar: np.ndarray, capacity: np.ndarray, c_lo: int, c_hi: int
) -> np.ndarray:
    """``capacity[c + 1]``: the bars that give column ``c`` a weight, for ``c`` in ``[c_lo, c_hi)``.

    A column trades at most once at each of them, so this bounds its orders. Returns
    which bars give any of these columns a weight: the others rebalance nothing, and
    skipping them spares the simulation a read of every column at every bar.
    """
    n_bars = row_of_bar.shape[0]
    active = np.zeros(n_bars, dtype=np.bool_)
    for c in range(c_lo, c_hi):
        w = weights[c]
        m = 0
        for i in range(n_bars):
            r = row_of_bar[i]
            if r >= 0 and not np.isnan(w[r]):
                m += 1
                active[i] = True
        capacity[c + 1] = m
    return active


@jit()
def _simulate_group(
    arr: WeightArrays,
    par: WeightParams,
    g: int,
    col_offset: np.ndarray,
    orders: np.ndarray,
    record: bool,
    stats: np.ndarray,
    ret_out: np.ndarray,
    counts: np.ndarray,
    bound: np.ndarray,
) -> None:
    # the arrays as locals: indexing through the NamedTuple in the loop costs a lot
    close = arr.close
    weights = arr.weights
    reb_bar = arr.reb_bar
    reb_row = arr.reb_row
    trade_price = arr.trade_price
    value_price = arr.value_price
    n_bars = close.shape[0]
    n_reb = reb_bar.shape[0]
    keep_returns = ret_out.shape[0] > 0
    c0 = arr.group_start[g]
    c1 = arr.group_start[g + 1]
    k = c1 - c0
    # no minimum size: min_trade (a value) filters the rebalance trades
    costs = Costs(
        flex(par.fees, g),
        flex(par.fixed_fees, g),
        flex(par.slippage, g),
        0.0,
        flex(par.granularity, g),
    )
    init_cash = flex(par.init_cash, g)
    max_lev = flex(par.max_leverage, g)
    min_trade = flex(par.min_trade, g)

    cash = init_cash
    free = init_cash
    asset = arr.asset_of_col[c0:c1]
    pos = np.zeros(k)
    debt = np.zeros(k)
    delta = np.zeros(k)
    seq = np.zeros(k, dtype=np.int64)  # the orders of a rebalance, in execution order
    seq_val = np.zeros(k)  # and their values
    e_size = np.zeros(k)
    e_price = np.zeros(k)
    e_fees = np.zeros(k)
    n_col = np.zeros(k, dtype=np.int64)  # orders of each column so far
    flows = np.zeros(k)  # sum of |size x price| + |fees| per column (overflow bound)
    units = np.zeros(k)  # sum of |size| per column (overflow bound)
    S.stats_init(stats, init_cash)
    prev = init_cash
    run = S.running_init(init_cash)
    e = 0  # the next rebalance
    for i in range(n_bars):
        if e < n_reb and reb_bar[e] == i:
            r = reb_row[e]
            any_w = False
            for j in range(k):
                if not np.isnan(weights[c0 + j, r]):
                    any_w = True
                    break
            if any_w:
                if i > 0:
                    # the cash is snapped at each bar's end; the full mode skips bars
                    cash = snap(cash)
                value = cash
                gross = 0.0
                for j in range(k):
                    if pos[j] != 0.0:
                        value += pos[j] * value_price[e, asset[j]]
                    w = weights[c0 + j, r]
                    if not np.isnan(w):
                        gross += abs(w)
                scale = 1.0
                if not np.isnan(max_lev) and gross > max_lev:
                    scale = max_lev / gross
                m = 0
                for j in range(k):
                    w = weights[c0 + j, r]
                    p = trade_price[e, asset[j]]
                    if np.isnan(w) or np.isnan(p) or value <= 0.0:
                        continue
                    target = w * scale * value
                    d = target / p - pos[j]
                    if is_close(d, 0.0) or abs(d) * p < min_trade:
                        continue
                    delta[j] = d
                    # insertion by ascending order value, after any equal one (stable):
                    # sales first, small purchases before large ones. The value is
                    # target - pos * p, not d * p: equal targets then tie exactly
                    # ((w * V / p) * p is off by an ulp, in a price-dependent direction),
                    # and the tie keeps the column order, as vectorbt's call_seq="auto"
                    val = target - pos[j] * p
                    v = m - 1
                    while v >= 0 and seq_val[v] > val:
                        seq[v + 1] = seq[v]
                        seq_val[v + 1] = seq_val[v]
                        v -= 1
                    seq[v + 1] = j
                    seq_val[v + 1] = val
                    m += 1
                for u in range(m):
                    j = seq[u]
                    p = trade_price[e, asset[j]]
                    if delta[j] < 0.0:
                        intent = Intent(SIDE_SELL, -delta[j], AMOUNT, False, False, R_REBALANCE)
                    else:
                        intent = Intent(SIDE_BUY, delta[j], AMOUNT, False, False, R_REBALANCE)
                    f = execute(cash, pos[j], debt[j], free, intent, p, costs)
                    cash = f.cash
                    free = f.free_cash
                    if f.filled:
                        fsize = f.size
                        fprice = f.price
                        fpaid = f.fees
                        closed, pnl, e_size[j], e_price[j], e_fees[j], opened = book_fill(
                            pos[j],
                            f.position,
                            intent.side == SIDE_BUY,
                            fsize,
                            fprice,
                            fpaid,
                            e_size[j],
                            e_price[j],
                            e_fees[j],
                        )
                        if closed > 0.0:
                            S.stats_trade_closed(stats, pnl)
                        if opened:
                            stats[S.N_TRADES] += 1.0
                        pos[j] = f.position
                        debt[j] = f.debt
                        stats[S.N_ORDERS] += 1.0
                        stats[S.TOTAL_FEES] += fpaid
                        flows[j] += abs(fsize * fprice) + abs(fpaid)
                        units[j] += abs(fsize)
                        if record:
                            slot = col_offset[c0 + j] + n_col[j]
                            rec = orders[slot]
                            rec["id"] = slot
                            rec["col"] = c0 + j
                            rec["idx"] = i
                            rec["size"] = fsize
                            rec["price"] = fprice
                            rec["fees"] = fpaid
                            rec["side"] = intent.side
                            rec["reason"] = intent.reason
                        n_col[j] += 1
                    delta[j] = 0.0
            e += 1
        if record:
            continue  # full mode: the per-bar figures come from the equity panel
        value = cash
        in_market = False
        for j in range(k):
            if pos[j] != 0.0:
                in_market = True
                value += pos[j] * close[i, asset[j]]
        cash = snap(cash)
        r = S.bar_return(value, prev)
        prev = value
        if keep_returns:
            ret_out[i, g] = r
        run = S.bar(i, value, r, in_market, run)
    total = 0.0
    for j in range(k):
        counts[c0 + j] = n_col[j]
        total += flows[j] + units[j] * arr.high[asset[j]]
    # |cash| and every holding stay below this: finite means the equity panel is too
    bound[g] = abs(init_cash) + total
    if not record:
        S.store(stats, n_bars, prev, run)


@jit()
def simulate_weights(
    arr: WeightArrays,
    par: WeightParams,
    col_offset: np.ndarray,
    orders: np.ndarray,
    record: bool,
    stats: np.ndarray,
    ret_out: np.ndarray,
    counts: np.ndarray,
    bound: np.ndarray,
    g_lo: int,
    g_hi: int,
) -> None:
    """Simulate groups ``[g_lo, g_hi)``; orders of column ``c`` go to ``orders[col_offset[c]:]``.

    ``counts[c]`` receives the number of orders of column ``c``, ``bound[g]`` a bound on
    the magnitude of group ``g``'s cash and holdings (inf: the equity overflowed). In full
    mode (``record``) only the order figures of ``stats`` are filled. ``ret_out`` is
    ``(n_bars, n_groups)`` to keep each portfolio's bar returns, or ``(0, 0)``. Disjoint
    group ranges can run in parallel threads (each writes only its own groups).
    """
    for g in range(g_lo, g_hi):
        _simulate_group(arr, par, g, col_offset, orders, record, stats[g], ret_out, counts, bound)
