"""pytest-benchmark of the disclosure reader (run: ``pytest benchmarks/bench_disclosures.py
--benchmark-only``).

100,000 House Stock Watcher rows (about six times the real ``all_transactions.json``),
made from the sample universe's disclosure table written in that layout, with a few
percent of junk cells so that every reason of the load report is exercised. There is no
peer library that reads these layouts; the figure of merit is rows per second.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from quantlab.data import read_disclosures, sample_universe

N_ROWS = 100_000


def house_rows(n: int) -> list[dict]:
    u = sample_universe(n_assets=100, n_days=2520, seed=0, event_rate=0.4)
    t = u.events.iloc[:n]
    rng = np.random.default_rng(0)
    amount = [
        f"${lo:,.0f} - ${hi:,.0f}" if np.isfinite(hi) else f"Over ${lo:,.0f}"
        for lo, hi in zip(t["amount_low"], t["amount_high"], strict=True)
    ]
    rows = pd.DataFrame(
        {
            "disclosure_year": t["disclosure_date"].dt.year,
            "disclosure_date": t["disclosure_date"].dt.strftime("%m/%d/%Y"),
            "transaction_date": t["transaction_date"].dt.strftime("%Y-%m-%d"),
            "owner": t["owner"],
            "ticker": t["symbol"],
            "asset_description": t["asset_description"],
            "type": np.where(t["side"] > 0, "purchase", "sale_partial"),
            "amount": amount,
            "representative": "Hon. " + t["filer"],
            "district": "XX00",
            "ptr_link": "https://example.invalid/ptr.pdf",
            "cap_gains_over_200_usd": False,
        }
    )
    junk = rng.random(len(rows)) < 0.03
    rows.loc[junk, "ticker"] = "--"
    bad = rng.random(len(rows)) < 0.01
    rows.loc[bad, "transaction_date"] = "0009-06-07"
    return rows.to_dict("records")


@pytest.fixture(scope="module")
def house_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("disclosures") / "all_transactions.json"
    path.write_text(json.dumps(house_rows(N_ROWS)))
    return path


def test_read_house_watcher_json_100k(benchmark, house_file) -> None:
    table, report = benchmark(lambda: read_disclosures(house_file, today="2030-01-01"))
    assert report.n_read == N_ROWS and len(table) > 0.9 * N_ROWS
