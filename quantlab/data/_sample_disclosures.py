"""The synthetic disclosure table of :func:`quantlab.data.sample_universe`.

A population of filers trading the sample's assets, shaped like STOCK Act disclosures:

* filers: about 80% House, 20% Senate; activity (share of the trades) log-normal, so a
  few filers trade a lot; ``max(1, round(10%))`` of them (at least one) are *skilled*;
* trades: an asset has a trade on a business day with probability ``event_rate``; 55%
  purchases; owner self 45% / spouse 35% / joint 15% / dependent 5%; the amount bracket
  drawn from the official ones, small brackets most often (the open top bracket "Over
  $50,000,000" included, rarely);
* lag: about 90% of filings within the 45-day limit (median about 17 calendar days),
  10% late (46 to 150 days); disclosures fall on business days (rolled forward);
* only trades *disclosed* by the sample's last day are in the table (the rest are not
  public yet).

The planted effect: after a skilled filer's trade becomes known (its first bar at or
after ``available_at``), the asset drifts in the trade's direction for
:data:`DRIFT_BARS` bars, starting with that bar, by ``DRIFT * strength * sigma * size``
a day; ``size = 1 + log(amount_mid / 30,000) / 4.6`` clipped to [0.5, 1.5] (0.7 for the
smallest bracket, 1.5 from $250,001 up). Unskilled
filers' trades carry no information. The generator has its own random stream, so the
table does not depend on ``signal_strength``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from quantlab.data._disclosure_fields import AMOUNT_BRACKETS
from quantlab.data.disclosure_table import validate_disclosures

DRIFT = 0.15
DRIFT_BARS = 10
_BRACKET_P = (0.55, 0.2, 0.1, 0.07, 0.04, 0.025, 0.01, 0.003, 0.0015, 0.0005)
_OWNERS = ("self", "spouse", "joint", "dependent")
_OWNER_P = (0.45, 0.35, 0.15, 0.05)
_LATE_SHARE = 0.10


class SampleDisclosures(NamedTuple):
    """The table, the skilled filers, and the per-row drift placement (sample only)."""

    table: pd.DataFrame
    skilled: tuple[str, ...]
    arrival: np.ndarray  # bar of the index on which each table row becomes known
    column: np.ndarray  # asset column of each row
    drift: np.ndarray  # signed daily drift size (side * size), 0 for unskilled filers


def sample_disclosures(
    seed: int,
    symbols: list[str],
    index: pd.DatetimeIndex,
    rate: float,
    n_filers: int,
) -> SampleDisclosures:
    """Draw the disclosure table of a sample universe (module docstring)."""
    rng = np.random.default_rng([seed, 15])
    n_days, n_assets = len(index), len(symbols)
    names = np.array([f"Member {i:03d}" for i in range(n_filers)], dtype=object)
    chamber = np.where(rng.random(n_filers) < 0.8, "house", "senate")
    activity = rng.lognormal(0.0, 1.0, n_filers)
    n_skilled = max(1, round(0.1 * n_filers))
    skilled = np.zeros(n_filers, dtype=bool)
    skilled[rng.permutation(n_filers)[:n_skilled]] = True

    t_idx, col = np.nonzero(rng.random((n_days, n_assets)) < rate)
    n = len(t_idx)
    who = rng.choice(n_filers, size=n, p=activity / activity.sum())
    side = np.where(rng.random(n) < 0.55, 1, -1).astype(np.int8)
    owner = np.asarray(_OWNERS, dtype=object)[rng.choice(4, size=n, p=_OWNER_P)]
    brackets = np.asarray(AMOUNT_BRACKETS[: len(_BRACKET_P)])[
        rng.choice(len(_BRACKET_P), size=n, p=_BRACKET_P)
    ]
    on_time = np.clip(np.round(rng.gamma(2.0, 10.0, n)), 1, 45)
    late = rng.integers(46, 151, n)
    lag = np.where(rng.random(n) < _LATE_SHARE, late, on_time).astype("timedelta64[D]")

    traded = index.values[t_idx].astype("datetime64[D]")
    disclosed = np.busday_offset(traded + lag, 0, roll="forward")
    table = pd.DataFrame(
        {
            "filer": names[who],
            "chamber": chamber[who],
            "owner": owner,
            "symbol": np.asarray(symbols, dtype=object)[col],
            "asset_description": [f"Synthetic asset {s}" for s in np.asarray(symbols)[col]],
            "side": side,
            "amount_low": brackets[:, 0],
            "amount_high": brackets[:, 1],
            "transaction_date": traded.astype("datetime64[ns]"),
            "disclosure_date": disclosed.astype("datetime64[ns]"),
            "skilled": skilled[who],
        }
    )
    table = validate_disclosures(table)
    table = table[table["available_at"] <= index[-1]].reset_index(drop=True)
    arrival = index.searchsorted(table["available_at"].to_numpy(), side="left")
    size = np.clip(1.0 + (np.log(table["amount_mid"]) - np.log(3e4)) / 4.6, 0.5, 1.5)
    drift = np.where(table["skilled"], table["side"] * size, 0.0)
    return SampleDisclosures(
        table=table.drop(columns="skilled"),
        skilled=tuple(sorted(names[skilled])),
        arrival=arrival,
        column=pd.Index(symbols).get_indexer(pd.Index(table["symbol"])),
        drift=np.asarray(drift, dtype=np.float64),
    )
