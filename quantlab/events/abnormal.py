"""From an event table and a price panel to the kernel's inputs, and what was left out.

Rules (decisions the issue left open, applied in this order; each dropped event is listed in
:attr:`StudyReport.rows` with its reason):

``missing_date``
    The clock's date (``available_at`` or ``transaction_date``) is NaT.
``symbol_not_in_prices``
    The symbol is not a column of the price panel; :attr:`StudyReport.missing_symbols`
    counts the events of each such symbol.
``window_before_history`` / ``window_beyond_history``
    Event day 0 is the first bar at or after the clock's date. The event window
    ``[day0 + a, day0 + b]`` must lie inside the panel (dates after the last bar fall here).
``overlap``
    Events of the same filer and symbol (by symbol alone when the table has no ``filer``
    column) are taken in day-0 order; an event whose day 0 is within ``max(b, 0)`` bars of
    the last *kept* one's day 0 is dropped (its window would count the same returns twice).
    ``overlap="keep"`` keeps every event.
``short_estimation``
    Fewer than ``min_estimation`` bars of the estimation window
    ``[day0 + a - gap - estimation, day0 + a - gap)`` have a return (and every regressor);
    windows cut by the start of the history count only their bars inside it.
``singular_estimation``
    A regressor is constant over the estimation window (no OLS fit), or the model fits the
    returns exactly (no residual variance: e.g. the asset is the market itself).
``no_returns_in_window``
    No bar of the event window has an abnormal return.

NaN prices: a NaN price gives a NaN return on its bar, and the next valid bar's return runs
from the last valid price (the data contract's carry), so CAR and BHAR over a window still
hold the whole move. Bars without a return are left out of the estimation, and their
abnormal return is NaN (left out of daily averages); kept events with such bars in the
event window are counted in :attr:`StudyReport.n_nan_events` / ``n_nan_bars``.

Memory and speed: no returns panel is built; the study keeps its own copy of the price
panel (made in the pass that checks the prices and builds the equal-weight market, so
later in-place edits of the caller's frame do not reach ``bhar`` or the tests), and the
kernels compute returns from it where needed. Symbols and dates are looked up once per
distinct value (``factorize``), and drop reasons are int8 codes until the report.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from quantlab._validation import PRICE_MAX, PRICE_MIN, as_float_panel, choice
from quantlab.errors import DataTypeError, ParameterError, ValidationError
from quantlab.events._kernels import (
    MARKET_ADJUSTED,
    REGRESSION,
    StudyInputs,
    StudyOutputs,
    column_returns,
    overlap_drops,
    scan_prices,
    study_kernel,
)

__all__ = ["CLOCKS", "MODELS", "StudyReport", "Prepared", "prepare"]

#: Event clock -> the date column that places day 0.
CLOCKS: dict[str, str] = {"disclosure": "available_at", "transaction": "transaction_date"}
#: Normal-return model -> kernel model code.
MODELS: dict[str, int] = {
    "market": REGRESSION,
    "market_adjusted": MARKET_ADJUSTED,
    "factor": REGRESSION,
}
REASONS: tuple[str, ...] = (
    "missing_date",
    "symbol_not_in_prices",
    "window_before_history",
    "window_beyond_history",
    "overlap",
    "short_estimation",
    "singular_estimation",
    "no_returns_in_window",
)


@dataclass(frozen=True)
class StudyReport:
    """What happened to every event: kept, dropped (with a reason), or kept with NaN bars.

    Attributes
    ----------
    n_events, n_used : events given, events in the study.
    counts : dict reason -> number of dropped events (every reason of :data:`REASONS`).
    rows : the dropped events (rows of the event table) with a ``reason`` column.
    missing_symbols : pandas.Series symbol -> number of events, for symbols absent from the
        price panel.
    n_nan_events, n_nan_bars : kept events with event-window bars without an abnormal
        return, and how many such bars in all.
    """

    n_events: int
    n_used: int
    counts: dict[str, int]
    rows: pd.DataFrame
    missing_symbols: pd.Series = field(repr=False)
    n_nan_events: int = 0
    n_nan_bars: int = 0

    def __str__(self) -> str:
        lines = [f"event study: {self.n_used} of {self.n_events} events used"]
        lines += [f"  dropped {n:>7} {reason}" for reason, n in self.counts.items() if n]
        if len(self.missing_symbols):
            shown = ", ".join(self.missing_symbols.index[:10].astype(str))
            more = " ..." if len(self.missing_symbols) > 10 else ""
            lines.append(f"  symbols not in prices ({len(self.missing_symbols)}): {shown}{more}")
        if self.n_nan_events:
            lines.append(
                f"  kept with NaN bars in the window: {self.n_nan_events} events, "
                f"{self.n_nan_bars} bars"
            )
        return "\n".join(lines)


class Prepared(NamedTuple):
    """The kept events, the kernel's inputs and outputs for them, and the report."""

    events: pd.DataFrame
    inputs: StudyInputs
    outputs: StudyOutputs
    report: StudyReport
    bars: pd.DatetimeIndex
    regressor_names: list[str]


