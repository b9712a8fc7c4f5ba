"""Metric formulas over the raw per-column statistics of :mod:`quantlab.metrics._kernels`.

One formula per metric, shared by the single-metric functions and :func:`summary`. Each
takes a :class:`Ctx` (the ``(N_STATS, n_columns)`` statistics plus the annualization
settings) and returns one float64 value per column. Division by zero is resolved here, the
documented way (``inf`` with the sign of the numerator, NaN for 0 / 0), without warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from quantlab._typing import Float64Array1D, Float64Array2D
from quantlab.metrics import _kernels as K


@dataclass(frozen=True)
class Ctx:
    """Raw statistics and the settings the formulas need."""

    stats: Float64Array2D
    ppy: float  # NaN when not needed / not known
    rf: float  # annual risk-free rate
    rf_per: float  # per-period risk-free rate
    cutoff: float

    def __getitem__(self, row: int) -> Float64Array1D:
        return self.stats[row]


def _div(num: Float64Array1D, den: Float64Array1D) -> Float64Array1D:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.true_divide(num, den), dtype=np.float64)


def _growth_rate(growth: Float64Array1D, n: Float64Array1D, ppy: float) -> Float64Array1D:
    """``growth ** (ppy / n) - 1`` (NaN where n == 0)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.power(growth, _div(np.full_like(n, ppy), n)) - 1.0
    return np.where(n > 0, out, np.nan)


def n_obs(c: Ctx) -> Float64Array1D:
    return c[K.N_OBS]


def total_return(c: Ctx) -> Float64Array1D:
    return c[K.GROWTH] - 1.0


def annual_return(c: Ctx) -> Float64Array1D:
    return _growth_rate(c[K.GROWTH], c[K.N_OBS], c.ppy)


def annual_volatility(c: Ctx) -> Float64Array1D:
    return c[K.STD] * np.sqrt(c.ppy)


def sharpe(c: Ctx) -> Float64Array1D:
    out = _div(c[K.MEAN] - c.rf_per, c[K.STD]) * np.sqrt(c.ppy)
    return np.where(c[K.N_OBS] >= 2, out, np.nan)


def sortino(c: Ctx) -> Float64Array1D:
    num = (c[K.MEAN] - c.rf_per) * c.ppy
    out = _div(num, np.sqrt(c[K.DOWN2]) * np.sqrt(c.ppy))
    return np.where(c[K.N_OBS] >= 2, out, np.nan)


def calmar(c: Ctx) -> Float64Array1D:
    mdd = c[K.MDD]
    out = _div(annual_return(c), np.abs(mdd))
    with np.errstate(invalid="ignore"):
        return np.where((mdd < 0) & np.isfinite(out), out, np.nan)


def omega(c: Ctx) -> Float64Array1D:
    dn = c[K.OMEGA_DN]
    out = _div(c[K.OMEGA_UP], dn)
    with np.errstate(invalid="ignore"):
        return np.where((dn > 0) & (c[K.N_OBS] >= 2), out, np.nan)


def best_period(c: Ctx) -> Float64Array1D:
    return c[K.MAX]


def worst_period(c: Ctx) -> Float64Array1D:
    return c[K.MIN]


def gain_to_pain(c: Ctx) -> Float64Array1D:
    return _div(c[K.SUM_POS] + c[K.SUM_NEG], np.abs(c[K.SUM_NEG]))


def profit_ratio(c: Ctx) -> Float64Array1D:
    return _div(c[K.SUM_POS], np.abs(c[K.SUM_NEG]))


def tail_ratio(c: Ctx) -> Float64Array1D:
    return _div(np.abs(c[K.Q95]), np.abs(c[K.Q05]))


def common_sense_ratio(c: Ctx) -> Float64Array1D:
    return profit_ratio(c) * tail_ratio(c)


def skew(c: Ctx) -> Float64Array1D:
    out = _div(c[K.M3], c[K.M2] ** 1.5)
    return np.where(c[K.STD] != 0, out, np.nan)  # constant column: undefined (scipy: NaN)


def kurtosis(c: Ctx) -> Float64Array1D:
    out = _div(c[K.M4], c[K.M2] ** 2) - 3.0
    return np.where(c[K.STD] != 0, out, np.nan)


def value_at_risk(c: Ctx) -> Float64Array1D:
    return c[K.VAR]


def value_at_risk_gaussian(c: Ctx) -> Float64Array1D:
    return c[K.MEAN] + ndtri(c.cutoff) * c[K.STD]


def value_at_risk_cornish_fisher(c: Ctx) -> Float64Array1D:
    z = ndtri(c.cutoff)
    s = np.where(c[K.STD] != 0, skew(c), 0.0)
    k = np.where(c[K.STD] != 0, kurtosis(c), 0.0)
    z_cf = z + (z**2 - 1) * s / 6 + (z**3 - 3 * z) * k / 24 - (2 * z**3 - 5 * z) * s**2 / 36
    return c[K.MEAN] + z_cf * c[K.STD]


def cvar(c: Ctx) -> Float64Array1D:
    return c[K.CVAR]


