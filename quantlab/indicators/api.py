"""User-facing technical indicators: validate, call one kernel per distinct parameter, label.

Every function accepts a DataFrame ``(n_bars, n_assets)``, a Series or a 1-D/2-D ndarray
(ndarrays get a ``RangeIndex``). With scalar parameters the output has the input's labels
(Series in, Series out). With a list for any parameter, the output is a DataFrame whose
columns are a MultiIndex ``(*list-valued parameters, *input column levels)``; see
:mod:`quantlab.indicators.grid`. See :mod:`quantlab.indicators` for the NaN policy.
"""

from __future__ import annotations

from typing import Any, NamedTuple, TypeAlias

import numpy as np
import pandas as pd

from quantlab._typing import Float64Array2D
from quantlab._validation import Labels, as_float_panel
from quantlab.errors import AlignmentError, ParameterError, ShapeError
from quantlab.indicators import _kernels as _k
from quantlab.indicators.grid import ParamGrid, param_values, product_grid

Frame: TypeAlias = "pd.DataFrame | pd.Series"

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


class MACD(NamedTuple):
    """Result of :func:`macd`: the MACD line, its signal line and their difference."""

    macd: Frame
    signal: Frame
    hist: Frame


class Bollinger(NamedTuple):
    """Result of :func:`bollinger`: the rolling mean and the bands around it."""

    middle: Frame
    upper: Frame
    lower: Frame


class Stochastic(NamedTuple):
    """Result of :func:`stochastic`: fast %K and its simple average %D (both in percent)."""

    k: Frame
    d: Frame


class Donchian(NamedTuple):
    """Result of :func:`donchian`: highest high, lowest low and their midpoint."""

    upper: Frame
    lower: Frame
    middle: Frame


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def _panel(data: Any, name: str) -> tuple[Float64Array2D, Labels]:
    """The panel as kernels take it: C-contiguous ``(n_assets, n_bars)`` (its transpose)."""
    arr, labels = as_float_panel(data, name)
    return np.ascontiguousarray(arr.T), labels


def _panels(func: str, **data: Any) -> tuple[list[Float64Array2D], Labels]:
    """Convert several aligned panels (high/low/close/volume); labels of the first one."""
    arrays: list[Float64Array2D] = []
    first_name = next(iter(data))
    labels: Labels | None = None
    for name, value in data.items():
        arr, lab = _panel(value, name)
        if labels is None:
            labels = lab
        elif arr.shape != arrays[0].shape:
            raise ShapeError(
                f"{func}: {name} has shape {arr.T.shape} but {first_name} has shape "
                f"{arrays[0].T.shape}; pass panels with the same bars and columns"
            )
        elif isinstance(value, (pd.DataFrame, pd.Series)) and isinstance(
            data[first_name], (pd.DataFrame, pd.Series)
        ):
            if not lab.index.equals(labels.index) or not lab.columns.equals(labels.columns):
                raise AlignmentError(
                    f"{func}: {name} and {first_name} have different index or columns; "
                    f"align them first, e.g. {name}.reindex_like({first_name})"
                )
        arrays.append(arr)
    assert labels is not None  # data is never empty (internal call)
    return arrays, labels


def _ints(value: Any, name: str, func: str, low: int = 1) -> tuple[list[Any], bool]:
    return param_values(value, name, func, kind="int", low=low)


def _ddof(value: Any, func: str) -> int:
    if isinstance(value, (bool, np.bool_)) or value not in (0, 1):
        raise ParameterError(
            f"The 'ddof' parameter of {func} must be 0 or 1. Got {value!r} instead."
        )
    return int(value)


def _blocks(out: Float64Array2D, shape: tuple[int, ...]) -> np.ndarray:
    """View kernel output ``(prod(shape) * n_assets, n_bars)`` as ``(*shape, n_assets, n_bars)``."""
    return out.reshape((*shape, -1, out.shape[-1]))


def _label(blocks: np.ndarray, grid: ParamGrid, labels: Labels) -> Frame:
    """Label ``(*distinct params, n_assets, n_bars)`` blocks as ``(n_bars, columns)``."""
    return grid.label(blocks.reshape(-1, blocks.shape[-1]).T, labels)


def _window_indicator(
    kernel: Any,
    func: str,
    data: Any,
    data_name: str,
    window: Any,
    *extra: Any,
    low: int = 1,
    pname: str = "window",
) -> Frame:
    x, labels = _panel(data, data_name)
    grid = product_grid({pname: _ints(window, pname, func, low)})
    return grid.label(kernel(x, grid.array(pname), *extra).T, labels)