def _int_param(value: Any, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(
            f"{name} must be an int >= {low} (trading days); got {value!r}. "
            f"Pass e.g. {name}={max(low, 10)}"
        )
    return int(value)


def check_window(window: Any, name: str = "window") -> tuple[int, int]:
    """``(a, b)`` with ints ``a <= b`` (relative trading days)."""
    ok = (
        isinstance(window, (tuple, list))
        and len(window) == 2
        and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in window)
        and window[0] <= window[1]
    )
    if not ok:
        raise ParameterError(
            f"{name} must be a pair of ints (a, b) with a <= b, in trading days relative to "
            f"event day 0; got {window!r}. Pass e.g. {name}=(-10, 60)"
        )
    return int(window[0]), int(window[1])


def _events_frame(events: Any, date_col: str, clock: str) -> pd.DataFrame:
    if not isinstance(events, pd.DataFrame):
        raise DataTypeError(
            f"events must be a pandas DataFrame (one row per event); got "
            f"{type(events).__name__}. Build one with pd.DataFrame(...) or "
            "quantlab.data.read_disclosures"
        )
    data = importlib.import_module("quantlab.data")
    validate = getattr(data, "validate_disclosures", None)
    columns = getattr(data, "DISCLOSURE_COLUMNS", None)
    if validate is not None and columns is not None and set(columns) <= set(events.columns):
        events = validate(events)  # a disclosure table: the shared contract's checks
    missing = [c for c in ("symbol", date_col) if c not in events.columns]
    if missing:
        raise ValidationError(
            f"events lacks the column(s) {missing} needed by clock={clock!r}; got columns "
            f"{list(events.columns)}. Add them (symbol: the price column; {date_col}: the "
            "date that places event day 0)"
        )
    if not pd.api.types.is_datetime64_any_dtype(events[date_col]):
        try:
            dates = pd.to_datetime(events[date_col])
        except (TypeError, ValueError) as exc:
            raise DataTypeError(
                f"events[{date_col!r}] must hold dates; got values that do not parse "
                f"({exc}). Convert it with pd.to_datetime first"
            ) from None
        events = events.assign(**{date_col: dates})
    return events


def _code(reason: str) -> int:
    return REASONS.index(reason) + 1


def _columns_of(symbols: pd.Series, columns: pd.Index) -> np.ndarray:
    """Column of each event's symbol in the panel (-1: absent), looked up once per symbol."""
    codes, uniques = pd.factorize(symbols)
    where = columns.get_indexer(uniques)
    return np.where(codes >= 0, where[codes], -1).astype(np.int64)


def _event_dates(dates: pd.Series, index: pd.DatetimeIndex, date_col: str) -> np.ndarray:
    values = pd.DatetimeIndex(dates)
    if index.tz is not None and values.tz is None:
        values = values.tz_localize(index.tz)
    elif index.tz is not None:
        values = values.tz_convert(index.tz)
    elif values.tz is not None:
        raise ValidationError(
            f"events[{date_col!r}] is timezone-aware ({values.tz}) but the price index is "
            "naive; make both naive or localize the price index (prices.tz_localize(...))"
        )
    if values.unit != index.unit:  # a unit change could round: the generic search
        return np.asarray(index.searchsorted(values, side="left"), dtype=np.int64)
    # one binary search per distinct date (int64 epoch values, UTC for aware ones)
    codes, uniques = pd.factorize(values.asi8)
    return np.searchsorted(index.asi8, uniques, side="left").astype(np.int64)[codes]


