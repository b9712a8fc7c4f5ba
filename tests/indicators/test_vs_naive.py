"""Every indicator against its slow pandas / plain-Python twin in naive.py, NaN holes included."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quantlab.indicators as qi
from tests.indicators import naive

TOL = {"rtol": 1e-10, "atol": 1e-10}


@pytest.fixture(scope="module", params=[True, False], ids=["holes", "clean"])
def ohlcv(request) -> dict[str, pd.DataFrame]:
    return naive.random_ohlcv(n_bars=300, n_assets=4, seed=7, holes=request.param)


def assert_frame(got, expected) -> None:
    assert isinstance(got, pd.DataFrame)
    pd.testing.assert_index_equal(got.index, expected.index)
    pd.testing.assert_index_equal(got.columns, expected.columns)
    np.testing.assert_array_equal(np.isnan(got.to_numpy()), np.isnan(expected.to_numpy()))
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), **TOL)


@pytest.mark.parametrize("w", [1, 2, 14, 50])
def test_sma(ohlcv, w):
    assert_frame(qi.sma(ohlcv["close"], w), naive.sma(ohlcv["close"], w))


@pytest.mark.parametrize("w", [1, 3, 20])
def test_wma(ohlcv, w):
    assert_frame(qi.wma(ohlcv["close"], w), naive.wma(ohlcv["close"], w))


@pytest.mark.parametrize("span", [1, 5, 26])
def test_ema(ohlcv, span):
    assert_frame(qi.ema(ohlcv["close"], span), naive.ema(ohlcv["close"], span))


@pytest.mark.parametrize("w", [1, 2, 14])
def test_rsi(ohlcv, w):
    assert_frame(qi.rsi(ohlcv["close"], w), naive.rsi(ohlcv["close"], w))


@pytest.mark.parametrize("w", [1, 14])
def test_atr(ohlcv, w):
    d = ohlcv
    assert_frame(
        qi.atr(d["high"], d["low"], d["close"], w), naive.atr(d["high"], d["low"], d["close"], w)
    )


@pytest.mark.parametrize(("k", "d"), [(14, 3), (5, 1), (1, 2)])
def test_stochastic(ohlcv, k, d):
    o = ohlcv
    got = qi.stochastic(o["high"], o["low"], o["close"], k, d)
    exp_k, exp_d = naive.stochastic(o["high"], o["low"], o["close"], k, d)
    assert_frame(got.k, exp_k)
    assert_frame(got.d, exp_d)


def test_obv(ohlcv):
    assert_frame(
        qi.obv(ohlcv["close"], ohlcv["volume"]), naive.obv(ohlcv["close"], ohlcv["volume"])
    )


@pytest.mark.parametrize("w", [1, 10])
def test_roc(ohlcv, w):
    assert_frame(qi.roc(ohlcv["close"], w), naive.roc(ohlcv["close"], w))


@pytest.mark.parametrize(("w", "ddof"), [(2, 1), (20, 1), (20, 0)])
def test_zscore(ohlcv, w, ddof):
    # z is ill-conditioned when a window is nearly flat (x - mean ~ 1e-6 on prices ~ 100:
    # every implementation loses ~eps * x / (x - mean) of relative precision), so compare
    # z * std, the deviation in price units, which both compute to ~1e-14.
    close = ohlcv["close"]
    got, exp = qi.zscore(close, w, ddof=ddof), naive.zscore(close, w, ddof)
    sd = close.rolling(w).std(ddof=ddof)
    assert_frame(got * sd, exp * sd)
    assert np.nanmax(got.abs().to_numpy()) < np.sqrt(w)  # |z| <= (w - 1) / sqrt(w)


@pytest.mark.parametrize(("w", "ddof"), [(2, 1), (21, 1), (21, 0)])
def test_rolling_volatility(ohlcv, w, ddof):
    rets = ohlcv["close"].pct_change(fill_method=None)
    assert_frame(qi.rolling_volatility(rets, w, ddof=ddof), naive.rolling_std(rets, w, ddof))
    annual = qi.rolling_volatility(rets, w, ddof=ddof, periods_per_year=252)
    assert_frame(annual, naive.rolling_std(rets, w, ddof) * np.sqrt(252))


@pytest.mark.parametrize(("w", "n_std"), [(20, 2.0), (5, 1.5)])
def test_bollinger(ohlcv, w, n_std):
    got = qi.bollinger(ohlcv["close"], w, n_std)
    for g, e in zip(got, naive.bollinger(ohlcv["close"], w, n_std), strict=True):
        assert_frame(g, e)


@pytest.mark.parametrize("w", [1, 20])
def test_donchian(ohlcv, w):
    got = qi.donchian(ohlcv["high"], ohlcv["low"], w)
    for g, e in zip(got, naive.donchian(ohlcv["high"], ohlcv["low"], w), strict=True):
        assert_frame(g, e)


@pytest.mark.parametrize(("fast", "slow", "signal"), [(12, 26, 9), (3, 5, 2)])
def test_macd(ohlcv, fast, slow, signal):
    got = qi.macd(ohlcv["close"], fast, slow, signal)
    for g, e in zip(got, naive.macd(ohlcv["close"], fast, slow, signal), strict=True):
        assert_frame(g, e)


def test_constant_window_has_exact_zero_std():
    x = pd.DataFrame({"A": [1.0, 2.0] + [100.1] * 10})
    vol = qi.rolling_volatility(x, 5)
    assert (vol["A"].iloc[6:] == 0.0).all()
    assert qi.zscore(x, 5)["A"].iloc[6:].isna().all()  # no dispersion -> NaN


def test_window_longer_than_data_is_all_nan():
    x = pd.Series([1.0, 2.0, 3.0])
    assert qi.sma(x, 10).isna().all()
    assert qi.rsi(x, 10).isna().all()
    assert qi.donchian(x, x, 10).upper.isna().all()


def test_recursive_indicators_carry_state_across_nan():
    x = pd.Series([1.0, 2.0, np.nan, 3.0, 4.0])
    # EMA(2): seed mean(1, 2) = 1.5 at bar 1; NaN bar skipped; alpha = 2/3
    expected = [np.nan, 1.5, np.nan, 1.5 + 2 / 3 * (3 - 1.5), 2.5 + 2 / 3 * (4 - 2.5)]
    np.testing.assert_allclose(qi.ema(x, 2).to_numpy(), expected, rtol=1e-12)
    # SMA(2): any NaN in the window gives NaN
    np.testing.assert_array_equal(qi.sma(x, 2).isna().to_numpy(), [True, False, True, True, False])
