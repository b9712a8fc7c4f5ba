"""Test data helpers for quantlab.metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd


def make_returns(
    n_bars: int = 300, n_cols: int = 4, seed: int = 0, nan_frac: float = 0.05, heavy: bool = False
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    if heavy:
        data = rng.standard_t(3, size=(n_bars, n_cols)) * 0.01 + 0.0004
    else:
        data = rng.normal(0.0005, 0.012, size=(n_bars, n_cols))
    data = np.clip(data, -0.9, None)
    if nan_frac:
        data[rng.random((n_bars, n_cols)) < nan_frac] = np.nan
    index = pd.bdate_range("2015-01-01", periods=n_bars)
    return pd.DataFrame(data, index=index, columns=[f"s{i}" for i in range(n_cols)])
