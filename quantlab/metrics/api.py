"""Scalar performance metrics of returns, one value per column.

Conventions shared by every function here (see the package docstring for the full list):

* ``returns`` are simple (not log) returns per bar: a Series (-> ``float``), a DataFrame or
  a 2-D array with one column per strategy (-> ``Series`` indexed by column).
* **NaN returns are skipped, not filled with zero**: a NaN bar is not an observation (it
  counts in no mean, deviation or ``n``); in the equity curve skipping it and a zero return
  coincide.
* ``periods_per_year`` is inferred from a ``DatetimeIndex`` (see
  :func:`~quantlab.metrics.infer_periods_per_year`) and always overridable; when it cannot
  be inferred a :class:`~quantlab.errors.ParameterError` says how to pass it.
* ``risk_free`` (and ``required_return``) are **annual** rates, converted per period as
  ``(1 + rate) ** (1 / periods_per_year) - 1``.
* Zero dispersion (constant returns) gives ``inf`` with the sign of the numerator, or NaN
  for 0 / 0 -- never an exception.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from quantlab._typing import Float64Array2D
from quantlab._validation import Labels
from quantlab.metrics import _formulas as F
from quantlab.metrics import _kernels as K
from quantlab.metrics._input import (
    check_cutoff,
    check_range,
    check_rate,
    per_period,
    resolve_ppy,
    to_benchmark,
    to_returns,
    wrap,
)

__all__ = [
    "total_return",
    "cagr",
    "annual_return",
    "annual_volatility",
    "sharpe",
    "sortino",
    "calmar",
    "omega",
    "information_ratio",
    "tracking_error",
    "treynor",
    "gain_to_pain",
    "common_sense_ratio",
    "max_drawdown",
    "max_drawdown_duration",
    "avg_drawdown",
    "recovery_time",
    "ulcer_index",
    "ulcer_performance_index",
    "value_at_risk",
    "cvar",
    "tail_ratio",
    "skew",
    "kurtosis",
    "alpha",
    "beta",
    "up_capture",
    "down_capture",
    "correlation",
    "r_squared",
    "stability",
    "best_period",
    "worst_period",
    "summary",
    "SUMMARY_ROWS",
]

#: Row index of :func:`summary`, in order (other subsystems read metrics by these names).
SUMMARY_ROWS: tuple[str, ...] = tuple(F.SUMMARY)


def _compute(
    returns: Any,
    groups: int,
    *,
    need_ppy: bool,
    benchmark: Any = None,
    risk_free: float = 0.0,
    required_return: float = 0.0,
    cutoff: float = 0.05,
    periods_per_year: float | None = None,
) -> tuple[F.Ctx, Labels]:
    arr, labels = to_returns(returns, "returns", scan=False)
    rf = check_rate(risk_free, "risk_free")
    req = check_rate(required_return, "required_return")
    cut = check_cutoff(cutoff)
    ppy = np.nan
    if need_ppy or rf != 0.0 or req != 0.0 or periods_per_year is not None:
        ppy = resolve_ppy(labels, periods_per_year)
    rf_per = per_period(rf, ppy) if rf != 0.0 else 0.0
    thr = rf_per + (per_period(req, ppy) if req != 0.0 else 0.0)
    bench: Float64Array2D = np.zeros((arr.shape[0], 1))  # dummy without the benchmark group
    if groups & K.BENCHMARK:
        bench = to_benchmark(benchmark, labels, arr.shape[1])
    stats = K.stats_kernel(arr, bench, rf_per, thr, cut, groups)
    check_range(arr, labels, stats[K.SCAN_MIN], stats[K.SCAN_MAX], "returns")
    return F.Ctx(stats, ppy, rf, rf_per, cut), labels


def _metric(row: str, returns: Any, **kw: Any) -> Any:
    """One row of :func:`summary`: its formula, kernel groups and annualization need come
    from :data:`quantlab.metrics._formulas.SUMMARY` (the one table of them)."""
    formula, groups, need_ppy = F.SUMMARY[row]
    ctx, labels = _compute(returns, groups, need_ppy=need_ppy, **kw)
    with np.errstate(all="ignore"):  # inf / NaN results are the documented outcomes
        values = formula(ctx)
    return wrap(values, labels, formula.__name__)


# --------------------------------------------------------------------------- returns


def total_return(returns: Any) -> Any:
    """Compounded return over the whole sample: ``prod(1 + r) - 1`` (NaN skipped).

    Parameters
    ----------
    returns : Series, DataFrame or array
        Simple returns, one column per strategy.

    Returns
    -------
    float or Series
        ``float`` for a Series / 1-D input, else one value per column. NaN for an all-NaN
        column.

    Raises
    ------
    DataTypeError, ValidationError, AlignmentError
        Non-numeric, empty, infinite or < -1 returns; unsorted / duplicated index.

    Examples
    --------
    >>> round(total_return(pd.Series([0.1, -0.1, np.nan])), 6)
    -0.01
    """
    return _metric("total_return", returns)


def annual_return(returns: Any, *, periods_per_year: float | None = None) -> Any:
    """Compound annual growth rate: ``prod(1 + r) ** (ppy / n) - 1``.

    ``n`` counts the valid (non-NaN) returns. empyrical's ``annual_return`` divides by
    ``len(returns)`` *including* NaN rows; the two agree when there is no NaN.

    Parameters
    ----------
    returns : Series, DataFrame or array
        Simple returns, one column per strategy.
    periods_per_year : float, optional
        Bars per year; inferred from a ``DatetimeIndex`` when omitted.

    Returns
    -------
    float or Series

    Raises
    ------
    ParameterError
        ``periods_per_year`` not given and not inferable.

    Examples
    --------
    >>> round(annual_return(pd.Series([0.01] * 12), periods_per_year=12), 6)
    0.126825
    """
    return _metric("annual_return", returns, periods_per_year=periods_per_year)


def cagr(returns: Any, *, periods_per_year: float | None = None) -> Any:
    """Compound annual growth rate; an alias of :func:`annual_return` (as in empyrical).

    Parameters
    ----------
    returns : Series, DataFrame or array
    periods_per_year : float, optional

    Returns
    -------
    float or Series

    Raises
    ------
    ParameterError
        ``periods_per_year`` not given and not inferable.

    Examples
    --------
    >>> round(cagr(pd.Series([0.5, 0.0]), periods_per_year=1), 6)
    0.224745
    """
    return _metric("annual_return", returns, periods_per_year=periods_per_year)


def annual_volatility(returns: Any, *, periods_per_year: float | None = None) -> Any:
    """Annualized standard deviation: ``std(r, ddof=1) * sqrt(ppy)`` (0 for constant returns).

    Parameters
    ----------
    returns : Series, DataFrame or array
    periods_per_year : float, optional

    Returns
    -------
    float or Series
        NaN below 2 valid returns.

    Raises
    ------
    ParameterError
        ``periods_per_year`` not given and not inferable.

    Examples
    --------
    >>> round(annual_volatility(pd.Series([0.01, -0.01]), periods_per_year=252), 6)
    0.224499
    """
    return _metric("annual_volatility", returns, periods_per_year=periods_per_year)


def best_period(returns: Any) -> Any:
    """Best single-bar return.

    Parameters
    ----------
    returns : Series, DataFrame or array

    Returns
    -------
    float or Series

    Raises
    ------
    ValidationError
        Empty, infinite or < -1 returns.

    Examples
    --------
    >>> best_period(pd.Series([0.01, 0.03, -0.02]))
    0.03
    """
    return _metric("best_period", returns)


def worst_period(returns: Any) -> Any:
    """Worst single-bar return.

    Parameters
    ----------
    returns : Series, DataFrame or array

    Returns
    -------
    float or Series

    Raises
    ------
    ValidationError
        Empty, infinite or < -1 returns.

    Examples
    --------
    >>> worst_period(pd.Series([0.01, 0.03, -0.02]))
    -0.02
    """
    return _metric("worst_period", returns)


# --------------------------------------------------------------------------- risk-adjusted


def sharpe(returns: Any, risk_free: float = 0.0, *, periods_per_year: float | None = None) -> Any:
    """Annualized Sharpe ratio: ``mean(r - rf) / std(r - rf, ddof=1) * sqrt(ppy)``.

    Matches empyrical's ``sharpe_ratio`` (with its per-period ``risk_free`` equal to
    ``(1 + risk_free) ** (1 / ppy) - 1``). Constant returns: ``+-inf``, or NaN when the
    mean excess return is 0; NaN below 2 valid returns.

    Parameters
    ----------
    returns : Series, DataFrame or array
    risk_free : float, default 0
        Annual risk-free rate.
    periods_per_year : float, optional

    Returns
    -------
    float or Series

    Raises
    ------
    ParameterError
        ``periods_per_year`` not inferable, or ``risk_free <= -1``.

    Examples
    --------
    >>> round(sharpe(pd.Series([0.01, -0.005, 0.02, 0.0]), periods_per_year=252), 4)
    8.949
    """
    return _metric("sharpe", returns, risk_free=risk_free, periods_per_year=periods_per_year)


def sortino(returns: Any, risk_free: float = 0.0, *, periods_per_year: float | None = None) -> Any:
    """Annualized Sortino ratio with the full-sample target downside deviation.

    ``mean(r - t) * ppy / (sqrt(mean(min(r - t, 0) ** 2)) * sqrt(ppy))`` where the target
    ``t`` is the per-period risk-free rate and the mean of squared shortfalls runs over
    *every* valid return (empyrical's ``sortino_ratio`` / ``downside_risk``). No return
    below the target: ``inf`` (or NaN when the mean excess is 0).

    Parameters
    ----------
    returns : Series, DataFrame or array
    risk_free : float, default 0
        Annual rate, also the target return.
    periods_per_year : float, optional

    Returns
    -------
    float or Series

    Raises
    ------
    ParameterError
        ``periods_per_year`` not inferable, or ``risk_free <= -1``.

    Examples
    --------
    >>> round(sortino(pd.Series([0.01, -0.005, 0.02, 0.0]), periods_per_year=252), 4)
    39.6863
    """
    return _metric("sortino", returns, risk_free=risk_free, periods_per_year=periods_per_year)


def calmar(returns: Any, *, periods_per_year: float | None = None) -> Any:
    """Calmar ratio: ``annual_return / |max_drawdown|`` (NaN without a drawdown).

    Parameters
    ----------
    returns : Series, DataFrame or array
    periods_per_year : float, optional

    Returns
    -------
    float or Series

    Raises
    ------
    ParameterError
        ``periods_per_year`` not inferable.

    Examples
    --------
    >>> round(calmar(pd.Series([0.02, -0.01, 0.02]), periods_per_year=252), 2)
    1097.25
    """
    return _metric("calmar", returns, periods_per_year=periods_per_year)


def omega(
    returns: Any,
    risk_free: float = 0.0,
    required_return: float = 0.0,
    *,
    periods_per_year: float | None = None,
) -> Any:
    """Omega ratio: gains over losses around a per-period threshold.

    ``sum(max(r - thr, 0)) / sum(max(thr - r, 0))`` with
    ``thr = rf_per + (1 + required_return) ** (1 / ppy) - 1`` (empyrical's ``omega_ratio``
    with its ``risk_free`` per period). NaN without a loss below the threshold or below 2
    valid returns. ``periods_per_year`` is only needed when a rate is non-zero.

    Parameters
    ----------
    returns : Series, DataFrame or array
    risk_free : float, default 0
        Annual rate.
    required_return : float, default 0
        Annual minimum acceptable return.
    periods_per_year : float, optional

    Returns
    -------
    float or Series

    Raises
    ------
    ParameterError
        A rate <= -1, or a non-zero rate with ``periods_per_year`` not inferable.

    Examples
    --------
    >>> omega(pd.Series([0.02, -0.01, 0.03, -0.01]))
    2.5
    """
    return _metric(
        "omega",
        returns,
        risk_free=risk_free,
        required_return=required_return,
        periods_per_year=periods_per_year,
    )


def gain_to_pain(returns: Any) -> Any:
    """Gain-to-pain ratio (Schwager): ``sum(r) / |sum(r[r < 0])|`` on the input bars.

    No losing bar: ``inf`` (NaN when every return is 0). Pass monthly returns for
    Schwager's monthly version.

    Parameters
    ----------
    returns : Series, DataFrame or array

    Returns
    -------
    float or Series

    Raises
    ------
    ValidationError
        Empty, infinite or < -1 returns.

    Examples
    --------
    >>> gain_to_pain(pd.Series([0.02, -0.01, 0.03, -0.01]))
    1.5
    """
    return _metric("gain_to_pain", returns)


def common_sense_ratio(returns: Any) -> Any:
    """Common-sense ratio: profit ratio x tail ratio.

    ``sum(r[r > 0]) / |sum(r[r < 0])| * |q95| / |q5|`` (quantstats' definition, with
    percentiles interpolated like ``np.percentile``).

    Parameters
    ----------
    returns : Series, DataFrame or array

    Returns
    -------
    float or Series

    Raises
    ------
    ValidationError
        Empty, infinite or < -1 returns.

    Examples
    --------
    >>> round(common_sense_ratio(pd.Series([0.02, -0.01, 0.03, -0.01])), 4)
    7.125
    """
    return _metric("common_sense_ratio", returns)


# --------------------------------------------------------------------------- drawdowns


def max_drawdown(returns: Any) -> Any:
    """Deepest peak-to-trough loss of the equity curve, in ``[-1, 0]``.

    The curve starts at 1 before the first bar (a first-bar loss is a drawdown), as in
    empyrical's ``max_drawdown``.

    Parameters
    ----------
    returns : Series, DataFrame or array

    Returns
    -------
    float or Series

    Raises
    ------
    ValidationError
        Empty, infinite or < -1 returns.

    Examples
    --------
    >>> round(max_drawdown(pd.Series([0.1, -0.5, 0.2])), 6)
    -0.5
    """
    return _metric("max_drawdown", returns)


def max_drawdown_duration(returns: Any) -> Any:
    """Longest spell underwater: consecutive valid bars below the running peak.

    Parameters
    ----------
    returns : Series, DataFrame or array

    Returns
    -------
    float or Series
        A number of bars (an unfinished spell counts up to the last bar).

    Raises
    ------
    ValidationError
        Empty, infinite or < -1 returns.

    Examples
    --------
    >>> max_drawdown_duration(pd.Series([0.1, -0.1, 0.05, 0.1, -0.01]))
    2.0
    """
    return _metric("max_drawdown_duration", returns)


def avg_drawdown(returns: Any) -> Any:
    """Mean depth of the drawdown episodes (each episode's trough; 0 without any).

    Parameters
    ----------
    returns : Series, DataFrame or array

    Returns
    -------
    float or Series

    Raises
    ------
    ValidationError
        Empty, infinite or < -1 returns.

    Examples
    --------
    >>> round(avg_drawdown(pd.Series([-0.1, 0.2, -0.3, 0.5])), 6)
    -0.2
    """
    return _metric("avg_drawdown", returns)


def recovery_time(returns: Any) -> Any:
    """Bars from the trough of the maximum drawdown back to its previous peak.

    0 without a drawdown, NaN if the maximum drawdown has not recovered.

    Parameters
    ----------
    returns : Series, DataFrame or array

    Returns
    -------
    float or Series

    Raises
    ------
    ValidationError
        Empty, infinite or < -1 returns.

    Examples
    --------
    >>> recovery_time(pd.Series([-0.1, 0.05, 0.05, 0.05]))
    3.0
    """
    return _metric("recovery_time", returns)


def ulcer_index(returns: Any) -> Any:
    """Ulcer index (Martin): ``sqrt(mean(drawdown ** 2))`` over valid bars, as a fraction.

    Parameters
    ----------
    returns : Series, DataFrame or array

    Returns
    -------
    float or Series

    Raises
    ------
    ValidationError
        Empty, infinite or < -1 returns.

    Examples
    --------
    >>> round(ulcer_index(pd.Series([-0.1, 0.0, 0.2])), 6)
    0.08165
    """
    return _metric("ulcer_index", returns)


def ulcer_performance_index(
    returns: Any, risk_free: float = 0.0, *, periods_per_year: float | None = None
) -> Any:
    """Ulcer performance index (Martin ratio): ``(annual_return - risk_free) / ulcer_index``.

    Parameters
    ----------
    returns : Series, DataFrame or array
    risk_free : float, default 0
        Annual rate.
    periods_per_year : float, optional

    Returns
    -------
    float or Series
        ``inf`` / NaN without any drawdown.

    Raises
    ------
    ParameterError
        ``periods_per_year`` not inferable.

    Examples
    --------
    >>> round(ulcer_performance_index(pd.Series([-0.1, 0.0, 0.2]), periods_per_year=3), 4)
    0.9798
    """
    return _metric(
        "ulcer_performance_index",
        returns,
        risk_free=risk_free,
        periods_per_year=periods_per_year,
    )


# --------------------------------------------------------------------------- tail


_VAR_METHODS = {
    "historical": "value_at_risk",
    "gaussian": "value_at_risk_gaussian",
    "cornish_fisher": "value_at_risk_cornish_fisher",
}


def value_at_risk(returns: Any, cutoff: float = 0.05, *, method: str = "historical") -> Any:
    """Value at risk: the ``cutoff`` quantile of the per-bar return (a negative number = loss).

    * ``"historical"``: ``np.percentile(r, 100 * cutoff)`` (linear interpolation) of the
      valid returns (empyrical's ``value_at_risk``, which returns NaN when any return is
      NaN instead of skipping it);
    * ``"gaussian"``: ``mean + z * std`` with ``z = Phi^-1(cutoff)`` and ``std`` ddof=1;
    * ``"cornish_fisher"``: ``z`` corrected for the sample skew ``S`` and excess kurtosis
      ``K`` (population moments): ``z + (z^2-1)S/6 + (z^3-3z)K/24 - (2z^3-5z)S^2/36``.

    Parameters
    ----------
    returns : Series, DataFrame or array
    cutoff : float, default 0.05
        Tail probability in (0, 0.5].
    method : {"historical", "gaussian", "cornish_fisher"}

    Returns
    -------
    float or Series

    Raises
    ------
    ParameterError
        Unknown ``method`` or ``cutoff`` outside (0, 0.5].

    Examples
    --------
    >>> round(value_at_risk(pd.Series([-0.03, -0.01, 0.0, 0.01, 0.02]), 0.25), 6)
    -0.01
    """
    from quantlab._validation import choice

    return _metric(choice(method, "method", _VAR_METHODS), returns, cutoff=cutoff)


def cvar(returns: Any, cutoff: float = 0.05) -> Any:
    """Conditional VaR (expected shortfall): the mean of the worst returns.

    The ``int((n - 1) * cutoff) + 1`` lowest valid returns are averaged.

    Exactly empyrical's ``conditional_value_at_risk`` (NaN returns dropped first).

    Parameters
    ----------
    returns : Series, DataFrame or array
    cutoff : float, default 0.05

    Returns
    -------
    float or Series

    Raises
    ------
    ParameterError
        ``cutoff`` outside (0, 0.5].

    Examples
    --------
    >>> cvar(pd.Series([-0.03, -0.01, 0.0, 0.01, 0.02]), 0.25)
    -0.02
    """
    return _metric("cvar", returns, cutoff=cutoff)


def tail_ratio(returns: Any) -> Any:
    """Tail ratio: ``|95th percentile| / |5th percentile|`` (empyrical's ``tail_ratio``).

    Parameters
    ----------
    returns : Series, DataFrame or array

    Returns
    -------
    float or Series
        ``inf`` when the 5th percentile is 0 (NaN when both are).

    Raises
    ------
    ValidationError
        Empty, infinite or < -1 returns.

    Examples
    --------
    >>> round(tail_ratio(pd.Series(np.linspace(-0.02, 0.04, 101))), 6)
    2.176471
    """
    return _metric("tail_ratio", returns)


def skew(returns: Any) -> Any:
    """Sample skewness with population moments, ``m3 / m2 ** 1.5`` (``scipy.stats.skew``).

    NaN for constant returns.

    Parameters
    ----------
    returns : Series, DataFrame or array

    Returns
    -------
    float or Series

    Raises
    ------
    ValidationError
        Empty, infinite or < -1 returns.

    Examples
    --------
    >>> round(skew(pd.Series([0.0, 0.0, 0.0, 0.1])), 6)
    1.154701
    """
    return _metric("skew", returns)


def kurtosis(returns: Any) -> Any:
    """**Excess** kurtosis with population moments, ``m4 / m2 ** 2 - 3`` (scipy's default).

    Add 3 for the (non-excess) kurtosis the Sharpe-ratio inference formulas take.

    Parameters
    ----------
    returns : Series, DataFrame or array

    Returns
    -------
    float or Series
        NaN for constant returns.

    Raises
    ------
    ValidationError
        Empty, infinite or < -1 returns.

    Examples
    --------
    >>> round(kurtosis(pd.Series([0.0, 0.0, 0.0, 0.1])), 6)
    -0.666667
    """
    return _metric("kurtosis", returns)


def stability(returns: Any) -> Any:
    """R^2 of the log equity curve regressed on time (empyrical's ``stability_of_timeseries``).

    0 for a flat curve; NaN below 2 returns or after a -100% return.

    Parameters
    ----------
    returns : Series, DataFrame or array

    Returns
    -------
    float or Series

    Raises
    ------
    ValidationError
        Empty, infinite or < -1 returns.

    Examples
    --------
    >>> round(stability(pd.Series([0.01] * 10)), 6)
    1.0
    """
    return _metric("stability", returns)


# --------------------------------------------------------------------------- benchmark


def alpha(
    returns: Any, benchmark: Any, risk_free: float = 0.0, *, periods_per_year: float | None = None
) -> Any:
    """Annualized Jensen's alpha: ``(1 + mean((r - rf) - beta * (b - rf))) ** ppy - 1``.

    Over bars where both returns and benchmark are valid (empyrical's ``alpha``).

    Parameters
    ----------
    returns : Series, DataFrame or array
    benchmark : Series, DataFrame or array
        One benchmark for every column, or one per column. A pandas benchmark is aligned on
        the returns' index (it may cover more dates; a missing date raises).
    risk_free : float, default 0
        Annual rate.
    periods_per_year : float, optional

    Returns
    -------
    float or Series

    Raises
    ------
    AlignmentError
        The benchmark misses some of the returns' dates, or its shape does not fit.

    Examples
    --------
    >>> b = pd.Series([0.01, -0.02, 0.03, 0.0])
    >>> round(alpha(2 * b + 0.001, b, periods_per_year=252), 6)
    0.286434
    """
    return _metric(
        "alpha",
        returns,
        benchmark=benchmark,
        risk_free=risk_free,
        periods_per_year=periods_per_year,
    )


def beta(returns: Any, benchmark: Any) -> Any:
    """Beta: ``cov(r, b) / var(b)`` over paired valid bars (NaN if ``var(b) < 1e-30``).

    Parameters
    ----------
    returns : Series, DataFrame or array
    benchmark : Series, DataFrame or array
        Aligned like in :func:`alpha`.

    Returns
    -------
    float or Series

    Raises
    ------
    AlignmentError
        The benchmark misses some of the returns' dates, or its shape does not fit.

    Examples
    --------
    >>> b = pd.Series([0.01, -0.02, 0.03, 0.0])
    >>> round(beta(2 * b + 0.001, b), 6)
    2.0
    """
    return _metric("beta", returns, benchmark=benchmark)


def correlation(returns: Any, benchmark: Any) -> Any:
    """Pearson correlation with the benchmark over paired valid bars.

    Parameters
    ----------
    returns : Series, DataFrame or array
    benchmark : Series, DataFrame or array

    Returns
    -------
    float or Series

    Raises
    ------
    AlignmentError
        The benchmark misses some of the returns' dates, or its shape does not fit.

    Examples
    --------
    >>> b = pd.Series([0.01, -0.02, 0.03, 0.0])
    >>> round(correlation(-b, b), 6)
    -1.0
    """
    return _metric("correlation", returns, benchmark=benchmark)


def r_squared(returns: Any, benchmark: Any) -> Any:
    """R^2 of the regression on the benchmark (the squared correlation).

    Parameters
    ----------
    returns : Series, DataFrame or array
    benchmark : Series, DataFrame or array

    Returns
    -------
    float or Series

    Raises
    ------
    AlignmentError
        The benchmark misses some of the returns' dates, or its shape does not fit.

    Examples
    --------
    >>> b = pd.Series([0.01, -0.02, 0.03, 0.0])
    >>> round(r_squared(-b, b), 6)
    1.0
    """
    return _metric("r_squared", returns, benchmark=benchmark)


def tracking_error(returns: Any, benchmark: Any, *, periods_per_year: float | None = None) -> Any:
    """Annualized tracking error: ``std(r - b, ddof=1) * sqrt(ppy)`` over paired bars.

    Parameters
    ----------
    returns : Series, DataFrame or array
    benchmark : Series, DataFrame or array
    periods_per_year : float, optional

    Returns
    -------
    float or Series

    Raises
    ------
    AlignmentError
        The benchmark misses some of the returns' dates, or its shape does not fit.

    Examples
    --------
    >>> b = pd.Series([0.01, -0.02, 0.03, 0.0])
    >>> round(tracking_error(b + [0.01, -0.01, 0.01, -0.01], b, periods_per_year=252), 6)
    0.183303
    """
    return _metric(
        "tracking_error",
        returns,
        benchmark=benchmark,
        periods_per_year=periods_per_year,
    )


def information_ratio(
    returns: Any, benchmark: Any, *, periods_per_year: float | None = None
) -> Any:
    """Annualized information ratio: ``mean(r - b) / std(r - b, ddof=1) * sqrt(ppy)``.

    empyrical's ``excess_sharpe`` is the same ratio *not* annualized:
    ``information_ratio == excess_sharpe * sqrt(ppy)``.

    Parameters
    ----------
    returns : Series, DataFrame or array
    benchmark : Series, DataFrame or array
    periods_per_year : float, optional

    Returns
    -------
    float or Series

    Raises
    ------
    AlignmentError
        The benchmark misses some of the returns' dates, or its shape does not fit.

    Examples
    --------
    >>> b = pd.Series([0.01, -0.02, 0.03, 0.0])
    >>> round(information_ratio(b + [0.02, -0.01, 0.01, 0.0], b, periods_per_year=252), 4)
    6.1482
    """
    return _metric(
        "information_ratio",
        returns,
        benchmark=benchmark,
        periods_per_year=periods_per_year,
    )


def treynor(
    returns: Any, benchmark: Any, risk_free: float = 0.0, *, periods_per_year: float | None = None
) -> Any:
    """Treynor ratio: annualized mean excess return over beta, ``mean(r - rf) * ppy / beta``.

    Parameters
    ----------
    returns : Series, DataFrame or array
    benchmark : Series, DataFrame or array
    risk_free : float, default 0
        Annual rate.
    periods_per_year : float, optional

    Returns
    -------
    float or Series

    Raises
    ------
    AlignmentError
        The benchmark misses some of the returns' dates, or its shape does not fit.

    Examples
    --------
    >>> b = pd.Series([0.01, -0.02, 0.03, 0.0])
    >>> round(treynor(2 * b, b, periods_per_year=252), 4)
    1.26
    """
    return _metric(
        "treynor",
        returns,
        benchmark=benchmark,
        risk_free=risk_free,
        periods_per_year=periods_per_year,
    )


def up_capture(returns: Any, benchmark: Any, *, periods_per_year: float | None = None) -> Any:
    """Up-market capture: annual return on bars with ``b > 0`` over the benchmark's.

    Both annualized over the number of up bars (empyrical's ``up_capture``).

    Parameters
    ----------
    returns : Series, DataFrame or array
    benchmark : Series, DataFrame or array
    periods_per_year : float, optional

    Returns
    -------
    float or Series
        NaN without an up bar.

    Raises
    ------
    AlignmentError
        The benchmark misses some of the returns' dates, or its shape does not fit.

    Examples
    --------
    >>> b = pd.Series([0.01, -0.02, 0.03, 0.0])
    >>> round(up_capture(b / 2, b, periods_per_year=252), 4)
    0.0779
    """
    return _metric(
        "up_capture",
        returns,
        benchmark=benchmark,
        periods_per_year=periods_per_year,
    )


def down_capture(returns: Any, benchmark: Any, *, periods_per_year: float | None = None) -> Any:
    """Down-market capture: annual return on bars with ``b < 0`` over the benchmark's.

    Parameters
    ----------
    returns : Series, DataFrame or array
    benchmark : Series, DataFrame or array
    periods_per_year : float, optional

    Returns
    -------
    float or Series
        NaN without a down bar.

    Raises
    ------
    AlignmentError
        The benchmark misses some of the returns' dates, or its shape does not fit.

    Examples
    --------
    >>> b = pd.Series([0.01, -0.02, 0.03, 0.0])
    >>> round(down_capture(b / 2, b, periods_per_year=252), 4)
    0.9263
    """
    return _metric(
        "down_capture",
        returns,
        benchmark=benchmark,
        periods_per_year=periods_per_year,
    )


# --------------------------------------------------------------------------- summary


def summary(
    returns: Any,
    benchmark: Any = None,
    risk_free: float = 0.0,
    *,
    required_return: float = 0.0,
    cutoff: float = 0.05,
    periods_per_year: float | None = None,
) -> pd.DataFrame:
    """Every scalar metric of every column, in one parallel pass over the data.

    Rows are :data:`SUMMARY_ROWS` (snake_case names, listed in the package docstring),
    columns the returns' columns (a Series gives one column named after it). The
    benchmark rows (``alpha`` ... ``treynor``) are always present, NaN without a
    benchmark. Each row equals the function of the same name called with the same
    arguments (``value_at_risk_gaussian`` / ``_cornish_fisher`` are
    ``value_at_risk(method=...)``).

    Parameters
    ----------
    returns : Series, DataFrame or array
        Simple returns, one column per strategy; NaN bars are skipped.
    benchmark : Series, DataFrame or array, optional
        Aligned like in :func:`alpha`.
    risk_free : float, default 0
        Annual risk-free rate (Sharpe, Sortino target, Omega, alpha, Treynor, UPI).
    required_return : float, default 0
        Annual Omega threshold on top of ``risk_free``.
    cutoff : float, default 0.05
        VaR / CVaR tail probability.
    periods_per_year : float, optional
        Inferred from a ``DatetimeIndex`` when omitted.

    Returns
    -------
    DataFrame
        ``(len(SUMMARY_ROWS), n_columns)``.

    Raises
    ------
    ParameterError
        ``periods_per_year`` not inferable, bad rate or cutoff.
    DataTypeError, ValidationError, AlignmentError
        Bad returns or benchmark.

    Examples
    --------
    >>> r = pd.DataFrame({"a": [0.01, -0.02, 0.03], "b": [0.0, 0.01, 0.01]})
    >>> s = summary(r, periods_per_year=252)
    >>> s.loc[["total_return", "max_drawdown"]].round(4)
                       a       b
    metric
    total_return  0.0195  0.0201
    max_drawdown -0.0200  0.0000
    """
    groups = K.MOMENTS | K.DRAWDOWNS | K.QUANTILES | (K.BENCHMARK if benchmark is not None else 0)
    ctx, labels = _compute(
        returns,
        groups,
        need_ppy=True,
        benchmark=benchmark,
        risk_free=risk_free,
        required_return=required_return,
        cutoff=cutoff,
        periods_per_year=periods_per_year,
    )
    n_cols = ctx.stats.shape[1]
    rows = np.empty((len(F.SUMMARY), n_cols))
    with np.errstate(all="ignore"):  # inf / NaN results are the documented outcomes
        for i, (name, (formula, _, _)) in enumerate(F.SUMMARY.items()):
            if benchmark is None and name in F.BENCHMARK_ROWS:
                rows[i] = np.nan
            else:
                rows[i] = formula(ctx)
    columns = labels.columns
    if labels.was_series and labels.name is not None:
        columns = pd.Index([labels.name])
    return pd.DataFrame(rows, index=pd.Index(SUMMARY_ROWS, name="metric"), columns=columns)
