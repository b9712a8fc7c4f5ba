"""Numba kernels of :mod:`quantlab.metrics`.

Every kernel takes ``(n_bars, n_columns)`` float64 arrays (Fortran order in practice, so one
column is contiguous) and skips NaN returns: a NaN bar contributes nothing, it is *not* a
zero return in the moments (in the equity curve, skipping a bar and a zero return coincide).

The per-column work is split into four ``_col_*`` functions (moments, drawdowns, sort-based
quantiles, benchmark-relative sums) that each parallel driver calls inside one ``prange``
loop over columns; :func:`summary_kernel` calls all four, so the whole summary is one pass of
the data per column. Kernels return *raw statistics* (sums, counts, order statistics); the
metric formulas (annualization, ratios, conventions) live in :mod:`quantlab.metrics.api` so
that a single metric and the summary share one formula.

Each ``prange`` iteration writes only its own column of the output and allocates its own
scratch buffers.
"""

from __future__ import annotations

import math

import numpy as np

from quantlab._numba import jit, prange

# --------------------------------------------------------------------------- kernel groups
# Bits of ``groups``: which parts of :func:`column_stats` run. Defined here once; the
# metric table (``_formulas.SUMMARY``) and the API name them, never the bare numbers.
MOMENTS = 1
DRAWDOWNS = 2
QUANTILES = 4
BENCHMARK = 8

# --------------------------------------------------------------------------- stat layout
# moments
N_OBS = 0
MEAN = 1
STD = 2  # ddof=1; exactly 0 when every valid value is equal; NaN below 2 observations
M2 = 3  # central moments divided by n (population)
M3 = 4
M4 = 5
MIN = 6
MAX = 7
GROWTH = 8  # prod(1 + r)
SUM_POS = 9
SUM_NEG = 10
DOWN2 = 11  # mean(min(r - target, 0) ** 2)
OMEGA_UP = 12  # sum of (r - threshold) above 0
OMEGA_DN = 13  # -sum of (r - threshold) below 0
STABILITY = 14
N_MOMENTS = 15
# drawdowns
MDD = 15
MDD_DURATION = 16
AVG_DD = 17
RECOVERY = 18
ULCER = 19
N_DD_EPISODES = 20
N_DRAWDOWN = 6
# quantiles
VAR = 21
CVAR = 22
Q05 = 23
Q95 = 24
N_QUANTILE = 4
# benchmark
N_PAIR = 25
BETA = 26
ALPHA_MEAN = 27  # mean((r - rf) - beta * (b - rf)) over paired bars
CORR = 28
ACTIVE_MEAN = 29
ACTIVE_STD = 30
UP_GROWTH_R = 31
UP_GROWTH_B = 32
N_UP = 33
DOWN_GROWTH_R = 34
DOWN_GROWTH_B = 35
N_DOWN = 36
N_BENCH = 12
# input scan (min / max over non-NaN values, +-inf included); a bad column is not computed
SCAN_MIN = 37
SCAN_MAX = 38
N_STATS = 39


# --------------------------------------------------------------------------- moments
#: LLVM fast-math flags that only allow re-associating sums (so reductions vectorize);
#: NaN / inf semantics are kept (no ``nnan`` / ``ninf``).
_REASSOC = {"reassoc", "nsz", "contract"}


@jit()
def _log1p(v):  # type: ignore[no-untyped-def]
    """``log1p`` for a simple return: a short atanh series for |v| <= 0.1, else libm.

    ``log1p(v) = 2 atanh(s)`` with ``s = v / (2 + v)``, ``|s| <= 0.0477``: the terms up
    to ``s**13`` leave an error below 1e-18, several times cheaper than libm's ``log1p``.
    """
    if v > 0.1 or v < -0.1:
        return math.log1p(v) if v > -1.0 else -np.inf
    s = v / (2.0 + v)
    s2 = s * s
    p = 1.0 / 13.0
    p = p * s2 + 1.0 / 11.0
    p = p * s2 + 1.0 / 9.0
    p = p * s2 + 1.0 / 7.0
    p = p * s2 + 1.0 / 5.0
    p = p * s2 + 1.0 / 3.0
    p = p * s2 + 1.0
    return 2.0 * s * p


