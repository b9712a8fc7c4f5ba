"""Log the factor analysis of a run's out-of-sample predictions to the active MLflow run.

:func:`log_oos_factor_analysis` is the training pipeline's one hook into
:mod:`quantlab.factors`: the OOS predictions are treated as a factor, analysed against the
close prices (horizons 1, 5, 21 and the label's horizon, 5 quantiles, the recipe's fees
on the engine runs) and logged with the run:

- metrics ``factor.ic_mean.h{h}``, ``factor.ic_t_nw.h{h}``, ``factor.spread_mean.h{h}``,
  ``factor.spread_t_nw.h{h}`` per horizon; ``factor.long_short_sharpe_net``,
  ``factor.long_short_return_net``, ``factor.top_turnover``, ``factor.rank_autocorr``,
  ``factor.loss`` (share of prediction rows left out);
- artifacts under ``factor_analysis/``: ``tearsheet.html`` (the offline factor tear
  sheet), the tables as CSV (``mean_returns.csv``, ``spread.csv``, ``ic_summary.csv``,
  ``ic.csv``, ``turnover.csv``, ``portfolios.csv``, ``summary.csv``, ``loss.csv``) and the
  tear sheet's figures as PNG (``mean_return_by_quantile.png``,
  ``cumulative_returns_of_quantile_portfolios.png``, ``ic_per_date.png``, ``ic_decay.png``,
  ``turnover.png``).

Predictions too sparse to analyse (e.g. fewer names than quantiles on every date) do not
fail the training run: the run gets the tag ``quantlab.factor_analysis`` with the reason
instead of the metrics (``"logged"`` when it worked), so nothing is dropped silently.
"""

from __future__ import annotations

import base64
import os
import re
import tempfile
from typing import Any

import numpy as np
import pandas as pd

from quantlab.errors import ValidationError

__all__ = ["log_oos_factor_analysis"]

#: Horizons (bars) analysed besides the label's own.
DEFAULT_HORIZONS = (1, 5, 21)


def _png(data_uri: str, path: str) -> None:
    with open(path, "wb") as fh:
        fh.write(base64.b64decode(data_uri.split(",", 1)[1]))


def _metrics(fa: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    ic = fa.ic_summary.astype(float)
    spread = fa.spread_summary.astype(float)
    for h in fa.horizons:
        out[f"factor.ic_mean.h{h}"] = float(ic["mean"].loc[h])
        out[f"factor.ic_t_nw.h{h}"] = float(ic["t_stat"].loc[h])
        out[f"factor.spread_mean.h{h}"] = float(spread["mean"].loc[h])
        out[f"factor.spread_t_nw.h{h}"] = float(spread["t_stat"].loc[h])
    h0 = fa.horizons[0]
    table = fa.backtests[h0].table.astype(float)
    out["factor.long_short_sharpe_net"] = float(table["sharpe"].loc["long_short"])
    out["factor.long_short_return_net"] = float(table["total_return"].loc["long_short"])
    turn = fa.turnover_summary.astype(float)
    out["factor.top_turnover"] = float(turn["top_turnover"].loc[h0])
    out["factor.rank_autocorr"] = float(turn["rank_autocorr"].loc[h0])
    out["factor.loss"] = float(fa.data.loss.loss)
    return {k: v for k, v in out.items() if np.isfinite(v)}


def log_oos_factor_analysis(
    predictions: pd.Series,
    close: pd.DataFrame,
    *,
    label_horizon: int = 1,
    fees: float = 0.0,
    name: str = "oos predictions",
) -> dict[str, float]:
    """Analyse OOS predictions as a factor and log tables, figures and metrics to the run.

    Call inside an active MLflow run (``mlflow.start_run``).

    Parameters
    ----------
    predictions : Series indexed by (date, symbol)
        Out-of-sample predictions (higher = more bullish).
    close : DataFrame (n_bars, n_assets)
        Close prices covering the predictions' dates and symbols.
    label_horizon : int
        The label's horizon in bars, analysed with 1, 5 and 21 (horizons not shorter than a
        quarter of the price history are left out).
    fees : float
        Fees of the engine runs (the recipe's ``costs.fees``).
    name : str
        Label of the factor in the tear sheet.

    Returns
    -------
    dict
        The metrics logged (empty when the analysis was not possible; see the tag).
    """
    import mlflow

    from quantlab.factors import analyze
    from quantlab.report import factor_tearsheet

    limit = max(2, len(close) // 4)
    horizons = sorted({h for h in (*DEFAULT_HORIZONS, int(label_horizon)) if h < limit} or {1})
    try:
        fa = analyze(
            predictions,
            close,
            horizons=horizons,
            quantiles=5,
            max_loss=1.0,
            fees=float(fees),
            name=name,
        )
        metrics = _metrics(fa)
    except ValidationError as exc:
        mlflow.set_tag("quantlab.factor_analysis", f"skipped: {exc}"[:5000])
        return {}
    h0 = fa.horizons[0]
    with tempfile.TemporaryDirectory(prefix="quantlab-factors-") as tmp:
        sheet = factor_tearsheet(fa, title=f"Factor tear sheet: {name}")
        sheet.save(os.path.join(tmp, "tearsheet.html"))
        fa.mean_returns.to_csv(os.path.join(tmp, "mean_returns.csv"))
        fa.spread_summary.to_csv(os.path.join(tmp, "spread.csv"))
        fa.ic_summary.to_csv(os.path.join(tmp, "ic_summary.csv"))
        fa.ic.to_csv(os.path.join(tmp, "ic.csv"))
        fa.turnover_summary.to_csv(os.path.join(tmp, "turnover.csv"))
        fa.backtests[h0].table.to_csv(os.path.join(tmp, "portfolios.csv"))
        fa.summary().to_csv(os.path.join(tmp, "summary.csv"))
        fa.data.loss.table().to_csv(os.path.join(tmp, "loss.csv"))
        # the tear sheet's figures, each as a PNG named after its alt text (drawn once)
        for uri, alt in re.findall(
            r'<img src="(data:image/png;base64,[^"]+)" alt="([^"]*)"', sheet.html
        ):
            _png(
                uri, os.path.join(tmp, re.sub(r"[^a-z0-9]+", "_", alt.lower()).strip("_") + ".png")
            )
        mlflow.log_artifacts(tmp, "factor_analysis")
    mlflow.log_metrics(metrics)
    mlflow.set_tag("quantlab.factor_analysis", "logged")
    return metrics
