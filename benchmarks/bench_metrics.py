"""pytest-benchmark suite of quantlab.metrics (not part of the test suite's assertions).

    /work/venv/bin/pytest benchmarks/bench_metrics.py --benchmark-only

The peer comparison (empyrical) lives in ``benchmarks/compare_metrics.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quantlab.metrics as qm
from quantlab.metrics import inference

N_BARS = 8000
N_COLS = 500


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    data = rng.standard_t(4, size=(N_BARS, N_COLS)) * 0.01
    data[rng.random(data.shape) < 0.001] = np.nan
    return pd.DataFrame(data, index=pd.bdate_range("1990-01-01", periods=N_BARS))


@pytest.fixture(scope="module")
def bench(returns: pd.DataFrame) -> pd.Series:
    return returns.mean(axis=1)


def test_summary(benchmark, returns):
    qm.summary(returns.iloc[:100, :8])
    benchmark(qm.summary, returns)


def test_summary_with_benchmark(benchmark, returns, bench):
    qm.summary(returns.iloc[:100, :8], bench.iloc[:100])
    benchmark(qm.summary, returns, bench)


def test_sharpe(benchmark, returns):
    qm.sharpe(returns.iloc[:100, :8])
    benchmark(qm.sharpe, returns)


def test_rolling_sharpe(benchmark, returns):
    qm.rolling_sharpe(returns.iloc[:100, :8], 63)
    benchmark(qm.rolling_sharpe, returns, 63)


def test_pbo(benchmark, returns):
    benchmark(inference.pbo, returns.iloc[:2000, :50], 16)
