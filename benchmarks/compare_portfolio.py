"""Portfolio: walk-forward overhead over skfolio's fits, and vectorized risk decomposition.

1. Walk-forward optimization on 50 assets x 20 years of business days (5,040 bars), monthly
   rebalance ("ME"), lookback 252: ``quantlab.portfolio.walk_forward`` times the estimator's
   clone + fit itself (``fit_seconds``); the rest of the call (validation, window slicing,
   weight checks, turnover, the ``from_weights`` backtest) is quantlab's own work. Target:
   <= 10 % of the total. skfolio's own ``cross_val_predict`` with ``WalkForward(21, 252)``
   (about the same number of fits, fixed weights, no backtest) is timed alongside.
2. Risk decomposition of 2,000 portfolios x 50 assets over 2,520 bars, one call per measure,
   against a per-portfolio loop of the slow reference of tests/portfolio/test_risk.py.

BLAS runs single-threaded (set below, before NumPy loads): on this shared 2-core machine a
multi-threaded OpenBLAS under load made one 2,520 x 50 ``np.cov`` take 0.2 s instead of 1 ms.

Run: ``python benchmarks/compare_portfolio.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
sys.path.insert(0, os.path.dirname(__file__))
from _data import prices
from compare_backtest import best_of

warnings.filterwarnings("ignore")


def _slow_loop(r, w, measure):  # type: ignore[no-untyped-def]
    import numpy as np

    cov = np.cov(r, rowvar=False)
    k = int((len(r) - 1) * 0.05) + 1
    out = []
    for p in range(len(w)):
        port = r @ w[p]
        if measure == "volatility":
            s = np.sqrt(w[p] @ cov @ w[p])
            out.append(w[p] * (cov @ w[p]) / s)
        else:
            order = np.argsort(port, kind="stable")
            tail = order[k - 1 : k] if measure == "var" else order[:k]
            out.append(-w[p] * r[tail].mean(axis=0))
    return np.array(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    import numpy as np
    import pandas as pd
    from skfolio.model_selection import WalkForward, cross_val_predict
    from skfolio.optimization import HierarchicalRiskParity, MeanRisk

    import quantlab as ql

    n_bars = 1200 if args.quick else 5040
    close = prices(n_bars, 50, seed=3)
    ql.portfolio.walk_forward(MeanRisk(), close.iloc[:400, :5], lookback=252)  # numba compile
    print(f"walk-forward: {n_bars} bars x 50 assets, rebalance='ME', lookback=252")
    for name, est in [("MeanRisk(min variance)", MeanRisk()), ("HRP", HierarchicalRiskParity())]:
        res = ql.portfolio.walk_forward(est, close, rebalance="ME", lookback=252, fees=0.0005)
        n = len(res.weights)
        own = res.total_seconds - res.fit_seconds
        t0 = time.perf_counter()
        X = close.pct_change().iloc[1:]
        pred = cross_val_predict(est, X, cv=WalkForward(test_size=21, train_size=252))
        sk = time.perf_counter() - t0
        print(
            f"  {name:24s} rebalances {n:4d}  total {res.total_seconds:7.3f} s  "
            f"fit {res.fit_seconds:7.3f} s  quantlab own {own:6.3f} s "
            f"({own / n * 1e3:.2f} ms per rebalance) = {100 * res.overhead_fraction:.1f} % "
            f"of total (target <= 10 %)  |  skfolio cross_val_predict "
            f"({len(pred.portfolios)} folds) {sk:7.3f} s"
        )

    n_p, n_a, n_t = (200, 50, 1000) if args.quick else (2000, 50, 2520)
    rng = np.random.default_rng(0)
    r = pd.DataFrame(rng.normal(0, 0.01, (n_t, n_a)))
    w = pd.DataFrame(rng.dirichlet(np.ones(n_a), n_p))
    print(f"risk decomposition: {n_p} portfolios x {n_a} assets x {n_t} bars, one call")
    for measure in ("volatility", "var", "cvar"):
        fast = best_of(lambda m=measure: ql.portfolio.risk_contributions(r, w, m), 3)
        slow = best_of(lambda m=measure: _slow_loop(r.to_numpy(), w.to_numpy(), m), 1)
        got = ql.portfolio.risk_contributions(r, w, measure).contribution.to_numpy()
        err = np.abs(got - _slow_loop(r.to_numpy(), w.to_numpy(), measure)).max()
        print(
            f"  {measure:10s} quantlab {fast * 1e3:8.1f} ms  per-portfolio loop "
            f"{slow * 1e3:8.1f} ms  ratio {slow / fast:6.1f}x  max |diff| {err:.1e}"
        )


if __name__ == "__main__":
    main()
