"""Returns by factor bucket: mean forward return per quantile, top-minus-bottom spread,
the factor-weighted long-short portfolio, and quantile portfolios run through the engine.

Conventions (alphalens-reloaded's unless said otherwise):

- ``demeaned=True`` subtracts each date's mean forward return (over all kept names) before
  averaging, ``group_adjust=True`` each (date, group)'s mean instead.
- :func:`mean_return_by_quantile` first averages each (quantile, date) cell, then averages
  those per-date means; its standard error is their sample std / sqrt(number of dates).
- :func:`quantile_spread`: the per-date top-minus-bottom difference of those means, with
  a Newey-West t-statistic (``horizon - 1`` lags, the overlap of ``h``-bar returns). It is
  the *raw* difference (a 100% long / 100% short book); alphalens-reloaded 0.5 halves it
  (``compute_mean_returns_spread`` scales to 100% gross): divide by 2 to compare. The
  t-statistic does not depend on that scale.
- :func:`factor_returns`: weights = factor demeaned per date (per (date, group) with
  ``group_adjust``, then rescaled per date) over the sum of their absolute values; the
  portfolio's return is ``sum(weight * forward return)`` per date.
- :func:`portfolio_backtest` runs each quantile (equal weight, long only) and the
  factor-weighted long-short portfolio through :func:`quantlab.backtest.from_weights`,
  rebalancing every ``h`` bars with fees, so the turnover of each portfolio has a price;
  alphalens has no equivalent (its cumulative curves compound mean forward returns, free
  of costs). With ``fees=0`` and ``h=1`` the long-short portfolio's bar return equals
  :func:`factor_returns` of horizon 1 one bar later (tested).
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pandas as pd

from quantlab.backtest import SummaryResult, from_weights
from quantlab.errors import ParameterError
from quantlab.factors import _kernels as K
from quantlab.factors.clean import FactorData
from quantlab.metrics.hac import newey_west_tstat

__all__ = [
    "demeaned_forward",
    "mean_return_by_quantile",
    "quantile_returns_by_date",
    "quantile_spread",
    "factor_weights",
    "factor_returns",
    "portfolio_backtest",
]


def demeaned_forward(fd: FactorData, demeaned: bool = True, group_adjust: bool = False) -> Any:
    """Forward returns ``(n_rows, n_horizons)`` minus their date (or date-group) mean."""
    if group_adjust:
        return K.seg_demean(fd.forward, fd.group_starts)
    if demeaned:
        return K.seg_demean(fd.forward, fd.date_starts)
    return fd.forward


def _cell_stats(
    fd: FactorData, demeaned: bool, group_adjust: bool, by_group: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    y = demeaned_forward(fd, demeaned, group_adjust)
    starts = fd.group_starts if by_group else fd.date_starts
    mean, std, count = K.seg_bucket_stats(np.ascontiguousarray(y), fd.bucket, starts, fd.n_buckets)
    q = fd.n_buckets
    n_seg = len(starts) - 1
    return (
        mean.reshape(n_seg, q, -1),
        std.reshape(n_seg, q, -1),
        count.reshape(n_seg, q, -1),
        starts,
    )


def quantile_returns_by_date(
    fd: FactorData, *, demeaned: bool = True, group_adjust: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean forward return of each (date, quantile) and its standard error.

    Returns
    -------
    mean, std_error : DataFrame
        Index (date, quantile) for the cells holding names; columns = horizons. The standard
        error is the cell's sample std / sqrt(its count) (alphalens' ``by_date=True``).
    """
    mean, std, count, starts = _cell_stats(fd, demeaned, group_adjust, False)
    dates = fd.dates
    n_seg, q, h = mean.shape
    present = count[:, :, 0] > 0
    di, qi = np.nonzero(present)
    idx = pd.MultiIndex.from_arrays([dates[di], qi + 1], names=["date", "quantile"])
    cols = pd.Index(fd.horizons, name="horizon")
    with np.errstate(invalid="ignore"):
        se = std / np.sqrt(count)
    return (
        pd.DataFrame(mean[di, qi], index=idx, columns=cols),
        pd.DataFrame(se[di, qi], index=idx, columns=cols),
    )


