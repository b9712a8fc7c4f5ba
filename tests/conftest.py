"""Shared pytest configuration.

Hypothesis runs a bounded number of examples so the suite stays well under 15 minutes;
set ``HYPOTHESIS_PROFILE=thorough`` locally for a deeper search.
"""

from __future__ import annotations

import os
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

# Worker processes (joblib's loky pool, Dask workers) unpickle strategies defined in test
# modules by reference, so they must be able to import ``tests.*`` too.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (_ROOT, os.environ.get("PYTHONPATH", "")) if p
)
if _ROOT not in sys.path:  # loky workers copy the parent's sys.path
    sys.path.insert(0, _ROOT)

settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261128)


def make_prices(
    n_bars: int, n_assets: int, seed: int = 0, start: str = "2010-01-01"
) -> pd.DataFrame:
    """Geometric random-walk close prices on a business-day index (test helper)."""
    gen = np.random.default_rng(seed)
    rets = gen.normal(0.0003, 0.015, size=(n_bars, n_assets))
    close = 100.0 * np.exp(np.cumsum(rets, axis=0))
    index = pd.bdate_range(start, periods=n_bars)
    return pd.DataFrame(close, index=index, columns=[f"A{i}" for i in range(n_assets)])
