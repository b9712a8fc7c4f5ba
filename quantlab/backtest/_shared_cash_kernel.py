"""The from_signals kernel with shared cash: a group of columns trades from one account.

Each column keeps its own position, stops and trade bookkeeping (the single-account
kernel's state row, :mod:`quantlab.backtest._signals_kernel`); the group owns the cash.
Per bar, the columns' decisions are gathered first and executed after, in ascending order
of their approximate order value (vectorbt's ``call_seq="auto"``), so sales and covers
release cash before purchases spend it; equal values keep the column order. The value of
an order at the bar's order price ``p``, with the group's cash at the bar's start:

* ``AMOUNT``: signed units x ``p`` (a sale is negative; ``inf`` entries tie at ``inf``);
* ``VALUE``: the signed cash value;
* ``PERCENT``: a purchase ``size x cash``, a short sale ``-size x free cash``;
* a reversal: the signed units of the close plus the new position's units, x ``p``
  (``PERCENT`` reversals: the close's units x ``p`` plus the percent value above).

With ``price="close"`` the stop exits and the signal orders of a bar are executed in one
sorted sequence (a stop exit replaces its column's signals). With ``price="next_open"``
the pending signal orders fill at the open, sorted among themselves; then the stop exits
of the bar, sorted among themselves.

Two limits of the group, applied at execution time in that order (so a sale earlier in
the bar frees a place): ``max_positions`` drops an entry from flat while that many
columns already hold a position; ``max_weight`` sizes an entry from flat as a cash value
of at most ``max_weight`` x the group's value at the bar's start (``AMOUNT``/``VALUE``/
``PERCENT`` sizes above it are cut to it; ``inf`` becomes it).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from quantlab._numba import jit
from quantlab.backtest import _stats as S
from quantlab.backtest._execution import NO_ORDER, PERCENT, SIDE_BUY, VALUE, Costs, Intent
from quantlab.backtest._signals_kernel import (
    CASH,
    DIR_BOTH,
    DIR_SHORT,
    ENTRY_IDX,
    FREE,
    N_STATE,
    POS,
    PRICE_NEXT_OPEN,
    SignalArrays,
    SignalParams,
    Stops,
    _check_stops,
    _order,
    _signal_intent,
    _slot,
    column_costs,
    flex,
)


class GroupParams(NamedTuple):
    """Per-group parameters (length 1 or ``n_groups``)."""

    init_cash: np.ndarray
    max_positions: np.ndarray  # inf: no limit
    max_weight: np.ndarray  # NaN: no cap


@jit(inline=True)
def order_value(intent: Intent, pos: float, price: float, cash: float, free: float) -> float:
    """The approximate value by which a bar's orders are sorted (module docstring)."""
    if intent.side == NO_ORDER:
        return 0.0
    sign = 1.0 if intent.side == SIDE_BUY else -1.0
    close_units = 0.0
    if intent.reverse and pos * sign < 0.0:
        close_units = abs(pos)
    if intent.reduce_only:
        return sign * min(abs(pos), intent.size) * price
    if intent.size_type == PERCENT:
        base = cash if sign > 0.0 else max(free, 0.0)
        return sign * (close_units * price + intent.size * base)
    if intent.size_type == VALUE:
        if close_units == 0.0:
            return sign * intent.size
        return sign * (close_units + intent.size / price) * price
    return sign * (close_units + intent.size) * price


REDUCE = 1  # intent flags, packed in one int per gathered intent
REVERSE = 2
NO_MIN_SIZE = 4  # a stop exit closes the whole position: no minimum size


class Gathered(NamedTuple):
    """A bar's intents, gathered before execution (struct of arrays, ``k`` slots)."""

    side: np.ndarray  # int64
    size: np.ndarray
    size_type: np.ndarray  # int64
    flags: np.ndarray  # int64: REDUCE | REVERSE | NO_MIN_SIZE
    reason: np.ndarray  # int64
    price: np.ndarray  # fill price before slippage
    val_price: np.ndarray  # the price the order's value is taken at
    col: np.ndarray  # int64, group-relative column
    seq: np.ndarray  # int64 scratch: execution order
    val: np.ndarray  # scratch: sorted values


@jit()
def _gathered(k: int) -> Gathered:
    return Gathered(
        np.zeros(k, dtype=np.int64),
        np.zeros(k),
        np.zeros(k, dtype=np.int64),
        np.zeros(k, dtype=np.int64),
        np.zeros(k, dtype=np.int64),
        np.zeros(k),
        np.zeros(k),
        np.zeros(k, dtype=np.int64),
        np.zeros(k, dtype=np.int64),
        np.zeros(k),
    )


