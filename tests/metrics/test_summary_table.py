"""Each metric function is its row of summary(): one table of formulas and kernel groups.

The functions used to repeat the kernel-group bitmasks of ``_formulas.SUMMARY`` as bare
numbers (and omega's need for ``periods_per_year`` differed); a wrong group computes the
row from statistics the kernel never filled. The sets below are written out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

import quantlab.metrics as qm
from quantlab.errors import ParameterError


def close(a, b) -> None:
    np.testing.assert_allclose(
        np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-12, equal_nan=True
    )


BENCHMARK_ROWS = {
    "alpha", "beta", "up_capture", "down_capture", "correlation", "r_squared",
    "information_ratio", "tracking_error", "treynor",
}  # fmt: skip
#: Rows that annualize, so need periods_per_year (omega only for a non-zero rate).
ANNUALIZED = {
    "cagr", "annual_return", "annual_volatility", "sharpe", "sortino", "calmar",
    "ulcer_performance_index", "alpha", "up_capture", "down_capture", "information_ratio",
    "tracking_error", "treynor",
}  # fmt: skip
VAR_METHODS = {
    "value_at_risk_gaussian": "gaussian",
    "value_at_risk_cornish_fisher": "cornish_fisher",
}
FUNCTION_ROWS = [r for r in qm.SUMMARY_ROWS if r != "n_obs"]


def _call(row, returns, bench, **kw):
    if row in VAR_METHODS:
        return qm.value_at_risk(returns, method=VAR_METHODS[row], **kw)
    func = getattr(qm, row)
    return func(returns, bench, **kw) if row in BENCHMARK_ROWS else func(returns, **kw)


def test_function_equals_its_summary_row(panel, bench):
    table = qm.summary(panel, bench)
    for row in FUNCTION_ROWS:
        kw = {"periods_per_year": 252} if row in ANNUALIZED else {}
        close(table.loc[row], _call(row, panel, bench, **kw))


def test_only_annualized_rows_need_periods_per_year(panel, bench):
    table = qm.summary(panel, bench)
    values, b = panel.to_numpy(), bench.to_numpy()  # no timestamps to infer from
    for row in FUNCTION_ROWS:
        if row in ANNUALIZED:
            with pytest.raises(ParameterError, match="periods_per_year cannot be inferred"):
                _call(row, values, b)
        else:
            close(_call(row, values, b), table.loc[row])
