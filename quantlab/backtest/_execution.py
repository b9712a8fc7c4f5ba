"""The one order path of every simulation: an order intent in, a named fill out.

A simulation turns its decisions (signals, stop hits, target weights) into an
:class:`Intent` and calls :func:`execute` with the column's state, the order price and the
column's :class:`Costs`; every size rule and every fee formula of the engine lives here.

One order is executed against one column's state ``(cash, position, debt, free_cash)``:

* ``cash`` is the cash balance (short-sale proceeds included);
* ``debt`` is the entry value of the open short position (0 when long or flat);
* ``free_cash`` is the cash that can fund new positions: ``cash`` minus twice the short
  debt (the proceeds of a short sale are collateral, not buying power).

The sizing rules follow vectorbt's order execution so both engines agree to the last
digit on the semantics they share: a buy that the cash cannot cover is filled partially
(as much as ``cash`` buys after proportional and fixed fees); sizes are floored to
``size_granularity``; fills smaller than ``min_size`` are rejected; slippage moves the fill
price against the trader (``price * (1 + slippage)`` to buy, ``price * (1 - slippage)`` to
sell).

Intent sizes (:class:`~quantlab.backtest.records.SizeType`):

* ``AMOUNT``: units; ``inf`` buys as much as the cash allows, or sells the whole long
  plus the largest short the free cash can collateralize;
* ``VALUE``: cash, converted to units at the order price before slippage;
* ``PERCENT``: a fraction of the available cash (a buy), or of the long plus the largest
  collateralizable short (a sale).

``reduce_only`` orders only shrink the open position (an exit, a cover; ``inf`` closes
it). ``reverse`` orders on the side opposite to the open position close it and open
``size`` on the other side in one order; for ``PERCENT`` the fraction applies to what is
left after the close (its proceeds included, its fees deducted).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from quantlab._numba import jit
from quantlab.backtest.records import ExitReason, Side, SizeType

SIDE_BUY = int(Side.BUY)
SIDE_SELL = int(Side.SELL)
NO_ORDER = -1  # the side of an intent that orders nothing
AMOUNT = int(SizeType.AMOUNT)
VALUE = int(SizeType.VALUE)
PERCENT = int(SizeType.PERCENT)
R_NONE = int(ExitReason.NONE)


class Intent(NamedTuple):
    """One order to execute: what a simulation decided, before it meets the cash."""

    side: int  # SIDE_BUY, SIDE_SELL, or NO_ORDER
    size: float  # in the unit of size_type, > 0 (inf: as much as possible)
    size_type: int  # SizeType
    reduce_only: bool  # only shrink the open position (exits)
    reverse: bool  # close an opposite position first, then open `size`
    reason: int  # ExitReason written in the order record


class Costs(NamedTuple):
    """A column's trading costs and size rules, gathered once per simulation."""

    fees: float  # fraction of traded value
    fixed_fees: float  # cash per order
    slippage: float  # adverse fraction of the price
    min_size: float  # fills below are rejected (units)
    granularity: float  # sizes are floored to a multiple (NaN: any size)


class Fill(NamedTuple):
    """The outcome of one order: the new state and, when ``filled``, the fill."""

    filled: bool
    cash: float
    position: float
    debt: float
    free_cash: float
    size: float  # units, > 0
    price: float  # fill price, slippage included
    fees: float  # cash paid


@jit()
def no_order() -> Intent:
    return Intent(NO_ORDER, 0.0, AMOUNT, False, False, R_NONE)


REL_TOL = 1e-9
ABS_TOL = 1e-12


@jit()
def is_close(a: float, b: float) -> bool:
    if np.isnan(a) or np.isnan(b) or np.isinf(a) or np.isinf(b):
        return False
    if a == b:
        return True
    return abs(a - b) <= max(REL_TOL * max(abs(a), abs(b)), ABS_TOL)


@jit()
def is_close_or_less(a: float, b: float) -> bool:
    return is_close(a, b) or a < b


@jit()
def is_less(a: float, b: float) -> bool:
    return (not is_close(a, b)) and a < b


@jit()
def add(a: float, b: float) -> float:
    """``a + b``, snapped to exactly 0 when the sum is zero within tolerance."""
    if np.sign(a) != np.sign(b):
        if is_close(abs(a), abs(b)):
            return 0.0
    elif is_close(a + b, 0.0):
        return 0.0
    return a + b


@jit()
def snap(x: float) -> float:
    return 0.0 if is_close(x, 0.0) else x


