"""Validation and conversion of the Monte Carlo arguments (history, weights, periods, seed).

Every failure raises a :mod:`quantlab.errors` class whose message names the argument, the
rule, what was received and how to fix it.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from quantlab._typing import Float64Array1D, Float64Array2D, Int64Array1D
from quantlab._validation import RETURN_MAX, Labels, _fmt, absurd_return, as_returns
from quantlab.errors import DataTypeError, ParameterError, ShapeError, ValidationError

#: Calendar frequencies accepted by ``rebalance`` / ``cashflow_every``, in periods per year.
_FREQS = {
    "d": None,  # every period
    "daily": None,
    "w": 52.0,
    "weekly": 52.0,
    "m": 12.0,
    "monthly": 12.0,
    "q": 4.0,
    "quarterly": 4.0,
    "y": 1.0,
    "a": 1.0,
    "yearly": 1.0,
    "annual": 1.0,
}


class History(NamedTuple):
    """A cleaned returns history."""

    values: Float64Array2D  # (n_hist, n_assets), no NaN, all > -1
    labels: Labels
    dropped_rows: int


def load_history(returns: Any, name: str = "returns") -> History:
    """Validate a returns history: drop NaN rows (warning), reject returns <= -1 or absurd.

    Raises
    ------
    ValidationError
        Fewer than 2 rows without NaN, a return above ``RETURN_MAX`` (checked first: an
        absurd price makes a huge return on its bar and about -100% on the next), or a
        return <= -1.
    """
    values, labels = as_returns(returns, name)
    nan_rows = np.isnan(values).any(axis=1)
    dropped = int(nan_rows.sum())
    if dropped:
        keep = ~nan_rows
        if keep.sum() < 2:
            raise ValidationError(
                f"{name} has {int(keep.sum())} row(s) without NaN after dropping {dropped} of "
                f"{len(values)}; a simulation needs at least 2. Fill the gaps (e.g. "
                f"{name}.fillna(0.0)) or pass a longer history"
            )
        warnings.warn(
            f"{name}: dropped {dropped} of {len(values)} rows holding NaN (the cross-section "
            "is resampled whole, so a date is used only when every asset has a return)",
            UserWarning,
            stacklevel=3,
        )
        values = np.ascontiguousarray(values[keep])
        index = labels.index[np.flatnonzero(keep)]
        labels = Labels(index, labels.columns, labels.was_series, labels.name)
    elif len(values) < 2:
        raise ValidationError(
            f"{name} has {len(values)} row; a simulation needs at least 2. Pass a longer history"
        )
    big = values > RETURN_MAX
    if big.any():
        r, c = np.argwhere(big)[0]
        raise absurd_return(name, float(values[r, c]), labels.index[r], labels.columns[c])
    bad = values <= -1.0
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise ValidationError(
            f"{name} must be > -1 (a return of -100% or worse wipes the asset out); got "
            f"{float(values[r, c])!r} at row {_fmt(labels.index[r])}, column "
            f"{labels.columns[c]!r}. Pass simple returns (price.pct_change()), not log "
            "returns or percentages; a -1 from prices means a zero price at that row"
        )
    return History(values, labels, dropped)


def positive_int(value: Any, name: str) -> int:
    """An ``int >= 1`` (bools and non-integral floats rejected)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, float) and value.is_integer() and value >= 1:
            return int(value)
        raise ParameterError(f"{name} must be a positive int; got {value!r}. Pass e.g. {name}=252")
    if value < 1:
        raise ParameterError(f"{name} must be a positive int (>= 1); got {value!r}")
    return int(value)


