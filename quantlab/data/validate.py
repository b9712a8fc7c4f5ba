"""Validation of panels and OHLCV bundles against the data contract.

A *panel* is a wide DataFrame: a sorted, unique :class:`~pandas.DatetimeIndex` by one
column per asset, holding numbers. An *OHLCV bundle* is a dict of such panels named
``open``, ``high``, ``low``, ``close`` (required) and ``volume`` (optional), all sharing one
index and one set of columns. NaN means "no trading on that bar" and is allowed on any bar,
but a price column (or a whole bundle) without a single price is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from quantlab._validation import check_index
from quantlab.errors import AlignmentError, DataTypeError, ValidationError

__all__ = ["OHLCV_FIELDS", "validate_panel", "validate_ohlcv"]

#: Field names of an OHLCV bundle, in their canonical order.
OHLCV_FIELDS: tuple[str, ...] = ("open", "high", "low", "close", "volume")
_PRICE_FIELDS = ("open", "high", "low", "close")


def validate_panel(panel: Any, name: str = "panel", *, positive: bool = False) -> pd.DataFrame:
    """Check that ``panel`` follows the panel contract and return it as float64.

    Parameters
    ----------
    panel : pandas.DataFrame
        Wide frame ``(n_bars, n_assets)`` with a sorted, unique DatetimeIndex.
    name : str, default "panel"
        Argument name used in error messages.
    positive : bool, default False
        Require every non-NaN value to be strictly positive (prices).

    Returns
    -------
    pandas.DataFrame
        The same panel with a float64 dtype (a copy only when a conversion was needed).

    Raises
    ------
    DataTypeError
        Not a DataFrame, not a DatetimeIndex, or non-numeric values.
    AlignmentError
        Unsorted or duplicated index or columns.
    ValidationError
        Empty panel, infinite values, or non-positive values when ``positive``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"A": [1.0, 2.0]}, index=pd.to_datetime(["2024-01-02", "2024-01-03"]))
    >>> validate_panel(p, "close", positive=True).shape
    (2, 1)
    """
    if not isinstance(panel, pd.DataFrame):
        raise DataTypeError(
            f"{name} must be a wide pandas DataFrame (bars x assets); got "
            f"{type(panel).__name__}. Wrap a Series with series.to_frame()"
        )
    if not isinstance(panel.index, pd.DatetimeIndex):
        raise DataTypeError(
            f"{name} must have a DatetimeIndex; got {type(panel.index).__name__}. "
            f"Convert it with {name}.index = pd.to_datetime({name}.index)"
        )
    check_index(panel.index, name)
    if panel.columns.has_duplicates:
        dup = panel.columns[panel.columns.duplicated()]
        raise AlignmentError(
            f"{name} has duplicated asset columns {list(dup[:5])}; pass one column per asset"
        )
    if panel.shape[0] == 0 or panel.shape[1] == 0:
        raise ValidationError(
            f"{name} is empty (shape {panel.shape}); pass at least one bar and one asset"
        )
    bad_cols = [c for c, dt in panel.dtypes.items() if not pd.api.types.is_numeric_dtype(dt)]
    bad_cols += [c for c, dt in panel.dtypes.items() if pd.api.types.is_bool_dtype(dt)]
    if bad_cols:
        raise DataTypeError(
            f"{name} must hold numbers; column(s) {bad_cols[:5]} have dtype "
            f"{panel[bad_cols[0]].dtype}. Convert them, e.g. pd.to_numeric(..., errors='coerce')"
        )
    out = panel if (panel.dtypes == np.float64).all() else panel.astype(np.float64)
    values = out.to_numpy()
    if np.isinf(values).any():
        r, c = np.argwhere(np.isinf(values))[0]
        raise ValidationError(
            f"{name} holds infinite values (first at {_when(out.index[r])}, column "
            f"{out.columns[c]!r}); replace them with NaN (no trading) or valid numbers"
        )
    if positive:
        bad = values <= 0  # NaN compares False
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise ValidationError(
                f"{name} must be strictly positive; got {float(values[r, c])} at "
                f"{_when(out.index[r])}, column {out.columns[c]!r}. Use NaN to mark bars "
                "without a price"
            )
    return out


def _when(ts: Any) -> str:
    ts = pd.Timestamp(ts)
    if ts != ts.normalize():
        return str(ts)
    return f"{ts.date()} {ts.tz}" if ts.tz is not None else str(ts.date())


def _check_has_prices(ohlcv: Mapping[str, pd.DataFrame]) -> None:
    """Refuse a price column (or a whole bundle) without a single price."""
    close = ohlcv["close"]
    empty = np.isnan(close.to_numpy()).all(axis=0)
    if empty.all():
        raise ValidationError(
            f"close holds no price at all (all {close.size} cells of {close.shape[1]} "
            "column(s) are empty / NaN); pass data with prices"
        )
    for field in ("close", "open", "high", "low"):  # close first: a close-only file has no open
        panel = ohlcv[field]
        if field != "close" and panel is not close:
            empty = np.isnan(panel.to_numpy()).all(axis=0)
        if empty.any():
            cols = panel.columns[empty]
            raise ValidationError(
                f"{field} column {cols[0]!r} holds no price on any of its {len(panel)} bars "
                f"({len(cols)} such column(s)); drop the column or fill in its prices (NaN "
                "marks single bars without trading)"
            )


def validate_ohlcv(ohlcv: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Check an OHLCV bundle: required fields, shared labels, and bar consistency.

    Rules: ``open``, ``high``, ``low`` and ``close`` are required and strictly positive,
    and every one of their columns holds at least one price (NaN marks single bars);
    ``volume`` is optional and non-negative; every panel has the same index and columns;
    on every bar where all four prices are known, ``low <= min(open, close)`` and
    ``high >= max(open, close)``.

    Parameters
    ----------
    ohlcv : mapping of str to pandas.DataFrame
        The bundle, e.g. the output of :func:`quantlab.data.load_ohlcv`.

    Returns
    -------
    dict of str to pandas.DataFrame
        The validated float64 panels, in the order of :data:`OHLCV_FIELDS`.

    Raises
    ------
    ValidationError
        A missing field, a price column without any price, negative volume, or an
        inconsistent bar (e.g. ``high < low``).
    AlignmentError
        Panels whose index or columns differ.

    Examples
    --------
    >>> from quantlab.data import sample_universe
    >>> u = sample_universe(n_assets=3, n_days=30, seed=1)
    >>> sorted(validate_ohlcv(u.ohlcv))
    ['close', 'high', 'low', 'open', 'volume']
    """
    if not isinstance(ohlcv, Mapping):
        raise DataTypeError(
            f"ohlcv must be a dict of panels {OHLCV_FIELDS}; got {type(ohlcv).__name__}. "
            "Convert a long frame with quantlab.data.from_long"
        )
    missing = [f for f in _PRICE_FIELDS if f not in ohlcv]
    if missing:
        raise ValidationError(
            f"ohlcv is missing field(s) {missing}; got {sorted(ohlcv)}. Pass open, high, low "
            "and close panels (volume is optional)"
        )
    out: dict[str, pd.DataFrame] = {}
    for field in OHLCV_FIELDS:
        if field not in ohlcv:
            continue
        out[field] = validate_panel(ohlcv[field], field, positive=field != "volume")
    ref = out["close"]
    _check_has_prices(out)
    for field, panel in out.items():
        if not panel.index.equals(ref.index):
            raise AlignmentError(
                f"{field} and close have different indexes ({len(panel.index)} vs "
                f"{len(ref.index)} bars); align them with quantlab.data.align_panels"
            )
        if not panel.columns.equals(ref.columns):
            raise AlignmentError(
                f"{field} and close have different columns; align them with "
                "quantlab.data.align_panels"
            )
    if "volume" in out and (out["volume"].to_numpy() < 0).any():
        raise ValidationError("volume must be >= 0; got negative values. Fix the source data")
    o, h, lo, c = (out[f].to_numpy() for f in _PRICE_FIELDS)
    with np.errstate(invalid="ignore"):
        bad = (
            (h < lo) | (lo > np.minimum(o, c) * (1 + 1e-12)) | (h < np.maximum(o, c) * (1 - 1e-12))
        )
    if bad.any():
        r, col = np.argwhere(bad)[0]
        raise ValidationError(
            f"ohlcv bar at {_when(ref.index[r])}, column {ref.columns[col]!r} is inconsistent "
            f"(open={float(o[r, col])}, high={float(h[r, col])}, low={float(lo[r, col])}, "
            f"close={float(c[r, col])}); "
            "the rule is low <= min(open, close) and high >= max(open, close)"
        )
    return out