@jit()
def floor_to(size: float, granularity: float) -> float:
    if np.isnan(granularity):
        return size
    return (size // granularity) * granularity


@jit()
def buy(
    cash: float,
    position: float,
    debt: float,
    free_cash: float,
    size: float,
    price: float,
    fees: float,
    fixed_fees: float,
    slippage: float,
    min_size: float,
    granularity: float,
    percent: float,
    cover_only: bool,
) -> Fill:
    """Buy ``size`` units (``inf`` = as many as the cash allows), or cover a short."""
    adj_price = price * (1.0 + slippage)
    cash_limit = cash
    if not np.isnan(percent):
        cash_limit = min(cash_limit, percent * cash_limit)
    if not cover_only:
        if cash_limit == 0.0:
            return Fill(False, cash, position, debt, free_cash, 0.0, adj_price, 0.0)
    elif position == 0.0:
        return Fill(False, cash, position, debt, free_cash, 0.0, adj_price, 0.0)
    adj_size = min(-position, size) if cover_only else size
    if adj_size == 0.0:
        return Fill(False, cash, position, debt, free_cash, 0.0, adj_price, 0.0)
    adj_size = floor_to(adj_size, granularity)

    req_cash = adj_size * adj_price
    req_fees = req_cash * fees + fixed_fees
    total_req = req_cash + req_fees
    if is_close_or_less(total_req, cash_limit):
        final_size = adj_size
        fees_paid = req_fees
        final_req = total_req
    else:
        max_req_cash = add(cash_limit, -fixed_fees) / (1.0 + fees)
        if max_req_cash <= 0.0:
            return Fill(False, cash, position, debt, free_cash, 0.0, adj_price, 0.0)
        max_size = max_req_cash / adj_price
        if not np.isnan(granularity):
            final_size = floor_to(max_size, granularity)
            new_req = final_size * adj_price
            fees_paid = new_req * fees + fixed_fees
            final_req = new_req + fees_paid
        else:
            final_size = max_size
            fees_paid = cash_limit - max_req_cash
            final_req = cash_limit
    if is_close(final_size, 0.0) or final_size <= 0.0:
        return Fill(False, cash, position, debt, free_cash, 0.0, adj_price, 0.0)
    if is_less(final_size, min_size):
        return Fill(False, cash, position, debt, free_cash, 0.0, adj_price, 0.0)

    new_cash = add(cash, -final_req)
    new_position = add(position, final_size)
    if position < 0.0:
        short_size = final_size if new_position < 0.0 else abs(position)
        avg_entry = debt / abs(position)
        debt_diff = short_size * avg_entry
        new_debt = add(debt, -debt_diff)
        new_free = add(free_cash + 2.0 * debt_diff, -final_req)
    else:
        new_debt = debt
        new_free = add(free_cash, -final_req)
    return Fill(True, new_cash, new_position, new_debt, new_free, final_size, adj_price, fees_paid)


@jit()
def sell(
    cash: float,
    position: float,
    debt: float,
    free_cash: float,
    size: float,
    price: float,
    fees: float,
    fixed_fees: float,
    slippage: float,
    min_size: float,
    granularity: float,
    percent: float,
    close_only: bool,
) -> Fill:
    """Sell ``size`` units of a long position, or sell short.

    With ``size = inf`` and a ``percent``, the size is that fraction of the long position
    plus the largest short the free cash can collateralize.
    """
    adj_price = price * (1.0 - slippage)
    if close_only:
        size_limit = min(position, size)
    elif np.isinf(size) and not np.isnan(percent):
        long_size = max(position, 0.0)
        long_cash = long_size * adj_price * (1.0 - fees)
        total_free = add(free_cash, long_cash)
        if total_free <= 0.0:
            if position <= 0.0:
                return Fill(False, cash, position, debt, free_cash, 0.0, adj_price, 0.0)
            size_limit = long_size
        else:
            max_short = add(total_free, -fixed_fees) / (adj_price * (1.0 + fees))
            size_limit = add(long_size, max_short)
            if size_limit <= 0.0:
                return Fill(False, cash, position, debt, free_cash, 0.0, adj_price, 0.0)
    else:
        size_limit = size
    if not np.isnan(percent):
        size_limit = percent * size_limit
    if close_only and position == 0.0:
        return Fill(False, cash, position, debt, free_cash, 0.0, adj_price, 0.0)
    if np.isinf(size_limit):
        return Fill(False, cash, position, debt, free_cash, 0.0, adj_price, 0.0)
    size_limit = floor_to(size_limit, granularity)
    if is_close(size_limit, 0.0) or size_limit <= 0.0:
        return Fill(False, cash, position, debt, free_cash, 0.0, adj_price, 0.0)
    if is_less(size_limit, min_size):
        return Fill(False, cash, position, debt, free_cash, 0.0, adj_price, 0.0)

    acq_cash = size_limit * adj_price
    fees_paid = acq_cash * fees + fixed_fees
    final_acq = add(acq_cash, -fees_paid)
    if final_acq < 0.0:
        return Fill(False, cash, position, debt, free_cash, 0.0, adj_price, 0.0)
    new_cash = cash + final_acq
    new_position = add(position, -size_limit)
    if new_position < 0.0:
        short_size = size_limit if position < 0.0 else abs(new_position)
        short_value = short_size * adj_price
        new_debt = debt + short_value
        new_free = add(free_cash, add(final_acq, -2.0 * short_value))
    else:
        new_debt = debt
        new_free = free_cash + final_acq
    return Fill(True, new_cash, new_position, new_debt, new_free, size_limit, adj_price, fees_paid)


@jit()
def execute(
    cash: float,
    position: float,
    debt: float,
    free_cash: float,
    intent: Intent,
    price: float,
    costs: Costs,
) -> Fill:
    """Execute ``intent`` at ``price`` (before slippage) against one column's state."""
    size = intent.size
    fees = costs.fees
    fixed_fees = costs.fixed_fees
    slippage = costs.slippage
    if intent.side == SIDE_BUY:
        percent = np.nan
        if intent.reverse and position < 0.0:
            # cover the short, then open `size` long from what is left
            if intent.size_type == PERCENT:
                adj = price * (1.0 + slippage)
                cover_cost = -position * adj * (1.0 + fees)
                rest = max(cash - cover_cost - fixed_fees, 0.0)
                size = -position + size * rest / (adj * (1.0 + fees))
            elif intent.size_type == VALUE:
                size = -position + size / price
            else:
                size = -position + size
        elif intent.size_type == PERCENT:
            percent = size
            size = np.inf
        elif intent.size_type == VALUE:
            size = size / price
        return buy(
            cash,
            position,
            debt,
            free_cash,
            size,
            price,
            fees,
            fixed_fees,
            slippage,
            costs.min_size,
            costs.granularity,
            percent,
            intent.reduce_only,
        )
    percent = np.nan
    if intent.size_type == PERCENT:
        if intent.reverse and position > 0.0:
            # sell the long, then short `size` of what the free cash (with the long's
            # proceeds) can collateralize
            adj = price * (1.0 - slippage)
            total_free = free_cash + position * adj * (1.0 - fees)
            max_short = max(total_free - fixed_fees, 0.0) / (adj * (1.0 + fees))
            size = position + size * max_short
        else:
            percent = size
            size = np.inf
    elif np.isinf(size) and not intent.reduce_only:
        percent = 1.0  # the whole long and the largest short
    else:
        if intent.size_type == VALUE:
            size = size / price
        if intent.reverse and position > 0.0:
            size = position + size
    return sell(
        cash,
        position,
        debt,
        free_cash,
        size,
        price,
        fees,
        fixed_fees,
        slippage,
        costs.min_size,
        costs.granularity,
        percent,
        intent.reduce_only,
    )


@jit()
def book_fill(
    prev_pos: float,
    new_pos: float,
    is_buy: bool,
    fsize: float,
    fprice: float,
    fpaid: float,
    e_size: float,
    e_price: float,
    e_fees: float,
) -> tuple[float, float, float, float, float, bool]:
    """Average-price trade bookkeeping of one fill.

    The part of the fill that reduces the old position closes it (one realized trade, with
    a pro-rata share of the entry fees); the rest opens or adds to a position. Returns
    ``(closed_size, pnl, entry_size, entry_price, entry_fees, opened_new_position)``; the
    same rules as :func:`quantlab.backtest._records_kernel.trades_from_orders`.
    """
    closing = 0.0
    if prev_pos > 0.0 and not is_buy:
        closing = min(fsize, prev_pos)
    elif prev_pos < 0.0 and is_buy:
        closing = min(fsize, -prev_pos)
    pnl = 0.0
    if closing > 0.0:
        frac = closing / e_size if e_size > 0.0 else 1.0
        entry_fees = e_fees * frac
        exit_fees = fpaid * closing / fsize
        if prev_pos > 0.0:
            pnl = closing * (fprice - e_price) - entry_fees - exit_fees
        else:
            pnl = closing * (e_price - fprice) - entry_fees - exit_fees
        e_size -= closing
        e_fees -= entry_fees
    opening = fsize - closing
    opened = False
    if opening > 0.0 and new_pos != 0.0:
        if prev_pos == 0.0 or (prev_pos > 0.0) != (new_pos > 0.0):
            e_size = opening
            e_price = fprice
            e_fees = fpaid * opening / fsize
            opened = True
        else:
            total = e_size + opening
            e_price = (e_price * e_size + fprice * opening) / total
            e_size = total
            e_fees += fpaid * opening / fsize
    if new_pos == 0.0:
        e_size = 0.0
        e_fees = 0.0
    return closing, pnl, e_size, e_price, e_fees, opened
