"""Load OHLCV from CSV, Parquet or a DataFrame, in long or wide layout.

*Long* layout: one row per (date, symbol) with columns ``date``, ``symbol``, ``open``,
``high``, ``low``, ``close`` and optionally ``volume``.
*Wide* layout: a DataFrame whose columns are a two-level MultiIndex ``(field, symbol)``
(what ``pd.concat(ohlcv, axis=1)`` produces; in CSV, two header rows and the date as the
first column), or a single-field panel (one column per symbol) loaded as ``close``.

Every loader returns a validated OHLCV bundle: a dict of wide panels sharing one sorted
DatetimeIndex and one set of columns (see :func:`quantlab.data.validate_ohlcv`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from quantlab.data.validate import OHLCV_FIELDS, validate_ohlcv
from quantlab.errors import DataTypeError, NotFoundError, ParameterError, ValidationError

__all__ = ["load_ohlcv", "from_long", "from_wide", "to_long"]

Layout = Literal["auto", "long", "wide"]


def load_ohlcv(
    source: str | os.PathLike[str] | pd.DataFrame | Mapping[str, pd.DataFrame],
    *,
    layout: Layout = "auto",
    date_col: str = "date",
    symbol_col: str = "symbol",
    field: str = "close",
) -> dict[str, pd.DataFrame]:
    """Load an OHLCV bundle from a file, a DataFrame or a dict of panels.

    Parameters
    ----------
    source : path, DataFrame or mapping
        A ``.csv`` / ``.parquet`` path, a long or wide DataFrame, or a dict of panels.
    layout : {"auto", "long", "wide"}, default "auto"
        ``"auto"`` reads a frame that has ``date_col`` and ``symbol_col`` columns as long,
        anything else as wide.
    date_col, symbol_col : str
        Column names of the long layout.
    field : str, default "close"
        The field a single-level wide frame holds.

    Returns
    -------
    dict of str to pandas.DataFrame
        Validated panels ``open``, ``high``, ``low``, ``close`` (and ``volume``).

    Raises
    ------
    NotFoundError
        The file does not exist.
    ParameterError
        Unknown file extension or layout.
    ValidationError, AlignmentError, DataTypeError
        The data breaks the contract (see :func:`validate_ohlcv`).

    Examples
    --------
    >>> from quantlab.data import sample_universe, to_long
    >>> long = to_long(sample_universe(n_assets=2, n_days=10, seed=0).ohlcv)
    >>> sorted(load_ohlcv(long))
    ['close', 'high', 'low', 'open', 'volume']
    """
    if layout not in ("auto", "long", "wide"):
        raise ParameterError(f"layout must be 'auto', 'long' or 'wide'; got {layout!r}")
    if isinstance(source, Mapping):
        return validate_ohlcv(source)
    frame = (
        source
        if isinstance(source, pd.DataFrame)
        else _read(Path(source), layout, date_col, symbol_col)
    )
    if layout == "auto":
        cols = {str(c).lower() for c in frame.columns} if frame.columns.nlevels == 1 else set()
        layout = "long" if {date_col, symbol_col} <= cols else "wide"
    if layout == "long":
        return from_long(frame, date_col=date_col, symbol_col=symbol_col)
    return from_wide(frame, field=field)


def _read(path: Path, layout: Layout, date_col: str, symbol_col: str) -> pd.DataFrame:
    if not path.exists():
        raise NotFoundError(f"source file {str(path)!r} does not exist; check the path")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pd.read_parquet(path)
    if suffix != ".csv":
        raise ParameterError(
            f"source must be a .csv or .parquet file; got {path.name!r}. "
            "Read it yourself and pass the DataFrame"
        )
    head = pd.read_csv(path, nrows=2, header=None, dtype=str)
    two_headers = (
        layout != "long"
        and head.shape[0] == 2
        and head.shape[1] > 1
        and str(head.iloc[0, 1]).lower() in OHLCV_FIELDS
        and _is_text(head.iloc[1, 1])
    )
    if two_headers:
        return pd.read_csv(path, header=[0, 1], index_col=0)
    frame = pd.read_csv(path)
    lower = {str(c).lower(): c for c in frame.columns}
    if layout != "long" and symbol_col not in lower:  # single-field wide: first column = dates
        key = lower.get(date_col, frame.columns[0])
        frame = frame.set_index(key)
    return frame


def _is_text(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return True
    return False


def from_long(
    frame: pd.DataFrame, *, date_col: str = "date", symbol_col: str = "symbol"
) -> dict[str, pd.DataFrame]:
    """Pivot a long (date, symbol) OHLCV frame into a validated bundle of wide panels.

    Column names are matched case-insensitively. Duplicated (date, symbol) rows are an
    error, not silently averaged.

    Raises
    ------
    ValidationError
        Missing columns or duplicated (date, symbol) rows.

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"date": ["2024-01-02"] * 2, "symbol": ["A", "B"],
    ...     "open": [1.0, 2.0], "high": [1.0, 2.0], "low": [1.0, 2.0], "close": [1.0, 2.0]})
    >>> from_long(long)["close"].columns.tolist()
    ['A', 'B']
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataTypeError(f"frame must be a DataFrame; got {type(frame).__name__}")
    df = frame.rename(columns={c: str(c).lower() for c in frame.columns})
    need = [date_col, symbol_col, "open", "high", "low", "close"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise ValidationError(
            f"long OHLCV frame is missing column(s) {missing}; got {list(df.columns)[:10]}. "
            f"Rename them or pass date_col= / symbol_col="
        )
    df = df.assign(**{date_col: pd.to_datetime(df[date_col])})
    dup = df.duplicated([date_col, symbol_col])
    if dup.any():
        first = df.loc[dup, [date_col, symbol_col]].iloc[0]
        raise ValidationError(
            f"long OHLCV frame has {int(dup.sum())} duplicated (date, symbol) rows (first: "
            f"{first[date_col]}, {first[symbol_col]!r}); drop them, e.g. "
            "frame.drop_duplicates([date_col, symbol_col], keep='last')"
        )
    fields = [f for f in OHLCV_FIELDS if f in df.columns]
    wide = df.pivot(index=date_col, columns=symbol_col, values=fields).sort_index()
    out = {}
    for f in fields:
        out[f] = _unnamed(wide[f])
    return validate_ohlcv(out)


def _unnamed(panel: Any) -> pd.DataFrame:
    """A float64 copy of a panel without index / column names."""
    out = pd.DataFrame(panel).astype("float64")
    out.index.name = None
    out.columns.name = None
    return out


def from_wide(frame: pd.DataFrame, *, field: str = "close") -> dict[str, pd.DataFrame]:
    """Split a wide frame with ``(field, symbol)`` columns into a validated bundle.

    A single-level wide frame is one field (``field``); the other prices are set equal
    to it, so indicators that need high/low see a zero range.

    Examples
    --------
    >>> import pandas as pd
    >>> close = pd.DataFrame({"A": [1.0, 1.1]}, index=pd.date_range("2024-01-01", periods=2))
    >>> from_wide(close)["high"].equals(close)
    True
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataTypeError(f"frame must be a DataFrame; got {type(frame).__name__}")
    frame = frame.copy()
    frame.index = pd.DatetimeIndex(pd.to_datetime(frame.index))
    frame = frame.sort_index().rename_axis(index=None)
    if frame.columns.nlevels == 2:
        level0 = {str(v).lower() for v in frame.columns.get_level_values(0)}
        if not level0 & set(OHLCV_FIELDS):
            frame = frame.swaplevel(axis=1)
        cols = pd.MultiIndex.from_tuples([(str(t[0]).lower(), t[1]) for t in frame.columns])
        frame.columns = cols
        out = {}
        for f in OHLCV_FIELDS:
            if f in cols.get_level_values(0):
                out[f] = _unnamed(frame[f])
        return validate_ohlcv(out)
    if field not in OHLCV_FIELDS:
        raise ParameterError(f"field must be one of {list(OHLCV_FIELDS)}; got {field!r}")
    panel = frame.astype("float64").rename_axis(columns=None)
    return validate_ohlcv({f: panel for f in ("open", "high", "low", "close")})


def to_long(
    ohlcv: Mapping[str, pd.DataFrame], *, date_col: str = "date", symbol_col: str = "symbol"
) -> pd.DataFrame:
    """Stack a bundle of wide panels into the long layout (one row per date and symbol).

    Examples
    --------
    >>> from quantlab.data import sample_universe
    >>> to_long(sample_universe(n_assets=2, n_days=10, seed=0).ohlcv).shape
    (20, 7)
    """
    fields = [f for f in OHLCV_FIELDS if f in ohlcv]
    stacked = pd.concat({f: ohlcv[f].stack(future_stack=True) for f in fields}, axis=1)
    stacked.index = stacked.index.set_names([date_col, symbol_col])
    return stacked.reset_index()
