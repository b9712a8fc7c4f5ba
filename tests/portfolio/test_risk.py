"""Risk decomposition against slow per-portfolio references, skfolio, scipy and numpy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import skfolio.measures as skm
from hypothesis import given
from hypothesis import strategies as st
from scipy.cluster.hierarchy import dendrogram, linkage
from scipy.spatial.distance import squareform

import quantlab as ql
from quantlab.errors import AlignmentError, ParameterError, ValidationError
from quantlab.portfolio import (
    clustered_correlation,
    diversification_ratio,
    risk_contributions,
    rolling_beta,
    rolling_correlation,
)


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    cov = 0.0001 * (0.3 + 0.7 * np.eye(6))
    r = rng.multivariate_normal(np.zeros(6), cov, size=1001) + rng.standard_t(3, (1001, 6)) * 0.002
    return pd.DataFrame(r, columns=list("ABCDEF"), index=pd.bdate_range("2020-01-01", periods=1001))


@pytest.fixture(scope="module")
def weights() -> pd.DataFrame:
    rng = np.random.default_rng(8)
    w = rng.dirichlet(np.ones(6), size=40)
    w[::5, 0] -= 0.5  # some long-short portfolios
    return pd.DataFrame(w, columns=list("ABCDEF"))


def _slow(r: np.ndarray, w: np.ndarray, measure: str, alpha: float) -> tuple[float, np.ndarray]:
    """One portfolio: total and contributions, by sorting its returns (no vectorization)."""
    port = r @ w
    if measure == "volatility":
        cov = np.cov(r, rowvar=False)
        sigma = np.sqrt(w @ cov @ w)
        return sigma, w * (cov @ w) / sigma
    k = int((len(port) - 1) * alpha) + 1
    order = np.argsort(port, kind="stable")
    if measure == "var":
        return -port[order[k - 1]], -w * r[order[k - 1]]
    return -port[order[:k]].mean(), -w * r[order[:k]].mean(axis=0)


@pytest.mark.parametrize("measure", ["volatility", "var", "cvar"])
@pytest.mark.parametrize("alpha", [0.05, 0.01])
def test_decomposition_matches_slow_reference_and_sums_to_total(
    returns: pd.DataFrame, weights: pd.DataFrame, measure: str, alpha: float
) -> None:
    d = risk_contributions(returns, weights, measure, alpha=alpha)
    np.testing.assert_allclose(d.contribution.sum(axis=1), d.total, rtol=1e-12)
    np.testing.assert_allclose(d.percent.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(d.contribution, weights * d.marginal, rtol=1e-14)
    for p in range(len(weights)):
        total, contrib = _slow(returns.to_numpy(), weights.iloc[p].to_numpy(), measure, alpha)
        assert d.total.iloc[p] == pytest.approx(total, rel=1e-12)
        np.testing.assert_allclose(d.contribution.iloc[p], contrib, rtol=1e-10, atol=1e-15)


def test_totals_equal_peers(returns: pd.DataFrame, weights: pd.DataFrame) -> None:
    port = returns.to_numpy() @ weights.to_numpy().T
    cvar = risk_contributions(returns, weights, "cvar", alpha=0.05).total
    # quantlab.metrics.cvar (empyrical's convention) uses the same k worst bars
    np.testing.assert_allclose(cvar, -ql.metrics.cvar(pd.DataFrame(port), 0.05), rtol=1e-12)
    # skfolio: k = int(1000 * 0.05) + 1 = 51 worst of 1001 bars is its beta = 1 - 51 / 1001
    np.testing.assert_allclose(cvar, skm.cvar(port, beta=1 - 51 / 1001), rtol=1e-9)
    vol = risk_contributions(returns, weights).total
    np.testing.assert_allclose(vol, skm.standard_deviation(port), rtol=1e-12)


def test_volatility_marginal_is_the_gradient(returns: pd.DataFrame) -> None:
    w = np.array([0.3, 0.1, 0.2, 0.1, 0.2, 0.1])
    d = risk_contributions(returns, w)
    h = 1e-6
    for i in range(6):
        up, dn = w.copy(), w.copy()
        up[i] += h
        dn[i] -= h
        fd = risk_contributions(returns, up).total[0] - risk_contributions(returns, dn).total[0]
        assert d.marginal.iloc[0, i] == pytest.approx(fd / (2 * h), rel=1e-6)


@given(st.integers(0, 10_000), st.sampled_from(["volatility", "var", "cvar"]))
def test_euler_property_on_random_data(seed: int, measure: str) -> None:
    rng = np.random.default_rng(seed)
    r = pd.DataFrame(rng.normal(0, 0.01, (50, 4)))
    w = pd.DataFrame(rng.normal(size=(3, 4)))
    d = risk_contributions(r, w, measure, alpha=0.1)
    np.testing.assert_allclose(d.contribution.sum(axis=1), d.total, rtol=1e-10, atol=1e-15)
    if measure == "volatility":
        assert (d.total >= 0).all()
    # homogeneity of degree one: doubling the weights doubles the risk
    np.testing.assert_allclose(
        risk_contributions(r, 2 * w, measure, alpha=0.1).total, 2 * d.total, rtol=1e-12
    )


def test_diversification_ratio(returns: pd.DataFrame, weights: pd.DataFrame) -> None:
    dr = diversification_ratio(returns, weights)
    s = returns.std()
    for p in range(len(weights)):
        w = weights.iloc[p]
        expected = (w.abs() * s).sum() / (returns @ w).std()
        assert dr.iloc[p] == pytest.approx(expected, rel=1e-12)
    assert diversification_ratio(returns, {**dict.fromkeys("BCDEF", 0.0), "A": 1.0}).iloc[0] == (
        pytest.approx(1.0, rel=1e-12)
    )


def test_clustered_correlation_is_scipy_dendrogram_order(returns: pd.DataFrame) -> None:
    rng = np.random.default_rng(3)
    r = returns.copy()
    r["A2"] = r["A"] + 0.001 * rng.normal(size=len(r))
    r["D2"] = r["D"] + 0.001 * rng.normal(size=len(r))
    c = clustered_correlation(r)
    corr = r.corr()
    dist = np.sqrt((1 - corr.to_numpy()) / 2)
    np.fill_diagonal(dist, 0)
    leaves = dendrogram(linkage(squareform(dist), "average"), no_plot=True)["leaves"]
    order = list(r.columns[leaves])
    assert list(c.columns) == order and list(c.index) == order
    np.testing.assert_allclose(c, corr.loc[order, order], rtol=1e-12)
    pos = list(c.columns)
    assert abs(pos.index("A") - pos.index("A2")) == 1
    assert abs(pos.index("D") - pos.index("D2")) == 1


def test_rolling_correlation_and_beta_match_numpy(returns: pd.DataFrame) -> None:
    bench = returns.mean(axis=1)
    rc = rolling_correlation(returns, bench, 60)
    rb = rolling_beta(returns, bench, 60)
    assert rc.iloc[:59].isna().all().all() and rb.iloc[:59].isna().all().all()
    for t in (59, 300, 1000):
        x = returns.iloc[t - 59 : t + 1].to_numpy()
        b = bench.iloc[t - 59 : t + 1].to_numpy()
        for j in range(6):
            assert rc.iloc[t, j] == pytest.approx(np.corrcoef(x[:, j], b)[0, 1], rel=1e-10)
            assert rb.iloc[t, j] == pytest.approx(np.polyfit(b, x[:, j], 1)[0], rel=1e-9)


def test_bad_input(returns: pd.DataFrame) -> None:
    w = dict.fromkeys("ABCDEF", 1 / 6)
    with pytest.raises(ParameterError, match=r"'measure' .* Got 'sd'"):
        risk_contributions(returns, w, "sd")
    with pytest.raises(ParameterError, match=r"alpha must be in \(0, 0.5\]; got 0.9"):
        risk_contributions(returns, w, "var", alpha=0.9)
    with pytest.raises(AlignmentError, match=r"unknown: \['Z'\], missing: \['F'\]"):
        risk_contributions(returns, {**dict.fromkeys("ABCDE", 0.2), "Z": 0.0})
    with pytest.raises(ValidationError, match="weights must be finite"):
        risk_contributions(returns, {**w, "A": np.nan})
    bad = returns.copy()
    bad.iloc[5, 2] = np.nan
    with pytest.raises(ValidationError, match=r"returns has NaN \(first: asset 'C' at 2020-01-08"):
        risk_contributions(bad, w)
    with pytest.raises(AlignmentError, match="benchmark's index differs"):
        rolling_beta(returns, returns["A"].iloc[1:], 20)
    with pytest.raises(ParameterError, match=r"window must be an int >= 2 .* got 1"):
        rolling_correlation(returns, returns["A"], 1)
    with pytest.raises(ParameterError, match="not a scipy linkage method"):
        clustered_correlation(returns, "nearest")
