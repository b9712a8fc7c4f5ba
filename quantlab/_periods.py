"""The library's one annualization rule: periods per year, given or inferred from an index.

Every subject that annualizes -- :mod:`quantlab.metrics`, :mod:`quantlab.montecarlo`,
:mod:`quantlab.backtest` results -- calls :func:`resolve_periods_per_year` (an explicit value
is validated, otherwise :func:`infer_periods_per_year` reads it off the ``DatetimeIndex``).
Inference never falls back to a silent default: an index without timestamps, too short, or
with a spacing that matches no known frequency raises :class:`~quantlab.errors.ParameterError`
whose message says how to pass ``periods_per_year``. It lives here, in a leaf module, so
that every layer can import it without importing another subject.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from quantlab.errors import ParameterError

__all__ = [
    "CALENDAR_DAYS",
    "SESSION_HOURS",
    "TRADING_DAYS",
    "infer_periods_per_year",
    "resolve_periods_per_year",
    "resolve_or_per_bar",
]

_DAY = 86_400.0
_HOUR = 3_600.0
#: Regular US equity session, in hours.
SESSION_HOURS = 6.5
#: Trading days in a year (business days minus exchange holidays).
TRADING_DAYS = 252.0
CALENDAR_DAYS = 365.0

HOW_TO = (
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
            f"have no timestamps); {HOW_TO}"
        )
    idx = index[~np.asarray(index.isna())].unique().sort_values()
    if len(idx) < 3:
        raise ParameterError(
            f"periods_per_year cannot be inferred from {len(idx)} timestamps (need at least "
            f"3); {HOW_TO}"
        )
    stamps = idx.as_unit("ns").asi8
    spacing = float(np.median(np.diff(stamps))) / 1e9  # seconds
    weekend = float(np.mean(idx.day_of_week >= 5))
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
            f"frequency; {HOW_TO}"
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


def resolve_periods_per_year(index: Any, periods_per_year: Any = None) -> float:
    """``periods_per_year`` if given (a finite number > 0), else inferred from ``index``.

    Parameters
    ----------
    index : pandas.Index, Series or DataFrame
        The bars' timestamps, used only when ``periods_per_year`` is None.
    periods_per_year : float, optional
        An explicit annualization factor.

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        ``periods_per_year`` is not a positive finite number, or it is None and
        :func:`infer_periods_per_year` cannot read the frequency off ``index``.

    Examples
    --------
    >>> import pandas as pd
    >>> resolve_periods_per_year(pd.RangeIndex(5), 52)
    52.0
    >>> resolve_periods_per_year(pd.date_range("2024-01-07", periods=10, freq="W"))
    52.0
    """
    if periods_per_year is None:
        return infer_periods_per_year(index)
    try:
        ppy = float(periods_per_year)
    except (TypeError, ValueError):
        ppy = float("nan")
    if isinstance(periods_per_year, bool) or not np.isfinite(ppy) or ppy <= 0:
        raise ParameterError(
            f"periods_per_year must be a positive number (e.g. 252 for daily bars); "
            f"got {periods_per_year!r}"
        )
    return ppy


def resolve_or_per_bar(index: Any, periods_per_year: Any = None) -> float | None:
    """:func:`resolve_periods_per_year`, or None when the index cannot tell (per-bar figures).

    The policy of the tables that stay useful without annualization (a backtest's kernel
    figures, a sweep's table): only the documented "cannot be inferred" error of an index
    without a known frequency gives None; an invalid explicit value still raises.

    Examples
    --------
    >>> import pandas as pd
    >>> resolve_or_per_bar(pd.RangeIndex(10)) is None
    True
    >>> resolve_or_per_bar(pd.RangeIndex(10), 252)
    252.0
    """
    if periods_per_year is not None:
        return resolve_periods_per_year(index, periods_per_year)
    try:
        return infer_periods_per_year(index)
    except ParameterError:
        return None
