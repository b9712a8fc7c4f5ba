"""Factor tear sheet and side-by-side comparisons, as self-contained HTML pages.

:func:`factor_tearsheet` renders one or several :class:`~quantlab.factors.FactorAnalysis`
(alphalens' returns, information and turnover tear sheets in one page, plus the engine's
net-of-fees quantile portfolios); with several factors it opens with a comparison: one
table of headline figures, overlaid long-short curves and IC decay lines.

:func:`comparison_tearsheet` puts several strategies' returns side by side (one metrics
table from :func:`quantlab.metrics.summary`, overlaid equity and drawdown curves), what
quantstats users ask for (its issues #161 and #199).

Same page machinery as :func:`quantlab.report.tearsheet` (:mod:`quantlab.report.html`):
escaped text, inline style, figures embedded as ``data:`` URIs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from quantlab import metrics
from quantlab.errors import DataTypeError, ParameterError
from quantlab.factors import FactorAnalysis, compare
from quantlab.report import factor_figures as FF
from quantlab.report import html as H
from quantlab.report.tearsheet import Tearsheet

__all__ = ["comparison_tearsheet", "factor_sections", "factor_tearsheet"]

_COMPARE_ROWS = [
    "total_return",
    "cagr",
    "annual_volatility",
    "sharpe",
    "sortino",
    "calmar",
    "max_drawdown",
    "max_drawdown_duration",
    "value_at_risk",
    "cvar",
    "skew",
    "kurtosis",
]
_PCT_ROWS = {"total_return", "cagr", "annual_volatility", "max_drawdown", "value_at_risk", "cvar"}


def _bps(x: Any) -> str:
    return H.fmt_number(1e4 * float(x), 1)


def _summary_formatters(index: pd.Index) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    for label in index:
        text = str(label)
        if text.startswith(("spread mean", "long-short total return", "loss")):
            out[label] = H.fmt_pct
        elif text.startswith("rows kept"):
            out[label] = lambda v: H.fmt_number(v, 0)
        else:
            out[label] = lambda v: H.fmt_number(v, 3)
    return out


def factor_sections(fa: FactorAnalysis, prefix: str = "") -> list[tuple[str, str]]:
    """The sections of one factor: (title, HTML body) pairs, titles prefixed by ``prefix``.

    Returns, spread and engine portfolios; information coefficient (series, decay, by
    group); turnover; data kept and left out.
    """
    h0 = fa.horizons[0]
    out: list[tuple[str, str]] = []
    s = fa.summary()
    head = H.table(s.to_frame(fa.name), formatters=_summary_formatters(s.index))
    ic_mean, ic1 = fa.ic_summary[["mean", "t_stat"]].to_numpy(dtype=float)[0]
    tone = "good" if ic1 > 2 else ("bad" if abs(ic1) < 1 else "warn")
    head += H.reading(
        f"{h0}-bar IC {ic_mean:.4f} with a Newey-West "
        f"t-statistic of {ic1:.2f}; engine portfolios pay {fa.fees:.2%} of traded value.",
        tone,
    )
    out.append((f"{prefix}Summary", head))

    mean, se = fa.mean_returns, fa.mean_returns_se
    tbl = pd.concat({"mean (bps)": mean, "std error (bps)": se}, axis=1)
    tbl.columns = pd.Index([f"{c[0]} {c[1]}-bar" for c in list(tbl.columns)])
    spread = fa.spread_summary.copy()
    spread["mean"] = spread["mean"].astype(float)
    body = H.img(FF.quantile_returns_figure(mean, se), "mean return by quantile")
    body += H.table(tbl, formatters=dict.fromkeys(tbl.columns, _bps), index_label="quantile")
    body += "<h3>Top-minus-bottom spread (per date, Newey-West t)</h3>"
    body += H.table(
        spread,
        formatters={"mean": _bps, "t_stat": lambda v: H.fmt_number(v, 2)},
        index_label="horizon",
    )
    body += H.img(
        FF.cumulative_overlay_figure(
            fa.cumulative_returns(h0),
            title=f"Quantile and long-short portfolios, rebalanced every {h0} bar(s), net of fees",
            highlight="long_short",
        ),
        "cumulative returns of quantile portfolios",
    )
    bt = fa.backtests[h0].table[["total_return", "sharpe", "max_drawdown", "total_fees"]]
    body += H.table(
        bt,
        formatters={"total_return": H.fmt_pct, "max_drawdown": H.fmt_pct},
        index_label="portfolio",
    )
    out.append((f"{prefix}Returns by quantile", body))

    ic_tab = fa.ic_summary.astype(float)
    body = H.img(FF.ic_series_figure(fa.ic[h0].rename(h0)), "IC per date")
    body += H.table(ic_tab, index_label="horizon")
    body += H.img(FF.ic_decay_figure({fa.name: fa.ic_decay}), "IC decay")
    if fa.ic_by_group is not None:
        body += "<h3>Mean IC by group</h3>" + H.table(fa.ic_by_group, index_label="group")
    out.append((f"{prefix}Information coefficient", body))

    body = H.img(
        FF.turnover_figure(fa.turnover[h0], fa.rank_autocorrelation[h0].dropna()),
        "turnover",
    )
    body += H.table(fa.turnover_summary, index_label="lag (bars)")
    out.append((f"{prefix}Turnover", body))

    loss = fa.data.loss.table()
    body = H.kv_table(
        [(k, H.fmt_pct(v) if k == "loss" else v) for k, v in loss.items()], ("rows", "count")
    )
    body += H.reading(
        "Rows are left out when the factor is NaN, a forward return is unknown, the date has "
        "too few names (min_names) or its quantile edges are not unique (alphalens' rule).",
        "warn" if fa.data.loss.loss > 0.2 else "",
    )
    out.append((f"{prefix}Data kept", body))
    return out


def _as_list(analyses: Any) -> list[FactorAnalysis]:
    if isinstance(analyses, FactorAnalysis):
        return [analyses]
    items = list(analyses) if isinstance(analyses, Sequence) else None
    if not items or not all(isinstance(a, FactorAnalysis) for a in items):
        raise DataTypeError(
            "analyses must be a FactorAnalysis or a non-empty list of them (from "
            f"quantlab.factors.analyze); got {type(analyses).__name__}"
        )
    return items


def factor_tearsheet(analyses: Any, *, title: str | None = None) -> Tearsheet:
    """Factor tear sheet of one factor, or several side by side.

    Parameters
    ----------
    analyses : FactorAnalysis or sequence of FactorAnalysis
        From :func:`quantlab.factors.analyze`; names must be distinct.
    title : str, optional

    Returns
    -------
    Tearsheet
        ``.html`` (self-contained page), ``.save(path)``, ``.sections``.

    Raises
    ------
    DataTypeError
        ``analyses`` holds something else.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from quantlab.factors import analyze
    >>> idx = pd.bdate_range("2024-01-01", periods=80)
    >>> close = pd.DataFrame(np.exp(np.random.default_rng(0).normal(0, .01, (80, 20)).cumsum(0)),
    ...                      index=idx, columns=[f"S{i}" for i in range(20)])
    >>> mom = analyze(close.pct_change(5), close, horizons=(1, 5), name="momentum")
    >>> rev = analyze(-close.pct_change(5), close, horizons=(1, 5), name="reversal")
    >>> ts = factor_tearsheet([mom, rev])
    >>> ts.sections[:2]
    ['Comparison', 'momentum: Summary']
    """
    items = _as_list(analyses)
    sections: list[tuple[str, str]] = []
    if len(items) > 1:
        table = compare(items)
        h0 = items[0].horizons[0]
        curves = pd.concat(
            {a.name: a.cumulative_returns(a.horizons[0])["long_short"] for a in items},
            axis=1,
            sort=True,  # factors on different calendars: one date axis, in order
        )
        body = H.table(table, formatters=_summary_formatters(table.index))
        body += H.img(
            FF.cumulative_overlay_figure(
                curves, title=f"Factor-weighted long-short portfolios ({h0}-bar, net of fees)"
            ),
            "long-short portfolios overlaid",
        )
        body += H.img(FF.ic_decay_figure({a.name: a.ic_decay for a in items}), "IC decay")
        sections.append(("Comparison", body))
        for a in items:
            sections += factor_sections(a, prefix=f"{a.name}: ")
    else:
        sections = factor_sections(items[0])
    title = title or ("Factor tear sheet: " + ", ".join(a.name for a in items))
    d = items[0].data
    meta = (
        f"{len(d.symbols)} symbols, {len(d.dates)} dates ({d.dates[0].date()} to "
        f"{d.dates[-1].date()}), horizons {list(d.horizons)} bars, {d.n_buckets} buckets"
    )
    frag = H.fragment(title, meta, sections)
    return Tearsheet(title, H.page(title, frag), [t for t, _ in sections], frag)


def comparison_tearsheet(
    returns: pd.DataFrame | Mapping[str, pd.Series],
    *,
    title: str = "Strategies side by side",
    periods_per_year: float | None = None,
) -> Tearsheet:
    """Several strategies side by side: one metrics table, overlaid equity and drawdowns.

    Parameters
    ----------
    returns : DataFrame (n_bars, n_strategies) or mapping name -> Series of returns
        Simple per-bar returns; series are aligned on the union of their dates (a strategy
        is NaN where it did not exist; metrics skip those bars).
    title : str
    periods_per_year : float, optional
        Inferred from the index otherwise (quantlab's one rule).

    Returns
    -------
    Tearsheet

    Raises
    ------
    ParameterError
        Fewer than two strategies.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> idx = pd.bdate_range("2021-01-01", periods=300)
    >>> rng = np.random.default_rng(0)
    >>> r = pd.DataFrame(rng.normal(4e-4, 0.01, (300, 2)), index=idx, columns=["a", "b"])
    >>> comparison_tearsheet(r).sections
    ['Metrics', 'Equity curves', 'Drawdowns']
    """
    frame = (
        pd.DataFrame({k: pd.Series(v) for k, v in returns.items()})
        if isinstance(returns, Mapping)
        else returns
    )
    if not isinstance(frame, pd.DataFrame) or frame.shape[1] < 2:
        raise ParameterError(
            "returns must hold at least two strategies (DataFrame columns or a mapping "
            f"name -> Series); got {type(returns).__name__} with "
            f"{getattr(frame, 'shape', ('?', 0))[1]} column(s)"
        )
    summary = metrics.summary(frame, periods_per_year=periods_per_year)
    rows = [r for r in _COMPARE_ROWS if r in summary.index]
    tbl = summary.loc[rows]
    fmts: dict[Any, Any] = {r: H.fmt_pct for r in rows if r in _PCT_ROWS}
    curves = (1.0 + frame.fillna(0.0)).cumprod()
    curves = curves.where(frame.notna().cumsum() > 0)
    sections = [
        ("Metrics", H.table(tbl, formatters=fmts, index_label="metric")),
        (
            "Equity curves",
            H.img(
                FF.cumulative_overlay_figure(curves, title="Growth of 1"), "equity curves overlaid"
            ),
        ),
        ("Drawdowns", H.img(FF.drawdown_overlay_figure(curves), "drawdowns overlaid")),
    ]
    meta = f"{frame.shape[1]} strategies, {len(frame)} bars"
    frag = H.fragment(title, meta, sections)
    return Tearsheet(title, H.page(title, frag), [t for t, _ in sections], frag)
