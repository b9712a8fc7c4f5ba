"""Walk-forward optimization against skfolio's own walk-forward and a slow account reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from skfolio import RiskMeasure
from skfolio.datasets import load_sp500_dataset
from skfolio.model_selection import WalkForward, cross_val_predict
from skfolio.optimization import (
    EqualWeighted,
    HierarchicalRiskParity,
    MeanRisk,
    ObjectiveFunction,
    RiskBudgeting,
)
from skfolio.preprocessing import prices_to_returns

import quantlab as ql
from quantlab.errors import DataTypeError, ParameterError, ValidationError
from quantlab.portfolio import rebalance_bars, walk_forward, walk_forward_weights
from tests.portfolio import naive

LOOKBACK, STEP = 120, 21


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return load_sp500_dataset().iloc[-1500:-1000, :7]


ESTIMATORS = {
    "min_variance": MeanRisk(),
    "max_sharpe": MeanRisk(objective_function=ObjectiveFunction.MAXIMIZE_RATIO),
    "risk_budgeting": RiskBudgeting(),
    "hrp": HierarchicalRiskParity(),
}


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_equals_skfolio_cross_val_predict(prices: pd.DataFrame, name: str) -> None:
    # skfolio's test-period Portfolio holds fixed weights (returns @ weights each bar): that is
    # drift=False; same windows = WalkForward(test_size=STEP, train_size=LOOKBACK) on returns.
    est = ESTIMATORS[name]
    res = walk_forward(est, prices, rebalance=STEP, lookback=LOOKBACK, drift=False)
    pred = cross_val_predict(
        est, prices_to_returns(prices), cv=WalkForward(test_size=STEP, train_size=LOOKBACK)
    )
    sk = pd.Series(pred.returns, index=pd.DatetimeIndex(pred.observations))
    np.testing.assert_allclose(res.returns.reindex(sk.index), sk, rtol=0, atol=1e-10)
    # ... because every fold's weights are skfolio's, fitted on the same window
    n = len(pred.portfolios)
    sk_w = np.vstack([p.weights for p in pred.portfolios])
    np.testing.assert_allclose(res.weights.iloc[:n], sk_w, rtol=0, atol=1e-12)
    first_test = [pd.Timestamp(p.observations[0]) for p in pred.portfolios]
    nxt = prices.index[prices.index.get_indexer(res.weights.index[:n]) + 1]
    assert list(nxt) == first_test
    # quantlab also holds the trailing partial fold skfolio drops (no full test_size left)
    assert len(res.weights) == n + 1


def test_drift_matches_slow_account_and_calendar_dates(prices: pd.DataFrame) -> None:
    res = walk_forward(HierarchicalRiskParity(), prices, rebalance="ME", lookback=LOOKBACK)
    expected = naive.drift_returns(prices, res.weights)
    np.testing.assert_allclose(res.returns, expected, rtol=0, atol=1e-12)
    month_ends = prices.index.to_series().groupby(prices.index.to_period("M")).max()
    pos = prices.index.get_indexer(month_ends)
    expected_dates = prices.index[pos[(pos >= LOOKBACK) & (pos < len(prices) - 1)]]
    assert res.weights.index.equals(expected_dates)
    assert (res.windows["end"] == res.weights.index).all()
    starts = prices.index[prices.index.get_indexer(expected_dates) - LOOKBACK + 1]
    assert (res.windows["start"].to_numpy() == starts.to_numpy()).all()


def test_turnover_equals_traded_value_of_the_backtest(prices: pd.DataFrame) -> None:
    res = walk_forward(MeanRisk(), prices, rebalance="ME", lookback=LOOKBACK)
    orders = res.backtest.orders
    traded = (orders["size"].abs() * orders["price"]).groupby(orders["timestamp"]).sum()
    equity = res.backtest.equity.loc[traded.index]
    np.testing.assert_allclose(res.turnover.loc[traded.index], traded / equity, atol=1e-10)
    assert res.turnover.iloc[0] == pytest.approx(1.0)


def test_fees_cost_exactly_fee_times_traded_value(prices: pd.DataFrame) -> None:
    free = walk_forward(MeanRisk(), prices, rebalance="ME", lookback=LOOKBACK)
    paid = walk_forward(MeanRisk(), prices, rebalance="ME", lookback=LOOKBACK, fees=0.001)
    orders = paid.backtest.orders
    np.testing.assert_allclose(
        orders["fees"], 0.001 * orders["size"].abs() * orders["price"], rtol=1e-12
    )
    assert paid.backtest.equity.iloc[-1] < free.backtest.equity.iloc[-1]
    pd.testing.assert_frame_equal(paid.weights, free.weights)
    assert 0.0 < paid.fit_seconds < paid.total_seconds
    assert 0.0 < paid.overhead_fraction < 1.0


def test_missing_assets_are_excluded_from_the_window(prices: pd.DataFrame) -> None:
    late = prices.copy()
    late.iloc[:200, 2] = np.nan  # listed at bar 200
    res = walk_forward(MeanRisk(), late, rebalance="ME", lookback=LOOKBACK)
    pos = late.index.get_indexer(res.weights.index)
    excluded = pos - LOOKBACK + 1 <= 200  # return of bar 200 is NaN (no previous close)
    assert (res.weights.iloc[excluded, 2] == 0).all()
    assert (res.windows["n_assets"][excluded] == 6).all()
    assert (res.windows["n_assets"][~excluded] == 7).all()
    # an excluded window fits on the other six only: same weights as fitting them directly
    d = int(pos[excluded][0])
    X = prices_to_returns(prices).iloc[d - LOOKBACK : d].drop(columns=prices.columns[2])
    np.testing.assert_allclose(
        res.weights.iloc[0].drop(prices.columns[2]), MeanRisk().fit(X).weights_, atol=1e-12
    )
    with pytest.raises(ValidationError, match=r"asset 'BAC' has missing returns.*missing='raise'"):
        walk_forward(MeanRisk(), late, lookback=LOOKBACK, missing="raise")


class _Fixed:
    """A non-skfolio estimator: any object with fit(X) and weights_."""

    def __init__(self, weights: list[float] | None = None, fail: bool = False) -> None:
        self.weights = weights
        self.fail = fail

    def get_params(self, deep: bool = True) -> dict:
        return {"weights": self.weights, "fail": self.fail}

    def set_params(self, **params: object) -> _Fixed:
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def fit(self, X: pd.DataFrame) -> _Fixed:
        if self.fail:
            raise np.linalg.LinAlgError("Singular matrix")
        self.weights_ = np.array(self.weights)
        return self


def test_any_fit_weights_object_is_accepted(prices: pd.DataFrame) -> None:
    w = [0.1, 0.2, 0.3, 0.1, 0.1, 0.1, 0.1]
    res = walk_forward(_Fixed(w), prices, rebalance=63, lookback=LOOKBACK)
    assert np.allclose(res.weights.to_numpy(), w)
    eq = walk_forward(EqualWeighted(), prices, rebalance=63, lookback=LOOKBACK)
    assert np.allclose(eq.weights.to_numpy(), 1 / 7)


@pytest.mark.parametrize(
    ("estimator", "kwargs", "error", "match"),
    [
        (_Fixed([0.2] * 7), {}, ValidationError, r"weights sum to 1\.4 at 20\d\d-.*expects 1\.0"),
        (_Fixed([0.2] * 7), {"weight_sum": 1.4}, None, None),
        (_Fixed([0.5, -0.5] + [0.0] * 5), {"weight_sum": None}, None, None),
        (_Fixed([np.nan] + [1 / 6] * 6), {}, ValidationError, r"non-finite weights .* nan"),
        (_Fixed([0.5, 0.5]), {}, ValidationError, r"returned 2 weights .* for 7 assets"),
        (_Fixed(fail=True), {}, ValidationError, r"failed to fit on the window ending .*Singul"),
        (object(), {}, DataTypeError, r"estimator must have a fit\(X\) method"),
        (MeanRisk(), {"lookback": 5}, ParameterError, r"lookback=5 is too short.* at least 8"),
        (MeanRisk(), {"lookback": 1}, ParameterError, r"'lookback' .* \[2, 498\] .* Got 1 "),
        (MeanRisk(), {"lookback": 499}, ParameterError, r"'lookback'.*Got 499"),
        (MeanRisk(), {"missing": "ffill"}, ParameterError, r"'missing' .* Got 'ffill'"),
        (MeanRisk(), {"rebalance": 0}, ParameterError, r"'rebalance' .* Got 0"),
        (MeanRisk(), {"rebalance": "XX"}, ParameterError, r"not a pandas offset alias"),
        (MeanRisk(), {"lookback": 495, "rebalance": "YE"}, ParameterError, r"no rebalance date"),
    ],
)
def test_bad_input(
    prices: pd.DataFrame, estimator: object, kwargs: dict, error: type | None, match: str | None
) -> None:
    kwargs = {"lookback": LOOKBACK, "rebalance": 126, **kwargs}
    if error is None:
        res = walk_forward(estimator, prices, **kwargs)
        assert len(res.weights) == 4  # bars 120, 246, 372, 498
        return
    with pytest.raises(error, match=match):
        walk_forward(estimator, prices, **kwargs)


def test_min_lookback_allows_short_windows(prices: pd.DataFrame) -> None:
    res = walk_forward(EqualWeighted(), prices, rebalance=126, lookback=3, min_lookback=2)
    assert res.weights.index[0] == prices.index[3]
    assert res.windows["start"].iloc[0] == prices.index[1]


def test_rebalance_bars_int_convention() -> None:
    assert rebalance_bars(pd.RangeIndex(12), 4, 3).tolist() == [3, 7]
    with pytest.raises(ParameterError, match="needs a DatetimeIndex"):
        rebalance_bars(pd.RangeIndex(12), "ME", 3)


def test_sweep_over_estimator_parameters(prices: pd.DataFrame) -> None:
    measures = [RiskMeasure.VARIANCE, RiskMeasure.CVAR, RiskMeasure.MEAN_ABSOLUTE_DEVIATION]

    def strategy(close: pd.DataFrame, risk_measure: str) -> pd.DataFrame:
        est = MeanRisk(risk_measure=RiskMeasure(risk_measure))  # the grid hands values as str
        return walk_forward_weights(est, close, rebalance="ME", lookback=LOOKBACK)

    sw = ql.optimize.sweep(strategy, {"risk_measure": measures}, prices, fees=5e-4, progress=False)
    assert sw.n_combinations == 3
    for i, m in enumerate(measures):
        one = walk_forward(MeanRisk(risk_measure=m), prices, lookback=LOOKBACK, fees=5e-4)
        # a second solve of the same CVaR / MAD program agrees to ~1e-10, not bit for bit
        np.testing.assert_allclose(sw.returns.iloc[:, i], one.returns, rtol=0, atol=1e-9)
    assert 0.0 <= sw.deflated_sharpe <= 1.0
    assert 0.0 <= sw.pbo(n_splits=4).pbo <= 1.0


def test_weights_panel_rows(prices: pd.DataFrame) -> None:
    res = walk_forward(HierarchicalRiskParity(), prices, rebalance=63, lookback=LOOKBACK)
    drift = walk_forward_weights(HierarchicalRiskParity(), prices, rebalance=63, lookback=LOOKBACK)
    pd.testing.assert_frame_equal(drift.dropna(), res.weights, check_freq=False)
    fixed = walk_forward_weights(
        HierarchicalRiskParity(), prices, rebalance=63, lookback=LOOKBACK, drift=False
    )
    assert fixed.iloc[:LOOKBACK].isna().all().all()
    pd.testing.assert_frame_equal(fixed.iloc[LOOKBACK:], drift.ffill().iloc[LOOKBACK:])
