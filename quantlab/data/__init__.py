"""Loading, validation, calendar alignment, sample data, point-in-time events and trade
disclosures.

>>> from quantlab.data import sample_universe
>>> u = sample_universe(n_assets=3, n_days=40, seed=0)
>>> u.close.shape
(40, 3)
"""

from __future__ import annotations

from quantlab.data.align import align_ohlcv, align_panels
from quantlab.data.disclosure_table import (
    DISCLOSURE_COLUMNS,
    LoadReport,
    check_symbols,
    validate_disclosures,
)
from quantlab.data.disclosures import DisclosureLoad, read_disclosures
from quantlab.data.events import EVENT_COLUMNS, events_to_features, validate_events
from quantlab.data.loaders import from_long, from_wide, load_ohlcv, to_long
from quantlab.data.sample import SampleUniverse, sample_universe
from quantlab.data.validate import OHLCV_FIELDS, validate_ohlcv, validate_panel

__all__ = [
    "DISCLOSURE_COLUMNS",
    "DisclosureLoad",
    "LoadReport",
    "check_symbols",
    "read_disclosures",
    "validate_disclosures",
    "EVENT_COLUMNS",
    "OHLCV_FIELDS",
    "SampleUniverse",
    "align_ohlcv",
    "align_panels",
    "events_to_features",
    "from_long",
    "from_wide",
    "load_ohlcv",
    "sample_universe",
    "to_long",
    "validate_events",
    "validate_ohlcv",
    "validate_panel",
]
