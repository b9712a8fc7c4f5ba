"""Factor exposures on skfolio's factors dataset against numpy least squares and a hand-written
Newey-West covariance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from skfolio.datasets import load_factors_dataset, load_sp500_dataset

from quantlab.errors import AlignmentError, ParameterError, ValidationError
from quantlab.portfolio import factor_attribution, factor_exposures, rolling_exposures


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    factors = load_factors_dataset().pct_change().iloc[-601:]  # ETF prices -> returns
    prices = load_sp500_dataset()[["AAPL", "JPM", "XOM"]].pct_change()
    rets = prices.reindex(factors.index)
    assert rets.notna().all().all()  # the two datasets share these dates
    return rets.iloc[1:], factors.iloc[1:]


def _newey_west(x: np.ndarray, resid: np.ndarray, lags: int) -> np.ndarray:
    """(X'X)^-1 S (X'X)^-1 with Bartlett weights 1 - l / (lags + 1), no df correction."""
    xu = x * resid[:, None]
    s = xu.T @ xu
    for lag in range(1, lags + 1):
        g = xu[lag:].T @ xu[:-lag]
        s += (1 - lag / (lags + 1)) * (g + g.T)
    inv = np.linalg.inv(x.T @ x)
    return np.sqrt(np.diag(inv @ s @ inv))


def test_coefficients_and_newey_west_errors(data: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    rets, factors = data
    fe = factor_exposures(rets, factors)
    assert fe.lags == int(np.floor(4 * (600 / 100) ** (2 / 9)))
    x = np.column_stack([np.ones(len(factors)), factors.to_numpy()])
    assert list(fe.params.columns) == ["alpha", *factors.columns]
    for col in rets.columns:
        beta, *_ = np.linalg.lstsq(x, rets[col].to_numpy(), rcond=None)
        np.testing.assert_allclose(fe.params.loc[col], beta, rtol=1e-9, atol=1e-13)
        resid = rets[col].to_numpy() - x @ beta
        np.testing.assert_allclose(fe.bse.loc[col], _newey_west(x, resid, fe.lags), rtol=1e-9)
        r2 = 1 - resid.var() / rets[col].var(ddof=0)
        assert fe.rsquared[col] == pytest.approx(r2, rel=1e-10)
        np.testing.assert_allclose(fe.tvalues.loc[col], beta / fe.bse.loc[col], rtol=1e-12)
    assert (fe.n_obs == 600).all()


def test_nan_rows_are_dropped_per_asset(data: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    rets, factors = data
    holed = rets.copy()
    holed.iloc[:50, 0] = np.nan
    fe = factor_exposures(holed, factors, lags=3)
    assert fe.n_obs.tolist() == [550, 600, 600]
    sub = factor_exposures(rets.iloc[50:, :1], factors.iloc[50:], lags=3)
    np.testing.assert_allclose(fe.params.iloc[0], sub.params.iloc[0], rtol=1e-12)


def test_rolling_exposures_match_windowed_lstsq(data: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    rets, factors = data
    roll = rolling_exposures(rets, factors, 120)
    assert roll.iloc[:119].isna().all().all()
    x = np.column_stack([np.ones(len(factors)), factors.to_numpy()])
    for t in (119, 400, 599):
        beta, *_ = np.linalg.lstsq(x[t - 119 : t + 1], rets["JPM"].to_numpy()[t - 119 : t + 1])
        np.testing.assert_allclose(roll["JPM"].iloc[t], beta, rtol=1e-8, atol=1e-12)


def test_attribution_sums_to_return(data: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    rets, factors = data
    full = factor_attribution(rets, factors)
    for col in rets.columns:
        np.testing.assert_allclose(full[col].sum(axis=1), rets[col], rtol=1e-12, atol=1e-15)
        fe = factor_exposures(rets[[col]], factors, lags=0)
        np.testing.assert_allclose(
            full[(col, "MTUM")], fe.params.loc[col, "MTUM"] * factors["MTUM"]
        )
    ante = factor_attribution(rets, factors, window=100)
    assert ante.iloc[:100].isna().all().all()
    np.testing.assert_allclose(ante["XOM"].iloc[100:].sum(axis=1), rets["XOM"].iloc[100:])
    # ex ante: bar 250 uses the betas of bars 150..249 only
    b = rolling_exposures(rets, factors, 100)["XOM"].iloc[249]
    np.testing.assert_allclose(
        ante[("XOM", "QUAL")].iloc[250], b["QUAL"] * factors["QUAL"].iloc[250]
    )


def test_bad_input(data: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    rets, factors = data
    with pytest.raises(AlignmentError, match=r"factors' index differs .* \(599 vs 600 bars\)"):
        factor_exposures(rets, factors.iloc[1:])
    with pytest.raises(ParameterError, match="lags must be a non-negative int; got -1"):
        factor_exposures(rets, factors, lags=-1)
    short = rets.copy()
    short.iloc[5:, 1] = np.nan
    with pytest.raises(ValidationError, match=r"asset 'JPM' has 5 complete bars for 6 regressors"):
        factor_exposures(short, factors)
    with pytest.raises(ParameterError, match=r"window must be an int in \(6, 600\] .*; got 6"):
        rolling_exposures(rets, factors, 6)