# --------------------------------------------------------------------------------------
# moving averages
# --------------------------------------------------------------------------------------


def sma(close: Any, window: Any) -> Frame:
    """Simple moving average.

    Parameters
    ----------
    close : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Prices (any float panel).
    window : int or list of int
        Number of bars averaged (>= 1). A list computes every distinct window once.

    Returns
    -------
    DataFrame or Series
        NaN for the first ``window - 1`` bars and wherever the window holds a NaN.

    Raises
    ------
    ParameterError
        ``window`` is not a positive int (or a list of them).

    Examples
    --------
    >>> import pandas as pd
    >>> sma(pd.Series([1.0, 2.0, 3.0, 4.0]), 2).tolist()
    [nan, 1.5, 2.5, 3.5]
    >>> sma(pd.DataFrame({"A": [1.0, 2.0, 3.0]}), [1, 2]).columns.tolist()
    [(1, 'A'), (2, 'A')]
    """
    return _window_indicator(_k.sma, "sma", close, "close", window)


def ema(close: Any, span: Any) -> Frame:
    """Exponential moving average with ``alpha = 2 / (span + 1)``, seeded as TA-Lib.

    The first value, at the ``span``-th valid bar, is the simple mean of the first ``span``
    valid values; then ``ema[t] = ema[t-1] + alpha * (close[t] - ema[t-1])``. NaN bars are
    skipped (NaN output, state carried to the next valid bar).

    Parameters
    ----------
    close : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Prices.
    span : int or list of int
        EMA span (>= 1).

    Returns
    -------
    DataFrame or Series

    Raises
    ------
    ParameterError
        ``span`` is not a positive int (or a list of them).

    Examples
    --------
    >>> import pandas as pd
    >>> ema(pd.Series([1.0, 2.0, 3.0, 4.0]), 3).tolist()
    [nan, nan, 2.0, 3.0]
    """
    return _window_indicator(_k.ema, "ema", close, "close", span, pname="span")


def wma(close: Any, window: Any) -> Frame:
    """Linearly weighted moving average (weight ``window`` on the newest bar, 1 on the oldest).

    Parameters
    ----------
    close : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Prices.
    window : int or list of int
        Number of bars (>= 1).

    Returns
    -------
    DataFrame or Series
        NaN for the first ``window - 1`` bars and wherever the window holds a NaN.

    Raises
    ------
    ParameterError
        ``window`` is not a positive int (or a list of them).

    Examples
    --------
    >>> import pandas as pd
    >>> wma(pd.Series([1.0, 2.0, 3.0]), 2).round(4).tolist()
    [nan, 1.6667, 2.6667]
    """
    return _window_indicator(_k.wma, "wma", close, "close", window)


# --------------------------------------------------------------------------------------
# oscillators and momentum
# --------------------------------------------------------------------------------------


def rsi(close: Any, window: Any = 14) -> Frame:
    """Relative strength index with Wilder smoothing (TA-Lib / StockCharts convention).

    Average gain and loss start as the simple mean of the first ``window`` close-to-close
    changes (first value at bar ``window``), then ``avg = (avg * (window - 1) + x) / window``.
    ``RSI = 100 * avg_gain / (avg_gain + avg_loss)``; a flat stretch (both averages 0)
    gives 50 (TA-Lib gives 0 there). NaN closes are skipped: the change is taken from the
    last valid close and the state is carried.

    Parameters
    ----------
    close : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Prices.
    window : int or list of int, default 14
        Smoothing period (>= 1).

    Returns
    -------
    DataFrame or Series
        Values in [0, 100].

    Raises
    ------
    ParameterError
        ``window`` is not a positive int (or a list of them).

    Examples
    --------
    >>> import pandas as pd
    >>> rsi(pd.Series([1.0, 2.0, 1.0, 2.0, 3.0]), 2).tolist()
    [nan, nan, 50.0, 75.0, 87.5]
    """
    return _window_indicator(_k.rsi, "rsi", close, "close", window)


