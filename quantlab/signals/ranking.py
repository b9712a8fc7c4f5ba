"""Cross-sectional normalization of scores: ranks and z-scores per bar, optionally per group.

Every function works row by row (one bar = one cross-section), ignores NaN scores (they
stay NaN) and returns a panel with the labels of ``scores``. Ranks are ascending (1 =
lowest score) with ties given their average rank, like ``DataFrame.rank(axis=1)``.
Group-neutral variants (sector rotation) rank / standardize within each group given a
``symbol -> group`` mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from quantlab._typing import Float64Array2D, Int64Array1D
from quantlab._validation import Labels, as_float_panel
from quantlab.errors import DataTypeError, ParameterError, ValidationError
from quantlab.signals import _kernels as _k

__all__ = ["rank", "zscore_cross_section", "group_neutral_rank", "group_neutral_zscore"]


def _scores(scores: Any) -> tuple[Float64Array2D, Labels]:
    return as_float_panel(scores, "scores")


def _wrap(values: Float64Array2D, labels: Labels) -> pd.DataFrame | pd.Series:
    if labels.was_series:  # a single cross-section per bar is degenerate but allowed
        return pd.Series(values[:, 0], index=labels.index, name=labels.name)
    return pd.DataFrame(values, index=labels.index, columns=labels.columns, copy=False)


def _flag(value: Any, name: str, func: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ParameterError(
            f"The '{name}' parameter of {func} must be a bool. Got {value!r} instead."
        )
    return bool(value)


def _ddof(value: Any, func: str) -> int:
    if isinstance(value, (bool, np.bool_)) or value not in (0, 1):
        raise ParameterError(
            f"The 'ddof' parameter of {func} must be 0 or 1. Got {value!r} instead."
        )
    return int(value)


def group_layout(columns: pd.Index, groups: Any) -> tuple[Int64Array1D, Int64Array1D]:
    """Column positions sorted by group, and each group's start in that order.

    Parameters
    ----------
    columns : pandas.Index
        The symbols (columns of the scores).
    groups : Mapping or Series
        ``symbol -> group`` for every symbol; groups are any hashable labels.

    Returns
    -------
    perm : ndarray of int64, shape (n_columns,)
        Column positions, grouped (groups in order of first appearance).
    starts : ndarray of int64, shape (n_groups + 1,)
        Group ``g`` is ``perm[starts[g]:starts[g + 1]]``.

    Raises
    ------
    DataTypeError
        ``groups`` is not a mapping.
    ValidationError
        A symbol has no group (or a NaN group).

    Examples
    --------
    >>> perm, starts = group_layout(pd.Index(["A", "B", "C"]), {"A": "x", "B": "y", "C": "x"})
    >>> perm.tolist(), starts.tolist()
    ([0, 2, 1], [0, 2, 3])
    """
    if isinstance(groups, pd.Series):
        mapping: Mapping[Any, Any] = groups.to_dict()
    elif isinstance(groups, Mapping):
        mapping = groups
    else:
        raise DataTypeError(
            f"groups must be a mapping symbol -> group (dict or Series); got "
            f"{type(groups).__name__}. Pass e.g. {{'AAPL': 'tech', 'XOM': 'energy'}}"
        )
    labels = [mapping.get(c, None) for c in columns]
    missing = [c for c, g in zip(columns, labels, strict=True) if g is None or g != g]
    if missing:
        raise ValidationError(
            f"groups has no group for {len(missing)} column(s) of scores (first: "
            f"{missing[:5]}); give every symbol a group, e.g. groups | {{sym: 'other'}}"
        )
    codes, _ = pd.factorize(pd.Series(labels, dtype=object))
    perm = np.argsort(codes, kind="stable").astype(np.int64)
    starts = np.searchsorted(codes[perm], np.arange(codes.max() + 2)).astype(np.int64)
    return perm, starts


def _all_columns(m: int) -> tuple[Int64Array1D, Int64Array1D]:
    return np.arange(m, dtype=np.int64), np.array([0, m], dtype=np.int64)


def rank(scores: Any, pct: bool = True) -> pd.DataFrame | pd.Series:
    """Cross-sectional rank of each bar's scores (NaN ignored, ties averaged).

    Parameters
    ----------
    scores : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Higher = better; NaN = not rankable on that bar.
    pct : bool, default True
        Divide ranks by the number of valid scores of the row (values in (0, 1]).

    Returns
    -------
    DataFrame or Series
        Equal to ``scores.rank(axis=1, pct=pct)``.

    Raises
    ------
    ParameterError
        ``pct`` is not a bool.

    Examples
    --------
    >>> import pandas as pd
    >>> rank(pd.DataFrame([[3.0, 1.0, None, 1.0]]), pct=False).iloc[0].tolist()
    [3.0, 1.5, nan, 1.5]
    """
    x, labels = _scores(scores)
    pct = _flag(pct, "pct", "rank")
    return _wrap(_k.group_rank(x, *_all_columns(x.shape[1]), pct), labels)


def zscore_cross_section(scores: Any, ddof: int = 1) -> pd.DataFrame | pd.Series:
    """Cross-sectional z-score of each bar: ``(score - row mean) / row std``, NaN ignored.

    Rows with ``<= ddof`` valid scores or zero dispersion give NaN.

    Parameters
    ----------
    scores : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Raw scores.
    ddof : {0, 1}, default 1
        Delta degrees of freedom of the std (1: sample std, as pandas).

    Returns
    -------
    DataFrame or Series

    Raises
    ------
    ParameterError
        ``ddof`` is not 0 or 1.

    Examples
    --------
    >>> import pandas as pd
    >>> zscore_cross_section(pd.DataFrame([[1.0, 2.0, 3.0, None]])).iloc[0].tolist()
    [-1.0, 0.0, 1.0, nan]
    """
    x, labels = _scores(scores)
    ddof = _ddof(ddof, "zscore_cross_section")
    return _wrap(_k.group_zscore(x, *_all_columns(x.shape[1]), ddof), labels)


def group_neutral_rank(scores: Any, groups: Any, pct: bool = True) -> pd.DataFrame | pd.Series:
    """Rank each bar's scores within each group (e.g. sector), NaN ignored, ties averaged.

    Parameters
    ----------
    scores : DataFrame, shape (n_bars, n_assets)
        Scores whose columns are the symbols.
    groups : Mapping or Series
        ``symbol -> group`` for every column of ``scores``.
    pct : bool, default True
        Divide ranks by the number of valid scores of the group on that bar, so ranks are
        comparable across groups of different sizes.

    Returns
    -------
    DataFrame
        Equal to ``scores.T.groupby(groups).rank(pct=pct).T``.

    Raises
    ------
    ValidationError
        A column has no group.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame([[1.0, 5.0, 2.0, 3.0]], columns=["A", "B", "C", "D"])
    >>> g = {"A": "tech", "B": "tech", "C": "energy", "D": "energy"}
    >>> group_neutral_rank(s, g).iloc[0].tolist()
    [0.5, 1.0, 0.5, 1.0]
    """
    x, labels = _scores(scores)
    pct = _flag(pct, "pct", "group_neutral_rank")
    perm, starts = group_layout(labels.columns, groups)
    return _wrap(_k.group_rank(x, perm, starts, pct), labels)


def group_neutral_zscore(scores: Any, groups: Any, ddof: int = 1) -> pd.DataFrame | pd.Series:
    """Z-score each bar's scores within each group (group mean 0, group std 1).

    Groups with ``<= ddof`` valid scores or zero dispersion on a bar give NaN there.

    Parameters
    ----------
    scores : DataFrame, shape (n_bars, n_assets)
        Scores whose columns are the symbols.
    groups : Mapping or Series
        ``symbol -> group`` for every column of ``scores``.
    ddof : {0, 1}, default 1
        Delta degrees of freedom of the std.

    Returns
    -------
    DataFrame

    Raises
    ------
    ValidationError
        A column has no group.
    ParameterError
        ``ddof`` is not 0 or 1.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame([[1.0, 3.0, 10.0, 30.0]], columns=["A", "B", "C", "D"])
    >>> g = {"A": "x", "B": "x", "C": "y", "D": "y"}
    >>> group_neutral_zscore(s, g, ddof=0).iloc[0].tolist()
    [-1.0, 1.0, -1.0, 1.0]
    """
    x, labels = _scores(scores)
    ddof = _ddof(ddof, "group_neutral_zscore")
    perm, starts = group_layout(labels.columns, groups)
    return _wrap(_k.group_zscore(x, perm, starts, ddof), labels)
