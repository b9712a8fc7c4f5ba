"""Numba kernels of the Monte Carlo simulator: draw a path, step a portfolio along it.

Two simulation kernels share the same draws (so they agree to rounding):

``simulate_general``
    Any method and any portfolio: per-asset holdings drift with their returns, cash (``1 -
    sum(weights)``, negative = borrowed at ``borrow`` per step) is carried, every
    ``rebalance`` steps the holdings are reset to the target weights and ``fee * turnover``
    is paid, every ``cashflow_every`` steps a cash flow is added or withdrawn.
``simulate_series``
    The fast path for resampling methods when one step's portfolio growth depends only on the
    drawn date (one asset at weight 1, or rebalancing every step, and no cash flows): the
    growth of each historical date is tabulated once and a path is a loop of "draw an index,
    add its log-growth, update the running peak and drawdown" with no allocation.

The order of operations within step ``t`` (1-based) of a path is documented in
:func:`quantlab.montecarlo.simulate` and implemented in :func:`path_general`.

Every ``prange`` iteration owns a chunk of paths and its scratch buffers; a path's draws come
from its own stream (:mod:`quantlab.montecarlo._rng`), so results do not depend on threads or
chunking. Kernels never raise: the API layer validates first.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from quantlab._numba import JIT_ENABLED, jit, prange
from quantlab._typing import Float64Array1D, Float64Array2D, Int64Array1D
from quantlab.montecarlo import _rng
from quantlab.montecarlo._rng import (
    bounded,
    gamma,
    next_u64,
    normal_pair,
    pair_slow,
    seed_stream,
    unit,
)

# method codes (plain ints: compared inside kernels)
IID = 0
STATIONARY = 1
BLOCK = 2
SHUFFLE = 3
HISTORY = 4  # replay the history in order (the "historical path")
NORMAL = 5
STUDENT_T = 6
GBM = 7
N_INDEX_METHODS = 5  # codes below this draw dates from the history

BUF = 256  # steps drawn per fill_indices call
#: iid draws fused with the accumulation in path_series (compiled only: the fused loop
#: inlines uint64 arithmetic; without JIT the same draws come from fill_indices)
FUSE_IID = JIT_ENABLED

_ONE = np.uint64(1)
_R17 = np.uint64(17)
_R19 = np.uint64(19)
_R23 = np.uint64(23)
_R32 = np.uint64(32)
_R41 = np.uint64(41)
_R45 = np.uint64(45)
_MASK32 = np.uint64(0xFFFFFFFF)

_FOLD_HIGH = 1e150
_FOLD_LOW = 1e-150


class DrawSpec(NamedTuple):
    """How one step's asset growth factors ``1 + r`` are drawn."""

    method: int
    growth: Float64Array2D  # (n_hist, n_assets) 1 + r of the history (index methods)
    restart_prob: float  # stationary bootstrap: 1 / mean block length
    block: int  # circular block bootstrap: block length
    loc: Float64Array1D  # (n_assets,) parametric location per step (log-mean for GBM)
    factor: Float64Array2D  # (n_assets, n_assets) A with A @ A.T = covariance per step
    dof: float  # Student-t degrees of freedom (> 2)


class PortfolioSpec(NamedTuple):
    """The portfolio stepped along a path (see ``simulate`` for the meaning)."""

    weights: Float64Array1D  # (n_assets,) target fractions of wealth
    cash_weight: float  # 1 - sum(weights); negative = borrowed
    rebalance: int  # steps between rebalances; 0 = buy and hold
    fee: float  # fraction of rebalancing turnover
    borrow: float  # per-step rate paid on negative cash
    cashflow: float  # amount added (> 0) or withdrawn (< 0) per event
    withdraw: float  # fraction of wealth withdrawn per event
    cashflow_every: int  # steps between cash-flow events; 0 = none
    initial: float
    ruin: float  # ruin when wealth <= ruin
    goal: float  # +inf when no goal
    ppy: float  # periods per year (annualizes CAGR and Sharpe)


class Outputs(NamedTuple):
    """Per-path results written by the kernels (preallocated by the caller)."""

    terminal: Float64Array1D
    max_dd: Float64Array1D
    min_wealth: Float64Array1D
    cagr: Float64Array1D
    sharpe: Float64Array1D
    ruin_step: Int64Array1D
    goal_step: Int64Array1D
    grid: Float64Array2D  # (n_paths, n_grid) wealth at the grid steps


