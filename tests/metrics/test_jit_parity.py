"""Each kernel's uncompiled ``py_func`` against its compiled dispatcher on small data."""

from __future__ import annotations

import numpy as np
import pytest

from quantlab._numba import JIT_ENABLED
from quantlab.metrics import _kernels as K
from quantlab.metrics import _rolling as R
from tests.metrics.helpers import make_returns

pytestmark = pytest.mark.skipif(not JIT_ENABLED, reason="JIT disabled: nothing to compare")


@pytest.fixture
def small() -> np.ndarray:
    a = make_returns(n_bars=60, n_cols=10, seed=3, heavy=True).to_numpy().copy()
    a[:, 9] = np.nan  # an all-NaN column
    a[:, 8] = 0.01  # a constant column
    return a


def test_stats_kernel(small):
    bench = np.asfortranarray(small[:, :1].copy())
    bench[np.isnan(bench)] = 0.0
    for arr in (small, np.asfortranarray(small)):
        args = (arr, bench, 0.0001, 0.0002, 0.05, 15)
        np.testing.assert_allclose(K.stats_kernel.py_func(*args), K.stats_kernel(*args), rtol=1e-12)


def test_scan_and_drawdown_series(small):
    np.testing.assert_array_equal(K.scan_kernel.py_func(small), K.scan_kernel(small))
    np.testing.assert_allclose(
        K.drawdown_series_kernel.py_func(small), K.drawdown_series_kernel(small), rtol=1e-12
    )


def test_rolling_kernels(small):
    for got, exp in zip(
        R.rolling_mean_std.py_func(small, 10, 5), R.rolling_mean_std(small, 10, 5), strict=True
    ):
        np.testing.assert_allclose(got, exp, rtol=1e-12)
    b = np.nan_to_num(small[:, :1])
    np.testing.assert_allclose(
        R.rolling_beta_kernel.py_func(small, b, 10, 5),
        R.rolling_beta_kernel(small, b, 10, 5),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        R.rolling_max_drawdown.py_func(small, 10, 5),
        R.rolling_max_drawdown(small, 10, 5),
        rtol=1e-12,
    )


def test_quantile_fast_path_equals_full_sort():
    rng = np.random.default_rng(5)
    for n in (1, 2, 3, 7, 40, 333):
        x = rng.standard_t(2, n) * 0.01
        out_fast = np.full(K.N_STATS, np.nan)
        out_full = np.full(K.N_STATS, np.nan)
        K.col_quantiles(x, 0.05, np.empty(n), out_fast, x.mean(), x.std())
        K.col_quantiles(x, 0.05, np.empty(n), out_full, np.nan, np.nan)
        np.testing.assert_array_equal(out_fast, out_full)
        np.testing.assert_allclose(out_full[K.Q05], np.percentile(x, 5), rtol=1e-14)
        np.testing.assert_allclose(out_full[K.Q95], np.percentile(x, 95), rtol=1e-14)
