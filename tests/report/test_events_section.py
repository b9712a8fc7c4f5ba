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
    with pytest.raises(ParameterError, match=r"needs a source .* an events dict or a risk dict"):
        ql.report.tearsheet(None)


# ----------------------------------------------------------------------------- event study

WINDOW = (-5, 20)
LAG_TITLE = "Abnormal return lost to the disclosure lag"


@pytest.fixture(scope="module")
def study():
    rng = np.random.default_rng(3)
    idx = pd.bdate_range("2021-01-01", periods=300)
    prices = pd.DataFrame(
        100 * np.exp(np.cumsum(rng.normal(0, 0.01, (300, 4)), axis=0)),
        index=idx,
        columns=list("ABCD"),
    )
    events = pd.DataFrame(
        {
            "symbol": [*"ABCDABCD", "ZZZ"],
            "side": [1, 1, -1, -1, 1, -1, 1, -1, 1],
            "transaction_date": idx[[140, 150, 160, 170, 230, 240, 250, 255, 200]],
            "available_at": idx[[150, 160, 170, 180, 240, 250, 260, 265, 210]],
        }
    )
    es = ql.events.event_study(events, prices, estimation=100, window=WINDOW, group_by="side")
    lc = ql.events.lag_cost(events, prices, 0, 10, estimation=100, window=WINDOW)
    return es, lc


def test_event_study_section_shows_caar_tests_groups_and_dropped_events(study):
    from scipy import stats

    es, lc = study
    ts = ql.report.tearsheet(None, events={"study": es, "lag": lc})
    assert ts.sections == ["Event study", "Abnormal return lost to the disclosure lag"]
    body = section_html(ts.html, "Event study")
    assert body.count("<img") == 1  # CAAR with band over the per-group panel
    # the post-event window [0, 20]; CAR summed by hand from the abnormal returns
    car = es.ar.loc[:, 0:20].sum(axis=1)
    assert f"CAAR over days [0, 20]: {100 * car.mean():,.2f}% across 8 events" in body
    t = stats.ttest_1samp(car, 0.0)
    row = body[body.index("<th>cross-sectional t</th>") :]
    assert row.startswith(f"<th>cross-sectional t</th><td>{t.statistic:,.2f}</td>")
    assert f"<td>{t.pvalue:,.3f}</td>" in row[:120]
    for name in ("Patell Z", "Corrado rank", "generalized sign", "bootstrap of the CAAR"):
        assert f"<th>{name}</th>" in body
    for side in (-1, 1):
        g = car[es.events["side"] == side]
        assert f"<th>{side}</th><td>4</td><td>{100 * g.mean():,.2f}%</td>" in body
    assert "<th>events given</th><td>9</td>" in body
    assert "<th>events used</th><td>8</td>" in body
    assert "<th>dropped: symbol not in prices</th><td>1</td>" in body
    assert "ZZZ (1)" in body


def test_event_study_lag_section_matches_both_clocks(study):
    es, lc = study
    body = section_html(ql.report.tearsheet(None, events={"lag": lc}).html, LAG_TITLE)
    tx, ds = lc.transaction.ar.loc[:, 0:10].sum(axis=1), lc.disclosure.ar.loc[:, 0:10].sum(axis=1)
    for clock, car in (("transaction", tx), ("disclosure", ds), ("lag_cost", tx - ds)):
        assert f"<th>{clock}</th><td>8</td><td>{100 * car.mean():,.2f}%</td>" in body


def test_events_dict_rejects_unknown_keys_and_wrong_results(study, research):
    es, lc = study
    _, copy_lag = research
    allowed = r"\['leaderboard', 'lag_cost', 'study', 'lag'\]"
    with pytest.raises(
        ParameterError, match=rf"events has unknown keys \['caar'\]; the tearsheet reads {allowed}"
    ):
        ql.report.tearsheet(None, events={"study": es, "caar": es.caar()})
    with pytest.raises(DataTypeError, match=r"events\['study'\] must be an EventStudy .*DataFrame"):
        ql.report.tearsheet(None, events={"study": es.ar})
    with pytest.raises(
        DataTypeError, match=r"events\['lag'\] must be a LagCost .* under 'lag_cost'"
    ):
        ql.report.tearsheet(None, events={"lag": copy_lag})