# ---------------------------------------------------------------------------------------------
# draws
# ---------------------------------------------------------------------------------------------


@jit()
def _fill_pairs(
    t0: int,
    count: int,
    n: int,
    shuffle: bool,
    perm: Int64Array1D,
    buf: Int64Array1D,
    s0: Any,
    s1: Any,
    s2: Any,
    s3: Any,
) -> Any:
    """Iid dates, or Fisher-Yates swaps (``shuffle``), two steps per generator output.

    Same draws as :func:`quantlab.montecarlo._rng.bounded_pair` (``bounded`` for a lone
    step), but with the xoshiro256++ step written inline: numba does not always inline the
    primitives, and a call per draw halves the speed of this, the hottest loop.
    """
    un = np.uint64(n)
    j = 0
    while j < count:
        k = (t0 + j) % n if shuffle else 0
        if shuffle and k == 0:
            for m in range(n):
                perm[m] = m
        if j + 1 < count and k + 1 < n:
            n1 = un - np.uint64(k)
            n2 = n1 - _ONE if shuffle else un
            # xoshiro256++ (see _rng.next_u64)
            x = s0 + s3
            u = ((x << _R23) | (x >> _R41)) + s0
            tt = s1 << _R17
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= tt
            s3 = (s3 << _R45) | (s3 >> _R19)
            m1 = (u >> _R32) * n1
            m2 = (u & _MASK32) * n2
            if (m1 & _MASK32) < n1 or (m2 & _MASK32) < n2:  # rare: exact rejection test
                a, b, s0, s1, s2, s3 = pair_slow(m1, m2, n1, n2, s0, s1, s2, s3)
            else:
                a = np.int64(m1 >> _R32)
                b = np.int64(m2 >> _R32)
            pair = True
        else:
            a, s0, s1, s2, s3 = bounded(n - k, s0, s1, s2, s3)
            b = 0
            pair = False
        if shuffle:
            a += k
            y = perm[a]
            perm[a] = perm[k]
            perm[k] = y
            buf[j] = y
            if pair:
                b += k + 1
                y = perm[b]
                perm[b] = perm[k + 1]
                perm[k + 1] = y
                buf[j + 1] = y
        else:
            buf[j] = a
            if pair:
                buf[j + 1] = b
        j += 2 if pair else 1
    return s0, s1, s2, s3


def _py_fill_pairs(
    t0: int,
    count: int,
    n: int,
    shuffle: bool,
    perm: Int64Array1D,
    buf: Int64Array1D,
    s0: Any,
    s1: Any,
    s2: Any,
    s3: Any,
) -> Any:
    """Python-integer twin of :func:`_fill_pairs` (used with JIT disabled; tested equal)."""
    j = 0
    while j < count:
        k = (t0 + j) % n if shuffle else 0
        if shuffle and k == 0:
            perm[:n] = np.arange(n)
        if j + 1 < count and k + 1 < n:
            n2 = n - k - 1 if shuffle else n
            a, b, s0, s1, s2, s3 = _rng.py_bounded_pair(n - k, n2, s0, s1, s2, s3)
            pair = True
        else:
            a, s0, s1, s2, s3 = _rng.py_bounded(n - k, s0, s1, s2, s3)
            b, pair = 0, False
        for step, r in ((0, a), (1, b)) if pair else ((0, a),):
            if shuffle:
                kk = k + step
                r += kk
                perm[r], perm[kk] = perm[kk], perm[r]
                buf[j + step] = perm[kk]
            else:
                buf[j + step] = r
        j += 2 if pair else 1
    return s0, s1, s2, s3


if not JIT_ENABLED:  # pragma: no cover - exercised by the QUANTLAB_DISABLE_JIT job
    _fill_pairs = _py_fill_pairs


@jit()
def _fill_stationary(
    t0: int,
    count: int,
    prev: int,
    n: int,
    restart_prob: float,
    buf: Int64Array1D,
    s0: Any,
    s1: Any,
    s2: Any,
    s3: Any,
) -> Any:
    for j in range(count):
        restart = t0 + j == 0
        if not restart:
            u, s0, s1, s2, s3 = next_u64(s0, s1, s2, s3)
            restart = unit(u) < restart_prob
        if restart:
            prev, s0, s1, s2, s3 = bounded(n, s0, s1, s2, s3)
        else:
            prev += 1
            if prev == n:
                prev = 0
        buf[j] = prev
    return prev, s0, s1, s2, s3


