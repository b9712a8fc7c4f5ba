"""Side-by-side: quantlab.events.event_study vs a straightforward vectorized pandas/NumPy study.

Run: ``python benchmarks/compare_events.py`` (prints times, the ratio, the agreement of the
numbers and the peak memory; raw output saved in benchmarks/results/compare_events.txt).

Workload of the issue: a market-model event study of 200,000 events on 3,000 assets x 15
years of daily bars (3,780 bars), estimation window 250 bars ending 10 bars (``gap``)
before the event window [-10, +60]; the market is the equal-weight mean of the panel's
returns. Both sides start from the price panel and the event table and end with the
abnormal returns (200,000 x 71), the OLS alpha/beta/sigma of every event and the CARs.

The baseline is what one writes with pandas/NumPy without a kernel: returns by
``ffill().pct_change()``, the market by ``mean(axis=1)``, day 0 by ``searchsorted``, then
the estimation and event windows gathered by fancy indexing into ``(events, 250)`` and
``(events, 71)`` matrices and the OLS done with masked column sums (centred), in chunks of
20,000 events so its memory stays bounded too. quantlab runs with ``overlap="keep"`` (the
baseline has no overlap rule); the default ``overlap="drop"`` is timed as well.

Timings: best of ``--repeat`` runs after a warm-up (numba compilation excluded), wall and
process CPU seconds (the machine is shared: CPU seconds are the steadier figure). Memory:
peak RSS of a fresh subprocess running quantlab's study (``ru_maxrss``, whole process:
interpreter, data and numba compilation included) and its growth over the RSS before the
study.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import quantlab as ql

N_ASSETS, N_BARS, N_EVENTS = 3_000, 3_780, 200_000
ESTIMATION, GAP, WINDOW = 250, 10, (-10, 60)


def make_data(
    n_assets: int = N_ASSETS, n_bars: int = N_BARS, n_events: int = N_EVENTS, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    index = pd.bdate_range("2010-01-01", periods=n_bars)
    m = rng.normal(0.0003, 0.01, n_bars).astype(np.float64)
    r = rng.normal(0.0, 0.015, (n_bars, n_assets))
    r += m[:, None] * rng.uniform(0.5, 1.5, n_assets)
    np.log1p(r, out=r)
    np.cumsum(r, axis=0, out=r)
    np.exp(r, out=r)
    r *= 50.0
    r[rng.random(r.shape) < 0.001] = np.nan  # a few bars without a price
    cols = [f"S{j:04d}" for j in range(n_assets)]
    prices = pd.DataFrame(np.asfortranarray(r), index=index, columns=cols, copy=False)
    bars = rng.integers(ESTIMATION + GAP - WINDOW[0] + 5, n_bars - WINDOW[1] - 1, n_events)
    events = pd.DataFrame(
        {
            "filer": [f"filer {i}" for i in rng.integers(0, 500, n_events)],
            "symbol": np.asarray(cols, dtype=object)[rng.integers(0, n_assets, n_events)],
            "available_at": index[bars] - pd.Timedelta(hours=12) * rng.integers(0, 2, n_events),
        }
    )
    return prices, events


def baseline(events: pd.DataFrame, prices: pd.DataFrame, chunk: int = 20_000) -> dict:
    """Vectorized pandas/NumPy market-model event study (no kernel)."""
    rets = prices.ffill().pct_change(fill_method=None).where(prices.notna())
    market = rets.mean(axis=1)
    r = rets.to_numpy()
    mk = market.to_numpy()
    col = prices.columns.get_indexer(events["symbol"])
    day0 = prices.index.searchsorted(events["available_at"])
    a, b = WINDOW
    n = len(events)
    out = {k: np.empty(n) for k in ("alpha", "beta", "sigma", "car")}
    out["ar"] = np.empty((n, b - a + 1))
    est_offsets = np.arange(-ESTIMATION, 0) + a - GAP
    win_offsets = np.arange(a, b + 1)
    for s in range(0, n, chunk):
        c = slice(s, min(n, s + chunk))
        rows = day0[c, None] + est_offsets
        y = r[rows, col[c, None]]
        x = mk[rows]
        ok = np.isfinite(y) & np.isfinite(x)
        cnt = ok.sum(axis=1)
        my = np.where(ok, y, 0.0).sum(axis=1) / cnt
        mx = np.where(ok, x, 0.0).sum(axis=1) / cnt
        dy = np.where(ok, y - my[:, None], 0.0)
        dx = np.where(ok, x - mx[:, None], 0.0)
        sxx = (dx * dx).sum(axis=1)
        sxy = (dx * dy).sum(axis=1)
        syy = (dy * dy).sum(axis=1)
        beta = sxy / sxx
        alpha = my - beta * mx
        sigma = np.sqrt((syy - beta * sxy) / (cnt - 2))
        wrows = day0[c, None] + win_offsets
        ar = r[wrows, col[c, None]] - alpha[:, None] - beta[:, None] * mk[wrows]
        out["alpha"][c], out["beta"][c], out["sigma"][c] = alpha, beta, sigma
        out["ar"][c] = ar
        out["car"][c] = np.nansum(ar, axis=1)
    return out


def run_quantlab(events: pd.DataFrame, prices: pd.DataFrame, overlap: str = "keep") -> dict:
    es = ql.events.event_study(
        events,
        prices,
        model="market",
        estimation=ESTIMATION,
        gap=GAP,
        window=WINDOW,
        overlap=overlap,
    )
    return {"study": es, "car": es.car()}


def best_of(fn, repeat: int) -> tuple[float, float, object]:
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu), result


CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
import compare_events as ce
small_p, small_e = ce.make_data(50, 400, 100)
ce.run_quantlab(small_e, small_p)  # compile (or load) the kernels
prices, events = ce.make_data()
def rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
before = rss()
before_max = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t0 = time.perf_counter()
res = ce.run_quantlab(events, prices)
dt = time.perf_counter() - t0
print(json.dumps(dict(seconds=dt, rss_before=before, maxrss_before=before_max,
                      maxrss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
"""


