"""Conversions between wide panels and the stacked (date, symbol) frames of quantlab.ml."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from quantlab.data.validate import validate_panel
from quantlab.errors import AlignmentError, DataTypeError, ValidationError

INDEX_NAMES = ("date", "symbol")


def stacked_index(dates: pd.Index, symbols: pd.Index) -> pd.MultiIndex:
    """The (date, symbol) grid in date-major order (the order of ``array.ravel()``)."""
    return pd.MultiIndex.from_product([dates, symbols], names=list(INDEX_NAMES))


def stack_arrays(
    arrays: Sequence[np.ndarray], names: Sequence[str], dates: pd.Index, symbols: pd.Index
) -> pd.DataFrame:
    """Stack ``(n_bars, n_assets)`` arrays into one (date, symbol) x feature frame."""
    # one block per feature, wrapping each C-contiguous array without a copy (date-major
    # ravel); an array used by two columns is copied once so the columns stay independent
    columns: dict[str, np.ndarray] = {}
    seen: set[int] = set()
    for name, arr in zip(names, arrays, strict=True):
        flat = np.ascontiguousarray(arr, dtype=np.float64).ravel()
        columns[name] = flat.copy() if id(arr) in seen else flat
        seen.add(id(arr))
    return pd.DataFrame(columns, index=stacked_index(dates, symbols), copy=False)


def stack_panel(panel: pd.DataFrame, name: str | None = None) -> pd.Series:
    """Stack one wide panel into a (date, symbol) Series (NaN rows kept)."""
    out = pd.Series(
        np.ascontiguousarray(panel.to_numpy(dtype=np.float64)).ravel(),
        index=stacked_index(panel.index, panel.columns),
        name=name,
    )
    return out


def unstack(series: pd.Series) -> pd.DataFrame:
    """Turn a (date, symbol) Series back into a wide panel."""
    check_stacked(series, "series")
    return series.unstack(level=1)


def check_stacked(obj: Any, name: str) -> None:
    """Raise unless ``obj`` is indexed by a 2-level (date, symbol) MultiIndex."""
    if not isinstance(obj, pd.Series | pd.DataFrame):
        raise DataTypeError(
            f"{name} must be a pandas Series or DataFrame indexed by (date, symbol); got "
            f"{type(obj).__name__}"
        )
    idx = obj.index
    if not isinstance(idx, pd.MultiIndex) or idx.nlevels != 2:
        raise AlignmentError(
            f"{name} must be indexed by a 2-level (date, symbol) MultiIndex; got "
            f"{type(idx).__name__} with {idx.nlevels} level(s). Build it with "
            "FeatureSet.compute or panel.stack(future_stack=True)"
        )
    if not isinstance(idx.levels[0], pd.DatetimeIndex):
        raise AlignmentError(
            f"{name} index level 0 must hold dates; got {idx.levels[0].dtype}. "
            "Put the date level first: obj.swaplevel().sort_index()"
        )


def close_panel(prices: Any) -> pd.DataFrame:
    """The close panel of a price argument (a close panel or an OHLCV mapping)."""
    if isinstance(prices, Mapping):
        if "close" not in prices:
            raise ValidationError(
                f"prices is a mapping without a 'close' panel (keys: {sorted(prices)}); "
                "pass an OHLCV dict or the close panel itself"
            )
        return validate_panel(prices["close"], "close", positive=True)
    if hasattr(prices, "close") and isinstance(prices.close, pd.DataFrame):
        return validate_panel(prices.close, "close", positive=True)
    return validate_panel(prices, "close", positive=True)
