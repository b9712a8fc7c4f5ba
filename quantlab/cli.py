"""The ``quantlab`` command.

Commands: ``demo``, ``backtest``, ``simulate``, ``sweep`` (prices in, figures out),
``run`` (a training recipe end to end: MLflow run, registered model, HTML report),
``predict`` (a registered model on JSON / CSV rows), ``models`` (the registry) and
``events study`` / ``events leaderboard`` (disclosed trades; :mod:`quantlab._cli_events`).

Exit codes: 0 success, 1 failure, 2 usage error. Expected failures (a
:class:`~quantlab.errors.QuantlabError`) print one line; ``--debug`` shows the traceback.

Decisions: ``--prices`` is read by :func:`quantlab.data.load_ohlcv` under its loading
policy (nothing sorted, offsets to UTC); ``--weights`` may name only assets of the file,
as the API; annualized figures use ``--periods-per-year`` or the bars per year inferred
from the dates, resolved once here and passed down; ``models`` and ``predict`` only read
the store and never create one; tables print each figure in its format with its
definition (:mod:`quantlab.report.glossary`), json / csv the raw numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from quantlab.errors import DataTypeError, NotFoundError, ParameterError, QuantlabError

EPILOG_DEMO = """examples:
  quantlab demo                      # 100 SMA-crossover variants x 20 generated assets
  quantlab demo --bars 2520 --assets 50
