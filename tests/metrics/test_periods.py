"""infer_periods_per_year and the monthly / yearly tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quantlab.metrics as qm
from quantlab.errors import ParameterError


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (pd.bdate_range("2020-01-01", periods=300), 252),
        (pd.date_range("2020-01-01", periods=300, freq="D"), 365),
        (pd.date_range("2020-01-03", periods=100, freq="W-FRI"), 52),
        (pd.date_range("2020-01-31", periods=36, freq="ME"), 12),
        (pd.date_range("2020-01-01", periods=36, freq="MS"), 12),
        (pd.date_range("2020-03-31", periods=20, freq="QE"), 4),
        (pd.date_range("2000-12-31", periods=20, freq="YE"), 1),
        (pd.date_range("2020-01-01", periods=24 * 30, freq="h"), 8760),
    ],
)
def test_regular_frequencies(index, expected):
    assert qm.infer_periods_per_year(index) == pytest.approx(expected)


def _session(freq: str, start: str = "09:30", end: str = "15:59") -> pd.DatetimeIndex:
    days = pd.bdate_range("2024-01-01", periods=20)
    stamps = [pd.date_range(f"{d.date()} {start}", f"{d.date()} {end}", freq=freq) for d in days]
    return stamps[0].append(stamps[1:])


def test_intraday_sessions():
    assert qm.infer_periods_per_year(_session("h")) == pytest.approx(1638)
    assert qm.infer_periods_per_year(_session("h", "10:00", "16:00")) == pytest.approx(1638)
    assert qm.infer_periods_per_year(_session("min")) == pytest.approx(6.5 * 60 * 252)
    assert qm.infer_periods_per_year(_session("5min")) == pytest.approx(6.5 * 12 * 252)


def test_business_daily_with_holidays_and_tz():
    idx = pd.bdate_range("2020-01-01", periods=300, tz="America/New_York").delete([10, 50, 90])
    assert qm.infer_periods_per_year(idx) == 252
    assert qm.infer_periods_per_year(pd.Series(0.0, index=idx)) == 252


def test_errors_say_how_to_pass_it():
    with pytest.raises(
        ParameterError, match=r"from a RangeIndex .*pass periods_per_year=\.\.\. explicitly \(252"
    ):
        qm.infer_periods_per_year(pd.RangeIndex(10))
    with pytest.raises(ParameterError, match=r"from 2 timestamps \(need at least 3\)"):
        qm.infer_periods_per_year(pd.bdate_range("2020-01-01", periods=2))
    with pytest.raises(ParameterError, match=r"median spacing of the index is 45 days"):
        qm.infer_periods_per_year(pd.date_range("2020-01-01", periods=10, freq="45D"))


def test_override_changes_annualization():
    r = pd.Series(
        np.random.default_rng(0).normal(0, 0.01, 60), index=pd.bdate_range("2024-01-01", periods=60)
    )
    assert qm.sharpe(r, periods_per_year=12) == pytest.approx(qm.sharpe(r) * np.sqrt(12 / 252))


def test_monthly_table_and_nan_month():
    idx = pd.bdate_range("2023-01-02", "2023-04-28")
    r = pd.Series(0.001, index=idx)
    r[(idx.month == 3)] = np.nan
    m = qm.monthly_returns(r)
    assert np.isnan(m.loc[pd.Period("2023-03", "M")])
    assert m.loc[pd.Period("2023-01", "M")] == pytest.approx(1.001**22 - 1)
    table = qm.monthly_returns(r, table=True)
    assert list(table.columns) == list(range(1, 13)) and list(table.index) == [2023]
    assert table.loc[2023, 2] == pytest.approx(1.001**20 - 1)
    frame = qm.monthly_returns(pd.DataFrame({"a": r, "b": r * 2}))
    assert frame.shape == (4, 2)
    assert qm.yearly_returns(pd.DataFrame({"a": r})).loc[2023, "a"] == pytest.approx(
        1.001 ** r.notna().sum() - 1
    )
