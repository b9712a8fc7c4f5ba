"""Shared fixtures of the tracking and serving tests: a real SQLite MLflow store on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest


def store_env(monkeypatch: pytest.MonkeyPatch, root: Path) -> str:
    """Point quantlab at the SQLite store under ``root``; return the URI."""
    uri = f"sqlite:///{root / 'mlflow.db'}"
    monkeypatch.setenv("QUANTLAB_TRACKING_URI", uri)
    monkeypatch.setenv("QUANTLAB_ARTIFACT_ROOT", str(root / "mlartifacts"))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return uri


@pytest.fixture(scope="session")
def store_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store per test session (creating an MLflow DB costs seconds)."""
    return tmp_path_factory.mktemp("mlstore")


@pytest.fixture
def tracking(monkeypatch: pytest.MonkeyPatch, store_root: Path) -> Iterator[str]:
    """The session store as the active tracking URI, with an empty serving cache."""
    from quantlab.serving import clear_cache

    clear_cache()
    yield store_env(monkeypatch, store_root)
    clear_cache()


def regression_data(
    n: int = 600, n_features: int = 5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    y = X[:, 0] - 0.5 * X[:, 1] + rng.normal(scale=0.5, size=n)
    return X, y, [f"f{i}" for i in range(n_features)]


def booster(n_trees: int = 20, n_features: int = 5, seed: int = 0, shift: float = 0.0) -> object:
    import lightgbm

    X, y, names = regression_data(n_features=n_features, seed=seed)
    params = {"objective": "regression", "verbose": -1, "num_threads": 1, "min_data_in_leaf": 20}
    return lightgbm.train(params, lightgbm.Dataset(X, y + shift, feature_name=names), n_trees)
