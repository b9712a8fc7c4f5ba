"""The main job's LightGBM against its ridge baseline, on other draws of the universe.

Not a speed benchmark: the out-of-sample quality of model settings on the main job's
pipeline (models/momentum_lgbm.toml: features, labels, purged CV folds, positions, costs),
on the sample universe drawn with other seeds than the main job's (``data.seed = 0``), so
the LightGBM settings are chosen without looking at the main job's folds. Prints rank IC
and Sharpe after costs per seed and variant; no MLflow.

    PYTHONPATH=. python benchmarks/compare_main_job_models.py 1 2
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from quantlab.ml import backtest_predictions, fit_predict_oos
from quantlab.tracking import load_recipe
from quantlab.tracking.train import _cv, _feature_set, _labels, _load_data

RECIPE = Path(__file__).resolve().parents[1] / "models" / "momentum_lgbm.toml"
VARIANTS = {
    "ridge (baseline)": ("ridge", {"alpha": 10.0}),
    "lgbm, previous": (
        "lgbm",
        {"n_estimators": 100, "learning_rate": 0.05, "num_leaves": 15, "min_child_samples": 200},
    ),
    "lgbm, 4 leaves": (
        "lgbm",
        {
            "n_estimators": 300,
            "learning_rate": 0.03,
            "num_leaves": 4,
            "min_child_samples": 500,
            "subsample": 0.8,
            "subsample_freq": 1,
            "colsample_bytree": 0.8,
            "reg_lambda": 5.0,
        },
    ),
    "lgbm, stumps (chosen)": (
        "lgbm",
        {
            "n_estimators": 300,
            "learning_rate": 0.02,
            "num_leaves": 2,
            "min_child_samples": 2000,
            "reg_lambda": 10.0,
        },
    ),
}


def main(seeds: list[int]) -> None:
    recipe = load_recipe(RECIPE)
    for seed in seeds:
        recipe["data"]["seed"] = seed
        prices, events, close = _load_data(recipe["data"])
        X = _feature_set(recipe["features"], False).compute(prices, events)
        labels = _labels(recipe["label"], close)
        for name, (model, params) in VARIANTS.items():
            t0 = time.perf_counter()
            extra = {"n_jobs": 1} if model == "lgbm" else {}
            oos = fit_predict_oos(
                X,
                labels,
                model,
                _cv(recipe["cv"], labels.horizon),
                sample_weight="uniqueness",
                **params,
                **extra,
            )
            bt = backtest_predictions(
                oos.predictions,
                close,
                kind=oos.kind,
                horizon=labels.horizon,
                **recipe["costs"],
                **recipe["positions"],
            )
            ic = oos.ic_summary().loc["rank", "mean"]
            print(
                f"seed={seed} {name:<22} rank IC {ic:.4f}  Sharpe {bt.metrics['sharpe']:.3f}  "
                f"({time.perf_counter() - t0:.1f} s)",
                flush=True,
            )


if __name__ == "__main__":
    main([int(s) for s in sys.argv[1:]] or [1, 2])
