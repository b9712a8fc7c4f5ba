"""The loading policy of quantlab.data (issue 13, items 7-9): nothing reordered, no file
without prices, offsets normalised to UTC, and one line naming file, line and fix for every
malformed file, never a raw pandas traceback."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from quantlab.data import from_long, from_wide, load_ohlcv, sample_universe, to_long
from quantlab.errors import AlignmentError, DataTypeError, QuantlabError, ValidationError


@pytest.fixture(scope="module")
def close() -> pd.DataFrame:
    c = sample_universe(n_assets=2, n_days=30, seed=3).close
    c.columns = ["AAPL", "MSFT"]
    return c.rename_axis("date")


def _csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _wide_text(close: pd.DataFrame) -> list[str]:
    return close.to_csv().splitlines()


def _load_error(path: Path) -> str:
    """The message load_ohlcv raises: a QuantlabError on one line starting with the file."""
    with pytest.raises(QuantlabError) as info:
        load_ohlcv(path)
    text = str(info.value)
    assert "\n" not in text
    assert text.startswith(str(path)), text
    return text


# ---------------------------------------------------------------- item 7: order and NaN


def test_unsorted_wide_file_is_refused_with_its_line(tmp_path, close):
    lines = _wide_text(close)
    lines[3], lines[4] = lines[4], lines[3]  # data rows 2 and 3 (file lines 4 and 5) swapped
    path = _csv(tmp_path, "unsorted.csv", "\n".join(lines) + "\n")
    msg = _load_error(path)
    later, earlier = close.index[3].date(), close.index[2].date()
    assert msg == (
        f"{path}: line 5: date {earlier} comes before the date of line 4 ({later}); dates "
        "must increase down the rows, nothing is reordered or dropped silently: sort the "
        "file by date"
    )


def test_repeated_date_in_a_wide_file_names_both_lines(tmp_path, close):
    lines = _wide_text(close)
    lines.insert(6, lines[5])
    path = _csv(tmp_path, "dup.csv", "\n".join(lines) + "\n")
    assert re.search(
        r"line 7: date \S+ repeats the date of line 6 .*keep one row per date", _load_error(path)
    )


def test_unsorted_frame_is_refused_by_the_api_too(close):
    with pytest.raises(
        AlignmentError, match=r"frame row 1: date .* comes before .* frame.sort_index\(\)"
    ):
        from_wide(close.iloc[[1, 0, 2]])
    long = to_long({"close": close.rename_axis(None)})
    with pytest.raises(AlignmentError, match=r"of symbol 'MSFT' comes before its previous row"):
        from_long(long.iloc[::-1])


def test_all_nan_file_and_all_nan_column_are_refused(tmp_path, close):
    path = tmp_path / "nan.csv"
    (close * np.nan).to_csv(path)
    assert _load_error(path) == (
        f"{path}: close holds no price at all (all 60 cells of 2 column(s) are empty / NaN); "
        "pass data with prices"
    )
    one = close.copy()
    one["MSFT"] = np.nan
    path = tmp_path / "nan_col.csv"
    one.to_csv(path)
    assert "close column 'MSFT' holds no price on any of its 30 bars" in _load_error(path)
    partial = close.copy()
    partial.iloc[3:6, 1] = np.nan  # NaN bars are "no trading", still loaded
    assert load_ohlcv(partial.rename_axis(None))["close"].isna().sum().sum() == 3


# ---------------------------------------------------------------- item 8: malformed files


def test_empty_and_header_only_files(tmp_path):
    path = _csv(tmp_path, "empty.csv", "")
    assert _load_error(path).startswith(f"{path} is empty; pass a CSV with a header line")
    path = _csv(tmp_path, "header.csv", "date,AAPL\n")
    assert _load_error(path) == f"{path} has a header but no rows; pass at least one row of prices"


def test_binary_file(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"date,A\n2021-01-04,1\n\x00\x01\x02\xff")
    assert _load_error(path) == (
        f"{path} is not a text CSV file (byte 0x00 at offset 20: binary data, not UTF-8 text); "
        "pass a UTF-8 CSV or a .parquet file"
    )
    parquet = tmp_path / "bad.parquet"
    parquet.write_bytes(b"not parquet at all")
    assert "is not a readable Parquet file" in _load_error(parquet)


def test_non_numeric_cell_names_line_and_column(tmp_path, close):
    lines = _wide_text(close)
    date, a, b = lines[5].split(",")
    lines[5] = f"{date},{a},n/a?"
    path = _csv(tmp_path, "text.csv", "\n".join(lines) + "\n")
    assert _load_error(path) == (
        f"{path}: line 6, column 'MSFT': 'n/a?' is not a number; fix the cell, or leave it "
        "empty to mean no trading on that bar"
    )
    long = to_long({"close": close.rename_axis(None)})
    long["close"] = long["close"].astype(object)
    long.loc[3, "close"] = "1.2.3"
    path = tmp_path / "long_text.csv"
    long.to_csv(path, index=False)
    assert _load_error(path).startswith(f"{path}: line 5, column 'close': '1.2.3' is not a number")


def test_unparsable_and_missing_dates(tmp_path, close):
    lines = _wide_text(close)
    lines[8] = "2021-13-45" + lines[8][lines[8].index(",") :]
    path = _csv(tmp_path, "baddate.csv", "\n".join(lines) + "\n")
    assert _load_error(path) == (
        f"{path}: line 9: date '2021-13-45' is not a date; write dates like 2021-05-28 or "
        "2021-05-28 16:00:00-04:00"
    )
    lines = _wide_text(close)
    lines[4] = lines[4][lines[4].index(",") :]
    path = _csv(tmp_path, "nodate.csv", "\n".join(lines) + "\n")
    assert _load_error(path).startswith(f"{path}: line 5: the date is missing; every row needs")


def test_dates_in_two_formats_name_the_first_odd_line(tmp_path):
    path = _csv(tmp_path, "formats.csv", "date,A\n2021-01-04,1\n2021-01-05,2\n01/06/2021,3\n")
    assert _load_error(path) == (
        f"{path}: line 4: date '01/06/2021' is written in another format than line 2's "
        "'2021-01-04'; write every date in one format, ISO 8601 (2021-05-28) preferred"
    )
    iso = _csv(tmp_path, "iso.csv", "date,A\n2021-01-04,1\n2021-01-05T16:00:00,2\n")
    assert load_ohlcv(iso)["close"].index[1] == pd.Timestamp("2021-01-05 16:00")


def test_aware_and_naive_dates_mixed(tmp_path, close):
    lines = _wide_text(close)
    lines[4] = "2015-01-08 00:00:00+00:00" + lines[4][lines[4].index(",") :]
    path = _csv(tmp_path, "mixed.csv", "\n".join(lines) + "\n")
    assert _load_error(path) == (
        f"{path}: line 5: date '2015-01-08 00:00:00+00:00' has a UTC offset but line 2's "
        f"'{close.index[0].date()}' has none (timezone-aware and naive dates mixed); write "
        "every date with a UTC offset, or none"
    )


def test_dst_spanning_file_loads_in_utc(tmp_path):
    # an America/New_York index across the March 2021 DST change: offsets -05:00 then -04:00
    idx = pd.date_range("2021-03-08 16:00", periods=10, freq="B", tz="America/New_York")
    frame = pd.DataFrame({"A": np.arange(1.0, 11.0)}, index=idx).rename_axis("date")
    path = tmp_path / "dst.csv"
    frame.to_csv(path)
    text = path.read_text()
    assert "-05:00" in text and "-04:00" in text  # what pandas writes: mixed offsets
    got = load_ohlcv(path)["close"]
    assert str(got.index.tz) == "UTC"
    # the same instants, independent of pandas: 16:00 EST = 21:00 UTC, 16:00 EDT = 20:00 UTC
    hours = [ts.hour for ts in got.index]
    assert hours == [21] * 5 + [20] * 5
    assert got["A"].tolist() == list(np.arange(1.0, 11.0))
    # one fixed offset also becomes UTC (an offset is not a zone), a real zone is kept
    summer = pd.date_range("2021-06-01 16:00", periods=5, freq="B", tz="America/New_York")
    path = tmp_path / "summer.csv"
    pd.DataFrame({"A": np.arange(1.0, 6.0)}, index=summer).rename_axis("date").to_csv(path)
    assert str(load_ohlcv(path)["close"].index.tz) == "UTC"
    kept = load_ohlcv(pd.DataFrame({"A": np.arange(1.0, 11.0)}, index=idx))["close"]
    assert str(kept.index.tz) == "America/New_York"


# ---------------------------------------------------------------- item 9: close-only files


def test_close_only_file_errors_name_close_not_open(tmp_path, close):
    bad = close.copy()
    bad.iloc[4, 0] = -1.0
    path = tmp_path / "neg.csv"
    bad.to_csv(path)
    msg = _load_error(path)
    assert msg.startswith(f"{path}: close must be strictly positive; got -1.0 at")
    assert "open" not in msg


def test_close_only_long_layout_loads(close):
    long = to_long({"close": close.rename_axis(None)})
    got = from_long(long)
    pd.testing.assert_frame_equal(got["close"], close.rename_axis(None), check_freq=False)
    assert got["open"].equals(got["close"]) and got["low"].equals(got["close"])
    with pytest.raises(ValidationError, match=r"has \['open'\] but not \['high', 'low'\]"):
        from_long(long.assign(open=long["close"]))


def test_numeric_index_is_not_taken_for_dates(close):
    with pytest.raises(DataTypeError, match="is a number, not a date"):
        from_wide(close.reset_index(drop=True))


# ---------------------------------------------------------------- item 9: zones in messages


def test_timezone_mismatch_message_shows_the_zones():
    import quantlab as ql

    utc = pd.date_range("2021-05-28", periods=5, tz="UTC")
    close = pd.DataFrame({"A": np.linspace(1.0, 2.0, 5)}, index=utc)
    local = utc.tz_localize(None).tz_localize("America/New_York")
    entries = pd.DataFrame({"A": [False] * 5}, index=local)
    with pytest.raises(AlignmentError) as info:
        ql.backtest.from_signals(close, entries, entries)
    assert "at row 0 (2021-05-28 00:00 America/New_York vs 2021-05-28 00:00 UTC)" in str(info.value)
    naive = entries.set_axis(utc.tz_localize(None))
    with pytest.raises(AlignmentError, match=r"\(2021-05-28 vs 2021-05-28 00:00 UTC\)"):
        ql.backtest.from_signals(close, naive, naive)
