"""Bad input: clear one-line errors (pinned), and the documented rules for events that cannot
be studied (reported with reasons and counts, never silently dropped)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quantlab as ql
from quantlab.errors import DataTypeError, ParameterError, ValidationError
from tests.events._disclosures import panel

ES = ql.events.event_study


@pytest.fixture(scope="module")
def prices():
    return panel(np.random.default_rng(4), 400, 4)[0]


def _events(prices, bars, symbols, filers=None):
    table = pd.DataFrame({"symbol": symbols, "available_at": prices.index[np.asarray(bars)]})
    if filers is not None:
        table["filer"] = filers
    return table


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"clock": "filing"},
            r"clock must be one of \['disclosure', 'transaction'\]; got 'filing'",
        ),
        ({"model": "capm"}, r"model must be one of .*'market_adjusted'.*; got 'capm'"),
        ({"window": (5, -5)}, r"window must be a pair of ints \(a, b\) with a <= b.*got \(5, -5\)"),
        ({"window": (0.5, 3)}, r"window must be a pair of ints"),
        ({"estimation": 2}, r"estimation must be an int >= 3 \(trading days\); got 2"),
        ({"gap": -1}, r"gap must be an int >= 0 \(trading days\); got -1"),
        (
            {"min_estimation": 300, "estimation": 100},
            r"min_estimation must be <= estimation \(100\); got 300",
        ),
        ({"min_estimation": 2}, r"min_estimation must be an int >= 5"),
        ({"overlap": "merge"}, r"overlap must be one of \['drop', 'keep'\]; got 'merge'"),
        ({"model": "factor"}, r"model='factor' needs factors= a DataFrame of factor returns"),
        ({"factors": pd.DataFrame({"f": [0.0]})}, r"factors= is used only by model='factor'"),
        ({"market": "SPY"}, r"market='SPY' is not a column of prices"),
        ({"market": 3.0}, r"market must be None, a column name of prices or a pandas Series"),
    ],
)
def test_parameter_errors(prices, kwargs, match):
    events = _events(prices, [300], ["S000"])
    with pytest.raises((ParameterError, ValidationError, DataTypeError), match=match):
        ES(events, prices, **kwargs)


def test_market_given_as_prices_is_refused(prices):
    events = _events(prices, [300], ["S000"])
    with pytest.raises(
        ValidationError, match=r"market must hold returns, but it looks like prices"
    ):
        ES(events, prices, market=prices["S001"])
    elsewhere = pd.Series(0.01, index=pd.bdate_range("1990-01-01", periods=50))
    with pytest.raises(ValidationError, match=r"market shares no date with the price panel"):
        ES(events, prices, market=elsewhere)


def test_event_table_errors(prices):
    with pytest.raises(DataTypeError, match=r"events must be a pandas DataFrame .*got list"):
        ES([("S000", "2020-01-01")], prices)
    no_date = pd.DataFrame({"symbol": ["S000"]})
    with pytest.raises(ValidationError, match=r"events lacks the column\(s\) \['available_at'\]"):
        ES(no_date, prices)
    with pytest.raises(ValidationError, match=r"lacks the column\(s\) \['transaction_date'\]"):
        ES(_events(prices, [300], ["S000"]), prices, clock="transaction")
    bad = pd.DataFrame({"symbol": ["S000"], "available_at": ["not a date"]})
    with pytest.raises(DataTypeError, match=r"events\['available_at'\] must hold dates"):
        ES(bad, prices)
    aware = _events(prices, [300], ["S000"])
    aware["available_at"] = aware["available_at"].dt.tz_localize("UTC")
    with pytest.raises(
        ValidationError, match=r"timezone-aware \(UTC\) but the price index is naive"
    ):
        ES(aware, prices)


def test_price_errors(prices):
    events = _events(prices, [300], ["S000"])
    bad = prices.copy()
    bad.iloc[10, 2] = -1.0
    positive = r"prices must be strictly positive; got .*-1.0.* at row 2015-01-15, column 'S002'"
    with pytest.raises(ValidationError, match=positive):
        ES(events, bad)
    bad.iloc[10, 2] = np.inf
    with pytest.raises(ValidationError, match=r"prices holds infinite values"):
        ES(events, bad)
    with pytest.raises(DataTypeError, match=r"prices must have a DatetimeIndex"):
        ES(events, prices.reset_index(drop=True))


def test_study_method_errors(prices):
    study = ES(_events(prices, [300, 320], ["S000", "S001"]), prices, window=(-5, 10))
    with pytest.raises(
        ParameterError,
        match=r"\(a, b\) must lie inside the study's window \(-5, 10\); got \(0, 20\)",
    ):
        study.car(0, 20)
    with pytest.raises(ParameterError, match=r"group must name a column of the events"):
        study.by()
    with pytest.raises(ParameterError, match=r"group 'chamber' is not a column of the events"):
        study.by("chamber")
    with pytest.raises(ValidationError, match=r"group 'lag_bucket' needs a lag_days column"):
        study.by("lag_bucket")
    with pytest.raises(ValidationError, match=r"group array has 3 values but the study has 2"):
        study.by(np.array([1, 2, 3]))
    with pytest.raises(ParameterError, match=r"level must be in \(0, 1\); got 95"):
        study.caar(level=95)
    with pytest.raises(ParameterError, match=r"lag_cost runs both clocks; do not pass clock="):
        ql.events.lag_cost(_events(prices, [300], ["S000"]), prices, clock="transaction")


def test_every_unusable_event_is_reported_with_its_reason(prices):
    p = prices.copy()
    p.iloc[100:290, 3] = np.nan  # S003 has almost no estimation history before bar 300
    p.iloc[330:360, 2] = np.nan  # S002 has no price in the event window of bar 335
    bars = [300, 300, 5, 395, 300, 302, 350, 335, 300, 200]
    symbols = ["S000", "XYZ", "S000", "S001", "S003", "S000", "S000", "S002", "ABC", "S001"]
    filers = ["a", "a", "a", "a", "a", "a", "a", "a", "b", "c"]
    events = _events(p, bars, symbols, filers)
    events.loc[9, "available_at"] = pd.NaT
    events.loc[8, "symbol"] = "XYZ"
    study = ES(events, p, estimation=120, gap=5, window=(-5, 20))
    rep = study.report
    assert rep.counts == {
        "missing_date": 1,
        "symbol_not_in_prices": 2,
        "window_before_history": 0,
        "window_beyond_history": 1,
        "overlap": 1,  # bar 302 is inside the window of the kept bar-300 event of filer a
        "short_estimation": 2,  # bar 5 (history starts at bar 0) and S003
        "singular_estimation": 0,
        "no_returns_in_window": 1,
    }
    assert rep.rows.loc[[1, 8], "reason"].tolist() == ["symbol_not_in_prices"] * 2
    assert rep.missing_symbols.to_dict() == {"XYZ": 2}
    assert rep.rows.loc[5, "reason"] == "overlap"
    assert rep.rows.loc[7, "reason"] == "no_returns_in_window"
    assert sorted(study.events.index) == [0, 6]
    assert rep.n_used == 2 and rep.n_events == 10
    text = str(rep)
    assert "2 of 10 events used" in text and "symbols not in prices (1): XYZ" in text
    # a window that starts before the first bar
    early = ES(_events(p, [2], ["S000"]), p, estimation=10, gap=0, window=(-5, 5), min_estimation=5)
    assert early.report.counts["window_before_history"] == 1
    # overlap="keep" keeps the second event of filer a
    kept = ES(events, p, estimation=120, gap=5, window=(-5, 20), overlap="keep")
    assert 5 in kept.events.index


def test_nan_prices_inside_windows_are_counted(prices):
    p = prices.copy()
    p.iloc[303:306, 0] = np.nan  # 3 bars of the event window of the bar-300 event
    p.iloc[250, 0] = np.nan  # one estimation bar (and the next bar's return) lost
    study = ES(_events(p, [300, 300], ["S000", "S001"]), p, estimation=100, gap=5, window=(-5, 20))
    assert study.report.n_nan_events == 1
    assert study.report.n_nan_bars == 3
    assert study.params.loc[0, "n_est"] == 100 - 1  # bar 250's return is NaN
    assert study.ar.loc[0, 3:5].isna().all()
    # the move across the gap lands on the next valid bar (bar 306, from bar 302's price)
    rets = p.ffill().pct_change(fill_method=None).where(p.notna())
    market = rets.mean(axis=1)
    alpha, beta = study.params.loc[0, ["alpha", "beta_market"]]
    expected = p.iloc[306, 0] / p.iloc[302, 0] - 1 - alpha - beta * market.iloc[306]
    assert study.ar.loc[0, 6] == pytest.approx(expected, rel=1e-9)