def child_memory() -> dict:
    code = CHILD.format(root=str(ROOT), bench=str(ROOT / "benchmarks"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-repeat", type=int, default=1)
    args = parser.parse_args()

    small_p, small_e = make_data(50, 400, 100)
    run_quantlab(small_e, small_p)  # numba compilation, excluded from the timings
    t0 = time.perf_counter()
    prices, events = make_data()
    print(
        f"data: {N_EVENTS:,} events, {N_ASSETS:,} assets x {N_BARS:,} bars "
        f"({time.perf_counter() - t0:.1f} s to generate); estimation {ESTIMATION}, gap {GAP}, "
        f"window {WINDOW}"
    )
    q_wall, q_cpu, q = best_of(lambda: run_quantlab(events, prices), args.repeat)
    b_wall, b_cpu, ref = best_of(lambda: baseline(events, prices), args.baseline_repeat)
    d_wall, d_cpu, d = best_of(lambda: run_quantlab(events, prices, "drop"), args.repeat)
    print(f"baseline (pandas/NumPy, vectorized): {b_wall:8.3f} s wall, {b_cpu:8.3f} s CPU")
    print(
        f"quantlab event_study (overlap=keep):  {q_wall:8.3f} s wall, {q_cpu:8.3f} s CPU; "
        f"ratio {b_wall / q_wall:6.1f}x wall, {b_cpu / q_cpu:6.1f}x CPU"
    )
    print(
        f"quantlab event_study (overlap=drop):  {d_wall:8.3f} s wall, {d_cpu:8.3f} s CPU; "
        f"ratio {b_wall / d_wall:6.1f}x wall; {len(d['study'].events):,} events kept, "
        f"{d['study'].report.counts['overlap']:,} overlaps dropped"
    )

    es = q["study"]
    assert len(es.events) == N_EVENTS, es.report
    params = es.params
    diffs = {
        "ar": np.nanmax(np.abs(es.ar.to_numpy() - ref["ar"])),
        "alpha": np.max(np.abs(params["alpha"].to_numpy() - ref["alpha"])),
        "beta": np.max(np.abs(params["beta_market"].to_numpy() - ref["beta"])),
        "sigma": np.max(np.abs(params["sigma"].to_numpy() - ref["sigma"])),
        "car": np.nanmax(np.abs(q["car"].to_numpy() - ref["car"])),
    }
    same_nan = bool((np.isnan(es.ar.to_numpy()) == np.isnan(ref["ar"])).all())
    print(
        "max |quantlab - baseline|: "
        + ", ".join(f"{k} {v:.2e}" for k, v in diffs.items())
        + f"; same NaN pattern: {same_nan}"
    )
    assert max(diffs.values()) < 1e-9 and same_nan

    t_wall, t_cpu, _ = best_of(lambda: es.tests(0, 20, n_boot=199), 1)
    print(f"quantlab .tests(0, 20), all {N_EVENTS:,} events, 199 bootstrap draws: {t_wall:.2f} s")

    m = child_memory()
    print(
        f"memory (fresh subprocess): peak RSS {m['maxrss']:.0f} MB for the whole process "
        f"(interpreter, data, numba); RSS before the study {m['rss_before']:.0f} MB, peak "
        f"before it {m['maxrss_before']:.0f} MB; study run {m['seconds']:.2f} s"
    )


if __name__ == "__main__":
    main()