def mean_return_by_quantile(
    fd: FactorData, *, demeaned: bool = True, group_adjust: bool = False, by_group: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean forward return by quantile (per group with ``by_group``) and its standard error.

    Parameters
    ----------
    fd : FactorData
        From :func:`~quantlab.factors.clean_factor`.
    demeaned, group_adjust : bool
        Subtract each date's (each (date, group)'s) mean forward return first.
    by_group : bool
        One row per (quantile, group).

    Returns
    -------
    mean, std_error : DataFrame
        Index quantile (or (quantile, group)); columns = horizons. The mean of the per-date
        cell means, and their sample std / sqrt(number of dates).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from quantlab.factors import clean_factor
    >>> idx = pd.bdate_range("2024-01-01", periods=40)
    >>> close = pd.DataFrame(np.exp(np.random.default_rng(1).normal(0, .01, (40, 10)).cumsum(0)),
    ...                      index=idx, columns=list("ABCDEFGHIJ"))
    >>> fd = clean_factor(close.pct_change(5), close, horizons=(1,), quantiles=5)
    >>> mean, se = mean_return_by_quantile(fd)
    >>> mean.shape, bool(np.isclose(mean[1].mean(), 0.0))
    ((5, 1), True)
    """
    mean, _std, count, starts = _cell_stats(fd, demeaned, group_adjust, by_group)
    n_seg, q, h = mean.shape
    if by_group:
        seg_group = fd.group[starts[:-1]]
        labels = fd.group_labels if fd.group_labels is not None else pd.Index([0])
        keys = [(qq + 1, labels[gg]) for qq in range(q) for gg in range(len(labels))]
        rows_m, rows_s = [], []
        for qq in range(q):
            for gg in range(len(labels)):
                sel = mean[seg_group == gg, qq, :]
                sel = sel[np.isfinite(sel[:, 0])]
                rows_m.append(_col_mean(sel))
                rows_s.append(_col_se(sel))
        idx: pd.Index = pd.MultiIndex.from_tuples(keys, names=["quantile", "group"])
        m_arr, s_arr = np.array(rows_m), np.array(rows_s)
        keep = np.isfinite(m_arr[:, 0])
        cols = pd.Index(fd.horizons, name="horizon")
        return (
            pd.DataFrame(m_arr[keep], index=idx[keep], columns=cols),
            pd.DataFrame(s_arr[keep], index=idx[keep], columns=cols),
        )
    m_rows, s_rows = [], []
    for qq in range(q):
        sel = mean[:, qq, :]
        sel = sel[np.isfinite(sel[:, 0])]
        m_rows.append(_col_mean(sel))
        s_rows.append(_col_se(sel))
    idx = pd.Index(np.arange(1, q + 1), name="quantile")
    cols = pd.Index(fd.horizons, name="horizon")
    return pd.DataFrame(m_rows, index=idx, columns=cols), pd.DataFrame(
        s_rows, index=idx, columns=cols
    )


def _col_mean(a: np.ndarray) -> np.ndarray:
    if len(a) == 0:
        return np.full(a.shape[1], np.nan)
    return np.asarray(a.mean(axis=0))


def _col_se(a: np.ndarray) -> np.ndarray:
    if len(a) < 2:
        return np.full(a.shape[1], np.nan)
    return np.asarray(a.std(axis=0, ddof=1) / np.sqrt(len(a)))


def quantile_spread(
    fd: FactorData,
    *,
    top: int | None = None,
    bottom: int = 1,
    demeaned: bool = True,
    group_adjust: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Top-minus-bottom quantile spread per date, and its summary per horizon.

    Parameters
    ----------
    fd : FactorData
    top, bottom : int
        Quantiles; ``top`` defaults to the highest.
    demeaned, group_adjust : bool
        As in :func:`mean_return_by_quantile` (the spread itself does not change when both
        legs are demeaned by the same date mean; it does with ``group_adjust``).

    Returns
    -------
    spread : DataFrame
        Index: dates where both quantiles hold names; columns = horizons. Raw difference of
        the two per-date mean returns (alphalens-reloaded 0.5 reports half of it).
    summary : DataFrame
        Index = horizons; columns ``mean``, ``t_stat`` (Newey-West, ``h - 1`` lags),
        ``n_dates``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from quantlab.factors import clean_factor
    >>> idx = pd.bdate_range("2024-01-01", periods=40)
    >>> close = pd.DataFrame(np.exp(np.random.default_rng(1).normal(0, .01, (40, 10)).cumsum(0)),
    ...                      index=idx, columns=list("ABCDEFGHIJ"))
    >>> spread, summary = quantile_spread(clean_factor(close.pct_change(5), close, horizons=(1, 5)))
    >>> list(summary.columns)
    ['mean', 't_stat', 'n_dates']
    """
    q = fd.n_buckets
    top = q if top is None else top
    for name, v in (("top", top), ("bottom", bottom)):
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= q:
            raise ParameterError(f"{name} must be a quantile in 1..{q}; got {v!r}")
    mean, _std, count, _ = _cell_stats(fd, demeaned, group_adjust, False)
    diff = mean[:, top - 1, :] - mean[:, bottom - 1, :]
    ok = np.isfinite(diff[:, 0])
    spread = pd.DataFrame(
        diff[ok], index=fd.dates[ok], columns=pd.Index(fd.horizons, name="horizon")
    )
    rows = {
        h: {
            "mean": float(spread[h].mean()),
            "t_stat": newey_west_tstat(spread[h].to_numpy(), h - 1),
            "n_dates": int(ok.sum()),
        }
        for h in fd.horizons
    }
    summary = pd.DataFrame(rows).T
    summary.index.name = "horizon"
    summary["n_dates"] = summary["n_dates"].astype(int)
    return spread, summary


