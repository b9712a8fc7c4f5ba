"""The tearsheet's sections: each builder returns an HTML body (or None when its data
is missing) from the normalized :class:`Source` and the optional inputs.

One-line readings
-----------------
Deflated Sharpe ratio (DSR, the probability that the selected strategy's true Sharpe
ratio beats the expected best of ``n_trials`` unskilled trials):

* ``DSR >= 0.95`` (:data:`DSR_SIGNIFICANT`): unlikely to be luck -- the usual bar;
* ``0.5 <= DSR < 0.95`` (:data:`DSR_WEAK`): not significant, more likely skill than not;
* ``DSR < 0.5``: no better than the best of as many unskilled trials -- likely luck.

Probability of backtest overfitting (PBO, the share of CSCV splits where the in-sample
winner ranks at or below the out-of-sample median):

* ``PBO < 0.2`` (:data:`PBO_LOW`): the in-sample winner usually holds up -- little sign of
  overfitting;
* ``0.2 <= PBO <= 0.5`` (:data:`PBO_HIGH`): some overfitting, treat the winner with care;
* ``PBO > 0.5``: the winner more often than not underperforms out of sample -- likely
  overfit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from quantlab import metrics
from quantlab.errors import DataTypeError, ParameterError
from quantlab.report import html as H
from quantlab.report.glossary import definition, fmt

__all__ = [
    "DSR_SIGNIFICANT",
    "DSR_WEAK",
    "MODEL_KEYS",
    "PBO_HIGH",
    "PBO_LOW",
    "Source",
    "check_inputs",
    "drawdowns",
    "dsr_reading",
    "equity",
    "events_leaderboard",
    "headline",
    "meta",
    "model_sections",
    "monthly",
    "montecarlo",
    "overfitting",
    "pbo_reading",
    "rolling",
    "trades",
]

DSR_SIGNIFICANT = 0.95
DSR_WEAK = 0.5
PBO_LOW = 0.2
PBO_HIGH = 0.5

MODEL_KEYS = ("feature_importances", "ic_by_fold", "oos_ic", "params")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class Source:
    """One strategy's series, normalized from a backtest or a returns Series."""

    returns: pd.Series
    equity: pd.Series
    label: str
    ppy: float
    start_value: float
    result: Any = None
    exposure: pd.Series | None = None
    trades: np.ndarray | None = None
    orders: np.ndarray | None = None


def check_inputs(montecarlo: Any, sweep: Any, model: Any) -> None:
    """Reject optional inputs of the wrong type before anything is rendered.

    Raises
    ------
    DataTypeError
        ``montecarlo`` not a SimulationResult, ``sweep`` not a SweepResult, ``model`` not
        a dict.
    ParameterError
        ``model`` has keys outside :data:`MODEL_KEYS`.
    """
    from quantlab.montecarlo.result import SimulationResult
    from quantlab.optimize.result import SweepResult

    if montecarlo is not None and not isinstance(montecarlo, SimulationResult):
        raise DataTypeError(
            f"montecarlo must be a SimulationResult (from ql.montecarlo.simulate); got "
            f"{type(montecarlo).__name__}"
        )
    if sweep is not None and not isinstance(sweep, SweepResult):
        raise DataTypeError(
            f"sweep must be a SweepResult (from ql.optimize.sweep); got {type(sweep).__name__}"
        )
    if model is None:
        return
    if not isinstance(model, Mapping):
        raise DataTypeError(f"model must be a dict; got {type(model).__name__}")
    unknown = sorted(set(model) - set(MODEL_KEYS))
    if unknown:
        raise ParameterError(
            f"model has unknown keys {unknown}; the tearsheet reads {list(MODEL_KEYS)}"
        )


# ----------------------------------------------------------------------------- readings


def dsr_reading(dsr: float, n_trials: int | None = None) -> tuple[str, str]:
    """One-line reading of a deflated Sharpe ratio, and its tone ("good"/"warn"/"bad").

    Thresholds: :data:`DSR_SIGNIFICANT` (0.95) and :data:`DSR_WEAK` (0.5); see the module
    docstring.

    Examples
    --------
    >>> dsr_reading(0.97, 100)[0]
    'Deflated Sharpe 0.97: the best of 100 trials is unlikely to be luck (> 0.95 is the usual bar).'
    """
    who = f"the best of {n_trials:,} trials" if n_trials else "the selected strategy"
    head = f"Deflated Sharpe {H.fmt_number(dsr)}: "
    if not math.isfinite(dsr):
        return head + "not available (needs at least 2 trials with returns).", ""
    bar = f"(> {DSR_SIGNIFICANT:g} is the usual bar)"
    if dsr >= DSR_SIGNIFICANT:
        return head + f"{who} is unlikely to be luck {bar}.", "good"
    if dsr >= DSR_WEAK:
        return head + f"{who} is more likely skill than luck, but not significant {bar}.", "warn"
    return (
        head + f"{who} is no better than the expected best of as many unskilled trials: "
        f"likely luck {bar}.",
        "bad",
    )


