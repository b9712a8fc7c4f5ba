"""Side-by-side: an SMA-crossover sweep end to end, quantlab vs vectorbt, one process.

100 (fast, slow) pairs on 20 assets x 8,000 bars: indicators + signals + backtest +
total return / Sharpe / max drawdown per column. quantlab runs ``optimize.sweep`` with a
vectorized strategy (SMA grids computed once per window, all crossovers in one kernel,
one stats-only engine call); vectorbt runs ``MA.run`` on the fast and slow windows of
the same pairs + ``ma_crossed_above/below`` + ``Portfolio.from_signals`` + its three
metrics. Target: >= 30x. Run: ``python benchmarks/compare_optimize.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(__file__))
from _data import prices, sma_pairs
from compare_backtest import best_of

warnings.filterwarnings("ignore")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    import numpy as np
    import vectorbt as vbt

    import quantlab as ql

    n_bars = 1000 if args.quick else 8000
    close = prices(n_bars, 20)
    pairs = sma_pairs(100)
    fast_list = [f for f, _ in pairs]
    slow_list = [s for _, s in pairs]

    @ql.optimize.vectorized
    def sma_cross(data, fast, slow):
        f = ql.indicators.sma(data, sorted(set(fast)))
        s = ql.indicators.sma(data, sorted(set(slow)))
        names = ["fast", "slow"]
        return (
            ql.signals.crossed_above(f, s, names=names),
            ql.signals.crossed_below(f, s, names=names),
        )

    grid = {"fast": sorted(set(fast_list)), "slow": sorted(set(slow_list))}

    def ours():
        res = ql.optimize.sweep(sma_cross, grid, close, fees=0.001, progress=False)
        return res.table[["total_return", "sharpe", "max_drawdown"]]

    def theirs():
        # exactly the same 100 (fast, slow) pairs: one MA column per pair side
        fast_ma = vbt.MA.run(close, window=fast_list, short_name="fast")
        slow_ma = vbt.MA.run(close, window=slow_list, short_name="slow")
        entries = fast_ma.ma_crossed_above(slow_ma)
        exits = fast_ma.ma_crossed_below(slow_ma)
        pf = vbt.Portfolio.from_signals(close, entries, exits, fees=0.001, freq="D")
        return pf.total_return(), pf.sharpe_ratio(), pf.max_drawdown()

    ours()
    theirs()
    t_q = best_of(ours, args.repeat)
    t_v = best_of(theirs, max(1, args.repeat - 1))
    n_q = len(ours())
    tr, _, _ = theirs()
    print(f"SMA sweep, {n_bars} bars x 20 assets: quantlab {n_q} columns, vectorbt {len(tr)}")
    print(f"{'workload':40s} {'quantlab s':>11s} {'vectorbt s':>11s} {'ratio':>8s} {'target':>7s}")
    print(f"{'sweep end to end':40s} {t_q:11.4f} {t_v:11.4f} {t_v / t_q:7.1f}x {'>=30x':>7s}")
    res = ql.optimize.sweep(sma_cross, grid, close, fees=0.001, progress=False)
    t0 = time.perf_counter()
    dsr = res.deflated_sharpe
    p = res.pbo(16)
    t_diag = time.perf_counter() - t0
    print(
        f"diagnostics of the grid ({res.n_combinations} combinations): deflated Sharpe "
        f"{dsr:.3f}, PBO {p.pbo:.3f} in {t_diag:.3f} s"
    )
    print(f"(machine load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")
    _ = np


if __name__ == "__main__":
    main()