@jit(fastmath=_REASSOC)  # type: ignore[arg-type]
def col_moments(x, target, threshold, out, scratch):  # type: ignore[no-untyped-def]
    """Moments, growth, partial sums and stability of one NaN-free column (two passes).

    ``scratch`` (length >= ``len(x)``) keeps the log equity curve between the passes. The
    loops are branch-free (min / max instead of sign tests) to keep the pipeline busy.
    """
    n = x.shape[0]
    out[N_OBS] = n
    if n == 0:
        for k in range(N_MOMENTS):
            if k != N_OBS:
                out[k] = np.nan
        return
    s = 0.0
    mn = np.inf
    mx = -np.inf
    growth = 1.0
    pos = 0.0
    neg = 0.0
    down2 = 0.0
    om_up = 0.0
    om_dn = 0.0
    for i in range(n):
        v = x[i]
        s += v
        mn = min(mn, v)
        mx = max(mx, v)
        growth *= 1.0 + v
        pos += max(v, 0.0)
        neg += min(v, 0.0)
        d = min(v - target, 0.0)
        down2 += d * d
        e = v - threshold
        om_up += max(e, 0.0)
        om_dn += max(-e, 0.0)
    logsum = 0.0
    ysum = 0.0
    for i in range(n):
        logsum += _log1p(x[i])
        scratch[i] = logsum
        ysum += logsum
    out[MIN] = mn
    out[MAX] = mx
    out[GROWTH] = growth
    out[SUM_POS] = pos
    out[SUM_NEG] = neg
    out[OMEGA_UP] = om_up
    out[OMEGA_DN] = om_dn
    mean = s / n
    out[MEAN] = mean
    out[DOWN2] = down2 / n
    # second pass: central moments and the regression of log equity on time
    c2 = 0.0
    c3 = 0.0
    c4 = 0.0
    for i in range(n):
        d = x[i] - mean
        d2 = d * d
        c2 += d2
        c3 += d2 * d
        c4 += d2 * d2
    ybar = ysum / n
    tbar = (n - 1) / 2.0
    sty = 0.0
    syy = 0.0
    stt = 0.0
    if not math.isfinite(ybar):  # a -100% return: log equity is -inf, no regression
        n_fit = 0
        syy = np.nan
    else:
        n_fit = n
    for k in range(n_fit):
        dy = scratch[k] - ybar
        dt = k - tbar
        sty += dt * dy
        syy += dy * dy
        stt += dt * dt
    out[M2] = c2 / n
    out[M3] = c3 / n
    out[M4] = c4 / n
    if n < 2:
        out[STD] = np.nan
    elif mx == mn:
        out[STD] = 0.0
    else:
        out[STD] = math.sqrt(c2 / (n - 1))
    if n < 2 or not math.isfinite(syy):
        out[STABILITY] = np.nan
    elif syy == 0.0:  # flat equity: scipy's linregress reports r = 0
        out[STABILITY] = 0.0
    elif mx == mn:  # constant returns: log equity is exactly a line, R^2 = 1 (no rounding)
        out[STABILITY] = 1.0
    else:  # R^2 of a line; rounding can push it past 1 (scipy's linregress clips r too)
        out[STABILITY] = min((sty * sty) / (stt * syy), 1.0)


# --------------------------------------------------------------------------- drawdowns
@jit()
def col_drawdowns(x, out):  # type: ignore[no-untyped-def]
    """Max drawdown, longest underwater spell, mean episode depth, recovery, ulcer index.

    The equity curve starts at 1 before the first bar (so a loss on the first bar is a
    drawdown); NaN bars are skipped (the caller passes the valid returns), so durations
    count valid bars.
    """
    eq = 1.0
    peak = 1.0
    n = 0
    mdd = 0.0
    sum_sq = 0.0
    under = False
    ep_depth = 0.0
    ep_start = 0
    ep_trough = 0
    n_ep = 0
    depth_sum = 0.0
    longest = 0
    mdd_trough = -1
    mdd_recovered = -1  # bar index (valid-bar count) of recovery of the max-dd episode
    mdd_ep_open = False
    for i in range(x.shape[0]):
        v = x[i]
        if math.isnan(v):
            continue
        eq *= 1.0 + v
        if eq >= peak:
            peak = eq
            dd = 0.0
            if under:
                under = False
                length = n - ep_start
                longest = max(longest, length)
                depth_sum += ep_depth
                n_ep += 1
                if mdd_ep_open:
                    mdd_recovered = n
                    mdd_ep_open = False
        else:
            dd = (eq - peak) / peak
            if not under:
                under = True
                ep_start = n
                ep_depth = 0.0
                ep_trough = n
            if dd < ep_depth:
                ep_depth = dd
                ep_trough = n
            if dd < mdd:
                mdd = dd
                mdd_trough = ep_trough
                mdd_ep_open = True
                mdd_recovered = -1
        sum_sq += dd * dd
        n += 1
    if under:
        longest = max(longest, n - ep_start)
        depth_sum += ep_depth
        n_ep += 1
    if n == 0:
        for k in range(MDD, MDD + N_DRAWDOWN):
            out[k] = np.nan
        return
    out[MDD] = mdd
    out[MDD_DURATION] = longest
    out[AVG_DD] = depth_sum / n_ep if n_ep > 0 else 0.0
    if mdd_trough < 0:
        out[RECOVERY] = 0.0
    elif mdd_recovered < 0:
        out[RECOVERY] = np.nan
    else:
        out[RECOVERY] = mdd_recovered - mdd_trough
    out[ULCER] = math.sqrt(sum_sq / n)
    out[N_DD_EPISODES] = n_ep


