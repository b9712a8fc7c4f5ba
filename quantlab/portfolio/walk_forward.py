"""Walk-forward optimization: refit a portfolio estimator on a trailing window, backtest it.

Window convention (the one of skfolio's ``WalkForward(test_size, train_size=lookback)`` over
the returns ``prices.pct_change().iloc[1:]``):

* returns row ``t`` is ``close[t] / close[t - 1] - 1``, the return *into* bar ``t``;
* at a rebalance bar ``d`` the estimator is fitted on the ``lookback`` returns ending at
  ``d`` (rows ``d - lookback + 1 .. d``, everything known at ``d``'s close) and the weights are
  traded at ``d``'s close, so they earn the returns of bars ``d + 1`` up to the next rebalance;
* the first rebalance is the first eligible bar with ``lookback`` returns behind it
  (``d >= lookback``), the last is before the final bar (a trade there would earn nothing).

``rebalance`` is a pandas offset alias (the last bar of each period present in the index,
as in :func:`quantlab.backtest.from_weights`) or an int N (bars ``lookback``,
``lookback + N``, ...; with ``WalkForward(test_size=N, train_size=lookback)`` the windows are
skfolio's).

Holding between rebalances (``drift``): ``True`` (the default, a real account) buys the
weights at the rebalance and lets them drift with prices; ``False`` trades back to the same
weights at every bar, which is skfolio's test-period convention (a ``Portfolio`` of fixed
weights earns ``returns @ weights`` each bar). With ``drift=False`` and no costs the backtest
returns are exactly skfolio's ``cross_val_predict(..., cv=WalkForward(...))`` returns.

Assets missing in a window (``missing``): ``"exclude"`` (default) fits the estimator on the
assets with a full window only and gives the others weight 0 at that rebalance (the window
table records how many were used); ``"raise"`` refuses, naming the asset and the date.

The estimator's weights must be finite, one per asset it was fitted on, and sum to
``weight_sum`` (default 1, fully invested; within ``1e-6``); ``weight_sum=None`` skips the
sum check (long-short or leveraged estimators). Any cash left by weights summing below 1
earns 0.
"""

from __future__ import annotations

import numbers
import time
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

import numpy as np
import pandas as pd

from quantlab import config
from quantlab._validation import PRICE_MAX, PRICE_MIN, as_float_panel
from quantlab.backtest import BacktestResult, from_weights
from quantlab.errors import DataTypeError, ParameterError, ValidationError

__all__ = ["WalkForwardResult", "walk_forward", "walk_forward_weights", "rebalance_bars"]

_MISSING = ("exclude", "raise")
_SUM_TOL = 1e-6


@dataclass(frozen=True)
class WalkForwardResult:
    """What :func:`walk_forward` returns.

    Attributes
    ----------
    backtest : BacktestResult
        The ``from_weights`` backtest of the whole history (with costs).
    weights : DataFrame, shape (n_rebalances, n_assets)
        The fitted target weights, indexed by rebalance date (0 for excluded assets).
    turnover : Series, shape (n_rebalances,)
        ``sum(|w_target - w_before|)`` at each rebalance, where ``w_before`` is the previous
        target drifted with prices to the rebalance date (the first row is ``sum(|w|)``).
        It counts the rebalance trades only, not the daily re-trades of ``drift=False``.
    windows : DataFrame, shape (n_rebalances, 3)
        First and last date of each fitting window and the number of assets used.
    fit_seconds : float
        Time spent cloning and fitting the estimator.
    total_seconds : float
        Time of the whole call; ``total_seconds - fit_seconds`` is quantlab's own work.
    """

    backtest: BacktestResult
    weights: pd.DataFrame
    turnover: pd.Series
    windows: pd.DataFrame
    fit_seconds: float
    total_seconds: float

    @property
    def returns(self) -> pd.Series:
        """Bar returns of the walk-forward portfolio (after costs)."""
        return cast(pd.Series, self.backtest.returns)  # one portfolio

    @property
    def overhead_fraction(self) -> float:
        """Share of the call not spent in the estimator (slicing, checks, backtest)."""
        return (self.total_seconds - self.fit_seconds) / self.total_seconds


