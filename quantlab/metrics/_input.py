"""Input conversion shared by the metric functions: returns, benchmark, annualization.

The panel conversion is :mod:`quantlab._validation`'s and the annualization rule
:mod:`quantlab._periods`' (one source each for the whole library). Returns are converted
*without copying* when they already are float64 (a DataFrame's
values are a Fortran-ordered view; an ndarray keeps its layout) because the kernels read
columns in blocks and accept either layout. Every failure raises a :mod:`quantlab.errors`
class whose message names the argument, the rule, what was received and the fix.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from quantlab._periods import resolve_periods_per_year
from quantlab._typing import Float64Array1D, Float64Array2D
from quantlab._validation import RETURN_MAX, Labels, absurd_return, as_float_panel
from quantlab.errors import AlignmentError, ParameterError, ValidationError
from quantlab.metrics import _kernels as K


def to_returns(
    data: Any, name: str = "returns", *, scan: bool = True
) -> tuple[Float64Array2D, Labels]:
    """Convert returns to a C- or F-contiguous ``(n_bars, n_columns)`` float64 array.

    The conversion is :func:`quantlab._validation.as_float_panel` (one rule for every
    subject) keeping the input's layout; infinities and the range are checked here in the
    same pass as the column extremes (``scan``).

    Raises
    ------
    DataTypeError
        Not a DataFrame / Series / array, or non-numeric values.
    AlignmentError
        Unsorted or duplicated index.
    ShapeError
        More than 2 dimensions.
    ValidationError
        Empty input, infinite values, a return below -1 or above ``RETURN_MAX`` (when
        ``scan``).
    """
    arr, labels = as_float_panel(data, name, allow_nan=True, allow_inf=True, order="K")
    if scan:
        stats = K.scan_kernel(arr)
        check_range(arr, labels, stats[0], stats[1], name)
    return arr, labels


def check_range(
    arr: Float64Array2D, labels: Labels, col_min: Float64Array1D, col_max: Float64Array1D, name: str
) -> None:
    """Raise on infinite returns, returns above ``RETURN_MAX`` or below -1.

    ``col_min`` / ``col_max`` are the per-column extremes of ``arr``. An absurd high return
    is reported before a return below -1: a corrupt price makes both (up on its bar, down
    to -100% on the next), and the high one names the real cause.
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
        raise absurd_return(name, float(arr[r, c]), labels.index[r], labels.columns[c])
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
    """``periods_per_year`` if given (validated), else inferred from the index.

    The library's one rule, :func:`quantlab._periods.resolve_periods_per_year`.
    """
    return resolve_periods_per_year(labels.index, periods_per_year)


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
