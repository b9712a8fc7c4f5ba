"""Selection-bias accounting across an experiment: deflated Sharpe of the best run, PBO.

A trial is a distinct configuration, not a run: every run that logged
``backtest/returns.parquet`` (``train`` and ``log_backtest`` do) is a candidate, and the
runs of one training configuration (same ``quantlab.config_hash`` tag, see
:func:`~quantlab.tracking.recipe.config_hash`: reruns, reseeded runs) count once, by their
newest run. A ``log_backtest`` run has no configuration tag and counts as its own trial.
``family=`` restricts the trials to one trial family (tag ``quantlab.trial_family``), as
:func:`~quantlab.train` does for a run's own deflated Sharpe. The best trial is the one with
the highest per-period Sharpe ratio; its deflated Sharpe ratio accounts for the number of
trials and the variance of their Sharpe ratios, and the PBO (combinatorially symmetric
cross-validation) is computed on the matrix of every trial's returns, aligned on dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlab.errors import NotFoundError, ValidationError
from quantlab.tracking import store
from quantlab.tracking.backtest_log import returns_of_run

#: Tags of a training run: its trial family and its configuration hash.
FAMILY_TAG = "quantlab.trial_family"
CONFIG_TAG = "quantlab.config_hash"

__all__ = ["ExperimentReport", "experiment_report", "trial_sharpes"]


def trial_sharpes(returns: pd.DataFrame) -> tuple[pd.Series, float]:
    """Per-period Sharpe ratio of each trial (column) and their variance (ddof=1; 0 if < 2).

    Examples
    --------
    >>> sr, var = trial_sharpes(pd.DataFrame({"a": [0.01, 0.03], "b": [0.02, 0.02]}))
    >>> sr.round(3).tolist(), var
    ([1.414, inf], 0.0)
    """
    count = returns.notna().sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        sr = (returns.mean() / returns.std(ddof=1)).where(count > 1)
    finite = sr[np.isfinite(sr)]
    return sr, float(np.var(finite, ddof=1)) if len(finite) >= 2 else 0.0


@dataclass(frozen=True)
class ExperimentReport:
    """What :func:`experiment_report` returns.

    Attributes
    ----------
    experiment : str
    runs : pandas.DataFrame
        One row per trial (the newest run of each configuration) with returns:
        ``run_id``, ``run_name``, ``n_obs``, ``sharpe`` (per period) and
        ``annual_sharpe`` (as logged), sorted by Sharpe, best first.
    best_run_id : str
    n_trials : int
        Distinct configurations counted as trials (one row of :attr:`runs` each).
    sharpe_variance : float
        Variance of the trials' per-period Sharpe ratios.
    deflated_sharpe : float
        Of the best run, given ``n_trials`` and ``sharpe_variance``.
    pbo : PBOResult or None
        Probability of backtest overfitting (None with fewer than 2 trials or too few
        common dates).
    returns : pandas.DataFrame
        The trials' returns, one column per run id.
    """

    experiment: str
    runs: pd.DataFrame
    best_run_id: str
    n_trials: int
    sharpe_variance: float
    deflated_sharpe: float
    pbo: Any
    returns: pd.DataFrame


def experiment_report(
    experiment: str,
    *,
    family: str | None = None,
    n_splits: int = 16,
    tracking_uri: str | None = None,
) -> ExperimentReport:
    """Deflated Sharpe of the experiment's best run and the experiment's PBO.

    Parameters
    ----------
    experiment : str
        Experiment name.
    family : str, optional
        Count only the runs of this trial family (default: every run of the experiment).
    n_splits : int, default 16
        Blocks of the PBO's combinatorial cross-validation (lowered to an even number
        that fits the common dates).
    tracking_uri : str, optional
        Default: ``QUANTLAB_TRACKING_URI`` / ``MLFLOW_TRACKING_URI`` / SQLite.

    Returns
    -------
    ExperimentReport

    Raises
    ------
    NotFoundError
        No such experiment (the message lists the existing ones).
    ValidationError
        No run of the experiment logged returns.
    TrackingError
        The store is unreachable.

    Examples
    --------
    >>> rep = experiment_report("momentum")  # doctest: +SKIP
    >>> rep.best_run_id, rep.deflated_sharpe, rep.pbo.pbo  # doctest: +SKIP
    """
    from quantlab.metrics.inference import (
        deflated_sharpe_from_returns,
        pbo,
        probabilistic_sharpe_from_returns,
    )

    uri = store.tracking_uri(tracking_uri)
    exp_id = store.get_experiment_id(experiment, uri, create=False)
    cl = store.client(uri)
    if exp_id is None:
        names = store.call(
            lambda: sorted(e.name for e in cl.search_experiments()), uri, "list experiments"
        )
        raise NotFoundError(
            f"experiment {experiment!r} does not exist in {uri}; experiments: {names}"
        )
    query = "attributes.status = 'FINISHED'"
    if family is not None:
        from quantlab.errors import ParameterError
        from quantlab.tracking.recipe import _FAMILY_RE

        if not isinstance(family, str) or not _FAMILY_RE.fullmatch(family):
            raise ParameterError(
                f"family must be a trial family name (letters, digits and '._-/'); got {family!r}"
            )
        query += f" and tags.`{FAMILY_TAG}` = '{family}'"
    runs = store.call(
        lambda: cl.search_runs(
            [exp_id], query, max_results=5000, order_by=["attributes.start_time DESC"]
        ),
        uri,
        f"list the runs of {experiment!r}",
    )
    columns, rows, seen = {}, [], set()
    for run in runs:  # newest first: the first run of a configuration stands for it
        config = run.data.tags.get(CONFIG_TAG)
        if config is not None:
            if config in seen:
                continue
            seen.add(config)
        frame = returns_of_run(run.info.run_id, uri)
        if frame is None or frame.shape[1] == 0:
            continue
        r = frame.iloc[:, 0].astype(float)
        columns[run.info.run_id] = r
        rows.append(
            {
                "run_id": run.info.run_id,
                "run_name": run.info.run_name,
                "n_obs": int(r.notna().sum()),
                "annual_sharpe": run.data.metrics.get("sharpe", np.nan),
            }
        )
    if not rows:
        which = f"of trial family {family!r} " if family is not None else ""
        raise ValidationError(
            f"no run {which}of experiment {experiment!r} logged returns ({len(runs)} "
            "finished run(s)); log them with quantlab.train or quantlab.tracking.log_backtest"
        )
    returns = pd.concat(columns, axis=1)
    sharpes, var = trial_sharpes(returns)
    table = pd.DataFrame(rows)
    table.insert(3, "sharpe", sharpes.reindex(table["run_id"]).to_numpy())
    table = table.sort_values("sharpe", ascending=False, na_position="last").reset_index(drop=True)
    best = str(table.loc[0, "run_id"])
    n = len(table)
    if n == 1:
        dsr = float(probabilistic_sharpe_from_returns(returns[best]))
    else:
        dsr = deflated_sharpe_from_returns(returns[best], n_trials=n, sharpe_variance=var)
    common = returns.dropna()
    splits = min(n_splits, len(common) - len(common) % 2)
    result = pbo(common, n_splits=splits) if n >= 2 and splits >= 2 else None
    return ExperimentReport(experiment, table, best, n, var, float(dsr), result, returns)
