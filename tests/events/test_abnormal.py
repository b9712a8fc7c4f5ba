"""Abnormal returns, CAR and BHAR against the slow reference (tests/events/naive.py) and
statsmodels; the compiled kernel against its uncompiled twin; invariants (hypothesis)."""

from __future__ import annotations

import contextlib
import types
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import quantlab as ql
from quantlab.events import _kernels, abnormal
from quantlab.events import study as study_mod
from tests.events import naive
from tests.events._disclosures import disclosures, panel

WINDOW = (-3, 8)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    prices, _ = panel(rng, 420, 6)
    # NaN prices inside some estimation and event windows
    prices.iloc[200:204, 1] = np.nan
    prices.iloc[300, 2] = np.nan
    prices.iloc[::37, 3] = np.nan
    events = disclosures(rng, prices.index, list(prices.columns), 40, margin=(150, 30))
    return prices, events


def _compare(study, ref, a, b):
    assert set(study.events.index) == set(ref), "same events kept as the reference"
    for label in study.events.index:
        r = ref[label]
        np.testing.assert_allclose(study.ar.loc[label].to_numpy(), r["ar"], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(study.params.loc[label, "sigma"], r["sigma"], rtol=1e-9)
        assert study.params.loc[label, "n_est"] == r["n_est"]
        sl = slice(a - WINDOW[0], b - WINDOW[0] + 1)
        np.testing.assert_allclose(study.car(a, b)[label], naive.car(r["ar"][sl]), atol=1e-12)
        np.testing.assert_allclose(
            study.bhar(a, b)[label], naive.bhar(r["ar"][sl], r["ret"][sl]), atol=1e-12
        )


@pytest.mark.parametrize("clock", ["disclosure", "transaction"])
@pytest.mark.parametrize("model", ["market", "market_adjusted"])
def test_matches_reference_and_statsmodels(data, clock, model):
    prices, events = data
    kw = dict(estimation=120, gap=5, window=WINDOW)
    study = ql.events.event_study(events, prices, clock=clock, model=model, overlap="keep", **kw)
    date_col = "available_at" if clock == "disclosure" else "transaction_date"
    ref = naive.event_rows(events, prices, date_col=date_col, model=model, **kw)
    assert study.report.n_nan_events > 0, "the fixture puts NaN prices in some windows"
    _compare(study, ref, 0, 5)
    _compare(study, ref, WINDOW[0], WINDOW[1])
    if model == "market":  # alpha and beta equal statsmodels' OLS
        for label in study.events.index:
            np.testing.assert_allclose(
                study.params.loc[label, ["alpha", "beta_market"]].to_numpy(dtype=float),
                ref[label]["params"],
                rtol=1e-9,
                atol=1e-13,
            )


def test_factor_model_matches_statsmodels(data):
    prices, events = data
    rng = np.random.default_rng(3)
    factors = pd.DataFrame(
        rng.normal(0, 0.01, (len(prices), 3)), index=prices.index, columns=["mkt", "smb", "hml"]
    )
    factors.iloc[50, 1] = np.nan
    kw = dict(estimation=100, gap=0, window=WINDOW)
    study = ql.events.event_study(
        events, prices, model="factor", factors=factors, overlap="keep", **kw
    )
    ref = naive.event_rows(
        events, prices, date_col="available_at", model="factor", regressors=factors, **kw
    )
    _compare(study, ref, -1, 3)
    for label in study.events.index:
        got = study.params.loc[label, ["alpha", "beta_mkt", "beta_smb", "beta_hml"]]
        np.testing.assert_allclose(got.to_numpy(dtype=float), ref[label]["params"], rtol=1e-8)


def test_market_given_as_series_or_column(data):
    prices, events = data
    m = prices["S000"].pct_change()
    by_series = ql.events.event_study(
        events, prices, market=m, estimation=100, window=WINDOW, overlap="keep"
    )
    by_column = ql.events.event_study(
        events, prices, market="S000", estimation=100, window=WINDOW, overlap="keep"
    )
    pd.testing.assert_frame_equal(by_series.ar, by_column.ar)
    # the market's own events: an exact fit, no residual variance to standardize by
    own = by_series.report.rows
    assert set(own.loc[own.symbol == "S000", "reason"]) == {"singular_estimation"}
    assert (events.symbol == "S000").sum() == by_series.report.counts["singular_estimation"] > 0
    ref = naive.event_rows(
        events[events.symbol != "S000"],
        prices,
        date_col="available_at",
        model="market",
        regressors=m.to_frame("market"),
        estimation=100,
        gap=10,
        window=WINDOW,
    )
    _compare(by_series, ref, 0, 8)


def test_event_day_zero_is_first_bar_at_or_after_the_clock_date(data):
    prices, events = data
    study = ql.events.event_study(events, prices, estimation=100, window=WINDOW, overlap="keep")
    for _, ev in study.events.iterrows():
        expected = prices.index[naive.first_bar_at_or_after(prices.index, ev["available_at"])]
        assert ev["day0"] == expected
        assert ev["day0"] >= ev["available_at"]


def test_tz_aware_panel_places_naive_event_dates_in_its_zone(data):
    prices, events = data
    naive_study = ql.events.event_study(events, prices, estimation=100, window=WINDOW)
    aware = prices.tz_localize("America/New_York")
    aware_study = ql.events.event_study(events, aware, estimation=100, window=WINDOW)
    np.testing.assert_array_equal(naive_study.ar.to_numpy(), aware_study.ar.to_numpy())


@settings(max_examples=15)
@given(
    split=st.integers(-3, 7),
    scale=st.floats(0.01, 100.0),
)
def test_car_is_additive_and_invariant_to_price_units(data, split, scale):
    prices, events = data
    study = ql.events.event_study(events, prices, estimation=80, window=WINDOW)
    whole = study.car()
    parts = study.car(WINDOW[0], split).fillna(0) + study.car(split + 1, WINDOW[1]).fillna(0)
    np.testing.assert_allclose(whole, parts, atol=1e-12)
    rescaled = ql.events.event_study(events, prices * scale, estimation=80, window=WINDOW)
    np.testing.assert_allclose(rescaled.ar.to_numpy(), study.ar.to_numpy(), atol=1e-10)


@contextlib.contextmanager
def pure_python():
    """Every numba dispatcher of quantlab.events._kernels replaced by its Python function:
    the kernels look their callees up in the module's globals, so the whole study runs
    uncompiled (the QUANTLAB_DISABLE_JIT mode)."""
    with contextlib.ExitStack() as stack:
        for name, obj in vars(_kernels).copy().items():
            py = getattr(obj, "py_func", None)
            if isinstance(py, types.FunctionType):
                stack.enter_context(mock.patch.object(_kernels, name, py))
        for mod in (abnormal, study_mod):
            for name in (
                "study_kernel",
                "scan_prices",
                "column_returns",
                "gather_returns",
                "overlap_drops",
                "rank_moments",
                "residual_moments",
                "window_sums",
            ):
                if hasattr(mod, name):
                    stack.enter_context(mock.patch.object(mod, name, getattr(_kernels, name)))
        yield


def test_whole_study_compiled_equals_pure_python(data):
    prices, events = data
    events = events.iloc[:15]
    kw = dict(estimation=60, gap=3, window=(-3, 8))
    compiled = ql.events.event_study(events, prices, **kw)
    c_tests = compiled.tests(0, 5, n_boot=50)
    with pure_python():
        assert not hasattr(abnormal.study_kernel, "py_func")
        python = ql.events.event_study(events, prices, **kw)
        p_tests = python.tests(0, 5, n_boot=50)
    np.testing.assert_allclose(python.ar.to_numpy(), compiled.ar.to_numpy(), rtol=1e-12, atol=1e-15)
    pd.testing.assert_frame_equal(python.params, compiled.params, rtol=1e-12)
    pd.testing.assert_frame_equal(p_tests, c_tests, rtol=1e-10)