def rebalance_bars(index: pd.Index, rebalance: str | int, lookback: int) -> np.ndarray:
    """Positions of the rebalance bars of :func:`walk_forward` (see the module notes).

    Parameters
    ----------
    index : Index
        The prices' index (a DatetimeIndex for an offset alias).
    rebalance : str or int
        Pandas offset alias or every N bars.
    lookback : int
        Returns per fitting window.

    Returns
    -------
    ndarray of int64

    Examples
    --------
    >>> import pandas as pd
    >>> rebalance_bars(pd.RangeIndex(10), 3, 4).tolist()
    [4, 7]
    """
    n_bars = len(index)
    if isinstance(rebalance, numbers.Integral) and not isinstance(rebalance, bool):
        if rebalance < 1:
            raise ParameterError(
                f"The 'rebalance' parameter of walk_forward must be a positive int or an offset "
                f"alias. Got {rebalance!r} instead; pass e.g. 21 or 'ME'"
            )
        pos = np.arange(lookback, n_bars - 1, int(rebalance), dtype=np.int64)
    elif isinstance(rebalance, str):
        if not isinstance(index, pd.DatetimeIndex):
            raise ParameterError(
                f"rebalance={rebalance!r} needs a DatetimeIndex on prices; got "
                f"{type(index).__name__}. Pass an int (every N bars) instead"
            )
        try:
            last = pd.Series(np.arange(n_bars), index=index).resample(rebalance).last()
        except (ValueError, TypeError) as exc:
            raise ParameterError(
                f"rebalance={rebalance!r} is not a pandas offset alias ({exc}); pass e.g. "
                "'ME', 'QE', 'W-FRI' or an int"
            ) from None
        pos = last.dropna().to_numpy(dtype=np.int64)
        pos = pos[(pos >= lookback) & (pos < n_bars - 1)]
    else:
        raise ParameterError(
            f"The 'rebalance' parameter of walk_forward must be a pandas offset alias or an int. "
            f"Got {rebalance!r} instead"
        )
    return pos


def _check_estimator(estimator: Any) -> None:
    if not callable(getattr(estimator, "fit", None)):
        raise DataTypeError(
            f"estimator must have a fit(X) method and a weights_ attribute after fitting "
            f"(a skfolio portfolio estimator); got {type(estimator).__name__}"
        )


def _fitted_weights(
    est: Any, n_kept: int, date: Any, weight_sum: float | None, name: str
) -> np.ndarray:
    if not hasattr(est, "weights_"):
        raise DataTypeError(
            f"estimator {name} has no weights_ after fit; pass a portfolio estimator "
            "(skfolio MeanRisk, RiskBudgeting, HierarchicalRiskParity ...)"
        )
    w = np.asarray(est.weights_, dtype=np.float64).ravel()
    if w.shape != (n_kept,):
        raise ValidationError(
            f"estimator {name} returned {w.size} weights at {date} for {n_kept} assets; "
            "weights_ must hold one weight per column of X"
        )
    if not np.all(np.isfinite(w)):
        bad = int(np.flatnonzero(~np.isfinite(w))[0])
        raise ValidationError(
            f"estimator {name} returned non-finite weights at {date} (first at position "
            f"{bad}: {w[bad]}); a window too short or too collinear for the estimator is the "
            "usual cause: increase lookback or regularize the estimator"
        )
    if weight_sum is not None and abs(w.sum() - weight_sum) > _SUM_TOL:
        raise ValidationError(
            f"estimator {name} weights sum to {w.sum():.10g} at {date}; walk_forward expects "
            f"{weight_sum} (within {_SUM_TOL}). Pass weight_sum=None for long-short or "
            "leveraged estimators, or weight_sum=<their budget>"
        )
    return w


