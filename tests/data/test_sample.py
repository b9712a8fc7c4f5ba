"""The synthetic universe: determinism, shapes, consistency, the planted component."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlab.data import (
    DISCLOSURE_COLUMNS,
    sample_universe,
    validate_disclosures,
    validate_ohlcv,
)
from quantlab.errors import ParameterError


def test_deterministic_and_consistent():
    a = sample_universe(n_assets=6, n_days=80, seed=11)
    b = sample_universe(n_assets=6, n_days=80, seed=11)
    assert a.close.equals(b.close) and a.events.equals(b.events)
    assert not a.close.equals(sample_universe(n_assets=6, n_days=80, seed=12).close)
    validate_ohlcv(a.ohlcv)
    assert a.close.shape == (80, 6)
    assert a.params["synthetic"] is True
    assert set(a.sectors) == set(a.symbols)
    assert set(np.unique(a.regimes)) <= {0, 1}


def test_disclosure_table_is_realistic():
    u = sample_universe(n_assets=20, n_days=500, seed=1)
    ev = u.events
    assert ev is u.disclosures
    assert tuple(ev.columns) == DISCLOSURE_COLUMNS
    pd.testing.assert_frame_equal(validate_disclosures(ev), ev)  # the schema, in order
    assert ev["filer"].nunique() >= 30 and set(ev["chamber"]) == {"house", "senate"}
    assert 1 <= len(u.skilled_filers) <= 0.2 * ev["filer"].nunique()
    assert set(u.skilled_filers) <= set(ev["filer"])
    assert set(ev["owner"]) == {"self", "spouse", "joint", "dependent"}
    assert set(ev["side"]) == {1, -1}
    assert ev["amount_low"].nunique() >= 5  # several official brackets
    assert (ev["lag_days"] >= 1).all()
    late = (ev["lag_days"] > 45).mean()
    assert 0.03 < late < 0.25  # some filings break the 45-day limit
    assert ev["lag_days"].median() < 45
    # disclosures fall on business days, and every row is known inside the sample
    assert (ev["disclosure_date"].dt.dayofweek < 5).all()
    assert ev["available_at"].max() <= u.close.index[-1]
    assert set(ev["symbol"]) <= set(u.symbols)


def _signed_drift(u, filers, horizon=10):
    """side * (asset minus cross-sectional mean) log return over the `horizon` bars that
    start at the first bar on which each trade of `filers` is known, one value a trade."""
    logret = np.log(u.close).diff()
    excess = logret.sub(logret.mean(axis=1), axis=0).to_numpy()
    index = u.close.index
    vals = []
    for row in u.events[u.events["filer"].isin(filers)].itertuples():
        t0 = index.searchsorted(row.available_at)
        if t0 + horizon <= len(index):
            vals.append(row.side * excess[t0 : t0 + horizon, u.symbols.index(row.symbol)].sum())
    return vals


def _t_stat(vals):
    v = np.asarray(vals)
    return v.mean() / (v.std(ddof=1) / np.sqrt(len(v)))


def test_skilled_filers_trades_drift_after_disclosure_and_no_one_elses():
    skilled, others, null = [], [], []
    for seed in range(4):
        kw = {"n_assets": 20, "n_days": 1000, "seed": seed, "n_filers": 20}
        u = sample_universe(**kw)
        skilled += _signed_drift(u, u.skilled_filers)
        others += _signed_drift(u, sorted(set(u.events["filer"]) - set(u.skilled_filers)))
        n = sample_universe(**kw, signal_strength=0.0)
        assert n.events.equals(u.events) and n.skilled_filers == u.skilled_filers
        null += _signed_drift(n, n.skilled_filers)
    # planted: 0.15 * sigma (0.012-0.025) * size (0.7-1.5) a day for 10 days ~ +2%
    assert _t_stat(skilled) > 5 and 0.01 < np.mean(skilled) < 0.04
    assert abs(_t_stat(others)) < 3 and abs(_t_stat(null)) < 3


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"n_assets": 1}, "n_assets must be an int >= 2"),
        ({"n_days": 3}, "n_days must be an int >= 10"),
        ({"signal_strength": -1.0}, "signal_strength must be a finite number >= 0"),
        ({"n_sectors": 0}, "n_sectors must be an int between 1 and n_assets"),
        ({"event_rate": 2.0}, r"event_rate must be in \[0, 1\]"),
        ({"n_filers": 0}, r"n_filers must be an int >= 1; got 0"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        sample_universe(**kwargs)
