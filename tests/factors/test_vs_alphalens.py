"""quantlab.factors against alphalens-reloaded on the same inputs, to 1e-10.

Every quantity both libraries compute is compared: the clean rows (which rows are kept,
their forward returns and quantiles), the share of rows lost, mean return by quantile (all,
by date, by group; demeaned, raw, group-adjusted) with standard errors, the spread (alphalens
0.5 halves it: documented), factor weights and factor returns, IC per date (group-adjusted
too) and by group, quantile turnover and factor rank autocorrelation, and max_loss.

The data have NaN factors, ties, sparse dates (few names) and missing prices, so the edge
rules (NaN handling, qcut failures, max_loss) are exercised, not only the happy path.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import alphalens as al
import numpy as np
import pandas as pd
import pytest

from quantlab.errors import ValidationError
from quantlab.factors import (
    clean_factor,
    factor_ic,
    factor_returns,
    factor_weights,
    forward_returns,
    ic_by_group,
    mean_return_by_quantile,
    portfolio_backtest,
    quantile_returns_by_date,
    quantile_spread,
    quantile_turnover,
    rank_autocorrelation,
)

ATOL = 1e-10
HORIZONS = (1, 5, 10)


def _data(seed: int = 7, n_days: int = 90, n_assets: int = 30):
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2023-01-02", periods=n_days)
    syms = [f"S{i:02d}" for i in range(n_assets)]
    close = pd.DataFrame(
        50 * np.exp(rng.normal(0.0003, 0.02, (n_days, n_assets)).cumsum(0)), index=idx, columns=syms
    )
    close.iloc[10:14, 3] = np.nan  # a gap in one asset's prices (forward-filled)
    f = close.pct_change(5) + rng.normal(0, 0.01, close.shape)
    f = f.round(3)  # ties
    f.iloc[:, 5] = np.where(rng.random(n_days) < 0.3, np.nan, f.iloc[:, 5])  # NaN factors
    f.iloc[30, : n_assets - 3] = np.nan  # a sparse date: 3 names
    f.iloc[31, : n_assets - 6] = np.nan  # 6 names
    f.iloc[32, 10:] = 0.0  # many ties: qcut edges not unique -> date dropped
    factor = f.stack(future_stack=True).dropna()
    factor.iloc[400] = np.nan  # one explicit NaN row (counted as lost)
    factor.index.names = ["date", "asset"]
    groups = {s: ("tech", "energy", "health")[i % 3] for i, s in enumerate(syms)}
    return close, factor, groups


def _al_clean(factor, close, **kw):
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return al.utils.get_clean_factor_and_forward_returns(factor, close, periods=HORIZONS, **kw)


def _quiet(func, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kw)


def _close(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    assert a.shape == b.shape
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(a, b, rtol=0, atol=ATOL, equal_nan=True)


def _ours_frame(fd, al_data):
    """Our rows re-labelled like alphalens' (asset level, period columns)."""
    ours = fd.frame()
    ours.index.names = ["date", "asset"]
    ours = ours.rename(columns=dict(zip(HORIZONS, al_data.columns[: len(HORIZONS)], strict=True)))
    return ours


@pytest.fixture(scope="module")
def data():
    return _data()


@pytest.fixture(scope="module")
def pair(data):
    close, factor, groups = data
    al_data = _al_clean(factor, close, groupby=groups, quantiles=5, max_loss=0.5)
    fd = clean_factor(factor, close, horizons=HORIZONS, quantiles=5, groups=groups, max_loss=0.5)
    return fd, al_data


@pytest.fixture(scope="module")
def pair_by_group(data):
    close, factor, groups = data
    al_data = _al_clean(
        factor, close, groupby=groups, binning_by_group=True, quantiles=3, max_loss=0.9
    )
    fd = clean_factor(
        factor, close, horizons=HORIZONS, quantiles=3, groups=groups, by_group=True, max_loss=0.9
    )
    return fd, al_data


@pytest.mark.parametrize("which", ["pair", "pair_by_group"])
def test_clean_rows_forward_returns_and_quantiles(which, request):
    fd, al_data = request.getfixturevalue(which)
    ours = _ours_frame(fd, al_data)
    assert ours.index.equals(al_data.index)
    periods = list(al_data.columns[: len(HORIZONS)])
    _close(ours[periods], al_data[periods])
    _close(ours["factor"], al_data["factor"])
    np.testing.assert_array_equal(
        ours["quantile"].to_numpy(), al_data["factor_quantile"].to_numpy()
    )
    assert list(ours["group"].astype(str)) == list(al_data["group"].astype(str))


