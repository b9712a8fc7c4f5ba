"""Portfolio tracking: a ledger of a user's own trades -> positions, cash, equity, metrics.

A ledger is a DataFrame with one row per fill: ``date``, ``symbol``, ``quantity`` (signed:
positive buys, negative sells), ``price`` (per unit, > 0) and optionally ``fees`` (>= 0,
in cash). Rules (the task is silent on most):

* A fill happens at its bar: cash moves by ``-quantity * price - fees`` and the position by
  ``quantity``; the bar's equity values positions at its close (the last valid close when
  the asset has no price that bar). ``date`` must be a bar of ``prices``: a fill on a
  non-trading day is refused, not moved.
* Rows must be sorted by date (several fills on one date keep their order); an exact
  duplicate row (same date, symbol, quantity, price and fees) is refused as a probable
  double import; pass ``allow_duplicates=True`` when repeated identical fills are real.
* Selling more than is held is refused unless ``allow_short=True``. Cash may go negative
  (a margin loan at zero rate); check ``cash`` if that matters.
* Errors name the ledger row by its index label and position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlab import config
from quantlab._validation import PRICE_MAX, PRICE_MIN, as_float_panel
from quantlab.errors import AlignmentError, DataTypeError, ValidationError

__all__ = ["TrackedPortfolio", "track"]

_REQUIRED = ("date", "symbol", "quantity", "price")
_HOLD_TOL = 1e-9  # units: float noise when a position is sold out in several fills


@dataclass(frozen=True)
class TrackedPortfolio:
    """What :func:`track` returns.

    Attributes
    ----------
    positions : DataFrame, shape (n_bars, n_assets)
        Units held at each bar's close.
    cash : Series, shape (n_bars,)
    equity : Series, shape (n_bars,)
        Cash + positions valued at the last valid close.
    returns : Series, shape (n_bars,)
        Simple returns of the equity; the first bar is measured against ``init_cash``.
    fees : Series, shape (n_bars,)
        Fees paid per bar.
    """

    positions: pd.DataFrame
    cash: pd.Series
    equity: pd.Series
    returns: pd.Series
    fees: pd.Series

    def stats(self, benchmark: Any = None, risk_free: float = 0.0) -> pd.DataFrame:
        """Every metric of :func:`quantlab.metrics.summary` of the returns, vs ``benchmark``."""
        from quantlab import metrics

        return metrics.summary(self.returns.rename("portfolio"), benchmark, risk_free)


def _row(ledger: pd.DataFrame, pos: int) -> str:
    return f"row {ledger.index[pos]!r} (position {pos})"


def _fail(ledger: pd.DataFrame, mask: np.ndarray, rule: str, fix: str) -> None:
    if mask.any():
        pos = int(np.flatnonzero(mask)[0])
        record = ledger.iloc[pos][list(_REQUIRED)].to_dict()
        raise ValidationError(f"ledger {_row(ledger, pos)} {rule}: {record}; {fix}")


def track(
    ledger: pd.DataFrame,
    prices: pd.DataFrame,
    *,
    init_cash: float = config.DEFAULT_INIT_CASH,
    allow_short: bool = False,
    allow_duplicates: bool = False,
) -> TrackedPortfolio:
    """Replay a ledger of trades over prices: positions, cash, equity and returns per bar.

    Parameters
    ----------
    ledger : DataFrame
        Columns ``date``, ``symbol``, ``quantity``, ``price`` and optionally ``fees``.
    prices : DataFrame, shape (n_bars, n_assets)
        Close prices of (at least) every traded symbol.
    init_cash : float, default 100
        Cash before the first bar (> 0).
    allow_short : bool, default False
        Allow positions below zero.
    allow_duplicates : bool, default False
        Accept exact duplicate rows.

    Returns
    -------
    TrackedPortfolio

    Raises
    ------
    DataTypeError
        ``ledger`` not a DataFrame.
    AlignmentError
        Missing ledger columns.
    ValidationError
        A row that is unsorted, duplicated, on a date that is not a bar, of an unknown
        symbol, with a non-finite / zero quantity, a non-positive price, negative fees, or
        that sells what is not held (without ``allow_short``); the message names the row.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.bdate_range("2024-01-01", periods=3)
    >>> prices = pd.DataFrame({"A": [10.0, 11.0, 12.0]}, index=idx)
    >>> ledger = pd.DataFrame({"date": [idx[0], idx[2]], "symbol": ["A", "A"],
    ...                        "quantity": [5.0, -5.0], "price": [10.0, 12.0], "fees": [0.5, 0.5]})
    >>> track(ledger, prices, init_cash=100).equity.tolist()
    [99.5, 104.5, 109.0]
    """
    if not isinstance(ledger, pd.DataFrame):
        raise DataTypeError(f"ledger must be a DataFrame; got {type(ledger).__name__}")
    absent = [c for c in _REQUIRED if c not in ledger.columns]
    if absent:
        raise AlignmentError(
            f"ledger lacks column(s) {absent}; it needs {list(_REQUIRED)} (+ optional 'fees')"
        )
    close, labels = as_float_panel(prices, "prices", positive=True, bounds=(PRICE_MIN, PRICE_MAX))
    if not init_cash > 0:
        raise ValidationError(f"init_cash must be > 0; got {init_cash!r}")
    index, assets = labels.index, labels.columns
    n = len(ledger)
    try:
        qty = ledger["quantity"].to_numpy(dtype=np.float64)
        px = ledger["price"].to_numpy(dtype=np.float64)
        fee = ledger["fees"].to_numpy(dtype=np.float64) if "fees" in ledger.columns else np.zeros(n)
    except (TypeError, ValueError) as exc:
        raise DataTypeError(f"ledger quantity, price and fees must be numbers ({exc})") from None
    dates = pd.DatetimeIndex(ledger["date"]) if len(ledger) else pd.DatetimeIndex([])
    _fail(ledger, ~np.isfinite(qty) | (qty == 0), "has a zero or non-finite quantity",
          "give the signed number of units (positive buy, negative sell)")  # fmt: skip
    _fail(ledger, ~(px > 0) | ~np.isfinite(px), "has a non-positive or non-finite price",
          "give the fill price per unit")  # fmt: skip
    _fail(ledger, ~(fee >= 0) | ~np.isfinite(fee), "has negative or non-finite fees",
          "give fees as a non-negative cash amount")  # fmt: skip
    if n > 1:
        _fail(ledger, np.r_[False, dates[1:] < dates[:-1]], "is dated before the row above it",
              "sort the ledger by date (ledger.sort_values('date', kind='stable'))")  # fmt: skip
    if not allow_duplicates:
        dup = ledger.assign(fees=fee).duplicated(subset=[*_REQUIRED, "fees"]).to_numpy()
        _fail(ledger, dup, "duplicates an earlier row",
              "drop double imports, or pass allow_duplicates=True for real ones")  # fmt: skip
    col = assets.get_indexer(pd.Index(ledger["symbol"]))
    _fail(ledger, col < 0, "has a symbol that is not a column of prices",
          "add its prices or fix the symbol")  # fmt: skip
    if not isinstance(index, pd.DatetimeIndex):
        raise AlignmentError(
            f"prices must have a DatetimeIndex to match ledger dates; got {type(index).__name__}"
        )
    if (dates.tz is None) != (index.tz is None):
        raise AlignmentError(
            "ledger dates and prices' index must both be timezone-aware or both naive"
        )
    bar = index.get_indexer(dates)
    _fail(ledger, bar < 0, "is dated on a day that is not a bar of prices",
          "date fills on a trading bar of prices")  # fmt: skip
    mark = pd.DataFrame(close).ffill().to_numpy()
    unpriced = np.zeros(n, dtype=bool)
    unpriced[bar >= 0] = np.isnan(mark[bar[bar >= 0], col[bar >= 0]])
    _fail(ledger, unpriced, "trades a symbol before its first price",
          "date the fill on or after the symbol's first bar with a price")  # fmt: skip
    held = ledger.assign(_q=qty).groupby("symbol", sort=False)["_q"].cumsum().to_numpy()
    if not allow_short:
        _fail(ledger, held < -_HOLD_TOL, "sells more than is held",
              "check the quantities, or pass allow_short=True")  # fmt: skip
    n_bars = len(index)
    delta = np.zeros((n_bars, len(assets)))
    np.add.at(delta, (bar, col), qty)
    flow = np.zeros(n_bars)
    np.add.at(flow, bar, -qty * px - fee)
    fees_bar = np.zeros(n_bars)
    np.add.at(fees_bar, bar, fee)
    positions = np.cumsum(delta, axis=0)
    positions[np.abs(positions) < _HOLD_TOL] = 0.0
    cash = init_cash + np.cumsum(flow)
    value = np.where(positions != 0, positions * np.nan_to_num(mark), 0.0).sum(axis=1)
    equity = cash + value
    prev = np.r_[init_cash, equity[:-1]]
    with np.errstate(divide="ignore", invalid="ignore"):
        rets = np.where(prev != 0, equity / prev - 1.0, np.nan)
    return TrackedPortfolio(
        positions=pd.DataFrame(positions, index=index, columns=assets),
        cash=pd.Series(cash, index=index, name="cash"),
        equity=pd.Series(equity, index=index, name="equity"),
        returns=pd.Series(rets, index=index, name="returns"),
        fees=pd.Series(fees_bar, index=index, name="fees"),
    )
