"""The normalised disclosure table: its schema, its validation, its load report, and the
check of its symbols against a price panel.

One row per disclosed transaction, the columns of :data:`DISCLOSURE_COLUMNS` (contract:
DISCLOSURES.md). Derived columns follow one rule each:

* ``amount_mid = (amount_low + amount_high) / 2``; for an open top bracket (``amount_high``
  = +inf, e.g. "Over $50,000,000") ``amount_mid = amount_low``: the only finite figure
  the filing gives, so sizes stay finite and are a lower bound there.
* ``available_at = disclosure_date + 1 day``: the midnight that ends the disclosure day.
  Filings carry no time of day, so a disclosure is treated as known only after its day
  closes; on daily bars the first bar with timestamp ``>= available_at`` is the first on
  which the trade is known, and its open the first tradable time.
* ``lag_days = disclosure_date - transaction_date`` in calendar days (45 is the legal
  limit; later filings are kept, the lag shows them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlab.errors import DataTypeError, ValidationError

__all__ = [
    "DISCLOSURE_COLUMNS",
    "OWNERS",
    "LoadReport",
    "validate_disclosures",
    "check_symbols",
]

#: Columns of the normalised disclosure table, in order.
DISCLOSURE_COLUMNS: tuple[str, ...] = (
    "filer",
    "chamber",
    "owner",
    "symbol",
    "asset_description",
    "side",
    "amount_low",
    "amount_high",
    "amount_mid",
    "transaction_date",
    "disclosure_date",
    "available_at",
    "lag_days",
)
#: Allowed values of ``owner``.
OWNERS: tuple[str, ...] = ("self", "spouse", "joint", "dependent", "unknown")
_DERIVED = ("amount_mid", "available_at", "lag_days")
# row order: the contract's (available_at, filer, symbol), ties broken by the rest of the
# transaction so that the order does not depend on the order of the source file
_ORDER = (
    "available_at",
    "filer",
    "symbol",
    "transaction_date",
    "owner",
    "side",
    "amount_low",
    "amount_high",
    "chamber",
)


@dataclass(frozen=True)
class LoadReport:
    """What a disclosure reader left out, and why.

    Attributes
    ----------
    counts : dict of str to int
        Number of source rows left out per reason (reasons with none are absent).
    rows : pandas.DataFrame
        The offending source rows as read, plus ``source_row`` (0-based position in the
        source), ``reason`` and ``detail`` (what was wrong, in words).
    n_read, n_kept : int
        Source rows read, and rows in the table: ``n_read == n_kept + sum(counts)``.
    layout, source : str
        The layout used and the file name (or "DataFrame").
    """

    counts: dict[str, int]
    rows: pd.DataFrame
    n_read: int
    n_kept: int
    layout: str = "generic"
    source: str = "DataFrame"

    @property
    def n_left_out(self) -> int:
        """Rows left out, all reasons together."""
        return sum(self.counts.values())

    def __str__(self) -> str:
        head = (
            f"{self.source} ({self.layout}): read {self.n_read} rows, kept {self.n_kept}, "
            f"left out {self.n_left_out}"
        )
        width = max((len(r) for r in self.counts), default=0)
        lines = [head] + [f"  {r:<{width}}  {n}" for r, n in self.counts.items()]
        return "\n".join(lines)


def validate_disclosures(table: Any) -> pd.DataFrame:
    """Check a disclosure table against the schema and return it normalised.

    Every function that takes a disclosure table calls this. The derived columns
    (``amount_mid``, ``available_at``, ``lag_days``) are computed when absent and checked
    when present (module docstring for their rules). Extra columns are kept after the
    schema's.

    Parameters
    ----------
    table : pandas.DataFrame
        A table with (at least) the columns of :data:`DISCLOSURE_COLUMNS` other than the
        derived ones.

    Returns
    -------
    pandas.DataFrame
        A copy with the schema's dtypes (``side`` int8, amounts float64, dates
        ``datetime64[ns]``, ``lag_days`` int64), sorted by ``(available_at, filer,
        symbol)``, ties by transaction date, owner, side, amount and chamber (stable),
        with a fresh RangeIndex.

    Raises
    ------
    DataTypeError
        ``table`` is not a DataFrame.
    ValidationError
        A missing column, or a value that breaks the schema (the message names the
        column, the rule, the first bad value and its row).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"filer": ["A B"], "chamber": ["house"], "owner": ["self"],
    ...     "symbol": ["KO"], "asset_description": ["Coca-Cola"], "side": [1],
    ...     "amount_low": [50_000_000.0], "amount_high": [float("inf")],
    ...     "transaction_date": ["2021-03-01"], "disclosure_date": ["2021-04-20"]})
    >>> out = validate_disclosures(t)
    >>> row = out.iloc[0]
    >>> float(row.amount_mid), str(row.available_at.date()), int(row.lag_days)
    (50000000.0, '2021-04-21', 50)
    """
    if not isinstance(table, pd.DataFrame):
        raise DataTypeError(f"disclosure table must be a DataFrame; got {type(table).__name__}")
    missing = [c for c in DISCLOSURE_COLUMNS if c not in table.columns and c not in _DERIVED]
    if missing:
        raise ValidationError(
            f"disclosure table is missing column(s) {missing}; it needs "
            f"{list(DISCLOSURE_COLUMNS)} (read files with quantlab.data.read_disclosures)"
        )
    t = table.copy()
    for col in ("filer", "symbol", "asset_description"):
        t[col] = t[col].astype(object)
        _require(t, col, t[col].map(lambda v: isinstance(v, str)), "must be text")
    _require(t, "filer", t["filer"].str.strip() != "", "must be a non-empty name")
    _require(
        t, "symbol", t["symbol"].str.fullmatch(r"[A-Z0-9.\-/]+"), "must be an upper-case ticker"
    )
    t["chamber"] = t["chamber"].astype(object)
    _require(t, "chamber", t["chamber"].isin(["house", "senate"]), "must be house / senate")
    t["owner"] = t["owner"].astype(object)
    _require(t, "owner", t["owner"].isin(OWNERS), f"must be one of {list(OWNERS)}")
    side = pd.to_numeric(t["side"], errors="coerce")
    _require(t, "side", side.isin([1, -1]), "must be +1 (purchase) or -1 (sale)")
    t["side"] = side.astype("int8")
    for col in ("amount_low", "amount_high"):
        t[col] = pd.to_numeric(t[col], errors="coerce").astype("float64")
    low, high = t["amount_low"], t["amount_high"]
    _require(t, "amount_low", np.isfinite(low) & (low > 0), "must be a finite number > 0")
    _require(t, "amount_high", high >= low, "must be >= amount_low (+inf for an open bracket)")
    mid = np.where(np.isinf(high), low, (low + high) / 2.0)
    if "amount_mid" in t.columns:
        given = pd.to_numeric(t["amount_mid"], errors="coerce").to_numpy(dtype=np.float64)
        _require(t, "amount_mid", np.isclose(given, mid, rtol=1e-12), "must be (low + high) / 2")
    t["amount_mid"] = mid
    for col in ("transaction_date", "disclosure_date"):
        t[col] = _dates(t, col)
    _require(
        t,
        "disclosure_date",
        t["disclosure_date"] >= t["transaction_date"],
        "must be on or after transaction_date",
    )
    lag = (t["disclosure_date"] - t["transaction_date"]).dt.days.astype("int64")
    if "lag_days" in t.columns:
        _require(t, "lag_days", t["lag_days"] == lag, "must be disclosure - transaction days")
    t["lag_days"] = lag
    avail = t["disclosure_date"] + pd.Timedelta(days=1)
    if "available_at" in t.columns:
        given_at = _dates(t, "available_at", normalize=False)
        _require(t, "available_at", given_at >= avail, "must be >= disclosure_date + 1 day")
        avail = given_at
    t["available_at"] = avail.astype("datetime64[ns]")
    extra = [c for c in t.columns if c not in DISCLOSURE_COLUMNS]
    t = t[list(DISCLOSURE_COLUMNS) + extra]
    return t.sort_values(list(_ORDER), kind="stable").reset_index(drop=True)


def _require(t: pd.DataFrame, col: str, ok: Any, rule: str) -> None:
    ok = np.asarray(ok, dtype=bool)
    if ok.all():
        return
    first = int(np.flatnonzero(~ok)[0])
    value = t[col].iloc[first]
    value = value.item() if isinstance(value, np.generic) else value
    raise ValidationError(
        f"disclosure table column {col!r} {rule}; got {value!r} in "
        f"{int((~ok).sum())} row(s) (first: row {first}). Fix or drop those rows"
    )


def _dates(t: pd.DataFrame, col: str, *, normalize: bool = True) -> pd.Series:
    try:
        out = pd.to_datetime(t[col])
    except (ValueError, TypeError):
        out = pd.to_datetime(t[col], errors="coerce")
    if out.dt.tz is not None:
        raise ValidationError(
            f"disclosure table column {col!r} must be naive dates; got timezone {out.dt.tz}. "
            "Pass the calendar dates (series.dt.tz_localize(None))"
        )
    _require(t, col, out.notna(), "must be a date")
    return (out.dt.normalize() if normalize else out).astype("datetime64[ns]")


def check_symbols(table: pd.DataFrame, prices: Any) -> pd.DataFrame:
    """The symbols of a disclosure (or event) table that a price panel lacks.

    Functions that meet a disclosure table and prices call this and report its result
    (never drop the rows silently).

    Parameters
    ----------
    table : pandas.DataFrame
        A table with a ``symbol`` column.
    prices : pandas.DataFrame, mapping of panels, or iterable of symbols
        A wide panel (its columns are the symbols), an OHLCV dict (its ``close``, else its
        first panel), or the symbols themselves.

    Returns
    -------
    pandas.DataFrame
        One row per missing symbol, most frequent first: ``symbol``, ``n_rows`` (rows of
        ``table``), ``hint`` (a panel column spelled the same up to ``.``/``-``/``/``, e.g.
        ``BRK.B`` vs ``BRK-B``, else ``""``). Empty when every symbol is priced.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"symbol": ["KO", "BRK.B", "BRK.B", "ZZZ"]})
    >>> check_symbols(t, ["KO", "BRK-B"]).values.tolist()
    [['BRK.B', 2, "panel has 'BRK-B'"], ['ZZZ', 1, '']]
    """
    if not isinstance(table, pd.DataFrame) or "symbol" not in table.columns:
        raise ValidationError(
            "check_symbols: table must be a DataFrame with a 'symbol' column; got "
            f"{type(table).__name__}"
        )
    have = _symbols_of(prices)
    counts = table["symbol"].value_counts(sort=False)
    missing = counts[~counts.index.isin(have)]
    squash = {_squash(s): s for s in have}
    out = pd.DataFrame(
        {
            "symbol": list(missing.index),
            "n_rows": missing.to_numpy(dtype=np.int64),
            "hint": [
                f"panel has {squash[_squash(s)]!r}" if _squash(s) in squash else ""
                for s in missing.index
            ],
        }
    )
    return out.sort_values(["n_rows", "symbol"], ascending=[False, True]).reset_index(drop=True)


def _squash(symbol: Any) -> str:
    return "".join(ch for ch in str(symbol).upper() if ch.isalnum())


def _symbols_of(prices: Any) -> list[Any]:
    if isinstance(prices, pd.DataFrame):
        return list(prices.columns)
    if isinstance(prices, Mapping):
        panel = prices.get("close", next(iter(prices.values()), None))
        if isinstance(panel, pd.DataFrame):
            return list(panel.columns)
    if isinstance(prices, Iterable) and not isinstance(prices, str | Mapping):
        return list(prices)
    raise DataTypeError(
        "check_symbols: prices must be a price panel (DataFrame), a dict of panels or a "
        f"list of symbols; got {type(prices).__name__}"
    )
