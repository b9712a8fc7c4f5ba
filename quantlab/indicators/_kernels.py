"""Numba kernels of the technical indicators.

Conventions shared by every kernel:

* a panel ``(n_bars, n_assets)`` is passed *transposed*: a C-contiguous ``(n_assets,
  n_bars)`` array (the memory of an F-contiguous panel), so every series a kernel scans is
  contiguous and each kernel has a single compiled specialization; parameters are 1-D
  int64 arrays of *distinct* values ``(n_params,)``;
* outputs are C-contiguous ``(n_params * n_assets, n_bars)`` (the API returns their
  transpose) whose row ``c`` holds parameter ``params[c // n_assets]`` applied to input
  series ``c % n_assets`` (the input is indexed, never tiled in memory);
* one ``prange`` iteration owns one output series;
* NaN policy (see :mod:`quantlab.indicators`): *window* kernels give NaN when the window
  holds a NaN; *recursive* kernels (EMA, Wilder) skip NaN bars, output NaN there and carry
  their state to the next valid bar.

Kernels never raise: the API layer validates every argument first.
"""

from __future__ import annotations

import numpy as np

from quantlab._numba import jit, prange
from quantlab._rolling import rolling_std_1d
from quantlab._typing import Float64Array1D, Float64Array2D, Int64Array1D

NAN = np.nan


# --------------------------------------------------------------------------------------
# one-column building blocks
# --------------------------------------------------------------------------------------


@jit()
def sma_1d(x: Float64Array1D, w: int, out: Float64Array1D) -> None:
    """Rolling mean with a compensated (Kahan) running sum; NaN unless ``w`` valid values."""
    total = 0.0
    comp = 0.0
    count = 0
    for t in range(x.shape[0]):
        v = x[t]
        if v == v:
            y = v - comp
            s = total + y
            comp = (s - total) - y
            total = s
            count += 1
        if t >= w:
            old = x[t - w]
            if old == old:
                y = -old - comp
                s = total + y
                comp = (s - total) - y
                total = s
                count -= 1
                if count == 0:
                    total = 0.0
                    comp = 0.0
        out[t] = total / w if count == w else NAN


@jit()
def _std_1d(x: Float64Array1D, w: int, ddof: int, out: Float64Array1D) -> None:
    """Rolling std of :mod:`quantlab._rolling` with the whole-window rule and running sums.

    ``min_periods=w`` because every window indicator here is NaN when its window holds a
    NaN (the module's NaN policy); running sums because indicators are computed over whole
    histories, where O(1) per bar matters and no value is recomputed from a tail.
    """
    rolling_std_1d(x, w, w, ddof, False, np.empty(0), out)


@jit()
def ema_1d(x: Float64Array1D, span: int, out: Float64Array1D) -> None:
    """EMA with ``alpha = 2 / (span + 1)`` seeded by the mean of the first ``span`` values.

    NaN bars are skipped: they output NaN and leave the state unchanged.
    """
    alpha = 2.0 / (span + 1.0)
    count = 0
    total = 0.0
    value = NAN
    for t in range(x.shape[0]):
        v = x[t]
        if v != v:
            out[t] = NAN
            continue
        if count < span:
            total += v
            count += 1
            if count == span:
                value = total / span
                out[t] = value
            else:
                out[t] = NAN
        else:
            value = (v - value) * alpha + value
            out[t] = value


@jit()
def wma_1d(x: Float64Array1D, w: int, out: Float64Array1D) -> None:
    """Linearly weighted mean, weight ``w`` on the newest bar down to 1 on the oldest."""
    denom = w * (w + 1) / 2.0
    last_nan = -1
    for t in range(x.shape[0]):
        if x[t] != x[t]:
            last_nan = t
        if t - last_nan >= w:
            acc = 0.0
            for i in range(w):
                acc += (w - i) * x[t - i]
            out[t] = acc / denom
        else:
            out[t] = NAN


@jit()
def rolling_extreme_1d(x: Float64Array1D, w: int, sign: float, out: Float64Array1D) -> None:
    """Rolling max (``sign=1``) or min (``sign=-1``) with a monotonic deque, O(n_bars)."""
    dq = np.empty(w, dtype=np.int64)
    head = 0
    size = 0
    last_nan = -1
    for t in range(x.shape[0]):
        v = x[t]
        if v != v:
            last_nan = t
            size = 0
            out[t] = NAN
            continue
        if size > 0 and dq[head] <= t - w:
            head = (head + 1) % w
            size -= 1
        while size > 0 and sign * x[dq[(head + size - 1) % w]] <= sign * v:
            size -= 1
        dq[(head + size) % w] = t
        size += 1
        out[t] = x[dq[head]] if t - last_nan >= w else NAN


