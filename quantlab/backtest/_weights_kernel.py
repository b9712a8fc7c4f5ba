"""The from_weights simulation kernel: one portfolio (group of columns) per thread.

At a rebalance bar the portfolio value ``V = cash + sum(position * price)`` is taken at
the execution prices (the last valid close for an asset without a price on that bar);
each asset with a target weight ``w`` is traded towards ``w * V / price`` units. Orders
are executed in ascending order of their value, so every sale happens before any
purchase and the cash exists; a purchase the remaining cash cannot cover is filled
partially. A NaN weight leaves that asset's position unchanged; a row of NaN weights does
not rebalance. When the gross target exposure ``sum(|w|)`` exceeds ``max_leverage`` the
weights are scaled down proportionally. A trade smaller in value than ``min_trade`` is
skipped.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from quantlab._numba import jit
from quantlab.backtest import _stats as S
from quantlab.backtest._execution import book_fill, buy, is_close, sell, snap
from quantlab.backtest._signals_kernel import flex

R_REBALANCE = 6


class WeightArrays(NamedTuple):
    close: np.ndarray  # (n_bars, n_assets) valuation prices
    exec_price: np.ndarray  # (n_bars, n_assets) fill prices (close or open)
    weights: np.ndarray  # (n_weight_rows, n_cols) float64, NaN = unchanged
    row_of_bar: np.ndarray  # (n_bars,) int64: weights row executed at bar i, -1 = none
    asset_of_col: np.ndarray  # (n_cols,) int64
    group_start: np.ndarray  # (n_groups + 1,) int64, columns of group g: [gs[g], gs[g+1])


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
def _simulate_group(
    arr: WeightArrays,
    par: WeightParams,
    g: int,
    orders: np.ndarray,
    start: int,
    record: bool,
    stats: np.ndarray,
    ret_out: np.ndarray,
) -> int:
    # the arrays as locals: indexing through the NamedTuple in the loop costs a lot
    close = arr.close
    exec_price = arr.exec_price
    weights = arr.weights
    asset_of_col = arr.asset_of_col
    row_of_bar = arr.row_of_bar
    n_bars = close.shape[0]
    keep_returns = ret_out.shape[0] > 0
    c0 = arr.group_start[g]
    c1 = arr.group_start[g + 1]
    k = c1 - c0
    fees = flex(par.fees, g)
    fixed_fees = flex(par.fixed_fees, g)
    slippage = flex(par.slippage, g)
    init_cash = flex(par.init_cash, g)
    max_lev = flex(par.max_leverage, g)
    min_trade = flex(par.min_trade, g)
    gran = flex(par.granularity, g)

    cash = init_cash
    free = init_cash
    pos = np.zeros(k)
    debt = np.zeros(k)
    last = np.full(k, np.nan)
    delta = np.zeros(k)
    price = np.zeros(k)
    order_val = np.zeros(k)
    seq = np.zeros(k, dtype=np.int64)
    e_size = np.zeros(k)
    e_price = np.zeros(k)
    e_fees = np.zeros(k)
    S.stats_init(stats, init_cash)
    prev = init_cash
    peak = init_cash
    peak_idx = -1.0
    max_dd = 0.0
    max_dur = 0.0
    nr = 0.0
    shift = 0.0
    s1 = 0.0
    s2 = 0.0
    down = 0.0
    bars_in = 0.0
    n = 0
    for i in range(n_bars):
        r = row_of_bar[i]
        if r >= 0:
            any_w = False
            for j in range(k):
                if not np.isnan(weights[r, c0 + j]):
                    any_w = True
                    break
            if any_w:
                value = cash
                for j in range(k):
                    a = asset_of_col[c0 + j]
                    p = exec_price[i, a]
                    if np.isnan(p):
                        p = last[j]
                    price[j] = p
                    if pos[j] != 0.0:
                        value += pos[j] * p
                gross = 0.0
                for j in range(k):
                    w = weights[r, c0 + j]
                    if not np.isnan(w):
                        gross += abs(w)
                scale = 1.0
                if not np.isnan(max_lev) and gross > max_lev:
                    scale = max_lev / gross
                m = 0
                for j in range(k):
                    w = weights[r, c0 + j]
                    a = asset_of_col[c0 + j]
                    p = exec_price[i, a]
                    if np.isnan(w) or np.isnan(p) or value <= 0.0:
                        continue
                    d = w * scale * value / p - pos[j]
                    if is_close(d, 0.0) or abs(d) * p < min_trade:
                        continue
                    delta[j] = d
                    order_val[j] = d * p
                    seq[m] = j
                    m += 1
                # ascending order value: sales first, small purchases before large ones
                for u in range(1, m):
                    key = seq[u]
                    v = u - 1
                    while v >= 0 and order_val[seq[v]] > order_val[key]:
                        seq[v + 1] = seq[v]
                        v -= 1
                    seq[v + 1] = key
                for u in range(m):
                    j = seq[u]
                    a = asset_of_col[c0 + j]
                    p = exec_price[i, a]
                    if delta[j] < 0.0:
                        filled, cash, pj, dj, free, fsize, fprice, fpaid = sell(
                            cash,
                            pos[j],
                            debt[j],
                            free,
                            -delta[j],
                            p,
                            fees,
                            fixed_fees,
                            slippage,
                            0.0,
                            gran,
                            np.nan,
                            False,
                        )
                        side = 1
                    else:
                        filled, cash, pj, dj, free, fsize, fprice, fpaid = buy(
                            cash,
                            pos[j],
                            debt[j],
                            free,
                            delta[j],
                            p,
                            fees,
                            fixed_fees,
                            slippage,
                            0.0,
                            gran,
                            np.nan,
                            False,
                        )
                        side = 0
                    if filled:
                        closed, pnl, e_size[j], e_price[j], e_fees[j], opened = book_fill(
                            pos[j],
                            pj,
                            side == 0,
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
                        pos[j] = pj
                        debt[j] = dj
                        stats[S.N_ORDERS] += 1.0
                        stats[S.TOTAL_FEES] += fpaid
                        if record:
                            rec = orders[start + n]
                            rec["id"] = start + n
                            rec["col"] = c0 + j
                            rec["idx"] = i
                            rec["size"] = fsize
                            rec["price"] = fprice
                            rec["fees"] = fpaid
                            rec["side"] = side
                            rec["reason"] = R_REBALANCE
                        n += 1
                    delta[j] = 0.0
        value = cash
        in_market = False
        for j in range(k):
            c = close[i, asset_of_col[c0 + j]]
            if not np.isnan(c):
                last[j] = c
            if pos[j] != 0.0:
                in_market = True
                value += pos[j] * last[j]
        cash = snap(cash)
        r = S.bar_return(value, prev)
        prev = value
        if keep_returns:
            ret_out[i, g] = r
        peak, peak_idx, max_dd, max_dur, nr, shift, s1, s2, down, bars_in = S.bar(
            i,
            value,
            r,
            in_market,
            peak,
            peak_idx,
            max_dd,
            max_dur,
            nr,
            shift,
            s1,
            s2,
            down,
            bars_in,
        )
    S.store(stats, n_bars, prev, peak, peak_idx, max_dd, max_dur, nr, shift, s1, s2, down, bars_in)
    return n


@jit()
def simulate_weights(
    arr: WeightArrays,
    par: WeightParams,
    offsets: np.ndarray,
    orders: np.ndarray,
    record: bool,
    stats: np.ndarray,
    ret_out: np.ndarray,
    counts: np.ndarray,
    g_lo: int,
    g_hi: int,
) -> None:
    """Simulate groups ``[g_lo, g_hi)``; orders of group ``g`` go to ``orders[offsets[g]:]``.

    ``counts[g]`` receives the number of orders written. ``ret_out`` is
    ``(n_bars, n_groups)`` to keep each portfolio's bar returns, or ``(0, 0)``. Disjoint
    group ranges can run in parallel threads (each writes only its own groups).
    """
    for g in range(g_lo, g_hi):
        counts[g] = _simulate_group(
            arr, par, g, orders, offsets[g] if record else 0, record, stats[g], ret_out
        )
