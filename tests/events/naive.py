"""Slow, obviously-correct event study: pandas, statsmodels and plain loops, event by event.

Written from the documented rules (quantlab.events.abnormal / study docstrings), not from the
kernel: returns from the last valid price (``prices.ffill().pct_change()`` on bars with a
price, NaN elsewhere), the equal-weight market as the row mean of the valid returns, day 0 by
scanning the index for the first bar >= the event date, OLS by statsmodels on the valid
estimation bars, abnormal returns bar by bar.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm


def returns_of(prices: pd.DataFrame) -> pd.DataFrame:
    r = prices.ffill().pct_change(fill_method=None)
    return r.where(prices.notna())


def first_bar_at_or_after(index: pd.DatetimeIndex, date: pd.Timestamp) -> int:
    for i, ts in enumerate(index):
        if ts >= date:
            return i
    return len(index)


def event_rows(
    events: pd.DataFrame,
    prices: pd.DataFrame,
    *,
    date_col: str,
    model: str,
    regressors: pd.DataFrame | None = None,
    estimation: int,
    gap: int,
    window: tuple[int, int],
) -> dict[int, dict]:
    """Per event (by row label): alpha/betas, sigma, n_est, ar (list), ret (list)."""
    rets = returns_of(prices)
    if regressors is None:
        regressors = rets.mean(axis=1, skipna=True).to_frame("market")
    a, b = window
    out = {}
    for label, ev in events.iterrows():
        if ev["symbol"] not in prices.columns:
            continue
        d0 = first_bar_at_or_after(prices.index, ev[date_col])
        if d0 + a < 0 or d0 + b >= len(prices):
            continue
        stop = d0 + a - gap
        start = max(stop - estimation, 0)
        y = rets[ev["symbol"]].iloc[start:stop]
        x = regressors.iloc[start:stop]
        ok = y.notna() & x.notna().all(axis=1)
        y, x = y[ok], x[ok]
        if model == "market_adjusted":
            resid = y - x.iloc[:, 0]
            params = np.array([0.0, 1.0])
            sigma = float(np.std(resid.to_numpy(), ddof=1))
        else:
            fit = sm.OLS(y.to_numpy(), sm.add_constant(x.to_numpy(), has_constant="add")).fit()
            params = fit.params
            sigma = float(np.sqrt(fit.scale))
        ar, ret = [], []
        for t in range(d0 + a, d0 + b + 1):
            r = rets[ev["symbol"]].iloc[t]
            xt = regressors.iloc[t].to_numpy()
            ret.append(r)
            if np.isnan(r) or np.isnan(xt).any():
                ar.append(np.nan)
            elif model == "market_adjusted":
                ar.append(r - xt[0])
            else:
                ar.append(r - params[0] - float(np.dot(params[1:], xt)))
        out[label] = {"params": params, "sigma": sigma, "n_est": len(y), "ar": ar, "ret": ret}
    return out


def car(ar: list[float]) -> float:
    vals = [v for v in ar if not np.isnan(v)]
    return sum(vals) if vals else np.nan


def bhar(ar: list[float], ret: list[float]) -> float:
    gross, normal = 1.0, 1.0
    for x, r in zip(ar, ret, strict=True):
        if np.isnan(x):
            continue
        gross *= 1.0 + r
        normal *= 1.0 + (r - x)
    return gross - normal
