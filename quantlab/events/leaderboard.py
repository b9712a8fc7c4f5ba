"""Which filers' trades are worth copying? A leaderboard with multiple-testing control.

Every filer (or group, ``by=``) gets its copy-trade strategy (:func:`~quantlab.events.copy_trade`,
stats-only engine, one call for all of them) and, from that strategy's daily returns:

* ``sharpe`` -- annualized Sharpe ratio;
* ``psr`` -- probabilistic Sharpe ratio against 0 (:mod:`quantlab.metrics.inference`),
  and ``p_value = 1 - psr``, the one-sided p-value of "true Sharpe > 0";
* ``dsr`` -- deflated Sharpe ratio with ``n_trials`` = the number of filers tested (those
  with a Sharpe ratio) and the variance of their per-period Sharpe ratios: the chance that
  this filer beats the best of as many unskilled filers;
* ``q_value`` -- Benjamini-Hochberg adjusted p-value over the filers tested
  (:func:`bh_qvalues`): rejecting every filer with ``q <= alpha`` keeps the expected share of
  false discoveries at ``alpha``.

With ``benchmark`` (bar returns, e.g. the equal-weighted universe) every statistic is that of
the strategy's return *in excess of* the benchmark, so a long-only copier in a rising
market is not "skilled" for holding stocks. Bars in cash earn 0 and so trail a rising
benchmark: the comparison suits strategies that are (nearly) always invested.

*Decisions*: a strategy's track record starts at the bar of its first position (the bars
before it are not part of the strategy and are not observations); a filer with fewer than 2
observations or zero dispersion gets NaN statistics and is not counted as a trial nor in the
BH adjustment. Rows are sorted by ``p_value`` (NaN last), then by ``sharpe`` descending.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple, cast

import numpy as np
import pandas as pd

from quantlab import metrics
from quantlab.backtest import SummaryResult
from quantlab.config import DEFAULT_INIT_CASH
from quantlab.errors import AlignmentError, DataTypeError, ValidationError
from quantlab.events.copytrade import CopyTradeReport, _run
from quantlab.metrics import inference

__all__ = [
    "LEADERBOARD_COLUMNS",
    "Leaderboard",
    "CopyTradeLagCost",
    "bh_qvalues",
    "copy_trade_lag_cost",
    "leaderboard",
]

#: Columns of :attr:`Leaderboard.table`, in order.
LEADERBOARD_COLUMNS = (
    "n_events",
    "n_trades",
    "n_obs",
    "total_return",
    "max_drawdown",
    "exposure",
    "sharpe",
    "psr",
    "dsr",
    "p_value",
    "q_value",
)


class Leaderboard(NamedTuple):
    """:func:`leaderboard`'s result: ``table, report = leaderboard(...)``.

    ``table`` has one row per group (index named ``by``) and the columns of
    :data:`LEADERBOARD_COLUMNS`; ``n_trials`` is the number of groups tested.
    """

    table: pd.DataFrame
    report: CopyTradeReport
    n_trials: int


class CopyTradeLagCost(NamedTuple):
    """:func:`copy_trade_lag_cost`'s result: the comparison table and each clock's report."""

    table: pd.DataFrame
    reports: dict[str, CopyTradeReport]


def bh_qvalues(p_values: Any) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values), NaN kept in place and not counted.

    ``q_(i) = min_{j >= i} min(1, p_(j) m / j)`` over the ``m`` finite p-values sorted
    ascending; the same as ``statsmodels.stats.multitest.multipletests(p, method="fdr_bh")``.

    Parameters
    ----------
    p_values : array-like of float in [0, 1] (NaN allowed)

    Returns
    -------
    ndarray
        q-values in the order of ``p_values``.

    Raises
    ------
    ValidationError
        A p-value outside [0, 1] or infinite.

    Examples
    --------
    >>> bh_qvalues([0.01, 0.04, 0.03, float("nan")]).round(3).tolist()
    [0.03, 0.04, 0.04, nan]
    """
    p = np.asarray(p_values, dtype=np.float64).ravel()
    fin = ~np.isnan(p)
    bad = fin & ((p < 0) | (p > 1))
    if bad.any():
        raise ValidationError(
            f"p_values must lie in [0, 1] (NaN allowed); got {float(p[bad][0])!r} in "
            f"{int(bad.sum())} place(s). Pass probabilities"
        )
    q = np.full(p.shape, np.nan)
    m = int(fin.sum())
    if m == 0:
        return q
    idx = np.flatnonzero(fin)
    order = np.argsort(p[idx], kind="stable")
    ranked = p[idx][order] * m / np.arange(1, m + 1)
    adj = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    q[idx[order]] = adj
    return q


