"""The result of a parameter sweep: a tidy table, the best combination, diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from quantlab.errors import ParameterError


@dataclass(eq=False)
class SweepResult:
    """Outcome of :func:`~quantlab.optimize.sweep`.

    Attributes
    ----------
    table : DataFrame
        One row per combination and asset (signal strategies) or per combination
        (weight strategies): the parameters, then the engine's figures named as in
        :func:`quantlab.metrics.summary` (``total_return``, ``sharpe``, ``sortino``,
        ``max_drawdown``, ``annual_volatility`` ...) plus trade counts and fees.
    params : list of str
        Parameter names (the first columns of ``table``).
    metric : str
        The ranking metric (higher is better).
    returns : DataFrame, shape (n_bars, n_combinations)
        Bar returns of each combination: the equal-weight mean over its assets for signal
        strategies, the portfolio's returns for weight strategies. Diagnostics use them.
    periods_per_year : float or None
    """

    table: pd.DataFrame
    params: list[str]
    metric: str
    returns: pd.DataFrame
    periods_per_year: float | None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.metric not in self.table.columns:
            raise ParameterError(
                f"metric {self.metric!r} is not a column of the sweep table; choose one of "
                f"{[c for c in self.table.columns if c not in self.params]}"
            )

    @property
    def n_combinations(self) -> int:
        return int(self.returns.shape[1])

    def scores(self, metric: str | None = None) -> pd.Series:
        """``metric`` per combination (mean over assets), in grid order."""
        metric = metric or self.metric
        if metric not in self.table.columns:
            raise ParameterError(
                f"metric {metric!r} is not a column of the sweep table; choose one of "
                f"{[c for c in self.table.columns if c not in self.params]}"
            )
        grouped = self.table.groupby(self.params, sort=False)[metric].mean()
        return grouped

    @cached_property
    def best(self) -> dict[str, Any]:
        """Parameters of the combination with the highest ``metric`` (NaN ranked last)."""
        s = self.scores()
        if s.isna().all():
            raise ParameterError(
                f"every combination has a NaN {self.metric}; rank by another metric"
            )
        key = s.idxmax()
        values = key if isinstance(key, tuple) else (key,)
        return {
            p: (v.item() if isinstance(v, np.generic) else v)
            for p, v in zip(self.params, values, strict=True)
        }

    def heatmap(
        self, x: str | None = None, y: str | None = None, metric: str | None = None
    ) -> pd.DataFrame:
        """``metric`` averaged over everything but two parameters: rows ``y``, columns ``x``."""
        metric = metric or self.metric
        if len(self.params) < 2 and (x is None or y is None):
            raise ParameterError("a heat map needs two parameters; the grid has one")
        x = x or self.params[0]
        y = y or self.params[1]
        for p in (x, y):
            if p not in self.params:
                raise ParameterError(f"{p!r} is not a swept parameter; choose from {self.params}")
        return self.table.pivot_table(index=y, columns=x, values=metric, aggfunc="mean")

    def plot_heatmap(
        self, x: str | None = None, y: str | None = None, metric: str | None = None, ax: Any = None
    ) -> Any:
        """Draw :meth:`heatmap` with matplotlib (imported here, not at import time)."""
        import matplotlib.pyplot as plt

        grid = self.heatmap(x, y, metric)
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 5))
        im = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", origin="lower", cmap="RdYlGn")
        ax.set_xticks(range(grid.shape[1]), [str(c) for c in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [str(i) for i in grid.index])
        ax.set_xlabel(str(grid.columns.name))
        ax.set_ylabel(str(grid.index.name))
        ax.set_title(metric or self.metric)
        ax.figure.colorbar(im, ax=ax)
        return ax

    @cached_property
    def deflated_sharpe(self) -> float:
        """Deflated Sharpe ratio of the best combination, ``n_trials`` = combinations tried."""
        from quantlab.metrics.inference import deflated_sharpe_from_returns

        key = tuple(self.best[p] for p in self.params)
        col = key if len(key) > 1 else key[0]
        best = self.returns[col]
        if self.n_combinations < 2:
            return float("nan")
        return float(deflated_sharpe_from_returns(best, self.returns, n_trials=self.n_combinations))

    def pbo(self, n_splits: int = 16) -> Any:
        """Probability of backtest overfitting of the whole grid (CSCV over ``returns``)."""
        from quantlab.metrics.inference import pbo

        key = f"pbo{n_splits}"
        if key not in self._cache:
            rets = self.returns.dropna(how="all")
            self._cache[key] = pbo(rets.to_numpy(), n_splits=n_splits)
        return self._cache[key]

    def summary(self) -> pd.DataFrame:
        """The grid ranked by ``metric`` (mean over assets), best first."""
        cols = [c for c in self.table.columns if c not in self.params and c not in _ASSET_COLS]
        numeric = self.table[self.params + cols].select_dtypes(include=[np.number, "bool"])
        agg = self.table[self.params].join(numeric.drop(columns=self.params, errors="ignore"))
        out = agg.groupby(self.params, sort=False).mean()
        return out.sort_values(self.metric, ascending=False)

    def __repr__(self) -> str:
        return (
            f"SweepResult({self.n_combinations} combinations x {self.params}, "
            f"metric={self.metric!r}, best={self.best})"
        )


_ASSET_COLS = ("symbol", "asset")
