"""Numba kernels of the signal functions.

Time-series kernels (crossings, cleaning) take panels *transposed*, C-contiguous
``(n_columns, n_bars)`` (each series contiguous), return the same layout and own one series
per ``prange`` iteration. Cross-sectional kernels (ranks, z-scores, top-k) take panels as
``(n_bars, n_assets)`` C-contiguous arrays and own one row. Inputs are validated; kernels
never raise.
"""

from __future__ import annotations

import numpy as np

from quantlab._numba import jit, prange
from quantlab._typing import BoolArray2D, Float64Array1D, Float64Array2D, Int64Array1D

NAN = np.nan


@jit(parallel=True)
def crossed(
    a: Float64Array2D, b: Float64Array2D, ia: Int64Array1D, ib: Int64Array1D, above: bool
) -> BoolArray2D:
    """``out[c, t]``: series ``a[ia[c]]`` crosses ``b[ib[c]]`` at bar ``t`` (above or below).

    ``a`` is ``(n_a, n_bars)``, ``b`` is ``(n_b, n_bars)``. Above: ``a[t] > b[t]`` and
    ``a[t-1] <= b[t-1]``, all four values non-NaN.
    """
    n = a.shape[1]
    n_out = ia.shape[0]
    out = np.empty((n_out, n), dtype=np.bool_)
    for c in prange(n_out):
        sa = a[ia[c]]
        sb = b[ib[c]]
        oc = out[c]
        oc[0] = False
        # bitwise & (no short-circuit branch) lets LLVM vectorize the loop; a comparison
        # with NaN is False either way
        if above:
            for t in range(1, n):
                oc[t] = (sa[t] > sb[t]) & (sa[t - 1] <= sb[t - 1])
        else:
            for t in range(1, n):
                oc[t] = (sa[t] < sb[t]) & (sa[t - 1] >= sb[t - 1])
    return out


@jit(parallel=True)
def clean_entries_exits(
    entries: BoolArray2D, exits: BoolArray2D
) -> tuple[BoolArray2D, BoolArray2D]:
    """Keep an entry only when flat and an exit only when in a position.

    A bar with both an entry and an exit is dropped (no signal, state unchanged).
    """
    m, n = entries.shape
    out_en = np.zeros((m, n), dtype=np.bool_)
    out_ex = np.zeros((m, n), dtype=np.bool_)
    for c in prange(m):
        in_position = False
        for t in range(n):
            en = entries[c, t]
            ex = exits[c, t]
            if en and ex:
                continue
            if en and not in_position:
                in_position = True
                out_en[c, t] = True
            elif ex and in_position:
                in_position = False
                out_ex[c, t] = True
    return out_en, out_ex


@jit()
def _rank_group(
    row: Float64Array1D, cols: Int64Array1D, pct: bool, out_row: Float64Array1D
) -> None:
    """Average ranks (1 = smallest) of the valid values of ``row[cols]``; NaN stays NaN."""
    vals = np.empty(cols.shape[0])
    idx = np.empty(cols.shape[0], dtype=np.int64)
    nv = 0
    for j in range(cols.shape[0]):
        v = row[cols[j]]
        if v == v:
            vals[nv] = v
            idx[nv] = cols[j]
            nv += 1
        else:
            out_row[cols[j]] = NAN
    order = np.argsort(vals[:nv], kind="mergesort")
    i = 0
    while i < nv:
        j = i
        while j + 1 < nv and vals[order[j + 1]] == vals[order[i]]:
            j += 1
        r = (i + j) / 2.0 + 1.0
        if pct:
            r /= nv
        for q in range(i, j + 1):
            out_row[idx[order[q]]] = r
        i = j + 1


