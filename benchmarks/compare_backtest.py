"""Side-by-side: quantlab's engine vs vectorbt on identical inputs, in one process.

Run: ``python benchmarks/compare_backtest.py`` (add ``--quick`` for a smaller smoke run).
Prints best-of-N wall times after warm-up and the throughput ratios the engine issue
targets: from_signals >= 15x, stats-only mode >= 100x vectorbt's from_signals followed by
its total_return/sharpe_ratio/max_drawdown, from_weights >= 10x from_orders with
target-percent sizing and cash sharing.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from _data import crossover_signals, prices, sma_pairs

warnings.filterwarnings("ignore")


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


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
    print(f"from_signals: {n_bars} bars x {n_cols} columns ({len(pairs)} pairs x 20 assets)")

    q_full = lambda: ql.backtest.from_signals(close, entries, exits, fees=0.001)
    q_stats = lambda: ql.backtest.from_signals(close, entries, exits, fees=0.001, mode="stats")
    v_full = lambda: vbt.Portfolio.from_signals(close_wide, entries, exits, fees=0.001, freq="D")

    def v_stats() -> None:
        pf = vbt.Portfolio.from_signals(close_wide, entries, exits, fees=0.001, freq="D")
        pf.total_return()
        pf.sharpe_ratio()
        pf.max_drawdown()

    def q_full_equity() -> None:
        ql.backtest.from_signals(close, entries, exits, fees=0.001).equity  # noqa: B018

    def v_full_equity() -> None:
        vbt.Portfolio.from_signals(close_wide, entries, exits, fees=0.001, freq="D").value()

    for f in (q_full, q_stats, v_full, q_full_equity):  # warm-up (JIT, caches)
        f()
    rows = []
    t_q = best_of(q_full, args.repeat)
    t_v = best_of(v_full, args.repeat)
    rows.append(("from_signals (call)", t_q, t_v, 15))
    t_qe = best_of(q_full_equity, args.repeat)
    t_ve = best_of(v_full_equity, args.repeat)
    rows.append(("from_signals + equity panel", t_qe, t_ve, None))
    t_qs = best_of(q_stats, args.repeat)
    t_vs = best_of(v_stats, max(1, args.repeat - 1))
    rows.append(("stats-only vs from_signals+3 metrics", t_qs, t_vs, 100))

    # consistency check of what is being timed
    r = q_full()
    pf = v_full()
    err = np.max(np.abs(r.equity.to_numpy() - pf.value().to_numpy()) / pf.value().to_numpy())
    s = q_stats()
    err_s = np.max(np.abs(s.table["total_return"].to_numpy() - pf.total_return().to_numpy()))
    print(f"  equity max rel diff vs vectorbt: {err:.2e}; stats total_return diff: {err_s:.2e}")

    # from_weights: 100 portfolios x 20 assets, weekly target weights
    rng = np.random.default_rng(5)
    n_port = 100
    raw = rng.random((n_bars, 20 * n_port))
    w = raw / raw.reshape(n_bars, n_port, 20).sum(axis=2).repeat(20, axis=1)
    weekly = np.zeros(n_bars, bool)
    weekly[::5] = True
    w[~weekly] = np.nan
    wcols = pd.MultiIndex.from_product([range(n_port), close.columns], names=["port", "symbol"])
    weights = pd.DataFrame(w, index=close.index, columns=wcols)
    close_w = pd.DataFrame(np.tile(close.to_numpy(), n_port), index=close.index, columns=wcols)
    q_w = lambda: ql.backtest.from_weights(close, weights, fees=0.0005)

    def v_w() -> None:
        vbt.Portfolio.from_orders(
            close_w,
            weights,
            size_type="targetpercent",
            group_by="port",
            cash_sharing=True,
            call_seq="auto",
            fees=0.0005,
            freq="D",
        )

    q_w()
    v_w()
    rows.append(
        ("from_weights vs from_orders", best_of(q_w, args.repeat), best_of(v_w, args.repeat), 10)
    )

    print(f"{'workload':42s} {'quantlab s':>11s} {'vectorbt s':>11s} {'ratio':>8s} {'target':>7s}")
    for name, tq, tv, target in rows:
        tgt = f">={target}x" if target else "-"
        print(f"{name:42s} {tq:11.4f} {tv:11.4f} {tv / tq:7.1f}x {tgt:>7s}")
    print(f"(machine load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
