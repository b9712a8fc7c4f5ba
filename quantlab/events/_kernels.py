"""Numba kernels of the event study: returns, per-event OLS and abnormal returns, test moments.

Design. The kernels read the price panel (``(n_bars, n_assets)``, F-order, the layout of a
pandas frame; the study's own copy made by :func:`scan_prices`) and compute returns where
needed: no returns panel is held. :func:`scan_prices` is the one pass over every asset
(bad prices, the equal-weight market). :func:`study_kernel` groups the events by asset and
runs ``prange`` over chunks of assets. For the asset in hand, its returns go to the
chunk's buffer (NaN where a regressor is missing), one pass over them carries the *running
sums* (count, ``sum y``, ``sum y^2``, ``sum x``, ``sum xy``, ``sum x x'``; for one regressor
in scalars, :func:`_running_sums_1`), so the sums over each estimation window are one
subtraction and an event's OLS ``alpha``, ``beta``, ``sigma`` cost O(k^3) (k = 1 for the
market model) instead of a pass over its 250 bars; its event-window row of abnormal
returns is read from the same buffer. Values are shifted by the asset's mean return and
the regressors' means before summing and the window moments are centred from the sums
(``Sxy = sum xy - n xbar ybar``); returns have means far below their standard deviations,
so this keeps the OLS within ~1e-12 (relative) of statsmodels (the tests check 1e-9).

The moments the tests need beyond the per-event outputs (the Kolari-Pynnonen residual
cross-correlation, the Corrado ranks, the positive residuals of the sign test) are
computed on demand for a subset of events by :func:`residual_moments` and
:func:`rank_moments`, ``prange`` over chunks of events with per-chunk buffers summed at
the end, so no ``(n_events, estimation)`` residual matrix is ever held in memory. The
Corrado ranks come from one quicksort argsort per event (ties: average rank).

Model codes: ``0`` market-adjusted (``AR = R - m``, ``sigma`` = standard deviation of the
estimation-window ARs), ``1`` regression on the ``k`` columns of ``regressors`` (market
model: ``k = 1``, the market return; factor model: the factor returns).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from quantlab._numba import jit, prange
from quantlab._typing import Float64Array1D, Float64Array2D, Int64Array1D

MARKET_ADJUSTED = 0
REGRESSION = 1

#: A pivot below this fraction of the diagonal's scale makes ``Sxx`` singular (constant
#: regressor over the estimation window), and residuals below this fraction of the returns'
#: variation are an exact fit (the asset is the market): both drop the event as
#: "singular_estimation".
SINGULAR_TOL = 1e-12


class StudyInputs(NamedTuple):
    """What :func:`study_kernel` reads.

    prices : (n_bars, n_assets) F-order prices, NaN where there is none; returns are
        computed from them where needed (:func:`return_at`), never held as a panel.
    regressors : (n_bars, k) C-order market (k = 1) or factor returns, NaN where missing.
    asset, day0 : (n_events,) column of each event's asset and its event-day bar.
    """

    prices: Float64Array2D
    regressors: Float64Array2D
    asset: Int64Array1D
    day0: Int64Array1D
    model: int
    estimation: int
    gap: int
    start: int  # first relative day of the event window (a)
    stop: int  # last relative day of the event window (b)


class StudyOutputs(NamedTuple):
    """Per-event outputs. ``W = stop - start + 1``; ``k`` regressors.

    ar : (n_events, W) abnormal returns over the event window (NaN where undefined).
    coef : (n_events, k + 1) alpha then the betas.
    xbar : (n_events, k) regressor means over the valid estimation bars.
    sxx_inv : (n_events, k, k) inverse of the centred cross-product matrix.
    sigma : residual standard deviation (ddof = k + 1; market-adjusted: ddof = 1).
    rms : sqrt(SSR / n_est), the scale of the residuals for the cross-correlation.
    n_est : valid estimation bars.
    n_nan : event-window bars without an abnormal return.
    singular : 1 where the regressors were constant over the estimation window or fit the
        returns exactly.
    car : sum of the event window's abnormal returns (NaN where none), summed in the same
        order as :func:`window_sums`: the whole-window CAR without a second pass.
    """

    ar: Float64Array2D
    coef: Float64Array2D
    xbar: Float64Array2D
    sxx_inv: np.ndarray
    sigma: Float64Array1D
    rms: Float64Array1D
    n_est: Int64Array1D
    n_nan: Int64Array1D
    singular: Int64Array1D
    car: Float64Array1D


@jit(parallel=True)
def scan_prices(
    prices: Float64Array2D, low: float, high: float, market: bool, copy: Float64Array2D
) -> tuple[Int64Array1D, Float64Array1D]:
    """One pass over the price panel: a copy of it into ``copy`` (same shape and F-order;
    the study keeps it, so later in-place edits of the caller's frame do not reach it); per
    asset, the prices that are not NaN and not within
    ``[low, high]`` (infinite, non-positive or out of range: the caller re-validates with
    the library's messages when any is found, so valid panels are read once); and, when
    ``market``, the equal-weight market return of each bar (mean of the assets' valid
    returns, NaN where none has one; empty otherwise).

    Returns are close-to-close from the last valid price (the data contract's carry, see
    :func:`return_at`). ``prange`` over 16 chunks of assets (contiguous columns of the
    F-order panel), each summing into its own row of the market buffers.
    """
    n_bars, n_assets = prices.shape
    n_chunks = max(min(n_assets, 16), 1)
    step = (n_assets + n_chunks - 1) // n_chunks
    rows = n_bars if market else 0
    total = np.zeros((n_chunks, rows))
    count = np.zeros((n_chunks, rows))
    bad = np.zeros(n_assets, dtype=np.int64)
    for c in prange(n_chunks):
        for j in range(c * step, min(n_assets, (c + 1) * step)):
            last = np.nan
            for t in range(n_bars):
                p = prices[t, j]
                copy[t, j] = p
                if np.isnan(p):
                    continue
                if not (low <= p <= high):
                    bad[j] += 1
                if market:
                    r = p / last - 1.0  # NaN while no previous price
                    if not np.isnan(r):
                        total[c, t] += r
                        count[c, t] += 1.0
                last = p
    out = np.full(rows, np.nan)
    if market:
        s = total.sum(axis=0)
        n = count.sum(axis=0)
        for t in range(n_bars):
            if n[t] > 0:
                out[t] = s[t] / n[t]
    return bad, out


@jit(inline=True)
def return_at(prices: Float64Array2D, t: int, j: int) -> float:
    """Simple return of asset ``j`` on bar ``t``: NaN without a price on ``t``, else from
    the last valid price before it (the data contract's carry: a multi-bar move lands on
    the next valid bar; NaN while there is no previous price)."""
    p = prices[t, j]
    if np.isnan(p):
        return np.nan
    s = t - 1
    while s >= 0 and np.isnan(prices[s, j]):
        s -= 1
    if s < 0:
        return np.nan
    return p / prices[s, j] - 1.0


@jit()
def column_returns(prices: Float64Array2D, j: int) -> Float64Array1D:
    """Returns of one column of the panel (a market given by its price column)."""
    n_bars = prices.shape[0]
    out = np.empty(n_bars)
    last = np.nan
    for t in range(n_bars):
        p = prices[t, j]
        if np.isnan(p):
            out[t] = np.nan
            continue
        out[t] = p / last - 1.0
        last = p
    return out


@jit(parallel=True)
def gather_returns(
    prices: Float64Array2D, asset: Int64Array1D, day0: Int64Array1D, a: int, b: int
) -> Float64Array2D:
    """``out[i, w]`` = return of ``asset[i]`` on bar ``day0[i] + a + w`` (``w <= b - a``)."""
    n = asset.shape[0]
    out = np.empty((n, b - a + 1))
    for i in prange(n):
        for w in range(b - a + 1):
            out[i, w] = return_at(prices, day0[i] + a + w, asset[i])
    return out


@jit(inline=True)
def _valid_row(regressors: Float64Array2D, t: int) -> bool:
    for j in range(regressors.shape[1]):
        if np.isnan(regressors[t, j]):
            return False
    return True


@jit(inline=True)
def _invert(a: Float64Array2D, inv: Float64Array2D, work: Float64Array2D) -> bool:
    """Gauss-Jordan with partial pivoting: ``inv = a^-1``; False when ``a`` is singular."""
    k = a.shape[0]
    scale = 0.0
    for i in range(k):
        scale = max(scale, abs(a[i, i]))
        for j in range(k):
            work[i, j] = a[i, j]
            inv[i, j] = 1.0 if i == j else 0.0
    if scale == 0.0:
        return False
    for col in range(k):
        piv = col
        for r in range(col + 1, k):
            if abs(work[r, col]) > abs(work[piv, col]):
                piv = r
        if abs(work[piv, col]) <= SINGULAR_TOL * scale:
            return False
        if piv != col:
            for j in range(k):
                work[col, j], work[piv, j] = work[piv, j], work[col, j]
                inv[col, j], inv[piv, j] = inv[piv, j], inv[col, j]
        d = work[col, col]
        for j in range(k):
            work[col, j] /= d
            inv[col, j] /= d
        for r in range(k):
            if r != col:
                f = work[r, col]
                if f != 0.0:
                    for j in range(k):
                        work[r, j] -= f * work[col, j]
                        inv[r, j] -= f * inv[col, j]
    return True


@jit(inline=True)
def _normal_return(
    regressors: Float64Array2D, t: int, coef: Float64Array2D, e: int, model: int
) -> float:
    """``alpha_e + x_t' beta_e`` (market-adjusted: ``x_t``); reads ``coef[e]`` in place."""
    if model == MARKET_ADJUSTED:
        return regressors[t, 0]
    nr = coef[e, 0]
    for j in range(regressors.shape[1]):
        nr += coef[e, j + 1] * regressors[t, j]
    return nr


@jit(inline=True)
def _n_terms(k: int) -> int:
    """Running sums per bar: count, y, y^2, x_p (k), x_p y (k), x_p x_q for q <= p."""
    return 3 + 2 * k + k * (k + 1) // 2


@jit(inline=True)
def _asset_returns(
    prices: Float64Array2D, x: Float64Array2D, j: int, model: int, r: Float64Array1D
) -> float:
    """``r[t]`` = return of asset ``j`` on bar ``t`` (market-adjusted: minus ``x[t, 0]``),
    NaN where it or a regressor is missing; returns the mean of the valid ones (0 if none).
    """
    total = 0.0
    cnt = 0
    last = np.nan
    for t in range(prices.shape[0]):
        p = prices[t, j]
        if np.isnan(p):
            r[t] = np.nan
            continue
        y = p / last - 1.0  # NaN while no previous price
        last = p
        if np.isnan(y) or not _valid_row(x, t):
            r[t] = np.nan
            continue
        if model == MARKET_ADJUSTED:
            y -= x[t, 0]
        r[t] = y
        total += y
        cnt += 1
    return total / cnt if cnt > 0 else 0.0


@jit(inline=True)
def _running_sums(
    r: Float64Array1D, x: Float64Array2D, model: int, shift: Float64Array1D, cum: Float64Array2D
) -> None:
    """``cum[t]`` = the sums of :func:`_n_terms` over the bars ``< t`` where ``r`` is known,
    on shifted values ``y - shift[0]``, ``x_p - shift[p + 1]``."""
    n_bars = r.shape[0]
    k = x.shape[1]
    n_terms = cum.shape[1]
    for i in range(n_terms):
        cum[0, i] = 0.0
    for t in range(n_bars):
        for i in range(n_terms):
            cum[t + 1, i] = cum[t, i]
        y = r[t]
        if np.isnan(y):
            continue
        y -= shift[0]
        cum[t + 1, 0] += 1.0
        cum[t + 1, 1] += y
        cum[t + 1, 2] += y * y
        if model == MARKET_ADJUSTED:
            continue
        col = 3 + 2 * k
        for p in range(k):
            xp = x[t, p] - shift[p + 1]
            cum[t + 1, 3 + p] += xp
            cum[t + 1, 3 + k + p] += xp * y
            for q in range(p + 1):
                cum[t + 1, col] += xp * (x[t, q] - shift[q + 1])
                col += 1


@jit(inline=True)
def _running_sums_1(
    r: Float64Array1D, x: Float64Array2D, model: int, shift: Float64Array1D, cum: Float64Array2D
) -> None:
    """:func:`_running_sums` for one regressor (market model, market-adjusted): the same
    sums in the same order, carried in scalars (independent add chains, no inner loops)."""
    c0 = 0.0
    c1 = 0.0
    c2 = 0.0
    c3 = 0.0
    c4 = 0.0
    c5 = 0.0
    regression = model != MARKET_ADJUSTED
    cum[0, 0] = 0.0
    cum[0, 1] = 0.0
    cum[0, 2] = 0.0
    if regression:
        cum[0, 3] = 0.0
        cum[0, 4] = 0.0
        cum[0, 5] = 0.0
    for t in range(r.shape[0]):
        y = r[t]
        if not np.isnan(y):
            y -= shift[0]
            c0 += 1.0
            c1 += y
            c2 += y * y
            if regression:
                xp = x[t, 0] - shift[1]
                c3 += xp
                c4 += xp * y
                c5 += xp * xp
        cum[t + 1, 0] = c0
        cum[t + 1, 1] = c1
        cum[t + 1, 2] = c2
        if regression:
            cum[t + 1, 3] = c3
            cum[t + 1, 4] = c4
            cum[t + 1, 5] = c5


@jit(parallel=True)
def study_kernel(inp: StudyInputs, ar: Float64Array2D) -> StudyOutputs:
    """Fit the normal-return model of every event and write its abnormal returns to ``ar``.

    ``ar`` is ``(n_events, stop - start + 1)``, allocated by the caller (NumPy allocates
    large arrays on transparent huge pages: far fewer page faults than numba's allocator
    for the biggest output); every element is written here.

    Events are grouped by asset (a counting sort); ``prange`` runs over chunks of assets.
    For each asset, its returns (from the prices, NaN where a regressor is missing) go to
    the chunk's buffer, then one pass of running sums over them (:func:`_running_sums`),
    so each estimation window's sums are one subtraction and each event's OLS costs
    O(k^3) instead of a pass over its window; its event-window row of ``ar`` is then read
    from the same buffer, still in cache. Each event belongs to one asset, hence one
    chunk: threads write disjoint rows. The values are shifted by the asset's mean return
    and the regressors' means over the panel before summing, and the moments are centred
    from the window sums (``Sxy = sum xy - n xbar ybar``); with returns (means far below
    their standard deviations) this loses no more than a few digits of float64.
    """
    prices, x = inp.prices, inp.regressors
    n_bars, n_assets = prices.shape
    n_events = inp.asset.shape[0]
    k = x.shape[1]
    width = inp.stop - inp.start + 1
    coef_s = np.full((n_events, k + 1), np.nan)
    xbar_s = np.full((n_events, k), np.nan)
    sxx_inv_s = np.full((n_events, k, k), np.nan)
    sigma_s = np.full(n_events, np.nan)
    rms_s = np.full(n_events, np.nan)
    n_est_s = np.zeros(n_events, dtype=np.int64)
    n_nan_s = np.zeros(n_events, dtype=np.int64)
    singular_s = np.zeros(n_events, dtype=np.int64)
    car_s = np.full(n_events, np.nan)
    # events grouped by asset (CSR: order[ptr[j]:ptr[j + 1]], in event order)
    ptr = np.zeros(n_assets + 1, dtype=np.int64)
    for e in range(n_events):
        ptr[inp.asset[e] + 1] += 1
    for j in range(n_assets):
        ptr[j + 1] += ptr[j]
    fill = ptr[:-1].copy()
    order = np.empty(n_events, dtype=np.int64)
    for e in range(n_events):
        order[fill[inp.asset[e]]] = e
        fill[inp.asset[e]] += 1
    day0 = inp.day0[order]
    x_shift = np.zeros(k)
    for p in range(k):
        total = 0.0
        cnt = 0
        for t in range(n_bars):
            if not np.isnan(x[t, p]):
                total += x[t, p]
                cnt += 1
        x_shift[p] = total / cnt if cnt > 0 else 0.0
    n_terms = _n_terms(k)
    n_chunks = max(min(n_assets, 64), 1)
    step = (n_assets + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        shift = np.empty(k + 1)
        sxx = np.empty((k, k))
        inv = np.empty((k, k))
        work = np.empty((k, k))
        sxy = np.empty(k)
        mx = np.empty(k)
        r = np.empty(n_bars)
        cum = np.empty((n_bars + 1, n_terms))
        for j in range(c * step, min(n_assets, (c + 1) * step)):
            if ptr[j + 1] == ptr[j]:
                continue
            # shift: the asset's mean (excess) return over the panel, the regressors' means
            shift[0] = _asset_returns(prices, x, j, inp.model, r)
            for p in range(k):
                shift[p + 1] = x_shift[p]
            if k == 1:
                _running_sums_1(r, x, inp.model, shift, cum)
            else:
                _running_sums(r, x, inp.model, shift, cum)
            for e in range(ptr[j], ptr[j + 1]):  # sorted position; the row of ar: order[e]
                row = ar[order[e]]
                first_event = day0[e] + inp.start
                # estimation window [lo, hi) clipped to the history
                lo = max(first_event - inp.gap - inp.estimation, 0)
                hi = max(first_event - inp.gap, 0)
                n = int(cum[hi, 0] - cum[lo, 0] + 0.5)
                n_est_s[e] = n
                if n == 0:
                    row[:] = np.nan
                    continue
                my = (cum[hi, 1] - cum[lo, 1]) / n
                syy = (cum[hi, 2] - cum[lo, 2]) - n * my * my
                if inp.model == MARKET_ADJUSTED:
                    coef_s[e, 0] = 0.0
                    coef_s[e, 1] = 1.0
                    mx[0] = 0.0
                    ssr = syy
                    df = n - 1
                    for p in range(k):
                        for q in range(k):
                            sxx_inv_s[e, p, q] = 0.0
                else:
                    for p in range(k):
                        mx[p] = (cum[hi, 3 + p] - cum[lo, 3 + p]) / n
                    for p in range(k):
                        sxy[p] = (cum[hi, 3 + k + p] - cum[lo, 3 + k + p]) - (n * mx[p] * my)
                    col = 3 + 2 * k
                    for p in range(k):
                        for q in range(p + 1):
                            v = (cum[hi, col] - cum[lo, col]) - n * mx[p] * mx[q]
                            sxx[p, q] = v
                            sxx[q, p] = v
                            col += 1
                    if not _invert(sxx, inv, work):
                        singular_s[e] = 1
                        row[:] = np.nan
                        continue
                    ssr = syy
                    alpha = my + shift[0]
                    for p in range(k):
                        b = 0.0
                        for q in range(k):
                            b += inv[p, q] * sxy[q]
                        ssr -= b * sxy[p]
                        alpha -= b * (mx[p] + shift[p + 1])
                        coef_s[e, p + 1] = b
                        for q in range(k):
                            sxx_inv_s[e, p, q] = inv[p, q]
                    coef_s[e, 0] = alpha
                    df = n - k - 1
                if ssr <= SINGULAR_TOL * syy or syy <= 0.0:  # an exact fit: no residual noise
                    singular_s[e] = 1
                    row[:] = np.nan
                    continue
                for p in range(k):
                    xbar_s[e, p] = mx[p] + shift[p + 1]
                sigma_s[e] = np.sqrt(ssr / df) if df > 0 else np.nan
                rms_s[e] = np.sqrt(ssr / n)
                if np.isnan(sigma_s[e]):  # no residual degrees of freedom: no abnormal returns
                    row[:] = np.nan
                    continue
                miss = 0
                total = 0.0
                for w in range(width):
                    t = first_event + w
                    y = r[t]
                    if np.isnan(y):
                        row[w] = np.nan
                        miss += 1
                        continue
                    if inp.model != MARKET_ADJUSTED:  # market-adjusted: y is R - R_m already
                        y -= _normal_return(x, t, coef_s, e, inp.model)
                    row[w] = y
                    total += y
                n_nan_s[e] = miss
                if miss < width:
                    car_s[e] = total
    # back to the events' order (each output was written at the event's sorted position)
    where = np.empty(n_events, dtype=np.int64)
    for i in range(n_events):
        where[order[i]] = i
    coef = np.empty_like(coef_s)
    xbar = np.empty_like(xbar_s)
    sxx_inv = np.empty_like(sxx_inv_s)
    sigma = np.empty_like(sigma_s)
    rms = np.empty_like(rms_s)
    n_est = np.empty_like(n_est_s)
    n_nan = np.empty_like(n_nan_s)
    singular = np.empty_like(singular_s)
    car = np.empty_like(car_s)
    for e in prange(n_events):
        i = where[e]
        coef[e] = coef_s[i]
        xbar[e] = xbar_s[i]
        sxx_inv[e] = sxx_inv_s[i]
        sigma[e] = sigma_s[i]
        rms[e] = rms_s[i]
        n_est[e] = n_est_s[i]
        n_nan[e] = n_nan_s[i]
        singular[e] = singular_s[i]
        car[e] = car_s[i]
    return StudyOutputs(ar, coef, xbar, sxx_inv, sigma, rms, n_est, n_nan, singular, car)


@jit(parallel=True)
def residual_moments(
    inp: StudyInputs, coef: Float64Array2D, rms: Float64Array1D, subset: Int64Array1D
) -> tuple[Float64Array1D, Float64Array1D]:
    """Calendar sums ``S_t = sum_i z_it`` and ``Q_t = sum_i z_it^2`` of the standardized
    estimation residuals ``z_it = e_it / rms_i`` of the events in ``subset`` (market-adjusted
    model: ``e_it`` = the AR minus its estimation-window mean).

    ``sum_t (S_t^2 - Q_t) = sum_{i != j} sum_t z_it z_jt`` is the numerator of the
    Kolari-Pynnonen average residual cross-correlation.
    """
    prices, x = inp.prices, inp.regressors
    n_bars = prices.shape[0]
    n_sub = subset.shape[0]
    n_chunks = max(min(n_sub, 16), 1)
    step = (n_sub + n_chunks - 1) // n_chunks
    s_buf = np.zeros((n_chunks, n_bars))
    q_buf = np.zeros((n_chunks, n_bars))
    for c in prange(n_chunks):
        for i in range(c * step, min(n_sub, (c + 1) * step)):
            e = subset[i]
            j = inp.asset[e]
            est_stop = inp.day0[e] + inp.start - inp.gap
            est_start = max(est_stop - inp.estimation, 0)
            scale = rms[e]
            if not scale > 0.0:
                continue
            center = 0.0  # OLS residuals have mean zero; market-adjusted ARs are centred here
            if inp.model == MARKET_ADJUSTED:
                n = 0
                for t in range(est_start, est_stop):
                    y = return_at(prices, t, j)
                    if not (np.isnan(y) or not _valid_row(x, t)):
                        center += y - x[t, 0]
                        n += 1
                center /= max(n, 1)
            for t in range(est_start, est_stop):
                y = return_at(prices, t, j)
                if np.isnan(y) or not _valid_row(x, t):
                    continue
                z = (y - _normal_return(x, t, coef, e, inp.model) - center) / scale
                s_buf[c, t] += z
                q_buf[c, t] += z * z
    return s_buf.sum(axis=0), q_buf.sum(axis=0)


@jit(parallel=True)
def rank_moments(
    inp: StudyInputs, coef: Float64Array2D, ar: Float64Array2D, subset: Int64Array1D
) -> tuple[Float64Array1D, Float64Array1D, Int64Array1D]:
    """Corrado-Zivney ranks: per relative day, ``sum_i (U_it - 1/2)`` and the count of events;
    and per event of ``subset`` its positive estimation residuals (generalized sign test).

    Relative days are laid out as the ``estimation`` days of the estimation window (the
    first ones may be missing near the start of the history) then the event window. Each
    event's valid abnormal returns over both windows are ranked together (ties get their
    average rank) and ``U_it = rank / (M_i + 1)`` with ``M_i`` of them.
    """
    prices, x = inp.prices, inp.regressors
    length = inp.estimation
    width = ar.shape[1]
    total = length + width
    n_sub = subset.shape[0]
    n_chunks = max(min(n_sub, 16), 1)
    step = (n_sub + n_chunks - 1) // n_chunks
    u_buf = np.zeros((n_chunks, total))
    n_buf = np.zeros((n_chunks, total))
    n_pos = np.zeros(n_sub, dtype=np.int64)
    for c in prange(n_chunks):
        vals = np.empty(total)
        pos = np.empty(total, dtype=np.int64)
        ranks = np.empty(total)
        for i in range(c * step, min(n_sub, (c + 1) * step)):
            e = subset[i]
            j = inp.asset[e]
            est_stop = inp.day0[e] + inp.start - inp.gap
            m = 0
            for d in range(length):
                t = est_stop - length + d
                if t < 0:
                    continue
                y = return_at(prices, t, j)
                if np.isnan(y) or not _valid_row(x, t):
                    continue
                vals[m] = y - _normal_return(x, t, coef, e, inp.model)
                if vals[m] > 0.0:
                    n_pos[i] += 1
                pos[m] = d
                m += 1
            for w in range(width):
                if not np.isnan(ar[e, w]):
                    vals[m] = ar[e, w]
                    pos[m] = length + w
                    m += 1
            if m == 0:
                continue
            order = np.argsort(vals[:m])  # ties get their average rank: order among them is moot
            r = 0
            while r < m:
                s = r
                while s + 1 < m and vals[order[s + 1]] == vals[order[r]]:
                    s += 1
                avg = 0.5 * (r + s) + 1.0
                for q in range(r, s + 1):
                    ranks[order[q]] = avg
                r = s + 1
            for q in range(m):
                u_buf[c, pos[q]] += ranks[q] / (m + 1.0) - 0.5
                n_buf[c, pos[q]] += 1.0
    return u_buf.sum(axis=0), n_buf.sum(axis=0), n_pos


@jit()
def overlap_drops(key: Int64Array1D, day0: Int64Array1D, span: int) -> np.ndarray:
    """Events (sorted by ``key`` then ``day0``) whose day 0 lies within ``span`` bars after
    the day 0 of the last kept event of the same key: True = dropped as an overlap."""
    n = key.shape[0]
    drop = np.zeros(n, dtype=np.bool_)
    last_key = -1
    last_day = 0
    for i in range(n):
        if key[i] == last_key and day0[i] <= last_day + span:
            drop[i] = True
            continue
        last_key = key[i]
        last_day = day0[i]
    return drop


@jit(parallel=True)
def window_sums(ar: Float64Array2D, lo: int, hi: int) -> Float64Array1D:
    """Sum of each row's non-NaN values over columns ``[lo, hi)`` (NaN if there are none)."""
    n = ar.shape[0]
    out = np.empty(n)
    for i in prange(n):
        s = 0.0
        valid = False
        for w in range(lo, hi):
            v = ar[i, w]
            if not np.isnan(v):
                s += v
                valid = True
        out[i] = s if valid else np.nan
    return out
