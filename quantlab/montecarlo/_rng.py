"""Per-path random streams: xoshiro256++ keyed by ``(seed, path)``.

Every Monte Carlo path owns its own stream. Its 256-bit xoshiro256++ state is derived from
the pair ``(seed, path)`` alone, through SplitMix64 (Vigna's recommended seeding):
``key = mix64(mix64(seed) ^ mix64(path + GOLDEN))`` and the four state words are the next
four SplitMix64 outputs from ``key``. A path's draws therefore depend only on the seed and
the path's index, never on which thread ran it or how the paths were chunked, so results are
bit-identical for any ``numba.set_num_threads`` and any ``chunk_size``.

Primitives (every function takes and returns the state as four ``uint64`` words, so numba
keeps the state in registers):

``next_u64``
    One xoshiro256++ output (Blackman & Vigna, 2019).
``bounded``
    An unbiased integer in ``[0, n)`` (``n < 2**32``) by Lemire's multiply-shift with
    rejection ("Fast random integer generation in an interval", 2019) on the top 32 bits
    ``v`` of an output: ``(v * n) >> 32``, redrawing the rare products whose low half is
    below ``2**32 mod n``; no modulo on the fast path, no bias.
``bounded_pair``
    Two such integers from the two 32-bit halves of one output (either redrawn alone with
    ``bounded`` in the rare rejection case): half the generator calls for iid draws.
    ``pair_slow`` finishes a pair whose products failed the cheap ``low < n`` pre-test
    (the exact test needs a division, kept out of the hot loop).
``unit`` / ``unit_open``
    A double in ``[0, 1)`` / ``(0, 1]`` from the top 53 bits.
``normal_pair``
    Two independent standard normals by Box-Muller (both outputs used).
``gamma``
    A Gamma(shape, 1) variate, ``shape >= 1``, by Marsaglia & Tsang (2000).

With JIT enabled the bit-level primitives wrap ``uint64`` arithmetic natively; with
``QUANTLAB_DISABLE_JIT=1`` they run on Python integers masked to 64 bits (NumPy scalars
would warn on wrap-around). Both give the same streams (tested).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from quantlab._numba import JIT_ENABLED, jit

GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB
_M64 = (1 << 64) - 1
_M32 = (1 << 32) - 1
_TWO_M53 = 1.0 / 9007199254740992.0  # 2**-53
_TWO_PI = 2.0 * math.pi

# ---------------------------------------------------------------------------------------------
# Python-integer versions (used when JIT is disabled; also the reference in the tests)
# ---------------------------------------------------------------------------------------------


def py_mix64(z: int) -> int:
    """SplitMix64 finalizer on a Python int (64-bit wrap-around)."""
    z = int(z) & _M64
    z = ((z ^ (z >> 30)) * _MIX1) & _M64
    z = ((z ^ (z >> 27)) * _MIX2) & _M64
    return z ^ (z >> 31)


def py_seed_stream(seed: Any, path: Any) -> tuple[int, int, int, int]:
    """Initial xoshiro256++ state of ``path`` under ``seed`` (Python ints)."""
    key = py_mix64(py_mix64(int(seed)) ^ py_mix64((int(path) + GOLDEN) & _M64))
    words = []
    for _ in range(4):
        key = (key + GOLDEN) & _M64
        words.append(py_mix64(key))
    return words[0], words[1], words[2], words[3]


def _py_rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & _M64


def py_next_u64(s0: Any, s1: Any, s2: Any, s3: Any) -> tuple[int, int, int, int, int]:
    """One xoshiro256++ step on Python ints: ``(output, s0, s1, s2, s3)``."""
    s0, s1, s2, s3 = int(s0), int(s1), int(s2), int(s3)
    result = (_py_rotl((s0 + s3) & _M64, 23) + s0) & _M64
    t = (s1 << 17) & _M64
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _py_rotl(s3, 45)
    return result, s0, s1, s2, s3


def py_bounded(n: Any, s0: Any, s1: Any, s2: Any, s3: Any) -> tuple[int, int, int, int, int]:
    """Unbiased integer in ``[0, n)``, ``n < 2**32``, on Python ints (Lemire's method)."""
    n = int(n)
    u, s0, s1, s2, s3 = py_next_u64(s0, s1, s2, s3)
    m = (u >> 32) * n
    if (m & _M32) < n:
        threshold = ((1 << 32) - n) % n
        while (m & _M32) < threshold:
            u, s0, s1, s2, s3 = py_next_u64(s0, s1, s2, s3)
            m = (u >> 32) * n
    return m >> 32, s0, s1, s2, s3


def py_bounded_pair(
    n1: Any, n2: Any, s0: Any, s1: Any, s2: Any, s3: Any
) -> tuple[int, int, int, int, int, int]:
    """Two unbiased integers in ``[0, n1)`` and ``[0, n2)`` from one output (Python ints)."""
    n1, n2 = int(n1), int(n2)
    u, s0, s1, s2, s3 = py_next_u64(s0, s1, s2, s3)
    m1 = (u >> 32) * n1
    m2 = (u & _M32) * n2
    if (m1 & _M32) < ((1 << 32) - n1) % n1:
        i, s0, s1, s2, s3 = py_bounded(n1, s0, s1, s2, s3)
    else:
        i = m1 >> 32
    if (m2 & _M32) < ((1 << 32) - n2) % n2:
        j, s0, s1, s2, s3 = py_bounded(n2, s0, s1, s2, s3)
    else:
        j = m2 >> 32
    return i, j, s0, s1, s2, s3


def py_pair_slow(
    m1: Any, m2: Any, n1: Any, n2: Any, s0: Any, s1: Any, s2: Any, s3: Any
) -> tuple[int, int, int, int, int, int]:
    """Python twin of the compiled ``pair_slow`` (finish a pair that failed ``low < n``)."""
    m1, m2, n1, n2 = int(m1), int(m2), int(n1), int(n2)
    i, j = m1 >> 32, m2 >> 32
    if (m1 & _M32) < ((1 << 32) - n1) % n1:
        i, s0, s1, s2, s3 = py_bounded(n1, s0, s1, s2, s3)
    if (m2 & _M32) < ((1 << 32) - n2) % n2:
        j, s0, s1, s2, s3 = py_bounded(n2, s0, s1, s2, s3)
    return i, j, s0, s1, s2, s3


def py_unit(u: Any) -> float:
    """Double in ``[0, 1)`` from the top 53 bits of ``u``."""
    return float(int(u) >> 11) * _TWO_M53


def py_unit_open(u: Any) -> float:
    """Double in ``(0, 1]`` from the top 53 bits of ``u``."""
    return float((int(u) >> 11) + 1) * _TWO_M53


# ---------------------------------------------------------------------------------------------
# uint64 versions compiled by numba
# ---------------------------------------------------------------------------------------------

_U_GOLDEN = np.uint64(GOLDEN)
_U_MIX1 = np.uint64(_MIX1)
_U_MIX2 = np.uint64(_MIX2)
_U_M32 = np.uint64(_M32)
_U_2_32 = np.uint64(1 << 32)
_U0 = np.uint64(0)
_U11 = np.uint64(11)
_U17 = np.uint64(17)
_U23 = np.uint64(23)
_U27 = np.uint64(27)
_U30 = np.uint64(30)
_U31 = np.uint64(31)
_U32 = np.uint64(32)
_U41 = np.uint64(41)
_U45 = np.uint64(45)
_U1 = np.uint64(1)
_U19 = np.uint64(19)


@jit()
def _jit_mix64(z: Any) -> Any:
    z = (z ^ (z >> _U30)) * _U_MIX1
    z = (z ^ (z >> _U27)) * _U_MIX2
    return z ^ (z >> _U31)


@jit()
def _jit_seed_stream(seed: Any, path: Any) -> Any:
    key = _jit_mix64(_jit_mix64(np.uint64(seed)) ^ _jit_mix64(np.uint64(path) + _U_GOLDEN))
    key = key + _U_GOLDEN
    s0 = _jit_mix64(key)
    key = key + _U_GOLDEN
    s1 = _jit_mix64(key)
    key = key + _U_GOLDEN
    s2 = _jit_mix64(key)
    key = key + _U_GOLDEN
    s3 = _jit_mix64(key)
    return s0, s1, s2, s3


@jit()
def _jit_next_u64(s0: Any, s1: Any, s2: Any, s3: Any) -> Any:
    # np.uint64(...) is a no-op inside kernels; it fixes the type of ints passed from Python
    a0, a1, a2, a3 = np.uint64(s0), np.uint64(s1), np.uint64(s2), np.uint64(s3)
    x = a0 + a3
    result = ((x << _U23) | (x >> _U41)) + a0
    t = a1 << _U17
    a2 ^= a0
    a3 ^= a1
    a1 ^= a2
    a0 ^= a3
    a2 ^= t
    a3 = (a3 << _U45) | (a3 >> _U19)
    return result, a0, a1, a2, a3


@jit()
def _jit_bounded(n: Any, s0: Any, s1: Any, s2: Any, s3: Any) -> Any:
    un = np.uint64(n)
    u, a0, a1, a2, a3 = _jit_next_u64(s0, s1, s2, s3)
    m = (u >> _U32) * un
    if (m & _U_M32) < un:
        threshold = (_U_2_32 - un) % un
        while (m & _U_M32) < threshold:
            u, a0, a1, a2, a3 = _jit_next_u64(a0, a1, a2, a3)
            m = (u >> _U32) * un
    return np.int64(m >> _U32), a0, a1, a2, a3


@jit()
def _jit_bounded_pair(n1: Any, n2: Any, s0: Any, s1: Any, s2: Any, s3: Any) -> Any:
    un1 = np.uint64(n1)
    un2 = np.uint64(n2)
    u, a0, a1, a2, a3 = _jit_next_u64(s0, s1, s2, s3)
    m1 = (u >> _U32) * un1
    m2 = (u & _U_M32) * un2
    i = np.int64(m1 >> _U32)
    j = np.int64(m2 >> _U32)
    if (m1 & _U_M32) < un1 or (m2 & _U_M32) < un2:  # rare: maybe biased, check exactly
        if (m1 & _U_M32) < (_U_2_32 - un1) % un1:
            i, a0, a1, a2, a3 = _jit_bounded(n1, a0, a1, a2, a3)
        if (m2 & _U_M32) < (_U_2_32 - un2) % un2:
            j, a0, a1, a2, a3 = _jit_bounded(n2, a0, a1, a2, a3)
    return i, j, a0, a1, a2, a3


@jit()
def _jit_pair_slow(m1: Any, m2: Any, n1: Any, n2: Any, s0: Any, s1: Any, s2: Any, s3: Any) -> Any:
    """Finish a pair whose products ``m1``/``m2`` failed the cheap ``low < n`` test."""
    un1 = np.uint64(n1)
    un2 = np.uint64(n2)
    a0, a1, a2, a3 = np.uint64(s0), np.uint64(s1), np.uint64(s2), np.uint64(s3)
    i = np.int64(m1 >> _U32)
    j = np.int64(m2 >> _U32)
    if (m1 & _U_M32) < (_U_2_32 - un1) % un1:
        i, a0, a1, a2, a3 = _jit_bounded(n1, a0, a1, a2, a3)
    if (m2 & _U_M32) < (_U_2_32 - un2) % un2:
        j, a0, a1, a2, a3 = _jit_bounded(n2, a0, a1, a2, a3)
    return i, j, a0, a1, a2, a3


@jit()
def _jit_unit(u: Any) -> float:
    return np.float64(u >> _U11) * _TWO_M53


@jit()
def _jit_unit_open(u: Any) -> float:
    return (np.float64(u >> _U11) + 1.0) * _TWO_M53


if JIT_ENABLED:
    seed_stream: Any = _jit_seed_stream
    next_u64: Any = _jit_next_u64
    bounded: Any = _jit_bounded
    bounded_pair: Any = _jit_bounded_pair
    pair_slow: Any = _jit_pair_slow
    unit: Any = _jit_unit
    unit_open: Any = _jit_unit_open
else:  # pragma: no cover - exercised by the QUANTLAB_DISABLE_JIT job
    seed_stream = py_seed_stream
    next_u64 = py_next_u64
    bounded = py_bounded
    bounded_pair = py_bounded_pair
    pair_slow = py_pair_slow
    unit = py_unit
    unit_open = py_unit_open


# ---------------------------------------------------------------------------------------------
# Distributions built on the primitives (one source for both modes)
# ---------------------------------------------------------------------------------------------


@jit()
def normal_pair(s0: Any, s1: Any, s2: Any, s3: Any) -> Any:
    """Two independent N(0, 1) draws by Box-Muller: ``(z0, z1, s0, s1, s2, s3)``."""
    a, s0, s1, s2, s3 = next_u64(s0, s1, s2, s3)
    b, s0, s1, s2, s3 = next_u64(s0, s1, s2, s3)
    radius = math.sqrt(-2.0 * math.log(unit_open(a)))
    angle = _TWO_PI * unit(b)
    return radius * math.cos(angle), radius * math.sin(angle), s0, s1, s2, s3


@jit()
def gamma(shape: float, s0: Any, s1: Any, s2: Any, s3: Any) -> Any:
    """Gamma(shape, 1) for ``shape >= 1`` (Marsaglia-Tsang): ``(x, s0, s1, s2, s3)``."""
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x, _unused, s0, s1, s2, s3 = normal_pair(s0, s1, s2, s3)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u, s0, s1, s2, s3 = next_u64(s0, s1, s2, s3)
        if math.log(unit_open(u)) < 0.5 * x * x + d - d * v + d * math.log(v):
            return d * v, s0, s1, s2, s3


__all__ = [
    "seed_stream",
    "next_u64",
    "bounded",
    "bounded_pair",
    "pair_slow",
    "unit",
    "unit_open",
    "normal_pair",
    "gamma",
    "py_seed_stream",
    "py_next_u64",
    "py_bounded",
    "py_bounded_pair",
]