def test_the_sparse_and_tied_dates_are_really_exercised(pair, data):
    fd, _ = pair
    idx = data[0].index
    assert fd.loss.binning_dates >= 1  # the all-ties date
    kept = set(fd.dates)
    assert idx[32] not in kept
    assert idx[30] in kept  # 3 names, 5 quantiles: qcut's edges are still unique
    assert fd.loss.nan_factor == 1 and fd.loss.nan_forward > 0


@pytest.mark.parametrize("which", ["pair", "pair_by_group"])
def test_loss_share_matches(which, request, data):
    fd, al_data = request.getfixturevalue(which)
    factor = data[1]
    assert fd.loss.n_input == len(factor)
    assert abs(fd.loss.loss - (1 - len(al_data) / len(factor))) < 1e-15


@pytest.mark.parametrize(
    "kw",
    [
        {"demeaned": True},
        {"demeaned": False},
        {"group_adjust": True},
        {"demeaned": True, "by_group": True},
        {"group_adjust": True, "by_group": True},
    ],
)
def test_mean_return_by_quantile(pair, kw):
    fd, al_data = pair
    al_kw = dict(kw)
    al_mean, al_se = al.performance.mean_return_by_quantile(al_data, **al_kw)
    mean, se = mean_return_by_quantile(fd, **kw)
    if kw.get("by_group"):
        key = [(int(q), str(g)) for q, g in al_mean.index]
        mean.index = pd.MultiIndex.from_tuples([(q, str(g)) for q, g in mean.index])
        se.index = mean.index
        mean, se = mean.loc[key], se.loc[key]
    _close(mean, al_mean)
    _close(se, al_se)


@pytest.mark.parametrize("kw", [{"demeaned": True}, {"group_adjust": True}])
def test_mean_return_by_date_and_spread(pair, kw):
    fd, al_data = pair
    al_mean, al_se = al.performance.mean_return_by_quantile(al_data, by_date=True, **kw)
    mean, se = quantile_returns_by_date(fd, **kw)
    al_mean = al_mean.swaplevel().sort_index()
    al_se = al_se.swaplevel().sort_index()
    assert list(mean.index) == [(d, int(q)) for d, q in al_mean.index]
    _close(mean, al_mean)
    _close(se, al_se)
    # alphalens 0.5 halves the top-minus-bottom difference (100% gross); ours is raw
    al_spread, _ = al.performance.compute_mean_returns_spread(
        al_mean.swaplevel(), 5, 1, al_se.swaplevel()
    )
    spread, _ = quantile_spread(fd, **kw)
    al_spread = al_spread.dropna()
    assert spread.index.equals(al_spread.index)
    _close(spread / 2.0, al_spread)


@pytest.mark.parametrize(
    "kw", [{"demeaned": True}, {"demeaned": False}, {"group_adjust": True, "demeaned": True}]
)
def test_factor_weights_and_returns(pair, kw):
    fd, al_data = pair
    al_w = al.performance.factor_weights(al_data, **kw).sort_index()
    w = factor_weights(fd, **kw)
    w.index.names = ["date", "asset"]
    w = w.sort_index()
    assert w.index.equals(al_w.index)
    _close(w, al_w)
    al_r = al.performance.factor_returns(al_data, **kw).dropna(how="all")
    r = factor_returns(fd, **kw)
    assert r.index.equals(al_r.index)
    _close(r, al_r)


@pytest.mark.parametrize("group_adjust", [False, True])
def test_information_coefficient(pair, group_adjust):
    fd, al_data = pair
    al_ic = _quiet(al.performance.factor_information_coefficient, al_data, group_adjust)
    al_ic = al_ic.dropna(how="all")
    ic = factor_ic(fd, group_adjust=group_adjust).loc[al_ic.index]
    _close(ic, al_ic)
    # the mean IC per horizon (alphalens' mean_information_coefficient; our IC decay)
    _close(ic.mean(), al.performance.mean_information_coefficient(al_data, group_adjust))


def test_information_coefficient_by_group(pair):
    fd, al_data = pair
    al_ic = _quiet(al.performance.factor_information_coefficient, al_data, by_group=True)
    ic = ic_by_group(fd)
    ic.index = pd.MultiIndex.from_arrays(
        [ic.index.get_level_values(0), ic.index.get_level_values(1).astype(str)]
    )
    al_ic.index = pd.MultiIndex.from_arrays(
        [al_ic.index.get_level_values(0), al_ic.index.get_level_values(1).astype(str)]
    )
    ic = ic.loc[al_ic.index]
    _close(ic, al_ic)
    al_mean = _quiet(al.performance.mean_information_coefficient, al_data, by_group=True)
    ours = ic.groupby(level=1).mean().loc[[str(g) for g in al_mean.index]]
    _close(ours, al_mean)


