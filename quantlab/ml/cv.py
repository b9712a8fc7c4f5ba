"""Leakage-free cross-validation splitters over dates (scikit-learn splitter interface).

Every splitter here splits **dates**, not rows: all assets of a date go to the same side,
and blocks of dates are contiguous. ``split(X)`` yields ``(train, test)`` arrays of row
positions, like any scikit-learn splitter, so they plug into ``cross_val_score`` too.

``X`` is a (date, symbol) frame (the output of :meth:`quantlab.ml.FeatureSet.compute`), a
frame or Series with a DatetimeIndex, or an array (each row its own bar).

Purging uses each row's **label end time** (``label_end``, e.g. ``Labels.end``): the label
of a row at ``t`` spans ``[t, end]``. For every test block, a training row is dropped when
its span intersects the union of the test rows' spans (so no training label shares a bar
with a test label), and the **embargo** drops the training rows that start within
``embargo`` bars after the block. Without ``label_end`` a label is assumed to end on its own
bar (nothing to purge); :func:`quantlab.ml.fit_predict_oos` passes the labels' end times.

Splitters
---------
:class:`WalkForward`            train on the past only, rolling or expanding window
:class:`PurgedKFold`            K contiguous test blocks, purged and embargoed
:class:`CombinatorialPurgedCV`  every choice of ``k`` test blocks among ``N``, and the
                                ``C(N-1, k-1)`` backtest paths they imply (AFML ch. 12)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlab.errors import AlignmentError, ParameterError, ValidationError

__all__ = ["WalkForward", "PurgedKFold", "CombinatorialPurgedCV", "row_times"]

_Split = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class _Timeline:
    """Row positions on the sorted unique bars of ``X`` and the rows' label ends."""

    pos: np.ndarray  # (n_rows,) int64: bar position of each row
    keys: np.ndarray  # (n_bars,) int64: sortable key of each unique bar
    end: np.ndarray  # (n_rows,) int64: key of each row's label end (>= own key)

    @property
    def n_bars(self) -> int:
        return len(self.keys)


def row_times(X: Any) -> tuple[np.ndarray, pd.Index | None]:
    """Per-row bar keys (int64: ns since epoch, or row number) and the date labels, if any."""
    index = getattr(X, "index", None)
    if isinstance(index, pd.MultiIndex):
        level = "date" if "date" in (index.names or []) else 0
        dates = index.get_level_values(level)
        if not isinstance(dates, pd.DatetimeIndex):
            raise AlignmentError(
                f"X's index level {level!r} must hold dates to split by time; got "
                f"{dates.dtype}. Put the date level first"
            )
        return _keys(dates), dates
    if isinstance(index, pd.DatetimeIndex):
        return _keys(index), index
    n = len(X) if index is not None else np.asarray(X).shape[0]
    return np.arange(n, dtype=np.int64), None


def _keys(dates: pd.DatetimeIndex) -> np.ndarray:
    if dates.tz is not None:
        dates = dates.tz_convert("UTC").tz_localize(None)
    return np.asarray(dates.as_unit("ns").asi8, dtype=np.int64)


def _end_keys(label_end: Any, X: Any, start: np.ndarray, dated: bool) -> np.ndarray:
    if label_end is None:
        return start.copy()
    index = getattr(X, "index", None)
    if isinstance(label_end, pd.Series) and index is not None and not label_end.index.equals(index):
        missing = ~index.isin(label_end.index)
        if missing.any():
            raise AlignmentError(
                f"label_end has no entry for {int(missing.sum())} row(s) of X (first: "
                f"{index[missing][0]!r}); pass the labels' end times for X's rows, e.g. "
                "labels.end.reindex(X.index)"
            )
        label_end = label_end.reindex(index)
    values = label_end.to_numpy() if isinstance(label_end, pd.Series | pd.Index) else label_end
    values = np.asarray(values)
    if values.shape != start.shape:
        raise AlignmentError(
            f"label_end has {values.shape[0] if values.ndim else 0} entries but X has "
            f"{start.shape[0]} rows; pass one end time per row of X"
        )
    nat: np.ndarray
    if dated:
        ends = pd.DatetimeIndex(values)
        out = _keys(ends)
        nat = np.asarray(ends.isna())
    else:
        as_float = values.astype(np.float64)
        nat = ~np.isfinite(as_float)
        out = np.where(nat, 0, as_float).astype(np.int64)
    out = np.where(nat, start, out)
    if (out < start).any():
        k = int(np.argmax(out < start))
        raise ValidationError(
            f"label_end must be at or after each row's own time; row {k} ends before it "
            "starts. Check that the end times belong to these rows"
        )
    return out


