"""Event signals over time: crossings of two series and first-signal cleaning.

Crossing rule: ``a`` crosses above ``b`` at bar ``t`` when ``a[t] > b[t]`` and
``a[t-1] <= b[t-1]``, all four values non-NaN (bar 0 never crosses; a NaN on either bar
gives False, so no crossing is reported "across" a NaN gap). Crossing below mirrors it.

Column alignment of ``a`` and ``b`` (see :func:`column_product`):

* identical columns: compared column by column;
* a scalar, a Series or a 1-D array is broadcast against every column of the other side;
* otherwise the last ``asset_levels`` column levels name the asset and the outer levels
  are parameters: every parameter combination of ``a`` is crossed with every one of ``b``
  on each asset, giving columns ``(*a params, *b params, *asset levels)`` -- e.g. a fast
  SMA grid ``(window, symbol)`` against a slow one gives ``(fast, slow, symbol)`` with
  ``names=("fast", "slow")``.
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from quantlab._typing import Float64Array2D, Int64Array1D
from quantlab._validation import Labels, as_bool_panel, as_float_panel
from quantlab.errors import AlignmentError, DataTypeError, ParameterError, ShapeError
from quantlab.signals import _kernels as _k

__all__ = [
    "ColumnProduct",
    "column_product",
    "cross_product_align",
    "crossed_above",
    "crossed_below",
    "clean_entries_exits",
]


class ColumnProduct(NamedTuple):
    """How the columns of two panels pair up.

    Attributes
    ----------
    a_index, b_index : ndarray of int64, shape (n_out,)
        Column positions in ``a`` and ``b`` of each output column.
    columns : pandas.Index
        Labels of the output columns.
    """

    a_index: Int64Array1D
    b_index: Int64Array1D
    columns: pd.Index


def _split(cols: pd.Index, asset_levels: int, side: str) -> tuple[pd.Index | None, pd.Index]:
    if cols.nlevels < asset_levels:
        raise ParameterError(
            f"The 'asset_levels' parameter must not exceed the column levels of {side} "
            f"({cols.nlevels}). Got {asset_levels} instead."
        )
    if not cols.is_unique:
        raise AlignmentError(
            f"{side} has duplicated column labels (first: {cols[cols.duplicated()][0]!r}); "
            "pass a panel with unique columns"
        )
    if cols.nlevels == asset_levels:
        return None, cols
    n_params = cols.nlevels - asset_levels
    assert isinstance(cols, pd.MultiIndex)  # nlevels > asset_levels >= 1
    params = cols.droplevel(list(range(n_params, cols.nlevels)))
    assets = cols.droplevel(list(range(n_params)))
    return params, assets


def _lookup(
    params: pd.Index | None, asset_codes: np.ndarray, n_assets: int, side: str, assets: pd.Index
) -> tuple[np.ndarray, pd.Index | None]:
    uniques: pd.Index | None = None
    if params is None:
        codes = np.zeros(len(asset_codes), dtype=np.int64)
    else:
        uniques = params.unique()  # order of first appearance, names kept
        codes = uniques.get_indexer(params)
    n_par = 1 if uniques is None else len(uniques)
    table = np.full((n_par, n_assets), -1, dtype=np.int64)
    table[codes, asset_codes] = np.arange(len(asset_codes))
    if (table < 0).any():
        p, a = np.argwhere(table < 0)[0]
        where = "" if uniques is None else f" for parameters {uniques[p]!r}"
        raise AlignmentError(
            f"{side} has no column for asset {assets[a]!r}{where}; every parameter "
            "combination must cover the same assets"
        )
    return table, uniques


def _values(index: pd.Index | None) -> list[np.ndarray]:
    if index is None:
        return []
    return [np.asarray(index.get_level_values(i)) for i in range(index.nlevels)]


def column_product(
    a_columns: pd.Index,
    b_columns: pd.Index,
    *,
    asset_levels: int = 1,
    names: Sequence[Hashable] | None = None,
) -> ColumnProduct:
    """Pair the columns of ``a`` and ``b``: same columns, or parameter grid x parameter grid.

    Parameters
    ----------
    a_columns, b_columns : pandas.Index
        Column labels of the two panels.
    asset_levels : int, default 1
        Number of trailing column levels that identify the asset; outer levels are
        parameters.
    names : sequence of hashable, optional
        Names of the parameter levels of the output (``a``'s then ``b``'s). Required when
        ``a`` and ``b`` have parameter levels of the same name (e.g. both ``"window"``).

    Returns
    -------
    ColumnProduct
        Column positions in ``a`` and ``b`` per output column, and the output labels
        ``(*a params, *b params, *asset levels)``, ``a`` outermost, assets in ``a``'s order.

    Raises
    ------
    AlignmentError
        Duplicated columns, or the two sides do not cover the same assets.
    ParameterError
        Clashing level names without ``names``, or ``names`` of the wrong length.

    Examples
    --------
    >>> fast = pd.MultiIndex.from_product([[5, 10], ["A", "B"]], names=["window", "symbol"])
    >>> slow = pd.MultiIndex.from_product([[50], ["A", "B"]], names=["window", "symbol"])
    >>> prod = column_product(fast, slow, names=["fast", "slow"])
    >>> prod.columns.tolist()
    [(5, 50, 'A'), (5, 50, 'B'), (10, 50, 'A'), (10, 50, 'B')]
    >>> prod.a_index.tolist(), prod.b_index.tolist()
    ([0, 1, 2, 3], [0, 1, 0, 1])
    """
    if a_columns.equals(b_columns) and names is None:
        ar = np.arange(len(a_columns), dtype=np.int64)
        return ColumnProduct(ar, ar.copy(), a_columns)
    a_params, a_assets = _split(a_columns, asset_levels, "a")
    b_params, b_assets = _split(b_columns, asset_levels, "b")
    asset_u = a_assets.unique()
    a_codes = asset_u.get_indexer(a_assets)
    b_codes = asset_u.get_indexer(b_assets)
    if (b_codes < 0).any() or len(np.unique(b_codes)) != len(asset_u):
        only_b = list(b_assets[b_codes < 0].unique()[:5])
        only_a = list(asset_u[~asset_u.isin(list(b_assets))][:5])
        raise AlignmentError(
            f"a and b cover different assets (only in a: {only_a}, only in b: {only_b}); "
            f"select the same assets in both, or set asset_levels (now {asset_levels})"
        )
    n_assets = len(asset_u)
    a_table, a_uniques = _lookup(a_params, a_codes, n_assets, "a", asset_u)
    b_table, b_uniques = _lookup(b_params, b_codes, n_assets, "b", asset_u)
    na, nb = a_table.shape[0], b_table.shape[0]
    shape = (na, nb, n_assets)
    a_index = np.broadcast_to(a_table[:, None, :], shape).ravel()
    b_index = np.broadcast_to(b_table[None, :, :], shape).ravel()
    arrays = [np.repeat(v, nb * n_assets) for v in _values(a_uniques)]
    arrays += [np.tile(np.repeat(v, n_assets), na) for v in _values(b_uniques)]
    param_names = [
        *(a_params.names if a_params is not None else []),
        *(b_params.names if b_params is not None else []),
    ]
    param_names = _param_names(param_names, names)
    arrays += [np.tile(v, na * nb) for v in _values(asset_u)]
    all_names = [*param_names, *asset_u.names]
    if len(arrays) == 1:
        columns: pd.Index = pd.Index(arrays[0], name=all_names[0])
    else:
        columns = pd.MultiIndex.from_arrays(arrays, names=all_names)
    return ColumnProduct(a_index.astype(np.int64), b_index.astype(np.int64), columns)


def _param_names(found: list[Hashable], names: Sequence[Hashable] | None) -> list[Hashable]:
    if names is not None:
        names = list(names)
        if len(names) != len(found):
            raise ParameterError(
                f"The 'names' parameter must name the {len(found)} parameter level(s) "
                f"{found} of a then b. Got {names!r} instead."
            )
        return names
    clash = {n for n in found if n is not None and found.count(n) > 1}
    if clash:
        raise ParameterError(
            f"a and b both have a parameter level named {sorted(map(str, clash))}; pass "
            f"names=... to name the {len(found)} parameter levels of the result, "
            "e.g. names=('fast', 'slow')"
        )
    return found


class _Operand(NamedTuple):
    values: Float64Array2D | None  # None for a scalar
    labels: Labels | None
    scalar: float
    pandas: bool


def _operand(x: Any, name: str) -> _Operand:
    if isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_)):
        return _Operand(None, None, float(x), False)
    # column-major: a frame's own layout, and its transpose is the kernels' series-major
    # layout, so neither conversion copies
    arr, labels = as_float_panel(x, name, order="F")
    return _Operand(arr, labels, np.nan, isinstance(x, (pd.DataFrame, pd.Series)))


def _prepare(
    a: Any, b: Any, asset_levels: int, names: Sequence[Hashable] | None
) -> tuple[Float64Array2D, Float64Array2D, ColumnProduct, Labels]:
    """Arrays, column pairing and the labels of the result (index, columns, series?)."""
    oa, ob = _operand(a, "a"), _operand(b, "b")
    if oa.values is None and ob.values is None:
        raise DataTypeError(
            "a and b are both scalars; pass at least one panel (DataFrame, Series or array)"
        )
    ref = oa if oa.labels is not None else ob
    assert ref.labels is not None and ref.values is not None
    n = ref.values.shape[0]
    for op, nm in ((oa, "a"), (ob, "b")):
        if op.values is not None and op.values.shape[0] != n:
            raise ShapeError(
                f"a has {oa.values.shape[0] if oa.values is not None else n} bars but b has "
                f"{ob.values.shape[0] if ob.values is not None else n}; pass panels "
                f"with the same bars ({nm} differs)"
            )
    if oa.pandas and ob.pandas:
        assert oa.labels is not None and ob.labels is not None
        if not oa.labels.index.equals(ob.labels.index):
            raise AlignmentError(
                "a and b have different indexes; align them first, e.g. b.reindex(a.index)"
            )
    index = ref.labels.index
    av = oa.values if oa.values is not None else np.full((n, 1), oa.scalar)
    bv = ob.values if ob.values is not None else np.full((n, 1), ob.scalar)
    a_bcast = oa.labels is None or oa.labels.was_series
    b_bcast = ob.labels is None or ob.labels.was_series
    if a_bcast and b_bcast:
        zero = np.zeros(1, dtype=np.int64)
        cols = ref.labels.columns
        return (
            av,
            bv,
            ColumnProduct(zero, zero.copy(), cols),
            Labels(index, cols, was_series=True, name=ref.labels.name),
        )
    if a_bcast or b_bcast:
        other = ob if a_bcast else oa
        assert other.labels is not None
        cols = other.labels.columns
        full = np.arange(len(cols), dtype=np.int64)
        zeros = np.zeros(len(cols), dtype=np.int64)
        pair = ColumnProduct(zeros, full, cols) if a_bcast else ColumnProduct(full, zeros, cols)
        return av, bv, pair, Labels(index, cols)
    assert oa.labels is not None and ob.labels is not None
    pair = column_product(
        oa.labels.columns, ob.labels.columns, asset_levels=asset_levels, names=names
    )
    return av, bv, pair, Labels(index, pair.columns)


def _crossed(
    a: Any, b: Any, above: bool, asset_levels: int, names: Sequence[Hashable] | None
) -> pd.DataFrame | pd.Series:
    av, bv, pair, labels = _prepare(a, b, asset_levels, names)
    at, bt = np.ascontiguousarray(av.T), np.ascontiguousarray(bv.T)  # series-major
    out = _k.crossed(at, bt, pair.a_index, pair.b_index, above).T
    if labels.was_series:
        return pd.Series(out[:, 0], index=labels.index, name=labels.name)
    return pd.DataFrame(out, index=labels.index, columns=labels.columns, copy=False)


def crossed_above(
    a: Any, b: Any, *, asset_levels: int = 1, names: Sequence[Hashable] | None = None
) -> pd.DataFrame | pd.Series:
    """Bars where ``a`` crosses above ``b``: ``a[t] > b[t]`` and ``a[t-1] <= b[t-1]``.

    Parameters
    ----------
    a, b : DataFrame, Series, ndarray or scalar
        The two lines; at most one may be a scalar (a fixed level, e.g. 70 for an RSI).
        See the module docstring for how columns pair up.
    asset_levels : int, default 1
        Trailing column levels naming the asset (used for a parameter-grid product).
    names : sequence of hashable, optional
        Names of the parameter levels of the result (``a``'s then ``b``'s), required when
        both sides have a level of the same name.

    Returns
    -------
    DataFrame or Series of bool
        A Series when neither side has more than one column and one is a Series/1-D.

    Raises
    ------
    AlignmentError, ShapeError
        The sides have different bars or cannot be paired by asset.
    ParameterError
        Clashing parameter level names without ``names``.

    Examples
    --------
    >>> import pandas as pd
    >>> crossed_above(pd.Series([1.0, 3.0, 2.0, 4.0]), 2.5).tolist()
    [False, True, False, True]
    """
    return _crossed(a, b, True, asset_levels, names)


def crossed_below(
    a: Any, b: Any, *, asset_levels: int = 1, names: Sequence[Hashable] | None = None
) -> pd.DataFrame | pd.Series:
    """Bars where ``a`` crosses below ``b``: ``a[t] < b[t]`` and ``a[t-1] >= b[t-1]``.

    Parameters, returns and errors as :func:`crossed_above`.

    Parameters
    ----------
    a, b : DataFrame, Series, ndarray or scalar
        The two lines; at most one may be a scalar.
    asset_levels : int, default 1
        Trailing column levels naming the asset.
    names : sequence of hashable, optional
        Names of the parameter levels of the result.

    Returns
    -------
    DataFrame or Series of bool

    Examples
    --------
    >>> import pandas as pd
    >>> crossed_below(pd.Series([3.0, 1.0, 2.0, 1.0]), 2.0).tolist()
    [False, True, False, True]
    """
    return _crossed(a, b, False, asset_levels, names)


def cross_product_align(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    asset_levels: int = 1,
    names: Sequence[Hashable] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Materialize ``a`` and ``b`` on the common columns of :func:`column_product`.

    Use it to combine two parameter grids with any elementwise operation
    (``fast - slow``, ``fast > slow`` ...); :func:`crossed_above` does the same pairing
    without copying the inputs.

    Parameters
    ----------
    a, b : DataFrame
        Panels with the same index.
    asset_levels, names
        As in :func:`column_product`.

    Returns
    -------
    (DataFrame, DataFrame)
        Two frames with identical index and columns.

    Raises
    ------
    AlignmentError
        Different indexes or assets.

    Examples
    --------
    >>> import pandas as pd
    >>> fast = pd.DataFrame([[1.0, 2.0]], columns=pd.MultiIndex.from_tuples(
    ...     [(5, "A"), (10, "A")], names=["window", "symbol"]))
    >>> slow = pd.DataFrame([[0.5]], columns=pd.Index(["A"], name="symbol"))
    >>> fa, sa = cross_product_align(fast, slow)
    >>> (fa - sa).columns.tolist(), (fa - sa).iloc[0].tolist()
    ([(5, 'A'), (10, 'A')], [0.5, 1.5])
    """
    if not a.index.equals(b.index):
        raise AlignmentError(
            "a and b have different indexes; align them first, e.g. b.reindex(a.index)"
        )
    pair = column_product(a.columns, b.columns, asset_levels=asset_levels, names=names)
    fa = a.iloc[:, pair.a_index].set_axis(pair.columns, axis=1)
    fb = b.iloc[:, pair.b_index].set_axis(pair.columns, axis=1)
    return fa, fb


