"""Look-ahead detection by truncation: a value must not change when the future is removed.

A feature at bar ``t`` is *declared* to be known at ``t``; a label is declared to be known
at its end time. :func:`check_lookahead` recomputes the values on prices cut at several
bars and compares them with the full-sample values declared known by each cut: any
difference means the computation read data from after its declared time. This catches a
feature built from a forward-shifted price, and a label whose end time understates the
span it reads (which would make purging too weak).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from quantlab.errors import ParameterError, ValidationError
from quantlab.ml._panel import check_stacked, close_panel
from quantlab.ml.labels import Labels

__all__ = ["check_lookahead"]


def _head(prices: Any, n: int) -> Any:
    if isinstance(prices, pd.DataFrame):
        return prices.iloc[:n]
    if isinstance(prices, Mapping):
        return {k: v.iloc[:n] for k, v in prices.items() if isinstance(v, pd.DataFrame)}
    return {
        f: getattr(prices, f).iloc[:n]
        for f in ("open", "high", "low", "close", "volume")
        if isinstance(getattr(prices, f, None), pd.DataFrame)
    }


def _values(out: Any) -> tuple[pd.DataFrame, np.ndarray]:
    """The values and the time each row is declared known (int64 ns, -1 = never)."""
    if isinstance(out, Labels):
        frame = out.y.to_frame()
        known = pd.DatetimeIndex(out.end.to_numpy())
    else:
        check_stacked(out, "the computed values")
        frame = out.to_frame() if isinstance(out, pd.Series) else out
        known = pd.DatetimeIndex(frame.index.get_level_values(0))
    if known.tz is not None:
        known = known.tz_convert("UTC").tz_localize(None)
    keys = np.where(known.isna(), -1, known.as_unit("ns").asi8)
    return frame, keys


def check_lookahead(
    compute: Callable[[Any], Any],
    prices: Any,
    *,
    cuts: Sequence[int] | None = None,
    n_cuts: int = 4,
    rtol: float = 1e-9,
    atol: float = 1e-12,
) -> None:
    """Raise if ``compute(prices)`` uses data from after the time it declares.

    Parameters
    ----------
    compute : callable
        ``compute(prices)`` returning a (date, symbol) DataFrame / Series of features
        (each row declared known at its date) or a :class:`~quantlab.ml.labels.Labels`
        (each row declared known at its end time), e.g. ``feature_set.compute`` or
        ``lambda p: forward_returns(p, 5)``.
    prices : close panel, OHLCV dict or SampleUniverse
    cuts : sequence of int, optional
        Bar positions to cut at (the truncated prices keep bars ``0 .. cut``).
    n_cuts : int, default 4
        Evenly spaced cuts in the second half of the sample when ``cuts`` is None.
    rtol, atol : float
        Tolerances of the comparison (NaN equals NaN).

    Raises
    ------
    ValidationError
        A value known at a cut differs from (or is missing in) the truncated computation;
        the message names the column, the row and the cut.

    Examples
    --------
    >>> from quantlab.data import sample_universe
    >>> from quantlab.ml import FeatureSet, Feature
    >>> u = sample_universe(n_assets=3, n_days=60, seed=0)
    >>> check_lookahead(FeatureSet([Feature("ret", window=5)]).compute, u.close)
    >>> peek = lambda c: (c.shift(-1) / c - 1).stack(future_stack=True).rename("leak")
    >>> leaky = lambda c: peek(c).rename_axis(["date", "symbol"])
    >>> check_lookahead(leaky, u.close)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    quantlab.errors.ValidationError: look-ahead: 'leak' at (...) ...
    """
    close = close_panel(prices)
    n = len(close)
    if cuts is None:
        if isinstance(n_cuts, bool) or not isinstance(n_cuts, int) or n_cuts < 1:
            raise ParameterError(f"n_cuts must be an int >= 1; got {n_cuts!r}")
        cuts = sorted({int(c) for c in np.linspace(n // 2, n - 2, n_cuts)})
    full, known = _values(compute(prices))
    full_values = full.to_numpy(dtype=np.float64)
    calendar = close.index
    for cut in cuts:
        if not 0 <= cut < n - 1:
            raise ParameterError(f"cuts must lie in [0, {n - 2}]; got {cut}")
        stamp = calendar[cut]
        if stamp.tz is not None:
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        sel = (known >= 0) & (known <= stamp.as_unit("ns").value)
        if not sel.any():
            continue
        part, _ = _values(compute(_head(prices, cut + 1)))
        part = part.reindex(index=full.index[sel], columns=full.columns)
        a = full_values[sel]
        b = part.to_numpy(dtype=np.float64)
        same = np.isclose(a, b, rtol=rtol, atol=atol) | (np.isnan(a) & np.isnan(b))
        if not same.all():
            r, c = np.argwhere(~same)[0]
            raise ValidationError(
                f"look-ahead: {full.columns[c]!r} at {full.index[sel][r]} is declared known "
                f"by {calendar[cut]} but changes when the prices after that bar are removed "
                f"({float(a[r, c])} with the full history vs {float(b[r, c])} without). It "
                "reads future data: shift it, or declare a later time (label end)"
            )
