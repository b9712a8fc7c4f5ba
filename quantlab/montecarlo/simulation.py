"""``simulate``: a rebalanced multi-asset portfolio along Monte Carlo paths."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from quantlab._periods import resolve_periods_per_year
from quantlab._typing import Float64Array1D, Int64Array1D
from quantlab._validation import choice
from quantlab.errors import ParameterError
from quantlab.montecarlo import _kernels as K
from quantlab.montecarlo._inputs import (
    as_weights,
    finite_float,
    load_history,
    period_steps,
    positive_int,
    resolve_seed,
    time_grid,
)
from quantlab.montecarlo.generators import METHODS, RESAMPLING, draw_spec
from quantlab.montecarlo.result import SimulationResult

#: ``keep_paths=True`` refuses to allocate more than this many bytes of paths.
MAX_KEPT_PATH_BYTES = 1 << 30

_PRANGE_CHUNK = 16  # paths per prange iteration (does not affect results)


def simulate(
    returns: Any,
    weights: Any = None,
    n_paths: int = 10_000,
    horizon: int | None = None,
    *,
    method: str = "bootstrap",
    rebalance: int | str | None = None,
    seed: int | None = None,
    block_length: float | None = None,
    fees: float = 0.0,
    cashflow: float = 0.0,
    cashflow_every: int | str = 1,
    withdrawal_rate: float = 0.0,
    leverage: float = 1.0,
    borrow_rate: float = 0.0,
    initial_wealth: float = 1.0,
    ruin_threshold: float = 0.0,
    goal: float | None = None,
    periods_per_year: float | None = None,
    mean: Any = None,
    cov: Any = None,
    dof: float | None = None,
    n_grid: int = 100,
    keep_paths: bool = False,
    chunk_size: int | None = None,
) -> SimulationResult:
    """Simulate a constant-target-weight portfolio along ``n_paths`` random paths.

    Paths of per-step asset returns are resampled from ``returns`` or drawn from a model
    fitted to it (see :mod:`quantlab.montecarlo.generators`), and a portfolio is stepped
    along each one in a numba kernel, in parallel over paths. Only per-path statistics and
    wealth at a grid of steps are kept, so memory is O(n_paths) (see
    :class:`~quantlab.montecarlo.result.SimulationResult`).

    Each step ``t = 1..horizon`` of a path, in order:

    1. **market move** -- every holding grows by its asset's return; negative cash (borrowed,
       ``cash = 1 - sum(weights)`` of wealth at the last rebalance) grows at the per-step
       ``borrow_rate``; positive cash earns nothing;
    2. **rebalance** every ``rebalance`` steps: holdings reset to ``weights * wealth`` after
       paying ``fees * turnover`` (turnover = sum of ``|target - holding|`` at pre-fee wealth);
    3. **ruin check**: wealth <= ``ruin_threshold`` ruins the path; from then on its wealth
       is 0 (absorbing), its CAGR -1 and its max drawdown -1;
    4. **cash flow** every ``cashflow_every`` steps: ``cashflow - fraction * wealth`` where
       ``fraction = withdrawal_rate * cashflow_every / periods_per_year``; a contribution buys
       the target weights (no fee), a withdrawal sells every holding pro rata; ruin check;
    5. statistics: running peak and drawdown, lowest wealth, goal.

    The initial portfolio is bought at the target weights without fees.

    Parameters
    ----------
    returns : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Historical simple returns. Rows holding a NaN are dropped with a ``UserWarning``
        (count in ``result.dropped_rows``). May be ``None`` for a parametric method given
        ``mean`` and ``cov``.
    weights : array-like, dict or Series, optional
        Target fraction of wealth per asset (a mapping is aligned on the column labels);
        default equal weights summing to 1. They are not normalized: a sum ``L > 1`` is
        leverage financed at ``borrow_rate``, a sum below 1 leaves cash.
    n_paths : int
        Number of paths (default 10,000).
    horizon : int, optional
        Steps per path; default the length of the history.
    method : str
        ``"bootstrap"``, ``"stationary_bootstrap"``, ``"block_bootstrap"``, ``"shuffle"``,
        ``"normal"``, ``"student_t"`` or ``"gbm"``. A shuffle cannot change the terminal
        wealth of a buy-and-hold portfolio over the whole history (products commute).
    rebalance : None, int or str
        ``None`` (or 0) buys and holds (weights drift); an int rebalances every N steps;
        ``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"`` every ``periods_per_year / k`` steps.
    seed : int, optional
        Key of the per-path random streams; same seed, same paths, whatever the threads or
        ``chunk_size``. ``None`` draws one (kept in ``result.seed``).
    block_length : float, optional
        Mean (stationary) or fixed (block) block length, >= 1; default ``n_bars ** (1/3)``.
    fees : float
        Fraction of rebalancing turnover paid, in [0, 1).
    cashflow : float
        Amount added (> 0) or withdrawn (< 0) every ``cashflow_every`` steps.
    cashflow_every : int or str
        Steps between cash flows (or ``"M"`` etc.); default every step.
    withdrawal_rate : float
        Fraction of wealth withdrawn per year (e.g. 0.04), spread over the cash-flow events.
    leverage : float
        Multiplies the weights (> 0).
    borrow_rate : float
        Annual rate paid on borrowed cash (compounded per step).
    initial_wealth : float
        Starting wealth (> 0).
    ruin_threshold : float
        Ruin when wealth <= this, in [0, initial_wealth).
    goal : float, optional
        Wealth goal: the first step each path reaches it is tracked (``time_to_goal``).
    periods_per_year : float, optional
        Annualization; default inferred from the returns' ``DatetimeIndex`` by the library's
        one rule (:func:`quantlab.metrics.infer_periods_per_year`: business-daily 252, 7-day
        daily 365, weekly 52, monthly 12 ...). Required for returns without timestamps (an
        array, a RangeIndex) or without history: there is no default.
    mean, cov, dof : optional
        Parametric model per step (default fitted, see
        :func:`~quantlab.montecarlo.generators.fit_model`).
    n_grid : int
        Number of grid intervals at which wealth is recorded for the fan (default 100).
    keep_paths : bool
        Keep every path's wealth at every step (``result.paths``), when it fits under
        :data:`MAX_KEPT_PATH_BYTES`.
    chunk_size : int, optional
        Run the kernel over this many paths at a time (same results).

    Returns
    -------
    SimulationResult

    Raises
    ------
    ParameterError
        An argument out of range (n_paths, horizon, block_length, fees, ...), weights summing
        to zero, ``keep_paths`` too large, or ``periods_per_year`` neither given nor
        inferable.
    ShapeError
        Weights (or mean / cov) that do not match the return columns.
    ValidationError
        Returns <= -1 or above ``RETURN_MAX`` (1e6, an absurd price), too few rows after
        dropping NaN, a covariance that is not positive semi-definite.

    Examples
    --------
    >>> import numpy as np, pandas as pd, quantlab.montecarlo as mc
    >>> rng = np.random.default_rng(0)
    >>> hist = pd.DataFrame(rng.normal(0.0004, 0.01, size=(1000, 2)), columns=["A", "B"])
    >>> res = mc.simulate(hist, [0.6, 0.4], n_paths=1000, horizon=252, rebalance="M",
    ...                   method="stationary_bootstrap", block_length=10, seed=7,
    ...                   periods_per_year=252)
    >>> res.terminal_wealth.shape
    (1000,)
    >>> 0.0 <= res.prob_goal(1.2) <= 1.0
    True
    """
    method = choice(method, "method", {m: m for m in METHODS})
    n_paths = positive_int(n_paths, "n_paths")
    history = None
    if returns is None:
        if method in RESAMPLING or mean is None or cov is None:
            raise ParameterError(
                f"returns is required for method={method!r} (only a parametric method given "
                "both mean= and cov= can run without history)"
            )
        n_assets = np.atleast_1d(np.asarray(mean)).shape[0]
        columns: Any = list(range(n_assets))
        if periods_per_year is None:
            raise ParameterError(
                "periods_per_year is required when returns is None (there is no index to "
                "infer it from); pass e.g. periods_per_year=252 for daily steps"
            )
        ppy = periods_per_year
        values = None
    else:
        history = load_history(returns)
        values = history.values
        n_assets = values.shape[1]
        columns = history.labels.columns
        ppy = resolve_periods_per_year(history.labels.index, periods_per_year)
    ppy = finite_float(ppy, "periods_per_year", low=0.0, low_open=True)
    if horizon is None:
        if values is None:
            raise ParameterError("horizon is required when returns is None; pass horizon=252")
        horizon = len(values)
    horizon = positive_int(horizon, "horizon")
    n_grid = positive_int(n_grid, "n_grid")
    leverage = finite_float(leverage, "leverage", low=0.0, low_open=True)
    w = as_weights(weights, n_assets, pd.Index(columns), leverage)
    initial = finite_float(initial_wealth, "initial_wealth", low=0.0, low_open=True)
    ruin = finite_float(ruin_threshold, "ruin_threshold", low=0.0, high=initial, high_open=True)
    goal_f = None if goal is None else finite_float(goal, "goal", low=0.0, low_open=True)
    fee = finite_float(fees, "fees", low=0.0, high=1.0, high_open=True)
    flow = finite_float(cashflow, "cashflow")
    wrate = finite_float(withdrawal_rate, "withdrawal_rate", low=0.0, high=1.0, high_open=True)
    brate = finite_float(borrow_rate, "borrow_rate", low=-1.0, low_open=True)
    reb = period_steps(rebalance, "rebalance", ppy)
    every = period_steps(cashflow_every, "cashflow_every", ppy, allow_none=False)
    if flow == 0.0 and wrate == 0.0:
        every = 0
    if keep_paths:
        nbytes = n_paths * (horizon + 1) * 8
        if nbytes > MAX_KEPT_PATH_BYTES:
            raise ParameterError(
                f"keep_paths=True needs {nbytes / 2**20:.0f} MiB for n_paths={n_paths} x "
                f"(horizon + 1)={horizon + 1} (limit {MAX_KEPT_PATH_BYTES >> 20} MiB); use "
                "keep_paths=False (the fan and every statistic are still computed) or fewer "
                "paths"
            )
    chunk = n_paths if chunk_size is None else positive_int(chunk_size, "chunk_size")
    seed_i = resolve_seed(seed)

    spec = draw_spec(
        method, values, n_assets, block_length=block_length, mean=mean, cov=cov, dof=dof
    )
    port = K.PortfolioSpec(
        weights=w,
        cash_weight=1.0 - float(w.sum()),
        rebalance=reb,
        fee=fee,
        borrow=(1.0 + brate) ** (1.0 / ppy) - 1.0,
        cashflow=flow,
        withdraw=wrate * every / ppy,
        cashflow_every=every,
        initial=initial,
        ruin=ruin,
        goal=math.inf if goal_f is None else goal_f,
        ppy=ppy,
    )
    grid = time_grid(horizon, n_grid, keep_paths)
    out = run(spec, port, n_paths, grid, seed_i, chunk)

    hist_wealth = None
    if values is not None:
        hist_wealth = _historical(values, port, min(len(values), horizon))
    return SimulationResult(
        terminal_wealth=out.terminal,
        max_drawdowns=out.max_dd,
        cagr=out.cagr,
        sharpe=out.sharpe,
        min_wealth=out.min_wealth,
        ruin_step=out.ruin_step,
        goal_step=None if goal_f is None else out.goal_step,
        grid_steps=grid,
        grid_wealth=out.grid,
        initial_wealth=initial,
        horizon=horizon,
        periods_per_year=ppy,
        ruin_threshold=ruin,
        goal=goal_f,
        method=method,
        seed=seed_i,
        kept_paths=bool(keep_paths),
        historical_wealth=hist_wealth,
        dropped_rows=history.dropped_rows if history is not None else 0,
    )


def run(
    spec: K.DrawSpec,
    port: K.PortfolioSpec,
    n_paths: int,
    grid: Int64Array1D,
    seed: int,
    chunk: int,
) -> K.Outputs:
    """Run the simulation kernels over ``n_paths`` paths, ``chunk`` paths per call.

    The fast single-series kernel is used when it applies (see :func:`_series_table`); it
    gives the same results as the general kernel up to rounding. The kernels measure the
    largest fall as a positive fraction; ``max_dd`` is returned with the library's drawdown
    sign (negative, in [-1, 0], as :func:`quantlab.metrics.max_drawdown`).
    """
    out = _allocate(n_paths, len(grid))
    series = _series_table(spec, port)
    key = np.uint64(seed)
    for start in range(0, n_paths, chunk):
        part = K.Outputs._make(a[start : start + chunk] for a in out)
        if series is None:
            K.simulate_general(key, start, spec, port, grid, part, _PRANGE_CHUNK)
        else:
            lg, ret = series
            K.simulate_series(key, start, spec, lg, ret, port, grid, part, _PRANGE_CHUNK)
    np.subtract(0.0, out.max_dd, out=out.max_dd)  # 0.0 - x: no -0.0 for a path without a fall
    return out


def _allocate(n_paths: int, n_grid: int) -> K.Outputs:
    return K.Outputs(
        terminal=np.empty(n_paths),
        max_dd=np.empty(n_paths),
        min_wealth=np.empty(n_paths),
        cagr=np.empty(n_paths),
        sharpe=np.empty(n_paths),
        ruin_step=np.empty(n_paths, dtype=np.int64),
        goal_step=np.empty(n_paths, dtype=np.int64),
        grid=np.empty((n_paths, n_grid)),
    )


def _series_table(
    spec: K.DrawSpec, port: K.PortfolioSpec
) -> tuple[Float64Array1D, Float64Array1D] | None:
    """Per-date portfolio growth for the fast kernel, or None when it does not apply.

    Applies to resampling methods without cash flows when a step's growth depends only on
    the drawn date: one asset held at weight 1 (nothing to rebalance), or rebalancing every
    step (fees and borrowing then are per-date constants too). Every growth must be > 0.
    """
    if spec.method >= K.N_INDEX_METHODS or port.cashflow_every > 0:
        return None
    g = spec.growth
    w = port.weights
    if len(w) == 1 and w[0] == 1.0:
        growth = g[:, 0].copy()
    elif port.rebalance == 1:
        cash_growth = 1.0 + port.borrow if port.cash_weight < 0.0 else 1.0
        gross = g @ w + port.cash_weight * cash_growth
        turnover = np.abs(w[None, :] * gross[:, None] - w[None, :] * g).sum(axis=1)
        growth = gross - port.fee * turnover
    else:
        return None
    if not (growth > 0.0).all():
        return None
    return np.log(growth), growth - 1.0


def _historical(values: Any, port: K.PortfolioSpec, steps: int) -> Float64Array1D:
    """Wealth of the portfolio replayed along the history itself (``steps + 1`` values)."""
    spec = K.DrawSpec(
        K.HISTORY,
        np.ascontiguousarray(1.0 + values),
        1.0,
        1,
        np.zeros(values.shape[1]),
        np.zeros((values.shape[1], values.shape[1])),
        0.0,
    )
    grid: Int64Array1D = np.arange(steps + 1, dtype=np.int64)
    out = _allocate(1, steps + 1)
    K.simulate_general(np.uint64(0), 0, spec, port, grid, out, 1)
    return out.grid[0]


__all__ = ["simulate", "run", "MAX_KEPT_PATH_BYTES"]
