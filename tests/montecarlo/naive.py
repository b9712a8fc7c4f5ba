"""Slow, obviously-correct references for quantlab.montecarlo (tests only).

``portfolio_paths`` steps the portfolio of ``simulate`` along given per-step asset returns
(from ``generate_paths`` with the same seed) with plain Python/NumPy, following the order of
operations documented in ``simulate``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class NaiveOut:
    wealth: np.ndarray  # (n_paths, horizon + 1)
    max_dd: np.ndarray
    min_wealth: np.ndarray
    cagr: np.ndarray
    sharpe: np.ndarray
    ruin_step: np.ndarray
    goal_step: np.ndarray


def portfolio_paths(
    rets: np.ndarray,
    weights: np.ndarray,
    *,
    rebalance: int = 0,
    fee: float = 0.0,
    borrow_step: float = 0.0,
    cashflow: float = 0.0,
    withdraw_frac: float = 0.0,
    cashflow_every: int = 0,
    initial: float = 1.0,
    ruin: float = 0.0,
    goal: float = math.inf,
    ppy: float = 252.0,
) -> NaiveOut:
    """Reference simulation; ``rets`` is ``(n_paths, horizon, n_assets)`` simple returns."""
    n_paths, horizon, _ = rets.shape
    w = np.asarray(weights, dtype=float)
    cw = 1.0 - w.sum()
    wealth_out = np.zeros((n_paths, horizon + 1))
    res = {k: np.zeros(n_paths) for k in ("max_dd", "min_wealth", "cagr", "sharpe")}
    ruin_step = np.full(n_paths, -1)
    goal_step = np.full(n_paths, -1)
    for p in range(n_paths):
        wealth = initial
        hold = w * wealth
        cash = cw * wealth
        wealth_out[p, 0] = wealth
        step_rets = []
        path = [wealth]
        if wealth >= goal:
            goal_step[p] = 0
        ruined = False
        for t in range(1, horizon + 1):
            hold = hold * (1.0 + rets[p, t - 1])
            if cash < 0:
                cash = cash * (1.0 + borrow_step)
            new = hold.sum() + cash
            if rebalance and t % rebalance == 0 and new > ruin:
                turnover = np.abs(w * new - hold).sum()
                new = new - fee * turnover
                hold = w * new
                cash = cw * new
            step_rets.append(max(new / wealth - 1.0, -1.0))
            wealth = new
            if wealth <= ruin:
                ruined = True
            elif cashflow_every and t % cashflow_every == 0:
                amount = cashflow - withdraw_frac * wealth
                if amount >= 0:
                    hold = hold + w * amount
                    cash = cash + cw * amount
                else:
                    scale = (wealth + amount) / wealth
                    hold = hold * scale
                    cash = cash * scale
                wealth = wealth + amount
                ruined = wealth <= ruin
            if ruined:
                ruin_step[p] = t
                wealth_out[p, t:] = 0.0
                break
            wealth_out[p, t] = wealth
            path.append(wealth)
            if goal_step[p] < 0 and wealth >= goal:
                goal_step[p] = t
        path_arr = np.asarray(path)
        peak = np.maximum.accumulate(path_arr)
        r = np.asarray(step_rets)
        n = len(r)
        if n >= 2 and r.std(ddof=1) > 1e-9 * np.sqrt((r**2).mean()):
            res["sharpe"][p] = r.mean() / r.std(ddof=1) * np.sqrt(ppy)
        else:
            res["sharpe"][p] = np.nan
        if ruined:
            res["max_dd"][p] = -1.0  # the library's drawdown sign: negative
            res["min_wealth"][p] = 0.0
            res["cagr"][p] = -1.0
        else:
            res["max_dd"][p] = (path_arr / peak - 1.0).min()
            res["min_wealth"][p] = path_arr.min()
            res["cagr"][p] = np.prod(1.0 + r) ** (ppy / n) - 1.0
    return NaiveOut(wealth_out, ruin_step=ruin_step, goal_step=goal_step, **res)


def stationary_block_lengths(idx: np.ndarray, n_hist: int) -> np.ndarray:
    """Lengths of the runs of consecutive (circular) dates in each row of ``idx``."""
    lengths = []
    for row in idx:
        run = 1
        for a, b in zip(row[:-1], row[1:], strict=True):
            if b == (a + 1) % n_hist:
                run += 1
            else:
                lengths.append(run)
                run = 1
        # the last run is censored by the horizon: dropped
    return np.asarray(lengths)
