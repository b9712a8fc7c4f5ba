"""Sample weights from label overlap: average uniqueness (de Prado, AFML ch. 4).

Labels that span several bars overlap: the 5-bar forward returns of an asset at ``t`` and
``t + 1`` share four bars of price path, so they are not independent samples. The
*concurrency* ``c[t]`` of an asset counts its labels whose return span
``(start, end]`` contains bar ``t``; a label's
*average uniqueness* is the mean of ``1 / c`` over its span, 1 for a label that overlaps
no other and about ``1 / horizon`` for overlapping fixed-horizon labels. Using it as the
sample weight stops overlapping labels from counting several times.

Concurrency is counted per asset: labels of different assets read different prices.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from quantlab.errors import ValidationError
from quantlab.ml import _kernels
from quantlab.ml.labels import Labels

__all__ = ["average_uniqueness", "label_spans"]


def label_spans(labels: Labels) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DatetimeIndex]:
    """Start bar, end bar and asset column of every valid label, on the labels' calendar.

    Returns
    -------
    start, end, col : numpy.ndarray of int64
        Positions of the valid rows' start and end bars and asset columns.
    calendar : pandas.DatetimeIndex
        The dates of the (date, symbol) grid.
    """
    idx = labels.index
    calendar = pd.DatetimeIndex(idx.levels[0])
    valid = labels.valid
    start = idx.codes[0][valid].astype(np.int64)
    col = idx.codes[1][valid].astype(np.int64)
    end = calendar.searchsorted(pd.DatetimeIndex(labels.end.to_numpy()[valid]), side="left")
    end = np.asarray(end, dtype=np.int64)
    if (end < start).any() or (end >= len(calendar)).any():
        raise ValidationError(
            "labels have end times before their start or beyond the calendar; an end time "
            "must be a date of the (date, symbol) grid at or after the row's date"
        )
    return start, end, col, calendar


def average_uniqueness(labels: Labels) -> pd.Series:
    """Average uniqueness of every label, as sample weights in (0, 1].

    Parameters
    ----------
    labels : Labels
        Output of a :mod:`quantlab.ml.labels` function.

    Returns
    -------
    pandas.Series
        One weight per (date, symbol) row of ``labels``; NaN where the label is undefined.

    Raises
    ------
    ValidationError
        End times outside the calendar.

    Examples
    --------
    >>> import pandas as pd
    >>> from quantlab.ml.labels import forward_returns
    >>> idx = pd.bdate_range("2024-01-01", periods=4)
    >>> close = pd.DataFrame({"A": [1.0, 1.1, 1.2, 1.3]}, index=idx)
    >>> average_uniqueness(forward_returns(close, horizon=2)).round(3).tolist()
    [0.75, 0.75, nan, nan]
    """
    start, end, col, calendar = label_spans(labels)
    n_cols = len(labels.index.levels[1])
    # a label earns the returns of bars start+1 .. end: that is the span that overlaps
    w = _kernels.average_uniqueness(np.minimum(start + 1, end), end, col, len(calendar), n_cols)
    out = np.full(len(labels), np.nan)
    out[labels.valid] = w
    return pd.Series(out, index=labels.index, name="uniqueness")
