"""Calendar side of the metrics: annualization factor and monthly / yearly return tables.

:func:`infer_periods_per_year` reads the bar frequency off a ``DatetimeIndex``; it never
falls back to a silent default. Every metric also accepts ``periods_per_year=`` to override.
The rule itself lives in the leaf module :mod:`quantlab._periods` (Monte Carlo and backtest
results use the same one); it is re-exported here as part of the metrics API.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from quantlab._periods import infer_periods_per_year
from quantlab.errors import ParameterError
from quantlab.metrics._input import to_returns

__all__ = ["infer_periods_per_year", "monthly_returns", "yearly_returns"]


def _period_table(returns: Any, freq: str, name: str) -> pd.DataFrame | pd.Series:
    if isinstance(returns, pd.Series):
        frame = returns.to_frame()
    elif isinstance(returns, pd.DataFrame):
        frame = returns
    else:
        raise ParameterError(
            f"{name} needs dated returns (a Series or DataFrame with a DatetimeIndex); got "
            f"{type(returns).__name__}. Wrap them, e.g. pd.Series(values, index=dates)"
        )
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise ParameterError(
            f"{name} needs a DatetimeIndex to group bars by calendar period; got a "
            f"{type(frame.index).__name__}. Pass returns indexed by timestamps"
        )
    values, _ = to_returns(frame, "returns")
    growth = pd.DataFrame(values + 1.0, index=frame.index, columns=frame.columns)
    index = frame.index.tz_localize(None) if frame.index.tz is not None else frame.index
    keys = index.to_period(freq)
    table = growth.groupby(keys).prod(min_count=1) - 1.0
    if isinstance(returns, pd.Series):
        col: pd.Series = table.iloc[:, 0]
        col.name = returns.name
        return col
    return table


def monthly_returns(returns: Any, *, table: bool = False) -> pd.DataFrame | pd.Series:
    """Compounded return of each calendar month.

    NaN returns are skipped; a month with no valid return is NaN (empyrical's
    ``aggregate_returns`` reports 0 there).

    Parameters
    ----------
    returns : Series or DataFrame
        Simple returns with a ``DatetimeIndex``, one column per strategy.
    table : bool, default False
        For a Series: return the classic year x month table (rows: years, columns 1..12).

    Returns
    -------
    Series or DataFrame
        Indexed by ``Period('M')`` (one column per strategy for a DataFrame), or the
        year x month table when ``table=True``.

    Raises
    ------
    ParameterError
        No ``DatetimeIndex``, or ``table=True`` with a DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.Series([0.1, 0.1, -0.5], index=pd.to_datetime(["2024-01-02", "2024-01-03",
    ...                                                        "2024-02-01"]))
    >>> monthly_returns(r).round(4).tolist()
    [0.21, -0.5]
    """
    out = _period_table(returns, "M", "monthly_returns")
    if not table:
        return out
    if not isinstance(out, pd.Series):
        raise ParameterError(
            "monthly_returns(table=True) builds a year x month table for one strategy; "
            "pass a Series (e.g. returns['A']), or table=False for a DataFrame"
        )
    periods = pd.PeriodIndex(out.index)
    frame = pd.DataFrame({"year": periods.year, "month": periods.month, "ret": out.to_numpy()})
    pivot = frame.pivot(index="year", columns="month", values="ret")
    return pivot.reindex(columns=range(1, 13))


def yearly_returns(returns: Any) -> pd.DataFrame | pd.Series:
    """Compounded return of each calendar year (NaN returns skipped; empty year -> NaN).

    Parameters
    ----------
    returns : Series or DataFrame
        Simple returns with a ``DatetimeIndex``.

    Returns
    -------
    Series or DataFrame
        Indexed by year (``int``), one column per strategy for a DataFrame.

    Raises
    ------
    ParameterError
        No ``DatetimeIndex``.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.Series([0.1, 0.1], index=pd.to_datetime(["2023-06-01", "2024-06-03"]))
    >>> yearly_returns(r).round(4).to_dict()
    {2023: 0.1, 2024: 0.1}
    """
    out = _period_table(returns, "Y", "yearly_returns")
    out.index = pd.PeriodIndex(out.index).year
    return out