def max_drawdown(c: Ctx) -> Float64Array1D:
    return c[K.MDD]


def max_drawdown_duration(c: Ctx) -> Float64Array1D:
    return c[K.MDD_DURATION]


def avg_drawdown(c: Ctx) -> Float64Array1D:
    return c[K.AVG_DD]


def recovery_time(c: Ctx) -> Float64Array1D:
    return c[K.RECOVERY]


def ulcer_index(c: Ctx) -> Float64Array1D:
    return c[K.ULCER]


def ulcer_performance_index(c: Ctx) -> Float64Array1D:
    return _div(annual_return(c) - c.rf, c[K.ULCER])


def stability(c: Ctx) -> Float64Array1D:
    return c[K.STABILITY]


def beta(c: Ctx) -> Float64Array1D:
    return c[K.BETA]


def alpha(c: Ctx) -> Float64Array1D:
    with np.errstate(invalid="ignore", over="ignore"):
        out = np.power(1.0 + c[K.ALPHA_MEAN], c.ppy) - 1.0
    return np.where(c[K.N_PAIR] >= 2, out, np.nan)


def correlation(c: Ctx) -> Float64Array1D:
    return c[K.CORR]


def r_squared(c: Ctx) -> Float64Array1D:
    return c[K.CORR] ** 2


def tracking_error(c: Ctx) -> Float64Array1D:
    return c[K.ACTIVE_STD] * np.sqrt(c.ppy)


def information_ratio(c: Ctx) -> Float64Array1D:
    return _div(c[K.ACTIVE_MEAN], c[K.ACTIVE_STD]) * np.sqrt(c.ppy)


def treynor(c: Ctx) -> Float64Array1D:
    return _div((c[K.MEAN] - c.rf_per) * c.ppy, c[K.BETA])


def up_capture(c: Ctx) -> Float64Array1D:
    n = c[K.N_UP]
    ratio = _div(_growth_rate(c[K.UP_GROWTH_R], n, c.ppy), _growth_rate(c[K.UP_GROWTH_B], n, c.ppy))
    return np.where(n > 0, ratio, np.nan)


def down_capture(c: Ctx) -> Float64Array1D:
    n = c[K.N_DOWN]
    ratio = _div(
        _growth_rate(c[K.DOWN_GROWTH_R], n, c.ppy), _growth_rate(c[K.DOWN_GROWTH_B], n, c.ppy)
    )
    return np.where(n > 0, ratio, np.nan)


Formula = Callable[[Ctx], Float64Array1D]

#: Row name of :func:`quantlab.metrics.summary` -> (formula, kernel groups it needs,
#: needs periods_per_year).
_M, _D, _Q, _B = K.MOMENTS, K.DRAWDOWNS, K.QUANTILES, K.BENCHMARK

SUMMARY: dict[str, tuple[Formula, int, bool]] = {
    "n_obs": (n_obs, _M, False),
    "total_return": (total_return, _M, False),
    "cagr": (annual_return, _M, True),
    "annual_return": (annual_return, _M, True),
    "annual_volatility": (annual_volatility, _M, True),
    "sharpe": (sharpe, _M, True),
    "sortino": (sortino, _M, True),
    "calmar": (calmar, _M | _D, True),
    "omega": (omega, _M, False),  # periods_per_year only for a non-zero required_return
    "best_period": (best_period, _M, False),
    "worst_period": (worst_period, _M, False),
    "gain_to_pain": (gain_to_pain, _M, False),
    "common_sense_ratio": (common_sense_ratio, _M | _Q, False),
    "max_drawdown": (max_drawdown, _D, False),
    "max_drawdown_duration": (max_drawdown_duration, _D, False),
    "avg_drawdown": (avg_drawdown, _D, False),
    "recovery_time": (recovery_time, _D, False),
    "ulcer_index": (ulcer_index, _D, False),
    "ulcer_performance_index": (ulcer_performance_index, _M | _D, True),
    "value_at_risk": (value_at_risk, _M | _Q, False),
    "value_at_risk_gaussian": (value_at_risk_gaussian, _M, False),
    "value_at_risk_cornish_fisher": (value_at_risk_cornish_fisher, _M, False),
    "cvar": (cvar, _M | _Q, False),
    "tail_ratio": (tail_ratio, _M | _Q, False),
    "skew": (skew, _M, False),
    "kurtosis": (kurtosis, _M, False),
    "stability": (stability, _M, False),
    "alpha": (alpha, _B, True),
    "beta": (beta, _B, False),
    "up_capture": (up_capture, _B, True),
    "down_capture": (down_capture, _B, True),
    "correlation": (correlation, _B, False),
    "r_squared": (r_squared, _B, False),
    "information_ratio": (information_ratio, _B, True),
    "tracking_error": (tracking_error, _B, True),
    "treynor": (treynor, _M | _B, True),
}

#: Rows that need a benchmark (NaN in the summary without one).
BENCHMARK_ROWS = tuple(name for name, (_, groups, _) in SUMMARY.items() if groups & K.BENCHMARK)
