"""Kernels vs the naive references, compiled and uncompiled (``py_func``), with NaN."""

from __future__ import annotations

import numpy as np
import pytest

from quantlab.ml import _kernels
from tests.ml import naive


def _py(kernel):
    return getattr(kernel, "py_func", kernel)


@pytest.fixture
def x(rng):
    a = rng.normal(size=(60, 4))
    a[5, 1] = np.nan
    a[20:23, 2] = np.nan
    a[:, 3] = 7.0  # constant column: std 0
    return a


@pytest.mark.parametrize("window,ddof", [(2, 1), (5, 1), (10, 0)])
@pytest.mark.parametrize("compiled", [True, False])
def test_rolling_std(x, window, ddof, compiled):
    k = _kernels.rolling_std if compiled else _py(_kernels.rolling_std)
    np.testing.assert_allclose(k(x, window, ddof), naive.rolling_std(x, window, ddof), atol=1e-12)


@pytest.mark.parametrize("compiled", [True, False])
def test_xs_rank_with_ties_and_nan(x, compiled):
    x = x.copy()
    x[3, :] = [1.0, 1.0, 2.0, np.nan]
    k = _kernels.xs_rank if compiled else _py(_kernels.xs_rank)
    np.testing.assert_allclose(k(x), naive.xs_rank(x))


@pytest.mark.parametrize("compiled", [True, False])
def test_triple_barrier(rng, compiled):
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, (80, 3)), axis=0))
    close[10, 1] = np.nan
    up = np.full_like(close, 0.03)
    lo = np.full_like(close, 0.02)
    up[4, 0] = np.nan
    side = np.where(rng.random(close.shape) < 0.5, 1.0, -1.0)
    side[7, 2] = 0.0
    k = _kernels.triple_barrier if compiled else _py(_kernels.triple_barrier)
    got = k(close, up, lo, side, 7)
    for g, e in zip(got, naive.triple_barrier(close, up, lo, side, 7), strict=True):
        np.testing.assert_allclose(g, e)


@pytest.mark.parametrize("compiled", [True, False])
def test_average_uniqueness(rng, compiled):
    start = rng.integers(0, 40, 30)
    end = start + rng.integers(0, 8, 30)
    col = rng.integers(0, 3, 30)
    k = _kernels.average_uniqueness if compiled else _py(_kernels.average_uniqueness)
    np.testing.assert_allclose(
        k(start, end, col, 50, 3), naive.average_uniqueness(start, end, col, 50, 3)
    )