def leaderboard(
    disclosures: Any,
    close: Any,
    *,
    by: str | None = "filer",
    open: Any = None,
    clock: Literal["disclosure", "transaction"] = "disclosure",
    hold: int = 20,
    exit_on_sale: bool = True,
    weighting: Literal["equal", "amount"] = "equal",
    max_positions: int | None = None,
    position_cap: float | None = None,
    short_sales: bool = False,
    init_cash: Any = DEFAULT_INIT_CASH,
    fees: Any = 0.0,
    fixed_fees: Any = 0.0,
    slippage: Any = 0.0,
    benchmark: pd.Series | None = None,
    periods_per_year: float | None = None,
) -> Leaderboard:
    """Rank filers (or groups) by the significance of their copy-trade strategy.

    Parameters
    ----------
    disclosures, close, open, clock, hold, exit_on_sale, weighting, max_positions,
    position_cap, short_sales, init_cash, fees, fixed_fees, slippage, periods_per_year
        As in :func:`~quantlab.events.copy_trade`.
    by : str or None, default "filer"
        Column of the table defining a strategy (``"filer"``, ``"chamber"``, ``"owner"``...).
    benchmark : Series, optional
        Bar returns on (at least) ``close``'s index, finite: the statistics are those of
        the excess returns ``strategy - benchmark``.

    Returns
    -------
    Leaderboard
        ``(table, report, n_trials)``, statistics defined in the module docstring.

    Raises
    ------
    ValidationError, DataTypeError, ParameterError
        As :func:`~quantlab.events.copy_trade`; ``periods_per_year`` not inferable from
        ``close``'s index.
    AlignmentError
        ``benchmark`` misses some of ``close``'s dates or is not finite on them.

    Examples
    --------
    >>> import numpy as np, pandas as pd, quantlab as ql
    >>> rng = np.random.default_rng(0)
    >>> idx = pd.bdate_range("2020-01-01", periods=300)
    >>> close = pd.DataFrame(100 * np.exp(np.cumsum(rng.normal(0, 0.01, (300, 3)), 0)),
    ...     index=idx, columns=["A", "B", "C"])
    >>> days = idx[rng.integers(0, 280, 40)]
    >>> table = pd.DataFrame({"filer": rng.choice(["Ann", "Bob"], 40),
    ...     "symbol": rng.choice(["A", "B", "C"], 40), "side": 1, "amount_mid": 8000.0,
    ...     "transaction_date": days - pd.Timedelta(days=20), "available_at": days})
    >>> board = ql.events.leaderboard(table, close, hold=10)
    >>> list(board.table.columns[:4]), board.n_trials
    (['n_events', 'n_trades', 'n_obs', 'total_return'], 2)
    """
    result, report, first, n_trades, n_events = _run(
        disclosures,
        close,
        open=open,
        hold=hold,
        exit_on_sale=exit_on_sale,
        weighting=weighting,
        max_positions=max_positions,
        position_cap=position_cap,
        short_sales=short_sales,
        per=by,
        clock=clock,
        init_cash=init_cash,
        fees=fees,
        fixed_fees=fixed_fees,
        slippage=slippage,
        mode="stats",
        keep_returns=True,
        periods_per_year=periods_per_year,
    )
    summary = cast(SummaryResult, result)
    rets = cast(pd.DataFrame, summary.returns)
    before = np.arange(len(rets.index))[:, None] < first[None, :]  # before the first trade
    excess = rets.to_numpy()
    if benchmark is not None:
        excess = excess - _benchmark(benchmark, rets.index)[:, None]
    arr = np.where(before, np.nan, excess)
    track = pd.DataFrame(arr, index=rets.index, columns=rets.columns, copy=False)
    ppy = summary.periods_per_year
    if ppy is None:
        ppy = metrics.infer_periods_per_year(rets.index)
    n_obs = track.count().to_numpy()
    sr = metrics.sharpe(track, periods_per_year=ppy).to_numpy() / np.sqrt(ppy)
    skew = metrics.skew(track).to_numpy()
    kurt = metrics.kurtosis(track).to_numpy() + 3.0  # inference takes non-excess kurtosis
    ok = (n_obs >= 2) & np.isfinite(sr) & np.isfinite(skew) & np.isfinite(kurt)
    psr = np.full(len(n_obs), np.nan)
    dsr = np.full(len(n_obs), np.nan)
    n_trials = int(ok.sum())
    if n_trials:
        psr[ok] = inference.probabilistic_sharpe(sr[ok], 0.0, n_obs[ok], skew[ok], kurt[ok])
        v = float(np.var(sr[ok], ddof=1)) if n_trials > 1 else 0.0
        dsr[ok] = inference.deflated_sharpe(sr[ok], n_trials, v, n_obs[ok], skew[ok], kurt[ok])
    p = 1.0 - psr
    table = pd.DataFrame(
        {
            "n_events": n_events,
            "n_trades": n_trades,
            "n_obs": n_obs,
            "total_return": summary.table["total_return"].to_numpy(),
            "max_drawdown": summary.table["max_drawdown"].to_numpy(),
            "exposure": summary.table["exposure"].to_numpy(),
            "sharpe": np.where(ok, sr * np.sqrt(ppy), np.nan),
            "psr": psr,
            "dsr": dsr,
            "p_value": p,
            "q_value": bh_qvalues(p),
        },
        index=track.columns,
    )
    order = np.lexsort(
        (-np.nan_to_num(table["sharpe"].to_numpy(), nan=-np.inf), np.nan_to_num(p, nan=np.inf))
    )
    return Leaderboard(table.iloc[order], report, n_trials)


