"""One annualization rule (quantlab._periods) for metrics, Monte Carlo and backtest results.

Before, Monte Carlo had its own thresholds (24/7 hourly bars became 252, semi-annual 1, and
anything unknown a silent 252) and backtest results swallowed every exception. Each case
below is an index whose frequency a person can read off the calendar; the expected value is
written out, not computed by the code under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quantlab.backtest as bt
import quantlab.metrics as qm
import quantlab.montecarlo as mc
from quantlab._periods import infer_periods_per_year, resolve_periods_per_year
from quantlab.errors import ParameterError
from quantlab.optimize.sweep import _ppy as sweep_ppy
from tests._doctests import failed_examples

CASES = [
    (pd.bdate_range("2021-01-01", periods=60), 252.0),
    (pd.date_range("2021-01-01", periods=60, freq="D"), 365.0),
    (pd.date_range("2021-01-01", periods=60, freq="h"), 365.0 * 24),  # 24/7 hourly
    (pd.date_range("2021-01-03", periods=60, freq="W"), 52.0),
    (pd.date_range("2001-01-31", periods=60, freq="ME"), 12.0),
    (pd.date_range("2001-03-31", periods=60, freq="QE"), 4.0),
    (pd.date_range("2001-06-30", periods=60, freq="6ME"), 2.0),  # semi-annual
    (pd.date_range("2001-12-31", periods=60, freq="YE"), 1.0),
]


@pytest.mark.parametrize("index,expected", CASES, ids=[str(e) for _, e in CASES])
def test_every_subject_infers_the_same_periods_per_year(index, expected):
    rng = np.random.default_rng(0)
    rets = pd.DataFrame(rng.normal(0.0, 0.01, (len(index), 2)), index=index, columns=["a", "b"])
    assert infer_periods_per_year(index) == pytest.approx(expected)
    assert qm.infer_periods_per_year(index) == pytest.approx(expected)
    sim = mc.simulate(rets, n_paths=2, horizon=5, seed=0)
    assert sim.periods_per_year == pytest.approx(expected)
    close = 100.0 * (1.0 + rets).cumprod()
    entries = pd.DataFrame(False, index=index, columns=close.columns)
    entries.iloc[0] = True
    summary = bt.from_signals(close, entries, ~entries, mode="stats")
    assert summary.periods_per_year == pytest.approx(expected)
    assert sweep_ppy(close, None) == pytest.approx(expected)  # a sweep's table, same rule
    full = bt.from_signals(close, entries, ~entries)
    # annual volatility of the stats table annualized with that same factor
    vol = full.stats().loc["annual_volatility"].to_numpy()
    manual = full.returns.std(ddof=1).to_numpy() * np.sqrt(expected)
    np.testing.assert_allclose(vol, manual, rtol=1e-9)


def test_no_silent_default_anywhere():
    rets = np.random.default_rng(1).normal(0.0, 0.01, (30, 1))
    how = r"periods_per_year cannot be inferred from a RangeIndex .* pass periods_per_year="
    with pytest.raises(ParameterError, match=how):
        qm.sharpe(rets)
    with pytest.raises(ParameterError, match=how):
        mc.simulate(rets, n_paths=2, seed=0)
    # an odd spacing is refused, not rounded to a neighbour (Monte Carlo used to say 252)
    odd = pd.date_range("2021-01-01", periods=30, freq="45D")
    with pytest.raises(ParameterError, match=r"median spacing of the index is 45 days"):
        mc.simulate(pd.DataFrame(rets, index=odd), n_paths=2, seed=0)
    # backtest results without timestamps keep per-bar figures, as documented ...
    close = pd.DataFrame(100.0 * np.cumprod(1.0 + rets, axis=0))
    entries = np.zeros(close.shape, dtype=bool)
    entries[0] = True
    assert bt.from_signals(close, entries, ~entries, mode="stats").periods_per_year is None
    assert sweep_ppy(close, None) is None
    # ... but an explicit value is validated by the same rule
    with pytest.raises(ParameterError, match=r"periods_per_year must be a positive number"):
        bt.from_signals(close, entries, ~entries, mode="stats", periods_per_year=-5)


def test_given_value_wins_over_inference():
    index = pd.bdate_range("2021-01-01", periods=30)
    assert resolve_periods_per_year(index, 12) == 12.0
    rets = pd.DataFrame(np.random.default_rng(2).normal(0.0, 0.01, (30, 1)), index=index)
    assert mc.simulate(rets, n_paths=2, seed=0, periods_per_year=12).periods_per_year == 12.0


@pytest.mark.parametrize("module", ["quantlab._periods", "quantlab._validation"])
def test_docstring_examples_run(module):
    assert failed_examples(module) == 0
