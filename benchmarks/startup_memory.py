"""Start-up time and stats-only memory of the engine, each measured in a fresh process.

* ``import quantlab`` (target < 0.3 s);
* the first ``from_signals`` call in a fresh process with the numba disk cache warm
  (target < 1 s; the script warms the cache first);
* the stats-only mode on 20,000 columns x 8,000 bars: peak RSS growth during the call
  relative to the size of its inputs (target <= 1.5x).

Run: ``python benchmarks/startup_memory.py`` (``--columns 2000`` for a quicker run).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap


def _run(code: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


IMPORT = """
import json, time
t = time.perf_counter()
import quantlab
print(json.dumps({"import_s": time.perf_counter() - t}))
"""

FIRST_CALL = """
import json, time
t0 = time.perf_counter()
import numpy as np, pandas as pd
import quantlab as ql
idx = pd.bdate_range("2020-01-01", periods=500)
rng = np.random.default_rng(0)
close = pd.DataFrame(100 + np.cumsum(rng.normal(0, 1, (500, 4)), 0), index=idx)
entries = pd.DataFrame(rng.random((500, 4)) < 0.05, index=idx)
exits = pd.DataFrame(rng.random((500, 4)) < 0.05, index=idx)
t1 = time.perf_counter()
res = ql.backtest.from_signals(close, entries, exits, fees=0.001)
res.equity
t2 = time.perf_counter()
print(json.dumps({"first_call_s": t2 - t1, "imports_s": t1 - t0}))
"""

MEMORY = """
import json, resource, sys
import numpy as np, pandas as pd
import quantlab as ql
n_bars, n_cols, n_assets = 8000, {n_cols}, 20
idx = pd.bdate_range("1995-01-02", periods=n_bars)
rng = np.random.default_rng(0)
close = pd.DataFrame(100 * np.exp(np.cumsum(rng.normal(0, 0.01, (n_bars, n_assets)), 0)),
                     index=idx, columns=[f"S{{i}}" for i in range(n_assets)])
cols = pd.MultiIndex.from_product([range(n_cols // n_assets), close.columns])
# build the signal frames column-major (the layout pandas keeps them in), in chunks so
# that building them does not set the process's peak RSS
def signals():
    out = np.empty((n_cols, n_bars), dtype=bool)
    for lo in range(0, n_cols, 500):
        out[lo : lo + 500] = rng.random((min(500, n_cols - lo), n_bars)) < 0.01
    return pd.DataFrame(out.T, index=idx, columns=cols, copy=False)
ent = signals()
ext = signals()
small = ql.backtest.from_signals(close.iloc[:50], ent.iloc[:50, :40], ext.iloc[:50, :40],
                                 fees=0.001, mode="stats")   # compile / load kernels first
inputs = ent.to_numpy().nbytes + ext.to_numpy().nbytes + close.to_numpy().nbytes
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
res = ql.backtest.from_signals(close, ent, ext, fees=0.001, mode="stats")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"inputs_mb": inputs / 1e6, "peak_before_mb": before / 1e6,
                   "peak_after_mb": after / 1e6, "growth_mb": (after - before) / 1e6,
                   "rows": len(res.table)}}))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--columns", type=int, default=20_000)
    args = ap.parse_args()
    imp = min(_run(IMPORT)["import_s"] for _ in range(3))
    _run(FIRST_CALL)  # warm the disk cache
    first = min((_run(FIRST_CALL) for _ in range(3)), key=lambda d: d["first_call_s"])
    mem = _run(MEMORY.format(n_cols=args.columns))
    print(f"import quantlab: {imp:.3f} s (target < 0.3 s)")
    print(
        f"first from_signals in a fresh process (warm cache): {first['first_call_s']:.3f} s "
        f"(target < 1 s; numpy/pandas/quantlab imports before it: {first['imports_s']:.3f} s)"
    )
    ratio = mem["growth_mb"] / mem["inputs_mb"]
    print(
        f"stats-only, 8000 bars x {mem['rows']} columns: inputs {mem['inputs_mb']:.0f} MB, "
        f"peak RSS grew {mem['growth_mb']:.0f} MB during the call = {ratio:.2f}x the inputs "
        f"(peak RSS {mem['peak_after_mb']:.0f} MB, {mem['peak_before_mb']:.0f} MB before); "
        "target <= 1.5x"
    )


if __name__ == "__main__":
    main()