def finite_float(
    value: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A finite float within ``[low, high]`` (bounds open when asked)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(f"{name} must be a number; got {value!r}")
    x = float(value)
    if not np.isfinite(x):
        raise ParameterError(f"{name} must be finite; got {value!r}")
    if low is not None and (x < low or (low_open and x == low)):
        op = ">" if low_open else ">="
        raise ParameterError(f"{name} must be {op} {low}; got {value!r}")
    if high is not None and (x > high or (high_open and x == high)):
        op = "<" if high_open else "<="
        raise ParameterError(f"{name} must be {op} {high}; got {value!r}")
    return x


def period_steps(value: Any, name: str, ppy: float, *, allow_none: bool = True) -> int:
    """Steps between events: ``None``/0 -> 0 (never), an int N, or "D"/"W"/"M"/"Q"/"Y".

    A calendar string becomes ``max(1, round(periods_per_year / events_per_year))`` steps.
    """
    if value is None or (allow_none and isinstance(value, numbers.Integral) and value == 0):
        return 0
    if isinstance(value, str):
        key = value.strip().lower()
        if key not in _FREQS:
            raise ParameterError(
                f"{name} must be None, a positive int (steps) or one of "
                f"{sorted(k for k in _FREQS if len(k) == 1)} (calendar periods); got {value!r}"
            )
        per_year = _FREQS[key]
        return 1 if per_year is None else max(1, round(ppy / per_year))
    return positive_int(value, name)


def as_weights(weights: Any, n_assets: int, columns: pd.Index, leverage: float) -> Float64Array1D:
    """Target weights, one per column (a mapping/Series is aligned on the column labels).

    ``None`` gives equal weights summing to 1. The result is multiplied by ``leverage``.
    """
    if weights is None:
        w = np.full(n_assets, 1.0 / n_assets)
    else:
        if isinstance(weights, dict):
            weights = pd.Series(weights)
        if isinstance(weights, pd.Series):
            missing = [c for c in columns if c not in weights.index]
            extra = [c for c in weights.index if c not in columns]
            if missing or extra:
                raise ShapeError(
                    f"weights do not match the return columns: missing {missing[:5]}, "
                    f"unknown {extra[:5]}; pass one weight per column of returns "
                    f"({list(columns[:5])})"
                )
            weights = weights.reindex(columns).to_numpy()
        try:
            w = np.asarray(weights, dtype=np.float64)
        except (TypeError, ValueError):
            raise DataTypeError(
                f"weights must be numbers, one per column of returns; got {weights!r:.80}"
            ) from None
        w = np.atleast_1d(w)
        if w.ndim != 1 or w.shape[0] != n_assets:
            raise ShapeError(
                f"weights has shape {w.shape} but returns has {n_assets} column(s) "
                f"({list(columns[:5])}); pass one weight per column"
            )
        if not np.isfinite(w).all():
            raise ParameterError(f"weights must be finite; got {w.tolist()}")
    total = float(w.sum())
    if abs(total) < 1e-12:
        raise ParameterError(
            f"weights must not sum to zero (got sum {total!r} from {np.round(w, 6).tolist()}); the "
            "portfolio would hold no net wealth. Pass weights summing to 1 (or to the leverage)"
        )
    return np.ascontiguousarray(w * leverage)


def resolve_seed(seed: Any) -> int:
    """An int seed in ``[0, 2**64)``; ``None`` draws one from the OS (stored on the result)."""
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0])
    if (
        isinstance(seed, bool)
        or not isinstance(seed, numbers.Integral)
        or not 0 <= int(seed) < 2**64
    ):
        raise ParameterError(
            f"seed must be None or an int in [0, 2**64); got {seed!r}. Pass e.g. seed=42"
        )
    return int(seed)


def time_grid(horizon: int, n_grid: int, keep_paths: bool) -> Int64Array1D:
    """Steps at which wealth is recorded: 0, ..., horizon (every step with keep_paths)."""
    if keep_paths:
        return np.arange(horizon + 1, dtype=np.int64)
    grid = np.round(np.linspace(0, horizon, min(n_grid, horizon) + 1)).astype(np.int64)
    return np.unique(grid)


__all__ = [
    "History",
    "load_history",
    "positive_int",
    "finite_float",
    "period_steps",
    "as_weights",
    "resolve_seed",
    "time_grid",
]
