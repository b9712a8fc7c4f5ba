"""Test statistics of event studies, as plain formulas over per-event arrays.

Notation: ``N`` events, ``CAR_i`` over the window ``[a, b]`` of ``L = b - a + 1`` days,
``SCAR_i = CAR_i / s_i`` with ``s_i^2`` the estimated variance of ``CAR_i`` under the
normal-return model (MacKinlay 1997, eq. 10-11 for the market model):
``s_i^2 = sigma_i^2 * (L + L^2 / n_i + d_i' Sxx_i^-1 d_i)``, ``d_i = sum_t (x_t - xbar_i)``
over the window's bars, ``n_i`` estimation bars, ``Sxx_i`` the centred cross-products of the
regressors (market-adjusted model: ``s_i^2 = sigma_i^2 * L``). Every p-value is two-sided.

- cross-sectional t: ``t = mean(CAR) / (sd(CAR) / sqrt(N))``, t with ``N - 1`` df.
- Patell (1976): ``Z = sum_i SCAR_i / sqrt(sum_i df_i / (df_i - 2))``, ``df_i = n_i - k - 1``
  (the variance of a t variable with ``df_i`` degrees of freedom); standard normal.
- Boehmer, Musumeci and Poulsen (1991): ``t = mean(SCAR) / (sd(SCAR) / sqrt(N))``.
- Kolari and Pynnonen (2010): ``t_KP = t_BMP * sqrt((1 - r) / (1 + (N - 1) r))`` with ``r``
  the average cross-correlation of the estimation-window residuals.
- Corrado (1989) rank test with Corrado-Zivney (1992) standardized ranks and Cowan's (1992)
  multi-day form: ``U_it = rank_it / (M_i + 1)``, ``Ubar_t = mean_i (U_it - 1/2)``,
  ``S_U = sqrt(mean_t Ubar_t^2)`` over every estimation and event day,
  ``Z = sum_{t in [a, b]} Ubar_t / (sqrt(L) S_U)``; standard normal.
- generalized sign (Cowan 1992): ``p = mean_i (positive estimation residuals_i / n_i)``,
  ``w`` events with ``CAR_i > 0``, ``Z = (w - N p) / sqrt(N p (1 - p))``.
- bootstrap: studentized (bootstrap-t) interval of the mean CAR over ``n_boot`` resamples
  of the events with replacement, p-value from the resampled t statistics (see
  :func:`bootstrap`; a percentile variant is there too).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats

__all__ = [
    "TestResult",
    "cross_sectional_t",
    "patell",
    "bmp",
    "kolari_pynnonen",
    "average_cross_correlation",
    "corrado",
    "generalized_sign",
    "bootstrap",
]


class TestResult(NamedTuple):
    """A statistic, its two-sided p-value and (bootstrap only) an interval."""

    value: float
    p_value: float
    ci_low: float = np.nan
    ci_high: float = np.nan


def _normal_p(z: float) -> float:
    return float(2.0 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan


def _t_p(t: float, df: int) -> float:
    return float(2.0 * stats.t.sf(abs(t), df)) if np.isfinite(t) and df > 0 else np.nan


def _mean_t(x: np.ndarray) -> TestResult:
    n = len(x)
    if n < 2:
        return TestResult(np.nan, np.nan)
    sd = float(np.std(x, ddof=1))
    t = float(np.mean(x) / (sd / np.sqrt(n))) if sd > 0 else np.nan
    return TestResult(t, _t_p(t, n - 1))


def cross_sectional_t(car: np.ndarray) -> TestResult:
    """``mean(CAR) / (sd(CAR) / sqrt(N))`` (t with ``N - 1`` df).

    Examples
    --------
    >>> from quantlab.events.significance import cross_sectional_t
    >>> round(cross_sectional_t([0.01, 0.03, -0.01]).value, 6)  # 0.01 / (0.02 / sqrt(3))
    0.866025
    """
    return _mean_t(np.asarray(car, dtype=np.float64))


def patell(scar: np.ndarray, df: np.ndarray) -> TestResult:
    """Patell's Z: ``sum SCAR_i / sqrt(sum df_i / (df_i - 2))`` (``df_i > 2``).

    Examples
    --------
    >>> from quantlab.events.significance import patell
    >>> round(patell([1.0, 2.0, -0.5], [10, 10, 10]).value, 6)  # 2.5 / sqrt(3 * 10 / 8)
    1.290994
    """
    scar = np.asarray(scar, dtype=np.float64)
    df = np.asarray(df, dtype=np.float64)
    if not len(scar):
        return TestResult(np.nan, np.nan)
    z = float(scar.sum() / np.sqrt((df / (df - 2.0)).sum()))
    return TestResult(z, _normal_p(z))


def bmp(scar: np.ndarray) -> TestResult:
    """Boehmer-Musumeci-Poulsen: the cross-sectional t of the standardized CARs."""
    return _mean_t(np.asarray(scar, dtype=np.float64))


def kolari_pynnonen(t_bmp: float, rbar: float, n: int) -> TestResult:
    """BMP's t adjusted for cross-correlation: ``t * sqrt((1 - r) / (1 + (N - 1) r))``."""
    denom = 1.0 + (n - 1) * rbar
    if n < 2 or not np.isfinite(t_bmp) or denom <= 0 or rbar >= 1:
        return TestResult(np.nan, np.nan)
    t = float(t_bmp * np.sqrt((1.0 - rbar) / denom))
    return TestResult(t, _t_p(t, n - 1))


