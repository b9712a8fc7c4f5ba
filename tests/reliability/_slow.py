"""Strategies the Dask workers import by reference (test modules are not importable there)."""

from __future__ import annotations

import time

import pandas as pd

#: Seconds each combination sleeps, so a worker can be killed while it runs a chunk.
SLEEP = 0.3


def cross(data: pd.DataFrame, fast: int, slow: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    f, s = data.rolling(fast).mean(), data.rolling(slow).mean()
    return (f > s) & (f.shift() <= s.shift()), (f < s) & (f.shift() >= s.shift())


def slow_cross(data: pd.DataFrame, fast: int, slow: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    time.sleep(SLEEP)
    return cross(data, fast, slow)
