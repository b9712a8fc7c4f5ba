"""A recipe's events from a disclosure file: data.events + data.events_layout."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from quantlab.data import events_to_features, sample_universe
from quantlab.errors import ParameterError
from quantlab.tracking import validate_recipe
from quantlab.tracking.train import _load_data

FIX = Path(__file__).resolve().parents[1] / "data" / "fixtures" / "disclosures"
SAMPLE = {"source": "sample", "n_assets": 6, "n_days": 200, "seed": 3}


def test_a_disclosure_file_round_trips_to_the_same_features(tmp_path: Path) -> None:
    u = sample_universe(n_assets=6, n_days=200, seed=3)
    raw = u.events.drop(columns=["amount_mid", "available_at", "lag_days"])
    raw["side"] = raw["side"].map({1: "Purchase", -1: "Sale (Partial)"})
    raw.to_csv(tmp_path / "disclosures.csv", index=False)
    spec = validate_recipe(
        {
            "data": {
                **SAMPLE,
                "events": str(tmp_path / "disclosures.csv"),
                "events_layout": "generic",
            }
        }
    )["data"]
    _, events, close, notes = _load_data(spec)
    pd.testing.assert_frame_equal(events, u.events)
    assert notes["events_kept"] == notes["events_read"] == str(len(u.events))
    assert notes["events_left_out"] == "none" and "events_unpriced" not in notes
    got = events_to_features(events, close.index, symbols=close.columns, windows=[10])
    ref = events_to_features(u.events, close.index, symbols=close.columns, windows=[10])
    for name in ref:
        pd.testing.assert_frame_equal(got[name], ref[name])


def test_a_watcher_file_reports_what_it_left_out_and_what_is_unpriced() -> None:
    spec = validate_recipe({"data": {**SAMPLE, "events": str(FIX / "senate_watcher.json")}})
    _, events, _, notes = _load_data(spec["data"])
    assert notes["events_layout"] == "senate_watcher"
    assert (notes["events_read"], notes["events_kept"]) == ("24", str(len(events)))
    assert notes["events_left_out"].startswith("bad_date=1, future_date=1, ")
    # the sample's symbols are S000...; every disclosed ticker is unpriced, and said so
    assert notes["events_unpriced"].startswith(f"{len(events)} rows, ")


def test_events_layout_is_checked() -> None:
    with pytest.raises(
        ParameterError, match=r"^recipe key 'data.events_layout' must be one of \['auto', "
    ):
        validate_recipe({"data": {"events_layout": "house"}})
