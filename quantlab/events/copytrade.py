"""Copy-trade strategies: buy what filers disclose buying, at the first tradable open.

Rules (decisions where the research brief is silent are marked *decision*):

* **When an event is known.** ``clock="disclosure"``: at ``available_at`` (the midnight that
  ends the disclosure day). ``clock="transaction"``: at ``transaction_date`` -- trading on
  the filer's own transaction day, a hypothetical (not tradable) benchmark for the cost of
  the disclosure lag.
* **Entry bar.** The first bar whose timestamp is ``>= known`` *and* where the symbol has a
  price (``open`` when given, else ``close``): an event whose first bar has no price is
  *deferred* to the next bar with one (counted as ``deferred_nan_price``); if none is left
  it is dropped as ``no_price``. *Decision*: an event known at or before the panel's first
  bar is ``before_history`` (no bar of the panel shows it was tradable then), one known
  after the last bar is ``after_history``; a symbol that is not a column of the prices is
  ``missing_symbol`` (the symbols are listed in the report). Nothing is dropped silently:
  :class:`CopyTradeReport` counts every case.
* **Fills.** With ``open`` the position is traded at the entry bar's *open*:
  :func:`copy_trade` passes the weights one row earlier to
  :func:`quantlab.backtest.from_weights` with ``price="next_open"`` (decide on the bar
  before, fill at the next open). Without ``open`` it trades at the entry bar's *close*
  (``price="close"``). The weights panel of :func:`copy_trade_weights` is always indexed by
  the bar whose open (or close) fills it.
* **Holding.** A purchase opens a long position held for ``hold`` bars (exit at the open of
  bar ``entry + hold``), or until a sale of the same symbol by the same group is disclosed
  (``exit_on_sale``; exit at that sale's entry bar). *Decision*: a second purchase while
  held extends the holding to ``max(current end, its entry + hold)`` (the position's
  weight and amount stay those of the opening disclosure). With ``short_sales`` a sale
  opens (or extends) a short position symmetrically, ended by a disclosed purchase. With
  ``exit_on_sale=False`` an opposite-side disclosure is ignored while a position is held.
  Positions still open at the last bar stay open (the backtest values them at the end).
* **Same bar.** *Decision*: events of one group entering on the same bar are applied sales
  first, then in table order (by symbol).
* **Weights.** Every bar where a group's set of positions changes, its held positions get
  ``sign * score / sum(score)`` with score 1 (``weighting="equal"``) or the opening
  disclosure's ``amount_mid`` (``"amount"``): fully invested in what is held, gross
  exposure 1. ``position_cap`` then clips each ``|w|``; *decision*: the clipped excess stays
  in cash (not redistributed), so ``position_cap=1/K`` gives K fixed slots. Between
  changes the row is NaN: no rebalance, positions drift with prices.
* **max_positions.** *Decision*: a disclosure that would open a position while the group
  already holds ``max_positions`` is refused (``skipped_full``); extensions are allowed.
* **Groups.** ``per="filer"`` (default): one strategy per filer, columns
  ``(filer, symbol)``, each filer with its own cash (one portfolio per filer in
  ``from_weights``). ``per=<column>`` groups by any column of the table (``"chamber"``,
  ``"owner"``...); ``per=None`` pools every disclosure into one strategy keyed by symbol
  (any filer's purchase opens or extends, any filer's sale ends).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, cast

import numpy as np
import pandas as pd

from quantlab._validation import as_float_panel, choice
from quantlab.backtest import SummaryResult, from_weights
from quantlab.backtest.result import BacktestResult
from quantlab.config import DEFAULT_INIT_CASH
from quantlab.errors import DataTypeError, ParameterError, ValidationError
from quantlab.events import _copytrade_kernel as K

__all__ = [
    "COPY_COLUMNS",
    "REASONS",
    "CopyTrade",
    "CopyTradeReport",
    "CopyTradeWeights",
    "copy_trade",
    "copy_trade_weights",
]

#: Columns of the disclosure table a copy-trade strategy reads (plus ``per``).
COPY_COLUMNS = ("symbol", "side", "amount_mid", "transaction_date", "available_at")

#: Report reasons: events left out (the first four) or moved (``deferred_nan_price``), and
#: disclosures refused by ``max_positions`` (``skipped_full``).
REASONS = (
    "missing_symbol",
    "before_history",
    "after_history",
    "no_price",
    "deferred_nan_price",
    "skipped_full",
)

_WEIGHTING = {"equal": False, "amount": True}
_CLOCKS = {"disclosure": "available_at", "transaction": "transaction_date"}
_MAX_CELLS = 40_000_000  # stats mode: weights cells per from_weights call (memory bound)


@dataclass(frozen=True)
class CopyTradeReport:
    """What happened to every disclosure of the table.

    Attributes
    ----------
    n_events : int
        Rows of the table.
    n_used : int
        Events placed on a bar (purchases and sales, whether or not they changed a
        position).
    n_opened : int
        Positions opened.
    counts : dict
        Reason -> number of events, for every reason of :data:`REASONS`.
    missing_symbols : tuple of str
        Symbols of the table that are not columns of the prices.
    """

    n_events: int
    n_used: int
    n_opened: int
    counts: dict[str, int] = field(default_factory=dict)
    missing_symbols: tuple[str, ...] = ()

    def __str__(self) -> str:
        parts = [f"{k} {v}" for k, v in self.counts.items() if v]
        text = (
            f"{self.n_events} disclosures: {self.n_used} placed on a bar, "
            f"{self.n_opened} positions opened"
        )
        if parts:
            text += "; " + ", ".join(parts)
        if self.missing_symbols:
            shown = ", ".join(self.missing_symbols[:10])
            more = len(self.missing_symbols) - 10
            text += f"; symbols not in the prices: {shown}" + (f" (+{more})" if more > 0 else "")
        return text


class CopyTradeWeights(NamedTuple):
    """:func:`copy_trade_weights`'s result: ``weights, report = copy_trade_weights(...)``."""

    weights: pd.DataFrame
    report: CopyTradeReport


