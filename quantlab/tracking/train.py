"""``quantlab.train``: run a recipe through the ML pipeline, log it all, register the model.

The recipe -> pipeline translation is deliberately small (:func:`_build`): the recipe's
sections map one to one onto :mod:`quantlab.ml` calls::

    data       -> sample_universe(...) or load_ohlcv(path)        (+ events)
    features   -> FeatureSet.default() / FeatureSet([...])         .compute(prices, events)
    label      -> forward_returns / forward_sign / cross_sectional_rank / triple_barrier_labels
    model, cv  -> fit_predict_oos(X, labels, model, cv, sample_weight=...)
    positions, costs -> backtest_predictions(predictions, close, fees=, slippage=, ...)
    baseline   -> the same fit_predict_oos + backtest with the baseline model (optional)

then the final model is fitted on every labelled row and logged with the feature set.

Logged to the run: the flattened recipe as parameters; the data range and a SHA-256 of
the data (``quantlab.data_hash`` tag); per-fold rank IC (metric ``fold_rank_ic``, one step
per fold); OOS ``ic_mean``, ``rank_ic_mean``, ``icir``, ``rank_icir``, ``ic_t_stat``;
every backtest metric (Sharpe ...); with a ``[baseline]`` section, the baseline model's
``baseline_rank_ic_mean``, ``baseline_sharpe``, ``baseline_annual_return`` and
``baseline_max_drawdown`` on the same folds, positions and costs; ``deflated_sharpe``
with ``n_trials`` = the number of *distinct configurations* of the run's trial family in
the experiment, this one included (tags ``quantlab.trial_family`` and ``quantlab.config_hash``, see
:func:`~quantlab.tracking.recipe.config_hash`; the trial Sharpe variance comes from the
latest run of each other configuration; the PSR when this is the only one); artifacts
``feature_set.json``, ``feature_importance.csv``, ``folds.csv``, the backtest artifacts of
:func:`~quantlab.tracking.log_backtest`, the factor analysis of the OOS predictions
(``factor.*`` metrics, ``factor_analysis/`` tear sheet, tables and figures; see
:mod:`quantlab.tracking.factor_log`), and the model (signature, input example). Runs
logged before trial families existed (no tag) are not counted.

Then the recipe's ``[montecarlo]`` (``mc_*`` metrics) and ``[report]`` sections run
(:mod:`~quantlab.tracking.outputs`; the tearsheet is saved to ``<report.dir>/<run_id>.html``
and logged as the artifact ``report/tearsheet.html``): :func:`run_recipe` is the one
implementation, which :func:`train` and ``quantlab run`` both call.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from quantlab.errors import DataTypeError, ParameterError
from quantlab.tracking import store
from quantlab.tracking.backtest_log import flatten_params, log_backtest_artifacts, returns_of_run
from quantlab.tracking.experiment import CONFIG_TAG, FAMILY_TAG
from quantlab.tracking.recipe import (
    CV_SPLITTERS,
    config_hash,
    load_recipe,
    trial_family,
    validate_recipe,
)

__all__ = ["TRAIN_STAGES", "TrainResult", "log_to_run", "run_recipe", "train"]

#: The stages :func:`train` reports to its ``progress`` callback, in order.
TRAIN_STAGES: tuple[str, ...] = (
    "data",
    "features",
    "labels",
    "cross-validation",
    "OOS backtest",
    "baseline",
    "final model",
    "deflated Sharpe",
    "MLflow logging",
    "Monte Carlo",
    "report",
)


@dataclass(frozen=True)
class TrainResult:
    """What :func:`train` returns.

    Attributes
    ----------
    run_id, experiment_id : str
    model_uri : str
        ``models:/<name>/<version>`` when registered, else ``runs:/<run_id>/model``.
    version : str or None
        The registered version.
    metrics : dict
        Every metric logged to the run.
    backtest : OOSBacktest
        The out-of-sample backtest (its metrics include the experiment's deflated Sharpe).
    oos : OOSResult
        Out-of-sample predictions, ICs and folds.
    model : object
        The final model, fitted on every labelled row.
    recipe : dict
        The validated recipe.
    feature_importance : pandas.Series or None
        The final model's feature importances (absolute coefficients for linear models),
        indexed by feature name; logged as ``feature_importance.csv``.
    n_trials : int
        Distinct configurations of the trial family counted by the deflated Sharpe.
    trial_family, config_hash : str
        The run's trial family and configuration hash (also its tags).
    pbo : PBOResult or None
        PBO across the family's configurations (None with fewer than 2).
    montecarlo : SimulationResult or None
        The ``[montecarlo]`` simulation of the OOS returns (None when ``n_paths = 0``);
        its metrics are in :attr:`metrics` (``mc_*``).
    report_path : pathlib.Path or None
        The saved tearsheet (None when ``report.enabled`` is false).
    """

    run_id: str
    experiment_id: str
    model_uri: str
    version: str | None
    metrics: dict[str, float]
    backtest: Any
    oos: Any
    model: Any
    recipe: dict[str, Any]
    feature_importance: pd.Series | None = None
    n_trials: int = 1
    trial_family: str = ""
    config_hash: str = ""
    pbo: Any = None
    montecarlo: Any = None
    report_path: Path | None = None


def _as_recipe(obj: Any) -> dict[str, Any]:
    if isinstance(obj, Mapping):
        return validate_recipe(obj)
    if isinstance(obj, str | os.PathLike):
        return load_recipe(obj)
    raise DataTypeError(
        f"train takes a recipe dict or the path of a TOML recipe; got {type(obj).__name__}"
    )


# ------------------------------------------------------------------ recipe -> pipeline


def _load_data(
    spec: dict[str, Any],
) -> tuple[Any, pd.DataFrame | None, pd.DataFrame, dict[str, str]]:
    from quantlab.ml import close_panel

    source = spec.get("source", "sample")
    if source == "sample":
        from quantlab.data import sample_universe

        keys = ("n_assets", "n_days", "seed", "signal_strength", "event_rate")
        universe = sample_universe(**{k: spec[k] for k in keys if k in spec})
        prices: Any = universe.ohlcv
        events = universe.events
    else:
        from quantlab.data import load_ohlcv

        sample_only = [k for k in ("n_assets", "n_days", "seed", "signal_strength") if k in spec]
        if sample_only:
            raise ParameterError(
                f'recipe keys {["data." + k for k in sample_only]} apply to source = "sample" '
                f"only; data.source is {source!r}"
            )
        prices = load_ohlcv(source)
        events = None
    notes: dict[str, str] = {}
    if "events" in spec:
        events, notes = _read_events(spec["events"], spec.get("events_layout"))
    start, end = spec.get("start"), spec.get("end")
    if start or end:
        prices = {k: v.loc[start:end] for k, v in prices.items()}
    close = close_panel(prices)
    if events is not None:
        from quantlab.data import check_symbols

        missing = check_symbols(events, close)
        if len(missing):
            shown = ", ".join(missing["symbol"].astype(str).head(10))
            notes["events_unpriced"] = (
                f"{int(missing['n_rows'].sum())} rows, {len(missing)} symbols not in the "
                f"prices (ignored by the features): {shown}"
            )
    return prices, events, close, notes


def _read_events(path: str, layout: str | None) -> tuple[pd.DataFrame, dict[str, str]]:
    """An event table (.csv / .parquet as is) or, with ``data.events_layout`` or a .json
    file, a disclosure file read by :func:`quantlab.data.read_disclosures`; the load
    report's counts go to the run's data notes."""
    if layout is None and not path.lower().endswith(".json"):
        return pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path), {}
    from quantlab.data import read_disclosures

    table, report = read_disclosures(path, layout or "auto")
    left_out = ", ".join(f"{k}={v}" for k, v in report.counts.items()) or "none"
    return table, {
        "events_layout": report.layout,
        "events_read": str(report.n_read),
        "events_kept": str(report.n_kept),
        "events_left_out": left_out,
    }


def _feature_set(spec: Any, has_events: bool) -> Any:
    from quantlab.ml import FeatureSet

    if spec == "default":
        return FeatureSet.default(events=has_events)
    if isinstance(spec, Mapping):
        return FeatureSet.from_dict(spec)
    return FeatureSet(list(spec))  # flat {kind, <params>} specs: Feature.from_dict reads them


def _labels(spec: dict[str, Any], close: pd.DataFrame) -> Any:
    from quantlab.ml import labels as L

    kind, horizon = spec.get("kind", "forward_returns"), spec.get("horizon", 5)
    if kind == "triple_barrier":
        extra = {k: spec[k] for k in ("upper", "lower", "vol_window") if k in spec}
        return L.triple_barrier_labels(close, horizon, **extra)
    stray = [k for k in ("upper", "lower", "vol_window") if k in spec]
    if stray:
        raise ParameterError(
            f'recipe keys {["label." + k for k in stray]} apply to kind = "triple_barrier" only'
        )
    fn = {
        "forward_returns": L.forward_returns,
        "forward_sign": L.forward_sign,
        "cross_sectional_rank": L.cross_sectional_rank,
    }[kind]
    return fn(close, horizon)


def _cv(spec: dict[str, Any], horizon: int) -> Any:
    import quantlab.ml

    params = {k: v for k, v in spec.items() if k != "kind"}
    cls = getattr(quantlab.ml, CV_SPLITTERS[spec.get("kind", "purged_kfold")])
    if cls is not quantlab.ml.WalkForward:
        params.setdefault("embargo", horizon)
    if cls is quantlab.ml.CombinatorialPurgedCV:
        params.pop("n_splits", None)
    try:
        return cls(**params)
    except TypeError as exc:
        raise ParameterError(f"recipe [cv] of kind {spec.get('kind')!r}: {exc}") from None


def _data_hash(close: pd.DataFrame, events: pd.DataFrame | None) -> str:
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(close.to_numpy(dtype=np.float64)).tobytes())
    h.update(pd.DatetimeIndex(close.index).asi8.tobytes())
    h.update("\x1f".join(map(str, close.columns)).encode())
    if events is not None:
        h.update(pd.util.hash_pandas_object(events, index=False).to_numpy().tobytes())
    return h.hexdigest()


def _importances(model: Any, names: list[str]) -> pd.Series:
    values = getattr(model, "feature_importances_", None)
    if values is None and hasattr(model, "coef_"):
        values = np.abs(np.asarray(model.coef_, dtype=float)).reshape(-1)
    if values is None:
        values = np.full(len(names), np.nan)
    return pd.Series(np.asarray(values, dtype=float), index=names, name="importance")


#: Metrics of the ``[baseline]`` model logged to the run, prefixed ``baseline_``.
BASELINE_METRICS: tuple[str, ...] = ("rank_ic_mean", "sharpe", "annual_return", "max_drawdown")


def _baseline(
    recipe: dict[str, Any], X: pd.DataFrame, labels: Any, close: pd.DataFrame, weight: Any
) -> dict[str, float]:
    """The ``[baseline]`` model on the same rows, folds, positions and costs as the model."""
    from quantlab.ml import backtest_predictions, fit_predict_oos

    spec = recipe["baseline"]
    oos = fit_predict_oos(
        X,
        labels,
        spec["name"],
        _cv(recipe["cv"], labels.horizon),
        sample_weight=weight,
        **spec.get("params", {}),
    )
    bt = backtest_predictions(
        oos.predictions,
        close,
        kind=oos.kind,
        horizon=labels.horizon,
        **recipe["costs"],
        **recipe["positions"],
    )
    ic = oos.ic_summary().astype(float).to_dict(orient="index")
    values = {"rank_ic_mean": ic["rank"]["mean"], **bt.metrics}
    return {f"baseline_{k}": float(values[k]) for k in BASELINE_METRICS}


# ------------------------------------------------------------------ deflated Sharpe


def _previous_returns(exp_id: str, uri: str, family: str, this_hash: str) -> list[pd.Series]:
    """OOS returns of the latest run of each *other* configuration of ``family``."""
    cl = store.client(uri)
    query = f"attributes.status = 'FINISHED' and tags.`{FAMILY_TAG}` = '{family}'"
    runs = store.call(
        lambda: cl.search_runs(
            [exp_id], query, max_results=5000, order_by=["attributes.start_time DESC"]
        ),
        uri,
        "list the trial family's runs",
    )
    latest: dict[str, str] = {}  # config hash -> newest run id
    for run in runs:
        h = run.data.tags.get(CONFIG_TAG)
        if h and h != this_hash and h not in latest:
            latest[h] = run.info.run_id
    series = []
    for h, run_id in latest.items():
        frame = returns_of_run(run_id, uri)
        if frame is not None and frame.shape[1] >= 1:
            series.append(frame.iloc[:, 0].rename(h))
    return series


def _deflate(returns: pd.Series, previous: list[pd.Series]) -> tuple[float, float, Any]:
    """(deflated Sharpe, per-period Sharpe variance of the trials, PBO or None)."""
    from quantlab.metrics.inference import (
        deflated_sharpe_from_returns,
        pbo,
        probabilistic_sharpe_from_returns,
    )

    if not previous:  # one trial: the PSR against 0 (DSR with zero variance)
        return float(probabilistic_sharpe_from_returns(returns)), 0.0, None
    from quantlab.tracking.experiment import trial_sharpes

    trials = pd.concat([returns.rename("this"), *previous], axis=1)
    _, var = trial_sharpes(trials)
    dsr = deflated_sharpe_from_returns(returns, n_trials=trials.shape[1], sharpe_variance=var)
    common = trials.dropna()
    splits = min(16, len(common) - len(common) % 2)
    result = pbo(common, n_splits=splits) if splits >= 2 else None
    return float(dsr), var, result


#: The entry kernels every training run calls (features, sample weights, the weights
#: backtest, the Monte Carlo); helpers they inline or call are compiled with them.
_RUN_KERNELS = (
    ("quantlab.ml._kernels", "rolling_std"),
    ("quantlab.ml._kernels", "average_uniqueness"),
    ("quantlab.backtest._weights_kernel", "simulate_weights"),
    ("quantlab.montecarlo._kernels", "simulate_series"),
    ("quantlab.montecarlo._kernels", "simulate_general"),
)


def kernel_cache_is_cold() -> bool:
    """Whether a training run will compile its numba kernels first (no disk cache yet).

    Checks that numba's cache index of each entry kernel a run calls exists (a file test
    per kernel, no compilation). True when JIT is on and one is missing, or when the check
    cannot tell (numba internals moved). An index left by an older quantlab is taken as
    warm, although numba recompiles what changed.

    Examples
    --------
    >>> isinstance(kernel_cache_is_cold(), bool)
    True
    """
    import importlib

    from quantlab import _numba

    if not _numba.JIT_ENABLED:
        return False
    try:
        for module, name in _RUN_KERNELS:
            kernel = getattr(importlib.import_module(module), name)
            index = kernel._cache._cache_file._index_path
            if not os.path.exists(index):
                return True
    except Exception:  # pragma: no cover - a numba without these internals: assume cold
        return True
    return False


# ------------------------------------------------------------------ train


def run_recipe(
    recipe_or_pipeline: Any,
    experiment: str | None = None,
    register_as: str | None = None,
    alias: str | None = None,
    *,
    tracking_uri: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> TrainResult:
    """Run a training recipe: train, log to MLflow, register, then Monte Carlo and report.

    The one implementation behind :func:`train` and ``quantlab run``: every section of the
    recipe is honoured, ``[montecarlo]`` and ``[report]`` included.

    Parameters
    ----------
    recipe_or_pipeline : dict or path
        A recipe dict or the path of a TOML recipe (schema:
        :mod:`quantlab.tracking.recipe`).
    experiment : str, optional
        Overrides the recipe's ``experiment``.
    register_as : str, optional
        Overrides the recipe's ``register_as``: register the model under this name.
    alias : str, optional
        Overrides the recipe's ``alias`` (e.g. ``"production"``), moved to the new version.
    tracking_uri : str, optional
        Default: ``QUANTLAB_TRACKING_URI`` / ``MLFLOW_TRACKING_URI`` / SQLite.
    progress : callable, optional
        Called with the name of each stage of :data:`TRAIN_STAGES` as it starts (the
        ``quantlab run`` progress bar).

    Returns
    -------
    TrainResult
        With :attr:`~TrainResult.montecarlo` and :attr:`~TrainResult.report_path` set as
        the recipe asks.

    Raises
    ------
    ParameterError
        An invalid recipe (the message names the key).
    TrackingError
        The tracking store is unreachable.

    Examples
    --------
    >>> import quantlab as ql  # doctest: +SKIP
    >>> run = ql.tracking.run_recipe({"data": {"n_assets": 20, "n_days": 400},  # doctest: +SKIP
    ...                 "model": {"name": "lgbm", "params": {"n_estimators": 50}}},
    ...                experiment="demo", register_as="demo-lgbm", alias="production")
    >>> run.metrics["deflated_sharpe"], run.model_uri  # doctest: +SKIP
    """
    recipe = _as_recipe(recipe_or_pipeline)
    for key, value in (("experiment", experiment), ("register_as", register_as), ("alias", alias)):
        if value is not None:
            recipe[key] = value
    recipe = validate_recipe(recipe)
    uri = store.use_store(tracking_uri)
    exp_id = str(store.get_experiment_id(recipe["experiment"], uri))

    from quantlab.ml import average_uniqueness, backtest_predictions, fit_predict_oos
    from quantlab.models import make_model

    step = progress if progress is not None else (lambda stage: None)
    step("data")
    prices, events, close, data_notes = _load_data(recipe["data"])
    step("features")
    fs = _feature_set(recipe["features"], events is not None)
    X = fs.compute(prices, events)
    step("labels")
    labels = _labels(recipe["label"], close)
    step("cross-validation")
    mspec = recipe["model"]
    weight = None if mspec["sample_weight"] == "none" else mspec["sample_weight"]
    oos = fit_predict_oos(
        X,
        labels,
        mspec["name"],
        _cv(recipe["cv"], labels.horizon),
        sample_weight=weight,
        **mspec["params"],
    )
    step("OOS backtest")
    bt = backtest_predictions(
        oos.predictions,
        close,
        kind=oos.kind,
        horizon=labels.horizon,
        **recipe["costs"],
        **recipe["positions"],
    )
    step("baseline")
    base_metrics: dict[str, float] = {}
    if recipe["baseline"].get("name"):
        base_metrics = _baseline(recipe, X, labels, close, weight)
    step("final model")
    rows = np.flatnonzero(labels.valid)
    w = average_uniqueness(labels).to_numpy()[rows] if weight else None
    final = make_model(mspec["name"], **mspec["params"])
    final.fit(X.iloc[rows], labels.y.to_numpy()[rows], sample_weight=w)

    step("deflated Sharpe")
    family, this_hash = trial_family(recipe), config_hash(recipe)
    previous = _previous_returns(exp_id, uri, family, this_hash)
    n_trials = len(previous) + 1
    dsr, sr_var, family_pbo = _deflate(bt.returns, previous)
    bt_metrics = bt.metrics.copy()
    bt_metrics["deflated_sharpe"] = dsr
    bt_metrics["n_trials"] = float(n_trials)
    bt = dataclasses.replace(bt, metrics=bt_metrics)

    ic = oos.ic_summary().astype(float).to_dict(orient="index")
    metrics = {
        "ic_mean": ic["pearson"]["mean"],
        "rank_ic_mean": ic["rank"]["mean"],
        "icir": ic["pearson"]["icir"],
        "rank_icir": ic["rank"]["icir"],
        "ic_t_stat": ic["rank"]["t_stat"],
        "trial_sharpe_variance": sr_var,
        **base_metrics,
    }
    idx = close.index
    data_info = {
        "start": str(idx[0].date()),
        "end": str(idx[-1].date()),
        "n_bars": len(idx),
        "n_assets": close.shape[1],
        "hash": _data_hash(close, events),
        **data_notes,
    }
    importance = _importances(final, fs.names)
    example = X.iloc[rows].dropna().tail(5)

    step("MLflow logging")
    import mlflow

    from quantlab.tracking.model_format import to_stored
    from quantlab.tracking.registry import _finish, log_model

    def run() -> TrainResult:
        with mlflow.start_run(experiment_id=exp_id, run_name=recipe["name"]) as active:
            run_id = str(active.info.run_id)
            mlflow.log_params(flatten_params(recipe))
            mlflow.log_params({f"data.range.{k}": str(v) for k, v in data_info.items()})
            mlflow.set_tags(
                {
                    "quantlab.kind": "train",
                    "quantlab.data_hash": data_info["hash"],
                    FAMILY_TAG: family,
                    CONFIG_TAG: this_hash,
                }
            )
            for k, fold_ic in enumerate(oos.folds["rank_ic"]):
                if np.isfinite(fold_ic):
                    mlflow.log_metric("fold_rank_ic", float(fold_ic), step=k)
            finite = {k: v for k, v in metrics.items() if np.isfinite(v)}
            mlflow.log_metrics(finite)
            logged = log_backtest_artifacts(bt)
            from quantlab.tracking.factor_log import log_oos_factor_analysis

            logged |= log_oos_factor_analysis(
                oos.predictions,
                close,
                label_horizon=labels.horizon,
                fees=recipe["costs"]["fees"],
                name=recipe["name"],
            )
            with tempfile.TemporaryDirectory(prefix="quantlab-train-") as tmp:
                with open(os.path.join(tmp, "feature_set.json"), "w") as fh:
                    fh.write(fs.to_json(indent=1))
                importance.to_csv(os.path.join(tmp, "feature_importance.csv"))
                oos.folds.to_csv(os.path.join(tmp, "folds.csv"), index=False)
                mlflow.log_artifacts(tmp)
            all_metrics = {**finite, **logged}
            meta = {
                "run_id": run_id,
                "experiment": recipe["experiment"],
                "data": data_info,
                "label": recipe["label"],
                "metrics": all_metrics,
            }
            stored = to_stored(final, feature_set=fs, metadata=json.loads(json.dumps(meta)))
            info = log_model(stored, register_as=recipe["register_as"], input_example=example)
        version = None
        model_uri = f"runs:/{run_id}/model"
        if recipe["register_as"]:
            version = str(info.registered_model_version)
            model_uri = _finish(
                recipe["register_as"], version, run_id, recipe["alias"], uri
            ).model_uri
        return TrainResult(
            run_id,
            exp_id,
            model_uri,
            version,
            all_metrics,
            bt,
            oos,
            final,
            recipe,
            importance,
            n_trials,
            family,
            this_hash,
            family_pbo,
        )

    result = store.call(run, uri, f"log the training run to experiment {recipe['experiment']!r}")
    return _outputs(result, uri, step)


def _outputs(result: TrainResult, uri: str, step: Callable[[str], None]) -> TrainResult:
    """Run the recipe's ``[montecarlo]`` and ``[report]`` sections; log them to the run."""
    from quantlab.tracking.outputs import run_tearsheet, simulate_oos

    recipe = result.recipe
    mc_spec, rep_spec = recipe["montecarlo"], recipe["report"]
    step("Monte Carlo")
    sim: Any = None
    mc_metrics: dict[str, float] = {}
    if mc_spec["n_paths"] > 0:
        sim, mc_metrics = simulate_oos(result.backtest.returns, mc_spec)
    step("report")
    report_path = None
    with tempfile.TemporaryDirectory(prefix="quantlab-run-") as tmp:
        artifacts = {}
        if rep_spec["enabled"]:
            title = rep_spec.get("title") or f"quantlab run {recipe['name']}"
            ts = run_tearsheet(result, sim, title, pbo=result.pbo)
            report_path = Path(rep_spec["dir"]) / f"{result.run_id}.html"
            report_path.parent.mkdir(parents=True, exist_ok=True)
            ts.save(report_path)
            logged = Path(tmp) / "tearsheet.html"
            ts.save(logged)
            artifacts[str(logged)] = "report"
        log_to_run(result.run_id, metrics=mc_metrics, artifacts=artifacts, tracking_uri=uri)
    return dataclasses.replace(
        result,
        metrics={**result.metrics, **mc_metrics},
        montecarlo=sim,
        report_path=report_path,
    )