# --------------------------------------------------------------------------- quantiles
@jit()
def _select(a, lo, hi, k):  # type: ignore[no-untyped-def]
    """Quickselect: reorder ``a[lo:hi+1]`` so that ``a[k]`` is its k-th smallest value."""
    while hi > lo:
        mid = (lo + hi) // 2
        # median of three into a[mid]
        if a[mid] < a[lo]:
            a[mid], a[lo] = a[lo], a[mid]
        if a[hi] < a[lo]:
            a[hi], a[lo] = a[lo], a[hi]
        if a[hi] < a[mid]:
            a[hi], a[mid] = a[mid], a[hi]
        pivot = a[mid]
        i = lo
        j = hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return


@jit()
def _lerp(a, b, t):  # type: ignore[no-untyped-def]
    """NumPy's linear interpolation between two order statistics (``np.percentile``)."""
    diff = b - a
    if t >= 0.5:
        return b - diff * (1.0 - t)
    return a + diff * t


@jit()
def _percentile(buf, lo, hi, offset, n, h):  # type: ignore[no-untyped-def]
    """``np.percentile`` at virtual index ``h`` of a sample of ``n`` values.

    ``buf[lo:hi+1]`` holds the values of overall ranks ``offset .. offset + hi - lo``, which
    must include ranks ``floor(h)`` and ``floor(h) + 1`` (when < n).
    """
    i = int(math.floor(h))
    k = lo + (i - offset)
    _select(buf, lo, hi, k)
    lo_v = buf[k]
    if i + 1 >= n:
        return lo_v
    hi_v = buf[k + 1]
    for j in range(k + 2, hi + 1):
        if buf[j] < hi_v:
            hi_v = buf[j]
    return _lerp(lo_v, hi_v, h - i)


@jit()
def col_quantiles(x, cutoff, buf, out, mean, std):  # type: ignore[no-untyped-def]
    """Historical VaR at ``cutoff``, CVaR, 5th / 95th percentiles of a NaN-free column.

    ``buf`` is scratch of length ``len(x)``. Percentiles interpolate linearly like
    ``np.percentile``; CVaR is the mean of the ``int((n - 1) * cutoff) + 1`` lowest values
    (empyrical's ``conditional_value_at_risk``). Fast path: only the values beyond
    ``mean -+ std`` (pass NaN to skip it) are copied and searched, which is exact whenever
    those tails hold every needed rank (checked); otherwise the whole sample is searched.
    """
    n = x.shape[0]
    if n == 0:
        for k in range(VAR, VAR + N_QUANTILE):
            out[k] = np.nan
        return
    k_cvar = int((n - 1) * cutoff)
    h_var = (n - 1) * cutoff
    h05 = (n - 1) * 0.05
    h95 = (n - 1) * 0.95
    low_need = min(max(k_cvar, int(math.floor(h_var)), int(math.floor(h05))) + 2, n)
    high_need = int(math.floor(h95))
    fast = False
    if math.isfinite(mean) and math.isfinite(std) and std > 0.0:
        t_lo = mean - std
        t_hi = mean + std
        nl = 0
        nh = 0
        for i in range(x.shape[0]):  # branch-free compaction of both tails (NaN in neither)
            v = x[i]
            buf[nl] = v
            buf[n - 1 - nh] = v
            nl += v <= t_lo
            nh += v >= t_hi
        fast = nl >= low_need and n - nh <= high_need
    if fast:
        lo_end = nl - 1
        hi_start = n - nh
    else:
        for i in range(n):
            buf[i] = x[i]
        lo_end = n - 1
        hi_start = 0
    _select(buf, 0, lo_end, k_cvar)
    total = 0.0
    for m in range(k_cvar + 1):
        total += buf[m]
    out[CVAR] = total / (k_cvar + 1)
    out[VAR] = _percentile(buf, 0, lo_end, 0, n, h_var)
    out[Q05] = _percentile(buf, 0, lo_end, 0, n, h05)
    out[Q95] = _percentile(buf, hi_start, n - 1, hi_start, n, h95)


