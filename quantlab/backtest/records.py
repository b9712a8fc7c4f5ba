"""Structured record dtypes and enums of the backtest engine (public name).

The order / trade records and their enums are defined once in the leaf module
:mod:`quantlab._records` (so that metrics and Monte Carlo read trade records without
importing the engine) and re-exported here, where the engine's users look for them; the
enums only the engine's kernels read (size type, signal direction, fill price) live here.
"""

from __future__ import annotations

from enum import IntEnum

from quantlab._records import Direction, ExitReason, Side, TradeStatus, order_dt, trade_dt


class SizeType(IntEnum):
    """How an order's ``size`` reads: units, cash value, or a fraction of available cash."""

    AMOUNT = 0
    VALUE = 1
    PERCENT = 2


class SignalDirection(IntEnum):
    """Which positions ``from_signals``' entries open."""

    LONG = 0
    SHORT = 1
    BOTH = 2


class FillPrice(IntEnum):
    """Where a decision fills: the decision bar's close or the next bar's open."""

    CLOSE = 0
    NEXT_OPEN = 1


__all__ = [
    "Side",
    "Direction",
    "SizeType",
    "SignalDirection",
    "FillPrice",
    "TradeStatus",
    "ExitReason",
    "order_dt",
    "trade_dt",
]
