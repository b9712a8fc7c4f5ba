"""Experiment tracking and the model registry, on MLflow (the only package importing it).

* :func:`train` / :func:`run_recipe` -- run a recipe through the ML pipeline, log
  everything, register the model, then its Monte Carlo and tearsheet
* :func:`log_backtest` -- log a backtest (parameters, metrics, plots, trades, returns)
* :func:`register_model` -- register a model fitted by your own code; :func:`set_alias`,
  :func:`list_models`
* :func:`experiment_report` -- deflated Sharpe of the best run and PBO across an experiment
* :mod:`~quantlab.tracking.model_format` -- the model directory format (no pickle for
  built-in models; a valid MLflow pyfunc model)

The store: ``QUANTLAB_TRACKING_URI`` / ``MLFLOW_TRACKING_URI``, else an embedded SQLite
store ``sqlite:///mlflow.db`` with artifacts in ``./mlartifacts`` (see
:mod:`~quantlab.tracking.store`). Attributes load lazily; mlflow itself is imported only
inside the functions that talk to the store.
"""

from __future__ import annotations

import importlib
from typing import Any

# ``train`` is both a submodule and a function: importing the submodule anywhere would
# rebind the package attribute to the module, so the function is bound here, eagerly
# (train.py imports only numpy / pandas at module level; mlflow stays lazy).
from quantlab.tracking.train import TrainResult as TrainResult
from quantlab.tracking.train import run_recipe as run_recipe
from quantlab.tracking.train import train as train

_EXPORTS = {
    "validate_recipe": "quantlab.tracking.recipe",
    "load_recipe": "quantlab.tracking.recipe",
    "log_backtest": "quantlab.tracking.backtest_log",
    "register_model": "quantlab.tracking.registry",
    "RegisteredVersion": "quantlab.tracking.registry",
    "set_alias": "quantlab.tracking.registry",
    "delete_alias": "quantlab.tracking.registry",
    "list_models": "quantlab.tracking.registry",
    "resolve_alias": "quantlab.tracking.registry",
    "experiment_report": "quantlab.tracking.experiment",
    "ExperimentReport": "quantlab.tracking.experiment",
    "tracking_uri": "quantlab.tracking.store",
    "save_model": "quantlab.tracking.model_format",
    "read_model": "quantlab.tracking.model_format",
}

__all__ = sorted([*_EXPORTS, "TrainResult", "run_recipe", "train"])


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'quantlab.tracking' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
