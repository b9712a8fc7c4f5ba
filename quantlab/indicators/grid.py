"""Parameter grids: validated parameter lists -> distinct kernel columns -> labelled output.

Every indicator parameter may be a scalar or a list of values. The combinations computed
are the cartesian product of the parameters, in the order given, first parameter
outermost. Each *distinct* value of each parameter is computed once (kernels see
de-duplicated arrays); duplicated values are repeated in the output so that output
combination ``i`` is always the ``i``-th element of the product of the lists as given.

Column convention: when at least one parameter is a list, the output columns are a
:class:`pandas.MultiIndex` whose outer levels are the *list-valued* parameters (named after
them, e.g. ``"window"``, or ``"fast", "slow", "signal"``) followed by the input's column
level(s) (their original names, e.g. ``"symbol"``). Scalar parameters add no level.
"""

from __future__ import annotations

import itertools
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlab._typing import Float64Array2D, Int64Array1D
from quantlab._validation import Labels
from quantlab.errors import ParameterError

__all__ = ["ParamGrid", "param_values", "param_columns", "product_grid"]


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple, range, np.ndarray, pd.Index, pd.Series))


def _rule(kind: str, low: float, low_inclusive: bool) -> str:
    if kind == "int":
        return "a positive int" if low == 1 else f"an int >= {low:g}"
    if low == 0 and not low_inclusive:
        return "a positive finite number"
    return f"a finite number {'>=' if low_inclusive else '>'} {low:g}"


def param_values(
    value: Any,
    name: str,
    func: str,
    *,
    kind: str = "int",
    low: float = 1,
    low_inclusive: bool = True,
) -> tuple[list[Any], bool]:
    """Validate a scalar-or-list parameter; return ``(values, is_list)``.

    Parameters
    ----------
    value : scalar or list/tuple/range/ndarray/Index of scalars
        What the user passed.
    name, func : str
        Parameter and function names, used in the error message.
    kind : {"int", "float"}
        ``"int"`` accepts Python/NumPy integers only (not bools, not floats).
    low, low_inclusive : float, bool
        Lower bound of the allowed values.

    Returns
    -------
    values : list
        The values, in the order given (duplicates kept).
    is_list : bool
        Whether ``value`` was a list (its values become an output column level).

    Raises
    ------
    ParameterError
        Empty list, wrong type or value out of range. The message reads e.g.
        ``The 'window' parameter of sma must be a positive int. Got -3 instead.``

    Examples
    --------
    >>> param_values(range(5, 20, 5), "window", "sma")
    ([5, 10, 15], True)
    >>> param_values(14, "window", "rsi")
    ([14], False)
    """
    rule = _rule(kind, low, low_inclusive)
    is_list = _is_list(value)
    if not is_list:
        items = [value]
    elif isinstance(value, (np.ndarray, pd.Index, pd.Series)):
        items = list(np.asarray(value).ravel().tolist())  # NumPy scalars -> Python scalars
    else:
        items = list(value)
    if is_list and not items:
        raise ParameterError(
            f"The '{name}' parameter of {func} must be {rule} or a non-empty list of them. "
            f"Got an empty {type(value).__name__} instead."
        )
    out: list[Any] = []
    for pos, item in enumerate(items):
        ok = _check(item, kind, low, low_inclusive)
        if ok is None:
            where = f" at position {pos} of {_short(items)}" if is_list else ""
            suffix = " or a list of them" if is_list else ""
            raise ParameterError(
                f"The '{name}' parameter of {func} must be {rule}{suffix}. "
                f"Got {item!r}{where} instead."
            )
        out.append(ok)
    return out, is_list


def _check(item: Any, kind: str, low: float, low_inclusive: bool) -> Any:
    if isinstance(item, (bool, np.bool_)):
        return None
    if kind == "int":
        if not isinstance(item, (numbers.Integral, np.integer)):
            return None
        val: Any = int(item)
    else:
        if not isinstance(item, (numbers.Real, np.floating, np.integer)):
            return None
        val = float(item)
        if not np.isfinite(val):
            return None
    if val < low or (val == low and not low_inclusive):
        return None
    return val


def _short(items: list[Any]) -> str:
    shown = ", ".join(repr(v) for v in items[:6])
    return f"[{shown}{', ...' if len(items) > 6 else ''}]"


