"""Numba kernels of factor analysis, over *segments* of a long (stacked) layout.

The clean factor data is a set of rows sorted by date (and, when grouped, by group within
the date); a segment is a run of rows sharing a date (or a (date, group) pair), given by
``starts`` (shape ``(n_segments + 1,)``, segment ``s`` is ``rows[starts[s]:starts[s + 1]]``).
Segments are independent, so kernels run ``prange`` over segments, each thread writing only
its own segment's rows or its own output row. No pandas, no exceptions: the API layer
validates. Reference implementations: pandas / scipy / alphalens-reloaded in
``tests/factors``.
"""

from __future__ import annotations

import numpy as np

from quantlab._numba import jit, prange
from quantlab._typing import Float64Array1D, Float64Array2D, Int64Array1D


@jit(parallel=True)
def seg_bucket(
    x: Float64Array1D, starts: Int64Array1D, edges_q: Float64Array1D, bins: bool
) -> tuple[Int64Array1D, Int64Array1D]:
    """Bucket of each row within its segment, the rule of ``pandas.qcut`` / ``pandas.cut``.

    ``bins=False``: ``edges_q`` are quantile levels; each segment's edges are the values of
    its sorted ``x`` at those levels by NumPy's ``linear`` rule (the same floating-point
    steps as ``numpy.quantile``, so edges are bit-identical), and a value equal to the first
    edge belongs to bucket 1 (``include_lowest``). ``bins=True``: ``edges_q`` are the edges
    themselves, intervals ``(e_k, e_k+1]``. A row outside every interval gets 0. A segment
    whose quantile edges are not unique (ties, too few names) gets 0 on every row and a
    status of 1 (``qcut`` raises there).

    Returns ``(bucket, failed)``: bucket 1..n_buckets (0 = none) per row, and per segment 1
    if its edges were not unique.
    """
    n_seg = starts.shape[0] - 1
    n_edges = edges_q.shape[0]
    out = np.zeros(x.shape[0], dtype=np.int64)
    failed = np.zeros(n_seg, dtype=np.int64)
    for s in prange(n_seg):
        a = starts[s]
        b = starts[s + 1]
        n = b - a
        if n == 0:
            continue
        edges = np.empty(n_edges)
        if bins:
            for k in range(n_edges):
                edges[k] = edges_q[k]
        else:
            v = np.sort(x[a:b])
            for k in range(n_edges):
                virtual = (n - 1) * edges_q[k]
                if virtual >= n - 1:
                    edges[k] = v[n - 1]
                    continue
                prev = int(np.floor(virtual))
                if prev < 0:
                    edges[k] = v[0]
                    continue
                gamma = virtual - prev
                lo = v[prev]
                hi = v[prev + 1]
                diff = hi - lo
                if gamma >= 0.5:
                    edges[k] = hi - diff * (1.0 - gamma)
                else:
                    edges[k] = lo + diff * gamma
            if n_edges != 2:
                dup = False
                for k in range(n_edges - 1):
                    for k2 in range(k + 1, n_edges):
                        if edges[k] == edges[k2]:
                            dup = True
                if dup:
                    failed[s] = 1
                    continue
        for i in range(a, b):
            xi = x[i]
            ids = np.searchsorted(edges, xi)  # side="left": number of edges < xi
            if not bins and xi == edges[0]:
                ids = 1
            if ids == 0 or ids == n_edges:
                continue
            out[i] = ids
    return out, failed


@jit(parallel=True)
def seg_demean(x: Float64Array2D, starts: Int64Array1D) -> Float64Array2D:
    """Each column of ``x`` minus its segment mean, ``shape (n_rows, n_cols)``."""
    n_seg = starts.shape[0] - 1
    out = np.empty_like(x)
    for s in prange(n_seg):
        a = starts[s]
        b = starts[s + 1]
        for j in range(x.shape[1]):
            tot = 0.0
            for i in range(a, b):
                tot += x[i, j]
            mean = tot / (b - a)
            for i in range(a, b):
                out[i, j] = x[i, j] - mean
    return out


