"""Slow, obviously-correct reference of disclosures -> copy-trade target weights.

Written from the rules in the docstring of :mod:`quantlab.events.copytrade`, not from the
kernel: every event is placed with plain comparisons of timestamps, then each group is
simulated bar by bar with a dict of held positions, and a row of weights is written at
every bar where a position opened or closed. Plain Python loops, no numba.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def place_events(table, close, open=None, clock="disclosure"):
    """Per row: (bar or None, reason or None, deferred flag)."""
    index = list(close.index)
    exec_prices = open if open is not None else close
    column = "available_at" if clock == "disclosure" else "transaction_date"
    out = []
    for _, row in table.iterrows():
        known = row[column]
        sym = str(row["symbol"])
        if sym not in close.columns:
            out.append((None, "missing_symbol", False))
            continue
        if known <= index[0]:
            out.append((None, "before_history", False))
            continue
        first = None
        for i, ts in enumerate(index):
            if ts >= known:
                first = i
                break
        if first is None:
            out.append((None, "after_history", False))
            continue
        bar = None
        for i in range(first, len(index)):
            if not math.isnan(exec_prices[sym].iloc[i]):
                bar = i
                break
        if bar is None:
            out.append((None, "no_price", False))
            continue
        out.append((bar, None, bar > first))
    return out


def copy_weights(
    table,
    close,
    *,
    open=None,
    hold=20,
    exit_on_sale=True,
    weighting="equal",
    max_positions=None,
    position_cap=None,
    short_sales=False,
    per="filer",
    clock="disclosure",
):
    """(weights DataFrame, counts dict, n_opened) following the documented rules."""
    placed = place_events(table, close, open, clock)
    n_bars = len(close.index)
    counts = {
        r: 0
        for r in (
            "missing_symbol",
            "before_history",
            "after_history",
            "no_price",
            "deferred_nan_price",
            "skipped_full",
        )
    }
    events = []  # (group, bar, side, table position, symbol, amount)
    for pos, ((_, row), (bar, reason, deferred)) in enumerate(
        zip(table.iterrows(), placed, strict=True)
    ):
        if reason is not None:
            counts[reason] += 1
            continue
        if deferred:
            counts["deferred_nan_price"] += 1
        group = "all" if per is None else row[per]
        events.append((group, bar, int(row["side"]), pos, str(row["symbol"]), row["amount_mid"]))
    groups = sorted({e[0] for e in events})
    columns = []
    for g in groups:
        for sym in sorted({e[4] for e in events if e[0] == g}, key=list(close.columns).index):
            columns.append((g, sym))
    weights = {c: [float("nan")] * n_bars for c in columns}
    n_opened = 0
    for g in groups:
        mine = [e for e in events if e[0] == g]
        held = {}  # symbol -> [direction, end bar, amount]
        for b in range(n_bars):
            changed = False
            for sym in list(held):
                if held[sym][1] <= b:
                    del held[sym]
                    changed = True
            today = [e for e in mine if e[1] == b]
            today.sort(key=lambda e: (e[2], e[3]))  # sales first, then table order
            for _, _, side, _, sym, amount in today:
                if sym in held and held[sym][0] == side:
                    held[sym][1] = max(held[sym][1], b + hold)
                    continue
                if sym in held:  # opposite side
                    if not exit_on_sale:
                        continue
                    del held[sym]
                    changed = True
                if side < 0 and not short_sales:
                    continue
                if max_positions is not None and len(held) >= max_positions:
                    counts["skipped_full"] += 1
                    continue
                held[sym] = [side, b + hold, amount]
                n_opened += 1
                changed = True
            if not changed:
                continue
            scores = {s: (v[2] if weighting == "amount" else 1.0) for s, v in held.items()}
            total = sum(scores.values())
            for gg, sym in columns:
                if gg != g:
                    continue
                w = held[sym][0] * scores[sym] / total if sym in held else 0.0
                if position_cap is not None:
                    w = min(max(w, -position_cap), position_cap)
                weights[(g, sym)][b] = w
    if per is None:
        cols = pd.Index([s for _, s in columns], name="symbol")
    else:
        cols = pd.MultiIndex.from_tuples(columns, names=[per, "symbol"])
    frame = pd.DataFrame(
        np.array([weights[c] for c in columns], dtype=float).T.reshape(n_bars, len(columns)),
        index=close.index,
        columns=cols,
    )
    return frame, counts, n_opened
