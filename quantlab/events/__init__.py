"""Trade-disclosure research: copy-trade strategies and per-filer leaderboards.

* :func:`copy_trade_weights` -- disclosures -> target weights (one strategy per filer).
* :func:`copy_trade` -- those weights through :func:`quantlab.backtest.from_weights`.
* :func:`leaderboard` -- per filer (or group) Sharpe, PSR, deflated Sharpe, p- and q-values.
* :func:`lag_cost` -- the same strategy on the transaction date vs the disclosure date.
* :func:`bh_qvalues` -- Benjamini-Hochberg adjusted p-values.

Disclosure tables come from :mod:`quantlab.data` (``read_disclosures``).
"""

from quantlab.events.copytrade import (
    CopyTrade,
    CopyTradeReport,
    CopyTradeWeights,
    copy_trade,
    copy_trade_weights,
)
from quantlab.events.leaderboard import Leaderboard, bh_qvalues, lag_cost, leaderboard

__all__ = [
    "CopyTrade",
    "CopyTradeReport",
    "CopyTradeWeights",
    "Leaderboard",
    "bh_qvalues",
    "copy_trade",
    "copy_trade_weights",
    "lag_cost",
    "leaderboard",
]
