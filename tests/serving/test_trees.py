"""Compiled LightGBM trees against the real ``lightgbm.Booster`` (the peer) on awkward rows.

Every model is trained by LightGBM here, on data with missing values and a categorical
feature with more than 32 levels (a bitset of several words), so that the models hold
NaN-type, zero-type and no-missing splits with both default directions, and categorical
splits. The rows sent to both sides include NaN, +-0, values inside LightGBM's zero
threshold, the exact split thresholds (read from LightGBM's own JSON dump), huge values,
infinities, and negative, fractional, unseen and out-of-``int`` categories.
"""

from __future__ import annotations

from typing import Any

import lightgbm
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import quantlab as ql
from quantlab._numba import JIT_ENABLED
from quantlab.errors import ValidationError
from quantlab.serving import Model
from quantlab.serving._trees import (
    BOOSTER_ROWS,
    compile_booster,
    compile_model,
    predict,
    predict_raw,
)

N_FEATURES = 6
CAT = 4  # the categorical column: 40 levels
ATOL = 1e-12


def _data(n: int = 1500, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, N_FEATURES))
    X[:, 2] = np.where(rng.random(n) < 0.3, 0.0, X[:, 2])  # many exact zeros
    X[:, CAT] = rng.integers(0, 40, n)
    X[:, 5] = rng.normal(size=n) * 1e3
    effect = np.sin(np.arange(40.0))[X[:, CAT].astype(int)]
    y = X[:, 0] - 0.5 * X[:, 1] + X[:, 2] + 2 * effect + rng.normal(scale=0.3, size=n)
    missing = rng.random(X.shape) < 0.15
    missing[:, CAT] = rng.random(n) < 0.05
    X[missing] = np.nan
    # rows with a missing x0 have a high label, so NaN-type splits learn a direction
    y = y + np.where(np.isnan(X[:, 0]), 3.0, 0.0)
    return X, y


def _train(objective: str, n_trees: int = 30, label: str = "y", **params: Any) -> Any:
    X, y = _data()
    target = {"y": y, "binary": (y > 0.5).astype(float), "count": np.floor(np.exp(y / 3))}
    base = {"objective": objective, "verbose": -1, "num_threads": 1, "min_data_in_leaf": 10}
    base.update(cat_smooth=1.0, min_data_per_group=5, max_cat_to_onehot=4)
    data = lightgbm.Dataset(X, target[label], categorical_feature=[CAT])
    return lightgbm.train({**base, **params}, data, n_trees)


MODELS: dict[str, Any] = {
    "regression": lambda: _train("regression"),
    "binary": lambda: _train("binary", label="binary"),
    "zero_as_missing": lambda: _train("regression", zero_as_missing=True),
    "no_missing": lambda: _train("regression", use_missing=False),
    "poisson": lambda: _train("poisson", label="count"),
    "random_forest": lambda: _train(
        "regression", boosting="rf", bagging_fraction=0.7, bagging_freq=1, feature_fraction=0.8
    ),
    "stumps_and_single_leaves": lambda: _train("regression", n_trees=40, num_leaves=2,
                                               min_data_in_leaf=700),
}  # fmt: skip


@pytest.fixture(scope="module", params=sorted(MODELS))
def model(request: pytest.FixtureRequest) -> Any:
    return MODELS[request.param]()


def _thresholds(booster: Any) -> dict[int, list[float]]:
    """Numerical split thresholds per feature, from LightGBM's own JSON dump."""
    out: dict[int, list[float]] = {}

    def walk(node: dict[str, Any]) -> None:
        if "split_feature" in node:
            if node["decision_type"] == "<=":
                out.setdefault(node["split_feature"], []).append(float(node["threshold"]))
            walk(node["left_child"])
            walk(node["right_child"])

    for tree in booster.dump_model()["tree_info"]:
        walk(tree["tree_structure"])
    return out


def _awkward_rows(booster: Any, n: int = 3000, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, N_FEATURES)) * rng.choice([0.1, 1.0, 10.0], size=(n, 1))
    specials = np.array([np.nan, 0.0, -0.0, 1e-36, -1e-36, 1e-30, 1e300, -1e300, np.inf, -np.inf])
    pick = rng.random(X.shape) < 0.25
    X[pick] = rng.choice(specials, size=pick.sum())
    for f, ts in _thresholds(booster).items():  # exactly on a threshold, and next to it
        on = rng.random(n) < 0.15
        t = rng.choice(ts, size=on.sum())
        X[on, f] = t + rng.choice([-1, 0, 1], size=on.sum()) * np.spacing(t)
    cats = np.array([np.nan, -1.0, -0.5, -1e10, 0.0, 0.9, 3.0, 31.0, 32.0, 39.0, 40.0, 63.9,
                     64.0, 1000.0, 2.0**31, 2.0**31 - 1, 1e300, np.inf])  # fmt: skip
    X[:, CAT] = np.where(
        rng.random(n) < 0.5, rng.integers(0, 40, n).astype(float), rng.choice(cats, size=n)
    )
    return X


