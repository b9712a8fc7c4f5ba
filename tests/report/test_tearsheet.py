"""The HTML tearsheet: sections present, numbers equal to quantlab.metrics, self-contained,
escaped, and no matplotlib at import."""

from __future__ import annotations

import doctest
import math
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import quantlab as ql
from quantlab.errors import AlignmentError, DataTypeError, ParameterError
from quantlab.metrics.inference import pbo as compute_pbo
from quantlab.report import Tearsheet, dsr_reading, pbo_reading, tearsheet

BACKTEST_SECTIONS = [
    "Headline metrics",
    "Equity curve",
    "Drawdowns",
    "Monthly returns",
    "Rolling Sharpe and volatility",
    "Trade statistics",
]
MODEL_SECTIONS = ["Model parameters", "Feature importances", "IC by fold", "Out-of-sample IC"]
# equity, underwater, rolling, trade returns, MC fan, MC terminal wealth, sweep heat map,
# feature importances, IC by fold
FULL_IMAGES = 9


def section_html(page: str, title: str) -> str:
    """The HTML of one section (from its <h2> to the end of its <section>)."""
    start = page.index(f"<h2>{title}</h2>")
    return page[start : page.index("</section>", start)]


def cell(text: str) -> str:
    return f"<td>{text}</td>"


# --------------------------------------------------------------------------- contents


def test_full_backtest_has_every_section(full_tearsheet: Tearsheet) -> None:
    expected = [*BACKTEST_SECTIONS, "Monte Carlo", "Deflated Sharpe and PBO", *MODEL_SECTIONS]
    assert full_tearsheet.sections == expected
    for title in expected:
        assert f"<h2>{title}</h2>" in full_tearsheet.html
        assert f'href="#{ql.report.html.slug(title)}"' in full_tearsheet.html
    assert full_tearsheet.html.count("<img ") == FULL_IMAGES


def test_headline_numbers_equal_quantlab_metrics(full_tearsheet, backtest, bench) -> None:
    r = backtest.returns["A0"]
    head = section_html(full_tearsheet.html, "Headline metrics")
    assert "<th>A0</th>" in head and "<th>equal weight</th>" in head
    assert cell(f"{ql.metrics.sharpe(r):.2f}") in head
    assert cell(f"{ql.metrics.sharpe(bench):.2f}") in head
    assert cell(f"{100 * ql.metrics.max_drawdown(r):.2f}%") in head
    assert cell(f"{100 * ql.metrics.total_return(r):.2f}%") in head
    assert cell(f"{ql.metrics.beta(r, bench):.2f}") in head
    # Headline Sharpe is also the backtest's own stats()
    assert math.isclose(backtest.stats().loc["sharpe", "A0"], ql.metrics.sharpe(r))


def test_trade_statistics_match_the_trades(full_tearsheet, backtest) -> None:
    trades = backtest.trades
    closed = trades[(trades["column"] == "A0") & (trades["status"] == "closed")]
    sec = section_html(full_tearsheet.html, "Trade statistics")
    assert "<th>Closed trades</th>" + cell(f"{len(closed):,}") in sec
    win_rate = (closed["pnl"] > 0).mean()
    assert "<th>Win rate</th>" + cell(f"{100 * win_rate:.2f}%") in sec
    assert "<th>Best trade</th>" + cell(f"{100 * closed['return'].max():.2f}%") in sec


def test_monthly_grid_matches_monthly_returns(full_tearsheet, backtest) -> None:
    monthly = ql.metrics.monthly_returns(backtest.returns["A0"])
    sec = section_html(full_tearsheet.html, "Monthly returns")
    for value in monthly.iloc[[0, 5, -1]]:
        assert f">{100 * value:.1f}%</td>" in sec
    assert sec.count("<tr>") == 1 + len(monthly.index.year.unique())


