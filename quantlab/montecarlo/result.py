"""The result of a Monte Carlo simulation: per-path statistics and a wealth fan.

Memory is O(n_paths): each path leaves its terminal wealth, maximum drawdown, lowest wealth,
CAGR, Sharpe ratio, ruin and goal steps, and its wealth at a fixed grid of at most
``n_grid + 1`` steps (0, ..., horizon), from which :meth:`SimulationResult.quantile_fan`
computes quantiles per grid step. Full paths are kept only with ``keep_paths=True``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlab._typing import Float64Array1D, Float64Array2D, Int64Array1D
from quantlab.errors import ParameterError


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Distribution of outcomes of ``n_paths`` simulated portfolio paths.

    Attributes
    ----------
    terminal_wealth : ndarray, shape (n_paths,)
        Wealth after ``horizon`` steps (0 for ruined paths).
    max_drawdowns : ndarray, shape (n_paths,)
        Largest peak-to-trough fall of the wealth path, as a negative fraction in [-1, 0]
        (-1 when ruined), the sign of :func:`quantlab.metrics.max_drawdown` and of backtest
        stats: the worst paths have the lowest values (``q5``, not ``q95``, of
        :meth:`summary`). Measured on wealth, cash flows included.
    cagr : ndarray, shape (n_paths,)
        Compound annual growth of the time-weighted return (cash flows excluded), using
        ``periods_per_year``; -1 for ruined paths.
    sharpe : ndarray, shape (n_paths,)
        Annualized Sharpe ratio (risk-free rate 0, ddof 1) of the per-step time-weighted
        returns, up to the ruin step for ruined paths; NaN when the returns are constant.
    min_wealth : ndarray, shape (n_paths,)
        Lowest wealth along the path (0 for ruined paths).
    ruin_step : ndarray of int64, shape (n_paths,)
        Step at which wealth fell to ``ruin_threshold`` or below, -1 if never.
    goal_step : ndarray of int64, shape (n_paths,), or None
        First step with wealth >= ``goal`` (0 if the initial wealth already is), -1 if never;
        ``None`` when no goal was given to the simulation.
    grid_steps : ndarray of int64, shape (n_grid,)
        Steps at which wealth was recorded (every step with ``keep_paths=True``).
    grid_wealth : ndarray, shape (n_paths, n_grid)
        Wealth of each path at ``grid_steps``.
    """

    terminal_wealth: Float64Array1D
    max_drawdowns: Float64Array1D
    cagr: Float64Array1D
    sharpe: Float64Array1D
    min_wealth: Float64Array1D
    ruin_step: Int64Array1D
    goal_step: Int64Array1D | None
    grid_steps: Int64Array1D
    grid_wealth: Float64Array2D
    initial_wealth: float
    horizon: int
    periods_per_year: float
    ruin_threshold: float
    goal: float | None
    method: str
    seed: int
    kept_paths: bool = False
    historical_wealth: Float64Array1D | None = None
    dropped_rows: int = 0

    # ------------------------------------------------------------------ basics
    @property
    def n_paths(self) -> int:
        """Number of simulated paths."""
        return int(self.terminal_wealth.shape[0])

    @property
    def paths(self) -> Float64Array2D:
        """Every path's wealth at steps 0..horizon, shape ``(n_paths, horizon + 1)``.

        Raises
        ------
        ParameterError
            The simulation ran without ``keep_paths=True``.
        """
        if not self.kept_paths:
            raise ParameterError(
                "paths were not kept (only a grid of "
                f"{len(self.grid_steps)} steps); rerun simulate(..., keep_paths=True) "
                "or use quantile_fan() / grid_wealth"
            )
        return self.grid_wealth

    def __repr__(self) -> str:
        med = float(np.median(self.terminal_wealth))
        return (
            f"SimulationResult(method={self.method!r}, n_paths={self.n_paths}, "
            f"horizon={self.horizon}, median_terminal_wealth={med:.4g}, "
            f"prob_ruin={self.prob_ruin():.4g})"
        )

    # ------------------------------------------------------------ distributions
    def quantile_fan(self, quantiles: Any = (0.05, 0.25, 0.5, 0.75, 0.95)) -> pd.DataFrame:
        """Quantiles of wealth at each recorded step.

        Parameters
        ----------
        quantiles : sequence of float in [0, 1]

        Returns
        -------
        DataFrame
            Index ``step`` (the grid steps), one column per quantile.

        Examples
        --------
        >>> import numpy as np, quantlab.montecarlo as mc
        >>> r = np.random.default_rng(0).normal(0.0005, 0.01, 500)
        >>> res = mc.simulate(r, n_paths=200, horizon=100, seed=3, n_grid=4, periods_per_year=252)
        >>> res.quantile_fan([0.1, 0.9]).index.tolist()
        [0, 25, 50, 75, 100]
        """
        q = _quantiles(quantiles)
        values = np.quantile(self.grid_wealth, q, axis=0).T
        return pd.DataFrame(
            values,
            index=pd.Index(self.grid_steps, name="step"),
            columns=pd.Index(q, name="quantile"),
        )

    def prob_goal(self, goal: float | None = None) -> float:
        """Probability that terminal wealth is at least ``goal`` (default: the run's goal).

        Examples
        --------
        >>> import numpy as np, quantlab.montecarlo as mc
        >>> r = np.full(10, 0.01)
        >>> mc.simulate(r, n_paths=10, horizon=10, seed=0, periods_per_year=252).prob_goal(1.1)
        1.0
        """
        g = self._goal(goal, "prob_goal")
        return float(np.mean(self.terminal_wealth >= g))

    def prob_ruin(self, threshold: float | None = None) -> float:
        """Probability that wealth fell to ``threshold`` or below at any step.

        ``threshold`` defaults to the run's ``ruin_threshold``; a higher threshold is
        answered from each path's lowest wealth. A lower one cannot be (ruined paths stopped
        at the run's threshold) and raises.

        Examples
        --------
        >>> import numpy as np, quantlab.montecarlo as mc
        >>> r = np.full(10, -0.05)
        >>> res = mc.simulate(r, n_paths=10, horizon=10, seed=0, periods_per_year=252)
        >>> res.prob_ruin(threshold=0.7)
        1.0
        """
        if threshold is None:
            return float(np.mean(self.ruin_step >= 0))
        if threshold < self.ruin_threshold:
            raise ParameterError(
                f"prob_ruin(threshold={threshold!r}) is below the simulation's "
                f"ruin_threshold={self.ruin_threshold!r}, where paths were stopped; pass a "
                "threshold >= ruin_threshold or rerun simulate with a lower ruin_threshold"
            )
        return float(np.mean(self.min_wealth <= threshold))

    def var(self, alpha: float = 0.05) -> float:
        """Value at risk of terminal wealth: ``initial_wealth - quantile(terminal, alpha)``.

        A positive number is a loss; negative means even the ``alpha`` quantile gains.

        Examples
        --------
        >>> import numpy as np, quantlab.montecarlo as mc
        >>> r = np.full(10, -0.01)
        >>> round(mc.simulate(r, n_paths=10, horizon=10, seed=0, periods_per_year=252).var(0.05), 6)
        0.095618
        """
        a = _alpha(alpha)
        return float(self.initial_wealth - np.quantile(self.terminal_wealth, a))

    def cvar(self, alpha: float = 0.05) -> float:
        """Conditional VaR: ``initial_wealth`` minus the mean terminal wealth of the worst
        ``alpha`` fraction of paths (those at or below the ``alpha`` quantile).

        Examples
        --------
        >>> import numpy as np, quantlab.montecarlo as mc
        >>> r = np.random.default_rng(1).normal(0.0, 0.02, 300)
        >>> res = mc.simulate(r, n_paths=500, horizon=250, seed=2, periods_per_year=252)
        >>> res.cvar(0.05) >= res.var(0.05)
        True
        """
        a = _alpha(alpha)
        tw = self.terminal_wealth
        cut = np.quantile(tw, a)
        return float(self.initial_wealth - tw[tw <= cut].mean())

    def time_to_goal(self, goal: float | None = None) -> Float64Array1D:
        """Steps until wealth first reached ``goal``, per path; NaN when never reached.

        Exact for the run's ``goal`` (tracked at every step) or, with ``keep_paths=True``,
        for any goal. Divide by ``periods_per_year`` for years.

        Raises
        ------
        ParameterError
            No goal tracked and no kept paths.

        Examples
        --------
        >>> import numpy as np, quantlab.montecarlo as mc
        >>> r = np.full(20, 0.01)
        >>> res = mc.simulate(r, n_paths=3, horizon=20, seed=0, goal=1.1, periods_per_year=252)
        >>> res.time_to_goal().tolist()
        [10.0, 10.0, 10.0]
        """
        if goal is None or (self.goal is not None and goal == self.goal):
            if self.goal_step is None:
                raise ParameterError(
                    "time_to_goal() needs a goal: pass goal= to simulate(...) (tracked at "
                    "every step) or keep_paths=True"
                )
            steps = self.goal_step
        elif self.kept_paths:
            hit = self.grid_wealth >= goal
            steps = np.where(hit.any(axis=1), hit.argmax(axis=1), -1)
        else:
            raise ParameterError(
                f"time_to_goal(goal={goal!r}) differs from the simulation's goal="
                f"{self.goal!r}; pass goal={goal!r} to simulate(...) or keep_paths=True"
            )
        return np.where(steps >= 0, steps, np.nan).astype(np.float64)

    def summary(self, quantiles: Any = (0.05, 0.25, 0.5, 0.75, 0.95)) -> pd.DataFrame:
        """One row per statistic, columns mean, std and the quantiles over paths.

        Rows: ``terminal_wealth``, ``cagr``, ``sharpe``, ``max_drawdown``, ``ruined`` (0/1:
        its mean is the probability of ruin) and, with a goal, ``goal_reached`` (terminal
        wealth >= goal) and ``years_to_goal`` (paths that reached it).

        Examples
        --------
        >>> import numpy as np, quantlab.montecarlo as mc
        >>> r = np.random.default_rng(0).normal(0.0005, 0.01, 500)
        >>> res = mc.simulate(r, n_paths=100, horizon=50, seed=1, periods_per_year=252)
        >>> res.summary().index.tolist()
        ['terminal_wealth', 'cagr', 'sharpe', 'max_drawdown', 'ruined']
        """
        q = _quantiles(quantiles)
        rows: dict[str, Float64Array1D] = {
            "terminal_wealth": self.terminal_wealth,
            "cagr": self.cagr,
            "sharpe": self.sharpe,
            "max_drawdown": self.max_drawdowns,
            "ruined": (self.ruin_step >= 0).astype(np.float64),
        }
        if self.goal is not None:
            rows["goal_reached"] = (self.terminal_wealth >= self.goal).astype(np.float64)
            years = self.time_to_goal() / self.periods_per_year
            rows["years_to_goal"] = years
        table = {}
        for name, x in rows.items():
            x = x[~np.isnan(x)]
            if len(x) == 0:
                table[name] = [np.nan] * (2 + len(q))
                continue
            std = float(x.std(ddof=1)) if len(x) > 1 else np.nan
            table[name] = [float(x.mean()), std, *np.quantile(x, q).tolist()]
        cols = ["mean", "std", *[f"q{100 * v:g}" for v in q]]
        return pd.DataFrame.from_dict(table, orient="index", columns=cols)

    # ------------------------------------------------------------------- plots
    def plot_fan(self, historical: bool = True, **kwargs: Any) -> Any:
        """Fan chart of wealth quantiles; see :func:`quantlab.montecarlo.plots.plot_fan`."""
        from quantlab.montecarlo.plots import plot_fan

        return plot_fan(self, historical=historical, **kwargs)

    def plot_terminal_hist(self, **kwargs: Any) -> Any:
        """Terminal-wealth histogram; see :func:`quantlab.montecarlo.plots.plot_terminal_hist`."""
        from quantlab.montecarlo.plots import plot_terminal_hist

        return plot_terminal_hist(self, **kwargs)

    # ----------------------------------------------------------------- helpers
    def _goal(self, goal: float | None, caller: str) -> float:
        if goal is None:
            if self.goal is None:
                raise ParameterError(
                    f"{caller}() needs a goal: pass {caller}(goal=...) or simulate(..., goal=...)"
                )
            return self.goal
        return float(goal)


def _quantiles(quantiles: Any) -> Float64Array1D:
    q = np.atleast_1d(np.asarray(quantiles, dtype=np.float64))
    if q.ndim != 1 or not np.all((q >= 0.0) & (q <= 1.0)):
        raise ParameterError(
            f"quantiles must be numbers in [0, 1]; got {quantiles!r}. Pass e.g. (0.05, 0.5, 0.95)"
        )
    return q


def _alpha(alpha: float) -> float:
    if not 0.0 < alpha < 1.0:
        raise ParameterError(f"alpha must be in (0, 1); got {alpha!r}. Pass e.g. alpha=0.05")
    return float(alpha)


__all__ = ["SimulationResult"]
