"""Cross-sectional ranks, z-scores, group-neutral variants and top-k weights."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import quantlab.signals as qs
from quantlab._numba import JIT_ENABLED
from quantlab.errors import DataTypeError, ParameterError, ValidationError
from quantlab.signals import _kernels, ranking, weights
from tests.signals import naive

GROUPS = {"S0": "tech", "S1": "energy", "S2": "tech", "S3": "health", "S4": "energy",
          "S5": "tech", "S6": "health"}  # fmt: skip
TOL = {"rtol": 1e-10, "atol": 1e-12}


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    return naive.random_scores(seed=4)


@pytest.mark.parametrize("pct", [True, False])
def test_rank_matches_pandas(scores, pct):
    pd.testing.assert_frame_equal(qs.rank(scores, pct=pct), naive.rank(scores, pct), **TOL)


@pytest.mark.parametrize("ddof", [0, 1])
def test_zscore_matches_pandas(scores, ddof):
    got = qs.zscore_cross_section(scores, ddof=ddof)
    pd.testing.assert_frame_equal(got, naive.zscore(scores, ddof), **TOL)


@pytest.mark.parametrize("pct", [True, False])
def test_group_rank_matches_pandas_groupby(scores, pct):
    got = qs.group_neutral_rank(scores, GROUPS, pct=pct)
    pd.testing.assert_frame_equal(got, naive.group_rank(scores, GROUPS, pct), **TOL,
                                  check_names=False)  # fmt: skip


@pytest.mark.parametrize("ddof", [0, 1])
def test_group_zscore_matches_naive(scores, ddof):
    got = qs.group_neutral_zscore(scores, pd.Series(GROUPS), ddof=ddof)
    pd.testing.assert_frame_equal(got, naive.group_zscore(scores, GROUPS, ddof), **TOL)


def test_group_errors(scores):
    with pytest.raises(ValidationError, match=r"groups has no group for 1 column\(s\).*'S6'"):
        qs.group_neutral_rank(scores, {k: v for k, v in GROUPS.items() if k != "S6"})
    with pytest.raises(DataTypeError, match="groups must be a mapping"):
        qs.group_neutral_rank(scores, ["tech"] * 7)
    with pytest.raises(ParameterError, match="The 'pct' parameter of rank must be a bool"):
        qs.rank(scores, pct="yes")
    with pytest.raises(ParameterError, match="The 'ddof' parameter of zscore_cross_section"):
        qs.zscore_cross_section(scores, ddof=3)


# ----------------------------------------------------------------------- top-k


@pytest.mark.parametrize(
    ("k", "bottom_k", "weighting", "gross"),
    [(2, 0, "equal", 1.0), (3, 2, "equal", 2.0), (0, 2, "equal", 1.0), (2, 2, "score", 1.0),
     (10, 0, "equal", 1.0), (4, 4, "score", 1.5)],
)  # fmt: skip
def test_top_k_matches_naive(scores, k, bottom_k, weighting, gross):
    got = qs.top_k_weights(scores, k, bottom_k=bottom_k, weighting=weighting, gross=gross)
    assert got.columns.equals(scores.columns) and not got.isna().any().any()
    for t in range(len(scores)):
        exp = naive.top_k(scores.iloc[t].tolist(), k, bottom_k, weighting == "score", gross)
        np.testing.assert_allclose(got.iloc[t].to_numpy(), exp, **TOL)


def test_top_k_documented_rules():
    s = pd.DataFrame(
        [[1.0, 1.0, 1.0, np.nan], [np.nan] * 4, [3.0, np.nan, np.nan, np.nan]],
        columns=list("ABCD"),
    )
    w = qs.top_k_weights(s, 2, bottom_k=1)
    assert w.iloc[0].tolist() == [0.25, 0.25, -0.5, 0.0]  # ties: left-most first
    assert w.iloc[1].tolist() == [0.0] * 4  # nothing valid: flat
    assert w.iloc[2].tolist() == [0.5, 0.0, 0.0, 0.0]  # longs first, no short left
    gross = qs.top_k_weights(s.fillna(0.0) + np.arange(4), 2, bottom_k=2).abs().sum(axis=1)
    np.testing.assert_allclose(gross, 1.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"k": -1}, "The 'k' parameter of top_k_weights must be a non-negative int. "
                    "Got -1 instead."),
        ({"k": 1, "bottom_k": 1.5}, "The 'bottom_k' parameter of top_k_weights must be a "
                                    "non-negative int. Got 1.5 instead."),
        ({"k": 0}, "must select at least one name. Got k=0 and bottom_k=0 instead"),
        ({"k": 1, "weighting": "rank"}, "weighting must be one of ['equal', 'score']; "
                                        "got 'rank'"),
        ({"k": 1, "gross": 0}, "The 'gross' parameter of top_k_weights must be a positive "
                               "finite number. Got 0 instead."),
    ],
)  # fmt: skip
def test_top_k_errors(scores, kwargs, message):
    with pytest.raises(ParameterError) as info:
        qs.top_k_weights(scores, **kwargs)
    assert message in str(info.value)


@settings(max_examples=30)
@given(
    x=arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 6)),
             elements=st.one_of(st.floats(-3, 3), st.just(np.nan))),
    k=st.integers(0, 4), bottom_k=st.integers(0, 4),
)  # fmt: skip
def test_top_k_properties(x, k, bottom_k):
    if k + bottom_k == 0:
        k = 1
    w = qs.top_k_weights(x, k, bottom_k=bottom_k).to_numpy()
    valid = ~np.isnan(x)
    assert (w[~valid] == 0).all()
    assert ((w > 0).sum(axis=1) == np.minimum(k, valid.sum(axis=1))).all()
    assert (np.abs(w).sum(axis=1) <= 1.0 + 1e-12).all()
    # every long scores at least as high as every unselected valid name
    for t in range(x.shape[0]):
        longs, rest = x[t][w[t] > 0], x[t][valid[t] & (w[t] == 0)]
        if len(longs) and len(rest):
            assert longs.min() >= rest.max()
    # permuting columns permutes weights when there are no ties
    if len(np.unique(x[valid])) == valid.sum():
        perm = np.arange(x.shape[1])[::-1]
        w2 = qs.top_k_weights(x[:, perm], k, bottom_k=bottom_k).to_numpy()
        np.testing.assert_array_equal(w2, w[:, perm])


@pytest.mark.skipif(not JIT_ENABLED, reason="kernels are already plain Python")
def test_compiled_equals_python():
    x = naive.random_scores(n_bars=10, seed=9).to_numpy()
    perm, starts = ranking.group_layout(pd.Index([f"S{i}" for i in range(7)]), GROUPS)
    for kernel, args in (
        (_kernels.group_rank, (x, perm, starts, True)),
        (_kernels.group_zscore, (x, perm, starts, 1)),
        (_kernels.top_k, (x, 2, 2, True, 1.0)),
    ):
        np.testing.assert_allclose(kernel(*args), kernel.py_func(*args), rtol=1e-12)


@pytest.mark.parametrize("module", [ranking, weights], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
