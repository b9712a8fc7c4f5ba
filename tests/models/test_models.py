"""Models: registry, entry points, kinds, NaN/inf policy, serialisation hooks."""

from __future__ import annotations

import json
from importlib.metadata import EntryPoint

import numpy as np
import pandas as pd
import pytest

from quantlab.errors import (
    AlignmentError,
    DataTypeError,
    ModelNotFoundError,
    ParameterError,
    ShapeError,
    ValidationError,
)
from quantlab.models import (
    LGBMClassifierModel,
    LGBMRegressorModel,
    LogisticModel,
    RidgeModel,
    SklearnModel,
    available_models,
    make_model,
    register,
    registry,
    unregister,
)

SMALL = {"n_estimators": 15, "min_child_samples": 10, "n_jobs": 1}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a", "b", "c"])
    y = X["a"].to_numpy() * 0.5 + rng.normal(size=300) * 0.5
    return X, y


@pytest.mark.parametrize(
    "name,kind",
    [
        ("lgbm", "return"),
        ("lgbm_classifier", "probability"),
        ("ridge", "return"),
        ("logistic", "probability"),
        ("random_forest", "return"),
        ("random_forest_classifier", "probability"),
    ],
)
def test_builtins_fit_predict_and_declare_kind(data, name, kind):
    X, y = data
    params = (
        SMALL
        if name.startswith("lgbm")
        else ({"n_estimators": 10, "min_samples_leaf": 10} if name.startswith("random") else {})
    )
    m = make_model(name, **params).fit(X, y)
    assert m.kind == kind
    p = m.predict(X)
    assert p.shape == (300,) and np.isfinite(p).all()
    if kind == "probability":
        assert ((p >= 0) & (p <= 1)).all()
    assert m.feature_names_ == ["a", "b", "c"]
    assert np.corrcoef(p, y)[0, 1] > 0.3  # learns the planted relation


def test_unknown_name_lists_known_models():
    with pytest.raises(
        ModelNotFoundError,
        match=r"model name 'xgb' is not registered; known models: \[.*'lgbm'.*'ridge'",
    ):
        make_model("xgb")


def test_estimator_without_fit_predict():
    with pytest.raises(DataTypeError, match="estimator with fit\\(\\) and predict\\(\\)"):
        make_model(object())
    with pytest.raises(
        DataTypeError, match="must be an estimator instance with fit\\(\\) and predict\\(\\)"
    ):
        SklearnModel(42)


def test_any_sklearn_estimator_plugs_in(data):
    from sklearn.linear_model import LinearRegression
    from sklearn.tree import DecisionTreeClassifier

    X, y = data
    reg = make_model(LinearRegression(), kind="return").fit(X, y)
    assert reg.kind == "return" and reg.predict(X).shape == (300,)
    clf = make_model(DecisionTreeClassifier(max_depth=2)).fit(X, np.sign(y))
    assert clf.kind == "probability"
    assert make_model(LinearRegression()).kind == "score"


def test_register_and_entry_points(monkeypatch, data):
    from sklearn.linear_model import Lasso

    register("lasso_t", lambda **kw: SklearnModel(Lasso(**kw), kind="return"))
    try:
        assert "lasso_t" in available_models()
        assert make_model("lasso_t", alpha=0.01).fit(*data).kind == "return"
        with pytest.raises(ParameterError, match="already registered"):
            register("lasso_t", Lasso)
        with pytest.raises(ParameterError, match="already registered"):
            register("lgbm", Lasso)
    finally:
        unregister("lasso_t")
    with pytest.raises(ModelNotFoundError, match="was not added with register"):
        unregister("lasso_t")
    ep = EntryPoint(
        name="plugin_huber", value="sklearn.linear_model:HuberRegressor", group="quantlab.models"
    )
    monkeypatch.setattr(registry, "_entry_points", {"plugin_huber": ep})
    assert "plugin_huber" in available_models()
    m = make_model("plugin_huber")
    assert isinstance(m, SklearnModel) and m.kind == "score"


def test_nan_policies(data):
    X, y = data
    Xn = X.copy()
    Xn.iloc[::7, 1] = np.nan
    p = LGBMRegressorModel(**SMALL).fit(Xn, y).predict(Xn)  # native
    assert np.isfinite(p).all()
    r = RidgeModel().fit(Xn, y)  # median imputation
    assert r.fill_values_[1] == pytest.approx(np.nanmedian(Xn["b"]))
    assert np.isfinite(r.predict(Xn)).all()
    with pytest.raises(
        ValidationError,
        match="X holds NaN \\(first in feature 'b'\\) and RidgeModel has nan_policy='raise'",
    ):
        RidgeModel(nan_policy="raise").fit(Xn, y)
    from sklearn.linear_model import LinearRegression

    with pytest.raises(ValidationError, match="nan_policy='raise'"):
        SklearnModel(LinearRegression()).fit(Xn, y)
    for model in (LGBMRegressorModel(**SMALL), RidgeModel(), SklearnModel(LinearRegression())):
        with pytest.raises(ValidationError, match="X holds infinite values"):
            model.fit(X.replace(X.iloc[0, 0], np.inf), y)
    with pytest.raises(ValidationError, match="y holds 1 NaN"):
        RidgeModel().fit(X, np.where(np.arange(300) == 5, np.nan, y))
    with pytest.raises(ShapeError, match="y has 299 values but X has 300 rows"):
        RidgeModel().fit(X, y[:-1])


