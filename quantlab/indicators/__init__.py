"""Technical indicators: numba kernels vectorized over columns and parameter values.

Inputs are panels ``(n_bars, n_assets)``: DataFrame, Series or ndarray.

Parameters and columns
    A scalar parameter keeps the input's labels (Series in, Series out; a 1-D ndarray
    gives a Series, a 2-D ndarray a DataFrame, both with a ``RangeIndex``). A list (tuple,
    range, ndarray) of values gives a DataFrame whose columns are a MultiIndex
    ``(param, *asset levels)``, e.g. ``("window", "symbol")``; several list parameters form
    their cartesian product, first parameter outermost (``("fast", "slow", "signal",
    "symbol")`` for :func:`macd`). Values keep the order given; each distinct value is
    computed once and a duplicated value repeats its columns. Only list-valued parameters
    become levels. See :mod:`quantlab.indicators.grid`.

NaN policy
    * Leading bars before the look-back is complete are NaN (``min_periods = window``, the
      TA-Lib look-back).
    * Window indicators (:func:`sma`, :func:`wma`, :func:`bollinger`, :func:`zscore`,
      :func:`rolling_volatility`, :func:`donchian`, the windows of :func:`stochastic`) give
      NaN whenever the window holds a NaN, like ``pandas.rolling(window)``.
      :func:`roc` is positional: NaN if either end is NaN.
    * Recursive indicators (:func:`ema`, :func:`macd`, :func:`rsi`, :func:`atr`, :func:`obv`)
      skip NaN bars: NaN out on that bar, state carried to the next valid bar, seeding
      counted in valid bars (so an asset listed later starts its own seed).
    * Degenerate windows: a flat range gives RSI 50 and stochastic %K 50 (TA-Lib gives 0);
      a z-score with zero dispersion is NaN.

Seeding follows TA-Lib: EMA starts from the SMA of the first ``span`` values, RSI and ATR
from the simple mean of the first ``window`` changes / true ranges, then Wilder smoothing.

Examples
--------
>>> import numpy as np, pandas as pd
>>> import quantlab.indicators as qi
>>> close = pd.DataFrame({"A": np.arange(1.0, 31.0), "B": np.arange(30.0, 0.0, -1)})
>>> close.columns.name = "symbol"
>>> qi.sma(close, [5, 10, 5]).columns.names
FrozenList(['window', 'symbol'])
>>> qi.rsi(close).iloc[-1].tolist()
[100.0, 0.0]
"""

from __future__ import annotations

from quantlab.indicators.api import (
    MACD,
    Bollinger,
    Donchian,
    Stochastic,
    atr,
    bollinger,
    donchian,
    ema,
    macd,
    obv,
    roc,
    rolling_volatility,
    rsi,
    sma,
    stochastic,
    wma,
    zscore,
)

__all__ = [
    "sma",
    "ema",
    "wma",
    "rsi",
    "macd",
    "bollinger",
    "atr",
    "stochastic",
    "obv",
    "roc",
    "zscore",
    "rolling_volatility",
    "donchian",
    "MACD",
    "Bollinger",
    "Stochastic",
    "Donchian",
]
