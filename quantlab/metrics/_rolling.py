"""Numba kernels of the rolling metrics (trailing windows of ``window`` rows).

A window holds ``window`` consecutive rows; NaN returns inside it are skipped and a window
with fewer than ``min_periods`` valid returns gives NaN. The mean and standard deviation
come from the shared :mod:`quantlab._rolling` kernel; the beta and drawdown kernels below
keep their own running sums.
"""

from __future__ import annotations

import math

import numpy as np

from quantlab._numba import jit, prange
from quantlab._rolling import rolling_std_1d


@jit(parallel=True)
def rolling_mean_std(returns, window, min_periods):  # type: ignore[no-untyped-def]
    """Rolling mean and std (ddof=1) of every column: two ``(n_bars, n_columns)`` arrays.

    :func:`quantlab._rolling.rolling_std_1d` with the caller's ``min_periods`` (valid
    returns are counted, like pandas, because a metric over a window with a few missing
    returns is still meaningful) and running sums (whole histories, O(1) per bar); the
    first ``window - 1`` rows stay NaN, as for every rolling metric here.
    """
    n_bars, n_cols = returns.shape
    mean = np.empty((n_bars, n_cols))
    std = np.empty((n_bars, n_cols))
    for c in prange(n_cols):
        x = np.ascontiguousarray(returns[:, c])
        rolling_std_1d(x, window, min_periods, 1, False, mean[:, c], std[:, c])
        for i in range(min(window - 1, n_bars)):
            mean[i, c] = np.nan
            std[i, c] = np.nan
    return mean, std


@jit(parallel=True)
def rolling_beta_kernel(returns, bench, window, min_periods):  # type: ignore[no-untyped-def]
    """Rolling ``cov(r, b) / var(b)`` over paired valid bars (NaN if ``var(b) < 1e-30``)."""
    n_bars, n_cols = returns.shape
    nb = bench.shape[1]
    out = np.full((n_bars, n_cols), np.nan)
    for c in prange(n_cols):
        x = np.ascontiguousarray(returns[:, c])
        bc = np.int64(c) if nb > 1 else np.int64(0)
        b = np.ascontiguousarray(bench[:, bc])
        ox = 0.0
        ob = 0.0
        for i in range(n_bars):
            if not (math.isnan(x[i]) or math.isnan(b[i])):
                ox = x[i]
                ob = b[i]
                break
        sx = 0.0
        sb = 0.0
        sxb = 0.0
        sbb = 0.0
        cnt = 0
        for i in range(n_bars):
            q = i - window
            if q >= 0 and not (math.isnan(x[q]) or math.isnan(b[q])):
                dx = x[q] - ox
                db = b[q] - ob
                sx -= dx
                sb -= db
                sxb -= dx * db
                sbb -= db * db
                cnt -= 1
            if not (math.isnan(x[i]) or math.isnan(b[i])):
                dx = x[i] - ox
                db = b[i] - ob
                sx += dx
                sb += db
                sxb += dx * db
                sbb += db * db
                cnt += 1
            if i >= window - 1 and cnt >= min_periods and cnt > 0:
                var_b = (sbb - sb * sb / cnt) / cnt
                cov = (sxb - sx * sb / cnt) / cnt
                out[i, c] = cov / var_b if var_b >= 1.0e-30 else np.nan
    return out


@jit(parallel=True)
def rolling_max_drawdown(returns, window, min_periods):  # type: ignore[no-untyped-def]
    """Maximum drawdown inside each trailing window (equity restarts at 1), O(n * window)."""
    n_bars, n_cols = returns.shape
    out = np.full((n_bars, n_cols), np.nan)
    for c in prange(n_cols):
        x = np.ascontiguousarray(returns[:, c])
        for i in range(window - 1, n_bars):
            eq = 1.0
            peak = 1.0
            mdd = 0.0
            cnt = 0
            for k in range(i - window + 1, i + 1):
                v = x[k]
                if math.isnan(v):
                    continue
                cnt += 1
                eq *= 1.0 + v
                if eq > peak:
                    peak = eq
                else:
                    dd = (eq - peak) / peak
                    if dd < mdd:
                        mdd = dd
            if cnt >= min_periods and cnt > 0:
                out[i, c] = mdd
    return out
