"""Signals: crossings, first-signal cleaning, cross-sectional ranks and top-k weights.

* :mod:`~quantlab.signals.crossovers` -- :func:`crossed_above`, :func:`crossed_below`
  (including parameter grid x parameter grid, e.g. every (fast, slow) pair per asset),
  :func:`cross_product_align`, :func:`column_product`, :func:`clean_entries_exits`.
* :mod:`~quantlab.signals.ranking` -- :func:`rank`, :func:`zscore_cross_section`,
  :func:`group_neutral_rank`, :func:`group_neutral_zscore`.
* :mod:`~quantlab.signals.weights` -- :func:`top_k_weights` (weights for ``from_weights``).

Examples
--------
>>> import numpy as np, pandas as pd
>>> import quantlab.indicators as qi, quantlab.signals as qs
>>> close = pd.DataFrame({"A": np.linspace(10, 20, 50), "B": np.linspace(20, 10, 50)})
>>> close.columns.name = "symbol"
>>> fast, slow = qi.sma(close, [5, 10]), qi.sma(close, [20, 30])
>>> sig = qs.crossed_above(fast, slow, names=("fast", "slow"))
>>> sig.columns.names, sig.shape
(FrozenList(['fast', 'slow', 'symbol']), (50, 8))
"""

from __future__ import annotations

from quantlab.signals.crossovers import (
    ColumnProduct,
    clean_entries_exits,
    column_product,
    cross_product_align,
    crossed_above,
    crossed_below,
)
from quantlab.signals.ranking import (
    group_neutral_rank,
    group_neutral_zscore,
    rank,
    zscore_cross_section,
)
from quantlab.signals.weights import top_k_weights

__all__ = [
    "crossed_above",
    "crossed_below",
    "cross_product_align",
    "column_product",
    "ColumnProduct",
    "clean_entries_exits",
    "rank",
    "zscore_cross_section",
    "group_neutral_rank",
    "group_neutral_zscore",
    "top_k_weights",
]
