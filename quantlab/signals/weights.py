"""From scores to target weights: long the top k, short the bottom k (for ``from_weights``)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from quantlab._validation import as_float_panel, choice
from quantlab.errors import ParameterError
from quantlab.signals import _kernels as _k

__all__ = ["top_k_weights"]


def _count(value: Any, name: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < 0:
        raise ParameterError(
            f"The '{name}' parameter of top_k_weights must be a non-negative int. "
            f"Got {value!r} instead."
        )
    return int(value)


def top_k_weights(
    scores: Any,
    k: int,
    bottom_k: int = 0,
    weighting: str = "equal",
    gross: float = 1.0,
) -> pd.DataFrame | pd.Series:
    """Target weights per bar: long the ``k`` best scores, short the ``bottom_k`` worst.

    Rules, row by row:

    * NaN scores are never selected; unselected names get weight 0 (never NaN), so a row
      without any valid score is all zeros (flat).
    * Longs are picked first: ``n_long = min(k, n_valid)``; shorts come from the remaining
      names, ``n_short = min(bottom_k, n_valid - n_long)``. A row with fewer valid scores
      than ``k + bottom_k`` therefore keeps its longs and fills fewer shorts.
    * Ties are broken by column position: among equal scores the left-most column is
      picked first, on both sides.
    * Exposure: with only one side requested, that side sums to ``gross`` in absolute value;
      with both, each side sums to ``gross / 2`` (dollar neutral, total gross ``gross``).
    * ``weighting="equal"`` splits a side equally. ``weighting="score"`` sizes longs by
      ``max(score, 0)`` and shorts by ``max(-score, 0)`` (a selected name whose score has the
      wrong sign gets 0; a side whose sizes are all 0 stays flat). Use it with scores
      centred at 0, e.g. :func:`zscore_cross_section` or predicted returns.

    Parameters
    ----------
    scores : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Higher = more attractive; NaN = not investable on that bar.
    k : int
        Number of longs per bar (>= 0).
    bottom_k : int, default 0
        Number of shorts per bar (>= 0); ``k + bottom_k`` must be >= 1.
    weighting : {"equal", "score"}, default "equal"
        How a side's exposure is split.
    gross : float, default 1.0
        Sum of absolute weights of a full row (> 0).

    Returns
    -------
    DataFrame or Series
        Weights with the labels of ``scores``, ready for ``backtest.from_weights``.

    Raises
    ------
    ParameterError
        Negative counts, ``k + bottom_k == 0``, unknown ``weighting``, non-positive ``gross``.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame([[0.3, -0.1, 0.2, -0.4]], columns=["A", "B", "C", "D"])
    >>> top_k_weights(s, 2).iloc[0].tolist()
    [0.5, 0.0, 0.5, 0.0]
    >>> top_k_weights(s, 1, bottom_k=1).iloc[0].tolist()
    [0.5, 0.0, 0.0, -0.5]
    >>> top_k_weights(s, 2, weighting="score").iloc[0].tolist()
    [0.6, 0.0, 0.4, 0.0]
    """
    x, labels = as_float_panel(scores, "scores")
    k = _count(k, "k")
    bottom_k = _count(bottom_k, "bottom_k")
    if k + bottom_k == 0:
        raise ParameterError(
            "The 'k' and 'bottom_k' parameters of top_k_weights must select at least one "
            "name. Got k=0 and bottom_k=0 instead; pass k >= 1 or bottom_k >= 1."
        )
    by_score = choice(weighting, "weighting", {"equal": False, "score": True})
    if (
        isinstance(gross, (bool, np.bool_))
        or not isinstance(gross, numbers.Real)
        or not np.isfinite(gross)
        or gross <= 0
    ):
        raise ParameterError(
            f"The 'gross' parameter of top_k_weights must be a positive finite number. "
            f"Got {gross!r} instead."
        )
    out = _k.top_k(x, k, bottom_k, by_score, float(gross))
    if labels.was_series:
        return pd.Series(out[:, 0], index=labels.index, name=labels.name)
    return pd.DataFrame(out, index=labels.index, columns=labels.columns, copy=False)