def pbo_reading(pbo: float) -> tuple[str, str]:
    """One-line reading of a probability of backtest overfitting, and its tone.

    Thresholds: :data:`PBO_LOW` (0.2) and :data:`PBO_HIGH` (0.5); see the module docstring.

    Examples
    --------
    >>> text, tone = pbo_reading(0.62)
    >>> print(text)
    PBO 0.62: the in-sample winner more often than not underperforms out of sample: likely overfit.
    >>> tone
    'bad'
    """
    head = f"PBO {H.fmt_number(pbo)}: "
    if not math.isfinite(pbo):
        return head + "not available.", ""
    if pbo > PBO_HIGH:
        return (
            head + "the in-sample winner more often than not underperforms out of sample: "
            "likely overfit.",
            "bad",
        )
    if pbo >= PBO_LOW:
        return (
            head + f"the in-sample winner falls to the bottom half out of sample in "
            f"{100 * pbo:.0f}% of splits: some overfitting, treat it with care.",
            "warn",
        )
    return (
        head + "the in-sample winner usually stays in the top half out of sample: "
        "little sign of overfitting.",
        "good",
    )


# ----------------------------------------------------------------------------- sections

_Fmt = Callable[[Any], str]
_PCT: _Fmt = H.fmt_pct
_NUM: _Fmt = H.fmt_number


def _int(x: Any) -> str:
    return H.fmt_number(x, 0)


HEADLINE_ROWS: tuple[tuple[str, str, _Fmt], ...] = (
    ("total_return", "Total return", _PCT),
    ("cagr", "CAGR", _PCT),
    ("annual_volatility", "Annual volatility", _PCT),
    ("sharpe", "Sharpe ratio", _NUM),
    ("sortino", "Sortino ratio", _NUM),
    ("calmar", "Calmar ratio", _NUM),
    ("max_drawdown", "Max drawdown", _PCT),
    ("max_drawdown_duration", "Longest drawdown (bars)", _int),
    ("value_at_risk", "VaR 95% (per bar)", _PCT),
    ("cvar", "CVaR 95% (per bar)", _PCT),
    ("best_period", "Best bar", _PCT),
    ("worst_period", "Worst bar", _PCT),
    ("skew", "Skew", _NUM),
    ("kurtosis", "Excess kurtosis", _NUM),
    ("stability", "Stability (R\u00b2 of log equity)", _NUM),
)
BENCHMARK_ROWS: tuple[tuple[str, str, _Fmt], ...] = (
    ("alpha", "Alpha (annual)", _PCT),
    ("beta", "Beta", _NUM),
    ("correlation", "Correlation", _NUM),
    ("information_ratio", "Information ratio", _NUM),
    ("tracking_error", "Tracking error", _PCT),
    ("up_capture", "Up capture", _NUM),
    ("down_capture", "Down capture", _NUM),
)


def headline(src: Source, bench: pd.Series | None) -> str:
    """Headline metrics of the strategy (and benchmark), plus benchmark-relative ones."""
    strat = metrics.summary(src.returns.to_frame(), benchmark=bench, periods_per_year=src.ppy)
    s = strat.iloc[:, 0]
    b = None
    if bench is not None:
        b = metrics.summary(bench.to_frame(), periods_per_year=src.ppy).iloc[:, 0]
    psr = metrics.inference.probabilistic_sharpe_from_returns(src.returns, periods_per_year=src.ppy)
    rows: dict[str, list[str]] = {}
    for key, name, f in HEADLINE_ROWS:
        rows[name] = [f(s[key])] + ([f(b[key])] if b is not None else [])
        rows[name].append(definition(key))
    rows["Probabilistic Sharpe (SR > 0)"] = (
        [H.fmt_number(psr)]
        + ([""] if b is not None else [])
        + ["probability the true Sharpe ratio is above 0, given this sample"]
    )
    cols = [src.label] + ([str(bench.name)] if bench is not None else []) + ["definition"]
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=cols)
    body = H.table(frame, index_label="metric")
    if bench is not None:
        rel = [(name, f(s[key]), definition(key)) for key, name, f in BENCHMARK_ROWS]
        body = (
            f'<div class="cols"><div>{body}</div><div>'
            f"{H.kv_table(rel, header=(f'vs {bench.name}', src.label))}</div></div>"
        )
    note = (
        f'<p class="note">Annualized with {H.fmt_number(src.ppy, 0)} periods per year, '
        "risk-free rate 0; VaR/CVaR historical, per bar.</p>"
    )
    return body + note