def _turnover(w: np.ndarray, close_ffill: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """``sum |w_k - drift(w_{k-1})|`` per rebalance; cash (``1 - sum w``) does not grow."""
    out = np.empty(len(pos))
    prev = np.zeros(w.shape[1])
    for k in range(len(pos)):
        if k:
            growth = np.nan_to_num(close_ffill[pos[k]] / close_ffill[pos[k - 1]], nan=1.0)
            held = prev * growth
            prev = held / (held.sum() + 1.0 - prev.sum())
        out[k] = np.abs(w[k] - prev).sum()
        prev = w[k]
    return out


class _Fitted(NamedTuple):
    """The fitting pass: rebalance bars, their weights, assets used, time in the estimator."""

    close: np.ndarray
    bars: pd.Index
    columns: pd.Index
    pos: np.ndarray
    weights: np.ndarray
    n_used: np.ndarray
    fit_seconds: float


def _fit(
    estimator: Any,
    prices: Any,
    rebalance: str | int,
    lookback: int,
    missing: str,
    weight_sum: float | None,
    min_lookback: int | None,
) -> _Fitted:
    from sklearn.base import clone

    _check_estimator(estimator)
    close, labels = as_float_panel(prices, "prices", positive=True, bounds=(PRICE_MIN, PRICE_MAX))
    if missing not in _MISSING:
        raise ParameterError(
            f"The 'missing' parameter of walk_forward must be one of {list(_MISSING)}. "
            f"Got {missing!r} instead"
        )
    n_bars, n_assets = close.shape
    if (
        isinstance(lookback, bool)
        or not isinstance(lookback, numbers.Integral)
        or not 2 <= lookback <= n_bars - 2
    ):
        raise ParameterError(
            f"The 'lookback' parameter of walk_forward must be an int in [2, n_bars - 2] = "
            f"[2, {n_bars - 2}] (returns per window, leaving one bar to hold). Got {lookback!r} "
            "instead; pass a longer price history or a shorter lookback"
        )
    if min_lookback is None:
        need, why = n_assets + 1, f"n_assets + 1: a full-rank covariance of {n_assets} assets"
    else:
        need, why = int(min_lookback), "min_lookback"
    if lookback < need:
        raise ParameterError(
            f"lookback={lookback} is too short for the estimator: a window needs at least "
            f"{need} returns ({why}); pass a longer lookback, or min_lookback=<n> for an "
            "estimator that needs fewer"
        )
    index, columns = labels.index, labels.columns
    pos = rebalance_bars(index, rebalance, int(lookback))
    if len(pos) == 0:
        raise ParameterError(
            f"walk_forward has no rebalance date: {n_bars} bars leave none after the first "
            f"lookback={lookback} returns with rebalance={rebalance!r}; pass more history"
        )
    rets = np.full_like(close, np.nan)
    with np.errstate(invalid="ignore"):
        rets[1:] = close[1:] / close[:-1] - 1.0
    name = type(estimator).__name__
    weights = np.zeros((len(pos), n_assets))
    n_used = np.empty(len(pos), dtype=np.int64)
    fit_seconds = 0.0
    for k, d in enumerate(pos):
        window = rets[d - lookback + 1 : d + 1]
        full = ~np.isnan(window).any(axis=0)
        if not full.all() and missing == "raise":
            asset = columns[int(np.flatnonzero(~full)[0])]
            raise ValidationError(
                f"asset {asset!r} has missing returns in the window ending {index[d]} "
                f"(missing='raise'); pass missing='exclude' to fit without it there"
            )
        kept = np.flatnonzero(full)
        if len(kept) < 2:
            raise ValidationError(
                f"the window ending {index[d]} has {len(kept)} asset(s) with {lookback} "
                "returns; walk_forward needs at least 2. Start later or shorten lookback"
            )
        X = pd.DataFrame(
            window[:, kept], index=index[d - lookback + 1 : d + 1], columns=columns[kept]
        )
        f0 = time.perf_counter()
        est = clone(estimator)
        try:
            est.fit(X)
        except Exception as exc:  # any failure: re-raised naming the window
            raise ValidationError(
                f"estimator {name} failed to fit on the window ending {index[d]} "
                f"({lookback} returns x {len(kept)} assets): {exc} Check the estimator's "
                "constraints for such a window, or lengthen lookback"
            ) from exc
        fit_seconds += time.perf_counter() - f0
        weights[k, kept] = _fitted_weights(est, len(kept), index[d], weight_sum, name)
        n_used[k] = len(kept)
    return _Fitted(close, index, columns, pos, weights, n_used, fit_seconds)


def _panel(fit: _Fitted, drift: bool) -> pd.DataFrame:
    """Targets for ``from_weights``: rebalance rows only (drift) or held on every bar."""
    pos, weights = fit.pos, fit.weights
    panel = np.full((len(fit.bars), len(fit.columns)), np.nan)
    panel[pos] = weights
    if not drift:
        held = np.searchsorted(pos, np.arange(len(fit.bars)), side="right") - 1
        panel[pos[0] :] = weights[held[pos[0] :]]
    return pd.DataFrame(panel, index=fit.bars, columns=fit.columns)


def walk_forward(
    estimator: Any,
    prices: pd.DataFrame,
    *,
    rebalance: str | int = "ME",
    lookback: int = 252,
    drift: bool = True,
    missing: str = "exclude",
    weight_sum: float | None = 1.0,
    min_lookback: int | None = None,
    fees: Any = 0.0,
    fixed_fees: Any = 0.0,
    slippage: Any = 0.0,
    init_cash: float = config.DEFAULT_INIT_CASH,
    periods_per_year: float | None = None,
) -> WalkForwardResult:
    """Refit ``estimator`` on the trailing ``lookback`` returns at each rebalance; backtest it.

    The windows, holding convention, missing-asset policy and weight checks are in the
    module notes of :mod:`quantlab.portfolio.walk_forward`.

    Parameters
    ----------
    estimator : skfolio portfolio estimator or any object with ``fit(X)`` and ``weights_``
        Cloned (``sklearn.base.clone``) before each fit; ``X`` is a DataFrame of simple
        returns ``(lookback, n_assets_kept)``.
    prices : DataFrame, shape (n_bars, n_assets)
        Close prices (NaN = not trading).
    rebalance : str or int, default "ME"
        Pandas offset alias (last bar of each period) or every N bars.
    lookback : int, default 252
        Returns per fitting window (>= 2).
    drift : bool, default True
        Let weights drift between rebalances (True) or trade back to them every bar (False,
        skfolio's convention).
    missing : {"exclude", "raise"}, default "exclude"
        Policy for assets with a NaN return in a window.
    weight_sum : float or None, default 1.0
        Required sum of the fitted weights; None skips the check.
    min_lookback : int, optional
        Shortest window the estimator accepts. Default ``n_assets + 1``: a sample covariance
        of n assets needs n + 1 returns to be full rank (skfolio would otherwise silently
        clip it to the nearest positive definite matrix). Lower it for estimators that need
        no covariance.
    fees, fixed_fees, slippage, init_cash, periods_per_year
        Passed to :func:`quantlab.backtest.from_weights`.

    Returns
    -------
    WalkForwardResult

    Raises
    ------
    DataTypeError
        An estimator without ``fit`` / ``weights_``.
    ParameterError
        Bad ``lookback``, ``rebalance`` or ``missing``; a history too short for one rebalance.
    ValidationError
        Weights that are not finite, of the wrong length or not summing to ``weight_sum``; a
        window with fewer than 2 complete assets; a missing asset with ``missing="raise"``; an
        estimator failing on a window.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skfolio.optimization import EqualWeighted
    >>> idx = pd.bdate_range("2020-01-01", periods=300)
    >>> rng = np.random.default_rng(0)
    >>> prices = pd.DataFrame(
    ...     100 * np.exp(np.cumsum(rng.normal(0, 0.01, (300, 3)), axis=0)),
    ...     index=idx, columns=["A", "B", "C"])
    >>> res = walk_forward(EqualWeighted(), prices, lookback=60, fees=0.001)
    >>> res.weights.shape, round(float(res.weights.iloc[0].sum()), 12)
    ((11, 3), 1.0)
    """
    t0 = time.perf_counter()
    fit = _fit(estimator, prices, rebalance, lookback, missing, weight_sum, min_lookback)
    bt = from_weights(
        prices,
        _panel(fit, drift),
        rebalance=None,
        fees=fees,
        fixed_fees=fixed_fees,
        slippage=slippage,
        init_cash=init_cash,
        periods_per_year=periods_per_year,
    )
    close_ffill = pd.DataFrame(fit.close).ffill().to_numpy()
    pos, weights, index, columns = fit.pos, fit.weights, fit.bars, fit.columns
    dates = index[pos]
    starts = index[pos - lookback + 1]
    return WalkForwardResult(
        backtest=cast(BacktestResult, bt),  # mode='full'
        weights=pd.DataFrame(weights, index=dates, columns=columns),
        turnover=pd.Series(_turnover(weights, close_ffill, pos), index=dates, name="turnover"),
        windows=pd.DataFrame({"start": starts, "end": dates, "n_assets": fit.n_used}, index=dates),
        fit_seconds=fit.fit_seconds,
        total_seconds=time.perf_counter() - t0,
    )


def walk_forward_weights(
    estimator: Any,
    prices: pd.DataFrame,
    *,
    rebalance: str | int = "ME",
    lookback: int = 252,
    drift: bool = True,
    missing: str = "exclude",
    weight_sum: float | None = 1.0,
    min_lookback: int | None = None,
) -> pd.DataFrame:
    """The target-weights panel of :func:`walk_forward`, for ``from_weights`` or a sweep.

    Rows are NaN (no trade) except at rebalance bars (``drift=True``), or hold the last
    targets on every bar from the first rebalance (``drift=False``). A strategy returning it
    makes :func:`quantlab.optimize.sweep` sweep estimator parameters, with the grid's
    deflated Sharpe and PBO::

        def strategy(close, risk_measure):
            est = MeanRisk(risk_measure=RiskMeasure(risk_measure))
            return walk_forward_weights(est, close)

        ql.optimize.sweep(strategy, {"risk_measure": ["variance", "cvar"]}, prices, fees=5e-4)

    (the sweep grid hands enum values to the strategy as their strings).

    Parameters are those of :func:`walk_forward`.

    Returns
    -------
    DataFrame, shape (n_bars, n_assets)

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from skfolio.optimization import EqualWeighted
    >>> prices = pd.DataFrame(np.linspace(10, 20, 30)[:, None] * [1.0, 2.0], columns=["A", "B"])
    >>> w = walk_forward_weights(EqualWeighted(), prices, rebalance=10, lookback=5)
    >>> w.dropna().index.tolist(), w.dropna().iloc[0].tolist()
    ([5, 15, 25], [0.5, 0.5])
    """
    return _panel(
        _fit(estimator, prices, rebalance, lookback, missing, weight_sum, min_lookback), drift
    )