@jit(parallel=True)
def seg_bucket_stats(
    x: Float64Array2D, bucket: Int64Array1D, starts: Int64Array1D, n_buckets: int
) -> tuple[Float64Array2D, Float64Array2D, Float64Array2D]:
    """Mean, sample std (ddof 1) and count of ``x`` per (segment, bucket).

    Returns arrays of shape ``(n_segments, n_buckets, n_cols)`` flattened to 2-D as
    ``(n_segments * n_buckets, n_cols)``; mean is NaN where the count is 0, std where it is
    below 2. Two passes (mean, then squared deviations) per cell.
    """
    n_seg = starts.shape[0] - 1
    m = x.shape[1]
    mean = np.full((n_seg * n_buckets, m), np.nan)
    std = np.full((n_seg * n_buckets, m), np.nan)
    count = np.zeros((n_seg * n_buckets, m))
    for s in prange(n_seg):
        a = starts[s]
        b = starts[s + 1]
        tot = np.zeros((n_buckets, m))
        cnt = np.zeros(n_buckets)
        for i in range(a, b):
            q = bucket[i] - 1
            cnt[q] += 1.0
            for j in range(m):
                tot[q, j] += x[i, j]
        ss = np.zeros((n_buckets, m))
        for i in range(a, b):
            q = bucket[i] - 1
            for j in range(m):
                d = x[i, j] - tot[q, j] / cnt[q]
                ss[q, j] += d * d
        for q in range(n_buckets):
            r = s * n_buckets + q
            for j in range(m):
                count[r, j] = cnt[q]
                if cnt[q] > 0:
                    mean[r, j] = tot[q, j] / cnt[q]
                if cnt[q] > 1:
                    std[r, j] = np.sqrt(ss[q, j] / (cnt[q] - 1.0))
    return mean, std, count


@jit(parallel=True)
def seg_weights(f: Float64Array1D, starts: Int64Array1D, demean: bool) -> Float64Array1D:
    """``f`` (minus its segment mean if ``demean``) over its segment's sum of absolute values.

    A segment whose absolute sum is 0 gets weights 0 (alphalens' rule).
    """
    n_seg = starts.shape[0] - 1
    out = np.empty_like(f)
    for s in prange(n_seg):
        a = starts[s]
        b = starts[s + 1]
        mean = 0.0
        if demean:
            tot = 0.0
            for i in range(a, b):
                tot += f[i]
            mean = tot / (b - a)
        den = 0.0
        for i in range(a, b):
            den += abs(f[i] - mean)
        for i in range(a, b):
            out[i] = 0.0 if den == 0.0 else (f[i] - mean) / den
    return out


@jit(parallel=True)
def seg_weighted_sum(w: Float64Array1D, x: Float64Array2D, starts: Int64Array1D) -> Float64Array2D:
    """Per segment, ``sum(w * x[:, j])`` for each column ``j``; shape ``(n_segments, n_cols)``."""
    n_seg = starts.shape[0] - 1
    out = np.zeros((n_seg, x.shape[1]))
    for s in prange(n_seg):
        for i in range(starts[s], starts[s + 1]):
            for j in range(x.shape[1]):
                out[s, j] += w[i] * x[i, j]
    return out


@jit(inline=True)
def _avg_ranks(v: Float64Array1D) -> Float64Array1D:
    """Ranks 1..n of ``v`` (finite), ties given their average rank."""
    n = v.shape[0]
    order = np.argsort(v, kind="mergesort")
    r = np.empty(n)
    a = 0
    while a < n:
        b = a
        while b + 1 < n and v[order[b + 1]] == v[order[a]]:
            b += 1
        rank = 0.5 * (a + b) + 1.0
        for t in range(a, b + 1):
            r[order[t]] = rank
        a = b + 1
    return r


