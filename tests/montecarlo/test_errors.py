"""Bad input: each error names the argument, the rule, the value and the fix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quantlab.metrics as qm
import quantlab.montecarlo as mc
from quantlab.errors import DataTypeError, ParameterError, ShapeError, ValidationError

H = np.random.default_rng(0).normal(0, 0.01, size=(100, 2))


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (
            dict(weights=[0.5, 0.3, 0.2]),
            ShapeError,
            r"weights has shape \(3,\) but returns has 2 column",
        ),
        (
            dict(weights={"a": 1.0}),
            ShapeError,
            r"weights do not match the return columns: missing \[0, 1\]",
        ),
        (
            dict(weights=[0.5, -0.5]),
            ParameterError,
            r"weights must not sum to zero .* Pass weights summing to 1",
        ),
        (dict(weights=[np.nan, 1.0]), ParameterError, r"weights must be finite"),
        (dict(weights=["a", "b"]), DataTypeError, r"weights must be numbers"),
        (dict(horizon=0), ParameterError, r"horizon must be a positive int \(>= 1\); got 0"),
        (dict(horizon=2.5), ParameterError, r"horizon must be a positive int; got 2.5"),
        (dict(n_paths=0), ParameterError, r"n_paths must be a positive int \(>= 1\); got 0"),
        (dict(n_paths=-3), ParameterError, r"n_paths must be a positive int \(>= 1\); got -3"),
        (
            dict(method="stationary_bootstrap", block_length=0.5),
            ParameterError,
            r"block_length must be >= 1.0; got 0.5",
        ),
        (dict(method="nope"), ParameterError, r"method must be one of \['block_bootstrap'"),
        (
            dict(rebalance="X"),
            ParameterError,
            r"rebalance must be None, a positive int \(steps\) or one of",
        ),
        (dict(rebalance=-2), ParameterError, r"rebalance must be a positive int \(>= 1\); got -2"),
        (dict(fees=1.5), ParameterError, r"fees must be < 1.0; got 1.5"),
        (dict(withdrawal_rate=-0.1), ParameterError, r"withdrawal_rate must be >= 0.0; got -0.1"),
        (dict(ruin_threshold=1.0), ParameterError, r"ruin_threshold must be < 1.0; got 1.0"),
        (dict(initial_wealth=0), ParameterError, r"initial_wealth must be > 0.0; got 0"),
        (dict(seed=-1), ParameterError, r"seed must be None or an int in \[0, 2\*\*64\); got -1"),
        (
            dict(method="normal", cov=[[1e-4, 2e-4], [2e-4, 1e-4]]),
            ValidationError,
            r"cov is not positive semi-definite \(smallest eigenvalue -0.0001\)",
        ),
        (
            dict(method="normal", cov=[[1e-4, 0.0], [1e-5, 1e-4]]),
            ValidationError,
            r"cov is not symmetric",
        ),
        (
            dict(method="normal", cov=np.eye(3)),
            ShapeError,
            r"cov must have shape \(n_assets, n_assets\) = \(2, 2\); got \(3, 3\)",
        ),
        (
            dict(method="normal", mean=[0.0]),
            ShapeError,
            r"mean must have shape \(n_assets,\) = \(2,\); got \(1,\)",
        ),
        (dict(method="student_t", dof=2.0), ParameterError, r"dof must be > 2.0; got 2.0"),
        (
            dict(keep_paths=True, n_paths=10**6, horizon=1000),
            ParameterError,
            r"keep_paths=True needs 7637 MiB .* use keep_paths=False",
        ),
    ],
)
def test_simulate_rejects(kwargs, exc, match):
    kw = dict(n_paths=10, horizon=20, seed=0, periods_per_year=252) | kwargs
    with pytest.raises(exc, match=match):
        mc.simulate(H, **kw)


def test_returns_at_or_below_minus_one():
    bad = H.copy()
    bad[5, 1] = -1.0
    with pytest.raises(
        ValidationError, match=r"returns must be > -1 .* got -1.0 at row 5, column 1"
    ):
        mc.simulate(bad, n_paths=2, seed=0, periods_per_year=252)


def test_nan_history():
    h = H.copy()
    h[::2, 0] = np.nan
    with pytest.warns(UserWarning, match="dropped 50 of 100 rows holding NaN"):
        assert mc.simulate(h, n_paths=2, seed=0, periods_per_year=252).dropped_rows == 50
    h[:, 0] = np.nan
    h[0, 0] = 0.01
    with pytest.raises(
        ValidationError, match=r"returns has 1 row\(s\) without NaN after dropping 99 of 100"
    ):
        mc.simulate(h, n_paths=2, seed=0, periods_per_year=252)


def test_missing_inputs():
    with pytest.raises(ParameterError, match="returns is required for method='bootstrap'"):
        mc.simulate(None, n_paths=2, horizon=3, periods_per_year=252)
    with pytest.raises(ParameterError, match="horizon is required when returns is None"):
        mc.simulate(None, method="normal", mean=[0.0], cov=[[1e-4]], periods_per_year=252)


def test_result_errors():
    res = mc.simulate(H, n_paths=5, horizon=10, seed=0, ruin_threshold=0.5, periods_per_year=252)
    with pytest.raises(
        ParameterError, match=r"paths were not kept .* simulate\(\.\.\., keep_paths=True\)"
    ):
        _ = res.paths
    with pytest.raises(ParameterError, match=r"prob_goal\(\) needs a goal"):
        res.prob_goal()
    with pytest.raises(
        ParameterError, match=r"time_to_goal\(\) needs a goal: pass goal= to simulate"
    ):
        res.time_to_goal()
    with pytest.raises(ParameterError, match=r"time_to_goal\(goal=2.0\) differs"):
        mc.simulate(H, n_paths=5, horizon=10, seed=0, goal=1.5, periods_per_year=252).time_to_goal(
            2.0
        )
    with pytest.raises(
        ParameterError,
        match=r"prob_ruin\(threshold=0.1\) is below the simulation's ruin_threshold=0.5",
    ):
        res.prob_ruin(0.1)
    with pytest.raises(ParameterError, match=r"alpha must be in \(0, 1\); got 1.5"):
        res.var(1.5)
    with pytest.raises(ParameterError, match=r"quantiles must be numbers in \[0, 1\]"):
        res.quantile_fan([0.5, 2])


def test_generate_paths_errors():
    with pytest.raises(ParameterError, match="generate_paths would allocate .* use simulate"):
        mc.generate_paths(H, 10**5, 10**4)
    with pytest.raises(
        ParameterError, match="method='shuffle' resamples history: returns is required"
    ):
        mc.generate_paths(None, 2, 2, "shuffle")
    with pytest.raises(ParameterError, match="model must be one of"):
        mc.fit_model(H, "cauchy")


def _prices_with(value: float, row: int = 10) -> pd.DataFrame:
    idx = pd.bdate_range("2020-01-01", periods=40)
    prices = pd.DataFrame({"A": np.linspace(100, 120, 40), "B": np.linspace(50, 60, 40)}, idx)
    prices.iloc[row, 0] = value
    return prices


def test_an_absurd_price_is_diagnosed_as_such_not_as_log_returns():
    # pct_change of a 1e300 price: +1e298 on its bar, exactly -1.0 on the next; the
    # diagnosis must name the spike's cell and the price, not "log returns"
    rets = _prices_with(1e300).pct_change().iloc[1:]
    match = (
        r"returns holds an absurd return 9\.\d+e\+297 at row 2020-01-15, column 'A' .* "
        r"overflowing or absurd price .* Fix that price or mark it NaN"
    )
    with pytest.raises(ValidationError, match=match) as err:
        mc.simulate(rets, n_paths=2, seed=0)
    assert "log returns" not in str(err.value)
    # metrics give the same diagnosis (one message for both)
    with pytest.raises(ValidationError) as same:
        qm.summary(rets)
    assert str(same.value) == str(err.value)
    # prices passed as returns
    with pytest.raises(ValidationError, match=r"absurd return 1e\+300 at row 2020-01-15"):
        mc.simulate(_prices_with(1e300), n_paths=2, seed=0)
    # a near-zero price: -1.0 on its bar, then the spike on the next, which is reported
    tiny = _prices_with(1e-300).pct_change().iloc[1:]
    with pytest.raises(ValidationError, match=r"at row 2020-01-16, column 'A' .* near-zero"):
        mc.simulate(tiny, n_paths=2, seed=0)


def test_periods_per_year_is_never_a_silent_default():
    with pytest.raises(
        ParameterError, match=r"periods_per_year cannot be inferred from a RangeIndex .* pass"
    ):
        mc.simulate(H, n_paths=2, seed=0)
    with pytest.raises(ParameterError, match=r"periods_per_year is required when returns is None"):
        mc.simulate(None, method="normal", mean=[0.0], cov=[[1e-4]], horizon=5)
    with pytest.raises(ParameterError, match=r"periods_per_year must be a positive number"):
        mc.simulate(H, n_paths=2, seed=0, periods_per_year=-1)