def _timeline(X: Any, label_end: Any) -> _Timeline:
    start, dates = row_times(X)
    keys, pos = np.unique(start, return_inverse=True)
    end = _end_keys(label_end, X, start, dates is not None)
    return _Timeline(pos=pos.astype(np.int64), keys=keys, end=end)


def _train_mask(tl: _Timeline, blocks: list[tuple[int, int]], embargo: int) -> np.ndarray:
    """Rows not in any test block, not overlapping a test label, not embargoed."""
    start_key = tl.keys[tl.pos]
    keep = np.ones(len(tl.pos), dtype=bool)
    for a, b in blocks:
        in_test = (tl.pos >= a) & (tl.pos <= b)
        keep &= ~in_test
        if in_test.any():
            last_end = tl.end[in_test].max()
            keep &= ~((start_key <= last_end) & (tl.end >= tl.keys[a]))
        if embargo:
            keep &= ~((tl.pos > b) & (tl.pos <= b + embargo))
    return keep


def _blocks(n_bars: int, n: int) -> list[tuple[int, int]]:
    """``n`` contiguous, near-equal blocks of bar positions (first ones one bar longer)."""
    edges = np.cumsum([0] + [len(c) for c in np.array_split(np.arange(n_bars), n)])
    return [(int(edges[i]), int(edges[i + 1] - 1)) for i in range(n)]


