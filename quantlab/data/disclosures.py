"""Reading STOCK Act trade disclosures into one normalised table, with a load report.

US members of Congress disclose their trades in periodic transaction reports (PTRs): a
transaction date, a disclosure date (45 days at most by law; late filings happen), an
amount given only as a bracket, and an owner. The public datasets circulate in a few
layouts; :func:`read_disclosures` reads them into the table of :data:`DISCLOSURE_COLUMNS`
(see DISCLOSURES.md) and reports every source row it left out, and why.

Layouts
-------
``house_watcher``
    House Stock Watcher (``all_transactions.json`` / ``.csv``): ``representative``,
    ``disclosure_date`` (``MM/DD/YYYY``), ``transaction_date`` (``YYYY-MM-DD``), ``owner``
    (``self`` / ``spouse`` / ``joint`` / ``dependent`` / ``--``), ``ticker`` (``--`` for
    none), ``asset_description``, ``type`` (``purchase`` / ``sale_full`` /
    ``sale_partial`` / ``exchange``), ``amount`` (``"$1,001 - $15,000"``); also
    ``disclosure_year``, ``district``, ``ptr_link``, ``cap_gains_over_200_usd`` (unused).
``senate_watcher``
    Senate Stock Watcher (``all_transactions.json`` / ``.csv``): ``senator``,
    ``transaction_date`` and ``disclosure_date`` (``MM/DD/YYYY``), ``owner`` (``Self`` /
    ``Spouse`` / ``Joint`` / ``Child``), ``ticker`` (sometimes an HTML link, or ``--``),
    ``asset_description``, ``asset_type`` (``Stock``, ``Stock Option``, ``Other
    Securities``, ``Corporate Bond`` ...), ``type`` (``Purchase`` / ``Sale (Full)`` /
    ``Sale (Partial)`` / ``Exchange``), ``amount``, ``comment``, ``ptr_link``.
``generic``
    A CSV / Parquet file or DataFrame whose columns are named by ``columns`` (our name ->
    theirs): ``filer``, ``chamber``, ``symbol``, ``side`` (or ``type``),
    ``transaction_date``, ``disclosure_date``, and ``amount`` (bracket text or dollars) or
    ``amount_low`` [+ ``amount_high``]; optional ``owner``, ``asset_description``,
    ``asset_type``. Unmapped names are looked up under our own name.

The field quirks handled (dates, amounts, tickers, types, owners, filer names) are
listed in :mod:`quantlab.data._disclosure_fields`.

Rows left out (the load report's reasons, checked in this order; a row gets the first)
-------------------------------------------------------------------------------------
``missing_filer``, ``bad_date`` (unreadable or before 1990), ``future_date`` (after
``today``), ``disclosed_before_transaction``, ``unknown_type``, ``exchange``,
``non_stock_asset`` (an ``asset_type`` other than ``Stock``; a missing one counts as a
stock), ``missing_ticker``, ``malformed_ticker``, ``unknown_amount``, ``unknown_owner``,
``unknown_chamber``; then the reconciliation below.

Reconciliation rule
-------------------
1. ``duplicate``: a row identical to an earlier row in *every* source column is listed
   once (the first in file order). Two identical lines within one filing cannot be told
   from a double listing; they count once and the report shows the copy.
2. ``amended``: rows describing the same transaction (same filer, chamber, owner, symbol,
   side and transaction date) disclosed on different dates are an original filing and
   its amendment(s) or re-filings. The rows of the *earliest* disclosure date are kept,
   since that is when the trade became public (point in time); the later rows are left
   out, even when they correct the amount. Rows of one disclosure date are never merged
   (several lots of one day).

A whole-file problem (missing file, not JSON, missing required columns) raises a one-line
:class:`~quantlab.errors.ValidationError` / :class:`~quantlab.errors.NotFoundError`;
row problems never raise, they go to the report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from quantlab.data import _disclosure_fields as fields
from quantlab.data.disclosure_table import (
    LoadReport,
    validate_disclosures,
)
from quantlab.errors import NotFoundError, ParameterError, ValidationError

__all__ = ["DisclosureLoad", "read_disclosures", "LAYOUTS", "REASONS"]

#: Source column names of each named layout (our name -> theirs) and its chamber.
LAYOUTS: dict[str, tuple[dict[str, str], str | None]] = {
    "house_watcher": (
        {
            "filer": "representative",
            "owner": "owner",
            "symbol": "ticker",
            "asset_description": "asset_description",
            "side": "type",
            "amount": "amount",
            "transaction_date": "transaction_date",
            "disclosure_date": "disclosure_date",
        },
        "house",
    ),
    "senate_watcher": (
        {
            "filer": "senator",
            "owner": "owner",
            "symbol": "ticker",
            "asset_description": "asset_description",
            "asset_type": "asset_type",
            "side": "type",
            "amount": "amount",
            "transaction_date": "transaction_date",
            "disclosure_date": "disclosure_date",
        },
        "senate",
    ),
}

#: Every reason a source row can be left out, in the order they are checked.
REASONS: tuple[str, ...] = (
    "missing_filer",
    "bad_date",
    "future_date",
    "disclosed_before_transaction",
    "unknown_type",
    "exchange",
    "non_stock_asset",
    "missing_ticker",
    "malformed_ticker",
    "unknown_amount",
    "unknown_owner",
    "unknown_chamber",
    "duplicate",
    "amended",
)

_GENERIC = (
    "filer",
    "chamber",
    "owner",
    "symbol",
    "asset_description",
    "asset_type",
    "side",
    "amount",
    "amount_low",
    "amount_high",
    "transaction_date",
    "disclosure_date",
)
_REQUIRED = ("filer", "symbol", "side", "transaction_date", "disclosure_date")


class DisclosureLoad(NamedTuple):
    """What :func:`read_disclosures` returns: the table and its load report."""

    table: pd.DataFrame
    report: LoadReport


def read_disclosures(
    source: Any,
    layout: str = "auto",
    *,
    columns: Mapping[str, str] | None = None,
    today: Any = None,
    aliases: Mapping[str, str] | None = None,
) -> DisclosureLoad:
    """Read trade disclosures into the normalised table and a report of what was left out.

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        A ``.json`` (a list of records), ``.csv`` or ``.parquet`` file, or a DataFrame.
    layout : {"auto", "house_watcher", "senate_watcher", "generic"}, default "auto"
        The source layout (module docstring); "auto" picks ``house_watcher`` when there is
        a ``representative`` column, ``senate_watcher`` for ``senator``, else ``generic``.
    columns : mapping, optional
        For "generic": our column name -> the source's, e.g. ``{"filer": "name"}``.
    today : date-like, optional
        Dates after it are ``future_date`` (default: the machine's current date).
    aliases : mapping, optional
        Filer name -> the name to use, applied after the name normalisation (for
        variants it does not merge, e.g. ``{"Mark E Green": "Mark Green"}``); applied
        before the reconciliation, so the variants' re-filings are recognised.

    Returns
    -------
    DisclosureLoad
        ``(table, report)``: the table of :data:`DISCLOSURE_COLUMNS` sorted by
        ``(available_at, filer, symbol)``, and a :class:`LoadReport` with
        ``n_read == n_kept + sum(counts.values())``.

    Raises
    ------
    NotFoundError
        ``source`` names a file that does not exist.
    ParameterError
        Unknown ``layout``, a file type other than json / csv / parquet, ``columns``
        given for a named layout, or a ``today`` that is not a date.
    ValidationError
        The file cannot be parsed, or required columns are missing.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"representative": ["Hon. A Filer", "Hon. A Filer"],
    ...     "disclosure_date": ["02/10/2021", "02/10/2021"],
    ...     "transaction_date": ["2021-01-15", "2021-01-20"], "owner": ["spouse", "self"],
    ...     "ticker": ["$msft", "--"], "asset_description": ["Microsoft", "A bond"],
    ...     "type": ["purchase", "sale_full"], "amount": ["$1,001 - $15,000"] * 2})
    >>> table, report = read_disclosures(raw, today="2024-01-01")
    >>> table[["filer", "symbol", "side", "amount_mid", "lag_days"]].values.tolist()
    [['A Filer', 'MSFT', 1, 8000.5, 26]]
    >>> report.counts
    {'missing_ticker': 1}
    """
    now = _today(today)
    raw, name = _read_source(source)
    layout = _detect(raw, layout, columns)
    mapping, chamber = _mapping(raw, layout, columns)
    parsed, reason, detail = _parse(raw, mapping, chamber, now)
    if aliases:
        parsed["filer"] = parsed["filer"].replace(dict(aliases))
    reason, detail = _reconcile(raw, parsed, reason, detail)
    kept = reason == ""
    table = validate_disclosures(parsed.loc[kept, list(_TABLE_INPUT)])
    rows = raw.loc[~kept].copy()
    rows.insert(0, "source_row", np.flatnonzero(~kept))
    rows["reason"] = reason[~kept]
    rows["detail"] = detail[~kept]
    order = {r: i for i, r in enumerate(REASONS)}
    rows = rows.sort_values(
        ["reason", "source_row"], key=lambda s: s.map(order) if s.name == "reason" else s
    ).reset_index(drop=True)
    counts = {r: int((rows["reason"] == r).sum()) for r in REASONS}
    report = LoadReport(
        counts={r: n for r, n in counts.items() if n},
        rows=rows,
        n_read=len(raw),
        n_kept=len(table),
        layout=layout,
        source=name,
    )
    return DisclosureLoad(table, report)


_TABLE_INPUT = (
    "filer",
    "chamber",
    "owner",
    "symbol",
    "asset_description",
    "side",
    "amount_low",
    "amount_high",
    "transaction_date",
    "disclosure_date",
)


def _today(today: Any) -> pd.Timestamp:
    if today is None:
        return pd.Timestamp.now().normalize()
    try:
        ts = pd.Timestamp(today)
    except (ValueError, TypeError):
        ts = None
    if ts is None or pd.isna(ts):
        raise ParameterError(
            f"today must be a date (e.g. '2024-06-30'); got {today!r}. Leave it out for "
            "the current date"
        )
    return ts.tz_localize(None).normalize() if ts.tzinfo is not None else ts.normalize()


def _read_source(source: Any) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        return source.reset_index(drop=True), "DataFrame"
    if not isinstance(source, str | Path):
        raise ParameterError(
            f"source must be a file path or a DataFrame; got {type(source).__name__}"
        )
    path = Path(source).expanduser()
    if not path.is_file():
        raise NotFoundError(f"source: file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            records = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
                raise ValidationError(
                    f"source {path.name}: a disclosure JSON file must hold a list of "
                    f"records (objects); got a {type(records).__name__}"
                )
            frame = pd.DataFrame.from_records(records)
        elif suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            raise ParameterError(
                f"source {path.name}: unknown file type {suffix!r}; pass a .json, .csv or "
                ".parquet file, or a DataFrame"
            )
    except (ValueError, UnicodeDecodeError, OSError) as exc:
        if isinstance(exc, ValidationError):
            raise
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ValidationError(
            f"source {path.name} cannot be read as {suffix[1:]}: {first}; check the file "
            "(a truncated download?)"
        ) from None
    return frame, path.name


def _detect(raw: pd.DataFrame, layout: str, columns: Mapping[str, str] | None) -> str:
    choices = ("auto", "house_watcher", "senate_watcher", "generic")
    if layout not in choices:
        raise ParameterError(f"layout must be one of {list(choices)}; got {layout!r}")
    if columns is not None and layout not in ("auto", "generic"):
        raise ParameterError(
            f"columns applies to layout='generic' only; got layout={layout!r}. Drop columns "
            "or use layout='generic'"
        )
    if layout != "auto":
        return layout
    if columns is None and "representative" in raw.columns:
        return "house_watcher"
    if columns is None and "senator" in raw.columns:
        return "senate_watcher"
    return "generic"


def _mapping(
    raw: pd.DataFrame, layout: str, columns: Mapping[str, str] | None
) -> tuple[dict[str, str], str | None]:
    if layout in LAYOUTS:
        mapping, chamber = LAYOUTS[layout]
        required = [v for k, v in mapping.items() if k in (*_REQUIRED, "amount")]
    else:
        given = dict(columns or {})
        unknown = sorted(set(given) - set(_GENERIC) - {"type"})
        if unknown:
            raise ParameterError(
                f"columns has unknown key(s) {unknown}; the keys are our names {list(_GENERIC)}"
            )
        if "type" in given:
            given.setdefault("side", given.pop("type"))
        mapping = {k: given.get(k, k) for k in _GENERIC}
        if "side" not in given and "side" not in raw.columns and "type" in raw.columns:
            mapping["side"] = "type"
        chamber = None
        amount = "amount" if mapping["amount"] in raw.columns else "amount_low"
        required = [mapping[k] for k in (*_REQUIRED, "chamber", amount)]
    missing = [c for c in required if c not in raw.columns]
    if missing:
        raise ValidationError(
            f"source ({layout} layout) is missing column(s) {missing}; got "
            f"{list(raw.columns)[:20]}. Pick the right layout, or for 'generic' map the "
            "columns with columns={our_name: their_name}"
        )
    return {k: v for k, v in mapping.items() if v in raw.columns}, chamber


def _parse(
    raw: pd.DataFrame, mapping: dict[str, str], chamber: str | None, today: pd.Timestamp
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    n = len(raw)
    col = {k: raw[v] for k, v in mapping.items()}
    blank = pd.Series([None] * n, index=raw.index, dtype=object)
    reason = np.full(n, "", dtype=object)
    detail = np.full(n, "", dtype=object)

    def flag(mask: Any, why: str, text: str, shown: pd.Series | None = None) -> None:
        """Give the unflagged rows of ``mask`` reason ``why``; ``{}`` in ``text`` shows
        the row's source value (formatted for the flagged rows only)."""
        mask = np.asarray(mask, dtype=bool) & (reason == "")
        reason[mask] = why
        if shown is None:
            detail[mask] = text
        else:
            detail[mask] = [text.format(repr(v)) for v in shown.to_numpy()[mask]]

    out = pd.DataFrame(index=raw.index)
    out["filer"] = fields.parse_filers(col["filer"])
    flag(out["filer"] == "", "missing_filer", "no filer name")
    for key in ("transaction_date", "disclosure_date"):
        out[key] = fields.parse_dates(col[key])
        flag(out[key].isna(), "bad_date", key + " {} is not a valid date", col[key])
    for key in ("transaction_date", "disclosure_date"):
        flag(out[key] > today, "future_date", f"{key} after today ({today.date()})")
    flag(
        out["disclosure_date"] < out["transaction_date"],
        "disclosed_before_transaction",
        "disclosure_date before transaction_date",
    )
    side = fields.parse_sides(col["side"])
    flag(side.isna(), "unknown_type", "type {} is not purchase / sale / exchange", col["side"])
    flag(side == 0, "exchange", "exchanges carry no direction")
    out["side"] = side.fillna(0).astype("int8")
    if "asset_type" in col:
        kind = pd.Series(fields.on_unique(col["asset_type"], fields.strip_html), index=raw.index)
        other = (kind != "") & (kind.str.lower() != "stock")
        flag(other, "non_stock_asset", "asset_type {} is not a stock", kind)
    tickers = fields.on_unique(col["symbol"], fields.parse_ticker)
    out["symbol"] = [t[0] for t in tickers]
    why = np.array([t[1] for t in tickers], dtype=object)
    flag(why == "missing_ticker", "missing_ticker", "no ticker")
    flag(
        why == "malformed_ticker", "malformed_ticker", "ticker {} is not one ticker", col["symbol"]
    )
    low, high = _amounts(col)
    out["amount_low"], out["amount_high"] = low, high
    amount = col.get("amount", col.get("amount_low", blank))
    flag(np.isnan(low), "unknown_amount", "amount {} is not a bracket", amount)
    owner = col.get("owner", blank)
    out["owner"] = fields.parse_owners(owner)
    flag(out["owner"] == "", "unknown_owner", "owner {} is not a known owner", owner)
    if chamber is None:
        ch = pd.Series(
            fields.on_unique(col["chamber"], lambda v: fields.strip_html(v).lower()),
            index=raw.index,
            dtype=object,
        )
        flag(
            ~ch.isin(["house", "senate"]),
            "unknown_chamber",
            "chamber {} is not house / senate",
            col["chamber"],
        )
        out["chamber"] = ch
    else:
        out["chamber"] = chamber
    described = col.get("asset_description", blank)
    out["asset_description"] = fields.on_unique(described, fields.strip_html)
    return out, reason, detail


