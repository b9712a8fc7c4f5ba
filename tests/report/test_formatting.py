"""Formatted figures with their definitions (issue 13, item 11): counts as integers,
percentages as percentages, ratios to 2 decimals, no raw scientific floats, and a short
definition beside each figure of the report's metric tables."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from quantlab.report import html as H
from quantlab.report.glossary import FIGURES, fmt
from tests.report.test_tearsheet import section_html

SCIENTIFIC = re.compile(r"\d[eE][+-]?\d")


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (1254.0, "int", "1,254"),
        (0.1234, "pct", "12.34%"),
        (-0.2494, "pct", "-24.94%"),
        (5e-05, "pct", "0.0050%"),
        (1.3657, "ratio", "1.37"),
        (5.02522e-05, "num", "0.00005025"),
        (12.3456, "num", "12.35"),
        (1234567.8, "num", "1,234,568"),
        (0.0, "num", "0"),
        (np.nan, "pct", "n/a"),
        (np.inf, "ratio", "inf"),
    ],
)
def test_fmt_rules(value, kind, text):
    assert fmt(value, kind) == text


@given(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).filter(
        lambda v: abs(v) > 1e-9 or v == 0
    )
)
def test_no_scientific_notation_and_value_kept(v):
    for kind in ("pct", "int", "ratio", "num"):
        assert not SCIENTIFIC.search(fmt(v, kind))
    # 4 significant digits: the printed amount is within half a unit of the 4th digit
    shown = float(fmt(v, "num").replace(",", ""))
    assert shown == pytest.approx(v, rel=5e-4, abs=0.0)


def test_fmt_value_counts_and_small_floats():
    assert H.fmt_value(1254.0) == "1,254"  # a count stored as float
    assert H.fmt_value(5.02522e-05) == "0.00005025"
    assert H.fmt_value(0.0153) == "0.0153"
    assert H.fmt_value(np.int64(31)) == "31"


def test_kv_table_definition_column():
    out = H.kv_table([("Kelly fraction", "12.00%", "stake <b>")], header=("stat", "value"))
    assert "<th>definition</th>" in out
    assert '<td class="def">stake &lt;b&gt;</td>' in out


def test_trade_table_defines_expectancy_profit_factor_and_kelly(full_tearsheet):
    sec = section_html(full_tearsheet.html, "Trade statistics")
    for key, label in (
        ("expectancy", "Expectancy (PnL per trade)"),
        ("profit_factor", "Profit factor"),
        ("kelly", "Kelly fraction"),
    ):
        row = re.search(
            rf"<th>{re.escape(label)}</th><td>[^<]*</td><td class=\"def\">([^<]*)</td>", sec
        )
        assert row is not None, label
        assert row.group(1) == H.esc(FIGURES[key].definition)
    assert "win rate - (1 - win rate) / payoff ratio" in sec


def test_headline_and_monte_carlo_tables_have_definitions(full_tearsheet):
    head = section_html(full_tearsheet.html, "Headline metrics")
    assert "<th>definition</th>" in head
    assert f'<td class="def">{H.esc(FIGURES["sharpe"].definition)}</td>' in head
    mc = section_html(full_tearsheet.html, "Monte Carlo")
    assert f'<td class="def">{H.esc(FIGURES["terminal_wealth"].definition)}</td>' in mc
    for page_text in (head, mc):
        assert not SCIENTIFIC.search(re.sub(r"data:image/png;base64,[^\"]+", "", page_text))


def test_out_of_sample_ic_counts_are_integers():
    from quantlab.report.sections import model_sections

    body = dict(
        model_sections(
            {
                "oos_ic": {
                    "rank IC n_dates": 1254.0,
                    "rank IC hit_rate": 0.5625,
                    "rank IC mean": 5.02522e-05,
                }
            }
        )
    )["Out-of-sample IC"]
    assert "<th>rank IC n_dates</th><td>1,254</td>" in body
    assert "<th>rank IC hit_rate</th><td>56.25%</td>" in body
    assert "<th>rank IC mean</th><td>0.00005025</td>" in body
    assert "1,254.0000" not in body and "e-05" not in body
