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
    "portfolio_backtests",
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

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from quantlab.factors import clean_factor
    >>> idx = pd.bdate_range("2024-01-01", periods=40)
    >>> close = pd.DataFrame(np.exp(np.random.default_rng(1).normal(0, .01, (40, 10)).cumsum(0)),
    ...                      index=idx, columns=list("ABCDEFGHIJ"))
    >>> mean, se = quantile_returns_by_date(clean_factor(close.pct_change(5), close, horizons=(1,)))
    >>> mean.index.names
    FrozenList(['date', 'quantile'])
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

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from quantlab.factors import clean_factor
    >>> idx = pd.bdate_range("2024-01-01", periods=40)
    >>> close = pd.DataFrame(np.exp(np.random.default_rng(1).normal(0, .01, (40, 10)).cumsum(0)),
    ...                      index=idx, columns=list("ABCDEFGHIJ"))
    >>> w = factor_weights(clean_factor(close.pct_change(5), close, horizons=(1,)))
    >>> bool(np.allclose(w.abs().groupby(level="date").sum(), 1.0))
    True
    """
    return pd.Series(_weights(fd, demeaned, group_adjust), index=fd.index, name="weight")


def _weights(fd: FactorData, demeaned: bool, group_adjust: bool) -> np.ndarray:
    if group_adjust:
        w = K.seg_weights(fd.factor, fd.group_starts, demeaned)
        return K.seg_weights(w, fd.date_starts, False)  # type: ignore[no-any-return]
    return K.seg_weights(fd.factor, fd.date_starts, demeaned)  # type: ignore[no-any-return]


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
    w = _weights(fd, demeaned, group_adjust)
    r = K.seg_weighted_sum(w, fd.forward, fd.date_starts)
    return pd.DataFrame(r, index=fd.dates, columns=pd.Index(fd.horizons, name="horizon"))


def _fill_weights(
    fd: FactorData, out: np.ndarray, values: np.ndarray, mask: np.ndarray, on: np.ndarray
) -> None:
    """Fill ``out`` ``(n_bars, n_assets)``: ``values`` on the rows of ``mask``, 0 elsewhere on
    the rebalancing bars ``on``, NaN (no rebalance) on the other bars."""
    out[:] = np.nan
    out[on] = 0.0
    keep = mask & on[fd.date_pos]
    out[fd.date_pos[keep], fd.asset_pos[keep]] = values[keep]


def portfolio_backtests(
    fd: FactorData,
    horizons: Any = None,
    *,
    fees: float = 0.0,
    demeaned: bool = True,
    group_adjust: bool = False,
) -> dict[int, SummaryResult]:
    """Quantile portfolios and the factor-weighted long-short portfolio, through the engine.

    Each quantile portfolio holds its names at equal weight (long only, fully invested);
    ``long_short`` holds :func:`factor_weights`. Portfolios trade at the close of the factor
    date and, for a horizon ``h``, rebalance every ``h`` bars counted from the first factor
    date (a bar without factor data does not rebalance), paying ``fees`` per unit of traded
    value. All horizons run in one engine call.

    Parameters
    ----------
    fd : FactorData
    horizons : int or sequence of int, optional
        Rebalancing periods in bars; default ``fd.horizons``.
    fees : float
        Fraction of traded value.
    demeaned, group_adjust : bool
        As in :func:`factor_weights`.

    Returns
    -------
    dict int -> SummaryResult
        Per horizon: one row per portfolio (``Q1``..``Qn``, ``long_short``) of the engine's
        figures (total return, Sharpe, fees ...) and ``returns`` (bar returns, net of fees).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from quantlab.factors import clean_factor
    >>> idx = pd.bdate_range("2024-01-01", periods=40)
    >>> close = pd.DataFrame(np.exp(np.random.default_rng(1).normal(0, .01, (40, 10)).cumsum(0)),
    ...                      index=idx, columns=list("ABCDEFGHIJ"))
    >>> res = portfolio_backtests(clean_factor(close.pct_change(5), close, horizons=(1, 5)))
    >>> list(res[5].table.index)
    ['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'long_short']
    """
    hs = fd.horizons if horizons is None else horizons
    hs = (int(hs),) if isinstance(hs, int | np.integer) else tuple(int(h) for h in hs)
    if not hs or any(h < 1 for h in hs):
        raise ParameterError(f"horizons must be ints >= 1; got {horizons!r}")
    w_ls = _weights(fd, demeaned, group_adjust)
    n, m, nq = len(fd.calendar), len(fd.symbols), fd.n_buckets
    counts = np.zeros((n, nq))
    np.add.at(counts, (fd.date_pos, fd.bucket - 1), 1.0)
    names = [f"Q{q}" for q in range(1, nq + 1)] + ["long_short"]
    block = len(names) * m
    weights = np.empty((n, len(hs) * block))
    has = np.zeros(n, dtype=bool)
    has[fd.date_pos] = True
    first = int(fd.date_pos[0])
    bars = np.arange(n)
    everything = np.ones(len(w_ls), dtype=bool)
    for k, h in enumerate(hs):
        on = has & (bars >= first) & ((bars - first) % h == 0)
        for j, q in enumerate(range(1, nq + 1)):
            mask = fd.bucket == q
            vals = np.zeros(len(fd.bucket))
            vals[mask] = 1.0 / counts[fd.date_pos[mask], q - 1]
            start = k * block + j * m
            _fill_weights(fd, weights[:, start : start + m], vals, mask, on)
        start = k * block + nq * m
        _fill_weights(fd, weights[:, start : start + m], w_ls, everything, on)
    cols = pd.MultiIndex.from_product(
        [list(hs), names, fd.symbols], names=["horizon", "portfolio", "symbol"]
    )
    frame = pd.DataFrame(weights, index=fd.calendar, columns=cols, copy=False)
    res = cast(  # mode="stats" always gives a SummaryResult
        SummaryResult,
        from_weights(fd.close, frame, fees=fees, mode="stats", keep_returns=True),
    )
    rets = cast(pd.DataFrame, res.returns)
    out = {}
    for k, h in enumerate(hs):
        sel = slice(k * len(names), (k + 1) * len(names))
        table = res.table.iloc[sel].copy()
        table.index = pd.Index(names, name="portfolio")
        r = rets.iloc[:, sel].copy()
        r.columns = pd.Index(names, name="portfolio")
        out[h] = SummaryResult(table=table, periods_per_year=res.periods_per_year, returns=r)
    return out


def portfolio_backtest(
    fd: FactorData,
    horizon: int = 1,
    *,
    fees: float = 0.0,
    demeaned: bool = True,
    group_adjust: bool = False,
) -> SummaryResult:
    """The engine run of one horizon (see :func:`portfolio_backtests`).

    Returns
    -------
    SummaryResult
    """
    return portfolio_backtests(
        fd, (horizon,), fees=fees, demeaned=demeaned, group_adjust=group_adjust
    )[horizon]
