"""Group (sector) rotation: hold the top k groups by score, rebalanced on a calendar.

One call on :func:`quantlab.signals.top_k_weights` (ranking the groups) and
:func:`quantlab.backtest.from_weights` (trading them). Rules (the task is silent):

* ``groups`` maps every column of ``prices`` to a group (extra symbols in the mapping are
  allowed: a mapping of a wider universe); group columns are in order of first appearance
  in ``prices``, which breaks score ties (left-most first, as ``top_k_weights`` does).
* Default score: a group's trailing return, the equal-weighted mean of its members'
  ``close[t] / close[t - lookback] - 1`` (members without both prices left out; a group with
  none has no score and is never held). Pass ``scores`` (``(n_bars, n_groups)``) for any
  other score, e.g. momentum skipping the last month or a model's forecast.
* A held group's weight is split equally among its members with a price on that bar.
* Trades happen at ``from_weights``' calendar bars for ``rebalance`` (the first bar and the
  last bar of each period), using the scores known at that bar's close.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from quantlab import config
from quantlab._validation import PRICE_MAX, PRICE_MIN, as_float_panel
from quantlab.backtest import BacktestResult, from_weights
from quantlab.errors import AlignmentError, ParameterError
from quantlab.signals import top_k_weights

__all__ = ["RotationResult", "group_rotation"]


@dataclass(frozen=True)
class RotationResult:
    """What :func:`group_rotation` returns.

    Attributes
    ----------
    backtest : BacktestResult
    scores : DataFrame, shape (n_bars, n_groups)
        The group scores used.
    group_weights : DataFrame, shape (n_bars, n_groups)
        Target weight of each group (rows sum to 1 once a score exists, else 0).
    weights : DataFrame, shape (n_bars, n_assets)
        Target weight of each asset, passed to ``from_weights``.
    """

    backtest: BacktestResult
    scores: pd.DataFrame
    group_weights: pd.DataFrame
    weights: pd.DataFrame


def _group_codes(columns: pd.Index, groups: Any) -> tuple[np.ndarray, pd.Index]:
    mapping = pd.Series(groups) if isinstance(groups, dict) else groups
    if not isinstance(mapping, pd.Series):
        raise ParameterError(
            f"groups must be a dict or Series mapping symbol -> group; got {type(groups).__name__}"
        )
    absent = columns.difference(mapping.index)
    if len(absent):
        raise AlignmentError(
            f"groups has no group for {len(absent)} symbol(s) of prices (first: "
            f"{absent[0]!r}); map every column of prices to a group"
        )
    if mapping.index.has_duplicates:
        dup = mapping.index[mapping.index.duplicated()][0]
        raise AlignmentError(f"groups maps symbol {dup!r} more than once; give one group each")
    codes, labels = pd.factorize(mapping.reindex(columns), sort=False)
    return codes, pd.Index(labels, name="group")


def group_rotation(
    prices: pd.DataFrame,
    groups: Any,
    k: int,
    *,
    scores: pd.DataFrame | None = None,
    lookback: int = 126,
    weighting: str = "equal",
    rebalance: str | int = "ME",
    fees: Any = 0.0,
    slippage: Any = 0.0,
    init_cash: float = config.DEFAULT_INIT_CASH,
) -> RotationResult:
    """Rotate into the ``k`` best groups of assets, rebalanced on a calendar.

    Parameters
    ----------
    prices : DataFrame, shape (n_bars, n_assets)
        Close prices (NaN = not trading).
    groups : dict or Series
        Symbol -> group (e.g. sector).
    k : int
        Groups held (>= 1).
    scores : DataFrame (n_bars, n_groups), optional
        Higher = better; columns are group names. Default: trailing ``lookback`` return.
    lookback : int, default 126
        Bars of the default trailing-return score.
    weighting : {"equal", "score"}, default "equal"
        Equal weight per held group, or proportional to a positive score
        (see :func:`quantlab.signals.top_k_weights`).
    rebalance : str or int, default "ME"
        Passed to ``from_weights``.
    fees, slippage, init_cash
        Passed to ``from_weights``.

    Returns
    -------
    RotationResult

    Raises
    ------
    AlignmentError
        A symbol without group; ``scores`` not indexed like ``prices`` or with other groups.
    ParameterError
        Bad ``k`` / ``weighting`` / ``lookback`` (from ``top_k_weights`` for the first two).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> idx = pd.bdate_range("2024-01-01", periods=60)
    >>> up, down = np.linspace(100, 130, 60), np.linspace(100, 90, 60)
    >>> prices = pd.DataFrame({"X1": up, "X2": up, "Y1": down, "Y2": down}, index=idx)
    >>> res = group_rotation(prices, {"X1": "x", "X2": "x", "Y1": "y", "Y2": "y"}, 1, lookback=20)
    >>> res.weights.iloc[-1].tolist()
    [0.5, 0.5, 0.0, 0.0]
    """
    close, labels = as_float_panel(prices, "prices", positive=True, bounds=(PRICE_MIN, PRICE_MAX))
    index, columns = labels.index, labels.columns
    codes, group_labels = _group_codes(columns, groups)
    n_groups = len(group_labels)
    member = np.zeros((len(columns), n_groups))
    member[np.arange(len(columns)), codes] = 1.0
    if scores is None:
        if (
            isinstance(lookback, bool)
            or not isinstance(lookback, (int, np.integer))
            or lookback < 1
        ):
            raise ParameterError(f"lookback must be a positive int (bars); got {lookback!r}")
        trailing = np.full_like(close, np.nan)
        trailing[lookback:] = close[lookback:] / close[:-lookback] - 1.0
        valid = ~np.isnan(trailing)
        count = valid @ member
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(count > 0, np.nan_to_num(trailing) @ member / count, np.nan)
        score_df = pd.DataFrame(score, index=index, columns=group_labels)
    else:
        if not isinstance(scores, pd.DataFrame) or not scores.index.equals(index):
            raise AlignmentError(
                "scores must be a DataFrame with the index of prices; align it first, e.g. "
                "scores.reindex(prices.index)"
            )
        if set(scores.columns) != set(group_labels):
            raise AlignmentError(
                f"scores columns must be the groups {list(group_labels)}; got "
                f"{list(scores.columns)}"
            )
        score_df = scores[group_labels].astype(float)
    gw = cast(pd.DataFrame, top_k_weights(score_df, k, weighting=weighting))
    trading = ~np.isnan(close)
    n_live = trading @ member  # members with a price, per bar and group
    with np.errstate(invalid="ignore", divide="ignore"):
        per_member = np.where(n_live > 0, gw.to_numpy() / n_live, 0.0)
    w = np.where(trading, per_member[:, codes], 0.0)
    weights = pd.DataFrame(w, index=index, columns=columns)
    bt = from_weights(
        prices, weights, rebalance=rebalance, fees=fees, slippage=slippage, init_cash=init_cash
    )
    return RotationResult(
        backtest=cast(BacktestResult, bt),  # mode="full"
        scores=score_df,
        group_weights=gw,
        weights=weights,
    )
