"""The tearsheet's figures, drawn with matplotlib and returned as ``data:image/png`` URIs.

matplotlib is imported inside each function (``import quantlab.report`` must not import
it), figures are built as bare :class:`matplotlib.figure.Figure` objects rendered by the
Agg canvas -- no pyplot state, no window, nothing left open -- and every figure shares one
small style (:data:`STYLE`) so the page reads as one document.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from quantlab.events import EventStudy
    from quantlab.montecarlo.result import SimulationResult

__all__ = [
    "STYLE",
    "caar_figure",
    "correlation_figure",
    "equity_figure",
    "feature_importance_figure",
    "ic_by_fold_figure",
    "montecarlo_fan_figure",
    "rolling_benchmark_figure",
    "rolling_figure",
    "sweep_heatmap_figure",
    "terminal_wealth_figure",
    "trade_returns_figure",
    "underwater_figure",
]

WIDTH = 10.0  # inches; at DPI 100 the PNG is 1000 px wide, the page's content width
DPI = 100
BLUE, GREY, RED, GREEN, ORANGE = "#0969da", "#6e7781", "#cf222e", "#1a7f37", "#bf8700"

STYLE: dict[str, Any] = {
    "font.size": 9.5,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9.5,
    "axes.labelcolor": "#424a53",
    "axes.edgecolor": "#8c959f",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#d8dee4",
    "grid.linewidth": 0.6,
    "xtick.color": "#424a53",
    "ytick.color": "#424a53",
    "legend.frameon": False,
    "legend.fontsize": 8.5,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}


def _figure(
    height: float, nrows: int = 1, ncols: int = 1, width: float = WIDTH, **grid: Any
) -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **grid)
    return fig, axes


def _render(fig: Any) -> str:
    """PNG bytes of ``fig`` as a base64 ``data:`` URI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _draw(
    height: float,
    painter: Any,
    nrows: int = 1,
    ncols: int = 1,
    width: float = WIDTH,
    **grid: Any,
) -> str:
    """Create a styled figure, let ``painter(fig, axes)`` draw on it, return its URI."""
    import matplotlib

    with matplotlib.rc_context(cast(Any, STYLE)):
        fig, axes = _figure(height, nrows, ncols, width, **grid)
        painter(fig, axes)
        return _render(fig)


def _x(index: pd.Index) -> Any:
    """Plottable x values: naive datetimes for a DatetimeIndex, else the positions."""
    if isinstance(index, pd.DatetimeIndex):
        return (index.tz_localize(None) if index.tz is not None else index).to_numpy()
    return np.arange(len(index))


def _date_axis(ax: Any, index: pd.Index) -> None:
    if isinstance(index, pd.DatetimeIndex):
        import matplotlib.dates as mdates

        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    else:
        ax.set_xlabel("bar")
    ax.margins(x=0.01)


def _pct_axis(ax: Any, decimals: int = 0) -> None:
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=decimals))


def equity_figure(
    equity: pd.Series,
    benchmark: pd.Series | None = None,
    exposure: pd.Series | None = None,
    *,
    label: str = "strategy",
    benchmark_label: str = "benchmark",
    log: bool = False,
) -> str:
    """Equity curve (and the benchmark rebased to the same start), exposure below it.

    Parameters
    ----------
    equity : Series
        Equity (currency or growth of 1) by bar.
    benchmark : Series, optional
        Benchmark equity on the same index and scale.
    exposure : Series, optional
        Gross exposure (fraction of equity) by bar; drawn in a thin panel underneath.
    label, benchmark_label : str
        Legend entries.
    log : bool
        Log-scaled equity axis.

    Returns
    -------
    str
        ``data:image/png;base64,...``
    """

    def paint(fig: Any, axes: Any) -> None:
        ax = axes[0, 0]
        x = _x(equity.index)
        ax.plot(x, equity.to_numpy(dtype=float), color=BLUE, lw=1.4, label=label)
        if benchmark is not None:
            ax.plot(x, benchmark.to_numpy(dtype=float), color=GREY, lw=1.1, label=benchmark_label)
        ax.axhline(float(equity.dropna().iloc[0]), color="#8c959f", lw=0.7, ls=":")
        if log:
            ax.set_yscale("log")
        ax.set_ylabel("equity (log scale)" if log else "equity")
        ax.set_title("Equity curve" + (" vs benchmark" if benchmark is not None else ""))
        ax.legend(loc="best")
        _date_axis(ax, equity.index)
        if exposure is not None:
            ex = axes[1, 0]
            ex.fill_between(x, exposure.to_numpy(dtype=float), color=BLUE, alpha=0.35, lw=0)
            ex.set_ylabel("gross exposure")
            _pct_axis(ex)
            _date_axis(ex, equity.index)
            ex.set_ylim(bottom=0)

    if exposure is None:
        return _draw(3.8, paint)
    return _draw(4.8, paint, nrows=2, sharex=True, gridspec_kw={"height_ratios": [3.2, 1]})