@jit()
def _fill_block(
    t0: int,
    count: int,
    prev: int,
    n: int,
    block: int,
    buf: Int64Array1D,
    s0: Any,
    s1: Any,
    s2: Any,
    s3: Any,
) -> Any:
    for j in range(count):
        if (t0 + j) % block == 0:
            prev, s0, s1, s2, s3 = bounded(n, s0, s1, s2, s3)
        else:
            prev += 1
            if prev == n:
                prev = 0
        buf[j] = prev
    return prev, s0, s1, s2, s3


@jit()
def fill_indices(
    method: int,
    t0: int,
    count: int,
    prev: int,
    n: int,
    restart_prob: float,
    block: int,
    perm: Int64Array1D,
    buf: Int64Array1D,
    s0: Any,
    s1: Any,
    s2: Any,
    s3: Any,
) -> Any:
    """Write the historical dates of steps ``t0 .. t0 + count - 1`` into ``buf[:count]``.

    ``prev`` is the date of step ``t0 - 1``; returns ``(last date, s0, s1, s2, s3)``. Iid and
    shuffle draws take two steps from one generator output (pairs counted from ``t0``), so
    callers always cut a path at multiples of :data:`BUF` (and at the horizon): the draws
    then do not depend on the grid, the chunking or the thread count.

    Stationary and block bootstraps wrap around the end of the history (circular): a
    stationary step restarts at a uniform date with probability ``restart_prob`` (always at
    step 0), a block step restarts every ``block`` steps. Shuffle takes successive
    independent permutations (Fisher-Yates, one swap per step, ``perm`` reset to the
    identity at the start of each cycle of ``n`` steps).
    """
    if method == IID or method == SHUFFLE:
        s0, s1, s2, s3 = _fill_pairs(t0, count, n, method == SHUFFLE, perm, buf, s0, s1, s2, s3)
    elif method == STATIONARY:
        prev, s0, s1, s2, s3 = _fill_stationary(
            t0, count, prev, n, restart_prob, buf, s0, s1, s2, s3
        )
    elif method == BLOCK:
        prev, s0, s1, s2, s3 = _fill_block(t0, count, prev, n, block, buf, s0, s1, s2, s3)
    else:  # HISTORY
        for j in range(count):
            buf[j] = (t0 + j) % n
    if count > 0:
        prev = buf[count - 1]
    return prev, s0, s1, s2, s3


@jit()
def draw_parametric(
    method: int,
    loc: Float64Array1D,
    factor: Float64Array2D,
    dof: float,
    gvec: Float64Array1D,
    z: Float64Array1D,
    s0: Any,
    s1: Any,
    s2: Any,
    s3: Any,
) -> Any:
    """Fill ``gvec`` with one step's growth factors from the model: ``(s0, s1, s2, s3)``.

    Box-Muller normals fill ``z`` two at a time (with an odd number of assets the last spare
    is dropped, so each step starts fresh); Student-t divides by ``sqrt(chi2 / (dof - 2))``
    with one chi-square per step (a multivariate t, unit covariance before the factor).
    """
    k = gvec.shape[0]
    j = 0
    while j < k:
        z0, z1, s0, s1, s2, s3 = normal_pair(s0, s1, s2, s3)
        z[j] = z0
        if j + 1 < k:
            z[j + 1] = z1
        j += 2
    scale = 1.0
    if method == STUDENT_T:
        g, s0, s1, s2, s3 = gamma(0.5 * dof, s0, s1, s2, s3)
        scale = math.sqrt((dof - 2.0) / (2.0 * g))
    for a in range(k):
        x = 0.0
        for b in range(k):
            x += factor[a, b] * z[b]
        if method == GBM:
            gvec[a] = math.exp(loc[a] + x)
        else:
            gvec[a] = 1.0 + loc[a] + scale * x
    return s0, s1, s2, s3


