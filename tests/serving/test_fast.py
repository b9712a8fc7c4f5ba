"""Request validation and the native fast path of quantlab.predict."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quantlab as ql
from quantlab.errors import AlignmentError, DataTypeError, ShapeError, ValidationError
from quantlab.models import RidgeModel
from quantlab.serving import Model
from tests.tracking._store import booster, regression_data

NAMES = [f"f{i}" for i in range(5)]


@pytest.fixture(scope="module")
def lgbm() -> Model:
    return Model.from_estimator(booster())


@pytest.fixture(scope="module")
def strict() -> Model:
    X, y, names = regression_data()
    return Model.from_estimator(
        RidgeModel(nan_policy="raise").fit(pd.DataFrame(X, columns=names), y)
    )


def test_every_request_shape_gives_the_same_answer(lgbm: Model) -> None:
    X, _, _ = regression_data(n=4)
    ref = lgbm.stored.estimator.predict(X)
    rows = [dict(zip(NAMES, r, strict=True)) for r in X.tolist()]
    frame = pd.DataFrame(X, columns=NAMES)
    np.testing.assert_array_equal(ql.predict(lgbm, X), ref)
    np.testing.assert_array_equal(ql.predict(lgbm, rows), ref)
    np.testing.assert_array_equal(ql.predict(lgbm, rows[0]), ref[:1])
    np.testing.assert_array_equal(ql.predict(lgbm, frame), ref)
    np.testing.assert_array_equal(ql.predict(lgbm, frame[NAMES[::-1]]), ref)  # any order
    np.testing.assert_array_equal(
        ql.predict(lgbm, {k: 1 for k in NAMES}), lgbm.stored.estimator.predict(np.ones((1, 5)))
    )
    np.testing.assert_array_equal(
        ql.predict(lgbm, {k: np.float32(v) for k, v in rows[0].items()}),
        lgbm.stored.estimator.predict(X[:1].astype(np.float32).astype(float)),
    )


def test_nan_native_for_lightgbm_and_null_is_missing(lgbm: Model) -> None:
    row = dict.fromkeys(NAMES, 0.1) | {"f2": None}
    out = ql.predict(lgbm, row)
    expect = lgbm.stored.estimator.predict(np.array([[0.1, 0.1, np.nan, 0.1, 0.1]]))
    np.testing.assert_array_equal(out, expect)


def test_missing_extra_and_typo_features_are_named(lgbm: Model) -> None:
    row = dict.fromkeys(NAMES, 0.0)
    with pytest.raises(AlignmentError, match=r"missing feature\(s\) \['f4'\]"):
        ql.predict(lgbm, {k: v for k, v in row.items() if k != "f4"})
    with pytest.raises(AlignmentError, match=r"unknown feature\(s\) \['zz'\]"):
        ql.predict(lgbm, row | {"zz": 1.0})
    typo = {("f_3" if k == "f3" else k): v for k, v in row.items()}
    with pytest.raises(AlignmentError, match=r"\['f_3'\] \(did you mean 'f3'\?\)"):
        ql.predict(lgbm, typo)
    with pytest.raises(AlignmentError, match=r"request row 1 has missing feature\(s\) \['f0'\]"):
        ql.predict(lgbm, [row, {k: v for k, v in row.items() if k != "f0"}])
    frame = pd.DataFrame([row]).drop(columns="f1").assign(extra=1.0)
    with pytest.raises(AlignmentError, match=r"X has missing feature\(s\) \['f1'\] and unknown"):
        ql.predict(lgbm, frame)
    with pytest.raises(AlignmentError, match="X has 4 column"):
        ql.predict(lgbm, np.zeros((1, 4)))


def test_wrong_types(lgbm: Model) -> None:
    row = dict.fromkeys(NAMES, 0.0)
    with pytest.raises(
        DataTypeError, match="feature 'f1' of the request row must be a number; got str"
    ):
        ql.predict(lgbm, row | {"f1": "0.5"})
    with pytest.raises(DataTypeError, match="feature 'f0' .* got bool"):
        ql.predict(lgbm, row | {"f0": True})
    with pytest.raises(DataTypeError, match=r"X column\(s\) \['f2'\] are not numeric"):
        ql.predict(lgbm, pd.DataFrame([row]).astype({"f2": object}).assign(f2="x"))
    with pytest.raises(DataTypeError, match="X has dtype <U1"):
        ql.predict(lgbm, np.full((1, 5), "a"))
    with pytest.raises(DataTypeError, match="X must be a dict"):
        ql.predict(lgbm, 3.0)
    with pytest.raises(ShapeError, match=r"X must be 2-D \(n_rows, 5\); got shape \(5,\)"):
        ql.predict(lgbm, np.zeros(5))


def test_empty_requests(lgbm: Model) -> None:
    with pytest.raises(ValidationError, match="the request is empty"):
        ql.predict(lgbm, {})
    with pytest.raises(ValidationError, match="empty list"):
        ql.predict(lgbm, [])
    with pytest.raises(ValidationError, match="X has no rows"):
        ql.predict(lgbm, np.zeros((0, 5)))
    with pytest.raises(ValidationError, match="the request is empty: pass X"):
        ql.predict(lgbm)


def test_inf_and_forbidden_nan(lgbm: Model, strict: Model) -> None:
    with pytest.raises(ValidationError, match=r"feature 'f3' is infinite \(row 0\)"):
        ql.predict(lgbm, dict.fromkeys(NAMES, 0.0) | {"f3": float("inf")})
    with pytest.raises(
        ValidationError, match=r"feature 'f1' is NaN / missing .*nan_policy='raise'"
    ):
        ql.predict(strict, dict.fromkeys(NAMES, 0.0) | {"f1": None})


def test_linear_median_imputation_matches_model() -> None:
    X, y, names = regression_data()
    est = RidgeModel().fit(pd.DataFrame(X, columns=names), y)
    m = Model.from_estimator(est)
    Xn = X[:5].copy()
    Xn[0, 1] = np.nan
    np.testing.assert_allclose(ql.predict(m, Xn), est.predict(Xn), rtol=1e-12)


def test_predict_from_prices_equals_features_path() -> None:
    from quantlab.data import sample_universe
    from quantlab.ml import Feature, FeatureSet, forward_returns

    u = sample_universe(n_assets=8, n_days=120, seed=1)
    fs = FeatureSet(
        [
            Feature("ret", window=5),
            Feature("vol", window=10),
            Feature("ret", window=5, transform="xs_rank"),
        ]
    )
    X = fs.compute(u.close)
    y = forward_returns(u.close, 5).y
    ok = y.notna().to_numpy() & X.notna().all(axis=1).to_numpy()
    est = RidgeModel().fit(X[ok], y[ok].to_numpy())
    m = Model.from_estimator(est, feature_set=fs)
    out = ql.predict(m, prices=u.close)
    assert isinstance(out, pd.Series) and list(out.index) == list(u.close.columns)
    latest = fs.latest(u.close).droplevel(0)
    np.testing.assert_allclose(out.to_numpy(), est.predict(latest))
    with pytest.raises(ValidationError, match="either X .* or prices, not both"):
        ql.predict(m, latest, prices=u.close)


def test_prices_need_a_feature_set(lgbm: Model) -> None:
    with pytest.raises(ValidationError, match="has no stored feature set"):
        ql.predict(lgbm, prices=pd.DataFrame({"a": [1.0, 2.0]}))
