"""Bad input: each case a documented result or a clear error, pinned here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quantlab.metrics as qm
from quantlab.errors import AlignmentError, DataTypeError, ParameterError, ValidationError

IDX = pd.bdate_range("2024-01-01", periods=6)


def test_empty_input_raises():
    with pytest.raises(
        ValidationError, match=r"returns is empty \(shape \(0, 1\)\); pass at least"
    ):
        qm.sharpe(pd.Series([], dtype=float), periods_per_year=252)
    with pytest.raises(ValidationError, match="returns is empty"):
        qm.summary(pd.DataFrame(index=IDX))


def test_all_nan_column_gives_nan_everywhere():
    df = pd.DataFrame({"a": [0.01, -0.02, 0.03, 0.0, 0.01, 0.02], "b": np.nan}, index=IDX)
    s = qm.summary(df)
    assert s.loc["n_obs", "b"] == 0
    assert s["b"].drop("n_obs").isna().all()
    assert (
        s["a"]
        .drop(
            list(s.index[s.index.str.contains("capture|alpha|beta|corr|r_sq|track|inform|treynor")])
        )
        .notna()
        .all()
    )


def test_constant_returns_documented_inf_nan():
    pos = pd.Series(0.01, index=IDX)
    zero = pd.Series(0.0, index=IDX)
    assert qm.sharpe(pos) == np.inf
    assert qm.sharpe(-pos) == -np.inf
    assert np.isnan(qm.sharpe(zero))
    assert qm.annual_volatility(pos) == 0.0
    assert qm.sortino(pos) == np.inf
    assert np.isnan(qm.skew(pos)) and np.isnan(qm.kurtosis(pos))
    assert np.isnan(qm.calmar(pos))  # no drawdown
    assert qm.max_drawdown(pos) == 0.0
    assert qm.stability(zero) == 0.0
    assert np.isnan(qm.omega(pos))  # no loss below the threshold
    s = qm.summary(pd.DataFrame({"p": pos, "z": zero}))
    assert s.loc["sharpe", "p"] == np.inf and np.isnan(s.loc["sharpe", "z"])


def test_single_observation():
    s = qm.summary(pd.Series([0.01]), periods_per_year=252)
    assert s.loc["n_obs"].iloc[0] == 1
    assert np.isnan(s.loc["sharpe"].iloc[0]) and np.isnan(s.loc["annual_volatility"].iloc[0])
    assert s.loc["total_return"].iloc[0] == pytest.approx(0.01)


def test_total_loss_return_of_minus_one():
    r = pd.Series([0.1, -1.0, 0.0, 0.05], index=IDX[:4])
    assert qm.total_return(r) == -1.0
    assert qm.max_drawdown(r) == -1.0
    assert qm.cagr(r) == -1.0
    assert np.isnan(qm.stability(r))


def test_return_below_minus_one_raises():
    r = pd.Series([0.1, -1.5, 0.0], index=IDX[:3])
    with pytest.raises(
        ValidationError, match=r"returns must be >= -1 .* got -1.5 at row 2024-01-02"
    ):
        qm.max_drawdown(r)
    with pytest.raises(ValidationError, match=r"returns must be >= -1"):
        qm.summary(r)


def test_infinite_returns_raise():
    r = pd.Series([0.1, np.inf, 0.0], index=IDX[:3])
    with pytest.raises(
        ValidationError, match=r"returns holds infinite values \(first at row 2024-01-02"
    ):
        qm.sharpe(r)
    with pytest.raises(ValidationError, match="infinite"):
        qm.summary(r)


def test_non_numeric_raises():
    with pytest.raises(DataTypeError, match=r"returns must hold numbers; got text values"):
        qm.sharpe(pd.Series(["a", "b", "c"], index=IDX[:3], dtype=object))
    with pytest.raises(DataTypeError, match=r"returns must hold numbers; got dtype bool"):
        qm.max_drawdown(pd.Series([True, False]))
    with pytest.raises(
        DataTypeError, match=r"returns must be a DataFrame, Series or NumPy array; got dict"
    ):
        qm.max_drawdown({"a": [0.1]})


def test_misaligned_benchmark():
    r = pd.Series([0.01, -0.02, 0.03, 0.0], index=IDX[:4])
    short = pd.Series([0.0, 0.01, 0.02], index=IDX[:3])
    with pytest.raises(
        AlignmentError,
        match=r"benchmark has no value for 1 of the returns' dates \(first: 2024-01-04",
    ):
        qm.beta(r, short)
    longer = pd.Series(np.arange(6) / 100.0, index=IDX)  # extra dates are dropped
    assert qm.beta(r, longer) == pytest.approx(qm.beta(r, longer.iloc[:4]))
    with pytest.raises(AlignmentError, match=r"benchmark has 3 rows but returns have 4"):
        qm.beta(r.to_numpy(), short.to_numpy())


def test_benchmark_frame_with_other_columns():
    r = pd.DataFrame({"a": [0.01, 0.02, 0.0], "b": [0.0, 0.01, 0.02]}, index=IDX[:3])
    bench = pd.DataFrame({"x": [0.01, 0.0, 0.02], "y": [0.0, 0.01, 0.0]}, index=IDX[:3])
    with pytest.raises(AlignmentError, match="columns"):
        qm.beta(r, bench)


def test_periods_per_year_required_for_arrays():
    with pytest.raises(
        ParameterError,
        match=r"cannot be inferred from a RangeIndex .* pass periods_per_year=\.\.\.",
    ):
        qm.sharpe(np.array([0.01, 0.02, -0.01]))
    assert np.isfinite(qm.sharpe(np.array([0.01, 0.02, -0.01]), periods_per_year=252))
    # metrics that need no annualization work without it
    assert qm.max_drawdown(np.array([0.01, -0.02])) == pytest.approx(-0.02)


@pytest.mark.parametrize("bad", [0, -1, "daily", np.nan])
def test_bad_periods_per_year(bad):
    with pytest.raises(
        ParameterError, match=r"periods_per_year must be a positive number \(e.g. 252"
    ):
        qm.sharpe(pd.Series([0.01, 0.02, 0.0], index=IDX[:3]), periods_per_year=bad)


def test_bad_rates_and_cutoff():
    r = pd.Series([0.01, 0.02, 0.0], index=IDX[:3])
    with pytest.raises(
        ParameterError, match=r"risk_free must be an annual rate > -1 \(0.02 for 2%\); got -1.5"
    ):
        qm.sharpe(r, risk_free=-1.5)
    with pytest.raises(ParameterError, match=r"cutoff must be a tail probability in \(0, 0.5\]"):
        qm.value_at_risk(r, cutoff=0.9)
    with pytest.raises(
        ParameterError,
        match=r"method must be one of \['cornish_fisher', 'gaussian', 'historical'\]",
    ):
        qm.value_at_risk(r, method="monte_carlo")


def test_unsorted_index_raises():
    r = pd.Series([0.01, 0.02, 0.0], index=IDX[:3][::-1])
    with pytest.raises(AlignmentError, match="not sorted"):
        qm.sharpe(r)


def test_rolling_bad_window():
    r = pd.Series([0.01, 0.02, 0.0], index=IDX[:3])
    with pytest.raises(ParameterError, match=r"window must be an int >= 2 \(rows per window"):
        qm.rolling_sharpe(r, 1)
    with pytest.raises(ParameterError, match=r"min_periods must be an int in \[1, window=2\]"):
        qm.rolling_volatility(r, 2, min_periods=5)


def test_tables_need_dates():
    with pytest.raises(ParameterError, match="monthly_returns needs a DatetimeIndex"):
        qm.monthly_returns(pd.Series([0.01, 0.02]))
    with pytest.raises(ParameterError, match=r"table=True\) builds a year x month table"):
        qm.monthly_returns(pd.DataFrame({"a": [0.01]}, index=IDX[:1]), table=True)


def test_panel_conversion_is_the_shared_one():
    """metrics convert panels with quantlab._validation: same classes and messages."""
    from quantlab._validation import as_float_panel
    from quantlab.errors import ShapeError

    cube = np.zeros((3, 2, 2))
    with pytest.raises(ShapeError, match=r"returns must be 1-D or 2-D .* got 3-D") as ours:
        qm.max_drawdown(cube)
    with pytest.raises(ShapeError) as shared:
        as_float_panel(cube, "returns")
    assert str(ours.value) == str(shared.value)
    # a float64 frame is read without a copy, in its own (column-major) layout
    index = pd.bdate_range("2024-01-01", periods=50)
    frame = pd.DataFrame(np.random.default_rng(0).normal(0, 0.01, (50, 3)), index=index)
    arr, _ = as_float_panel(frame, "returns", order="K")
    assert arr.flags.f_contiguous and np.shares_memory(arr, frame.to_numpy())
