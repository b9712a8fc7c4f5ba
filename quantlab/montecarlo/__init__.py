"""Monte Carlo portfolio simulation: what could this portfolio do, and how likely is ruin?

Answered from history (resampling whole dates: iid, stationary or circular block bootstrap,
shuffle) or from a model fitted to it (multivariate normal, Student-t, geometric Brownian
motion), for multi-asset portfolios with rebalancing, fees, cash flows and leverage, stepped
in numba in parallel over paths.

>>> import numpy as np, quantlab.montecarlo as mc
>>> hist = np.random.default_rng(0).normal(0.0004, 0.01, size=(2520, 1))
>>> res = mc.simulate(hist, n_paths=500, horizon=252, method="stationary_bootstrap",
...                   block_length=20, seed=42, goal=1.2, periods_per_year=252)
>>> bool(res.summary().loc["terminal_wealth", "q50"] > 0)
True

Public API: :func:`simulate`, :func:`resample_trades`, :func:`generate_paths`,
:func:`fit_model`, :class:`SimulationResult`, :class:`ModelParams`; plots in
:mod:`quantlab.montecarlo.plots` (matplotlib imported on first use).
"""

from __future__ import annotations

from quantlab.montecarlo.generators import METHODS, ModelParams, fit_model, generate_paths
from quantlab.montecarlo.result import SimulationResult
from quantlab.montecarlo.simulation import simulate
from quantlab.montecarlo.trades import resample_trades

__all__ = [
    "METHODS",
    "ModelParams",
    "SimulationResult",
    "fit_model",
    "generate_paths",
    "resample_trades",
    "simulate",
]