def equity(src: Source, bench: pd.Series | None) -> str:
    """Equity curve with the benchmark rebased to the same start, exposure underneath."""
    from quantlab.report import figures as F

    bench_eq = None
    if bench is not None:
        bench_eq = src.start_value * (1.0 + bench.fillna(0.0)).cumprod()
    eq = src.equity.astype(float)
    pos = eq[eq > 0]
    log = bool(len(pos) and pos.max() / pos.min() > 8.0 and len(pos) == len(eq))
    uri = F.equity_figure(
        eq,
        bench_eq,
        src.exposure,
        label=src.label,
        benchmark_label=str(bench.name) if bench is not None else "benchmark",
        log=log,
    )
    return H.img(uri, "Equity curve")


def drawdowns(src: Source) -> str:
    """Underwater plot and the five deepest drawdown episodes."""
    from quantlab.report import figures as F

    dd = pd.Series(metrics.drawdown_series(src.returns))
    body = H.img(F.underwater_figure(dd), "Underwater plot")
    table = metrics.drawdown_table(src.returns, top=5)
    if len(table):
        shown = pd.DataFrame(
            {
                "start": [H.fmt_value(v) for v in table["start"]],
                "trough": [H.fmt_value(v) for v in table["trough"]],
                "recovered": [
                    "not yet" if v is None or v is pd.NaT else H.fmt_value(v) for v in table["end"]
                ],
                "depth": [H.fmt_pct(v) for v in table["depth"]],
                "bars underwater": [_int(v) for v in table["length"]],
                "bars to recover": [
                    _int(v) if np.isfinite(v) else "" for v in table["recovery"].astype(float)
                ],
            },
            index=pd.RangeIndex(1, len(table) + 1),
        )
        body += "<h3>Worst drawdowns</h3>" + H.table(shown, index_label="#")
    return body


def monthly(src: Source) -> str | None:
    """Year x month grid of compounded returns (None without a DatetimeIndex)."""
    if not isinstance(src.returns.index, pd.DatetimeIndex):
        return None
    grid = pd.DataFrame(metrics.monthly_returns(src.returns, table=True))
    grid.columns = list(_MONTHS)
    yearly = metrics.yearly_returns(src.returns)
    grid["Year"] = pd.Series(yearly).reindex(grid.index).to_numpy()
    return H.heat_table(grid, index_label="year", total="Year") + (
        '<p class="note">Compounded return per calendar month; the Year column compounds '
        "the whole year.</p>"
    )


