"""Side-by-side: shared-cash from_signals, quantlab vs vectorbt, in one process.

Run: ``python benchmarks/compare_shared_cash.py`` (``--quick`` for a smaller smoke run).
100 groups (SMA crossover parameter pairs) x 20 assets x 8,000 bars, each group one
account (``group_by=["fast", "slow"], cash_sharing=True``; vectorbt with
``call_seq="auto"``), 10 % of the cash per entry, 0.1 % fees. Prints best-of-N wall times
after warm-up and the ratio the engine issue targets (>= 15x vectorbt's grouped
cash-sharing from_signals), and the equity difference of what was timed.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from _data import crossover_signals, prices, sma_pairs
from compare_backtest import best_of

warnings.filterwarnings("ignore")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n_bars = 1000 if args.quick else 8000
    import vectorbt as vbt

    import quantlab as ql

    close = prices(n_bars, 20)
    pairs = sma_pairs(100)
    entries, exits = crossover_signals(close, pairs)
    n_cols = entries.shape[1]
    close_wide = pd.DataFrame(
        np.tile(close.to_numpy(), len(pairs)), index=close.index, columns=entries.columns
    )
    print(
        f"shared-cash from_signals: {n_bars} bars x {n_cols} columns "
        f"({len(pairs)} groups x 20 assets)"
    )
    kw = {"size": 0.1, "size_type": "percent", "fees": 0.001}
    group = ["fast", "slow"]

    def q_full() -> object:
        return ql.backtest.from_signals(
            close, entries, exits, group_by=group, cash_sharing=True, **kw
        )

    def q_stats() -> object:
        return ql.backtest.from_signals(
            close, entries, exits, group_by=group, cash_sharing=True, mode="stats", **kw
        )

    def v_full() -> object:
        return vbt.Portfolio.from_signals(
            close_wide,
            entries,
            exits,
            group_by=group,
            cash_sharing=True,
            call_seq="auto",
            freq="D",
            **kw,
        )

    def v_stats() -> None:
        pf = v_full()
        pf.total_return()  # type: ignore[attr-defined]
        pf.sharpe_ratio()  # type: ignore[attr-defined]
        pf.max_drawdown()  # type: ignore[attr-defined]

    for f in (q_full, q_stats, v_full):  # warm-up (JIT, caches)
        f()
    rows = [
        (
            "grouped from_signals (call)",
            best_of(q_full, args.repeat),
            best_of(v_full, args.repeat),
            15,
        ),
        (
            "grouped stats-only vs from_signals+3 metrics",
            best_of(q_stats, args.repeat),
            best_of(v_stats, max(1, args.repeat - 1)),
            None,
        ),
    ]
    r = q_full()
    pf = v_full()
    ours = r.equity.to_numpy()  # type: ignore[attr-defined]
    theirs = pf.value().to_numpy()  # type: ignore[attr-defined]
    print(f"  equity max rel diff vs vectorbt: {np.max(np.abs(ours - theirs) / theirs):.2e}")
    print(f"{'workload':46s} {'quantlab s':>11s} {'vectorbt s':>11s} {'ratio':>8s} {'target':>7s}")
    for name, tq, tv, target in rows:
        tgt = f">={target}x" if target else "-"
        print(f"{name:46s} {tq:11.4f} {tv:11.4f} {tv / tq:7.1f}x {tgt:>7s}")
    print(f"(machine load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
