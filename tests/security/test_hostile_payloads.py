"""Hostile input: recipes, prediction requests (library and HTTP API) and model artifacts.

Every bad input ends in a quantlab error (also the matching builtin) whose message names
what was wrong, is bounded in size, and leaves nothing behind (no run logged). A model
directory crafted to run code on load is refused unless ``trusted=True``, and the tests
prove the payload never ran -- and that it WOULD have run, so the check can see it.

Request size: ``quantlab.predict`` has no row limit (10^6 rows as an array, 10^5 as JSON
dicts work); the HTTP API caps a request at ``QUANTLAB_API_MAX_ROWS`` rows (10,000) and
``QUANTLAB_API_MAX_BYTES`` bytes (4 MiB) and answers 413 above.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import pickle
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import quantlab as ql
from quantlab.errors import (
    AlignmentError,
    DataTypeError,
    ParameterError,
    QuantlabError,
    ShapeError,
    UntrustedModelError,
    ValidationError,
)
from quantlab.tracking.recipe import validate_recipe
from tests.tracking._store import booster, store_env

ROOT = Path(__file__).resolve().parents[2]
NAMES = [f"f{i}" for i in range(5)]
ROW = {n: 0.1 * i for i, n in enumerate(NAMES)}
MAX_MESSAGE = 5_000  # an error message never echoes a huge payload back


# ------------------------------------------------------------------ recipes


@pytest.mark.parametrize(
    ("recipe", "names"),
    [
        ({"modle": {"name": "ridge"}}, ["'modle'", "did you mean 'model'"]),
        ({"data": {"n_asets": 5}}, ["'data.n_asets'", "data.n_assets"]),
        ({"data": {"n_days": "500"}}, ["'data.n_days'", "int", "str"]),
        ({"data": {"n_days": 500.0}}, ["'data.n_days'", "float"]),
        ({"data": {"n_days": True}}, ["'data.n_days'", "bool"]),
        ({"label": {"horizon": [5]}}, ["'label.horizon'", "list"]),
        ({"model": {"name": "lgbm", "params": [1, 2]}}, ["'model.params'", "table"]),
        ({"model": "lgbm"}, ["'model'", "table"]),
        ({"costs": {"fees": "0.001"}}, ["'costs.fees'"]),
        ({"costs": {"fees": {"$gt": 0}}}, ["'costs.fees'", "dict"]),
        ({"label": {"kind": "__import__('os')"}}, ["'label.kind'", "forward_returns"]),
        ({"features": [{"window": 5}]}, ["'features[0]'", "kind"]),
        ({"features": "all"}, ["'features'", "default"]),
        ({"alias": "production"}, ["'alias'", "register_as"]),
        ({"data": {"seed": "x" * 1_000_000}}, ["'data.seed'", "str"]),
    ],
)
def test_invalid_recipe_is_refused_by_validate_recipe(recipe: dict, names: list[str]) -> None:
    with pytest.raises(ParameterError) as info:
        validate_recipe(recipe)
    assert isinstance(info.value, ValueError)
    msg = str(info.value)
    assert len(msg) < MAX_MESSAGE
    for part in names:
        assert part in msg, msg


@pytest.mark.parametrize("recipe", [None, [], "model = 'lgbm'", 42, b"\x80\x04"])
def test_a_recipe_must_be_a_mapping(recipe: Any) -> None:
    with pytest.raises(ParameterError, match="recipe must be a dict"):
        validate_recipe(recipe)


def test_huge_recipes_fail_fast() -> None:
    t0 = time.perf_counter()
    with pytest.raises(ParameterError) as info:
        validate_recipe({f"key{i}": i for i in range(100_000)})
    assert len(str(info.value)) < MAX_MESSAGE
    with pytest.raises(ParameterError, match=r"features\[50000\]"):
        validate_recipe({"features": [{"kind": "ret"}] * 50_000 + [{"window": 1}]})
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(500):
        node["x"] = {}
        node = node["x"]
    with pytest.raises(ParameterError):
        validate_recipe({"model": {"name": "lgbm", "params": {}}, "data": deep})
    assert time.perf_counter() - t0 < 10


BASE: dict[str, Any] = {
    "data": {"source": "sample", "n_assets": 6, "n_days": 200, "seed": 1},
    "features": [{"kind": "ret", "window": 5}],
    "model": {"name": "ridge"},
    "cv": {"n_splits": 3},
}


@pytest.fixture
def hostile_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    from quantlab.serving import clear_cache

    clear_cache()
    yield store_env(monkeypatch, tmp_path)
    clear_cache()


@pytest.mark.parametrize(
    ("override", "names"),
    [
        ({"model": {"name": "nope"}}, "nope"),
        ({"model": {"name": "lgbm", "params": {"num_threads": 1}}}, "num_threads"),
        ({"costs": {"fees": float("nan")}}, "fees"),
        ({"costs": {"fees": float("inf")}}, "fees"),
        ({"costs": {"fees": -1.0}}, "fees"),
        ({"label": {"horizon": -5}}, "horizon"),
        ({"features": [{"kind": "ret", "window": "5"}]}, "window"),
        ({"features": [{"kind": "bogus"}]}, "bogus"),
        ({"positions": {"quantile": float("nan")}}, "quantile"),
        ({"cv": {"n_splits": 0}}, "n_splits"),
        ({"data": {"source": "/etc/passwd"}}, "source"),
    ],
    ids=lambda v: json.dumps(v, default=str)[:40] if isinstance(v, dict) else str(v),
)
def test_bad_recipe_values_fail_train_cleanly_and_log_nothing(
    hostile_store: str, override: dict, names: str
) -> None:
    """Values only the pipeline can check still end in a quantlab error, before logging."""
    from mlflow import MlflowClient

    recipe = {**copy.deepcopy(BASE), **override}
    with pytest.raises(QuantlabError) as info:
        ql.train(recipe, experiment="hostile")
    assert names in str(info.value), str(info.value)
    assert len(str(info.value)) < MAX_MESSAGE
    client = MlflowClient(tracking_uri=hostile_store)
    exp = client.get_experiment_by_name("hostile")
    assert exp is None or client.search_runs([exp.experiment_id]) == []


# ------------------------------------------------------------------ prediction requests


@pytest.fixture(scope="module")
def lgbm_model() -> Any:
    return ql.load_model(booster(), feature_names=NAMES)


@pytest.fixture(scope="module")
def strict_model() -> Any:
    """A third-party estimator: NaN refused (nan_policy 'raise')."""
    from sklearn.linear_model import LinearRegression

    est = LinearRegression().fit(np.eye(5), np.arange(5.0))
    return ql.load_model(est, feature_names=NAMES)


@pytest.mark.parametrize(
    ("request_", "error", "names"),
    [
        ({**ROW, "f9": 1.0}, AlignmentError, "'f9'"),
        ({**{k: v for k, v in ROW.items() if k != "f3"}, "f_3": 1.0}, AlignmentError, "'f3'"),
        ({k: v for k, v in ROW.items() if k != "f0"}, AlignmentError, "'f0'"),
        ({**ROW, "f0": {"$gt": 0}}, DataTypeError, "'f0'"),
        ({**ROW, "f1": [1.0, 2.0]}, DataTypeError, "'f1'"),
        ({**ROW, "f2": "0.5"}, DataTypeError, "'f2'"),
        ({**ROW, "f2": True}, DataTypeError, "'f2'"),
        ({**ROW, "f4": 1 + 2j}, DataTypeError, "'f4'"),
        ({**ROW, "f4": float("inf")}, ValidationError, "'f4'"),
        ({**ROW, "f4": -float("inf")}, ValidationError, "'f4'"),
        ({}, ValidationError, "empty"),
        ([], ValidationError, "empty"),
        ([ROW, "f0"], ShapeError, "2-D"),
        ({1: 0.5, **ROW}, AlignmentError, "'1'"),
        ("f0=1", DataTypeError, "dict"),
        ({ROW["f0"]}, DataTypeError, "set"),
        (np.ones(5), ShapeError, "2-D"),
        (np.ones((2, 4)), AlignmentError, "4 column"),
        (np.array([["a"] * 5]), DataTypeError, "dtype"),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, str) else v[:20],
)
def test_hostile_requests_get_clear_errors(
    lgbm_model: Any, request_: Any, error: type, names: str
) -> None:
    with pytest.raises(error) as info:
        ql.predict(lgbm_model, request_)
    assert isinstance(info.value, QuantlabError)
    assert names in str(info.value), str(info.value)


def test_nan_follows_the_models_policy(lgbm_model: Any, strict_model: Any) -> None:
    missing = {**ROW, "f0": float("nan")}
    assert np.isfinite(ql.predict(lgbm_model, missing)).all()  # LightGBM: native missing
    assert np.isfinite(ql.predict(lgbm_model, {**ROW, "f0": None})).all()  # JSON null
    with pytest.raises(ValidationError, match="'f0' is NaN"):
        ql.predict(strict_model, missing)
    with pytest.raises(ValidationError, match="'f0' is NaN"):
        ql.predict(strict_model, {**ROW, "f0": None})


def test_a_huge_key_is_not_echoed_back(lgbm_model: Any) -> None:
    with pytest.raises(AlignmentError) as info:
        ql.predict(lgbm_model, {**ROW, "x" * 1_000_000: 1.0})
    assert len(str(info.value)) < MAX_MESSAGE, f"message of {len(str(info.value))} chars"


def test_large_requests_work(lgbm_model: Any) -> None:
    big = np.random.default_rng(0).normal(size=(1_000_000, 5))
    y = ql.predict(lgbm_model, big)
    assert y.shape == (1_000_000,) and np.isfinite(y).all()
    rows = [ROW] * 100_000
    assert ql.predict(lgbm_model, rows).shape == (100_000,)
    bad = [ROW] * 99_999 + [{**ROW, "f2": "x"}]
    with pytest.raises(DataTypeError, match="request row 99999"):
        ql.predict(lgbm_model, bad)


# ------------------------------------------------------------------ the HTTP API


@pytest.fixture
def api(hostile_store: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from quantlab.tracking import register_model
    from tests.integration._servers import mlflow_globals

    monkeypatch.setenv("QUANTLAB_API_MODEL", "api-hostile")
    monkeypatch.setenv("QUANTLAB_API_MAX_ROWS", "100")
    monkeypatch.setenv("QUANTLAB_API_MAX_BYTES", str(64 * 1024))
    with mlflow_globals(hostile_store):
        register_model(booster(), "api-hostile", alias="production", feature_names=NAMES)
        spec = importlib.util.spec_from_file_location(
            "quantlab_api_app", ROOT / "examples" / "api" / "app.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        with TestClient(module.app) as client:
            yield client


def test_api_refuses_hostile_requests(api: Any) -> None:
    ok = api.post("/predict", json=ROW)
    assert ok.status_code == 200, ok.text
    assert ok.json()["version"] == "1" and len(ok.json()["predictions"]) == 1
    assert api.get("/health").json()["version"] == "1"

    def post(body: bytes | str) -> Any:
        return api.post("/predict", content=body, headers={"content-type": "application/json"})

    cases = [
        (post(b"{not json"), 400, "InvalidJSON"),
        (post(b"\xff\xfe"), 400, "InvalidJSON"),
        (post('{"f0": NaN, "f1": 0, "f2": 0, "f3": 0, "f4": 0}'), 400, "NaN"),
        (post('{"f0": Infinity, "f1": 0, "f2": 0, "f3": 0, "f4": 0}'), 400, "Infinity"),
        (post("42"), 422, "DataTypeError"),
        (post('"row"'), 422, "DataTypeError"),
        (post("[]"), 422, "ValidationError"),
        (post("{}"), 422, "ValidationError"),
        (api.post("/predict", json={**ROW, "f0": {"nested": [1]}}), 422, "'f0'"),
        (api.post("/predict", json={**ROW, "f2": "0.5"}), 422, "'f2'"),
        (api.post("/predict", json={**ROW, "f9": 1}), 422, "'f9'"),
        (api.post("/predict", json=[ROW] * 101), 413, "TooManyRows"),
        (post(b"[" + b"1," * 40_000 + b"1]"), 413, "PayloadTooLarge"),
        (post(b"[" * 100_000), 413, "PayloadTooLarge"),
        (post(b"[" * 30_000 + b"]" * 30_000), 400, "InvalidJSON"),  # too deep for json
    ]
    for i, (resp, status, text) in enumerate(cases):
        assert resp.status_code == status, (i, resp.status_code, resp.text[:300])
        assert text in resp.text, (i, resp.text[:300])
        assert len(resp.content) < MAX_MESSAGE + 200, (i, len(resp.content))
    assert api.post("/predict", json=[ROW] * 100).status_code == 200  # at the limit


# ------------------------------------------------------------------ crafted model artifacts


class _Payload:
    """Unpickling this runs ``exec(code)``: it writes the marker file."""

    def __init__(self, marker: Path) -> None:
        self.code = f"open({str(marker)!r}, 'w').write('pwned')"

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (exec, (self.code,))


def _meta(etype: str, data: str) -> dict[str, Any]:
    return {
        "format": "quantlab.model",
        "format_version": 1,
        "kind": "return",
        "estimator_type": etype,
        "model_class": "LinearRegression",
        "data": data,
        "feature_names": NAMES,
        "nan_policy": "raise",
        "feature_set": None,
        "metadata": {},
    }


def _pickle_model_dir(root: Path, marker: Path) -> Path:
    """A model dir whose estimator.pkl runs the payload when unpickled."""
    d = root / "pickled"
    d.mkdir()
    (d / "quantlab_model.json").write_text(json.dumps(_meta("pickle", "estimator.pkl")))
    (d / "estimator.pkl").write_bytes(pickle.dumps(_Payload(marker), protocol=4))
    return d


def _lgbm_dir_with_planted_pickle(root: Path, marker: Path, name: str) -> Path:
    """A genuine LightGBM model dir with a payload pickle planted next to it."""
    from quantlab.tracking.model_format import to_stored, write_model

    d = root / "planted"
    write_model(to_stored(booster(), feature_names=NAMES), d)
    (d / name).write_bytes(pickle.dumps(_Payload(marker), protocol=4))
    return d


def _foreign_loader_dir(root: Path, marker: Path) -> tuple[Path, Path]:
    """A LightGBM model dir whose MLmodel names the attacker's loader module."""
    from quantlab.tracking.model_format import to_stored, write_model

    d = root / "foreign"
    write_model(to_stored(booster(), feature_names=NAMES), d)
    code = root / "code"
    code.mkdir()
    (code / "evil_loader.py").write_text(
        f"open({str(marker)!r}, 'w').write('pwned')\n"
        "def _load_pyfunc(path, model_config=None):\n    return None\n"
    )
    (d / "MLmodel").write_text(
        textwrap.dedent(
            """\
            flavors:
              python_function:
                loader_module: evil_loader
                data: quantlab_model.json
                env:
                  virtualenv: python_env.yaml
            """
        )
    )
    return d, code


