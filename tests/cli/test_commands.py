"""The ``quantlab`` command: outputs, exit codes (0 ok, 1 failure, 2 usage), one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import quantlab as ql
from quantlab.cli import build_parser, main
from quantlab.data import sample_universe, to_long


@pytest.fixture(scope="module")
def prices_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    u = sample_universe(n_assets=3, n_days=300, seed=3)
    path = tmp_path_factory.mktemp("cli") / "prices.csv"
    to_long(u.ohlcv).to_csv(path, index=False)
    return path


def test_backtest_prints_the_engine_figures(prices_csv: Path, capsys) -> None:
    code = main(
        [
            "backtest",
            "--prices",
            str(prices_csv),
            "--fast",
            "5",
            "--slow",
            "20",
            "--fees",
            "0.001",
            "--format",
            "json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    table = pd.DataFrame(out["data"], index=out["index"])
    close = ql.data.load_ohlcv(prices_csv)["close"]
    f, s = ql.indicators.sma(close, 5), ql.indicators.sma(close, 20)
    res = ql.backtest.from_signals(
        close, ql.signals.crossed_above(f, s), ql.signals.crossed_below(f, s), fees=0.001
    )
    expected = res.stats().loc["total_return"].to_numpy()
    assert table.loc["total_return"].to_numpy() == pytest.approx(expected, rel=1e-9)


def test_weights_backtest_and_trades_file(prices_csv: Path, tmp_path: Path, capsys) -> None:
    trades = tmp_path / "trades.csv"
    code = main(
        [
            "backtest",
            "--prices",
            str(prices_csv),
            "--weights",
            "equal",
            "--rebalance",
            "ME",
            "--trades",
            str(trades),
        ]
    )
    assert code == 0
    assert "sharpe" in capsys.readouterr().out
    assert trades.exists()


def test_simulate_and_sweep(prices_csv: Path, capsys) -> None:
    assert (
        main(
            [
                "simulate",
                "--prices",
                str(prices_csv),
                "--paths",
                "500",
                "--horizon",
                "100",
                "--goal",
                "1.1",
                "--seed",
                "1",
            ]
        )
        == 0
    )
    assert "terminal_wealth" in capsys.readouterr().out
    assert (
        main(
            [
                "sweep",
                "--prices",
                str(prices_csv),
                "--fast",
                "5,10",
                "--slow",
                "20,40",
                "--quiet",
                "--pbo-splits",
                "4",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "deflated Sharpe" in out and "PBO" in out


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quantlab.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_expected_failure_is_one_line_with_exit_1(tmp_path: Path) -> None:
    proc = _run("backtest", "--prices", str(tmp_path / "missing.csv"))
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0
    assert "quantlab: error:" in proc.stderr and "does not exist" in proc.stderr
    assert "Traceback" not in proc.stderr
    debug = _run("--debug", "backtest", "--prices", str(tmp_path / "missing.csv"))
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_usage_error_exit_2_and_help_has_examples() -> None:
    proc = _run("backtest")
    assert proc.returncode == 2 and "--prices" in proc.stderr
    for cmd in ("backtest", "simulate", "sweep", "demo"):
        help_text = _run(cmd, "--help")
        assert help_text.returncode == 0 and "examples:" in help_text.stdout


def test_bad_option_value_is_named(prices_csv: Path, capsys) -> None:
    assert main(["sweep", "--prices", str(prices_csv), "--fast", "a:b"]) == 1
    assert "--fast must be start:stop[:step]" in capsys.readouterr().err


def test_sweep_refuses_inverted_pairs_and_its_defaults_have_none(prices_csv: Path, capsys) -> None:
    # issue 13 item 4: overlapping ranges backtest fast >= slow pairs (inverted crossovers)
    assert main(["sweep", "--prices", str(prices_csv), "--fast", "5,30", "--slow", "20,40"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "quantlab: error: --fast and --slow overlap: 1 of the 4 pairs have fast >= slow "
        "(max fast 30, min slow 20)"
    )
    sweep = build_parser().parse_args(["sweep", "--prices", "x.csv"])
    assert max(range(*map(int, sweep.fast.split(":")))) < min(
        range(*map(int, sweep.slow.split(":")))
    )


def test_events_help_has_examples() -> None:
    for cmd in ("study", "leaderboard"):
        help_text = _run("events", cmd, "--help")
        assert help_text.returncode == 0 and "examples:" in help_text.stdout
