"""Copy-trade kernel: disclosed trades -> holding intervals -> a target-weights panel.

One strategy (group) per thread-free loop iteration; the groups are independent and small
(a filer touches tens of symbols), so the kernel is serial. The rules it implements are
written down in :mod:`quantlab.events.copytrade`; ``tests/events/naive_copytrade.py`` is
its slow, obviously-correct twin.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from quantlab._numba import jit


class CopyEvents(NamedTuple):
    """The usable events, sorted by (group, entry bar, side: sales first, table order)."""

    col: np.ndarray  # (n_events,) int64: output column (group, symbol) of the event
    bar: np.ndarray  # (n_events,) int64: entry bar (first tradable bar)
    side: np.ndarray  # (n_events,) int64: +1 purchase, -1 sale
    amount: np.ndarray  # (n_events,) float64: amount_mid (weighting="amount")
    group_start: np.ndarray  # (n_groups + 1,) int64: events of group g
    col_start: np.ndarray  # (n_groups + 1,) int64: columns of group g


class CopyRules(NamedTuple):
    hold: int  # bars a position is held after its last opening / extending disclosure
    exit_on_sale: bool  # an opposite-side disclosure ends the position
    short_sales: bool  # a sale opens (or extends) a short position
    max_positions: int  # 0 = no limit
    position_cap: float  # NaN = no cap
    by_amount: bool  # weight by amount_mid instead of equally


@jit()
def holding_intervals(ev: CopyEvents, rules: CopyRules, n_bars: int) -> tuple:
    """Positions as intervals ``[start, stop)`` of bars, plus per-event outcomes.

    Returns ``(i_col, i_start, i_stop, i_sign, i_amount, n_intervals, opened, skipped)``:
    the first ``n_intervals`` entries of the ``i_*`` arrays; ``opened[e]`` is True when
    event ``e`` opened a position, ``skipped[e]`` when it was refused for
    ``max_positions``.
    """
    n_ev = ev.col.shape[0]
    n_cols = ev.col_start[-1]
    i_col = np.empty(n_ev, dtype=np.int64)
    i_start = np.empty(n_ev, dtype=np.int64)
    i_stop = np.empty(n_ev, dtype=np.int64)
    i_sign = np.empty(n_ev, dtype=np.int64)
    i_amount = np.empty(n_ev, dtype=np.float64)
    opened = np.zeros(n_ev, dtype=np.bool_)
    skipped = np.zeros(n_ev, dtype=np.bool_)
    direction = np.zeros(n_cols, dtype=np.int64)
    start = np.zeros(n_cols, dtype=np.int64)
    end = np.zeros(n_cols, dtype=np.int64)
    amount = np.zeros(n_cols, dtype=np.float64)
    k = 0
    n_groups = ev.group_start.shape[0] - 1
    for g in range(n_groups):
        c_lo = ev.col_start[g]
        c_hi = ev.col_start[g + 1]
        for e in range(ev.group_start[g], ev.group_start[g + 1]):
            b = ev.bar[e]
            c = ev.col[e]
            s = ev.side[e]
            # positions whose holding period is over by this bar close first
            n_active = 0
            for j in range(c_lo, c_hi):
                if direction[j] != 0 and end[j] <= b:
                    i_col[k] = j
                    i_start[k] = start[j]
                    i_stop[k] = end[j]
                    i_sign[k] = direction[j]
                    i_amount[k] = amount[j]
                    k += 1
                    direction[j] = 0
                if direction[j] != 0:
                    n_active += 1
            if direction[c] == s:  # same side while held: extend the holding
                end[c] = max(end[c], b + rules.hold)
                continue
            if direction[c] == -s:
                if not rules.exit_on_sale:
                    continue  # the opposite disclosure is ignored
                i_col[k] = c
                i_start[k] = start[c]
                i_stop[k] = b
                i_sign[k] = direction[c]
                i_amount[k] = amount[c]
                k += 1
                direction[c] = 0
                n_active -= 1
            if s < 0 and not rules.short_sales:
                continue
            if rules.max_positions > 0 and n_active >= rules.max_positions:
                skipped[e] = True
                continue
            direction[c] = s
            start[c] = b
            end[c] = b + rules.hold
            amount[c] = ev.amount[e]
            opened[e] = True
        for j in range(c_lo, c_hi):
            if direction[j] != 0:
                i_col[k] = j
                i_start[k] = start[j]
                i_stop[k] = min(end[j], n_bars)
                i_sign[k] = direction[j]
                i_amount[k] = amount[j]
                k += 1
                direction[j] = 0
    return i_col, i_start, i_stop, i_sign, i_amount, k, opened, skipped


@jit()
def fill_weights(
    col_start: np.ndarray,
    group_of_col: np.ndarray,
    i_col: np.ndarray,
    i_start: np.ndarray,
    i_stop: np.ndarray,
    i_sign: np.ndarray,
    i_amount: np.ndarray,
    rules: CopyRules,
    shift: int,
    out: np.ndarray,
) -> None:
    """Write the target weights ``out`` (``(n_cols, n_bars)``, pre-filled with NaN).

    A group gets a row of weights (every one of its columns, 0 when not held) at each bar
    where one of its positions starts or stops, and NaN elsewhere (no rebalance: the
    positions drift with prices between changes). The row of bar ``b`` is written at
    ``b - shift`` (``shift=1``: on the decision bar of a ``next_open`` fill; a row that
    would fall before bar 0 is not written).
    """
    n_bars = out.shape[1]
    n_int = i_col.shape[0]
    n_groups = col_start.shape[0] - 1
    # intervals of each group, contiguous: sort by group (stable counting sort)
    count = np.zeros(n_groups + 1, dtype=np.int64)
    for k in range(n_int):
        count[group_of_col[i_col[k]] + 1] += 1
    for g in range(n_groups):
        count[g + 1] += count[g]
    order = np.empty(n_int, dtype=np.int64)
    fill = count[:-1].copy()
    for k in range(n_int):
        g = group_of_col[i_col[k]]
        order[fill[g]] = k
        fill[g] += 1
    score = np.zeros(out.shape[0], dtype=np.float64)
    for g in range(n_groups):
        lo = count[g]
        hi = count[g + 1]
        if lo == hi:
            continue
        bars = np.empty(2 * (hi - lo), dtype=np.int64)
        for m in range(lo, hi):
            k = order[m]
            bars[2 * (m - lo)] = i_start[k]
            bars[2 * (m - lo) + 1] = i_stop[k]
        bars = np.unique(bars)
        for b in bars:
            if b >= n_bars or b - shift < 0:
                continue
            total = 0.0
            for j in range(col_start[g], col_start[g + 1]):
                score[j] = 0.0
            for m in range(lo, hi):
                k = order[m]
                if i_start[k] <= b < i_stop[k]:
                    v = i_amount[k] if rules.by_amount else 1.0
                    score[i_col[k]] = i_sign[k] * v
                    total += v
            for j in range(col_start[g], col_start[g + 1]):
                w = score[j] / total if total > 0 else 0.0
                if not np.isnan(rules.position_cap):
                    w = min(max(w, -rules.position_cap), rules.position_cap)
                out[j, b - shift] = w