LOAD = "import sys, quantlab as ql; ql.load_model(sys.argv[1], trusted=True)"
PYFUNC = "import sys, mlflow.pyfunc; mlflow.pyfunc.load_model(sys.argv[1])"


def _run(code: str, arg: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-c", code, str(arg)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=arg.parent,
    )


def test_pickled_payload_is_refused_and_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    model_dir = _pickle_model_dir(tmp_path, marker)
    for attempt in (
        lambda: ql.load_model(model_dir),
        lambda: ql.load_model(str(model_dir)),
        lambda: ql.predict(str(model_dir), ROW),
    ):
        with pytest.raises(UntrustedModelError, match="trusted=True") as info:
            attempt()
        assert isinstance(info.value, PermissionError)
        assert not marker.exists(), "the pickle payload ran on an untrusted load"
    # the same directory with trusted=True does run it: the marker check can see it
    _run(LOAD, model_dir)
    assert marker.exists() and marker.read_text() == "pwned"


@pytest.mark.parametrize("planted", ["estimator.pkl", "extra.joblib", "weights.bin"])
def test_pickle_planted_in_a_builtin_model_is_refused(tmp_path: Path, planted: str) -> None:
    marker = tmp_path / "PWNED"
    model_dir = _lgbm_dir_with_planted_pickle(tmp_path, marker, planted)
    with pytest.raises(UntrustedModelError, match="pickle"):
        ql.load_model(model_dir)
    assert not marker.exists()


