"""Newey-West (Bartlett kernel) standard error of a sample mean.

One rule for every t-statistic of an autocorrelated series in quantlab (ICs of overlapping
labels, factor spreads): ``var = gamma_0 + 2 * sum_{l=1..L} (1 - l / (L + 1)) * gamma_l``
with ``gamma_l = sum(d[l:] * d[:-l]) / n`` on the demeaned series ``d``, and
``se = sqrt(var / n)``. It equals statsmodels' ``cov_type="HAC"`` standard error of an
intercept-only OLS without small-sample correction (``use_correction=False``).
"""

from __future__ import annotations

import numpy as np

from quantlab._typing import Float64Array1D

__all__ = ["newey_west_se", "newey_west_tstat"]


def newey_west_se(x: Float64Array1D, lags: int) -> float:
    """Newey-West standard error of the mean of ``x`` with ``lags`` Bartlett lags.

    Parameters
    ----------
    x : ndarray, shape (n,)
        Finite observations in time order.
    lags : int
        Number of lags (``horizon - 1`` for overlapping ``horizon``-bar returns).

    Returns
    -------
    float
        NaN when ``x`` has fewer than 2 observations.

    Examples
    --------
    >>> round(newey_west_se(np.array([1.0, 2.0, 3.0, 4.0]), 0), 6)
    0.559017
    """
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    if n < 2:
        return float("nan")
    d = x - x.mean()
    var = float(d @ d) / n
    for lag in range(1, min(lags, n - 1) + 1):
        var += 2.0 * (1.0 - lag / (lags + 1.0)) * float(d[lag:] @ d[:-lag]) / n
    return float(np.sqrt(max(var, 0.0) / n))


def newey_west_tstat(x: Float64Array1D, lags: int) -> float:
    """``mean(x) / newey_west_se(x, lags)`` over the finite values of ``x`` (NaN if undefined).

    Examples
    --------
    >>> round(newey_west_tstat(np.array([1.0, 2.0, 3.0, 4.0]), 0), 4)
    4.4721
    """
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x)]
    se = newey_west_se(x, lags)
    return float(x.mean() / se) if se > 0 else float("nan")
