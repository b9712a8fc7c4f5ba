"""quantlab.metrics against empyrical-reloaded, to 1e-10, on random and heavy-tailed data.

Inputs carry ~5% NaN. Where empyrical's NaN handling differs (it counts NaN rows in
``annual_return``; its historical VaR and scipy's skew / kurtosis return NaN), the
comparison uses the NaN-free returns and a separate test pins the difference.
"""

from __future__ import annotations

import empyrical as ep
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import quantlab.metrics as qm

RTOL = 1e-10
ATOL = 1e-13
PPY = 252


def close(a, b) -> None:
    np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=RTOL, atol=ATOL)


def per_col(func, df, *args, **kw):
    return np.array([func(df[c], *args, **kw) for c in df.columns])


def per_col_clean(func, df, *args, **kw):
    return np.array([func(df[c].dropna(), *args, **kw) for c in df.columns])


def test_total_return(panel):
    close(qm.total_return(panel), ep.cum_returns_final(panel))


@pytest.mark.parametrize("rf", [0.0, 0.03])
def test_sharpe(panel, rf):
    rf_per = (1 + rf) ** (1 / PPY) - 1
    close(qm.sharpe(panel, rf), ep.sharpe_ratio(panel, risk_free=rf_per, annualization=PPY))


@pytest.mark.parametrize("rf", [0.0, 0.03])
def test_sortino(panel, rf):
    rf_per = (1 + rf) ** (1 / PPY) - 1
    expected = ep.sortino_ratio(panel, required_return=rf_per, annualization=PPY)
    close(qm.sortino(panel, rf), expected)


def test_annual_volatility(panel):
    close(qm.annual_volatility(panel), ep.annual_volatility(panel, annualization=PPY))


def test_annual_return_and_cagr_without_nan(clean_panel):
    expected = ep.annual_return(clean_panel, annualization=PPY)
    close(qm.annual_return(clean_panel), expected)
    close(qm.cagr(clean_panel), ep.cagr(clean_panel, annualization=PPY))


def test_annual_return_nan_convention_differs_from_empyrical(panel):
    """Documented difference: empyrical counts NaN rows in the number of years."""
    ours = qm.annual_return(panel)
    close(ours, per_col_clean(ep.annual_return, panel, annualization=PPY))
    theirs = ep.annual_return(panel, annualization=PPY)
    assert not np.allclose(ours, theirs, rtol=1e-6)


def test_max_drawdown(panel):
    close(qm.max_drawdown(panel), ep.max_drawdown(panel))


def test_calmar(clean_panel):
    close(qm.calmar(clean_panel), per_col(ep.calmar_ratio, clean_panel, annualization=PPY))


@pytest.mark.parametrize(("rf", "req"), [(0.0, 0.0), (0.02, 0.05)])
def test_omega(panel, rf, req):
    rf_per = (1 + rf) ** (1 / PPY) - 1
    expected = per_col(
        ep.omega_ratio, panel, risk_free=rf_per, required_return=req, annualization=PPY
    )
    close(qm.omega(panel, rf, req), expected)


def test_tail_ratio(panel):
    close(qm.tail_ratio(panel), per_col(ep.tail_ratio, panel))


@pytest.mark.parametrize("cutoff", [0.01, 0.05, 0.1])
def test_cvar(panel, cutoff):
    close(qm.cvar(panel, cutoff), per_col(ep.conditional_value_at_risk, panel, cutoff))


@pytest.mark.parametrize("cutoff", [0.01, 0.05, 0.25])
def test_value_at_risk_skips_nan(panel, cutoff):
    close(qm.value_at_risk(panel, cutoff), per_col_clean(ep.value_at_risk, panel, cutoff))
    # empyrical's percentile propagates NaN: documented difference
    assert np.isnan(ep.value_at_risk(panel.iloc[:, 0], cutoff))


def test_skew_kurtosis_match_scipy(panel):
    close(qm.skew(panel), per_col_clean(stats.skew, panel))
    close(qm.kurtosis(panel), per_col_clean(stats.kurtosis, panel))


def test_stability(panel):
    close(qm.stability(panel), per_col(ep.stability_of_timeseries, panel))


@pytest.mark.parametrize("rf", [0.0, 0.03])
def test_alpha_beta(panel, bench, rf):
    rf_per = (1 + rf) ** (1 / PPY) - 1
    exp_beta = [ep.beta(panel[c], bench) for c in panel.columns]
    exp_alpha = [
        ep.alpha(panel[c], bench, risk_free=rf_per, annualization=PPY) for c in panel.columns
    ]
    close(qm.beta(panel, bench), exp_beta)
    close(qm.alpha(panel, bench, rf), exp_alpha)


def test_up_down_capture(panel, bench):
    up = [ep.up_capture(panel[c], bench, period="daily") for c in panel.columns]
    down = [ep.down_capture(panel[c], bench, period="daily") for c in panel.columns]
    close(qm.up_capture(panel, bench), up)
    close(qm.down_capture(panel, bench), down)


def test_information_ratio_is_annualized_excess_sharpe(panel, bench):
    b = np.repeat(bench.to_numpy()[:, None], panel.shape[1], axis=1)
    expected = ep.excess_sharpe(panel.to_numpy(), b) * np.sqrt(PPY)
    close(qm.information_ratio(panel, bench), expected)


def test_summary_rows_equal_single_functions_and_empyrical(panel, bench):
    s = qm.summary(panel, bench, risk_free=0.01)
    rf_per = 1.01 ** (1 / PPY) - 1
    close(s.loc["sharpe"], ep.sharpe_ratio(panel, risk_free=rf_per, annualization=PPY))
    close(s.loc["max_drawdown"], ep.max_drawdown(panel))
    close(s.loc["cvar"], per_col(ep.conditional_value_at_risk, panel))
    close(s.loc["beta"], [ep.beta(panel[c], bench) for c in panel.columns])
    for name in ("sortino", "omega", "alpha", "treynor", "ulcer_performance_index"):
        func = getattr(qm, name)
        args = (bench,) if name in ("alpha", "treynor") else ()
        close(s.loc[name], func(panel, *args, 0.01))
    for name in ("calmar", "tail_ratio", "stability", "avg_drawdown", "recovery_time"):
        close(s.loc[name], getattr(qm, name)(panel))
    close(s.loc["value_at_risk_cornish_fisher"], qm.value_at_risk(panel, method="cornish_fisher"))


def test_rolling_matches_empyrical(clean_panel):
    x = clean_panel.iloc[:120, 0].to_numpy()
    b = clean_panel.iloc[:120, 1].to_numpy()
    w = 30
    s = pd.Series(x, index=clean_panel.index[:120])
    close(qm.rolling_sharpe(s, w)[w - 1 :], ep.roll_sharpe_ratio(x, window=w, annualization=PPY))
    close(
        qm.rolling_volatility(s, w)[w - 1 :],
        ep.roll_annual_volatility(x, window=w, annualization=PPY),
    )
    close(qm.rolling_drawdown(s, w)[w - 1 :], ep.roll_max_drawdown(x, window=w))
    rb = qm.rolling_beta(s, pd.Series(b, index=s.index), w)
    close(rb[w - 1 :], ep.roll_beta(x, b, window=w))


def test_monthly_yearly_match_aggregate_returns(clean_panel):
    s = clean_panel.iloc[:, 0]
    m = qm.monthly_returns(s)
    close(m.to_numpy(), ep.aggregate_returns(s, "monthly").to_numpy())
    y = qm.yearly_returns(s)
    close(y.to_numpy(), ep.aggregate_returns(s, "yearly").to_numpy())
