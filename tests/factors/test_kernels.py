"""Segment kernels of quantlab.factors against pandas / scipy / statsmodels (property tests)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from quantlab.factors import _kernels as K
from quantlab.factors.clean import qcut_levels
from quantlab.metrics.hac import newey_west_se

segment = st.lists(
    st.one_of(st.integers(-5, 5).map(float), st.floats(-1e3, 1e3, allow_nan=False)),
    min_size=1,
    max_size=30,
)


def _starts(sizes):
    return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


@given(st.lists(segment, min_size=1, max_size=4), st.sampled_from([2, 3, 5, 10]))
def test_seg_bucket_equals_pandas_qcut(segments, q):
    x = np.concatenate([np.asarray(s, dtype=float) for s in segments])
    starts = _starts([len(s) for s in segments])
    bucket, failed = K.seg_bucket(x, starts, qcut_levels(q), False)
    for k, s in enumerate(segments):
        part = bucket[starts[k] : starts[k + 1]]
        try:
            ref = pd.qcut(pd.Series(s), q, labels=False).to_numpy() + 1
        except ValueError:  # "Bin edges must be unique": alphalens drops the date
            assert failed[k] == 1 and (part == 0).all()
            continue
        assert failed[k] == 0
        np.testing.assert_array_equal(part, np.nan_to_num(ref, nan=0).astype(int))


@given(segment, st.lists(st.floats(-10, 10), min_size=2, max_size=6, unique=True))
def test_seg_bucket_bins_equals_pandas_cut(values, edges):
    edges = np.sort(np.asarray(edges))
    x = np.asarray(values, dtype=float)
    bucket, _ = K.seg_bucket(x, _starts([len(x)]), edges, True)
    ref = pd.cut(pd.Series(x), edges, labels=False).to_numpy() + 1
    np.testing.assert_array_equal(bucket, np.nan_to_num(ref, nan=0).astype(int))


@given(st.lists(st.tuples(segment, st.integers(0, 2**31)), min_size=1, max_size=3))
def test_seg_spearman_equals_scipy(cases):
    xs, ys = [], []
    for s, seed in cases:
        xs.append(np.asarray(s, dtype=float))
        ys.append(np.random.default_rng(seed).normal(size=len(s)).round(1))
    starts = _starts([len(s) for s in xs])
    out = K.seg_spearman(np.concatenate(xs), np.concatenate(ys)[:, None], starts)
    for k, (a, b) in enumerate(zip(xs, ys, strict=True)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = stats.spearmanr(a, b)[0] if len(a) > 1 else np.nan
        if np.isnan(ref):
            assert np.isnan(out[k, 0])
        else:
            assert abs(out[k, 0] - ref) < 1e-12


@given(st.lists(segment, min_size=1, max_size=4))
def test_seg_ranks_and_demean_equal_pandas(segments):
    x = np.concatenate([np.asarray(s, dtype=float) for s in segments])
    starts = _starts([len(s) for s in segments])
    key = np.repeat(np.arange(len(segments)), [len(s) for s in segments])
    ser = pd.Series(x)
    np.testing.assert_array_equal(K.seg_ranks(x, starts), ser.groupby(key).rank().to_numpy())
    ref = (ser - ser.groupby(key).transform("mean")).to_numpy()
    np.testing.assert_allclose(K.seg_demean(x[:, None], starts)[:, 0], ref, atol=1e-9)


@given(st.integers(0, 2**31), st.integers(0, 6))
def test_newey_west_equals_statsmodels_hac(seed, lags):
    x = np.random.default_rng(seed).normal(size=60).cumsum() * 0.1
    fit = sm.OLS(x, np.ones(len(x))).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": False}
    )
    assert abs(newey_west_se(x, lags) - float(fit.bse[0])) < 1e-12