@jit()
def rsi_1d(x: Float64Array1D, w: int, out: Float64Array1D) -> None:
    """Wilder RSI seeded by the simple average of the first ``w`` changes (TA-Lib)."""
    prev = NAN
    count = 0
    gain = 0.0
    loss = 0.0
    for t in range(x.shape[0]):
        v = x[t]
        if v != v:
            out[t] = NAN
            continue
        if prev != prev:
            prev = v
            out[t] = NAN
            continue
        d = v - prev
        prev = v
        up = d if d > 0.0 else 0.0
        down = -d if d < 0.0 else 0.0
        if count < w:
            gain += up
            loss += down
            count += 1
            if count < w:
                out[t] = NAN
                continue
            gain /= w
            loss /= w
        else:
            gain = (gain * (w - 1) + up) / w
            loss = (loss * (w - 1) + down) / w
        total = gain + loss
        out[t] = 100.0 * (gain / total) if total > 0.0 else 50.0


@jit()
def atr_1d(
    h: Float64Array1D, lo: Float64Array1D, c: Float64Array1D, w: int, out: Float64Array1D
) -> None:
    """Wilder ATR of the true range, seeded by the mean of the first ``w`` true ranges."""
    prev_close = NAN
    count = 0
    value = 0.0
    for t in range(c.shape[0]):
        if h[t] != h[t] or lo[t] != lo[t] or c[t] != c[t]:
            out[t] = NAN
            continue
        if prev_close != prev_close:
            prev_close = c[t]
            out[t] = NAN
            continue
        tr = max(h[t] - lo[t], abs(h[t] - prev_close), abs(lo[t] - prev_close))
        prev_close = c[t]
        if count < w:
            value += tr
            count += 1
            if count < w:
                out[t] = NAN
                continue
            value /= w
        else:
            value = (value * (w - 1) + tr) / w
        out[t] = value


@jit()
def stoch_k_1d(
    h: Float64Array1D, lo: Float64Array1D, c: Float64Array1D, w: int, out: Float64Array1D
) -> None:
    """Fast %K: where the close sits in the ``w``-bar high-low range, in percent."""
    n = c.shape[0]
    hh = np.empty(n)
    ll = np.empty(n)
    rolling_extreme_1d(h, w, 1.0, hh)
    rolling_extreme_1d(lo, w, -1.0, ll)
    for t in range(n):
        rng = hh[t] - ll[t]
        if rng != rng or c[t] != c[t]:
            out[t] = NAN
        elif rng > 0.0:
            out[t] = 100.0 * ((c[t] - ll[t]) / rng)
        else:
            out[t] = 50.0


@jit()
def roc_1d(x: Float64Array1D, w: int, out: Float64Array1D) -> None:
    """Rate of change in percent, ``100 * (x[t] / x[t - w] - 1)``; NaN if ``x[t - w] == 0``."""
    for t in range(x.shape[0]):
        if t < w:
            out[t] = NAN
            continue
        prev = x[t - w]
        v = x[t]
        if v == v and prev == prev and prev != 0.0:
            out[t] = 100.0 * (v / prev - 1.0)
        else:
            out[t] = NAN


@jit()
def zscore_1d(x: Float64Array1D, w: int, ddof: int, out: Float64Array1D) -> None:
    """``(x - rolling mean) / rolling std``; NaN where the window has no dispersion."""
    n = x.shape[0]
    sd = np.empty(n)
    sma_1d(x, w, out)
    _std_1d(x, w, ddof, sd)
    for t in range(n):
        if sd[t] > 0.0:
            out[t] = (x[t] - out[t]) / sd[t]
        else:
            out[t] = NAN


@jit()
def obv_1d(c: Float64Array1D, v: Float64Array1D, out: Float64Array1D) -> None:
    """On-balance volume, starting at the first valid bar's volume (TA-Lib)."""
    prev = NAN
    acc = 0.0
    for t in range(c.shape[0]):
        if c[t] != c[t] or v[t] != v[t]:
            out[t] = NAN
            continue
        if prev != prev:
            acc = v[t]
        elif c[t] > prev:
            acc += v[t]
        elif c[t] < prev:
            acc -= v[t]
        prev = c[t]
        out[t] = acc


# --------------------------------------------------------------------------------------
# multi-parameter drivers: one output column per (parameter, asset), prange over columns
# --------------------------------------------------------------------------------------