def _market(
    market: Any, prices: np.ndarray, ew_market: np.ndarray, columns: pd.Index, index: pd.Index
) -> np.ndarray:
    if market is None:
        return ew_market
    if isinstance(market, str):
        if market not in columns:
            raise ValidationError(
                f"market={market!r} is not a column of prices; pass the name of the index's "
                "price column, a Series of market returns, or None (equal-weight market)"
            )
        return column_returns(prices, int(np.flatnonzero(columns == market)[0]))
    if isinstance(market, pd.Series):
        frame = _aligned(market.to_frame("market"), "market", index)
        values = frame[:, 0]
        finite = values[np.isfinite(values)]
        if finite.size and (finite > 0).all() and np.median(finite) > 0.5:
            raise ValidationError(
                f"market must hold returns, but it looks like prices (all positive, median "
                f"{np.median(finite):.4g}); pass market=index_prices.pct_change() or the "
                "name of a price column"
            )
        return values
    raise DataTypeError(
        f"market must be None, a column name of prices or a pandas Series of returns; got "
        f"{type(market).__name__}"
    )


def _aligned(frame: pd.DataFrame, name: str, index: pd.Index) -> np.ndarray:
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise DataTypeError(
            f"{name} must have a DatetimeIndex (the price panel's dates); got "
            f"{type(frame.index).__name__}"
        )
    values, _ = as_float_panel(frame, name, allow_nan=True)
    out = pd.DataFrame(values, index=frame.index).reindex(index).to_numpy()
    if not np.isfinite(out).any(axis=1).any():
        raise ValidationError(
            f"{name} shares no date with the price panel ({frame.index.min()} .. "
            f"{frame.index.max()} vs {index.min()} .. {index.max()}); pass returns on the "
            "panel's dates"
        )
    return np.ascontiguousarray(out, dtype=np.float64)


def _regressors(
    model: str,
    market: Any,
    factors: Any,
    prices: np.ndarray,
    ew_market: np.ndarray,
    columns: pd.Index,
    index: pd.Index,
) -> tuple[np.ndarray, list[str]]:
    if model == "factor":
        if not isinstance(factors, pd.DataFrame) or factors.shape[1] == 0:
            raise ParameterError(
                f"model='factor' needs factors= a DataFrame of factor returns (one column per "
                f"factor, dated like prices); got {type(factors).__name__}"
            )
        return _aligned(factors, "factors", index), [str(c) for c in factors.columns]
    if factors is not None:
        raise ParameterError(
            f"factors= is used only by model='factor'; got model={model!r}. Pass "
            "model='factor' or drop factors"
        )
    market_returns = _market(market, prices, ew_market, columns, index)
    return market_returns.reshape(-1, 1).copy(), ["market"]


