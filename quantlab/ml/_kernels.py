"""Numba kernels of the ML features, labels and sample weights.

Plain Python over NumPy arrays, compiled through :func:`quantlab._numba.jit`; columns are
independent, so the 2-D kernels run ``prange`` over columns (or rows for cross-sectional
ones), each thread writing only its own column or row. No pandas, no exceptions: the API
layer validates inputs. Reference implementations live in ``tests/ml/naive.py``.
"""

from __future__ import annotations

import numpy as np

from quantlab._numba import jit, prange
from quantlab._rolling import rolling_std_1d
from quantlab._typing import Float64Array1D, Float64Array2D, Int64Array1D, Int64Array2D


@jit(parallel=True)
def rolling_std(x: Float64Array2D, window: int, ddof: int) -> Float64Array2D:
    """Rolling standard deviation over ``window`` bars, NaN unless all are finite.

    Same values as ``pandas.DataFrame.rolling(window).std(ddof=ddof)``.
    :func:`quantlab._rolling.rolling_std_1d` with ``min_periods=window`` (a feature is NaN
    rather than computed from a partial window) and ``exact=True``: each window is summed
    on its own, so a value depends only on its ``window`` inputs, bit for bit, which is
    what lets :meth:`quantlab.ml.FeatureSet.latest` reproduce
    :meth:`~quantlab.ml.FeatureSet.compute` exactly from a short tail of prices. Cost
    ``O(n_bars * window)`` per column.
    """
    n, m = x.shape
    out = np.empty((n, m))
    for j in prange(m):
        col = x[:, j].copy()  # contiguous: the inner loop walks down one column
        rolling_std_1d(col, window, window, ddof, True, np.empty(0), out[:, j])
    return out


def xs_rank(x: Float64Array2D) -> Float64Array2D:
    """Cross-sectional percentile rank of each row: average rank of ties / finite count.

    Same values as ``pandas.DataFrame.rank(axis=1, pct=True)``; NaN stays NaN. NumPy sorts
    the rows (NaN last; faster than numba's argsort), :func:`rank_sorted_rows` does the rest.
    """
    x = np.where(np.isfinite(x), x, np.nan)  # +-inf would sort among the finite values
    order = np.argsort(x, axis=1)
    return rank_sorted_rows(x, order)  # type: ignore[no-any-return]


@jit(parallel=True)
def rank_sorted_rows(x: Float64Array2D, order: Int64Array2D) -> Float64Array2D:
    """Percentile ranks from each row's ascending ``order`` (NaN last), ties averaged."""
    n, m = x.shape
    out = np.full((n, m), np.nan)
    for i in prange(n):
        k = 0
        for j in range(m):
            if np.isfinite(x[i, j]):
                k += 1
        a = 0
        while a < k:
            v = x[i, order[i, a]]
            b = a
            while b + 1 < k and x[i, order[i, b + 1]] == v:
                b += 1
            rank = (0.5 * (a + b) + 1.0) / k
            for t in range(a, b + 1):
                out[i, order[i, t]] = rank
            a = b + 1
    return out


@jit(parallel=True)
def triple_barrier(
    close: Float64Array2D,
    upper: Float64Array2D,
    lower: Float64Array2D,
    side: Float64Array2D,
    horizon: int,
) -> tuple[Float64Array2D, Float64Array2D, Float64Array2D]:
    """First touch of the upper / lower / vertical barrier for every (bar, column).

    ``upper`` / ``lower`` are return thresholds (> 0) set at the start bar; ``side`` (+1 or
    -1) flips the direction of the return they apply to. Returns ``(label, ret, end)``:
    label +1 (upper touched first), -1 (lower), 0 (vertical barrier), the side-adjusted
    return at the exit, and the exit bar; NaN when the start price or the barriers are
    missing, or when no barrier is touched before the data ends short of the vertical
    barrier (a label is known once its exit bar is, never later).
    """
    n, m = close.shape
    label = np.full((n, m), np.nan)
    ret = np.full((n, m), np.nan)
    end = np.full((n, m), np.nan)
    for j in prange(m):
        for i in range(n - 1):
            p0 = close[i, j]
            up = upper[i, j]
            lo = lower[i, j]
            sd = side[i, j]
            if not (np.isfinite(p0) and np.isfinite(up) and np.isfinite(lo) and np.isfinite(sd)):
                continue
            if sd == 0.0:
                continue
            last_r = np.nan
            hit = 0.0
            exit_bar = i + horizon
            for k in range(i + 1, min(i + horizon, n - 1) + 1):
                p = close[k, j]
                if not np.isfinite(p):
                    continue
                r = sd * (p / p0 - 1.0)
                last_r = r
                if r >= up:
                    hit = 1.0
                    exit_bar = k
                    break
                if r <= -lo:
                    hit = -1.0
                    exit_bar = k
                    break
            if not np.isfinite(last_r) or (hit == 0.0 and i + horizon > n - 1):
                continue
            label[i, j] = hit
            ret[i, j] = last_r
            end[i, j] = exit_bar
    return label, ret, end


@jit(parallel=True)
def average_uniqueness(
    start: Int64Array1D, end: Int64Array1D, col: Int64Array1D, n_bars: int, n_cols: int
) -> Float64Array1D:
    """Average uniqueness of labels spanning bars ``start..end`` (inclusive) of column ``col``.

    Concurrency ``c[t, col]`` counts the labels of that column spanning bar ``t``; a label's
    uniqueness is the mean of ``1 / c`` over its span (de Prado, AFML ch. 4).
    """
    conc = np.zeros((n_bars + 1, n_cols))
    for k in range(start.shape[0]):
        conc[start[k], col[k]] += 1.0
        conc[end[k] + 1, col[k]] -= 1.0
    for j in prange(n_cols):
        for i in range(1, n_bars + 1):
            conc[i, j] += conc[i - 1, j]
    inv = np.zeros((n_bars + 1, n_cols))  # prefix sums of 1 / c
    for j in prange(n_cols):
        acc = 0.0
        for i in range(n_bars):
            c = conc[i, j]
            acc += 1.0 / c if c > 0.0 else 0.0
            inv[i + 1, j] = acc
    out = np.empty(start.shape[0])
    for k in prange(start.shape[0]):
        s, e, j = start[k], end[k], col[k]
        out[k] = (inv[e + 1, j] - inv[s, j]) / (e - s + 1)
    return out