@jit()
def path_draws(
    seed: Any,
    pid: int,
    d: DrawSpec,
    rets: Float64Array2D,
    idxs: Int64Array1D,
    gvec: Float64Array1D,
    z: Float64Array1D,
    perm: Int64Array1D,
) -> None:
    """Write path ``pid``'s per-step asset returns ``(horizon, n_assets)`` and date indices."""
    s0, s1, s2, s3 = seed_stream(seed, pid)
    horizon, k = rets.shape
    if d.method < N_INDEX_METHODS:
        prev = 0
        for t0 in range(0, horizon, BUF):
            count = min(BUF, horizon - t0)
            prev, s0, s1, s2, s3 = fill_indices(
                d.method, t0, count, prev, d.growth.shape[0], d.restart_prob, d.block, perm,
                idxs[t0:], s0, s1, s2, s3,
            )  # fmt: skip
        for t in range(horizon):
            for a in range(k):
                rets[t, a] = d.growth[idxs[t], a] - 1.0
    else:
        for t in range(horizon):
            s0, s1, s2, s3 = draw_parametric(
                d.method, d.loc, d.factor, d.dof, gvec, z, s0, s1, s2, s3
            )
            idxs[t] = -1
            for a in range(k):
                rets[t, a] = gvec[a] - 1.0


@jit(parallel=True)
def generate(
    seed: Any,
    path_start: int,
    d: DrawSpec,
    rets: Any,
    idxs: Any,
    chunk: int,
) -> None:
    """Fill ``rets`` ``(n_paths, horizon, n_assets)`` and ``idxs`` ``(n_paths, horizon)``."""
    n_paths = rets.shape[0]
    k = rets.shape[2]
    n_perm = d.growth.shape[0] if d.method == SHUFFLE else 1
    n_chunks = (n_paths + chunk - 1) // chunk
    for c in prange(n_chunks):
        gvec = np.empty(k)
        z = np.empty(k)
        perm = np.empty(n_perm, dtype=np.int64)
        for i in range(c * chunk, min(n_paths, (c + 1) * chunk)):
            path_draws(seed, path_start + i, d, rets[i], idxs[i], gvec, z, perm)


# ---------------------------------------------------------------------------------------------
# per-path statistics
# ---------------------------------------------------------------------------------------------


@jit()
def _sharpe(s1: float, s2: float, n: int, ppy: float) -> float:
    """Annualized Sharpe ratio (rf = 0, ddof = 1) from the sums of returns and squares."""
    if n < 2:
        return np.nan
    mean = s1 / n
    var = (s2 - s1 * mean) / (n - 1)
    if var <= 1e-12 * (s2 / n):  # constant returns: the ratio is undefined
        return np.nan
    return mean / math.sqrt(var) * math.sqrt(ppy)


@jit()
def _cagr(log_growth: float, n_steps: int, ppy: float) -> float:
    return math.exp(log_growth * ppy / n_steps) - 1.0


# ---------------------------------------------------------------------------------------------
# the general path
# ---------------------------------------------------------------------------------------------


