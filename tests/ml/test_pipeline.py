"""fit_predict_oos on the synthetic universe: the planted signal is found, the null is not.

Statistics: 40 assets x 1000 days, 5-day forward-return labels, 4 purged folds with a
5-bar embargo; about 990 out-of-sample dates. The per-date rank IC has a standard
deviation of about 0.15 (1 / sqrt(40 assets)), and the 5-day labels overlap, so the
t-statistic of the mean IC uses a Newey-West variance with 4 lags (:func:`ic_summary`).
Planted: we require t > 3 (mean IC more than 3 standard errors above zero) and a positive
IC in every fold. Null: |t| < 3, a bound a true null exceeds with probability ~0.3%.
Measured with these seeds: planted rank IC 0.058 (t 7.9), null 0.012 (t 1.5); over null
seeds 1-8 the t-statistics had mean 0.37 and std 0.93, i.e. well calibrated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlab.data import sample_universe
from quantlab.errors import AlignmentError, DataTypeError, ModelNotFoundError, ValidationError
from quantlab.ml import (
    CombinatorialPurgedCV,
    Feature,
    FeatureSet,
    PurgedKFold,
    WalkForward,
    backtest_predictions,
    fit_predict_oos,
    forward_returns,
    forward_sign,
    information_coefficient,
    predictions_to_weights,
    research,
)

LGBM = {"n_estimators": 50, "learning_rate": 0.1, "n_jobs": 1}


def _run(strength: float):
    u = sample_universe(n_assets=40, n_days=1000, seed=7, signal_strength=strength)
    X = FeatureSet.default().compute(u, u.events)
    y = forward_returns(u.close, horizon=5)
    res = fit_predict_oos(
        X, y, "lgbm", PurgedKFold(4, embargo=5), sample_weight="uniqueness", **LGBM
    )
    return u, res


@pytest.fixture(scope="module")
def planted():
    return _run(1.0)


@pytest.fixture(scope="module")
def null():
    return _run(0.0)


def test_lgbm_finds_the_planted_signal(planted):
    _, res = planted
    s = res.ic_summary().loc["rank"]
    assert s["n_dates"] > 900
    assert s["t_stat"] > 3.0, s
    assert 0.02 < s["mean"] < 0.12
    assert (res.folds["rank_ic"] > 0).all(), res.folds


def test_no_signal_is_found_in_the_null_universe(null):
    _, res = null
    s = res.ic_summary().loc["rank"]
    assert abs(s["t_stat"]) < 3.0, s


def test_every_labelled_row_is_predicted_once(planted):
    u, res = planted
    y = forward_returns(u.close, 5)
    assert len(res.predictions) == int(y.valid.sum())
    assert res.kind == "return" and res.horizon == 5
    assert list(res.paths.columns) == ["path_0"]
    ref = information_coefficient(res.predictions, res.returns)
    pd.testing.assert_frame_equal(res.ic, ref)


def test_ic_matches_pandas_spearman(planted):
    _, res = planted
    p, r = res.predictions.unstack(), res.returns.unstack()
    day = p.index[100]
    expected = p.loc[day].corr(r.loc[day], method="spearman")
    assert res.ic.loc[day, "rank"] == pytest.approx(expected, abs=1e-12)
    assert res.ic.loc[day, "pearson"] == pytest.approx(p.loc[day].corr(r.loc[day]), abs=1e-12)


@pytest.fixture(scope="module")
def small():
    u = sample_universe(n_assets=8, n_days=200, seed=3)
    X = FeatureSet([Feature("ret", window=5), Feature("vol", window=10)]).compute(u.close)
    return u, X, forward_returns(u.close, 5)


def test_cpcv_paths_cover_every_row_once_per_path(small):
    u, X, y = small
    cv = CombinatorialPurgedCV(n_groups=5, n_test_groups=2, embargo=2)
    res = fit_predict_oos(X, y, "ridge", cv)
    assert list(res.paths.columns) == [f"path_{p}" for p in range(4)]
    assert res.paths.notna().all().all()  # every path predicts every row
    assert len(res.folds) == 10
    np.testing.assert_allclose(res.predictions, res.paths.mean(axis=1))


def test_walk_forward_leaves_the_first_window_unpredicted(small):
    u, X, y = small
    res = fit_predict_oos(X, y, "ridge", WalkForward(n_splits=3, test_size=40))
    first = res.predictions.index.get_level_values(0).min()
    assert first == u.close.index[-5 - 120]  # the last 5 bars have no label
    assert (res.folds["n_train"] > 0).all()


def test_probability_model_and_threshold_weights(small):
    u, X, _ = small
    res = fit_predict_oos(X, forward_sign(u.close, 5), "logistic", PurgedKFold(3))
    assert res.kind == "probability"
    assert res.predictions.between(0, 1).all()
    w = predictions_to_weights(res.predictions, kind=res.kind, threshold=0.51)
    assert np.allclose(w.abs().sum(axis=1)[w.abs().sum(axis=1) > 0], 1.0)


def test_quantile_weights_are_dollar_neutral():
    idx = pd.MultiIndex.from_product([pd.bdate_range("2024-01-01", periods=2), list("abcdefghij")])
    p = pd.Series(np.r_[np.arange(10.0), np.full(10, np.nan)], index=idx)
    p.iloc[12] = 1.0
    w = predictions_to_weights(p, quantile=0.2)
    assert w.iloc[0].tolist() == [-0.25, -0.25, 0, 0, 0, 0, 0, 0, 0.25, 0.25]
    assert w.iloc[1].tolist() == [0.0, 0.0, 0.5, 0, 0, 0, 0, 0, 0, 0]  # one name: long only side
    lo = predictions_to_weights(p, quantile=0.2, long_only=True)
    assert lo.iloc[0].sum() == pytest.approx(1.0) and (lo.iloc[0] >= 0).all()


def test_oos_backtest_reports_the_deflated_sharpe(planted):
    u, res = planted
    bt = backtest_predictions(
        res.predictions,
        u.close,
        kind=res.kind,
        horizon=5,
        fees=0.0005,
        n_trials=10,
        sharpe_variance=1e-4,
    )
    assert {"sharpe", "max_drawdown", "deflated_sharpe"} <= set(bt.metrics.index)
    assert 0.0 <= bt.deflated_sharpe <= 1.0
    rebal = bt.weights.dropna(how="all")
    assert len(rebal) == int(np.ceil(res.predictions.index.get_level_values(0).nunique() / 5))
    assert np.allclose(rebal.abs().sum(axis=1), 1.0)
    assert bt.metrics["sharpe"] > 0  # the planted signal pays after costs


def test_research_one_call():
    u = sample_universe(n_assets=10, n_days=300, seed=2)
    out = research(u, model="ridge", cv=PurgedKFold(3, embargo=5), fees=0.0)
    assert out.features.index.equals(out.labels.index)
    assert {"pearson", "rank"} == set(out.ic.index)
    assert "deflated_sharpe" in out.metrics.index


def test_bad_input(small):
    u, X, y = small
    with pytest.raises(AlignmentError, match="labels and features are not on the same"):
        fit_predict_oos(X.iloc[10:], y, "ridge")
    with pytest.raises(AlignmentError, match="labels and features are not on the same"):
        fit_predict_oos(X, forward_returns(u.close.iloc[:, :4], 5), "ridge")
    with pytest.raises(ValidationError, match="needs at least 300 distinct dates for 300 folds"):
        fit_predict_oos(X, y, "ridge", 300)
    with pytest.raises(ValidationError, match="no training rows left after purging"):
        fit_predict_oos(X, y, "ridge", PurgedKFold(2, embargo=150))
    with pytest.raises(ModelNotFoundError, match="known models"):
        fit_predict_oos(X, y, "catboost")
    with pytest.raises(DataTypeError, match="fit\\(\\) and predict\\(\\)"):
        fit_predict_oos(X, y, object())
    with pytest.raises(ValidationError, match="nan_policy='raise'"):
        fit_predict_oos(X, y, "ridge", 3, nan_policy="raise")  # warm-up rows hold NaN
    with pytest.raises(ValidationError, match="must be a quantlab.ml.labels.Labels"):
        fit_predict_oos(X, y.y.to_numpy(), "ridge")