def factor_weights(
    fd: FactorData, *, demeaned: bool = True, group_adjust: bool = False
) -> pd.Series:
    """Factor-proportional weights per date, gross exposure 1 (alphalens' ``factor_weights``).

    ``demeaned``: dollar-neutral (factor minus its date mean); ``group_adjust``: demeaned and
    scaled within each (date, group), then rescaled so each date's gross exposure is 1.

    Returns
    -------
    Series
        Indexed by (date, symbol) in the row order of ``fd``.
    """
    if group_adjust:
        w = K.seg_weights(fd.factor, fd.group_starts, demeaned)
        w = K.seg_weights(w, fd.date_starts, False)
    else:
        w = K.seg_weights(fd.factor, fd.date_starts, demeaned)
    return pd.Series(w, index=fd.index, name="weight")


def factor_returns(
    fd: FactorData, *, demeaned: bool = True, group_adjust: bool = False
) -> pd.DataFrame:
    """Per-date return of the factor-weighted portfolio for each horizon.

    Returns
    -------
    DataFrame
        Index: dates; columns = horizons; ``sum(weight * forward return)``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from quantlab.factors import clean_factor
    >>> idx = pd.bdate_range("2024-01-01", periods=40)
    >>> close = pd.DataFrame(np.exp(np.random.default_rng(1).normal(0, .01, (40, 10)).cumsum(0)),
    ...                      index=idx, columns=list("ABCDEFGHIJ"))
    >>> factor_returns(clean_factor(close.pct_change(5), close, horizons=(1,))).shape
    (34, 1)
    """
    w = factor_weights(fd, demeaned=demeaned, group_adjust=group_adjust).to_numpy()
    r = K.seg_weighted_sum(w, fd.forward, fd.date_starts)
    return pd.DataFrame(r, index=fd.dates, columns=pd.Index(fd.horizons, name="horizon"))


def _weight_panel(fd: FactorData, values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A ``(n_bars, n_assets)`` panel: ``values`` on the rows of ``mask``, 0 elsewhere on the
    factor's dates, NaN (no rebalance) on bars without factor data."""
    n, m = len(fd.calendar), len(fd.symbols)
    out = np.full((n, m), np.nan)
    has = np.zeros(n, dtype=bool)
    has[fd.date_pos] = True
    out[has] = 0.0
    out[fd.date_pos[mask], fd.asset_pos[mask]] = values[mask]
    return out


def portfolio_backtest(
    fd: FactorData,
    horizon: int = 1,
    *,
    fees: float = 0.0,
    demeaned: bool = True,
    group_adjust: bool = False,
) -> SummaryResult:
    """Quantile portfolios and the factor-weighted long-short portfolio, through the engine.

    Each quantile portfolio holds its names at equal weight (long only, fully invested);
    ``long_short`` holds :func:`factor_weights`. Portfolios trade at the close of the factor
    date and rebalance every ``horizon`` bars (bars without factor data do not rebalance),
    paying ``fees`` per unit of traded value.

    Returns
    -------
    SummaryResult
        One row per portfolio (``Q1``..``Qn``, ``long_short``) of the engine's figures
        (total return, Sharpe, fees ...), and ``returns`` (bar returns, net of fees).
    """
    w_ls = factor_weights(fd, demeaned=demeaned, group_adjust=group_adjust).to_numpy()
    panels, names = [], []
    counts = np.zeros((len(fd.calendar), fd.n_buckets))
    np.add.at(counts, (fd.date_pos, fd.bucket - 1), 1.0)
    for q in range(1, fd.n_buckets + 1):
        mask = fd.bucket == q
        vals = np.zeros(len(fd.bucket))
        vals[mask] = 1.0 / counts[fd.date_pos[mask], q - 1]
        panels.append(_weight_panel(fd, vals, mask))
        names.append(f"Q{q}")
    panels.append(_weight_panel(fd, w_ls, np.ones(len(w_ls), dtype=bool)))
    names.append("long_short")
    cols = pd.MultiIndex.from_product([names, fd.symbols], names=["portfolio", "symbol"])
    weights = pd.DataFrame(np.hstack(panels), index=fd.calendar, columns=cols)
    res = from_weights(  # mode="stats" always gives a SummaryResult
        fd.close,
        weights,
        rebalance=horizon,
        fees=fees,
        mode="stats",
        keep_returns=True,
    )
    return cast(SummaryResult, res)
