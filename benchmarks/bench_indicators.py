"""pytest-benchmark suite of indicators and signals (run: ``pytest benchmarks/bench_indicators.py
--benchmark-only``).

Shapes follow the sweep use case: 20 assets x 8,000 bars, 20 windows, all (fast, slow) pairs.
The pandas loop is the baseline a user would otherwise write. Absolute times on shared
machines are noisy; compare ratios.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, os.path.dirname(__file__))
from _data import prices

import quantlab.indicators as qi
import quantlab.signals as qs

WINDOWS = list(range(10, 210, 10))  # 20 windows
FAST = list(range(5, 55, 5))  # 10 fast x 10 slow = 100 pairs x 20 assets = 2,000 columns
SLOW = list(range(20, 220, 20))


@pytest.fixture(scope="module")
def close() -> pd.DataFrame:
    data = prices(8000, 20)
    qi.sma(data.iloc[:50], [2, 3])  # compile / load the kernels outside the timing
    qs.crossed_above(qi.sma(data.iloc[:50], [2]), qi.ema(data.iloc[:50], [3]))
    return data


def test_sma_20_windows(benchmark, close) -> None:
    out = benchmark(lambda: qi.sma(close, WINDOWS))
    assert out.shape == (8000, 400)


def test_sma_20_windows_pandas_baseline(benchmark, close) -> None:
    def run() -> pd.DataFrame:
        return pd.concat({w: close.rolling(w).mean() for w in WINDOWS}, axis=1)

    out = benchmark(run)
    np.testing.assert_allclose(out.to_numpy(), qi.sma(close, WINDOWS).to_numpy(), rtol=1e-9)


def test_rsi_20_windows(benchmark, close) -> None:
    benchmark(lambda: qi.rsi(close, WINDOWS))


def test_crossover_all_pairs(benchmark, close) -> None:
    fast, slow = qi.sma(close, FAST), qi.sma(close, SLOW)
    out = benchmark(lambda: qs.crossed_above(fast, slow, names=("fast", "slow")))
    assert out.shape == (8000, 2000)


def test_sma_and_crossover_all_pairs_end_to_end(benchmark, close) -> None:
    def run() -> pd.DataFrame:
        fast, slow = qi.sma(close, FAST), qi.sma(close, SLOW)
        return qs.crossed_above(fast, slow, names=("fast", "slow"))

    benchmark(run)
