"""copy_trade_weights against the naive reference; caps; no look-ahead; engine fills."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import quantlab as ql
from quantlab.errors import DataTypeError, ParameterError, ValidationError
from tests.events._tables import disclosure_table, random_prices, random_table
from tests.events.naive_copytrade import copy_weights

SYMBOLS = ["AAA", "BBB", "CCC", "DDD"]


def _compare(table, close, open_, **kw):
    weights, report = ql.events.copy_trade_weights(table, close, open=open_, **kw)
    ref, counts, n_opened = copy_weights(table, close, open=open_, **kw)
    assert list(weights.columns) == list(ref.columns)
    assert weights.columns.names == ref.columns.names
    np.testing.assert_allclose(weights.to_numpy(), ref.to_numpy(), rtol=1e-12, atol=1e-15)
    assert report.counts == counts
    assert report.n_opened == n_opened
    assert report.n_events == len(table)
    return weights, report


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 30),
    hold=st.integers(1, 6),
    exit_on_sale=st.booleans(),
    short_sales=st.booleans(),
    weighting=st.sampled_from(["equal", "amount"]),
    max_positions=st.sampled_from([None, 1, 2]),
    position_cap=st.sampled_from([None, 0.4, 1.0]),
    per=st.sampled_from(["filer", None, "chamber"]),
    clock=st.sampled_from(["disclosure", "transaction"]),
    with_open=st.booleans(),
)
def test_weights_match_naive_reference(
    seed,
    n,
    hold,
    exit_on_sale,
    short_sales,
    weighting,
    max_positions,
    position_cap,
    per,
    clock,
    with_open,
):
    rng = np.random.default_rng(seed)
    close, open_ = random_prices(rng, 25, SYMBOLS[:3], nan_share=0.15)
    # dates reach before and after the panel; "DDD" is not a column of the prices
    table = random_table(rng, n, ["ann", "bob", "cy"], SYMBOLS, "2019-12-20", "2020-02-15")
    _compare(
        table,
        close,
        open_ if with_open else None,
        hold=hold,
        exit_on_sale=exit_on_sale,
        short_sales=short_sales,
        weighting=weighting,
        max_positions=max_positions,
        position_cap=position_cap,
        per=per,
        clock=clock,
    )


def test_hand_written_case_overlaps_sales_and_nan_entry():
    idx = pd.bdate_range("2024-01-01", periods=10)  # Mon 1st .. Fri 12th
    close = pd.DataFrame({"A": 10.0, "B": 20.0}, index=idx)
    close.loc[idx[3], "B"] = np.nan  # Thu 4th: B has no price
    table = disclosure_table(
        ["x", "x", "x", "x", "x"],
        ["A", "A", "B", "A", "ZZZ"],
        [1, 1, 1, -1, 1],
        ["2023-12-20"] * 5,
        # A bought (known Tue 2nd), A bought again (Wed 3rd, extends), B known Thu 4th ->
        # deferred to Fri 5th, A sold (known Tue 9th), ZZZ missing
        ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-08", "2024-01-02"],
    )
    w, report = ql.events.copy_trade_weights(table, close, hold=5)
    x = w["x"]
    assert x.loc["2024-01-02"].tolist() == [1.0, 0.0]
    assert x.loc["2024-01-03"].isna().all()  # extension to Wed 10th: no change
    assert x.loc["2024-01-05"].tolist() == [0.5, 0.5]  # B enters on Fri (deferred)
    assert x.loc["2024-01-09"].tolist() == [0.0, 1.0]  # sale of A disclosed: A exits
    assert x.loc["2024-01-10"].isna().all()  # A's extended end: already closed
    assert x.loc["2024-01-12"].tolist() == [0.0, 0.0]  # B's 5 bars are over
    assert (
        x.drop(pd.to_datetime(["2024-01-02", "2024-01-05", "2024-01-09", "2024-01-12"]))
        .isna()
        .all()
        .all()
    )
    assert report.counts["deferred_nan_price"] == 1
    assert report.counts["missing_symbol"] == 1
    assert report.missing_symbols == ("ZZZ",)
    assert "symbols not in the prices: ZZZ" in str(report)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cap=st.sampled_from([0.1, 0.25, 0.5]), k=st.integers(1, 4))
def test_weights_respect_caps(seed, cap, k):
    rng = np.random.default_rng(seed)
    close, _ = random_prices(rng, 60, SYMBOLS[:3] + ["EEE", "FFF", "GGG"])
    table = random_table(rng, 80, ["ann", "bob"], list(close.columns), "2020-01-01", "2020-03-20")
    w, _ = ql.events.copy_trade_weights(
        table, close, hold=10, max_positions=k, position_cap=cap, short_sales=True
    )
    vals = w.to_numpy()
    assert np.nanmax(np.abs(vals)) <= cap + 1e-12
    for filer in w.columns.get_level_values(0).unique():
        sub = w[filer].dropna(how="all")
        assert ((sub != 0).sum(axis=1) <= k).all()
        assert (sub.abs().sum(axis=1) <= 1 + 1e-12).all()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cut=st.integers(5, 55))
def test_no_look_ahead(seed, cut):
    """Changing prices and disclosures after bar ``cut`` leaves the weights before it."""
    rng = np.random.default_rng(seed)
    close, open_ = random_prices(rng, 60, SYMBOLS[:3], nan_share=0.1)
    table = random_table(rng, 40, ["ann", "bob"], SYMBOLS[:3], "2020-01-01", "2020-03-31")
    kw = dict(hold=5, max_positions=2, short_sales=True)
    before, _ = ql.events.copy_trade_weights(table, close, open=open_, **kw)
    t = close.index[cut]
    close2, open2 = close.copy(), open_.copy()
    late = close.index >= t
    noise = np.exp(rng.normal(0, 0.3, close.shape))
    close2.loc[late] = close.loc[late] * noise[late]
    open2.loc[late] = open_.loc[late] * noise[late]
    open2.loc[late & (rng.random(len(close)) < 0.3), "AAA"] = np.nan
    future = table["available_at"] > t
    table2 = table.copy()
    table2.loc[future, "side"] = -table2.loc[future, "side"]
    extra = random_table(
        rng, 10, ["ann", "bob"], SYMBOLS[:3], t + pd.Timedelta(days=1), "2020-04-30"
    )
    table2 = pd.concat([table2, extra], ignore_index=True)
    after, _ = ql.events.copy_trade_weights(table2, close2, open=open2, **kw)
    common = before.columns.intersection(after.columns)
    a = before.loc[before.index < t, common].fillna(-9).to_numpy()
    b = after.loc[after.index < t, common].fillna(-9).to_numpy()
    # a column only the changed table has, is all-NaN before t
    new = after.columns.difference(before.columns)
    assert after.loc[after.index < t, new].isna().all().all()
    # columns only the first table had: their symbol never traded before t
    gone = before.columns.difference(after.columns)
    assert before.loc[before.index < t, gone].isna().all().all()
    np.testing.assert_array_equal(a, b)


def test_one_filer_equity_equals_hand_built_from_weights():
    rng = np.random.default_rng(7)
    close, open_ = random_prices(rng, 30, ["A", "B"])
    idx = close.index
    # known on bar 3 (A) and bar 6 (B): bought at those bars' opens, held 5 bars
    table = disclosure_table(["x", "x"], ["A", "B"], [1, 1], [idx[0], idx[0]], [idx[2], idx[5]])
    res, report = ql.events.copy_trade(
        table, close, open=open_, hold=5, fees=0.001, slippage=0.0005, init_cash=1e4
    )
    # by hand: decided on the bar before each change, filled at the next open
    hand = pd.DataFrame(
        np.nan, index=idx, columns=pd.MultiIndex.from_tuples([("x", "A"), ("x", "B")])
    )
    hand.iloc[2] = [1.0, 0.0]  # fills at bar 3's open: all in A
    hand.iloc[5] = [0.5, 0.5]  # bar 6: A and B
    hand.iloc[7] = [0.0, 1.0]  # bar 8: A's 5 bars are over
    hand.iloc[10] = [0.0, 0.0]  # bar 11: B's too
    ref = ql.backtest.from_weights(
        close, hand, open=open_, price="next_open", fees=0.001, slippage=0.0005, init_cash=1e4
    )
    np.testing.assert_allclose(res.equity.to_numpy(), ref.equity.to_numpy(), rtol=1e-12)
    assert report.n_opened == 2
    orders = res.orders
    assert orders["timestamp"].iloc[0] == idx[3]
    assert orders["price"].iloc[0] == pytest.approx(open_["A"].iloc[3] * 1.0005)  # its open
    assert res.equity["x"].iloc[:3].tolist() == [1e4] * 3


def test_close_execution_without_open_trades_at_the_entry_close():
    idx = pd.bdate_range("2024-01-01", periods=6)
    close = pd.DataFrame({"A": [10.0, 10.0, 10.0, 12.0, 12.0, 12.0]}, index=idx)
    table = disclosure_table(["x"], ["A"], [1], ["2023-12-29"], ["2024-01-02"])  # known Wed
    res, _ = ql.events.copy_trade(table, close, hold=2, init_cash=100.0)
    assert res.equity["x"].round(9).tolist() == [100.0, 100.0, 100.0, 120.0, 120.0, 120.0]


def test_stats_mode_matches_full_mode_and_chunks(monkeypatch):
    rng = np.random.default_rng(3)
    close, open_ = random_prices(rng, 120, SYMBOLS)
    table = random_table(
        rng, 150, [f"f{i}" for i in range(12)], SYMBOLS, "2020-01-01", "2020-06-01"
    )
    kw = dict(open=open_, hold=7, fees=0.001, short_sales=True)
    full, _ = ql.events.copy_trade(table, close, **kw)
    monkeypatch.setattr(ql.events.copytrade, "_MAX_CELLS", 500)  # a chunk per few filers
    stats, report = ql.events.copy_trade(table, close, mode="stats", keep_returns=True, **kw)
    np.testing.assert_allclose(stats.table["final_value"], full.equity.iloc[-1], rtol=1e-10)
    np.testing.assert_allclose(stats.returns.to_numpy(), full.returns.to_numpy(), atol=1e-12)
    assert list(stats.table.index) == list(full.equity.columns)
    assert report.n_used > 0


def test_tz_aware_prices():
    idx = pd.bdate_range("2024-01-01", periods=5, tz="America/New_York")
    close = pd.DataFrame({"A": 10.0}, index=idx)
    table = disclosure_table(["x"], ["A"], [1], ["2024-01-01"], ["2024-01-02"])
    w, _ = ql.events.copy_trade_weights(table, close, hold=2)
    assert w.index.equals(idx)
    assert w[("x", "A")].iloc[2] == 1.0  # known at midnight Jan 3 (New York)


# ---------------------------------------------------------------------- bad input


def _small():
    idx = pd.bdate_range("2024-01-01", periods=5)
    close = pd.DataFrame({"A": 10.0}, index=idx)
    table = disclosure_table(["x"], ["A"], [1], ["2024-01-01"], ["2024-01-02"])
    return table, close


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (dict(hold=0), ParameterError, r"hold must be a positive number of bars; got 0"),
        (dict(max_positions=0), ParameterError, r"max_positions must be a positive int or None"),
        (dict(position_cap=1.5), ParameterError, r"position_cap must be in \(0, 1\].*got 1.5"),
        (dict(weighting="size"), ParameterError, r"weighting must be one of .*got 'size'"),
        (dict(clock="trade"), ParameterError, r"clock must be one of .*got 'trade'"),
        (dict(per="party"), ValidationError, r"disclosures lacks the column\(s\) \['party'\]"),
    ],
)
def test_bad_parameters(change, error, match):
    table, close = _small()
    with pytest.raises(error, match=match):
        ql.events.copy_trade_weights(table, close, **change)


def test_bad_tables():
    table, close = _small()
    with pytest.raises(DataTypeError, match=r"disclosures must be a pandas DataFrame.*got list"):
        ql.events.copy_trade_weights([1, 2], close)
    bad = table.assign(side=2)
    with pytest.raises(
        ValidationError, match=r"disclosures\['side'\] must be \+1 .*got 2 in 1 row"
    ):
        ql.events.copy_trade_weights(bad, close)
    bad = table.assign(available_at=["2024-01-03"])
    with pytest.raises(DataTypeError, match=r"disclosures\['available_at'\] must be datetime64"):
        ql.events.copy_trade_weights(bad, close)
    bad = table.assign(filer=None)
    with pytest.raises(
        ValidationError, match=r"disclosures\['filer'\] \(per='filer'\) has 1 missing"
    ):
        ql.events.copy_trade_weights(bad, close)
    bad = table.assign(amount_mid=0.0)
    with pytest.raises(ValidationError, match=r"weighting='amount' needs a finite amount_mid > 0"):
        ql.events.copy_trade_weights(bad, close, weighting="amount")
    with pytest.raises(DataTypeError, match=r"close must have a DatetimeIndex"):
        ql.events.copy_trade_weights(table, close.reset_index(drop=True))
    with pytest.raises(ValidationError, match=r"open must have the index and columns of close"):
        ql.events.copy_trade_weights(table, close, open=close.iloc[1:])


def test_nothing_placed_is_an_error_naming_the_counts():
    table, close = _small()
    table = table.assign(symbol="QQQ")
    with pytest.raises(ValidationError, match=r"no disclosure could be placed.*missing_symbol 1"):
        ql.events.copy_trade(table, close)


def test_events_outside_the_history_are_counted():
    idx = pd.bdate_range("2024-01-01", periods=5)
    close = pd.DataFrame({"A": 10.0}, index=idx)
    close.loc[idx[3] :, "A"] = np.nan  # no price from Thursday on
    table = disclosure_table(
        ["x"] * 4,
        ["A"] * 4,
        [1] * 4,
        ["2023-12-01"] * 4,
        ["2023-12-15", "2024-01-01", "2024-01-03", "2024-02-01"],
    )
    _, report = ql.events.copy_trade_weights(table, close)
    assert report.counts["before_history"] == 1
    assert report.counts["no_price"] == 1  # known Thu, no price left
    assert report.counts["after_history"] == 1
    assert report.n_used == 1


def test_kernels_compiled_and_pure_python_agree():
    from quantlab.events import _copytrade_kernel as K
    from quantlab.events import copytrade as CT

    rng = np.random.default_rng(12)
    close, open_ = random_prices(rng, 80, SYMBOLS[:3], nan_share=0.1)
    table = random_table(rng, 60, ["ann", "bob", "cy"], SYMBOLS, "2019-12-20", "2020-05-15")
    plan, _ = CT._plan(
        table,
        close,
        open_,
        hold=6,
        exit_on_sale=True,
        weighting="amount",
        max_positions=2,
        position_cap=0.6,
        short_sales=True,
        per="filer",
        clock="disclosure",
    )
    fast = K.holding_intervals(plan.events, plan.rules, 80)
    slow = K.holding_intervals.py_func(plan.events, plan.rules, 80)
    k = fast[5]
    assert k == slow[5] > 0
    for a, b in zip(fast[:5], slow[:5], strict=True):
        np.testing.assert_array_equal(a[:k], b[:k])
    for a, b in zip(fast[6:], slow[6:], strict=True):
        np.testing.assert_array_equal(a, b)
    group_of_col = np.repeat(np.arange(len(plan.group_labels)), np.diff(plan.events.col_start))
    outs = []
    for fill in (K.fill_weights, K.fill_weights.py_func):
        out = np.full((len(plan.columns), 80), np.nan)
        fill(plan.events.col_start, group_of_col, *(x[:k] for x in fast[:5]), plan.rules, 1, out)
        outs.append(out)
    np.testing.assert_array_equal(outs[0], outs[1])
    assert np.isfinite(outs[0]).any()
