"""The full factor analysis in one call: :func:`analyze` -> :class:`FactorAnalysis`.

What alphalens' full tear sheet computes (returns, information and turnover analyses)
from one :class:`~quantlab.factors.FactorData`, plus the quantile and long-short portfolios
run through the backtest engine with costs. Not computed: alphalens' regression alpha and
beta of the factor returns against the universe mean (``factor_alpha_beta``) and its
event-study views (``average_cumulative_return_by_quantile``). ``group_neutral=True`` switches the
returns, IC and weights to their group-adjusted variants (alphalens' ``group_neutral``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

import pandas as pd

from quantlab.backtest import SummaryResult
from quantlab.errors import ParameterError
from quantlab.factors.clean import FactorData, clean_factor
from quantlab.factors.information import factor_ic, ic_by_group, ic_table
from quantlab.factors.returns import (
    factor_returns,
    mean_return_by_quantile,
    portfolio_backtests,
    quantile_returns_by_date,
    quantile_spread,
)
from quantlab.factors.turnover import quantile_turnover, rank_autocorrelation

__all__ = ["FactorAnalysis", "analyze", "compare"]


@dataclass(frozen=True)
class FactorAnalysis:
    """Results of :func:`analyze`; tables are computed on first access.

    Attributes
    ----------
    data : FactorData
        The clean rows (``data.loss`` reports what was left out).
    name : str
        Label used in reports and comparisons.
    group_neutral : bool
    fees : float
        Fees of the engine runs (fraction of traded value).
    """

    data: FactorData
    name: str = "factor"
    group_neutral: bool = False
    fees: float = 0.0

    @property
    def horizons(self) -> tuple[int, ...]:
        return self.data.horizons

    @cached_property
    def _mean(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return mean_return_by_quantile(self.data, group_adjust=self.group_neutral)

    @property
    def mean_returns(self) -> pd.DataFrame:
        """Mean (demeaned) forward return by quantile x horizon."""
        return self._mean[0]

    @property
    def mean_returns_se(self) -> pd.DataFrame:
        """Standard error of :attr:`mean_returns`."""
        return self._mean[1]

    @cached_property
    def returns_by_date(self) -> pd.DataFrame:
        """Mean forward return per (date, quantile) x horizon."""
        return quantile_returns_by_date(self.data, group_adjust=self.group_neutral)[0]

    @cached_property
    def _spread(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return quantile_spread(self.data, group_adjust=self.group_neutral)

    @property
    def spread(self) -> pd.DataFrame:
        """Top-minus-bottom spread per date x horizon."""
        return self._spread[0]

    @property
    def spread_summary(self) -> pd.DataFrame:
        """Mean spread, Newey-West t-statistic and count per horizon."""
        return self._spread[1]

    @cached_property
    def factor_returns(self) -> pd.DataFrame:
        """Factor-weighted long-short return per date x horizon (forward returns, no cost)."""
        return factor_returns(self.data, group_adjust=self.group_neutral)

    @cached_property
    def ic(self) -> pd.DataFrame:
        """Spearman IC per date x horizon."""
        return factor_ic(self.data, group_adjust=self.group_neutral)

    @cached_property
    def ic_summary(self) -> pd.DataFrame:
        """Mean, std, ICIR, Newey-West t-stat, hit rate per horizon."""
        return ic_table(self.ic)

    @property
    def ic_decay(self) -> pd.Series:
        """Mean IC per horizon."""
        return self.ic_summary["mean"].astype(float).rename("mean_ic")

    @cached_property
    def ic_by_group(self) -> pd.DataFrame | None:
        """Mean IC per group x horizon (None without groups)."""
        if self.data.group_labels is None:
            return None
        per = ic_by_group(self.data, group_adjust=self.group_neutral)
        return per.groupby(level="group", sort=False).mean()

    @cached_property
    def turnover(self) -> dict[int, pd.DataFrame]:
        """Quantile turnover per date for a lag of each horizon."""
        return {h: quantile_turnover(self.data, h) for h in self.horizons}

    @cached_property
    def rank_autocorrelation(self) -> pd.DataFrame:
        """Factor rank autocorrelation per date, one column per lag (= horizon)."""
        return pd.DataFrame({h: rank_autocorrelation(self.data, h) for h in self.horizons})

    @cached_property
    def turnover_summary(self) -> pd.DataFrame:
        """Mean turnover of the top and bottom quantiles and mean rank autocorrelation."""
        q = self.data.n_buckets
        rows = {
            h: {
                "top_turnover": float(t[q].mean()),
                "bottom_turnover": float(t[1].mean()),
                "rank_autocorr": float(self.rank_autocorrelation[h].mean()),
            }
            for h, t in self.turnover.items()
        }
        out = pd.DataFrame(rows).T
        out.index.name = "horizon"
        return out

    @cached_property
    def backtests(self) -> dict[int, SummaryResult]:
        """Engine runs per horizon (rebalance every ``h`` bars, with :attr:`fees`)."""
        return portfolio_backtests(self.data, fees=self.fees, group_adjust=self.group_neutral)

    def portfolio_returns(self, horizon: int | None = None) -> pd.DataFrame:
        """Bar returns (net of fees) of ``Q1..Qn`` and ``long_short`` for one horizon.

        ``horizon`` defaults to the shortest; bars before the first factor date are dropped.
        """
        h = self.horizons[0] if horizon is None else horizon
        if h not in self.backtests:
            raise ParameterError(f"horizon must be one of {list(self.horizons)}; got {h!r}")
        rets = cast(pd.DataFrame, self.backtests[h].returns)  # kept by portfolio_backtest
        first = self.data.calendar[self.data.date_pos[0]]
        return rets.loc[first:]

    def cumulative_returns(self, horizon: int | None = None) -> pd.DataFrame:
        """Growth of 1 for each engine portfolio (net of fees)."""
        return (1.0 + self.portfolio_returns(horizon)).cumprod()

    def summary(self) -> pd.Series:
        """Headline figures of the factor, one value each (for side-by-side comparisons)."""
        h0 = self.horizons[0]
        out: dict[str, Any] = {}
        ic = self.ic_summary.to_numpy(dtype=float)
        spread = self.spread_summary.to_numpy(dtype=float)
        for k, h in enumerate(self.horizons):
            out[f"IC mean ({h})"] = ic[k, 0]
            out[f"IC t-stat NW ({h})"] = ic[k, 3]
            out[f"spread mean ({h})"] = spread[k, 0]
            out[f"spread t-stat NW ({h})"] = spread[k, 1]
        table = self.backtests[h0].table
        ls = table.index.get_loc("long_short")
        turn = self.turnover_summary.to_numpy(dtype=float)
        out[f"long-short Sharpe ({h0}, net)"] = table["sharpe"].to_numpy(dtype=float)[ls]
        out[f"long-short total return ({h0}, net)"] = table["total_return"].to_numpy(dtype=float)[
            ls
        ]
        out[f"top quantile turnover ({h0})"] = turn[0, 0]
        out[f"rank autocorrelation ({h0})"] = turn[0, 2]
        out["rows kept"] = self.data.loss.n_kept
        out["loss"] = self.data.loss.loss
        return pd.Series(out, name=self.name, dtype=float)


def analyze(
    factor: Any,
    prices: Any,
    *,
    horizons: Any = (1, 5, 21),
    quantiles: int | Sequence[float] | None = 5,
    bins: Sequence[float] | None = None,
    groups: Mapping[Any, Any] | pd.Series | None = None,
    by_group: bool = False,
    group_neutral: bool = False,
    min_names: int | None = None,
    max_loss: float = 0.35,
    fees: float = 0.001,
    name: str = "factor",
) -> FactorAnalysis:
    """Analyse a factor against prices: returns by quantile, spread, IC, turnover, backtests.

    Parameters
    ----------
    factor : Series indexed by (date, symbol), or DataFrame (n_dates, n_symbols)
    prices : DataFrame (n_bars, n_assets) or mapping with a ``"close"`` panel
    horizons, quantiles, bins, groups, by_group, min_names, max_loss
        See :func:`~quantlab.factors.clean_factor`.
    group_neutral : bool, default False
        Demean returns and weights within groups (needs ``groups``).
    fees : float, default 0.001
        Fees of the engine runs, as a fraction of traded value (10 bps).
    name : str
        Label of the factor in reports.

    Returns
    -------
    FactorAnalysis

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> idx = pd.bdate_range("2024-01-01", periods=60)
    >>> close = pd.DataFrame(np.exp(np.random.default_rng(2).normal(0, .01, (60, 20)).cumsum(0)),
    ...                      index=idx, columns=[f"S{i}" for i in range(20)])
    >>> fa = analyze(-close.pct_change(5), close, horizons=(1, 5), name="reversal")
    >>> fa.mean_returns.shape, list(fa.ic_summary.index)
    ((5, 2), [1, 5])
    """
    if group_neutral and groups is None:
        raise ParameterError("group_neutral=True needs groups (a symbol -> group mapping)")
    if isinstance(fees, bool) or not isinstance(fees, int | float) or not 0.0 <= fees < 1.0:
        raise ParameterError(f"fees must be a fraction in [0, 1); got {fees!r}")
    fd = clean_factor(
        factor,
        prices,
        horizons=horizons,
        quantiles=quantiles,
        bins=bins,
        groups=groups,
        by_group=by_group,
        min_names=min_names,
        max_loss=max_loss,
    )
    return FactorAnalysis(data=fd, name=name, group_neutral=group_neutral, fees=float(fees))


def compare(analyses: Sequence[FactorAnalysis]) -> pd.DataFrame:
    """Headline figures of several factors side by side (one column each).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> idx = pd.bdate_range("2024-01-01", periods=60)
    >>> close = pd.DataFrame(np.exp(np.random.default_rng(2).normal(0, .01, (60, 20)).cumsum(0)),
    ...                      index=idx, columns=[f"S{i}" for i in range(20)])
    >>> a = analyze(close.pct_change(5), close, horizons=(1,), name="mom")
    >>> b = analyze(-close.pct_change(5), close, horizons=(1,), name="rev")
    >>> list(compare([a, b]).columns)
    ['mom', 'rev']
    """
    names = [a.name for a in analyses]
    if len(set(names)) != len(names):
        raise ParameterError(f"analyses need distinct names to compare; got {names}")
    return pd.concat([a.summary() for a in analyses], axis=1)