"""


def _cmd_demo(args: argparse.Namespace) -> int:
    import numpy as np
    import pandas as pd

    import quantlab as ql

    rng = np.random.default_rng(args.seed)
    rets = rng.normal(0.0003, 0.015, size=(args.bars, args.assets))
    index = pd.bdate_range("2000-01-03", periods=args.bars)
    close = pd.DataFrame(
        100 * np.exp(np.cumsum(rets, axis=0)),
        index=index,
        columns=[f"S{i:02d}" for i in range(args.assets)],
    )
    print(
        f"quantlab demo: SMA crossovers on {args.assets} synthetic assets x {args.bars} "
        "business days (generated, seeded)"
    )
    t0 = time.perf_counter()
    pairs = [(f, s) for f in range(5, 55, 5) for s in range(20, 220, 20) if f < s]
    frames_e, frames_x, keys = [], [], []
    for f, s in pairs:
        fast = close.rolling(f).mean()
        slow = close.rolling(s).mean()
        above = fast > slow
        prev = above.shift(1, fill_value=False)
        frames_e.append(above & ~prev & slow.notna())
        frames_x.append(~above & prev)
        keys.append((f, s))
    entries = pd.concat(frames_e, axis=1, keys=keys, names=["fast", "slow"])
    exits = pd.concat(frames_x, axis=1, keys=keys, names=["fast", "slow"])
    result = ql.backtest.from_signals(close, entries, exits, fees=0.001, sl_stop=0.1, mode="stats")
    assert isinstance(result, ql.backtest.SummaryResult)  # mode="stats"
    summary = result.table
    elapsed = time.perf_counter() - t0
    by_pair = summary.groupby(level=["fast", "slow"])[["total_return", "sharpe", "max_drawdown"]]
    table = by_pair.mean().sort_values("sharpe", ascending=False)
    print(f"{len(summary)} backtests (signals + engine) in {elapsed:.2f} s")
    print("best parameter pairs by mean Sharpe across assets:")
    _print_frame(table.head(args.top), "table", figures="columns")
    return 0


def _load_prices(path: str) -> dict[str, Any]:
    from quantlab.data import load_ohlcv

    return load_ohlcv(path)


def _range(text: str, name: str) -> list[int]:
    """``"5:50:5"`` -> [5, 10, ..., 45] (Python range), or ``"5,10,20"`` -> [5, 10, 20]."""
    try:
        if ":" in text:
            parts = [int(p) for p in text.split(":")]
            return list(range(*parts))
        return [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise ParameterError(
            f"--{name} must be start:stop[:step] or a comma list of integers; got {text!r}"
        ) from None


def _weights_arg(text: str, columns: Any, source: str) -> dict[str, float]:
    """``"AAA=0.6,BBB=0.4"`` -> {"AAA": 0.6, "BBB": 0.4}; ``"equal"`` -> 1/n each.

    A name that is not a column of ``source`` is refused, as the Python API refuses it
    (it used to become cash silently); so is a name given twice. Assets not named are not
    held.
    """
    names = [str(c) for c in columns]
    if text.strip() == "equal":
        return {c: 1.0 / len(names) for c in names}
    out: dict[str, float] = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ParameterError(
                f"--weights entry {item!r} must look like NAME=WEIGHT; pass e.g. "
                "'AAA=0.6,BBB=0.4' or 'equal'"
            )
        try:
            weight = float(value)
        except ValueError:
            weight = math.nan
        if not math.isfinite(weight):
            raise ParameterError(
                f"--weights entry {item!r}: the weight {value.strip()!r} is not a finite "
                "number; pass e.g. 'AAA=0.6,BBB=0.4' or 'equal'"
            )
        if key in out:
            raise ParameterError(f"--weights names {key!r} twice; give each asset one weight")
        out[key] = weight
    unknown = [k for k in out if k not in names]
    if unknown:
        shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
        raise ParameterError(
            f"--weights names {', '.join(unknown)}, not an asset of {source} (its assets: "
            f"{shown}); use the file's column names"
        )
    return out


def _periods_per_year(args: argparse.Namespace, close: Any) -> float:
    """``--periods-per-year``, else inferred from the dates of ``--prices`` (CLI-worded)."""
    import numpy as np

    from quantlab.metrics import infer_periods_per_year

    given = args.periods_per_year
    if given is not None:
        if not (math.isfinite(given) and given > 0):
            raise ParameterError(f"--periods-per-year must be a number > 0; got {given:g}")
        return float(given)
    try:
        return float(infer_periods_per_year(close.index))
    except ParameterError:
        stamps = close.index.as_unit("ns").asi8
        spacing = float(np.median(np.diff(stamps))) / 86_400e9 if len(stamps) > 1 else math.nan
        raise ParameterError(
            f"{args.prices}: cannot infer the bars per year from its {len(stamps)} dates "
            f"(median spacing {spacing:.3g} days); pass --periods-per-year N (252 "
            "business-daily, 365 daily incl. weekends, 52 weekly, 12 monthly)"
        ) from None


_MC_CALENDAR = {"d": "D", "w": "W", "m": "M", "q": "Q", "y": "Y", "a": "Y"}


def _mc_rebalance(text: str | None) -> int | str | None:
    """``--rebalance`` of ``simulate``: steps (``21``; ``0`` buy and hold) or a period.

    A period is D, W, M, Q or Y, or a pandas alias of one (``ME``, ``W-FRI``, ``QE``,
    ``YE``, ``BME`` ...): the simulation has no calendar, so a period is a number of steps,
    periods per year / events per year (M: every 21 steps of a 252-day year).
    """
    if text is None:
        return None
    t = text.strip()
    if t.isdigit():
        return int(t)
    if t.lower() in _MC_CALENDAR:
        return _MC_CALENDAR[t.lower()]
    import pandas as pd

    groups = (
        ("D", (pd.offsets.Day, pd.offsets.BusinessDay)),
        ("W", (pd.offsets.Week,)),
        ("M", (pd.offsets.MonthEnd, pd.offsets.MonthBegin, pd.offsets.BusinessMonthEnd,
               pd.offsets.BusinessMonthBegin)),
        ("Q", (pd.offsets.QuarterEnd, pd.offsets.QuarterBegin, pd.offsets.BQuarterEnd,
               pd.offsets.BQuarterBegin)),
        ("Y", (pd.offsets.YearEnd, pd.offsets.YearBegin, pd.offsets.BYearEnd,
               pd.offsets.BYearBegin)),
    )  # fmt: skip
    try:
        offset = pd.tseries.frequencies.to_offset(t)
    except ValueError:
        offset = None
    for letter, kinds in groups:
        if isinstance(offset, kinds) and offset.n == 1:
            return letter
    raise ParameterError(
        f"--rebalance must be a number of steps (e.g. 21; 0 = buy and hold) or one period: "
        f"D, W, M, Q, Y (pandas aliases ME, W-FRI, QE, YE also work); got {text!r}"
    )


def _close_only(data: dict[str, Any]) -> bool:
    """Whether a loaded bundle came from close prices alone (open = high = low = close)."""
    close = data["close"]
    return all(data[k] is close or data[k].equals(close) for k in ("open", "high", "low"))


def _print_frame(frame: Any, fmt: str, *, figures: str = "rows") -> None:
    """Print a table of figures: raw numbers for json / csv, formatted for a table.

    ``figures`` says where the figure names are (``"rows"``: one figure per row, as in
    ``BacktestResult.stats()``; ``"columns"``: one per column, as in a sweep summary).
    A table prints each figure in its format (:mod:`quantlab.report.glossary`) with its
    definition beside it (rows) or under the table (columns).
    """
    if fmt == "json":
        print(frame.to_json(orient="split", double_precision=10, date_format="iso"))
        return
    if fmt == "csv":
        print(frame.to_csv(), end="")
        return
    from quantlab.report.glossary import definition, fmt_figure

    if figures == "rows":
        cells = [[fmt_figure(str(k), v) for v in row] for k, row in frame.iterrows()]
        header = ["", *_column_labels(frame.columns), "definition"]
        rows = [
            [str(k), *vals, definition(str(k))] for k, vals in zip(frame.index, cells, strict=True)
        ]
        notes: list[str] = []
    else:
        header = [" ".join(map(str, frame.index.names)), *[str(c) for c in frame.columns]]
        rows = [
            [_label(k), *(fmt_figure(str(c), row[c]) for c in frame.columns)]
            for k, row in frame.iterrows()
        ]
        notes = [f"{c}: {definition(str(c))}" for c in frame.columns if definition(str(c))]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    last = len(header) - 1 if figures == "rows" else -1
    for r in [header, *rows]:
        cells_ = [
            f"{v:<{w}}" if i in (0, last) else f"{v:>{w}}"
            for i, (v, w) in enumerate(zip(r, widths, strict=True))
        ]
        print("  ".join(cells_).rstrip())
    for note in notes:
        print(note)


def _column_labels(columns: Any) -> list[str]:
    """Asset names alone when the other column levels hold one value (a single run)."""
    import pandas as pd

    if isinstance(columns, pd.MultiIndex):
        if all(columns.get_level_values(i).nunique() == 1 for i in range(columns.nlevels - 1)):
            return [str(c) for c in columns.get_level_values(-1)]
        return [_label(c) for c in columns]
    return [str(c) for c in columns]


def _label(key: Any) -> str:
    return " ".join(map(str, key)) if isinstance(key, tuple) else str(key)


def _sma_signals(close: Any, fast: list[int], slow: list[int]) -> tuple[Any, Any]:
    import quantlab as ql

    f = ql.indicators.sma(close, fast)
    s = ql.indicators.sma(close, slow)
    names = ["fast", "slow"]
    return ql.signals.crossed_above(f, s, names=names), ql.signals.crossed_below(f, s, names=names)


def _cmd_backtest(args: argparse.Namespace) -> int:
    import quantlab as ql

    data = _load_prices(args.prices)
    close = data["close"]
    common = {
        "fees": args.fees,
        "fixed_fees": args.fixed_fees,
        "slippage": args.slippage,
        "init_cash": args.init_cash,
        "periods_per_year": _periods_per_year(args, close),
    }
    if args.weights is not None:
        res = ql.backtest.from_weights(
            close,
            _weights_arg(args.weights, close.columns, args.prices),
            rebalance=args.rebalance,
            **common,
        )
    else:
        entries, exits = _sma_signals(close, [args.fast], [args.slow])
        stops = {"sl_stop": args.sl_stop, "tp_stop": args.tp_stop, "time_stop": args.time_stop}
        ohlc: dict[str, Any] = {}
        if not _close_only(data):
            ohlc = {k: data[k] for k in ("open", "high", "low")}
        elif args.price == "next_open":
            raise ParameterError(
                f"--price next_open fills at the next bar's open, but {args.prices} holds "
                "close prices only; add open, high and low columns or use --price close"
            )
        res = ql.backtest.from_signals(
            close, entries, exits, price=args.price, **ohlc, **stops, **common
        )
    assert isinstance(res, ql.backtest.BacktestResult)
    rows = [
        "total_return",
        "cagr",
        "annual_volatility",
        "sharpe",
        "sortino",
        "max_drawdown",
        "calmar",
        "n_trades",
        "win_rate",
        "total_fees",
    ]
    stats = res.stats()
    _print_frame(stats.loc[[r for r in rows if r in stats.index]], args.format)
    if args.trades:
        res.trades.to_csv(args.trades, index=False)
        print(f"trades written to {args.trades}", file=sys.stderr)
    return 0


def _cmd_simulate(args: argparse.Namespace) -> int:
    import quantlab as ql

    close = _load_prices(args.prices)["close"]
    weights = _weights_arg(args.weights, close.columns, args.prices)
    held = [c for c in close.columns if str(c) in weights]
    returns = close[held].pct_change().iloc[1:]
    sim = ql.montecarlo.simulate(
        returns,
        {str(c): weights[str(c)] for c in held},
        n_paths=args.paths,
        horizon=args.horizon,
        method=args.method,
        rebalance=_mc_rebalance(args.rebalance),
        seed=args.seed,
        fees=args.fees,
        goal=args.goal,
        withdrawal_rate=args.withdrawal_rate,
        periods_per_year=_periods_per_year(args, close),
    )
    _print_frame(sim.summary(), args.format)
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    import quantlab as ql

    data = _load_prices(args.prices)
    close = data["close"]
    ppy = _periods_per_year(args, close)

    @ql.optimize.vectorized
    def sma_cross(prices: Any, fast: list[int], slow: list[int]) -> tuple[Any, Any]:
        return _sma_signals(prices, sorted(set(fast)), sorted(set(slow)))

    grid = {"fast": _range(args.fast, "fast"), "slow": _range(args.slow, "slow")}
    inverted = sum(f >= s for f in grid["fast"] for s in grid["slow"])
    if inverted:
        raise ParameterError(
            f"--fast and --slow overlap: {inverted} of the {len(grid['fast']) * len(grid['slow'])} "
            f"pairs have fast >= slow (max fast {max(grid['fast'])}, min slow "
            f"{min(grid['slow'])}), inverted crossovers that can rank 'best' by luck; keep "
            "every --fast below every --slow, e.g. --fast 5:55:5 --slow 60:260:20"
        )
    res = ql.optimize.sweep(
        sma_cross,
        grid,
        close,
        metric=args.metric,
        fees=args.fees,
        progress=not args.quiet,
        n_jobs=args.jobs,
        scheduler=args.scheduler,
        periods_per_year=ppy,
    )
    _print_frame(
        res.summary().head(args.top)[[args.metric, "total_return", "max_drawdown"]],
        args.format,
        figures="columns",
    )
    pbo = res.pbo(n_splits=args.pbo_splits)
    if args.format != "table":
        print(
            f"best {res.best} of {res.n_combinations} combinations; deflated Sharpe "
            f"{res.deflated_sharpe:.3f}; PBO {pbo.pbo:.3f}",
            file=sys.stderr,
        )
        return 0
    from quantlab.report import dsr_reading, pbo_reading

    print(
        f"best {res.best} of {res.n_combinations} combinations; deflated Sharpe "
        f"{res.deflated_sharpe:.3f}; PBO {pbo.pbo:.3f}"
    )
    print(dsr_reading(res.deflated_sharpe, res.n_combinations)[0])
    print(pbo_reading(pbo.pbo)[0])
    return 0


# ------------------------------------------------------------------ run / predict / models

EPILOG_RUN = """examples:
  quantlab run models/momentum_lgbm.toml          # the main job: train, backtest, report
  quantlab run models/linear_baseline.toml --quiet
  quantlab run models/events_lgbm.toml --experiment events-dev --no-register
  QUANTLAB_TRACKING_URI=http://mlflow:5000 quantlab run models/momentum_lgbm.toml

