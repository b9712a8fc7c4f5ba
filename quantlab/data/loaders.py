"""Load OHLCV from CSV, Parquet or a DataFrame, in long or wide layout.

*Long* layout: one row per (date, symbol) with columns ``date``, ``symbol``, ``close`` and
either all of ``open``, ``high``, ``low`` or none of them (a close-only file), plus
optionally ``volume``.
*Wide* layout: a DataFrame whose columns are a two-level MultiIndex ``(field, symbol)``
(what ``pd.concat(ohlcv, axis=1)`` produces; in CSV, two header rows and the date as the
first column), or a single-field panel (one column per symbol) loaded as ``close``.

Every loader returns a validated OHLCV bundle: a dict of wide panels sharing one sorted
DatetimeIndex and one set of columns (see :func:`quantlab.data.validate_ohlcv`). A
close-only source gives ``open``, ``high`` and ``low`` equal to ``close``.

Loading policy (decisions, also stated in the README):

* **Order.** Nothing is reordered. Dates must increase down a wide file, and down the rows
  of each symbol in a long file (symbols may interleave in any way); an out-of-order or
  repeated date is refused with the line, the date and the fix (sort the file), the same
  rule as the rest of the API (an unsorted panel is refused, never sorted silently).
* **Missing values.** An empty price cell is NaN, i.e. no trading on that bar. A price
  column with no value at all, or a file with no price at all, is refused.
* **Timezones.** Dates written with a UTC offset (what pandas writes for a timezone-aware
  index, e.g. ``2021-03-01 16:00:00-05:00``) are converted to UTC: a file whose offsets
  change (a daylight-saving change in America/New_York) carries no zone name to restore, so
  UTC is the one zone every such file maps to. Convert afterwards if you need local time
  (``panel.tz_convert("America/New_York")``). A zone stored by Parquet or carried by a
  DataFrame's index is kept. Mixing dates with and without an offset is refused.
* **Bad input.** An empty or binary file, a cell that is not a number, a date that does not
  parse or is missing: one error naming the file, the line (``row`` = 0-based position for
  a DataFrame) and the fix.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from quantlab.data.validate import OHLCV_FIELDS, validate_ohlcv, validate_panel
from quantlab.errors import (
    AlignmentError,
    DataTypeError,
    NotFoundError,
    ParameterError,
    QuantlabError,
    ValidationError,
)

__all__ = ["load_ohlcv", "from_long", "from_wide", "to_long"]

Layout = Literal["auto", "long", "wide"]

_OHL = ("open", "high", "low")
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class _Origin:
    """Where rows come from, to name them in messages: a file's lines or a frame's rows."""

    name: str = "frame"
    first_line: int | None = None  # file line of data row 0 (1-based), None for a frame

    def at(self, pos: int) -> str:
        """``"line 7"`` of a file, ``"row 5"`` of a frame."""
        if self.first_line is None:
            return f"row {pos}"
        return f"line {self.first_line + pos}"

    def fix(self, for_file: str, for_frame: str) -> str:
        """The fix, worded for a file or for a DataFrame."""
        return for_file if self.first_line is not None else f"pass {for_frame}"

    def row(self, pos: int) -> str:
        """``"prices.csv: line 7"`` or ``"frame row 5"``."""
        sep = " " if self.first_line is None else ": "
        return f"{self.name}{sep}{self.at(pos)}"


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
        The data breaks the contract (see :func:`validate_ohlcv` and the loading policy in
        the module docstring); for a file, the message starts with the file name.

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
    if isinstance(source, pd.DataFrame):
        return _load_frame(source, layout, date_col, symbol_col, field, _Origin())
    path = Path(source)
    try:
        frame, origin = _read(path, layout, date_col, symbol_col)
        return _load_frame(frame, layout, date_col, symbol_col, field, origin)
    except QuantlabError as exc:
        if isinstance(exc, NotFoundError) or str(exc).startswith(str(path)):
            raise
        raise type(exc)(f"{path}: {exc}") from None


def _load_frame(
    frame: pd.DataFrame,
    layout: Layout,
    date_col: str,
    symbol_col: str,
    field: str,
    origin: _Origin,
) -> dict[str, pd.DataFrame]:
    if layout == "auto":
        cols = {str(c).lower() for c in frame.columns} if frame.columns.nlevels == 1 else set()
        layout = "long" if {date_col, symbol_col} <= cols else "wide"
    if layout == "long":
        return _from_long(frame, date_col, symbol_col, origin)
    return _from_wide(frame, field, origin)


def _read(
    path: Path, layout: Layout, date_col: str, symbol_col: str
) -> tuple[pd.DataFrame, _Origin]:
    if not path.exists():
        raise NotFoundError(f"source file {str(path)!r} does not exist; check the path")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            return pd.read_parquet(path), _Origin(str(path))
        except Exception as exc:  # pyarrow raises its own classes for a corrupt file
            raise ValidationError(
                f"{path} is not a readable Parquet file ({_first_line(exc)}); pass a Parquet "
                "file written by pandas / pyarrow, or a CSV"
            ) from None
    if suffix != ".csv":
        raise ParameterError(
            f"source must be a .csv or .parquet file; got {path.name!r}. "
            "Read it yourself and pass the DataFrame"
        )
    _check_text(path)
    try:
        head = pd.read_csv(path, nrows=3, header=None, dtype=str, keep_default_na=False)
        two_headers = (
            layout != "long"
            and head.shape[0] >= 2
            and head.shape[1] > 1
            and str(head.iloc[0, 1]).lower() in OHLCV_FIELDS
            and _is_text(head.iloc[1, 1])
        )
        if two_headers:
            names_row = head.shape[0] == 3 and not any(head.iloc[2, 1:].astype(bool))
            frame = pd.read_csv(path, header=[0, 1], index_col=0)
            return frame, _Origin(str(path), 4 if names_row else 3)
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise ValidationError(
            f"{path} is empty; pass a CSV with a header line and one row per date "
            "(wide: date,AAA,BBB; long: date,symbol,close[,open,high,low,volume])"
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise ValidationError(
            f"{path} is not a readable CSV file ({_first_line(exc)}); check that every line "
            "has the header's number of comma-separated fields"
        ) from None
    origin = _Origin(str(path), 2)
    lower = {str(c).lower(): c for c in frame.columns}
    if layout != "long" and symbol_col not in lower:  # single-field wide: first column = dates
        key = lower.get(date_col, frame.columns[0])
        frame = frame.set_index(key)
    return frame, origin


def _check_text(path: Path) -> None:
    """Refuse a binary file before pandas tries to tokenize it."""
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if not head.strip():
        raise ValidationError(
            f"{path} is empty; pass a CSV with a header line and one row per date "
            "(wide: date,AAA,BBB; long: date,symbol,close[,open,high,low,volume])"
        )
    bad = head.find(b"\x00")  # the first NUL, or the first byte that is not UTF-8
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a multi-byte character cut at the sniff limit is fine
            bad = exc.start if bad < 0 else min(bad, exc.start)
    if bad >= 0:
        raise ValidationError(
            f"{path} is not a text CSV file (byte 0x{head[bad]:02x} at offset {bad}: binary data, "
            "not UTF-8 text); pass a UTF-8 CSV or a .parquet file"
        )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


def _is_text(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return True
    return False


# ------------------------------------------------------------------ cells: dates and numbers


def _dates(values: Any, origin: _Origin) -> pd.DatetimeIndex:
    """Parse a column / index of dates under the loading policy (see the module docstring)."""
    if isinstance(values, pd.DatetimeIndex):
        idx = values
    elif isinstance(values, pd.Series) and pd.api.types.is_datetime64_any_dtype(values.dtype):
        idx = pd.DatetimeIndex(values)
    else:
        arr = pd.Index(values)
        if pd.api.types.is_numeric_dtype(arr.dtype) or pd.api.types.is_bool_dtype(arr.dtype):
            raise DataTypeError(
                f"{origin.row(0)}: the date {arr[0]!r} is a number, not a date; the first "
                "column of a wide file (or the date column of a long one) must hold dates "
                "such as 2021-05-28"
            )
        try:
            idx = pd.DatetimeIndex(pd.to_datetime(arr))
        except (ValueError, TypeError, OverflowError):
            idx = _diagnose_dates(arr, origin)
        if isinstance(idx.tz, _dt.timezone):  # written offsets, no zone name: UTC
            idx = idx.tz_convert("UTC")
    missing = np.flatnonzero(np.asarray(idx.isna()))
    if len(missing):
        raise ValidationError(
            f"{origin.row(int(missing[0]))}: the date is missing; every row needs a date "
            "(drop the row or fill in its date)"
        )
    return idx


def _diagnose_dates(values: pd.Index, origin: _Origin) -> pd.DatetimeIndex:
    """The dates did not parse as one column: find the row and say why (or parse them)."""
    first: dict[bool, int] = {}
    for pos, v in enumerate(values):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
            raise ValidationError(
                f"{origin.row(pos)}: the date is missing; every row needs a date "
                "(drop the row or fill in its date)"
            )
        try:
            ts = pd.Timestamp(v)
        except (ValueError, TypeError, OverflowError):
            raise ValidationError(
                f"{origin.row(pos)}: date {str(v)!r:.40} is not a date; write dates like "
                "2021-05-28 or 2021-05-28 16:00:00-04:00"
            ) from None
        aware = ts.tzinfo is not None
        first.setdefault(aware, pos)
        if len(first) == 2:
            other = first[not aware]
            raise AlignmentError(
                f"{origin.row(pos)}: date {str(v)!r} has {'a' if aware else 'no'} UTC offset "
                f"but {origin.at(other)}'s {str(values[other])!r} has "
                f"{'none' if aware else 'one'} (timezone-aware and naive dates mixed); write "
                "every date with a UTC offset, or none"
            )
    if first.get(True) is not None:  # all aware, offsets differ (e.g. across a DST change)
        return pd.DatetimeIndex(pd.to_datetime(values, utc=True))
    bad = next((pos for pos, v in enumerate(values) if not _iso(v)), None)
    if bad is None:  # each date alone is ISO 8601, in more than one of its forms
        return pd.DatetimeIndex(pd.to_datetime(values, format="ISO8601"))
    raise ValidationError(
        f"{origin.row(bad)}: date {str(values[bad])!r:.40} is written in another format than "
        f"{origin.at(0)}'s {str(values[0])!r:.40}; write every date in one format, ISO 8601 "
        "(2021-05-28) preferred"
    )


def _iso(value: Any) -> bool:
    try:
        pd.to_datetime(pd.Index([value]), format="ISO8601")
    except (ValueError, TypeError):
        return False
    return True


def _numbers(frame: pd.DataFrame, origin: _Origin) -> pd.DataFrame:
    """``frame`` as float64; a cell that is not a number is refused, by line and column."""
    out = frame
    for col, dtype in frame.dtypes.items():
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            continue
        if not pd.api.types.is_string_dtype(dtype):  # object or str
            raise DataTypeError(
                f"{origin.name}: column {_label(col)} holds {dtype} values, not "
                "prices; pass numbers (an empty cell means no trading on that bar)"
            )
        s = frame[col]
        conv = pd.to_numeric(s, errors="coerce")
        bad = np.flatnonzero(np.asarray(conv.isna() & s.notna()))
        if len(bad):
            pos = int(bad[0])
            raise DataTypeError(
                f"{origin.row(pos)}, column {_label(col)}: {str(s.iloc[pos])!r:.40} "
                "is not a number; fix the cell, or leave it empty to mean no trading on "
                "that bar"
            )
        out = out.copy() if out is frame else out
        out[col] = conv
    return out.astype("float64")


def _label(col: Any) -> str:
    return repr(f"{col[0]}/{col[1]}") if isinstance(col, tuple) else repr(col)


def _check_order(index: pd.DatetimeIndex, origin: _Origin) -> None:
    """Refuse a date that does not come after the previous row's (unsorted or repeated)."""
    vals = index.asi8
    bad = np.flatnonzero(vals[1:] <= vals[:-1])
    if not len(bad):
        return
    pos = int(bad[0]) + 1
    if vals[pos] == vals[pos - 1]:
        rule = "repeats"
        fix = origin.fix("keep one row per date", "frame[~frame.index.duplicated()]")
    else:
        rule = "comes before"
        fix = origin.fix("sort the file by date", "frame.sort_index()")
    raise AlignmentError(
        f"{origin.row(pos)}: date {_when(index[pos])} {rule} the date of {origin.at(pos - 1)} "
        f"({_when(index[pos - 1])}); dates must increase down the rows, nothing is reordered "
        f"or dropped silently: {fix}"
    )


