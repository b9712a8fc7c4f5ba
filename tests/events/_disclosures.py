"""Small synthetic disclosure tables (``quantlab.data.DISCLOSURE_COLUMNS``) and price panels,
with planted abnormal returns the event-study tests control event by event."""

from __future__ import annotations

import numpy as np
import pandas as pd

from quantlab.data import DISCLOSURE_COLUMNS

COLUMNS = DISCLOSURE_COLUMNS
BRACKETS = [(1_001.0, 15_000.0), (15_001.0, 50_000.0), (50_001.0, 100_000.0)]


def panel(
    rng: np.random.Generator,
    n_bars: int,
    n_assets: int,
    *,
    start: str = "2015-01-01",
    vol: float = 0.015,
    market_vol: float = 0.01,
    drift: np.ndarray | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """One-factor prices: ``r = beta * m + e`` (+ ``drift``), and the market returns ``m``."""
    idx = pd.bdate_range(start, periods=n_bars)
    m = rng.normal(0.0003, market_vol, n_bars)
    beta = rng.uniform(0.5, 1.5, n_assets)
    r = m[:, None] * beta + rng.normal(0.0, vol, (n_bars, n_assets))
    if drift is not None:
        r = r + drift
    cols = [f"S{j:03d}" for j in range(n_assets)]
    prices = pd.DataFrame(50.0 * np.exp(np.cumsum(np.log1p(r), axis=0)), index=idx, columns=cols)
    return prices, m


def disclosures(
    rng: np.random.Generator,
    index: pd.DatetimeIndex,
    symbols: list[str],
    n: int,
    *,
    n_filers: int = 5,
    margin: tuple[int, int] = (300, 80),
) -> pd.DataFrame:
    """``n`` disclosed transactions on trading days of ``index`` in the contract's schema.

    Transaction dates are bars ``[margin[0], len(index) - margin[1])``; lags 1..60 days.
    """
    tx_bar = rng.integers(margin[0], len(index) - margin[1], n)
    tx = index[tx_bar]
    lag = rng.integers(1, 61, n)
    disclosed = tx + pd.to_timedelta(lag, unit="D")
    bracket = rng.integers(0, len(BRACKETS), n)
    low = np.array([BRACKETS[b][0] for b in bracket])
    high = np.array([BRACKETS[b][1] for b in bracket])
    table = pd.DataFrame(
        {
            "filer": [f"filer {i}" for i in rng.integers(0, n_filers, n)],
            "chamber": rng.choice(["house", "senate"], n),
            "owner": rng.choice(["self", "spouse", "joint"], n),
            "symbol": rng.choice(symbols, n),
            "asset_description": "common stock",
            "side": rng.choice(np.array([1, -1], dtype=np.int8), n),
            "amount_low": low,
            "amount_high": high,
            "amount_mid": (low + high) / 2,
            "transaction_date": pd.DatetimeIndex(tx).normalize(),
            "disclosure_date": pd.DatetimeIndex(disclosed).normalize(),
        }
    )
    table["available_at"] = table["disclosure_date"] + pd.Timedelta(days=1)
    table["lag_days"] = (table["disclosure_date"] - table["transaction_date"]).dt.days
    table = table.sort_values(["available_at", "filer", "symbol"], kind="stable")
    return table.reset_index(drop=True)[list(COLUMNS)]
