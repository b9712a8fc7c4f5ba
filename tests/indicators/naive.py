"""Slow, obviously-correct references of quantlab.indicators (pandas + plain Python loops).

Each takes and returns pandas objects column by column and follows the documented NaN
policy: window indicators via ``pandas.rolling(window)`` (NaN if the window holds a NaN),
recursive ones by running the textbook recursion over the valid bars only.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def random_ohlcv(
    n_bars: int = 300, n_assets: int = 4, seed: int = 0, holes: bool = True
) -> dict[str, pd.DataFrame]:
    """Random OHLCV panels; with ``holes``: late listings and scattered NaN bars."""
    rng = np.random.default_rng(seed)
    rets = rng.normal(0.0003, 0.02, size=(n_bars, n_assets))
    close = 100.0 * np.exp(np.cumsum(rets, axis=0))
    high = close * (1 + rng.uniform(0, 0.02, size=close.shape))
    low = close * (1 - rng.uniform(0, 0.02, size=close.shape))
    volume = rng.integers(1_000, 10_000, size=close.shape).astype(float)
    if holes:
        mask = rng.random(close.shape) < 0.03
        mask[: n_bars // 5, 1] = True  # asset 1 lists late
        mask[n_bars // 2 : n_bars // 2 + 3, 2] = True  # a short gap
        for arr in (close, high, low, volume):
            arr[mask] = np.nan
        high[rng.random(close.shape) < 0.01] = np.nan  # holes that differ between panels
    index = pd.bdate_range("2015-01-01", periods=n_bars)
    columns = pd.Index([f"S{i}" for i in range(n_assets)], name="symbol")
    panels = {"close": close, "high": high, "low": low, "volume": volume}
    return {k: pd.DataFrame(v, index=index, columns=columns) for k, v in panels.items()}


def _per_column(func, *frames: pd.DataFrame, **kw) -> pd.DataFrame:
    first = frames[0]
    return pd.DataFrame(
        {c: func(*(f[c] for f in frames), **kw) for c in first.columns},
        index=first.index,
    ).rename_axis(columns=first.columns.name)


def _on_valid(series: pd.Series, values: list[float]) -> pd.Series:
    return pd.Series(values, index=series.index, dtype=float)


# ---------------------------------------------------------------- window indicators


def sma(close: pd.DataFrame, w: int) -> pd.DataFrame:
    return close.rolling(w).mean()


def wma(close: pd.DataFrame, w: int) -> pd.DataFrame:
    weights = np.arange(1, w + 1, dtype=float)
    return close.rolling(w).apply(lambda v: float(v @ weights) / weights.sum(), raw=True)


def rolling_std(x: pd.DataFrame, w: int, ddof: int) -> pd.DataFrame:
    return x.rolling(w).std(ddof=ddof)


def zscore(close: pd.DataFrame, w: int, ddof: int = 1) -> pd.DataFrame:
    sd = close.rolling(w).std(ddof=ddof)
    return ((close - close.rolling(w).mean()) / sd).where(sd > 0)


def roc(close: pd.DataFrame, w: int) -> pd.DataFrame:
    prev = close.shift(w)
    return (100.0 * (close / prev - 1.0)).where(prev != 0)


def bollinger(close: pd.DataFrame, w: int, n_std: float):
    mid = close.rolling(w).mean()
    sd = close.rolling(w).std(ddof=0)
    return mid, mid + n_std * sd, mid - n_std * sd


def donchian(high: pd.DataFrame, low: pd.DataFrame, w: int):
    upper = high.rolling(w).max()
    lower = low.rolling(w).min()
    return upper, lower, (upper + lower) / 2


def stochastic(high, low, close, k_w: int, d_w: int):
    hh = high.rolling(k_w).max()
    ll = low.rolling(k_w).min()
    rng = hh - ll
    k = (100.0 * (close - ll) / rng).where(rng > 0, 50.0).where(rng.notna() & close.notna())
    return k, k.rolling(d_w).mean()


# ---------------------------------------------------------------- recursive indicators


def _ema_1d(s: pd.Series, span: int) -> pd.Series:
    alpha = 2.0 / (span + 1)
    out = [math.nan] * len(s)
    seen: list[float] = []
    value = math.nan
    for i, v in enumerate(s.tolist()):
        if math.isnan(v):
            continue
        if len(seen) < span:
            seen.append(v)
            if len(seen) == span:
                value = sum(seen) / span
                out[i] = value
        else:
            value = value + alpha * (v - value)
            out[i] = value
    return _on_valid(s, out)


def ema(close: pd.DataFrame, span: int) -> pd.DataFrame:
    return _per_column(_ema_1d, close, span=span)


def macd(close: pd.DataFrame, fast: int, slow: int, signal: int):
    line = ema(close, fast) - ema(close, slow)
    sig = ema(line, signal)
    return line, sig, line - sig


def _rsi_1d(s: pd.Series, w: int) -> pd.Series:
    out = [math.nan] * len(s)
    prev = math.nan
    gains: list[float] = []
    losses: list[float] = []
    avg_g = avg_l = math.nan
    for i, v in enumerate(s.tolist()):
        if math.isnan(v):
            continue
        if math.isnan(prev):
            prev = v
            continue
        change, prev = v - prev, v
        g, lo = max(change, 0.0), max(-change, 0.0)
        if len(gains) < w:
            gains.append(g)
            losses.append(lo)
            if len(gains) < w:
                continue
            avg_g, avg_l = sum(gains) / w, sum(losses) / w
        else:
            avg_g = (avg_g * (w - 1) + g) / w
            avg_l = (avg_l * (w - 1) + lo) / w
        if avg_l > 0:
            out[i] = 100.0 - 100.0 / (1.0 + avg_g / avg_l)  # textbook RS form
        else:
            out[i] = 100.0 if avg_g > 0 else 50.0
    return _on_valid(s, out)


def rsi(close: pd.DataFrame, w: int) -> pd.DataFrame:
    return _per_column(_rsi_1d, close, w=w)


def _atr_1d(h: pd.Series, lo: pd.Series, c: pd.Series, w: int) -> pd.Series:
    out = [math.nan] * len(c)
    prev_close = math.nan
    trs: list[float] = []
    value = math.nan
    for i, (hi, li, ci) in enumerate(zip(h.tolist(), lo.tolist(), c.tolist(), strict=True)):
        if math.isnan(hi) or math.isnan(li) or math.isnan(ci):
            continue
        if math.isnan(prev_close):
            prev_close = ci
            continue
        tr = max(hi - li, abs(hi - prev_close), abs(li - prev_close))
        prev_close = ci
        if len(trs) < w:
            trs.append(tr)
            if len(trs) < w:
                continue
            value = sum(trs) / w
        else:
            value = (value * (w - 1) + tr) / w
        out[i] = value
    return _on_valid(c, out)


def atr(high, low, close, w: int) -> pd.DataFrame:
    return _per_column(_atr_1d, high, low, close, w=w)


def _obv_1d(c: pd.Series, v: pd.Series) -> pd.Series:
    out = [math.nan] * len(c)
    prev = math.nan
    acc = 0.0
    for i, (ci, vi) in enumerate(zip(c.tolist(), v.tolist(), strict=True)):
        if math.isnan(ci) or math.isnan(vi):
            continue
        if math.isnan(prev):
            acc = vi
        elif ci > prev:
            acc += vi
        elif ci < prev:
            acc -= vi
        prev = ci
        out[i] = acc
    return _on_valid(c, out)


def obv(close, volume) -> pd.DataFrame:
    return _per_column(_obv_1d, close, volume)