def test_foreign_loader_module_is_refused_and_never_imported(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    model_dir, code = _foreign_loader_dir(tmp_path, marker)
    sys.path.insert(0, str(code))  # the attacker's module is importable here
    try:
        with pytest.raises(UntrustedModelError, match="evil_loader"):
            ql.load_model(model_dir)
        with pytest.raises(UntrustedModelError):
            ql.predict(str(model_dir), ROW)
    finally:
        sys.path.remove(str(code))
    assert "evil_loader" not in sys.modules
    assert not marker.exists(), "the attacker's loader module was imported"
    # MLflow itself imports the named loader: the marker check can see the payload run
    _run(PYFUNC, model_dir, pythonpath=code)
    assert marker.exists()


def test_manifest_cannot_point_outside_the_model_dir(tmp_path: Path) -> None:
    d = tmp_path / "escape"
    d.mkdir()
    (tmp_path / "outside.pkl").write_bytes(pickle.dumps(_Payload(tmp_path / "PWNED")))
    (d / "quantlab_model.json").write_text(json.dumps(_meta("linear", "../outside.pkl")))
    with pytest.raises(ValidationError, match="estimator file"):
        ql.load_model(d)
    (d / "quantlab_model.json").write_text(json.dumps(_meta("linear", "/etc/passwd")))
    with pytest.raises(ValidationError):
        ql.load_model(d)
    assert not (tmp_path / "PWNED").exists()


def test_payload_in_the_registry_is_refused_by_predict(hostile_store: str, tmp_path: Path) -> None:
    """An attacker with write access to the registry: predict('name@production') refuses."""
    import mlflow
    from mlflow import MlflowClient

    from tests.integration._servers import mlflow_globals

    marker = tmp_path / "PWNED"
    model_dir = _pickle_model_dir(tmp_path, marker)
    with mlflow_globals(hostile_store):
        client = MlflowClient(tracking_uri=hostile_store, registry_uri=hostile_store)
        exp = client.create_experiment("attacker", artifact_location=str(tmp_path / "art"))
        with mlflow.start_run(experiment_id=exp) as run:
            mlflow.log_artifacts(str(model_dir), "model")
        client.create_registered_model("evil")
        mv = client.create_model_version("evil", f"runs:/{run.info.run_id}/model", run.info.run_id)
        client.set_registered_model_alias("evil", "production", mv.version)
        with pytest.raises(UntrustedModelError):
            ql.predict("evil@production", ROW)
    assert not marker.exists()
