"""The model directory format: round trips, no code executed for built-ins, trust rules."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quantlab.errors import (
    DataTypeError,
    ModelNotFoundError,
    ParameterError,
    ShapeError,
    UntrustedModelError,
    ValidationError,
)
from quantlab.models import LGBMRegressorModel, LogisticModel, RidgeModel
from quantlab.serving import Model
from quantlab.tracking.model_format import (
    DATA_DIR,
    LOADER_MODULE,
    META_FILE,
    read_model,
    save_model,
    to_stored,
    write_model,
)
from tests.tracking._store import booster, regression_data

MARKER_ENV = "QUANTLAB_TEST_PAYLOAD_MARKER"


class _Payload:
    """A pickle whose loading would create a marker file (it must never run)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (open, (self.marker, "w"))


def _save(model: object, path: Path, **kw: object) -> Path:
    save_model(str(path), quantlab_model=model, **kw)
    return path


@pytest.mark.parametrize("flavor", ["quantlab_lgbm", "booster", "sklearn_api"])
def test_lightgbm_round_trip_is_native_text(tmp_path: Path, flavor: str) -> None:
    import lightgbm

    X, y, names = regression_data()
    if flavor == "quantlab_lgbm":
        frame = pd.DataFrame(X, columns=names)
        est: object = LGBMRegressorModel(n_estimators=20, min_child_samples=20).fit(frame, y)
        ref = est.predict(X)  # type: ignore[attr-defined]
    elif flavor == "booster":
        est = booster()
        ref = est.predict(X)  # type: ignore[attr-defined]
    else:
        est = lightgbm.LGBMRegressor(n_estimators=20, verbose=-1).fit(X, y)
        ref = est.predict(X)  # type: ignore[attr-defined]
    path = _save(est, tmp_path / "m", feature_names=names if flavor == "sklearn_api" else None)
    files = sorted(os.listdir(path / DATA_DIR))
    assert "model.txt" in files and META_FILE in files and (path / "MLmodel").is_file()
    assert not [f for f in files if f.endswith(".pkl")]
    # MLflow's own writer made the environment files (issue 13 item 16: not by hand)
    assert {"requirements.txt", "python_env.yaml", "conda.yaml"} <= set(os.listdir(path))
    meta = json.loads((path / DATA_DIR / META_FILE).read_text())
    assert meta["estimator_type"] == "lightgbm" and meta["feature_names"] == names
    assert LOADER_MODULE in (path / "MLmodel").read_text()
    m = Model.from_dir(path)
    np.testing.assert_allclose(m.predict(X), ref, rtol=1e-12)
    assert m.kind == "return" and m.feature_names == names


@pytest.mark.parametrize("cls", [RidgeModel, LogisticModel])
def test_linear_round_trip_is_json(tmp_path: Path, cls: type) -> None:
    X, y, names = regression_data()
    X[::7, 2] = np.nan
    est = cls().fit(pd.DataFrame(X, columns=names), y)
    path = tmp_path / "lin"
    write_model(to_stored(est), path)
    assert (path / "coefficients.json").is_file()
    m = Model.from_dir(path)
    np.testing.assert_allclose(m.predict(X), est.predict(X), rtol=1e-12)
    assert m.kind == est.kind


def test_metadata_and_feature_set_are_stored(tmp_path: Path) -> None:
    from quantlab.ml import Feature, FeatureSet

    fs = FeatureSet([Feature("ret", window=5), Feature("vol", window=10)])
    X, y, _ = regression_data(n_features=2)
    est = RidgeModel().fit(pd.DataFrame(X, columns=fs.names), y)
    write_model(to_stored(est, feature_set=fs, metadata={"data": {"hash": "abc"}}), tmp_path)
    m = Model.from_dir(tmp_path)
    assert m.metadata == {"data": {"hash": "abc"}}
    assert m.feature_set == fs


def test_third_party_pickle_needs_trust(tmp_path: Path) -> None:
    from sklearn.ensemble import RandomForestRegressor

    X, y, names = regression_data()
    est = RandomForestRegressor(n_estimators=5, random_state=0).fit(X, y)
    write_model(to_stored(est, feature_names=names), tmp_path)
    assert (tmp_path / "estimator.pkl").is_file()
    with pytest.raises(
        UntrustedModelError,
        match=r"third-party estimator \(RandomForestRegressor\) as a pickle.*pass trusted=True",
    ):
        Model.from_dir(tmp_path)
    m = Model.from_dir(tmp_path, trusted=True)
    np.testing.assert_allclose(m.predict(X), est.predict(X))
    assert m.kind == "return"


def test_pickle_payload_in_builtin_dir_never_runs(tmp_path: Path) -> None:
    path = tmp_path / "m"
    write_model(to_stored(booster()), path)
    marker = tmp_path / "pwned"
    with open(path / "extra.bin", "wb") as fh:  # a pickle under an innocent name
        pickle.dump(_Payload(str(marker)), fh)
    with pytest.raises(UntrustedModelError, match=r"pickle file\(s\) \['extra.bin'\]"):
        read_model(path)
    assert not marker.exists()


def test_hostile_estimator_pickle_refused_without_trust(tmp_path: Path) -> None:
    path = tmp_path / "m"
    write_model(to_stored(booster()), path)
    marker = tmp_path / "pwned"
    meta = json.loads((path / META_FILE).read_text())
    meta.update(estimator_type="pickle", data="estimator.pkl", model_class="Evil")
    (path / META_FILE).write_text(json.dumps(meta))
    with open(path / "estimator.pkl", "wb") as fh:
        pickle.dump(_Payload(str(marker)), fh)
    with pytest.raises(UntrustedModelError, match="unpickling runs code"):
        read_model(path)
    assert not marker.exists()


