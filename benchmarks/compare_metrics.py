"""Side by side: quantlab.metrics.summary() vs empyrical-reloaded computing ten metrics.

2,000 columns x 8,000 daily returns (seeded, heavy-tailed, a few NaN). quantlab computes
*every* summary metric (36 rows) in one call; empyrical computes ten (annual return,
volatility, Sharpe, Sortino, Calmar, max drawdown, Omega, tail ratio, VaR, CVaR) the way a
user would: vectorized over the 2-D array where empyrical supports it (annual return,
volatility, Sharpe, Sortino, max drawdown), column by column where it does not (Calmar,
Omega, tail ratio, VaR, CVaR). Best of 3 after a warm-up; prints both times and the ratio.

    /work/venv/bin/python benchmarks/compare_metrics.py [--cols 2000] [--bars 8000]
"""

from __future__ import annotations

import argparse
import os
import time

import empyrical as ep
import numpy as np
import pandas as pd

import quantlab.metrics as qm

PPY = 252


def make_data(n_bars: int, n_cols: int, seed: int = 42) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = rng.standard_t(4, size=(n_bars, n_cols)) * 0.01 + 0.0003
    data[rng.random(data.shape) < 0.001] = np.nan
    index = pd.bdate_range("1990-01-01", periods=n_bars)
    return pd.DataFrame(data, index=index, columns=[f"s{i}" for i in range(n_cols)])


def empyrical_ten(df: pd.DataFrame) -> dict[str, np.ndarray]:
    arr = df.to_numpy()
    out = {
        "annual_return": ep.annual_return(arr, annualization=PPY),
        "annual_volatility": ep.annual_volatility(arr, annualization=PPY),
        "sharpe": ep.sharpe_ratio(arr, annualization=PPY),
        "sortino": ep.sortino_ratio(arr, annualization=PPY),
        "max_drawdown": ep.max_drawdown(arr),
    }
    cols = [arr[:, c] for c in range(arr.shape[1])]
    out["calmar"] = np.array([ep.calmar_ratio(c, annualization=PPY) for c in cols])
    out["omega"] = np.array([ep.omega_ratio(c, annualization=PPY) for c in cols])
    out["tail_ratio"] = np.array([ep.tail_ratio(c) for c in cols])
    out["value_at_risk"] = np.array([ep.value_at_risk(c[~np.isnan(c)]) for c in cols])
    out["cvar"] = np.array([ep.conditional_value_at_risk(c) for c in cols])
    return out


def best_of(func, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cols", type=int, default=2000)
    parser.add_argument("--bars", type=int, default=8000)
    args = parser.parse_args()
    df = make_data(args.bars, args.cols)
    qm.summary(df.iloc[:200, :16])  # compile / load the kernels
    empyrical_ten(df.iloc[:200, :16])
    t_ql = best_of(lambda: qm.summary(df))
    t_ep = best_of(lambda: empyrical_ten(df))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"data: {args.bars} bars x {args.cols} columns, cpus={os.cpu_count()}, load={load:.2f}")
    print(f"quantlab summary() ({len(qm.SUMMARY_ROWS)} metrics): {t_ql:8.3f} s")
    print(f"empyrical (10 metrics)                : {t_ep:8.3f} s")
    print(f"ratio empyrical / quantlab            : {t_ep / t_ql:8.1f}x")


if __name__ == "__main__":
    main()
