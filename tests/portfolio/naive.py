"""Slow, obviously-correct references for quantlab.portfolio (loops, no vectorization)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def drift_returns(prices: pd.DataFrame, weights: pd.DataFrame) -> pd.Series:
    """Buy ``weights`` (rows = rebalance dates) at each such close, hold units until the next
    one, no costs; cash (1 - sum w) earns 0. Bar returns of that account, 0 before the first
    trade."""
    close = prices.ffill().to_numpy()
    value, cash, units, out = 1.0, 0.0, None, []
    for t in range(len(close)):
        if units is not None:
            new = float(units[units != 0] @ close[t][units != 0]) + cash
            out.append(new / value - 1.0)
            value = new
        else:
            out.append(0.0)
        if prices.index[t] in weights.index:
            w = weights.loc[prices.index[t]].to_numpy()
            units = np.zeros(len(w))
            units[w != 0] = value * w[w != 0] / close[t][w != 0]  # unlisted assets: weight 0
            cash = value * (1.0 - w.sum())
    return pd.Series(out, index=prices.index)


def rotation_weights(
    prices: pd.DataFrame, groups: dict[str, str], k: int, lookback: int, t: int
) -> pd.Series:
    """Asset weights of the top-k groups by mean member trailing return at bar ``t``."""
    order = list(dict.fromkeys(groups[c] for c in prices.columns))
    score = {}
    for g in order:
        rets = [
            prices[c].iloc[t] / prices[c].iloc[t - lookback] - 1.0
            for c in prices.columns
            if groups[c] == g
            and t >= lookback
            and not np.isnan(prices[c].iloc[t])
            and not np.isnan(prices[c].iloc[t - lookback])
        ]
        if rets:
            score[g] = sum(rets) / len(rets)
    # best first; ties: first appearance first (sorted is stable)
    held = sorted(score, key=lambda g: -score[g])[:k]
    w = pd.Series(0.0, index=prices.columns)
    for g in held:
        live = [c for c in prices.columns if groups[c] == g and not np.isnan(prices[c].iloc[t])]
        for c in live:
            w[c] = 1.0 / len(held) / len(live)
    return w