# --------------------------------------------------------------------------- benchmark
@jit()
def col_benchmark(x, b, rf, out):  # type: ignore[no-untyped-def]
    """Beta, alpha's mean, correlation, active return moments and capture sums.

    Only bars where both the returns and the benchmark are valid ("paired") count.
    """
    n = 0
    sx = 0.0
    sb = 0.0
    sa = 0.0
    up_r = 1.0
    up_b = 1.0
    n_up = 0
    dn_r = 1.0
    dn_b = 1.0
    n_dn = 0
    for i in range(x.shape[0]):
        v = x[i]
        w = b[i]
        if math.isnan(v) or math.isnan(w):
            continue
        n += 1
        sx += v
        sb += w
        sa += v - w
        if w > 0.0:
            up_r *= 1.0 + v
            up_b *= 1.0 + w
            n_up += 1
        elif w < 0.0:
            dn_r *= 1.0 + v
            dn_b *= 1.0 + w
            n_dn += 1
    out[N_PAIR] = n
    out[UP_GROWTH_R] = up_r
    out[UP_GROWTH_B] = up_b
    out[N_UP] = n_up
    out[DOWN_GROWTH_R] = dn_r
    out[DOWN_GROWTH_B] = dn_b
    out[N_DOWN] = n_dn
    if n == 0:
        for k in (BETA, ALPHA_MEAN, CORR, ACTIVE_MEAN, ACTIVE_STD):
            out[k] = np.nan
        return
    mx = sx / n
    mb = sb / n
    ma = sa / n
    cxb = 0.0
    cbb = 0.0
    cxx = 0.0
    caa = 0.0
    a_min = np.inf
    a_max = -np.inf
    for i in range(x.shape[0]):
        v = x[i]
        w = b[i]
        if math.isnan(v) or math.isnan(w):
            continue
        dx = v - mx
        db = w - mb
        a = v - w
        da = a - ma
        cxb += dx * db
        cbb += db * db
        cxx += dx * dx
        caa += da * da
        a_min = min(a_min, a)
        a_max = max(a_max, a)
    var_b = cbb / n
    beta = cxb / cbb if var_b >= 1.0e-30 else np.nan
    out[BETA] = beta
    out[ALPHA_MEAN] = (mx - rf) - beta * (mb - rf)
    out[CORR] = cxb / math.sqrt(cxx * cbb) if cxx > 0.0 and cbb > 0.0 else np.nan
    out[ACTIVE_MEAN] = ma
    if n < 2:
        out[ACTIVE_STD] = np.nan
    elif a_min == a_max:
        out[ACTIVE_STD] = 0.0
    else:
        out[ACTIVE_STD] = math.sqrt(caa / (n - 1))


# --------------------------------------------------------------------------- drivers
#: Columns gathered together into a contiguous scratch block (one cache line of float64),
#: so C-ordered input is read once, line by line, without a transposed copy.
BLOCK = 8


@jit()
def gather(panel, c0, width, local):  # type: ignore[no-untyped-def]
    """Copy columns ``c0 .. c0 + width`` of ``panel`` into the rows of ``local``."""
    for i in range(panel.shape[0]):
        for j in range(width):
            local[j, i] = panel[i, c0 + j]