@jit(parallel=True)
def sma(x: Float64Array2D, windows: Int64Array1D) -> Float64Array2D:
    """Rolling mean for every window in ``windows`` and every series (row) of ``x``."""
    m, n = x.shape
    out = np.empty((windows.shape[0] * m, n))
    for c in prange(out.shape[0]):
        sma_1d(x[c % m], windows[c // m], out[c])
    return out


@jit(parallel=True)
def ema(x: Float64Array2D, spans: Int64Array1D) -> Float64Array2D:
    """EMA (SMA-seeded) for every span in ``spans`` and every column of ``x``."""
    m, n = x.shape
    out = np.empty((spans.shape[0] * m, n))
    for c in prange(out.shape[0]):
        ema_1d(x[c % m], spans[c // m], out[c])
    return out


@jit(parallel=True)
def wma(x: Float64Array2D, windows: Int64Array1D) -> Float64Array2D:
    """Linearly weighted moving average for every window and column."""
    m, n = x.shape
    out = np.empty((windows.shape[0] * m, n))
    for c in prange(out.shape[0]):
        wma_1d(x[c % m], windows[c // m], out[c])
    return out


@jit(parallel=True)
def rolling_std(x: Float64Array2D, windows: Int64Array1D, ddof: int) -> Float64Array2D:
    """Rolling standard deviation (``ddof`` 0 or 1) for every window and column."""
    m, n = x.shape
    out = np.empty((windows.shape[0] * m, n))
    for c in prange(out.shape[0]):
        _std_1d(x[c % m], windows[c // m], ddof, out[c])
    return out


@jit(parallel=True)
def rolling_max(x: Float64Array2D, windows: Int64Array1D) -> Float64Array2D:
    """Rolling maximum for every window and column."""
    m, n = x.shape
    out = np.empty((windows.shape[0] * m, n))
    for c in prange(out.shape[0]):
        rolling_extreme_1d(x[c % m], windows[c // m], 1.0, out[c])
    return out


@jit(parallel=True)
def rolling_min(x: Float64Array2D, windows: Int64Array1D) -> Float64Array2D:
    """Rolling minimum for every window and column."""
    m, n = x.shape
    out = np.empty((windows.shape[0] * m, n))
    for c in prange(out.shape[0]):
        rolling_extreme_1d(x[c % m], windows[c // m], -1.0, out[c])
    return out


@jit(parallel=True)
def rsi(x: Float64Array2D, windows: Int64Array1D) -> Float64Array2D:
    """Wilder RSI for every window and column."""
    m, n = x.shape
    out = np.empty((windows.shape[0] * m, n))
    for c in prange(out.shape[0]):
        rsi_1d(x[c % m], windows[c // m], out[c])
    return out


@jit(parallel=True)
def roc(x: Float64Array2D, windows: Int64Array1D) -> Float64Array2D:
    """Rate of change (percent) for every window and column."""
    m, n = x.shape
    out = np.empty((windows.shape[0] * m, n))
    for c in prange(out.shape[0]):
        roc_1d(x[c % m], windows[c // m], out[c])
    return out


@jit(parallel=True)
def zscore(x: Float64Array2D, windows: Int64Array1D, ddof: int) -> Float64Array2D:
    """Rolling z-score for every window and column."""
    m, n = x.shape
    out = np.empty((windows.shape[0] * m, n))
    for c in prange(out.shape[0]):
        zscore_1d(x[c % m], windows[c // m], ddof, out[c])
    return out


@jit(parallel=True)
def atr(
    h: Float64Array2D, lo: Float64Array2D, c_: Float64Array2D, windows: Int64Array1D
) -> Float64Array2D:
    """Wilder ATR for every window and column."""
    m, n = c_.shape
    out = np.empty((windows.shape[0] * m, n))
    for c in prange(out.shape[0]):
        a = c % m
        atr_1d(h[a], lo[a], c_[a], windows[c // m], out[c])
    return out


@jit(parallel=True)
def stoch_k(
    h: Float64Array2D, lo: Float64Array2D, c_: Float64Array2D, windows: Int64Array1D
) -> Float64Array2D:
    """Fast stochastic %K for every window and column."""
    m, n = c_.shape
    out = np.empty((windows.shape[0] * m, n))
    for c in prange(out.shape[0]):
        a = c % m
        stoch_k_1d(h[a], lo[a], c_[a], windows[c // m], out[c])
    return out


@jit(parallel=True)
def obv(c_: Float64Array2D, v: Float64Array2D) -> Float64Array2D:
    """On-balance volume of every column."""
    m, n = c_.shape
    out = np.empty((m, n))
    for c in prange(m):
        obv_1d(c_[c], v[c], out[c])
    return out
