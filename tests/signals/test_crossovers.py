"""crossed_above / crossed_below, grid x grid alignment, and first-signal cleaning."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import quantlab.indicators as qi
import quantlab.signals as qs
from quantlab._numba import JIT_ENABLED
from quantlab.errors import AlignmentError, DataTypeError, ParameterError, ShapeError
from quantlab.signals import _kernels, crossovers
from tests.signals import naive


@pytest.fixture(scope="module")
def close() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    x = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, size=(200, 3)), axis=0))
    x[rng.random(x.shape) < 0.03] = np.nan
    cols = pd.Index(["AAA", "BBB", "CCC"], name="symbol")
    return pd.DataFrame(x, index=pd.bdate_range("2021-01-01", periods=200), columns=cols)


@pytest.mark.parametrize("above", [True, False])
def test_same_columns_match_naive(close, above):
    fast, slow = qi.sma(close, 5), qi.sma(close, 20)
    func = qs.crossed_above if above else qs.crossed_below
    got = func(fast, slow)
    assert got.dtypes.eq(bool).all()
    pd.testing.assert_index_equal(got.columns, close.columns)
    for c in close.columns:
        assert got[c].tolist() == naive.crossed(fast[c].tolist(), slow[c].tolist(), above)


@pytest.mark.parametrize("above", [True, False])
def test_memory_layout_does_not_change_crossings(close, above):
    """Frames are read column-major without a copy; row-major arrays give the same."""
    fast, slow = qi.sma(close, 5), qi.sma(close, 20)
    func = qs.crossed_above if above else qs.crossed_below
    want = func(fast, slow).to_numpy()
    for a, b in [
        (np.ascontiguousarray(fast.to_numpy()), np.ascontiguousarray(slow.to_numpy())),
        (np.asfortranarray(fast.to_numpy()), np.ascontiguousarray(slow.to_numpy())),
        (fast.to_numpy()[:, ::-1][:, ::-1], np.asfortranarray(slow.to_numpy())),
    ]:
        got = func(a, b)
        np.testing.assert_array_equal(np.asarray(got), want)


def test_scalar_and_series_broadcast(close):
    r = qi.rsi(close, 14)
    got = qs.crossed_above(r, 50)
    for c in close.columns:
        assert got[c].tolist() == naive.crossed(r[c].tolist(), [50.0] * len(r), True)
    level = close["AAA"]  # a Series is compared with every column
    got2 = qs.crossed_below(close, level)
    assert got2.columns.equals(close.columns)
    assert not got2["AAA"].any()
    assert qs.crossed_below(50, r).equals(qs.crossed_above(r, 50))  # scalar on the left
    s = qs.crossed_above(close["AAA"], close["BBB"])
    assert isinstance(s, pd.Series) and s.name == "AAA"


def test_grid_cross_grid_builds_fast_slow_symbol(close):
    fast, slow = qi.sma(close, [5, 10]), qi.sma(close, [20, 50, 100])
    got = qs.crossed_above(fast, slow, names=("fast", "slow"))
    assert got.columns.names == ["fast", "slow", "symbol"]
    assert got.shape == (200, 2 * 3 * 3)
    assert got.columns[:4].tolist() == [(5, 20, "AAA"), (5, 20, "BBB"), (5, 20, "CCC"),
                                        (5, 50, "AAA")]  # fmt: skip
    for f, s_, sym in got.columns:
        expected = naive.crossed(fast[(f, sym)].tolist(), slow[(s_, sym)].tolist(), True)
        assert got[(f, s_, sym)].tolist() == expected


def test_grid_against_flat_panel(close):
    fast = qi.ema(close, [5, 10])
    got = qs.crossed_above(close, fast)  # price crossing each EMA; assets reordered in b
    assert got.columns.names == ["span", "symbol"]
    swapped = qs.crossed_above(close[["CCC", "AAA", "BBB"]], fast)
    pd.testing.assert_frame_equal(swapped[[(5, "AAA")]], got[[(5, "AAA")]])


def test_clashing_level_names_need_names(close):
    fast, slow = qi.sma(close, [5]), qi.sma(close, [20])
    with pytest.raises(ParameterError, match=r"names=\('fast', 'slow'\)"):
        qs.crossed_above(fast, slow)
    with pytest.raises(ParameterError, match="must name the 2 parameter level"):
        qs.crossed_above(fast, slow, names=["x"])


def test_cross_product_align_materializes_the_pairing(close):
    fast, slow = qi.sma(close, [5, 10]), qi.sma(close, [20])
    fa, sa = qs.cross_product_align(fast, slow, names=["fast", "slow"])
    assert fa.columns.equals(sa.columns)
    pd.testing.assert_series_equal(fa[(10, 20, "BBB")], fast[(10, "BBB")].rename((10, 20, "BBB")))
    via_align = qs.crossed_above(fa, sa)
    direct = qs.crossed_above(fast, slow, names=["fast", "slow"])
    pd.testing.assert_frame_equal(via_align, direct)


def test_column_product_multi_level_assets():
    assets = pd.MultiIndex.from_tuples([("US", "A"), ("EU", "B")], names=["region", "symbol"])
    a = pd.MultiIndex.from_tuples([(1, *x) for x in assets] + [(2, *x) for x in assets],
                                  names=["p", "region", "symbol"])  # fmt: skip
    prod = qs.column_product(a, assets, asset_levels=2)
    assert prod.columns.names == ["p", "region", "symbol"]
    assert prod.b_index.tolist() == [0, 1, 0, 1]


def test_alignment_errors(close):
    with pytest.raises(AlignmentError, match=r"only in a: \['CCC'\], only in b: \[\]"):
        qs.crossed_above(close, qi.sma(close[["AAA", "BBB"]], [3]))
    with pytest.raises(AlignmentError, match="different indexes"):
        qs.crossed_above(close, close.shift(1, freq="D"))
    with pytest.raises(ShapeError, match="a has 200 bars but b has 199"):
        qs.crossed_above(close.to_numpy(), close.to_numpy()[1:])
    with pytest.raises(DataTypeError, match="both scalars"):
        qs.crossed_above(1.0, 2.0)
    with pytest.raises(AlignmentError, match="duplicated column labels"):
        qs.crossed_above(close[["AAA", "AAA"]], close[["AAA", "BBB"]])


@settings(max_examples=25)
@given(
    x=arrays(np.float64, st.tuples(st.integers(2, 30), st.just(4)),
             elements=st.one_of(st.floats(-5, 5), st.just(np.nan))),
)  # fmt: skip
def test_crossings_are_mutually_exclusive_and_antisymmetric(x):
    a, b = x[:, :2], x[:, 2:]
    up, down = qs.crossed_above(a, b).to_numpy(), qs.crossed_below(a, b).to_numpy()
    assert not (up & down).any()
    np.testing.assert_array_equal(up, qs.crossed_below(b, a).to_numpy())


# ----------------------------------------------------------------------- cleaning


def test_clean_matches_naive_and_vectorbt():
    rng = np.random.default_rng(3)
    en = pd.DataFrame(rng.random((300, 4)) < 0.2)
    ex = pd.DataFrame(rng.random((300, 4)) < 0.2)
    got_en, got_ex = qs.clean_entries_exits(en, ex)
    for c in en.columns:
        exp_en, exp_ex = naive.clean(en[c].tolist(), ex[c].tolist())
        assert got_en[c].tolist() == exp_en and got_ex[c].tolist() == exp_ex
    from vectorbt.signals.nb import clean_enex_nb

    vb_en, vb_ex = clean_enex_nb(en.to_numpy(), ex.to_numpy(), True)
    np.testing.assert_array_equal(got_en.to_numpy(), vb_en)
    np.testing.assert_array_equal(got_ex.to_numpy(), vb_ex)


def test_clean_same_bar_rule_and_types():
    en = np.array([True, False, True, True, False])
    ex = np.array([True, False, True, False, True])
    e, x = qs.clean_entries_exits(en, ex)
    assert isinstance(e, np.ndarray) and e.ndim == 1
    assert e.tolist() == [False, False, False, True, False]  # same-bar pairs are dropped
    assert x.tolist() == [False, False, False, False, True]
    with pytest.raises(DataTypeError, match="entries must be boolean"):
        qs.clean_entries_exits(np.array([0.5, 1.0]), np.array([True, False]))
    with pytest.raises(ShapeError, match="exits has shape"):
        qs.clean_entries_exits(en, ex[:3])
    with pytest.raises(AlignmentError, match="entries and exits have different index"):
        qs.clean_entries_exits(pd.Series(en), pd.Series(ex, index=range(1, 6)))


@pytest.mark.skipif(not JIT_ENABLED, reason="kernels are already plain Python")
def test_compiled_equals_python():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(3, 40)), rng.normal(size=(2, 40))  # (n_series, n_bars)
    ia, ib = np.array([0, 1, 2, 0]), np.array([1, 1, 0, 0])
    np.testing.assert_array_equal(
        _kernels.crossed(a, b, ia, ib, True), _kernels.crossed.py_func(a, b, ia, ib, True)
    )
    en, ex = rng.random((40, 3)) < 0.3, rng.random((40, 3)) < 0.3
    for got, exp in zip(_kernels.clean_entries_exits(en, ex),
                        _kernels.clean_entries_exits.py_func(en, ex), strict=True):  # fmt: skip
        np.testing.assert_array_equal(got, exp)


@pytest.mark.parametrize("module", [qs, crossovers], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
