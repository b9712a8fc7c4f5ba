"""Planted and null samples: the study finds a planted drift at its horizon and size, and on
null samples the share of significant groups matches the nominal level (5%)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quantlab as ql

DRIFT, HORIZON = 0.0015, 20  # planted abnormal return per day on days 1..20 after day 0
STATS = ["t_cross_section", "patell", "bmp", "kolari_pynnonen", "corrado", "generalized_sign"]


def _table(index, asset, day0, rng, n_filers):
    """Disclosure rows (contract schema) whose available_at is bar ``day0``'s midnight."""
    n = len(asset)
    available = index[day0]
    lag = rng.integers(1, 45, n)
    disclosed = available - pd.Timedelta(days=1)
    side = rng.choice(np.array([1, -1], dtype=np.int8), n)
    return pd.DataFrame(
        {
            "filer": [f"filer {i:03d}" for i in rng.integers(0, n_filers, n)],
            "symbol": [f"S{j:03d}" for j in asset],
            "side": side,
            "transaction_date": disclosed - pd.to_timedelta(lag, unit="D"),
            "disclosure_date": disclosed,
            "available_at": available,
            "lag_days": lag,
        }
    )


def _prices(r, index):
    cols = [f"S{j:03d}" for j in range(r.shape[1])]
    return pd.DataFrame(40 * np.exp(np.cumsum(np.log1p(r), axis=0)), index=index, columns=cols)


@pytest.fixture(scope="module")
def planted():
    rng = np.random.default_rng(2026)
    n_bars, n_assets = 1100, 80
    index = pd.bdate_range("2010-01-01", periods=n_bars)
    m = rng.normal(0.0003, 0.01, n_bars)
    r = m[:, None] * rng.uniform(0.6, 1.4, n_assets) + rng.normal(0, 0.01, (n_bars, n_assets))
    # 5 events per asset, 150+ bars apart: no two windows of one asset overlap
    asset = np.repeat(np.arange(n_assets), 5)
    day0 = np.concatenate(
        [300 + 150 * np.arange(5) + rng.integers(0, 60, 5) for _ in range(n_assets)]
    )
    events = _table(index, asset, day0, rng, 10)
    for j, d, s in zip(asset, day0, events["side"], strict=True):
        r[d + 1 : d + 1 + HORIZON, j] += s * DRIFT  # buys drift up, sales down
    study = ql.events.event_study(events, _prices(r, index), window=(-10, 60))
    return study, events


def test_planted_drift_is_found_at_its_size(planted):
    study, events = planted
    assert len(study.events) == len(events)  # nothing dropped
    table = study.by("side", 1, HORIZON, seed=1).set_index(["side", "statistic"])
    for side in (1, -1):
        row = table.loc[(side, "bootstrap")]
        assert row["ci_low"] < side * DRIFT * HORIZON < row["ci_high"]
        se = (row["ci_high"] - row["ci_low"]) / (2 * 1.96)
        assert abs(row["caar"] - side * DRIFT * HORIZON) < 3 * se < 0.01
        for name in STATS:
            assert table.loc[(side, name), "p_value"] < 1e-3, name
            assert np.sign(table.loc[(side, name), "value"]) == side, name


def test_planted_drift_ends_at_its_horizon(planted):
    study, _ = planted
    buys = study.events.index[study.events["side"] == 1]
    after = study.by("side", HORIZON + 1, 60).set_index(["side", "statistic"])
    before = study.by("side", -10, 0).set_index(["side", "statistic"])
    for tbl in (after, before):
        assert tbl.loc[(1, "bmp"), "p_value"] > 0.01
        assert tbl.loc[(-1, "bmp"), "p_value"] > 0.01
    # the horizon: the kink h of the best fit CAAR(1, t) = s * min(t, h), t = 1..60
    signed = study.ar.mul(np.where(study.events["side"] == 1, 1.0, -1.0), axis=0)
    caar = signed.loc[:, 1:60].mean().cumsum().to_numpy()
    t = np.arange(1, 61)
    sse = []
    for h in range(2, 59):
        base = np.minimum(t, h).astype(float)
        s = base @ caar / (base @ base)
        sse.append(((caar - s * base) ** 2).sum())
    assert abs(2 + int(np.argmin(sse)) - HORIZON) <= 2
    assert len(buys) > 150


def test_null_share_of_significant_groups_matches_the_level():
    rng = np.random.default_rng(99)
    n_bars, n_assets, n_groups, per_group = 1300, 200, 200, 12
    index = pd.bdate_range("2008-01-01", periods=n_bars)
    m = rng.normal(0.0003, 0.01, n_bars)
    r = m[:, None] * rng.uniform(0.6, 1.4, n_assets) + rng.normal(0, 0.015, (n_bars, n_assets))
    n = n_groups * per_group
    asset = rng.integers(0, n_assets, n)
    day0 = rng.integers(300, n_bars - 70, n)
    events = _table(index, asset, day0, rng, 1)
    events["filer"] = [f"filer {g:03d}" for g in np.repeat(np.arange(n_groups), per_group)]
    study = ql.events.event_study(events, _prices(r, index), window=(-10, 60), overlap="keep")
    table = study.by("filer", 0, 20, n_boot=499)
    share = (
        table[table.statistic.isin(STATS + ["bootstrap"])]
        .groupby("statistic")
        .apply(lambda g: (g.p_value < 0.05).mean(), include_groups=False)
    )
    # Binomial(200, 0.05): 10 expected, sd 3.1; [0.02, 0.09] is about -2.5..+2.6 sd
    assert share.between(0.02, 0.09).all(), share.to_dict()
    assert share.mean() == pytest.approx(0.05, abs=0.02), share.to_dict()


def test_clustered_null_bmp_over_rejects_kolari_pynnonen_does_not():
    """Groups of 15 events on the same day in 15 assets of one sector (a shared shock the
    market does not remove): BMP over-rejects (44% at 5%), the KP-adjusted t does not (it is
    conservative here: 0 of 80 groups)."""
    rng = np.random.default_rng(7)
    n_bars, n_sectors, per_sector, n_groups = 1300, 8, 15, 80
    n_assets = n_sectors * per_sector
    index = pd.bdate_range("2008-01-01", periods=n_bars)
    m = rng.normal(0.0003, 0.01, n_bars)
    sector = rng.normal(0, 0.01, (n_bars, n_sectors))
    r = (
        m[:, None] * rng.uniform(0.6, 1.4, n_assets)
        + np.repeat(sector, per_sector, axis=1)
        + rng.normal(0, 0.012, (n_bars, n_assets))
    )
    groups = rng.integers(0, n_sectors, n_groups)
    dates = rng.choice(np.arange(300, n_bars - 70), n_groups, replace=False)
    asset = np.concatenate([g * per_sector + np.arange(per_sector) for g in groups])
    day0 = np.repeat(dates, per_sector)
    events = _table(index, asset, day0, rng, 1)
    events["filer"] = np.repeat([f"cluster {i:02d}" for i in range(n_groups)], per_sector)
    study = ql.events.event_study(events, _prices(r, index), window=(-5, 10))
    table = study.by("filer", 0, 5, n_boot=1).set_index("statistic")
    rejects = (table.p_value < 0.05).groupby(level=0).mean()
    assert rejects["bmp"] > 0.3, rejects.to_dict()
    assert rejects["kolari_pynnonen"] <= 0.11, rejects.to_dict()
    assert table.loc["kolari_pynnonen", "rbar"].mean() > 0.2  # the residuals' sector share
