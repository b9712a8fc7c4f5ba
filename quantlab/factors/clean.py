"""From a factor and prices to the clean factor data every analysis starts from.

:func:`clean_factor` is quantlab's ``alphalens.utils.get_clean_factor_and_forward_returns``:
forward returns for several horizons, bucket (quantile or bin) of every (date, symbol),
optionally within groups, and a :class:`LossReport` of every row left out and why.

Rules (alphalens-reloaded's, unless said otherwise):

- Forward return of horizon ``h`` at bar ``t``: ``close_ffill[t + h] / close_ffill[t] - 1``
  with ``close`` forward-filled (alphalens' ``prices.ffill().pct_change(h).shift(-h)``).
  Horizons count *bars of the price index* (the trading calendar), never calendar days.
- A row is kept when its factor is finite and *every* horizon's forward return is known
  (alphalens' ``dropna`` over all columns); so the last ``max(horizons)`` bars drop out.
- Quantiles follow ``pandas.qcut`` per date (per (date, group) with ``by_group``): edges at
  NumPy's linear quantiles of that date's values, ``(e_k, e_k+1]`` with the lowest edge
  included. When a date's edges are not unique (ties, or too few names for the quantiles
  asked) ``qcut`` raises: alphalens then drops the whole date (``max_loss > 0``) and so do
  we, counting it in ``LossReport.binning`` and ``LossReport.binning_dates``. ``bins`` takes
  explicit edges (``pandas.cut``, intervals ``(e_k, e_k+1]``); values outside are dropped.
- Sparse, event-style factors (a few names on some dates, alphalens issue #231): a date is
  never silently half-analysed. With ``min_names=k`` a date (a (date, group) with
  ``by_group``) with fewer than ``k`` valid names is left out *before* bucketing and counted
  in ``LossReport.sparse`` / ``sparse_dates``; without it the qcut rule above applies
  (alphalens' behaviour). For a factor of counts or flags, pass bin edges
  (``bins=[0, 0.5, 1.5, inf]``) rather than quantiles: bins never fail on ties.
- ``max_loss``: the share of input rows left out (any reason) may not exceed it, else
  :class:`~quantlab.errors.ValidationError` with the breakdown. ``max_loss=0`` refuses any
  loss (alphalens' ``max_loss=0`` re-raises qcut's error instead: same refusal, clearer
  message). Unlike alphalens, nothing is printed; the report is on the result.
- Differences from alphalens, on purpose: factor dates missing from the price index and
  factor symbols missing from the price columns are errors (alphalens silently drops
  them); duplicated (date, symbol) rows are an error (alphalens lets pandas fail later);
  a horizon as long as the price history is an error (alphalens raises too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from quantlab._typing import Float64Array1D, Float64Array2D, Int64Array1D
from quantlab.data import validate_panel
from quantlab.errors import AlignmentError, DataTypeError, ParameterError, ValidationError
from quantlab.factors import _kernels as K
from quantlab.signals.ranking import group_layout

__all__ = ["FactorData", "LossReport", "clean_factor", "forward_returns", "qcut_levels"]


@dataclass(frozen=True)
class LossReport:
    """Rows of the input factor left out by :func:`clean_factor`, by reason.

    Attributes
    ----------
    n_input : int
        Rows given (a stacked Series' length; a panel's non-NaN cells).
    nan_factor, nan_forward, sparse, binning : int
        Rows left out because the factor was NaN/inf, a forward return was unknown (end of
        the data, missing prices), the date had fewer than ``min_names`` names, or the
        bucketing failed (non-unique quantile edges) / the value fell outside the bins.
    sparse_dates, binning_dates : int
        Dates (or (date, group) pairs) dropped whole for those two reasons.
    n_kept : int
    """

    n_input: int
    nan_factor: int
    nan_forward: int
    sparse: int
    binning: int
    sparse_dates: int
    binning_dates: int
    n_kept: int

    @property
    def loss(self) -> float:
        """Share of input rows left out, ``1 - n_kept / n_input`` (alphalens' ``tot_loss``)."""
        return 1.0 - self.n_kept / self.n_input if self.n_input else 0.0

    def table(self) -> pd.Series:
        """The counts as a Series (for reports)."""
        return pd.Series(
            {
                "input rows": self.n_input,
                "NaN factor": self.nan_factor,
                "unknown forward return": self.nan_forward,
                "sparse dates (rows)": self.sparse,
                "binning failed (rows)": self.binning,
                "sparse dates": self.sparse_dates,
                "binning-failed dates": self.binning_dates,
                "kept rows": self.n_kept,
                "loss": self.loss,
            },
            dtype=object,
        )


@dataclass(frozen=True)
class FactorData:
    """Clean factor data in a long layout: one entry per kept (date, symbol) row.

    Rows are sorted by date, then (with groups) by group, then by symbol. Array fields are
    aligned on those rows; ``date_pos`` / ``asset_pos`` locate a row in the
    ``(n_bars, n_assets)`` grid of ``calendar`` x ``symbols``.
    """

    calendar: pd.DatetimeIndex
    symbols: pd.Index
    horizons: tuple[int, ...]
    n_buckets: int
    date_pos: Int64Array1D
    asset_pos: Int64Array1D
    factor: Float64Array1D
    forward: Float64Array2D
    bucket: Int64Array1D
    group: Int64Array1D
    group_labels: pd.Index | None
    date_starts: Int64Array1D
    group_starts: Int64Array1D
    loss: LossReport
    close: pd.DataFrame = field(repr=False)

    @property
    def dates(self) -> pd.DatetimeIndex:
        """The dates that kept at least one row (one per date segment)."""
        return self.calendar[self.date_pos[self.date_starts[:-1]]]

    @cached_property
    def index(self) -> pd.MultiIndex:
        """The (date, symbol) label of every row."""
        return pd.MultiIndex.from_arrays(
            [self.calendar[self.date_pos], self.symbols[self.asset_pos]], names=["date", "symbol"]
        )

    def frame(self) -> pd.DataFrame:
        """The rows as a (date, symbol) frame: forward returns, factor, bucket (and group).

        Columns ``1``, ``5``, ... (horizons in bars), ``factor``, ``quantile``, ``group``;
        the layout of alphalens' ``factor_data`` with integer horizon labels.
        """
        cols: dict[Any, Any] = {h: self.forward[:, k] for k, h in enumerate(self.horizons)}
        cols["factor"] = self.factor
        cols["quantile"] = self.bucket
        if self.group_labels is not None:
            cols["group"] = self.group_labels[self.group]
        return pd.DataFrame(cols, index=self.index).sort_index()


def qcut_levels(quantiles: int | Sequence[float]) -> Float64Array1D:
    """The quantile levels ``pandas.qcut`` uses for ``q=quantiles`` (bit for bit).

    Examples
    --------
    >>> qcut_levels(4).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    if isinstance(quantiles, int | np.integer) and not isinstance(quantiles, bool):
        q = int(quantiles)
        levels = np.linspace(0, 1, q + 1)
        np.putmask(levels, q * levels != np.arange(q + 1), np.nextafter(levels, 1))
        return levels
    levels = np.asarray(quantiles, dtype=np.float64)
    return levels


def _check_horizons(horizons: Any, n_bars: int) -> tuple[int, ...]:
    if isinstance(horizons, int | np.integer) and not isinstance(horizons, bool):
        horizons = (int(horizons),)
    try:
        hs = tuple(horizons)
    except TypeError:
        raise ParameterError(
            f"horizons must be an int or a sequence of ints >= 1; got {horizons!r}"
        ) from None
    if not hs or any(
        isinstance(h, bool) or not isinstance(h, int | np.integer) or h < 1 for h in hs
    ):
        raise ParameterError(f"horizons must be ints >= 1; got {list(hs)!r}, e.g. (1, 5, 21)")
    if len(set(hs)) != len(hs):
        raise ParameterError(f"horizons has duplicates: {list(hs)!r}; list each horizon once")
    too_long = [int(h) for h in hs if h >= n_bars]
    if too_long:
        raise ParameterError(
            f"horizons {too_long} are not shorter than the {n_bars} bars of prices; no "
            "forward return could be computed. Pass shorter horizons or longer prices"
        )
    return tuple(sorted(int(h) for h in hs))


def forward_returns(close: pd.DataFrame, horizons: Any = (1, 5, 21)) -> dict[int, pd.DataFrame]:
    """Forward simple returns of each horizon, ``close_ffill[t + h] / close_ffill[t] - 1``.

    Parameters
    ----------
    close : DataFrame, shape (n_bars, n_assets)
        Prices; NaN are forward-filled first (alphalens' rule).
    horizons : int or sequence of int
        In bars, each shorter than the price history.

    Returns
    -------
    dict int -> DataFrame
        One ``(n_bars, n_assets)`` panel per horizon; the last ``h`` rows are NaN.

    Raises
    ------
    ParameterError
        A horizon is not a positive int or not shorter than the data.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"A": [1.0, 2.0, 4.0]}, index=pd.bdate_range("2024-01-01", periods=3))
    >>> forward_returns(c, 1)[1]["A"].tolist()
    [1.0, 1.0, nan]
    """
    close = validate_panel(close, "close", positive=True)
    hs = _check_horizons(horizons, len(close))
    p = close.ffill().to_numpy(dtype=np.float64)
    return {h: pd.DataFrame(_fwd(p, h), index=close.index, columns=close.columns) for h in hs}


def _fwd(p: Float64Array2D, h: int) -> Float64Array2D:
    out = np.full(p.shape, np.nan)
    out[:-h] = p[h:] / p[:-h] - 1.0
    return out


def _factor_panel(factor: Any) -> tuple[pd.DataFrame, int]:
    """The factor as a wide panel, and the number of input rows."""
    if isinstance(factor, pd.Series):
        idx = factor.index
        if not isinstance(idx, pd.MultiIndex) or idx.nlevels != 2:
            raise AlignmentError(
                "factor must be a Series indexed by (date, symbol) or a wide panel; got a "
                f"Series indexed by {type(idx).__name__} with {idx.nlevels} level(s). Stack a "
                "panel with panel.stack(future_stack=True)"
            )
        if not isinstance(idx.levels[0], pd.DatetimeIndex):
            raise AlignmentError(
                f"factor index level 0 must hold dates; got {idx.levels[0].dtype}. Put the "
                "date level first: factor.swaplevel().sort_index()"
            )
        if idx.has_duplicates:
            dup = idx[idx.duplicated()]
            raise AlignmentError(
                f"factor has {len(dup)} duplicated (date, symbol) rows (first: "
                f"{dup[0]}); keep one value per row, e.g. "
                "factor[~factor.index.duplicated(keep='last')]"
            )
        if not pd.api.types.is_numeric_dtype(factor.dtype):
            raise DataTypeError(f"factor must be numeric; got dtype {factor.dtype}")
        # place values by the index codes (no unstack: it is the slow part at 1M rows)
        idx = idx.remove_unused_levels()
        dates, symbols = idx.levels
        grid = np.full((len(dates), len(symbols)), np.nan)
        grid[idx.codes[0], idx.codes[1]] = factor.to_numpy(dtype=np.float64)
        panel = pd.DataFrame(grid, index=dates, columns=symbols, copy=False)
        if not panel.index.is_monotonic_increasing or not panel.columns.is_monotonic_increasing:
            panel = panel.sort_index().sort_index(axis=1)
        return panel, len(factor)
    if isinstance(factor, pd.DataFrame):
        if not isinstance(factor.index, pd.DatetimeIndex):
            raise DataTypeError(
                f"factor panel must have a DatetimeIndex; got {type(factor.index).__name__}"
            )
        if factor.index.has_duplicates or factor.columns.has_duplicates:
            raise AlignmentError(
                "factor panel has duplicated dates or symbols; keep one row per date and one "
                "column per symbol"
            )
        panel = factor.sort_index().astype(np.float64)
        return panel, int(panel.notna().to_numpy().sum())
    raise DataTypeError(
        "factor must be a (date, symbol) Series or a wide DataFrame (dates x symbols); got "
        f"{type(factor).__name__}"
    )


def _align(panel: pd.DataFrame, close: pd.DataFrame) -> pd.DataFrame:
    ftz = getattr(panel.index, "tz", None)
    ptz = getattr(close.index, "tz", None)
    if (ftz is None) != (ptz is None):
        raise AlignmentError(
            f"factor dates are tz={ftz} but prices are tz={ptz}; "
            "convert one of them (tz_localize / tz_convert)"
        )
    missing_d = panel.index.difference(close.index)
    if len(missing_d):
        raise AlignmentError(
            f"factor has {len(missing_d)} dates not in the prices' index (first: "
            f"{missing_d[0]}); pass prices covering every factor date on the same calendar"
        )
    missing_s = panel.columns.difference(close.columns)
    if len(missing_s):
        raise AlignmentError(
            f"factor has {len(missing_s)} symbols without prices (first: {missing_s[0]!r}); "
            "pass prices with a column for every symbol of the factor"
        )
    return panel.reindex(index=close.index)


def _segments(keys: np.ndarray) -> Int64Array1D:
    """Starts of the runs of equal consecutive ``keys`` (plus the end)."""
    if len(keys) == 0:
        return np.zeros(1, dtype=np.int64)
    change = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    return np.concatenate([[0], change, [len(keys)]]).astype(np.int64)


def _check_buckets(quantiles: Any, bins: Any) -> tuple[Float64Array1D, bool, int]:
    if (quantiles is None) == (bins is None):
        raise ParameterError(
            f"pass exactly one of quantiles and bins; got quantiles={quantiles!r}, bins={bins!r}"
        )
    if bins is not None:
        if isinstance(bins, int | np.integer):
            raise ParameterError(
                f"bins must be a sequence of increasing edges; got the int {bins!r}. Pass "
                "edges such as [-inf, 0, inf] (equal-width bins are not supported)"
            )
        edges = np.asarray(bins, dtype=np.float64)
        if edges.ndim != 1 or len(edges) < 2 or np.any(np.isnan(edges)):
            raise ParameterError(f"bins must hold at least 2 edges (no NaN); got {bins!r}")
        if np.any(np.diff(edges) <= 0):
            raise ParameterError(f"bins must be strictly increasing; got {bins!r}")
        return edges, True, len(edges) - 1
    if isinstance(quantiles, bool) or (isinstance(quantiles, int | np.integer) and quantiles < 2):
        raise ParameterError(
            f"quantiles must be an int >= 2 or levels in [0, 1]; got {quantiles!r}"
        )
    levels = qcut_levels(quantiles)
    if levels.ndim != 1 or len(levels) < 2 or np.any((levels < 0) | (levels > 1)):
        raise ParameterError(f"quantiles levels must lie in [0, 1]; got {quantiles!r}")
    if np.any(np.diff(levels) <= 0):
        raise ParameterError(f"quantiles levels must be strictly increasing; got {quantiles!r}")
    return levels, False, len(levels) - 1


def clean_factor(
    factor: Any,
    prices: Any,
    *,
    horizons: Any = (1, 5, 21),
    quantiles: int | Sequence[float] | None = 5,
    bins: Sequence[float] | None = None,
    groups: Mapping[Any, Any] | pd.Series | None = None,
    by_group: bool = False,
    min_names: int | None = None,
    max_loss: float = 0.35,
) -> FactorData:
    """Align a factor with prices, add forward returns, bucket it, report what was left out.

    Parameters
    ----------
    factor : Series indexed by (date, symbol), or DataFrame (n_dates, n_symbols)
        Higher = more bullish. NaN = no signal for that row.
    prices : DataFrame (n_bars, n_assets) or mapping with a ``"close"`` panel
        Must cover every factor date and symbol; forward returns need bars after them.
    horizons : int or sequence of int, default (1, 5, 21)
        Forward-return horizons in bars.
    quantiles : int or sequence of float, default 5
        Equal-count buckets per date (``pandas.qcut``), or the quantile levels.
    bins : sequence of float, optional
        Explicit bucket edges instead of quantiles (``pandas.cut``); pass ``quantiles=None``.
    groups : mapping or Series, optional
        ``symbol -> group`` (e.g. sector) for every factor symbol.
    by_group : bool, default False
        Bucket within each (date, group) instead of each date.
    min_names : int, optional
        Leave out dates (or (date, group) pairs) with fewer valid names (see the module).
    max_loss : float, default 0.35
        Largest share of input rows that may be left out.

    Returns
    -------
    FactorData

    Raises
    ------
    AlignmentError
        Duplicated rows, dates or symbols missing from prices, timezone mismatch.
    ParameterError
        Bad horizons, quantiles, bins, min_names or max_loss.
    ValidationError
        More than ``max_loss`` of the rows left out.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> idx = pd.bdate_range("2024-01-01", periods=30)
    >>> rng = np.random.default_rng(0)
    >>> close = pd.DataFrame(100 * np.exp(rng.normal(0, 0.01, (30, 10)).cumsum(0)),
    ...                      index=idx, columns=list("ABCDEFGHIJ"))
    >>> fd = clean_factor(close.pct_change(5), close, horizons=(1, 5), quantiles=5)
    >>> fd.loss.n_kept, round(fd.loss.loss, 3)
    (200, 0.2)
    """
    close = validate_panel(
        prices["close"] if isinstance(prices, Mapping) else prices, "prices", positive=True
    )
    hs = _check_horizons(horizons, len(close))
    edges, is_bins, n_buckets = _check_buckets(quantiles, bins)
    if groups is None and by_group:
        raise ParameterError("by_group=True needs groups (a symbol -> group mapping)")
    if min_names is not None and (
        isinstance(min_names, bool) or not isinstance(min_names, int) or min_names < 1
    ):
        raise ParameterError(f"min_names must be an int >= 1 or None; got {min_names!r}")
    if (
        isinstance(max_loss, bool)
        or not isinstance(max_loss, int | float)
        or not (0.0 <= max_loss <= 1.0)
    ):
        raise ParameterError(f"max_loss must be a share in [0, 1]; got {max_loss!r}")

    panel, n_input = _factor_panel(factor)
    panel = _align(panel, close)
    symbols = panel.columns
    close = close[symbols]
    if groups is not None:
        perm, gstarts = group_layout(symbols, groups)
        n_groups = len(gstarts) - 1
        gcode = np.empty(len(symbols), dtype=np.int64)
        for k in range(len(gstarts) - 1):
            gcode[perm[gstarts[k] : gstarts[k + 1]]] = k
        mapping = groups.to_dict() if isinstance(groups, pd.Series) else groups
        group_labels: pd.Index | None = pd.Index(
            pd.unique(pd.Series([mapping[s] for s in symbols[perm]], dtype=object))
        )
    else:
        perm = np.arange(len(symbols), dtype=np.int64)
        gcode = np.zeros(len(symbols), dtype=np.int64)
        group_labels = None
        n_groups = 1

    f = panel.to_numpy(dtype=np.float64)[:, perm]
    p = close.ffill().to_numpy(dtype=np.float64)[:, perm]
    fwd = [_fwd(p, h) for h in hs]
    finite_f = np.isfinite(f)
    ok = finite_f.copy()
    for r in fwd:
        ok &= np.isfinite(r)
    nan_factor = n_input - int(finite_f.sum())
    nan_forward = int(finite_f.sum() - ok.sum())

    rows, cols = np.nonzero(ok)  # row-major: by date, then by group (columns permuted)
    x = f[rows, cols]
    g = gcode[perm[cols]]
    fw = np.column_stack([r[rows, cols] for r in fwd]) if len(rows) else np.empty((0, len(hs)))
    group_key = rows * n_groups + g
    seg_key = group_key if by_group else rows
    starts = _segments(np.asarray(seg_key))

    sparse = sparse_dates = 0
    if min_names is not None:
        sizes = np.diff(starts)
        small = sizes < min_names
        sparse_dates = int(small.sum())
        sparse = int(sizes[small].sum())
        keep = np.repeat(~small, sizes)
        rows, cols, x, g, fw = rows[keep], cols[keep], x[keep], g[keep], fw[keep]
        seg_key = np.asarray(seg_key)[keep]
        starts = _segments(seg_key)

    bucket, failed = K.seg_bucket(np.ascontiguousarray(x), starts, edges, is_bins)
    kept = bucket > 0
    binning = int((~kept).sum())
    rows, cols, x, g, fw, bucket = rows[kept], cols[kept], x[kept], g[kept], fw[kept], bucket[kept]
    n_kept = len(rows)
    report = LossReport(
        n_input=n_input,
        nan_factor=nan_factor,
        nan_forward=nan_forward,
        sparse=sparse,
        binning=binning,
        sparse_dates=sparse_dates,
        binning_dates=int(failed.sum()),
        n_kept=n_kept,
    )
    if report.n_input == 0 or n_kept == 0:
        raise ValidationError(
            f"factor has no usable row: {report.n_input} input rows, {report.nan_factor} NaN, "
            f"{report.nan_forward} without forward returns, {report.sparse} on sparse dates, "
            f"{report.binning} not bucketed; check that factor dates precede the last "
            "price bar by more than max(horizons)"
        )
    if report.loss > max_loss:
        raise ValidationError(
            f"factor lost {report.loss:.1%} of its {report.n_input} rows, more than "
            f"max_loss={max_loss:.1%} ({report.nan_factor} NaN factor, {report.nan_forward} "
            f"without forward returns, {report.sparse} on {report.sparse_dates} sparse dates, "
            f"{report.binning} in binning on {report.binning_dates} dates); raise max_loss, "
            "use fewer quantiles, bins or min_names, or extend prices"
        )
    asset_pos = perm[cols]
    return FactorData(
        calendar=pd.DatetimeIndex(close.index),
        symbols=symbols,
        horizons=hs,
        n_buckets=n_buckets,
        date_pos=rows.astype(np.int64),
        asset_pos=asset_pos.astype(np.int64),
        factor=np.ascontiguousarray(x),
        forward=np.ascontiguousarray(fw),
        bucket=bucket,
        group=g.astype(np.int64),
        group_labels=group_labels,
        date_starts=_segments(rows),
        group_starts=_segments(rows * n_groups + g),
        loss=report,
        close=close,
    )