def clean_entries_exits(entries: Any, exits: Any) -> tuple[Any, Any]:
    """First-signal cleaning: an entry counts only when flat, an exit only when in a position.

    Each column starts flat. A bar with both an entry and an exit is ambiguous and dropped
    (neither is kept, the state does not change) -- the rule of vectorbt's
    ``clean_enex_nb(..., entry_first=True)``.

    Parameters
    ----------
    entries, exits : DataFrame, Series or ndarray of bool, shape (n_bars, n_columns)
        Raw signals with the same shape (and labels, if both are pandas).

    Returns
    -------
    (entries, exits)
        Cleaned signals, same type and labels as ``entries``; they alternate per column,
        starting with an entry.

    Raises
    ------
    DataTypeError, ShapeError, AlignmentError
        Non-boolean signals, or signals that do not line up.

    Examples
    --------
    >>> import pandas as pd
    >>> en = pd.Series([True, True, False, True, False])
    >>> ex = pd.Series([False, False, True, True, True])
    >>> e, x = clean_entries_exits(en, ex)
    >>> e.tolist(), x.tolist()
    ([True, False, False, False, False], [False, False, True, False, False])
    """
    en_arr = _bool_panel(entries, "entries")
    ex_arr = as_bool_panel(exits, "exits", en_arr.shape)
    if isinstance(entries, (pd.DataFrame, pd.Series)) and isinstance(
        exits, (pd.DataFrame, pd.Series)
    ):
        same_cols = (
            not isinstance(entries, pd.DataFrame)
            or not isinstance(exits, pd.DataFrame)
            or entries.columns.equals(exits.columns)
        )
        if not entries.index.equals(exits.index) or not same_cols:
            raise AlignmentError(
                "entries and exits have different index or columns; align them first, "
                "e.g. exits.reindex_like(entries)"
            )
    out_en, out_ex = _k.clean_entries_exits(
        np.ascontiguousarray(en_arr.T), np.ascontiguousarray(ex_arr.T)
    )
    return _like(entries, out_en.T), _like(entries, out_ex.T)


def _bool_panel(data: Any, name: str) -> np.ndarray:
    values = data.to_numpy() if isinstance(data, (pd.DataFrame, pd.Series)) else np.asarray(data)
    if values.ndim not in (1, 2):
        raise ShapeError(f"{name} must be 1-D or 2-D (n_bars, n_columns); got shape {values.shape}")
    shape = (values.shape[0], values.shape[1] if values.ndim == 2 else 1)
    return as_bool_panel(data, name, shape)


def _like(template: Any, values: np.ndarray) -> Any:
    if isinstance(template, pd.DataFrame):
        return pd.DataFrame(values, index=template.index, columns=template.columns, copy=False)
    if isinstance(template, pd.Series):
        return pd.Series(values[:, 0], index=template.index, name=template.name)
    return values[:, 0].copy() if np.ndim(template) == 1 else values
