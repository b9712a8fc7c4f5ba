"""train, log_backtest and experiment_report against a real SQLite MLflow store."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import quantlab as ql
from quantlab.errors import DataTypeError, NotFoundError, ParameterError
from quantlab.tracking import experiment_report, log_backtest, validate_recipe
from tests.conftest import make_prices

RECIPE: dict[str, Any] = {
    "experiment": "train-test",
    "data": {"source": "sample", "n_assets": 20, "n_days": 400, "seed": 3},
    "label": {"kind": "forward_returns", "horizon": 5},
    "model": {"name": "lgbm", "params": {"n_estimators": 30, "min_child_samples": 50}},
    "cv": {"kind": "purged_kfold", "n_splits": 3},
    "costs": {"fees": 0.0005},
}


def _artifacts(run_id: str) -> set[str]:
    from mlflow import MlflowClient

    cl = MlflowClient()
    out: set[str] = set()
    todo = [""]
    while todo:
        for f in cl.list_artifacts(run_id, todo.pop() or None):
            (todo.append(f.path) if f.is_dir else out.add(f.path))
    return out


@pytest.fixture(scope="module")
def two_runs(store_root: Path) -> tuple[Any, Any]:
    mp = pytest.MonkeyPatch()
    from tests.tracking._store import store_env

    store_env(mp, store_root)
    try:
        first = ql.train(RECIPE, register_as="train-lgbm", alias="production")
        second = ql.train({**RECIPE, "model": {"name": "ridge"}}, register_as="train-lgbm")
    finally:
        mp.undo()
    return first, second


def test_train_logs_everything_and_registers(tracking: str, two_runs: tuple[Any, Any]) -> None:
    import mlflow
    import mlflow.artifacts

    first, _ = two_runs
    assert first.model_uri == f"models:/train-lgbm/{first.version}"
    for key in (
        "ic_mean",
        "rank_ic_mean",
        "icir",
        "rank_icir",
        "sharpe",
        "deflated_sharpe",
        "max_drawdown",
        "n_trades",
    ):
        assert key in first.metrics, key
    assert first.metrics["n_trials"] == 1.0
    run = mlflow.get_run(first.run_id)
    assert run.data.params["model.name"] == "lgbm"
    assert run.data.params["data.range.start"] == "2015-01-02"
    assert len(run.data.tags["quantlab.data_hash"]) == 64
    assert set(run.data.metrics) >= {"fold_rank_ic", "sharpe", "deflated_sharpe"}
    arts = _artifacts(first.run_id)
    assert {
        "feature_set.json",
        "feature_importance.csv",
        "folds.csv",
        "backtest/returns.parquet",
        "backtest/trades.parquet",
        "backtest/equity.png",
        "backtest/drawdown.png",
    } <= arts
    model_dir = mlflow.artifacts.download_artifacts(first.model_uri)
    assert {"MLmodel", "model.txt", "quantlab_model.json", "input_example.json"} <= set(
        os.listdir(model_dir)
    )
    m = ql.load_model("train-lgbm@production")
    assert m.metadata["data"]["n_assets"] == 20 and m.metadata["run_id"] == first.run_id
    assert m.feature_set is not None and m.feature_names == m.feature_set.names
    u = ql.data.sample_universe(n_assets=20, n_days=400, seed=3)
    out = ql.predict("train-lgbm", prices=u.ohlcv, events=u.events)
    X = m.feature_set.latest(u.ohlcv, u.events)
    np.testing.assert_allclose(out.to_numpy(), first.model.predict(X))


def test_model_is_a_pyfunc_with_signature(tracking: str, two_runs: tuple[Any, Any]) -> None:
    import mlflow.pyfunc

    first, _ = two_runs
    pm = mlflow.pyfunc.load_model(first.model_uri)
    names = [c.name for c in pm.metadata.get_input_schema().inputs]
    assert names == ql.load_model(first.model_uri).feature_names
    example = pm.input_example
    assert isinstance(example, pd.DataFrame) and list(example.columns) == names
    np.testing.assert_allclose(np.asarray(pm.predict(example)), first.model.predict(example))


def test_second_run_is_deflated_by_the_first(tracking: str, two_runs: tuple[Any, Any]) -> None:
    first, second = two_runs
    assert second.metrics["n_trials"] == 2.0
    assert second.backtest.metrics["n_trials"] == 2.0
    assert 0.0 <= second.metrics["deflated_sharpe"] <= 1.0
    assert second.version == str(int(first.version) + 1)
    # the alias stayed on the first version
    assert ql.load_model("train-lgbm").version == first.version


def test_experiment_report(tracking: str, two_runs: tuple[Any, Any]) -> None:
    first, second = two_runs
    rep = experiment_report("train-test", n_splits=8)
    assert rep.n_trials == 2 and set(rep.runs["run_id"]) == {first.run_id, second.run_id}
    assert rep.best_run_id == rep.runs.loc[0, "run_id"]
    assert rep.runs["sharpe"].is_monotonic_decreasing
    assert 0.0 <= rep.deflated_sharpe <= 1.0 and rep.sharpe_variance >= 0.0
    assert rep.pbo is not None and rep.pbo.n_splits == 8
    with pytest.raises(NotFoundError, match=r"experiment 'nope' does not exist .*experiments: \["):
        experiment_report("nope")


def test_train_from_toml(tracking: str, tmp_path: Path) -> None:
    path = tmp_path / "ridge_demo.toml"
    path.write_text(
        'experiment = "toml-test"\n'
        'features = [{kind = "ret", window = 5}, {kind = "vol", window = 10}]\n'
        "[data]\nn_assets = 10\nn_days = 300\n"
        '[model]\nname = "ridge"\nsample_weight = "none"\n'
        '[cv]\nkind = "walk_forward"\nn_splits = 3\n'
        "[positions]\nquantile = 0.3\n"
    )
    res = ql.train(path)
    assert res.version is None and res.model_uri == f"runs:/{res.run_id}/model"
    assert res.recipe["name"] == "ridge_demo"
    assert ql.load_model(res.model_uri).feature_names == ["ret_5", "vol_10"]


def test_recipe_validation_names_the_key() -> None:
    with pytest.raises(
        ParameterError, match=r"unknown recipe key 'modle' \(did you mean 'model'\?\)"
    ):
        validate_recipe({"modle": {}})
    with pytest.raises(
        ParameterError, match=r"unknown recipe key 'cv.n_split' \(did you mean 'cv.n_splits'\?\)"
    ):
        validate_recipe({"cv": {"n_split": 3}})
    with pytest.raises(
        ParameterError, match="recipe key 'costs.fees' must be int or float; got str"
    ):
        validate_recipe({"costs": {"fees": "0.1"}})
    with pytest.raises(ParameterError, match="recipe key 'label.horizon' must be int; got bool"):
        validate_recipe({"label": {"horizon": True}})
    with pytest.raises(
        ParameterError, match=r"recipe key 'label.kind' must be one of \['forward_returns'"
    ):
        validate_recipe({"label": {"kind": "fwd"}})
    with pytest.raises(ParameterError, match="'alias' needs 'register_as'"):
        validate_recipe({"alias": "production"})
    with pytest.raises(
        ParameterError, match=r"recipe key 'features\[0\]' must be a table with a 'kind'"
    ):
        validate_recipe({"features": [{"window": 5}]})
    with pytest.raises(DataTypeError, match="recipe dict or the path of a TOML recipe"):
        ql.train(42)
    with pytest.raises(NotFoundError, match="recipe file 'missing.toml' does not exist"):
        ql.train("missing.toml")


def test_log_backtest(tracking: str) -> None:
    import mlflow

    close = make_prices(300, 3, seed=2)
    fast, slow = close.rolling(5).mean(), close.rolling(20).mean()
    res = ql.backtest.from_signals(close, fast > slow, fast < slow, fees=0.001)
    run_id = log_backtest(
        res, params={"fast": 5, "slow": {"window": 20}}, name="sma", experiment="bt-test"
    )
    run = mlflow.get_run(run_id)
    assert run.data.params == {"fast": "5", "slow.window": "20"}
    assert "A0/sharpe" in run.data.metrics and "A2/max_drawdown" in run.data.metrics
    arts = _artifacts(run_id)
    assert {
        "backtest/returns.parquet",
        "backtest/trades.parquet",
        "backtest/equity.png",
        "backtest/drawdown.png",
        "backtest/metrics.csv",
    } <= arts
    from quantlab.tracking.backtest_log import returns_of_run

    logged = returns_of_run(run_id, tracking)
    assert logged is not None
    pd.testing.assert_frame_equal(logged, res.returns, check_freq=False)
    with pytest.raises(DataTypeError, match="result must be a quantlab BacktestResult"):
        log_backtest(pd.Series([0.01]), experiment="bt-test")


def test_experiment_report_of_backtests(tracking: str) -> None:
    close = make_prices(400, 1, seed=5)
    for w in (5, 10, 20, 40):
        sma = close.rolling(w).mean()
        res = ql.backtest.from_signals(close, close > sma, close < sma)
        log_backtest(res, params={"window": w}, experiment="sweep-test")
    rep = experiment_report("sweep-test")
    assert rep.n_trials == 4 and rep.returns.shape == (400, 4)
    assert rep.pbo is not None and rep.pbo.n_splits == 16
    assert os.path.basename(rep.best_run_id) == rep.best_run_id
