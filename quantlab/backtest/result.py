"""Result objects of the backtest engine.

:class:`BacktestResult` keeps the order records and the running statistics the kernel
computed; every panel (positions, cash, equity, returns, exposure) and the trade table are
derived lazily from the orders on first access and cached.

:class:`SummaryResult` is what the stats-only mode returns: one row of figures per column
and nothing of size ``(n_bars, n_columns)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from quantlab import config
from quantlab._periods import resolve_or_per_bar
from quantlab.backtest import _records_kernel as RK
from quantlab.backtest import _stats as S
from quantlab.backtest.records import ExitReason, trade_dt


def _annualization(index: pd.Index, periods_per_year: float | None) -> float | None:
    """Periods per year by the library's one rule, or None (per-bar figures) when the index
    cannot tell: :func:`quantlab._periods.resolve_or_per_bar`."""
    return resolve_or_per_bar(index, periods_per_year)


@dataclass(frozen=True, eq=False)
class SummaryResult:
    """Per-column figures computed inside the kernel (the stats-only mode).

    Attributes
    ----------
    table : DataFrame
        One row per column (or portfolio), one column per figure in ``STAT_NAMES``:
        final_value, total_return, max_drawdown, max_drawdown_duration (bars), n_orders,
        n_trades, n_closed_trades, win_rate, profit_factor, total_fees, exposure,
        mean_return (per bar), annual_volatility, sharpe, sortino (annualized with
        ``periods_per_year``; per-bar figures when it is unknown).
    periods_per_year : float or None
    returns : DataFrame or None
        Per-group bar returns when asked for (``returns_by`` / ``keep_returns``).
    """

    table: pd.DataFrame
    periods_per_year: float | None
    returns: pd.DataFrame | None = None

    def stats(self) -> pd.DataFrame:
        """Figures x columns (the orientation of :func:`quantlab.metrics.summary`)."""
        return self.table.T

    def __getattr__(self, name: str) -> pd.Series:
        if name in S.STAT_NAMES:
            return self.table[name]
        raise AttributeError(name)


class BacktestResult:
    """Outcome of :func:`~quantlab.backtest.from_signals` / :func:`~quantlab.backtest.from_weights`.

    Columns are the traded columns (``columns``); portfolios are ``groups``: one per column
    for ``from_signals``, one per parameter combination (sharing cash) for ``from_weights``.
    Cash, equity and returns are per portfolio; positions and orders per column.
    """

    def __init__(
        self,
        *,
        index: pd.Index,
        columns: pd.Index,
        group_labels: pd.Index,
        close: np.ndarray,
        asset_of_col: np.ndarray,
        group_start: np.ndarray,
        init_cash: np.ndarray,
        orders: np.ndarray,
        raw_stats: np.ndarray,
        periods_per_year: float | None,
        squeeze: bool,
        col_start: np.ndarray | None = None,
    ) -> None:
        self.index = index
        self.columns = columns
        self.groups = group_labels
        self._close = close
        self._asset_of_col = asset_of_col
        self._group_start = group_start
        self._group_of_col = np.repeat(
            np.arange(len(group_start) - 1, dtype=np.int64), np.diff(group_start)
        )
        self.init_cash = init_cash
        self.order_records = orders
        self._raw_stats = raw_stats
        self._ppy = periods_per_year
        self._squeeze = squeeze
        if col_start is None:  # where each column's orders start (they are sorted by column)
            col_start = np.zeros(len(columns) + 1, dtype=np.int64)
            if len(orders):
                col_start[1:] = np.cumsum(np.bincount(orders["col"], minlength=len(columns)))
        self._col_start = col_start

    # ------------------------------------------------------------------ helpers
    def _frame(self, values: np.ndarray, columns: pd.Index) -> pd.DataFrame | pd.Series:
        df = pd.DataFrame(values, index=self.index, columns=columns)
        if self._squeeze and df.shape[1] == 1:
            return df.iloc[:, 0]
        return df

    @property
    def _serial(self) -> bool:
        return len(self.index) * len(self.columns) < config.PARALLEL_MIN_ELEMENTS

    @cached_property
    def _close_ffill(self) -> np.ndarray:
        ffill = RK.ffill_columns_serial if self._serial else RK.ffill_columns
        out: np.ndarray = ffill(self._close)
        return out

    @cached_property
    def _positions(self) -> np.ndarray:
        build = RK.positions_from_orders_serial if self._serial else RK.positions_from_orders
        out: np.ndarray = build(
            self.order_records, self._col_start, len(self.index), len(self.columns)
        )
        return out

    @cached_property
    def _cash(self) -> np.ndarray:
        flows = RK.cash_flows(
            self.order_records, self._group_of_col, len(self.index), len(self.groups)
        )
        cash: np.ndarray = np.cumsum(flows, axis=0) + self.init_cash[None, :]
        return cash

    @cached_property
    def _equity(self) -> np.ndarray:
        build = RK.equity_from_state_serial if self._serial else RK.equity_from_state
        out: np.ndarray = build(
            self._cash,
            self._positions,
            self._close_ffill,
            self._asset_of_col,
            self._group_of_col,
            self._group_start,
        )
        return out

    # ------------------------------------------------------------------ panels
    @property
    def orders(self) -> pd.DataFrame:
        """Order records as a DataFrame (column label, timestamp, size, price, fees, side)."""
        rec = self.order_records
        df = pd.DataFrame(
            {
                "column": self.columns[rec["col"]] if len(rec) else [],
                "timestamp": self.index[rec["idx"]] if len(rec) else [],
                "size": rec["size"],
                "price": rec["price"],
                "fees": rec["fees"],
                "side": np.where(rec["side"] == 0, "buy", "sell"),
                "reason": [_reason_name(r) for r in rec["reason"]],
            }
        )
        return df

    @cached_property
    def positions(self) -> pd.DataFrame | pd.Series:
        """Units held at each bar's close, ``(n_bars, n_columns)``."""
        return self._frame(self._positions, self.columns)

    @cached_property
    def cash(self) -> pd.DataFrame | pd.Series:
        """Cash of each portfolio at each bar's close, ``(n_bars, n_groups)``."""
        return self._frame(self._cash, self.groups)

    @cached_property
    def equity(self) -> pd.DataFrame | pd.Series:
        """Cash + holdings valued at the last valid close, ``(n_bars, n_groups)``."""
        return self._frame(self._equity, self.groups)

    @cached_property
    def returns(self) -> pd.DataFrame | pd.Series:
        """Simple returns of the equity; the first bar is measured against ``init_cash``."""
        eq = self._equity
        prev = np.vstack([self.init_cash[None, :], eq[:-1]])
        with np.errstate(divide="ignore", invalid="ignore"):
            rets = np.where(prev != 0.0, eq / prev - 1.0, np.nan)
        return self._frame(rets, self.groups)

    @cached_property
    def gross_exposure(self) -> pd.DataFrame | pd.Series:
        """Sum of |position value| over equity, per portfolio."""
        val = np.abs(self._positions * self._close_ffill[:, self._asset_of_col])
        val = np.nan_to_num(val)
        gross = np.add.reduceat(val, self._group_start[:-1], axis=1) if val.shape[1] else val
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(self._equity != 0.0, gross / self._equity, np.nan)
        return self._frame(out, self.groups)

    @cached_property
    def trade_records(self) -> np.ndarray:
        """Round trips as a structured array of :data:`~quantlab.backtest.records.trade_dt`."""
        buf = np.empty(len(self.order_records) + len(self.columns), dtype=trade_dt)
        n = RK.trades_from_orders(
            self.order_records, self._col_start, self._close_ffill, self._asset_of_col, buf
        )
        return buf[:n].copy()

    @cached_property
    def trades(self) -> pd.DataFrame:
        """Round trips: entry/exit time and price, size, fees, PnL, return, duration, reason."""
        t = self.trade_records
        closed = t["exit_idx"] >= 0
        exit_time = pd.Series(pd.NaT, index=range(len(t)), dtype=object)
        if closed.any():
            exit_time[closed] = list(self.index[t["exit_idx"][closed]])
        return pd.DataFrame(
            {
                "column": self.columns[t["col"]] if len(t) else [],
                "direction": np.where(t["direction"] == 0, "long", "short"),
                "size": t["size"],
                "entry_time": self.index[t["entry_idx"]] if len(t) else [],
                "entry_price": t["entry_price"],
                "entry_fees": t["entry_fees"],
                "exit_time": exit_time.to_numpy(),
                "exit_price": t["exit_price"],
                "exit_fees": t["exit_fees"],
                "pnl": t["pnl"],
                "return": t["ret"],
                "duration": t["duration"],
                "status": np.where(t["status"] == 1, "closed", "open"),
                "exit_reason": [_reason_name(r) for r in t["exit_reason"]],
            }
        )

    # ------------------------------------------------------------------ figures
    @cached_property
    def summary_table(self) -> pd.DataFrame:
        """The kernel's order figures plus the bar figures of the equity, one row per portfolio.

        The per-bar figures (drawdown, exposure, return moments) are always recomputed from
        the equity and positions panels, whichever engine produced the orders.
        """
        ppy = _annualization(self.index, self._ppy)
        raw = self._raw_stats.copy()
        held = self._positions != 0.0
        if held.shape[1]:
            in_market = np.logical_or.reduceat(held, self._group_start[:-1], axis=1)
        else:  # pragma: no cover - no columns
            in_market = np.zeros_like(self._equity, dtype=bool)
        S.bar_stats_from_equity(self._equity, np.asfortranarray(in_market), self.init_cash, raw)
        vals = S.finalize(raw, self.init_cash, ppy if ppy is not None else 1.0)
        return pd.DataFrame(vals, index=self.groups, columns=list(S.STAT_NAMES))

    @property
    def final_value(self) -> pd.Series:
        return self.summary_table["final_value"]

    @property
    def total_return(self) -> pd.Series:
        return self.summary_table["total_return"]

    def stats(self, benchmark: Any = None, risk_free: float = 0.0) -> pd.DataFrame:
        """Every metric of :func:`quantlab.metrics.summary` plus trade figures, x portfolios."""
        from quantlab import metrics

        rets = self.returns
        frame = rets.to_frame() if isinstance(rets, pd.Series) else rets
        ppy = _annualization(self.index, self._ppy)
        kwargs: dict[str, Any] = {"benchmark": benchmark, "risk_free": risk_free}
        if ppy is not None:
            kwargs["periods_per_year"] = ppy
        table = metrics.summary(frame, **kwargs)
        extra = self.summary_table[
            [
                "final_value",
                "n_orders",
                "n_trades",
                "n_closed_trades",
                "win_rate",
                "profit_factor",
                "total_fees",
                "exposure",
            ]
        ].T
        extra.columns = table.columns
        extra = extra.loc[[r for r in extra.index if r not in table.index]]
        return pd.concat([table, extra])

    def __repr__(self) -> str:
        return (
            f"BacktestResult({len(self.index)} bars x {len(self.columns)} columns, "
            f"{len(self.groups)} portfolios, {len(self.order_records)} orders)"
        )


def _reason_name(code: int) -> str:
    try:
        return ExitReason(int(code)).name.lower()
    except ValueError:  # pragma: no cover
        return str(code)
