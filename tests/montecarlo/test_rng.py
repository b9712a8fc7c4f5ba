"""The per-path random streams: compiled and pure-Python primitives agree, draws are fair."""

from __future__ import annotations

import numpy as np
import pytest

from quantlab.montecarlo import _kernels as K
from quantlab.montecarlo import _rng as R


def _u64(state):
    return tuple(np.uint64(int(x)) for x in state)


def test_seed_stream_matches_python_reference():
    for seed, path in [(0, 0), (42, 7), (2**64 - 1, 123456789)]:
        jit = R.seed_stream(np.uint64(seed), path)
        assert [int(x) for x in jit] == list(R.py_seed_stream(seed, path))


def test_streams_differ_across_paths_and_seeds():
    states = {
        tuple(int(x) for x in R.seed_stream(np.uint64(s), p)) for s in range(3) for p in range(50)
    }
    assert len(states) == 150


@pytest.mark.parametrize("n", [1, 2, 3, 7, 1000, 8000, 2**31 + 11, 2**32 - 1])
def test_bounded_and_pairs_match_python(n):
    js = _u64(R.seed_stream(np.uint64(5), n))
    ps = R.py_seed_stream(5, n)
    for _ in range(200):
        a = R.bounded(n, *js)
        b = R.py_bounded(n, *ps)
        assert int(a[0]) == b[0] and 0 <= b[0] < n
        js, ps = _u64(a[1:]), b[1:]
        a = R.bounded_pair(n, max(1, n - 1), *js)
        b = R.py_bounded_pair(n, max(1, n - 1), *ps)
        assert (int(a[0]), int(a[1])) == b[:2]
        js, ps = _u64(a[2:]), b[2:]


@pytest.mark.parametrize("shuffle,n", [(False, 8000), (False, 3), (True, 7), (True, 300)])
@pytest.mark.parametrize("t0,count", [(0, 256), (1, 5), (5, 1), (256, 255)])
def test_inlined_pair_loop_matches_python(shuffle, n, t0, count):
    s = _u64(R.seed_stream(np.uint64(9), 3))
    b1, b2 = np.zeros(count, np.int64), np.zeros(count, np.int64)
    p1 = np.arange(n) if shuffle else np.zeros(1, np.int64)
    p2 = p1.copy()
    r1 = K._fill_pairs(t0, count, n, shuffle, p1, b1, *s)
    r2 = K._py_fill_pairs(t0, count, n, shuffle, p2, b2, *[int(x) for x in s])
    np.testing.assert_array_equal(b1, b2)
    np.testing.assert_array_equal(p1, p2)
    assert [int(x) for x in r1] == list(r2)


def test_bounded_is_uniform():
    # chi-square over 10 cells with 20,000 draws; 99.9% critical value of chi2(9) is 27.9
    n, draws = 10, 20_000
    buf = np.empty(draws, np.int64)
    s = _u64(R.seed_stream(np.uint64(1), 0))
    K._fill_pairs(0, draws, n, False, np.zeros(1, np.int64), buf, *s)
    counts = np.bincount(buf, minlength=n)
    expected = draws / n
    assert ((counts - expected) ** 2 / expected).sum() < 27.9


def test_normal_and_gamma_moments():
    s = _u64(R.seed_stream(np.uint64(3), 0))
    z, g = [], []
    for _ in range(5000):
        z0, z1, *st = R.normal_pair(*s)
        z += [z0, z1]
        x, *st = R.gamma(2.5, *_u64(st))
        s = _u64(st)
        g.append(x)
    z, g = np.asarray(z), np.asarray(g)
    n = len(z)
    assert abs(z.mean()) < 4 / np.sqrt(n)
    assert abs(z.var() - 1.0) < 4 * np.sqrt(2 / n)
    # Gamma(2.5, 1): mean 2.5, variance 2.5
    assert abs(g.mean() - 2.5) < 4 * np.sqrt(2.5 / len(g))


@pytest.mark.parametrize("n1,n2", [(3, 3), (7, 6), (2**31 + 11, 2**31 + 10), (2**32 - 1, 5)])
def test_pair_slow_path_matches_python(n1, n2):
    # products whose low halves fall below 2**32 mod n must be redrawn; both versions agree
    rng = np.random.default_rng(0)
    s = _u64(R.seed_stream(np.uint64(2), 1))
    for low1, low2 in [(0, 0), (1, 2**31), (2**31, 0)]:
        m1 = (int(rng.integers(0, n1)) << 32) | low1
        m2 = (int(rng.integers(0, n2)) << 32) | low2
        a = R.pair_slow(np.uint64(m1), np.uint64(m2), n1, n2, *s)
        b = R.py_pair_slow(m1, m2, n1, n2, *[int(x) for x in s])
        assert [int(x) for x in a] == list(b)
        assert 0 <= b[0] < n1 and 0 <= b[1] < n2
