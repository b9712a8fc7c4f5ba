"""A deterministic, **synthetic** universe: OHLCV panels plus a trade-disclosure table.

Nothing here is market data. The generator exists so the README's main job, the notebooks
and the tests run anywhere, offline, with a known ground truth:

* returns with a factor structure: one market factor, one factor per sector, and
  idiosyncratic noise, each asset with its own beta and volatility;
* volatility regimes: a two-state Markov chain (calm / stressed) that scales the market
  and idiosyncratic volatilities;
* a planted, weak, predictable component of expected returns (scaled by
  ``signal_strength``; 0 removes it), learnable from the features
  :class:`quantlab.ml.FeatureSet` offers:

  - *short-term reversal*: an asset's next-day expected return is
    ``-0.04 * strength * sigma_i * z``, where ``z`` is its trailing 5-day return in excess
    of the cross-sectional mean, in units of its 5-day volatility (clipped to +-3);
  - *disclosure drift*: after a trade of one of the few *skilled* filers becomes known,
    the asset drifts in the direction of the trade for 10 bars (starting on the first bar
    on which it is known) by ``0.15 * strength * sigma_i * size`` a day, ``size``
    growing with the log amount midpoint (between 0.7 and 1.5). Other filers' trades carry no
    information.

  - *market premium*: the market factor drifts up by ``0.0003 * strength`` a day, which
    high-beta (high-volatility) assets earn more of.

  With ``signal_strength=0`` nothing is predictable: every return has mean zero given
  the past.
* a disclosure table (the schema of :func:`quantlab.data.read_disclosures`) of many
  filers, House and Senate, with amount brackets, an owner mix and a lag distribution in
  which about 10% of filings break the 45-day limit; see
  :mod:`quantlab.data._sample_disclosures`. The drift starts at disclosure, so features
  that place events at their *transaction* date look ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from quantlab.data._sample_disclosures import DRIFT, DRIFT_BARS, sample_disclosures
from quantlab.errors import ParameterError

__all__ = ["SampleUniverse", "sample_universe"]

_REVERSAL = 0.04
_PREMIUM = 0.0003  # daily market drift: high-beta assets earn it, so it is predictable too


@dataclass(frozen=True)
class SampleUniverse:
    """A synthetic universe returned by :func:`sample_universe`.

    Attributes
    ----------
    open, high, low, close, volume : pandas.DataFrame
        OHLCV panels ``(n_days, n_assets)`` on a business-day calendar.
    events : pandas.DataFrame
        The trade disclosures: a disclosure table (columns
        :data:`quantlab.data.DISCLOSURE_COLUMNS`), also an event table for
        :func:`quantlab.data.events_to_features` (``side`` +1 / -1, size ``amount_mid``).
    sectors : dict of str to str
        Sector of each symbol.
    regimes : pandas.Series
        Volatility regime per day (0 calm, 1 stressed).
    expected : pandas.DataFrame
        The planted expected log-return component per day (the ground truth; zero when
        ``signal_strength == 0``). Never use it as a feature.
    skilled_filers : tuple of str
        The filers whose disclosed trades are followed by a drift (the ground truth of
        filer skill; the drift is zero when ``signal_strength == 0``).
    params : dict
        The generator's arguments, for provenance.
    """

    open: pd.DataFrame
    high: pd.DataFrame
    low: pd.DataFrame
    close: pd.DataFrame
    volume: pd.DataFrame
    events: pd.DataFrame
    sectors: dict[str, str]
    regimes: pd.Series
    expected: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)
    skilled_filers: tuple[str, ...] = ()

    @property
    def disclosures(self) -> pd.DataFrame:
        """The disclosure table (the same object as :attr:`events`)."""
        return self.events

    @property
    def ohlcv(self) -> dict[str, pd.DataFrame]:
        """The OHLCV bundle as a dict of panels."""
        return {
            "open": self.open,
            "high": self.high,
            "low": self.low,
            "close": self.close,
            "volume": self.volume,
        }

    @property
    def symbols(self) -> list[str]:
        """The asset columns."""
        return list(self.close.columns)


def sample_universe(
    n_assets: int = 50,
    n_days: int = 1260,
    *,
    seed: int = 0,
    signal_strength: float = 1.0,
    n_sectors: int | None = None,
    event_rate: float = 0.05,
    start: str = "2015-01-02",
    n_filers: int = 40,
) -> SampleUniverse:
    """Generate a deterministic synthetic OHLCV universe with disclosure events.

    **Synthetic data**: see the module docstring for the model. The same arguments give
    the same universe on every platform (NumPy ``PCG64`` generator).

    Parameters
    ----------
    n_assets : int, default 50
        Number of assets (columns), >= 2.
    n_days : int, default 1260
        Number of business days (1260: about 5 years), >= 10.
    seed : int, default 0
        Seed of the random generator.
    signal_strength : float, default 1.0
        Scale of the planted predictable component; 0 removes it (a null universe with
        the same noise). 1.0 gives an out-of-sample rank IC of about 0.03-0.08 at a
        5-day horizon for a model that learns it.
    n_sectors : int, optional
        Number of sectors (each with its own factor), between 1 and ``n_assets``;
        default ``min(5, n_assets)``.
    event_rate : float, default 0.05
        Probability that an asset has a disclosed trade on a given day, in [0, 1].
    start : str, default "2015-01-02"
        First business day.
    n_filers : int, default 40
        Number of filers in the disclosure table (>= 1); 10% of them (at least one) are
        skilled.

    Returns
    -------
    SampleUniverse

    Raises
    ------
    ParameterError
        An argument out of range.

    Examples
    --------
    >>> u = sample_universe(n_assets=5, n_days=60, seed=7)
    >>> u.close.shape, list(u.events.columns[:6])
    ((60, 5), ['filer', 'chamber', 'owner', 'symbol', 'asset_description', 'side'])
    >>> bool((u.events["available_at"] > u.events["transaction_date"]).all())
    True
    """
    if n_sectors is None:
        n_sectors = min(5, n_assets) if isinstance(n_assets, int | np.integer) else 5
    _check(n_assets, n_days, signal_strength, n_sectors, event_rate)
    if not isinstance(n_filers, int | np.integer) or n_filers < 1:
        raise ParameterError(f"n_filers must be an int >= 1; got {n_filers!r}")
    rng = np.random.default_rng(seed)
    symbols = [f"S{i:03d}" for i in range(n_assets)]
    index = pd.bdate_range(start, periods=n_days)

    sector_of = np.arange(n_assets) % n_sectors
    beta = rng.uniform(0.6, 1.4, n_assets)
    sigma = rng.uniform(0.012, 0.025, n_assets)
    regimes = _regimes(rng, n_days)
    mkt_vol = np.where(regimes == 1, 0.020, 0.008)
    idio_mult = np.where(regimes == 1, 1.5, 1.0)
    market = rng.standard_normal(n_days) * mkt_vol + _PREMIUM * signal_strength
    sectors = rng.standard_normal((n_days, n_sectors)) * 0.005 * idio_mult[:, None]
    noise = rng.standard_normal((n_days, n_assets)) * sigma * idio_mult[:, None]
    common = market[:, None] * beta + sectors[:, sector_of]

    disc = sample_disclosures(seed, symbols, index, event_rate, n_filers)
    drift = np.zeros((n_days, n_assets))
    for k in range(DRIFT_BARS):
        rows = disc.arrival + k
        ok = rows < n_days
        np.add.at(drift, (rows[ok], disc.column[ok]), disc.drift[ok])
    drift *= DRIFT * signal_strength * sigma

    rets = np.empty((n_days, n_assets))
    expected = np.zeros((n_days, n_assets))
    scale5 = sigma * np.sqrt(5.0)
    for t in range(n_days):
        mu = drift[t].copy()
        if t >= 5 and signal_strength != 0.0:
            r5 = rets[t - 5 : t].sum(axis=0)
            z = np.clip((r5 - r5.mean()) / scale5, -3.0, 3.0)
            mu -= _REVERSAL * signal_strength * sigma * z
        expected[t] = mu
        rets[t] = common[t] + noise[t] + mu

    close = rng.uniform(20.0, 200.0, n_assets) * np.exp(np.cumsum(rets, axis=0))
    prev = np.vstack([close[:1] * np.exp(-rets[:1]), close[:-1]])
    open_ = prev * np.exp(rng.standard_normal((n_days, n_assets)) * 0.3 * sigma)
    wick = np.abs(rng.standard_normal((2, n_days, n_assets))) * 0.5 * sigma
    high = np.maximum(open_, close) * np.exp(wick[0])
    low = np.minimum(open_, close) * np.exp(-wick[1])
    base_volume = rng.uniform(2e5, 5e6, n_assets)
    volume = np.round(
        base_volume
        * np.exp(rng.standard_normal((n_days, n_assets)) * 0.3)
        * (1.0 + 20.0 * np.abs(rets))
    )

    def frame(values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(values, index=index, columns=symbols)

    return SampleUniverse(
        open=frame(open_),
        high=frame(high),
        low=frame(low),
        close=frame(close),
        volume=frame(volume),
        events=disc.table,
        sectors={s: f"sector_{k}" for s, k in zip(symbols, sector_of, strict=True)},
        regimes=pd.Series(regimes, index=index, name="regime"),
        expected=frame(expected),
        params={
            "n_assets": n_assets,
            "n_days": n_days,
            "seed": seed,
            "signal_strength": signal_strength,
            "n_sectors": n_sectors,
            "event_rate": event_rate,
            "start": start,
            "n_filers": n_filers,
            "synthetic": True,
        },
        skilled_filers=disc.skilled,
    )


def _check(n_assets: int, n_days: int, strength: float, n_sectors: int, event_rate: float) -> None:
    if not isinstance(n_assets, int | np.integer) or n_assets < 2:
        raise ParameterError(f"n_assets must be an int >= 2; got {n_assets!r}")
    if not isinstance(n_days, int | np.integer) or n_days < 10:
        raise ParameterError(f"n_days must be an int >= 10; got {n_days!r}")
    if not np.isfinite(strength) or strength < 0:
        raise ParameterError(
            f"signal_strength must be a finite number >= 0; got {strength!r}. "
            "Use 0 for a universe without a planted signal"
        )
    if not isinstance(n_sectors, int | np.integer) or not 1 <= n_sectors <= n_assets:
        raise ParameterError(
            f"n_sectors must be an int between 1 and n_assets={n_assets}; got {n_sectors!r}"
        )
    if not 0.0 <= event_rate <= 1.0:
        raise ParameterError(f"event_rate must be in [0, 1]; got {event_rate!r}")


def _regimes(rng: np.random.Generator, n_days: int) -> np.ndarray:
    """Two-state Markov chain: calm -> stressed with p=0.02, stressed -> calm with p=0.05."""
    u = rng.random(n_days)
    out = np.zeros(n_days, dtype=np.int64)
    for t in range(1, n_days):
        stay = u[t] >= (0.02 if out[t - 1] == 0 else 0.05)
        out[t] = out[t - 1] if stay else 1 - out[t - 1]
    return out