def prepare(
    events: Any,
    prices: Any,
    *,
    clock: str,
    model: str,
    market: Any,
    factors: Any,
    estimation: int,
    gap: int,
    window: Any,
    min_estimation: int | None,
    overlap: str,
) -> Prepared:
    """Validate, place the events on the panel, run the kernel and sort out dropped events."""
    date_col = choice(clock, "clock", CLOCKS)
    model = str(model).lower() if isinstance(model, str) else model
    code = choice(model, "model", MODELS)
    choice(overlap, "overlap", {"drop": 0, "keep": 1})
    a, b = check_window(window)
    estimation = _int_param(estimation, "estimation", 3)
    gap = _int_param(gap, "gap", 0)
    events = _events_frame(events, date_col, clock)
    arr, labels = as_float_panel(prices, "prices", allow_inf=True, order="F")
    if not isinstance(labels.index, pd.DatetimeIndex):
        raise DataTypeError(
            f"prices must have a DatetimeIndex of daily bars; got {type(labels.index).__name__}"
        )
    # one pass: the study's own copy of the prices (NumPy-allocated: huge pages), bad prices
    # and (market=None, not the factor model) the equal-weight market
    ew = market is None and model != "factor"
    panel = np.empty((arr.shape[1], arr.shape[0])).T  # F-order
    bad, ew_market = scan_prices(arr, PRICE_MIN, PRICE_MAX, ew, panel)
    arr = panel
    if bad.any():  # the library's checks and messages (inf, <= 0, out of range)
        as_float_panel(prices, "prices", positive=True, bounds=(PRICE_MIN, PRICE_MAX))
    x, names = _regressors(model, market, factors, arr, ew_market, labels.columns, labels.index)
    k = x.shape[1]
    if min_estimation is None:
        min_estimation = max(estimation // 2, k + 4)
    min_estimation = _int_param(min_estimation, "min_estimation", k + 4)
    if min_estimation > estimation:
        raise ParameterError(
            f"min_estimation must be <= estimation ({estimation}); got {min_estimation}"
        )

    n_bars = len(labels.index)
    # reason codes: 0 = kept, i + 1 = REASONS[i] (strings only for the dropped rows)
    reason = np.zeros(len(events), dtype=np.int8)
    dates = events[date_col]
    dated = dates.notna().to_numpy()
    reason[~dated] = _code("missing_date")
    col = _columns_of(events["symbol"], labels.columns)
    absent = (col < 0) & (reason == 0)
    reason[absent] = _code("symbol_not_in_prices")
    day0 = np.zeros(len(events), dtype=np.int64)
    day0[dated] = _event_dates(dates[dated] if not dated.all() else dates, labels.index, date_col)
    pending = reason == 0
    reason[pending & (day0 + a < 0)] = _code("window_before_history")
    reason[pending & (day0 + a >= 0) & (day0 + b >= n_bars)] = _code("window_beyond_history")
    if overlap == "drop":
        _mark_overlaps(events, col, day0, reason, max(b, 0))

    kept = np.flatnonzero(reason == 0)
    inputs = StudyInputs(
        arr, x, col[kept].astype(np.int64), day0[kept], code, estimation, gap, a, b
    )
    # the (n_events, W) output is allocated by NumPy (huge pages: few page faults)
    out = study_kernel(inputs, np.empty((len(kept), b - a + 1)))
    late = np.zeros(len(kept), dtype=np.int8)
    late[out.n_nan == b - a + 1] = _code("no_returns_in_window")
    late[out.singular == 1] = _code("singular_estimation")
    late[out.n_est < min_estimation] = _code("short_estimation")
    reason[kept] = late
    ok = late == 0
    if ok.all():  # the common case: no copy of the (n_events, W) outputs
        outputs = out
    else:
        outputs = StudyOutputs(*(field_[ok] for field_ in out))
        inputs = inputs._replace(asset=inputs.asset[ok], day0=inputs.day0[ok])
    used = events.iloc[kept[ok]].copy()
    used["day0"] = labels.index[inputs.day0]
    report = _report(events, reason, outputs, labels.columns, absent)
    return Prepared(used, inputs, outputs, report, labels.index, names)


def _mark_overlaps(
    events: pd.DataFrame, col: np.ndarray, day0: np.ndarray, reason: np.ndarray, span: int
) -> None:
    pending = np.flatnonzero(reason == 0)
    if not len(pending):
        return
    names = ["filer", "symbol"] if "filer" in events.columns else ["symbol"]
    key = (
        events.iloc[pending][names].groupby(names, sort=False, dropna=False).ngroup().to_numpy()
    ).astype(np.int64)
    order = np.lexsort((pending, day0[pending], key))
    drop = overlap_drops(key[order], day0[pending][order], span)
    reason[pending[order][drop]] = _code("overlap")


def _report(
    events: pd.DataFrame,
    reason: np.ndarray,
    outputs: StudyOutputs,
    columns: pd.Index,
    absent: np.ndarray,
) -> StudyReport:
    dropped = reason != 0
    rows = events.iloc[np.flatnonzero(dropped)].copy()
    rows["reason"] = np.asarray(("",) + REASONS, dtype=object)[reason[dropped]].astype(str)
    tally = np.bincount(reason, minlength=len(REASONS) + 1)
    counts = {r: int(tally[i + 1]) for i, r in enumerate(REASONS)}
    missing = events["symbol"][absent].astype(str).value_counts().sort_index()
    missing.name = "n_events"
    nan_bars = outputs.n_nan
    return StudyReport(
        n_events=len(events),
        n_used=int((~dropped).sum()),
        counts=counts,
        rows=rows,
        missing_symbols=missing,
        n_nan_events=int((nan_bars > 0).sum()),
        n_nan_bars=int(nan_bars.sum()),
    )
