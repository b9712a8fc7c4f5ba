"""Risk-adjusted performance metrics, vectorized over columns, plus overfitting statistics.

Every function takes simple returns -- a Series (-> ``float``), a DataFrame or a 2-D array
with one column per strategy (-> ``Series`` indexed by column) -- and is computed by numba
kernels that run in parallel over columns. :func:`summary` computes every scalar metric of
every column in one pass.

Conventions
-----------
* **NaN returns are skipped, not filled with zero.** A NaN bar is not an observation: it is
  in no mean, deviation, quantile or count ``n``. (In the equity curve, skipping a bar and a
  zero return coincide.) An all-NaN column gives NaN everywhere (``n_obs`` 0).
* **Annualization**: ``periods_per_year`` is inferred from a ``DatetimeIndex`` by
  :func:`infer_periods_per_year` (business-daily 252, 7-day daily 365, weekly 52, monthly
  12, quarterly 4, yearly 1, hourly bars of a 6.5 h session 1638, 24/7 hourly 8760 ...) and
  always overridable with ``periods_per_year=``. A RangeIndex / array input or an ambiguous
  spacing raises :class:`~quantlab.errors.ParameterError` saying how to pass it; there is no
  silent default.
* **risk_free** (and Omega's ``required_return``) are *annual* rates, converted per period as
  ``(1 + rate) ** (1 / periods_per_year) - 1``.
* **Zero dispersion**: constant returns give ``+-inf`` (sign of the numerator) or NaN for
  0 / 0, never an exception. Fewer than 2 valid returns: NaN for dispersion-based metrics.
* **Bad input**: empty input -> ``ValidationError``; non-numeric -> ``DataTypeError``;
  ``inf`` or a return below -1 -> ``ValidationError`` (a return of exactly -1 is a total
  loss: total return -1, max drawdown -1, stability NaN); a benchmark missing some of the
  returns' dates -> ``AlignmentError``.
* Formulas match empyrical-reloaded where it has the metric (see each docstring). Known
  differences: ``annual_return`` / ``cagr`` count valid returns where empyrical counts rows
  including NaN; historical ``value_at_risk``, ``skew`` and ``kurtosis`` skip NaN where
  empyrical / scipy return NaN; ``information_ratio`` is annualized (empyrical's
  ``excess_sharpe`` times ``sqrt(ppy)``); ``kurtosis`` is *excess* kurtosis (scipy's
  default) while :mod:`quantlab.metrics.inference` takes non-excess kurtosis.

Summary rows
------------
:func:`summary` returns a DataFrame whose index is :data:`SUMMARY_ROWS`, exactly::

    n_obs, total_return, cagr, annual_return, annual_volatility, sharpe, sortino, calmar,
    omega, best_period, worst_period, gain_to_pain, common_sense_ratio, max_drawdown,
    max_drawdown_duration, avg_drawdown, recovery_time, ulcer_index,
    ulcer_performance_index, value_at_risk, value_at_risk_gaussian,
    value_at_risk_cornish_fisher, cvar, tail_ratio, skew, kurtosis, stability,
    alpha, beta, up_capture, down_capture, correlation, r_squared, information_ratio,
    tracking_error, treynor

(the last nine are NaN without a benchmark). Durations are in bars.

Tables, rolling windows and trades: :func:`drawdown_table`, :func:`drawdown_series`,
:func:`monthly_returns`, :func:`yearly_returns`, :func:`rolling_sharpe`,
:func:`rolling_volatility`, :func:`rolling_beta`, :func:`rolling_drawdown`,
:func:`trade_stats`. Sharpe-ratio inference (PSR, DSR, MinTRL, PBO, bootstrap) lives in
:mod:`quantlab.metrics.inference`.
"""

from __future__ import annotations

import quantlab.metrics.inference as inference
from quantlab.metrics.api import (
    SUMMARY_ROWS,
    alpha,
    annual_return,
    annual_volatility,
    avg_drawdown,
    best_period,
    beta,
    cagr,
    calmar,
    common_sense_ratio,
    correlation,
    cvar,
    down_capture,
    gain_to_pain,
    information_ratio,
    kurtosis,
    max_drawdown,
    max_drawdown_duration,
    omega,
    r_squared,
    recovery_time,
    sharpe,
    skew,
    sortino,
    stability,
    summary,
    tail_ratio,
    total_return,
    tracking_error,
    treynor,
    ulcer_index,
    ulcer_performance_index,
    up_capture,
    value_at_risk,
    worst_period,
)
from quantlab.metrics.drawdowns import drawdown_series, drawdown_table
from quantlab.metrics.periods import infer_periods_per_year, monthly_returns, yearly_returns
from quantlab.metrics.rolling import (
    rolling_beta,
    rolling_drawdown,
    rolling_sharpe,
    rolling_volatility,
)
from quantlab.metrics.trades import trade_stats

__all__ = [
    "SUMMARY_ROWS",
    "alpha",
    "annual_return",
    "annual_volatility",
    "avg_drawdown",
    "best_period",
    "beta",
    "cagr",
    "calmar",
    "common_sense_ratio",
    "correlation",
    "cvar",
    "down_capture",
    "drawdown_series",
    "drawdown_table",
    "gain_to_pain",
    "infer_periods_per_year",
    "inference",
    "information_ratio",
    "kurtosis",
    "max_drawdown",
    "max_drawdown_duration",
    "monthly_returns",
    "omega",
    "r_squared",
    "recovery_time",
    "rolling_beta",
    "rolling_drawdown",
    "rolling_sharpe",
    "rolling_volatility",
    "sharpe",
    "skew",
    "sortino",
    "stability",
    "summary",
    "tail_ratio",
    "total_return",
    "trade_stats",
    "tracking_error",
    "treynor",
    "ulcer_index",
    "ulcer_performance_index",
    "up_capture",
    "value_at_risk",
    "worst_period",
    "yearly_returns",
]
