"""Factor tear sheet and strategy comparison pages: content, escaping, headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quantlab.errors import DataTypeError, ParameterError
from quantlab.factors import analyze
from quantlab.report import comparison_tearsheet, factor_tearsheet
from tests.report.test_browser import CHROMIUM_ARGS, IMAGES_JS, chromium_path


@pytest.fixture(scope="module")
def close() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    idx = pd.bdate_range("2022-01-03", periods=180)
    return pd.DataFrame(
        30 * np.exp(rng.normal(0, 0.015, (180, 24)).cumsum(0)),
        index=idx,
        columns=[f"T{i:02d}" for i in range(24)],
    )


@pytest.fixture(scope="module")
def pair(close):
    groups = {s: ("<b>tech</b>", "energy")[i % 2] for i, s in enumerate(close.columns)}
    mom = analyze(close.pct_change(10), close, horizons=(1, 5), groups=groups, name="mom<script>")
    rev = analyze(-close.pct_change(3), close, horizons=(1, 5), name="reversal")
    return mom, rev


@pytest.fixture(scope="module")
def sheet(pair):
    return factor_tearsheet(list(pair), title="two factors")


def test_single_factor_sections_and_tables(pair):
    ts = factor_tearsheet(pair[1])
    assert ts.sections == [
        "Summary",
        "Returns by quantile",
        "Information coefficient",
        "Turnover",
        "Data kept",
    ]
    # the summary table shows the analysis' own figures
    ic = pair[1].ic_summary.loc[1, "mean"]
    assert f"{ic:,.3f}" in ts.html
    assert ts.html.count("<img ") == 5


def test_comparison_has_one_table_and_overlaid_curves(sheet, pair):
    assert sheet.sections[0] == "Comparison"
    first = sheet.html.split('id="sec-mom-script-summary"')[0]
    comparison = first.split('id="sec-comparison"')[1]
    assert comparison.count("<table") == 1
    assert comparison.count("<img ") == 2  # overlaid long-short curves, IC decay lines
    assert "<th>reversal</th>" in comparison
    # every text is escaped: the factor and group names carrying markup stay text
    assert "<script>" not in sheet.html and "mom&lt;script&gt;" in sheet.html
    assert "&lt;b&gt;tech&lt;/b&gt;" in sheet.html


def test_bad_input(pair):
    with pytest.raises(DataTypeError, match="analyses must be a FactorAnalysis"):
        factor_tearsheet([pair[0], "x"])
    with pytest.raises(ParameterError, match="at least two strategies"):
        comparison_tearsheet(pd.DataFrame({"a": [0.01, 0.02]}))


def test_strategy_comparison_table_equals_metrics_summary(pair):
    rets = {a.name: a.portfolio_returns(1)["long_short"] for a in pair}
    ts = comparison_tearsheet(rets)
    assert ts.sections == ["Metrics", "Equity curves", "Drawdowns"]
    import quantlab.metrics as qm

    sharpe = qm.sharpe(pd.concat(rets, axis=1))
    row = re.search(r"<th>sharpe</th>(.*?)</tr>", ts.html).group(1)
    cells = re.findall(r"<td>([^<]*)</td>", row)
    assert cells == [f"{v:,.4f}" for v in sharpe.to_numpy()]


def test_factor_sheet_renders_in_headless_chromium(sheet, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    page_file = sheet.save(tmp_path / "factors.html")
    errors: list[str] = []
    foreign: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1120, "height": 900})
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on(
                "request",
                lambda req: (
                    None if req.url.startswith(("file:", "data:")) else foreign.append(req.url)
                ),
            )
            page.goto(page_file.as_uri(), wait_until="load", timeout=30_000)
            images = page.evaluate(IMAGES_JS)
            headings = page.eval_on_selector_all("h2", "els => els.map(e => e.textContent)")
        finally:
            browser.close()
    assert errors == [] and foreign == []
    assert headings == sheet.sections
    assert len(images) == sheet.html.count("<img ") == 12
    assert all(im["complete"] and im["width"] > 0 and im["height"] > 100 for im in images)


@pytest.mark.parametrize("module", ["quantlab.report.factor_sheet"])
def test_docstring_examples_run(module: str) -> None:
    import doctest

    mod = __import__(module, fromlist=["_"])
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
