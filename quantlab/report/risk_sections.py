"""The tearsheet's portfolio-risk sections, from :mod:`quantlab.portfolio.risk`.

``tearsheet(..., risk={"returns": asset returns, "weights": ..., "benchmark": ...})`` adds
"Risk decomposition" (per asset: weight, volatility / VaR / CVaR contributions, marginal
volatility; the diversification ratio), "Correlation" (the matrix in hierarchical-
clustering order, :func:`quantlab.portfolio.clustered_correlation`, as a heat map and a
folded table) and, with a benchmark, "Rolling correlation and beta".

Decisions (the task is silent):

* ``weights`` may be one portfolio (Series or dict by asset) or a weights history (a
  DataFrame, one row per date, as walk-forward gives): the history's *last* row, the
  portfolio held now, is decomposed.
* Risk is per bar, as :mod:`quantlab.portfolio.risk` reports it (not annualized), and a
  loss is positive; VaR / CVaR at ``alpha`` (default 0.05).
* Rolling statistics use half a year of bars (as the strategy's rolling Sharpe does)
  unless ``"window"`` is given; the portfolio's own returns (``returns @ weights``) are
  drawn bold, each asset thin (up to 10 assets).
* The tearsheet's ``benchmark=`` belongs to the strategy's dates; the risk sections use
  only ``risk["benchmark"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from quantlab import metrics
from quantlab.errors import AlignmentError, DataTypeError, ParameterError
from quantlab.report import html as H
from quantlab.report import sections as S

__all__ = ["RISK_KEYS", "RiskInputs", "check_risk", "risk_sections"]

RISK_KEYS = ("returns", "weights", "benchmark", "alpha", "window")
_MAX_LINES = 10


class RiskInputs:
    """The checked inputs of the risk sections."""

    def __init__(
        self,
        returns: pd.DataFrame,
        weights: pd.Series,
        benchmark: pd.Series | None,
        alpha: float,
        window: int | None,
    ) -> None:
        self.returns, self.weights, self.benchmark = returns, weights, benchmark
        self.alpha, self.window = alpha, window


def check_risk(risk: Any) -> RiskInputs | None:
    """Check ``risk=`` before anything is rendered; the weights reduced to one portfolio.

    Raises
    ------
    DataTypeError
        ``risk`` not a dict, ``returns`` not a DataFrame, ``weights`` or ``benchmark`` of
        the wrong type.
    ParameterError
        Unknown keys, ``returns`` / ``weights`` missing.
    AlignmentError
        ``benchmark`` misses some of the returns' dates.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"A": [0.01, -0.02, 0.03], "B": [0.0, 0.01, -0.01]})
    >>> history = pd.DataFrame({"A": [0.5, 0.7], "B": [0.5, 0.3]})
    >>> check_risk({"returns": r, "weights": history}).weights.to_dict()
    {'A': 0.7, 'B': 0.3}
    """
    if risk is None:
        return None
    if not isinstance(risk, Mapping):
        raise DataTypeError(f"risk must be a dict; got {type(risk).__name__}")
    unknown = sorted(map(str, set(risk) - set(RISK_KEYS)))
    if unknown:
        raise ParameterError(
            f"risk has unknown keys {unknown}; the tearsheet reads {list(RISK_KEYS)}"
        )
    lacking = [k for k in ("returns", "weights") if risk.get(k) is None]
    if lacking:
        raise ParameterError(
            f"risk needs {lacking}; pass risk={{'returns': asset returns DataFrame, "
            "'weights': Series by asset}"
        )
    returns = risk["returns"]
    if not isinstance(returns, pd.DataFrame):
        raise DataTypeError(
            f"risk['returns'] must be a DataFrame of asset returns (one column per asset); "
            f"got {type(returns).__name__}"
        )
    weights = risk["weights"]
    if isinstance(weights, dict):
        weights = pd.Series(weights, dtype=float)
    if isinstance(weights, pd.DataFrame):
        if weights.empty:
            raise ParameterError("risk['weights'] is an empty DataFrame; pass the weights held")
        weights = weights.iloc[-1]
    if not isinstance(weights, pd.Series):
        raise DataTypeError(
            "risk['weights'] must be a Series or dict by asset, or a weights DataFrame (its "
            f"last row is used); got {type(weights).__name__}"
        )
    bench = risk.get("benchmark")
    if bench is not None:
        if not isinstance(bench, pd.Series):
            raise DataTypeError(
                f"risk['benchmark'] must be a Series of returns; got {type(bench).__name__}"
            )
        missing = returns.index.difference(bench.index)
        if len(missing):
            raise AlignmentError(
                f"risk['benchmark'] misses {len(missing)} of the {len(returns)} dates of "
                f"risk['returns'] (first: {missing[0]}); pass benchmark returns covering them"
            )
        name = str(bench.name) if bench.name is not None else "benchmark"
        bench = bench.reindex(returns.index).astype(float).rename(name)
    window = risk.get("window")
    alpha = risk.get("alpha", 0.05)  # checked by quantlab.portfolio.risk_contributions
    return RiskInputs(returns, weights.astype(float), bench, alpha, window)


def _decomposition(inp: RiskInputs) -> str:
    from quantlab import portfolio

    vol = portfolio.risk_contributions(inp.returns, inp.weights, "volatility")
    var = portfolio.risk_contributions(inp.returns, inp.weights, "var", alpha=inp.alpha)
    cvar = portfolio.risk_contributions(inp.returns, inp.weights, "cvar", alpha=inp.alpha)
    dr = float(portfolio.diversification_ratio(inp.returns, inp.weights).iloc[0])
    assets = vol.contribution.columns
    level = f"{1 - inp.alpha:.0%}"
    frame = pd.DataFrame(
        {
            "weight": inp.weights.reindex(assets).to_numpy(),
            "volatility contribution": vol.contribution.iloc[0].to_numpy(),
            "% of volatility": vol.percent.iloc[0].to_numpy(),
            f"VaR {level} contribution": var.contribution.iloc[0].to_numpy(),
            f"CVaR {level} contribution": cvar.contribution.iloc[0].to_numpy(),
            "marginal volatility": vol.marginal.iloc[0].to_numpy(),
        },
        index=assets,
    )
    total = [
        float(frame["weight"].sum()),
        float(vol.total.iloc[0]),
        1.0,
        float(var.total.iloc[0]),
        float(cvar.total.iloc[0]),
        np.nan,
    ]
    frame.loc["portfolio"] = total
    fm: dict[Any, Callable[[Any], str]] = {c: H.fmt_pct for c in frame.columns}
    fm["marginal volatility"] = lambda x: "" if pd.isna(x) else H.fmt_number(x, 4)
    body = H.reading(
        f"Diversification ratio {H.fmt_number(dr)}: weighted average asset volatility / "
        "portfolio volatility (1 = no diversification)."
    )
    body += H.table(frame, formatters=fm, index_label="asset")
    return body + (
        f'<p class="note">Per-bar risk of the portfolio over {len(inp.returns):,} bars, losses '
        "positive; Euler contributions w_i * d risk / d w_i sum to the portfolio row. "
        f"Volatility: std (ddof 1); VaR / CVaR: historical at alpha = {inp.alpha:g} "
        "(the k-th worst bar / the mean of the k worst). Marginal volatility: d volatility / "
        "d w_i.</p>"
    )


def _rolling(inp: RiskInputs) -> str | None:
    from quantlab import portfolio
    from quantlab.report import figures as F

    if inp.benchmark is None:
        return None
    n = len(inp.returns)
    window = inp.window
    if window is None:
        window = S._rolling_window(n, metrics.infer_periods_per_year(inp.returns.index))
        if window is None:
            return f'<p class="note">Too few bars ({n}) for rolling statistics.</p>'
    port = inp.returns[list(inp.weights.index)] @ inp.weights
    lines = pd.concat([port.rename("portfolio"), inp.returns.iloc[:, :_MAX_LINES]], axis=1)
    corr = portfolio.rolling_correlation(lines, inp.benchmark, window)
    beta = portfolio.rolling_beta(lines, inp.benchmark, window)
    uri = F.rolling_benchmark_figure(
        corr, beta, window=int(window), benchmark=str(inp.benchmark.name)
    )
    more = inp.returns.shape[1] - _MAX_LINES
    note = f" (first {_MAX_LINES} assets drawn, {more} more left out)" if more > 0 else ""
    return H.img(uri, "Rolling correlation and beta") + (
        f'<p class="note">Portfolio (returns @ weights) bold, assets thin{note}.</p>'
    )


def risk_sections(inp: RiskInputs) -> list[tuple[str, str | None]]:
    """(title, body) pairs: "Risk decomposition", "Correlation", "Rolling correlation and
    beta" (None without a benchmark)."""
    from quantlab import portfolio
    from quantlab.report import figures as F

    corr = portfolio.clustered_correlation(inp.returns)
    cells: dict[Any, Callable[[Any], str]] = {c: H.fmt_number for c in corr.columns}
    table = S._details("Table (clustering order)", H.table(corr, formatters=cells))
    return [
        ("Risk decomposition", _decomposition(inp)),
        ("Correlation", H.img(F.correlation_figure(corr), "Correlation matrix") + table),
        ("Rolling correlation and beta", _rolling(inp)),
    ]
