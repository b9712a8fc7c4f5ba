"""The backtest engine: ``from_signals`` and ``from_weights``.

See :func:`from_signals` and :func:`from_weights`; results are :class:`BacktestResult`
(full mode) or :class:`SummaryResult` (stats-only mode). Record layouts and enums live in
:mod:`quantlab.backtest.records`.
"""

from quantlab.backtest.api import from_signals, from_weights
from quantlab.backtest.records import Direction, ExitReason, Side, TradeStatus, order_dt, trade_dt
from quantlab.backtest.result import BacktestResult, SummaryResult

__all__ = [
    "from_signals",
    "from_weights",
    "BacktestResult",
    "SummaryResult",
    "ExitReason",
    "Direction",
    "Side",
    "TradeStatus",
    "order_dt",
    "trade_dt",
]
