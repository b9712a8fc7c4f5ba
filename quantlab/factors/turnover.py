"""Turnover of a factor: quantile turnover and factor rank autocorrelation.

Both compare a date with the date ``lag`` bars earlier *on the price index* (the trading
calendar), like alphalens, which re-indexes its per-date series to the inferred trading
calendar before shifting. A date without factor data has no quantiles: the turnover of a
date whose bucket (or the earlier date's) is empty is NaN, and such dates are left out of
the returned series (alphalens' ``dropna``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from quantlab.errors import ParameterError
from quantlab.factors import _kernels as K
from quantlab.factors.clean import FactorData

__all__ = ["quantile_turnover", "rank_autocorrelation"]


def _panel(fd: FactorData, values: np.ndarray) -> np.ndarray:
    out = np.full((len(fd.calendar), len(fd.symbols)), np.nan)
    out[fd.date_pos, fd.asset_pos] = values
    return out


def quantile_turnover(fd: FactorData, lag: int = 1) -> pd.DataFrame:
    """Share of each quantile's names that were not in it ``lag`` bars earlier.

    Parameters
    ----------
    fd : FactorData
    lag : int, default 1
        In bars of the price index.

    Returns
    -------
    DataFrame
        Index: dates with both bars' buckets non-empty (NaN where only one quantile is);
        columns = quantiles 1..n.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from quantlab.factors import clean_factor
    >>> idx = pd.bdate_range("2024-01-01", periods=40)
    >>> close = pd.DataFrame(np.exp(np.random.default_rng(1).normal(0, .01, (40, 10)).cumsum(0)),
    ...                      index=idx, columns=list("ABCDEFGHIJ"))
    >>> t = quantile_turnover(clean_factor(close.pct_change(5), close, horizons=(1,)))
    >>> bool(((t >= 0) & (t <= 1)).all().all())
    True
    """
    _check_lag(lag)
    b = _panel(fd, fd.bucket.astype(np.float64))
    new, size = K.lag_overlap(b, lag, fd.n_buckets)
    with np.errstate(invalid="ignore"):
        share = new / size
    ok = np.asarray(np.isfinite(share).any(axis=1))
    return pd.DataFrame(
        share[ok],
        index=fd.calendar[ok],
        columns=pd.Index(np.arange(1, fd.n_buckets + 1), name="quantile"),
    )


def rank_autocorrelation(fd: FactorData, lag: int = 1) -> pd.Series:
    """Correlation of each date's factor ranks with the ranks ``lag`` bars earlier.

    Ranks are 1..n within each date over its kept names (ties averaged); the correlation
    uses the names ranked on both dates. Low values mean a fast-moving, costly factor.

    Returns
    -------
    Series
        Index: dates where the correlation is defined.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from quantlab.factors import clean_factor
    >>> idx = pd.bdate_range("2024-01-01", periods=40)
    >>> close = pd.DataFrame(np.exp(np.random.default_rng(1).normal(0, .01, (40, 10)).cumsum(0)),
    ...                      index=idx, columns=list("ABCDEFGHIJ"))
    >>> ac = rank_autocorrelation(clean_factor(close.pct_change(5), close, horizons=(1,)))
    >>> bool(ac.between(-1, 1).all())
    True
    """
    _check_lag(lag)
    r = _panel(fd, K.seg_ranks(fd.factor, fd.date_starts))
    ac = K.lag_corr(r, lag)
    ok = np.asarray(np.isfinite(ac))
    return pd.Series(ac[ok], index=fd.calendar[ok], name=lag)


def _check_lag(lag: int) -> None:
    if isinstance(lag, bool) or not isinstance(lag, int | np.integer) or lag < 1:
        raise ParameterError(f"lag must be an int >= 1; got {lag!r}")
