"""Parameter lists: MultiIndex columns, order, duplicates computed once, input/output types."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quantlab.indicators as qi
from quantlab.indicators import _kernels
from quantlab.indicators.grid import param_columns, product_grid
from tests.indicators import naive


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    return naive.random_ohlcv(n_bars=120, n_assets=3, seed=3)


def stack(frames: dict, name: str) -> pd.DataFrame:
    return pd.concat(frames, axis=1, names=[name])


@pytest.mark.parametrize("func", [qi.sma, qi.ema, qi.wma, qi.rsi, qi.roc, qi.zscore])
def test_list_equals_stack_of_scalars(data, func):
    close = data["close"]
    windows = [10, 3, 7]
    got = func(close, windows)
    pname = "span" if func is qi.ema else "window"
    expected = stack({w: func(close, w) for w in windows}, pname)
    pd.testing.assert_frame_equal(got, expected)
    assert got.columns.names == [pname, "symbol"]


def test_duplicates_are_computed_once_and_repeated(data, monkeypatch):
    calls: list[list[int]] = []
    original = _kernels.sma

    def spy(x, windows):
        calls.append(windows.tolist())
        return original(x, windows)

    monkeypatch.setattr(_kernels, "sma", spy)
    got = qi.sma(data["close"], [5, 20, 5, 5])
    assert calls == [[5, 20]]
    assert got.columns.get_level_values("window").tolist() == [5] * 3 + [20] * 3 + [5] * 6
    pd.testing.assert_frame_equal(got[5].iloc[:, :3], got.iloc[:, 6:9].droplevel(0, axis=1))


def test_range_and_array_parameters(data):
    close = data["close"]
    a = qi.sma(close, range(2, 5))
    b = qi.sma(close, np.array([2, 3, 4]))
    pd.testing.assert_frame_equal(a, b)
    one = qi.sma(close, [4])  # a one-element list still adds the level
    assert one.columns.nlevels == 2


def test_series_and_ndarray_inputs(data):
    s = data["close"]["S0"]
    out = qi.sma(s, 5)
    assert isinstance(out, pd.Series) and out.name == "S0"
    grid = qi.sma(s, [5, 6])
    assert isinstance(grid, pd.DataFrame)
    assert grid.columns.tolist() == [(5, "S0"), (6, "S0")]
    arr = data["close"].to_numpy()
    out2 = qi.sma(arr, 5)
    assert isinstance(out2, pd.DataFrame) and out2.columns.tolist() == [0, 1, 2]
    np.testing.assert_array_equal(out2.to_numpy(), qi.sma(data["close"], 5).to_numpy())
    out1 = qi.sma(arr[:, 0], 5)
    assert isinstance(out1, pd.Series)


def test_multiindex_asset_columns_are_kept(data):
    close = data["close"].copy()
    close.columns = pd.MultiIndex.from_tuples(
        [("US", "S0"), ("US", "S1"), ("EU", "S2")], names=["region", "symbol"]
    )
    out = qi.sma(close, [3, 4])
    assert out.columns.names == ["window", "region", "symbol"]
    assert out.columns[-1] == (4, "EU", "S2")


def test_macd_grid_is_product_fast_slow_signal(data):
    close = data["close"]
    res = qi.macd(close, fast=[5, 12], slow=[26, 30], signal=9)
    assert res.macd.columns.names == ["fast", "slow", "symbol"]
    combos = res.macd.columns.droplevel("symbol").unique().tolist()
    assert combos == [(5, 26), (5, 30), (12, 26), (12, 30)]
    single = qi.macd(close, 12, 30, 9)
    for got, exp in zip(res, single, strict=True):
        pd.testing.assert_frame_equal(got[(12, 30)], exp)
    # all three lists: (fast, slow, signal, symbol)
    full = qi.macd(close, [5, 12], [26], [3, 9, 3])
    assert full.hist.columns.names == ["fast", "slow", "signal", "symbol"]
    # combos: (5,26,3) (5,26,9) (5,26,3) (12,26,3) (12,26,9) (12,26,3), 3 assets each
    expected = qi.macd(close, 12, 26, 3).signal
    np.testing.assert_array_equal(full.signal.iloc[:, 9:12].to_numpy(), expected.to_numpy())
    np.testing.assert_array_equal(full.hist.iloc[:, 0:3].to_numpy(), full.hist.iloc[:, 6:9])


def test_bollinger_and_stochastic_grids(data):
    close, high, low = data["close"], data["high"], data["low"]
    bands = qi.bollinger(close, window=[10, 20], n_std=[1.0, 2.5])
    assert bands.upper.columns.names == ["window", "n_std", "symbol"]
    pd.testing.assert_frame_equal(bands.lower[(20, 2.5)], qi.bollinger(close, 20, 2.5).lower)
    pd.testing.assert_frame_equal(bands.middle[(20, 1.0)], qi.sma(close, 20))
    st = qi.stochastic(high, low, close, k_window=[5, 14], d_window=[3, 1])
    assert st.d.columns.names == ["k_window", "d_window", "symbol"]
    # combos (5, 3) (5, 1) (14, 3) (14, 1), 3 assets each
    single = qi.stochastic(high, low, close, 14, 1).d.to_numpy()
    np.testing.assert_array_equal(st.d.iloc[:, 9:12].to_numpy(), single)
    np.testing.assert_array_equal(st.k.iloc[:, 0:3].to_numpy(), st.k.iloc[:, 3:6].to_numpy())
    atr = qi.atr(high, low, close, [5, 14])
    pd.testing.assert_frame_equal(atr[14], qi.atr(high, low, close, 14))
    ch = qi.donchian(high, low, [5, 10])
    pd.testing.assert_frame_equal(ch.middle[10], qi.donchian(high, low, 10).middle)
    vol = qi.rolling_volatility(close.pct_change(fill_method=None), [5, 10])
    assert vol.columns.names == ["window", "symbol"]


def test_scalar_parameter_adds_no_level(data):
    res = qi.macd(data["close"], fast=[5, 8])
    assert res.macd.columns.names == ["fast", "symbol"]


def test_product_grid_and_param_columns():
    g = product_grid({"a": ([1, 2, 1], True), "b": ([7], False)})
    assert g.shape == (2, 1) and g.unique_positions().tolist() == [0, 1, 0]
    cols = param_columns({"a": [1, 2]}, pd.Index(["X"], name="symbol"))
    assert cols.names == ["a", "symbol"] and cols.tolist() == [(1, "X"), (2, "X")]


def test_kernel_output_has_one_series_per_param_and_asset(data):
    xt = np.ascontiguousarray(data["close"].to_numpy().T)  # kernels take (n_assets, n_bars)
    out = _kernels.sma(xt, np.array([2, 3], dtype=np.int64))
    assert out.shape == (6, xt.shape[1]) and out.flags.c_contiguous
    np.testing.assert_array_equal(out[4], _kernels.sma(xt, np.array([3]))[1])