def test_overfitting_section_uses_the_sweep(full_tearsheet, sweep) -> None:
    sec = section_html(full_tearsheet.html, "Deflated Sharpe and PBO")
    dsr = sweep.deflated_sharpe
    assert f"Deflated Sharpe {dsr:.2f}: the best of {sweep.n_combinations} trials" in sec
    assert f"PBO {sweep.pbo().pbo:.2f}: " in sec
    best = ", ".join(f"{k}={v}" for k, v in sweep.best.items())
    assert cell(best) in sec
    assert sec.count("<img ") == 1  # the heat map


def test_monte_carlo_section(full_tearsheet, simulation) -> None:
    sec = section_html(full_tearsheet.html, "Monte Carlo")
    assert sec.count("<img ") == 2
    median = float(np.median(simulation.terminal_wealth))
    assert f"the median path ends at {median:,.2f}" in sec
    assert cell(f"{100 * simulation.prob_goal():.2f}%") in sec


def test_model_sections(full_tearsheet, model_run) -> None:
    fi = section_html(full_tearsheet.html, "Feature importances")
    assert "<th>mom_20</th>" in fi
    ic = section_html(full_tearsheet.html, "IC by fold")
    assert cell(f"{model_run['ic_by_fold']['ic'].mean():.4f}") in ic
    oos = section_html(full_tearsheet.html, "Out-of-sample IC")
    assert "<th>t_stat</th>" + cell("2.37") in oos
    params = section_html(full_tearsheet.html, "Model parameters")
    assert "<th>num_leaves</th>" + cell("31") in params


def test_model_only_report(model_run) -> None:
    ts = tearsheet(None, model=model_run, title="model")
    assert ts.sections == MODEL_SECTIONS
    assert ts.html.count("<img ") == 2


def test_returns_series_source(backtest, bench) -> None:
    r = backtest.returns["A1"].rename("my strategy")
    ts = tearsheet(r, benchmark=bench)
    assert ts.sections == BACKTEST_SECTIONS[:-1]  # no trades from returns
    head = section_html(ts.html, "Headline metrics")
    assert "<th>my strategy</th>" in head
    assert cell(f"{ql.metrics.sharpe(r):.2f}") in head
    assert ts.html.count("<img ") == 3


def test_column_selection(backtest) -> None:
    ts = tearsheet(backtest, column="A1")
    head = section_html(ts.html, "Headline metrics")
    assert "<th>A1</th>" in head
    assert cell(f"{ql.metrics.sharpe(backtest.returns['A1']):.2f}") in head
    frame_ts = tearsheet(backtest.returns, column="A1")
    assert section_html(frame_ts.html, "Headline metrics") == head


def test_range_index_needs_periods_per_year() -> None:
    r = pd.Series(np.random.default_rng(2).normal(0.001, 0.01, 300))
    with pytest.raises(ParameterError, match="periods_per_year"):
        tearsheet(r)
    ts = tearsheet(r, periods_per_year=252)
    assert "Monthly returns" not in ts.sections
    head = section_html(ts.html, "Headline metrics")
    assert cell(f"{ql.metrics.sharpe(r, periods_per_year=252):.2f}") in head


def test_direct_deflated_sharpe_and_pbo(backtest) -> None:
    noise = np.random.default_rng(0).normal(0.0, 0.01, size=(400, 12))
    res = compute_pbo(noise, n_splits=8)
    ts = tearsheet(backtest, deflated_sharpe=0.97, pbo=res)
    sec = section_html(ts.html, "Deflated Sharpe and PBO")
    assert "Deflated Sharpe 0.97: the selected strategy is unlikely to be luck" in sec
    assert f"PBO {res.pbo:.2f}: " in sec
    assert "<img " not in sec


# --------------------------------------------------------------------------- readings


@pytest.mark.parametrize(
    ("dsr", "tone", "phrase"),
    [
        (0.97, "good", "unlikely to be luck (> 0.95 is the usual bar)"),
        (0.95, "good", "unlikely to be luck"),
        (0.93, "warn", "more likely skill than luck, but not significant"),
        (0.2, "bad", "likely luck"),
        (float("nan"), "", "not available"),
    ],
)
def test_dsr_reading_thresholds(dsr: float, tone: str, phrase: str) -> None:
    text, got = dsr_reading(dsr, 100)
    assert got == tone and phrase in text
    if math.isfinite(dsr):
        assert text.startswith(f"Deflated Sharpe {dsr:.2f}: the best of 100 trials")


