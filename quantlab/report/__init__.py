"""Reports: a self-contained HTML tearsheet of a backtest or a training run.

>>> import numpy as np, pandas as pd, quantlab as ql
>>> r = pd.Series(np.random.default_rng(0).normal(4e-4, 0.01, 300),
...               index=pd.bdate_range("2021-01-01", periods=300))
>>> ts = ql.report.tearsheet(r, title="demo")
>>> ts.sections[0], ts.html.startswith("<!DOCTYPE html>")
('Headline metrics', True)

``ts.save("tearsheet.html")`` writes the page (it opens offline: figures are embedded PNGs,
the stylesheet is inline); in a notebook the object displays itself. matplotlib is
imported only when a tearsheet is rendered, never by ``import quantlab.report``.
"""

from __future__ import annotations

from quantlab.report.factor_sheet import comparison_tearsheet, factor_tearsheet
from quantlab.report.sections import dsr_reading, pbo_reading
from quantlab.report.tearsheet import Tearsheet, tearsheet

__all__ = [
    "Tearsheet",
    "comparison_tearsheet",
    "dsr_reading",
    "factor_tearsheet",
    "pbo_reading",
    "tearsheet",
]
