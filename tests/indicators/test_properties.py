"""Properties (hypothesis), compiled vs pure-Python kernels, and the docstring examples."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import quantlab.indicators as qi
from quantlab._numba import JIT_ENABLED
from quantlab.indicators import _kernels, api, grid

FUNCS = {
    "sma": lambda x, w: qi.sma(x, w),
    "ema": lambda x, w: qi.ema(x, w),
    "wma": lambda x, w: qi.wma(x, w),
    "rsi": lambda x, w: qi.rsi(x, w),
    "roc": lambda x, w: qi.roc(x, w),
    "zscore": lambda x, w: qi.zscore(x, w + 1),
    "vol": lambda x, w: qi.rolling_volatility(x, w + 1),
    "boll": lambda x, w: qi.bollinger(x, w).upper,
    "atr": lambda x, w: qi.atr(x * 1.01, x * 0.99, x, w),
    "stoch": lambda x, w: qi.stochastic(x * 1.01, x * 0.99, x, w, 2).d,
    "donchian": lambda x, w: qi.donchian(x, x, w).middle,
    "macd": lambda x, w: qi.macd(x, w, w + 3, 2).hist,
}

prices = arrays(
    np.float64,
    st.tuples(st.integers(1, 40), st.integers(1, 3)),
    elements=st.one_of(st.floats(1.0, 1000.0), st.just(np.nan)),
)


@settings(max_examples=60)
@given(name=st.sampled_from(sorted(FUNCS)), x=prices, w=st.integers(1, 6))
def test_columns_are_independent_and_deterministic(name, x, w):
    func = FUNCS[name]
    frame = pd.DataFrame(x)
    out = func(frame, w)
    again = func(frame, w)
    np.testing.assert_array_equal(out.to_numpy(), again.to_numpy())
    for j in range(x.shape[1]):
        alone = func(pd.DataFrame(x[:, [j]]), w)
        np.testing.assert_array_equal(out.iloc[:, j].to_numpy(), alone.iloc[:, 0].to_numpy())
    # reversing the asset order only permutes the output columns
    rev = func(frame.iloc[:, ::-1], w)
    np.testing.assert_array_equal(rev.to_numpy()[:, ::-1], out.to_numpy())


@settings(max_examples=20)
@given(x=prices, w=st.integers(1, 6))
def test_bounded_oscillators(x, w):
    for out in (qi.rsi(x, w), qi.stochastic(x, x, x, w, 1).k):
        vals = out.to_numpy()
        vals = vals[~np.isnan(vals)]
        assert ((vals >= 0) & (vals <= 100)).all()


@pytest.mark.skipif(not JIT_ENABLED, reason="kernels are already plain Python")
@pytest.mark.parametrize(
    ("name", "extra"),
    [("sma", ()), ("ema", ()), ("wma", ()), ("rsi", ()), ("roc", ()), ("rolling_max", ()),
     ("rolling_min", ()), ("rolling_std", (1,)), ("zscore", (0,))],
)  # fmt: skip
def test_compiled_equals_python(name, extra):
    rng = np.random.default_rng(5)
    x = 100 + rng.normal(size=(3, 30)).cumsum(axis=1)  # (n_assets, n_bars)
    x[rng.random(x.shape) < 0.1] = np.nan
    windows = np.array([1, 3, 7], dtype=np.int64)
    kernel = getattr(_kernels, name)
    np.testing.assert_allclose(
        kernel(x, windows, *extra), kernel.py_func(x, windows, *extra), rtol=1e-12
    )


@pytest.mark.skipif(not JIT_ENABLED, reason="kernels are already plain Python")
def test_compiled_equals_python_multi_input():
    rng = np.random.default_rng(6)
    c = 100 + rng.normal(size=(2, 30)).cumsum(axis=1)
    h, lo, v = c + 1, c - 1, rng.uniform(1, 2, size=c.shape)
    c[1, 4] = np.nan
    w = np.array([2, 5], dtype=np.int64)
    for kernel, args in ((_kernels.atr, (h, lo, c, w)), (_kernels.stoch_k, (h, lo, c, w)),
                         (_kernels.obv, (c, v))):  # fmt: skip
        np.testing.assert_allclose(kernel(*args), kernel.py_func(*args), rtol=1e-12)


@pytest.mark.parametrize("module", [qi, api, grid], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(module, optionflags=flags)
    assert result.attempted > 0 and result.failed == 0
