"""pytest-benchmark suite of ``quantlab.predict`` (run: ``pytest benchmarks --benchmark-only``).

The model is saved to a local directory (no tracking store), so this measures the cache hit
and the fast path; ``compare_predict.py`` adds the registry, pyfunc and thread figures.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import quantlab as ql

N_FEATURES = 30


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, object, np.ndarray]:
    import lightgbm

    from quantlab.tracking.model_format import save_model

    rng = np.random.default_rng(0)
    names = [f"f{i:02d}" for i in range(N_FEATURES)]
    X = rng.normal(size=(20_000, N_FEATURES))
    y = X[:, 0] - X[:, 1] + rng.normal(size=len(X))
    params = {"objective": "regression", "verbose": -1, "num_threads": 1}
    booster = lightgbm.train(params, lightgbm.Dataset(X, y, feature_name=names), 200)
    path = Path(tmp_path_factory.mktemp("bench")) / "model"
    save_model(str(path), quantlab_model=booster)
    return str(path), booster, X[:1].copy()


def test_raw_booster_one_row(benchmark, model_dir) -> None:
    _, booster, row = model_dir
    benchmark(lambda: booster.predict(row, num_threads=1))


def test_predict_one_row_dict(benchmark, model_dir) -> None:
    path, _, row = model_dir
    request = {f"f{i:02d}": float(v) for i, v in enumerate(row[0])}
    ql.predict(path, request)
    benchmark(lambda: ql.predict(path, request))


def test_predict_one_row_array(benchmark, model_dir) -> None:
    path, _, row = model_dir
    ql.predict(path, row)
    benchmark(lambda: ql.predict(path, row))


def test_predict_batch_1000(benchmark, model_dir) -> None:
    path, _, _ = model_dir
    X = np.random.default_rng(1).normal(size=(1000, N_FEATURES))
    benchmark(lambda: ql.predict(path, X))
