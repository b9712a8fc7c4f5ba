"""Is a Sharpe ratio real, or the best of many lucky draws?

* :func:`probabilistic_sharpe` -- PSR, the probability that the true Sharpe ratio exceeds a
  benchmark given the sample length, skewness and kurtosis (Bailey & Lopez de Prado, "The
  Sharpe Ratio Efficient Frontier", Journal of Risk 15(2), 2012).
* :func:`min_track_record_length` -- MinTRL, the sample length needed for PSR >= 1 - alpha.
* :func:`expected_max_sharpe`, :func:`deflated_sharpe` -- DSR, the PSR against the expected
  maximum Sharpe ratio of ``n_trials`` unskilled trials (Bailey & Lopez de Prado, "The
  Deflated Sharpe Ratio", Journal of Portfolio Management 40(5), 2014).
* :func:`pbo` -- probability of backtest overfitting by combinatorially symmetric
  cross-validation (Bailey, Borwein, Lopez de Prado & Zhu, "The Probability of Backtest
  Overfitting", Journal of Computational Finance 20(4), 2017).
* :func:`bootstrap_ci` -- stationary-bootstrap confidence intervals of Sharpe and CAGR.

**Units.** The closed forms take *per-period* (not annualized) Sharpe ratios, their
variance across trials per period, the number of observations, the skewness and the
**non-excess** kurtosis (3 for a normal distribution; :func:`quantlab.metrics.kurtosis`
returns excess kurtosis, add 3). The ``*_from_returns`` wrappers compute these from returns
(NaN skipped, population moments) and take an *annualized* benchmark Sharpe.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from quantlab.errors import ParameterError, ValidationError
from quantlab.metrics import _kernels as K
from quantlab.metrics._input import check_rate, per_period, resolve_ppy, to_returns, wrap

__all__ = [
    "probabilistic_sharpe",
    "deflated_sharpe",
    "expected_max_sharpe",
    "min_track_record_length",
    "probabilistic_sharpe_from_returns",
    "deflated_sharpe_from_returns",
    "pbo",
    "PBOResult",
    "bootstrap_ci",
]

EULER_GAMMA = 0.5772156649015329


def _sr_scale(sharpe: Any, skew: Any, kurtosis: Any) -> Any:
    """``1 - skew * SR + (kurtosis - 1) / 4 * SR^2`` (the variance factor of the SR estimate)."""
    return 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe**2


def probabilistic_sharpe(
    sharpe: Any, benchmark: Any, n_obs: Any, skew: Any = 0.0, kurtosis: Any = 3.0
) -> Any:
    """Probabilistic Sharpe ratio (PSR).

    ``Phi((SR - SR*) sqrt(n - 1) / sqrt(1 - g3 SR + (g4 - 1) / 4 SR^2))`` with ``g3`` the
    skewness and ``g4`` the (non-excess) kurtosis.

    Parameters
    ----------
    sharpe : float or array
        Observed Sharpe ratio **per period** (not annualized).
    benchmark : float or array
        Benchmark Sharpe ratio ``SR*``, per period.
    n_obs : int or array
        Number of returns (>= 2).
    skew : float, default 0
        Skewness of the returns.
    kurtosis : float, default 3
        **Non-excess** kurtosis of the returns (3 = normal).

    Returns
    -------
    float or ndarray
        Probability in [0, 1]; NaN where the variance factor is not positive.

    Raises
    ------
    ParameterError
        ``n_obs < 2``.

    Examples
    --------
    Bailey & Lopez de Prado (2012): monthly SR 0.458 over 24 months.

    >>> round(probabilistic_sharpe(0.458, 0.0, 24), 3)
    0.982
    >>> round(probabilistic_sharpe(0.458, 0.0, 24, skew=-2.448, kurtosis=10.164), 3)
    0.913
    """
    n = np.asarray(n_obs, dtype=float)
    if np.any(n < 2):
        raise ParameterError(f"n_obs must be >= 2 (returns in the sample); got {n_obs!r}")
    scale = np.asarray(_sr_scale(np.asarray(sharpe, float), skew, kurtosis), dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (np.asarray(sharpe, float) - benchmark) * np.sqrt(n - 1.0) / np.sqrt(scale)
        out = np.where(scale > 0, ndtr(z), np.nan)
    return float(out) if out.ndim == 0 else out


def expected_max_sharpe(n_trials: Any, sharpe_variance: Any, mean_sharpe: Any = 0.0) -> Any:
    """Expected maximum of ``n_trials`` Sharpe ratios drawn from N(mean, variance).

    ``mean + sqrt(V) * ((1 - gamma) * Phi^-1(1 - 1/N) + gamma * Phi^-1(1 - 1/(N e)))`` with
    ``gamma`` the Euler-Mascheroni constant (Bailey & Lopez de Prado 2014, eq. for SR0).
    One trial: ``mean`` (no selection).

    Parameters
    ----------
    n_trials : int or array
        Number of independent trials (>= 1).
    sharpe_variance : float or array
        Variance of the trials' Sharpe ratios (same units as the result).
    mean_sharpe : float, default 0

    Returns
    -------
    float or ndarray

    Raises
    ------
    ParameterError
        ``n_trials < 1`` or a negative variance.

    Examples
    --------
    >>> round(expected_max_sharpe(100, 0.5 / 250) * 250 ** 0.5, 4)
    1.7894
    """
    n = np.asarray(n_trials, dtype=float)
    v = np.asarray(sharpe_variance, dtype=float)
    if np.any(n < 1):
        raise ParameterError(f"n_trials must be >= 1; got {n_trials!r}")
    if np.any(v < 0):
        raise ParameterError(f"sharpe_variance must be >= 0; got {sharpe_variance!r}")
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (1 - EULER_GAMMA) * ndtri(1 - 1 / n) + EULER_GAMMA * ndtri(1 - 1 / (n * math.e))
    out = np.where(n > 1, mean_sharpe + np.sqrt(v) * z, mean_sharpe + 0.0 * v)
    return float(out) if out.ndim == 0 else out


def deflated_sharpe(
    sharpe: Any,
    n_trials: Any,
    sharpe_variance: Any,
    n_obs: Any,
    skew: Any = 0.0,
    kurtosis: Any = 3.0,
) -> Any:
    """Deflated Sharpe ratio: PSR against the expected maximum Sharpe of ``n_trials`` trials.

    Parameters
    ----------
    sharpe : float
        Observed Sharpe ratio of the selected strategy, per period.
    n_trials : int
        Number of (independent) trials the strategy was selected from.
    sharpe_variance : float
        Variance of the trials' per-period Sharpe ratios.
    n_obs : int
        Number of returns of the selected strategy.
    skew, kurtosis : float
        Skewness and **non-excess** kurtosis of its returns.

    Returns
    -------
    float or ndarray

    Raises
    ------
    ParameterError
        ``n_trials < 1``, negative variance or ``n_obs < 2``.

    Examples
    --------
    Bailey & Lopez de Prado (2014): annualized SR 2.5 over 1250 daily returns, 100 trials
    whose annualized Sharpe ratios have variance 0.5, skew -3, kurtosis 10.

    >>> sr, v = 2.5 / 250 ** 0.5, 0.5 / 250
    >>> round(deflated_sharpe(sr, 100, v, 1250, skew=-3, kurtosis=10), 4)
    0.9004
    """
    sr0 = expected_max_sharpe(n_trials, sharpe_variance)
    return probabilistic_sharpe(sharpe, sr0, n_obs, skew, kurtosis)


def min_track_record_length(
    sharpe: Any, benchmark: Any, skew: Any = 0.0, kurtosis: Any = 3.0, alpha: float = 0.05
) -> Any:
    """Minimum track record length: ``1 + (1 - g3 SR + (g4 - 1)/4 SR^2) (z_{1-a} / (SR - SR*))^2``.

    Parameters
    ----------
    sharpe : float or array
        Observed Sharpe ratio, per period.
    benchmark : float or array
        Benchmark Sharpe ratio, per period.
    skew, kurtosis : float
        Skewness and **non-excess** kurtosis.
    alpha : float, default 0.05
        Significance level (PSR must reach ``1 - alpha``).

    Returns
    -------
    float or ndarray
        Number of periods; ``inf`` when ``sharpe <= benchmark``.

    Raises
    ------
    ParameterError
        ``alpha`` outside (0, 1).

    Examples
    --------
    Bailey & Lopez de Prado (2012), monthly returns (result in years):

    >>> round(min_track_record_length(0.7079, 0, -0.2250, 2.9570) / 12, 4)
    0.7152
    >>> round(min_track_record_length(0.8183, 0, -1.4455, 7.0497) / 12, 4)
    1.1593
    """
    if not 0.0 < float(alpha) < 1.0:
        raise ParameterError(f"alpha must be a probability in (0, 1); got {alpha!r}")
    sr = np.asarray(sharpe, dtype=float)
    diff = sr - benchmark
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 1.0 + _sr_scale(sr, skew, kurtosis) * (ndtri(1.0 - alpha) / diff) ** 2
    out = np.where(diff > 0, out, np.inf)
    return float(out) if out.ndim == 0 else out


def _sample_moments(returns: Any, risk_free: float, periods_per_year: float | None) -> Any:
    arr, labels = to_returns(returns)
    rf = check_rate(risk_free, "risk_free")
    dummy = np.zeros((arr.shape[0], 1))
    ppy = resolve_ppy(labels, periods_per_year) if (rf or periods_per_year) else np.nan
    rf_per = per_period(rf, ppy) if rf else 0.0
    s = K.stats_kernel(arr, dummy, rf_per, 0.0, 0.05, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        sr = (s[K.MEAN] - rf_per) / s[K.STD]
        sk = np.where(s[K.STD] != 0, s[K.M3] / s[K.M2] ** 1.5, np.nan)
        ku = np.where(s[K.STD] != 0, s[K.M4] / s[K.M2] ** 2, np.nan)
    return sr, sk, ku, s[K.N_OBS], labels


def probabilistic_sharpe_from_returns(
    returns: Any,
    benchmark: float = 0.0,
    *,
    risk_free: float = 0.0,
    periods_per_year: float | None = None,
) -> Any:
    """PSR of each column of ``returns`` against an **annualized** benchmark Sharpe ratio.

    Per-period Sharpe (``mean(r - rf) / std(ddof=1)``), skewness and non-excess kurtosis
    (population moments) come from the valid returns; ``benchmark / sqrt(ppy)`` is the
    per-period benchmark (``periods_per_year`` is only needed when ``benchmark`` or
    ``risk_free`` is not 0).

    Parameters
    ----------
    returns : Series, DataFrame or array
    benchmark : float, default 0
        Annualized benchmark Sharpe ratio.
    risk_free : float, default 0
        Annual rate.
    periods_per_year : float, optional

    Returns
    -------
    float or Series
        NaN for columns with fewer than 2 valid returns or zero dispersion.

    Raises
    ------
    ParameterError
        ``periods_per_year`` needed but not inferable.

    Examples
    --------
    >>> r = pd.Series(np.random.default_rng(0).normal(0.001, 0.01, 500))
    >>> round(probabilistic_sharpe_from_returns(r), 4)
    0.945
    """
    sr, sk, ku, n, labels = _sample_moments(returns, risk_free, periods_per_year)
    sr_star = 0.0
    if benchmark:
        sr_star = float(benchmark) / math.sqrt(resolve_ppy(labels, periods_per_year))
    ok = (n >= 2) & np.isfinite(sr)
    psr = np.full(sr.shape, np.nan)
    if ok.any():
        psr[ok] = probabilistic_sharpe(sr[ok], sr_star, n[ok], sk[ok], ku[ok])
    return wrap(psr, labels, "probabilistic_sharpe")


def deflated_sharpe_from_returns(
    best_returns: Any,
    trial_returns: Any = None,
    *,
    n_trials: int | None = None,
    sharpe_variance: float | None = None,
) -> float:
    """Deflated Sharpe ratio of the selected strategy from its returns and the trials'.

    Either pass ``trial_returns`` (one column per trial, the selected one included): the
    variance of their per-period Sharpe ratios (ddof=1) and their number are used; or pass
    ``n_trials`` and ``sharpe_variance`` (per period) directly. ``n_trials`` also overrides
    the number of columns (e.g. when only some trials were kept).

    Parameters
    ----------
    best_returns : Series or 1-D array
        Returns of the selected strategy.
    trial_returns : DataFrame or 2-D array, optional
    n_trials : int, optional
    sharpe_variance : float, optional

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        Neither ``trial_returns`` nor both ``n_trials`` and ``sharpe_variance``.
    ValidationError
        ``best_returns`` has more than one column.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> trials = rng.normal(0.0, 0.01, size=(1000, 50))
    >>> best = trials[:, trials.mean(0).argmax()]
    >>> round(deflated_sharpe_from_returns(best, trials), 2) < 0.5
    True
    """
    sr, sk, ku, n, labels = _sample_moments(best_returns, 0.0, None)
    if len(sr) != 1:
        raise ValidationError(
            f"best_returns must be one strategy (a Series or 1-D array); got {len(sr)} "
            "columns. Pass the selected column, e.g. trial_returns[best]"
        )
    if trial_returns is not None:
        tsr, _, _, _, _ = _sample_moments(trial_returns, 0.0, None)
        tsr = tsr[np.isfinite(tsr)]
        if len(tsr) < 2:
            raise ParameterError(
                "trial_returns must hold at least 2 trials with a finite Sharpe ratio; "
                f"got {len(tsr)}"
            )
        var = float(np.var(tsr, ddof=1)) if sharpe_variance is None else sharpe_variance
        n_tr = len(tsr) if n_trials is None else n_trials
    elif n_trials is not None and sharpe_variance is not None:
        var, n_tr = sharpe_variance, n_trials
    else:
        raise ParameterError(
            "deflated_sharpe_from_returns needs the trials: pass trial_returns=... (one "
            "column per trial) or both n_trials=... and sharpe_variance=... (per period)"
        )
    return float(deflated_sharpe(sr[0], n_tr, var, n[0], sk[0], ku[0]))


# --------------------------------------------------------------------------- PBO


@dataclass(frozen=True)
class PBOResult:
    """Outcome of combinatorially symmetric cross-validation (:func:`pbo`).

    Attributes
    ----------
    pbo : float
        Probability of backtest overfitting: share of splits whose in-sample best trial
        ranks at or below the out-of-sample median (logit <= 0).
    logits : ndarray
        ``log(w / (1 - w))`` per split, ``w`` the relative OOS rank of the IS-best trial.
    is_performance, oos_performance : ndarray
        Metric of the IS-best trial in sample and out of sample, per split.
    degradation_slope, degradation_intercept, degradation_r2 : float
        Least-squares fit ``oos = intercept + slope * is`` across splits.
    prob_oos_loss : float
        Share of splits where the IS-best trial's OOS metric is negative.
    n_splits, n_combinations : int
    """

    pbo: float
    logits: np.ndarray
    is_performance: np.ndarray
    oos_performance: np.ndarray
    degradation_slope: float
    degradation_intercept: float
    degradation_r2: float
    prob_oos_loss: float
    n_splits: int
    n_combinations: int


def _block_sharpe(cnt: np.ndarray, s: np.ndarray, ss: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s / cnt
        var = (ss - s * mean) / (cnt - 1)
        return np.asarray(mean / np.sqrt(np.maximum(var, 0.0)), dtype=float)


def pbo(trial_returns: Any, n_splits: int = 16, *, metric: Any = None) -> PBOResult:
    """Probability of backtest overfitting by combinatorially symmetric cross-validation.

    The ``(T, N)`` matrix of trial returns is cut into ``n_splits`` row blocks; each of the
    ``C(S, S/2)`` ways to pick half of them is an in-sample set, the rest out of sample.
    For each, the trial with the best in-sample metric is found and its out-of-sample rank
    ``r`` among the ``N`` trials gives ``w = r / (N + 1)`` and the logit
    ``log(w / (1 - w))``; PBO is the share of logits <= 0.

    Parameters
    ----------
    trial_returns : DataFrame or 2-D array
        One column per trial (strategy configuration), NaN skipped.
    n_splits : int, default 16
        Even number of blocks ``S`` (2 <= S <= T).
    metric : callable, optional
        ``metric(returns_2d) -> 1-D array`` of one score per column; default the
        per-period Sharpe ratio (computed from block sums, fast).

    Returns
    -------
    PBOResult

    Raises
    ------
    ParameterError
        ``n_splits`` odd, < 2 or larger than the number of rows; fewer than 2 trials.

    Examples
    --------
    >>> noise = np.random.default_rng(0).normal(0.0, 0.01, size=(400, 10))
    >>> res = pbo(noise, n_splits=8)
    >>> res.n_combinations, 0.2 < res.pbo < 0.8
    (70, True)
    """
    arr, _ = to_returns(trial_returns, "trial_returns")
    t, n = arr.shape
    if (
        isinstance(n_splits, bool)
        or not isinstance(n_splits, (int, np.integer))
        or (n_splits < 2 or n_splits % 2 or n_splits > t)
    ):
        raise ParameterError(f"n_splits must be an even int in [2, n_rows={t}]; got {n_splits!r}")
    if n < 2:
        raise ParameterError(f"trial_returns must hold at least 2 trials (columns); got {n}")
    bounds = np.linspace(0, t, n_splits + 1).astype(int)
    combos = np.array(list(combinations(range(n_splits), n_splits // 2)))
    mask = np.zeros((len(combos), n_splits), dtype=bool)
    mask[np.arange(len(combos))[:, None], combos] = True
    if metric is None:
        valid = ~np.isnan(arr)
        x = np.where(valid, arr, 0.0)
        cnt = np.add.reduceat(valid.astype(float), bounds[:-1], axis=0)
        s = np.add.reduceat(x, bounds[:-1], axis=0)
        ss = np.add.reduceat(x * x, bounds[:-1], axis=0)
        m = mask.astype(float)
        perf_is = _block_sharpe(m @ cnt, m @ s, m @ ss)
        perf_oos = _block_sharpe((1 - m) @ cnt, (1 - m) @ s, (1 - m) @ ss)
    else:
        rows = np.repeat(np.arange(n_splits), np.diff(bounds))
        perf_is = np.empty((len(combos), n))
        perf_oos = np.empty((len(combos), n))
        for i, row in enumerate(mask):
            sel = row[rows]
            perf_is[i] = np.asarray(metric(arr[sel]), dtype=float)
            perf_oos[i] = np.asarray(metric(arr[~sel]), dtype=float)
    filled_is = np.where(np.isnan(perf_is), -np.inf, perf_is)
    best = np.argmax(filled_is, axis=1)
    idx = np.arange(len(combos))
    best_is = perf_is[idx, best]
    best_oos = perf_oos[idx, best]
    oos = np.where(np.isnan(perf_oos), -np.inf, perf_oos)
    ref = oos[idx, best][:, None]
    below = (oos < ref).sum(axis=1)
    ties = (oos == ref).sum(axis=1) - 1
    rank = below + 1 + 0.5 * ties  # average rank, 1 = worst
    w = rank / (n + 1)
    logits = np.log(w / (1 - w))
    fin = np.isfinite(best_is) & np.isfinite(best_oos)
    if fin.sum() >= 2 and np.ptp(best_is[fin]) > 0:
        slope, intercept = np.polyfit(best_is[fin], best_oos[fin], 1)
        r2 = float(np.corrcoef(best_is[fin], best_oos[fin])[0, 1] ** 2)
    else:
        slope = intercept = r2 = np.nan
    return PBOResult(
        pbo=float(np.mean(logits <= 0)),
        logits=logits,
        is_performance=best_is,
        oos_performance=best_oos,
        degradation_slope=float(slope),
        degradation_intercept=float(intercept),
        degradation_r2=float(r2),
        prob_oos_loss=float(np.mean(best_oos < 0)),
        n_splits=int(n_splits),
        n_combinations=len(combos),
    )


# --------------------------------------------------------------------------- bootstrap


def _stationary_indices(
    rng: np.random.Generator, n: int, n_boot: int, block_length: float
) -> np.ndarray:
    """Politis & Romano (1994) stationary bootstrap: geometric blocks, wrapping around."""
    starts = rng.integers(0, n, size=(n_boot, n))
    new = rng.random((n_boot, n)) < 1.0 / block_length
    new[:, 0] = True
    pos = np.arange(n)
    last = np.maximum.accumulate(np.where(new, pos, 0), axis=1)
    first = np.take_along_axis(starts, last, axis=1)
    return np.asarray((first + (pos - last)) % n)


def bootstrap_ci(
    returns: Any,
    metric: str = "sharpe",
    *,
    n_boot: int = 1000,
    alpha: float = 0.05,
    block_length: float | None = None,
    seed: int | np.random.Generator | None = None,
    risk_free: float = 0.0,
    periods_per_year: float | None = None,
) -> pd.Series | pd.DataFrame:
    """Stationary-bootstrap percentile confidence interval of the Sharpe ratio or CAGR.

    Each column's valid returns are resampled in blocks of geometric length (mean
    ``block_length``, default ``round(n ** (1/3))``) that wrap around the sample, keeping
    short-range dependence; the interval is the ``alpha/2`` and ``1 - alpha/2`` quantiles
    of the ``n_boot`` resampled metrics. Pass an int ``seed`` for reproducible intervals.

    Parameters
    ----------
    returns : Series, DataFrame or array
    metric : {"sharpe", "cagr"}
        Annualized, as :func:`quantlab.metrics.sharpe` / :func:`quantlab.metrics.cagr`.
    n_boot : int, default 1000
    alpha : float, default 0.05
    block_length : float, optional
        Mean block length in bars (>= 1).
    seed : int or Generator, optional
    risk_free : float, default 0
        Annual rate (Sharpe only).
    periods_per_year : float, optional

    Returns
    -------
    Series or DataFrame
        ``estimate``, ``lower``, ``upper`` (a Series for one strategy, else one row per
        column).

    Raises
    ------
    ParameterError
        Unknown ``metric``; bad ``n_boot``, ``alpha`` or ``block_length``.

    Examples
    --------
    >>> r = pd.Series(np.random.default_rng(0).normal(0.001, 0.01, 300))
    >>> ci = bootstrap_ci(r, n_boot=200, seed=1, periods_per_year=252)
    >>> bool(ci["lower"] < ci["estimate"] < ci["upper"])
    True
    """
    if metric not in ("sharpe", "cagr"):
        raise ParameterError(f"metric must be one of ['cagr', 'sharpe']; got {metric!r}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 10:
        raise ParameterError(f"n_boot must be an int >= 10; got {n_boot!r}")
    if not 0.0 < float(alpha) < 1.0:
        raise ParameterError(f"alpha must be in (0, 1); got {alpha!r}")
    if block_length is not None and not float(block_length) >= 1.0:
        raise ParameterError(f"block_length must be >= 1 bar; got {block_length!r}")
    arr, labels = to_returns(returns)
    ppy = resolve_ppy(labels, periods_per_year)
    rf_per = per_period(check_rate(risk_free, "risk_free"), ppy)
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(arr.shape[1]):
        x = arr[:, c][~np.isnan(arr[:, c])]
        if len(x) < 2:
            rows.append((np.nan, np.nan, np.nan))
            continue
        length = block_length if block_length is not None else max(1.0, round(len(x) ** (1 / 3)))
        sample = x[_stationary_indices(rng, len(x), int(n_boot), float(length))]
        est = _boot_metric(x[None, :], metric, ppy, rf_per)[0]
        dist = _boot_metric(sample, metric, ppy, rf_per)
        dist = dist[np.isfinite(dist)]
        lo, hi = np.quantile(dist, [alpha / 2, 1 - alpha / 2]) if len(dist) else (np.nan,) * 2
        rows.append((est, lo, hi))
    out = pd.DataFrame(rows, index=labels.columns, columns=["estimate", "lower", "upper"])
    if labels.was_series:
        return out.iloc[0].rename(labels.name)
    return out


def _boot_metric(sample: np.ndarray, metric: str, ppy: float, rf_per: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if metric == "sharpe":
            sd = sample.std(axis=1, ddof=1)
            return np.asarray((sample.mean(axis=1) - rf_per) / sd * np.sqrt(ppy))
        growth = np.prod(1.0 + sample, axis=1)
        return np.asarray(growth ** (ppy / sample.shape[1]) - 1.0)