@pytest.mark.parametrize(
    "mlmodel",
    [
        # flow style: the line regex of the first version did not see this loader
        "flavors: {python_function: {loader_module: evil.module, data: data}}\n",
        # quoted keys
        'flavors:\n  "python_function":\n    "loader_module": "evil.module"\n',
        # a second flavor with its own loader
        "flavors:\n  python_function:\n    loader_module: quantlab.tracking.model_format\n"
        "  quantlab: {data: quantlab_model.json, loader_module: evil.module}\n",
    ],
    ids=["flow", "quoted", "second-flavor"],
)
def test_foreign_loader_in_any_yaml_form_refused(tmp_path: Path, mlmodel: str) -> None:
    path = tmp_path / "m"
    write_model(to_stored(booster()), path)
    (path / "MLmodel").write_text(mlmodel)
    with pytest.raises(UntrustedModelError, match=r"loader_module \['evil.module'\]"):
        read_model(path)
    assert read_model(path, trusted=True).estimator_type == "lightgbm"


def test_other_flavors_and_bad_yaml_refused(tmp_path: Path) -> None:
    path = tmp_path / "m"
    write_model(to_stored(booster()), path)
    (path / "MLmodel").write_text("flavors: {sklearn: {pickled_model: model.pkl}}\n")
    with pytest.raises(UntrustedModelError, match=r"flavor\(s\) \['sklearn'\] besides"):
        read_model(path)
    (path / "MLmodel").write_text(
        "flavors: {python_function: {loader_module: quantlab.tracking.model_format, "
        "python_model: python_model.pkl}}\n"
    )
    with pytest.raises(UntrustedModelError, match=r"python_function flavor carries"):
        read_model(path)
    (path / "MLmodel").write_text("flavors: [unclosed\n")
    with pytest.raises(ValidationError, match="MLmodel is not valid YAML"):
        read_model(path)
    (path / "MLmodel").write_text("- a list\n")
    with pytest.raises(ValidationError, match="has no 'flavors' mapping"):
        read_model(path)


def test_foreign_loader_module_refused(tmp_path: Path) -> None:
    path = _save(booster(), tmp_path / "m")
    text = (path / "MLmodel").read_text().replace(LOADER_MODULE, "evil.module")
    (path / "MLmodel").write_text(text)
    with pytest.raises(UntrustedModelError, match=r"loader_module \['evil.module'\]"):
        read_model(path)
    assert read_model(path, trusted=True).estimator_type == "lightgbm"


def test_not_a_model_dir(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="is not a directory"):
        read_model(tmp_path / "nope")
    with pytest.raises(ValidationError, match="not a quantlab model directory"):
        read_model(tmp_path)
    (tmp_path / META_FILE).write_text(json.dumps({"format_version": 99}))
    with pytest.raises(ValidationError, match="format_version 99"):
        read_model(tmp_path)


def test_estimator_file_outside_dir_refused(tmp_path: Path) -> None:
    path = tmp_path / "m"
    write_model(to_stored(booster()), path)
    meta = json.loads((path / META_FILE).read_text())
    meta["data"] = "../model.txt"
    (path / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(ValidationError, match="lacks its estimator file"):
        read_model(path)


def test_to_stored_errors() -> None:
    with pytest.raises(DataTypeError, match="fitted estimator with predict"):
        to_stored(object())
    with pytest.raises(ShapeError, match="feature_names has 2 name"):
        to_stored(booster(), feature_names=["a", "b"])
    with pytest.raises(ParameterError, match="trained on features"):
        to_stored(booster(), feature_names=["a", "b", "c", "d", "e"])
    from sklearn.linear_model import LinearRegression

    X, y, _ = regression_data()
    with pytest.raises(ParameterError, match="does not record its feature names"):
        to_stored(LinearRegression().fit(X, y).__class__())


def test_multiclass_lightgbm_refused() -> None:
    import lightgbm

    X, _, _ = regression_data()
    y = np.arange(len(X)) % 3
    clf = lightgbm.LGBMClassifier(n_estimators=5, verbose=-1).fit(X, y)
    with pytest.raises(ParameterError, match="3 classes"):
        to_stored(clf)


def test_pyfunc_loads_the_directory(tmp_path: Path) -> None:
    import mlflow.pyfunc

    X, _, names = regression_data()
    b = booster()
    path = _save(b, tmp_path / "m")
    pm = mlflow.pyfunc.load_model(str(path))
    out = pm.predict(pd.DataFrame(X[:3], columns=names))
    np.testing.assert_allclose(np.asarray(out), b.predict(X[:3]))  # type: ignore[attr-defined]


def test_tracking_never_imports_serving() -> None:
    # issue 13 item 14: model_format and serving.fast imported each other (and registry
    # imported serving.fast): DESIGN.md's serving -> tracking direction must hold
    import ast

    import quantlab.tracking

    root = Path(quantlab.tracking.__file__).parent
    offenders = []
    for path in sorted(root.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            offenders += [f"{path.name}: {n}" for n in names if n.startswith("quantlab.serving")]
    assert offenders == []
    from quantlab.serving import fast
    from quantlab.tracking import model_format, stored

    assert fast.StoredModel is model_format.StoredModel is stored.StoredModel