def _check_int(value: Any, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ParameterError(
            f"The {name!r} parameter must be an int >= {low}. Got {value!r} instead."
        )
    return int(value)


class _DateSplitter:
    """Shared plumbing: parameters, ``label_end`` injection, repr."""

    _params: tuple[str, ...] = ()
    label_end: Any

    def with_label_end(self, label_end: Any) -> Any:
        """A copy of this splitter that purges with ``label_end``."""
        params = {k: getattr(self, k) for k in self._params}
        params["label_end"] = label_end
        return type(self)(**params)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor arguments (scikit-learn convention)."""
        return {k: getattr(self, k) for k in self._params} | {"label_end": self.label_end}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._params)
        purge = ", label_end=<set>" if self.label_end is not None else ""
        return f"{type(self).__name__}({args}{purge})"

    def _too_few(self, n_bars: int, need: int, what: str) -> None:
        if n_bars < need:
            raise ValidationError(
                f"{type(self).__name__} needs at least {need} distinct dates for {what}; X has "
                f"{n_bars}. Use fewer splits or more data"
            )


class PurgedKFold(_DateSplitter):
    """K-fold over contiguous date blocks with purging and embargo (AFML ch. 7).

    Parameters
    ----------
    n_splits : int, default 5
        Number of folds, >= 2.
    embargo : int, default 0
        Bars after each test block whose rows are dropped from training.
    label_end : array-like or pandas.Series, optional
        End time of each row's label (see the module docstring).

    Raises
    ------
    ParameterError
        ``n_splits`` < 2 or ``embargo`` < 0.
    ValidationError
        Fewer distinct dates than folds (at :meth:`split`).

    Examples
    --------
    >>> import numpy as np
    >>> cv = PurgedKFold(n_splits=3, embargo=1, label_end=np.arange(9) + 1)
    >>> for train, test in cv.split(np.zeros((9, 1))):
    ...     print(train.tolist(), test.tolist())
    [4, 5, 6, 7, 8] [0, 1, 2]
    [0, 1, 7, 8] [3, 4, 5]
    [0, 1, 2, 3, 4] [6, 7, 8]
    """

    _params = ("n_splits", "embargo")

    def __init__(self, n_splits: int = 5, *, embargo: int = 0, label_end: Any = None) -> None:
        self.n_splits = _check_int(n_splits, "n_splits", 2)
        self.embargo = _check_int(embargo, "embargo", 0)
        self.label_end = label_end

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Number of splits: ``n_splits``."""
        return self.n_splits

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[_Split]:
        """Yield ``(train, test)`` row positions for each fold, in time order."""
        tl = _timeline(X, self.label_end)
        self._too_few(tl.n_bars, self.n_splits, f"{self.n_splits} folds")
        for a, b in _blocks(tl.n_bars, self.n_splits):
            test = np.flatnonzero((tl.pos >= a) & (tl.pos <= b))
            yield np.flatnonzero(_train_mask(tl, [(a, b)], self.embargo)), test


class WalkForward(_DateSplitter):
    """Walk-forward splits: train on dates before each test block, never after.

    The last ``n_splits * test_size`` dates form ``n_splits`` consecutive test blocks (as
    in scikit-learn's ``TimeSeriesSplit``); each trains on the ``train_size`` dates before
    its block (rolling) or on all of them (expanding, ``train_size=None``), minus ``gap``
    dates and minus the rows whose label reaches into the test block (purging).

    Parameters
    ----------
    n_splits : int, default 5
        Number of test blocks, >= 1.
    train_size : int, optional
        Dates in the rolling training window; None for an expanding window.
    test_size : int, optional
        Dates per test block; default ``n_dates // (n_splits + 1)``.
    gap : int, default 0
        Dates dropped between the training window and the test block.
    label_end : array-like or pandas.Series, optional
        End time of each row's label.

    Examples
    --------
    >>> import numpy as np
    >>> cv = WalkForward(n_splits=2, test_size=2, train_size=3)
    >>> [(tr.tolist(), te.tolist()) for tr, te in cv.split(np.zeros((8, 1)))]
    [([1, 2, 3], [4, 5]), ([3, 4, 5], [6, 7])]
    """

    _params = ("n_splits", "train_size", "test_size", "gap")

    def __init__(
        self,
        n_splits: int = 5,
        *,
        train_size: int | None = None,
        test_size: int | None = None,
        gap: int = 0,
        label_end: Any = None,
    ) -> None:
        self.n_splits = _check_int(n_splits, "n_splits", 1)
        self.train_size = None if train_size is None else _check_int(train_size, "train_size", 1)
        self.test_size = None if test_size is None else _check_int(test_size, "test_size", 1)
        self.gap = _check_int(gap, "gap", 0)
        self.label_end = label_end

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Number of splits: ``n_splits``."""
        return self.n_splits

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[_Split]:
        """Yield ``(train, test)`` row positions, oldest test block first."""
        tl = _timeline(X, self.label_end)
        n = tl.n_bars
        test_size = self.test_size or n // (self.n_splits + 1)
        need = self.n_splits * max(test_size, 1) + self.gap + 1
        self._too_few(n, need, f"{self.n_splits} test blocks of {test_size} dates")
        first = n - self.n_splits * test_size
        for k in range(self.n_splits):
            a = first + k * test_size
            b = a + test_size - 1
            hi = a - self.gap  # training bars are < hi
            lo = 0 if self.train_size is None else max(0, hi - self.train_size)
            window = (tl.pos >= lo) & (tl.pos < hi)
            train = window & _train_mask(tl, [(a, b)], 0)
            test = np.flatnonzero((tl.pos >= a) & (tl.pos <= b))
            yield np.flatnonzero(train), test


class CombinatorialPurgedCV(_DateSplitter):
    """Combinatorial purged cross-validation (de Prado, AFML ch. 12).

    The dates are cut into ``n_groups`` contiguous blocks; each split tests on one choice
    of ``n_test_groups`` blocks and trains on the rest (purged and embargoed around every
    test block). There are ``C(N, k)`` splits, and every block is tested ``C(N-1, k-1)``
    times, so the test predictions assemble into ``C(N-1, k-1)`` complete backtest
    **paths** (:meth:`paths`).

    Parameters
    ----------
    n_groups : int, default 6
        ``N``, the number of date blocks, >= 2.
    n_test_groups : int, default 2
        ``k``, test blocks per split, 1 <= k < N.
    embargo : int, default 0
        Bars after each test block dropped from training.
    label_end : array-like or pandas.Series, optional
        End time of each row's label.

    Examples
    --------
    >>> cv = CombinatorialPurgedCV(n_groups=4, n_test_groups=2)
    >>> cv.get_n_splits(), cv.n_paths
    (6, 3)
    >>> cv.test_groups()[:3]
    [(0, 1), (0, 2), (0, 3)]
    >>> cv.paths().tolist()  # path x group -> split providing that group's predictions
    [[0, 0, 1, 2], [1, 3, 3, 4], [2, 4, 5, 5]]
    """

    _params = ("n_groups", "n_test_groups", "embargo")

    def __init__(
        self,
        n_groups: int = 6,
        n_test_groups: int = 2,
        *,
        embargo: int = 0,
        label_end: Any = None,
    ) -> None:
        self.n_groups = _check_int(n_groups, "n_groups", 2)
        self.n_test_groups = _check_int(n_test_groups, "n_test_groups", 1)
        if self.n_test_groups >= self.n_groups:
            raise ParameterError(
                f"The 'n_test_groups' parameter must be < n_groups={self.n_groups}. Got "
                f"{n_test_groups!r} instead."
            )
        self.embargo = _check_int(embargo, "embargo", 0)
        self.label_end = label_end

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Number of splits: ``C(n_groups, n_test_groups)``."""
        return math.comb(self.n_groups, self.n_test_groups)

    @property
    def n_paths(self) -> int:
        """Number of backtest paths: ``C(n_groups - 1, n_test_groups - 1)``."""
        return math.comb(self.n_groups - 1, self.n_test_groups - 1)

    def test_groups(self) -> list[tuple[int, ...]]:
        """The test blocks of each split, in split order (lexicographic)."""
        return list(itertools.combinations(range(self.n_groups), self.n_test_groups))

    def paths(self) -> np.ndarray:
        """``(n_paths, n_groups)`` split index whose predictions fill each block of a path.

        Block ``g`` of path ``p`` takes the test predictions of the ``p``-th split (in
        split order) that tests ``g``.
        """
        out = np.empty((self.n_paths, self.n_groups), dtype=np.int64)
        for g in range(self.n_groups):
            splits = [i for i, c in enumerate(self.test_groups()) if g in c]
            out[:, g] = splits
        return out

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[_Split]:
        """Yield ``(train, test)`` row positions for every combination of test blocks."""
        tl = _timeline(X, self.label_end)
        self._too_few(tl.n_bars, self.n_groups, f"{self.n_groups} groups")
        blocks = _blocks(tl.n_bars, self.n_groups)
        for combo in self.test_groups():
            chosen = [blocks[g] for g in combo]
            test = np.zeros(len(tl.pos), dtype=bool)
            for a, b in chosen:
                test |= (tl.pos >= a) & (tl.pos <= b)
            yield np.flatnonzero(_train_mask(tl, chosen, self.embargo)), np.flatnonzero(test)

    def group_of_rows(self, X: Any) -> np.ndarray:
        """The block (0 .. n_groups - 1) of every row of ``X``."""
        tl = _timeline(X, None)
        group = np.empty(tl.n_bars, dtype=np.int64)
        for g, (a, b) in enumerate(_blocks(tl.n_bars, self.n_groups)):
            group[a : b + 1] = g
        return group[tl.pos]
