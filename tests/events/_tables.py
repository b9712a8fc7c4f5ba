"""Disclosure tables in the schema of ``quantlab.data.DISCLOSURE_COLUMNS`` from per-row lists,
for the copy-trade tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from quantlab.data import DISCLOSURE_COLUMNS

COLUMNS = DISCLOSURE_COLUMNS
BRACKETS = ((1_001.0, 15_000.0), (15_001.0, 50_000.0), (50_001.0, 100_000.0))


def disclosure_table(filer, symbol, side, transaction_date, disclosure_date, amount_low=None):
    """A normalised table from per-row lists (amounts default to the first bracket)."""
    n = len(filer)
    low = np.full(n, BRACKETS[0][0]) if amount_low is None else np.asarray(amount_low, float)
    high = np.array([dict(BRACKETS).get(v, v * 2) for v in low])
    tx = pd.to_datetime(pd.Series(transaction_date)).astype("datetime64[ns]")
    disc = pd.to_datetime(pd.Series(disclosure_date)).astype("datetime64[ns]")
    table = pd.DataFrame(
        {
            "filer": pd.Series(filer, dtype=object),
            "chamber": np.where(np.arange(n) % 2 == 0, "house", "senate").astype(object),
            "owner": "self",
            "symbol": pd.Series(symbol, dtype=object).str.upper(),
            "asset_description": "common stock",
            "side": np.asarray(side, dtype=np.int8),
            "amount_low": low,
            "amount_high": high,
            "amount_mid": (low + high) / 2,
            "transaction_date": tx.to_numpy(),
            "disclosure_date": disc.to_numpy(),
            "available_at": (disc + pd.Timedelta(days=1)).to_numpy(),
            "lag_days": (disc - tx).dt.days.to_numpy(dtype=np.int64),
        }
    )
    table = table.sort_values(["available_at", "filer", "symbol"], kind="stable")
    return table.reset_index(drop=True)[list(COLUMNS)]


def random_table(rng, n, filers, symbols, start, end, max_lag=45, buy_share=0.6):
    """``n`` random disclosures between ``start`` and ``end`` (calendar days)."""
    days = pd.date_range(start, end, freq="D")
    disc = days[rng.integers(0, len(days), n)]
    lag = rng.integers(0, max_lag + 1, n)
    tx = disc - pd.to_timedelta(lag, unit="D")
    low = np.array([b[0] for b in BRACKETS])[rng.integers(0, len(BRACKETS), n)]
    return disclosure_table(
        list(rng.choice(filers, n)),
        list(rng.choice(symbols, n)),
        np.where(rng.random(n) < buy_share, 1, -1),
        tx,
        disc,
        low,
    )


def random_prices(rng, n_bars, symbols, start="2020-01-01", vol=0.02, drift=0.0, nan_share=0.0):
    """Close and open panels of geometric random walks (business days), optional NaN holes."""
    idx = pd.bdate_range(start, periods=n_bars)
    r = rng.normal(drift - vol**2 / 2, vol, (n_bars, len(symbols)))
    close = 100 * np.exp(np.cumsum(r, axis=0))
    open_ = close * np.exp(rng.normal(0, vol / 3, close.shape))
    if nan_share:
        holes = rng.random(close.shape) < nan_share
        close[holes] = np.nan
        open_[holes] = np.nan
    return (
        pd.DataFrame(close, index=idx, columns=list(symbols)),
        pd.DataFrame(open_, index=idx, columns=list(symbols)),
    )
