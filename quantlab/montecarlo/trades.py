"""Trade resampling: reshuffle or bootstrap a backtest's trade returns into equity paths."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from quantlab._typing import Float64Array1D
from quantlab._validation import choice
from quantlab.errors import DataTypeError, ParameterError, ValidationError
from quantlab.montecarlo import _kernels as K
from quantlab.montecarlo._inputs import finite_float, positive_int, resolve_seed, time_grid
from quantlab.montecarlo.result import SimulationResult
from quantlab.montecarlo.simulation import MAX_KEPT_PATH_BYTES, run

_METHODS = {"shuffle": K.SHUFFLE, "bootstrap": K.IID}


def trade_returns(trades: Any) -> Float64Array1D:
    """The per-trade returns of ``trades`` (see :func:`resample_trades`), as float64."""
    obj = trades
    for attr in ("trade_records", "trades"):
        if not isinstance(obj, (np.ndarray, pd.DataFrame)) and hasattr(obj, attr):
            obj = getattr(obj, attr)
            if callable(obj):
                obj = obj()
            break
    if isinstance(obj, pd.DataFrame):
        if "ret" not in obj.columns:
            raise ValidationError(
                f"trades DataFrame has no 'ret' column (columns: {list(obj.columns)[:8]}); "
                "pass a frame with one return per trade in 'ret'"
            )
        rets = obj["ret"].to_numpy(dtype=np.float64)
    elif isinstance(obj, np.ndarray) and obj.dtype.names is not None:
        if "ret" not in obj.dtype.names:
            raise ValidationError(
                f"trades records have no 'ret' field (fields: {list(obj.dtype.names)}); pass "
                "quantlab.backtest.records.trade_dt records"
            )
        rets = np.asarray(obj["ret"], dtype=np.float64)
    elif isinstance(obj, (np.ndarray, pd.Series, list, tuple)):
        rets = np.asarray(obj, dtype=np.float64).ravel()
    else:
        raise DataTypeError(
            "trades must be trade records (trade_dt), a DataFrame with a 'ret' column, a 1-D "
            "array of trade returns or an object with .trade_records; got "
            f"{type(trades).__name__}"
        )
    if rets.size == 0:
        raise ValidationError("trades holds no trades; nothing to resample")
    if not np.isfinite(rets).all():
        bad = int(np.argmax(~np.isfinite(rets)))
        raise ValidationError(
            f"trade returns must be finite; trade {bad} has ret={float(rets[bad])!r}. "
            "Drop or fix it"
        )
    return np.ascontiguousarray(rets)


def resample_trades(
    trades: Any,
    n_paths: int = 10_000,
    n_trades: int | None = None,
    method: str = "shuffle",
    *,
    seed: int | None = None,
    initial_wealth: float = 1.0,
    ruin_threshold: float = 0.0,
    goal: float | None = None,
    periods_per_year: float | None = None,
    n_grid: int = 100,
    keep_paths: bool = False,
) -> SimulationResult:
    """Monte Carlo of a strategy's trade sequence: equity compounds ``1 + ret`` per trade.

    ``"shuffle"`` reorders the trades (successive permutations when ``n_trades`` exceeds
    their number): with all the trades, terminal equity is that of the backtest and only the
    path -- drawdowns, ruin, time to goal -- varies. ``"bootstrap"`` draws trades with
    replacement and spreads terminal equity too. Each trade's return applies to the whole
    equity (full reinvestment); a trade return <= -1 ruins the path.

    Parameters
    ----------
    trades : trade records, DataFrame, array or backtest result
        Records with a ``ret`` field (:data:`quantlab.backtest.records.trade_dt`), a
        DataFrame with a ``ret`` column, a 1-D array of trade returns, or an object with a
        ``trade_records`` (or ``trades``) attribute holding one of those. Trades of every
        column are pooled.
    n_paths : int
        Number of paths.
    n_trades : int, optional
        Trades per path; default the number of trades.
    method : {"shuffle", "bootstrap"}
    seed, initial_wealth, ruin_threshold, goal, n_grid, keep_paths
        As in :func:`~quantlab.montecarlo.simulate`.
    periods_per_year : float, optional
        Trades per year, to annualize CAGR and Sharpe; default ``n_trades`` (the path is
        one year, so CAGR is the total return of the path).

    Returns
    -------
    SimulationResult
        Steps are trades.

    Raises
    ------
    DataTypeError, ValidationError, ParameterError
        Unusable ``trades`` or arguments out of range.

    Examples
    --------
    >>> import numpy as np, quantlab.montecarlo as mc
    >>> rets = np.array([0.05, -0.02, 0.03, -0.04, 0.01])
    >>> res = mc.resample_trades(rets, n_paths=100, seed=0)
    >>> bool(np.allclose(res.terminal_wealth, np.prod(1 + rets)))
    True
    """
    rets = trade_returns(trades)
    code = choice(method, "method", _METHODS)
    n_paths = positive_int(n_paths, "n_paths")
    horizon = len(rets) if n_trades is None else positive_int(n_trades, "n_trades")
    n_grid = positive_int(n_grid, "n_grid")
    initial = finite_float(initial_wealth, "initial_wealth", low=0.0, low_open=True)
    ruin = finite_float(ruin_threshold, "ruin_threshold", low=0.0, high=initial, high_open=True)
    goal_f = None if goal is None else finite_float(goal, "goal", low=0.0, low_open=True)
    ppy = finite_float(
        horizon if periods_per_year is None else periods_per_year,
        "periods_per_year",
        low=0.0,
        low_open=True,
    )
    if keep_paths and n_paths * (horizon + 1) * 8 > MAX_KEPT_PATH_BYTES:
        raise ParameterError(
            f"keep_paths=True would need more than {MAX_KEPT_PATH_BYTES >> 20} MiB for "
            f"n_paths={n_paths} x n_trades={horizon}; use keep_paths=False or fewer paths"
        )
    seed_i = resolve_seed(seed)
    spec = K.DrawSpec(
        code,
        np.ascontiguousarray((1.0 + rets)[:, None]),
        1.0,
        1,
        np.zeros(1),
        np.zeros((1, 1)),
        0.0,
    )
    port = K.PortfolioSpec(
        np.ones(1), 0.0, 0, 0.0, 0.0, 0.0, 0.0, 0, initial, ruin,
        math.inf if goal_f is None else goal_f, ppy,
    )  # fmt: skip
    grid = time_grid(horizon, n_grid, keep_paths)
    out = run(spec, port, n_paths, grid, seed_i, n_paths)
    hist = run(
        spec._replace(method=K.HISTORY),
        port,
        1,
        np.arange(min(horizon, len(rets)) + 1, dtype=np.int64),
        0,
        1,
    ).grid[0]
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
        method=f"trades_{method}",
        seed=seed_i,
        kept_paths=bool(keep_paths),
        historical_wealth=hist,
    )


__all__ = ["resample_trades", "trade_returns"]
