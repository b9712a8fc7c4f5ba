"""User-facing backtest functions: validate, broadcast, call a kernel, wrap the result."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from quantlab import config
from quantlab._validation import (
    PRICE_MAX,
    PRICE_MIN,
    Labels,
    as_float_panel,
    choice,
    column_param,
)
from quantlab.backtest import _inputs
from quantlab.backtest import _records_kernel as RK
from quantlab.backtest import _shared_cash_kernel as SCK
from quantlab.backtest import _signals_kernel as SK
from quantlab.backtest import _stats as S
from quantlab.backtest import _weights_kernel as WK
from quantlab.backtest._threads import in_threads
from quantlab.backtest.records import order_dt
from quantlab.backtest.result import BacktestResult, SummaryResult, _annualization
from quantlab.errors import AlignmentError, ParameterError, ShapeError, ValidationError

_SIZE_TYPES = {"amount": SK.SIZE_AMOUNT, "value": SK.SIZE_VALUE, "percent": SK.SIZE_PERCENT}
_DIRECTIONS = {"long": SK.DIR_LONG, "short": SK.DIR_SHORT, "both": SK.DIR_BOTH}
_PRICES = {"close": SK.PRICE_CLOSE, "next_open": SK.PRICE_NEXT_OPEN}
_MODES = {"full": "full", "stats": "stats"}


def from_signals(
    close: Any,
    entries: Any,
    exits: Any,
    *,
    short_entries: Any = None,
    short_exits: Any = None,
    direction: Literal["long", "short", "both"] = "long",
    open: Any = None,
    high: Any = None,
    low: Any = None,
    price: Literal["close", "next_open"] = "close",
    size: Any = np.inf,
    size_type: Literal["amount", "value", "percent"] = "amount",
    min_size: Any = 0.0,
    size_granularity: Any = None,
    init_cash: Any = config.DEFAULT_INIT_CASH,
    fees: Any = 0.0,
    fixed_fees: Any = 0.0,
    slippage: Any = 0.0,
    sl_stop: Any = None,
    tp_stop: Any = None,
    sl_trail: Any = False,
    time_stop: Any = None,
    mode: Literal["full", "stats"] = "full",
    periods_per_year: float | None = None,
    returns_by: Any = None,
    group_by: Any = None,
    cash_sharing: bool = False,
    max_positions: Any = None,
    max_weight: Any = None,
) -> BacktestResult | SummaryResult:
    """Simulate entry/exit signals, one account per column or per group of columns.

    Parameters
    ----------
    close : DataFrame, Series or ndarray, shape (n_bars, n_assets)
        Prices; NaN means the asset does not trade on that bar (its value is carried at
        the last valid price). Must be > 0 and finite where not NaN, within
        [1e-50, 1e50] (``PRICE_MIN``, ``PRICE_MAX``: beyond it float64 overflows).
    entries, exits : DataFrame, Series or ndarray of bool, shape (n_bars, n_columns)
        Signals. Columns may be the assets, or a MultiIndex (param levels..., asset):
        each column then trades the asset named by its last level, and ``close`` is
        broadcast onto them without being copied.
    short_entries, short_exits : optional, like ``entries``
        Short-side signals (long/short mode: ``entries``/``exits`` are the long side);
        ``direction`` must then be "both".
    direction : {"long", "short", "both"}
        "long": entries open longs, exits close them. "short": entries open shorts, exits
        cover them. "both" without short signals: entries go long and exits go short
        (always in the market, reversing), vectorbt's convention.
    open, high, low : optional panels like ``close``
        Used by stops (bar range, gaps) and by ``price="next_open"``.
    price : {"close", "next_open"}
        Fill at the signal bar's close, or at the next bar's open (no look-ahead).
    size, size_type : per-column, {"amount", "value", "percent"}
        Units, cash value, or fraction of available cash (free cash for shorts).
        The default ``size=inf`` with "amount" invests all available cash.
    min_size, size_granularity : per-column
        Reject fills smaller than ``min_size`` units; floor sizes to a lot size.
    init_cash : per-column, > 0
    fees, fixed_fees, slippage : per-column, >= 0
        Fraction of traded value, cash per order, adverse fraction of price.
    sl_stop : per-column in (0, 1], optional
        Stop-loss as a fraction of the entry price (NaN/None disables it).
    tp_stop : per-column > 0, optional
        Take-profit as a fraction of the entry price.
    sl_trail : per-column bool
        Make the stop-loss trail the highest high (lowest low for shorts) since entry.
    time_stop : per-column int >= 1, optional
        Exit after this many bars in the position.
    mode : {"full", "stats"}
        "full" returns a :class:`BacktestResult`; "stats" keeps only per-column figures
        (a :class:`SummaryResult`), never materializing ``(n_bars, n_columns)`` floats.
    periods_per_year : float, optional
        Annualization of the running Sharpe/Sortino/volatility; inferred from the index.
    returns_by : column level name(s), optional
        Stats-only mode: also keep, per bar, the mean return of the columns sharing these
        levels (e.g. ``["fast", "slow"]``: one return series per parameter combination,
        an equal-weight average over its assets) as ``SummaryResult.returns``. The
        columns of one group must be contiguous.
    group_by : True, column level name(s), or one label per column, optional
        With ``cash_sharing=True``: the columns of a group trade from one account
        (``init_cash`` is then per group). ``True`` makes one group of every column.
        Within a bar the group's orders execute in ascending order of their value, sales
        first (README "Engine semantics"). The columns of one group must be contiguous.
    cash_sharing : bool
        Must be True with ``group_by`` (a grouping without shared cash is ``returns_by``).
    max_positions : per group int >= 1, optional
        Shared cash: an entry from flat is dropped while this many columns of the group
        hold a position.
    max_weight : per group in (0, inf), optional
        Shared cash: an entry from flat commits at most this fraction of the group's
        value at the bar's start (the entry is sized as that cash value, or less).

    Returns
    -------
    BacktestResult or SummaryResult

    Raises
    ------
    quantlab.errors.ValidationError, AlignmentError, ShapeError, DataTypeError, ParameterError
        On invalid inputs; messages name the argument, the rule and the fix.

    Notes
    -----
    Execution, stops and conflicts are documented in :mod:`quantlab.backtest._signals_kernel`
    and in the README ("Engine semantics"). Same-bar entry and exit of one side cancel.

    Examples
    --------
    >>> import numpy as np, pandas as pd, quantlab as ql
    >>> close = pd.Series([10.0, 11.0, 12.0, 11.0], index=pd.bdate_range("2024-01-01", periods=4))
    >>> res = ql.backtest.from_signals(close, [True, False, False, False],
    ...                                [False, False, True, False], fees=0.0)
    >>> float(res.equity.iloc[-1])
    120.0

    Two assets trading from one account of 100, 50 in cash per entry:

    >>> basket = pd.DataFrame({"A": [10.0, 11, 12, 11], "B": [20.0, 20, 22, 24]},
    ...                       index=close.index)
    >>> ent = pd.DataFrame({"A": [True, False, False, False], "B": [True, False, False, False]},
    ...                    index=close.index)
    >>> ext = pd.DataFrame({"A": [False, False, True, False], "B": [False] * 4},
    ...                    index=close.index)
    >>> res = ql.backtest.from_signals(basket, ent, ext, size=50.0, size_type="value",
    ...                                group_by=True, cash_sharing=True)
    >>> float(res.equity.iloc[-1, 0])  # cash 60 from A's sale + 2.5 B at 24
    120.0
    """
    close_arr, labels = as_float_panel(close, "close", positive=True, bounds=(PRICE_MIN, PRICE_MAX))
    mode = choice(mode, "mode", _MODES)
    st = choice(size_type, "size_type", _SIZE_TYPES)
    dr = choice(direction, "direction", _DIRECTIONS)
    pm = choice(price, "price", _PRICES)
    columns, asset_of_col = _inputs.map_columns(labels, entries, "entries")
    shape = (close_arr.shape[0], len(columns))
    ent = _inputs.signals(entries, "entries", shape, columns)
    ext = _inputs.signals(exits, "exits", shape, columns)
    if (short_entries is None) != (short_exits is None):
        raise ParameterError(
            "short_entries and short_exits must be given together; pass both (use an "
            "all-False panel for the one you do not need)"
        )
    empty_b = np.zeros((0, 0), dtype=bool)
    if short_entries is not None:
        if dr != SK.DIR_BOTH:
            raise ParameterError(
                f"short_entries/short_exits need direction='both'; got direction={direction!r}."
                " Pass direction='both' (entries/exits are then the long side)"
            )
        sent = _inputs.signals(short_entries, "short_entries", shape, columns)
        sext = _inputs.signals(short_exits, "short_exits", shape, columns)
    else:
        sent = sext = empty_b
    o, h, lo = _inputs.ohlc(close_arr, labels, open, high, low)
    if pm == SK.PRICE_NEXT_OPEN and o.shape[0] == 0:
        raise ParameterError(
            "price='next_open' needs the open prices; pass open=<panel like close>"
        )
    n = len(columns)
    grouped = _check_sharing(group_by, cash_sharing, returns_by, max_positions, max_weight)
    if grouped:
        codes, group_labels = _signal_groups(columns, group_by)
        group_start = np.zeros(len(group_labels) + 1, dtype=np.int64)
        group_start[1:] = np.cumsum(np.bincount(codes, minlength=len(group_labels)))
        n_cash, cash_labels = len(group_labels), group_labels
    else:
        n_cash, cash_labels = n, columns
    cash_arr = column_param(
        init_cash, "init_cash", n_cash, low=0.0, low_inclusive=False, columns=cash_labels
    )
    par = SK.SignalParams(
        size=column_param(size, "size", n, low=0.0, low_inclusive=False, columns=columns),
        fees=column_param(fees, "fees", n, low=0.0, columns=columns),
        fixed_fees=column_param(fixed_fees, "fixed_fees", n, low=0.0, columns=columns),
        slippage=column_param(
            slippage, "slippage", n, low=0.0, high=1.0, high_inclusive=False, columns=columns
        ),
        min_size=column_param(min_size, "min_size", n, low=0.0, columns=columns),
        granularity=_optional(size_granularity, "size_granularity", n, columns, low=0.0),
        init_cash=cash_arr,
        sl_stop=_optional(sl_stop, "sl_stop", n, columns, low=0.0, high=1.0),
        tp_stop=_optional(tp_stop, "tp_stop", n, columns, low=0.0),
        sl_trail=np.asarray(
            column_param(sl_trail, "sl_trail", n, columns=columns) != 0.0, dtype=np.float64
        ),
        time_stop=_optional(time_stop, "time_stop", n, columns, low=1.0, inclusive=True),
    )
    if np.isinf(par.init_cash).any():
        raise ParameterError("init_cash must be finite; got inf. Pass a finite amount of cash")
    if st == SK.SIZE_PERCENT and (par.size > 1.0).any():
        raise ParameterError(
            f"size must be in (0, 1] with size_type='percent'; got {par.size.max()!r}. "
            "Pass a fraction of the available cash, e.g. size=0.5"
        )
    if st != SK.SIZE_AMOUNT and np.isinf(par.size).any():
        raise ParameterError(
            f"size=inf is only meaningful with size_type='amount'; got size_type={size_type!r}."
            " Pass a finite size"
        )
    ts = par.time_stop[~np.isnan(par.time_stop)]
    if (ts != np.floor(ts)).any():
        raise ParameterError(
            f"time_stop must be a whole number of bars; got {ts[ts != np.floor(ts)][0]!r}"
        )
    # the kernel walks each column down the bars: column-major arrays keep that
    # contiguous (pandas frames already are, so this rarely copies)
    arr = SK.SignalArrays(
        _t(close_arr),
        _t(o),
        _t(h),
        _t(lo),
        _t(ent),
        _t(ext),
        _t(sent),
        _t(sext),
        asset_of_col,
    )
    record = mode == "full"
    n_bars = close_arr.shape[0]
    if grouped:
        gpar = SCK.GroupParams(
            init_cash=cash_arr,
            max_positions=_optional(
                max_positions, "max_positions", n_cash, cash_labels, low=1.0, inclusive=True
            ),
            max_weight=_optional(max_weight, "max_weight", n_cash, cash_labels, low=0.0),
        )
        mp = gpar.max_positions[~np.isnan(gpar.max_positions)]
        if (mp != np.floor(mp)).any():
            bad = float(mp[mp != np.floor(mp)][0])
            raise ParameterError(
                f"max_positions must be a whole number of positions; got {bad!r}. Pass e.g. 5"
            )
        gpar = gpar._replace(
            max_positions=np.where(np.isnan(gpar.max_positions), np.inf, gpar.max_positions)
        )
        return _shared_cash(
            arr, par, gpar, st, dr, pm, group_start, group_labels, record, labels,
            periods_per_year, close_arr, columns,
        )  # fmt: skip

    def simulate(offsets: np.ndarray, orders: np.ndarray) -> np.ndarray:
        counts = np.zeros(n, dtype=np.int64)
        in_threads(
            lambda lo, hi: SK.simulate_signals(
                arr, par, st, dr, pm, offsets, orders, record, raw, counts, lo, hi
            ),
            n,
            n * n_bars,
        )
        return counts

    if record:
        capacity = np.zeros(n + 1, dtype=np.int64)
        in_threads(lambda lo, hi: SK.count_capacity(arr, capacity, lo, hi), n, n * n_bars)
        offsets = np.cumsum(capacity)
        orders = np.empty(int(offsets[-1]), dtype=order_dt)
    else:
        offsets = np.zeros(n + 1, dtype=np.int64)
        orders = np.empty(0, dtype=order_dt)
    raw = np.empty((n, S.N_STATS))
    if returns_by is not None:
        if record:
            raise ParameterError(
                "returns_by is only used with mode='stats' (the full mode keeps every "
                "column's returns); pass mode='stats' or drop returns_by"
            )
        codes, group_labels = _level_groups(columns, returns_by, "returns_by")
        group_start = np.zeros(len(group_labels) + 1, dtype=np.int64)
        group_start[1:] = np.cumsum(np.bincount(codes, minlength=len(group_labels)))
        rets_t = np.empty((len(group_labels), close_arr.shape[0]))
        n_groups = len(group_labels)
        in_threads(
            lambda lo, hi: SK.simulate_signals_grouped(
                arr, par, st, dr, pm, group_start, orders, raw, rets_t, lo, hi
            ),
            n_groups,
            n * n_bars,
        )
        _check_finite(raw, columns, "column")
        rets = rets_t.T
        ppy = _annualization(labels.index, periods_per_year)
        vals = S.finalize(raw, np.broadcast_to(par.init_cash, (n,)), ppy or 1.0)
        table = pd.DataFrame(vals, index=columns, columns=list(S.STAT_NAMES))
        return SummaryResult(
            table, ppy, pd.DataFrame(rets, index=labels.index, columns=group_labels)
        )
    counts = simulate(offsets, orders)
    if record and (counts > np.diff(offsets)).any():
        # Partial fills (lots, short covers the cash cannot pay) can exit over several
        # bars; give every column room for two orders a bar and simulate again.
        offsets = np.arange(n + 1, dtype=np.int64) * (2 * close_arr.shape[0] + 2)
        orders = np.empty(int(offsets[-1]), dtype=order_dt)
        counts = simulate(offsets, orders)
    # the full mode does no per-bar accounting in the kernel: check what it did book
    _check_finite(raw, columns, "column", None if not record else _ORDER_STATS)
    init_cash_cols = np.broadcast_to(par.init_cash, (n,)).astype(np.float64)
    squeeze = labels.was_series and not isinstance(entries, pd.DataFrame) and n == 1
    if not record:
        ppy = _annualization(labels.index, periods_per_year)
        vals = S.finalize(raw, init_cash_cols, ppy if ppy is not None else 1.0)
        return SummaryResult(pd.DataFrame(vals, index=columns, columns=list(S.STAT_NAMES)), ppy)
    compact = _compact(orders, offsets, counts)
    group_start = np.arange(n + 1, dtype=np.int64)
    _check_orders_finite(
        compact, close_arr, asset_of_col, group_start, init_cash_cols, columns, "column"
    )
    return BacktestResult(
        index=labels.index,
        columns=columns,
        group_labels=columns,
        close=close_arr,
        asset_of_col=asset_of_col,
        group_start=group_start,
        init_cash=init_cash_cols,
        orders=compact,
        raw_stats=raw,
        periods_per_year=periods_per_year,
        squeeze=squeeze,
    )


#: Running figures that stay finite whenever the equity did at every bar (a transient
#: +inf shows in the peak, a -inf in the drawdown, NaN in the final value or the sums).
_FINITE_STATS = [
    S.FINAL_VALUE,
    S.PEAK,
    S.MAX_DRAWDOWN,
    S.S1,
    S.S2,
    S.DOWNSIDE_SUMSQ,
    S.TOTAL_FEES,
    S.GROSS_PROFIT,
    S.GROSS_LOSS,
]


#: The figures the full mode books at orders (cash flows, fees, trade PnL).
_ORDER_STATS = [S.TOTAL_FEES, S.GROSS_PROFIT, S.GROSS_LOSS]


def _check_finite(
    raw: np.ndarray, labels: pd.Index, what: str, fields: list[int] | None = None
) -> None:
    """Raise instead of returning an equity that overflowed float64 (inf, then NaN).

    Prices are bounded up front, but compounding (round trips from 1e-50 to 1e50, an
    init_cash near 1e300) can still exceed float64; the engine then refuses the result.
    """
    ok = np.isfinite(raw[:, _FINITE_STATS if fields is None else fields]).all(axis=1)
    _refuse_overflow(ok, labels, what)


def _check_orders_finite(
    orders: np.ndarray,
    close: np.ndarray,
    asset_of_col: np.ndarray,
    group_start: np.ndarray,
    init_cash: np.ndarray,
    labels: pd.Index,
    what: str,
) -> None:
    """Full mode: refuse orders from which the equity panel would overflow float64.

    The full mode keeps only order records (cash, positions and equity are rebuilt from
    them on demand), so the bound comes from them: ``|cash| <= |init_cash| + sum(|size x
    price| + fees)`` and ``|holding| <= sum(|size|) x the asset's highest price``. Every
    value the result rebuilds is below that bound, so a finite bound means finite equity.
    """
    if not len(orders):
        return
    n_groups = len(group_start) - 1
    group_of_col = np.repeat(np.arange(n_groups), np.diff(group_start))
    col = orders["col"].astype(np.int64)
    n_cols = len(asset_of_col)
    with np.errstate(over="ignore", invalid="ignore"):
        # per-column sums with bincount (orders are many; np.add.at is slow)
        flows = np.bincount(
            col,
            weights=np.abs(orders["size"] * orders["price"]) + np.abs(orders["fees"]),
            minlength=n_cols,
        )
        units = np.bincount(col, weights=np.abs(orders["size"]), minlength=n_cols)
        high = np.nan_to_num(np.fmax.reduce(np.abs(close), axis=0), nan=0.0)
        per_col = flows + units * high[asset_of_col]
        bound = np.abs(init_cash).astype(np.float64) + np.bincount(
            group_of_col, weights=per_col, minlength=n_groups
        )
    _refuse_overflow(np.isfinite(bound), labels, what)


def _refuse_overflow(ok: np.ndarray, labels: pd.Index, what: str) -> None:
    """Raise naming the first ``what`` (column / portfolio) whose ``ok`` is False."""
    bad = ~ok
    if bad.any():
        j = int(np.argmax(bad))
        raise ValidationError(
            f"the backtest overflowed float64 in {what} {labels[j]!r} (its equity or cash "
            f"reached inf/NaN; {int(bad.sum())} of {len(bad)} {what}s affected): the prices "
            "span too many orders of magnitude for init_cash. Rescale close or lower init_cash"
        )


def _check_sharing(
    group_by: Any, cash_sharing: bool, returns_by: Any, max_positions: Any, max_weight: Any
) -> bool:
    """Whether the columns are grouped into shared-cash accounts; refuse loose combinations."""
    if group_by is None or group_by is False:
        if cash_sharing:
            raise ParameterError(
                "cash_sharing=True needs group_by (which columns share an account); pass "
                "group_by=True for one account, or a column level name"
            )
        if max_positions is not None or max_weight is not None:
            raise ParameterError(
                "max_positions / max_weight limit a shared-cash group; pass group_by=... "
                "and cash_sharing=True, or drop them"
            )
        return False
    if not cash_sharing:
        raise ParameterError(
            f"group_by={group_by!r} without cash_sharing=True is not supported; pass "
            "cash_sharing=True (one account per group), or returns_by= with mode='stats' for "
            "per-group returns of independent accounts"
        )
    if returns_by is not None:
        raise ParameterError(
            "returns_by and group_by exclude each other; a shared-cash group already has one "
            "return series (its equity). Drop returns_by"
        )
    return True


def _signal_groups(columns: pd.Index, group_by: Any) -> tuple[np.ndarray, pd.Index]:
    """Group codes per column (contiguous groups) and the group labels."""
    if group_by is True:
        return np.zeros(len(columns), dtype=np.int64), pd.Index(["group"])
    if isinstance(group_by, (str, int, tuple)) or (
        isinstance(group_by, list) and all(isinstance(v, (str, int)) for v in group_by)
        and isinstance(columns, pd.MultiIndex)
        and all(v in columns.names for v in group_by)
    ):  # fmt: skip
        return _level_groups(columns, group_by, "group_by")
    keys = np.asarray(group_by, dtype=object)
    if keys.ndim != 1 or len(keys) != len(columns):
        raise ShapeError(
            f"group_by must be True, column level name(s) or one label per column; got "
            f"{len(keys) if keys.ndim == 1 else keys.shape} labels for {len(columns)} columns"
        )
    codes, uniques = pd.factorize(pd.Index(keys), sort=False)
    if (np.diff(codes) < 0).any():
        raise AlignmentError(
            "the columns of one group_by group are not contiguous; order the columns so "
            "that each group's columns are adjacent"
        )
    return codes.astype(np.int64), pd.Index(uniques, name="group")


def _shared_cash(
    arr: SK.SignalArrays,
    par: SK.SignalParams,
    gpar: SCK.GroupParams,
    st: int,
    dr: int,
    pm: int,
    group_start: np.ndarray,
    group_labels: pd.Index,
    record: bool,
    labels: Labels,
    periods_per_year: float | None,
    close_arr: np.ndarray,
    columns: pd.Index,
) -> BacktestResult | SummaryResult:
    """from_signals with one account per group of columns (the shared-cash kernel)."""
    n = len(columns)
    n_groups = len(group_labels)
    n_bars = close_arr.shape[0]
    raw = np.empty((n_groups, S.N_STATS))

    def simulate(offsets: np.ndarray, orders: np.ndarray) -> np.ndarray:
        counts = np.zeros(n, dtype=np.int64)
        in_threads(
            lambda lo, hi: SCK.simulate_shared_cash(
                arr, par, gpar, st, dr, pm, group_start, offsets, orders, record, raw,
                counts, lo, hi,
            ),
            n_groups,
            n * n_bars,
        )  # fmt: skip
        return counts

    if record:
        capacity = np.zeros(n + 1, dtype=np.int64)
        in_threads(lambda lo, hi: SK.count_capacity(arr, capacity, lo, hi), n, n * n_bars)
        offsets = np.cumsum(capacity)
    else:
        offsets = np.zeros(n + 1, dtype=np.int64)
    orders = np.empty(int(offsets[-1]), dtype=order_dt)
    counts = simulate(offsets, orders)
    if record and (counts > np.diff(offsets)).any():
        offsets = np.arange(n + 1, dtype=np.int64) * (2 * n_bars + 2)
        orders = np.empty(int(offsets[-1]), dtype=order_dt)
        counts = simulate(offsets, orders)
    init_cash_g = np.broadcast_to(gpar.init_cash, (n_groups,)).astype(np.float64)
    if not record:
        _check_finite(raw, group_labels, "group")
        ppy = _annualization(labels.index, periods_per_year)
        vals = S.finalize(raw, init_cash_g, ppy if ppy is not None else 1.0)
        return SummaryResult(
            pd.DataFrame(vals, index=group_labels, columns=list(S.STAT_NAMES)), ppy
        )
    _check_finite(raw, group_labels, "group", _ORDER_STATS)
    compact = _compact(orders, offsets, counts)
    _check_orders_finite(
        compact, close_arr, arr.asset_of_col, group_start, init_cash_g, group_labels, "group"
    )
    return BacktestResult(
        index=labels.index,
        columns=columns,
        group_labels=group_labels,
        close=close_arr,
        asset_of_col=arr.asset_of_col,
        group_start=group_start,
        init_cash=init_cash_g,
        orders=compact,
        raw_stats=raw,
        periods_per_year=periods_per_year,
        squeeze=False,
    )


def _t(a: np.ndarray) -> np.ndarray:
    """``(n_bars, n)`` -> C-contiguous ``(n, n_bars)`` (free for column-major input)."""
    return np.ascontiguousarray(a.T)


def _level_groups(columns: pd.Index, levels: Any, name: str) -> tuple[np.ndarray, pd.Index]:
    """Contiguous groups of columns sharing the values of ``levels``."""
    names = [levels] if isinstance(levels, (str, int)) else list(levels)
    if not isinstance(columns, pd.MultiIndex):
        raise ParameterError(
            f"{name} needs MultiIndex columns (param levels..., asset); got a flat index. "
            "Pass signals with parameter levels"
        )
    missing = [v for v in names if v not in columns.names]
    if missing:
        raise ParameterError(
            f"{name} names unknown column levels {missing}; the levels are {columns.names}"
        )
    keys = columns.droplevel([lv for lv in columns.names if lv not in names])
    codes, uniques = pd.factorize(keys, sort=False)
    if (np.diff(codes) < 0).any():
        raise AlignmentError(
            f"the columns of one {name} group are not contiguous; sort the columns by "
            f"{names} first (e.g. entries.sort_index(axis=1))"
        )
    return codes.astype(np.int64), pd.Index(uniques, name=names[0] if len(names) == 1 else None)


def _optional(
    value: Any,
    name: str,
    n: int,
    columns: pd.Index,
    low: float | None = None,
    high: float | None = None,
    inclusive: bool = False,
) -> np.ndarray:
    if value is None:
        return np.full(1, np.nan)
    return column_param(
        value,
        name,
        n,
        low=low,
        high=high,
        low_inclusive=inclusive,
        allow_nan=True,
        columns=columns,
    )


def _compact(orders: np.ndarray, offsets: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Gather each column's written orders into one contiguous, column-sorted array."""
    out = np.empty(int(counts.sum()), dtype=order_dt)
    RK.compact_orders(orders, offsets, counts, out)
    return out


