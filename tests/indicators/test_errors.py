"""Bad input gives a quantlab error naming the argument, the rule, the value and the fix."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import quantlab.indicators as qi
from quantlab.errors import AlignmentError, DataTypeError, ParameterError, ShapeError

CLOSE = pd.DataFrame({"A": np.arange(1.0, 41.0), "B": np.arange(41.0, 1.0, -1)})


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: qi.sma(CLOSE, -3),
            "The 'window' parameter of sma must be a positive int. Got -3 instead.",
        ),
        (
            lambda: qi.sma(CLOSE, 2.5),
            "The 'window' parameter of sma must be a positive int. Got 2.5 instead.",
        ),
        (
            lambda: qi.wma(CLOSE, True),
            "The 'window' parameter of wma must be a positive int. Got True instead.",
        ),
        (
            lambda: qi.ema(CLOSE, [5, 0]),
            "The 'span' parameter of ema must be a positive int or a list of them. "
            "Got 0 at position 1 of [5, 0] instead.",
        ),
        (
            lambda: qi.rsi(CLOSE, []),
            "The 'window' parameter of rsi must be a positive int or a non-empty list of them. "
            "Got an empty list instead.",
        ),
        (
            lambda: qi.zscore(CLOSE, 1),
            "The 'window' parameter of zscore must be an int >= 2. Got 1 instead.",
        ),
        (
            lambda: qi.zscore(CLOSE, 5, ddof=2),
            "The 'ddof' parameter of zscore must be 0 or 1. Got 2 instead.",
        ),
        (
            lambda: qi.bollinger(CLOSE, 20, n_std=-1),
            "The 'n_std' parameter of bollinger must be a positive finite number. Got -1 instead.",
        ),
        (
            lambda: qi.bollinger(CLOSE, 20, n_std=float("nan")),
            "The 'n_std' parameter of bollinger must be a positive finite number. Got nan instead.",
        ),
        (
            lambda: qi.macd(CLOSE, fast="12"),
            "The 'fast' parameter of macd must be a positive int. Got '12' instead.",
        ),
        (
            lambda: qi.stochastic(CLOSE, CLOSE, CLOSE, d_window=[3, -1]),
            "The 'd_window' parameter of stochastic must be a positive int or a list of them. "
            "Got -1 at position 1 of [3, -1] instead.",
        ),
        (
            lambda: qi.rolling_volatility(CLOSE, 5, periods_per_year=0),
            "The 'periods_per_year' parameter of rolling_volatility must be a positive finite "
            "number. Got 0 instead.",
        ),
    ],
)
def test_parameter_errors(call, message):
    with pytest.raises(ParameterError, match=re.escape(message)) as info:
        call()
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


def test_panels_must_line_up():
    with pytest.raises(ShapeError, match=r"atr: low has shape \(39, 2\) but high has shape"):
        qi.atr(CLOSE, CLOSE.iloc[1:].to_numpy(), CLOSE)
    shifted = CLOSE.set_axis(CLOSE.index + 1)
    with pytest.raises(AlignmentError, match=r"donchian: low and high have different index"):
        qi.donchian(CLOSE, shifted, 5)
    with pytest.raises(AlignmentError, match="reindex_like"):
        qi.obv(CLOSE, CLOSE.rename(columns={"A": "Z"}))


def test_input_errors_come_from_validation():
    with pytest.raises(DataTypeError, match="close must hold numbers"):
        qi.sma(pd.DataFrame({"A": ["x", "y"]}), 1)
    with pytest.raises(DataTypeError, match="close must be a DataFrame, Series or NumPy array"):
        qi.sma({"A": [1.0]}, 1)
    with pytest.raises(ValueError, match="close holds infinite values"):
        qi.sma(pd.Series([1.0, np.inf]), 1)
