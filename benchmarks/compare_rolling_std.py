"""Side-by-side: the three rolling-std call sites vs ``pandas.DataFrame.rolling().std()``.

Run: ``python benchmarks/compare_rolling_std.py``. 500 columns x 2,520 rows of NaN-laced
returns (1% NaN), window 21 and 63, in this process on the same data. Prints best-of-5
seconds and the pandas/quantlab ratio for :func:`quantlab.metrics.rolling_volatility`
(``min_periods`` rule, running sums), :func:`quantlab.indicators.rolling_volatility`
(whole-window rule, running sums) and the ``vol`` feature of :class:`quantlab.ml.FeatureSet`
(whole-window rule, exact per-window sums). Used to check that moving the three kernels
into :mod:`quantlab._rolling` did not slow them (machine shared: compare ratios).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from quantlab import indicators, metrics
from quantlab.ml import _kernels as ml_kernels


def best_of(fn: Callable[[], Any], repeat: int = 5) -> float:
    fn()
    best = np.inf
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    rng = np.random.default_rng(0)
    arr = rng.normal(0.0, 0.01, (2520, 500))
    arr[rng.random(arr.shape) < 0.01] = np.nan
    df = pd.DataFrame(arr, index=pd.bdate_range("2010-01-01", periods=2520))
    for w in (21, 63):
        t_pd = best_of(lambda w=w: df.rolling(w, min_periods=w // 2).std())
        cases = {
            "metrics.rolling_volatility(min_periods=w//2)": lambda w=w: metrics.rolling_volatility(
                df, w, min_periods=w // 2, periods_per_year=1
            ),
            "indicators.rolling_volatility": lambda w=w: indicators.rolling_volatility(df, w),
            "ml vol feature kernel (exact)": lambda w=w: ml_kernels.rolling_std(arr, w, 1),
        }
        print(f"window {w}: pandas rolling.std {t_pd * 1e3:8.2f} ms")
        for name, fn in cases.items():
            t = best_of(fn)
            print(f"  {name:46s} {t * 1e3:8.2f} ms   pandas/quantlab {t_pd / t:6.2f}x")


if __name__ == "__main__":
    main()
