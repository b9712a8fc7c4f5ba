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
    "trial_family": "momentum",
    "data": {"source": "sample", "n_assets": 20, "n_days": 400, "seed": 3},
    "label": {"kind": "forward_returns", "horizon": 5},
    "model": {"name": "lgbm", "params": {"n_estimators": 30, "min_child_samples": 50}},
    "cv": {"kind": "purged_kfold", "n_splits": 3},
    "costs": {"fees": 0.0005},
    "montecarlo": {"n_paths": 200, "horizon": 21},
}
RIDGE: dict[str, Any] = {**RECIPE, "trial_family": None, "model": {"name": "ridge"}}


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
def two_runs(store_root: Path) -> dict[str, Any]:
    """Four training runs into one experiment (see test_trials_are_distinct_configurations)."""
    mp = pytest.MonkeyPatch()
    from tests.tracking._store import store_env

    store_env(mp, store_root)
    mp.chdir(store_root)  # the runs' tearsheets go to ./reports
    try:
        first = ql.train(RECIPE, register_as="train-lgbm", alias="production")
        # another model family: not a trial of the LightGBM runs
        second = ql.train(RIDGE, register_as="train-lgbm")
        # an identical rerun (other name, other Monte Carlo seed, no MC, no report)
        rerun = ql.train(
            {
                **RECIPE,
                "name": "rerun",
                "montecarlo": {"n_paths": 0, "seed": 7},
                "report": {"enabled": False},
            }
        )
        # the ridge named into the LightGBM's trial family: now two configurations
        pooled = ql.train({**RIDGE, "trial_family": "momentum"})
    finally:
        mp.undo()
    return {"first": first, "second": second, "rerun": rerun, "pooled": pooled}


def test_train_logs_everything_and_registers(tracking: str, two_runs: dict[str, Any]) -> None:
    import mlflow
    import mlflow.artifacts

    first = two_runs["first"]
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
    assert {"MLmodel", "input_example.json", "requirements.txt"} <= set(os.listdir(model_dir))
    assert {"model.txt", "quantlab_model.json"} <= set(
        os.listdir(os.path.join(model_dir, "data", "quantlab"))
    )
    m = ql.load_model("train-lgbm@production")
    assert m.metadata["data"]["n_assets"] == 20 and m.metadata["run_id"] == first.run_id
    assert m.feature_set is not None and m.feature_names == m.feature_set.names
    u = ql.data.sample_universe(n_assets=20, n_days=400, seed=3)
    out = ql.predict("train-lgbm", prices=u.ohlcv, events=u.events)
    X = m.feature_set.latest(u.ohlcv, u.events)
    np.testing.assert_allclose(out.to_numpy(), first.model.predict(X))


def test_model_is_a_pyfunc_with_signature(tracking: str, two_runs: dict[str, Any]) -> None:
    import mlflow.pyfunc

    first = two_runs["first"]
    pm = mlflow.pyfunc.load_model(first.model_uri)
    names = [c.name for c in pm.metadata.get_input_schema().inputs]
    assert names == ql.load_model(first.model_uri).feature_names
    example = pm.input_example
    assert isinstance(example, pd.DataFrame) and list(example.columns) == names
    np.testing.assert_allclose(np.asarray(pm.predict(example)), first.model.predict(example))


def test_trials_are_distinct_configurations(tracking: str, two_runs: dict[str, Any]) -> None:
    # issue 13 item 3: every run of the experiment counted, reruns and other models included
    first, second, rerun, pooled = (two_runs[k] for k in ("first", "second", "rerun", "pooled"))
    assert (first.trial_family, second.trial_family, pooled.trial_family) == (
        "momentum",
        "ridge",
        "momentum",
    )
    assert first.n_trials == 1 and first.metrics["n_trials"] == 1.0
    assert second.n_trials == 1  # the LightGBM run is another family
    assert rerun.config_hash == first.config_hash and rerun.n_trials == 1
    # the same configuration on the same data reads the same deflated Sharpe
    assert rerun.metrics["deflated_sharpe"] == first.metrics["deflated_sharpe"]
    assert pooled.config_hash == second.config_hash  # the family is not the configuration
    assert pooled.n_trials == 2 and pooled.backtest.metrics["n_trials"] == 2.0
    # the DSR of two trials, recomputed from the two configurations' returns
    from quantlab.metrics.inference import deflated_sharpe_from_returns

    both = pd.concat([pooled.backtest.returns, first.backtest.returns], axis=1)
    sr = both.mean() / both.std(ddof=1)
    expected = deflated_sharpe_from_returns(
        pooled.backtest.returns, n_trials=2, sharpe_variance=float(np.var(sr, ddof=1))
    )
    assert pooled.metrics["deflated_sharpe"] == pytest.approx(expected, rel=1e-9)
    assert pooled.pbo is not None and 0.0 <= pooled.pbo.pbo <= 1.0 and first.pbo is None
    from mlflow import MlflowClient

    tags = MlflowClient().get_run(pooled.run_id).data.tags
    assert tags["quantlab.trial_family"] == "momentum"
    assert tags["quantlab.config_hash"] == pooled.config_hash
    assert second.version == str(int(first.version) + 1)
    # the alias stayed on the first version
    assert ql.load_model("train-lgbm").version == first.version


def test_train_runs_the_montecarlo_and_report_sections(
    tracking: str, store_root: Path, two_runs: dict[str, Any]
) -> None:
    # issue 13 item 15: ql.train ignored [montecarlo] and [report] (only the CLI ran them)
    from mlflow import MlflowClient

    first, rerun, pooled = two_runs["first"], two_runs["rerun"], two_runs["pooled"]
    assert first.montecarlo is not None and first.montecarlo.terminal_wealth.shape == (200,)
    assert 0.0 <= first.metrics["mc_prob_loss"] <= 1.0
    logged = MlflowClient().get_run(first.run_id).data.metrics
    assert logged["mc_terminal_wealth_median"] == first.metrics["mc_terminal_wealth_median"]
    assert first.report_path is not None
    assert first.report_path.name == f"{first.run_id}.html"
    assert "report/tearsheet.html" in _artifacts(first.run_id)
    assert rerun.montecarlo is None and rerun.report_path is None
    assert not any(k.startswith("mc_") for k in rerun.metrics)
    # issue 13 item 4: the section explaining PBO shows a PBO value, or why there is none
    from tests.report.test_tearsheet import section_html

    html = (store_root / pooled.report_path).read_text()
    sec = section_html(html, "Deflated Sharpe and PBO")
    assert f"PBO {pooled.pbo.pbo:.2f}: " in sec
    assert "2 distinct configurations of trial family" in html
    sec = section_html((store_root / first.report_path).read_text(), "Deflated Sharpe and PBO")
    assert "n/a: needs at least 2 trials with returns" in sec


def test_experiment_report(tracking: str, two_runs: dict[str, Any]) -> None:
    # four runs, two configurations: each counted once, by its newest run
    rep = experiment_report("train-test", n_splits=8)
    newest = {two_runs["rerun"].run_id, two_runs["pooled"].run_id}
    assert rep.n_trials == 2 and set(rep.runs["run_id"]) == newest
    family = experiment_report("train-test", family="ridge", n_splits=8)
    assert family.n_trials == 1 and list(family.runs["run_id"]) == [two_runs["second"].run_id]
    with pytest.raises(ParameterError, match="family must be a trial family name"):
        experiment_report("train-test", family="x' or '1'='1")
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
        "[montecarlo]\nn_paths = 0\n[report]\nenabled = false\n"
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
