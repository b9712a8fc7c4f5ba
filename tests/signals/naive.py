"""Slow, obviously-correct references of quantlab.signals (pandas + plain Python loops)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def random_scores(n_bars: int = 60, n_assets: int = 7, seed: int = 0) -> pd.DataFrame:
    """Scores with NaN holes, exact ties and an all-NaN row."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_bars, n_assets)).round(1)  # rounding creates ties
    x[rng.random(x.shape) < 0.15] = np.nan
    x[3] = np.nan
    x[4, :-1] = np.nan  # a single valid score
    cols = pd.Index([f"S{i}" for i in range(n_assets)], name="symbol")
    return pd.DataFrame(x, index=pd.bdate_range("2020-01-01", periods=n_bars), columns=cols)


def crossed(a: list[float], b: list[float], above: bool) -> list[bool]:
    out = [False]
    for t in range(1, len(a)):
        vals = (a[t - 1], b[t - 1], a[t], b[t])
        if any(math.isnan(v) for v in vals):
            out.append(False)
        elif above:
            out.append(a[t] > b[t] and a[t - 1] <= b[t - 1])
        else:
            out.append(a[t] < b[t] and a[t - 1] >= b[t - 1])
    return out


def clean(entries: list[bool], exits: list[bool]) -> tuple[list[bool], list[bool]]:
    en_out, ex_out, in_pos = [], [], False
    for en, ex in zip(entries, exits, strict=True):
        keep_en = en and not ex and not in_pos
        keep_ex = ex and not en and in_pos
        in_pos = (in_pos or keep_en) and not keep_ex
        en_out.append(keep_en)
        ex_out.append(keep_ex)
    return en_out, ex_out


def rank(scores: pd.DataFrame, pct: bool) -> pd.DataFrame:
    return scores.rank(axis=1, pct=pct)


def zscore(scores: pd.DataFrame, ddof: int) -> pd.DataFrame:
    sd = scores.std(axis=1, ddof=ddof)
    z = scores.sub(scores.mean(axis=1), axis=0).div(sd, axis=0)
    z.loc[~(sd > 0)] = np.nan  # fewer than ddof + 1 values, or no dispersion
    return z


def group_rank(scores: pd.DataFrame, groups: dict, pct: bool) -> pd.DataFrame:
    return scores.T.groupby(pd.Series(groups)).rank(pct=pct).T[scores.columns]


def group_zscore(scores: pd.DataFrame, groups: dict, ddof: int) -> pd.DataFrame:
    members = pd.Series(groups).groupby(pd.Series(groups)).groups  # group -> symbols
    parts = [zscore(scores[list(symbols)], ddof) for symbols in members.values()]
    return pd.concat(parts, axis=1)[scores.columns]


def top_k(row: list[float], k: int, bottom_k: int, by_score: bool, gross: float) -> list[float]:
    valid = [(v, j) for j, v in enumerate(row) if not math.isnan(v)]
    longs = sorted(valid, key=lambda p: (-p[0], p[1]))[:k]
    rest = [p for p in valid if p not in longs]
    shorts = sorted(rest, key=lambda p: (p[0], p[1]))[:bottom_k]
    side = gross / 2 if k and bottom_k else gross
    out = [0.0] * len(row)
    for chosen, sign in ((longs, 1.0), (shorts, -1.0)):
        sizes = [max(sign * v, 0.0) if by_score else 1.0 for v, _ in chosen]
        total = sum(sizes)
        for (_, j), size in zip(chosen, sizes, strict=True):
            if total > 0 and size > 0:
                out[j] = sign * side * size / total
    return out