def _amounts(col: dict[str, pd.Series]) -> tuple[np.ndarray, np.ndarray]:
    if "amount" in col:
        pairs = fields.on_unique(col["amount"], fields.parse_amount)
        low = np.array([p[0] if p else np.nan for p in pairs], dtype=np.float64)
        high = np.array([p[1] if p else np.nan for p in pairs], dtype=np.float64)
        return low, high
    low = pd.to_numeric(col["amount_low"], errors="coerce").to_numpy(dtype=np.float64, copy=True)
    high = (
        pd.to_numeric(col["amount_high"], errors="coerce").to_numpy(dtype=np.float64, copy=True)
        if "amount_high" in col
        else low.copy()
    )
    bad = ~(low > 0) | ~(high >= low) | ~np.isfinite(low)
    low[bad], high[bad] = np.nan, np.nan
    return low, high


def _reconcile(
    raw: pd.DataFrame, parsed: pd.DataFrame, reason: np.ndarray, detail: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    ok = reason == ""
    as_text = raw.astype(str)
    dup = as_text.duplicated(keep="first").to_numpy() & ok
    digest = pd.util.hash_pandas_object(as_text, index=False).to_numpy()
    first_row = pd.Series(np.arange(len(raw))).groupby(digest).transform("min").to_numpy()
    reason[dup] = "duplicate"
    detail[dup] = [f"same as source row {r}" for r in first_row[dup]]
    ok = reason == ""
    key = ["filer", "chamber", "owner", "symbol", "side", "transaction_date"]
    live = parsed.loc[ok, [*key, "disclosure_date"]]
    earliest = live.groupby(key, sort=False)["disclosure_date"].transform("min")
    later = (live["disclosure_date"] > earliest).to_numpy()
    idx = np.flatnonzero(ok)[later]
    reason[idx] = "amended"
    detail[idx] = [f"same transaction first disclosed {d.date()}" for d in earliest[later]]
    return reason, detail
