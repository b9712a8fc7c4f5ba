"""The ``quantlab`` command.

Exit codes: 0 success, 1 failure, 2 usage error. Expected failures (a
:class:`~quantlab.errors.QuantlabError`) print one line; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from quantlab.errors import QuantlabError

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
