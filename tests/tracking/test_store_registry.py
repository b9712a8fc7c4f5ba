"""Tracking-store resolution, bounded failures, and the model registry (real SQLite store)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import quantlab as ql
from quantlab.errors import (
    ModelNotFoundError,
    ParameterError,
    TrackingError,
    UntrustedModelError,
)
from quantlab.tracking import list_models, register_model, resolve_alias, set_alias
from quantlab.tracking.store import tracking_uri
from tests.tracking._store import booster, regression_data


def test_uri_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUANTLAB_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert tracking_uri() == "sqlite:///mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://mlflow:5000")
    assert tracking_uri() == "http://mlflow:5000"
    monkeypatch.setenv("QUANTLAB_TRACKING_URI", "sqlite:///q.db")
    assert tracking_uri() == "sqlite:///q.db"
    assert tracking_uri("http://explicit:1") == "http://explicit:1"
    for bad in ("./mlruns", "file:///tmp/mlruns"):
        with pytest.raises(ParameterError, match="deprecated file store"):
            tracking_uri(bad)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_server_fails_fast_and_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    from quantlab.serving import clear_cache

    uri = f"http://127.0.0.1:{_free_port()}"
    monkeypatch.setenv("QUANTLAB_TRACKING_URI", uri)
    for key in (
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES",
        "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR",
        "MLFLOW_HTTP_REQUEST_TIMEOUT",
    ):
        monkeypatch.delenv(key, raising=False)  # quantlab's bounded defaults apply
    clear_cache()
    t0 = time.monotonic()
    with pytest.raises(
        TrackingError, match=rf"tracking store at {uri} failed .*QUANTLAB_TRACKING_URI"
    ):
        ql.predict("anything@production", {"a": 1.0})
    with pytest.raises(TrackingError, match=rf"could not look up experiment .*{uri} failed"):
        register_model(booster(), "m")
    assert time.monotonic() - t0 < 30


def test_register_booster_alias_and_predict(tracking: str) -> None:
    b = booster(seed=1)
    v = register_model(b, "reg-booster", alias="production")
    assert (v.name, v.alias, v.model_uri) == (
        "reg-booster",
        "production",
        f"models:/reg-booster/{v.version}",
    )
    X, _, names = regression_data(n=3)
    expect = b.predict(X)  # type: ignore[attr-defined]
    for ref in (
        "reg-booster",
        "reg-booster@production",
        f"reg-booster/{v.version}",
        f"models:/reg-booster/{v.version}",
        "models:/reg-booster@production",
    ):
        np.testing.assert_array_equal(ql.predict(ref, X), expect)
    m = ql.load_model("reg-booster")
    assert m.feature_names == names and m.metadata["name"] == "reg-booster"
    assert m.version == v.version
    models = list_models()
    assert models["reg-booster"]["aliases"] == {"production": v.version}


def test_register_sklearn_and_quantlab_models(tracking: str) -> None:
    from sklearn.linear_model import LinearRegression

    from quantlab.models import RidgeModel

    X, y, names = regression_data()
    frame = pd.DataFrame(X, columns=names)
    sk = LinearRegression().fit(frame, y)
    v = register_model(sk, "reg-sklearn", alias="staging")
    with pytest.raises(UntrustedModelError, match="pass trusted=True"):
        ql.predict("reg-sklearn@staging", frame.iloc[:2])
    np.testing.assert_allclose(
        ql.predict("reg-sklearn@staging", frame.iloc[:2], trusted=True), sk.predict(frame.iloc[:2])
    )
    ridge = RidgeModel().fit(frame, y)
    v2 = register_model(ridge, "reg-ridge", metadata={"note": "mine"}, input_example=frame.head(3))
    m = ql.load_model(f"reg-ridge/{v2.version}")
    assert m.metadata["note"] == "mine" and m.stored.estimator_type == "linear"
    assert v.version == "1"


def test_unknown_model_alias_and_version_list_what_exists(tracking: str) -> None:
    register_model(booster(), "reg-known", alias="production")
    with pytest.raises(
        ModelNotFoundError,
        match=r"model 'nope' is not registered .*registered models: \[.*'reg-known'",
    ):
        ql.predict("nope", {"f0": 1.0})
    with pytest.raises(
        ModelNotFoundError,
        match=r"model 'reg-known' has no alias 'prod'; its aliases are \{'production': '\d+'\}",
    ):
        ql.predict("reg-known@prod", {"f0": 1.0})
    with pytest.raises(ModelNotFoundError, match=r"has no version '99'; its versions are \[\d"):
        ql.predict("reg-known/99", {"f0": 1.0})
    with pytest.raises(ModelNotFoundError, match="has no alias 'gone'"):
        resolve_alias("reg-known", "gone")
    with pytest.raises(ParameterError, match="name must be a non-empty str without '@'"):
        register_model(booster(), "bad@name")


def test_set_alias_moves_and_predict_follows_after_ttl(tracking: str) -> None:
    v1 = register_model(booster(shift=0.0), "reg-move", alias="production")
    v2 = register_model(booster(shift=10.0), "reg-move")
    row = {f"f{i}": 0.0 for i in range(5)}
    first = ql.predict("reg-move", row, ttl=0.2)
    set_alias("reg-move", "production", v2.version)
    time.sleep(0.3)
    second = ql.predict("reg-move", row)
    assert second[0] > first[0] + 5
    assert resolve_alias("reg-move", "production") == v2.version != v1.version
    with pytest.raises(ModelNotFoundError, match="has no version '42'"):
        set_alias("reg-move", "production", 42)


def test_local_path_reference(tracking: str, tmp_path: Path) -> None:
    from quantlab.tracking.model_format import save_model

    b = booster()
    save_model(str(tmp_path / "m"), quantlab_model=b)
    X, _, _ = regression_data(n=2)
    np.testing.assert_array_equal(ql.predict(str(tmp_path / "m"), X), b.predict(X))  # type: ignore[attr-defined]
    with pytest.raises(ModelNotFoundError, match="is not a directory"):
        ql.predict(str(tmp_path / "missing"), X)