def underwater_figure(drawdown: pd.Series) -> str:
    """Underwater plot: drawdown from the running peak, shaded, with the maximum marked."""

    def paint(fig: Any, axes: Any) -> None:
        ax = axes[0, 0]
        x = _x(drawdown.index)
        y = drawdown.to_numpy(dtype=float)
        ax.fill_between(x, y, 0.0, color=RED, alpha=0.35, lw=0)
        ax.plot(x, y, color=RED, lw=0.8)
        if np.isfinite(y).any() and np.nanmin(y) < 0:
            i = int(np.nanargmin(y))
            ax.axhline(y[i], color=GREY, lw=0.7, ls="--")
            ax.annotate(
                f"max {100 * y[i]:.1f}%",
                (x[i], y[i]),
                xytext=(6, 3),
                textcoords="offset points",
                va="bottom",
                fontsize=8.5,
                color="#424a53",
            )
        ax.set_ylim(top=0.0)
        ax.set_ylabel("drawdown")
        _pct_axis(ax)
        ax.set_title("Underwater (drawdown from running peak)")
        _date_axis(ax, drawdown.index)

    return _draw(2.8, paint)


def rolling_figure(
    sharpe: pd.Series, volatility: pd.Series, *, window: int, overall_sharpe: float
) -> str:
    """Rolling annualized Sharpe ratio (top) and volatility (bottom) over ``window`` bars."""

    def paint(fig: Any, axes: Any) -> None:
        x = _x(sharpe.index)
        top, bottom = axes[0, 0], axes[1, 0]
        s = sharpe.to_numpy(dtype=float)
        s = np.where(np.isfinite(s), s, np.nan)
        top.plot(x, s, color=BLUE, lw=1.1, label=f"rolling {window}-bar Sharpe")
        top.axhline(0.0, color="#8c959f", lw=0.7)
        if np.isfinite(overall_sharpe):
            top.axhline(overall_sharpe, color=ORANGE, lw=1.0, ls="--", label="full period")
        top.set_ylabel("Sharpe (ann.)")
        top.set_title(f"Rolling Sharpe ratio and volatility ({window}-bar window)")
        top.legend(loc="upper left", ncols=2)
        bottom.plot(x, volatility.to_numpy(dtype=float), color=GREY, lw=1.1)
        bottom.set_ylabel("volatility (ann.)")
        _pct_axis(bottom)
        _date_axis(top, sharpe.index)
        _date_axis(bottom, sharpe.index)

    return _draw(4.6, paint, nrows=2, sharex=True)


