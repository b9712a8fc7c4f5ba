"""What each reported figure means and how it is printed: one table for the CLI and the report.

Every figure quantlab prints in a table (``quantlab backtest`` / ``simulate`` / ``sweep``,
the ``quantlab run`` summary, the HTML tearsheet's metric tables) is listed in
:data:`FIGURES` with its *kind*, which fixes its format, and a one-line definition shown
beside it. Formats (:func:`fmt`):

* ``"pct"`` -- a fraction as a percentage with 2 decimals (``0.1234`` -> ``12.34%``);
  below 0.01% in magnitude, 2 significant digits (``0.0050%``), so small values do not
  print as ``0.00%``;
* ``"int"`` -- a count, no decimals, thousands separators (``1,254``);
* ``"ratio"`` -- a dimensionless ratio, 2 decimals (``1.37``);
* ``"num"`` -- an amount (cash, wealth, an IC): 4 significant digits in fixed-point
  notation (``0.00005025``, ``12.35``, ``1,234,568``), never ``5.02522e-05``.

NaN prints as ``n/a``, infinities as ``inf`` / ``-inf``.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

__all__ = ["FIGURES", "Figure", "definition", "fmt", "fmt_figure"]


class Figure(NamedTuple):
    """A reported figure: its display label, kind (format) and definition."""

    label: str
    kind: str
    definition: str


#: Every figure by the key the library reports it under.
FIGURES: dict[str, Figure] = {
    # returns and risk (quantlab.metrics.summary)
    "total_return": Figure("Total return", "pct", "final equity / initial equity - 1"),
    "cagr": Figure("CAGR", "pct", "compound annual growth rate of equity"),
    "annual_return": Figure("Annual return", "pct", "compound annual growth rate"),
    "annual_volatility": Figure(
        "Annual volatility", "pct", "std of bar returns x sqrt(periods per year)"
    ),
    "sharpe": Figure("Sharpe ratio", "ratio", "annualized mean / std of bar returns (risk-free 0)"),
    "sortino": Figure(
        "Sortino ratio", "ratio", "annualized mean / downside deviation of bar returns"
    ),
    "calmar": Figure("Calmar ratio", "ratio", "CAGR / size of the max drawdown"),
    "max_drawdown": Figure("Max drawdown", "pct", "largest fall of equity from a previous peak"),
    "max_drawdown_duration": Figure(
        "Longest drawdown (bars)", "int", "most bars spent below a previous equity peak"
    ),
    "value_at_risk": Figure(
        "VaR 95% (per bar)", "pct", "5th percentile of bar returns (historical)"
    ),
    "cvar": Figure("CVaR 95% (per bar)", "pct", "mean of the bar returns at or below VaR"),
    "best_period": Figure("Best bar", "pct", "highest single-bar return"),
    "worst_period": Figure("Worst bar", "pct", "lowest single-bar return"),
    "skew": Figure("Skew", "ratio", "asymmetry of bar returns (> 0: longer right tail)"),
    "kurtosis": Figure("Excess kurtosis", "ratio", "tail weight of bar returns vs normal (0)"),
    "stability": Figure(
        "Stability (R\u00b2 of log equity)", "ratio", "fit of log equity to a straight line, 0-1"
    ),
    "alpha": Figure("Alpha (annual)", "pct", "annualized return not explained by beta"),
    "beta": Figure("Beta", "ratio", "sensitivity of returns to the benchmark's"),
    "correlation": Figure("Correlation", "ratio", "correlation with benchmark returns"),
    "information_ratio": Figure(
        "Information ratio", "ratio", "annualized excess return / tracking error"
    ),
    "tracking_error": Figure(
        "Tracking error", "pct", "annualized std of returns minus benchmark returns"
    ),
    "up_capture": Figure("Up capture", "ratio", "share of benchmark gains captured"),
    "down_capture": Figure("Down capture", "ratio", "share of benchmark losses taken"),
    # trades (quantlab.metrics.trade_stats and BacktestResult.stats)
    "final_value": Figure("Final value", "num", "equity at the last bar (cash)"),
    "n_orders": Figure("Orders", "int", "orders filled"),
    "n_trades": Figure("Trades", "int", "round trips opened (closed and still open)"),
    "n_closed_trades": Figure("Closed trades", "int", "round trips entered and exited"),
    "win_rate": Figure("Win rate", "pct", "share of closed trades with pnl > 0"),
    "profit_factor": Figure(
        "Profit factor", "ratio", "gross profit / gross loss in cash (> 1: net winner)"
    ),
    "payoff_ratio": Figure(
        "Payoff ratio", "ratio", "mean winner return / size of mean loser return"
    ),
    "expectancy": Figure("Expectancy (PnL per trade)", "num", "mean pnl per closed trade, in cash"),
    "expectancy_return": Figure(
        "Expectancy (return per trade)", "pct", "mean return per closed trade"
    ),
    "avg_holding_bars": Figure("Average holding (bars)", "ratio", "mean bars a trade is open"),
    "kelly": Figure(
        "Kelly fraction",
        "pct",
        "win rate - (1 - win rate) / payoff ratio: stake a bet with these odds warrants "
        "(< 0: no edge)",
    ),
    "exposure": Figure("Time in market", "pct", "share of bars with an open position"),
    "turnover": Figure("Turnover (per year)", "ratio", "traded value per year / mean equity"),
    "total_fees": Figure("Fees paid", "num", "fees paid over the backtest, in cash"),
    # Monte Carlo (SimulationResult.summary), wealth starts at initial_wealth (default 1)
    "terminal_wealth": Figure("Terminal wealth", "num", "wealth at the horizon (start = 1)"),
    "ruined": Figure("Ruined", "pct", "share of paths ruined (mean = probability of ruin)"),
    "goal_reached": Figure("Goal reached", "pct", "share of paths ending at or above the goal"),
    "years_to_goal": Figure("Years to goal", "ratio", "years until a path first reaches the goal"),
}


def _sig(v: float, digits: int = 4) -> str:
    """``v`` to ``digits`` significant digits in fixed-point notation."""
    if v == 0.0:
        return "0"
    mag = math.floor(math.log10(abs(v)))
    decimals = digits - 1 - mag
    if decimals <= 0:
        return f"{v:,.0f}"
    if decimals > 12:  # below 1e-9: fixed-point would be a row of zeros
        return f"{v:.{digits - 1}e}"
    return f"{v:,.{decimals}f}"


def fmt(value: Any, kind: str = "num") -> str:
    """Format ``value`` as a figure of ``kind`` (see the module docstring).

    Examples
    --------
    >>> fmt(0.1234, "pct"), fmt(5e-05, "pct"), fmt(1254.0, "int"), fmt(1.3657, "ratio")
    ('12.34%', '0.0050%', '1,254', '1.37')
    >>> fmt(5.02522e-05), fmt(12.3456), fmt(1234567.8), fmt(float("nan"))
    ('0.00005025', '12.35', '1,234,568', 'n/a')
    """
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v):
        return "n/a"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if kind == "pct":
        p = 100.0 * v
        return f"{p:,.2f}%" if p == 0.0 or abs(p) >= 0.01 else f"{_sig(p, 2)}%"
    if kind == "int":
        return f"{v:,.0f}"
    if kind == "ratio":
        return f"{v:,.2f}"
    if kind == "num":
        return _sig(v)
    raise ValueError(f"kind must be 'pct', 'int', 'ratio' or 'num'; got {kind!r}")


def fmt_figure(key: str, value: Any) -> str:
    """Format ``value`` as the figure ``key`` of :data:`FIGURES` (an unknown key: ``num``)."""
    fig = FIGURES.get(key)
    return fmt(value, fig.kind if fig else "num")


def definition(key: str) -> str:
    """The one-line definition of figure ``key`` (``""`` when it has none)."""
    fig = FIGURES.get(key)
    return fig.definition if fig else ""
