"""leaderboard: statistics cross-checked with quantlab.metrics.inference, metrics and
statsmodels; a planted-skill filer found, a null population not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests

import quantlab as ql
from quantlab.errors import AlignmentError, ValidationError
from quantlab.metrics import inference
from tests.events._tables import disclosure_table, random_prices, random_table

SYMBOLS = [f"S{i:02d}" for i in range(20)]


@settings(max_examples=50, deadline=None)
@given(
    p=st.lists(
        st.one_of(st.floats(0, 1), st.sampled_from([0.0, 0.01, 0.05, 1.0, float("nan")])),
        min_size=0,
        max_size=40,
    )
)
def test_bh_matches_statsmodels(p):
    p = np.array(p, dtype=float)
    q = ql.events.bh_qvalues(p)
    fin = ~np.isnan(p)
    assert np.isnan(q[~fin]).all()
    if fin.any():
        ref = multipletests(p[fin], method="fdr_bh")[1]
        np.testing.assert_allclose(q[fin], ref, rtol=1e-12, atol=1e-15)


def test_bh_refuses_non_probabilities():
    with pytest.raises(ValidationError, match=r"p_values must lie in \[0, 1\].*got 1.5 in 1"):
        ql.events.bh_qvalues([0.1, 1.5])


def _population(seed, n_null, skilled=False, n_bars=750, trades=30):
    rng = np.random.default_rng(seed)
    close, open_ = random_prices(rng, n_bars, SYMBOLS, vol=0.015)
    idx = close.index
    rows = []
    for f in range(n_null):
        for b in rng.integers(5, n_bars - 30, trades):
            rows.append((f"null{f:03d}", SYMBOLS[rng.integers(len(SYMBOLS))], idx[b]))
    if skilled:
        fwd = open_.shift(-20) / open_ - 1  # from the entry open to 20 bars later
        for b in rng.integers(5, n_bars - 30, trades):
            # disclosed on bar b -> known at midnight -> enters at bar b + 1's open
            rows.append(("oracle", fwd.iloc[b + 1].idxmax(), idx[b]))
    filer, symbol, disc = zip(*rows, strict=True)
    tx = [d - pd.Timedelta(days=30) for d in disc]
    table = disclosure_table(list(filer), list(symbol), [1] * len(rows), tx, list(disc))
    return table, close, open_


def test_statistics_match_inference_on_full_mode_returns():
    table, close, open_ = _population(1, 8, skilled=True, n_bars=400, trades=15)
    kw = dict(open=open_, hold=20, fees=0.0005)
    board = ql.events.leaderboard(table, close, **kw)
    res, _ = ql.events.copy_trade(table, close, **kw)
    w, _ = ql.events.copy_trade_weights(table, close, open=open_, hold=20)
    rets = res.returns.copy()
    for filer in rets.columns:
        held = w[filer].fillna(0).abs().sum(axis=1) > 0
        first = int(np.argmax(held.to_numpy()))
        rets.iloc[:first, rets.columns.get_loc(filer)] = np.nan
    t = board.table.loc[rets.columns]
    psr = inference.probabilistic_sharpe_from_returns(rets)
    np.testing.assert_allclose(t["psr"], psr, rtol=1e-9)
    np.testing.assert_allclose(t["p_value"], 1 - psr, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(t["sharpe"], ql.metrics.sharpe(rets), rtol=1e-9)
    np.testing.assert_allclose(t["n_obs"], rets.notna().sum(), rtol=0)
    np.testing.assert_allclose(t["q_value"], multipletests(1 - psr, method="fdr_bh")[1], rtol=1e-9)
    np.testing.assert_allclose(t["total_return"], res.equity.iloc[-1] / 100.0 - 1, rtol=1e-9)
    best = board.table.index[0]
    dsr = inference.deflated_sharpe_from_returns(rets[best].dropna(), rets)
    assert board.table["dsr"].iloc[0] == pytest.approx(dsr, rel=1e-9)
    assert board.n_trials == 9
    assert (board.table["n_events"] == table["filer"].value_counts()[board.table.index]).all()
    # sorted by p-value
    assert board.table["p_value"].is_monotonic_increasing


def test_planted_skill_ranks_top_with_small_q():
    table, close, open_ = _population(2, 60, skilled=True)
    board = ql.events.leaderboard(table, close, open=open_, hold=20, fees=0.001)
    top = board.table.iloc[0]
    assert board.table.index[0] == "oracle"
    assert top["q_value"] < 0.01
    assert top["dsr"] > 0.95
    assert (board.table["q_value"].iloc[1:] > 0.1).all()  # no null filer discovered


def test_null_population_gives_uniform_p_values():
    table, close, open_ = _population(3, 300, n_bars=500, trades=20)
    board = ql.events.leaderboard(table, close, open=open_, hold=10)
    p = board.table["p_value"].dropna().to_numpy()
    assert len(p) == 300
    assert stats.kstest(p, "uniform").pvalue > 0.01
    assert 0.01 <= (p < 0.05).mean() <= 0.10  # ~ nominal rejections
    assert (board.table["q_value"] > 0.05).all()  # BH: no false discovery
    assert board.table["dsr"].max() < 0.95


def test_groups_and_missing_symbols_are_reported():
    rng = np.random.default_rng(4)
    close, open_ = random_prices(rng, 200, SYMBOLS[:5])
    table = random_table(rng, 120, ["a", "b", "c"], SYMBOLS[:6], "2020-01-01", "2020-10-01")
    board = ql.events.leaderboard(table, close, by="chamber", open=open_)
    assert list(board.table.index.names) == ["chamber"]
    assert set(board.table.index) == {"house", "senate"}
    n_missing = int((table["symbol"] == SYMBOLS[5]).sum())
    assert board.report.counts["missing_symbol"] == n_missing > 0
    assert board.report.missing_symbols == (SYMBOLS[5],)


def test_lag_cost_compares_both_clocks():
    rng = np.random.default_rng(5)
    close, open_ = random_prices(rng, 300, SYMBOLS[:4])
    table = random_table(rng, 60, ["a", "b"], SYMBOLS[:4], "2020-02-01", "2020-12-01")
    lag = ql.events.copy_trade_lag_cost(table, close, open=open_, hold=15, fees=0.001)
    for clock in ("transaction", "disclosure"):
        res, report = ql.events.copy_trade(
            table, close, open=open_, hold=15, fees=0.001, per=None, clock=clock
        )
        assert lag.table.loc["total_return", clock] == pytest.approx(
            res.equity.iloc[-1] / 100.0 - 1, rel=1e-9
        )
        assert lag.reports[clock] == report
    cost = lag.table["transaction"] - lag.table["disclosure"]
    np.testing.assert_allclose(lag.table["cost"], cost)
    with pytest.raises(ValidationError, match=r"copy_trade_lag_cost sets per itself"):
        ql.events.copy_trade_lag_cost(table, close, per="filer")


def test_filers_without_a_position_get_nan_rows_and_are_not_trials():
    rng = np.random.default_rng(6)
    close, open_ = random_prices(rng, 120, SYMBOLS[:3])
    idx = close.index
    table = disclosure_table(
        ["ann", "ann", "ghost", "seller", "bob"],
        [SYMBOLS[0], SYMBOLS[1], "NOPE", SYMBOLS[2], SYMBOLS[2]],
        [1, 1, 1, -1, 1],
        [idx[0]] * 5,
        [idx[10], idx[40], idx[20], idx[30], idx[50]],
    )
    board = ql.events.leaderboard(table, close, open=open_, hold=20)
    t = board.table
    assert set(t.index) == {"ann", "bob", "ghost", "seller"}
    for name in ("ghost", "seller"):  # nothing placed / only a sale: no strategy
        assert t.loc[name, "n_trades"] == 0 and t.loc[name, "n_obs"] == 0
        assert t.loc[name, ["sharpe", "psr", "dsr", "p_value", "q_value"]].isna().all()
    assert t.loc["ghost", "n_events"] == 1
    assert board.n_trials == 2
    assert set(t.index[:2]) == {"ann", "bob"}  # NaN p-values sort last


def test_benchmark_turns_statistics_into_excess_returns():
    """A drifting market makes every long-only copier "significant" against 0; against the
    equal-weighted market the null filers (always invested: 150 purchases each, held 20
    bars) are null again."""
    rng = np.random.default_rng(8)
    close, open_ = random_prices(rng, 750, SYMBOLS, vol=0.01, drift=0.0012)
    table = random_table(
        rng,
        15000,
        [f"f{i:03d}" for i in range(100)],
        SYMBOLS,
        "2020-01-01",
        "2022-10-01",
        buy_share=1.0,
    )
    market = close.pct_change().mean(axis=1).fillna(0.0)
    raw = ql.events.leaderboard(table, close, open=open_, hold=20)
    assert (raw.table["q_value"] < 0.05).mean() > 0.5
    rel = ql.events.leaderboard(table, close, open=open_, hold=20, benchmark=market)
    p = rel.table["p_value"].to_numpy()
    assert stats.kstest(p, "uniform").pvalue > 0.01
    assert (rel.table["q_value"] > 0.05).all()
    # the statistics are those of the excess returns
    res, _ = ql.events.copy_trade(
        table, close, open=open_, hold=20, mode="stats", keep_returns=True
    )
    name = rel.table.index[0]
    n = int(rel.table.loc[name, "n_obs"])
    excess = (res.returns[name] - market).iloc[-n:]
    assert rel.table.loc[name, "sharpe"] == pytest.approx(ql.metrics.sharpe(excess), rel=1e-9)
    with pytest.raises(AlignmentError, match=r"benchmark has no finite return on 1 of the 750"):
        ql.events.leaderboard(table, close, benchmark=market.iloc[1:])
