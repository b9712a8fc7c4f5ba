"""Hostile price panels through the engine, the metrics and the Monte Carlo simulation.

Every call either returns a result that satisfies the accounting identities -- at every bar
``cash + sum(position x last valid close) == equity``, equity never NaN or infinite,
``from_signals`` long-only never holds negative cash or positions, the stats-only mode
agrees with the full one -- or raises a :class:`~quantlab.errors.QuantlabError`. Never a
crash, a hang, another exception or a silent NaN.

Conventions pinned here (see ``quantlab._validation.PRICE_MIN`` / ``PRICE_MAX``): a finite
price outside ``[1e-50, 1e50]`` is rejected up front (beyond it ``cash / price`` or
``units * price`` overflows float64: 1e300 or the subnormal 5e-324 used to give NaN
equity); compounding that still overflows (round trips between 1e-50 and 1e50) raises
instead of returning inf/NaN equity.

The hypothesis examples run the compiled kernels in this process; ``test_fuzz_in_subprocess``
replays a larger random batch (with stops, next-open fills, both directions and thousands
of assets) in a child interpreter, so a segfault is a failed test (negative return code)
rather than a dead test run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import quantlab as ql
from quantlab.errors import AlignmentError, QuantlabError, ValidationError

ROOT = Path(__file__).resolve().parents[2]

# --------------------------------------------------------------------------- inputs
HOSTILE = [np.nan, 0.0, -1.0, np.inf, 1e300, 1.7e308, 1e-300, 5e-324, 1e50, 1e-50, 1e51, 1e-51]
NORMAL = st.floats(0.5, 500.0, allow_nan=False)
value = st.one_of(NORMAL, NORMAL, NORMAL, st.sampled_from(HOSTILE))
TZS = [None, "UTC", "America/New_York", "Asia/Kolkata"]


@st.composite
def price_panels(draw: Any, max_bars: int = 8, max_assets: int = 3) -> pd.DataFrame:
    """Small panels of normal and hostile values, NaN runs, any timezone (or mixed)."""
    n_bars = draw(st.integers(1, max_bars))
    n_assets = draw(st.integers(1, max_assets))
    vals = np.array(
        draw(st.lists(value, min_size=n_bars * n_assets, max_size=n_bars * n_assets)),
        dtype=np.float64,
    ).reshape(n_bars, n_assets)
    for _ in range(draw(st.integers(0, 2))):  # NaN runs (leading, inner or trailing)
        col = draw(st.integers(0, n_assets - 1))
        start = draw(st.integers(0, n_bars - 1))
        vals[start : start + draw(st.integers(1, n_bars)), col] = np.nan
    tz = draw(st.sampled_from(TZS))
    index = pd.date_range("2021-03-01", periods=n_bars, freq=draw(st.sampled_from(["D", "B"])))
    index = index.tz_localize(tz) if tz else index
    if draw(st.booleans()) and n_bars >= 2 and draw(st.integers(0, 5)) == 0:
        # timezone-aware and naive timestamps in one index
        labels = list(index.tz_localize(None))
        labels[-1] = labels[-1].tz_localize("UTC")
        index = pd.Index(labels, dtype=object)
    return pd.DataFrame(vals, index=index, columns=[f"A{j}" for j in range(n_assets)])


def bool_panel(draw: Any, like: pd.DataFrame, p: float = 0.4) -> pd.DataFrame:
    flags = draw(st.lists(st.booleans(), min_size=like.size, max_size=like.size))
    arr = np.array(flags, dtype=bool).reshape(like.shape)
    return pd.DataFrame(arr, index=like.index, columns=like.columns)


def is_clean(close: pd.DataFrame) -> bool:
    """Only NaN or normal prices on a proper index: must never raise."""
    v = close.to_numpy()
    ok = np.isnan(v) | ((v >= 0.5) & (v <= 500.0))
    return bool(ok.all()) and isinstance(close.index, pd.DatetimeIndex)


def mixed_tz(index: pd.Index) -> bool:
    return index.dtype == object


# --------------------------------------------------------------------------- identities
def check_accounting(res: Any, close: pd.DataFrame, long_only: bool) -> None:
    n_bars = close.shape[0]
    equity = np.asarray(res.equity, dtype=np.float64).reshape(n_bars, -1)
    cash = np.asarray(res.cash, dtype=np.float64).reshape(n_bars, -1)
    pos = np.asarray(res.positions, dtype=np.float64).reshape(n_bars, -1)
    ffill = close.ffill().to_numpy()
    held = np.where(pos != 0.0, pos * ffill[:, : pos.shape[1]], 0.0)
    assert np.isfinite(equity).all(), "NaN or infinite equity"
    assert np.isfinite(cash).all() and np.isfinite(pos).all()
    if equity.shape[1] == pos.shape[1]:  # from_signals: one account per column
        value = cash + held
    else:  # from_weights: one portfolio sharing cash
        value = cash + held.sum(axis=1, keepdims=True)
    scale = max(1.0, float(np.abs(cash).max()), float(np.abs(held).max()))
    np.testing.assert_allclose(value, equity, rtol=1e-9, atol=1e-9 * scale)
    if long_only:
        assert (cash >= -1e-9 * scale).all(), "negative cash in a long-only backtest"
        assert (pos >= 0.0).all(), "negative position in a long-only backtest"


def check_stats_mode(stats: Any, res: Any, close: pd.DataFrame) -> None:
    last = np.asarray(res.equity, dtype=np.float64).reshape(close.shape[0], -1)[-1]
    final = stats.table["final_value"].to_numpy()
    np.testing.assert_allclose(final, last, rtol=1e-9, atol=1e-9 * max(1.0, np.abs(last).max()))


# --------------------------------------------------------------------------- engine
@given(data=st.data())
def test_from_signals_hostile_prices(data: Any) -> None:
    close = data.draw(price_panels())
    entries = bool_panel(data.draw, close)
    exits = bool_panel(data.draw, close)
    kwargs = data.draw(
        st.fixed_dictionaries(
            {
                "direction": st.sampled_from(["long", "short", "both"]),
                "fees": st.sampled_from([0.0, 0.001]),
                "slippage": st.sampled_from([0.0, 0.01]),
                "sl_stop": st.sampled_from([None, 0.1]),
                "init_cash": st.sampled_from([100.0, 1e6]),
            }
        )
    )
    try:
        res = ql.backtest.from_signals(close, entries, exits, **kwargs)
        stats = ql.backtest.from_signals(close, entries, exits, mode="stats", **kwargs)
    except QuantlabError:
        assert not is_clean(close), "a clean panel was rejected"
        return
    check_accounting(res, close, long_only=kwargs["direction"] == "long")
    check_stats_mode(stats, res, close)


@given(data=st.data())
def test_from_weights_hostile_prices(data: Any) -> None:
    close = data.draw(price_panels())
    n = close.shape[1]
    w = np.array(
        data.draw(st.lists(st.sampled_from([np.nan, -0.5, 0.0, 0.3, 1.0]), min_size=n, max_size=n))
    )
    per_bar = data.draw(st.booleans())
    weights: Any = (
        pd.DataFrame(np.tile(w, (close.shape[0], 1)), index=close.index, columns=close.columns)
        if per_bar
        else pd.Series(np.nan_to_num(w), index=close.columns)
    )
    fees = data.draw(st.sampled_from([0.0, 0.002]))
    try:
        res = ql.backtest.from_weights(close, weights, fees=fees)
        stats = ql.backtest.from_weights(close, weights, fees=fees, mode="stats")
    except QuantlabError:
        assert not is_clean(close), "a clean panel was rejected"
        return
    check_accounting(res, close, long_only=False)
    check_stats_mode(stats, res, close)


@pytest.mark.parametrize("bad", [1e300, 1.7e308, 1e51, 1e-51, 1e-300, 5e-324])
@pytest.mark.parametrize("func", ["from_signals", "from_weights"])
def test_price_magnitude_outside_range_is_rejected_up_front(func: str, bad: float) -> None:
    close = pd.DataFrame({"A": [10.0, bad, 12.0]}, index=pd.bdate_range("2024-01-01", periods=3))
    pattern = (
        r"close must lie within \[1e-50, 1e\+50\] in magnitude \(beyond it the cash and "
        r"equity arithmetic overflows float64\); got .* at row 2024-01-02, column 'A'\. "
        r"Rescale the prices"
    )
    with pytest.raises(ValidationError, match=pattern):
        if func == "from_signals":
            ql.backtest.from_signals(close, [True, False, False], [False, False, True])
        else:
            ql.backtest.from_weights(close, {"A": 1.0})


def test_price_range_edges_are_accepted_and_finite() -> None:
    close = pd.DataFrame(
        {"lo": [1e-50, 2e-50, 1e-50], "hi": [1e50, 5e49, 1e50]},
        index=pd.bdate_range("2024-01-01", periods=3),
    )
    entries = pd.DataFrame(True, index=close.index, columns=close.columns)
    res = ql.backtest.from_signals(close, entries, ~entries, init_cash=1e6)
    check_accounting(res, close, long_only=True)
    res_w = ql.backtest.from_weights(close, {"lo": 0.5, "hi": 0.5}, init_cash=1e6)
    check_accounting(res_w, close, long_only=False)


@pytest.mark.parametrize("mode", ["full", "stats"])
def test_compounding_overflow_raises_instead_of_nan_equity(mode: str) -> None:
    # all-in at 1e-50, out at 1e50: x1e100 per round trip, inf after four
    n = 12
    close = np.where(np.arange(n) % 2 == 0, 1e-50, 1e50).reshape(-1, 1)
    entries = (np.arange(n) % 2 == 0).reshape(-1, 1)
    with pytest.raises(
        ValidationError,
        match=r"the backtest overflowed float64 in column 0 \(its equity or cash reached "
        r"inf/NaN; 1 of 1 columns affected\).*Rescale close or lower init_cash",
    ):
        ql.backtest.from_signals(close, entries, ~entries, mode=mode)
    weights = np.column_stack([entries.ravel(), ~entries.ravel()]).astype(float)
    with pytest.raises(
        ValidationError, match=r"the backtest overflowed float64 in portfolio 'portfolio'"
    ):
        ql.backtest.from_weights(
            pd.DataFrame(np.column_stack([close.ravel(), close.ravel()[::-1]])),
            pd.DataFrame(weights),
            mode=mode,
        )


def test_mixed_timezone_index_is_rejected() -> None:
    index = pd.Index([pd.Timestamp("2021-01-01"), pd.Timestamp("2021-01-02", tz="UTC")])
    close = pd.DataFrame({"A": [1.0, 2.0]}, index=index)
    pattern = r"close index mixes timezone-aware and naive timestamps"
    with pytest.raises(AlignmentError, match=pattern):
        ql.backtest.from_signals(close, [True, False], [False, True])
    with pytest.raises(AlignmentError, match=pattern):
        ql.backtest.from_weights(close, {"A": 1.0})
    with pytest.raises(AlignmentError, match=r"returns index mixes timezone-aware and naive"):
        ql.metrics.summary(close["A"].rename("r") * 0.01, periods_per_year=252)


def test_signals_in_another_timezone_are_rejected() -> None:
    idx = pd.date_range("2021-01-01", periods=3, tz="UTC")
    close = pd.DataFrame({"A": [1.0, 2.0, 3.0]}, index=idx)
    entries = pd.DataFrame({"A": [True, False, False]}, index=idx.tz_localize(None))
    with pytest.raises(AlignmentError, match=r"entries index differs from the prices' index"):
        ql.backtest.from_signals(close, entries, ~entries)


def test_single_bar_and_single_asset() -> None:
    close = pd.Series([42.0], index=pd.bdate_range("2024-01-01", periods=1), name="X")
    res = ql.backtest.from_signals(close, [True], [False])
    assert float(res.equity.iloc[-1]) == pytest.approx(100.0)
    check_accounting(res, close.to_frame(), long_only=True)
    res_w = ql.backtest.from_weights(close.to_frame(), {"X": 1.0})
    check_accounting(res_w, close.to_frame(), long_only=False)
    with pytest.raises(QuantlabError, match=r"periods_per_year cannot be inferred from 1"):
        res.stats()


def test_thousands_of_assets_few_bars() -> None:
    gen = np.random.default_rng(5)
    n_bars, n_assets = 4, 3000
    vals = 100.0 * np.exp(gen.normal(0.0, 0.05, (n_bars, n_assets)).cumsum(axis=0))
    vals[gen.random(vals.shape) < 0.2] = np.nan  # gaps everywhere
    vals[:, :50] = np.nan  # assets that never trade
    vals[0, 50:100] = 1e-50  # the edges of the allowed range
    vals[1, 100:150] = 1e50
    close = pd.DataFrame(vals, index=pd.bdate_range("2024-01-01", periods=n_bars))
    entries = pd.DataFrame(gen.random(vals.shape) < 0.5, index=close.index)
    exits = pd.DataFrame(gen.random(vals.shape) < 0.3, index=close.index)
    res = ql.backtest.from_signals(close, entries, exits, fees=0.001)
    check_accounting(res, close, long_only=True)
    stats = ql.backtest.from_signals(close, entries, exits, fees=0.001, mode="stats")
    check_stats_mode(stats, res, close)
    res_w = ql.backtest.from_weights(close, np.full(n_assets, 1.0 / n_assets))
    check_accounting(res_w, close, long_only=False)


# --------------------------------------------------------------------------- metrics, MC
def returns_of(close: pd.DataFrame) -> pd.DataFrame:
    with np.errstate(all="ignore"):
        return close.pct_change(fill_method=None).iloc[1:]


@given(close=price_panels(max_bars=10))
def test_metrics_summary_on_hostile_returns(close: pd.DataFrame) -> None:
    rets = returns_of(close)
    assume(len(rets) > 0)
    try:
        table = ql.metrics.summary(rets, periods_per_year=252)
    except QuantlabError:
        return
    n_obs = table.loc["n_obs"].to_numpy()
    np.testing.assert_array_equal(n_obs, rets.notna().sum().to_numpy())
    dd = table.loc["max_drawdown"].to_numpy()
    assert ((dd >= -1.0) & (dd <= 0.0) | np.isnan(dd)).all()


def modest(rets: pd.DataFrame) -> bool:
    v = rets.to_numpy()
    return bool((np.isnan(v) | (np.abs(v) < 10.0)).all())


@given(close=price_panels(max_bars=10), method=st.sampled_from(["bootstrap", "normal"]))
def test_montecarlo_simulate_on_hostile_returns(close: pd.DataFrame, method: str) -> None:
    rets = returns_of(close)
    try:
        res = ql.montecarlo.simulate(
            rets, n_paths=16, horizon=6, seed=0, method=method, periods_per_year=252
        )
    except QuantlabError:
        return
    summary = res.summary()
    ruined = summary.loc["ruined", "mean"]
    assert 0.0 <= ruined <= 1.0
    dd = summary.loc["max_drawdown", ["mean", "q5", "q95"]].to_numpy()
    assert ((dd >= -1.0) & (dd <= 0.0)).all()  # the library's drawdown sign: negative
    if modest(rets):  # no overflow possible within 6 steps: wealth must be finite
        assert np.isfinite(summary.loc["terminal_wealth"].to_numpy()).all()


# Returns above RETURN_MAX (a data error) are refused by metrics and Monte Carlo.
def test_metrics_summary_overflowing_returns_raise_or_stay_consistent() -> None:
    rets = pd.Series([1e300, 1e300, -0.5, 0.1], index=pd.bdate_range("2024-01-01", periods=4))
    try:
        table = ql.metrics.summary(rets.to_frame("r"), periods_per_year=252)["r"]
    except QuantlabError:
        return
    assert np.isfinite(table["total_return"])
    assert table["max_drawdown"] <= -0.5


def test_montecarlo_overflowing_wealth_raises_or_stays_finite() -> None:
    rets = np.array([[1e10], [1e10], [1e10]])
    try:
        res = ql.montecarlo.simulate(rets, n_paths=10, horizon=50, seed=1)
    except QuantlabError:
        return
    assert np.isfinite(res.summary().loc["terminal_wealth"].to_numpy()).all()


def test_montecarlo_student_t_fit_on_extreme_returns_is_clean() -> None:
    rets = np.array([[1e100, 1.0], [1e-100, 2.0], [1e10, 0.5]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValidationError, match=r"returns"):
            ql.montecarlo.simulate(rets, n_paths=10, horizon=5, seed=1, method="student_t")


# --------------------------------------------------------------------------- segfault guard
FUZZ = textwrap.dedent(
    """
    import numpy as np, pandas as pd, quantlab as ql
    from quantlab.errors import QuantlabError
    gen = np.random.default_rng(2024)
    hostile = np.array([np.nan, 0.0, -1.0, np.inf, 1e300, 1e-300, 5e-324, 1e50, 1e-50])
    ok = 0
    for k in range(120):
        n_bars, n_assets = int(gen.integers(1, 12)), int(gen.integers(1, 5))
        if k % 40 == 0:
            n_bars, n_assets = 3, 4000
        close = 100.0 * np.exp(gen.normal(0, 0.1, (n_bars, n_assets)).cumsum(axis=0))
        mask = gen.random(close.shape) < 0.15
        close[mask] = gen.choice(hostile, size=int(mask.sum()))
        open_ = close * (1.0 + gen.normal(0, 0.01, close.shape))
        high = np.fmax(close, open_) * 1.01
        low = np.fmin(close, open_) * 0.99
        ent = gen.random(close.shape) < 0.4
        ext = gen.random(close.shape) < 0.3
        kw = dict(direction=["long", "short", "both"][k % 3], sl_stop=0.05, tp_stop=0.1,
                  sl_trail=bool(k % 2), time_stop=2, fees=0.001, slippage=0.001)
        for call in (
            lambda: ql.backtest.from_signals(close, ent, ext, **kw).equity,
            lambda: ql.backtest.from_signals(close, ent, ext, open=open_, high=high,
                                             low=low, price="next_open", **kw).trades,
            lambda: ql.backtest.from_signals(close, ent, ext, mode="stats", **kw).table,
            lambda: ql.backtest.from_weights(close, gen.normal(0, 0.5, close.shape),
                                             rebalance=2, fees=0.001).equity,
        ):
            try:
                call()
                ok += 1
            except QuantlabError:
                pass
    print("FUZZ-OK", ok)
    """
)


def test_fuzz_in_subprocess_never_crashes() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", FUZZ],
        capture_output=True,
        text=True,
        timeout=240,
        cwd=str(ROOT),
    )
    # a segfault is a negative return code (-11); an uncaught exception is 1
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-3000:]}"
    assert "FUZZ-OK" in proc.stdout
    assert int(proc.stdout.split("FUZZ-OK")[1]) > 50  # most calls did run the kernels
