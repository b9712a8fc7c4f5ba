"""The one rolling mean / standard deviation kernel (leaf: numpy and quantlab._numba only).

:func:`rolling_std_1d` serves :mod:`quantlab.metrics`, :mod:`quantlab.indicators` and
:mod:`quantlab.ml`; each call site states its NaN rule and accumulation mode. Two explicit
parameters carry what used to differ between three private copies:

``min_periods`` (the NaN rule)
    A window is the ``window`` trailing bars ending at ``t`` (fewer at the start); NaN and
    infinite values inside it are skipped, and the window gives NaN unless it holds at
    least ``min_periods`` valid values (and more than ``ddof`` for the std). This is
    ``pandas.Series.rolling(window, min_periods).std(ddof)``; ``min_periods=window`` is
    the "whole window valid" rule.
``exact`` (the accumulation mode)
    ``False``: running sums, O(1) per bar. The sums are of deviations from a reference
    that is reset to the window mean (and the sums recomputed exactly) every ``window``
    bars, so there is no cancellation from a large mean and rounding drift never spans
    more than one window. A value then depends, in its last bits, on bars before its
    window. ``True``: every window is summed on its own, shifted by its first valid value,
    O(window) per bar, so a value depends only on its window's inputs, bit for bit (what
    :meth:`quantlab.ml.FeatureSet.latest` needs to reproduce ``compute`` from a short
    tail).

In both modes a window whose valid values are all equal has a std of exactly 0 (running
mode: it tracks where the current run of equal valid values started, NaN gaps included, and
gives 0 when no differing valid value is left in the window; exact mode: every deviation
from the reference is 0). Decision: a valid value is a finite
one; the public APIs reject infinities before calling, except the ML features whose
returns may hold them, which were and are treated as missing there.

Caveat for development: numba's on-disk cache keys a kernel on its own file only, so after
editing this module delete the ``__pycache__/*.nbi``/``*.nbc`` files of its callers
(metrics/_rolling.py, indicators/_kernels.py, ml/_kernels.py) or they keep the old code.
"""

from __future__ import annotations

import math

from quantlab._numba import jit
from quantlab._typing import Float64Array1D

NAN = math.nan


@jit(inline=True)
def _finite(v: float) -> bool:
    """``v`` is neither NaN nor infinite (one comparison: NaN compares false)."""
    return abs(v) < math.inf


@jit()
def _mean_ssq(x: Float64Array1D, start: int, stop: int) -> tuple[float, float]:
    """Mean and sum of squared deviations of the valid values of ``x[start:stop]`` (>= 1)."""
    total = 0.0
    count = 0
    for i in range(start, stop):
        if _finite(x[i]):
            total += x[i]
            count += 1
    mean = total / count
    ssq = 0.0
    for i in range(start, stop):
        if _finite(x[i]):
            ssq += (x[i] - mean) * (x[i] - mean)
    return mean, ssq


@jit()
def _running(
    x: Float64Array1D,
    window: int,
    min_periods: int,
    ddof: int,
    mean: Float64Array1D,
    std: Float64Array1D,
) -> None:
    ref = 0.0
    s1 = 0.0
    s2 = 0.0
    nobs = 0
    since_exact = window
    with_mean = mean.shape[0] > 0
    last = -1  # index of the last valid value
    before_run = -1  # index of the last valid value differing from the run ending at ``last``
    for t in range(x.shape[0]):
        v = x[t]
        if _finite(v):
            nobs += 1
            d = v - ref
            s1 += d
            s2 += d * d
            if last >= 0 and x[last] != v:
                before_run = last
            last = t
        if t >= window:
            old = x[t - window]
            if _finite(old):
                nobs -= 1
                d = old - ref
                s1 -= d
                s2 -= d * d
        since_exact += 1
        if nobs > 0 and since_exact >= window:
            since_exact = 0
            ref, s2 = _mean_ssq(x, max(t - window + 1, 0), t + 1)
            s1 = 0.0
        if nobs >= min_periods and nobs > 0:
            if with_mean:
                mean[t] = ref + s1 / nobs
            if nobs <= ddof:
                std[t] = NAN
            elif before_run <= t - window:
                std[t] = 0.0
            else:
                ssq = s2 - s1 * s1 / nobs
                std[t] = math.sqrt(ssq / (nobs - ddof)) if ssq > 0.0 else 0.0
        else:
            if with_mean:
                mean[t] = NAN
            std[t] = NAN


@jit()
def _exact(
    x: Float64Array1D,
    window: int,
    min_periods: int,
    ddof: int,
    mean: Float64Array1D,
    std: Float64Array1D,
) -> None:
    nobs = 0  # valid values in the window, kept running (an exact integer count)
    run = 0  # consecutive valid values ending at t (enough for the whole-window rule)
    whole = min_periods >= window
    with_mean = mean.shape[0] > 0
    for t in range(x.shape[0]):
        if whole:  # one test per bar: nobs is only compared with min_periods >= window
            run = run + 1 if _finite(x[t]) else 0
            nobs = min(run, window)
        else:
            if _finite(x[t]):
                nobs += 1
            if t >= window and _finite(x[t - window]):
                nobs -= 1
        if nobs < min_periods or nobs == 0:
            if with_mean:
                mean[t] = NAN
            std[t] = NAN
            continue
        s = 0.0
        s2 = 0.0
        if nobs == window:  # all valid: the same sums without a test per value (hot path)
            ref = x[t - window + 1]
            for k in range(t - window + 2, t + 1):
                d = x[k] - ref
                s += d
                s2 += d * d
        else:
            ref = NAN
            for k in range(max(t - window + 1, 0), t + 1):
                v = x[k]
                if _finite(v):
                    if ref != ref:
                        ref = v
                    d = v - ref
                    s += d
                    s2 += d * d
        if with_mean:
            mean[t] = ref + s / nobs
        if nobs <= ddof:
            std[t] = NAN
        else:
            var = (s2 - s * s / nobs) / (nobs - ddof)
            std[t] = math.sqrt(var) if var > 0.0 else 0.0


@jit()
def rolling_std_1d(
    x: Float64Array1D,
    window: int,
    min_periods: int,
    ddof: int,
    exact: bool,
    mean: Float64Array1D,
    std: Float64Array1D,
) -> None:
    """Rolling mean and standard deviation of one series, written into ``mean`` and ``std``.

    Parameters
    ----------
    x : ndarray, shape (n,)
        The series (contiguous for speed); NaN/inf are missing values.
    window : int
        Trailing bars per window (>= 1).
    min_periods : int
        Valid values a window needs (``window``: the whole window must be valid).
    ddof : int
        Delta degrees of freedom of the std (0 or 1).
    exact : bool
        Sum each window on its own (bit-reproducible from the window alone, O(window) per
        bar) instead of running sums (O(1) per bar).
    mean, std : ndarray, shape (n,)
        Outputs, overwritten at every position; pass an empty ``mean`` (shape ``(0,)``)
        when only the std is wanted, which saves a division per bar.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, np.nan, 3.0, 5.0])
    >>> mean, std = np.empty(4), np.empty(4)
    >>> rolling_std_1d(x, 3, 2, 1, False, mean, std)
    >>> mean.tolist(), std.round(6).tolist()
    ([nan, nan, 2.0, 4.0], [nan, nan, 1.414214, 1.414214])
    """
    if exact:
        _exact(x, window, min_periods, ddof, mean, std)
    else:
        _running(x, window, min_periods, ddof, mean, std)
