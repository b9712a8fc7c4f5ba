"""Slow, obviously-correct references for quantlab.metrics (pure NumPy / SciPy, one column).

Every function takes one 1-D column, drops its NaN values and computes the metric the
direct way (Python loops where that is clearest). Tests compare the numba kernels with these.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def clean(x):
    x = np.asarray(x, dtype=float)
    return x[~np.isnan(x)]


def paired(x, b):
    x = np.asarray(x, dtype=float)
    b = np.asarray(b, dtype=float)
    ok = ~np.isnan(x) & ~np.isnan(b)
    return x[ok], b[ok]


def drawdowns(x):
    eq = np.concatenate([[1.0], np.cumprod(1.0 + clean(x))])
    peak = np.maximum.accumulate(eq)
    return (eq / peak - 1.0)[1:]


def episodes(x):
    """List of (start, trough, end or None, depth) in positions among the valid bars."""
    dd = drawdowns(x)
    out = []
    i = 0
    while i < len(dd):
        if dd[i] < 0:
            start = i
            while i < len(dd) and dd[i] < 0:
                i += 1
            trough = start + int(np.argmin(dd[start:i]))
            out.append((start, trough, i if i < len(dd) else None, dd[trough]))
        else:
            i += 1
    return out


def max_drawdown(x):
    return float(np.min(drawdowns(x), initial=0.0))


def max_drawdown_duration(x):
    eps = episodes(x)
    n = len(clean(x))
    return float(max(((e if e is not None else n) - s for s, _, e, _ in eps), default=0))


def avg_drawdown(x):
    eps = episodes(x)
    return float(np.mean([d for *_, d in eps])) if eps else 0.0


def recovery_time(x):
    eps = episodes(x)
    if not eps:
        return 0.0
    s, t, e, d = eps[int(np.argmin([ep[3] for ep in eps]))]
    return float(e - t) if e is not None else np.nan


def ulcer_index(x):
    return float(np.sqrt(np.mean(drawdowns(x) ** 2)))


def annual_return(x, ppy):
    c = clean(x)
    return float(np.prod(1 + c) ** (ppy / len(c)) - 1)


def ulcer_performance_index(x, ppy, rf=0.0):
    return (annual_return(x, ppy) - rf) / ulcer_index(x)


def gain_to_pain(x):
    c = clean(x)
    return float(c.sum() / abs(c[c < 0].sum()))


def common_sense_ratio(x):
    c = clean(x)
    pf = c[c > 0].sum() / abs(c[c < 0].sum())
    return float(pf * abs(np.percentile(c, 95)) / abs(np.percentile(c, 5)))


def var_gaussian(x, cutoff=0.05):
    c = clean(x)
    return float(stats.norm.ppf(cutoff, c.mean(), c.std(ddof=1)))


def var_cornish_fisher(x, cutoff=0.05):
    c = clean(x)
    z = stats.norm.ppf(cutoff)
    s = stats.skew(c)
    k = stats.kurtosis(c)
    zc = z + (z**2 - 1) * s / 6 + (z**3 - 3 * z) * k / 24 - (2 * z**3 - 5 * z) * s**2 / 36
    return float(c.mean() + zc * c.std(ddof=1))


def correlation(x, b):
    x, b = paired(x, b)
    return float(np.corrcoef(x, b)[0, 1])


def beta(x, b):
    x, b = paired(x, b)
    return float(np.cov(x, b, ddof=0)[0, 1] / np.var(b))


def tracking_error(x, b, ppy):
    x, b = paired(x, b)
    return float(np.std(x - b, ddof=1) * np.sqrt(ppy))


def treynor(x, b, ppy, rf_per=0.0):
    return float((clean(x).mean() - rf_per) * ppy / beta(x, b))


def rolling(x, window, func, min_periods=None):
    """Apply ``func`` to each trailing window of rows (NaN dropped), NaN before it fills."""
    x = np.asarray(x, dtype=float)
    mp = window if min_periods is None else min_periods
    out = np.full(len(x), np.nan)
    for i in range(window - 1, len(x)):
        w = clean(x[i - window + 1 : i + 1])
        if len(w) >= mp:
            out[i] = func(w)
    return out


def stationary_bootstrap_mean_len(indices):
    """Mean run length of consecutive (wrapping) indices in each bootstrap row."""
    runs = []
    for row in indices:
        breaks = np.flatnonzero(np.diff(row) != 1) + 1
        runs.extend(np.diff(np.concatenate([[0], breaks, [len(row)]])))
    return float(np.mean(runs))