def macd(close: Any, fast: Any = 12, slow: Any = 26, signal: Any = 9) -> MACD:
    """Moving average convergence/divergence: ``ema(fast) - ema(slow)`` and its signal EMA.

    Every EMA is :func:`ema` (SMA-seeded, NaN skipped). The signal line is the EMA of the
    MACD line over ``signal`` bars, seeded by the mean of its first ``signal`` valid values;
    ``hist = macd - signal``. TA-Lib re-seeds the fast EMA at the slow EMA's first bar, so
    its first values differ; both agree once the seeds have decayed (a few dozen bars).
    ``fast >= slow`` is allowed (a sweep grid may contain such pairs).

    Parameters
    ----------
    close : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Prices.
    fast, slow, signal : int or list of int, default 12, 26, 9
        EMA spans (>= 1). Lists form the cartesian product (fast, slow, signal).

    Returns
    -------
    MACD
        Named tuple ``(macd, signal, hist)`` of identically labelled frames.

    Raises
    ------
    ParameterError
        A span is not a positive int (or a list of them).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> res = macd(pd.Series(np.arange(40.0)), fast=3, slow=6, signal=2)
    >>> float(res.macd.iloc[-1]), float(res.hist.iloc[-1])
    (1.5, 0.0)
    """
    x, labels = _panel(close, "close")
    grid = product_grid(
        {
            name: _ints(v, name, "macd")
            for name, v in (("fast", fast), ("slow", slow), ("signal", signal))
        }
    )
    nf, ns, ng = grid.shape
    ef = _blocks(_k.ema(x, grid.array("fast")), (nf, 1))
    es = _blocks(_k.ema(x, grid.array("slow")), (1, ns))
    line = ef - es  # (fast, slow, asset, bar)
    sig = _k.ema(line.reshape(-1, line.shape[-1]), grid.array("signal"))
    sig = _blocks(sig, (ng, nf, ns)).transpose(1, 2, 0, 3, 4)  # (fast, slow, signal, ...)
    line5 = line[:, :, None]
    return MACD(
        macd=_label(np.broadcast_to(line5, sig.shape), grid, labels),
        signal=_label(sig, grid, labels),
        hist=_label(line5 - sig, grid, labels),
    )


def stochastic(
    high: Any, low: Any, close: Any, k_window: Any = 14, d_window: Any = 3
) -> Stochastic:
    """Fast stochastic oscillator: %K and its simple moving average %D (TA-Lib ``STOCHF``).

    ``%K = 100 * (close - lowest low) / (highest high - lowest low)`` over ``k_window`` bars
    (first value at bar ``k_window - 1``; a flat range gives 50, TA-Lib gives 0);
    ``%D = sma(%K, d_window)``. A window with a NaN high or low, or a NaN close, gives NaN.

    Parameters
    ----------
    high, low, close : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Aligned price panels.
    k_window, d_window : int or list of int, default 14, 3
        Window lengths (>= 1). Lists form the cartesian product (k_window, d_window).

    Returns
    -------
    Stochastic
        Named tuple ``(k, d)``, values in [0, 100].

    Raises
    ------
    ParameterError
        A window is not a positive int (or a list of them).
    ShapeError, AlignmentError
        The panels do not have the same shape / labels.

    Examples
    --------
    >>> import pandas as pd
    >>> h, lo = pd.Series([2.0, 3.0, 4.0, 5.0]), pd.Series([1.0, 2.0, 3.0, 4.0])
    >>> stochastic(h, lo, pd.Series([1.5, 2.5, 3.5, 4.5]), 2, 2).k.tolist()
    [nan, 75.0, 75.0, 75.0]
    """
    (h, lo, c), labels = _panels("stochastic", high=high, low=low, close=close)
    grid = product_grid(
        {
            "k_window": _ints(k_window, "k_window", "stochastic"),
            "d_window": _ints(d_window, "d_window", "stochastic"),
        }
    )
    nk, nd = grid.shape
    k = _k.stoch_k(h, lo, c, grid.array("k_window"))
    d = _blocks(_k.sma(k, grid.array("d_window")), (nd, nk)).transpose(1, 0, 2, 3)
    k4 = np.broadcast_to(_blocks(k, (nk, 1)), d.shape)
    return Stochastic(k=_label(k4, grid, labels), d=_label(d, grid, labels))


