"""Slow, obviously-correct references for the kernels of quantlab.ml (loops and pandas)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def rolling_std(x: np.ndarray, window: int, ddof: int) -> np.ndarray:
    return pd.DataFrame(x).rolling(window).std(ddof=ddof).to_numpy()


def xs_rank(x: np.ndarray) -> np.ndarray:
    return pd.DataFrame(x).rank(axis=1, pct=True).to_numpy()


def triple_barrier(close, upper, lower, side, horizon):
    n, m = close.shape
    label = np.full((n, m), np.nan)
    ret = np.full((n, m), np.nan)
    end = np.full((n, m), np.nan)
    for j in range(m):
        for i in range(n - 1):
            vals = (close[i, j], upper[i, j], lower[i, j], side[i, j])
            if not all(np.isfinite(v) for v in vals) or side[i, j] == 0:
                continue
            path = [
                (k, side[i, j] * (close[k, j] / close[i, j] - 1.0))
                for k in range(i + 1, min(i + horizon, n - 1) + 1)
                if np.isfinite(close[k, j])
            ]
            if not path:
                continue
            hit, exit_k, exit_r = 0.0, i + horizon, path[-1][1]
            for k, r in path:
                if r >= upper[i, j]:
                    hit, exit_k, exit_r = 1.0, k, r
                    break
                if r <= -lower[i, j]:
                    hit, exit_k, exit_r = -1.0, k, r
                    break
            if hit == 0.0 and i + horizon > n - 1:
                continue  # vertical barrier beyond the data and no touch: unknown
            label[i, j], ret[i, j], end[i, j] = hit, exit_r, exit_k
    return label, ret, end


def average_uniqueness(start, end, col, n_bars, n_cols):
    conc = np.zeros((n_bars, n_cols))
    for s, e, c in zip(start, end, col, strict=True):
        conc[s : e + 1, c] += 1
    return np.array(
        [np.mean(1.0 / conc[s : e + 1, c]) for s, e, c in zip(start, end, col, strict=True)]
    )