def _benchmark(benchmark: Any, index: pd.Index) -> np.ndarray:
    if not isinstance(benchmark, pd.Series):
        raise DataTypeError(
            f"benchmark must be a pandas Series of bar returns; got {type(benchmark).__name__}"
        )
    values = benchmark.reindex(index).to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        raise AlignmentError(
            f"benchmark has no finite return on {int(bad.sum())} of the {len(index)} bars of "
            f"close (first: {index[bad][0]}); pass returns covering close's index"
        )
    return values


def copy_trade_lag_cost(
    disclosures: Any,
    close: Any,
    *,
    open: Any = None,
    **kwargs: Any,
) -> CopyTradeLagCost:
    """The pooled copy-trade strategy traded on the transaction date vs the disclosure date.

    Trading on the transaction date (the filer's own day) is hypothetical -- nobody knew of
    the trade then -- so the difference is what the disclosure lag costs a copier.

    Parameters
    ----------
    disclosures, close, open
        As in :func:`~quantlab.events.copy_trade`.
    **kwargs
        Other :func:`~quantlab.events.copy_trade` arguments (``hold``, ``fees``...) except
        ``per``, ``clock`` and ``mode``: one pooled strategy (``per=None``) per clock.

    Returns
    -------
    CopyTradeLagCost
        ``table``: rows ``total_return, max_drawdown, sharpe, sortino``, columns
        ``transaction``, ``disclosure`` and ``cost`` (transaction minus disclosure);
        ``reports``: each clock's :class:`~quantlab.events.CopyTradeReport`.

    Examples
    --------
    >>> import numpy as np, pandas as pd, quantlab as ql
    >>> idx = pd.bdate_range("2024-01-01", periods=40)
    >>> close = pd.DataFrame({"A": np.linspace(10, 20, 40)}, index=idx)
    >>> table = pd.DataFrame({"filer": ["Ann"], "symbol": ["A"], "side": [1],
    ...     "amount_mid": [8000.0], "transaction_date": [idx[2]], "available_at": [idx[20]]})
    >>> lag = ql.events.copy_trade_lag_cost(table, close, hold=10)
    >>> bool(lag.table.loc["total_return", "cost"] > 0)
    True
    """
    for key in ("per", "clock", "mode"):
        if key in kwargs:
            raise ValidationError(
                f"copy_trade_lag_cost sets {key} itself (per=None, both clocks, "
                f"mode='stats'); drop {key}="
            )
    cols, reports = {}, {}
    for clock in ("transaction", "disclosure"):
        result, report, *_ = _run(
            disclosures, close, open=open, per=None, clock=clock, mode="stats", **kwargs
        )
        cols[clock] = cast(SummaryResult, result).table.iloc[0]
        reports[clock] = report
    rows = ["total_return", "max_drawdown", "sharpe", "sortino"]
    table = pd.DataFrame({k: v[rows].astype(float) for k, v in cols.items()})
    table["cost"] = table["transaction"] - table["disclosure"]
    return CopyTradeLagCost(table, reports)
