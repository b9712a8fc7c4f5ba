"""Rolling metrics over a trailing window of ``window`` rows.

The output has the shape and labels of the input (Series -> Series, DataFrame ->
DataFrame); the first ``window - 1`` rows are NaN, and so is any window with fewer than
``min_periods`` valid returns (default: ``window``, i.e. no NaN inside). NaN returns inside
a window are skipped. At row ``i`` the value is the metric of rows ``i - window + 1 .. i``,
the same convention as empyrical's ``roll_*`` functions (which drop the leading rows).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from quantlab._validation import Labels
from quantlab.errors import ParameterError
from quantlab.metrics import _rolling as R
from quantlab.metrics._input import check_rate, per_period, resolve_ppy, to_benchmark, to_returns

__all__ = ["rolling_sharpe", "rolling_volatility", "rolling_beta", "rolling_drawdown"]


def _window(window: Any, min_periods: Any, n_bars: int) -> tuple[int, int]:
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 2:
        raise ParameterError(
            f"window must be an int >= 2 (rows per window, e.g. 63 for a quarter of daily "
            f"bars); got {window!r}"
        )
    if min_periods is None:
        return int(window), int(window)
    if (
        isinstance(min_periods, bool)
        or not isinstance(min_periods, (int, np.integer))
        or not 1 <= min_periods <= window
    ):
        raise ParameterError(
            f"min_periods must be an int in [1, window={window}]; got {min_periods!r}"
        )
    return int(window), int(min_periods)


def _frame(values: np.ndarray, labels: Labels) -> pd.Series | pd.DataFrame:
    if labels.was_series:
        return pd.Series(values[:, 0], index=labels.index, name=labels.name)
    return labels.frame(values)


def rolling_volatility(
    returns: Any,
    window: int,
    *,
    min_periods: int | None = None,
    periods_per_year: float | None = None,
) -> pd.Series | pd.DataFrame:
    """Rolling annualized volatility ``std(r, ddof=1) * sqrt(ppy)`` over ``window`` rows.

    Parameters
    ----------
    returns : Series, DataFrame or array
    window : int
        Rows per window (>= 2).
    min_periods : int, optional
        Valid returns a window needs (default ``window``).
    periods_per_year : float, optional
        Inferred from a ``DatetimeIndex`` when omitted.

    Returns
    -------
    Series or DataFrame

    Raises
    ------
    ParameterError
        Bad ``window`` / ``min_periods``, or ``periods_per_year`` not inferable.

    Examples
    --------
    >>> rolling_volatility(pd.Series([0.01, -0.01, 0.01]), 2, periods_per_year=1).round(6).tolist()
    [nan, 0.014142, 0.014142]
    """
    arr, labels = to_returns(returns)
    w, mp = _window(window, min_periods, arr.shape[0])
    ppy = resolve_ppy(labels, periods_per_year)
    _, std = R.rolling_mean_std(arr, w, mp)
    return _frame(std * np.sqrt(ppy), labels)


def rolling_sharpe(
    returns: Any,
    window: int,
    risk_free: float = 0.0,
    *,
    min_periods: int | None = None,
    periods_per_year: float | None = None,
) -> pd.Series | pd.DataFrame:
    """Rolling annualized Sharpe ratio (same formula as :func:`~quantlab.metrics.sharpe`).

    Parameters
    ----------
    returns : Series, DataFrame or array
    window : int
        Rows per window (>= 2).
    risk_free : float, default 0
        Annual rate.
    min_periods : int, optional
    periods_per_year : float, optional

    Returns
    -------
    Series or DataFrame
        ``+-inf`` / NaN for a constant window, like :func:`~quantlab.metrics.sharpe`.

    Raises
    ------
    ParameterError
        Bad ``window`` / ``min_periods``, or ``periods_per_year`` not inferable.

    Examples
    --------
    >>> rolling_sharpe(pd.Series([0.01, 0.03, 0.02]), 2, periods_per_year=1).round(4).tolist()
    [nan, 1.4142, 3.5355]
    """
    arr, labels = to_returns(returns)
    w, mp = _window(window, min_periods, arr.shape[0])
    ppy = resolve_ppy(labels, periods_per_year)
    rf = per_period(check_rate(risk_free, "risk_free"), ppy)
    mean, std = R.rolling_mean_std(arr, w, mp)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (mean - rf) / std * np.sqrt(ppy)
    return _frame(out, labels)


def rolling_beta(
    returns: Any, benchmark: Any, window: int, *, min_periods: int | None = None
) -> pd.Series | pd.DataFrame:
    """Rolling beta ``cov(r, b) / var(b)`` over paired valid bars of each window.

    Parameters
    ----------
    returns : Series, DataFrame or array
    benchmark : Series, DataFrame or array
        Aligned like in :func:`~quantlab.metrics.alpha`.
    window : int
    min_periods : int, optional
        Paired valid bars a window needs (default ``window``).

    Returns
    -------
    Series or DataFrame

    Raises
    ------
    ParameterError
        Bad ``window`` / ``min_periods``.
    AlignmentError
        Misaligned benchmark.

    Examples
    --------
    >>> b = pd.Series([0.01, -0.02, 0.03, 0.0])
    >>> rolling_beta(2 * b, b, 3).round(6).tolist()
    [nan, nan, 2.0, 2.0]
    """
    arr, labels = to_returns(returns)
    w, mp = _window(window, min_periods, arr.shape[0])
    bench = to_benchmark(benchmark, labels, arr.shape[1])
    return _frame(R.rolling_beta_kernel(arr, bench, w, mp), labels)


def rolling_drawdown(
    returns: Any, window: int, *, min_periods: int | None = None
) -> pd.Series | pd.DataFrame:
    """Rolling maximum drawdown: the deepest drawdown inside each trailing window.

    The equity restarts at 1 at the start of every window (empyrical's
    ``roll_max_drawdown``). Cost O(n_bars * window) per column.

    Parameters
    ----------
    returns : Series, DataFrame or array
    window : int
    min_periods : int, optional

    Returns
    -------
    Series or DataFrame
        Values in ``[-1, 0]``.

    Raises
    ------
    ParameterError
        Bad ``window`` / ``min_periods``.

    Examples
    --------
    >>> rolling_drawdown(pd.Series([0.1, -0.5, 0.2, 0.1]), 2).round(4).tolist()
    [nan, -0.5, -0.5, 0.0]
    """
    arr, labels = to_returns(returns)
    w, mp = _window(window, min_periods, arr.shape[0])
    return _frame(R.rolling_max_drawdown(arr, w, mp), labels)
