"""Grouping (tidy tables), CAAR bands, the lag-cost comparison and the plot."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

import quantlab as ql
from tests.events._disclosures import disclosures, panel

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def study():
    rng = np.random.default_rng(21)
    prices, _ = panel(rng, 700, 12)
    events = disclosures(rng, prices.index, list(prices.columns), 150, margin=(320, 70))
    return ql.events.event_study(
        events, prices, estimation=200, window=(-5, 30), group_by="side", overlap="keep"
    )


def test_by_matches_a_study_of_each_group_alone(study):
    table = study.by(["chamber", "side"], 0, 10, n_boot=99)
    assert list(table.columns[:2]) == ["chamber", "side"]
    assert set(table["statistic"]) == {
        "t_cross_section",
        "patell",
        "bmp",
        "kolari_pynnonen",
        "corrado",
        "generalized_sign",
        "bootstrap",
    }
    for (chamber, side), rows in table.groupby(["chamber", "side"]):
        mask = (study.events["chamber"] == chamber) & (study.events["side"] == side)
        car = study.car(0, 10)[mask]
        assert rows["n"].iloc[0] == mask.sum()
        assert rows["caar"].iloc[0] == pytest.approx(car.mean(), rel=1e-12)
        t = rows.set_index("statistic").loc["t_cross_section", "value"]
        assert t == pytest.approx(car.mean() / (car.std(ddof=1) / np.sqrt(len(car))), rel=1e-10)


def test_default_group_and_derived_groups(study):
    by_side = study.by(a=0, b=10, n_boot=99)
    assert sorted(by_side["side"].unique()) == [-1, 1]
    lag = study.by("lag_bucket", 0, 10, n_boot=99)
    expected = pd.cut(study.events["lag_days"], [-np.inf, 15, 30, 45, 90, np.inf]).value_counts()
    assert sorted(lag.groupby("lag_bucket", observed=True)["n"].first()) == sorted(
        expected[expected > 0]
    )
    brackets = study.by("amount_bracket", 0, 10, n_boot=99)
    assert set(brackets["amount_bracket"]) <= {"1,001-15,000", "15,001-50,000", "50,001-100,000"}
    by_array = study.by(
        pd.Series(study.events["owner"].to_numpy(), index=study.events.index, name="who")
    )
    assert "who" in by_array.columns


def test_caar_band_is_the_cross_sectional_interval(study):
    frame = study.caar(0, 10, level=0.9)
    cum = study.ar.loc[:, 0:10].fillna(0).cumsum(axis=1)
    np.testing.assert_allclose(frame["caar"], cum.mean(), rtol=1e-12)
    se = cum.std(ddof=1) / np.sqrt(len(cum))
    np.testing.assert_allclose(frame["upper"] - frame["caar"], 1.6448536269514722 * se, rtol=1e-9)
    np.testing.assert_allclose(frame["aar"], study.ar.loc[:, 0:10].mean(), rtol=1e-12)


def test_lag_cost_compares_both_clocks(study):
    events = study.events.drop(columns="day0")
    prices = panel(np.random.default_rng(21), 700, 12)[0]
    lc = ql.events.lag_cost(events, prices, 0, 10, estimation=200, window=(-5, 30))
    assert list(lc.table.index) == ["transaction", "disclosure", "lag_cost"]
    tx, ds = lc.transaction.car(0, 10), lc.disclosure.car(0, 10)
    common = tx.index.intersection(ds.index)
    diff = tx[common] - ds[common]
    assert lc.table.loc["lag_cost", "caar"] == pytest.approx(diff.mean(), rel=1e-12)
    assert lc.table.loc["transaction", "n"] == len(tx.dropna())
    # the transaction clock's day 0 comes before the disclosure clock's
    assert (
        lc.transaction.events["day0"]
        <= lc.disclosure.events.loc[
            lc.transaction.events.index.intersection(lc.disclosure.events.index), "day0"
        ]
        .reindex(lc.transaction.events.index)
        .fillna(pd.Timestamp.max)
    ).all()


def test_plot_draws_one_band_per_group(study):
    ax = study.plot(a=-5, b=20)
    assert len(ax.lines) == 2 + 2  # two groups + the zero and day-0 guides
    assert len(ax.collections) == 2
    assert ax.get_xlabel().startswith("trading days from event day 0")
    # a group is labelled by its value ("1 (n=..)"), not by factorize's tuple ("(1,) (n=..)")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels and not any(label.startswith("(") for label in labels), labels
    import matplotlib.pyplot as plt

    plt.close("all")
