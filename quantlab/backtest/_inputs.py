"""Validation and broadcasting of backtest inputs (the layer between users and kernels).

Parameter grids become columns: a signal panel may carry MultiIndex columns whose last
level names the asset; each column is mapped to its asset's price column through an
integer index (``asset_of_col``), so prices are never tiled in memory.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from quantlab._validation import (
    PRICE_MAX,
    PRICE_MIN,
    Labels,
    _fmt,
    as_bool_panel,
    as_float_panel,
)
from quantlab.errors import AlignmentError, ShapeError, ValidationError


def map_columns(close_labels: Labels, data: Any, name: str) -> tuple[pd.Index, np.ndarray]:
    """Columns of ``data`` and the price column each one trades.

    Returns ``(columns, asset_of_col)``. Accepted layouts: the same columns as the
    prices; MultiIndex columns whose last level holds price column labels; any columns
    over a single price column; a 2-D array with as many columns as the prices (or any
    number of columns over one price column).
    """
    n_assets = len(close_labels.columns)
    if isinstance(data, (pd.DataFrame, pd.Series)):
        frame = data.to_frame() if isinstance(data, pd.Series) else data
        if isinstance(data, pd.Series) and close_labels.was_series:
            frame.columns = close_labels.columns
        _check_same_index(close_labels.index, frame.index, name)
        cols = frame.columns
        if cols.equals(close_labels.columns):
            return cols, np.arange(n_assets, dtype=np.int64)
        last = cols.get_level_values(-1) if isinstance(cols, pd.MultiIndex) else cols
        idx = np.asarray(close_labels.columns.get_indexer(last), dtype=np.int64)
        if (idx >= 0).all():
            return cols, idx
        if n_assets == 1:
            return cols, np.zeros(len(cols), dtype=np.int64)
        missing = list(np.asarray(last, dtype=object)[idx < 0])
        raise AlignmentError(
            f"{name} has columns that match no price column (e.g. {missing[:3]}); the last "
            f"column level must name an asset of the prices {list(close_labels.columns[:5])}"
            ", or the prices must have a single column"
        )
    arr = np.asarray(data)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2 or arr.shape[0] != len(close_labels.index):
        raise ShapeError(
            f"{name} has shape {arr.shape} but the prices have {len(close_labels.index)} bars;"
            f" pass {name} with one row per bar"
        )
    if arr.shape[1] == n_assets:
        return close_labels.columns, np.arange(n_assets, dtype=np.int64)
    if n_assets == 1:
        return pd.RangeIndex(arr.shape[1]), np.zeros(arr.shape[1], dtype=np.int64)
    raise ShapeError(
        f"{name} has {arr.shape[1]} columns but the prices have {n_assets}; pass one column per"
        " asset, a single price column, or a DataFrame whose last column level names the asset"
    )


def _check_same_index(expected: pd.Index, got: pd.Index, name: str) -> None:
    if got.equals(expected):
        return
    if len(got) != len(expected):
        raise AlignmentError(
            f"{name} has {len(got)} rows but the prices have {len(expected)}; align them first"
            f" (e.g. {name}.reindex(close.index))"
        )
    bad = int(np.argmax(np.asarray(got != expected)))
    raise AlignmentError(
        f"{name} index differs from the prices' index at row {bad} ({_fmt(got[bad])} vs "
        f"{_fmt(expected[bad])}); align them first (e.g. {name}.reindex(close.index))"
    )


def signals(data: Any, name: str, shape: tuple[int, int], columns: pd.Index) -> np.ndarray:
    """A boolean signal panel with exactly the columns of ``entries``."""
    if isinstance(data, pd.DataFrame) and not data.columns.equals(columns):
        if data.shape[1] == len(columns) and set(data.columns) == set(columns):
            raise AlignmentError(
                f"{name} has the same columns as entries in a different order; pass "
                f"{name}[entries.columns]"
            )
        raise AlignmentError(
            f"{name} columns differ from entries' columns ({list(data.columns[:3])}... vs "
            f"{list(columns[:3])}...); pass both with the same columns"
        )
    return as_bool_panel(data, name, shape)


def ohlc(
    close: np.ndarray, labels: Labels, open_: Any, high: Any, low: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validate optional open/high/low panels against close; absent ones are ``(0, 0)``."""
    empty = np.empty((0, 0))
    out = []
    for data, name in ((open_, "open"), (high, "high"), (low, "low")):
        if data is None:
            out.append(empty)
            continue
        arr, lab = as_float_panel(data, name, positive=True, bounds=(PRICE_MIN, PRICE_MAX))
        if arr.shape != close.shape:
            raise ShapeError(
                f"{name} has shape {arr.shape} but close has {close.shape}; pass OHLC panels "
                "with the same rows and columns"
            )
        if isinstance(data, (pd.DataFrame, pd.Series)):
            _check_same_index(labels.index, lab.index, name)
        out.append(arr)
    o, h, lo = out
    if (h.shape[0] == 0) != (lo.shape[0] == 0):
        raise ValidationError(
            "high and low must be given together (stops need the bar's range); pass both or neither"
        )
    if h.shape[0]:
        bad = h < lo
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise ValidationError(
                f"high < low at row {_fmt(labels.index[r])}, column {labels.columns[c]!r} "
                f"(high={h[r, c]!r}, low={lo[r, c]!r}); fix or drop that bar"
            )
    return o, h, lo
