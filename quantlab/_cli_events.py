"""The ``quantlab events`` commands: an event study and a copy-trade leaderboard from files.

Both read a disclosure file (:func:`quantlab.data.read_disclosures`, any layout) and a price
file (:func:`quantlab.data.load_ohlcv`), print what the reader left out and the symbols the
prices lack on stderr (never dropped silently), and the result table on stdout, so
``--format csv`` / ``json`` output is one parseable document.

Kept apart from :mod:`quantlab.cli` (which registers these sub-commands) so that module
stays about the price-file commands; like it, this is the top layer and imports the
library lazily, inside the commands.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from quantlab.errors import ParameterError

EPILOG_STUDY = """examples:
  quantlab events study --disclosures all_transactions.json --prices prices.csv
  quantlab events study --disclosures trades.csv --layout generic --prices prices.parquet \\
      --window=-10,60 --car 1,20 --by side
  quantlab events study --disclosures all_transactions.json --prices prices.csv --clock both
  (--window and --car are trading days relative to day 0; write a negative start as
  --window=-10,60. --clock both prints the cost of the disclosure lag.)
"""

EPILOG_LEADERBOARD = """examples:
  quantlab events leaderboard --disclosures all_transactions.json --prices prices.csv
  quantlab events leaderboard --disclosures trades.csv --layout generic --prices prices.csv \\
      --hold 60 --weighting amount --fees 0.001 --benchmark SPY --top 20
  (one copy-trade strategy per filer, bought at the first open after the disclosure;
  sorted by p-value, with the deflated Sharpe counting every filer as a trial and the
  Benjamini-Hochberg q-value.)
