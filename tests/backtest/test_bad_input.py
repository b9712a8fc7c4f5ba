"""Every invalid input raises a quantlab error whose message names the argument and the fix.

Each case pins the error class (which also derives from the matching builtin, so
``except ValueError`` / ``except TypeError`` keeps working) and the key part of the message.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from quantlab.backtest import from_signals, from_weights
from quantlab.errors import (
    AlignmentError,
    DataTypeError,
    ParameterError,
    QuantlabError,
    ShapeError,
    ValidationError,
)

IDX = pd.bdate_range("2024-01-01", periods=5)
CLOSE = pd.DataFrame({"A": [1.0, 2, 3, 4, 5], "B": [2.0, 3, 4, 5, 6]}, index=IDX)
ENT = CLOSE > 2
EXT = CLOSE > 4
GRID = pd.MultiIndex.from_tuples([("x", "A"), ("y", "A"), ("x", "B"), ("y", "B")])


def sig(**kw) -> Callable[[], object]:
    """A from_signals call on the valid panel with ``kw`` overriding its arguments."""
    args = {"close": CLOSE, "entries": ENT, "exits": EXT} | kw
    return lambda: from_signals(args.pop("close"), args.pop("entries"), args.pop("exits"), **args)


def wts(weights=None, close=CLOSE, **kw) -> Callable[[], object]:
    w = {"A": 0.5, "B": 0.5} if weights is None else weights
    return lambda: from_weights(close, w, **kw)


# (call, quantlab class, builtin, message pattern)
CASES: dict[str, tuple[Callable[[], object], type, type, str]] = {
    # shapes and alignment
    "signals fewer rows (ndarray)": (
        sig(entries=ENT.to_numpy()[:4]),
        ShapeError,
        ValueError,
        r"entries has shape \(4, 2\) but the prices have 5 bars",
    ),
    "signals more columns (ndarray)": (
        sig(entries=np.zeros((5, 3), dtype=bool)),
        ShapeError,
        ValueError,
        r"entries has 3 columns but the prices have 2",
    ),
    "signals fewer rows (frame)": (
        sig(entries=ENT.iloc[:4], exits=EXT.iloc[:4]),
        AlignmentError,
        ValueError,
        r"entries has 4 rows but the prices have 5; align them first",
    ),
    "signals other index": (
        sig(entries=ENT.set_axis(pd.bdate_range("2024-02-01", periods=5))),
        AlignmentError,
        ValueError,
        r"entries index differs from the prices' index at row 0 \(2024-02-01 vs "
        r"2024-01-01\)",
    ),
    "signals columns reordered": (
        sig(exits=EXT[["B", "A"]]),
        AlignmentError,
        ValueError,
        r"exits has the same columns as entries in a different order",
    ),
    "signals unknown asset": (
        sig(entries=ENT.rename(columns={"B": "Z"})),
        AlignmentError,
        ValueError,
        r"entries has columns that match no price column \(e\.g\. \['Z'\]\)",
    ),
    "unsorted timestamps": (
        sig(close=CLOSE.iloc[[0, 2, 1, 3, 4]]),
        AlignmentError,
        ValueError,
        r"close index is not sorted \(row 2: 2024-01-02 comes after 2024-01-03\); pass "
        r"close\.sort_index\(\)",
    ),
    "duplicated timestamps": (
        sig(close=CLOSE.iloc[[0, 1, 1, 3, 4]]),
        AlignmentError,
        ValueError,
        r"close has 1 duplicated timestamps \(first: 2024-01-02\); pass a panel with a unique "
        r"index",
    ),
    # dtypes and values
    "non-numeric close": (
        sig(close=CLOSE.astype(object).assign(A=list("abcde"))),
        DataTypeError,
        TypeError,
        r"close must hold numbers; got text values",
    ),
    "non-boolean signals (float)": (
        sig(entries=ENT.astype(float) * 0.5),
        DataTypeError,
        TypeError,
        r"entries must be boolean; got dtype float64",
    ),
    "non-boolean signals (int not 0/1)": (
        sig(exits=EXT.astype(int) * 2),
        DataTypeError,
        TypeError,
        r"exits must be boolean; got dtype int64",
    ),
    "non-boolean signals (None)": (
        sig(entries=ENT.astype(object).where(ENT, None)),
        DataTypeError,
        TypeError,
        r"entries must be boolean; got values of type \['NoneType'\]",
    ),
    "zero price": (
        sig(close=CLOSE.assign(A=[1.0, 0, 3, 4, 5])),
        ValidationError,
        ValueError,
        r"close must be strictly positive; got .*0\.0.* at row 2024-01-02, column 'A'",
    ),
    "negative price": (
        sig(close=CLOSE.assign(B=[1.0, 2, -3, 4, 5])),
        ValidationError,
        ValueError,
        r"close must be strictly positive; got .*-3\.0.* at row 2024-01-03, column 'B'",
    ),
    "non-positive open": (
        sig(open=CLOSE.assign(A=[1.0, 0, 3, 4, 5]), price="next_open"),
        ValidationError,
        ValueError,
        r"open must be strictly positive",
    ),
    "infinite close": (
        sig(close=CLOSE.assign(A=[1.0, np.inf, 3, 4, 5])),
        ValidationError,
        ValueError,
        r"close holds infinite values \(first at row 2024-01-02, column 'A'\); replace them "
        r"with NaN",
    ),
    "infinite weights": (
        wts(CLOSE * 0 + np.inf),
        ValidationError,
        ValueError,
        r"weights hold(s)? infinite values",
    ),
    "empty close": (
        sig(close=CLOSE.iloc[:0], entries=ENT.iloc[:0], exits=EXT.iloc[:0]),
        ValidationError,
        ValueError,
        r"close is empty",
    ),
    # costs and cash
    "negative fees": (
        sig(fees=-0.1),
        ParameterError,
        ValueError,
        r"fees must be >= 0\.0; got .*-0\.1",
    ),
    "negative fixed_fees": (
        sig(fixed_fees=[0.0, -1.0]),
        ParameterError,
        ValueError,
        r"fixed_fees must be >= 0\.0",
    ),
    "negative slippage": (
        sig(slippage=-0.01),
        ParameterError,
        ValueError,
        r"slippage must be >= 0\.0",
    ),
    "slippage of 100%": (sig(slippage=1.0), ParameterError, ValueError, r"slippage must be < 1\.0"),
    "negative weights fees": (
        wts(fees=-0.001),
        ParameterError,
        ValueError,
        r"fees must be >= 0\.0",
    ),
    "NaN fees": (sig(fees=np.nan), ParameterError, ValueError, r"fees must not be NaN"),
    "fees of the wrong length": (
        sig(fees=[0.1, 0.2, 0.3]),
        ShapeError,
        ValueError,
        r"fees must be a scalar or a 1-D array of length n_columns=2; got shape \(3,\)",
    ),
    "fees not a number": (
        sig(fees="a"),
        DataTypeError,
        TypeError,
        r"fees must be a number or a 1-D array",
    ),
    "zero init_cash": (
        sig(init_cash=0.0),
        ParameterError,
        ValueError,
        r"init_cash must be > 0\.0; got .*0\.0",
    ),
    "negative init_cash (per column)": (
        sig(init_cash=[100.0, -1.0]),
        ParameterError,
        ValueError,
        r"init_cash must be > 0\.0",
    ),
    "zero init_cash (weights)": (
        wts(init_cash=0),
        ParameterError,
        ValueError,
        r"init_cash must be > 0\.0",
    ),
    "infinite init_cash": (
        sig(init_cash=np.inf),
        ParameterError,
        ValueError,
        r"init_cash must be finite",
    ),
    # choices
    "unknown size_type": (
        sig(size_type="units"),
        ParameterError,
        ValueError,
        r"size_type must be one of \['amount', 'percent', 'value'\]; got 'units'",
    ),
    "unknown direction": (
        sig(direction="sideways"),
        ParameterError,
        ValueError,
        r"direction must be one of \['both', 'long', 'short'\]; got 'sideways'",
    ),
    "unknown price": (
        sig(price="open"),
        ParameterError,
        ValueError,
        r"price must be one of \['close', 'next_open'\]; got 'open'",
    ),
    "unknown mode": (
        sig(mode="fast"),
        ParameterError,
        ValueError,
        r"mode must be one of \['full', 'stats'\]; got 'fast'",
    ),
    "unknown weights price": (
        wts(price="vwap"),
        ParameterError,
        ValueError,
        r"price must be one of",
    ),
    "unknown weights mode": (wts(mode="x"), ParameterError, ValueError, r"mode must be one of"),
    # sizes and stops
    "percent size above 1": (
        sig(size=1.5, size_type="percent"),
        ParameterError,
        ValueError,
        r"size must be in \(0, 1\] with size_type='percent'",
    ),
    "zero size": (sig(size=0.0), ParameterError, ValueError, r"size must be > 0\.0"),
    "infinite value size": (
        sig(size_type="value"),
        ParameterError,
        ValueError,
        r"size=inf is only meaningful with size_type='amount'",
    ),
    "negative min_size": (sig(min_size=-1), ParameterError, ValueError, r"min_size must be >= 0"),
    "zero granularity": (
        sig(size_granularity=0.0),
        ParameterError,
        ValueError,
        r"size_granularity must be > 0",
    ),
    "sl_stop of 0": (sig(sl_stop=0.0), ParameterError, ValueError, r"sl_stop must be > 0\.0"),
    "negative sl_stop": (
        sig(sl_stop=[0.1, -0.1]),
        ParameterError,
        ValueError,
        r"sl_stop must be > 0\.0",
    ),
    "sl_stop above 1": (
        sig(sl_stop=1.5),
        ParameterError,
        ValueError,
        r"sl_stop must be <= 1\.0; got .*1\.5",
    ),
    "tp_stop of 0": (sig(tp_stop=0.0), ParameterError, ValueError, r"tp_stop must be > 0\.0"),
    "time_stop of 0": (sig(time_stop=0), ParameterError, ValueError, r"time_stop must be >= 1\.0"),
    "fractional time_stop": (
        sig(time_stop=1.5),
        ParameterError,
        ValueError,
        r"time_stop must be a whole number of bars; got .*1\.5",
    ),
    # OHLC
    "high below low": (
        sig(high=CLOSE * 0.9, low=CLOSE),
        ValidationError,
        ValueError,
        r"high < low at row 2024-01-01, column 'A' \(high=.*0\.9.*, low=.*1\.0.*\)",
    ),
    "high without low": (
        sig(high=CLOSE * 1.1),
        ValidationError,
        ValueError,
        r"high and low must be given together",
    ),
    "open of another shape": (
        sig(open=CLOSE.iloc[:4], price="next_open"),
        ShapeError,
        ValueError,
        r"open has shape \(4, 2\) but close has \(5, 2\)",
    ),
    "open on another index": (
        sig(open=CLOSE.set_axis(pd.bdate_range("2024-02-01", periods=5)), price="next_open"),
        AlignmentError,
        ValueError,
        r"open index differs from the prices' index",
    ),
    "next_open without open": (
        sig(price="next_open"),
        ParameterError,
        ValueError,
        r"price='next_open' needs the open prices; pass open=",
    ),
    "weights next_open without open": (
        wts(price="next_open"),
        ParameterError,
        ValueError,
        r"price='next_open' needs the open",
    ),
    # short signals
    "short_entries without short_exits": (
        sig(short_entries=ENT, direction="both"),
        ParameterError,
        ValueError,
        r"short_entries and short_exits must be given together",
    ),
    "short_exits without short_entries": (
        sig(short_exits=EXT, direction="both"),
        ParameterError,
        ValueError,
        r"short_entries and short_exits must be given together",
    ),
    "short signals without direction='both'": (
        sig(short_entries=ENT, short_exits=EXT),
        ParameterError,
        ValueError,
        r"short_entries/short_exits need direction='both'; got direction='long'",
    ),
    # weights
    "weights name an unknown asset (dict)": (
        wts({"A": 0.5, "Z": 0.5}),
        AlignmentError,
        ValueError,
        r"weights name assets that are not columns of close: \['Z'\]",
    ),
    "weights name an unknown asset (panel)": (
        wts(CLOSE.rename(columns={"B": "Z"}) * 0 + 0.5),
        AlignmentError,
        ValueError,
        r"weights has columns that match no price column \(e\.g\. \['Z'\]\)",
    ),
    "weights groups not contiguous": (
        wts(pd.DataFrame(0.25, index=IDX, columns=GRID)),
        AlignmentError,
        ValueError,
        r"weights columns of one parameter combination are not contiguous; pass "
        r"weights\.sort_index\(axis=1\)",
    ),
    "weights with fewer rows": (
        wts((CLOSE * 0 + 0.5).iloc[:4]),
        AlignmentError,
        ValueError,
        r"weights has 4 rows but the prices have 5",
    ),
    "weights vector too short": (
        wts([1.0]),
        ShapeError,
        ValueError,
        r"weights has 1 entries but close has 2 columns",
    ),
    "max_leverage of 0": (
        wts(max_leverage=0.0),
        ParameterError,
        ValueError,
        r"max_leverage must be > 0\.0",
    ),
    "negative min_trade": (
        wts(min_trade=-1.0),
        ParameterError,
        ValueError,
        r"min_trade must be >= 0\.0",
    ),
    # rebalance
    "rebalance of 0 bars": (
        wts(rebalance=0),
        ParameterError,
        ValueError,
        r"rebalance must be a positive number of bars; got 0",
    ),
    "negative rebalance": (
        wts(rebalance=-3),
        ParameterError,
        ValueError,
        r"rebalance must be a positive number of bars; got -3",
    ),
    "rebalance not an alias": (
        wts(rebalance="NOTANALIAS"),
        ParameterError,
        ValueError,
        r"rebalance='NOTANALIAS' is not a pandas offset alias",
    ),
    "rebalance float": (
        wts(rebalance=2.5),
        ParameterError,
        ValueError,
        r"rebalance must be None, a pandas offset alias or an int; got 2\.5",
    ),
    "rebalance bool": (
        wts(rebalance=True),
        ParameterError,
        ValueError,
        r"rebalance must be None, a pandas offset alias or an int; got True",
    ),
    "calendar rebalance without dates": (
        wts(close=CLOSE.reset_index(drop=True), rebalance="ME"),
        ParameterError,
        ValueError,
        r"rebalance='ME' needs a DatetimeIndex on close; got RangeIndex",
    ),
    # containers
    "close of an unsupported type": (
        sig(close="abc"),
        DataTypeError,
        TypeError,
        r"close must be a DataFrame, Series or NumPy array; got str",
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input(case: str) -> None:
    call, cls, builtin, pattern = CASES[case]
    assert issubclass(cls, QuantlabError) and issubclass(cls, builtin)
    with pytest.raises(cls, match=pattern) as info:
        call()
    assert isinstance(info.value, builtin)
    assert isinstance(info.value, QuantlabError)
    assert type(info.value) is cls  # the most specific class, not a parent


def test_messages_name_argument_and_fix() -> None:
    """Spot-check the message rule: argument, rule, what was received, how to fix."""
    with pytest.raises(ParameterError) as info:
        from_signals(CLOSE, ENT, EXT, fees=-0.5)
    msg = str(info.value)
    assert msg.startswith("fees ") and "-0.5" in msg and re.search(r"[Pp]ass a value", msg)


# ------------------------------------------------------- engine bugs found (now fixed)
def test_close_of_numeric_strings_is_rejected() -> None:
    with pytest.raises(DataTypeError, match=r"close must hold numbers"):
        from_signals(CLOSE.astype(str), ENT, EXT)


def test_weights_vector_too_long() -> None:
    with pytest.raises(ShapeError, match=r"weights has 3 entries but close has 2 columns"):
        from_weights(CLOSE, [0.5, 0.3, 0.2])


def test_mixed_timezones_are_named() -> None:
    index = pd.Index(
        [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-02", tz="UTC")], dtype=object
    )
    close = pd.DataFrame({"A": [1.0, 2.0]}, index=index)
    with pytest.raises(AlignmentError, match=r"mixes timezone-aware and naive"):
        from_signals(close, [True, False], [False, True])
