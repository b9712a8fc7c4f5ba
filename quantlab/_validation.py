"""Input validation and conversion shared by every user-facing function.

The API layer turns what the user passes (DataFrame, Series, ndarray, scalar) into the
contiguous ``float64`` / ``bool`` 2-D arrays the kernels expect, and keeps the labels to put
back on the results. Every failure raises a :mod:`quantlab.errors` class whose message
names the argument, the rule, what was received and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from quantlab._typing import BoolArray2D, Float64Array1D, Float64Array2D
from quantlab.errors import (
    AlignmentError,
    DataTypeError,
    ParameterError,
    ShapeError,
    ValidationError,
)

#: Allowed magnitude of a finite price (close, open, high, low) in the backtest engine.
#: Within it, one fill of any sane ``init_cash`` and one bar's return stay far from float64
#: overflow (a bar return is at most ``PRICE_MAX / PRICE_MIN = 1e100``, its square 1e200);
#: outside it (e.g. 1e300 or a subnormal 5e-324) ``cash / price`` or ``units * price``
#: overflows to inf and the equity turns NaN, so such prices are rejected up front.
PRICE_MIN: float = 1e-50
PRICE_MAX: float = 1e50

#: Largest simple return accepted per period (+100,000,000%) by metrics and Monte Carlo:
#: above it the input is not a return (prices passed by mistake, a corrupt tick such as a
#: 1e300 price) and compounding it overflows float64.
RETURN_MAX: float = 1e6


@dataclass(frozen=True)
class Labels:
    """Row and column labels of a panel, to re-label kernel outputs."""

    index: pd.Index
    columns: pd.Index
    was_series: bool = False
    name: Any = None

    def frame(self, values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values, index=self.index, columns=self.columns)

    def series(self, values: np.ndarray) -> pd.Series:
        return pd.Series(values, index=self.columns)


def check_index(index: pd.Index, name: str) -> None:
    """Raise unless ``index`` is sorted and unique (and, if datetime, not mixed-tz)."""
    if index.dtype == object and len(index):
        kinds = {
            getattr(ts, "tzinfo", None) is not None
            for ts in index
            if isinstance(ts, (pd.Timestamp, np.datetime64)) or hasattr(ts, "tzinfo")
        }
        if len(kinds) > 1:
            raise AlignmentError(
                f"{name} index mixes timezone-aware and naive timestamps; "
                "convert it to one timezone (pd.to_datetime(index, utc=True))"
            )
    if index.has_duplicates:
        dup = index[index.duplicated()]
        raise AlignmentError(
            f"{name} has {len(dup)} duplicated timestamps (first: {_fmt(dup[0])}); "
            "pass a panel with a unique index (e.g. df[~df.index.duplicated()])"
        )
    if not index.is_monotonic_increasing:
        bad = int(np.argmax(~_monotonic_mask(index)))
        raise AlignmentError(
            f"{name} index is not sorted (row {bad}: {_fmt(index[bad])} comes after "
            f"{_fmt(index[bad - 1])}); pass {name}.sort_index()"
        )


def _monotonic_mask(index: pd.Index) -> np.ndarray:
    vals = np.asarray(index)
    mask = np.ones(len(vals), dtype=bool)
    try:
        mask[1:] = vals[1:] >= vals[:-1]
    except TypeError:  # pragma: no cover - incomparable labels
        pass
    return mask


def _fmt(label: Any) -> str:
    """A row label for messages: a date alone at midnight, with its zone when tz-aware.

    The zone is what tells ``2021-05-28 UTC`` from ``2021-05-28 America/New_York``: two
    midnights that print alike without it.
    """
    if isinstance(label, pd.Timestamp):
        if label != label.normalize():
            return str(label)
        day = str(label.date())
        return day if label.tz is None else f"{day} 00:00 {label.tz}"
    return str(label)


def absurd_return(name: str, value: float, row: Any, column: Any) -> ValidationError:
    """The error for a return above :data:`RETURN_MAX` (metrics and Monte Carlo share it).

    Such a return is never a market move: it comes from an overflowing or absurd price (a
    corrupt tick such as 1e300, or a near-zero price on the bar before) or from prices
    passed where returns are expected. The message names the cell and both fixes.

    Examples
    --------
    >>> str(absurd_return("returns", 1e298, "2024-01-03", "A"))[:60]
    'returns holds an absurd return 1e+298 at row 2024-01-03, col'
    """
    col = column.item() if isinstance(column, np.generic) else column
    return ValidationError(
        f"{name} holds an absurd return {value:g} at row {_fmt(row)}, column {col!r} (the "
        f"limit is {RETURN_MAX:g} per period: a larger simple return is a data error, and "
        "compounding it overflows float64); it comes from an overflowing or absurd price "
        "(e.g. 1e300, or a near-zero price on the bar before) or from prices passed as "
        "returns. Fix that price or mark it NaN before computing returns, and pass returns, "
        "not prices"
    )


def as_float_panel(
    data: Any,
    name: str,
    *,
    allow_nan: bool = True,
    allow_inf: bool = False,
    positive: bool = False,
    bounds: tuple[float, float] | None = None,
    order: Literal["C", "F", "K"] = "C",
) -> tuple[Float64Array2D, Labels]:
    """Convert a price/returns panel to a C-contiguous ``(n_bars, n_columns)`` float64 array.

    ``bounds=(low, high)`` rejects finite values whose magnitude is outside ``[low, high]``
    (prices: :data:`PRICE_MIN`, :data:`PRICE_MAX`). ``order="F"`` returns it column-major
    instead, the layout of a pandas frame (no copy of a float64 frame); ``order="K"`` keeps
    whichever contiguous layout the data has (no copy of float64 data in either layout).

    Raises
    ------
    DataTypeError
        Non-numeric data.
    AlignmentError
        Unsorted or duplicated index.
    ValidationError
        Infinite values, non-positive values when ``positive``, NaN when not allowed, empty,
        magnitudes outside ``bounds``.
    """
    labels, values = _split(data, name)
    if values.dtype == bool or not (
        np.issubdtype(values.dtype, np.number) or values.dtype == object
    ):
        raise DataTypeError(
            f"{name} must hold numbers; got dtype {values.dtype}. "
            f"Convert it first, e.g. {name}.astype(float)"
        )
    if values.dtype == object:
        text = next((v for v in values.ravel() if isinstance(v, (str, bytes))), None)
        if text is not None:
            raise DataTypeError(
                f"{name} must hold numbers; got text values (e.g. {text!r:.30}). "
                f"Convert it first, e.g. pd.to_numeric(...) or {name}.astype(float)"
            )
    try:
        if order == "F":
            arr = np.asfortranarray(values, dtype=np.float64)
        elif order == "K":
            arr = np.asarray(values, dtype=np.float64)
            if not (arr.flags.c_contiguous or arr.flags.f_contiguous):
                arr = np.ascontiguousarray(arr)
        else:
            arr = np.ascontiguousarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataTypeError(
            f"{name} must hold numbers; got values that cannot be converted to float "
            f"({exc}). Clean them first, e.g. pd.to_numeric(..., errors='coerce')"
        ) from None
    if arr.size == 0:
        raise ValidationError(
            f"{name} is empty (shape {arr.shape}); pass at least one bar and one column"
        )
    if not allow_inf and np.isinf(arr).any():
        r, c = np.argwhere(np.isinf(arr))[0]
        raise ValidationError(
            f"{name} holds infinite values (first at row {_fmt(labels.index[r])}, column "
            f"{labels.columns[c]!r}); replace them with NaN (no trading) or valid numbers"
        )
    if not allow_nan and np.isnan(arr).any():
        r, c = np.argwhere(np.isnan(arr))[0]
        raise ValidationError(
            f"{name} holds NaN (first at row {_fmt(labels.index[r])}, column "
            f"{labels.columns[c]!r}); drop or fill those rows explicitly"
        )
    # only the checks below need it (a full pass over a weights or returns panel)
    finite = np.isfinite(arr) if positive or bounds is not None else np.True_
    if positive:
        bad = finite & (arr <= 0)
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise ValidationError(
                f"{name} must be strictly positive; got {arr[r, c]!r} at row "
                f"{_fmt(labels.index[r])}, column {labels.columns[c]!r}. Prices <= 0 cannot "
                "be traded; use NaN to mark bars without a price"
            )
    if bounds is not None:
        low, high = bounds
        mag = np.abs(arr)
        bad = finite & ((mag < low) | (mag > high)) & (arr != 0.0)
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise ValidationError(
                f"{name} must lie within [{low:g}, {high:g}] in magnitude (beyond it the "
                f"cash and equity arithmetic overflows float64); got {float(arr[r, c])!r} at row "
                f"{_fmt(labels.index[r])}, column {labels.columns[c]!r}. Rescale the prices "
                "(e.g. quote them in other units) or mark that bar NaN"
            )
    return arr, labels


def as_bool_panel(data: Any, name: str, shape: tuple[int, int]) -> BoolArray2D:
    """Convert a signal panel to a C-contiguous bool array of ``shape`` (no NaN allowed)."""
    if isinstance(data, (pd.DataFrame, pd.Series)):
        values = data.to_numpy()
    else:
        values = np.asarray(data)
    if values.ndim == 1:
        values = values.reshape(-1, 1)
    if values.dtype != bool:
        if values.dtype == object:
            kinds = {type(v).__name__ for v in values.ravel()[:1000] if not isinstance(v, bool)}
            if not kinds:
                values = values.astype(bool)
            else:
                raise DataTypeError(
                    f"{name} must be boolean; got values of type {sorted(kinds)}. "
                    f"Pass a boolean panel, e.g. {name}.astype(bool) or (series > 0)"
                )
        elif np.issubdtype(values.dtype, np.integer) and np.isin(values, (0, 1)).all():
            values = values.astype(bool)
        else:
            raise DataTypeError(
                f"{name} must be boolean; got dtype {values.dtype}. "
                f"Pass a boolean panel, e.g. ({name} > 0) or {name}.astype(bool)"
            )
    if values.shape != shape:
        raise ShapeError(
            f"{name} has shape {values.shape} but the prices broadcast to {shape}; "
            f"pass {name} with one row per bar and one column per price column"
        )
    if values.flags.f_contiguous:  # pandas frames are column-major: keep, do not copy
        return values
    return np.ascontiguousarray(values)


def _split(data: Any, name: str) -> tuple[Labels, np.ndarray]:
    if isinstance(data, pd.DataFrame):
        check_index(data.index, name)
        return Labels(data.index, data.columns), data.to_numpy()
    if isinstance(data, pd.Series):
        check_index(data.index, name)
        col = data.name if data.name is not None else 0
        return (
            Labels(data.index, pd.Index([col]), was_series=True, name=data.name),
            data.to_numpy().reshape(-1, 1),
        )
    if isinstance(data, (list, tuple)) or isinstance(data, np.ndarray):
        arr = np.asarray(data)
        if arr.ndim == 1:
            arr = arr.reshape(-1, 1)
            return Labels(pd.RangeIndex(arr.shape[0]), pd.RangeIndex(1), was_series=True), arr
        if arr.ndim != 2:
            raise ShapeError(
                f"{name} must be 1-D or 2-D (n_bars, n_columns); got {arr.ndim}-D shape "
                f"{arr.shape}. Reshape it or pass a DataFrame"
            )
        return Labels(pd.RangeIndex(arr.shape[0]), pd.RangeIndex(arr.shape[1])), arr
    raise DataTypeError(
        f"{name} must be a DataFrame, Series or NumPy array; got {type(data).__name__}. "
        f"Wrap it, e.g. pd.DataFrame({name})"
    )


def column_param(
    value: Any,
    name: str,
    n_columns: int,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
    allow_nan: bool = False,
    columns: pd.Index | None = None,
) -> Float64Array1D:
    """Broadcast a scalar / 1-D per-column parameter to a float64 array of ``n_columns``.

    A length-1 array is returned for a scalar, so kernels index it with ``p[col % len(p)]``
    semantics via :func:`quantlab.backtest._kernels.flex` (no (n_bars, n_columns) copy).
    A pandas Series is aligned on ``columns`` when given (missing labels raise).
    """
    if isinstance(value, pd.Series) and columns is not None:
        missing = [c for c in columns if c not in value.index]
        if missing:
            raise AlignmentError(
                f"{name} is a Series without an entry for column(s) {missing[:5]}; "
                f"give one value per column of the prices ({list(columns[:5])}...)"
            )
        value = value.reindex(columns).to_numpy()
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataTypeError(
            f"{name} must be a number or a 1-D array of numbers (one per column); got {value!r:.80}"
        ) from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    elif arr.ndim != 1 or (arr.shape[0] not in (1, n_columns)):
        raise ShapeError(
            f"{name} must be a scalar or a 1-D array of length n_columns={n_columns}; "
            f"got shape {arr.shape}"
        )
    if not allow_nan and np.isnan(arr).any():
        raise ParameterError(f"{name} must not be NaN; got {_short(arr)}")
    vals = arr[~np.isnan(arr)]
    if low is not None:
        bad = vals < low if low_inclusive else vals <= low
        if bad.any():
            op = ">=" if low_inclusive else ">"
            raise ParameterError(
                f"{name} must be {op} {low}; got {vals[bad][0]!r}. Pass a value {op} {low}"
            )
    if high is not None:
        bad = vals > high if high_inclusive else vals >= high
        if bad.any():
            op = "<=" if high_inclusive else "<"
            raise ParameterError(
                f"{name} must be {op} {high}; got {vals[bad][0]!r}. Pass a value {op} {high}"
            )
    return np.ascontiguousarray(arr)


def _short(arr: np.ndarray) -> str:
    return np.array2string(arr, threshold=6, edgeitems=3)


def choice(value: Any, name: str, choices: dict[str, Any]) -> Any:
    """Map a string option to its value; raise naming the allowed choices."""
    if isinstance(value, str) and value.lower() in choices:
        return choices[value.lower()]
    raise ParameterError(f"{name} must be one of {sorted(choices)}; got {value!r}")


def as_returns(data: Any, name: str = "returns") -> tuple[Float64Array2D, Labels]:
    """Convert a returns Series/DataFrame/array to 2-D float64 (NaN allowed, inf rejected)."""
    return as_float_panel(data, name, allow_nan=True, allow_inf=False)