def test_raw_and_transformed_scores_equal_the_booster(model: Any) -> None:
    trees = compile_model(model.model_to_string())
    X = _awkward_rows(model)
    np.testing.assert_allclose(
        predict_raw(trees, X), model.predict(X, raw_score=True), rtol=0, atol=ATOL
    )
    np.testing.assert_allclose(predict(trees, X), model.predict(X), rtol=0, atol=ATOL)
    for i in range(0, len(X), 500):  # one row at a time, as the API sends them
        np.testing.assert_allclose(predict(trees, X[i : i + 1]), model.predict(X[i : i + 1]),
                                   rtol=0, atol=ATOL)  # fmt: skip


def test_the_models_exercise_every_decision_rule() -> None:
    """The fixtures are not vacuous: together they hold each kind of split."""
    seen: set[tuple[str, str, bool]] = set()

    def walk(node: dict[str, Any]) -> None:
        if "split_feature" in node:
            seen.add((node["decision_type"], node["missing_type"], node["default_left"]))
            walk(node["left_child"])
            walk(node["right_child"])

    for name in ("regression", "zero_as_missing", "no_missing"):
        for tree in MODELS[name]().dump_model()["tree_info"]:
            walk(tree["tree_structure"])
    kinds = {(d, m) for d, m, _ in seen}
    assert {("<=", "NaN"), ("<=", "Zero"), ("<=", "None"), ("==", "None")} <= kinds, seen
    assert {left for d, m, left in seen if m == "NaN"} == {True, False}, seen
    bitsets = [t for t in MODELS["regression"]().model_to_string().splitlines()
               if t.startswith("cat_boundaries=")]  # fmt: skip
    assert any(np.diff(np.array(b.split("=")[1].split(), int)).max() > 1 for b in bitsets)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.sampled_from([0.0, -0.0, 1e-35, -1e-35, 1e-36]),
            st.integers(-3, 70).map(float),
        ),
        min_size=N_FEATURES,
        max_size=N_FEATURES,
    )
)
def test_any_row_matches_the_booster(row: list[float]) -> None:
    booster = _binary()
    X = np.array([row])
    np.testing.assert_allclose(
        predict_raw(_compiled_binary(), X), booster.predict(X, raw_score=True), rtol=0, atol=ATOL
    )


_cache: dict[str, Any] = {}


def _binary() -> Any:
    if "binary" not in _cache:
        _cache["binary"] = MODELS["binary"]()
    return _cache["binary"]


def _compiled_binary() -> Any:
    if "trees" not in _cache:
        _cache["trees"] = compile_model(_binary().model_to_string())
    return _cache["trees"]


def test_serving_predicts_with_the_compiled_trees(monkeypatch: pytest.MonkeyPatch) -> None:
    booster = lightgbm.Booster(model_str=_binary().model_to_string())  # a copy to patch
    served = Model.from_estimator(booster)
    X = _awkward_rows(booster, n=600)
    X[~np.isfinite(X)] = np.nan  # serving refuses inf
    expect = booster.predict(X)
    row = {f"Column_{i}": float(v) for i, v in enumerate(X[0])}
    np.testing.assert_allclose(ql.predict(served, X), expect, rtol=0, atol=ATOL)  # Booster
    if BOOSTER_ROWS is not None:
        assert len(X) >= BOOSTER_ROWS
    assert (compile_booster(booster) is not None) == JIT_ENABLED
    if JIT_ENABLED:  # small requests never reach the Booster
        monkeypatch.setattr(booster, "predict", None)
    np.testing.assert_allclose(ql.predict(served, X[:200]), expect[:200], rtol=0, atol=ATOL)
    np.testing.assert_allclose(ql.predict(served, row), expect[:1], rtol=0, atol=ATOL)


def test_models_it_cannot_compile_are_refused_and_served_by_the_booster() -> None:
    X, y = _data(n=300)
    multi = lightgbm.train(
        {"objective": "multiclass", "num_class": 3, "verbose": -1, "num_threads": 1},
        lightgbm.Dataset(np.nan_to_num(X), np.digitize(y, [-0.5, 0.5]).astype(float)),
        3,
    )
    with pytest.raises(ValidationError, match="3 trees per iteration"):
        compile_model(multi.model_to_string())
    assert compile_booster(multi) is None
    sqrt = _train("regression", n_trees=3, reg_sqrt=True)
    with pytest.raises(ValidationError, match="objective 'regression sqrt' has no compiled"):
        compile_model(sqrt.model_to_string())
    served = Model.from_estimator(sqrt)
    np.testing.assert_array_equal(
        ql.predict(served, np.nan_to_num(X)), sqrt.predict(np.nan_to_num(X))
    )


def test_bad_text_and_bad_shapes_are_refused() -> None:
    with pytest.raises(ValidationError, match="does not start with 'tree'"):
        compile_model("{}")
    text = _binary().model_to_string()
    with pytest.raises(ValidationError, match="field 'leaf_value' has"):
        compile_model(text.replace("leaf_value=", "leaf_value=0.5 ", 1))
    with pytest.raises(ValidationError, match=r"X must have shape \(n_rows, 6\); got \(2, 5\)"):
        predict(_compiled_binary(), np.zeros((2, 5)))