def test_feature_names_are_checked_at_predict(data):
    X, y = data
    m = RidgeModel().fit(X, y)
    np.testing.assert_allclose(m.predict(X[["c", "a", "b"]]), m.predict(X))  # reordered
    with pytest.raises(AlignmentError, match="missing feature\\(s\\) \\['c'\\]"):
        m.predict(X[["a", "b"]])
    with pytest.raises(AlignmentError, match="X has 2 features but the model was trained on 3"):
        m.predict(X[["a", "b"]].to_numpy())
    with pytest.raises(ValidationError, match="is not fitted"):
        RidgeModel().predict(X)


def test_classifier_needs_two_classes(data):
    X, _ = data
    with pytest.raises(ValidationError, match="needs both classes"):
        LGBMClassifierModel(**SMALL).fit(X, np.ones(300))


def test_lgbm_native_text_round_trip(data):
    X, y = data
    for cls, target in ((LGBMRegressorModel, y), (LGBMClassifierModel, np.sign(y))):
        m = cls(**SMALL).fit(X, target)
        text = m.booster_.model_to_string()
        again = cls.from_booster(text)
        np.testing.assert_array_equal(again.predict(X), m.predict(X))
        assert again.feature_names_ == ["a", "b", "c"] and again.kind == m.kind
    assert m.feature_importances_.shape == (3,)


def test_linear_json_round_trip(data):
    X, y = data
    for cls, target in ((RidgeModel, y), (LogisticModel, np.sign(y))):
        m = cls().fit(X, target)
        again = cls.from_dict(json.loads(json.dumps(m.to_dict())))
        np.testing.assert_allclose(again.predict(X), m.predict(X), rtol=1e-12)
    with pytest.raises(ValidationError, match="not a RidgeModel"):
        RidgeModel.from_dict(LogisticModel().fit(X, np.sign(y)).to_dict())


def test_ridge_matches_sklearn_pipeline(data):
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = data
    ref = make_pipeline(StandardScaler(), Ridge(alpha=3.0)).fit(X, y).predict(X)
    np.testing.assert_allclose(RidgeModel(alpha=3.0).fit(X, y).predict(X), ref, rtol=1e-9)


def test_sklearn_contract(data):
    from sklearn.base import clone

    m = LGBMRegressorModel(n_estimators=7)
    c = clone(m)
    assert c.get_params() == m.get_params() and c is not m
    assert m.set_params(num_leaves=7).num_leaves == 7
    with pytest.raises(ParameterError, match="has no parameter 'depth'"):
        m.set_params(depth=3)
    assert "n_estimators=7" in repr(m)
    with pytest.raises(ParameterError, match="kind must be one of \\['return', 'score'\\]"):
        RidgeModel(kind="probability")


class _MeanModel:
    """A user's own estimator: fit/predict, but no scikit-learn get_params()."""

    def fit(self, X, y):
        self.mean_ = float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


class _Uncopyable(_MeanModel):
    def __deepcopy__(self, memo):
        raise RuntimeError("holds a live connection")


def test_the_users_estimator_is_never_fitted_in_place(data):
    X, y = data
    mine = _MeanModel()
    model = SklearnModel(mine, kind="return").fit(X, y)
    assert not hasattr(mine, "mean_")  # clone failed, a deep copy was fitted instead
    assert model.estimator_ is not mine and model.estimator is mine
    np.testing.assert_allclose(model.predict(X), np.full(len(X), np.mean(y)))
    # a second model on the same instance does not share (or overwrite) the first's fit
    other = SklearnModel(mine, kind="return").fit(X.iloc[:10], y[:10])
    assert other.estimator_ is not model.estimator_
    assert model.estimator_.mean_ == pytest.approx(np.mean(y))
    with pytest.raises(
        DataTypeError,
        match=r"estimator _Uncopyable can be neither cloned .* nor deep-copied "
        r"\(RuntimeError: holds a live connection\); SklearnModel fits a copy",
    ):
        SklearnModel(_Uncopyable(), kind="return").fit(X, y)