"""


def _pair(text: str, name: str) -> tuple[int, int]:
    """``"-10,60"`` -> (-10, 60)."""
    parts = text.replace(":", ",").split(",")
    try:
        a, b = (int(p) for p in parts)
    except ValueError:
        raise ParameterError(
            f"--{name} must be two integers 'a,b' (trading days, a <= b); got {text!r}. "
            f"Write a negative start as --{name}=-10,60"
        ) from None
    if a > b:
        raise ParameterError(f"--{name} must have a <= b; got {text!r}")
    return a, b


def _inputs(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """The disclosure table and the price panels; reports go to stderr."""
    from quantlab.data import check_symbols, load_ohlcv, read_disclosures

    table, report = read_disclosures(args.disclosures, layout=args.layout)
    print(str(report), file=sys.stderr)
    if table.empty:
        raise ParameterError(
            f"--disclosures {args.disclosures}: no usable disclosure was read "
            f"({report.n_read} rows, all left out; see the reasons above)"
        )
    data = load_ohlcv(args.prices)
    missing = check_symbols(table, data["close"])
    if len(missing):
        shown = ", ".join(
            f"{s} ({n})"
            for s, n in zip(missing["symbol"][:10], missing["n_rows"][:10], strict=True)
        )
        more = " ..." if len(missing) > 10 else ""
        print(
            f"{args.prices}: {len(missing)} disclosed symbol(s) have no prices, "
            f"{int(missing['n_rows'].sum())} disclosure(s) left out: {shown}{more}",
            file=sys.stderr,
        )
    return table, data


def _emit(frame: Any, fmt: str) -> None:
    """Raw numbers for csv / json, a fixed-width table otherwise (no scientific floats)."""
    if fmt == "json":
        print(frame.to_json(orient="split", double_precision=10, date_format="iso"))
    elif fmt == "csv":
        print(frame.to_csv(), end="")
    else:
        print(frame.to_string(float_format=lambda v: f"{v:.4f}"))


def _cmd_study(args: argparse.Namespace) -> int:
    import quantlab as ql

    window = _pair(args.window, "window")
    car = _pair(args.car, "car") if args.car else (max(window[0], 0), window[1])
    table, data = _inputs(args)
    options = dict(
        model=args.model,
        estimation=args.estimation,
        gap=args.gap,
        window=window,
    )
    close = data["close"]
    if args.clock == "both":
        lc = ql.events.lag_cost(table, close, car[0], car[1], **options)
        print(f"lag cost over CAR({car[0]}, {car[1]}):", file=sys.stderr)
        _emit(lc.table, args.format)
        return 0
    study = ql.events.event_study(table, close, clock=args.clock, **options)
    print(str(study.report), file=sys.stderr)
    if study.report.n_used == 0:
        raise ParameterError(
            "no event could be studied (see the reasons above); give a longer price "
            "history or a shorter --estimation / --window"
        )
    print(f"CAAR({car[0]}, {car[1]}), {args.clock} clock, {args.model} model:", file=sys.stderr)
    if args.by:
        _emit(study.by(args.by.split(",") if "," in args.by else args.by, *car), args.format)
    else:
        _emit(study.tests(*car).set_index("statistic"), args.format)
    return 0


def _cmd_leaderboard(args: argparse.Namespace) -> int:
    import quantlab as ql

    table, data = _inputs(args)
    close = data["close"]
    benchmark = None
    if args.benchmark:
        if args.benchmark not in close.columns:
            raise ParameterError(
                f"--benchmark {args.benchmark!r} is not a column of {args.prices}; "
                "name one of its symbols (e.g. an index ETF) or leave it out"
            )
        prices = close[args.benchmark]
        gaps = prices.index[prices.isna().to_numpy()]
        if len(gaps):
            raise ParameterError(
                f"--benchmark {args.benchmark!r} has {len(gaps)} bar(s) without a price in "
                f"{args.prices} (first: {gaps[0].date()}); excess returns need its return on "
                "every bar: choose a fully priced symbol"
            )
        benchmark = prices.pct_change().fillna({prices.index[0]: 0.0})  # no return before bar 0
    board = ql.events.leaderboard(
        table,
        close,
        open=data.get("open"),
        by=args.by,
        hold=args.hold,
        weighting=args.weighting,
        max_positions=args.max_positions,
        position_cap=args.position_cap,
        short_sales=args.short_sales,
        fees=args.fees,
        slippage=args.slippage,
        benchmark=benchmark,
    )
    print(str(board.report), file=sys.stderr)
    print(
        f"{board.n_trials} {args.by} strategies tested (the deflated Sharpe's trials); "
        f"top {min(args.top, len(board.table))} by p-value:",
        file=sys.stderr,
    )
    _emit(board.table.head(args.top), args.format)
    return 0


def add_parser(sub: Any, fmt: argparse.ArgumentParser) -> None:
    """Register ``quantlab events study`` and ``quantlab events leaderboard``."""
    ev = sub.add_parser(
        "events",
        help="disclosed trades: event study and per-filer copy-trade leaderboard",
        description="Research on disclosed trades (STOCK Act periodic transaction reports).",
    )
    evsub = ev.add_subparsers(dest="events_command", required=True)
    files = argparse.ArgumentParser(add_help=False)
    files.add_argument(
        "--disclosures", required=True, help="disclosure file (.json, .csv or .parquet)"
    )
    files.add_argument(
        "--layout",
        default="auto",
        choices=["auto", "house_watcher", "senate_watcher", "generic"],
        help="the file's layout (default: detected from its columns)",
    )
    files.add_argument("--prices", required=True, help="CSV or Parquet price file (daily)")

    st = evsub.add_parser(
        "study",
        parents=[files, fmt],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="abnormal returns around disclosed trades, with every significance test",
        epilog=EPILOG_STUDY,
    )
    st.add_argument(
        "--clock",
        choices=["disclosure", "transaction", "both"],
        default="disclosure",
        help="day 0 = first bar after the disclosure (tradable) or the trade; both: lag cost",
    )
    st.add_argument("--model", choices=["market", "market_adjusted"], default="market")
    st.add_argument("--window", default="-10,60", help="event window a,b (default -10,60)")
    st.add_argument("--car", help="CAR window a,b tested (default: 0 or a, to b of --window)")
    st.add_argument("--estimation", type=int, default=250, help="estimation bars (default 250)")
    st.add_argument("--gap", type=int, default=10, help="bars between estimation and window")
    st.add_argument("--by", help="group by a column (filer, side, owner, chamber, lag_bucket, ...)")
    st.set_defaults(func=_cmd_study)

    lb = evsub.add_parser(
        "leaderboard",
        parents=[files, fmt],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="rank filers by the significance of their copy-trade strategy",
        epilog=EPILOG_LEADERBOARD,
    )
    lb.add_argument("--by", default="filer", help="one strategy per value of this column")
    lb.add_argument("--hold", type=int, default=20, help="bars a position is held (default 20)")
    lb.add_argument("--weighting", choices=["equal", "amount"], default="equal")
    lb.add_argument("--max-positions", type=int, help="most open positions per strategy")
    lb.add_argument("--position-cap", type=float, help="largest weight of one position")
    lb.add_argument("--short-sales", action="store_true", help="short on disclosed sales")
    lb.add_argument("--fees", type=float, default=0.0, help="fraction of traded value")
    lb.add_argument("--slippage", type=float, default=0.0, help="adverse fraction of price")
    lb.add_argument("--benchmark", help="a symbol of the price file: rank excess returns")
    lb.add_argument("--top", type=int, default=20, help="rows to print (default 20)")
    lb.set_defaults(func=_cmd_leaderboard)