def average_cross_correlation(s: np.ndarray, q: np.ndarray, n: int, length: float) -> float:
    """Kolari-Pynnonen's ``r`` from calendar sums of standardized residuals.

    ``z_it = e_it / sqrt(SSR_i / n_i)`` (so ``sum_t z_it^2 = n_i``), ``S_t = sum_i z_it``,
    ``Q_t = sum_i z_it^2``: ``r = sum_t (S_t^2 - Q_t) / (length * N (N - 1))``. When all
    events share the estimation window (length ``n_i = length``) this is exactly the mean
    over the ``N (N - 1)`` ordered pairs of the residuals' sample correlations; otherwise
    a pair counts in proportion to the overlap of its estimation windows, and pairs that
    never overlap in calendar time count as uncorrelated.
    """
    if n < 2 or not length > 0:
        return np.nan
    return float((np.sum(s * s) - np.sum(q)) / (length * n * (n - 1.0)))


def corrado(u_sum: np.ndarray, u_count: np.ndarray, window: slice) -> TestResult:
    """Corrado rank Z from per-relative-day sums of ``U_it - 1/2`` and event counts.

    ``window`` selects the test days among the relative days of ``u_sum``.
    """
    u_sum = np.asarray(u_sum, dtype=np.float64)
    u_count = np.asarray(u_count, dtype=np.float64)
    has = u_count > 0
    ubar = np.zeros_like(u_sum)
    ubar[has] = u_sum[has] / u_count[has]
    s_u = np.sqrt(np.mean(ubar[has] ** 2)) if has.any() else np.nan
    days = has[window]
    if not days.any() or not s_u > 0:
        return TestResult(np.nan, np.nan)
    z = float(ubar[window][days].sum() / (np.sqrt(days.sum()) * s_u))
    return TestResult(z, _normal_p(z))


def generalized_sign(car: np.ndarray, p_hat: float) -> TestResult:
    """Cowan's generalized sign Z: ``(w - N p) / sqrt(N p (1 - p))``."""
    car = np.asarray(car, dtype=np.float64)
    n = len(car)
    if n == 0 or not 0.0 < p_hat < 1.0:
        return TestResult(np.nan, np.nan)
    w = float((car > 0).sum())
    z = float((w - n * p_hat) / np.sqrt(n * p_hat * (1.0 - p_hat)))
    return TestResult(z, _normal_p(z))


def bootstrap(
    car: np.ndarray,
    n_boot: int,
    level: float,
    rng: np.random.Generator,
    method: str = "studentized",
) -> TestResult:
    """Mean CAR with a bootstrap interval from ``n_boot`` resamples of the events.

    ``method="studentized"`` (bootstrap-t, the default of the study's tables): resample
    ``t* = (mean* - mean) / se*``; the interval is ``[mean - q(1 - tail) se, mean - q(tail)
    se]`` and the p-value the share of ``|t*| >= |t|`` with ``t = mean / se``. It keeps its
    level with a dozen events where the percentile interval is too narrow (it ignores the
    ``n - 1`` and the t quantiles: about 9% rejections at a nominal 5% with 12 events).
    ``method="percentile"``: quantiles of the resampled means, p-value twice the smaller
    share of them beyond zero.
    """
    car = np.asarray(car, dtype=np.float64)
    n = len(car)
    if n < 2:
        return TestResult(float(car.mean()) if n else np.nan, np.nan)
    means = np.empty(n_boot)
    sds = np.empty(n_boot)
    chunk = max(1, 2_000_000 // n)  # bounded memory: at most ~2e6 draws at a time
    for start in range(0, n_boot, chunk):
        stop = min(n_boot, start + chunk)
        draw = car[rng.integers(0, n, size=(stop - start, n))]
        means[start:stop] = draw.mean(axis=1)
        sds[start:stop] = draw.std(axis=1, ddof=1)
    tail = (1.0 - level) / 2.0
    mean = float(car.mean())
    if method == "percentile":
        low, high = np.quantile(means, [tail, 1.0 - tail])
        p = float(min(1.0, 2.0 * min((means <= 0).mean(), (means >= 0).mean())))
        return TestResult(mean, p, float(low), float(high))
    se = float(car.std(ddof=1) / np.sqrt(n))
    if not se > 0:
        return TestResult(mean, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_star = (means - mean) / (sds / np.sqrt(n))
    t_star = t_star[np.isfinite(t_star)]  # resamples of one repeated value have no spread
    q_low, q_high = np.quantile(t_star, [tail, 1.0 - tail])
    p = float((np.abs(t_star) >= abs(mean / se)).mean())
    return TestResult(mean, p, mean - float(q_high) * se, mean - float(q_low) * se)
