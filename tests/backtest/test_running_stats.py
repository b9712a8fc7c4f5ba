"""The running figures of the stats mode (quantlab.backtest._stats), piece by piece.

``flat_bars`` is the closed form the signal kernel uses for a flat stretch; it must give
bit for bit what the same number of ``bar`` calls give, whatever the state it starts from.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from quantlab.backtest import _stats as S

finite = st.floats(min_value=1.0, max_value=1e6, allow_nan=False)


@st.composite
def states(draw: st.DrawFn) -> tuple[S.Running, float, int]:
    """A state reached by ``bar`` on a random equity path, its last value and bar."""
    values = draw(st.lists(finite, min_size=0, max_size=12))
    init = draw(finite)
    run = S.running_init(init)
    prev = init
    for i, v in enumerate(values):
        r = S.bar_return(v, prev)
        run = S.bar(i, v, r, draw(st.booleans()), run)
        prev = v
    return run, prev, len(values)


@settings(max_examples=200, deadline=None)
@given(states(), st.integers(min_value=1, max_value=40))
def test_flat_bars_equal_that_many_bars(state: tuple[S.Running, float, int], k: int) -> None:
    run, value, i0 = state
    want = run
    for i in range(i0, i0 + k):
        want = S.bar(i, value, S.bar_return(value, value), False, want)
    got = S.flat_bars(run, value, i0, i0 + k)
    assert tuple(got) == tuple(want)  # exact: the stats mode must not drift from full mode


def test_drawdown_is_closed_at_the_next_high_and_at_the_end() -> None:
    raw = np.empty((1, S.N_STATS))
    values = [100.0, 90.0, 80.0, 120.0, 60.0, 70.0]  # drawdowns -20% (closed), -50% (open)
    run, prev = S.running_init(100.0), 100.0
    for i, v in enumerate(values):
        run = S.bar(i, v, S.bar_return(v, prev), True, run)
        prev = v
    assert run.max_dd == 80.0 / 100.0 - 1.0  # only the closed drawdown so far
    S.store(raw[0], len(values), prev, run)
    assert raw[0, S.MAX_DRAWDOWN] == 60.0 / 120.0 - 1.0  # the open one counts at the end
    assert raw[0, S.MAX_DD_DURATION] == 2.0 and raw[0, S.PEAK] == 120.0
