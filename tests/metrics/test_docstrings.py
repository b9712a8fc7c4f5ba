"""The Examples sections of the public docstrings run and print what they show."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from quantlab.metrics import api, drawdowns, inference, periods, rolling, trades


@pytest.mark.parametrize("module", [api, drawdowns, inference, periods, rolling, trades])
def test_examples(module):
    result = doctest.testmod(
        module, extraglobs={"np": np, "pd": pd}, optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 0
    assert result.failed == 0


def test_public_api_is_complete():
    import quantlab.metrics as qm

    required = """total_return cagr annual_return annual_volatility sharpe sortino calmar omega
    information_ratio tracking_error treynor gain_to_pain common_sense_ratio max_drawdown
    max_drawdown_duration avg_drawdown recovery_time ulcer_index ulcer_performance_index
    drawdown_table value_at_risk cvar tail_ratio skew kurtosis alpha beta up_capture
    down_capture correlation r_squared stability best_period worst_period monthly_returns
    yearly_returns rolling_sharpe rolling_volatility rolling_beta rolling_drawdown trade_stats
    infer_periods_per_year summary""".split()
    assert not [n for n in required if n not in qm.__all__ or not callable(getattr(qm, n))]
    for name in qm.SUMMARY_ROWS:
        assert name in qm.__doc__
