"""Running per-column statistics computed inside the simulation kernels.

The stats-only mode keeps one row of :data:`N_STATS` floats per column instead of
``(n_bars, n_columns)`` outputs. Returns are ``equity[t] / equity[t-1] - 1`` with
``equity[-1] = init_cash``. The drawdown peak starts at the initial cash (the convention
of empyrical and :mod:`quantlab.metrics`: a loss on the first bar is a drawdown); the
drawdown duration counts bars spent below the peak. The variance accumulates shifted
sums ``sum(r - K)`` and ``sum((r - K)**2)`` with ``K`` the first return: numerically
stable for returns (``|mean| << 1``) and free of a division per bar.

The maximum drawdown is taken once per drawdown, not per bar: the lowest equity since the
last high (the trough) is kept, and a new high (or the end) closes the drawdown at
``trough / peak - 1``. As ``x / peak - 1`` is monotone in ``x`` (IEEE division rounds
correctly), this is exactly the minimum of the per-bar drawdowns, with one division per
drawdown instead of a compare-and-divide on the loop's critical path.

The hot loop keeps the running figures in a :class:`Running` tuple (``bar`` returns the
updated one, which LLVM keeps in registers) and stores them once per column.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from quantlab._numba import jit, prange

FINAL_VALUE = 0
TOTAL_RETURN = 1
MAX_DRAWDOWN = 2
MAX_DD_DURATION = 3
N_ORDERS = 4
N_TRADES = 5
N_CLOSED = 6
N_WINS = 7
GROSS_PROFIT = 8
GROSS_LOSS = 9
TOTAL_FEES = 10
N_RETURNS = 11
SHIFT = 12
S2 = 13
DOWNSIDE_SUMSQ = 14
BARS_IN_MARKET = 15
PEAK = 16
PEAK_IDX = 17
N_BARS = 18
PREV_VALUE = 19
S1 = 20
N_STATS = 21

#: Public names of the rows computed from the running statistics (see ``finalize``).
STAT_NAMES = (
    "final_value",
    "total_return",
    "max_drawdown",
    "max_drawdown_duration",
    "n_orders",
    "n_trades",
    "n_closed_trades",
    "win_rate",
    "profit_factor",
    "total_fees",
    "exposure",
    "mean_return",
    "annual_volatility",
    "sharpe",
    "sortino",
)


class Running(NamedTuple):
    """The running figures of one column between two bars (see :func:`bar`)."""

    peak: float  # highest equity so far (starts at the initial value)
    peak_idx: int  # its bar (-1: the initial value)
    trough: float  # lowest equity since the peak
    max_dd: float  # deepest drawdown closed so far (<= 0)
    max_dur: int  # longest stretch of bars below the peak
    n: int  # valid returns
    shift: float  # K, the first valid return
    s1: float  # sum(r - K)
    s2: float  # sum((r - K) ** 2)
    down: float  # sum(r ** 2) over r < 0
    bars_in: int  # bars holding a position


@jit()
def running_init(init_value: float) -> Running:
    """The figures before the first bar."""
    # the counters are integers: a float increment is a 4-cycle dependency chain per bar
    return Running(init_value, -1, init_value, 0.0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0)


@jit()
def stats_init(st: np.ndarray, init_value: float) -> None:
    st[:] = 0.0
    st[PEAK] = np.nan
    st[PEAK_IDX] = -1.0
    st[PREV_VALUE] = init_value
    st[FINAL_VALUE] = init_value


@jit(inline=True)
def bar_return(value: float, prev: float) -> float:
    """Return of a bar closing at ``value`` after ``prev`` (NaN after a total loss)."""
    if value == prev:
        return 0.0
    if prev != 0.0:
        return value / prev - 1.0
    return np.nan


@jit(inline=True)
def bar(i: int, value: float, r: float, in_market: bool, run: Running) -> Running:
    """Account for bar ``i`` (equity ``value``, return ``r``); returns the new figures.

    Equity is never NaN inside the engine (a position implies a valid last price), so
    only a NaN return after a total loss is skipped. Inlined into the kernels' loops (a
    call per bar to a separately compiled function tripled the loop's cost).
    """
    peak, peak_idx, trough, max_dd, max_dur, n, shift, s1, s2, down, bars_in = run
    if in_market:
        bars_in += 1
    ok = r == r  # branch-free: a NaN return (after a total loss) is not an observation
    if n == 0 and ok:
        shift = r
    rr = r if ok else shift
    d = rr - shift
    n += 1 if ok else 0
    s1 += d
    s2 += d * d
    # a select, not a branch: the sign of a return is a coin flip the branch predictor
    # loses (adding 0.0 changes nothing)
    down += rr * rr if rr < 0.0 else 0.0
    if value >= peak:  # a new high closes the drawdown since the last one
        dd = trough / peak - 1.0
        max_dd = dd if dd < max_dd else max_dd
        peak = value
        peak_idx = i
        trough = value
    else:
        trough = value if value < trough else trough
        if i - peak_idx > max_dur:
            max_dur = i - peak_idx
    return Running(peak, peak_idx, trough, max_dd, max_dur, n, shift, s1, s2, down, bars_in)


@jit(inline=True)
def flat_bars(run: Running, value: float, i0: int, i1: int) -> Running:
    """Bars ``i0 .. i1 - 1`` out of the market whose equity stays ``value``, the previous
    bar's (a return of 0 on each): exactly what ``i1 - i0`` calls of :func:`bar` give.

    Only the last bar can move the peak, trough, drawdown or duration (the equity does not
    change), so the bars before it just count, and add ``-shift`` to the shifted sums.
    """
    peak, peak_idx, trough, max_dd, max_dur, n, shift, s1, s2, down, bars_in = run
    if i1 - i0 > 1:
        if n == 0:
            shift = 0.0
        if shift != 0.0:
            d = -shift
            for _ in range(i1 - i0 - 1):
                s1 += d
                s2 += d * d
        n += i1 - i0 - 1
    before_last = Running(peak, peak_idx, trough, max_dd, max_dur, n, shift, s1, s2, down, bars_in)
    return bar(i1 - 1, value, 0.0, False, before_last)


@jit()
def store(st: np.ndarray, n_bars: int, prev: float, run: Running) -> None:
    """Write the running figures of one column into its stats row (the drawdown still
    open at the end counts: ``trough / peak - 1``)."""
    dd = run.trough / run.peak - 1.0
    st[FINAL_VALUE] = prev
    st[PREV_VALUE] = prev
    st[PEAK] = run.peak
    st[PEAK_IDX] = float(run.peak_idx)
    st[MAX_DRAWDOWN] = dd if dd < run.max_dd else run.max_dd
    st[MAX_DD_DURATION] = float(run.max_dur)
    st[N_RETURNS] = float(run.n)
    st[SHIFT] = run.shift
    st[S1] = run.s1
    st[S2] = run.s2
    st[DOWNSIDE_SUMSQ] = run.down
    st[BARS_IN_MARKET] = float(run.bars_in)
    st[N_BARS] = n_bars


@jit(parallel=True)
def bar_stats_from_equity(
    equity: np.ndarray, in_market: np.ndarray, init_cash: np.ndarray, raw: np.ndarray
) -> None:
    """Per-bar figures of each group from its equity curve (the full mode's path).

    ``equity`` and ``in_market`` are ``(n_bars, n_groups)``; the same :func:`bar` update
    as inside the kernels, so both modes report identical figures.
    """
    n_bars, n_groups = equity.shape
    for g in prange(n_groups):
        prev = init_cash[g]
        run = running_init(prev)
        for i in range(n_bars):
            value = equity[i, g]
            r = bar_return(value, prev)
            prev = value
            run = bar(i, value, r, in_market[i, g], run)
        store(raw[g], n_bars, prev, run)


@jit()
def stats_trade_closed(st: np.ndarray, pnl: float) -> None:
    st[N_CLOSED] += 1.0
    if pnl > 0.0:
        st[N_WINS] += 1.0
        st[GROSS_PROFIT] += pnl
    elif pnl < 0.0:
        st[GROSS_LOSS] -= pnl


def finalize(raw: np.ndarray, init_cash: np.ndarray, periods_per_year: float) -> np.ndarray:
    """Turn raw running statistics ``(n_columns, N_STATS)`` into :data:`STAT_NAMES` columns."""
    n = raw.shape[0]
    out = np.full((n, len(STAT_NAMES)), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[:, 0] = raw[:, FINAL_VALUE]
        out[:, 1] = raw[:, FINAL_VALUE] / init_cash - 1.0
        out[:, 2] = raw[:, MAX_DRAWDOWN]
        out[:, 3] = raw[:, MAX_DD_DURATION]
        out[:, 4] = raw[:, N_ORDERS]
        out[:, 5] = raw[:, N_TRADES]
        out[:, 6] = raw[:, N_CLOSED]
        closed = raw[:, N_CLOSED]
        out[:, 7] = np.where(closed > 0, raw[:, N_WINS] / np.where(closed > 0, closed, 1), np.nan)
        gl = raw[:, GROSS_LOSS]
        gp = raw[:, GROSS_PROFIT]
        out[:, 8] = np.where(gl > 0, gp / np.where(gl > 0, gl, 1), np.where(gp > 0, np.inf, np.nan))
        out[:, 9] = raw[:, TOTAL_FEES]
        nb = raw[:, N_BARS]
        out[:, 10] = np.where(nb > 0, raw[:, BARS_IN_MARKET] / np.where(nb > 0, nb, 1), np.nan)
        nr = raw[:, N_RETURNS]
        safe_n = np.where(nr > 0, nr, 1)
        mean = raw[:, SHIFT] + raw[:, S1] / safe_n
        ss = raw[:, S2] - raw[:, S1] ** 2 / safe_n
        var = np.where(nr > 1, ss / np.where(nr > 1, nr - 1, 1), np.nan)
        std = np.sqrt(np.maximum(var, 0.0))
        out[:, 11] = np.where(nr > 0, mean, np.nan)
        out[:, 12] = std * np.sqrt(periods_per_year)
        out[:, 13] = np.where(std > 0, mean / std, np.nan) * np.sqrt(periods_per_year)
        downside = np.sqrt(raw[:, DOWNSIDE_SUMSQ] / np.where(nr > 0, nr, 1))
        out[:, 14] = np.where(
            downside > 0,
            mean * periods_per_year / (downside * np.sqrt(periods_per_year)),
            np.where(mean > 0, np.inf, np.nan),
        )
    return out
