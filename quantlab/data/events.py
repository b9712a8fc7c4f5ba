"""Point-in-time event tables (e.g. trade disclosures) turned into per-bar features.

An event table has one row per event with the columns

``symbol``            the asset (a column of the price panels)
``transaction_date``  when the event happened
``available_at``      when it became *known* (disclosure time), ``>= transaction_date``
``side``              ``"buy"`` / ``"sell"`` (or +1 / -1)
``amount``            size in cash units, ``> 0``

A disclosure table (:func:`quantlab.data.read_disclosures`, the ``events`` of
:func:`quantlab.data.sample_universe`) is an event table too: its ``side`` is +1 / -1
and, when it has no ``amount`` column, its ``amount_mid`` (the bracket midpoint; the
low end for the open top bracket) is the amount.

A feature at bar ``t`` uses only events with ``available_at <= calendar[t]``: the event
*arrives* on the first bar at or after its ``available_at`` and counts in the trailing
windows of the ``window`` bars that start there. The transaction date is never used to
place an event in time, so the disclosure lag cannot leak into features.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from quantlab.errors import AlignmentError, DataTypeError, ParameterError, ValidationError

__all__ = ["EVENT_COLUMNS", "validate_events", "events_to_features"]

#: Required columns of an event table.
EVENT_COLUMNS: tuple[str, ...] = ("symbol", "transaction_date", "available_at", "side", "amount")
_SIDES = {"buy": 1.0, "b": 1.0, "purchase": 1.0, "sell": -1.0, "s": -1.0, "sale": -1.0}


def validate_events(events: Any) -> pd.DataFrame:
    """Check an event table and return it with normalised dtypes and a numeric ``sign``.

    Parameters
    ----------
    events : pandas.DataFrame
        Table with the columns of :data:`EVENT_COLUMNS`, or a disclosure table
        (``amount_mid`` stands for a missing ``amount``).

    Returns
    -------
    pandas.DataFrame
        A copy with datetime columns, float ``amount`` and an added ``sign`` column
        (+1.0 buy, -1.0 sell), sorted by ``available_at``.

    Raises
    ------
    DataTypeError
        Not a DataFrame.
    ValidationError
        Missing columns, unknown sides, non-positive amounts, or an event disclosed
        before it happened (``available_at < transaction_date``).

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"symbol": ["A"], "transaction_date": ["2024-01-02"],
    ...     "available_at": ["2024-01-05"], "side": ["buy"], "amount": [1e5]})
    >>> validate_events(ev)["sign"].tolist()
    [1.0]
    """
    if not isinstance(events, pd.DataFrame):
        raise DataTypeError(f"events must be a DataFrame; got {type(events).__name__}")
    ev = events.copy()
    if "amount" not in ev.columns and "amount_mid" in ev.columns:
        ev["amount"] = ev["amount_mid"]
    missing = [c for c in EVENT_COLUMNS if c not in ev.columns]
    if missing:
        raise ValidationError(
            f"events is missing column(s) {missing}; got {list(events.columns)}. "
            f"An event table needs {list(EVENT_COLUMNS)} (a disclosure table: amount_mid "
            "for amount)"
        )
    ev["transaction_date"] = pd.to_datetime(ev["transaction_date"])
    ev["available_at"] = pd.to_datetime(ev["available_at"])
    if ev["available_at"].isna().any() or ev["transaction_date"].isna().any():
        raise ValidationError(
            "events has missing transaction_date / available_at values; drop those rows "
            "(an event without a disclosure time cannot be placed in time)"
        )
    early = ev["available_at"] < ev["transaction_date"]
    if early.any():
        row = ev.loc[early].iloc[0]
        raise ValidationError(
            f"events has {int(early.sum())} row(s) disclosed before they happened (first: "
            f"{row['symbol']!r}, transaction_date={row['transaction_date']}, available_at="
            f"{row['available_at']}); the rule is available_at >= transaction_date"
        )
    ev["sign"] = _signs(ev["side"])
    ev["amount"] = pd.to_numeric(ev["amount"], errors="coerce").astype("float64")
    bad = ~(ev["amount"] > 0) | ~np.isfinite(ev["amount"])
    if bad.any():
        raise ValidationError(
            f"events amount must be a finite number > 0; got "
            f"{float(ev.loc[bad, 'amount'].iloc[0])} in {int(bad.sum())} row(s). The side "
            "column carries the direction"
        )
    return ev.sort_values("available_at", kind="stable").reset_index(drop=True)


def _signs(side: pd.Series) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(side):
        out = side.to_numpy(dtype=np.float64)
        ok = np.isin(out, (1.0, -1.0))
    else:
        mapped = side.astype(str).str.strip().str.lower().map(_SIDES)
        out = mapped.to_numpy(dtype=np.float64)
        ok = ~np.isnan(out)
    if not ok.all():
        bad = side[~ok].iloc[0]
        raise ValidationError(
            f"events side must be 'buy' / 'sell' (or +1 / -1); got {bad!r}. Map other codes "
            "to these first"
        )
    return out


def events_to_features(
    events: pd.DataFrame,
    calendar: pd.DatetimeIndex,
    *,
    symbols: Iterable[Any] | None = None,
    windows: Iterable[int] = (21,),
) -> dict[str, pd.DataFrame]:
    """Per-bar, point-in-time event features over trailing windows.

    For each window ``w`` three panels ``(n_bars, n_symbols)``:

    ``event_count_{w}``       events that arrived in the last ``w`` bars (this bar included)
    ``event_net_count_{w}``   buys minus sells among them
    ``event_net_amount_{w}``  signed amount (buys positive) among them

    An event arrives on the first bar whose timestamp is at or after its ``available_at``;
    events disclosed before ``calendar[0]`` or after ``calendar[-1]`` are ignored, as are
    events for symbols outside ``symbols`` (list those with
    :func:`quantlab.data.check_symbols` to report them). Moving an event's disclosure later can only
    change features at or after its original arrival bar.

    Parameters
    ----------
    events : pandas.DataFrame
        Event table (see :func:`validate_events`).
    calendar : pandas.DatetimeIndex
        The bars, e.g. ``close.index``.
    symbols : iterable, optional
        The asset columns (default: the sorted symbols of ``events``).
    windows : iterable of int, default (21,)
        Trailing window lengths in bars, each >= 1.

    Returns
    -------
    dict of str to pandas.DataFrame
        Panels named as above, indexed by ``calendar``, one column per symbol.

    Raises
    ------
    ParameterError
        A window < 1.
    AlignmentError
        ``calendar`` unsorted, or timezones of ``calendar`` and ``available_at`` differ.

    Examples
    --------
    >>> import pandas as pd
    >>> cal = pd.bdate_range("2024-01-01", periods=5)
    >>> ev = pd.DataFrame({"symbol": ["A"], "transaction_date": ["2023-12-29"],
    ...     "available_at": ["2024-01-03"], "side": ["sell"], "amount": [2e5]})
    >>> events_to_features(ev, cal, windows=[2])["event_net_amount_2"]["A"].tolist()
    [0.0, 0.0, -200000.0, -200000.0, 0.0]
    """
    cal = pd.DatetimeIndex(calendar)
    if not cal.is_monotonic_increasing or cal.has_duplicates:
        raise AlignmentError("calendar must be sorted and unique; pass calendar.sort_values()")
    wins = [int(w) for w in windows]
    if not wins or min(wins) < 1:
        raise ParameterError(f"windows must be a non-empty list of ints >= 1; got {wins}")
    ev = validate_events(events)
    avail = pd.DatetimeIndex(ev["available_at"])
    if (avail.tz is None) != (cal.tz is None):
        raise AlignmentError(
            f"events available_at timezone ({avail.tz}) and calendar timezone ({cal.tz}) "
            "differ; convert one of them (tz_localize / tz_convert)"
        )
    cols = pd.Index(sorted(ev["symbol"].unique()) if symbols is None else list(symbols))
    n_bars, n_cols = len(cal), len(cols)
    pos = cal.searchsorted(avail, side="left")
    col = cols.get_indexer(ev["symbol"])
    keep = (pos < n_bars) & (col >= 0) & (avail >= cal[0] if n_bars else False)
    pos, col = pos[keep], col[keep]
    sign = ev["sign"].to_numpy()[keep]
    amount = ev["amount"].to_numpy()[keep]
    values = {"count": np.ones_like(sign), "net_count": sign, "net_amount": sign * amount}
    out: dict[str, pd.DataFrame] = {}
    for w in wins:
        for name, vals in values.items():
            panel = trailing_event_sum(pos, col, vals, n_bars, n_cols, w)
            out[f"event_{name}_{w}"] = pd.DataFrame(panel, index=cal, columns=cols)
    return out


def trailing_event_sum(
    pos: np.ndarray, col: np.ndarray, vals: np.ndarray, n_bars: int, n_cols: int, window: int
) -> np.ndarray:
    """Sum ``vals`` of events arriving at bar ``pos`` over trailing ``window`` bars.

    Each event adds its value to bars ``pos .. pos + window - 1`` of its column; empty
    windows are exactly 0 (no running-sum round-off).
    """
    out = np.zeros((n_bars, n_cols), dtype=np.float64)
    for k in range(window):
        rows = pos + k
        ok = rows < n_bars
        if not ok.any():
            break
        np.add.at(out, (rows[ok], col[ok]), vals[ok])
    return out