The pipeline: data -> features -> labels -> model with purged CV -> out-of-sample backtest
-> Monte Carlo of the OOS returns (stationary bootstrap) -> MLflow run (params, metrics,
model, registry, the HTML tearsheet) -> ./reports/<run_id>.html.
Store: --tracking-uri, else QUANTLAB_TRACKING_URI / MLFLOW_TRACKING_URI, else
sqlite:///mlflow.db (artifacts in ./mlartifacts).
"""

EPILOG_PREDICT = """examples:
  quantlab predict --model momentum-lgbm --input rows.json            # alias production
  quantlab predict --model momentum-lgbm@staging --input rows.csv --format csv
  quantlab predict --model momentum-lgbm/3 --input rows.json
  echo '{"ret_5": 0.01, "vol_21": 0.02}' | quantlab predict --model my-model --input -

--input: a .json file holding one feature dict or a list of them ("-" reads JSON from
stdin), or a .csv file with one column per feature. Output: JSON
{"model", "version", "kind", "predictions"} or CSV with one "prediction" column.
"""

EPILOG_MODELS = """examples:
  quantlab models
  quantlab models --format json
  quantlab models --tracking-uri sqlite:///mlflow.db
"""


@contextlib.contextmanager
def _store(uri: str | None) -> Iterator[None]:
    """Point quantlab (and the serving cache) at ``uri`` for the duration of a command."""
    if uri is None:
        yield
        return
    old = os.environ.get("QUANTLAB_TRACKING_URI")
    os.environ["QUANTLAB_TRACKING_URI"] = uri
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("QUANTLAB_TRACKING_URI", None)
        else:
            os.environ["QUANTLAB_TRACKING_URI"] = old


def _fmt(value: Any, kind: str = "num") -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(v):
        return "n/a"
    if kind == "pct":
        return f"{v:.2%}"
    if kind == "int":
        return f"{v:,.0f}"
    return f"{v:.3f}"


#: Definitions beside the ``quantlab run`` summary, by the start of the row's label.
_RUN_DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("rank IC (mean)", "mean per-date rank correlation of predictions with outcomes"),
    ("rank ICIR", "mean / std of the per-date rank IC"),
    ("IC t-stat", "t-statistic of the mean IC, Newey-West for overlapping labels"),
    ("annual return", "compound annual growth rate"),
    ("annual volatility", "std of bar returns x sqrt(periods per year)"),
    ("Sharpe", "annualized mean / std of bar returns (risk-free 0)"),
    ("max drawdown, median", "median over paths of the largest fall from a peak"),
    ("max drawdown, worst 5%", "5th percentile over paths (drawdowns are negative)"),
    ("max drawdown", "largest fall of equity from a previous peak"),
    ("trades", "round trips opened"),
    ("deflated Sharpe", "probability the Sharpe beats the best of as many luck-only trials"),
    ("terminal wealth", "wealth at the horizon per 1 invested, over paths"),
    ("P(loss)", "share of paths ending below the initial wealth"),
    ("P(ruin)", "share of paths whose wealth hit the ruin threshold"),
)


def _run_definition(label: str) -> str:
    return next((text for start, text in _RUN_DEFINITIONS if label.startswith(start)), "")


def _print_summary(sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
    """Aligned ``label  value  definition`` rows under each section title."""
    width = max(len(k) for _, rows in sections for k, _ in rows) + 2
    vwidth = max(len(v) for _, rows in sections for _, v in rows)
    for title, rows in sections:
        print(title)
        for key, value in rows:
            line = f"  {key:<{width}}{value:>{vwidth}}  {_run_definition(key)}"
            print(line.rstrip())


class _Progress:
    """One progress bar over the stages of ``quantlab run`` (tqdm, on stderr)."""

    def __init__(self, stages: Sequence[str], enabled: bool) -> None:
        from tqdm.auto import tqdm

        self.bar = tqdm(
            total=len(stages),
            disable=not enabled,
            file=sys.stderr,
            unit="stage",
            bar_format="{desc:<30}{percentage:3.0f}%|{bar:24}| {n_fmt}/{total_fmt} [{elapsed}]",
        )
        self.started = False

    def __call__(self, stage: str) -> None:
        if self.started:
            self.bar.update(1)
        self.started = True
        self.bar.set_description_str(f"quantlab run: {stage}")

    def close(self) -> None:
        if self.started:
            self.bar.update(1)
        self.bar.set_description_str("quantlab run: done")
        self.bar.close()


def _data_text(data: dict[str, Any]) -> str:
    if data.get("source", "sample") == "sample":
        n, d = data.get("n_assets", 50), data.get("n_days", 1260)
        return f"generated sample universe, {n} assets x {d} days (synthetic)"
    return str(data["source"])


def _cmd_run(args: argparse.Namespace) -> int:
    import warnings

    from tqdm.contrib.logging import logging_redirect_tqdm

    from quantlab.tracking import load_recipe, run_recipe
    from quantlab.tracking.outputs import trials_text
    from quantlab.tracking.store import quiet_mlflow_logging, tracking_uri
    from quantlab.tracking.train import TRAIN_STAGES, kernel_cache_is_cold

    recipe = load_recipe(args.recipe)
    if args.experiment:
        recipe["experiment"] = args.experiment
    if args.no_register:
        recipe["register_as"] = recipe["alias"] = None
    if args.paths is not None:
        if args.paths < 0:
            raise ParameterError(f"--paths must be >= 0; got {args.paths}")
        recipe["montecarlo"]["n_paths"] = args.paths
    if args.no_report:
        recipe["report"]["enabled"] = False
    uri = tracking_uri(args.tracking_uri)
    mlflow_logs = quiet_mlflow_logging()  # keep the progress bar readable
    mc_spec = recipe["montecarlo"]
    model = recipe["model"]["name"]
    print(
        f"quantlab run {recipe['name']}: {model} on {_data_text(recipe['data'])}; "
        f"{recipe['cv']['kind']} CV, {recipe['label']['kind']} "
        f"{recipe['label']['horizon']}-bar labels",
        flush=True,
    )
    if kernel_cache_is_cold():
        print(
            "compiling numba kernels once (about a minute); they are cached for later runs",
            flush=True,
        )
    bar = _Progress(TRAIN_STAGES, enabled=not args.quiet)
    t0 = time.perf_counter()
    try:
        # what mlflow still logs (warnings) goes above the bar, not into it
        with warnings.catch_warnings(), logging_redirect_tqdm(loggers=mlflow_logs):
            warnings.simplefilter("ignore", FutureWarning)
            result = run_recipe(recipe, tracking_uri=uri, progress=bar)
    finally:
        bar.close()
    elapsed = time.perf_counter() - t0
    report_path = result.report_path
    mc_metrics = result.metrics if result.montecarlo is not None else {}

    m = result.metrics
    sections: list[tuple[str, list[tuple[str, str]]]] = [
        (
            "out-of-sample predictions",
            [
                ("rank IC (mean)", _fmt(m.get("rank_ic_mean"))),
                ("rank ICIR", _fmt(m.get("rank_icir"))),
                ("IC t-stat (Newey-West)", _fmt(m.get("ic_t_stat"))),
            ],
        ),
        (
            "out-of-sample strategy (after costs)",
            [
                ("annual return", _fmt(m.get("annual_return"), "pct")),
                ("annual volatility", _fmt(m.get("annual_volatility"), "pct")),
                ("Sharpe", _fmt(m.get("sharpe"))),
                ("max drawdown", _fmt(m.get("max_drawdown"), "pct")),
                ("trades", _fmt(m.get("n_trades"), "int")),
                ("deflated Sharpe", _fmt(m.get("deflated_sharpe"))),
            ],
        ),
    ]
    if "baseline_sharpe" in m:
        base = recipe["baseline"]["name"]
        sections.append(
            (
                f"{model} vs baseline {base} (same features, folds, positions, costs)",
                [
                    (
                        "rank IC (mean)",
                        f"{_fmt(m.get('rank_ic_mean'))} vs {_fmt(m.get('baseline_rank_ic_mean'))}",
                    ),
                    ("Sharpe", f"{_fmt(m.get('sharpe'))} vs {_fmt(m.get('baseline_sharpe'))}"),
                    (
                        "annual return",
                        f"{_fmt(m.get('annual_return'), 'pct')} vs "
                        f"{_fmt(m.get('baseline_annual_return'), 'pct')}",
                    ),
                ],
            )
        )
    if mc_metrics:
        sections.append(
            (
                f"Monte Carlo ({mc_spec['n_paths']:,} paths x {mc_spec['horizon']} bars, "
                f"{mc_spec['method'].replace('_', ' ')})",
                [
                    ("terminal wealth, median", _fmt(mc_metrics["mc_terminal_wealth_median"])),
                    ("terminal wealth, 5%", _fmt(mc_metrics["mc_terminal_wealth_p05"])),
                    ("terminal wealth, 95%", _fmt(mc_metrics["mc_terminal_wealth_p95"])),
                    ("max drawdown, median", _fmt(mc_metrics["mc_max_drawdown_median"], "pct")),
                    ("max drawdown, worst 5%", _fmt(mc_metrics["mc_max_drawdown_p05"], "pct")),
                    ("P(loss)", _fmt(mc_metrics["mc_prob_loss"], "pct")),
                    ("P(ruin)", _fmt(mc_metrics["mc_prob_ruin"], "pct")),
                ],
            )
        )
    print()
    _print_summary(sections)
    print(
        f"deflated Sharpe counted {trials_text(result.n_trials, result.trial_family)} in "
        f"experiment {recipe['experiment']!r} (identical reruns count once)"
    )
    if "baseline_sharpe" in m:
        beats = m.get("sharpe", math.nan) > m["baseline_sharpe"]
        print(
            f"{model} {'beats' if beats else 'does NOT beat'} the {recipe['baseline']['name']} "
            f"baseline out of sample (Sharpe {_fmt(m.get('sharpe'))} vs "
            f"{_fmt(m['baseline_sharpe'])})"
            + ("" if beats else "; trust the simpler model until this one earns its place")
        )
    print()
    print(f"finished in {elapsed:.1f} s")
    print(f"MLflow run:  {result.run_id} (experiment {recipe['experiment']!r})")
    print(f"store:       {uri}")
    if result.version is not None:
        name = recipe["register_as"]
        alias = f", alias {name}@{recipe['alias']}" if recipe["alias"] else ""
        print(f"model:       {name} version {result.version} ({result.model_uri}{alias})")
    else:
        print(f"model:       {result.model_uri} (not registered)")
    if report_path is not None:
        print(f"report:      {report_path} (also the run's artifact report/tearsheet.html)")
    print(f"look:        mlflow ui --backend-store-uri {uri}")
    return 0


def _read_rows(path: str) -> Any:
    """Feature rows from a JSON (dict or list of dicts; "-" = stdin) or CSV file."""
    import pandas as pd

    if path == "-":
        text, suffix = sys.stdin.read(), ".json"
    else:
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix not in (".json", ".csv"):
            raise ParameterError(f"--input must be a .json or .csv file (or '-'); got {path!r}")
        if not p.is_file():
            raise NotFoundError(f"--input file {path!r} does not exist")
        if suffix == ".csv":
            try:
                return pd.read_csv(p)
            except (ValueError, pd.errors.ParserError) as exc:
                raise ParameterError(f"--input {path}: not a readable CSV file ({exc})") from None
        text = p.read_text()
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParameterError(f"--input {path}: invalid JSON ({exc})") from None
    if isinstance(rows, dict):
        rows = [rows]
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise DataTypeError(
            f"--input {path}: JSON must be one feature dict or a list of feature dicts"
        )
    return [{k: (math.nan if v is None else v) for k, v in r.items()} for r in rows]


def _cmd_predict(args: argparse.Namespace) -> int:
    import numpy as np

    import quantlab as ql
    from quantlab.serving.cache import parse_ref
    from quantlab.tracking.store import existing_store

    rows = _read_rows(args.input)
    if parse_ref(args.model).path is None:  # a registry reference reads the store
        existing_store(None)
    model = ql.load_model(args.model, trusted=args.trusted)
    preds = np.asarray(ql.predict(model, rows), dtype=np.float64).reshape(-1)
    if args.format == "csv":
        print("prediction")
        for v in preds:
            print(repr(float(v)) if np.isfinite(v) else "")
    else:
        values = [float(v) if np.isfinite(v) else None for v in preds]
        out = {
            "model": args.model,
            "version": model.version,
            "kind": model.kind,
            "predictions": values,
        }
        print(json.dumps(out))
    return 0


def _cmd_models(args: argparse.Namespace) -> int:
    from quantlab.tracking import list_models
    from quantlab.tracking.store import existing_store

    uri = existing_store(args.tracking_uri)
    models = list_models(tracking_uri=uri)
    if args.format == "json":
        print(json.dumps(models, indent=1, sort_keys=True))
        return 0
    if not models:
        print(f"no registered models in {uri}; `quantlab run models/<recipe>.toml` registers one")
        return 0
    rows = [("NAME", "LATEST VERSION", "ALIASES")]
    for name in sorted(models):
        info = models[name]
        aliases = ", ".join(f"{a} -> v{v}" for a, v in sorted(info["aliases"].items()))
        rows.append((name, str(info["latest_version"] or "-"), aliases or "-"))
    w0 = max(len(r[0]) for r in rows) + 2
    w1 = max(len(r[1]) for r in rows) + 2
    for r in rows:
        print(f"{r[0]:<{w0}}{r[1]:<{w1}}{r[2]}")
    print(f"({len(models)} registered model(s) in {uri})", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quantlab", description="Backtests, metrics, Monte Carlo and tracked models."
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo",
        help="run a parameter-sweep backtest demo on generated data",
        epilog=EPILOG_DEMO,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument("--bars", type=int, default=2520, help="bars per asset (default 2520)")
    demo.add_argument("--assets", type=int, default=20, help="number of assets (default 20)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    demo.add_argument("--top", type=int, default=10, help="rows to print (default 10)")
    demo.set_defaults(func=_cmd_demo)

    fmt = argparse.ArgumentParser(add_help=False)
    fmt.add_argument(
        "--format",
        choices=["table", "json", "csv"],
        default="table",
        help="output format (default table)",
    )
    costs = argparse.ArgumentParser(add_help=False)
    costs.add_argument("--fees", type=float, default=0.0, help="fraction of traded value")
    costs.add_argument("--fixed-fees", type=float, default=0.0, help="cash per order")
    costs.add_argument("--slippage", type=float, default=0.0, help="adverse fraction of price")
    costs.add_argument("--init-cash", type=float, default=100.0, help="starting cash")
    periods = argparse.ArgumentParser(add_help=False)
    periods.add_argument(
        "--periods-per-year",
        type=float,
        help="bars per year for annualized figures (default: inferred from the dates; "
        "252 business-daily, 365 daily incl. weekends, 52 weekly, 12 monthly)",
    )

    bt = sub.add_parser(
        "backtest",
        parents=[fmt, costs, periods],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="backtest an SMA crossover or target weights over a price file",
        epilog="""examples:
  quantlab backtest --prices prices.csv --fast 10 --slow 50 --fees 0.001 --sl-stop 0.05
  quantlab backtest --prices prices.parquet --weights AAA=0.6,BBB=0.4 --rebalance ME
  quantlab backtest --prices prices.csv --fast 20 --slow 100 --price next_open --format json
