"""Disclosure readers on hand-written fixtures in the House / Senate Stock Watcher layouts.

Every expected value below was written by hand from the fixture rows (each row's purpose
is noted where it is checked), never produced by the code under test.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quantlab.data import (
    DISCLOSURE_COLUMNS,
    check_symbols,
    read_disclosures,
    validate_disclosures,
)
from quantlab.data._disclosure_fields import AMOUNT_BRACKETS, parse_amount
from quantlab.errors import NotFoundError, ParameterError, ValidationError

FIX = Path(__file__).parent / "fixtures" / "disclosures"
TODAY = "2024-06-30"
INF = math.inf
GENERIC_COLUMNS = {
    "filer": "Name",
    "chamber": "Chamber",
    "symbol": "Ticker",
    "side": "Trade",
    "amount_low": "Low",
    "amount_high": "High",
    "transaction_date": "Traded",
    "disclosure_date": "Filed",
    "owner": "Holder",
}


def _reasons(report) -> dict[int, str]:
    return dict(zip(report.rows["source_row"], report.rows["reason"], strict=True))


def _check_schema(table: pd.DataFrame) -> None:
    assert tuple(table.columns) == DISCLOSURE_COLUMNS
    assert table["side"].dtype == np.int8 and table["lag_days"].dtype == np.int64
    for col in ("transaction_date", "disclosure_date", "available_at"):
        assert table[col].dtype == "datetime64[ns]"
    for col in ("amount_low", "amount_high", "amount_mid"):
        assert table[col].dtype == np.float64
    assert list(table.index) == list(range(len(table)))
    key = list(zip(table["available_at"], table["filer"], table["symbol"], strict=True))
    assert key == sorted(key)


def test_house_watcher_json_every_quirk():
    table, report = read_disclosures(FIX / "house_watcher.json", today=TODAY)
    _check_schema(table)
    assert report.layout == "house_watcher" and (table["chamber"] == "house").all()
    assert report.n_read == 32 and report.n_kept == 16 == len(table)
    assert _reasons(report) == {
        27: "missing_filer",
        5: "bad_date",  # transaction_date "0009-06-07"
        6: "bad_date",  # "2021-13-01"
        28: "bad_date",  # "2020-02-30"
        8: "future_date",  # 2099
        7: "disclosed_before_transaction",
        9: "unknown_type",  # type ""
        3: "exchange",
        4: "missing_ticker",  # "--"
        29: "missing_ticker",  # null
        25: "malformed_ticker",  # "Apple Inc"
        18: "unknown_amount",  # "Unknown"
        30: "unknown_amount",  # "$15,000 - $1,001"
        20: "unknown_owner",  # "trust"
        21: "duplicate",  # exact copy of row 1
        22: "amended",  # row 2 re-filed on 03/22/2021 with another amount
    }
    assert report.counts == {
        "missing_filer": 1,
        "bad_date": 3,
        "future_date": 1,
        "disclosed_before_transaction": 1,
        "unknown_type": 1,
        "exchange": 1,
        "missing_ticker": 2,
        "malformed_ticker": 1,
        "unknown_amount": 2,
        "unknown_owner": 1,
        "duplicate": 1,
        "amended": 1,
    }
    assert report.n_read == report.n_kept + sum(report.counts.values())
    # the offending rows are the source rows, as read
    bad = report.rows.set_index("source_row")
    assert bad.loc[5, "transaction_date"] == "0009-06-07"
    assert bad.loc[21, "detail"] == "same as source row 1"
    assert bad.loc[22, "detail"] == "same transaction first disclosed 2021-01-20"
    assert "'2021-13-01'" in bad.loc[6, "detail"]

    by = table.set_index(["symbol", "amount_low"])
    # symbols: "$tsla" -> TSLA, "BRK/B" -> BRK.B
    assert sorted(table["symbol"]) == sorted(
        "AAPL AAPL KO MSFT WMT TSLA BRK.B BRK.B CVX XOM AMZN GOOGL NFLX NKE NVDA JNJ".split()
    )
    # both lots of one day in one filing are kept (row 0 and row 31)
    assert by.loc[("AAPL", 1_000_001.0), "amount_high"] == 5_000_000.0
    assert by.loc[("AAPL", 250_001.0), "amount_mid"] == 375_000.5
    # the amended KO sale keeps the original (earliest) filing: bracket and date
    ko = by.loc[("KO", 50_001.0)]
    assert (ko["amount_high"], ko["side"], ko["owner"]) == (100_000.0, -1, "joint")
    assert ko["disclosure_date"] == pd.Timestamp("2021-01-20")
    assert ko["available_at"] == pd.Timestamp("2021-01-21") and ko["lag_days"] == 14
    # open and truncated brackets
    assert tuple(by.loc[("GOOGL", 50_000_000.0), ["amount_high", "amount_mid"]]) == (INF, 5e7)
    assert tuple(by.loc[("AMZN", 1_000_001.0), ["amount_high", "side"]]) == (INF, -1)
    assert by.loc[("NFLX", 1_000_000.0), "amount_high"] == INF  # "Spouse/DC Over $1,000,000"
    assert by.loc[("XOM", 1_001.0), "amount_high"] == 15_000.0  # "$1,001 -"
    assert by.loc[("CVX", 1_001.0), "amount_high"] == 15_000.0  # odd spacing
    # owners, names, dates
    assert by.loc[("NKE", 1_001.0), "owner"] == "unknown"  # owner "--"
    assert by.loc[("WMT", 250_001.0), "owner"] == "dependent"
    assert by.loc[("WMT", 250_001.0), "lag_days"] == 20  # ISO disclosure date 2021-02-03
    assert by.loc[("NVDA", 500_001.0), "filer"] == "Nancy Pelosi"  # "Hon.  Nancy   Pelosi"
    assert by.loc[("JNJ", 15_001.0), "lag_days"] == 120  # a late filing is kept
    assert set(table["filer"]) == {"Nancy Pelosi", "Virginia Foxx", "Earl Blumenauer", "Mark Green"}
    assert table["side"].sum() == 12 - 4


def test_senate_watcher_json_every_quirk():
    table, report = read_disclosures(FIX / "senate_watcher.json", today=TODAY)
    _check_schema(table)
    assert report.layout == "senate_watcher" and (table["chamber"] == "senate").all()
    assert (report.n_read, report.n_kept) == (24, 12)
    assert _reasons(report) == {
        11: "bad_date",  # "13/01/2021"
        19: "future_date",  # disclosed 07/30/2099
        12: "disclosed_before_transaction",
        3: "exchange",
        4: "non_stock_asset",  # Stock Option
        5: "non_stock_asset",  # Corporate Bond (also without ticker: the first reason wins)
        6: "non_stock_asset",  # Other Securities
        7: "missing_ticker",
        22: "malformed_ticker",  # "SPY, QQQ"
        16: "unknown_amount",
        14: "duplicate",
        15: "amended",  # row 1 re-filed ("Amendment" comment)
    }
    by = table.set_index(["filer", "symbol"])
    assert by.loc[("Thomas R Carper", "KO"), "side"] == -1  # HTML link ticker, Sale (Full)
    assert by.loc[("Thomas R Carper", "KO"), "amount_high"] == 15_000.0  # not the amendment's
    assert by.loc[("Thomas R Carper", "PEP"), "side"] == -1  # Sale (Partial)
    assert by.loc[("Thomas R Carper", "MSFT"), "owner"] == "spouse"  # "Thomas R. Carper"
    assert by.loc[("Susan M Collins", "DIS"), "owner"] == "dependent"  # "Child"
    assert by.loc[("Sheldon Whitehouse", "AMZN"), "amount_mid"] == 50_000_000.0
    assert by.loc[("Sheldon Whitehouse", "GM"), "side"] == -1  # plain "Sale"
    assert by.loc[("Sheldon Whitehouse", "MSFT"), "amount_low"] == 1_001.0  # "msft", no type
    assert by.loc[("Sheldon Whitehouse", "BRK.B"), "amount_low"] == 15_001.0  # "BRK B"
    assert by.loc[("Tommy Tuberville", "UBER"), "owner"] == "spouse"  # "Sen. Tommy ..."
    assert by.loc[("Tommy Tuberville", "LYFT"), "lag_days"] == 200
    assert by.loc[("Tommy Tuberville", "XOM"), "side"] == 1  # lower-case "purchase"
    assert by.loc[("Thomas R Carper", "AAPL"), "available_at"] == pd.Timestamp("2021-01-26")


def test_csv_layouts():
    table, report = read_disclosures(FIX / "house_watcher.csv", today=TODAY)
    assert report.layout == "house_watcher" and report.n_read == 9
    assert _reasons(report) == {1: "missing_ticker", 5: "exchange", 7: "duplicate", 8: "bad_date"}
    assert sorted(table["symbol"]) == ["AAPL", "AMD", "COST", "GOOGL", "QCOM"]  # " GOOGL "
    assert set(table["filer"]) == {"Josh Gottheimer"}
    amd = table.set_index("symbol").loc["AMD"]
    assert (amd["amount_low"], amd["amount_high"]) == (5_000_001.0, 25_000_000.0)

    table, report = read_disclosures(FIX / "senate_watcher.csv", today=TODAY)
    assert report.layout == "senate_watcher"
    assert _reasons(report) == {1: "non_stock_asset", 5: "missing_filer"}
    # "David A Perdue  Jr", "David A. Perdue, Jr.", "David A Perdue Jr": one filer
    assert set(table["filer"]) == {"David A Perdue Jr"}
    assert sorted(table["symbol"]) == ["BAC", "C", "JPM", "WFC"]
    c = table.set_index("symbol").loc["C"]
    assert (c["amount_low"], c["amount_high"]) == (1_001.0, 15_000.0)  # "$1001 - $15000"


def test_generic_csv_parquet_and_dataframe_agree(tmp_path):
    table, report = read_disclosures(FIX / "generic.csv", columns=GENERIC_COLUMNS, today=TODAY)
    assert report.layout == "generic"
    assert _reasons(report) == {4: "unknown_amount", 5: "unknown_type", 6: "unknown_chamber"}
    assert table[["symbol", "chamber", "owner", "side"]].values.tolist() == [
        ["AAPL", "house", "self", 1],
        ["MSFT", "house", "spouse", -1],
        ["NVDA", "house", "spouse", 1],
        ["KO", "senate", "joint", -1],
    ]
    assert table["amount_high"].tolist() == [15_000.0, 50_000.0, INF, 15_000.0]
    assert table["lag_days"].tolist() == [18, 17, 16, 90]

    raw = pd.read_csv(FIX / "generic.csv")
    raw.to_parquet(tmp_path / "g.parquet")
    from_df = read_disclosures(raw, "generic", columns=GENERIC_COLUMNS, today=TODAY)
    from_pq = read_disclosures(tmp_path / "g.parquet", columns=GENERIC_COLUMNS, today=TODAY)
    pd.testing.assert_frame_equal(from_df.table, table)
    pd.testing.assert_frame_equal(from_pq.table, table)
    assert from_pq.report.counts == report.counts


def test_generic_layout_with_our_own_names_and_bracket_text():
    raw = pd.DataFrame(
        {
            "filer": ["X Y", "X Y"],
            "chamber": ["senate", "senate"],
            "symbol": ["ko", "pep"],
            "type": ["Sale (Partial)", "P"],
            "amount": ["$15,001 - $50,000", 20_000],
            "transaction_date": pd.to_datetime(["2023-01-02", "2023-01-03"]),
            "disclosure_date": ["2023-02-01", "02/02/2023"],
        }
    )
    table, report = read_disclosures(raw, today=TODAY)
    assert report.counts == {} and report.n_kept == 2
    assert table[["symbol", "side", "amount_low", "amount_high", "owner"]].values.tolist() == [
        ["KO", -1, 15_001.0, 50_000.0, "unknown"],
        ["PEP", 1, 20_000.0, 20_000.0, "unknown"],
    ]


def test_aliases_merge_name_variants_before_reconciliation():
    raw = pd.DataFrame(json.loads((FIX / "house_watcher.json").read_text()))
    raw.loc[22, "representative"] = "Hon. Virginia A. Foxx"  # the KO amendment's filer
    table, report = read_disclosures(raw, today=TODAY)
    assert "amended" not in report.counts and "Virginia A Foxx" in set(table["filer"])
    aliases = {"Virginia A Foxx": "Virginia Foxx"}
    table, report = read_disclosures(raw, today=TODAY, aliases=aliases)
    assert _reasons(report)[22] == "amended" and "Virginia A Foxx" not in set(table["filer"])


def test_report_reads_well_and_adds_up():
    _, report = read_disclosures(FIX / "senate_watcher.json", today=TODAY)
    text = str(report)
    assert text.splitlines()[0] == (
        "senate_watcher.json (senate_watcher): read 24 rows, kept 12, left out 12"
    )
    assert "  non_stock_asset               3" in text
    assert list(report.rows.columns[:1]) == ["source_row"]
    assert {"reason", "detail", "ticker", "senator"} <= set(report.rows.columns)


def test_future_dates_follow_today():
    _, early = read_disclosures(FIX / "senate_watcher.json", today="2021-02-02")
    # rows 10, 12 (traded 02/10), 13 and 15-23 are dated after that day
    assert early.counts["future_date"] == 12
    _, late = read_disclosures(FIX / "senate_watcher.json", today="2100-01-01")
    assert "future_date" not in late.counts


# ----------------------------------------------------------------- reconciliation rule


def test_amendment_keeps_the_earliest_disclosure_whatever_the_file_order():
    raw = json.loads((FIX / "house_watcher.json").read_text())
    forward = read_disclosures(pd.DataFrame(raw), today=TODAY).table
    backward = read_disclosures(pd.DataFrame(raw[::-1]), today=TODAY).table
    pd.testing.assert_frame_equal(forward, backward)


def _naive_reconcile(rows: list[dict]) -> list[str]:
    """Slow twin of the rule: exact copies first, then later disclosures of one key."""
    out, seen = [], []
    for r in rows:
        out.append("duplicate" if r in seen else "")
        seen.append(r)
    key = ("filer", "owner", "symbol", "type", "transaction_date")
    for i, r in enumerate(rows):
        if out[i]:
            continue
        firsts = [
            o["disclosure_date"]
            for j, o in enumerate(rows)
            if not out[j] and all(o[k] == r[k] for k in key)
        ]
        if r["disclosure_date"] > min(firsts):
            out[i] = "amended"
    return out


def test_reconciliation_matches_a_naive_twin():
    rng = np.random.default_rng(3)
    rows = []
    for _ in range(300):
        rows.append(
            {
                "filer": str(rng.choice(["A A", "B B"])),
                "owner": str(rng.choice(["self", "spouse"])),
                "symbol": str(rng.choice(["KO", "PEP", "MO"])),
                "type": str(rng.choice(["purchase", "sale_full"])),
                "amount": str(rng.choice(["$1,001 - $15,000", "$15,001 - $50,000"])),
                "transaction_date": f"2022-01-{rng.integers(1, 4):02d}",
                # ISO text so that string order is date order in the naive twin
                "disclosure_date": f"2022-02-{rng.integers(1, 4):02d}",
                "chamber": "house",
            }
        )
    _, report = read_disclosures(pd.DataFrame(rows), "generic", today=TODAY)
    expected = _naive_reconcile(rows)
    got = [""] * len(rows)
    for i, why in _reasons(report).items():
        got[i] = why
    assert got == expected
    assert 0 < expected.count("duplicate") and 0 < expected.count("amended")


# ----------------------------------------------------------------- bad input


def test_malformed_files_raise_one_line_errors(tmp_path):
    (tmp_path / "cut.json").write_text('[{"representative": "Hon. A", "ticker": "KO"')
    with pytest.raises(ValidationError, match=r"^source cut.json cannot be read as json: "):
        read_disclosures(tmp_path / "cut.json")
    (tmp_path / "obj.json").write_text('{"data": []}')
    with pytest.raises(ValidationError, match=r"must hold a list of records .*got a dict"):
        read_disclosures(tmp_path / "obj.json")
    (tmp_path / "x.xlsx").write_text("")
    with pytest.raises(ParameterError, match=r"unknown file type '.xlsx'"):
        read_disclosures(tmp_path / "x.xlsx")
    with pytest.raises(NotFoundError, match=r"file '.*nope.json' does not exist"):
        read_disclosures(tmp_path / "nope.json")
    house = pd.read_csv(FIX / "house_watcher.csv", dtype=str).drop(columns=["amount"])
    with pytest.raises(ValidationError, match=r"house_watcher layout\) is missing column\(s\) "):
        read_disclosures(house)
    with pytest.raises(ValidationError, match=r"generic layout\) is missing column\(s\)"):
        read_disclosures(pd.read_csv(FIX / "generic.csv"))
    with pytest.raises(ParameterError, match=r"layout must be one of .* got 'house'"):
        read_disclosures(house, "house")
    with pytest.raises(ParameterError, match=r"columns applies to layout='generic' only"):
        read_disclosures(house, "house_watcher", columns={"filer": "representative"})
    with pytest.raises(ParameterError, match=r"columns has unknown key\(s\) \['name'\]"):
        read_disclosures(house, columns={"name": "representative"})
    with pytest.raises(ParameterError, match=r"^today must be a date .*; got 'soon'"):
        read_disclosures(house, today="soon")


def test_garbage_rows_never_raise():
    """Every kind of junk cell ends in the report, never in a traceback."""
    junk = [None, "", "--", 3.5, -1, "???", "<b></b>", "9999-99-99", "$", "Over", float("nan")]
    rows = [
        {
            "representative": a,
            "ticker": b,
            "type": c,
            "amount": d,
            "owner": e,
            "transaction_date": f,
            "disclosure_date": g,
        }
        for a, b, c, d, e, f, g in zip(*(np.roll(junk, k) for k in range(7)), strict=True)
    ]
    table, report = read_disclosures(pd.DataFrame(rows), today=TODAY)
    assert len(table) == 0 and report.n_read == len(junk) == sum(report.counts.values())


# ----------------------------------------------------------------- validate / check_symbols


def _table(**over):
    base = {
        "filer": ["A B", "C D"],
        "chamber": ["house", "senate"],
        "owner": ["self", "joint"],
        "symbol": ["KO", "PEP"],
        "asset_description": ["", ""],
        "side": [1, -1],
        "amount_low": [1001.0, 15001.0],
        "amount_high": [15000.0, 50000.0],
        "transaction_date": ["2022-01-03", "2022-01-04"],
        "disclosure_date": ["2022-01-20", "2022-03-30"],
    }
    base.update(over)
    return pd.DataFrame(base)


def test_validate_disclosures_derives_and_checks():
    out = validate_disclosures(_table())
    assert out["amount_mid"].tolist() == [8000.5, 32500.5]
    assert out["lag_days"].tolist() == [17, 85]
    assert out["available_at"].tolist() == [pd.Timestamp("2022-01-21"), pd.Timestamp("2022-03-31")]
    again = validate_disclosures(out.assign(note=["x", "y"]))
    assert list(again.columns) == [*DISCLOSURE_COLUMNS, "note"]
    pd.testing.assert_frame_equal(again.drop(columns="note"), out)


@pytest.mark.parametrize(
    "over,match",
    [
        ({"side": [1, 0]}, r"column 'side' must be \+1 \(purchase\) or -1 \(sale\); got 0 in 1"),
        ({"chamber": ["house", "Senate"]}, r"'chamber' must be house / senate; got 'Senate'"),
        ({"owner": ["self", "trust"]}, r"'owner' must be one of .*; got 'trust'"),
        ({"symbol": ["KO", "pep"]}, r"'symbol' must be an upper-case ticker; got 'pep'"),
        ({"amount_low": [0.0, 1.0]}, r"'amount_low' must be a finite number > 0; got 0.0"),
        ({"amount_high": [1000.0, 5e4]}, r"'amount_high' must be >= amount_low"),
        (
            {"disclosure_date": ["2021-12-01", "2022-03-30"]},
            r"'disclosure_date' must be on or after transaction_date; got .* \(first: row 0\)",
        ),
        ({"transaction_date": ["2022-01-03", "soon"]}, r"'transaction_date' must be a date"),
        ({"lag_days": [17, 3]}, r"'lag_days' must be disclosure - transaction days; got 3"),
        ({"available_at": ["2022-01-20", "2022-04-01"]}, r"'available_at' must be >= disclo"),
    ],
)
def test_validate_disclosures_errors(over, match):
    with pytest.raises(ValidationError, match=match):
        validate_disclosures(_table(**over))


def test_validate_disclosures_missing_columns():
    with pytest.raises(ValidationError, match=r"missing column\(s\) \['owner'\]; it needs"):
        validate_disclosures(_table().drop(columns="owner"))


def test_check_symbols_names_what_the_panel_lacks():
    table, _ = read_disclosures(FIX / "house_watcher.json", today=TODAY)
    close = pd.DataFrame(1.0, index=pd.bdate_range("2021-01-01", periods=3),
                         columns=["AAPL", "KO", "BRK-B", "MSFT"])  # fmt: skip
    missing = check_symbols(table, close)
    assert missing.iloc[0].tolist() == ["BRK.B", 2, "panel has 'BRK-B'"]
    assert set(missing["symbol"]) == set(table["symbol"]) - {"AAPL", "KO", "MSFT"}
    assert missing["n_rows"].sum() == len(table) - 4
    assert check_symbols(table, {"close": close}).equals(missing)
    assert check_symbols(table, table["symbol"].unique()).empty
    with pytest.raises(ValidationError, match="'symbol' column"):
        check_symbols(close, close)


# ----------------------------------------------------------------- properties

_CLOSED = [b for b in AMOUNT_BRACKETS if b[1] < INF]


@given(
    st.sampled_from(_CLOSED),
    st.sampled_from(["", " ", "  "]),
    st.sampled_from(["", " ", "   "]),
    st.booleans(),
    st.booleans(),
)
def test_any_spelling_of_an_official_bracket_parses_to_it(bracket, pad1, pad2, dollar, commas):
    def num(x: float) -> str:
        return ("$" if dollar else "") + (f"{int(x):,}" if commas else str(int(x)))

    text = f"{pad1}{num(bracket[0])}{pad2}-{pad1}{num(bracket[1])}{pad2}"
    assert parse_amount(text) == bracket


_HOUSE_ROWS = json.loads((FIX / "house_watcher.json").read_text())


@settings(max_examples=15, deadline=None)
@given(st.permutations(range(len(_HOUSE_ROWS))), st.integers(1, len(_HOUSE_ROWS)))
def test_counts_add_up_and_order_does_not_matter(order, n):
    rows = [_HOUSE_ROWS[i] for i in order[:n]]
    table, report = read_disclosures(pd.DataFrame(rows), today=TODAY)
    assert report.n_read == n == report.n_kept + sum(report.counts.values())
    assert len(report.rows) == sum(report.counts.values())
    same = read_disclosures(pd.DataFrame(sorted(rows, key=json.dumps)), today=TODAY).table
    pd.testing.assert_frame_equal(table, same)


def test_an_empty_source_gives_an_empty_table_with_the_schema():
    raw = pd.read_csv(FIX / "house_watcher.csv", dtype=str).iloc[:0]
    table, report = read_disclosures(raw, today=TODAY)
    _check_schema(table)
    assert len(table) == 0 and (report.n_read, report.counts) == (0, {})
