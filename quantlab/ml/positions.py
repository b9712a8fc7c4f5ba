"""From out-of-sample predictions to portfolio weights, and through the backtest engine.

Two rules turn a (date, symbol) prediction into target weights per date:

``"quantile"`` (default for kinds ``"return"`` and ``"score"``)
    long the top ``quantile`` of the assets, short the bottom ``quantile`` (at least one
    asset each), equal weights, ``+gross/2`` long and ``-gross/2`` short (dollar neutral);
    ``long_only=True`` puts ``gross`` on the top quantile only.
``"threshold"`` (default for kind ``"probability"``)
    long where ``p > threshold``, short where ``p < 1 - threshold``, each selected asset
    weighted ``gross / n_selected`` (so ``sum |w| = gross``).

Weights are decided on a bar's features and executed at that bar's close by
:func:`quantlab.backtest.from_weights`; they earn the returns of the following bars,
exactly the span the labels measure. With ``rebalance_every=horizon`` only every
``horizon``-th date rebalances, matching the labels' horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlab.data.validate import validate_panel
from quantlab.errors import AlignmentError, ParameterError
from quantlab.ml._panel import check_stacked

__all__ = ["predictions_to_weights", "backtest_predictions", "OOSBacktest"]

_METHODS = ("quantile", "threshold")


def predictions_to_weights(
    predictions: pd.Series,
    *,
    kind: str = "score",
    method: str | None = None,
    quantile: float = 0.2,
    threshold: float = 0.55,
    long_only: bool = False,
    gross: float = 1.0,
) -> pd.DataFrame:
    """Target weights ``(n_dates, n_assets)`` from (date, symbol) predictions.

    Parameters
    ----------
    predictions : pandas.Series
        Indexed by (date, symbol); NaN = no prediction for that asset.
    kind : {"return", "probability", "score"}, default "score"
        The model's kind; picks the default ``method``.
    method : {"quantile", "threshold"}, optional
        See the module docstring.
    quantile : float, default 0.2
        Fraction in (0, 0.5] of the assets held on each side.
    threshold : float, default 0.55
        Probability in (0.5, 1) above which to go long (below ``1 - threshold``: short).
    long_only : bool, default False
        Hold no short positions.
    gross : float, default 1.0
        Sum of absolute weights per date.

    Returns
    -------
    pandas.DataFrame
        Wide weights; a date without any prediction is an all-NaN row (no rebalance).

    Raises
    ------
    ParameterError
        Unknown method or kind, ``quantile`` / ``threshold`` / ``gross`` out of range.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.MultiIndex.from_product([pd.bdate_range("2024-01-01", periods=1), list("abcd")])
    >>> p = pd.Series([0.4, -0.1, 0.2, 0.0], index=idx)
    >>> predictions_to_weights(p, quantile=0.25).iloc[0].tolist()
    [0.5, -0.5, 0.0, 0.0]
    """
    check_stacked(predictions, "predictions")
    if kind not in ("return", "probability", "score"):
        raise ParameterError(f"kind must be 'return', 'probability' or 'score'; got {kind!r}")
    method = method or ("threshold" if kind == "probability" else "quantile")
    if method not in _METHODS:
        raise ParameterError(f"method must be one of {list(_METHODS)}; got {method!r}")
    if not 0.0 < quantile <= 0.5:
        raise ParameterError(f"quantile must be in (0, 0.5]; got {quantile!r}")
    if not 0.5 < threshold < 1.0:
        raise ParameterError(f"threshold must be in (0.5, 1); got {threshold!r}")
    if not (np.isfinite(gross) and gross > 0):
        raise ParameterError(f"gross must be a number > 0; got {gross!r}")
    panel = predictions.unstack(level=1)
    p = panel.to_numpy(dtype=np.float64)
    valid = np.isfinite(p)
    n_valid = valid.sum(axis=1)
    w = np.zeros_like(p)
    if method == "quantile":
        k = np.maximum(np.floor(quantile * n_valid), 1).astype(np.int64)
        # descending order with NaN last; ranks 0 .. n_valid-1 among valid entries
        order = np.argsort(np.where(valid, -p, np.inf), axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(p.shape[1])[None, :].repeat(len(p), 0), axis=1)
        top = valid & (rank < k[:, None])
        bottom = valid & (rank >= (n_valid - k)[:, None]) & ~top
        if long_only:
            w[top] = (gross / k[:, None].repeat(p.shape[1], 1))[top]
        else:
            half = gross / 2.0
            w[top] = (half / k[:, None].repeat(p.shape[1], 1))[top]
            w[bottom] = (-half / k[:, None].repeat(p.shape[1], 1))[bottom]
    else:
        long = valid & (p > threshold)
        short = valid & (p < 1.0 - threshold) & (not long_only)
        n_sel = (long | short).sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            unit = np.where(n_sel > 0, gross / n_sel, 0.0)
        w = np.where(long, unit, 0.0) - np.where(short, unit, 0.0)
    w[n_valid == 0] = np.nan
    return pd.DataFrame(w, index=panel.index, columns=panel.columns)


@dataclass(frozen=True)
class OOSBacktest:
    """The backtest of out-of-sample predictions.

    Attributes
    ----------
    result : quantlab.backtest.BacktestResult
        The engine's result (equity, returns, orders, trades ...).
    weights : pandas.DataFrame
        The target weights passed to the engine (NaN rows: no rebalance).
    returns : pandas.Series
        Strategy returns over the out-of-sample period.
    metrics : pandas.Series
        :func:`quantlab.metrics.summary` of ``returns`` plus ``deflated_sharpe``,
        ``n_trials``.
    """

    result: Any
    weights: pd.DataFrame
    returns: pd.Series
    metrics: pd.Series

    @property
    def deflated_sharpe(self) -> float:
        """Probability that the true Sharpe exceeds the best of ``n_trials`` null trials."""
        return float(self.metrics["deflated_sharpe"])


def backtest_predictions(
    predictions: pd.Series,
    close: pd.DataFrame,
    *,
    kind: str = "score",
    horizon: int = 1,
    rebalance_every: int | None = None,
    method: str | None = None,
    quantile: float = 0.2,
    threshold: float = 0.55,
    long_only: bool = False,
    gross: float = 1.0,
    fees: float = 0.0,
    slippage: float = 0.0,
    n_trials: int = 1,
    sharpe_variance: float = 0.0,
    trial_returns: pd.DataFrame | None = None,
    periods_per_year: float | None = None,
) -> OOSBacktest:
    """Backtest predictions: weights per :func:`predictions_to_weights`, then the engine.

    Parameters
    ----------
    predictions : pandas.Series
        Out-of-sample (date, symbol) predictions, e.g. ``OOSResult.predictions``.
    close : pandas.DataFrame
        Close panel ``(n_bars, n_assets)`` covering the predictions' dates.
    kind, method, quantile, threshold, long_only, gross
        As in :func:`predictions_to_weights`.
    horizon : int, default 1
        The labels' horizon; the default ``rebalance_every``.
    rebalance_every : int, optional
        Rebalance on every n-th prediction date (default ``horizon``).
    fees, slippage : float
        Proportional costs per trade, passed to the engine.
    n_trials, sharpe_variance, trial_returns
        For the deflated Sharpe ratio: the number of configurations tried and the
        variance of their per-period Sharpe ratios, or their returns (one column per
        trial). With one trial it is the probabilistic Sharpe ratio against 0.
    periods_per_year : float, optional
        Annualisation; inferred from the index when omitted.

    Returns
    -------
    OOSBacktest

    Raises
    ------
    AlignmentError
        Prediction dates or symbols that are not in ``close``.
    ParameterError
        Bad rule parameters or ``rebalance_every``.
    """
    from quantlab.backtest import from_weights
    from quantlab.metrics import summary
    from quantlab.metrics.inference import (
        deflated_sharpe_from_returns,
        probabilistic_sharpe_from_returns,
    )

    close = validate_panel(close, "close", positive=True)
    step = horizon if rebalance_every is None else rebalance_every
    if isinstance(step, bool) or not isinstance(step, int) or step < 1:
        raise ParameterError(f"rebalance_every must be an int >= 1; got {step!r}")
    if isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 1:
        raise ParameterError(f"n_trials must be an int >= 1; got {n_trials!r}")
    target = predictions_to_weights(
        predictions,
        kind=kind,
        method=method,
        quantile=quantile,
        threshold=threshold,
        long_only=long_only,
        gross=gross,
    )
    missing_cols = target.columns.difference(close.columns)
    missing_dates = target.index.difference(close.index)
    if len(missing_cols) or len(missing_dates):
        raise AlignmentError(
            f"predictions have {len(missing_dates)} date(s) and {len(missing_cols)} symbol(s) "
            "that are not in close; pass the close panel the features were computed on"
        )
    target = target.dropna(how="all")
    if target.empty:
        raise AlignmentError("predictions hold no finite value; nothing to backtest")
    keep = np.zeros(len(target), dtype=bool)
    keep[::step] = True
    target = target[keep]
    start = close.index.get_loc(target.index[0])
    px = close.iloc[start:]
    weights = target.reindex(index=px.index, columns=px.columns)
    # assets without a prediction on a rebalance date are closed, not left unchanged
    weights.loc[target.index] = weights.loc[target.index].fillna(0.0)
    res = from_weights(px, weights, fees=fees, slippage=slippage, periods_per_year=periods_per_year)
    raw = res.returns
    rets = pd.Series(raw.iloc[:, 0] if isinstance(raw, pd.DataFrame) else raw, name="strategy")
    metrics = summary(rets, periods_per_year=periods_per_year).iloc[:, 0]
    if trial_returns is not None:
        dsr = deflated_sharpe_from_returns(
            rets, trial_returns, n_trials=n_trials if n_trials > 1 else None
        )
    elif n_trials > 1:
        dsr = deflated_sharpe_from_returns(rets, n_trials=n_trials, sharpe_variance=sharpe_variance)
    else:  # one trial: the deflated Sharpe ratio is the PSR against 0
        dsr = float(probabilistic_sharpe_from_returns(rets))
    metrics = pd.concat([metrics, pd.Series({"deflated_sharpe": dsr, "n_trials": float(n_trials)})])
    return OOSBacktest(result=res, weights=weights, returns=rets, metrics=metrics)
