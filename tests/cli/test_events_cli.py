"""``quantlab events study`` / ``quantlab events leaderboard`` on files.

The figures are checked against the library called directly on the same inputs (the
CLI is a thin reader + printer), and the files' problems against the one-line messages.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import quantlab as ql
from quantlab.cli import main
from quantlab.data import read_disclosures

FIXTURES = Path(__file__).parents[1] / "data" / "fixtures" / "disclosures"


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    u = ql.data.sample_universe(n_assets=30, n_days=900, seed=3)
    d = tmp_path_factory.mktemp("events_cli")
    prices = d / "prices.csv"
    u.close.rename_axis("date").to_csv(prices)
    table = u.events.copy()
    table["side"] = np.where(table["side"] > 0, "purchase", "sale")
    disclosures = d / "disclosures.csv"
    table.drop(columns=["available_at", "lag_days", "amount_mid"]).to_csv(disclosures, index=False)
    return {"prices": prices, "disclosures": disclosures}


def test_study_equals_the_library(files: dict[str, Path]) -> None:
    code, out, err = _run(
        [
            "events", "study", "--disclosures", str(files["disclosures"]),
            "--prices", str(files["prices"]), "--window=-5,20", "--car", "1,10",
            "--estimation", "120", "--format", "json",
        ]
    )  # fmt: skip
    assert code == 0, err
    assert "event study:" in err and "events used" in err
    got = pd.read_json(io.StringIO(out), orient="split")
    table, _ = read_disclosures(files["disclosures"])
    close = ql.data.load_ohlcv(files["prices"])["close"]
    study = ql.events.event_study(table, close, estimation=120, window=(-5, 20))
    want = study.tests(1, 10).set_index("statistic")
    assert list(got.index) == list(want.index)
    np.testing.assert_allclose(
        got["value"], want["value"], rtol=1e-9, atol=1e-9, equal_nan=True
    )  # json keeps 10 decimals
    np.testing.assert_allclose(got["caar"], want["caar"], rtol=1e-9, atol=1e-9)


def test_study_by_group_and_both_clocks(files: dict[str, Path]) -> None:
    base = ["events", "study", "--disclosures", str(files["disclosures"])]
    base += ["--prices", str(files["prices"]), "--estimation", "120", "--format", "csv"]
    code, out, err = _run([*base, "--by", "side"])
    assert code == 0, err
    grouped = pd.read_csv(io.StringIO(out))
    assert set(grouped["side"]) == {-1, 1}
    code, out, err = _run([*base, "--clock", "both", "--car", "0,10"])
    assert code == 0, err
    lag = pd.read_csv(io.StringIO(out), index_col=0)
    assert list(lag.index) == ["transaction", "disclosure", "lag_cost"]


def test_leaderboard_equals_the_library(files: dict[str, Path]) -> None:
    code, out, err = _run(
        [
            "events", "leaderboard", "--disclosures", str(files["disclosures"]),
            "--prices", str(files["prices"]), "--hold", "10", "--fees", "0.001",
            "--top", "5", "--format", "json",
        ]
    )  # fmt: skip
    assert code == 0, err
    assert "filer strategies tested" in err
    got = pd.read_json(io.StringIO(out), orient="split")
    table, _ = read_disclosures(files["disclosures"])
    close = ql.data.load_ohlcv(files["prices"])["close"]
    want = ql.events.leaderboard(table, close, hold=10, fees=0.001).table.head(5)
    assert [str(i) for i in got.index] == [str(i) for i in want.index]
    np.testing.assert_allclose(got["sharpe"], want["sharpe"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(got["q_value"], want["q_value"], rtol=1e-9, atol=1e-9)


def test_house_watcher_file_reports_what_it_left_out(tmp_path: Path) -> None:
    raw = json.loads((FIXTURES / "house_watcher.json").read_text())
    _, report = read_disclosures(FIXTURES / "house_watcher.json")
    table, _ = read_disclosures(FIXTURES / "house_watcher.json")
    # prices for all but one of the disclosed symbols: the missing one is reported
    symbols = sorted(set(table["symbol"]))
    idx = pd.bdate_range(table["transaction_date"].min() - pd.Timedelta(days=500), periods=900)
    rng = np.random.default_rng(0)
    close = pd.DataFrame(
        100 * np.exp(np.cumsum(rng.normal(0, 0.01, (len(idx), len(symbols) - 1)), axis=0)),
        index=idx.rename("date"),
        columns=symbols[1:],
    )
    prices = tmp_path / "prices.csv"
    close.to_csv(prices)
    code, out, err = _run(
        [
            "events", "study", "--disclosures", str(FIXTURES / "house_watcher.json"),
            "--prices", str(prices), "--estimation", "100",
        ]
    )  # fmt: skip
    assert code == 0, err
    assert f"{report.n_kept} kept" in err or str(report.n_kept) in err
    assert len(raw) == report.n_read
    assert "disclosed symbol(s) have no prices" in err and symbols[0] in err


def test_bad_window_and_missing_file_are_one_line(files: dict[str, Path]) -> None:
    base = ["events", "study", "--disclosures", str(files["disclosures"])]
    code, _, err = _run([*base, "--prices", str(files["prices"]), "--window", "10"])
    assert code == 1
    assert err.count("\n") == 1 and "--window must be two integers" in err
    code, _, err = _run([*base, "--prices", str(files["prices"]), "--car", "9,2"])
    assert code == 1 and "--car must have a <= b" in err
    code, _, err = _run(
        ["events", "leaderboard", "--disclosures", "nope.json", "--prices", str(files["prices"])]
    )
    assert code == 1 and err.count("\n") == 1 and "nope.json" in err
    code, _, err = _run(
        [
            "events", "leaderboard", "--disclosures", str(files["disclosures"]),
            "--prices", str(files["prices"]), "--benchmark", "SPY",
        ]
    )  # fmt: skip
    assert code == 1 and "--benchmark 'SPY' is not a column" in err


def test_benchmark_with_missing_prices_is_refused(files: dict[str, Path], tmp_path: Path) -> None:
    close = pd.read_csv(files["prices"], index_col=0, parse_dates=True)
    symbol = close.columns[0]
    close.iloc[5:8, 0] = np.nan  # a gap inside the history: its returns would be unknown
    prices = tmp_path / "gappy.csv"
    close.to_csv(prices)
    code, _, err = _run(
        [
            "events", "leaderboard", "--disclosures", str(files["disclosures"]),
            "--prices", str(prices), "--benchmark", symbol,
        ]
    )  # fmt: skip
    assert code == 1
    assert f"--benchmark '{symbol}' has 3 bar(s) without a price in {prices} (first: " in err
