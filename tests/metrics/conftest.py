"""Data shared by the metric tests: small random panels, some heavy-tailed, with NaN."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.metrics.helpers import make_returns


@pytest.fixture(params=["normal", "heavy"])
def panel(request: pytest.FixtureRequest) -> pd.DataFrame:
    return make_returns(seed=1, heavy=request.param == "heavy")


@pytest.fixture(params=["normal", "heavy"])
def clean_panel(request: pytest.FixtureRequest) -> pd.DataFrame:
    return make_returns(seed=2, heavy=request.param == "heavy", nan_frac=0.0)


@pytest.fixture
def bench(panel: pd.DataFrame) -> pd.Series:
    rng = np.random.default_rng(7)
    b = pd.Series(rng.normal(0.0003, 0.01, len(panel)), index=panel.index, name="bench")
    b.iloc[rng.random(len(b)) < 0.03] = np.nan
    return b