@pytest.mark.parametrize(
    ("value", "tone", "phrase"),
    [
        (0.05, "good", "little sign of overfitting"),
        (0.2, "warn", "in 20% of splits"),
        (0.5, "warn", "some overfitting"),
        (0.62, "bad", "more often than not underperforms out of sample: likely overfit."),
    ],
)
def test_pbo_reading_thresholds(value: float, tone: str, phrase: str) -> None:
    text, got = pbo_reading(value)
    assert got == tone and phrase in text
    assert text.startswith(f"PBO {value:.2f}: ")


# --------------------------------------------------------------------------- safety


def test_self_contained_no_external_references(full_tearsheet: Tearsheet) -> None:
    page = full_tearsheet.html
    without_images = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)
    assert "//" not in without_images  # no http://, https:// or protocol-relative URL
    refs = re.findall(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]*)""", page, flags=re.I)
    assert len(refs) == FULL_IMAGES + len(full_tearsheet.sections)
    assert all(ref.startswith(("data:", "#")) for ref in refs), refs
    assert "<script" not in page.lower() and "<link" not in page.lower()
    assert "url(" not in page and "@import" not in page


def test_text_is_escaped(backtest) -> None:
    evil = "<script>alert('x')</script>"
    bench = pd.Series(0.0, index=backtest.index, name="<b>bench</b>")
    model = {"params": {"<i>key</i>": '"><img src=x onerror=alert(1)>'}}
    ts = tearsheet(backtest.returns["A0"].rename(evil), title=evil, benchmark=bench, model=model)
    page = ts.html
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<title>&lt;script&gt;" in page and "<h1>&lt;script&gt;" in page
    assert "<b>bench</b>" not in page and "&lt;b&gt;bench&lt;/b&gt;" in page
    assert "<img src=x" not in page and "<i>key</i>" not in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_import_does_not_import_matplotlib() -> None:
    code = "import quantlab.report, sys; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# --------------------------------------------------------------------------- object


def test_save_and_notebook_repr(full_tearsheet: Tearsheet, tmp_path) -> None:
    out = full_tearsheet.save(tmp_path / "runs" / "tearsheet.html")
    assert out.is_absolute() and out.read_text(encoding="utf-8") == full_tearsheet.html
    assert full_tearsheet.html.startswith("<!DOCTYPE html>")
    frag = full_tearsheet._repr_html_()
    assert frag.startswith('<div class="qlts">') and "<html" not in frag
    assert frag in full_tearsheet.html
    assert "Crossover 10/30" in repr(full_tearsheet)


def test_bad_inputs(backtest, bench) -> None:
    with pytest.raises(DataTypeError, match="source must be"):
        tearsheet([0.01, 0.02])
    with pytest.raises(ParameterError, match="column='nope'"):
        tearsheet(backtest, column="nope")
    with pytest.raises(AlignmentError, match="benchmark misses 10"):
        tearsheet(backtest, benchmark=bench.iloc[10:])
    with pytest.raises(DataTypeError, match="montecarlo must be a SimulationResult"):
        tearsheet(backtest, montecarlo=object())
    with pytest.raises(DataTypeError, match="sweep must be a SweepResult"):
        tearsheet(backtest, sweep=object())
    with pytest.raises(ParameterError, match="unknown keys"):
        tearsheet(backtest, model={"feature_importance": pd.Series([1.0])})
    with pytest.raises(ParameterError, match="needs a source"):
        tearsheet(None)


@pytest.mark.parametrize(
    "module",
    ["quantlab.report", "quantlab.report.tearsheet", "quantlab.report.sections"],
)
def test_docstring_examples_run(module: str) -> None:
    mod = __import__(module, fromlist=["_"])
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
