"""Trade-level statistics from backtest trade records (``quantlab.backtest.records.trade_dt``).

The record dtypes come from the leaf :mod:`quantlab._records`: metrics read trade records
as arrays and never import the backtest engine.

Definitions (per result column, closed trades unless ``include_open=True``):

* ``n_trades``; ``win_rate`` = share of trades with ``pnl > 0``;
* ``profit_factor`` = gross profit / gross loss in cash (``inf`` without a losing trade);
* ``payoff_ratio`` = mean ``ret`` of winners / |mean ``ret`` of losers|;
* ``expectancy`` = mean ``pnl`` per trade (cash); ``expectancy_return`` = mean ``ret``;
* ``avg_holding_bars`` = mean ``duration`` (bars);
* ``kelly`` = ``win_rate - (1 - win_rate) / payoff_ratio`` (Kelly fraction of a binary bet
  with those odds);
* ``exposure`` = fraction of bars with a non-zero position (from ``positions``, or from the
  trades' ``[entry_idx, exit_idx)`` spans when only the number of bars is known);
* ``turnover`` = traded value per year over mean equity:
  ``sum(size * price of orders) / mean(equity) * periods_per_year / n_bars`` (needs orders
  and equity).

Metrics that cannot be computed from what was passed are NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from quantlab._records import TradeStatus, order_dt, trade_dt
from quantlab.errors import DataTypeError, ValidationError
from quantlab.metrics._input import resolve_ppy, to_returns

__all__ = ["trade_stats", "TRADE_STATS_ROWS"]

#: Row index of :func:`trade_stats`.
TRADE_STATS_ROWS = (
    "n_trades",
    "win_rate",
    "profit_factor",
    "payoff_ratio",
    "expectancy",
    "expectancy_return",
    "avg_holding_bars",
    "kelly",
    "exposure",
    "turnover",
)


def _records(data: Any, dtype: np.dtype, name: str) -> np.ndarray:
    if isinstance(data, np.ndarray) and data.dtype.names is not None:
        missing = [f for f in dtype.names or () if f not in data.dtype.names]
        if missing:
            raise DataTypeError(
                f"{name} is a structured array without the field(s) {missing}; pass records "
                f"of quantlab.backtest.records.{name[:-1]}_dt"
            )
        return data
    if isinstance(data, pd.DataFrame):
        missing = [f for f in dtype.names or () if f not in data.columns]
        if missing:
            raise DataTypeError(
                f"{name} DataFrame lacks the column(s) {missing}; pass the fields of "
                f"quantlab.backtest.records.{name[:-1]}_dt"
            )
        out = np.empty(len(data), dtype=dtype)
        for f in dtype.names or ():
            out[f] = data[f].to_numpy()
        return out
    raise DataTypeError(
        f"{name} must be a structured array of quantlab.backtest.records.{name[:-1]}_dt, a "
        f"DataFrame with those fields, or a backtest result with .{name[:-1]}_records; got "
        f"{type(data).__name__}"
    )


def _per_col(values: np.ndarray, cols: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(cols, weights=values, minlength=n)[:n]


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.true_divide(a, b), dtype=np.float64)


def trade_stats(
    trades: Any,
    *,
    n_columns: int | None = None,
    columns: Any = None,
    include_open: bool = False,
    positions: Any = None,
    orders: Any = None,
    equity: Any = None,
    n_bars: int | None = None,
    periods_per_year: float | None = None,
) -> pd.DataFrame:
    """Win rate, profit factor, payoff, expectancy, holding time, Kelly, exposure, turnover.

    Parameters
    ----------
    trades : structured array, DataFrame or backtest result
        Records of ``trade_dt`` (or a DataFrame with those fields), or any object with a
        ``trade_records`` attribute; from such an object ``order_records`` / ``orders``,
        ``equity`` and ``positions`` are also used when present and not passed explicitly.
    n_columns : int, optional
        Number of result columns (default: from ``columns``, ``equity``, or max ``col`` + 1).
    columns : sequence, optional
        Column labels of the result (default: ``equity``'s columns or ``0 .. n - 1``).
    include_open : bool, default False
        Count open trades (valued at the last close) too.
    positions : DataFrame or array, optional
        ``(n_bars, n_columns)`` positions, for ``exposure``.
    orders : structured array or DataFrame, optional
        Records of ``order_dt``, for ``turnover``.
    equity : DataFrame or array, optional
        ``(n_bars, n_columns)`` equity curve, for ``turnover`` (and ``n_bars``).
    n_bars : int, optional
        Number of bars, for ``exposure`` from the trades alone.
    periods_per_year : float, optional
        For ``turnover``; inferred from ``equity``'s index when omitted.

    Returns
    -------
    DataFrame
        Rows :data:`TRADE_STATS_ROWS`, one column per result column.

    Raises
    ------
    DataTypeError
        Records without the ``trade_dt`` / ``order_dt`` fields.
    ValidationError
        A trade's ``col`` outside ``[0, n_columns)``.

    Examples
    --------
    >>> from quantlab.backtest.records import trade_dt
    >>> t = np.zeros(3, dtype=trade_dt)
    >>> t["pnl"] = [2.0, -1.0, 1.0]; t["ret"] = [0.02, -0.01, 0.01]
    >>> t["duration"] = [3, 1, 2]; t["status"] = 1
    >>> trade_stats(t).loc[["n_trades", "win_rate", "profit_factor", "kelly"], 0].round(4).tolist()
    [3.0, 0.6667, 3.0, 0.4444]
    """
    if hasattr(trades, "trade_records"):
        result = trades
        trades = result.trade_records
        if orders is None:
            cand = getattr(result, "order_records", None)
            if cand is None:
                cand = getattr(result, "orders", None)
            orders = cand if isinstance(cand, (np.ndarray, pd.DataFrame)) else None
        if columns is None:
            columns = getattr(result, "columns", None)
        groups = getattr(result, "groups", None)
        grouped = groups is not None and columns is not None and len(groups) != len(columns)
        if equity is None and not grouped:  # portfolio equity is not per traded column
            equity = getattr(result, "equity", None)
        if positions is None:
            positions = getattr(result, "positions", None)
    rec = _records(trades, trade_dt, "trades")
    eq_arr = None
    eq_labels = None
    if equity is not None:
        eq_arr, eq_labels = to_returns(equity, "equity", scan=False)
        n_bars = eq_arr.shape[0]
    if columns is not None:
        labels = pd.Index(columns)
    elif eq_labels is not None and not eq_labels.was_series:
        labels = eq_labels.columns
    else:
        labels = None
    if n_columns is None:
        if labels is not None:
            n_columns = len(labels)
        else:
            n_columns = int(rec["col"].max()) + 1 if len(rec) else 1
    if labels is None:
        labels = pd.RangeIndex(n_columns)
    cols_all = rec["col"].astype(np.int64)
    if len(rec) and (cols_all.min() < 0 or cols_all.max() >= n_columns):
        raise ValidationError(
            f"trades has col values in [{cols_all.min()}, {cols_all.max()}] but n_columns="
            f"{n_columns}; pass n_columns / columns matching the backtest"
        )
    keep = np.ones(len(rec), dtype=bool) if include_open else rec["status"] == TradeStatus.CLOSED
    r = rec[keep]
    cols = r["col"].astype(np.int64)
    n = n_columns
    ones = np.ones(len(r))
    count = _per_col(ones, cols, n)
    win = r["pnl"] > 0
    loss = r["pnl"] < 0
    n_win = _per_col(win.astype(float), cols, n)
    n_loss = _per_col(loss.astype(float), cols, n)
    gross_win = _per_col(np.where(win, r["pnl"], 0.0), cols, n)
    gross_loss = 0.0 - _per_col(np.where(loss, r["pnl"], 0.0), cols, n)  # no -0.0
    avg_win_ret = _div(_per_col(np.where(win, r["ret"], 0.0), cols, n), n_win)
    avg_loss_ret = _div(0.0 - _per_col(np.where(loss, r["ret"], 0.0), cols, n), n_loss)
    win_rate = _div(n_win, count)
    payoff = _div(avg_win_ret, avg_loss_ret)
    profit_factor = np.where(count > 0, _div(gross_win, gross_loss), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        kelly = np.where(
            n_loss > 0, win_rate - (1 - win_rate) / payoff, np.where(count > 0, 1.0, np.nan)
        )
    out = {
        "n_trades": count,
        "win_rate": win_rate,
        "profit_factor": profit_factor,
        "payoff_ratio": payoff,
        "expectancy": _div(_per_col(r["pnl"], cols, n), count),
        "expectancy_return": _div(_per_col(r["ret"], cols, n), count),
        "avg_holding_bars": _div(_per_col(r["duration"].astype(float), cols, n), count),
        "kelly": kelly,
        "exposure": _exposure(rec, positions, n_bars, n),
        "turnover": _turnover(orders, eq_arr, eq_labels, n, periods_per_year),
    }
    return pd.DataFrame(
        np.vstack([out[k] for k in TRADE_STATS_ROWS]),
        index=pd.Index(TRADE_STATS_ROWS, name="metric"),
        columns=labels,
    )


def _exposure(rec: np.ndarray, positions: Any, n_bars: int | None, n: int) -> np.ndarray:
    if positions is not None:
        pos, _ = to_returns(positions, "positions", scan=False)
        if pos.shape[1] not in (1, n):
            raise ValidationError(
                f"positions has {pos.shape[1]} columns but there are {n} result columns; "
                "pass one position column per result column"
            )
        held = np.nan_to_num(pos) != 0
        return np.broadcast_to(held.mean(axis=0), (n,)).astype(float)
    if not n_bars:
        return np.full(n, np.nan)
    covered = np.zeros((n_bars + 1, n))
    for t in rec:
        start = int(t["entry_idx"])
        stop = int(t["exit_idx"]) if t["exit_idx"] >= 0 else n_bars
        covered[start, t["col"]] += 1
        covered[min(stop, n_bars), t["col"]] -= 1
    held = np.cumsum(covered[:-1], axis=0) > 0
    return np.asarray(held.mean(axis=0), dtype=float)


def _turnover(
    orders: Any, eq_arr: np.ndarray | None, eq_labels: Any, n: int, periods_per_year: float | None
) -> np.ndarray:
    if orders is None or eq_arr is None:
        return np.full(n, np.nan)
    o = _records(orders, order_dt, "orders")
    traded = _per_col(np.abs(o["size"] * o["price"]), o["col"].astype(np.int64), n)
    ppy = resolve_ppy(eq_labels, periods_per_year)
    with np.errstate(invalid="ignore"):
        mean_eq = np.nanmean(eq_arr, axis=0) if eq_arr.size else np.full(n, np.nan)
    mean_eq = np.broadcast_to(mean_eq, (n,))
    return _div(traded, mean_eq) * ppy / eq_arr.shape[0]