@jit(inline=True)
def _push(
    b: Gathered, m: int, it: Intent, j: int, price: float, val_price: float, no_min: bool
) -> int:
    b.side[m] = it.side
    b.size[m] = it.size
    b.size_type[m] = it.size_type
    b.flags[m] = (REDUCE if it.reduce_only else 0) | (REVERSE if it.reverse else 0)
    if no_min:
        b.flags[m] |= NO_MIN_SIZE
    b.reason[m] = it.reason
    b.price[m] = price
    b.val_price[m] = val_price
    b.col[m] = j
    return m + 1


@jit(inline=True)
def _intent(b: Gathered, u: int) -> Intent:
    f = b.flags[u]
    return Intent(
        b.side[u], b.size[u], b.size_type[u], (f & REDUCE) != 0, (f & REVERSE) != 0, b.reason[u]
    )


@jit(inline=True)
def _opens(intent: Intent, pos: float) -> bool:
    """Whether ``intent`` opens a position in a flat column."""
    return intent.side != NO_ORDER and not intent.reduce_only and pos == 0.0


@jit()
def _run_sorted(
    st: np.ndarray,
    stats: np.ndarray,
    b: Gathered,
    m: int,
    cash_free: np.ndarray,
    max_positions: float,
    max_weight: float,
    value0: float,
    cost_tab: np.ndarray,
    i: int,
    c0: int,
    orders: np.ndarray,
    offsets: np.ndarray,
    record: bool,
    n_col: np.ndarray,
) -> None:
    """Execute the ``m`` gathered intents in ascending order of value, from shared cash.

    ``cash_free`` holds the group's ``(cash, free_cash)`` and is updated; ``value0`` is
    the group's value at the bar's start (for ``max_weight``); ``cost_tab[j]`` the costs
    of column ``j`` (fees, fixed fees, slippage, min size, granularity).
    """
    cash0 = cash_free[0]
    free0 = cash_free[1]
    for u in range(m):
        val = order_value(_intent(b, u), st[b.col[u], POS], b.val_price[u], cash0, free0)
        v = u - 1  # stable insertion: after any equal value
        while v >= 0 and b.val[v] > val:
            b.seq[v + 1] = b.seq[v]
            b.val[v + 1] = b.val[v]
            v -= 1
        b.seq[v + 1] = u
        b.val[v + 1] = val
    n_open = 0
    if max_positions < np.inf:
        for j in range(st.shape[0]):
            if st[j, POS] != 0.0:
                n_open += 1
    for w in range(m):
        u = b.seq[w]
        j = b.col[u]
        it = _intent(b, u)
        row = st[j]
        was_open = row[POS] != 0.0
        if _opens(it, row[POS]):
            if n_open >= max_positions:
                continue
            if not np.isnan(max_weight):
                want = np.inf
                if it.size_type == VALUE:
                    want = it.size
                elif it.size_type == PERCENT:
                    want = it.size * (cash_free[0] if it.side == SIDE_BUY else cash_free[1])
                elif not np.isinf(it.size):
                    want = it.size * b.price[u]
                it = Intent(it.side, min(want, max_weight * value0), VALUE, False, False, it.reason)
        col = c0 + j
        ct = cost_tab[j]
        min_size = 0.0 if b.flags[u] & NO_MIN_SIZE else ct[3]
        costs = Costs(ct[0], ct[1], ct[2], min_size, ct[4])
        row[CASH] = cash_free[0]
        row[FREE] = cash_free[1]
        slot = _slot(record, offsets[col], n_col[j], offsets[col + 1])
        if _order(row, stats, it, b.price[u], costs, i, col, orders, slot):
            n_col[j] += 1
            cash_free[0] = row[CASH]
            cash_free[1] = row[FREE]
            now_open = row[POS] != 0.0
            if now_open and not was_open:
                n_open += 1
            elif was_open and not now_open:
                n_open -= 1


@jit()
def _value_before(
    close: np.ndarray, assets: np.ndarray, st: np.ndarray, cash: float, i: int
) -> float:
    """The group's value at the start of bar ``i``: holdings at their last valid close."""
    value = cash
    for j in range(st.shape[0]):
        pos = st[j, POS]
        if pos != 0.0:
            row = close[assets[j]]
            t = i - 1
            while t > 0 and np.isnan(row[t]):
                t -= 1
            value += pos * row[t]
    return value


