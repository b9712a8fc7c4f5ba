"""A self-contained HTML tearsheet of a backtest or a training run.

:func:`tearsheet` gathers the figures and tables a quant reads first -- headline metrics,
equity vs benchmark, drawdowns, monthly returns, rolling Sharpe and volatility, trade
statistics, Monte Carlo outcomes, overfitting diagnostics, for model runs feature
importances and IC by fold, event studies and copy-trade research (``events=``), and the
risk decomposition of a portfolio of assets (``risk=``) -- into one HTML page with no
external asset: figures are PNGs embedded as ``data:`` URIs, the stylesheet is inline,
every text is escaped.

The section builders, and the documented thresholds behind the one-line readings of the
deflated Sharpe ratio (0.95 / 0.5) and PBO (0.2 / 0.5), are in
:mod:`quantlab.report.sections`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from quantlab import metrics
from quantlab.errors import AlignmentError, DataTypeError, ParameterError
from quantlab.report import event_sections as E
from quantlab.report import html as H
from quantlab.report import risk_sections as R
from quantlab.report import sections as S

__all__ = ["Tearsheet", "tearsheet"]


@dataclass(frozen=True)
class Tearsheet:
    """A rendered tearsheet.

    Attributes
    ----------
    title : str
    html : str
        The complete, self-contained HTML document.
    sections : list of str
        Titles of the sections present, in page order.
    fragment : str
        The page body (scoped styles included), shown by notebooks via ``_repr_html_``.
    """

    title: str
    html: str
    sections: list[str]
    fragment: str = field(repr=False)

    def save(self, path: str | Path) -> Path:
        """Write :attr:`html` to ``path`` (UTF-8, parent directories created).

        Parameters
        ----------
        path : str or Path
            File to write, e.g. ``"tearsheet.html"``.

        Returns
        -------
        Path
            The absolute path written.

        Examples
        --------
        >>> import tempfile, numpy as np, pandas as pd, quantlab as ql
        >>> r = pd.Series(np.random.default_rng(0).normal(4e-4, 0.01, 300),
        ...               index=pd.bdate_range("2021-01-01", periods=300))
        >>> out = ql.report.tearsheet(r).save(Path(tempfile.mkdtemp()) / "ts.html")
        >>> out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        True
        """
        p = Path(path).expanduser().resolve()
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(self.html, encoding="utf-8")
        return p

    def _repr_html_(self) -> str:
        return self.fragment

    def __repr__(self) -> str:
        return f"Tearsheet({self.title!r}, sections={self.sections}, {len(self.html):,} chars)"


# ----------------------------------------------------------------------------- inputs


def _pick(frame: pd.DataFrame, column: Any, what: str) -> int:
    if column is None:
        return 0
    try:
        pos = frame.columns.get_loc(column)
    except KeyError:
        pos = None
    if not isinstance(pos, (int, np.integer)):
        raise ParameterError(
            f"column={column!r} is not one {what} of the source; choose one of "
            f"{list(frame.columns)[:20]}"
        )
    return int(pos)


def _source(source: Any, column: Any, periods_per_year: float | None) -> S.Source:
    from quantlab.backtest.result import BacktestResult

    if isinstance(source, BacktestResult):
        rets = source.returns
        frame = rets if isinstance(rets, pd.DataFrame) else rets.to_frame()
        g = _pick(frame, column, "portfolio")
        label = frame.columns[g]

        def col(x: pd.Series | pd.DataFrame) -> pd.Series:
            return x.iloc[:, g] if isinstance(x, pd.DataFrame) else x

        # Columns (traded assets) of portfolio g; trades and orders renumbered to column 0.
        lo, hi = int(source._group_start[g]), int(source._group_start[g + 1])
        trades = source.trade_records
        trades = trades[(trades["col"] >= lo) & (trades["col"] < hi)].copy()
        trades["col"] = 0
        orders = source.order_records
        orders = orders[(orders["col"] >= lo) & (orders["col"] < hi)].copy()
        orders["col"] = 0
        ppy = periods_per_year or source._ppy or metrics.infer_periods_per_year(source.index)
        return S.Source(
            returns=col(rets).rename(str(label)),
            equity=col(source.equity).rename(str(label)),
            label=str(label),
            ppy=float(ppy),
            start_value=float(source.init_cash[g]),
            result=source,
            exposure=col(source.gross_exposure),
            trades=trades,
            orders=orders,
        )
    if isinstance(source, pd.DataFrame):
        g = _pick(source, column, "column")
        series = source.iloc[:, g]
    elif isinstance(source, pd.Series):
        if column is not None:
            raise ParameterError("column= selects a column of a DataFrame; got a Series")
        series = source
    else:
        raise DataTypeError(
            "source must be a BacktestResult or a returns Series/DataFrame; got "
            f"{type(source).__name__}. Pass e.g. ql.backtest.from_signals(...) or res.returns"
        )
    if series.empty:
        raise ParameterError("source has no returns; pass a non-empty returns Series")
    label = str(series.name) if series.name is not None else "strategy"
    series = series.astype(float).rename(label)
    ppy = periods_per_year or metrics.infer_periods_per_year(series.index)
    equity = (1.0 + series.fillna(0.0)).cumprod()
    return S.Source(series, equity, label, float(ppy), 1.0)


def _benchmark(benchmark: Any, index: pd.Index) -> pd.Series | None:
    if benchmark is None:
        return None
    if isinstance(benchmark, pd.DataFrame):
        if benchmark.shape[1] != 1:
            raise ParameterError(
                f"benchmark must be one return series; got {benchmark.shape[1]} columns. "
                "Pass e.g. benchmark=frame['SPY']"
            )
        benchmark = benchmark.iloc[:, 0]
    if not isinstance(benchmark, pd.Series):
        raise DataTypeError(
            f"benchmark must be a Series of returns; got {type(benchmark).__name__}"
        )
    missing = index.difference(benchmark.index)
    if len(missing):
        raise AlignmentError(
            f"benchmark misses {len(missing)} of the strategy's {len(index)} dates (first: "
            f"{missing[0]}); pass benchmark returns covering the strategy's index"
        )
    name = str(benchmark.name) if benchmark.name is not None else "benchmark"
    return benchmark.reindex(index).astype(float).rename(name)


# ----------------------------------------------------------------------------- public


def tearsheet(
    source: Any,
    *,
    benchmark: Any = None,
    title: str = "quantlab tearsheet",
    montecarlo: Any = None,
    sweep: Any = None,
    deflated_sharpe: float | None = None,
    pbo: Any = None,
    model: Mapping[str, Any] | None = None,
    events: Mapping[str, Any] | None = None,
    risk: Mapping[str, Any] | None = None,
    periods_per_year: float | None = None,
    column: Any = None,
) -> Tearsheet:
    """Render a self-contained HTML tearsheet of a backtest or a training run.

    Sections (each only when its data is there): "Headline metrics", "Equity curve",
    "Drawdowns", "Monthly returns" (DatetimeIndex), "Rolling Sharpe and volatility",
    "Trade statistics" (BacktestResult), "Monte Carlo" (``montecarlo``), "Deflated Sharpe
    and PBO" (``sweep`` / ``deflated_sharpe`` / ``pbo``), "Model parameters", "Feature
    importances", "IC by fold", "Out-of-sample IC" (``model``), "Event study", "Abnormal
    return lost to the disclosure lag", "Copy-trade leaderboard", "Cost of the disclosure
    lag" (``events``), "Risk decomposition", "Correlation", "Rolling correlation and beta"
    (``risk``).

    Parameters
    ----------
    source : BacktestResult, Series or DataFrame, or None
        A backtest (its returns, equity, exposure and the trades of the chosen portfolio)
        or simple returns. With several portfolios / columns the first is used unless
        ``column`` names one. ``None`` only with ``model`` or ``events`` (no backtest).
    benchmark : Series, optional
        Benchmark *returns* covering the source's dates; adds the benchmark column, alpha,
        beta, ... and the rebased benchmark curve.
    title : str
        Page title (escaped).
    montecarlo : SimulationResult, optional
        Adds the wealth fan chart, terminal-wealth histogram and outcome table.
    sweep : SweepResult, optional
        Adds its deflated Sharpe ratio, PBO and a heat map of its first two parameters.
    deflated_sharpe : float, optional
        A deflated Sharpe ratio computed elsewhere (overrides the sweep's).
    pbo : PBOResult or float, optional
        A PBO computed elsewhere (overrides the sweep's).
    model : dict, optional
        Training-run extras, each optional: ``"feature_importances"`` (Series),
        ``"ic_by_fold"`` (Series or DataFrame, one row per fold), ``"oos_ic"`` (dict of
        summary numbers), ``"params"`` (dict).
    events : dict, optional
        Trade-disclosure research, each optional: ``"study"``
        (:func:`quantlab.events.event_study`'s EventStudy) adds "Event study" (CAAR figure
        with its band and per-group curves, tests of the post-event CAAR, dropped events),
        ``"lag"`` (:func:`quantlab.events.lag_cost`'s LagCost) adds "Abnormal return lost to
        the disclosure lag", ``"leaderboard"`` (:func:`quantlab.events.leaderboard`'s
        result) adds "Copy-trade leaderboard", ``"lag_cost"``
        (:func:`quantlab.events.copy_trade_lag_cost`'s) adds "Cost of the disclosure lag".
    risk : dict, optional
        A portfolio of assets (:mod:`quantlab.report.risk_sections`): ``"returns"`` (asset
        returns DataFrame) and ``"weights"`` (Series / dict by asset, or a weights
        DataFrame whose last row is used), optional ``"benchmark"`` (returns Series),
        ``"alpha"`` (VaR / CVaR tail, 0.05), ``"window"`` (rolling bars). Adds "Risk
        decomposition", "Correlation" and, with a benchmark, "Rolling correlation and
        beta".
    periods_per_year : float, optional
        Annualization; inferred from the index (or the backtest's setting) when omitted.
    column : label, optional
        Portfolio (BacktestResult) or column (DataFrame) to report.

    Returns
    -------
    Tearsheet
        ``.html`` (the document), ``.save(path)``, ``.sections``; shows itself in notebooks.

    Raises
    ------
    DataTypeError
        ``source``, ``benchmark``, ``montecarlo``, ``sweep``, ``model``, ``events`` or
        ``risk`` (or one of their entries) of the wrong type.
    ParameterError
        Unknown ``column``, model, events or risk key; ``periods_per_year`` not inferable;
        nothing to report.
    AlignmentError
        ``benchmark`` misses some of the source's dates.

    Examples
    --------
    >>> import numpy as np, pandas as pd, quantlab as ql
    >>> idx = pd.bdate_range("2020-01-01", periods=504)
    >>> r = pd.Series(np.random.default_rng(1).normal(5e-4, 0.01, 504), index=idx, name="mom")
    >>> ts = ql.report.tearsheet(r, title="Momentum <v2>")
    >>> ts.sections[:3]
    ['Headline metrics', 'Equity curve', 'Drawdowns']
    >>> "Momentum &lt;v2&gt;" in ts.html and "http://" not in ts.html
    True
    """
    if source is None and not model and not events and not risk:
        raise ParameterError(
            "tearsheet needs a source (backtest or returns), a model dict, an events dict "
            "or a risk dict"
        )
    S.check_inputs(montecarlo, sweep, model)
    E.check_events(events)
    risk_inputs = R.check_risk(risk)
    src = _source(source, column, periods_per_year) if source is not None else None
    bench = _benchmark(benchmark, src.returns.index) if src is not None else None
    parts: list[tuple[str, str | None]] = []
    if src is not None:
        parts += [
            ("Headline metrics", S.headline(src, bench)),
            ("Equity curve", S.equity(src, bench)),
            ("Drawdowns", S.drawdowns(src)),
            ("Monthly returns", S.monthly(src)),
            ("Rolling Sharpe and volatility", S.rolling(src)),
            ("Trade statistics", S.trades(src)),
        ]
    if montecarlo is not None:
        parts.append(("Monte Carlo", S.montecarlo(montecarlo)))
    parts.append(("Deflated Sharpe and PBO", S.overfitting(sweep, deflated_sharpe, pbo)))
    if model:
        parts += list(S.model_sections(model))
    if events:
        parts += E.event_sections(events)
    if risk_inputs is not None:
        parts += R.risk_sections(risk_inputs)
    present = [(t, b) for t, b in parts if b is not None]
    frag = H.fragment(str(title), S.meta(src, bench), present)
    return Tearsheet(
        title=str(title),
        html=H.page(str(title), frag),
        sections=[t for t, _ in present],
        fragment=frag,
    )
