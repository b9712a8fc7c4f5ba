"""Figures of the factor tear sheet and of side-by-side comparisons.

Same conventions as :mod:`quantlab.report.figures` (its style, Agg canvas, ``data:`` URIs,
matplotlib imported only when a figure is drawn).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from quantlab.report.figures import BLUE, GREY, RED, _date_axis, _draw, _pct_axis, _x

__all__ = [
    "cumulative_overlay_figure",
    "drawdown_overlay_figure",
    "ic_decay_figure",
    "ic_series_figure",
    "quantile_returns_figure",
    "turnover_figure",
]


def _colours(n: int) -> list[Any]:
    from matplotlib import colormaps

    cmap = colormaps["coolwarm"]
    return [cmap(v) for v in np.linspace(0.0, 1.0, n)] if n > 1 else [BLUE]


def quantile_returns_figure(mean: pd.DataFrame, se: pd.DataFrame) -> str:
    """Mean forward return by quantile (bps), one group of bars per horizon, +-1 SE whiskers.

    Parameters
    ----------
    mean, se : DataFrame
        Quantiles x horizons (:attr:`quantlab.factors.FactorAnalysis.mean_returns`).
    """

    def paint(fig: Any, axes: Any) -> None:
        ax = axes[0, 0]
        n_q, n_h = mean.shape
        width = 0.8 / n_h
        x = np.arange(n_q)
        for k, h in enumerate(mean.columns):
            ax.bar(
                x + (k - (n_h - 1) / 2) * width,
                1e4 * mean[h].to_numpy(dtype=float),
                width,
                yerr=1e4 * se[h].to_numpy(dtype=float),
                label=f"{h}-bar",
                color=_colours(n_h)[k] if n_h > 1 else BLUE,
                error_kw={"lw": 0.8, "ecolor": GREY},
            )
        ax.axhline(0.0, color="#8c959f", lw=0.7)
        ax.set_xticks(x, [f"Q{q}" for q in mean.index])
        ax.set_ylabel("mean demeaned forward return (bps)")
        ax.set_title("Mean forward return by quantile")
        ax.legend(loc="best")

    return _draw(3.4, paint)


def cumulative_overlay_figure(
    curves: pd.DataFrame, *, title: str, highlight: str | None = None, log: bool = False
) -> str:
    """Growth-of-1 curves overlaid (quantile portfolios, or several strategies/factors).

    Parameters
    ----------
    curves : DataFrame
        Bars x series, each starting near 1.
    title : str
    highlight : str, optional
        Column drawn thick and dark (the long-short portfolio).
    log : bool
    """

    def paint(fig: Any, axes: Any) -> None:
        ax = axes[0, 0]
        x = _x(curves.index)
        cols = [c for c in curves.columns if c != highlight]
        for c, colour in zip(cols, _colours(len(cols)), strict=True):
            ax.plot(x, curves[c].to_numpy(dtype=float), lw=1.2, color=colour, label=str(c))
        if highlight is not None and highlight in curves.columns:
            ax.plot(
                x,
                curves[highlight].to_numpy(dtype=float),
                lw=2.0,
                color="#1f2328",
                label=str(highlight),
            )
        ax.axhline(1.0, color="#8c959f", lw=0.7, ls=":")
        if log:
            ax.set_yscale("log")
        ax.set_ylabel("growth of 1")
        ax.set_title(title)
        ax.legend(loc="best", ncols=2 if len(curves.columns) > 6 else 1)
        _date_axis(ax, curves.index)

    return _draw(3.8, paint)


def drawdown_overlay_figure(curves: pd.DataFrame) -> str:
    """Drawdown from the running peak of each growth-of-1 curve, overlaid."""

    def paint(fig: Any, axes: Any) -> None:
        ax = axes[0, 0]
        x = _x(curves.index)
        for c, colour in zip(curves.columns, _colours(len(curves.columns)), strict=True):
            v = curves[c].to_numpy(dtype=float)
            peak = np.fmax.accumulate(v)
            ax.plot(x, v / peak - 1.0, lw=1.1, color=colour, label=str(c))
        _pct_axis(ax)
        ax.set_ylabel("drawdown")
        ax.set_title("Drawdowns")
        ax.legend(loc="lower left")
        _date_axis(ax, curves.index)

    return _draw(3.0, paint)


def ic_series_figure(ic: pd.Series, window: int = 21) -> str:
    """Daily IC (thin bars) and its rolling mean over ``window`` dates."""

    def paint(fig: Any, axes: Any) -> None:
        ax = axes[0, 0]
        x = _x(ic.index)
        v = ic.to_numpy(dtype=float)
        ax.bar(x, v, width=1.0, color=np.where(v >= 0, BLUE, RED), alpha=0.35, lw=0)
        roll = ic.rolling(window, min_periods=max(2, window // 2)).mean()
        ax.plot(x, roll.to_numpy(dtype=float), color="#1f2328", lw=1.3, label=f"{window}-date mean")
        ax.axhline(float(np.nanmean(v)), color=BLUE, lw=0.9, ls="--", label="mean")
        ax.axhline(0.0, color="#8c959f", lw=0.7)
        ax.set_ylabel("Spearman IC")
        ax.set_title(f"Information coefficient ({ic.name}-bar forward returns)")
        ax.legend(loc="best")
        _date_axis(ax, ic.index)

    return _draw(3.2, paint)


def ic_decay_figure(decay: Mapping[str, pd.Series]) -> str:
    """Mean IC per horizon, one line per factor (how fast the information fades).

    Parameters
    ----------
    decay : mapping name -> Series
        Horizon -> mean IC (:attr:`quantlab.factors.FactorAnalysis.ic_decay`).
    """

    def paint(fig: Any, axes: Any) -> None:
        ax = axes[0, 0]
        for (name, s), colour in zip(decay.items(), _colours(len(decay)), strict=True):
            ax.plot(
                [str(h) for h in s.index],
                s.to_numpy(dtype=float),
                marker="o",
                lw=1.4,
                color=colour,
                label=str(name),
            )
        ax.axhline(0.0, color="#8c959f", lw=0.7)
        ax.set_xlabel("horizon (bars)")
        ax.set_ylabel("mean Spearman IC")
        ax.set_title("IC decay")
        ax.legend(loc="best")

    return _draw(3.0, paint, width=6.5)


def turnover_figure(turnover: pd.DataFrame, autocorr: pd.Series, window: int = 21) -> str:
    """Top and bottom quantile turnover and factor rank autocorrelation (rolling means)."""

    def paint(fig: Any, axes: Any) -> None:
        ax = axes[0, 0]
        x = _x(turnover.index)
        top, bottom = turnover.columns[-1], turnover.columns[0]
        for col, colour in ((top, RED), (bottom, BLUE)):
            roll = turnover[col].rolling(window, min_periods=1).mean()
            ax.plot(x, roll.to_numpy(dtype=float), lw=1.2, color=colour, label=f"Q{col} turnover")
        ax.plot(
            _x(autocorr.index),
            autocorr.rolling(window, min_periods=1).mean().to_numpy(dtype=float),
            lw=1.2,
            color="#1f2328",
            label="rank autocorrelation",
        )
        ax.set_ylim(-0.05, 1.05)
        ax.set_title(f"Turnover and rank autocorrelation ({window}-date means)")
        ax.legend(loc="best")
        _date_axis(ax, turnover.index)

    return _draw(3.0, paint)