@dataclass(frozen=True)
class ParamGrid:
    """The cartesian product of an indicator's parameters.

    Attributes
    ----------
    names : tuple of str
        Every parameter name, in signature order.
    distinct : tuple of tuple
        Per parameter, its distinct values in order of first appearance. Kernels compute
        the product of these (C order, first parameter outermost) exactly once.
    is_list : tuple of bool
        Per parameter, whether it was given as a list (and becomes a column level).
    codes : ndarray of int64, shape (n_combos, n_params)
        Per output combination, the position of each parameter's value in ``distinct``.
    """

    names: tuple[str, ...]
    distinct: tuple[tuple[Any, ...], ...]
    is_list: tuple[bool, ...]
    codes: np.ndarray

    @property
    def is_grid(self) -> bool:
        """Whether any parameter was a list (the output gets a MultiIndex)."""
        return any(self.is_list)

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of distinct values of each parameter."""
        return tuple(len(d) for d in self.distinct)

    def array(self, name: str, dtype: Any = np.int64) -> np.ndarray:
        """The distinct values of parameter ``name`` as a 1-D array for a kernel."""
        return np.asarray(self.distinct[self.names.index(name)], dtype=dtype)

    def unique_positions(self) -> Int64Array1D:
        """Per output combination, its position among the distinct combinations."""
        if not self.codes.shape[1]:
            return np.zeros(1, dtype=np.int64)
        return np.ravel_multi_index(tuple(self.codes.T), self.shape).astype(np.int64)

    def label(self, values: Float64Array2D, labels: Labels) -> pd.DataFrame | pd.Series:
        """Put labels on a kernel output laid out as (distinct combination, asset).

        ``values`` has ``prod(shape) * n_assets`` columns. Duplicated combinations are
        repeated (a copy of the computed column), so the output holds one column per
        (combination as given, asset).
        """
        m = len(labels.columns)
        if not self.is_grid:
            if labels.was_series:
                return pd.Series(values[:, 0], index=labels.index, name=labels.name, copy=False)
            return pd.DataFrame(values, index=labels.index, columns=labels.columns, copy=False)
        pos = self.unique_positions()
        cols = (pos[:, None] * m + np.arange(m)[None, :]).ravel()
        if not np.array_equal(cols, np.arange(values.shape[1])):
            values = np.asfortranarray(values[:, cols])
        levels = [i for i, flag in enumerate(self.is_list) if flag]
        columns = param_columns(
            {self.names[i]: [self.distinct[i][k] for k in self.codes[:, i]] for i in levels},
            labels.columns,
        )
        return pd.DataFrame(values, index=labels.index, columns=columns, copy=False)


def product_grid(params: dict[str, tuple[list[Any], bool]]) -> ParamGrid:
    """Build the :class:`ParamGrid` of validated parameters (from :func:`param_values`).

    Examples
    --------
    >>> g = product_grid({"fast": ([5, 10, 5], True), "slow": ([20], False)})
    >>> g.distinct, g.unique_positions().tolist()
    (((5, 10), (20,)), [0, 1, 0])
    """
    names = tuple(params)
    distinct: list[tuple[Any, ...]] = []
    per_param_codes: list[list[int]] = []
    for values, _ in params.values():
        seen: dict[Any, int] = {}
        codes = [seen.setdefault(v, len(seen)) for v in values]
        distinct.append(tuple(seen))
        per_param_codes.append(codes)
    combos = list(itertools.product(*per_param_codes))
    codes_arr = np.asarray(combos, dtype=np.int64).reshape(len(combos), len(names))
    return ParamGrid(
        names=names,
        distinct=tuple(distinct),
        is_list=tuple(flag for _, flag in params.values()),
        codes=codes_arr,
    )


def param_columns(levels: dict[str, list[Any]], columns: pd.Index) -> pd.MultiIndex:
    """Columns ``(param_1, ..., param_k, *asset levels)`` for combinations x assets.

    Parameters
    ----------
    levels : dict of str to list
        Per parameter level, one value per combination (all lists of equal length).
    columns : pandas.Index
        The assets (a flat Index or a MultiIndex), repeated for every combination.

    Returns
    -------
    pandas.MultiIndex
        ``n_combos * n_assets`` entries, combinations outermost, assets innermost.

    Examples
    --------
    >>> param_columns({"window": [5, 10]}, pd.Index(["A", "B"], name="symbol")).tolist()
    [(5, 'A'), (5, 'B'), (10, 'A'), (10, 'B')]
    """
    m = len(columns)
    n_combos = len(next(iter(levels.values()))) if levels else 1
    arrays: list[Any] = [np.repeat(np.asarray(v, dtype=object), m) for v in levels.values()]
    names: list[Any] = list(levels)
    if isinstance(columns, pd.MultiIndex):
        for i in range(columns.nlevels):
            arrays.append(np.tile(columns.get_level_values(i), n_combos))
        names.extend(columns.names)
    else:
        arrays.append(np.tile(columns, n_combos))
        names.append(columns.name)
    index = pd.MultiIndex.from_arrays(arrays, names=names)
    return index
