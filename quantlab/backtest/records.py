"""Structured record dtypes and enums of the backtest engine (public name).

Defined once in the leaf module :mod:`quantlab._records` (so that metrics and Monte Carlo
read trade records without importing the engine) and re-exported here, where the engine's
users look for them.
"""

from __future__ import annotations

from quantlab._records import Direction, ExitReason, Side, TradeStatus, order_dt, trade_dt

__all__ = ["Side", "Direction", "TradeStatus", "ExitReason", "order_dt", "trade_dt"]