def roc(close: Any, window: Any) -> Frame:
    """Rate of change in percent: ``100 * (close[t] / close[t - window] - 1)`` (TA-Lib ``ROC``).

    Positional: NaN when either bar is NaN or ``close[t - window]`` is 0.

    Parameters
    ----------
    close : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Prices.
    window : int or list of int
        Look-back in bars (>= 1).

    Returns
    -------
    DataFrame or Series

    Raises
    ------
    ParameterError
        ``window`` is not a positive int (or a list of them).

    Examples
    --------
    >>> import pandas as pd
    >>> roc(pd.Series([100.0, 110.0, 121.0]), 1).round(6).tolist()
    [nan, 10.0, 10.0]
    """
    return _window_indicator(_k.roc, "roc", close, "close", window)


def obv(close: Any, volume: Any) -> Frame:
    """On-balance volume (TA-Lib): starts at the first valid bar's volume, then adds the
    volume on up-closes and subtracts it on down-closes.

    A bar with a NaN close or volume outputs NaN and is skipped (the next bar compares with
    the last valid close).

    Parameters
    ----------
    close, volume : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Aligned panels.

    Returns
    -------
    DataFrame or Series
        Same labels as ``close``.

    Raises
    ------
    ShapeError, AlignmentError
        The panels do not have the same shape / labels.

    Examples
    --------
    >>> import pandas as pd
    >>> obv(pd.Series([1.0, 2.0, 1.5, 1.5]), pd.Series([10.0, 5.0, 3.0, 7.0])).tolist()
    [10.0, 15.0, 12.0, 12.0]
    """
    (c, v), labels = _panels("obv", close=close, volume=volume)
    grid = product_grid({})
    return grid.label(_k.obv(c, v).T, labels)


# --------------------------------------------------------------------------------------
# volatility and bands
# --------------------------------------------------------------------------------------


def bollinger(close: Any, window: Any = 20, n_std: Any = 2.0) -> Bollinger:
    """Bollinger bands: ``sma(window) +/- n_std * rolling std`` (population std, as TA-Lib).

    Parameters
    ----------
    close : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Prices.
    window : int or list of int, default 20
        Window length (>= 1). Each distinct window's mean and std are computed once.
    n_std : float or list of float, default 2.0
        Band width in standard deviations (> 0). Lists form the product (window, n_std).

    Returns
    -------
    Bollinger
        Named tuple ``(middle, upper, lower)``.

    Raises
    ------
    ParameterError
        ``window`` is not a positive int or ``n_std`` not a positive number.

    Examples
    --------
    >>> import pandas as pd
    >>> bands = bollinger(pd.Series([1.0, 3.0, 1.0, 3.0]), window=2, n_std=1.0)
    >>> bands.upper.tolist(), bands.lower.tolist()
    ([nan, 3.0, 3.0, 3.0], [nan, 1.0, 1.0, 1.0])
    """
    x, labels = _panel(close, "close")
    grid = product_grid(
        {
            "window": _ints(window, "window", "bollinger"),
            "n_std": param_values(
                n_std, "n_std", "bollinger", kind="float", low=0.0, low_inclusive=False
            ),
        }
    )
    nw, nn = grid.shape
    windows = grid.array("window")
    mid = _blocks(_k.sma(x, windows), (nw, 1))
    std = _blocks(_k.rolling_std(x, windows, 0), (nw, 1))
    width = grid.array("n_std", np.float64).reshape(1, nn, 1, 1) * std
    return Bollinger(
        middle=_label(np.broadcast_to(mid, width.shape), grid, labels),
        upper=_label(mid + width, grid, labels),
        lower=_label(mid - width, grid, labels),
    )


def atr(high: Any, low: Any, close: Any, window: Any = 14) -> Frame:
    """Average true range with Wilder smoothing (TA-Lib ``ATR``).

    True range ``max(high - low, |high - prev close|, |low - prev close|)`` starts at the
    second valid bar; the first ATR (bar ``window``) is the mean of the first ``window``
    true ranges, then ``atr = (atr * (window - 1) + tr) / window``. A bar with any NaN of
    high/low/close outputs NaN and is skipped (state carried).

    Parameters
    ----------
    high, low, close : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Aligned price panels.
    window : int or list of int, default 14
        Smoothing period (>= 1).

    Returns
    -------
    DataFrame or Series

    Raises
    ------
    ParameterError
        ``window`` is not a positive int (or a list of them).
    ShapeError, AlignmentError
        The panels do not have the same shape / labels.

    Examples
    --------
    >>> import pandas as pd
    >>> h, lo, c = (pd.Series(v) for v in ([2.0, 3.0, 4.0], [1.0, 1.0, 2.0], [1.5, 2.0, 3.0]))
    >>> atr(h, lo, c, 2).tolist()
    [nan, nan, 2.0]
    """
    (h, lo, c), labels = _panels("atr", high=high, low=low, close=close)
    grid = product_grid({"window": _ints(window, "window", "atr")})
    return grid.label(_k.atr(h, lo, c, grid.array("window")).T, labels)


