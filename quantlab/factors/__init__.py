"""Factor analysis: returns by quantile, spread, IC decay, turnover, engine backtests.

quantlab's counterpart of alphalens-reloaded, equal to it on every quantity both compute
(see ``tests/factors``) and much faster on large universes (``benchmarks/compare_factors.py``).

>>> import numpy as np, pandas as pd
>>> from quantlab.factors import analyze
>>> idx = pd.bdate_range("2024-01-01", periods=60)
>>> close = pd.DataFrame(np.exp(np.random.default_rng(0).normal(0, .01, (60, 20)).cumsum(0)),
...                      index=idx, columns=[f"S{i}" for i in range(20)])
>>> fa = analyze(close.pct_change(5), close, horizons=(1, 5), quantiles=5)
>>> list(fa.ic_summary.columns)
['mean', 'std', 'icir', 't_stat', 'hit_rate', 'n_dates']
"""

from __future__ import annotations

from quantlab.factors.analysis import FactorAnalysis, analyze, compare
from quantlab.factors.clean import FactorData, LossReport, clean_factor, forward_returns
from quantlab.factors.information import factor_ic, ic_by_group, ic_decay, ic_table
from quantlab.factors.returns import (
    factor_returns,
    factor_weights,
    mean_return_by_quantile,
    portfolio_backtest,
    portfolio_backtests,
    quantile_returns_by_date,
    quantile_spread,
)
from quantlab.factors.turnover import quantile_turnover, rank_autocorrelation

__all__ = [
    "FactorAnalysis",
    "FactorData",
    "LossReport",
    "analyze",
    "clean_factor",
    "compare",
    "factor_ic",
    "factor_returns",
    "factor_weights",
    "forward_returns",
    "ic_by_group",
    "ic_decay",
    "ic_table",
    "mean_return_by_quantile",
    "portfolio_backtest",
    "portfolio_backtests",
    "quantile_returns_by_date",
    "quantile_spread",
    "quantile_turnover",
    "rank_autocorrelation",
]
