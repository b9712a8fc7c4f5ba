"""Bad input to quantlab.factors: one clear error naming the argument, rule, value and fix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlab.errors import AlignmentError, DataTypeError, ParameterError, ValidationError
from quantlab.factors import analyze, clean_factor, forward_returns, quantile_spread


@pytest.fixture(scope="module")
def close():
    rng = np.random.default_rng(3)
    idx = pd.bdate_range("2024-01-01", periods=40)
    return pd.DataFrame(
        np.exp(rng.normal(0, 0.01, (40, 8)).cumsum(0)), index=idx, columns=list("ABCDEFGH")
    )


@pytest.fixture(scope="module")
def factor(close):
    return close.pct_change(3).stack(future_stack=True).dropna()


def test_duplicated_rows(close, factor):
    dup = pd.concat([factor, factor.iloc[[5]]]).sort_index()
    with pytest.raises(AlignmentError, match=r"factor has 1 duplicated \(date, symbol\) rows"):
        clean_factor(dup, close)


def test_dates_missing_from_prices(close, factor):
    with pytest.raises(AlignmentError, match=r"factor has \d+ dates not in the prices' index"):
        clean_factor(factor, close.iloc[:-5], horizons=(1,))


def test_symbols_missing_from_prices(close, factor):
    with pytest.raises(AlignmentError, match=r"factor has 1 symbols without prices .*'H'"):
        clean_factor(factor, close.drop(columns="H"), horizons=(1,))


def test_timezone_mismatch(close, factor):
    utc = close.tz_localize("UTC")
    with pytest.raises(AlignmentError, match="factor dates are tz=None but prices are tz=UTC"):
        clean_factor(factor, utc, horizons=(1,))


def test_horizon_longer_than_data(close, factor):
    with pytest.raises(ParameterError, match=r"horizons \[40\] are not shorter than the 40 bars"):
        clean_factor(factor, close, horizons=(1, 40))
    with pytest.raises(ParameterError, match=r"horizons \[50\]"):
        forward_returns(close, 50)


def test_bad_horizons(close, factor):
    with pytest.raises(ParameterError, match="horizons must be ints >= 1; got \\[0\\]"):
        clean_factor(factor, close, horizons=(0,))
    with pytest.raises(ParameterError, match="horizons has duplicates"):
        clean_factor(factor, close, horizons=(1, 1))


def test_horizon_leaving_no_row(close):
    f = close.pct_change(3).iloc[-3:]
    with pytest.raises(ValidationError, match="factor has no usable row"):
        clean_factor(f, close, horizons=(5,))


def test_too_few_names_rule_counts_what_it_affected(close):
    f = close.pct_change(3)
    f.iloc[10, 3:] = np.nan  # 3 names on one date
    f.iloc[11, 2:] = np.nan  # 2 names
    fd = clean_factor(f, close, horizons=(1,), quantiles=4, min_names=4)
    assert (fd.loss.sparse_dates, fd.loss.sparse) == (2, 5)
    assert close.index[10] not in set(fd.dates)
    # without min_names, qcut's rule: 2 names give edges [a, ., ., ., b] that are unique,
    # so the date stays (alphalens' behaviour); the report shows nothing sparse
    fd = clean_factor(f, close, horizons=(1,), quantiles=4)
    assert fd.loss.sparse == 0 and close.index[11] in set(fd.dates)


def test_max_loss_error_gives_the_breakdown(close):
    f = close.pct_change(3)
    f.iloc[5:25, :6] = np.nan
    stacked = f.stack(future_stack=True)  # NaN rows kept: they count as input rows lost
    with pytest.raises(ValidationError, match=r"factor lost 4\d\.\d% .* more than max_loss=35\.0%"):
        clean_factor(stacked, close, horizons=(1,))
    with pytest.raises(ValidationError, match="max_loss=0.0%"):
        clean_factor(close.pct_change(3), close, horizons=(1,), max_loss=0.0)


def test_quantiles_and_bins(close, factor):
    with pytest.raises(ParameterError, match="pass exactly one of quantiles and bins"):
        clean_factor(factor, close, quantiles=5, bins=[0, 1])
    with pytest.raises(ParameterError, match="bins must be a sequence of increasing edges"):
        clean_factor(factor, close, quantiles=None, bins=4)
    with pytest.raises(ParameterError, match="bins must be strictly increasing"):
        clean_factor(factor, close, quantiles=None, bins=[0, 0, 1])
    with pytest.raises(ParameterError, match="quantiles must be an int >= 2"):
        clean_factor(factor, close, quantiles=1)
    with pytest.raises(ParameterError, match="quantiles levels must lie in"):
        clean_factor(factor, close, quantiles=[0, 0.5, 1.5])


def test_groups(close, factor):
    with pytest.raises(ValidationError, match="groups has no group for 1 column"):
        clean_factor(factor, close, horizons=(1,), groups={s: "x" for s in "ABCDEFG"})
    with pytest.raises(ParameterError, match="by_group=True needs groups"):
        clean_factor(factor, close, horizons=(1,), by_group=True)
    with pytest.raises(ParameterError, match="group_neutral=True needs groups"):
        analyze(factor, close, horizons=(1,), group_neutral=True)


def test_wrong_types(close, factor):
    with pytest.raises(DataTypeError, match="factor must be a \\(date, symbol\\) Series"):
        clean_factor(factor.to_numpy(), close)
    with pytest.raises(AlignmentError, match="factor must be a Series indexed by"):
        clean_factor(pd.Series([1.0, 2.0]), close)
    with pytest.raises(ParameterError, match="fees must be a fraction"):
        analyze(factor, close, horizons=(1,), fees=-0.1)
    fd = clean_factor(factor, close, horizons=(1,))
    with pytest.raises(ParameterError, match="top must be a quantile in 1..5; got 9"):
        quantile_spread(fd, top=9)