@jit(parallel=True)
def group_rank(
    x: Float64Array2D, perm: Int64Array1D, starts: Int64Array1D, pct: bool
) -> Float64Array2D:
    """Rank each row within each group; group ``g`` is ``perm[starts[g]:starts[g + 1]]``."""
    n, m = x.shape
    out = np.empty((n, m))
    for t in prange(n):
        for g in range(starts.shape[0] - 1):
            _rank_group(x[t], perm[starts[g] : starts[g + 1]], pct, out[t])
    return out


@jit(parallel=True)
def group_zscore(
    x: Float64Array2D, perm: Int64Array1D, starts: Int64Array1D, ddof: int
) -> Float64Array2D:
    """Z-score each row within each group over its valid values.

    NaN where a group has ``<= ddof`` valid values or zero dispersion.
    """
    n, m = x.shape
    out = np.empty((n, m))
    for t in prange(n):
        for g in range(starts.shape[0] - 1):
            cols = perm[starts[g] : starts[g + 1]]
            total = 0.0
            nv = 0
            for j in range(cols.shape[0]):
                v = x[t, cols[j]]
                if v == v:
                    total += v
                    nv += 1
            mean = total / nv if nv > 0 else 0.0
            ssq = 0.0
            for j in range(cols.shape[0]):
                v = x[t, cols[j]]
                if v == v:
                    ssq += (v - mean) * (v - mean)
            sd = np.sqrt(ssq / (nv - ddof)) if nv - ddof > 0 else 0.0
            for j in range(cols.shape[0]):
                v = x[t, cols[j]]
                out[t, cols[j]] = (v - mean) / sd if sd > 0.0 and v == v else NAN
    return out


@jit(parallel=True)
def top_k(x: Float64Array2D, k: int, bottom_k: int, by_score: bool, gross: float) -> Float64Array2D:
    """Per row: long the ``k`` highest valid scores, short the ``bottom_k`` lowest.

    Longs are picked first; shorts among the remaining names. Ties go to the lower column
    position on both sides (stable sorts). Each side holds ``gross`` (one side) or
    ``gross / 2`` (both sides requested); ``by_score`` sizes by ``max(+-score, 0)`` instead
    of equally.
    """
    n, m = x.shape
    out = np.zeros((n, m))
    both = k > 0 and bottom_k > 0
    side_gross = gross / 2.0 if both else gross
    for t in prange(n):
        vals = np.empty(m)
        idx = np.empty(m, dtype=np.int64)
        nv = 0
        for j in range(m):
            v = x[t, j]
            if v == v:
                vals[nv] = v
                idx[nv] = j
                nv += 1
        n_long = min(k, nv)
        n_short = min(bottom_k, nv - n_long)
        taken = np.zeros(nv, dtype=np.bool_)
        if n_long > 0:
            desc = np.argsort(-vals[:nv], kind="mergesort")
            chosen = desc[:n_long]
            for q in chosen:
                taken[q] = True
            _assign(vals, idx, chosen, 1.0, side_gross, by_score, out[t])
        if n_short > 0:
            asc = np.argsort(vals[:nv], kind="mergesort")
            chosen = np.empty(n_short, dtype=np.int64)
            got = 0
            for q in asc:
                if got == n_short:
                    break
                if not taken[q]:
                    chosen[got] = q
                    got += 1
            _assign(vals, idx, chosen, -1.0, side_gross, by_score, out[t])
    return out


@jit()
def _assign(
    vals: Float64Array1D,
    idx: Int64Array1D,
    chosen: Int64Array1D,
    sign: float,
    side_gross: float,
    by_score: bool,
    out_row: Float64Array1D,
) -> None:
    if not by_score:
        w = side_gross / chosen.shape[0]
        for q in chosen:
            out_row[idx[q]] = sign * w
        return
    total = 0.0
    for q in chosen:
        total += max(sign * vals[q], 0.0)
    if total <= 0.0:
        return
    for q in chosen:
        share = max(sign * vals[q], 0.0)
        if share > 0.0:
            out_row[idx[q]] = sign * side_gross * share / total