def _when(ts: pd.Timestamp) -> str:
    text = str(ts.date()) if ts == ts.normalize() else str(ts)
    return f"{text} {ts.tz}" if ts.tz is not None and ts == ts.normalize() else text


# ------------------------------------------------------------------ long and wide layouts


def from_long(
    frame: pd.DataFrame, *, date_col: str = "date", symbol_col: str = "symbol"
) -> dict[str, pd.DataFrame]:
    """Pivot a long (date, symbol) OHLCV frame into a validated bundle of wide panels.

    Column names are matched case-insensitively. ``open``, ``high`` and ``low`` are all
    given or all absent (close only: they are set equal to ``close``). Duplicated
    (date, symbol) rows are an error, not silently averaged; so is a symbol whose dates
    go backwards down the frame (symbols may interleave in any order).

    Raises
    ------
    ValidationError
        Missing columns, duplicated (date, symbol) rows, a date or number that does not
        parse.
    AlignmentError
        A symbol's dates out of order.

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"date": ["2024-01-02"] * 2, "symbol": ["A", "B"],
    ...     "open": [1.0, 2.0], "high": [1.0, 2.0], "low": [1.0, 2.0], "close": [1.0, 2.0]})
    >>> from_long(long)["close"].columns.tolist()
    ['A', 'B']
    >>> from_long(long[["date", "symbol", "close"]])["open"].iloc[0].tolist()
    [1.0, 2.0]
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataTypeError(f"frame must be a DataFrame; got {type(frame).__name__}")
    return _from_long(frame, date_col, symbol_col, _Origin())


def _from_long(
    frame: pd.DataFrame, date_col: str, symbol_col: str, origin: _Origin
) -> dict[str, pd.DataFrame]:
    df = frame.rename(columns={c: str(c).lower() for c in frame.columns})
    missing = [c for c in (date_col, symbol_col, "close") if c not in df.columns]
    ohl = [c for c in _OHL if c in df.columns]
    if missing or ohl and len(ohl) < 3:
        if not missing:
            absent = [c for c in _OHL if c not in ohl]
            raise ValidationError(
                f"long OHLCV frame has {ohl} but not {absent}; give all of open, high, low "
                "with close, or close alone (then open = high = low = close)"
            )
        raise ValidationError(
            f"long OHLCV frame is missing column(s) {missing}; got {list(df.columns)[:10]}. "
            f"Rename them or pass date_col= / symbol_col="
        )
    if len(df) == 0:
        raise ValidationError(
            f"{origin.name} has a header but no rows; pass at least one (date, symbol) row"
        )
    dates = _dates(df[date_col], origin)
    df = df.assign(**{date_col: dates})
    dup = df.duplicated([date_col, symbol_col])
    if dup.any():
        pos = int(np.argmax(dup.to_numpy()))
        first = df[[date_col, symbol_col]].iloc[pos]
        raise ValidationError(
            f"long OHLCV frame has {int(dup.sum())} duplicated (date, symbol) rows (first: "
            f"{origin.at(pos)}, {_when(first[date_col])}, "
            f"{first[symbol_col]!r}); drop them, e.g. "
            "frame.drop_duplicates([date_col, symbol_col], keep='last')"
        )
    _check_symbol_order(df[date_col], df[symbol_col], origin)
    fields = [f for f in OHLCV_FIELDS if f in df.columns]
    values = _numbers(df[fields], origin)
    values[date_col] = df[date_col]
    values[symbol_col] = df[symbol_col]
    wide = values.pivot(index=date_col, columns=symbol_col, values=fields)
    out = {f: _unnamed(wide[f]) for f in fields}
    if not ohl:
        out.update({f: out["close"] for f in _OHL})
    return validate_ohlcv(out)


def _check_symbol_order(dates: pd.Series, symbols: pd.Series, origin: _Origin) -> None:
    """Each symbol's dates must increase down the frame (any interleaving of symbols)."""
    codes = pd.factorize(symbols)[0]
    stamps = pd.DatetimeIndex(dates).as_unit("ns").asi8
    order = np.argsort(codes, kind="stable")  # rows grouped by symbol, file order kept
    c, t = codes[order], stamps[order]
    bad = (c[1:] == c[:-1]) & (t[1:] < t[:-1])
    if not bad.any():
        return
    later, earlier = order[1:][bad], order[:-1][bad]
    k = int(np.argmin(later))  # the first offending row in file order
    pos, prev = int(later[k]), int(earlier[k])
    raise AlignmentError(
        f"{origin.row(pos)}: date {_when(dates.iloc[pos])} of symbol {symbols.iloc[pos]!r} "
        f"comes before its previous row ({origin.at(prev)}, {_when(dates.iloc[prev])}); each "
        "symbol's dates must increase down the rows, nothing is reordered silently: "
        + origin.fix("sort the file by date", "frame.sort_values(['date', 'symbol'])")
    )


