"""Log a backtest to MLflow: parameters, every summary metric, plots, trades and returns.

Artifacts of a run (paths are stable: :func:`~quantlab.tracking.experiment_report` and
``train``'s deflated Sharpe read ``backtest/returns.parquet`` back)::

    backtest/returns.parquet   bar returns, one column per portfolio
    backtest/trades.parquet    the trade table (round trips)
    backtest/equity.png        equity curve
    backtest/drawdown.png      drawdown curve
    backtest/metrics.csv       the full metrics table (portfolios x metrics)
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from quantlab.errors import DataTypeError
from quantlab.tracking import store

__all__ = ["RETURNS_ARTIFACT", "flatten_params", "log_backtest"]

ARTIFACT_DIR = "backtest"
RETURNS_ARTIFACT = f"{ARTIFACT_DIR}/returns.parquet"
#: Experiment of :func:`log_backtest` when none is given.
DEFAULT_EXPERIMENT = "quantlab-backtests"
_MAX_PARAM_LEN = 6000


def flatten_params(params: Mapping[str, Any] | None, prefix: str = "") -> dict[str, str]:
    """Nested parameters as ``{"a.b": "value"}`` strings, as MLflow stores them.

    Examples
    --------
    >>> flatten_params({"model": {"name": "lgbm", "params": {"num_leaves": 15}}, "fees": 0.001})
    {'model.name': 'lgbm', 'model.params.num_leaves': '15', 'fees': '0.001'}
    """
    out: dict[str, str] = {}
    for key, value in (params or {}).items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten_params(value, f"{full}."))
        else:
            out[full] = str(value)[:_MAX_PARAM_LEN]
    return out


def _label(col: Any) -> str:
    return "_".join(str(c) for c in col) if isinstance(col, tuple) else str(col)


def _parts(result: Any) -> tuple[Any, pd.DataFrame, pd.DataFrame]:
    """The engine result, the metrics table (metric x portfolio) and the returns frame."""
    engine = getattr(result, "result", None)
    if engine is not None and isinstance(getattr(result, "metrics", None), pd.Series):
        # an OOSBacktest: its metrics carry the deflated Sharpe; add the trade figures
        table = result.metrics.to_frame("strategy")
        extra = engine.stats()
        extra = extra.loc[[r for r in extra.index if r not in table.index]]
        extra.columns = table.columns
        returns = result.returns.to_frame("strategy")
        return engine, pd.concat([table, extra]), returns
    if callable(getattr(result, "stats", None)) and hasattr(result, "returns"):
        rets = result.returns
        returns = rets.to_frame(rets.name or "strategy") if isinstance(rets, pd.Series) else rets
        table = result.stats()
        table.columns = [_label(c) for c in returns.columns]
        return result, table, returns
    raise DataTypeError(
        f"result must be a quantlab BacktestResult (from_signals / from_weights) or an "
        f"OOSBacktest (backtest_predictions); got {type(result).__name__}"
    )


def _metrics(table: pd.DataFrame) -> dict[str, float]:
    single = table.shape[1] == 1
    out = {}
    for col in table.columns:
        for metric, value in table[col].items():
            v = float(value)
            if math.isfinite(v):
                out[str(metric) if single else f"{_label(col)}/{metric}"] = v
    return out


def _plot(series: pd.DataFrame, title: str, path: str, *, fill: bool = False) -> None:
    from matplotlib.figure import Figure  # the OO API: no pyplot state, no backend switch

    fig = Figure(figsize=(9, 4), dpi=90)
    ax = fig.subplots()
    for col in series.columns[:20]:
        ax.plot(series.index, series[col].to_numpy(), lw=1.0, label=_label(col))
        if fill:
            ax.fill_between(series.index, series[col].to_numpy(), 0.0, alpha=0.2)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if 1 < series.shape[1] <= 10:
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)


def _frame_for_parquet(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.columns = [_label(c) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object:
            converted = pd.to_datetime(out[col], errors="coerce")
            if converted.notna().sum() == out[col].notna().sum():
                out[col] = converted
            else:
                out[col] = out[col].astype(str)
    return out


def log_backtest_artifacts(result: Any) -> dict[str, float]:
    """Log metrics and artifacts of ``result`` into the active MLflow run; return the metrics."""
    import mlflow

    engine, table, returns = _parts(result)
    metrics = _metrics(table)
    mlflow.log_metrics(metrics)
    equity = (1.0 + returns.fillna(0.0)).cumprod()
    drawdown = equity / equity.cummax() - 1.0
    with tempfile.TemporaryDirectory(prefix="quantlab-bt-") as tmp:
        _frame_for_parquet(returns).to_parquet(os.path.join(tmp, "returns.parquet"))
        _frame_for_parquet(engine.trades).to_parquet(os.path.join(tmp, "trades.parquet"))
        table.T.to_csv(os.path.join(tmp, "metrics.csv"))
        _plot(equity, "Equity (growth of 1)", os.path.join(tmp, "equity.png"))
        _plot(drawdown, "Drawdown", os.path.join(tmp, "drawdown.png"), fill=True)
        mlflow.log_artifacts(tmp, ARTIFACT_DIR)
    return metrics


def log_backtest(
    result: Any,
    params: Mapping[str, Any] | None = None,
    name: str | None = None,
    *,
    experiment: str = DEFAULT_EXPERIMENT,
    tags: Mapping[str, Any] | None = None,
    tracking_uri: str | None = None,
) -> str:
    """Log a backtest as one MLflow run.

    Parameters
    ----------
    result : BacktestResult or OOSBacktest
        From :func:`quantlab.backtest.from_signals` / ``from_weights`` or
        :func:`quantlab.ml.backtest_predictions`.
    params : mapping, optional
        Strategy parameters; nested mappings are flattened to ``a.b`` keys.
    name : str, optional
        Run name.
    experiment : str, default "quantlab-backtests"
        Created when missing.
    tags : mapping, optional
        Run tags.
    tracking_uri : str, optional
        Default: ``QUANTLAB_TRACKING_URI`` / ``MLFLOW_TRACKING_URI`` / SQLite.

    Returns
    -------
    str
        The run id.

    Raises
    ------
    DataTypeError
        ``result`` is not a backtest result.
    TrackingError
        The store is unreachable.

    Notes
    -----
    Logged: the parameters; every finite metric of :func:`quantlab.metrics.summary` plus
    the trade figures (``<portfolio>/<metric>`` with several portfolios); artifacts
    ``backtest/returns.parquet``, ``trades.parquet``, ``metrics.csv``, ``equity.png``,
    ``drawdown.png``.

    Examples
    --------
    >>> import quantlab as ql  # doctest: +SKIP
    >>> res = ql.backtest.from_signals(close, entries, exits, fees=0.001)  # doctest: +SKIP
    >>> run_id = log_backtest(res, params={"fast": 10, "slow": 50}, name="sma")  # doctest: +SKIP
    """
    _parts(result)  # fail on a wrong type before touching the store
    uri = store.use_store(tracking_uri)
    exp_id = store.get_experiment_id(experiment, uri)
    import mlflow

    def run() -> str:
        with mlflow.start_run(experiment_id=exp_id, run_name=name) as active:
            if params:
                mlflow.log_params(flatten_params(params))
            mlflow.set_tags(
                {"quantlab.kind": "backtest", **{k: str(v) for k, v in (tags or {}).items()}}
            )
            log_backtest_artifacts(result)
            return str(active.info.run_id)

    return store.call(run, uri, "log the backtest")


def returns_of_run(run_id: str, uri: str) -> pd.DataFrame | None:
    """The logged returns of a run (None when it has none)."""
    import mlflow.artifacts

    with tempfile.TemporaryDirectory(prefix="quantlab-ret-") as tmp:
        try:
            local = mlflow.artifacts.download_artifacts(
                run_id=run_id, artifact_path=RETURNS_ARTIFACT, dst_path=tmp, tracking_uri=uri
            )
        except Exception as exc:
            if store.is_not_found(exc) or isinstance(exc, OSError):
                return None
            raise
        frame = pd.read_parquet(local)
    if not isinstance(frame.index, pd.DatetimeIndex):
        return frame.reset_index(drop=True)
    return frame.astype(np.float64)