@jit(inline=True)
def _pearson(a: Float64Array1D, b: Float64Array1D) -> float:
    n = a.shape[0]
    if n < 2:
        return np.nan
    ma = a.mean()
    mb = b.mean()
    sab = 0.0
    saa = 0.0
    sbb = 0.0
    for i in range(n):
        da = a[i] - ma
        db = b[i] - mb
        sab += da * db
        saa += da * da
        sbb += db * db
    if saa == 0.0 or sbb == 0.0:
        return np.nan
    return sab / np.sqrt(saa * sbb)


@jit(parallel=True)
def seg_ranks(x: Float64Array1D, starts: Int64Array1D) -> Float64Array1D:
    """Average ranks (1..n, ties averaged) of ``x`` within each segment."""
    n_seg = starts.shape[0] - 1
    out = np.empty_like(x)
    for s in prange(n_seg):
        a = starts[s]
        b = starts[s + 1]
        out[a:b] = _avg_ranks(x[a:b])
    return out


@jit(parallel=True)
def seg_spearman(f: Float64Array1D, y: Float64Array2D, starts: Int64Array1D) -> Float64Array2D:
    """Spearman correlation of ``f`` with each column of ``y`` per segment, ``(n_seg, n_cols)``.

    Ranks with ties averaged, then Pearson on the ranks (``scipy.stats.spearmanr``); NaN for
    a segment of fewer than 2 rows or a constant side.
    """
    n_seg = starts.shape[0] - 1
    out = np.full((n_seg, y.shape[1]), np.nan)
    for s in prange(n_seg):
        a = starts[s]
        b = starts[s + 1]
        if b - a < 2:
            continue
        rf = _avg_ranks(f[a:b])
        for j in range(y.shape[1]):
            ry = _avg_ranks(np.ascontiguousarray(y[a:b, j]))
            out[s, j] = _pearson(rf, ry)
    return out


@jit(parallel=True)
def lag_overlap(
    bucket: Float64Array2D, lag: int, n_buckets: int
) -> tuple[Float64Array2D, Float64Array2D]:
    """Names entering each bucket versus ``lag`` bars earlier, on a ``(n_bars, n_assets)`` panel.

    ``bucket`` holds 1..n_buckets (0 or NaN = not held). Returns ``(new, size)`` of shape
    ``(n_bars, n_buckets)``: names in bucket ``q`` at bar ``t`` that were not in it at
    ``t - lag``, and the bucket's size at ``t``; NaN where either bar has an empty bucket.
    """
    n, m = bucket.shape
    new = np.full((n, n_buckets), np.nan)
    size = np.full((n, n_buckets), np.nan)
    for t in prange(lag, n):
        for q in range(1, n_buckets + 1):
            cur = 0.0
            prev = 0.0
            fresh = 0.0
            for j in range(m):
                now_in = bucket[t, j] == q
                was_in = bucket[t - lag, j] == q
                if now_in:
                    cur += 1.0
                    if not was_in:
                        fresh += 1.0
                if was_in:
                    prev += 1.0
            if cur > 0 and prev > 0:
                new[t, q - 1] = fresh
                size[t, q - 1] = cur
    return new, size


@jit(parallel=True)
def lag_corr(x: Float64Array2D, lag: int) -> Float64Array1D:
    """Pearson correlation of row ``t`` with row ``t - lag`` over the columns finite in both."""
    n, m = x.shape
    out = np.full(n, np.nan)
    for t in prange(lag, n):
        k = 0
        for j in range(m):
            if np.isfinite(x[t, j]) and np.isfinite(x[t - lag, j]):
                k += 1
        a = np.empty(k)
        b = np.empty(k)
        k = 0
        for j in range(m):
            if np.isfinite(x[t, j]) and np.isfinite(x[t - lag, j]):
                a[k] = x[t, j]
                b[k] = x[t - lag, j]
                k += 1
        out[t] = _pearson(a, b)
    return out
