"""Group rotation against a slow per-date reference and a hand-held account."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlab.errors import AlignmentError, ParameterError
from quantlab.portfolio import group_rotation
from tests.portfolio import naive

GROUPS = {"T1": "tech", "T2": "tech", "T3": "tech", "E1": "energy", "E2": "energy",
          "H1": "health", "H2": "health", "F1": "fin"}  # fmt: skip


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    idx = pd.bdate_range("2019-01-01", periods=600)
    drift = rng.normal(0, 0.0008, (1, len(GROUPS)))
    r = drift + rng.normal(0, 0.012, (600, len(GROUPS)))
    p = pd.DataFrame(50 * np.exp(np.cumsum(r, axis=0)), index=idx, columns=list(GROUPS))
    p.iloc[:200, 2] = np.nan  # T3 listed late
    return p


@pytest.mark.parametrize("k", [1, 2])
def test_weights_match_slow_reference_and_account(prices: pd.DataFrame, k: int) -> None:
    res = group_rotation(prices, GROUPS, k, lookback=63, rebalance="ME")
    month_end = prices.index.to_series().groupby(prices.index.to_period("M")).max()
    dates = [prices.index[0], *month_end]
    for d in dates:
        t = prices.index.get_loc(d)
        expected = naive.rotation_weights(prices, GROUPS, k, 63, t)
        np.testing.assert_allclose(res.weights.iloc[t], expected, rtol=1e-12, atol=1e-15)
    held = res.weights.loc[dates]
    np.testing.assert_allclose(
        res.backtest.returns, naive.drift_returns(prices, held), rtol=0, atol=1e-12
    )
    live = res.group_weights.iloc[63:]
    np.testing.assert_allclose(live.sum(axis=1), 1.0)
    assert ((live > 0).sum(axis=1) == k).all()


def test_user_scores_and_score_weighting(prices: pd.DataFrame) -> None:
    groups = ["tech", "energy", "health", "fin"]
    scores = pd.DataFrame(np.tile([0.3, 0.1, 0.0, -0.2], (600, 1)), prices.index, groups)
    res = group_rotation(prices, GROUPS, 2, scores=scores[groups[::-1]], weighting="score")
    np.testing.assert_allclose(res.group_weights.iloc[-1], [0.75, 0.25, 0.0, 0.0])
    np.testing.assert_allclose(res.weights.iloc[-1][["T1", "T2", "T3"]], 0.25)
    # before T3 lists, tech's weight is split between T1 and T2
    np.testing.assert_allclose(res.weights.iloc[10][["T1", "T2", "T3"]], [0.375, 0.375, 0.0])


def test_bad_input(prices: pd.DataFrame) -> None:
    with pytest.raises(AlignmentError, match=r"no group for 1 symbol\(s\) .* 'F1'"):
        group_rotation(prices, {s: g for s, g in GROUPS.items() if s != "F1"}, 1)
    with pytest.raises(ParameterError, match="groups must be a dict or Series"):
        group_rotation(prices, list(GROUPS), 1)
    with pytest.raises(ParameterError, match=r"'k' parameter of top_k_weights .* Got -1"):
        group_rotation(prices, GROUPS, -1)
    with pytest.raises(ParameterError, match="lookback must be a positive int"):
        group_rotation(prices, GROUPS, 1, lookback=0)
    bad = pd.DataFrame(0.0, prices.index, ["tech", "energy"])
    with pytest.raises(AlignmentError, match=r"scores columns must be the groups"):
        group_rotation(prices, GROUPS, 1, scores=bad)
    with pytest.raises(AlignmentError, match=r"scores must be a DataFrame with the index"):
        group_rotation(prices, GROUPS, 1, scores=bad.iloc[1:])