def train(
    recipe_or_pipeline: Any,
    experiment: str | None = None,
    register_as: str | None = None,
    alias: str | None = None,
    *,
    tracking_uri: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> TrainResult:
    """Run a training recipe, log everything to MLflow, register the model.

    The same as :func:`run_recipe` (``quantlab run`` calls that): the recipe's
    ``[montecarlo]`` and ``[report]`` sections run too (set ``montecarlo.n_paths = 0`` /
    ``report.enabled = false`` to skip them). Parameters, return value and errors as
    :func:`run_recipe`.

    Examples
    --------
    >>> import quantlab as ql  # doctest: +SKIP
    >>> run = ql.train("models/momentum_lgbm.toml")  # doctest: +SKIP
    >>> run.metrics["deflated_sharpe"], run.n_trials, run.report_path  # doctest: +SKIP
    """
    return run_recipe(
        recipe_or_pipeline,
        experiment,
        register_as,
        alias,
        tracking_uri=tracking_uri,
        progress=progress,
    )


def log_to_run(
    run_id: str,
    *,
    metrics: Mapping[str, float] | None = None,
    artifacts: Mapping[str, str] | None = None,
    tracking_uri: str | None = None,
) -> None:
    """Add metrics and files to an existing (e.g. finished) run.

    Parameters
    ----------
    run_id : str
    metrics : mapping, optional
        ``{name: value}``; non-finite values are skipped.
    artifacts : mapping, optional
        ``{local file path: artifact directory}`` (``""`` for the run's root).
    tracking_uri : str, optional
        Default: ``QUANTLAB_TRACKING_URI`` / ``MLFLOW_TRACKING_URI`` / SQLite.

    Raises
    ------
    TrackingError
        The store is unreachable.
    """
    uri = store.tracking_uri(tracking_uri)
    cl = store.client(uri)
    finite = {k: float(v) for k, v in (metrics or {}).items() if np.isfinite(v)}

    def log() -> None:
        if finite:
            from mlflow.entities import Metric

            now = int(pd.Timestamp.now("UTC").timestamp() * 1000)
            cl.log_batch(run_id, metrics=[Metric(k, v, now, 0) for k, v in finite.items()])
        for path, artifact_path in (artifacts or {}).items():
            cl.log_artifact(run_id, path, artifact_path or None)

    store.call(log, uri, f"log to run {run_id}")
