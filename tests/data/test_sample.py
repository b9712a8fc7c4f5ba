"""The synthetic universe: determinism, shapes, consistency, the planted component."""

from __future__ import annotations

import numpy as np
import pytest

from quantlab.data import sample_universe, validate_ohlcv
from quantlab.errors import ParameterError


def test_deterministic_and_consistent():
    a = sample_universe(n_assets=6, n_days=80, seed=11)
    b = sample_universe(n_assets=6, n_days=80, seed=11)
    assert a.close.equals(b.close) and a.events.equals(b.events)
    assert not a.close.equals(sample_universe(n_assets=6, n_days=80, seed=12).close)
    validate_ohlcv(a.ohlcv)
    assert a.close.shape == (80, 6)
    assert a.params["synthetic"] is True
    assert set(a.sectors) == set(a.symbols)
    assert set(np.unique(a.regimes)) <= {0, 1}


def test_events_are_disclosed_days_to_weeks_later():
    u = sample_universe(n_assets=10, n_days=300, seed=1)
    ev = u.events
    assert list(ev.columns) == ["symbol", "transaction_date", "available_at", "side", "amount"]
    lag = np.busday_count(
        ev.transaction_date.values.astype("datetime64[D]"),
        ev.available_at.values.astype("datetime64[D]"),
    )
    assert lag.min() >= 2 and lag.max() <= 25
    assert set(ev.side) == {"buy", "sell"}
    assert (ev.amount > 0).all()
    assert ev.available_at.is_monotonic_increasing


def test_signal_strength_zero_removes_the_planted_component():
    null = sample_universe(n_assets=5, n_days=100, seed=2, signal_strength=0.0)
    assert (null.expected.to_numpy() == 0).all()
    planted = sample_universe(n_assets=5, n_days=100, seed=2, signal_strength=1.0)
    assert np.abs(planted.expected.to_numpy()).max() > 0
    # same noise, so the two universes differ only through the planted component
    assert planted.events.equals(null.events)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"n_assets": 1}, "n_assets must be an int >= 2"),
        ({"n_days": 3}, "n_days must be an int >= 10"),
        ({"signal_strength": -1.0}, "signal_strength must be a finite number >= 0"),
        ({"n_sectors": 0}, "n_sectors must be an int between 1 and n_assets"),
        ({"event_rate": 2.0}, r"event_rate must be in \[0, 1\]"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        sample_universe(**kwargs)