@jit()
def _simulate_group(
    arr: SignalArrays,
    par: SignalParams,
    gpar: GroupParams,
    size_type: int,
    direction: int,
    price_mode: int,
    g: int,
    group_start: np.ndarray,
    offsets: np.ndarray,
    orders: np.ndarray,
    record: bool,
    stats: np.ndarray,
    counts: np.ndarray,
    event: np.ndarray,
) -> None:
    # the arrays as locals: indexing through the NamedTuple in the loop costs a lot
    close = arr.close
    open_ = arr.open
    high = arr.high
    low = arr.low
    ent = arr.entries
    ext = arr.exits
    sent = arr.short_entries
    sext = arr.short_exits
    n_bars = close.shape[1]
    c0 = group_start[g]
    k = group_start[g + 1] - c0
    has_ohlc = open_.shape[0] > 0
    has_hl = high.shape[0] > 0
    has_short = sent.shape[0] > 0
    next_open = price_mode == PRICE_NEXT_OPEN
    init_cash = flex(gpar.init_cash, g)
    max_pos = flex(gpar.max_positions, g)
    max_w = flex(gpar.max_weight, g)
    st = np.zeros((k, N_STATE))
    st[:, ENTRY_IDX] = -1.0
    cash_free = np.array([init_cash, init_cash])
    last = np.full(k, np.nan)
    n_col = np.zeros(k, dtype=np.int64)
    pend = np.zeros((k, 4), dtype=np.bool_)  # next-open: (le, lx, se, sx) pending
    has_pend = np.zeros(k, dtype=np.bool_)
    stopped = np.zeros(k, dtype=np.bool_)
    b = _gathered(k)
    use_stops = np.zeros(k, dtype=np.bool_)
    sizes = np.zeros(k)
    assets = arr.asset_of_col[c0 : c0 + k]
    cost_tab = np.empty((k, 5))  # gathered once: fees, fixed fees, slippage, min size, lot
    for j in range(k):
        col = c0 + j
        ct = column_costs(par, col)
        cost_tab[j, 0] = ct.fees
        cost_tab[j, 1] = ct.fixed_fees
        cost_tab[j, 2] = ct.slippage
        cost_tab[j, 3] = ct.min_size
        cost_tab[j, 4] = ct.granularity
        sizes[j] = flex(par.size, col)
        use_stops[j] = not (
            np.isnan(flex(par.sl_stop, col))
            and np.isnan(flex(par.tp_stop, col))
            and np.isnan(flex(par.time_stop, col))
        )
    # the bars with a signal in any column of the group (a branch-free pass): in full
    # mode nothing happens on the others unless a stop is armed or an order pends
    event[:] = False
    for j in range(k):
        e_row = ent[c0 + j]
        x_row = ext[c0 + j]
        if has_short:
            se_row = sent[c0 + j]
            sx_row = sext[c0 + j]
            for t in range(n_bars):
                event[t] |= e_row[t] | x_row[t] | se_row[t] | sx_row[t]
        else:
            for t in range(n_bars):
                event[t] |= e_row[t] | x_row[t]
    S.stats_init(stats, init_cash)
    prev = init_cash
    run = S.running_init(init_cash)
    armed = False  # a stop is armed in some column
    pending = False  # an order waits for the next open in some column
    for i in range(n_bars):
        if event[i] or armed or pending:
            if np.isnan(max_w):
                value0 = np.nan
            elif record:
                value0 = _value_before(close, assets, st, cash_free[0], i)
            else:
                value0 = cash_free[0]
                for j in range(k):
                    if st[j, POS] != 0.0:
                        value0 += st[j, POS] * last[j]
            # 1. next-open: the pending signal orders fill at this open, sorted
            m = 0
            if next_open and pending:
                pending = False
                for j in range(k):
                    if has_pend[j]:
                        o = open_[assets[j], i]
                        if np.isnan(o):
                            pending = True  # waits for a bar with a valid open
                            continue
                        has_pend[j] = False
                        p = pend[j]
                        it = _signal_intent(st[j, POS], p[0], p[1], p[2], p[3], sizes[j], size_type)
                        if it.side != NO_ORDER:
                            m = _push(b, m, it, j, o, o, False)
                if m > 0:
                    _run_sorted(st, stats, b, m, cash_free, max_pos, max_w, value0, cost_tab, i,
                                c0, orders, offsets, record, n_col)  # fmt: skip
                    m = 0
            # 2. the stops of positions entered on an earlier bar (as the single-account
            # kernel)
            # (with next-open, a position filled at this open is checked from this bar)
            check_stops = armed or next_open
            if check_stops:
                for j in range(k):
                    stopped[j] = False
                    if not use_stops[j] or st[j, POS] == 0.0:
                        continue
                    col = c0 + j
                    a = assets[j]
                    c = close[a, i]
                    valid = not np.isnan(c)
                    if next_open:
                        o = open_[a, i]
                        if np.isnan(o):
                            continue
                        time_price = o
                        val_price = o
                    else:
                        if not valid or st[j, ENTRY_IDX] >= i:
                            continue
                        o = c
                        if has_ohlc and not np.isnan(open_[a, i]):
                            o = open_[a, i]
                        time_price = c
                        val_price = c  # vectorbt values a stop exit at the bar's close
                    h = high[a, i] if has_hl else np.nan
                    lo = low[a, i] if has_hl else np.nan
                    if np.isnan(h):
                        h = max(o, c) if valid else o
                    if np.isnan(lo):
                        lo = min(o, c) if valid else o
                    stops = Stops(
                        flex(par.sl_stop, col),
                        flex(par.tp_stop, col),
                        flex(par.sl_trail, col) != 0.0,
                        flex(par.time_stop, col),
                    )
                    exit_, fill = _check_stops(st[j], i, o, h, lo, time_price, next_open, stops)
                    if exit_.side != NO_ORDER:
                        stopped[j] = True
                        m = _push(b, m, exit_, j, fill, val_price, True)
                if next_open and m > 0:
                    _run_sorted(st, stats, b, m, cash_free, max_pos, max_w, value0, cost_tab, i,
                                c0, orders, offsets, record, n_col)  # fmt: skip
                    m = 0
            # 3. this bar's signals: pending for the next open, or orders at this close
            # sorted with the stop exits (a stop exit replaces its column's signals)
            if event[i]:
                for j in range(k):
                    col = c0 + j
                    le = ent[col, i]
                    lx = ext[col, i]
                    se = False
                    sx = False
                    if has_short:
                        se = sent[col, i]
                        sx = sext[col, i]
                    if not (le or lx or se or sx):
                        continue
                    c = close[assets[j], i]
                    if np.isnan(c):
                        continue
                    if direction == DIR_SHORT:
                        se = le
                        sx = lx
                        le = False
                        lx = False
                    elif direction == DIR_BOTH and not has_short:
                        se = lx
                        lx = False
                    if not (le or lx or se or sx):
                        continue
                    if next_open:
                        if i + 1 < n_bars:
                            pend[j, 0] = le
                            pend[j, 1] = lx
                            pend[j, 2] = se
                            pend[j, 3] = sx
                            has_pend[j] = True
                            pending = True
                    elif not (check_stops and stopped[j]):
                        it = _signal_intent(st[j, POS], le, lx, se, sx, sizes[j], size_type)
                        if it.side != NO_ORDER:
                            m = _push(b, m, it, j, c, c, False)
            if m > 0:
                _run_sorted(st, stats, b, m, cash_free, max_pos, max_w, value0, cost_tab, i, c0,
                            orders, offsets, record, n_col)  # fmt: skip
            armed = False
            for j in range(k):
                if use_stops[j] and st[j, POS] != 0.0:
                    armed = True
                    break
        if not record:
            value = cash_free[0]
            in_market = False
            for j in range(k):
                c = close[assets[j], i]
                if not np.isnan(c):
                    last[j] = c
                if st[j, POS] != 0.0:
                    in_market = True
                    value += st[j, POS] * last[j]
            r = S.bar_return(value, prev)
            prev = value
            run = S.bar(i, value, r, in_market, run)
    for j in range(k):
        counts[c0 + j] = n_col[j]
    if not record:
        S.store(stats, n_bars, prev, run)


@jit()
def simulate_shared_cash(
    arr: SignalArrays,
    par: SignalParams,
    gpar: GroupParams,
    size_type: int,
    direction: int,
    price_mode: int,
    group_start: np.ndarray,
    offsets: np.ndarray,
    orders: np.ndarray,
    record: bool,
    stats: np.ndarray,
    counts: np.ndarray,
    g_lo: int,
    g_hi: int,
) -> None:
    """Simulate groups ``[g_lo, g_hi)``; orders of column ``c`` go to ``orders[offsets[c]:]``.

    ``counts[c]`` receives the number of orders executed in column ``c`` (above its
    capacity: its slice overflowed); ``stats`` is ``(n_groups, N_STATS)`` (order figures
    only in full mode). Disjoint group ranges can run in parallel threads.
    """
    event = np.empty(arr.close.shape[1], dtype=np.bool_)
    for g in range(g_lo, g_hi):
        _simulate_group(arr, par, gpar, size_type, direction, price_mode, g, group_start,
                        offsets, orders, record, stats[g], counts, event)  # fmt: skip
