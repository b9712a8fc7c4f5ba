"""PSR / DSR / MinTRL against the published worked examples; PBO null case; bootstrap.

Published numbers:

* Bailey & Lopez de Prado (2012), "The Sharpe Ratio Efficient Frontier", J. of Risk 15(2):
  monthly SR 0.458 over 24 months -> PSR(0) 0.982 under normality and 0.913 with skew
  -2.448 and kurtosis 10.164; MinTRL (SR* = 0, 95%) of 0.7152 years for SR 0.7079, skew
  -0.2250, kurtosis 2.9570 and 1.1593 years for SR 0.8183, skew -1.4455, kurtosis 7.0497
  (monthly SRs). The same figures are pinned by rubenbriones/Probabilistic-Sharpe-Ratio's
  tests (tests/test_sharpe_ratio_stats.py).
* Bailey & Lopez de Prado (2014), "The Deflated Sharpe Ratio", J. Portfolio Mgmt 40(5),
  numerical example: annualized SR 2.5 over T = 1250 daily returns (5 years at 250 / yr),
  N = 100 trials with V[annualized SR] = 0.5, skew -3, kurtosis 10 -> DSR 0.9004
  (SR0 annualized ~1.79). Recipe: SR = 2.5 / sqrt(250), V = 0.5 / 250.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from quantlab.errors import ParameterError, ValidationError
from quantlab.metrics import inference as inf
from quantlab.metrics.inference import EULER_GAMMA
from tests.metrics import naive


def test_psr_paper_examples():
    assert round(inf.probabilistic_sharpe(0.458, 0.0, 24), 3) == 0.982
    assert round(inf.probabilistic_sharpe(0.458, 0.0, 24, -2.448, 10.164), 3) == 0.913


def test_min_trl_paper_examples():
    assert round(inf.min_track_record_length(0.7079, 0.0, -0.2250, 2.9570) / 12, 4) == 0.7152
    assert round(inf.min_track_record_length(0.8183, 0.0, -1.4455, 7.0497) / 12, 4) == 1.1593
    assert inf.min_track_record_length(0.1, 0.2) == np.inf


def test_dsr_paper_example():
    sr, v = 2.5 / np.sqrt(250), 0.5 / 250
    assert round(inf.deflated_sharpe(sr, 100, v, 1250, skew=-3, kurtosis=10), 4) == 0.9004
    sr0 = inf.expected_max_sharpe(100, v)
    z = (1 - EULER_GAMMA) * stats.norm.ppf(1 - 1 / 100) + EULER_GAMMA * stats.norm.ppf(
        1 - 1 / (100 * np.e)
    )
    assert sr0 == pytest.approx(np.sqrt(v) * z, rel=1e-14)
    assert inf.expected_max_sharpe(1, v) == 0.0


def test_psr_at_min_trl_is_one_minus_alpha():
    sr, sk, ku = 0.1, -0.5, 5.0
    n = inf.min_track_record_length(sr, 0.02, sk, ku, alpha=0.05)
    assert inf.probabilistic_sharpe(sr, 0.02, n, sk, ku) == pytest.approx(0.95, rel=1e-12)


def test_from_returns_wrappers_agree_with_closed_forms():
    rng = np.random.default_rng(4)
    r = pd.Series(
        rng.standard_t(5, 800) * 0.01 + 0.0005, index=pd.bdate_range("2020-01-01", periods=800)
    )
    c = r.to_numpy()
    sr = c.mean() / c.std(ddof=1)
    expected = inf.probabilistic_sharpe(
        sr, 0.5 / np.sqrt(252), len(c), stats.skew(c), stats.kurtosis(c) + 3
    )
    assert inf.probabilistic_sharpe_from_returns(r, 0.5) == pytest.approx(expected, rel=1e-12)
    trials = rng.normal(0.0, 0.01, size=(800, 30))
    trials[:, 0] = c
    tsr = trials.mean(0) / trials.std(0, ddof=1)
    expected = inf.deflated_sharpe(
        sr, 30, tsr.var(ddof=1), 800, stats.skew(c), stats.kurtosis(c) + 3
    )
    assert inf.deflated_sharpe_from_returns(c, trials) == pytest.approx(expected, rel=1e-12)
    assert inf.deflated_sharpe_from_returns(
        c, n_trials=30, sharpe_variance=tsr.var(ddof=1)
    ) == pytest.approx(expected, rel=1e-12)


def test_dsr_from_returns_errors():
    with pytest.raises(
        ParameterError, match=r"pass trial_returns=\.\.\. \(one column per trial\) or both"
    ):
        inf.deflated_sharpe_from_returns(np.zeros(10) + 0.01)
    with pytest.raises(ValidationError, match="best_returns must be one strategy"):
        inf.deflated_sharpe_from_returns(np.full((10, 2), 0.01), n_trials=2, sharpe_variance=0.1)


def test_pbo_null_case_is_one_half():
    """Pure noise: the IS winner's OOS rank is uniform, so E[PBO] = 1/2 (N even).

    The splits of one panel are dependent, so the tolerance comes from the spread of PBO
    across independent panels: the mean of 16 panels must be within 4 standard errors.
    """
    rng = np.random.default_rng(11)
    values = [inf.pbo(rng.normal(0, 0.01, size=(240, 10)), n_splits=8).pbo for _ in range(16)]
    se = np.std(values, ddof=1) / np.sqrt(len(values))
    assert abs(np.mean(values) - 0.5) < 4 * se + 1e-9


def test_pbo_detects_no_overfit_with_real_skill():
    rng = np.random.default_rng(3)
    r = rng.normal(0, 0.01, size=(400, 8))
    r[:, 0] += 0.004  # one genuinely better trial
    res = inf.pbo(r, n_splits=8)
    assert res.pbo < 0.05
    assert res.n_combinations == 70 and len(res.logits) == 70
    assert res.prob_oos_loss < 0.05
    assert np.isfinite(res.degradation_slope)


def test_pbo_custom_metric_equals_default():
    r = np.random.default_rng(8).normal(0, 0.01, size=(120, 6))
    sharpe = lambda a: a.mean(0) / a.std(0, ddof=1)
    a = inf.pbo(r, n_splits=6)
    b = inf.pbo(r, n_splits=6, metric=sharpe)
    np.testing.assert_allclose(a.logits, b.logits, rtol=1e-9)
    assert a.pbo == b.pbo


def test_pbo_bad_splits():
    with pytest.raises(
        ParameterError, match=r"n_splits must be an even int in \[2, n_rows=20\]; got 5"
    ):
        inf.pbo(np.zeros((20, 3)), n_splits=5)
    with pytest.raises(ParameterError, match="at least 2 trials"):
        inf.pbo(np.zeros((20, 1)), n_splits=4)


def test_bootstrap_ci_seeded_and_covers_estimate():
    r = pd.Series(
        np.random.default_rng(0).normal(0.0005, 0.01, 500),
        index=pd.bdate_range("2020-01-01", periods=500),
    )
    a = inf.bootstrap_ci(r, n_boot=300, seed=7)
    b = inf.bootstrap_ci(r, n_boot=300, seed=7)
    pd.testing.assert_series_equal(a, b)
    assert a["lower"] < a["estimate"] < a["upper"]
    c = inf.bootstrap_ci(pd.DataFrame({"x": r, "y": r * 2}), metric="cagr", n_boot=200, seed=1)
    assert list(c.columns) == ["estimate", "lower", "upper"] and (c["lower"] < c["upper"]).all()
    with pytest.raises(ParameterError, match=r"metric must be one of \['cagr', 'sharpe'\]"):
        inf.bootstrap_ci(r, metric="sortino")


def test_stationary_bootstrap_block_length():
    rng = np.random.default_rng(2)
    idx = inf._stationary_indices(rng, 500, 200, 10.0)
    assert idx.min() >= 0 and idx.max() < 500
    assert naive.stationary_bootstrap_mean_len(idx) == pytest.approx(10.0, rel=0.1)


def test_closed_form_argument_checks():
    with pytest.raises(ParameterError, match=r"n_obs must be >= 2"):
        inf.probabilistic_sharpe(0.1, 0.0, 1)
    with pytest.raises(ParameterError, match=r"n_trials must be >= 1"):
        inf.expected_max_sharpe(0, 0.1)
    with pytest.raises(ParameterError, match=r"alpha must be a probability in \(0, 1\)"):
        inf.min_track_record_length(0.1, 0.0, alpha=1.5)
