"""Shared, seeded benchmark inputs (generated: nothing is downloaded)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def prices(n_bars: int = 8000, n_assets: int = 20, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rets = rng.normal(0.0003, 0.015, size=(n_bars, n_assets))
    idx = pd.bdate_range("1995-01-02", periods=n_bars)
    return pd.DataFrame(
        100 * np.exp(np.cumsum(rets, axis=0)),
        index=idx,
        columns=[f"S{i:02d}" for i in range(n_assets)],
    )


def sma_pairs(n_pairs: int = 100) -> list[tuple[int, int]]:
    fast = range(5, 55, 5)
    slow = range(20, 220, 20)
    pairs = [(f, s) for f in fast for s in slow]
    return pairs[:n_pairs]


def crossover_signals(
    close: pd.DataFrame, pairs: list[tuple[int, int]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Entries/exits of SMA crossovers, columns MultiIndex (fast, slow, symbol)."""
    windows = sorted({w for p in pairs for w in p})
    sma = {w: close.rolling(w).mean().to_numpy() for w in windows}
    ent, ext, keys = [], [], []
    for f, s in pairs:
        a, b = sma[f], sma[s]
        above = a > b
        prev = np.vstack([np.zeros((1, above.shape[1]), bool), above[:-1]])
        valid = ~np.isnan(b)
        prev_valid = np.vstack([np.zeros((1, valid.shape[1]), bool), valid[:-1]])
        ent.append(above & ~prev & valid & prev_valid)
        ext.append(~above & prev & valid & prev_valid)
        keys.extend((f, s, c) for c in close.columns)
    cols = pd.MultiIndex.from_tuples(keys, names=["fast", "slow", "symbol"])
    e = pd.DataFrame(np.hstack(ent), index=close.index, columns=cols)
    x = pd.DataFrame(np.hstack(ext), index=close.index, columns=cols)
    return e, x