def _unnamed(panel: Any) -> pd.DataFrame:
    """A float64 copy of a panel without index / column names."""
    out = pd.DataFrame(panel).astype("float64")
    out.index.name = None
    out.columns.name = None
    return out


def from_wide(frame: pd.DataFrame, *, field: str = "close") -> dict[str, pd.DataFrame]:
    """Split a wide frame with ``(field, symbol)`` columns into a validated bundle.

    A single-level wide frame is one field (``field``); the other prices are set equal
    to it, so indicators that need high/low see a zero range. The index must hold
    increasing dates (it is never sorted silently).

    Raises
    ------
    AlignmentError
        Dates out of order or repeated.
    ValidationError, DataTypeError
        A date or a number that does not parse, a panel breaking the contract.

    Examples
    --------
    >>> import pandas as pd
    >>> close = pd.DataFrame({"A": [1.0, 1.1]}, index=pd.date_range("2024-01-01", periods=2))
    >>> from_wide(close)["high"].equals(close)
    True
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataTypeError(f"frame must be a DataFrame; got {type(frame).__name__}")
    return _from_wide(frame, field, _Origin())


def _from_wide(frame: pd.DataFrame, field: str, origin: _Origin) -> dict[str, pd.DataFrame]:
    if frame.columns.nlevels == 1 and field not in OHLCV_FIELDS:
        raise ParameterError(f"field must be one of {list(OHLCV_FIELDS)}; got {field!r}")
    if len(frame) == 0:
        raise ValidationError(
            f"{origin.name} has a header but no rows; pass at least one row of prices"
        )
    index = _dates(frame.index, origin)
    _check_order(index, origin)
    frame = _numbers(frame, origin)
    frame.index = index
    frame = frame.rename_axis(index=None)
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
    panel = validate_panel(frame.rename_axis(columns=None), field, positive=field != "volume")
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
