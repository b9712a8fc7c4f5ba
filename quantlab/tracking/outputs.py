"""A training run's two outputs besides the model: the Monte Carlo and the tearsheet.

:func:`~quantlab.train` (and so ``quantlab run``) runs them from the recipe's
``[montecarlo]`` and ``[report]`` sections after the out-of-sample backtest:

* :func:`simulate_oos` -- a Monte Carlo of the OOS strategy returns
  (:func:`quantlab.montecarlo.simulate`) and the ``mc_*`` metrics logged to the run;
* :func:`run_tearsheet` -- the HTML tearsheet of the run (:func:`quantlab.report.tearsheet`)
  with the model sections (importances, IC by fold, OOS IC, parameters, what the deflated
  Sharpe counted as trials).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MC_QUANTILES", "run_tearsheet", "simulate_oos", "trials_text"]

#: Quantiles of the simulated outcomes logged as ``mc_*_p05`` / ``_median`` / ``_p95``.
MC_QUANTILES = (0.05, 0.5, 0.95)


def simulate_oos(returns: pd.Series, spec: Mapping[str, Any]) -> tuple[Any, dict[str, float]]:
    """Monte Carlo of ``returns`` as the recipe's ``[montecarlo]`` section says.

    Parameters
    ----------
    returns : pandas.Series
        The OOS strategy returns (NaN bars dropped).
    spec : mapping
        ``n_paths``, ``horizon``, ``method``, ``seed`` and optionally ``block_length``.

    Returns
    -------
    (SimulationResult, dict)
        The simulation and its metrics (terminal wealth mean / quantiles, median CAGR,
        Sharpe and max drawdown, P(ruin), P(loss)).

    Examples
    --------
    >>> r = pd.Series(np.random.default_rng(0).normal(0.0005, 0.01, 300),
    ...               index=pd.bdate_range("2020-01-01", periods=300))
    >>> spec = {"n_paths": 200, "horizon": 21, "method": "bootstrap", "seed": 0}
    >>> sim, m = simulate_oos(r, spec)
    >>> sorted(m)[:3], 0.0 <= m["mc_prob_loss"] <= 1.0
    (['mc_cagr_median', 'mc_max_drawdown_median', 'mc_max_drawdown_p05'], True)
    """
    from quantlab.montecarlo import simulate

    kwargs = {"block_length": spec["block_length"]} if "block_length" in spec else {}
    sim = simulate(
        returns.dropna(),
        n_paths=spec["n_paths"],
        horizon=spec["horizon"],
        method=spec["method"],
        seed=spec["seed"],
        **kwargs,
    )
    table = sim.summary(quantiles=MC_QUANTILES)
    q: dict[str, dict[str, float]] = {
        str(row): {str(c): float(v) for c, v in values.items()}
        for row, values in table.to_dict(orient="index").items()
    }
    metrics = {
        "mc_terminal_wealth_mean": q["terminal_wealth"]["mean"],
        "mc_terminal_wealth_p05": q["terminal_wealth"]["q5"],
        "mc_terminal_wealth_median": q["terminal_wealth"]["q50"],
        "mc_terminal_wealth_p95": q["terminal_wealth"]["q95"],
        "mc_cagr_median": q["cagr"]["q50"],
        "mc_sharpe_median": q["sharpe"]["q50"],
        "mc_max_drawdown_median": q["max_drawdown"]["q50"],
        # drawdowns are negative (one sign convention): the worst 5% of paths is q5
        "mc_max_drawdown_p05": q["max_drawdown"]["q5"],
        "mc_prob_ruin": q["ruined"]["mean"],
        "mc_prob_loss": float(np.mean(sim.terminal_wealth < 1.0)),
    }
    return sim, metrics


def run_tearsheet(result: Any, sim: Any, title: str, *, pbo: Any = None) -> Any:
    """The tearsheet of a training run (:class:`~quantlab.tracking.TrainResult`).

    ``sim`` is the Monte Carlo (or None); ``pbo`` the PBO of the run's trial family
    (a :class:`~quantlab.metrics.inference.PBOResult`, or None with fewer than 2 trials).
    """
    from quantlab.report import tearsheet

    bt, oos = result.backtest, result.oos
    folds = oos.folds.set_index(oos.folds.index.rename("fold"))
    ic = oos.ic_summary().astype(float)
    oos_ic = {f"{kind} IC {stat}": ic.loc[kind, stat] for kind in ic.index for stat in ic.columns}
    recipe = result.recipe
    params = {
        "model": recipe["model"]["name"],
        **{f"model.{k}": v for k, v in recipe["model"]["params"].items()},
        "label": f"{recipe['label']['kind']} ({recipe['label']['horizon']} bars)",
        "cv": ", ".join(f"{k}={v}" for k, v in recipe["cv"].items()),
        "costs": ", ".join(f"{k}={v}" for k, v in recipe["costs"].items()),
        "deflated Sharpe trials": trials_text(result.n_trials, result.trial_family),
        **_baseline_rows(recipe, result.metrics),
        "configuration hash": result.config_hash,
        "run_id": result.run_id,
        "model_uri": result.model_uri,
    }
    return tearsheet(
        bt.result,
        title=title,
        montecarlo=sim,
        deflated_sharpe=bt.deflated_sharpe,
        pbo=pbo,
        model={
            "feature_importances": result.feature_importance,
            "ic_by_fold": folds["rank_ic"].rename("rank IC"),
            "oos_ic": oos_ic,
            "params": params,
        },
    )


def _baseline_rows(recipe: Mapping[str, Any], metrics: Mapping[str, float]) -> dict[str, str]:
    if "baseline_sharpe" not in metrics:
        return {}
    name = recipe["baseline"]["name"]
    return {
        f"baseline {name}: rank IC": f"{metrics['baseline_rank_ic_mean']:.4f} "
        f"(model {metrics.get('rank_ic_mean', float('nan')):.4f})",
        f"baseline {name}: Sharpe": f"{metrics['baseline_sharpe']:.3f} "
        f"(model {metrics.get('sharpe', float('nan')):.3f})",
    }


def trials_text(n_trials: int, family: str) -> str:
    """How the deflated Sharpe counted its trials, in words.

    Examples
    --------
    >>> trials_text(1, "lgbm")
    "1 distinct configuration of trial family 'lgbm'"
    >>> trials_text(3, "search")
    "3 distinct configurations of trial family 'search'"
    """
    noun = "configuration" if n_trials == 1 else "configurations"
    return f"{n_trials} distinct {noun} of trial family {family!r}"