def trade_returns_figure(returns: np.ndarray) -> str:
    """Histogram of closed-trade returns, winners green and losers red, mean marked."""

    def paint(fig: Any, axes: Any) -> None:
        ax = axes[0, 0]
        r = returns[np.isfinite(returns)]
        bins = _zero_aligned_bins(r, min(40, max(6, len(r) // 3)))
        ax.hist(r[r < 0], bins=bins, color=RED, alpha=0.7, label="losing trades")
        ax.hist(r[r >= 0], bins=bins, color=GREEN, alpha=0.7, label="winning trades")
        if len(r):
            ax.axvline(float(r.mean()), color="#1f2328", lw=1.0, ls="--", label="mean")
        ax.set_xlabel("trade return")
        ax.xaxis.set_major_formatter(_pct_formatter())
        ax.set_ylabel("trades")
        ax.set_title(f"Distribution of trade returns ({len(r):,} closed trades)")
        ax.legend(loc="upper right")

    return _draw(3.4, paint, width=6.4)


def _zero_aligned_bins(r: np.ndarray, n: int) -> np.ndarray:
    """About ``n`` equal bins covering ``r`` with 0 on a bin edge (no win/loss bin)."""
    lo, hi = (float(r.min()), float(r.max())) if len(r) else (-0.01, 0.01)
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    width = (hi - lo) / n or 0.01
    return np.arange(np.floor(lo / width), np.ceil(hi / width) + 1) * width


def _pct_formatter() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)


def montecarlo_fan_figure(result: SimulationResult) -> str:
    """Wealth fan of a simulation (5-95% and 25-75% bands, median, historical path)."""
    from quantlab.montecarlo.plots import plot_fan

    def paint(fig: Any, axes: Any) -> None:
        ax = plot_fan(result, ax=axes[0, 0])
        ax.set_xlabel("step (bars ahead)")

    return _draw(3.6, paint)


def terminal_wealth_figure(result: SimulationResult) -> str:
    """Histogram of terminal wealth with the initial wealth, median and goal marked."""
    from quantlab.montecarlo.plots import plot_terminal_hist

    def paint(fig: Any, axes: Any) -> None:
        plot_terminal_hist(result, ax=axes[0, 0], bins=50)

    return _draw(3.0, paint)


def sweep_heatmap_figure(grid: pd.DataFrame, metric: str, best: Sequence[Any] | None) -> str:
    """Heat map of ``metric`` over two swept parameters, each cell annotated, best outlined.

    Parameters
    ----------
    grid : DataFrame
        Rows one parameter (y), columns another (x), as :meth:`SweepResult.heatmap` gives.
    metric : str
    best : (x, y) pair, optional
        The selected combination, outlined.
    """

    def paint(fig: Any, axes: Any) -> None:
        from matplotlib.patches import Rectangle

        ax = axes[0, 0]
        ax.grid(False)
        z = grid.to_numpy(dtype=float)
        finite = z[np.isfinite(z)]
        lim = float(np.max(np.abs(finite))) if finite.size else 1.0
        im = ax.imshow(z, aspect="auto", origin="lower", cmap="RdYlGn", vmin=-lim, vmax=lim or 1.0)
        ax.set_xticks(range(grid.shape[1]), [str(c) for c in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [str(i) for i in grid.index])
        ax.set_xlabel(str(grid.columns.name))
        ax.set_ylabel(str(grid.index.name))
        ax.set_title(f"{metric} by parameter (mean over the other parameters and assets)")
        if z.size <= 300:
            for (i, j), v in np.ndenumerate(z):
                if np.isfinite(v):
                    ink = "white" if abs(v) > 0.6 * lim else "#1f2328"
                    ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=9, color=ink)
        if best is not None:
            bx, by = best
            cols, rows = list(grid.columns), list(grid.index)
            if bx in cols and by in rows:
                j, i = cols.index(bx), rows.index(by)
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, ec="#1f2328", lw=2.0))
        fig.colorbar(im, ax=ax, label=metric, shrink=0.9)

    height = min(6.0, max(3.0, 0.32 * grid.shape[0] + 1.6))
    return _draw(height, paint)


def feature_importance_figure(importances: pd.Series, top: int = 25) -> str:
    """Horizontal bars of the ``top`` largest feature importances, largest at the top."""
    s = importances.astype(float).sort_values(ascending=False).iloc[:top][::-1]

    def paint(fig: Any, axes: Any) -> None:
        ax = axes[0, 0]
        ax.barh([str(i) for i in s.index], s.to_numpy(), color=BLUE, alpha=0.85)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("importance")
        more = f" (top {top} of {len(importances)})" if len(importances) > top else ""
        ax.set_title("Feature importances" + more)

    return _draw(min(8.0, 0.26 * len(s) + 1.2), paint)


def ic_by_fold_figure(ic: pd.DataFrame) -> str:
    """Grouped bars of the information coefficient per fold (one bar per column), means dashed."""

    def paint(fig: Any, axes: Any) -> None:
        ax = axes[0, 0]
        n_folds, n_cols = ic.shape
        width = 0.8 / max(n_cols, 1)
        pos = np.arange(n_folds)
        colours = [BLUE, ORANGE, GREY, GREEN, RED]
        for k, col in enumerate(ic.columns):
            vals = ic[col].to_numpy(dtype=float)
            c = colours[k % len(colours)]
            ax.bar(pos + (k - (n_cols - 1) / 2) * width, vals, width, color=c, label=str(col))
            if np.isfinite(vals).any():
                ax.axhline(float(np.nanmean(vals)), color=c, lw=1.0, ls="--")
        ax.axhline(0.0, color="#8c959f", lw=0.7)
        ax.set_xticks(pos, [str(i) for i in ic.index])
        ax.set_xlabel(str(ic.index.name or "fold"))
        ax.set_ylabel("IC")
        ax.set_title("Information coefficient by fold (dashed: mean)")
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))

    return _draw(3.0, paint)