@jit()
def path_general(
    seed: Any,
    pid: int,
    i: int,
    d: DrawSpec,
    p: PortfolioSpec,
    grid_steps: Int64Array1D,
    out: Outputs,
    h: Float64Array1D,
    gvec: Float64Array1D,
    z: Float64Array1D,
    perm: Int64Array1D,
    buf: Int64Array1D,
) -> None:
    """Simulate path ``pid`` into row ``i`` of ``out`` (holdings in the scratch ``h``)."""
    s0, s1, s2, s3 = seed_stream(seed, pid)
    k = h.shape[0]
    n = d.growth.shape[0]
    resample = d.method < N_INDEX_METHODS
    w = p.weights
    wealth = p.initial
    for a in range(k):
        h[a] = w[a] * wealth
    cash = p.cash_weight * wealth
    peak = wealth
    max_dd = 0.0
    low = wealth
    sum1 = 0.0
    sum2 = 0.0
    log_twr = 0.0
    acc = 1.0
    goal_step = 0 if wealth >= p.goal else -1
    ruined = False
    out.grid[i, 0] = wealth
    prev = 0
    t = 0
    n_buf = 0  # dates drawn into buf
    j_buf = 0  # next unused date in buf
    n_grid = grid_steps.shape[0]
    for g in range(1, n_grid):
        end = grid_steps[g]
        while t < end:
            # 1. market move
            new = 0.0
            if resample:
                if j_buf == n_buf:
                    n_buf = min(buf.shape[0], grid_steps[n_grid - 1] - t)
                    prev, s0, s1, s2, s3 = fill_indices(
                        d.method, t, n_buf, prev, n, d.restart_prob, d.block, perm, buf,
                        s0, s1, s2, s3,
                    )  # fmt: skip
                    j_buf = 0
                idx = buf[j_buf]
                j_buf += 1
                for a in range(k):
                    h[a] *= d.growth[idx, a]
                    new += h[a]
            else:
                s0, s1, s2, s3 = draw_parametric(
                    d.method, d.loc, d.factor, d.dof, gvec, z, s0, s1, s2, s3
                )
                for a in range(k):
                    h[a] *= gvec[a]
                    new += h[a]
            if cash < 0.0:
                cash *= 1.0 + p.borrow
            new += cash
            t += 1
            # 2. rebalance to the targets, paying fee * turnover
            if p.rebalance > 0 and t % p.rebalance == 0 and new > p.ruin:
                turnover = 0.0
                for a in range(k):
                    turnover += abs(w[a] * new - h[a])
                new -= p.fee * turnover
                for a in range(k):
                    h[a] = w[a] * new
                cash = p.cash_weight * new
            # 3. time-weighted return of the step (before cash flows), ruin check
            x = new / wealth - 1.0
            if x < -1.0:
                x = -1.0
            sum1 += x
            sum2 += x * x
            wealth = new
            if wealth <= p.ruin:
                ruined = True
                break
            acc *= 1.0 + x
            if acc > _FOLD_HIGH or acc < _FOLD_LOW:
                log_twr += math.log(acc)
                acc = 1.0
            # 4. cash flow: contributions bought at the targets, withdrawals pro rata
            if p.cashflow_every > 0 and t % p.cashflow_every == 0:
                amount = p.cashflow - p.withdraw * wealth
                if amount >= 0.0:
                    for a in range(k):
                        h[a] += w[a] * amount
                    cash += p.cash_weight * amount
                else:
                    scale = (wealth + amount) / wealth
                    for a in range(k):
                        h[a] *= scale
                    cash *= scale
                wealth += amount
                if wealth <= p.ruin:
                    ruined = True
                    break
            # 5. path statistics
            if wealth > peak:
                peak = wealth
            else:
                dd = 1.0 - wealth / peak
                if dd > max_dd:
                    max_dd = dd
            if wealth < low:
                low = wealth
            if goal_step < 0 and wealth >= p.goal:
                goal_step = t
        if ruined:
            for gg in range(g, n_grid):
                out.grid[i, gg] = 0.0
            break
        out.grid[i, g] = wealth
    out.sharpe[i] = _sharpe(sum1, sum2, t, p.ppy)
    if ruined:
        out.terminal[i] = 0.0
        out.max_dd[i] = 1.0
        out.min_wealth[i] = 0.0
        out.cagr[i] = -1.0
        out.ruin_step[i] = t
    else:
        out.terminal[i] = wealth
        out.max_dd[i] = max_dd
        out.min_wealth[i] = low
        out.cagr[i] = _cagr(log_twr + math.log(acc), t, p.ppy)
        out.ruin_step[i] = -1
    out.goal_step[i] = goal_step


@jit(parallel=True)
def simulate_general(
    seed: Any,
    path_start: int,
    d: DrawSpec,
    p: PortfolioSpec,
    grid_steps: Int64Array1D,
    out: Outputs,
    chunk: int,
) -> None:
    """Simulate ``len(out.terminal)`` paths numbered from ``path_start``, in parallel."""
    n_paths = out.terminal.shape[0]
    k = p.weights.shape[0]
    n_perm = d.growth.shape[0] if d.method == SHUFFLE else 1
    n_chunks = (n_paths + chunk - 1) // chunk
    for c in prange(n_chunks):
        h = np.empty(k)
        gvec = np.empty(k)
        z = np.empty(k)
        perm = np.empty(n_perm, dtype=np.int64)
        buf = np.empty(BUF, dtype=np.int64)
        for i in range(c * chunk, min(n_paths, (c + 1) * chunk)):
            path_general(seed, path_start + i, i, d, p, grid_steps, out, h, gvec, z, perm, buf)


# ---------------------------------------------------------------------------------------------
# the fast single-series path
# ---------------------------------------------------------------------------------------------


