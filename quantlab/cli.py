"""The ``quantlab`` command.

Exit codes: 0 success, 1 failure, 2 usage error. Expected failures (a
:class:`~quantlab.errors.QuantlabError`) print one line; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Any

from quantlab.errors import ParameterError, QuantlabError

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
    print(table.head(args.top).to_string(float_format=lambda v: f"{v:8.3f}"))
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


def _weights_arg(text: str, columns: Any) -> dict[str, float]:
    """``"AAA=0.6,BBB=0.4"`` -> {"AAA": 0.6, "BBB": 0.4}; ``"equal"`` -> 1/n each."""
    if text == "equal":
        return {str(c): 1.0 / len(columns) for c in columns}
    out: dict[str, float] = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise ParameterError(
                f"--weights must look like 'AAA=0.6,BBB=0.4' or 'equal'; got {item!r}"
            ) from None
        if not sep:
            raise ParameterError(f"--weights entry {item!r} lacks '=weight'")
    return out


def _print_frame(frame: Any, fmt: str) -> None:
    if fmt == "json":
        print(frame.to_json(orient="split", double_precision=10, date_format="iso"))
    elif fmt == "csv":
        print(frame.to_csv(), end="")
    else:
        print(frame.to_string(float_format=lambda v: f"{v:12.6g}"))


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
    }
    if args.weights is not None:
        res = ql.backtest.from_weights(
            close,
            _weights_arg(args.weights, close.columns),
            rebalance=args.rebalance,
            **common,
        )
    else:
        entries, exits = _sma_signals(close, [args.fast], [args.slow])
        stops = {"sl_stop": args.sl_stop, "tp_stop": args.tp_stop, "time_stop": args.time_stop}
        ohlc = {k: data[k] for k in ("open", "high", "low") if k in data}
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
    returns = close.pct_change().iloc[1:]
    weights = _weights_arg(args.weights, close.columns)
    w = [weights.get(str(c), 0.0) for c in close.columns]
    sim = ql.montecarlo.simulate(
        returns,
        w,
        n_paths=args.paths,
        horizon=args.horizon,
        method=args.method,
        rebalance=args.rebalance,
        seed=args.seed,
        fees=args.fees,
        goal=args.goal,
        withdrawal_rate=args.withdrawal_rate,
    )
    _print_frame(sim.summary(), args.format)
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    import quantlab as ql

    data = _load_prices(args.prices)
    close = data["close"]

    @ql.optimize.vectorized
    def sma_cross(prices: Any, fast: list[int], slow: list[int]) -> tuple[Any, Any]:
        return _sma_signals(prices, sorted(set(fast)), sorted(set(slow)))

    grid = {"fast": _range(args.fast, "fast"), "slow": _range(args.slow, "slow")}
    res = ql.optimize.sweep(
        sma_cross,
        grid,
        close,
        metric=args.metric,
        fees=args.fees,
        progress=not args.quiet,
        n_jobs=args.jobs,
        scheduler=args.scheduler,
    )
    _print_frame(
        res.summary().head(args.top)[[args.metric, "total_return", "max_drawdown"]], args.format
    )
    pbo = res.pbo(n_splits=args.pbo_splits)
    print(
        f"best {res.best} of {res.n_combinations} combinations; deflated Sharpe "
        f"{res.deflated_sharpe:.3f}; PBO {pbo.pbo:.3f}"
    )
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

    bt = sub.add_parser(
        "backtest",
        parents=[fmt, costs],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="backtest an SMA crossover or target weights over a price file",
        epilog="""examples:
  quantlab backtest --prices prices.csv --fast 10 --slow 50 --fees 0.001 --sl-stop 0.05
  quantlab backtest --prices prices.parquet --weights AAA=0.6,BBB=0.4 --rebalance ME
  quantlab backtest --prices prices.csv --fast 20 --slow 100 --price next_open --format json
prices: CSV/Parquet, long (date, symbol, close[, open, high, low, volume]) or wide
(date + one close column per asset).""",
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
        parents=[fmt],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="Monte Carlo of a constant-weight portfolio from historical prices",
        epilog="""examples:
  quantlab simulate --prices prices.csv --weights equal --paths 10000 --horizon 2520
  quantlab simulate --prices prices.csv --weights AAA=0.6,BBB=0.4 --method stationary_bootstrap \\
      --rebalance ME --goal 2.0 --withdrawal-rate 0.04""",
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
    sim.add_argument("--rebalance", help="steps (int) or M/Q/Y")
    sim.add_argument("--fees", type=float, default=0.0)
    sim.add_argument("--goal", type=float, help="goal as a multiple of initial wealth")
    sim.add_argument("--withdrawal-rate", type=float, default=0.0, help="yearly fraction")
    sim.add_argument("--seed", type=int, default=0)
    sim.set_defaults(func=_cmd_simulate)

    sw = sub.add_parser(
        "sweep",
        parents=[fmt],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="SMA-crossover parameter sweep with deflated Sharpe and PBO",
        epilog="""examples:
  quantlab sweep --prices prices.csv --fast 5:55:5 --slow 20:220:20 --fees 0.001
  quantlab sweep --prices prices.csv --fast 5,10,20 --slow 50,100 --scheduler tcp://127.0.0.1:8786""",
    )
    sw.add_argument("--prices", required=True, help="CSV or Parquet price file")
    sw.add_argument("--fast", default="5:55:5", help="start:stop:step or a comma list")
    sw.add_argument("--slow", default="20:220:20", help="start:stop:step or a comma list")
    sw.add_argument("--metric", default="sharpe")
    sw.add_argument("--fees", type=float, default=0.0)
    sw.add_argument("--top", type=int, default=10)
    sw.add_argument("--jobs", type=int, default=1, help="local worker processes")
    sw.add_argument("--scheduler", help="Dask scheduler address")
    sw.add_argument("--pbo-splits", type=int, default=8)
    sw.add_argument("--quiet", action="store_true", help="no progress bar")
    sw.set_defaults(func=_cmd_sweep)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except QuantlabError as exc:
        if args.debug:
            raise
        print(f"quantlab: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
