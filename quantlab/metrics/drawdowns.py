"""The underwater curve and the table of drawdown episodes.

An *episode* starts on the first bar below the running peak of the equity curve (which
starts at 1 before the first bar), reaches its *trough*, and *ends* on the first bar back at
or above the peak (``NaT`` / NaN while it lasts). ``length`` counts the valid bars spent
underwater, ``recovery`` the bars from trough to end. NaN returns are skipped.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from quantlab.errors import ParameterError
from quantlab.metrics import _kernels as K
from quantlab.metrics._input import to_returns

__all__ = ["drawdown_series", "drawdown_table"]

_TABLE_COLUMNS = ["start", "trough", "end", "depth", "length", "recovery"]


def drawdown_series(returns: Any) -> pd.Series | pd.DataFrame:
    """Underwater curve: ``equity / running_peak - 1`` at every bar (NaN where r is NaN).

    Parameters
    ----------
    returns : Series, DataFrame or array
        Simple returns, one column per strategy.

    Returns
    -------
    Series or DataFrame
        Same shape and labels as ``returns``; values in ``[-1, 0]``.

    Raises
    ------
    DataTypeError, ValidationError
        Non-numeric, empty, infinite or < -1 returns.

    Examples
    --------
    >>> drawdown_series(pd.Series([0.1, -0.5, 1.0])).round(4).tolist()
    [0.0, -0.5, 0.0]
    """
    arr, labels = to_returns(returns)
    dd = K.drawdown_series_kernel(arr)
    if labels.was_series:
        return pd.Series(dd[:, 0], index=labels.index, name=labels.name)
    return labels.frame(dd)


def _episodes(dd: np.ndarray, index: pd.Index) -> pd.DataFrame:
    valid = ~np.isnan(dd)
    pos = np.flatnonzero(valid)
    d = dd[valid]
    under = d < 0
    if not under.any():
        return pd.DataFrame(
            {
                "start": pd.Series([], dtype=index.dtype if len(index) else object),
                "trough": pd.Series([], dtype=index.dtype if len(index) else object),
                "end": pd.Series([], dtype=index.dtype if len(index) else object),
                "depth": pd.Series([], dtype=float),
                "length": pd.Series([], dtype=np.int64),
                "recovery": pd.Series([], dtype=float),
            }
        )
    edge = np.diff(np.concatenate(([False], under, [False])).astype(np.int8))
    starts = np.flatnonzero(edge == 1)  # positions among valid bars
    stops = np.flatnonzero(edge == -1)  # first valid bar back at the peak (may be len(d))
    troughs = np.array([s + int(np.argmin(d[s:e])) for s, e in zip(starts, stops, strict=True)])
    recovered = stops < len(d)
    end_labels = [index[pos[e]] if r else None for e, r in zip(stops, recovered, strict=True)]
    end: Any = (
        pd.DatetimeIndex(end_labels, dtype=index.dtype)
        if isinstance(index, pd.DatetimeIndex)
        else pd.Index(end_labels, dtype=object)
    )
    out = pd.DataFrame(
        {
            "start": index[pos[starts]],
            "trough": index[pos[troughs]],
            "end": end,
            "depth": d[troughs],
            "length": stops - starts,
            "recovery": np.where(recovered, stops - troughs, np.nan),
        }
    )
    return out


def drawdown_table(returns: Any, top: int | None = None) -> pd.DataFrame:
    """Drawdown episodes, deepest first: start, trough, end, depth, length, recovery.

    Parameters
    ----------
    returns : Series, DataFrame or array
        Simple returns.
    top : int, optional
        Keep the ``top`` deepest episodes (per column).

    Returns
    -------
    DataFrame
        One row per episode, columns ``start`` / ``trough`` / ``end`` (index labels; ``end``
        is NaT / None while underwater at the last bar), ``depth`` (< 0), ``length`` (bars
        underwater) and ``recovery`` (bars from trough to end, NaN if not recovered). For a
        DataFrame input the rows are indexed by ``(column, rank)``.

    Raises
    ------
    ParameterError
        ``top`` is not a positive int.

    Examples
    --------
    >>> r = pd.Series([0.1, -0.2, 0.3, -0.1, 0.05], index=pd.bdate_range("2024-01-01", periods=5))
    >>> drawdown_table(r)[["depth", "length", "recovery"]].round(4)
       depth  length  recovery
    0   -0.2       1       1.0
    1   -0.1       2       NaN
    """
    if top is not None and (not isinstance(top, (int, np.integer)) or top < 1):
        raise ParameterError(f"top must be a positive int or None; got {top!r}")
    arr, labels = to_returns(returns)
    dd = K.drawdown_series_kernel(arr)
    tables = []
    for c in range(dd.shape[1]):
        t = _episodes(dd[:, c], labels.index).sort_values("depth", kind="stable")
        t = t.reset_index(drop=True)
        tables.append(t if top is None else t.iloc[:top])
    if labels.was_series:
        return tables[0]
    return pd.concat(tables, keys=list(labels.columns), names=["column", "rank"])