@jit()
def path_series(
    seed: Any,
    pid: int,
    i: int,
    d: DrawSpec,
    log_growth: Float64Array1D,
    ret: Float64Array1D,
    p: PortfolioSpec,
    grid_steps: Int64Array1D,
    out: Outputs,
    perm: Int64Array1D,
    buf: Int64Array1D,
) -> None:
    """Simulate path ``pid`` of a tabulated growth series (index methods, no cash flows).

    Dates are drawn ``len(buf)`` at a time, then accumulated in a branch-free loop: log
    wealth relative to ``p.initial``, its running peak, largest fall from the peak
    (``max_dd = 1 - exp(-largest)``) and lowest value. Steps are checked one by one for ruin
    only when ruin is possible (``p.ruin > 0``; the growths are all > 0).
    """
    s0, s1, s2, s3 = seed_stream(seed, pid)
    n = log_growth.shape[0]
    can_ruin = p.ruin > 0.0
    log_ruin = math.log(p.ruin / p.initial) if can_ruin else 0.0
    log_goal = math.log(p.goal / p.initial)
    lw = 0.0
    peak = 0.0
    dd = 0.0
    low = 0.0
    sum1 = 0.0
    sum2 = 0.0
    goal_step = 0 if log_goal <= 0.0 else -1
    ruined = False
    out.grid[i, 0] = p.initial
    prev = 0
    t = 0
    n_grid = grid_steps.shape[0]
    horizon = grid_steps[n_grid - 1]
    n_buf = 0  # steps in the current buffer (refilled at multiples of BUF)
    j0 = 0  # next unused step in buf
    n_drawn = 0  # fused iid: steps of the buffer already drawn
    fused = FUSE_IID and d.method == IID and n >= 2
    for g in range(1, n_grid):
        end = grid_steps[g]
        while t < end and not ruined:
            if j0 == n_buf:
                n_buf = min(buf.shape[0], horizon - t)
                if fused:
                    n_drawn = 0
                else:
                    prev, s0, s1, s2, s3 = fill_indices(
                        d.method, t, n_buf, prev, n, d.restart_prob, d.block, perm, buf,
                        s0, s1, s2, s3,
                    )  # fmt: skip
                j0 = 0
            count = min(n_buf - j0, end - t)
            # branch-free pass over the block; the rare block that ruins the path or first
            # reaches the goal is replayed step by step from the saved state (same sums in
            # the same order, so the same values)
            lw0, peak0, dd0, low0, sum10, sum20 = lw, peak, dd, low, sum1, sum2
            if fused:
                n_drawn, s0, s1, s2, s3, lw, peak, dd, low, sum1, sum2 = _iid_block(
                    j0, count, n_buf, n_drawn, n, log_growth, ret, buf, s0, s1, s2, s3,
                    lw, peak, dd, low, sum1, sum2,
                )  # fmt: skip
            else:
                for j in range(j0, j0 + count):
                    lw += log_growth[buf[j]]
                    x = ret[buf[j]]
                    sum1 += x
                    sum2 += x * x
                    peak = max(peak, lw)
                    dd = max(dd, peak - lw)
                    low = min(low, lw)
            if (can_ruin and low <= log_ruin) or (goal_step < 0 and peak >= log_goal):
                lw, peak, dd, low, sum1, sum2 = lw0, peak0, dd0, low0, sum10, sum20
                for j in range(j0, j0 + count):
                    lw += log_growth[buf[j]]
                    x = ret[buf[j]]
                    sum1 += x
                    sum2 += x * x
                    peak = max(peak, lw)
                    dd = max(dd, peak - lw)
                    low = min(low, lw)
                    t += 1
                    if can_ruin and lw <= log_ruin:
                        ruined = True
                        break
                    if goal_step < 0 and lw >= log_goal:
                        goal_step = t
            else:
                t += count
            j0 += count
        if ruined:
            for gg in range(g, n_grid):
                out.grid[i, gg] = 0.0
            break
        out.grid[i, g] = p.initial * math.exp(lw)
    out.sharpe[i] = _sharpe(sum1, sum2, t, p.ppy)
    if ruined:
        out.terminal[i] = 0.0
        out.max_dd[i] = 1.0
        out.min_wealth[i] = 0.0
        out.cagr[i] = -1.0
        out.ruin_step[i] = t
    else:
        out.terminal[i] = p.initial * math.exp(lw)
        out.max_dd[i] = -math.expm1(-dd)
        out.min_wealth[i] = p.initial * math.exp(low)
        out.cagr[i] = _cagr(lw, t, p.ppy)
        out.ruin_step[i] = -1
    out.goal_step[i] = goal_step


