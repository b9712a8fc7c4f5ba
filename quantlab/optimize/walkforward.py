"""Walk-forward optimization: choose parameters in sample, trade them out of sample.

Windows are cut on bar positions. With ``anchored=False`` (rolling) the in-sample window
is the ``train`` bars before each out-of-sample window; with ``anchored=True`` (expanding)
it starts at the first bar. Out-of-sample windows of ``test`` bars follow one another
without overlap. In each window the grid is swept on the in-sample bars, the best
combination by ``metric`` is kept, and the strategy is run with it on the in-sample and
out-of-sample bars together (so indicators are warmed up on history only); its signals or
weights on the out-of-sample bars alone are then backtested, starting flat with the
capital carried from the previous window. The out-of-sample returns are stitched into one
equity curve: every return in it was earned with parameters chosen before its window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlab import config
from quantlab.errors import DataTypeError, ParameterError
from quantlab.optimize.sweep import (
    _build_vectorized,
    _classify,
    _is_vectorized,
    _Job,
    close_of,
    sweep,
)


@dataclass(eq=False)
class WalkForwardResult:
    """Outcome of :func:`walk_forward`.

    Attributes
    ----------
    windows : DataFrame
        One row per window: in-sample and out-of-sample start/end, the chosen parameters,
        their in-sample ``metric`` and the out-of-sample total return.
    oos_returns : Series
        Stitched out-of-sample bar returns.
    oos_equity : Series
        ``init_cash * cumprod(1 + oos_returns)``.
    """

    windows: pd.DataFrame
    oos_returns: pd.Series
    oos_equity: pd.Series
    metric: str

    def stats(self, **kwargs: Any) -> pd.DataFrame:
        """:func:`quantlab.metrics.summary` of the stitched out-of-sample returns."""
        from quantlab import metrics

        return metrics.summary(self.oos_returns, **kwargs)


def _slice(data: Any, start: int, stop: int) -> Any:
    if isinstance(data, (pd.DataFrame, pd.Series)):
        return data.iloc[start:stop]
    if isinstance(data, Mapping):
        return {
            k: (v.iloc[start:stop] if isinstance(v, (pd.DataFrame, pd.Series)) else v)
            for k, v in data.items()
        }
    raise DataTypeError(
        f"walk_forward slices a DataFrame or a dict of DataFrames; got {type(data).__name__}."
        " Pass e.g. {'close': close, 'high': high, 'low': low}"
    )


def _run_one(
    strategy: Callable[..., Any], data: Any, params: dict[str, Any]
) -> tuple[str, Any, Any]:
    """The strategy's output for one combination, with one column per asset."""
    if not _is_vectorized(strategy):
        return _classify(strategy(data, **params), params)
    job = _Job(strategy, data, pd.DataFrame([params]), {}, None)
    kind, a, b = _build_vectorized(job)
    n = len(params)
    a = a.droplevel(list(range(n)), axis=1)
    if b is not None:
        b = b.droplevel(list(range(n)), axis=1)
    return kind, a, b


def walk_forward(
    strategy: Callable[..., Any],
    grid: Mapping[str, Iterable[Any]],
    data: Any,
    *,
    train: int,
    test: int,
    anchored: bool = False,
    metric: str = "sharpe",
    init_cash: float = config.DEFAULT_INIT_CASH,
    n_jobs: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
    periods_per_year: float | None = None,
    **engine_kwargs: Any,
) -> WalkForwardResult:
    """Optimize on rolling/expanding in-sample windows, apply out of sample, stitch.

    Parameters
    ----------
    strategy, grid, data, metric, n_jobs, scheduler, periods_per_year, **engine_kwargs
        As in :func:`~quantlab.optimize.sweep`.
    train : int
        In-sample bars (the first window's; anchored windows then grow).
    test : int
        Out-of-sample bars per window.
    anchored : bool
        Expanding in-sample windows from the first bar instead of rolling ones.
    init_cash : float
        Capital at the start of the first out-of-sample window.

    Returns
    -------
    WalkForwardResult

    Raises
    ------
    ParameterError
        ``train``/``test`` < 1 or longer than the data allows.

    Examples
    --------
    >>> import numpy as np, pandas as pd, quantlab as ql
    >>> idx = pd.bdate_range("2020-01-01", periods=400)
    >>> close = pd.DataFrame({"A": 100 + np.cumsum(np.sin(np.arange(400) / 9))}, index=idx)
    >>> def cross(data, fast, slow):
    ...     f, s = data.rolling(fast).mean(), data.rolling(slow).mean()
    ...     return (f > s) & (f.shift() <= s.shift()), (f < s) & (f.shift() >= s.shift())
    >>> wf = ql.optimize.walk_forward(cross, {"fast": [5, 10], "slow": [20, 40]}, close,
    ...                               train=200, test=100, progress=False)
    >>> len(wf.windows)
    2
    """
    close = close_of(data)
    n = close.shape[0]
    for name, value in (("train", train), ("test", test)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ParameterError(f"{name} must be a positive number of bars; got {value!r}")
    if train + test > n:
        raise ParameterError(
            f"train + test = {train + test} bars but the data has {n}; shorten the windows"
        )
    from quantlab.backtest import from_signals, from_weights

    rows = []
    pieces: list[pd.Series] = []
    capital = float(init_cash)
    starts = range(train, n, test)
    iterator: Iterable[int] = starts
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(starts, desc="walk-forward", total=len(starts))
    for is_end in iterator:
        is_start = 0 if anchored else is_end - train
        oos_end = min(is_end + test, n)
        res = sweep(
            strategy,
            grid,
            _slice(data, is_start, is_end),
            metric=metric,
            n_jobs=n_jobs,
            scheduler=scheduler,
            progress=False,
            periods_per_year=periods_per_year,
            **engine_kwargs,
        )
        best = res.best
        window = _slice(data, is_start, oos_end)
        kind, a, b = _run_one(strategy, window, best)
        k = is_end - is_start
        oos_close = close.iloc[is_end:oos_end]
        if kind == "signals":
            bt = from_signals(
                oos_close,
                a.iloc[k:],
                b.iloc[k:],
                init_cash=capital,
                periods_per_year=periods_per_year,
                **engine_kwargs,
            )
            rets = bt.returns  # type: ignore[union-attr]
            r = rets.mean(axis=1) if isinstance(rets, pd.DataFrame) else rets
        else:
            bt = from_weights(
                oos_close,
                a.iloc[k:],
                init_cash=capital,
                periods_per_year=periods_per_year,
                **engine_kwargs,
            )
            rets = bt.returns  # type: ignore[union-attr]
            r = rets.iloc[:, 0] if isinstance(rets, pd.DataFrame) else rets
        r = pd.Series(np.asarray(r, dtype=float), index=oos_close.index)
        growth = float(np.prod(1.0 + r.fillna(0.0).to_numpy()))
        capital *= growth
        pieces.append(r)
        rows.append(
            {
                "is_start": close.index[is_start],
                "is_end": close.index[is_end - 1],
                "oos_start": close.index[is_end],
                "oos_end": close.index[oos_end - 1],
                **best,
                f"is_{metric}": float(res.scores().max()),
                "oos_total_return": growth - 1.0,
            }
        )
    oos = pd.concat(pieces)
    oos.name = "oos_return"
    equity = init_cash * (1.0 + oos.fillna(0.0)).cumprod()
    equity.name = "oos_equity"
    return WalkForwardResult(pd.DataFrame(rows), oos, equity, metric)
