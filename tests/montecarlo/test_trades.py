"""resample_trades: trade records, DataFrames and duck-typed backtest results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quantlab.montecarlo as mc
from quantlab.backtest.records import trade_dt
from quantlab.errors import DataTypeError, ValidationError

RETS = np.random.default_rng(3).normal(0.01, 0.05, 80)


def _records(rets):
    rec = np.zeros(len(rets), dtype=trade_dt)
    rec["id"] = np.arange(len(rets))
    rec["ret"] = rets
    return rec


class FakeBacktest:
    def __init__(self, rets):
        self.trade_records = _records(rets)


@pytest.mark.parametrize(
    "make", [_records, lambda r: pd.DataFrame({"ret": r, "pnl": r}), FakeBacktest, lambda r: r]
)
def test_inputs_and_shuffle_keeps_terminal_equity(make):
    res = mc.resample_trades(make(RETS), n_paths=300, seed=1)
    assert isinstance(res, mc.SimulationResult) and res.horizon == len(RETS)
    np.testing.assert_allclose(res.terminal_wealth, np.prod(1 + RETS), rtol=1e-10)
    assert res.max_drawdowns.std() > 0
    np.testing.assert_allclose(
        res.historical_wealth, np.concatenate([[1.0], np.cumprod(1 + RETS)]), rtol=1e-12
    )


def test_bootstrap_spreads_and_matches_the_mean():
    res = mc.resample_trades(RETS, n_paths=4000, n_trades=50, method="bootstrap", seed=2)
    lw = np.log(res.terminal_wealth)
    lr = np.log1p(RETS)
    assert abs(lw.mean() - 50 * lr.mean()) < 5 * np.sqrt(50 * lr.var() / 4000)
    assert res.terminal_wealth.std() > 0


def test_deterministic_and_ruin_on_total_loss():
    a = mc.resample_trades(RETS, n_paths=20, method="bootstrap", seed=5, keep_paths=True)
    b = mc.resample_trades(RETS, n_paths=20, method="bootstrap", seed=5)
    np.testing.assert_array_equal(a.terminal_wealth, b.terminal_wealth)
    res = mc.resample_trades(np.array([0.1, -1.2, 0.05]), n_paths=10, seed=0)
    assert res.prob_ruin() == 1.0 and (res.terminal_wealth == 0).all()


def test_errors():
    with pytest.raises(ValidationError, match="trades DataFrame has no 'ret' column"):
        mc.resample_trades(pd.DataFrame({"pnl": [1.0]}))
    with pytest.raises(ValidationError, match="trades holds no trades"):
        mc.resample_trades(np.array([]))
    with pytest.raises(ValidationError, match=r"trade returns must be finite; trade 1 has ret=nan"):
        mc.resample_trades(np.array([0.1, np.nan]))
    with pytest.raises(DataTypeError, match="trades must be trade records"):
        mc.resample_trades("trades")
