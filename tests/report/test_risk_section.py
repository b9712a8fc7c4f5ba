"""The tearsheet's portfolio-risk sections (``risk=``), checked against numpy by hand."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import quantlab as ql
from quantlab.errors import AlignmentError, DataTypeError, ParameterError

ASSETS = ["A1", "B1", "A2", "B2", "C"]


@pytest.fixture(scope="module")
def inputs():
    rng = np.random.default_rng(5)
    n = 400
    a, b = rng.normal(0, 0.01, (2, n))
    noise = rng.normal(0, 0.004, (n, 5))
    data = np.column_stack([a, b, a, b, rng.normal(0, 0.012, n)]) + noise
    idx = pd.bdate_range("2021-01-01", periods=n)
    returns = pd.DataFrame(data, index=idx, columns=ASSETS)
    weights = pd.Series([0.3, 0.25, 0.2, 0.15, 0.1], index=ASSETS)
    bench = pd.Series(0.5 * a + 0.5 * b + rng.normal(0, 0.002, n), index=idx, name="MKT")
    return returns, weights, bench


def section_html(page, title):
    start = page.index(f"<h2>{title}</h2>")
    return page[start : page.index("</section>", start)]


def cells(body, row):
    """The text of the <td> cells of the table row headed ``row``."""
    m = re.search(rf"<tr><th>{re.escape(row)}</th>(.*?)</tr>", body)
    assert m, row
    return re.findall(r"<td>(.*?)</td>", m.group(1))


def pct(x):
    return f"{100 * x:,.2f}%"


def test_risk_sections_match_a_decomposition_by_hand(inputs):
    returns, weights, bench = inputs
    ts = ql.report.tearsheet(
        None, risk={"returns": returns, "weights": weights, "benchmark": bench}
    )
    assert ts.sections == ["Risk decomposition", "Correlation", "Rolling correlation and beta"]
    assert ts.html.count("<img") == 2  # correlation heat map, rolling correlation and beta
    body = section_html(ts.html, "Risk decomposition")
    r, w = returns.to_numpy(), weights.to_numpy()
    cov = np.cov(r, rowvar=False)
    vol = np.sqrt(w @ cov @ w)
    port = r @ w
    k = int((len(r) - 1) * 0.05) + 1
    worst = np.argsort(port)[:k]
    for i, asset in enumerate(ASSETS):
        row = cells(body, asset)
        assert row[0] == pct(w[i])
        assert row[1] == pct(w[i] * (cov @ w)[i] / vol)  # volatility contribution
        assert row[2] == pct(w[i] * (cov @ w)[i] / vol**2)  # share of volatility
        assert row[3] == pct(-w[i] * r[worst[-1], i])  # VaR: the k-th worst bar
        assert row[4] == pct(-w[i] * r[worst, i].mean())  # CVaR: mean of the k worst
        assert row[5] == f"{(cov @ w)[i] / vol:,.4f}"  # marginal volatility
    total = cells(body, "portfolio")
    assert total[:5] == [
        pct(1.0),
        pct(vol),
        pct(1.0),
        pct(-port[worst[-1]]),
        pct(-port[worst].mean()),
    ]
    assert total[4] == pct(-ql.metrics.cvar(pd.Series(port), 0.05))
    dr = (w * r.std(axis=0, ddof=1)).sum() / vol
    assert f"Diversification ratio {dr:,.2f}" in body
    # the folded table lists the assets in clustering order: the correlated pairs together
    corr_body = section_html(ts.html, "Correlation")
    order = re.findall(r"<tr><th>(\w+)</th>", corr_body)
    assert sorted(order) == sorted(ASSETS)
    assert abs(order.index("A1") - order.index("A2")) == 1
    assert abs(order.index("B1") - order.index("B2")) == 1
    rho = np.corrcoef(r, rowvar=False)[0, 2]
    assert cells(corr_body, "A1")[order.index("A2")] == f"{rho:,.2f}"


def test_weights_history_uses_its_last_row_and_no_benchmark_no_rolling(inputs):
    returns, weights, _ = inputs
    history = pd.DataFrame([np.full(5, 0.2), weights.to_numpy()], columns=ASSETS)
    ts = ql.report.tearsheet(None, risk={"returns": returns, "weights": history})
    assert ts.sections == ["Risk decomposition", "Correlation"]
    assert ts.html.count("<img") == 1
    last = ql.report.tearsheet(None, risk={"returns": returns, "weights": weights.to_dict()})
    assert section_html(ts.html, "Risk decomposition") == section_html(
        last.html, "Risk decomposition"
    )


def test_risk_sections_next_to_a_backtest_with_a_window(inputs):
    returns, weights, bench = inputs
    ts = ql.report.tearsheet(
        returns @ weights,
        risk={"returns": returns, "weights": weights, "benchmark": bench, "window": 20},
    )
    assert ts.sections[0] == "Headline metrics"
    assert ts.sections[-3:] == ["Risk decomposition", "Correlation", "Rolling correlation and beta"]


def test_risk_dict_errors(inputs):
    returns, weights, bench = inputs
    allowed = r"\['returns', 'weights', 'benchmark', 'alpha', 'window'\]"
    with pytest.raises(
        ParameterError, match=rf"risk has unknown keys \['bench'\]; the tearsheet reads {allowed}"
    ):
        ql.report.tearsheet(None, risk={"returns": returns, "weights": weights, "bench": bench})
    with pytest.raises(ParameterError, match=r"risk needs \['weights'\]; pass risk="):
        ql.report.tearsheet(None, risk={"returns": returns})
    with pytest.raises(DataTypeError, match=r"risk must be a dict; got tuple"):
        ql.report.tearsheet(None, risk=(returns, weights))
    with pytest.raises(DataTypeError, match=r"risk\['returns'\] must be a DataFrame .* got Series"):
        ql.report.tearsheet(None, risk={"returns": bench, "weights": weights})
    with pytest.raises(DataTypeError, match=r"risk\['weights'\] must be a Series .* got list"):
        ql.report.tearsheet(None, risk={"returns": returns, "weights": [0.2] * 5})
    with pytest.raises(AlignmentError, match=r"risk\['benchmark'\] misses 10 of the 400 dates"):
        ql.report.tearsheet(
            None, risk={"returns": returns, "weights": weights, "benchmark": bench.iloc[10:]}
        )
    with pytest.raises(ParameterError, match=r"alpha must be in \(0, 0.5\]; got 0.7"):
        ql.report.tearsheet(None, risk={"returns": returns, "weights": weights, "alpha": 0.7})
    with pytest.raises(ParameterError, match=r"window must be an int >= 2 \(bars\); got 1"):
        ql.report.tearsheet(
            None, risk={"returns": returns, "weights": weights, "benchmark": bench, "window": 1}
        )
    with pytest.raises(AlignmentError, match=r"weights columns must be the assets of returns"):
        ql.report.tearsheet(None, risk={"returns": returns, "weights": weights.iloc[:4]})