prices: CSV/Parquet, long (date, symbol, close[, open, high, low, volume]) or wide
(date + one close column per asset). Dates must increase down the file (nothing is
sorted for you); dates with UTC offsets are read in UTC; an empty cell = no trading.""",
    )
    bt.add_argument("--prices", required=True, help="CSV or Parquet price file")
    bt.add_argument("--fast", type=int, default=10, help="fast SMA window (default 10)")
    bt.add_argument("--slow", type=int, default=50, help="slow SMA window (default 50)")
    bt.add_argument(
        "--weights",
        help="target weights 'AAA=0.6,BBB=0.4' or 'equal' "
        "(rebalancing backtest instead of the crossover)",
    )
    bt.add_argument("--rebalance", help="calendar rule for --weights, e.g. ME, W-FRI")
    bt.add_argument("--price", choices=["close", "next_open"], default="close")
    bt.add_argument("--sl-stop", type=float, help="stop-loss fraction")
    bt.add_argument("--tp-stop", type=float, help="take-profit fraction")
    bt.add_argument("--time-stop", type=int, help="exit after N bars")
    bt.add_argument("--trades", help="write the trades table to this CSV")
    bt.set_defaults(func=_cmd_backtest)

    sim = sub.add_parser(
        "simulate",
        parents=[fmt, periods],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="Monte Carlo of a constant-weight portfolio from historical prices",
        epilog="""examples:
  quantlab simulate --prices prices.csv --weights equal --paths 10000 --horizon 2520
  quantlab simulate --prices prices.csv --weights AAA=0.6,BBB=0.4 --method stationary_bootstrap \\
      --rebalance ME --goal 2.0 --withdrawal-rate 0.04
  quantlab simulate --prices prices.csv --weights AAA=1 --rebalance 21

