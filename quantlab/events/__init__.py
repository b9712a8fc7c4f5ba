"""Trade-disclosure research: event studies, copy-trade strategies, per-filer leaderboards.

Event studies
    :func:`event_study` measures abnormal returns around events under the market, factor
    or market-adjusted model, on the disclosure or the transaction clock, and returns an
    :class:`EventStudy` with CAR/BHAR/CAAR, the usual tests (cross-sectional t, Patell,
    BMP, Kolari-Pynnonen, Corrado rank, generalized sign, bootstrap) and a per-group
    table. :func:`lag_cost` compares both clocks' abnormal returns in one call.
Copy-trade strategies
    :func:`copy_trade_weights` turns disclosures into target weights (one strategy per
    filer); :func:`copy_trade` runs them through :func:`quantlab.backtest.from_weights`;
    :func:`copy_trade_lag_cost` trades the same strategy on the transaction date vs the
    disclosure date.
Significance per filer
    :func:`leaderboard` gives per filer (or group) Sharpe, PSR, deflated Sharpe, p- and
    q-values; :func:`bh_qvalues` the Benjamini-Hochberg adjusted p-values.

Disclosure tables come from :mod:`quantlab.data` (``read_disclosures``).

>>> import quantlab as ql
>>> ql.events.event_study  # doctest: +ELLIPSIS
<function event_study at ...>
"""

from __future__ import annotations

from quantlab.events.abnormal import StudyReport
from quantlab.events.copytrade import (
    CopyTrade,
    CopyTradeReport,
    CopyTradeWeights,
    copy_trade,
    copy_trade_weights,
)
from quantlab.events.leaderboard import (
    CopyTradeLagCost,
    Leaderboard,
    bh_qvalues,
    copy_trade_lag_cost,
    leaderboard,
)
from quantlab.events.study import LAG_BUCKETS, EventStudy, LagCost, event_study, lag_cost

__all__ = [
    "LAG_BUCKETS",
    "CopyTrade",
    "CopyTradeLagCost",
    "CopyTradeReport",
    "CopyTradeWeights",
    "EventStudy",
    "LagCost",
    "Leaderboard",
    "StudyReport",
    "bh_qvalues",
    "copy_trade",
    "copy_trade_lag_cost",
    "copy_trade_weights",
    "event_study",
    "lag_cost",
    "leaderboard",
]
