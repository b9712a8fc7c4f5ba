"""Structured record dtypes and enums of the backtest engine, defined once.

Kernels write these records; the API layer turns them into DataFrames. Field meanings:

``order_dt``
    id, col (result column), idx (bar), size (units, > 0), price (fill price incl.
    slippage), fees (cash paid), side (:class:`Side`), reason (:class:`ExitReason` for
    exits, ``ExitReason.NONE`` for entries, ``ExitReason.REBALANCE`` for every order of
    ``from_weights``).
``trade_dt``
    One round trip (entry, then the exit that closed it; an open trade has ``status=OPEN``,
    ``exit_idx=-1`` and is valued at the last valid close). ``pnl`` is net of entry and exit
    fees; ``ret`` is ``pnl / (entry_price * size + entry_fees)``; ``duration`` is in bars.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Side(IntEnum):
    BUY = 0
    SELL = 1


class Direction(IntEnum):
    LONG = 0
    SHORT = 1


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


class TradeStatus(IntEnum):
    OPEN = 0
    CLOSED = 1


class ExitReason(IntEnum):
    """Why a position was closed."""

    NONE = -1
    SIGNAL = 0
    STOP_LOSS = 1
    TAKE_PROFIT = 2
    TRAILING_STOP = 3
    TIME_STOP = 4
    END = 5  # still open at the last bar (open trades only)
    REBALANCE = 6


order_dt = np.dtype(
    [
        ("id", np.int64),
        ("col", np.int64),
        ("idx", np.int64),
        ("size", np.float64),
        ("price", np.float64),
        ("fees", np.float64),
        ("side", np.int64),
        ("reason", np.int64),
    ],
    align=True,
)

trade_dt = np.dtype(
    [
        ("id", np.int64),
        ("col", np.int64),
        ("size", np.float64),
        ("entry_idx", np.int64),
        ("entry_price", np.float64),
        ("entry_fees", np.float64),
        ("exit_idx", np.int64),
        ("exit_price", np.float64),
        ("exit_fees", np.float64),
        ("pnl", np.float64),
        ("ret", np.float64),
        ("duration", np.int64),
        ("direction", np.int64),
        ("status", np.int64),
        ("exit_reason", np.int64),
    ],
    align=True,
)

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
