"""The training pipeline's factor-analysis hook, against a real SQLite MLflow store."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import quantlab as ql
from quantlab.factors import analyze
from quantlab.tracking.factor_log import log_oos_factor_analysis

RECIPE: dict[str, Any] = {
    "experiment": "factor-hook",
    "data": {"source": "sample", "n_assets": 20, "n_days": 300, "seed": 5},
    "label": {"kind": "forward_returns", "horizon": 5},
    "model": {"name": "ridge"},
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


def test_train_logs_the_factor_analysis_of_oos_predictions(tracking: str) -> None:
    import mlflow

    res = ql.train(RECIPE)
    run = mlflow.get_run(res.run_id)
    assert run.data.tags["quantlab.factor_analysis"] == "logged"
    arts = _artifacts(res.run_id)
    assert {
        "factor_analysis/tearsheet.html",
        "factor_analysis/mean_returns.csv",
        "factor_analysis/ic_summary.csv",
        "factor_analysis/cumulative_returns_of_quantile_portfolios.png",
        "factor_analysis/ic_per_date.png",
    } <= arts
    # the logged figures are the analysis of the OOS predictions, recomputed here
    u = ql.data.sample_universe(n_assets=20, n_days=300, seed=5)
    fa = analyze(res.oos.predictions, u.close, horizons=(1, 5, 21), max_loss=1.0, fees=0.0005)
    for h in (1, 5, 21):
        got = run.data.metrics[f"factor.ic_mean.h{h}"]
        assert got == pytest.approx(float(fa.ic_summary.loc[h, "mean"]), abs=1e-12)
    assert res.metrics["factor.loss"] == pytest.approx(fa.data.loss.loss)


def test_sparse_predictions_are_tagged_not_fatal(tracking: str) -> None:
    import mlflow

    idx = pd.bdate_range("2024-01-01", periods=60)
    close = pd.DataFrame(
        np.exp(np.random.default_rng(0).normal(0, 0.01, (60, 3)).cumsum(0)),
        index=idx,
        columns=["A", "B", "C"],
    )
    preds = close.pct_change(3).stack(future_stack=True).dropna()
    preds.iloc[:] = 1.0  # constant: no quantile edges anywhere
    with mlflow.start_run() as run:
        assert log_oos_factor_analysis(preds, close) == {}
    tag = mlflow.get_run(run.info.run_id).data.tags["quantlab.factor_analysis"]
    assert tag.startswith("skipped: factor has no usable row")
