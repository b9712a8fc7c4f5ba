"""Plots of a :class:`~quantlab.montecarlo.result.SimulationResult` (matplotlib, lazy import)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from quantlab.errors import ParameterError

if TYPE_CHECKING:  # pragma: no cover
    from quantlab.montecarlo.result import SimulationResult


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _fig, new_ax = plt.subplots(figsize=(9, 5))
    return new_ax


def plot_fan(
    result: SimulationResult,
    historical: Any = True,
    bands: Any = ((0.05, 0.95), (0.25, 0.75)),
    ax: Any = None,
    log: bool = False,
) -> Any:
    """Fan chart: median wealth and shaded quantile bands over the grid steps.

    Parameters
    ----------
    result : SimulationResult
    historical : bool or array-like
        ``True`` draws the portfolio replayed along its own history (when the simulation had
        one); an array draws that wealth path (step 0 first); ``False`` draws none.
    bands : sequence of (low, high) quantile pairs
        Shaded from the outermost band in.
    ax : matplotlib Axes, optional
    log : bool
        Log-scaled wealth axis.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import numpy as np, quantlab.montecarlo as mc
    >>> r = np.random.default_rng(0).normal(0, 0.01, 300)
    >>> res = mc.simulate(r, n_paths=100, seed=1, periods_per_year=252)
    >>> ax = res.plot_fan()
    >>> ax.get_xlabel()
    'step'
    """
    pairs = [tuple(b) for b in bands]
    for b in pairs:
        if len(b) != 2 or not 0.0 <= b[0] < b[1] <= 1.0:
            raise ParameterError(
                f"bands must be (low, high) quantile pairs with 0 <= low < high <= 1; got {b!r}"
            )
    qs = sorted({q for b in pairs for q in b} | {0.5})
    fan = result.quantile_fan(qs)
    ax = _axes(ax)
    x = fan.index.to_numpy()
    for k, (lo, hi) in enumerate(sorted(pairs, key=lambda b: b[0])):
        ax.fill_between(
            x,
            fan[lo],
            fan[hi],
            color="tab:blue",
            alpha=0.15 + 0.15 * k,
            lw=0,
            label=f"{100 * lo:g}-{100 * hi:g}%",
        )
    ax.plot(x, fan[0.5], color="tab:blue", lw=1.5, label="median")
    hist = result.historical_wealth if historical is True else historical
    if hist is not None and hist is not False:
        h = np.asarray(hist, dtype=np.float64)
        ax.plot(np.arange(len(h)), h, color="black", lw=1.0, label="historical")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("wealth")
    ax.set_title(f"Monte Carlo wealth fan ({result.method}, {result.n_paths:,} paths)")
    ax.legend(loc="upper left")
    return ax


def plot_terminal_hist(
    result: SimulationResult,
    bins: int = 60,
    ax: Any = None,
    goal: float | None = None,
    log: bool = False,
) -> Any:
    """Histogram of terminal wealth, with the initial wealth, the median and the goal marked.

    Parameters
    ----------
    result : SimulationResult
    bins : int
    ax : matplotlib Axes, optional
    goal : float, optional
        Marked when given (default: the simulation's goal, if any).
    log : bool
        Histogram of ``log10(terminal wealth)`` of the non-ruined paths.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import numpy as np, quantlab.montecarlo as mc
    >>> r = np.random.default_rng(0).normal(0, 0.01, 300)
    >>> res = mc.simulate(r, n_paths=100, seed=1, periods_per_year=252)
    >>> res.plot_terminal_hist().get_xlabel()
    'terminal wealth'
    """
    ax = _axes(ax)
    tw = result.terminal_wealth
    goal = result.goal if goal is None else goal

    def scale(v: float) -> float:
        return float(np.log10(v)) if log else float(v)

    data = np.log10(tw[tw > 0]) if log else tw
    ax.set_xlabel("log10(terminal wealth)" if log else "terminal wealth")
    ax.hist(data, bins=bins, color="tab:blue", alpha=0.7)
    ax.axvline(scale(result.initial_wealth), color="black", lw=1, label="initial")
    median = float(np.median(tw))
    if median > 0 or not log:
        ax.axvline(scale(median), color="tab:orange", lw=1, label="median")
    if goal is not None:
        ax.axvline(scale(goal), color="tab:green", lw=1, ls="--", label="goal")
    ax.set_ylabel("paths")
    ax.set_title(f"Terminal wealth ({result.n_paths:,} paths)")
    ax.legend()
    return ax


__all__ = ["plot_fan", "plot_terminal_hist"]
