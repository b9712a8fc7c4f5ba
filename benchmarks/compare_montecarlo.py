"""Side-by-side: quantlab.montecarlo vs quantstats' Monte Carlo on the same return series.

Run: ``python benchmarks/compare_montecarlo.py`` (prints throughput, the ratio and memory).

Workload of the issue: one historical series of 8,000 daily returns, 10,000 paths x 8,000
steps, terminal wealth and the maximum drawdown of every path. quantstats
(``qs.stats.montecarlo(...)`` then ``.maxdd``, ``.stats``, ``.bust_probability``,
``.goal_probability``) materializes every path, so it runs on fewer paths (``--qs-sims``)
and its rate is compared in path-steps per second. Both use shuffling (quantstats' only
method); quantlab's iid bootstrap is shown too. Timings are the best of ``--repeat`` runs
after a warm-up (numba compilation excluded), in wall-clock and process CPU seconds (the
CPU figure is less sensitive to other processes on a shared machine).

Memory: peak RSS growth of a fresh subprocess for the 10,000 x 8,000 run and the
100,000 paths x 2,520 steps x 20 assets, monthly rebalancing, stationary bootstrap run
(``resource.getrusage`` ``ru_maxrss``), plus tracemalloc's peak of the Python-side arrays.
"""

from __future__ import annotations

import argparse
import json
import resource  # noqa: F401  (used in the subprocess code)
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import quantlab.montecarlo as mc

N_STEPS = 8_000


def series(n: int = N_STEPS) -> pd.Series:
    rng = np.random.default_rng(20240601)
    idx = pd.bdate_range("1990-01-01", periods=n)
    return pd.Series(rng.normal(0.0004, 0.011, n), index=idx, name="strategy")


def best_of(fn, repeat: int) -> tuple[float, float]:
    wall, cpu = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu)


def run_quantstats(r: pd.Series, sims: int) -> dict:
    import quantstats as qs

    mc_res = qs.stats.montecarlo(r, sims=sims, bust=-0.3, goal=1.0, seed=0)
    return {
        "maxdd": mc_res.maxdd,
        "stats": mc_res.stats,
        "bust": mc_res.bust_probability,
        "goal": mc_res.goal_probability,
    }


def run_quantlab(r: pd.Series, n_paths: int, method: str) -> dict:
    res = mc.simulate(r, n_paths=n_paths, horizon=len(r), method=method, seed=0, goal=2.0)
    return {
        "maxdd_mean": float(res.max_drawdowns.mean()),
        "terminal_median": float(np.median(res.terminal_wealth)),
        "prob_goal": res.prob_goal(),
    }


_CHILD = r"""
import json, resource, sys, time
import numpy as np
sys.path.insert(0, {root!r})
import quantlab.montecarlo as mc
kind = {kind!r}
rng = np.random.default_rng(7)
if kind == "single":
    hist = rng.normal(0.0004, 0.011, 8000)
    kw = dict(n_paths=10_000, horizon=8000, method="bootstrap", periods_per_year=252)
else:
    hist = rng.normal(0.0003, 0.01, size=(2520, 20))
    kw = dict(n_paths=100_000, horizon=2520, method="stationary_bootstrap", block_length=20,
              rebalance="M", fees=0.0005, periods_per_year=252)
mc.simulate(hist[:50], n_paths=4, horizon=20, seed=0,
            **{{k: v for k, v in kw.items() if k not in ("n_paths", "horizon")}})  # compile

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return float("nan")

compile_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
try:  # reset the peak RSS (VmHWM) so it measures the run alone
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
except OSError:
    pass
base = status("VmRSS")
t0, c0 = time.perf_counter(), time.process_time()
res = mc.simulate(hist, seed=1, **kw)
dt, cpu = time.perf_counter() - t0, time.process_time() - c0
peak = status("VmHWM")
print(json.dumps(dict(seconds=dt, cpu=cpu, base_mb=base, peak_mb=peak, growth_mb=peak - base,
                      compile_peak_mb=compile_peak,
                      ru_maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
"""


def child_memory(kind: str) -> dict:
    code = _CHILD.format(root=str(ROOT), kind=kind)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paths", type=int, default=10_000)
    ap.add_argument("--qs-sims", type=int, default=1_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-memory", action="store_true")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")

    r = series()
    run_quantlab(r.iloc[:100], 10, "shuffle")  # compile outside the timings
    run_quantlab(r.iloc[:100], 10, "bootstrap")

    qs_wall, qs_cpu = best_of(lambda: run_quantstats(r, args.qs_sims), args.repeat)
    qs_steps = args.qs_sims * len(r)
    print(
        f"quantstats  {args.qs_sims:>7,} sims x {len(r):,} steps: {qs_wall:7.3f} s wall "
        f"({qs_steps / qs_wall / 1e6:7.1f} M path-steps/s), {qs_cpu:7.3f} s CPU "
        f"({qs_steps / qs_cpu / 1e6:7.1f} M/s)"
    )
    steps = args.paths * len(r)
    for method in ("shuffle", "bootstrap"):
        wall, cpu = best_of(lambda m=method: run_quantlab(r, args.paths, m), args.repeat)
        print(
            f"quantlab    {args.paths:>7,} paths x {len(r):,} steps ({method:9s}): "
            f"{wall:7.3f} s wall ({steps / wall / 1e6:7.1f} M path-steps/s), {cpu:7.3f} s CPU; "
            f"ratio vs quantstats: {(steps / wall) / (qs_steps / qs_wall):6.1f}x wall-clock"
        )

    tracemalloc.start()
    run_quantlab(r, args.paths, "bootstrap")
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"quantlab {args.paths:,} x {len(r):,}: tracemalloc peak {traced / 2**20:.1f} MiB")
    tracemalloc.start()
    run_quantstats(r, args.qs_sims)
    _, traced_qs = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"quantstats {args.qs_sims:,} x {len(r):,}: tracemalloc peak {traced_qs / 2**20:.1f} MiB "
        f"(~{traced_qs / 2**30 * args.paths / args.qs_sims:.1f} GiB at {args.paths:,} sims)"
    )
    print(
        "numpy index-matrix approach at 10,000 x 8,000: indices + gathered returns + "
        f"cumprod = {3 * 10_000 * 8_000 * 8 / 2**30:.1f} GiB"
    )
    if args.skip_memory:
        return
    for kind, label in (
        ("single", "10,000 x 8,000 bootstrap"),
        ("multi", "100,000 x 2,520 x 20 assets, monthly rebalance, stationary bootstrap"),
    ):
        m = child_memory(kind)
        print(
            f"subprocess {label}: {m['seconds']:.2f} s wall, {m['cpu']:.2f} s CPU; peak RSS "
            f"during the run {m['peak_mb']:.0f} MB = {m['base_mb']:.0f} MB before it "
            f"(interpreter, numpy/pandas/numba) + {m['growth_mb']:.1f} MB; process-lifetime "
            f"ru_maxrss {m['ru_maxrss_mb']:.0f} MB (includes numba compilation)"
        )


if __name__ == "__main__":
    main()