# ---------------------------------------------------------------------------- weights


def from_weights(
    close: Any,
    weights: Any,
    *,
    rebalance: str | int | None = None,
    open: Any = None,
    price: Literal["close", "next_open"] = "close",
    init_cash: Any = config.DEFAULT_INIT_CASH,
    fees: Any = 0.0,
    fixed_fees: Any = 0.0,
    slippage: Any = 0.0,
    max_leverage: Any = None,
    min_trade: Any = 0.0,
    size_granularity: Any = None,
    mode: Literal["full", "stats"] = "full",
    periods_per_year: float | None = None,
    keep_returns: bool = False,
) -> BacktestResult | SummaryResult:
    """Rebalance portfolios to target weights, each portfolio sharing one cash account.

    Parameters
    ----------
    close : DataFrame, shape (n_bars, n_assets)
        Prices (NaN = no trading on that bar).
    weights : DataFrame (n_bars, n_columns), Series / dict / 1-D array (n_assets,)
        Target fraction of portfolio value per asset; negative = short. A panel's row of
        NaN does not rebalance; a NaN inside a row leaves that asset unchanged. Columns
        may be a MultiIndex (param levels..., asset): one portfolio per parameter
        combination (its columns must be contiguous). Constant weights rebalance at
        ``rebalance`` (and at the first bar).
    rebalance : None, pandas offset alias ("W-FRI", "ME", "QE"...) or int N
        None: a panel rebalances on every row that is not all NaN; constant weights are
        bought once at the first bar (buy and hold). A calendar alias rebalances at the
        first bar and at the last bar of each period present in the index; an int every
        N bars starting at the first.
    price : {"close", "next_open"}
        Execute at the decision bar's close, or at the next bar's open.
    init_cash, fees, fixed_fees, slippage, max_leverage, min_trade : per portfolio
        ``max_leverage`` caps ``sum(|w|)`` by scaling the targets down; ``min_trade`` skips
        trades smaller in value.
    mode : {"full", "stats"}
    periods_per_year : float, optional
    keep_returns : bool
        Stats-only mode: also keep each portfolio's bar returns (``SummaryResult.returns``,
        ``(n_bars, n_portfolios)``).

    Returns
    -------
    BacktestResult or SummaryResult

    Examples
    --------
    >>> import pandas as pd, quantlab as ql
    >>> idx = pd.bdate_range("2024-01-01", periods=3)
    >>> close = pd.DataFrame({"A": [10.0, 11.0, 12.0], "B": [20.0, 20.0, 22.0]}, index=idx)
    >>> res = ql.backtest.from_weights(close, {"A": 0.5, "B": 0.5})
    >>> round(float(res.equity.iloc[-1]), 6)
    115.0
    """
    close_arr, labels = as_float_panel(close, "close", positive=True, bounds=(PRICE_MIN, PRICE_MAX))
    mode = choice(mode, "mode", _MODES)
    pm = choice(price, "price", _PRICES)
    n_bars = close_arr.shape[0]
    w_arr, columns, asset_of_col, constant = _weights_panel(weights, labels)
    group_codes, group_labels = _groups(columns)
    n_groups = len(group_labels)
    group_start = np.zeros(n_groups + 1, dtype=np.int64)
    group_start[1:] = np.cumsum(np.bincount(group_codes, minlength=n_groups))
    decision = _rebalance_bars(rebalance, labels.index, n_bars, constant)
    row_of_bar = np.full(n_bars, -1, dtype=np.int64)
    rows = np.zeros(n_bars, dtype=np.int64) if constant else np.arange(n_bars, dtype=np.int64)
    if pm == SK.PRICE_NEXT_OPEN:
        if open is None:
            raise ParameterError(
                "price='next_open' needs the open prices; pass open=<panel like close>"
            )
        o, _, _ = _inputs.ohlc(close_arr, labels, open, None, None)
        row_of_bar[1:][decision[:-1]] = rows[:-1][decision[:-1]]
        exec_price = o
    else:
        row_of_bar[decision] = rows[decision]
        exec_price = close_arr
    gl = group_labels
    par = WK.WeightParams(
        fees=column_param(fees, "fees", n_groups, low=0.0, columns=gl),
        fixed_fees=column_param(fixed_fees, "fixed_fees", n_groups, low=0.0, columns=gl),
        slippage=column_param(
            slippage, "slippage", n_groups, low=0.0, high=1.0, high_inclusive=False, columns=gl
        ),
        init_cash=column_param(
            init_cash, "init_cash", n_groups, low=0.0, low_inclusive=False, columns=gl
        ),
        max_leverage=_optional(max_leverage, "max_leverage", n_groups, gl, low=0.0),
        min_trade=column_param(min_trade, "min_trade", n_groups, low=0.0, columns=gl),
        granularity=_optional(size_granularity, "size_granularity", n_groups, gl, low=0.0),
    )
    n_cols = len(columns)
    close_ffill = np.ascontiguousarray(RK.ffill_columns_serial(close_arr))
    high = np.nan_to_num(np.fmax.reduce(np.abs(close_arr), axis=0), nan=0.0)
    record = mode == "full"
    raw = np.empty((n_groups, S.N_STATS))
    col_offset = np.zeros(n_cols + 1, dtype=np.int64)
    if record:
        active: list[np.ndarray] = []  # per column range: the bars giving its columns a weight
        in_threads(
            lambda lo, hi: active.append(WK.order_capacity(w_arr, row_of_bar, col_offset, lo, hi)),
            n_cols,
            n_cols * n_bars,
        )
        np.cumsum(col_offset, out=col_offset)
        row_of_bar[~np.logical_or.reduce(active)] = -1  # all-NaN rows: no rebalance
    orders = np.empty(int(col_offset[-1]), dtype=order_dt)
    keep = keep_returns and not record
    rets = np.zeros((n_bars, n_groups)) if keep else np.zeros((0, 0))
    counts = np.zeros(n_cols, dtype=np.int64)
    bound = np.zeros(n_groups)
    reb_bar = np.flatnonzero(row_of_bar >= 0)
    trade_price = np.ascontiguousarray(exec_price[reb_bar])
    before = close_ffill[np.maximum(reb_bar - 1, 0)]  # last valid close before the bar
    before[reb_bar == 0] = np.nan
    arr = WK.WeightArrays(
        close=close_ffill,
        weights=w_arr,
        reb_bar=reb_bar,
        reb_row=row_of_bar[reb_bar],
        trade_price=trade_price,
        value_price=np.where(np.isnan(trade_price), before, trade_price),
        asset_of_col=asset_of_col,
        group_start=group_start,
        high=high,
    )
    in_threads(
        lambda lo, hi: WK.simulate_weights(
            arr, par, col_offset, orders, record, raw, rets, counts, bound, lo, hi
        ),
        n_groups,
        n_groups * n_bars * max(1, n_cols // max(n_groups, 1)),
    )
    init_cash_g = np.broadcast_to(par.init_cash, (n_groups,)).astype(np.float64)
    if not record:
        _check_finite(raw, gl, "portfolio")
        ppy = _annualization(labels.index, periods_per_year)
        vals = S.finalize(raw, init_cash_g, ppy if ppy is not None else 1.0)
        table = pd.DataFrame(vals, index=gl, columns=list(S.STAT_NAMES))
        returns = pd.DataFrame(rets, index=labels.index, columns=gl) if keep else None
        return SummaryResult(table, ppy, returns)
    # the full mode does no per-bar accounting in the kernel: check what it did book
    _check_finite(raw, gl, "portfolio", _ORDER_STATS)
    # the kernel's |init_cash| + sum(|size x price| + fees) + sum(|size|) x the highest
    # price per portfolio: finite means the equity panel is too (_check_orders_finite)
    _refuse_overflow(np.isfinite(bound), gl, "portfolio")
    n_orders = RK.close_gaps(orders, col_offset, counts)
    if n_orders < len(orders) // 2:  # mostly skipped trades: do not keep the spare room
        orders = orders[:n_orders].copy()
    col_start = np.zeros(n_cols + 1, dtype=np.int64)
    np.cumsum(counts, out=col_start[1:])
    return BacktestResult(
        index=labels.index,
        columns=columns,
        group_labels=gl,
        close=close_arr,
        asset_of_col=asset_of_col,
        group_start=group_start,
        init_cash=init_cash_g,
        orders=orders[:n_orders],
        raw_stats=raw,
        periods_per_year=periods_per_year,
        squeeze=n_groups == 1 and not isinstance(columns, pd.MultiIndex),
        col_start=col_start,
    )


def _weights_panel(weights: Any, labels: Labels) -> tuple[np.ndarray, pd.Index, np.ndarray, bool]:
    """Weights as C-contiguous ``(n_cols, n_rows)`` float64 (each column contiguous, the
    kernel's layout), their columns, asset map, constant flag."""
    if isinstance(weights, dict):
        weights = pd.Series(weights, dtype=float)
    if isinstance(weights, pd.Series) or (
        isinstance(weights, (list, tuple, np.ndarray)) and np.ndim(weights) == 1
    ):
        if not isinstance(weights, pd.Series) and len(weights) != len(labels.columns):
            raise ShapeError(
                f"weights has {len(weights)} entries but close has {len(labels.columns)} "
                "columns; pass one weight per asset (or a Series/dict keyed by asset)"
            )
        ser = (
            weights
            if isinstance(weights, pd.Series)
            else pd.Series(np.asarray(weights, dtype=float), index=labels.columns)
        )
        frame = pd.DataFrame([ser.to_numpy(dtype=float)], columns=ser.index)
        columns, asset_of_col = _weight_columns(frame.columns, labels)
        w = frame.to_numpy(dtype=np.float64)
        _check_weight_values(w)
        return np.ascontiguousarray(w.T), columns, asset_of_col, True
    columns_, asset_of_col = _inputs.map_columns(labels, weights, "weights")
    # column-major, as pandas holds a frame: no copy (as_float_panel rejects inf)
    w, _ = as_float_panel(weights, "weights", allow_nan=True, order="F")
    if w.shape[0] != len(labels.index):
        raise ShapeError(
            f"weights has {w.shape[0]} rows but close has {len(labels.index)}; pass one row "
            "per bar (all-NaN rows mean no rebalance)"
        )
    return np.ascontiguousarray(w.T), columns_, asset_of_col, False


def _weight_columns(cols: pd.Index, labels: Labels) -> tuple[pd.Index, np.ndarray]:
    last = cols.get_level_values(-1) if isinstance(cols, pd.MultiIndex) else cols
    idx = labels.columns.get_indexer(last)
    if (idx < 0).any():
        bad = list(np.asarray(last, dtype=object)[idx < 0])
        raise AlignmentError(
            f"weights name assets that are not columns of close: {bad[:5]}; use the labels "
            f"of close ({list(labels.columns[:5])}...)"
        )
    return cols, idx.astype(np.int64)


def _check_weight_values(w: np.ndarray) -> None:
    if np.isinf(w).any():
        raise ValidationError("weights hold infinite values; pass finite weights (NaN = keep)")


def _groups(columns: pd.Index) -> tuple[np.ndarray, pd.Index]:
    if not isinstance(columns, pd.MultiIndex) or columns.nlevels < 2:
        return np.zeros(len(columns), dtype=np.int64), pd.Index(["portfolio"])
    outer = columns.droplevel(-1)
    codes, uniques = pd.factorize(outer, sort=False)
    if (np.diff(codes) < 0).any():
        raise AlignmentError(
            "weights columns of one parameter combination are not contiguous; pass "
            "weights.sort_index(axis=1) or build the panel group by group"
        )
    if isinstance(uniques, pd.MultiIndex) or isinstance(outer, pd.MultiIndex):
        group_labels = pd.MultiIndex.from_tuples(list(uniques), names=outer.names)
    else:
        group_labels = pd.Index(uniques, name=outer.name)
    return codes.astype(np.int64), group_labels


def _rebalance_bars(
    rebalance: str | int | None, index: pd.Index, n_bars: int, constant: bool
) -> np.ndarray:
    mask = np.zeros(n_bars, dtype=bool)
    if rebalance is None:
        if constant:
            mask[0] = True
        else:
            mask[:] = True
        return mask
    if isinstance(rebalance, (int, np.integer)) and not isinstance(rebalance, bool):
        if rebalance < 1:
            raise ParameterError(
                f"rebalance must be a positive number of bars; got {rebalance}. Pass e.g. 21"
            )
        mask[:: int(rebalance)] = True
        return mask
    if isinstance(rebalance, str):
        if not isinstance(index, pd.DatetimeIndex):
            raise ParameterError(
                f"rebalance={rebalance!r} needs a DatetimeIndex on close; got "
                f"{type(index).__name__}. Pass an int (every N bars) instead"
            )
        try:
            last = pd.Series(np.arange(n_bars), index=index).resample(rebalance).last()
        except (ValueError, TypeError) as exc:
            raise ParameterError(
                f"rebalance={rebalance!r} is not a pandas offset alias ({exc}); pass e.g. "
                "'W-FRI', 'ME', 'QE' or an int"
            ) from None
        pos = last.dropna().to_numpy(dtype=np.int64)
        mask[pos] = True
        mask[0] = True
        return mask
    raise ParameterError(
        f"rebalance must be None, a pandas offset alias or an int; got {rebalance!r}"
    )
