"""Labels: forward returns, signs, cross-sectional ranks, triple-barrier and meta-labels.

Every label function takes a close panel ``(n_bars, n_assets)`` and returns a
:class:`Labels` object on the same full ``(date, symbol)`` grid as
:meth:`quantlab.ml.FeatureSet.compute` (NaN where the label is undefined, e.g. the last
``horizon`` bars), together with each label's **end time**: the last bar whose price the
label reads. Cross-validation uses the end times to purge training samples whose label
overlaps a test fold (:mod:`quantlab.ml.cv`).

The label at bar ``t`` starts from ``close[t]``: it is what a position opened at the close
of ``t`` (after the features of bar ``t`` are known) earns.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from quantlab.errors import AlignmentError, ParameterError
from quantlab.ml import _kernels
from quantlab.ml._panel import check_stacked, close_panel, stack_panel

__all__ = [
    "Labels",
    "forward_returns",
    "forward_sign",
    "cross_sectional_rank",
    "triple_barrier_labels",
    "meta_labels",
]


@dataclass(frozen=True)
class Labels:
    """Target values with their end times, stacked on the (date, symbol) grid.

    Attributes
    ----------
    y : pandas.Series
        The label per (date, symbol); NaN where undefined.
    end : pandas.Series
        Timestamp of the last bar the label reads (NaT where ``y`` is NaN). The label of
        row ``(t, s)`` spans ``[t, end]``.
    ret : pandas.Series
        The realised return over the label's span (used for the information coefficient
        and for sizing); equal to ``y`` for forward returns.
    kind : str
        ``"return"``, ``"sign"``, ``"rank"``, ``"triple_barrier"`` or ``"meta"``.
    horizon : int
        Maximal span in bars.
    """

    y: pd.Series
    end: pd.Series
    ret: pd.Series
    kind: str
    horizon: int

    def __post_init__(self) -> None:
        check_stacked(self.y, "labels.y")
        if not (self.end.index.equals(self.y.index) and self.ret.index.equals(self.y.index)):
            raise AlignmentError("labels y, end and ret must share one (date, symbol) index")

    @property
    def index(self) -> pd.MultiIndex:
        """The (date, symbol) index."""
        return self.y.index  # type: ignore[return-value]

    @property
    def valid(self) -> np.ndarray:
        """Boolean mask of rows with a finite label and a known end time."""
        return np.isfinite(self.y.to_numpy(dtype=np.float64)) & self.end.notna().to_numpy()

    def reindex(self, index: pd.Index) -> Labels:
        """The labels on another (date, symbol) index (missing rows become NaN / NaT)."""
        return replace(
            self,
            y=self.y.reindex(index),
            end=self.end.reindex(index),
            ret=self.ret.reindex(index),
        )

    def to_frame(self) -> pd.DataFrame:
        """A (date, symbol) frame with columns ``y``, ``end``, ``ret``."""
        return pd.DataFrame({"y": self.y, "end": self.end, "ret": self.ret})

    def __len__(self) -> int:
        return len(self.y)


def _check_horizon(horizon: Any) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ParameterError(
            f"The 'horizon' parameter must be an int >= 1. Got {horizon!r} instead."
        )
    return int(horizon)


def _forward(close: pd.DataFrame, horizon: int) -> np.ndarray:
    c = close.to_numpy()
    out = np.full_like(c, np.nan)
    if len(c) > horizon:
        out[:-horizon] = c[horizon:] / c[:-horizon] - 1.0
    return out


def _ends_from_positions(pos: np.ndarray, index: pd.DatetimeIndex) -> np.ndarray:
    """Map float bar positions (NaN = none) to datetime64 values (NaT = none)."""
    out = np.full(pos.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = np.isfinite(pos)
    out[ok] = index.to_numpy(dtype="datetime64[ns]")[pos[ok].astype(np.int64)]
    return out


def _build(
    close: pd.DataFrame, y: np.ndarray, end_pos: np.ndarray, ret: np.ndarray, kind: str, h: int
) -> Labels:
    dates = pd.DatetimeIndex(close.index)
    y = np.where(np.isfinite(y), y, np.nan)
    end_pos = np.where(np.isfinite(y), end_pos, np.nan)
    ends = _ends_from_positions(end_pos, dates)
    y_s = stack_panel(pd.DataFrame(y, index=close.index, columns=close.columns), "y")
    end_idx = pd.DatetimeIndex(ends.ravel())
    if dates.tz is not None:  # to_numpy gave UTC wall times
        end_idx = end_idx.tz_localize("UTC").tz_convert(dates.tz)
    end_s = pd.Series(end_idx, index=y_s.index, name="end")
    ret_s = pd.Series(np.ascontiguousarray(ret).ravel(), index=y_s.index, name="ret")
    return Labels(y=y_s, end=end_s, ret=ret_s, kind=kind, horizon=h)


def _fixed_end(close: pd.DataFrame, fwd: np.ndarray, horizon: int) -> np.ndarray:
    n, m = fwd.shape
    pos = np.broadcast_to((np.arange(n, dtype=np.float64) + horizon)[:, None], (n, m)).copy()
    pos[~np.isfinite(fwd)] = np.nan
    return pos


def forward_returns(close: Any, horizon: int = 5) -> Labels:
    """Simple forward return ``close[t + horizon] / close[t] - 1``.

    Parameters
    ----------
    close : pandas.DataFrame or mapping
        Close panel ``(n_bars, n_assets)`` (or an OHLCV dict / SampleUniverse).
    horizon : int, default 5
        Bars ahead, >= 1. The last ``horizon`` bars have no label.

    Returns
    -------
    Labels
        ``kind="return"``; end time ``t + horizon``.

    Raises
    ------
    ParameterError
        ``horizon`` is not an int >= 1.

    Examples
    --------
    >>> import pandas as pd
    >>> close = pd.DataFrame({"A": [1.0, 1.1, 1.21]}, index=pd.bdate_range("2024-01-01", periods=3))
    >>> lab = forward_returns(close, horizon=1)
    >>> lab.y.round(4).tolist()
    [0.1, 0.1, nan]
    >>> str(lab.end.iloc[0].date())
    '2024-01-02'
    """
    h = _check_horizon(horizon)
    c = close_panel(close)
    fwd = _forward(c, h)
    return _build(c, fwd, _fixed_end(c, fwd, h), fwd, "return", h)


def forward_sign(close: Any, horizon: int = 5) -> Labels:
    """Sign of the forward return: +1, -1, or 0 for an exactly flat price.

    Probability models (``"lgbm_classifier"``, ``"logistic"``) predict ``P(y > 0)``.

    Examples
    --------
    >>> import pandas as pd
    >>> close = pd.DataFrame({"A": [1.0, 1.1, 1.0]}, index=pd.bdate_range("2024-01-01", periods=3))
    >>> forward_sign(close, horizon=1).y.tolist()
    [1.0, -1.0, nan]
    """
    h = _check_horizon(horizon)
    c = close_panel(close)
    fwd = _forward(c, h)
    return _build(c, np.sign(fwd), _fixed_end(c, fwd, h), fwd, "sign", h)


def cross_sectional_rank(close: Any, horizon: int = 5) -> Labels:
    """Percentile rank (in (0, 1]) of the forward return among the assets of each bar.

    Removes the market's common move from the target; same ties rule as
    ``DataFrame.rank(axis=1, pct=True)``.

    Examples
    --------
    >>> import pandas as pd
    >>> close = pd.DataFrame({"A": [1.0, 1.2], "B": [1.0, 0.9]},
    ...     index=pd.bdate_range("2024-01-01", periods=2))
    >>> cross_sectional_rank(close, horizon=1).y.tolist()
    [1.0, 0.5, nan, nan]
    """
    h = _check_horizon(horizon)
    c = close_panel(close)
    fwd = _forward(c, h)
    rank = _kernels.xs_rank(np.ascontiguousarray(fwd))
    return _build(c, rank, _fixed_end(c, fwd, h), fwd, "rank", h)


def _barrier_inputs(
    close: Any, horizon: int, upper: float, lower: float, vol_window: int
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, int]:
    h = _check_horizon(horizon)
    for name, value in (("upper", upper), ("lower", lower)):
        if not isinstance(value, int | float) or not np.isfinite(value) or value <= 0:
            raise ParameterError(
                f"The {name!r} parameter must be a number > 0 (a multiple of the volatility "
                f"over the horizon). Got {value!r} instead."
            )
    if isinstance(vol_window, bool) or not isinstance(vol_window, int) or vol_window < 2:
        raise ParameterError(
            f"The 'vol_window' parameter must be an int >= 2. Got {vol_window!r} instead."
        )
    c = close_panel(close)
    arr = c.to_numpy()
    rets = np.full_like(arr, np.nan)
    rets[1:] = arr[1:] / arr[:-1] - 1.0
    scale = _kernels.rolling_std(rets, vol_window, 1) * np.sqrt(h)
    scale[scale <= 0] = np.nan
    return c, np.ascontiguousarray(upper * scale), np.ascontiguousarray(lower * scale), h


def triple_barrier_labels(
    close: Any,
    horizon: int = 10,
    *,
    upper: float = 1.0,
    lower: float = 1.0,
    vol_window: int = 21,
) -> Labels:
    """Which barrier a price path touches first (de Prado, AFML ch. 3).

    At bar ``t`` the upper and lower barriers are ``+upper * v`` and ``-lower * v`` in
    return terms, with ``v`` the standard deviation of 1-bar returns over the last
    ``vol_window`` bars (known at ``t``) times ``sqrt(horizon)``; the vertical barrier is
    ``t + horizon``. The label is +1 (upper first), -1 (lower first) or 0 (vertical); the
    end time is the touch (or vertical) bar, so purging uses the label's actual span.

    Parameters
    ----------
    close : pandas.DataFrame or mapping
        Close panel ``(n_bars, n_assets)``.
    horizon : int, default 10
        Vertical barrier in bars.
    upper, lower : float, default 1.0
        Barrier widths in units of ``v``.
    vol_window : int, default 21
        Bars of the volatility estimate.

    Returns
    -------
    Labels
        ``kind="triple_barrier"``; ``ret`` is the return at the exit bar.

    Raises
    ------
    ParameterError
        Non-positive barrier widths, ``horizon`` < 1 or ``vol_window`` < 2.

    Examples
    --------
    >>> from quantlab.data import sample_universe
    >>> u = sample_universe(n_assets=3, n_days=120, seed=0)
    >>> lab = triple_barrier_labels(u.close, horizon=10, upper=1.0, lower=1.0)
    >>> sorted(lab.y.dropna().unique().tolist())
    [-1.0, 0.0, 1.0]
    """
    c, up, lo, h = _barrier_inputs(close, horizon, upper, lower, vol_window)
    side = np.ones_like(c.to_numpy())
    label, ret, end = _kernels.triple_barrier(c.to_numpy(), up, lo, side, h)
    return _build(c, label, end, ret, "triple_barrier", h)


def meta_labels(
    close: Any,
    side: pd.DataFrame,
    horizon: int = 10,
    *,
    upper: float = 1.0,
    lower: float = 1.0,
    vol_window: int = 21,
) -> Labels:
    """Meta-labels: did the primary model's side pay off? (1 yes, 0 no).

    The barriers of :func:`triple_barrier_labels` are applied to the side-adjusted return
    ``side * (close[k] / close[t] - 1)``; the label is 1 when that return at the exit is
    positive. Bars where ``side`` is 0 or NaN (no primary bet) have no label. A secondary
    model trained on these labels learns *when to act* on the primary side, and its
    probability sizes the bet.

    Parameters
    ----------
    close : pandas.DataFrame
        Close panel ``(n_bars, n_assets)``.
    side : pandas.DataFrame
        Primary side per bar, +1 / -1 / 0, same labels as ``close``.
    horizon, upper, lower, vol_window
        As in :func:`triple_barrier_labels`.

    Raises
    ------
    AlignmentError
        ``side`` and ``close`` have different labels.
    ParameterError
        ``side`` holds values other than -1, 0, +1 or NaN.

    Examples
    --------
    >>> from quantlab.data import sample_universe
    >>> u = sample_universe(n_assets=3, n_days=120, seed=0)
    >>> side = (u.close > u.close.rolling(20).mean()).astype(float) * 2 - 1
    >>> sorted(meta_labels(u.close, side).y.dropna().unique().tolist())
    [0.0, 1.0]
    """
    c, up, lo, h = _barrier_inputs(close, horizon, upper, lower, vol_window)
    if not isinstance(side, pd.DataFrame) or not (
        side.index.equals(c.index) and side.columns.equals(c.columns)
    ):
        raise AlignmentError(
            "side must be a DataFrame with the same index and columns as close; "
            "reindex it with side.reindex_like(close)"
        )
    s = side.to_numpy(dtype=np.float64)
    finite = s[np.isfinite(s)]
    if not np.isin(finite, (-1.0, 0.0, 1.0)).all():
        bad = finite[~np.isin(finite, (-1.0, 0.0, 1.0))][0]
        raise ParameterError(
            f"side must hold -1, 0, +1 or NaN; got {float(bad)}. Use np.sign(primary_signal)"
        )
    s = np.where(np.isfinite(s), s, 0.0)
    _, ret, end = _kernels.triple_barrier(c.to_numpy(), up, lo, np.ascontiguousarray(s), h)
    y = np.where(np.isfinite(ret), (ret > 0).astype(np.float64), np.nan)
    return _build(c, y, end, ret, "meta", h)