@jit()
def _iid_block(
    j0: int,
    count: int,
    n_buf: int,
    n_drawn: int,
    n: int,
    log_growth: Float64Array1D,
    ret: Float64Array1D,
    buf: Int64Array1D,
    s0: Any,
    s1: Any,
    s2: Any,
    s3: Any,
    lw: float,
    peak: float,
    dd: float,
    low: float,
    sum1: float,
    sum2: float,
) -> Any:
    """Iid draws fused with the branch-free pass of :func:`path_series` (``n >= 2``).

    Steps ``j0 .. j0 + count - 1`` of a buffer of ``n_buf`` steps whose first ``n_drawn``
    dates are already drawn; draws exactly what :func:`_fill_pairs` would (pairs from the
    buffer start, a lone last step by ``bounded``) and stores them in ``buf`` for a replay.
    Returns ``(n_drawn, s0, s1, s2, s3, lw, peak, dd, low, sum1, sum2)``.
    """
    un = np.uint64(n)
    j = j0
    stop = j0 + count
    # n_drawn is j0 or j0 + 1 (the second of a pair split by the previous block)
    if j < stop and j < n_drawn:
        a = buf[j]
        lw += log_growth[a]
        r = ret[a]
        sum1 += r
        sum2 += r * r
        peak = max(peak, lw)
        dd = max(dd, peak - lw)
        low = min(low, lw)
        j += 1
    while j < stop:
        if j + 1 < n_buf:  # a pair (its second step may fall in the next block)
            x = s0 + s3  # xoshiro256++, as in _fill_pairs
            u = ((x << _R23) | (x >> _R41)) + s0
            tt = s1 << _R17
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= tt
            s3 = (s3 << _R45) | (s3 >> _R19)
            m1 = (u >> _R32) * un
            m2 = (u & _MASK32) * un
            if (m1 & _MASK32) < un or (m2 & _MASK32) < un:
                a, b, s0, s1, s2, s3 = pair_slow(m1, m2, un, un, s0, s1, s2, s3)
            else:
                a = np.int64(m1 >> _R32)
                b = np.int64(m2 >> _R32)
            buf[j] = a
            buf[j + 1] = b
        else:  # the lone last step of the buffer
            a, s0, s1, s2, s3 = bounded(n, s0, s1, s2, s3)
            buf[j] = a
            b = a
        lw += log_growth[a]
        r = ret[a]
        sum1 += r
        sum2 += r * r
        peak = max(peak, lw)
        dd = max(dd, peak - lw)
        low = min(low, lw)
        if j + 1 < stop:
            lw += log_growth[b]
            r = ret[b]
            sum1 += r
            sum2 += r * r
            peak = max(peak, lw)
            dd = max(dd, peak - lw)
            low = min(low, lw)
        j += 2
    n_drawn = max(n_drawn, min(j, n_buf))
    return n_drawn, s0, s1, s2, s3, lw, peak, dd, low, sum1, sum2


@jit(parallel=True)
def simulate_series(
    seed: Any,
    path_start: int,
    d: DrawSpec,
    log_growth: Float64Array1D,
    ret: Float64Array1D,
    p: PortfolioSpec,
    grid_steps: Int64Array1D,
    out: Outputs,
    chunk: int,
) -> None:
    """Parallel driver of :func:`path_series`."""
    n_paths = out.terminal.shape[0]
    n_perm = log_growth.shape[0] if d.method == SHUFFLE else 1
    n_chunks = (n_paths + chunk - 1) // chunk
    for c in prange(n_chunks):
        perm = np.empty(n_perm, dtype=np.int64)
        buf = np.empty(BUF, dtype=np.int64)
        for i in range(c * chunk, min(n_paths, (c + 1) * chunk)):
            path_series(seed, path_start + i, i, d, log_growth, ret, p, grid_steps, out, perm, buf)


__all__ = [
    "DrawSpec",
    "PortfolioSpec",
    "Outputs",
    "fill_indices",
    "draw_parametric",
    "generate",
    "simulate_general",
    "simulate_series",
]
