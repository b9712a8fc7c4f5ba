"""Path generators: reproducibility and statistical properties (tolerances from sample size)."""

from __future__ import annotations

import numpy as np
import pytest

import quantlab.montecarlo as mc
from tests.montecarlo.naive import stationary_block_lengths

HIST = np.random.default_rng(11).normal(0.0003, 0.01, size=(600, 3))


@pytest.mark.parametrize("method", list(mc.METHODS))
def test_same_seed_same_paths_different_seed_different(method):
    a = mc.generate_paths(HIST, 5, 300, method, seed=1, block_length=7)
    b = mc.generate_paths(HIST, 5, 300, method, seed=1, block_length=7)
    c = mc.generate_paths(HIST, 5, 300, method, seed=2, block_length=7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # path i does not depend on how many paths are drawn
    np.testing.assert_array_equal(
        mc.generate_paths(HIST, 2, 300, method, seed=1, block_length=7), a[:2]
    )


@pytest.mark.parametrize(
    "method", ["bootstrap", "stationary_bootstrap", "block_bootstrap", "shuffle"]
)
def test_resampling_preserves_the_cross_section(method):
    rets, idx = mc.generate_paths(HIST, 4, 700, method, seed=3, return_indices=True)
    np.testing.assert_allclose(rets, HIST[idx], rtol=0, atol=1e-15)
    assert idx.min() >= 0 and idx.max() < len(HIST)


def test_shuffle_draws_successive_permutations():
    n = len(HIST)
    _, idx = mc.generate_paths(HIST, 3, 2 * n + 5, "shuffle", seed=4, return_indices=True)
    for row in idx:
        assert sorted(row[:n]) == list(range(n))
        assert sorted(row[n : 2 * n]) == list(range(n))
        assert not np.array_equal(row[:n], np.arange(n))


def test_block_bootstrap_blocks_are_consecutive_dates():
    _, idx = mc.generate_paths(
        HIST, 3, 100, "block_bootstrap", seed=5, block_length=10, return_indices=True
    )
    for row in idx:
        for start in range(0, 100, 10):
            block = row[start : start + 10]
            np.testing.assert_array_equal(block, (block[0] + np.arange(10)) % len(HIST))


def test_stationary_bootstrap_mean_block_length():
    n_hist, mean_len = 5000, 10.0
    hist = np.random.default_rng(0).normal(0, 0.01, (n_hist, 1))
    _, idx = mc.generate_paths(
        hist, 200, 500, "stationary_bootstrap", seed=6, block_length=mean_len, return_indices=True
    )
    lengths = stationary_block_lengths(idx, n_hist)
    # geometric lengths: sd ~ mean_len; 5 standard errors
    tol = 5 * mean_len / np.sqrt(len(lengths))
    assert abs(lengths.mean() - mean_len) < tol, (lengths.mean(), tol)


def _cov_check(x, cov, k=5.0):
    """Sample covariance vs target within k empirical standard errors, entry by entry."""
    n = len(x)
    xc = x - x.mean(axis=0)
    prods = xc[:, :, None] * xc[:, None, :]
    se = prods.std(axis=0) / np.sqrt(n)
    np.testing.assert_array_less(np.abs(prods.mean(axis=0) - cov), k * se + 1e-18)


COV = np.array([[4.0, 1.2, -0.8], [1.2, 2.25, 0.3], [-0.8, 0.3, 1.0]]) * 1e-4
MEAN = np.array([0.001, 0.0, -0.0005])


@pytest.mark.parametrize("method,dof", [("normal", None), ("student_t", 8.0)])
def test_parametric_paths_reproduce_the_covariance(method, dof):
    r = mc.generate_paths(None, 100, 200, method, seed=7, mean=MEAN, cov=COV, dof=dof).reshape(
        -1, 3
    )
    n = len(r)
    np.testing.assert_array_less(np.abs(r.mean(axis=0) - MEAN), 5 * np.sqrt(np.diag(COV) / n))
    _cov_check(r, COV)


def test_singular_psd_covariance_is_accepted():
    cov = np.array([[1.0, 1.0], [1.0, 1.0]]) * 1e-4  # rank 1: both assets move together
    r = mc.generate_paths(None, 10, 50, "normal", seed=1, mean=[0.0, 0.0], cov=cov)
    np.testing.assert_allclose(r[..., 0], r[..., 1], atol=1e-15)


def test_gbm_log_returns_match_theory():
    mu, sigma2 = 0.0004, 1.5e-4
    r = mc.generate_paths(None, 100, 200, "gbm", seed=8, mean=[mu], cov=[[sigma2]]).ravel()
    lr = np.log1p(r)
    n = len(lr)
    assert abs(lr.mean() - (mu - sigma2 / 2)) < 5 * np.sqrt(sigma2 / n)
    assert abs(lr.var() - sigma2) < 5 * sigma2 * np.sqrt(2 / n)


def test_iid_bootstrap_of_constant_series_is_degenerate():
    r = mc.generate_paths(np.full(50, 0.002), 20, 100, "bootstrap", seed=9)
    assert np.all(r == r.flat[0])


def test_fit_model():
    x = np.random.default_rng(1).standard_t(6, size=(20_000, 2)) * 0.01
    p = mc.fit_model(x, "student_t")
    np.testing.assert_allclose(p.cov, np.cov(x, rowvar=False))
    assert 4.0 < p.dof < 20.0  # true 6; method of moments is noisy
    g = mc.fit_model(np.abs(x[:, :1]) * 0.1, "gbm")
    lr = np.log1p(np.abs(x[:, :1]) * 0.1)
    np.testing.assert_allclose(g.mean, lr.mean(axis=0) + lr.var(ddof=1) / 2)
    assert (
        mc.fit_model(np.random.default_rng(2).uniform(-0.01, 0.01, (500, 1)), "student_t").dof
        == 100.0
    )