class CopyTrade(NamedTuple):
    """:func:`copy_trade`'s result: the backtest and the report on the disclosures."""

    result: BacktestResult | SummaryResult
    report: CopyTradeReport


class _Plan(NamedTuple):
    """Everything between the table and the weights kernel."""

    events: K.CopyEvents
    rules: K.CopyRules
    columns: pd.Index  # (group, symbol) MultiIndex, or symbols when per=None
    group_labels: pd.Index
    asset: np.ndarray  # (n_cols,) int64: column of the prices of each output column
    counts: dict[str, int]
    missing: tuple[str, ...]
    n_events: int
    events_per_group: np.ndarray  # (n_groups,) rows of the table in each group


def _table(disclosures: Any, per: str | None) -> pd.DataFrame:
    if not isinstance(disclosures, pd.DataFrame):
        raise DataTypeError(
            f"disclosures must be a pandas DataFrame (the disclosure table); got "
            f"{type(disclosures).__name__}. Build it with quantlab.data.read_disclosures"
        )
    need = [*COPY_COLUMNS, *([per] if per is not None else [])]
    missing = [c for c in need if c not in disclosures.columns]
    if missing:
        raise ValidationError(
            f"disclosures lacks the column(s) {missing}; copy-trading reads {list(need)}; "
            "pass a disclosure table (quantlab.data.DISCLOSURE_COLUMNS)"
        )
    if per is not None and disclosures[per].isna().any():
        raise ValidationError(
            f"disclosures['{per}'] (per={per!r}) has {int(disclosures[per].isna().sum())} "
            "missing value(s); fill them (e.g. 'unknown') or drop those rows"
        )
    side = pd.to_numeric(disclosures["side"], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isin(side, (1.0, -1.0))
    if bad.any():
        raise ValidationError(
            f"disclosures['side'] must be +1 (purchase) or -1 (sale); got "
            f"{disclosures['side'].to_numpy()[bad].tolist()[0]!r} in {int(bad.sum())} row(s)"
        )
    for col in ("transaction_date", "available_at"):
        if not pd.api.types.is_datetime64_any_dtype(disclosures[col]):
            raise DataTypeError(
                f"disclosures['{col}'] must be datetime64; got {disclosures[col].dtype}. "
                f"Convert it with pd.to_datetime"
            )
        if disclosures[col].isna().any():
            raise ValidationError(
                f"disclosures['{col}'] has {int(disclosures[col].isna().sum())} missing "
                "date(s); drop or fill those rows first"
            )
    return disclosures


def _known_at(table: pd.DataFrame, clock: str, index: pd.DatetimeIndex) -> np.ndarray:
    known = pd.DatetimeIndex(table[_CLOCKS[clock]])
    if index.tz is not None:
        known = known.tz_localize(index.tz) if known.tz is None else known.tz_convert(index.tz)
    elif known.tz is not None:
        known = known.tz_convert(None)
    return known.as_unit("ns").asi8


def _next_priced(valid: np.ndarray) -> np.ndarray:
    """``(n_bars + 1, n_assets)``: the first bar ``>= b`` with a price (``n_bars``: none)."""
    n_bars = valid.shape[0]
    at = np.where(valid, np.arange(n_bars)[:, None], n_bars)
    nxt = np.full((n_bars + 1, valid.shape[1]), n_bars, dtype=np.int64)
    nxt[:n_bars] = np.minimum.accumulate(at[::-1], axis=0)[::-1]
    return nxt


def _plan(
    disclosures: Any,
    close: Any,
    open: Any,
    *,
    hold: int,
    exit_on_sale: bool,
    weighting: str,
    max_positions: int | None,
    position_cap: float | None,
    short_sales: bool,
    per: str | None,
    clock: str,
) -> tuple[_Plan, pd.DataFrame]:
    clock = choice(clock, "clock", {k: k for k in _CLOCKS})
    by_amount = choice(weighting, "weighting", _WEIGHTING)
    if isinstance(hold, bool) or not isinstance(hold, (int, np.integer)) or hold < 1:
        raise ParameterError(f"hold must be a positive number of bars; got {hold!r}. Pass e.g. 20")
    if max_positions is not None and (
        isinstance(max_positions, bool)
        or not isinstance(max_positions, (int, np.integer))
        or max_positions < 1
    ):
        raise ParameterError(
            f"max_positions must be a positive int or None; got {max_positions!r}. Pass e.g. 10"
        )
    if position_cap is not None and not (0.0 < float(position_cap) <= 1.0):
        raise ParameterError(
            f"position_cap must be in (0, 1] (a fraction of the portfolio) or None; got "
            f"{position_cap!r}. Pass e.g. 0.1"
        )
    table = _table(disclosures, per)
    close_arr, labels = as_float_panel(close, "close", positive=True)
    index = labels.index
    if not isinstance(index, pd.DatetimeIndex):
        raise DataTypeError(
            f"close must have a DatetimeIndex (daily bars); got {type(index).__name__}"
        )
    exec_arr = close_arr
    if open is not None:
        exec_arr, olab = as_float_panel(open, "open", positive=True)
        if not (olab.index.equals(index) and olab.columns.equals(labels.columns)):
            raise ValidationError(
                "open must have the index and columns of close; align them first "
                "(quantlab.data.align_ohlcv)"
            )
    n_bars = len(index)
    n_ev = len(table)
    symbols = table["symbol"].astype(str).to_numpy()
    asset = labels.columns.get_indexer(pd.Index(symbols))
    known = _known_at(table, clock, index)
    stamps = index.as_unit("ns").asi8
    first = np.searchsorted(stamps, known, side="left")
    reason = np.full(n_ev, "", dtype=object)
    reason[asset < 0] = "missing_symbol"
    before = (known <= stamps[0]) & (asset >= 0)
    after = (first >= n_bars) & (asset >= 0)
    reason[before] = "before_history"
    reason[after] = "after_history"
    ok = reason == ""
    nxt = _next_priced(~np.isnan(exec_arr))
    bar = np.full(n_ev, n_bars, dtype=np.int64)
    bar[ok] = nxt[first[ok], asset[ok]]
    deferred = ok & (bar > first) & (bar < n_bars)
    no_price = ok & (bar >= n_bars)
    reason[no_price] = "no_price"
    ok &= ~no_price
    counts = {r: int((reason == r).sum()) for r in REASONS[:4]}
    counts["deferred_nan_price"] = int(deferred.sum())
    missing = tuple(sorted(set(symbols[asset < 0])))

    if per is None:
        group = np.zeros(n_ev, dtype=np.int64)
        group_labels = pd.Index(["portfolio"])  # from_weights' label of one portfolio
    else:
        group, group_labels = pd.factorize(table[per], sort=True)
        group_labels = pd.Index(group_labels, name=per)
    side = table["side"].to_numpy(dtype=np.int64)
    amount = table["amount_mid"].to_numpy(dtype=np.float64)
    if by_amount:
        bad = ok & ~(np.isfinite(amount) & (amount > 0))
        if bad.any():
            raise ValidationError(
                f"weighting='amount' needs a finite amount_mid > 0; got "
                f"{float(amount[bad][0])!r} in {int(bad.sum())} row(s). Use "
                "weighting='equal' or fix the amounts"
            )
    sel = np.flatnonzero(ok)
    # output columns: the (group, asset) pairs that occur, by group then symbol
    key = group[sel] * np.int64(len(labels.columns)) + asset[sel]
    ukey, col_of_event = np.unique(key, return_inverse=True)
    col_group = ukey // len(labels.columns)
    col_asset = (ukey % len(labels.columns)).astype(np.int64)
    sym = labels.columns[col_asset]
    if per is None:
        columns = pd.Index(sym, name="symbol")
    else:
        columns = pd.MultiIndex.from_arrays([group_labels[col_group], sym], names=[per, "symbol"])
    n_groups = len(group_labels)
    col_start = np.zeros(n_groups + 1, dtype=np.int64)
    col_start[1:] = np.cumsum(np.bincount(col_group, minlength=n_groups))
    # sales before purchases on one bar, then table order (stable)
    order = np.lexsort((side[sel], bar[sel], group[sel]))
    ev_group = group[sel][order]
    group_start = np.zeros(n_groups + 1, dtype=np.int64)
    group_start[1:] = np.cumsum(np.bincount(ev_group, minlength=n_groups))
    events = K.CopyEvents(
        col=np.ascontiguousarray(col_of_event[order].astype(np.int64)),
        bar=np.ascontiguousarray(bar[sel][order]),
        side=np.ascontiguousarray(side[sel][order]),
        amount=np.ascontiguousarray(amount[sel][order]),
        group_start=group_start,
        col_start=col_start,
    )
    rules = K.CopyRules(
        hold=int(hold),
        exit_on_sale=bool(exit_on_sale),
        short_sales=bool(short_sales),
        max_positions=int(max_positions or 0),
        position_cap=np.nan if position_cap is None else float(position_cap),
        by_amount=bool(by_amount),
    )
    per_group = np.bincount(group, minlength=n_groups)
    plan = _Plan(events, rules, columns, group_labels, col_asset, counts, missing, n_ev, per_group)
    return plan, labels.frame(close_arr)


def _weights(
    plan: _Plan,
    n_bars: int,
    g_lo: int = 0,
    g_hi: int | None = None,
    shift: int = 0,
    buffer: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(n_cols, n_bars)`` weights of groups ``[g_lo, g_hi)`` (rows ``shift`` bars early,
    written into ``buffer`` when given); which events opened a position; which were
    refused for ``max_positions``."""
    ev = plan.events
    g_hi = len(plan.group_labels) if g_hi is None else g_hi
    e_lo, e_hi = ev.group_start[g_lo], ev.group_start[g_hi]
    c_lo, c_hi = ev.col_start[g_lo], ev.col_start[g_hi]
    sub = K.CopyEvents(
        col=ev.col[e_lo:e_hi] - c_lo,
        bar=ev.bar[e_lo:e_hi],
        side=ev.side[e_lo:e_hi],
        amount=ev.amount[e_lo:e_hi],
        group_start=ev.group_start[g_lo : g_hi + 1] - e_lo,
        col_start=ev.col_start[g_lo : g_hi + 1] - c_lo,
    )
    out = K.holding_intervals(sub, plan.rules, n_bars)
    i_col, i_start, i_stop, i_sign, i_amount, k, opened, skipped = out
    group_of_col = np.repeat(np.arange(g_hi - g_lo, dtype=np.int64), np.diff(sub.col_start))
    # fresh pages are slow to fault in (a third of the run at 1,000 filers): reuse a buffer
    size = (c_hi - c_lo) * n_bars
    w = (np.empty(size) if buffer is None else buffer[:size]).reshape(c_hi - c_lo, n_bars)
    w.fill(np.nan)
    K.fill_weights(
        sub.col_start,
        group_of_col,
        i_col[:k],
        i_start[:k],
        i_stop[:k],
        i_sign[:k],
        i_amount[:k],
        plan.rules,
        shift,
        w,
    )
    return w, opened, skipped


def _report(plan: _Plan, opened: np.ndarray, skipped: np.ndarray) -> CopyTradeReport:
    counts = dict(plan.counts)
    counts["skipped_full"] = int(skipped.sum())
    return CopyTradeReport(
        n_events=plan.n_events,
        n_used=len(plan.events.col),
        n_opened=int(opened.sum()),
        counts=counts,
        missing_symbols=plan.missing,
    )


def copy_trade_weights(
    disclosures: Any,
    close: Any,
    *,
    open: Any = None,
    hold: int = 20,
    exit_on_sale: bool = True,
    weighting: Literal["equal", "amount"] = "equal",
    max_positions: int | None = None,
    position_cap: float | None = None,
    short_sales: bool = False,
    per: str | None = "filer",
    clock: Literal["disclosure", "transaction"] = "disclosure",
) -> CopyTradeWeights:
    """Target weights that copy the disclosed trades (rules in the module docstring).

    Parameters
    ----------
    disclosures : DataFrame
        A disclosure table (``quantlab.data.DISCLOSURE_COLUMNS``; at least ``symbol``,
        ``side``, ``amount_mid``, ``transaction_date``, ``available_at`` and ``per``).
    close : DataFrame, shape (n_bars, n_assets)
        Daily prices, DatetimeIndex; NaN = no price on that bar.
    open : DataFrame, optional
        Open prices like ``close``: entries wait for a bar with an open price.
    hold : int, default 20
        Bars a position is held after the disclosure that opened (or extended) it.
    exit_on_sale : bool, default True
        A disclosed sale (purchase, for a short) of the same symbol ends the position.
    weighting : {"equal", "amount"}
    max_positions : int, optional
        Most positions a group holds at once; further openings are refused and counted.
    position_cap : float in (0, 1], optional
        Largest ``|weight|`` of one position; the clipped excess stays in cash.
    short_sales : bool, default False
        A disclosed sale opens a short position.
    per : str or None, default "filer"
        Column of the table that defines one strategy per value; None pools everything.
    clock : {"disclosure", "transaction"}
        Place events at ``available_at`` (tradable) or ``transaction_date`` (hypothetical).

    Returns
    -------
    CopyTradeWeights
        ``(weights, report)``: ``weights`` is ``(n_bars, n_cols)``, index of ``close``,
        columns ``(per, symbol)`` (``symbol`` when ``per=None``): a row of a group's
        weights at each bar whose open fills a change, NaN elsewhere; ``report`` is a
        :class:`CopyTradeReport`.

    Raises
    ------
    DataTypeError
        ``disclosures`` not a DataFrame, non-datetime dates, ``close`` without a
        DatetimeIndex.
    ValidationError
        Missing columns, sides other than +-1, missing dates, bad amounts with
        ``weighting="amount"``, ``open`` not aligned with ``close``.
    ParameterError
        ``hold``, ``max_positions``, ``position_cap``, ``weighting``, ``clock``.

    Examples
    --------
    >>> import pandas as pd, quantlab as ql
    >>> idx = pd.bdate_range("2024-01-01", periods=6)
    >>> close = pd.DataFrame({"A": 10.0, "B": 20.0}, index=idx)
    >>> table = pd.DataFrame({"filer": ["Ann", "Ann"], "symbol": ["A", "B"], "side": [1, 1],
    ...     "amount_mid": [8000.0, 8000.0],
    ...     "transaction_date": pd.to_datetime(["2024-01-01", "2024-01-01"]),
    ...     "available_at": pd.to_datetime(["2024-01-02", "2024-01-03"])})
    >>> w, report = ql.events.copy_trade_weights(table, close, hold=3)
    >>> w["Ann"]
    symbol        A    B
    2024-01-01  NaN  NaN
    2024-01-02  1.0  0.0
    2024-01-03  0.5  0.5
    2024-01-04  NaN  NaN
    2024-01-05  0.0  1.0
    2024-01-08  0.0  0.0
    >>> report.n_opened
    2
    """
    plan, _ = _plan(
        disclosures,
        close,
        open,
        hold=hold,
        exit_on_sale=exit_on_sale,
        weighting=weighting,
        max_positions=max_positions,
        position_cap=position_cap,
        short_sales=short_sales,
        per=per,
        clock=clock,
    )
    index = pd.DatetimeIndex(close.index)
    w, opened, skipped = _weights(plan, len(index))
    weights = pd.DataFrame(w.T, index=index, columns=plan.columns, copy=False)
    return CopyTradeWeights(weights, _report(plan, opened, skipped))


def copy_trade(
    disclosures: Any,
    close: Any,
    *,
    open: Any = None,
    hold: int = 20,
    exit_on_sale: bool = True,
    weighting: Literal["equal", "amount"] = "equal",
    max_positions: int | None = None,
    position_cap: float | None = None,
    short_sales: bool = False,
    per: str | None = "filer",
    clock: Literal["disclosure", "transaction"] = "disclosure",
    init_cash: Any = DEFAULT_INIT_CASH,
    fees: Any = 0.0,
    fixed_fees: Any = 0.0,
    slippage: Any = 0.0,
    mode: Literal["full", "stats"] = "full",
    keep_returns: bool = False,
    periods_per_year: float | None = None,
) -> CopyTrade:
    """Backtest the copy-trade strategies: one portfolio (own cash) per group, one call.

    The weights of :func:`copy_trade_weights` go through
    :func:`quantlab.backtest.from_weights` (shared cash within each group, ``fees``,
    ``slippage``...): with ``open`` at the entry bar's open (``price="next_open"`` on the
    weights shifted one bar earlier), else at its close. ``mode="stats"`` runs the
    stats-only engine in chunks of groups (bounded memory) and stacks their tables.

    Parameters
    ----------
    disclosures, close, open, hold, exit_on_sale, weighting, max_positions, position_cap,
    short_sales, per, clock
        As in :func:`copy_trade_weights`.
    init_cash, fees, fixed_fees, slippage
        Per portfolio, as in :func:`~quantlab.backtest.from_weights`.
    mode : {"full", "stats"}
        A group none of whose disclosures could be placed has no portfolio in the full
        mode and a row of NaN (returns of 0) in the stats mode.
    keep_returns : bool
        Stats mode: keep each portfolio's bar returns.
    periods_per_year : float, optional

    Returns
    -------
    CopyTrade
        ``(result, report)``: a :class:`~quantlab.backtest.BacktestResult` (full) or
        :class:`~quantlab.backtest.SummaryResult` (stats), one portfolio per group.

    Raises
    ------
    ValidationError, DataTypeError, ParameterError
        As :func:`copy_trade_weights` and :func:`~quantlab.backtest.from_weights`;
        ``ValidationError`` when no disclosure could be placed on a bar.

    Examples
    --------
    >>> import pandas as pd, quantlab as ql
    >>> idx = pd.bdate_range("2024-01-01", periods=5)
    >>> close = pd.DataFrame({"A": [10.0, 10.0, 11.0, 12.0, 12.0]}, index=idx)
    >>> open_ = pd.DataFrame({"A": [10.0, 10.0, 10.0, 12.0, 12.0]}, index=idx)
    >>> table = pd.DataFrame({"filer": ["Ann"], "symbol": ["A"], "side": [1],
    ...     "amount_mid": [8000.0], "transaction_date": pd.to_datetime(["2024-01-01"]),
    ...     "available_at": pd.to_datetime(["2024-01-03"])})
    >>> res, report = ql.events.copy_trade(table, close, open=open_, hold=2)
    >>> res.equity["Ann"].round(2).tolist()  # bought at 10 (open of Jan 3), sold at 12
    [100.0, 100.0, 110.0, 120.0, 120.0]
    """
    result, report, *_ = _run(
        disclosures,
        close,
        open=open,
        hold=hold,
        exit_on_sale=exit_on_sale,
        weighting=weighting,
        max_positions=max_positions,
        position_cap=position_cap,
        short_sales=short_sales,
        per=per,
        clock=clock,
        init_cash=init_cash,
        fees=fees,
        fixed_fees=fixed_fees,
        slippage=slippage,
        mode=mode,
        keep_returns=keep_returns,
        periods_per_year=periods_per_year,
    )
    return CopyTrade(result, report)


def _run(
    disclosures: Any,
    close: Any,
    *,
    open: Any = None,
    hold: int = 20,
    exit_on_sale: bool = True,
    weighting: str = "equal",
    max_positions: int | None = None,
    position_cap: float | None = None,
    short_sales: bool = False,
    per: str | None = "filer",
    clock: str = "disclosure",
    init_cash: Any = DEFAULT_INIT_CASH,
    fees: Any = 0.0,
    fixed_fees: Any = 0.0,
    slippage: Any = 0.0,
    mode: str = "full",
    keep_returns: bool = False,
    periods_per_year: float | None = None,
) -> tuple[BacktestResult | SummaryResult, CopyTradeReport, np.ndarray, np.ndarray, np.ndarray]:
    """copy_trade, plus per group: the first bar holding a position (``n_bars`` if none),
    the positions opened and the rows of the table."""
    plan, close_df = _plan(
        disclosures,
        close,
        open,
        hold=hold,
        exit_on_sale=exit_on_sale,
        weighting=weighting,
        max_positions=max_positions,
        position_cap=position_cap,
        short_sales=short_sales,
        per=per,
        clock=clock,
    )
    if len(plan.events.col) == 0:
        raise ValidationError(
            "no disclosure could be placed on a bar of close "
            f"({_report(plan, np.zeros(0, bool), np.zeros(0, bool))}); check the dates "
            "and symbols against the price panel"
        )
    mode = choice(mode, "mode", {"full": "full", "stats": "stats"})
    n_bars = len(close_df.index)
    kw: dict[str, Any] = dict(
        open=open,
        price="next_open" if open is not None else "close",
        init_cash=init_cash,
        fees=fees,
        fixed_fees=fixed_fees,
        slippage=slippage,
        periods_per_year=periods_per_year,
    )
    n_groups = len(plan.group_labels)
    # next_open: decide on the bar before the fill (bar 0 never fills: an event known at or
    # before the first bar is before_history)
    shift = 1 if open is not None else 0
    if mode == "full":
        w, opened, skipped = _weights(plan, n_bars, shift=shift)
        full = from_weights(close_df, _panel(plan, w, 0, n_groups, close_df.index), **kw)
        return (full, _report(plan, opened, skipped), *_firsts(plan, opened, n_bars))
    col_start = plan.events.col_start
    bounds = [0]  # chunks of groups of at most _MAX_CELLS weights (one group may exceed it)
    while bounds[-1] < n_groups:
        g_hi = bounds[-1] + 1
        while (
            g_hi < n_groups and (col_start[g_hi + 1] - col_start[bounds[-1]]) * n_bars <= _MAX_CELLS
        ):
            g_hi += 1
        bounds.append(g_hi)
    widest = max(col_start[b] - col_start[a] for a, b in zip(bounds[:-1], bounds[1:], strict=True))
    buffer = np.empty(int(widest) * n_bars)
    tables, opens, skips = [], [], []
    rets = np.zeros((n_bars, n_groups)) if keep_returns else None
    ppy: float | None = None
    for g_lo, g_hi in zip(bounds[:-1], bounds[1:], strict=True):
        w, opened, skipped = _weights(plan, n_bars, g_lo, g_hi, shift, buffer)
        opens.append(opened)
        skips.append(skipped)
        # a group none of whose disclosures was placed has no column: no portfolio
        present = np.flatnonzero(np.diff(col_start[g_lo : g_hi + 1]) > 0) + g_lo
        if len(present) == 0:
            continue
        panel = _panel(plan, w, g_lo, g_hi, close_df.index)
        part = cast(
            SummaryResult,
            from_weights(close_df, panel, mode="stats", keep_returns=keep_returns, **kw),
        )
        part.table.index = plan.group_labels[present]
        tables.append(part.table)
        if rets is not None and part.returns is not None:
            rets[:, present] = part.returns.to_numpy()
        ppy = part.periods_per_year
    table = pd.concat(tables).reindex(plan.group_labels)
    returns = None
    if rets is not None:
        returns = pd.DataFrame(rets, index=close_df.index, columns=plan.group_labels, copy=False)
    summary = SummaryResult(table, ppy, returns)
    opened = np.concatenate(opens)
    report = _report(plan, opened, np.concatenate(skips))
    return (summary, report, *_firsts(plan, opened, n_bars))


def _firsts(
    plan: _Plan, opened: np.ndarray, n_bars: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ev = plan.events
    n_groups = len(plan.group_labels)
    group = np.repeat(np.arange(n_groups), np.diff(ev.group_start))
    first = np.full(n_groups, n_bars, dtype=np.int64)
    np.minimum.at(first, group[opened], ev.bar[opened])
    n_trades = np.bincount(group[opened], minlength=n_groups)
    return first, n_trades, plan.events_per_group


def _panel(plan: _Plan, w: np.ndarray, g_lo: int, g_hi: int, index: pd.Index) -> pd.DataFrame:
    """The from_weights panel of groups ``[g_lo, g_hi)`` over ``w`` (no copy)."""
    cs = plan.events.col_start
    cols = plan.columns[cs[g_lo] : cs[g_hi]]
    if isinstance(cols, pd.MultiIndex):
        cols = cols.remove_unused_levels()
    return pd.DataFrame(w.T, index=index, columns=cols, copy=False)
