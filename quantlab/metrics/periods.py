"""Calendar side of the metrics: annualization factor and monthly / yearly return tables.

:func:`infer_periods_per_year` reads the bar frequency off a ``DatetimeIndex``; it never
falls back to a silent default. Every metric also accepts ``periods_per_year=`` to override.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from quantlab.errors import ParameterError

__all__ = ["infer_periods_per_year", "monthly_returns", "yearly_returns"]

_DAY = 86_400.0
_HOUR = 3_600.0
#: Regular US equity session, in hours.
SESSION_HOURS = 6.5
#: Trading days in a year (business days minus exchange holidays).
TRADING_DAYS = 252.0
CALENDAR_DAYS = 365.0

_HOW_TO = (
    "pass periods_per_year=... explicitly (252 business-daily, 365 daily 7 days a week, "
    "52 weekly, 12 monthly, 4 quarterly, 1638 hourly bars of a 6.5 h session)"
)

# (lowest, highest) median spacing in days -> periods per year, for daily and slower bars
_SLOW = (
    (6.0, 8.0, 52.0),
    (27.0, 32.0, 12.0),
    (88.0, 93.0, 4.0),
    (180.0, 185.0, 2.0),
    (360.0, 367.0, 1.0),
)


def infer_periods_per_year(index: Any) -> float:
    """Infer the number of bars per year from a ``DatetimeIndex``.

    From the median spacing between timestamps and the calendar:

    * daily spacing: 252 if no bar falls on a weekend (business days), else 365 (24/7
      markets such as crypto);
    * weekly 52, monthly 12, quarterly 4, semi-annual 2, yearly 1;
    * intraday, 7 days a week: ``365 * bars per day`` (24/7 hourly -> 8760);
    * intraday on weekdays: a session whose bars span 6 to 7 hours is the regular 6.5 h
      equity session, ``252 * 6.5 h / spacing`` (hourly 1638, 5-minute 19656, minute 98280);
      a ~24 h session gives ``252 * 24 h / spacing``; otherwise ``252 * bars per session``.

    Parameters
    ----------
    index : pandas.DatetimeIndex, Series or DataFrame
        The bar timestamps (a Series / DataFrame contributes its index).

    Returns
    -------
    float
        Periods per year.

    Raises
    ------
    ParameterError
        The index is not a ``DatetimeIndex`` (RangeIndex, integers ...), has fewer than 3
        timestamps, or its spacing matches no known frequency; the message says how to pass
        ``periods_per_year``.

    Examples
    --------
    >>> import pandas as pd
    >>> infer_periods_per_year(pd.bdate_range("2024-01-01", periods=30))
    252.0
    >>> infer_periods_per_year(pd.date_range("2024-01-01", periods=30, freq="D"))
    365.0
    >>> infer_periods_per_year(pd.date_range("2020-01-31", periods=24, freq="ME"))
    12.0
    """
    if isinstance(index, (pd.Series, pd.DataFrame)):
        index = index.index
    if not isinstance(index, pd.DatetimeIndex):
        raise ParameterError(
            f"periods_per_year cannot be inferred from a {type(index).__name__} (the bars "
            f"have no timestamps); {_HOW_TO}"
        )
    idx = index[~np.asarray(index.isna())].unique().sort_values()
    if len(idx) < 3:
        raise ParameterError(
            f"periods_per_year cannot be inferred from {len(idx)} timestamps (need at least "
            f"3); {_HOW_TO}"
        )
    stamps = idx.as_unit("ns").asi8
    spacing = float(np.median(np.diff(stamps))) / 1e9  # seconds
    weekend = float(np.mean(idx.dayofweek >= 5))
    if spacing >= 0.9 * _DAY:
        days = spacing / _DAY
        if days <= 1.1:
            return CALENDAR_DAYS if weekend > 0.05 else TRADING_DAYS
        for lo, hi, ppy in _SLOW:
            if lo <= days <= hi:
                return ppy
        raise ParameterError(
            f"periods_per_year cannot be inferred: the median spacing of the index is "
            f"{days:g} days, which matches no daily/weekly/monthly/quarterly/yearly "
            f"frequency; {_HOW_TO}"
        )
    if weekend > 0.05:
        return CALENDAR_DAYS * _DAY / spacing
    dates = idx.normalize()
    first = pd.Series(stamps, index=dates).groupby(level=0).agg(["min", "max", "size"])
    span = float(np.median(first["max"] - first["min"])) / 1e9 + spacing
    if 6.0 * _HOUR <= span <= 7.0 * _HOUR + 1.0:
        return TRADING_DAYS * SESSION_HOURS * _HOUR / spacing
    if span >= 23.0 * _HOUR:
        return TRADING_DAYS * _DAY / spacing
    bars = float(np.median(first["size"]))
    return TRADING_DAYS * round(span / spacing) if bars > 1 else TRADING_DAYS * bars


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
    from quantlab.metrics._input import to_returns

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
