"""Input conversion shared by the metric functions: returns, benchmark, annualization.

Returns are converted *without copying* when they already are float64 (a DataFrame's
values are a Fortran-ordered view; an ndarray keeps its layout) because the kernels read
columns in blocks and accept either layout. Every failure raises a :mod:`quantlab.errors`
class whose message names the argument, the rule, what was received and the fix.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from quantlab._typing import Float64Array1D, Float64Array2D
from quantlab._validation import Labels, check_index
from quantlab.errors import AlignmentError, DataTypeError, ParameterError, ValidationError
from quantlab.metrics import _kernels as K
from quantlab.metrics.periods import infer_periods_per_year


def to_returns(
    data: Any, name: str = "returns", *, scan: bool = True
) -> tuple[Float64Array2D, Labels]:
    """Convert returns to a C- or F-contiguous ``(n_bars, n_columns)`` float64 array.

    Raises
    ------
    DataTypeError
        Not a DataFrame / Series / array, or non-numeric values.
    AlignmentError
        Unsorted or duplicated index.
    ValidationError
        Empty input, infinite values, or a return below -1 (when ``scan``).
    """
    if isinstance(data, pd.DataFrame):
        check_index(data.index, name)
        labels = Labels(data.index, data.columns)
        values = data.to_numpy()
    elif isinstance(data, pd.Series):
        check_index(data.index, name)
        col = data.name if data.name is not None else 0
        labels = Labels(data.index, pd.Index([col]), was_series=True, name=data.name)
        values = data.to_numpy().reshape(-1, 1)
    elif isinstance(data, (np.ndarray, list, tuple)):
        values = np.asarray(data)
        if values.ndim == 1:
            values = values.reshape(-1, 1)
            labels = Labels(pd.RangeIndex(values.shape[0]), pd.RangeIndex(1), was_series=True)
        elif values.ndim == 2:
            labels = Labels(pd.RangeIndex(values.shape[0]), pd.RangeIndex(values.shape[1]))
        else:
            raise ValidationError(
                f"{name} must be 1-D or 2-D (n_bars, n_columns); got {values.ndim}-D shape "
                f"{values.shape}. Reshape it or pass a DataFrame"
            )
    else:
        raise DataTypeError(
            f"{name} must be a DataFrame, Series or NumPy array; got {type(data).__name__}. "
            f"Wrap it, e.g. pd.Series({name})"
        )
    if values.dtype == bool or not (
        np.issubdtype(values.dtype, np.number) or values.dtype == object
    ):
        raise DataTypeError(
            f"{name} must hold numbers; got dtype {values.dtype}. "
            f"Convert it first, e.g. {name}.astype(float)"
        )
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataTypeError(
            f"{name} must hold numbers; got values that cannot be converted to float "
            f"({exc}). Clean them first, e.g. pd.to_numeric(..., errors='coerce')"
        ) from None
    if not (arr.flags.c_contiguous or arr.flags.f_contiguous):
        arr = np.ascontiguousarray(arr)
    if arr.size == 0:
        raise ValidationError(
            f"{name} is empty (shape {arr.shape}); pass at least one bar and one column"
        )
    if scan:
        stats = K.scan_kernel(arr)
        check_range(arr, labels, stats[0], stats[1], name)
    return arr, labels


#: Largest simple return accepted per period (+100,000,000%): above it the input is not
#: returns (prices passed by mistake, a corrupt tick) and compounding overflows float64.
RETURN_MAX = 1e6


def check_range(
    arr: Float64Array2D, labels: Labels, col_min: Float64Array1D, col_max: Float64Array1D, name: str
) -> None:
    """Raise on infinite returns, returns below -1 or above ``RETURN_MAX``.

    ``col_min`` / ``col_max`` are the per-column extremes of ``arr``.
    """
    with np.errstate(invalid="ignore"):
        # an all-NaN column scans as (min=+inf, max=-inf): not an infinite value
        bad_inf = (col_min == -np.inf) | (col_max == np.inf)
        bad_low = col_min < -1.0
        bad_high = col_max > RETURN_MAX
    if bad_inf.any():
        r, c = np.argwhere(np.isinf(arr))[0]
        raise ValidationError(
            f"{name} holds infinite values (first at row {_label(labels.index[r])}, column "
            f"{_label(labels.columns[c])!r}); replace them with NaN (skipped) or valid numbers"
        )
    if bad_high.any():
        r, c = np.argwhere(arr > RETURN_MAX)[0]
        raise ValidationError(
            f"{name} must be <= {RETURN_MAX:g} per period (a simple return of more than "
            f"{RETURN_MAX:g} is a data error, and compounding it overflows float64); got "
            f"{float(arr[r, c])} at row {_label(labels.index[r])}, column "
            f"{_label(labels.columns[c])!r}. Pass returns, not prices"
        )
    if bad_low.any():
        r, c = np.argwhere(arr < -1.0)[0]
        raise ValidationError(
            f"{name} must be >= -1 (a simple return below -100% loses more than everything); "
            f"got {float(arr[r, c])} at row {_label(labels.index[r])}, column "
            f"{_label(labels.columns[c])!r}. Pass simple (not log) returns of a fully funded "
            "position, or clip the equity at 0"
        )


def _label(label: Any) -> Any:
    """A row / column label as a user reads it (date only at midnight, no NumPy repr)."""
    if isinstance(label, pd.Timestamp):
        return str(label.date()) if label == label.normalize() else str(label)
    return label.item() if isinstance(label, np.generic) else label


def to_benchmark(
    benchmark: Any, labels: Labels, n_columns: int, name: str = "benchmark"
) -> Float64Array2D:
    """Align a benchmark to the returns: ``(n_bars, 1)`` or ``(n_bars, n_columns)`` float64.

    A Series / DataFrame benchmark is aligned on the returns' index: it may cover more dates
    (they are dropped) but every returns date must be in it. A DataFrame benchmark with the
    returns' columns gives one benchmark per column. Arrays must have ``n_bars`` rows.
    """
    n_bars = len(labels.index)
    if isinstance(benchmark, pd.DataFrame) and benchmark.shape[1] == 1:
        benchmark = benchmark.iloc[:, 0]
    if isinstance(benchmark, (pd.Series, pd.DataFrame)):
        missing = labels.index.difference(benchmark.index)
        if len(missing):
            raise AlignmentError(
                f"{name} has no value for {len(missing)} of the returns' dates (first: "
                f"{missing[0]}); pass a {name} whose index covers the returns' index, or "
                f"reindex it explicitly (e.g. {name}.reindex(returns.index)) to mark the "
                "gaps as NaN (skipped)"
            )
        benchmark = benchmark.reindex(labels.index)
        if isinstance(benchmark, pd.DataFrame):
            if not benchmark.columns.equals(labels.columns):
                raise AlignmentError(
                    f"{name} is a DataFrame whose columns {list(benchmark.columns[:5])} differ "
                    f"from the returns' columns {list(labels.columns[:5])}; pass one Series "
                    "for every column, or a DataFrame with the same columns"
                )
    arr, _ = to_returns(
        benchmark if not isinstance(benchmark, pd.Series) else benchmark.to_numpy(), name
    )
    if arr.shape[0] != n_bars:
        raise AlignmentError(
            f"{name} has {arr.shape[0]} rows but returns have {n_bars}; pass a {name} with "
            "one value per returns bar (or a Series / DataFrame to align on the index)"
        )
    if arr.shape[1] not in (1, n_columns):
        raise AlignmentError(
            f"{name} has {arr.shape[1]} columns but returns have {n_columns}; pass one "
            f"benchmark series, or one {name} column per returns column"
        )
    return np.asfortranarray(arr)


def resolve_ppy(labels: Labels, periods_per_year: float | None) -> float:
    """``periods_per_year`` if given (validated), else inferred from the index."""
    if periods_per_year is None:
        return infer_periods_per_year(labels.index)
    try:
        ppy = float(periods_per_year)
    except (TypeError, ValueError):
        raise ParameterError(
            f"periods_per_year must be a positive number (e.g. 252 for daily bars); "
            f"got {periods_per_year!r}"
        ) from None
    if not np.isfinite(ppy) or ppy <= 0:
        raise ParameterError(
            f"periods_per_year must be a positive number (e.g. 252 for daily bars); "
            f"got {periods_per_year!r}"
        )
    return ppy


def check_rate(value: float, name: str) -> float:
    """Validate an annual rate (risk-free, required return): a finite float > -1."""
    try:
        rate = float(value)
    except (TypeError, ValueError):
        raise ParameterError(
            f"{name} must be an annual rate as a float (0.02 for 2%); got {value!r}"
        ) from None
    if not np.isfinite(rate) or rate <= -1.0:
        raise ParameterError(f"{name} must be an annual rate > -1 (0.02 for 2%); got {value!r}")
    return rate


def per_period(rate: float, ppy: float) -> float:
    """Convert an annual rate to a per-period one: ``(1 + rate) ** (1 / ppy) - 1``."""
    if rate == 0.0:
        return 0.0
    return float((1.0 + rate) ** (1.0 / ppy) - 1.0)


def check_cutoff(cutoff: float, name: str = "cutoff") -> float:
    """Validate a tail probability in (0, 0.5]."""
    try:
        value = float(cutoff)
    except (TypeError, ValueError):
        value = np.nan
    if not 0.0 < value <= 0.5:
        raise ParameterError(
            f"{name} must be a tail probability in (0, 0.5] (0.05 for the worst 5%); got {cutoff!r}"
        )
    return value


def wrap(values: np.ndarray, labels: Labels, name: str | None = None) -> Any:
    """Series input -> float; otherwise a Series indexed by the columns."""
    if labels.was_series:
        return float(values[0])
    return pd.Series(values, index=labels.columns, name=name)
