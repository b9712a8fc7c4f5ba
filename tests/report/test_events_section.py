"""The tearsheet's copy-trade sections: the leaderboard table and the cost of the lag."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quantlab as ql
from quantlab.errors import DataTypeError, ParameterError
from tests.events._tables import random_prices, random_table


@pytest.fixture(scope="module")
def research():
    rng = np.random.default_rng(11)
    close, open_ = random_prices(rng, 250, ["AAA", "BBB", "CCC"])
    table = random_table(
        rng, 80, ["ann", "bob", "cy"], ["AAA", "BBB", "CCC"], "2020-01-01", "2020-11-01"
    )
    board = ql.events.leaderboard(table, close, open=open_, hold=10)
    lag = ql.events.copy_trade_lag_cost(table, close, open=open_, hold=10)
    return board, lag


def section_html(page, title):
    start = page.index(f"<h2>{title}</h2>")
    return page[start : page.index("</section>", start)]


def test_events_sections_show_the_leaderboard_and_the_lag(research):
    board, lag = research
    ts = ql.report.tearsheet(None, events={"leaderboard": board, "lag_cost": lag})
    assert ts.sections == ["Copy-trade leaderboard", "Cost of the disclosure lag"]
    body = section_html(ts.html, "Copy-trade leaderboard")
    for filer in board.table.index:
        assert f"<th>{filer}</th>" in body
    top = board.table.iloc[0]
    assert f"<td>{top['q_value']:.3f}</td>" in body
    assert f"{board.n_trials:,} tested" in body
    lag_body = section_html(ts.html, "Cost of the disclosure lag")
    cost = lag.table.loc["total_return", "cost"]
    assert f"<td>{100 * cost:,.2f}%</td>" in lag_body


def test_events_section_next_to_a_backtest_and_bad_input(research):
    board, _ = research
    r = pd.Series(
        np.random.default_rng(0).normal(0, 0.01, 300),
        index=pd.bdate_range("2020-01-01", periods=300),
    )
    ts = ql.report.tearsheet(r, events={"leaderboard": board.table})
    assert ts.sections[-1] == "Copy-trade leaderboard"
    with pytest.raises(DataTypeError, match=r"events\['leaderboard'\] lacks the column\(s\)"):
        ql.report.tearsheet(r, events={"leaderboard": pd.DataFrame({"x": [1.0]})})
    with pytest.raises(DataTypeError, match=r"events must be a dict; got list"):
        ql.report.tearsheet(r, events=[board])
    with pytest.raises(ParameterError, match=r"tearsheet needs a source .* or an events dict"):
        ql.report.tearsheet(None)
