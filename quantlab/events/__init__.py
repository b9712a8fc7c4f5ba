"""Event studies of trade disclosures (and any event table).

:func:`event_study` measures abnormal returns around events under the market, factor or
market-adjusted model, on the disclosure or the transaction clock, and returns an
:class:`EventStudy` with CAR/BHAR/CAAR, the usual tests (cross-sectional t, Patell, BMP,
Kolari-Pynnonen, Corrado rank, generalized sign, bootstrap) and a per-group table.
:func:`lag_cost` compares both clocks in one call.

>>> import quantlab as ql
>>> ql.events.event_study  # doctest: +ELLIPSIS
<function event_study at ...>
"""

from __future__ import annotations

from quantlab.events.abnormal import StudyReport
from quantlab.events.study import LAG_BUCKETS, EventStudy, LagCost, event_study, lag_cost

__all__ = ["LAG_BUCKETS", "EventStudy", "LagCost", "StudyReport", "event_study", "lag_cost"]