def _rolling_window(n: int, ppy: float) -> int | None:
    half_year = max(2, int(round(ppy / 2)))
    if n >= 2 * half_year:
        return half_year
    return max(2, n // 4) if n >= 8 else None


def rolling(src: Source) -> str | None:
    """Rolling Sharpe ratio and volatility over half a year of bars (None if too short)."""
    from quantlab.report import figures as F

    window = _rolling_window(len(src.returns), src.ppy)
    if window is None:
        return None
    rs = metrics.rolling_sharpe(src.returns, window, periods_per_year=src.ppy)
    rv = metrics.rolling_volatility(src.returns, window, periods_per_year=src.ppy)
    overall = float(metrics.sharpe(src.returns, periods_per_year=src.ppy))
    uri = F.rolling_figure(pd.Series(rs), pd.Series(rv), window=window, overall_sharpe=overall)
    return H.img(uri, "Rolling Sharpe ratio and volatility")


TRADE_ROWS: tuple[tuple[str, str, _Fmt], ...] = (
    ("n_trades", "Closed trades", _int),
    ("win_rate", "Win rate", _PCT),
    ("profit_factor", "Profit factor", _NUM),
    ("payoff_ratio", "Payoff ratio (avg win / avg loss)", _NUM),
    ("expectancy", "Expectancy (PnL per trade)", _NUM),
    ("expectancy_return", "Expectancy (return per trade)", _PCT),
    ("avg_holding_bars", "Average holding (bars)", lambda x: H.fmt_number(x, 1)),
    ("kelly", "Kelly fraction", _NUM),
    ("exposure", "Time in market", _PCT),
    ("turnover", "Turnover (per year)", _NUM),
)


def trades(src: Source) -> str | None:
    """Trade statistics and the trade-return histogram (None for a returns source)."""
    from quantlab.report import figures as F

    if src.trades is None or src.orders is None:
        return None
    rec = src.trades
    st = metrics.trade_stats(
        rec,
        n_columns=1,
        orders=src.orders,
        equity=src.equity.to_frame(),
        periods_per_year=src.ppy,
    ).iloc[:, 0]
    closed = rec[rec["status"] == 1]
    rows = [(name, f(st[key]), definition(key)) for key, name, f in TRADE_ROWS]
    rows.insert(1, ("Open trades", _int(len(rec) - len(closed)), "entered, not yet exited"))
    if len(closed):
        rows += [
            ("Best trade", H.fmt_pct(closed["ret"].max()), "highest closed-trade return"),
            ("Worst trade", H.fmt_pct(closed["ret"].min()), "lowest closed-trade return"),
        ]
    fees = H.fmt_number(float(src.orders["fees"].sum()))
    rows.append(("Fees paid", fees, definition("total_fees")))
    body = H.kv_table(rows, header=("trade statistic", src.label))
    if not len(closed):
        return body + '<p class="note">No closed trades.</p>'
    uri = F.trade_returns_figure(np.asarray(closed["ret"], dtype=float))
    return (
        f'<div class="cols"><div>{body}</div><div style="flex:1;min-width:320px">'
        f"{H.img(uri, 'Distribution of trade returns')}</div></div>"
    )


def montecarlo(sim: Any) -> str:
    """Fan chart, terminal-wealth histogram and outcome tables of a simulation."""
    from quantlab.report import figures as F

    qs = (0.05, 0.5, 0.95)
    summ = sim.summary(quantiles=qs)
    names = {
        "terminal_wealth": ("Terminal wealth", _NUM),
        "cagr": ("CAGR", _PCT),
        "max_drawdown": ("Max drawdown", _PCT),
        "sharpe": ("Sharpe ratio", _NUM),
        "years_to_goal": ("Years to goal", lambda x: H.fmt_number(x, 1)),
    }
    rows = {}
    for key, (name, f) in names.items():
        if key in summ.index:
            rows[name] = [f(summ.loc[key, c]) for c in ("mean", "q5", "q50", "q95")]
            rows[name].append(definition(key))
    table = pd.DataFrame.from_dict(
        rows, orient="index", columns=["mean", "5%", "median", "95%", "definition"]
    )
    risk = [
        ("Paths x horizon", f"{sim.n_paths:,} x {sim.horizon:,} bars"),
        ("Method", sim.method),
        ("Initial wealth", H.fmt_number(sim.initial_wealth)),
        ("Probability of ruin", H.fmt_pct(sim.prob_ruin())),
        ("VaR 5% (terminal)", H.fmt_number(sim.var(0.05))),
        ("CVaR 5% (terminal)", H.fmt_number(sim.cvar(0.05))),
    ]
    if sim.goal is not None:
        risk.append((f"P(terminal >= {H.fmt_number(sim.goal)})", H.fmt_pct(sim.prob_goal())))
    tw = np.quantile(sim.terminal_wealth, qs)
    line = (
        f"Over {sim.horizon:,} bars the median path ends at {H.fmt_number(tw[1])} "
        f"(5%: {H.fmt_number(tw[0])}, 95%: {H.fmt_number(tw[2])}) from "
        f"{H.fmt_number(sim.initial_wealth)}; probability of ruin "
        f"{H.fmt_pct(sim.prob_ruin(), 1)}."
    )
    return (
        H.reading(line)
        + H.img(F.montecarlo_fan_figure(sim), "Monte Carlo fan chart")
        + H.img(F.terminal_wealth_figure(sim), "Terminal wealth histogram")
        + '<div class="cols"><div>'
        + H.table(table, index_label="per path")
        + "</div><div>"
        + H.kv_table(risk, header=("simulation", ""))
        + "</div></div>"
    )


def overfitting(sweep: Any, dsr: float | None, pbo: Any) -> str | None:
    """Deflated Sharpe ratio and PBO with their readings, and the sweep heat map."""
    from quantlab.metrics.inference import PBOResult
    from quantlab.report import figures as F

    n_trials = sweep.n_combinations if sweep is not None else None
    if dsr is None and sweep is not None:
        dsr = sweep.deflated_sharpe
    if pbo is None and sweep is not None and sweep.n_combinations >= 2:
        pbo = sweep.pbo()
    if dsr is None and pbo is None and sweep is None:
        return None
    rows: list[tuple[str, Any]] = []
    body = ""
    if sweep is not None:
        best = sweep.best
        rows += [
            ("Trials (combinations)", f"{n_trials:,}"),
            ("Ranked by", sweep.metric),
            ("Selected", ", ".join(f"{k}={v}" for k, v in best.items())),
            (f"Selected {sweep.metric}", H.fmt_number(sweep.scores().max())),
        ]
    if dsr is not None:
        dsr = float(dsr)
        rows.append(("Deflated Sharpe ratio", H.fmt_number(dsr)))
        body += H.reading(*dsr_reading(dsr, n_trials))
    if pbo is not None:
        if isinstance(pbo, PBOResult):
            rows += [
                ("PBO", H.fmt_number(pbo.pbo)),
                ("P(out-of-sample loss)", H.fmt_pct(pbo.prob_oos_loss)),
                ("OOS vs IS slope", H.fmt_number(pbo.degradation_slope)),
                ("CSCV splits", f"{pbo.n_splits} blocks, {pbo.n_combinations:,} combinations"),
            ]
            value = pbo.pbo
        else:
            value = float(pbo)
            rows.append(("PBO", H.fmt_number(value)))
        body += H.reading(*pbo_reading(value))
    else:  # the note below explains PBO: say why there is no value rather than omit it
        rows.append(("PBO", "n/a: needs at least 2 trials with returns"))
    body += H.kv_table(rows, header=("diagnostic", "value"))
    body += (
        f'<p class="note">Deflated Sharpe: probability that the true Sharpe ratio beats the '
        f"expected best of as many unskilled trials (bar: {DSR_SIGNIFICANT:g}). PBO: share "
        f"of cross-validation splits where the in-sample winner ranks in the bottom half out "
        f"of sample (below {PBO_LOW:g} low, above {PBO_HIGH:g} likely overfit).</p>"
    )
    if sweep is not None and len(sweep.params) >= 2:
        grid = sweep.heatmap()
        best = sweep.best
        pair = (best[sweep.params[0]], best[sweep.params[1]])
        uri = F.sweep_heatmap_figure(grid, sweep.metric, pair)
        body += H.img(uri, "Parameter sweep heat map")
    return body


def events_leaderboard(events: Mapping[str, Any], top: int = 20) -> list[tuple[str, str]]:
    """The copy-trade sections of ``events``: "Copy-trade leaderboard" (``"leaderboard"``:
    a :class:`~quantlab.events.Leaderboard` or its table; the ``top`` rows) and "Cost of the
    disclosure lag" (``"lag_cost"``: a :class:`~quantlab.events.CopyTradeLagCost` or its table)."""
    if not isinstance(events, Mapping):
        raise DataTypeError(f"events must be a dict; got {type(events).__name__}")
    out: list[tuple[str, str]] = []
    board = events.get("leaderboard")
    if board is not None:
        frame = pd.DataFrame(getattr(board, "table", board))
        lacking = [c for c in ("sharpe", "p_value", "q_value") if c not in frame.columns]
        if lacking:
            raise DataTypeError(
                f"events['leaderboard'] lacks the column(s) {lacking}; pass the result of "
                "ql.events.leaderboard(...)"
            )
        n_trials = getattr(board, "n_trials", int(frame["p_value"].notna().sum()))
        shown = frame.iloc[:top]
        pct = {c: H.fmt_pct for c in ("total_return", "max_drawdown", "exposure")}
        num = {c: H.fmt_number for c in ("sharpe",)}
        prob = {c: (lambda x: H.fmt_number(x, 3)) for c in ("psr", "dsr", "p_value", "q_value")}
        body = H.table(
            shown, formatters={**pct, **num, **prob}, index_label=str(frame.index.name or "")
        )
        n_sig = int((frame["q_value"] <= 0.05).sum())
        body += (
            f'<p class="note">{len(frame):,} strategies, {n_trials:,} tested (the trials of '
            f"the deflated Sharpe ratio and of the Benjamini-Hochberg q-values); {n_sig:,} with "
            f"q &le; 0.05; the first {len(shown):,} by p-value shown. p-value: one-sided test "
            "of a Sharpe ratio above 0 (1 - PSR).</p>"
        )
        out.append(("Copy-trade leaderboard", body))
    lag = events.get("lag_cost")
    if lag is not None:
        frame = pd.DataFrame(getattr(lag, "table", lag))
        fm: dict[Any, Callable[[Any], str]] = {
            "total_return": H.fmt_pct,
            "max_drawdown": H.fmt_pct,
        }
        body = H.table(frame, formatters=fm, index_label="metric")
        body += (
            '<p class="note">The same copy-trade strategy traded on the transaction date '
            "(hypothetical: nobody knew of the trade yet) and on the disclosure date (the first "
            "tradable open); cost = transaction - disclosure.</p>"
        )
        out.append(("Cost of the disclosure lag", body))
    return out


def model_sections(model: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(title, body) pairs of the training-run sections present in ``model``."""
    from quantlab.report import figures as F

    out: list[tuple[str, str]] = []
    params = model.get("params")
    if params:
        out.append(("Model parameters", H.kv_table(params.items(), ("parameter", "value"))))
    fi = model.get("feature_importances")
    if fi is not None and len(fi):
        fi = pd.Series(fi, dtype=float)
        top = fi.sort_values(ascending=False).iloc[:25].to_frame("importance")
        body = H.img(F.feature_importance_figure(fi), "Feature importances")
        out.append(("Feature importances", body + _details("Table", H.table(top))))
    ic = model.get("ic_by_fold")
    if ic is not None and len(ic):
        frame = ic.to_frame(ic.name or "IC") if isinstance(ic, pd.Series) else pd.DataFrame(ic)
        frame = frame.astype(float)
        shown = pd.concat([frame, frame.mean().to_frame("mean").T])
        body = H.img(F.ic_by_fold_figure(frame), "IC by fold")
        body += H.table(shown, index_label=str(frame.index.name or "fold"))
        out.append(("IC by fold", body))
    oos = model.get("oos_ic")
    if oos:
        rows = [(k, *_ic_stat(str(k), v)) for k, v in dict(oos).items()]
        out.append(("Out-of-sample IC", H.kv_table(rows, ("statistic", "value", "definition"))))
    return out


#: Statistics of :func:`quantlab.ml.ic.ic_summary`, by column: format kind, definition.
_IC_STATS: dict[str, tuple[str, str]] = {
    "mean": ("num", "mean of the per-date ICs (correlation of predictions with outcomes)"),
    "std": ("num", "std of the per-date ICs"),
    "icir": ("ratio", "mean / std of the per-date ICs"),
    "t_stat": ("ratio", "t-statistic of the mean IC (Newey-West for overlapping labels)"),
    "n_dates": ("int", "dates with an IC"),
    "hit_rate": ("pct", "share of dates with IC > 0"),
}


def _ic_stat(key: str, value: Any) -> tuple[str, str]:
    """Value text and definition of an ``"<kind> IC <stat>"`` entry (counts as integers)."""
    stat = key.rsplit(" ", 1)[-1]
    kind, text = _IC_STATS.get(stat, ("num", ""))
    return fmt(value, kind), text


def _details(summary: str, body: str) -> str:
    return f"<details><summary>{H.esc(summary)}</summary>{body}</details>"


def meta(src: Source | None, bench: pd.Series | None) -> str:
    """The line under the title: period, bars, annualization, capital, benchmark."""
    if src is None:
        return "model run"
    idx = src.returns.index
    parts = []
    if isinstance(idx, pd.DatetimeIndex) and len(idx):
        parts.append(f"{idx[0]:%Y-%m-%d} to {idx[-1]:%Y-%m-%d}")
    parts.append(f"{len(idx):,} bars")
    parts.append(f"{H.fmt_number(src.ppy, 0)} periods/year")
    if src.result is not None:
        parts.append(f"initial {H.fmt_number(src.start_value)}")
        parts.append(f"final {H.fmt_number(src.equity.iloc[-1])}")
    if bench is not None:
        parts.append(f"benchmark: {bench.name}")
    return " \u00b7 ".join(parts)