@jit()
def column_stats(x, b, dense, buf, stats, rf, threshold, cutoff, groups):  # type: ignore[no-untyped-def]
    """Every requested group of statistics of one column ``x`` (benchmark column ``b``).

    The valid values are compacted into ``dense`` while scanning for infinite values and
    returns below -1; such a column gets only ``SCAN_MIN`` / ``SCAN_MAX`` (the caller
    raises), so no arithmetic runs on invalid input.
    """
    n = 0
    mn = np.inf
    mx = -np.inf
    for i in range(x.shape[0]):  # branch-free compaction of the valid values
        v = x[i]
        dense[n] = v
        n += not math.isnan(v)
        if v < mn:
            mn = v
        if v > mx:
            mx = v
    stats[SCAN_MIN] = mn
    stats[SCAN_MAX] = mx
    if mn < -1.0 or mx == np.inf:
        return
    xv = dense[:n]
    if groups & MOMENTS:
        col_moments(xv, rf, threshold, stats, buf)
    if groups & DRAWDOWNS:
        col_drawdowns(xv, stats)
    if groups & QUANTILES:
        col_quantiles(xv, cutoff, buf, stats, stats[MEAN], stats[STD])
    if groups & BENCHMARK:
        col_benchmark(x, b, rf, stats)


@jit(parallel=True)
def stats_kernel(returns, bench, rf, threshold, cutoff, groups):  # type: ignore[no-untyped-def]
    """Raw statistics of every column in one parallel pass: ``(N_STATS, n_columns)``.

    ``groups`` selects the work: the bits ``MOMENTS``, ``DRAWDOWNS``, ``QUANTILES``,
    ``BENCHMARK`` (all four = everything). ``bench`` is ``(n_bars, 1)`` (one for all
    columns, or a dummy without ``BENCHMARK``) or ``(n_bars, n_columns)``. ``rf`` is the
    per-period risk-free rate
    (Sortino target and alpha), ``threshold`` the per-period Omega threshold, ``cutoff``
    the VaR tail. Statistics of a group not computed stay NaN. Columns of a Fortran-ordered
    panel are read in place; a C-ordered panel is gathered ``BLOCK`` columns at a time.
    """
    n_bars, n_cols = returns.shape
    nb = bench.shape[1]
    col_contig = returns.strides[0] == returns.itemsize
    out = np.full((N_STATS, n_cols), np.nan)
    n_blocks = (n_cols + BLOCK - 1) // BLOCK
    for blk in prange(n_blocks):
        c0 = np.int64(blk * BLOCK)
        width = min(BLOCK, n_cols - c0)
        local = np.empty((BLOCK, 0 if col_contig else n_bars))
        if not col_contig:
            gather(returns, c0, width, local)
        stats = np.empty(N_STATS)
        buf = np.empty(n_bars)
        dense = np.empty(n_bars)
        for j in range(width):
            c = c0 + j
            bc = c if nb > 1 else np.int64(0)
            stats[:] = np.nan
            if col_contig:
                column_stats(
                    returns[:, c], bench[:, bc], dense, buf, stats, rf, threshold, cutoff, groups
                )
            else:
                column_stats(
                    local[j], bench[:, bc], dense, buf, stats, rf, threshold, cutoff, groups
                )
            out[:, c] = stats
    return out


@jit(parallel=True)
def scan_kernel(returns):  # type: ignore[no-untyped-def]
    """Per column: (min, max) over non-NaN values, for input validation (+-inf included)."""
    n_bars, n_cols = returns.shape
    out = np.empty((2, n_cols))
    n_blocks = (n_cols + BLOCK - 1) // BLOCK
    for blk in prange(n_blocks):
        c0 = blk * BLOCK
        width = min(BLOCK, n_cols - c0)
        mn = np.full(BLOCK, np.inf)
        mx = np.full(BLOCK, -np.inf)
        for i in range(n_bars):
            for j in range(width):
                v = returns[i, c0 + j]
                if v < mn[j]:
                    mn[j] = v
                if v > mx[j]:
                    mx[j] = v
        for j in range(width):
            out[0, c0 + j] = mn[j]
            out[1, c0 + j] = mx[j]
    return out


@jit(parallel=True)
def drawdown_series_kernel(returns):  # type: ignore[no-untyped-def]
    """Underwater curve ``equity / running_peak - 1`` (NaN where the return is NaN)."""
    n_bars, n_cols = returns.shape
    out = np.full((n_bars, n_cols), np.nan)
    for c in prange(n_cols):
        eq = 1.0
        peak = 1.0
        for i in range(n_bars):
            v = returns[i, c]
            if math.isnan(v):
                continue
            eq *= 1.0 + v
            if eq >= peak:
                peak = eq
                out[i, c] = 0.0
            else:
                out[i, c] = (eq - peak) / peak
    return out