def zscore(close: Any, window: Any, *, ddof: int = 1) -> Frame:
    """Rolling z-score ``(close - sma(window)) / rolling std(window, ddof)``.

    NaN where the window holds a NaN or has no dispersion (std 0).

    Parameters
    ----------
    close : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Any float panel.
    window : int or list of int
        Window length (>= 2).
    ddof : {0, 1}, default 1
        Delta degrees of freedom of the std (1: sample std, as pandas).

    Returns
    -------
    DataFrame or Series

    Raises
    ------
    ParameterError
        ``window`` is not an int >= 2 or ``ddof`` is not 0 or 1.

    Examples
    --------
    >>> import pandas as pd
    >>> zscore(pd.Series([1.0, 2.0, 3.0, 5.0]), 3, ddof=0).round(4).tolist()
    [nan, nan, 1.2247, 1.3363]
    """
    return _window_indicator(
        _k.zscore, "zscore", close, "close", window, _ddof(ddof, "zscore"), low=2
    )


def rolling_volatility(
    returns: Any, window: Any, *, ddof: int = 1, periods_per_year: float | None = None
) -> Frame:
    """Rolling standard deviation of *returns* (not prices), optionally annualized.

    Pass simple or log returns (e.g. ``close.pct_change()``); the leading NaN of such
    returns simply delays the first value by one bar.

    Parameters
    ----------
    returns : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Per-bar returns.
    window : int or list of int
        Window length (>= 2).
    ddof : {0, 1}, default 1
        Delta degrees of freedom (1: sample std, as pandas).
    periods_per_year : float, optional
        Multiply by ``sqrt(periods_per_year)`` (e.g. 252 for daily bars).

    Returns
    -------
    DataFrame or Series
        NaN wherever the window holds a NaN.

    Raises
    ------
    ParameterError
        Bad ``window``, ``ddof`` or ``periods_per_year``.

    Examples
    --------
    >>> import pandas as pd
    >>> rolling_volatility(pd.Series([0.01, -0.01, 0.01]), 2, ddof=0).round(6).tolist()
    [nan, 0.01, 0.01]
    """
    ddof = _ddof(ddof, "rolling_volatility")
    scale = 1.0
    if periods_per_year is not None:
        (ppy,), _ = param_values(
            periods_per_year,
            "periods_per_year",
            "rolling_volatility",
            kind="float",
            low=0.0,
            low_inclusive=False,
        )
        scale = float(np.sqrt(ppy))
    out = _window_indicator(
        _k.rolling_std, "rolling_volatility", returns, "returns", window, ddof, low=2
    )
    return out * scale if scale != 1.0 else out


def donchian(high: Any, low: Any, window: Any) -> Donchian:
    """Donchian channels: rolling highest high, lowest low and their midpoint.

    Parameters
    ----------
    high, low : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Aligned price panels.
    window : int or list of int
        Window length (>= 1), current bar included.

    Returns
    -------
    Donchian
        Named tuple ``(upper, lower, middle)``; NaN where the window holds a NaN.

    Raises
    ------
    ParameterError
        ``window`` is not a positive int (or a list of them).
    ShapeError, AlignmentError
        The panels do not have the same shape / labels.

    Examples
    --------
    >>> import pandas as pd
    >>> ch = donchian(pd.Series([3.0, 5.0, 4.0]), pd.Series([1.0, 2.0, 3.0]), 2)
    >>> ch.upper.tolist(), ch.lower.tolist(), ch.middle.tolist()
    ([nan, 5.0, 5.0], [nan, 1.0, 2.0], [nan, 3.0, 3.5])
    """
    (h, lo), labels = _panels("donchian", high=high, low=low)
    grid = product_grid({"window": _ints(window, "window", "donchian")})
    windows = grid.array("window")
    upper = _k.rolling_max(h, windows).T
    lower = _k.rolling_min(lo, windows).T
    return Donchian(
        upper=grid.label(upper, labels),
        lower=grid.label(lower, labels),
        middle=grid.label((upper + lower) / 2.0, labels),
    )