--weights names assets of --prices (a name it lacks is an error); assets not named are
not held. A weight sum below 1 leaves cash.""",
    )
    sim.add_argument("--prices", required=True, help="CSV or Parquet price file")
    sim.add_argument("--weights", default="equal", help="'AAA=0.6,BBB=0.4' or 'equal'")
    sim.add_argument("--paths", type=int, default=10_000)
    sim.add_argument("--horizon", type=int, default=2520, help="steps (default 2520)")
    sim.add_argument(
        "--method",
        default="stationary_bootstrap",
        help="bootstrap, stationary_bootstrap, block_bootstrap, shuffle, normal, student_t, gbm",
    )
    sim.add_argument(
        "--rebalance",
        help="steps between rebalances (e.g. 21; 0 = buy and hold, the default) or a period "
        "D, W, M, Q, Y (or ME, W-FRI, QE, YE): periods per year / events per year steps",
    )
    sim.add_argument("--fees", type=float, default=0.0)
    sim.add_argument("--goal", type=float, help="goal as a multiple of initial wealth")
    sim.add_argument("--withdrawal-rate", type=float, default=0.0, help="yearly fraction")
    sim.add_argument("--seed", type=int, default=0)
    sim.set_defaults(func=_cmd_simulate)

    sw = sub.add_parser(
        "sweep",
        parents=[fmt, periods],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="SMA-crossover parameter sweep with deflated Sharpe and PBO",
        epilog="""examples:
  quantlab sweep --prices prices.csv --fast 5:55:5 --slow 60:260:20 --fees 0.001
  quantlab sweep --prices prices.csv --fast 5,10,20 --slow 50,100 --scheduler tcp://127.0.0.1:8786""",
    )
    sw.add_argument("--prices", required=True, help="CSV or Parquet price file")
    sw.add_argument(
        "--fast", default="5:55:5", help="start:stop:step or a comma list (each below every --slow)"
    )
    sw.add_argument("--slow", default="60:260:20", help="start:stop:step or a comma list")
    sw.add_argument("--metric", default="sharpe")
    sw.add_argument("--fees", type=float, default=0.0)
    sw.add_argument("--top", type=int, default=10)
    sw.add_argument("--jobs", type=int, default=1, help="local worker processes")
    sw.add_argument("--scheduler", help="Dask scheduler address")
    sw.add_argument("--pbo-splits", type=int, default=8)
    sw.add_argument("--quiet", action="store_true", help="no progress bar")
    sw.set_defaults(func=_cmd_sweep)

    store = argparse.ArgumentParser(add_help=False)
    store.add_argument(
        "--tracking-uri",
        help="MLflow store (default: QUANTLAB_TRACKING_URI, MLFLOW_TRACKING_URI, "
        "sqlite:///mlflow.db)",
    )
    run = sub.add_parser(
        "run",
        parents=[store],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="run a training recipe: purged-CV model, OOS backtest, Monte Carlo, MLflow, report",
        epilog=EPILOG_RUN,
    )
    run.add_argument("recipe", help="TOML recipe, e.g. models/momentum_lgbm.toml")
    run.add_argument("--experiment", help="MLflow experiment (overrides the recipe's)")
    run.add_argument(
        "--no-register", action="store_true", help="do not register the model or move the alias"
    )
    run.add_argument("--paths", type=int, help="Monte Carlo paths (overrides the recipe; 0: off)")
    run.add_argument("--no-report", action="store_true", help="skip the HTML tearsheet")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=_cmd_run)

    pr = sub.add_parser(
        "predict",
        parents=[store],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="predict with a registered model on JSON / CSV feature rows",
        epilog=EPILOG_PREDICT,
    )
    pr.add_argument(
        "--model",
        required=True,
        help="NAME (alias production), NAME@ALIAS, NAME/VERSION, models:/... or a model dir",
    )
    pr.add_argument("--input", required=True, help="rows.json, rows.csv or - (JSON on stdin)")
    pr.add_argument("--format", choices=["json", "csv"], default="json", help="default json")
    pr.add_argument(
        "--trusted",
        action="store_true",
        help="allow a pickled third-party model (unpickling executes code)",
    )
    pr.set_defaults(func=_cmd_predict)

    mo = sub.add_parser(
        "models",
        parents=[store],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="list registered models, their latest versions and aliases",
        epilog=EPILOG_MODELS,
    )
    mo.add_argument("--format", choices=["table", "json"], default="table")
    mo.set_defaults(func=_cmd_models)

    from quantlab._cli_events import add_parser as add_events_parser

    add_events_parser(sub, fmt)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with _store(getattr(args, "tracking_uri", None)):
            code: int = args.func(args)
        return code
    except QuantlabError as exc:
        if args.debug:
            raise
        print(f"quantlab: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
