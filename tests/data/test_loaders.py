"""Loading OHLCV from DataFrames, CSV and Parquet in long and wide layouts; validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from quantlab.data import (
    align_ohlcv,
    align_panels,
    from_long,
    load_ohlcv,
    sample_universe,
    to_long,
    validate_ohlcv,
    validate_panel,
)
from quantlab.errors import (
    AlignmentError,
    DataTypeError,
    NotFoundError,
    ParameterError,
    ValidationError,
)


@pytest.fixture(scope="module")
def uni():
    return sample_universe(n_assets=3, n_days=20, seed=3)


def _same(a: dict, b: dict) -> None:
    assert sorted(a) == sorted(b)
    for k in a:
        pd.testing.assert_frame_equal(a[k], b[k], check_freq=False)


def test_long_roundtrip(uni):
    long = to_long(uni.ohlcv)
    assert list(long.columns) == ["date", "symbol", "open", "high", "low", "close", "volume"]
    _same(load_ohlcv(long), uni.ohlcv)


def test_long_symbol_major_and_upper_case(uni):
    # symbols may interleave in any order as long as each symbol's dates go forward
    long = to_long(uni.ohlcv).sort_values(["symbol", "date"], ascending=[False, True])
    long.columns = [c.upper() for c in long.columns]
    _same(load_ohlcv(long.rename(columns={"DATE": "date", "SYMBOL": "symbol"})), uni.ohlcv)


def test_long_shuffled_dates_are_refused_not_sorted(uni):
    long = to_long(uni.ohlcv).sample(frac=1.0, random_state=0).reset_index(drop=True)
    with pytest.raises(AlignmentError, match=r"frame row \d+: date .* of symbol .* comes before"):
        load_ohlcv(long)


def test_wide_multiindex_frame(uni):
    wide = pd.concat(uni.ohlcv, axis=1)
    _same(load_ohlcv(wide), uni.ohlcv)
    _same(load_ohlcv(wide.swaplevel(axis=1)), uni.ohlcv)


def test_csv_long_and_wide(tmp_path, uni):
    long_path = tmp_path / "long.csv"
    to_long(uni.ohlcv).to_csv(long_path, index=False)
    _same(load_ohlcv(long_path), uni.ohlcv)
    wide_path = tmp_path / "wide.csv"
    pd.concat(uni.ohlcv, axis=1).to_csv(wide_path)
    got = load_ohlcv(wide_path)
    for k in uni.ohlcv:
        np.testing.assert_allclose(got[k].to_numpy(), uni.ohlcv[k].to_numpy())
        assert list(got[k].columns) == uni.symbols


def test_csv_single_field_wide(tmp_path, uni):
    path = tmp_path / "close.csv"
    uni.close.rename_axis("date").to_csv(path)
    got = load_ohlcv(path)
    np.testing.assert_allclose(got["close"].to_numpy(), uni.close.to_numpy())
    assert got["high"].equals(got["close"])


def test_parquet_long(tmp_path, uni):
    path = tmp_path / "long.parquet"
    to_long(uni.ohlcv).to_parquet(path)
    _same(load_ohlcv(path), uni.ohlcv)


def test_load_errors(tmp_path, uni):
    with pytest.raises(NotFoundError, match="does not exist"):
        load_ohlcv(tmp_path / "nope.csv")
    (tmp_path / "x.txt").write_text("a")
    with pytest.raises(ParameterError, match=r"\.csv or \.parquet"):
        load_ohlcv(tmp_path / "x.txt")
    with pytest.raises(ParameterError, match="layout must be"):
        load_ohlcv(uni.close, layout="tall")
    long = to_long(uni.ohlcv)
    with pytest.raises(ValidationError, match=r"missing column\(s\) \['close'\]"):
        from_long(long.drop(columns="close"))
    with pytest.raises(ValidationError, match="duplicated \\(date, symbol\\)"):
        from_long(pd.concat([long, long.iloc[:1]]))


def test_validate_panel_errors():
    idx = pd.to_datetime(["2024-01-02", "2024-01-03"])
    with pytest.raises(DataTypeError, match="must be a wide pandas DataFrame"):
        validate_panel(pd.Series([1.0, 2.0], index=idx), "close")
    with pytest.raises(DataTypeError, match="must have a DatetimeIndex"):
        validate_panel(pd.DataFrame({"A": [1.0]}), "close")
    with pytest.raises(AlignmentError, match="duplicated timestamps"):
        validate_panel(pd.DataFrame({"A": [1.0, 2.0]}, index=idx[[0, 0]]), "close")
    with pytest.raises(AlignmentError, match="not sorted"):
        validate_panel(pd.DataFrame({"A": [1.0, 2.0]}, index=idx[::-1]), "close")
    with pytest.raises(DataTypeError, match="must hold numbers"):
        validate_panel(pd.DataFrame({"A": ["x", "y"]}, index=idx), "close")
    with pytest.raises(ValidationError, match="infinite"):
        validate_panel(pd.DataFrame({"A": [1.0, np.inf]}, index=idx), "close")
    with pytest.raises(ValidationError, match="strictly positive; got -1.0"):
        validate_panel(pd.DataFrame({"A": [1.0, -1.0]}, index=idx), "close", positive=True)
    with pytest.raises(ValidationError, match="empty"):
        validate_panel(pd.DataFrame(index=idx), "close")


def test_validate_ohlcv_rules(uni):
    bad = dict(uni.ohlcv)
    bad["high"] = uni.low * 0.99
    with pytest.raises(ValidationError, match="low <= min\\(open, close\\)"):
        validate_ohlcv(bad)
    with pytest.raises(ValidationError, match=r"missing field\(s\) \['high'\]"):
        validate_ohlcv({k: v for k, v in uni.ohlcv.items() if k != "high"})
    shifted = dict(uni.ohlcv)
    shifted["open"] = uni.open.iloc[1:]
    with pytest.raises(AlignmentError, match="different indexes"):
        validate_ohlcv(shifted)
    neg = dict(uni.ohlcv)
    neg["volume"] = -uni.volume
    with pytest.raises(ValidationError, match="volume must be >= 0"):
        validate_ohlcv(neg)
    nan = {k: v.copy() for k, v in uni.ohlcv.items()}
    for v in nan.values():
        v.iloc[3, 1] = np.nan
    assert validate_ohlcv(nan)["close"].isna().sum().sum() == 1  # NaN = no trading


def test_align_panels_union_and_intersection():
    a = pd.DataFrame({"X": [1.0, 2.0]}, index=pd.to_datetime(["2024-01-01", "2024-01-02"]))
    b = pd.DataFrame({"Y": [3.0, 4.0]}, index=pd.to_datetime(["2024-01-02", "2024-01-03"]))
    out = align_panels({"a": a, "b": b})
    assert list(out["a"].columns) == ["X", "Y"]
    assert np.isnan(out["a"].loc["2024-01-03", "X"])
    inner = align_panels({"a": a, "b": b}, how="inner")
    assert inner["b"].shape == (1, 2)
    with pytest.raises(AlignmentError, match="do not overlap"):
        align_panels({"a": a, "b": b}, columns="inner")
    with pytest.raises(ParameterError, match="how must be one of"):
        align_panels({"a": a}, how="left")
    filled = align_panels({"a": a, "b": b}, ffill_limit=1)
    assert filled["a"].loc["2024-01-03", "X"] == 2.0


def test_align_ohlcv_marks_missing_bars_as_no_trading(uni):
    cal = uni.close.index.union(pd.DatetimeIndex(["2030-01-01"]))
    out = align_ohlcv(uni.ohlcv, cal)
    assert np.isnan(out["close"].iloc[-1]).all()
    assert (out["volume"].iloc[-1] == 0).all()
