"""pytest-benchmark suite of the engine (run: ``pytest benchmarks --benchmark-only``).

Absolute times on shared machines are noisy; ``compare_backtest.py`` reports the ratios
against vectorbt that the targets are stated in.
"""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from _data import crossover_signals, prices, sma_pairs

import quantlab as ql


@pytest.fixture(scope="module")
def grid() -> tuple:
    close = prices(8000, 20)
    entries, exits = crossover_signals(close, sma_pairs(100))
    return close, entries, exits


def test_from_signals_full(benchmark, grid) -> None:
    close, entries, exits = grid
    benchmark(lambda: ql.backtest.from_signals(close, entries, exits, fees=0.001))


def test_from_signals_stats_only(benchmark, grid) -> None:
    close, entries, exits = grid
    benchmark(lambda: ql.backtest.from_signals(close, entries, exits, fees=0.001, mode="stats"))


def test_from_signals_equity_panel(benchmark, grid) -> None:
    close, entries, exits = grid
    benchmark(lambda: ql.backtest.from_signals(close, entries, exits, fees=0.001).equity)