@pytest.mark.parametrize("lag", [1, 5])
def test_quantile_turnover(pair, lag):
    fd, al_data = pair
    ours = quantile_turnover(fd, lag)
    for q in range(1, 6):
        # alphalens keeps NaN rows (a date with no earlier calendar date); we leave them out
        al_t = al.performance.quantile_turnover(al_data["factor_quantile"], q, lag).dropna()
        mine = ours[q].dropna()
        assert mine.index.equals(al_t.index), q
        _close(mine, al_t)


@pytest.mark.parametrize("lag", [1, 5])
def test_rank_autocorrelation(pair, lag):
    fd, al_data = pair
    al_ac = al.performance.factor_rank_autocorrelation(al_data, lag).dropna()
    ac = rank_autocorrelation(fd, lag)
    assert ac.index.equals(al_ac.index)
    _close(ac, al_ac)


def test_engine_long_short_equals_factor_returns_without_fees(pair, data):
    """The engine's factor-weighted portfolio, rebalanced every bar at no cost, earns the
    1-bar factor return of alphalens one bar later (while every held price is known)."""
    fd, al_data = pair
    close = data[0]
    al_r = al.performance.factor_returns(al_data)["1D"].dropna()  # NaN: dates without rows
    res = portfolio_backtest(fd, 1, fees=0.0)
    eng = res.returns["long_short"]
    nxt = pd.Series(eng.to_numpy()[1:], index=eng.index[:-1])
    gap = close.index[9:15]  # bars around asset S03's missing prices
    common = al_r.index.difference(gap)
    _close(nxt.loc[common], al_r.loc[common])


def test_engine_fees_cost_turnover(pair):
    fd, _ = pair
    free = portfolio_backtest(fd, 1, fees=0.0).table
    paid = portfolio_backtest(fd, 1, fees=0.002).table
    assert (paid["total_fees"] > 0).all()
    assert (paid["final_value"] < free["final_value"]).all()


@pytest.mark.parametrize("max_loss", [0.10, 0.2])
def test_max_loss_threshold_matches(data, max_loss):
    close, factor, _ = data
    loss = 1 - len(_al_clean(factor, close, quantiles=5, max_loss=1.0)) / len(factor)
    exceeded = loss > max_loss
    if exceeded:
        with pytest.raises(al.utils.MaxLossExceededError):
            _al_clean(factor, close, quantiles=5, max_loss=max_loss)
        with pytest.raises(ValidationError, match=r"factor lost .* more than max_loss"):
            clean_factor(factor, close, horizons=HORIZONS, quantiles=5, max_loss=max_loss)
    else:
        fd = clean_factor(factor, close, horizons=HORIZONS, quantiles=5, max_loss=max_loss)
        assert abs(fd.loss.loss - loss) < 1e-15
    assert loss > 0.10  # the first case really raises


def test_quantile_levels_and_bins(data):
    close, factor, _ = data
    levels = [0.0, 0.1, 0.5, 0.9, 1.0]
    al_data = _al_clean(factor, close, quantiles=levels, max_loss=0.9)
    fd = clean_factor(factor, close, horizons=HORIZONS, quantiles=levels, max_loss=0.9)
    ours = _ours_frame(fd, al_data)
    assert ours.index.equals(al_data.index)
    np.testing.assert_array_equal(ours["quantile"], al_data["factor_quantile"])
    edges = [-1.0, -0.02, 0.0, 0.03, 1.0]
    al_data = _al_clean(factor, close, quantiles=None, bins=edges, max_loss=0.9)
    fd = clean_factor(factor, close, horizons=HORIZONS, quantiles=None, bins=edges, max_loss=0.9)
    ours = _ours_frame(fd, al_data)
    assert ours.index.equals(al_data.index)
    np.testing.assert_array_equal(ours["quantile"], al_data["factor_quantile"])


def test_forward_returns_equal_alphalens_compute_forward_returns(data):
    close, factor, _ = data
    al_fwd = _quiet(al.utils.compute_forward_returns, factor, close, periods=HORIZONS)
    ours = forward_returns(close, HORIZONS)
    for k, h in enumerate(HORIZONS):
        stacked = ours[h].stack(future_stack=True)
        stacked.index.names = ["date", "asset"]
        _close(stacked.reindex(al_fwd.index), al_fwd.iloc[:, k])
