"""A/B timing of the three rolling-std entry kernels (metrics, indicators, ml), kernel only.

Run once against the old tree and once against the new one, alternating, with
``NUMBA_NUM_THREADS=1`` (less noise on a shared machine), e.g.
``cd <old checkout> && python benchmarks/ab_rolling_std_kernels.py old`` then
``PYTHONPATH=$PWD python benchmarks/ab_rolling_std_kernels.py new``. 500 columns x 2,520
rows, 1% NaN; prints best-of-15 milliseconds per kernel for windows 21 and 63.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from quantlab.indicators import _kernels as K
from quantlab.metrics import _rolling as R
from quantlab.ml import _kernels as M


def best(f: Callable[[], Any], r: int = 15) -> float:
    f()
    b = np.inf
    for _ in range(r):
        gc.collect()
        t = time.perf_counter()
        f()
        b = min(b, time.perf_counter() - t)
    return float(b * 1e3)


def main(tag: str) -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(0, 0.01, (2520, 500))
    a[rng.random(a.shape) < 0.01] = np.nan
    at = np.ascontiguousarray(a.T)
    for w in (21, 63):
        t_m = best(lambda w=w: R.rolling_mean_std(a, w, w // 2))
        t_i = best(lambda w=w: K.rolling_std(at, np.array([w]), 1))
        t_ml = best(lambda w=w: M.rolling_std(a, w, 1))
        print(f"{tag} {w} metrics {t_m:.1f}  indicators {t_i:.1f}  ml {t_ml:.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "run")
