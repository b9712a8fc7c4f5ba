"""Splitters: hand-computed index sets, purging/embargo laws, CPCV paths, bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from quantlab.errors import AlignmentError, ParameterError, ValidationError
from quantlab.ml import CombinatorialPurgedCV, PurgedKFold, WalkForward, forward_returns


def _sets(cv, X):
    return [(tr.tolist(), te.tolist()) for tr, te in cv.split(X)]


X10 = np.zeros((10, 1))


def test_purged_kfold_hand_computed():
    # labels end 2 bars later: row t spans [t, t + 2]
    cv = PurgedKFold(n_splits=5, embargo=1, label_end=np.arange(10) + 2)
    assert _sets(cv, X10) == [
        ([4, 5, 6, 7, 8, 9], [0, 1]),  # test spans [0, 3]: purge 2, 3; embargo 2
        ([6, 7, 8, 9], [2, 3]),  # rows 0, 1 end at 2, 3 (overlap); 4, 5 start in [2, 5]
        ([0, 1, 8, 9], [4, 5]),
        ([0, 1, 2, 3], [6, 7]),  # 8, 9 start inside [6, 9]; 4, 5 end at 6, 7
        ([0, 1, 2, 3, 4, 5], [8, 9]),
    ]
    assert _sets(PurgedKFold(n_splits=5), X10)[1] == ([0, 1, 4, 5, 6, 7, 8, 9], [2, 3])


def test_walk_forward_expanding_rolling_gap():
    wf = WalkForward(n_splits=3, test_size=2)
    assert _sets(wf, X10) == [
        ([0, 1, 2, 3], [4, 5]),
        ([0, 1, 2, 3, 4, 5], [6, 7]),
        ([0, 1, 2, 3, 4, 5, 6, 7], [8, 9]),
    ]
    rolling = WalkForward(n_splits=3, test_size=2, train_size=3, gap=1)
    assert _sets(rolling, X10) == [([0, 1, 2], [4, 5]), ([2, 3, 4], [6, 7]), ([4, 5, 6], [8, 9])]
    purged = WalkForward(n_splits=3, test_size=2, label_end=np.arange(10) + 2)
    assert _sets(purged, X10)[0] == ([0, 1], [4, 5])  # rows 2, 3 end at 4, 5
    assert WalkForward(n_splits=4).get_n_splits() == 4
    assert _sets(WalkForward(n_splits=4), X10)[0] == ([0, 1], [2, 3])  # test_size 10 // 5


def test_cpcv_counts_paths_and_hand_sets():
    cv = CombinatorialPurgedCV(n_groups=6, n_test_groups=2)
    assert cv.get_n_splits() == math.comb(6, 2) == 15
    assert cv.n_paths == math.comb(5, 1) == 5
    paths = cv.paths()
    combos = cv.test_groups()
    for p in range(cv.n_paths):
        for g in range(6):
            assert g in combos[paths[p, g]]  # the split tests that group
    for g in range(6):  # each split's test group is used by exactly one path
        assert sorted(paths[:, g].tolist()) == [i for i, c in enumerate(combos) if g in c]
    cv3 = CombinatorialPurgedCV(n_groups=5, n_test_groups=3)
    assert (cv3.get_n_splits(), cv3.n_paths) == (10, 6)
    # 10 rows, 5 groups of 2, test groups (0, 2), label spans [t, t + 1]
    small = CombinatorialPurgedCV(n_groups=5, n_test_groups=2, label_end=np.arange(10) + 1)
    train, test = _sets(small, X10)[1]
    assert test == [0, 1, 4, 5]
    assert train == [7, 8, 9]  # 2 (test 0-1 spans to 2), 3 (ends at 4), 6 (starts at 6 <= 6)


def test_panel_rows_split_by_date_and_purged_with_label_ends():
    idx = pd.bdate_range("2024-01-01", periods=20)
    close = pd.DataFrame(np.linspace(1, 2, 60).reshape(20, 3), index=idx, columns=list("abc"))
    lab = forward_returns(close, horizon=3)
    rows = np.flatnonzero(lab.valid)
    X = lab.y.iloc[rows].to_frame()
    cv = PurgedKFold(n_splits=4, embargo=2, label_end=lab.end.iloc[rows])
    for train, test in cv.split(X):
        d_train = set(X.index[train].get_level_values(0))
        d_test = set(X.index[test].get_level_values(0))
        assert not d_train & d_test
        assert len(test) == 3 * len(d_test)  # every symbol of a test date is in the test set


spans = st.lists(st.integers(0, 6), min_size=12, max_size=60)


@given(spans, st.integers(2, 5), st.integers(0, 4), st.booleans())
def test_no_training_label_overlaps_a_test_label(lengths, k, embargo, combinatorial):
    n = len(lengths)
    end = np.minimum(np.arange(n) + np.array(lengths), n - 1)
    if combinatorial:
        cv = CombinatorialPurgedCV(
            n_groups=k + 1, n_test_groups=2 if k > 1 else 1, embargo=embargo, label_end=end
        )
    else:
        cv = PurgedKFold(n_splits=k, embargo=embargo, label_end=end)
    for train, test in cv.split(np.zeros((n, 1))):
        assert not set(train) & set(test)
        for i in train:  # closed intervals [i, end[i]] and [j, end[j]] never intersect
            assert all(end[i] < j or end[j] < i for j in test)
        # embargo: no training row starts within `embargo` bars after a test block
        blocks = np.split(test, np.flatnonzero(np.diff(test) > 1) + 1)
        for b in blocks:
            assert not set(train) & set(range(b[-1] + 1, b[-1] + 1 + embargo))


def test_sklearn_compatibility():
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import cross_val_score

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 2)), rng.normal(size=50)
    scores = cross_val_score(Ridge(), X, y, cv=PurgedKFold(5, label_end=np.arange(50) + 1))
    assert len(scores) == 5


def test_bad_input():
    with pytest.raises(ParameterError, match="'n_splits' parameter must be an int >= 2. Got 1"):
        PurgedKFold(1)
    with pytest.raises(ParameterError, match="'n_test_groups' parameter must be < n_groups=3"):
        CombinatorialPurgedCV(3, 3)
    with pytest.raises(
        ValidationError, match="needs at least 5 distinct dates for 5 folds; X has 3"
    ):
        list(PurgedKFold(5).split(np.zeros((3, 1))))
    with pytest.raises(ValidationError, match="needs at least"):
        list(WalkForward(n_splits=5, test_size=3).split(np.zeros((10, 1))))
    with pytest.raises(AlignmentError, match="label_end has 4 entries but X has 10 rows"):
        list(PurgedKFold(2, label_end=np.arange(4)).split(X10))
    with pytest.raises(ValidationError, match="at or after each row's own time"):
        list(PurgedKFold(2, label_end=np.arange(10) - 1).split(X10))
    assert "label_end=<set>" in repr(PurgedKFold(3).with_label_end(np.arange(10)))
