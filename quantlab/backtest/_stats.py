"""Running per-column statistics computed inside the simulation kernels.

The stats-only mode keeps one row of :data:`N_STATS` floats per column instead of
``(n_bars, n_columns)`` outputs. Returns are ``equity[t] / equity[t-1] - 1`` with
``equity[-1] = init_cash``; the variance uses Welford's update (numerically stable in one
pass); the drawdown peak runs over the equity curve itself (the initial cash is not a
peak), the convention of empyrical and vectorbt.
"""

from __future__ import annotations

import numpy as np

from quantlab._numba import jit

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
MEAN_RETURN = 12
M2 = 13
DOWNSIDE_SUMSQ = 14
BARS_IN_MARKET = 15
PEAK = 16
PEAK_IDX = 17
N_BARS = 18
PREV_VALUE = 19
N_STATS = 20

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
    "volatility",
    "sharpe",
    "sortino",
)


@jit()
def stats_init(st: np.ndarray, init_value: float) -> None:
    st[:] = 0.0
    st[PEAK] = np.nan
    st[PEAK_IDX] = -1.0
    st[PREV_VALUE] = init_value
    st[FINAL_VALUE] = init_value


@jit()
def stats_bar(st: np.ndarray, i: int, value: float, in_market: bool) -> None:
    """Account for bar ``i`` whose closing equity is ``value``."""
    prev = st[PREV_VALUE]
    st[N_BARS] += 1.0
    if in_market:
        st[BARS_IN_MARKET] += 1.0
    if prev != 0.0 and not np.isnan(prev) and not np.isnan(value):
        r = value / prev - 1.0
        n = st[N_RETURNS] + 1.0
        d = r - st[MEAN_RETURN]
        st[N_RETURNS] = n
        st[MEAN_RETURN] += d / n
        st[M2] += d * (r - st[MEAN_RETURN])
        if r < 0.0:
            st[DOWNSIDE_SUMSQ] += r * r
    if np.isnan(st[PEAK]) or value > st[PEAK]:
        st[PEAK] = value
        st[PEAK_IDX] = i
    elif st[PEAK] > 0.0:
        dd = value / st[PEAK] - 1.0
        if dd < st[MAX_DRAWDOWN]:
            st[MAX_DRAWDOWN] = dd
        dur = i - st[PEAK_IDX]
        if dur > st[MAX_DD_DURATION]:
            st[MAX_DD_DURATION] = dur
    st[PREV_VALUE] = value
    st[FINAL_VALUE] = value


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
        mean = raw[:, MEAN_RETURN]
        var = np.where(nr > 1, raw[:, M2] / np.where(nr > 1, nr - 1, 1), np.nan)
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
