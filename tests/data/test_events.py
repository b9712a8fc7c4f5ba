"""Point-in-time event features: hand values, a pandas reference, and the no-look-ahead law."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from quantlab.data import events_to_features, sample_universe, validate_events
from quantlab.errors import AlignmentError, DataTypeError, ParameterError, ValidationError

CAL = pd.bdate_range("2024-01-01", periods=30)


def _events(rows):
    return pd.DataFrame(
        rows, columns=["symbol", "transaction_date", "available_at", "side", "amount"]
    )


def test_hand_computed_windows():
    ev = _events(
        [
            ("A", "2024-01-01", "2024-01-03", "buy", 100.0),
            ("A", "2024-01-02", "2024-01-06", "sell", 40.0),  # Saturday: arrives Monday 8th
            ("B", "2024-01-02", "2024-01-04", "buy", 10.0),
            ("C", "2024-01-02", "2024-01-04", "buy", 10.0),  # symbol not requested: ignored
        ]
    )
    out = events_to_features(ev, CAL[:8], symbols=["A", "B"], windows=[3])
    assert out["event_count_3"]["A"].tolist() == [0, 0, 1, 1, 1, 1, 1, 1]
    assert out["event_net_count_3"]["A"].tolist() == [0, 0, 1, 1, 1, -1, -1, -1]
    assert out["event_net_amount_3"]["A"].tolist() == [0, 0, 100, 100, 100, -40, -40, -40]
    assert out["event_count_3"]["B"].tolist() == [0, 0, 0, 1, 1, 1, 0, 0]
    assert sorted(out) == ["event_count_3", "event_net_amount_3", "event_net_count_3"]


def _pandas_reference(events: pd.DataFrame, calendar, symbols, window):
    """Loop over bars: sum the events with available_at in (cal[t - window], cal[t]]."""
    ev = validate_events(events)
    out = pd.DataFrame(0.0, index=calendar, columns=symbols)
    for t in range(len(calendar)):
        lo = calendar[t - window] if t >= window else calendar[0] - pd.Timedelta(days=1)
        hi = calendar[t]
        # events before the first bar are ignored, as documented
        sel = ev[
            (ev.available_at > lo) & (ev.available_at <= hi) & (ev.available_at >= calendar[0])
        ]
        for sym, grp in sel.groupby("symbol"):
            if sym in out.columns:
                out.loc[hi, sym] = (grp["sign"] * grp["amount"]).sum()
    return out


def test_matches_a_loop_reference_on_sample_events():
    u = sample_universe(n_assets=4, n_days=120, seed=5)
    got = events_to_features(u.events, u.close.index, symbols=u.symbols, windows=[7])
    ref = _pandas_reference(u.events, u.close.index, u.symbols, 7)
    np.testing.assert_allclose(got["event_net_amount_7"].to_numpy(), ref.to_numpy())


day = st.integers(min_value=0, max_value=25)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B"]),
            day,
            st.integers(0, 10),
            st.sampled_from(["buy", "sell"]),
            st.floats(1.0, 1e6),
        ),
        min_size=1,
        max_size=12,
    ),
    st.integers(0, 11),
    st.integers(1, 15),
    st.integers(1, 10),
)
def test_moving_a_disclosure_later_never_changes_earlier_features(rows, which, delay, window):
    base = _events(
        [(s, CAL[t], CAL[min(t + lag, len(CAL) - 1)], side, amt) for s, t, lag, side, amt in rows]
    )
    k = which % len(base)
    later = base.copy()
    later.loc[k, "available_at"] = base.loc[k, "available_at"] + pd.Timedelta(days=delay)
    f0 = events_to_features(base, CAL, symbols=["A", "B"], windows=[window])
    f1 = events_to_features(later, CAL, symbols=["A", "B"], windows=[window])
    before = CAL < base.loc[k, "available_at"]
    for name in f0:
        pd.testing.assert_frame_equal(f0[name][before], f1[name][before])


def test_bad_events():
    good = _events([("A", "2024-01-02", "2024-01-03", "buy", 1.0)])
    with pytest.raises(DataTypeError, match="events must be a DataFrame"):
        events_to_features([1, 2], CAL)
    with pytest.raises(ValidationError, match=r"missing column\(s\) \['amount'\]"):
        validate_events(good.drop(columns="amount"))
    early = good.assign(available_at=["2024-01-01"])
    with pytest.raises(ValidationError, match="disclosed before they happened"):
        validate_events(early)
    with pytest.raises(ValidationError, match="side must be 'buy' / 'sell'"):
        validate_events(good.assign(side=["hold"]))
    with pytest.raises(ValidationError, match="amount must be a finite number > 0"):
        validate_events(good.assign(amount=[0.0]))
    with pytest.raises(ParameterError, match="windows must be"):
        events_to_features(good, CAL, windows=[0])
    with pytest.raises(AlignmentError, match="timezone"):
        events_to_features(good, CAL.tz_localize("UTC"))
    numeric = good.assign(side=[-1])
    assert validate_events(numeric)["sign"].tolist() == [-1.0]


def test_a_disclosure_table_is_an_event_table():
    """side +1 / -1 and amount_mid (the low end for the open top bracket) as the amount;
    the row arrives on the first bar at or after available_at (disclosure day + 1)."""
    from quantlab.data import validate_disclosures

    table = validate_disclosures(
        pd.DataFrame(
            {
                "filer": ["A B", "C D"],
                "chamber": ["house", "senate"],
                "owner": ["self", "spouse"],
                "symbol": ["A", "A"],
                "asset_description": ["", ""],
                "side": [1, -1],
                "amount_low": [1001.0, 50_000_000.0],
                "amount_high": [15000.0, float("inf")],
                "transaction_date": ["2023-12-01", "2023-12-20"],
                "disclosure_date": ["2024-01-02", "2024-01-05"],  # Tue; Fri -> Mon 8th
            }
        )
    )
    out = events_to_features(table, CAL[:8], windows=[2])
    assert out["event_net_amount_2"]["A"].tolist() == [
        0.0, 0.0, 8000.5, 8000.5, 0.0, -5e7, -5e7, 0.0,
    ]  # fmt: skip
    assert out["event_count_2"]["A"].tolist() == [0, 0, 1, 1, 0, 1, 1, 0]
