"""pytest-benchmark suite of the ML features (run: ``pytest benchmarks --benchmark-only``).

Absolute times on shared machines are noisy; ``compare_features.py`` reports the ratio
against the equivalent pandas groupby/rolling implementation that the target is stated in.
"""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from compare_features import feature_set, make_close

from quantlab.data import sample_universe
from quantlab.ml import FeatureSet, forward_returns, triple_barrier_labels


@pytest.fixture(scope="module")
def close():
    return make_close(500, 2520)


def test_feature_set_compute_500x2520x20(benchmark, close) -> None:
    fs = feature_set()
    fs.compute(close.iloc[:100])  # compile / load the kernels outside the timing
    benchmark(lambda: fs.compute(close))


def test_feature_set_latest_500_assets(benchmark, close) -> None:
    fs = feature_set()
    benchmark(lambda: fs.latest(close))


def test_default_set_with_events(benchmark) -> None:
    u = sample_universe(n_assets=200, n_days=1260, seed=0)
    fs = FeatureSet.default()
    benchmark(lambda: fs.compute(u, u.events))


def test_labels_500x2520(benchmark, close) -> None:
    benchmark(lambda: (forward_returns(close, 5), triple_barrier_labels(close, 10)))
