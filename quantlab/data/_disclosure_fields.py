"""Field parsers of STOCK Act trade disclosures: one rule per field, shared by every layout.

Each parser takes the raw column of a source (strings as they appear in the file, or
numbers / timestamps from a DataFrame or Parquet) and returns the parsed values plus, per
row, the reason the row cannot be used (``""`` when it can). The quirks handled, as they
occur in the public House / Senate Stock Watcher datasets and the official PTR forms:

Dates
    ``MM/DD/YYYY`` (House ``disclosure_date``, both Senate dates) and ``YYYY-MM-DD``
    (House ``transaction_date``) are both accepted in every column, as are ISO timestamps
    (``2021-03-04T00:00:00``: the time part is dropped) and datetime values. A value that is
    not a calendar date (``2021-13-01``, ``2020-02-31``) or whose year is before
    :data:`FIRST_YEAR` (typos such as ``0009-06-07`` or ``0201-11-05``) is ``bad_date``.
Amounts
    The bracket text ``"$1,001 - $15,000"``, with any spacing (``"$1,001-$15,000"``,
    ``"$ 1,001 -  $15,000"``); the open top brackets ``"Over $50,000,000"``, ``"Over
    $1,000,000"`` (spouse / dependent; the House form writes ``"Spouse/DC Over
    $1,000,000"``) and ``"$1,000,001 +"``: low = the number, high = +inf. A truncated
    bracket ``"$1,001 -"`` whose low end is an official bracket's (:data:`AMOUNT_BRACKETS`)
    becomes that bracket; a single number (a plain dollar value, text or numeric) is an
    exact amount (low = high). Anything else (``"Unknown"``, ``""``, low above high, zero)
    is ``unknown_amount``. Non-official ranges are kept as written.
Tickers
    HTML links (``<a href="...">AAPL</a>``, seen in Senate rows) are reduced to their text;
    a leading ``$`` and surrounding blanks are removed and the text upper-cased; class
    shares written ``BRK.B``, ``BRK/B``, ``BRK-B`` or ``BRK B`` become ``BRK.B``. Empty,
    ``--``, ``N/A`` are ``missing_ticker``; anything that is not one ticker (a company
    name, ``AAPL, MSFT``, an option description) is ``malformed_ticker``.
Types
    ``purchase`` / ``Purchase`` / ``P`` / ``buy`` -> +1; ``sale``, ``sale_full``,
    ``sale_partial``, ``Sale (Full)``, ``Sale (Partial)``, ``S`` / ``sell`` -> -1; numeric
    +1 / -1 as given; ``exchange`` / ``Exchange`` / ``E`` -> ``exchange``; others
    ``unknown_type``.
Owners
    ``self``, ``spouse`` / ``SP``, ``joint`` / ``JT``, ``dependent`` / ``child`` / ``DC``
    (any case); empty or ``--`` -> ``"unknown"``; any other text -> ``unknown_owner``.
Filers
    Blanks collapsed; honorifics (``Hon.``, ``Honorable``, ``Sen.``, ``Senator``, ``Rep.``)
    and the periods after single initials removed; a name suffix written without comma or
    period (``"David A. Perdue, Jr."`` -> ``"David A Perdue Jr"``). So ``"Hon. Thomas R.
    Carper"`` and ``"Thomas R Carper"`` are one filer. No fuzzy matching beyond that:
    ``"Mark Green"`` and ``"Mark E Green"`` stay two filers unless
    ``read_disclosures(aliases=...)`` merges them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

__all__ = [
    "on_unique",
    "AMOUNT_BRACKETS",
    "FIRST_YEAR",
    "parse_amount",
    "parse_ticker",
    "parse_dates",
    "parse_sides",
    "parse_owners",
    "parse_filers",
    "strip_html",
]

#: Official value brackets of the House and Senate PTR forms (dollars, low and high).
AMOUNT_BRACKETS: tuple[tuple[float, float], ...] = (
    (1_001.0, 15_000.0),
    (15_001.0, 50_000.0),
    (50_001.0, 100_000.0),
    (100_001.0, 250_000.0),
    (250_001.0, 500_000.0),
    (500_001.0, 1_000_000.0),
    (1_000_001.0, 5_000_000.0),
    (5_000_001.0, 25_000_000.0),
    (25_000_001.0, 50_000_000.0),
    (50_000_000.0, math.inf),  # "Over $50,000,000"
    (1_000_000.0, math.inf),  # spouse / dependent "Over $1,000,000"
)

#: Dates before this year are typos (the STOCK Act dates from 2012; older data from 1990).
FIRST_YEAR = 1990

_MISSING_TEXT = {"", "--", "-", "n/a", "na", "none", "null", "nan"}
_NUMBER = re.compile(r"\$?\s*(\d[\d,]*(?:\.\d+)?)")
_TAG = re.compile(r"<[^>]*>")
_CLASS_SHARE = re.compile(r"^([A-Z]{1,5})[./\- ]([A-Z]{1,2})$")
_TICKER = re.compile(r"^[A-Z][A-Z0-9]{0,5}(\.[A-Z]{1,2})?$")
_HONORIFIC = re.compile(
    r"^(?:the\s+)?(?:hon\b\.*|honorable|sen\b\.?|senator|rep\b\.?|representative)\s*",
    re.IGNORECASE,
)
_INITIAL = re.compile(r"\b([A-Za-z])\.")
_SUFFIX = re.compile(r",?\s+(jr|sr|ii|iii|iv)\.?$", re.IGNORECASE)
_SIDES = {
    "purchase": 1,
    "p": 1,
    "buy": 1,
    "b": 1,
    "sale": -1,
    "sale_full": -1,
    "sale_partial": -1,
    "s": -1,
    "s_partial": -1,
    "s_full": -1,
    "sell": -1,
    "exchange": 0,
    "e": 0,
}
_OWNERS = {
    "self": "self",
    "filer": "self",
    "spouse": "spouse",
    "sp": "spouse",
    "joint": "joint",
    "jt": "joint",
    "dependent": "dependent",
    "dependent child": "dependent",
    "child": "dependent",
    "dc": "dependent",
}


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and value.strip().lower() in _MISSING_TEXT


_T = TypeVar("_T")


def on_unique(values: pd.Series, fn: Callable[[Any], _T]) -> list[_T]:
    """``[fn(v) for v in values]``, calling ``fn`` once per distinct value.

    Disclosure columns repeat a few values (filers, brackets, types) over many rows.

    >>> on_unique(pd.Series(["a", "b", "a", None]), lambda v: v is None)
    [False, False, False, True]
    """
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable cells (lists in a JSON source)
        return [fn(v) for v in values]
    done = [fn(u) for u in uniques] + [fn(None)]  # code -1 (a missing value) -> last
    return [done[c] for c in codes]


def strip_html(value: Any) -> str:
    """Text of ``value`` with HTML tags removed and blanks collapsed (``""`` if missing).

    >>> strip_html('<a href="https://x/q?s=KO" target="_blank">KO</a>')
    'KO'
    """
    if _is_missing(value):
        return ""
    return " ".join(_TAG.sub(" ", str(value)).split())


def parse_amount(value: Any) -> tuple[float, float] | None:
    """The ``(low, high)`` dollars of an amount bracket, or None when it cannot be read.

    Examples
    --------
    >>> parse_amount("$1,001 -  $15,000"), parse_amount("Over $50,000,000")
    ((1001.0, 15000.0), (50000000.0, inf))
    >>> parse_amount("$15,001 -"), parse_amount("$1,000,001 +"), parse_amount("Unknown")
    ((15001.0, 50000.0), (1000001.0, inf), None)
    """
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        x = float(value)
        return (x, x) if math.isfinite(x) and x > 0 else None
    if _is_missing(value) or not isinstance(value, str):
        return None
    text = " ".join(value.lower().split())
    text = re.sub(r"^spouse\s*/\s*dc\s+", "", text)  # House form: "Spouse/DC Over $1,000,000"
    numbers = [float(n.replace(",", "")) for n in _NUMBER.findall(text)]
    rest = _NUMBER.sub("", text).replace("$", "").strip()
    if len(numbers) == 1 and (text.startswith("over") or text.endswith("+")):
        low, high = numbers[0], math.inf
        rest = rest.removeprefix("over").removesuffix("+").strip()
    elif len(numbers) == 2 and rest == "-":
        low, high = numbers
        rest = ""
    elif len(numbers) == 1 and rest == "-" and text.endswith("-"):
        brackets = [b for b in AMOUNT_BRACKETS if b[0] == numbers[0] and b[1] < math.inf]
        if not brackets:
            return None
        (low, high), rest = brackets[0], ""
    elif len(numbers) == 1:
        low = high = numbers[0]
    else:
        return None
    if rest or not 0 < low <= high:
        return None
    return low, high


def parse_ticker(value: Any) -> tuple[str, str]:
    """``(symbol, reason)``: the normalised ticker, or ``""`` and why it cannot be read.

    Examples
    --------
    >>> parse_ticker(" $brk/b "), parse_ticker("--"), parse_ticker("AAPL, MSFT")
    (('BRK.B', ''), ('', 'missing_ticker'), ('', 'malformed_ticker'))
    """
    text = strip_html(value).upper().lstrip("$").strip()
    if text.lower() in _MISSING_TEXT:
        return "", "missing_ticker"
    m = _CLASS_SHARE.match(text)
    if m:
        text = f"{m.group(1)}.{m.group(2)}"
    if not _TICKER.match(text):
        return "", "malformed_ticker"
    return text, ""


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates of ``values`` (naive midnight, ``datetime64[ns]``); NaT where unreadable.

    Examples
    --------
    >>> s = pd.Series(["06/07/2021", "2021-06-08", "2021-13-01", "0009-06-07", None])
    >>> parse_dates(s).dt.strftime("%Y-%m-%d").tolist()
    ['2021-06-07', '2021-06-08', nan, nan, nan]
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        out = pd.to_datetime(values)
        if out.dt.tz is not None:
            out = out.dt.tz_localize(None)
        out = out.dt.normalize()
    else:
        cells = on_unique(values, lambda v: "" if _is_missing(v) else str(v).strip())
        text = pd.Series(cells, index=values.index, dtype=object)
        text = text.str.replace(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?.*$", "", regex=True)
        out = pd.to_datetime(text, format="%m/%d/%Y", errors="coerce")
        iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        out = out.fillna(iso)
    early = out.dt.year < FIRST_YEAR  # before the ns range too: mask, then convert
    return out.where(~early).astype("datetime64[ns]")


def parse_sides(values: pd.Series) -> pd.Series:
    """+1 purchase, -1 sale, 0 exchange, NaN unknown, per row.

    >>> parse_sides(pd.Series(["Sale (Partial)", "purchase", "exchange", "gift"])).tolist()
    [-1.0, 1.0, 0.0, nan]
    """

    def one(v: Any) -> float:
        if isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool):
            return float(v) if v in (1, -1) else math.nan
        if _is_missing(v) or not isinstance(v, str):
            return math.nan
        key = re.sub(r"[^a-z0-9]+", "_", v.lower()).strip("_")
        return float(_SIDES.get(key, math.nan))

    return pd.Series(on_unique(values, one), index=values.index, dtype="float64")


def parse_owners(values: pd.Series) -> pd.Series:
    """Normalised owner per row; ``"unknown"`` when blank, ``""`` when unreadable.

    >>> parse_owners(pd.Series(["Spouse", "JT", "--", "Child", "trust"])).tolist()
    ['spouse', 'joint', 'unknown', 'dependent', '']
    """

    def one(v: Any) -> str:
        if _is_missing(v):
            return "unknown"
        return _OWNERS.get(" ".join(str(v).lower().split()), "")

    return pd.Series(on_unique(values, one), index=values.index, dtype=object)


def parse_filers(values: pd.Series) -> pd.Series:
    """Filer names with honorifics, initials' periods and extra blanks removed.

    >>> parse_filers(pd.Series(["Hon.  Thomas R. Carper", "David A. Perdue, Jr.", None])).tolist()
    ['Thomas R Carper', 'David A Perdue Jr', '']
    """

    def one(v: Any) -> str:
        text = strip_html(v)
        while True:
            stripped = _HONORIFIC.sub("", text, count=1)
            if stripped == text:
                break
            text = stripped
        text = _INITIAL.sub(r"\1", " ".join(text.split()))
        text = _SUFFIX.sub(lambda m: " " + m.group(1).capitalize(), text)
        return " ".join(text.replace(",", ", ").split()).strip(", ")

    return pd.Series(on_unique(values, one), index=values.index, dtype=object)