def caar_figure(study: EventStudy, level: float = 0.95) -> str:
    """CAAR of an event study over its window with the ``level`` band (top) and, when the
    study has a ``group_by``, one CAAR curve and band per group (below, drawn by
    :meth:`EventStudy.plot`)."""
    frame = study.caar(level=level)
    grouped = study.group_by is not None

    def paint(fig: Any, axes: Any) -> None:
        ax = axes[0, 0]
        x = frame.index.to_numpy()
        ax.fill_between(
            x,
            frame["lower"],
            frame["upper"],
            color=BLUE,
            alpha=0.2,
            lw=0,
            label=f"{level:.0%} band",
        )
        ax.plot(x, frame["caar"], color=BLUE, lw=1.4, label=f"CAAR (n={len(study.events):,})")
        ax.axhline(0.0, color="#8c959f", lw=0.7)
        ax.axvline(0.0, color=GREY, lw=0.8, ls=":")
        ax.set_ylabel("CAAR")
        _pct_axis(ax, 1)
        if not grouped:  # the shared x axis is labelled under the group panel
            ax.set_xlabel(f"trading days from event day 0 ({study.clock} clock)")
        ax.set_title(f"Cumulative average abnormal return ({study.model} model)")
        ax.legend(loc="upper left")
        if grouped:
            g = study.plot(ax=axes[1, 0], level=level)
            _pct_axis(g, 1)
            g.set_title(f"CAAR by {study.group_by}")
            g.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))

    if grouped:
        return _draw(6.4, paint, nrows=2, sharex=True)
    return _draw(3.4, paint)


def correlation_figure(corr: pd.DataFrame) -> str:
    """Heat map of a correlation matrix in the given (clustering) order, -1 blue to +1 red,
    cells annotated up to 15 assets."""

    def paint(fig: Any, axes: Any) -> None:
        ax = axes[0, 0]
        ax.grid(False)
        z = corr.to_numpy(dtype=float)
        im = ax.imshow(z, cmap="RdBu_r", vmin=-1.0, vmax=1.0)
        labels = [str(c) for c in corr.columns]
        ax.set_xticks(range(len(labels)), labels, rotation=90 if len(labels) > 8 else 0)
        ax.set_yticks(range(len(labels)), labels)
        ax.set_title("Correlation matrix (hierarchical-clustering order)")
        if len(labels) <= 15:
            for (i, j), v in np.ndenumerate(z):
                ink = "white" if abs(v) > 0.6 else "#1f2328"
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8.5, color=ink)
        fig.colorbar(im, ax=ax, label="correlation", shrink=0.9)

    side = min(8.0, max(3.6, 0.4 * len(corr) + 1.8))
    return _draw(side, paint, width=side + 1.6)


def rolling_benchmark_figure(
    correlation: pd.DataFrame, beta: pd.DataFrame, *, window: int, benchmark: str
) -> str:
    """Rolling correlation (top) and beta (bottom) of each column to the benchmark; the
    first column (the portfolio) bold."""

    def paint(fig: Any, axes: Any) -> None:
        top, bottom = axes[0, 0], axes[1, 0]
        x = _x(correlation.index)
        for k, col in enumerate(correlation.columns):
            style = {"color": BLUE, "lw": 1.6} if k == 0 else {"lw": 0.9, "alpha": 0.75}
            top.plot(x, correlation[col].to_numpy(dtype=float), label=str(col), **style)
            bottom.plot(x, beta[col].to_numpy(dtype=float), **style)
        top.axhline(0.0, color="#8c959f", lw=0.7)
        bottom.axhline(1.0, color="#8c959f", lw=0.7, ls=":")
        top.set_ylabel("correlation")
        bottom.set_ylabel("beta")
        top.set_title(f"Rolling correlation and beta to {benchmark} ({window}-bar window)")
        top.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        _date_axis(top, correlation.index)
        _date_axis(bottom, correlation.index)

    return _draw(4.8, paint, nrows=2, sharex=True)
