"""What a new user and a tester found in the ``quantlab`` command (issue 13): every bad
input ends in exit 1 and one pinned ``quantlab: error:`` line, read-only commands create no
store, documented options work, tables print formatted figures with their definitions."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import quantlab as ql
from quantlab.cli import _print_summary, main


@pytest.fixture(scope="module")
def prices(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wide close-only file: AAPL, MSFT over 300 business days."""
    rng = np.random.default_rng(11)
    index = pd.bdate_range("2020-01-01", periods=300, name="date")
    values = 100 * np.exp(np.cumsum(rng.normal(2e-4, 0.01, (300, 2)), axis=0))
    path = tmp_path_factory.mktemp("cli") / "prices.csv"
    pd.DataFrame(values, index=index, columns=["AAPL", "MSFT"]).to_csv(path)
    return path


def _error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``quantlab argv``; it must exit 1 with exactly one stderr line; return the text."""
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 1, err
    assert err.count("\n") == 1 and err.startswith("quantlab: error: "), err
    return err[len("quantlab: error: ") :].rstrip("\n")


# ---------------------------------------------------------------- item 1: unknown weights


@pytest.mark.parametrize("command", ["simulate", "backtest"])
def test_weight_for_an_asset_the_file_lacks_is_refused(command, prices, capsys):
    msg = _error([command, "--prices", str(prices), "--weights", "AAPL=0.6,XYZ=0.4"], capsys)
    assert msg == (
        f"--weights names XYZ, not an asset of {prices} (its assets: AAPL, MSFT); use the "
        "file's column names"
    )


def test_weight_given_twice_or_malformed(prices, capsys):
    argv = ["simulate", "--prices", str(prices), "--weights"]
    assert _error([*argv, "AAPL=0.5,AAPL=0.5"], capsys) == (
        "--weights names 'AAPL' twice; give each asset one weight"
    )
    assert _error([*argv, "AAPL=abc"], capsys) == (
        "--weights entry 'AAPL=abc': the weight 'abc' is not a finite number; pass e.g. "
        "'AAA=0.6,BBB=0.4' or 'equal'"
    )
    assert _error([*argv, "AAPL"], capsys).startswith("--weights entry 'AAPL' must look like")


def test_simulate_named_subset_equals_the_api(prices, capsys):
    argv = ["simulate", "--prices", str(prices), "--weights", "AAPL=0.7", "--paths", "300"]
    assert main([*argv, "--horizon", "50", "--seed", "4", "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)
    close = ql.data.load_ohlcv(prices)["close"]
    sim = ql.montecarlo.simulate(
        close[["AAPL"]].pct_change().iloc[1:],
        [0.7],
        n_paths=300,
        horizon=50,
        method="stationary_bootstrap",
        seed=4,
        periods_per_year=252,
    )
    want = sim.summary()
    table = pd.DataFrame(got["data"], index=got["index"], columns=got["columns"])
    np.testing.assert_allclose(table.to_numpy(), want.to_numpy(), rtol=1e-8, atol=1e-9)


# ---------------------------------------------------------------- item 6: read-only stores


def test_models_on_a_missing_sqlite_store_creates_nothing(tmp_path, capsys):
    db = tmp_path / "x.db"
    msg = _error(["models", "--tracking-uri", f"sqlite:///{db}"], capsys)
    assert msg == (
        f"there is no tracking store at sqlite:///{db} (no file {db}); check --tracking-uri "
        "/ QUANTLAB_TRACKING_URI, or create the store with `quantlab run models/<recipe>.toml`"
    )
    assert not db.exists()


def test_default_store_is_not_created_by_models_or_predict(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QUANTLAB_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert "there is no tracking store at sqlite:///mlflow.db" in _error(["models"], capsys)
    rows = tmp_path / "rows.json"
    rows.write_text('{"ret_5": 0.01}')
    msg = _error(["predict", "--model", "momentum", "--input", str(rows)], capsys)
    assert msg.startswith("there is no tracking store at sqlite:///mlflow.db")
    assert list(tmp_path.iterdir()) == [rows]  # no mlflow.db, no mlartifacts


def test_models_reads_an_existing_store(tmp_path, capsys):
    import mlflow

    db = tmp_path / "real.db"
    uri = f"sqlite:///{db}"
    mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri).search_experiments()  # create
    assert db.exists()
    assert main(["models", "--tracking-uri", uri]) == 0
    assert f"no registered models in {uri}" in capsys.readouterr().out


# ---------------------------------------------------------------- items 7, 8: price files


def _write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_all_nan_and_unsorted_files_exit_1(tmp_path, prices, capsys):
    frame = pd.read_csv(prices, index_col=0)
    nan = tmp_path / "nan.csv"
    (frame * np.nan).to_csv(nan)
    assert _error(["backtest", "--prices", str(nan)], capsys) == (
        f"{nan}: close holds no price at all (all 600 cells of 2 column(s) are empty / NaN); "
        "pass data with prices"
    )
    unsorted = tmp_path / "unsorted.csv"
    frame.iloc[[0, 2, 1, *range(3, 300)]].to_csv(unsorted)
    assert _error(["backtest", "--prices", str(unsorted)], capsys) == (
        f"{unsorted}: line 4: date 2020-01-02 comes before the date of line 3 (2020-01-03); "
        "dates must increase down the rows, nothing is reordered or dropped silently: sort "
        "the file by date"
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", "", "{p} is empty; pass a CSV with a header line"),
        ("bin.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "{p} is not a text CSV file (byte 0x89 at"),
        ("text.csv", "date,A\n2021-01-04,1\n2021-01-05,x1\n", "{p}: line 3, column 'A': 'x1'"),
        ("date.csv", "date,A\n2021-01-04,1\n2021-02-30,2\n", "{p}: line 3: date '2021-02-30'"),
        (
            "mixed.csv",
            "date,A\n2021-01-04,1\n2021-01-05 00:00:00+00:00,2\n",
            "{p}: line 3: date '2021-01-05 00:00:00+00:00' has a UTC offset but line 2's",
        ),
    ],
)
def test_malformed_files_give_one_line(tmp_path, capsys, name, content, message):
    path = _write(tmp_path / name, content)
    for command in ("backtest", "simulate", "sweep"):
        assert _error([command, "--prices", str(path)], capsys).startswith(message.format(p=path))


def test_malformed_file_in_a_subprocess_has_no_traceback(tmp_path):
    path = _write(tmp_path / "bad.csv", "date,A\n2021-01-04,1\nnot a date,2\n")
    proc = subprocess.run(
        [sys.executable, "-m", "quantlab.cli", "backtest", "--prices", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1
    assert proc.stderr == (
        f"quantlab: error: {path}: line 3: date 'not a date' is not a date; write dates like "
        "2021-05-28 or 2021-05-28 16:00:00-04:00\n"
    )


def test_dst_spanning_file_backtests(tmp_path, capsys):
    idx = pd.date_range("2021-01-04 16:00", periods=120, freq="B", tz="America/New_York")
    rng = np.random.default_rng(2)
    close = pd.DataFrame({"A": 50 * np.exp(np.cumsum(rng.normal(0, 0.01, 120)))}, index=idx)
    path = tmp_path / "dst.csv"
    close.rename_axis("date").to_csv(path)
    assert main(["backtest", "--prices", str(path), "--fast", "5", "--slow", "20"]) == 0
    assert "total_return" in capsys.readouterr().out


# ---------------------------------------------------------------- item 9: messages


def test_close_only_file_errors_name_close(tmp_path, prices, capsys):
    frame = pd.read_csv(prices, index_col=0)
    frame.iloc[10, 0] = 0.0
    bad = tmp_path / "zero.csv"
    frame.to_csv(bad)
    msg = _error(["backtest", "--prices", str(bad)], capsys)
    assert msg.startswith(f"{bad}: close must be strictly positive; got 0.0 at 2020-01-15")
    assert _error(["backtest", "--prices", str(prices), "--price", "next_open"], capsys) == (
        f"--price next_open fills at the next bar's open, but {prices} holds close prices "
        "only; add open, high and low columns or use --price close"
    )


def test_periods_per_year_flag_and_message(tmp_path, capsys):
    idx = pd.date_range("2020-01-01", periods=80, freq="3D", name="date")
    path = tmp_path / "every3days.csv"
    pd.DataFrame({"A": np.linspace(10, 12, 80)}, index=idx).to_csv(path)
    for command in ("backtest", "simulate", "sweep"):
        msg = _error([command, "--prices", str(path)], capsys)
        assert msg == (
            f"{path}: cannot infer the bars per year from its 80 dates (median spacing 3 days); "
            "pass --periods-per-year N (252 business-daily, 365 daily incl. weekends, 52 "
            "weekly, 12 monthly)"
        )
        assert "periods_per_year=" not in msg
    argv = ["backtest", "--prices", str(path), "--periods-per-year", "122", "--format", "json"]
    assert main([*argv, "--fast", "3", "--slow", "9"]) == 0
    table = json.loads(capsys.readouterr().out)
    vol = table["data"][table["index"].index("annual_volatility")][0]
    r = pd.Series(np.linspace(10, 12, 80)).pct_change()
    # no trade happens on a straight line: flat equity, zero volatility whatever the factor
    assert vol == 0.0 and r.notna().sum() == 79
    assert _error([*argv[:3], "--periods-per-year", "-5"], capsys) == (
        "--periods-per-year must be a number > 0; got -5"
    )


# ---------------------------------------------------------------- item 10: --rebalance


def test_simulate_rebalance_forms_of_its_help(prices, capsys):
    base = ["simulate", "--prices", str(prices), "--paths", "400", "--horizon", "126"]
    base += ["--seed", "9", "--weights", "AAPL=0.5,MSFT=0.5", "--format", "json"]
    out = {}
    for value in ("ME", "21", "M", "BME", None):
        extra = [] if value is None else ["--rebalance", value]
        assert main([*base, *extra]) == 0, capsys.readouterr().err
        out[value] = json.loads(capsys.readouterr().out)["data"]
    # a daily file has 252 periods a year: a month is 21 steps, whatever the spelling
    assert out["ME"] == out["21"] == out["M"] == out["BME"]
    assert out["ME"] != out[None]  # buy and hold drifts
    close = ql.data.load_ohlcv(prices)["close"]
    api = ql.montecarlo.simulate(
        close.pct_change().iloc[1:],
        {"AAPL": 0.5, "MSFT": 0.5},
        n_paths=400,
        horizon=126,
        method="stationary_bootstrap",
        rebalance=21,
        seed=9,
        periods_per_year=252,
    )
    np.testing.assert_allclose(
        np.asarray(out["21"]), api.summary().to_numpy(), rtol=1e-8, atol=1e-9
    )
    assert _error([*base, "--rebalance", "2ME"], capsys) == (
        "--rebalance must be a number of steps (e.g. 21; 0 = buy and hold) or one period: D, "
        "W, M, Q, Y (pandas aliases ME, W-FRI, QE, YE also work); got '2ME'"
    )


# ---------------------------------------------------------------- item 11: tables


def test_backtest_table_is_formatted_with_definitions(prices, capsys):
    argv = ["backtest", "--prices", str(prices), "--fast", "5", "--slow", "20"]
    assert main([*argv, "--fees", "0.001"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["AAPL", "MSFT", "definition"]
    rows = {line.split()[0]: line for line in lines[1:]}
    close = ql.data.load_ohlcv(prices)["close"]
    f, s = ql.indicators.sma(close, 5), ql.indicators.sma(close, 20)
    res = ql.backtest.from_signals(
        close, ql.signals.crossed_above(f, s), ql.signals.crossed_below(f, s), fees=0.001
    )
    stats = res.stats()
    total = stats.loc["total_return"].to_numpy()
    assert rows["total_return"].split()[1:3] == [f"{100 * v:.2f}%" for v in total]
    assert rows["n_trades"].split()[1:3] == [f"{int(v)}" for v in stats.loc["n_trades"]]
    assert rows["sharpe"].split()[1:3] == [f"{v:.2f}" for v in stats.loc["sharpe"]]
    assert rows["win_rate"].endswith("share of closed trades with pnl > 0")
    assert rows["n_trades"].endswith("round trips opened (closed and still open)")
    out = "\n".join(lines)
    assert not re.search(r"\d[eE][+-]?\d", out) and ".0000" not in out


def test_run_summary_rows_carry_definitions(capsys):
    _print_summary([("strategy", [("Sharpe", "1.234"), ("trades", "1,254"), ("P(ruin)", "0.10%")])])
    out = capsys.readouterr().out.splitlines()
    assert out[1].split("  ")[-1] == "annualized mean / std of bar returns (risk-free 0)"
    assert re.fullmatch(r"  trades +1,254  round trips opened", out[2])
    assert out[3].endswith("share of paths whose wealth hit the ruin threshold")


def test_sweep_table_readings_and_machine_formats(prices, capsys):
    argv = ["sweep", "--prices", str(prices), "--fast", "5,10", "--slow", "20,40", "--quiet"]
    assert main([*argv, "--pbo-splits", "4"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["fast", "slow", "sharpe", "total_return", "max_drawdown"]
    assert "sharpe: annualized mean / std of bar returns (risk-free 0)" in out
    assert re.search(r"^Deflated Sharpe \d\.\d\d: the best of 4 trials", out, flags=re.M)
    assert re.search(r"^PBO \d\.\d\d: the in-sample winner", out, flags=re.M)
    assert main([*argv, "--pbo-splits", "4", "--format", "json"]) == 0
    captured = capsys.readouterr()
    table = json.loads(captured.out)  # the whole stdout is one JSON document
    assert table["columns"] == ["sharpe", "total_return", "max_drawdown"]
    assert "deflated Sharpe" in captured.err


def test_demo_table_is_formatted(capsys):
    assert main(["demo", "--bars", "300", "--assets", "3", "--top", "3"]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("fast slow"))
    assert header.split() == ["fast", "slow", "total_return", "sharpe", "max_drawdown"]
    assert "max_drawdown: largest fall of equity from a previous peak" in out
    rows = out.split(header)[1].splitlines()[1:4]
    assert all(re.fullmatch(r"\d+ \d+ +-?[\d.]+% +-?[\d.]+ +-?[\d.]+%", r) for r in rows), rows
