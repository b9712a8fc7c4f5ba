"""``event_study``: abnormal returns around events, CAR/BHAR/CAAR and their tests, by group.

The event clock places day 0 on the first bar at or after ``available_at`` (``clock=
"disclosure"``, the first bar on which the trade is known) or ``transaction_date``
(``clock="transaction"``); :func:`lag_cost` runs both and compares them. The normal-return
model is fitted by OLS on ``estimation`` bars that end ``gap`` bars before the event window
``[a, b]``: the market model (default market: the equal-weight average of the panel's
returns on each bar), a factor model on the user's factor returns, or the market-adjusted
model (``AR = R - R_m``). See :mod:`quantlab.events.abnormal` for the rules on dropped
events and NaN prices, :mod:`quantlab.events._kernels` for the kernel's design and
:mod:`quantlab.events.significance` for the statistics' formulas.

Cumulative sums count a bar without an abnormal return as zero (its move lands on the next
valid bar); ``car`` is NaN for an event with no valid bar in the window.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from quantlab.errors import ParameterError, ValidationError
from quantlab.events import significance as sig
from quantlab.events._kernels import (
    MARKET_ADJUSTED,
    gather_returns,
    rank_moments,
    residual_moments,
    window_sums,
)
from quantlab.events.abnormal import Prepared, StudyReport, check_window, prepare

__all__ = ["EventStudy", "event_study", "LagCost", "lag_cost", "LAG_BUCKETS"]

#: Bucket edges (calendar days, right-closed) of the derived ``"lag_bucket"`` group.
LAG_BUCKETS: tuple[float, ...] = (-np.inf, 15, 30, 45, 90, np.inf)
_LAG_LABELS = ["<=15", "16-30", "31-45", "46-90", ">90"]
STATISTICS: tuple[str, ...] = (
    "t_cross_section",
    "patell",
    "bmp",
    "kolari_pynnonen",
    "corrado",
    "generalized_sign",
    "bootstrap",
)


class EventStudy:
    """The result of :func:`event_study`.

    Attributes
    ----------
    events : pandas.DataFrame
        The events used (rows of the input table, original index) with their ``day0`` bar.
    ar : pandas.DataFrame
        Abnormal returns, ``(n_events, b - a + 1)``: one row per event, one column per
        relative day.
    params : pandas.DataFrame
        Per event: ``alpha``, one ``beta_<regressor>`` per regressor, ``sigma``, ``n_est``.
    report : StudyReport
        Dropped events with reasons, absent symbols, events with NaN bars.
    window, clock, model : the study's settings.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import quantlab as ql
    >>> rng = np.random.default_rng(3)
    >>> idx = pd.bdate_range("2021-01-01", periods=300)
    >>> prices = pd.DataFrame(
    ...     100 * np.exp(np.cumsum(rng.normal(0, 0.01, (300, 3)), axis=0)),
    ...     index=idx, columns=["A", "B", "C"])
    >>> events = pd.DataFrame({"symbol": ["A", "B", "C", "A"], "side": [1, 1, -1, -1],
    ...     "available_at": idx[[150, 160, 170, 250]]})
    >>> es = ql.events.event_study(events, prices, estimation=100, window=(-2, 10))
    >>> es.car(0, 5).shape, es.bhar(0, 5).name
    ((4,), 'bhar')
    >>> list(es.caar(0, 3).columns)
    ['aar', 'caar', 'se', 'lower', 'upper', 'n']
    >>> table = es.by("side", 0, 5, n_boot=99)
    >>> table.groupby("side")["n"].first().to_dict()
    {-1: 2, 1: 2}
    """

    def __init__(self, prepared: Prepared, *, clock: str, model: str, group_by: Any) -> None:
        self._p = prepared
        self.events: pd.DataFrame = prepared.events
        self.report: StudyReport = prepared.report
        self.window: tuple[int, int] = (prepared.inputs.start, prepared.inputs.stop)
        self.clock = clock
        self.model = model
        self.group_by = group_by

    def __repr__(self) -> str:
        a, b = self.window
        return (
            f"EventStudy(model={self.model!r}, clock={self.clock!r}, window=({a}, {b}), "
            f"n_events={len(self.events)} of {self.report.n_events})"
        )

    @cached_property
    def ar(self) -> pd.DataFrame:
        a, b = self.window
        cols = pd.RangeIndex(a, b + 1, name="day")
        return pd.DataFrame(self._p.outputs.ar, index=self.events.index, columns=cols)

    @cached_property
    def params(self) -> pd.DataFrame:
        out = self._p.outputs
        data = {"alpha": out.coef[:, 0]}
        for i, name in enumerate(self._p.regressor_names):
            data[f"beta_{name}"] = out.coef[:, i + 1]
        data["sigma"] = out.sigma
        frame = pd.DataFrame(data, index=self.events.index)
        frame["n_est"] = out.n_est
        return frame

    # -- windows ------------------------------------------------------------------------
    def _slice(self, a: int | None, b: int | None) -> tuple[int, int, slice]:
        lo, hi = self.window
        a = lo if a is None else a
        b = hi if b is None else b
        a, b = check_window((a, b), "(a, b)")
        if a < lo or b > hi:
            raise ParameterError(
                f"(a, b) must lie inside the study's window ({lo}, {hi}); got ({a}, {b}). "
                "Run event_study with a wider window="
            )
        return a, b, slice(a - lo, b - lo + 1)

    def car(self, a: int | None = None, b: int | None = None) -> pd.Series:
        """Cumulative abnormal return of each event over days ``[a, b]`` (default: window)."""
        _, _, sl = self._slice(a, b)
        out = self._p.outputs
        if sl.start == 0 and sl.stop == out.ar.shape[1]:  # the whole window: kernel's sums
            car = out.car
        else:
            car = window_sums(out.ar, sl.start, sl.stop)
        return pd.Series(car, index=self.events.index, name="car")

    def bhar(self, a: int | None = None, b: int | None = None) -> pd.Series:
        """Buy-and-hold abnormal return ``prod(1 + R) - prod(1 + E[R])`` over ``[a, b]``.

        ``E[R] = R - AR`` is the normal return of the model; bars without an abnormal
        return are left out of both products.
        """
        a, b, sl = self._slice(a, b)
        ar = self._p.outputs.ar[:, sl]
        inp = self._p.inputs
        ret = gather_returns(inp.prices, inp.asset, inp.day0, a, b)
        valid = ~np.isnan(ar)
        gross = np.where(valid, 1.0 + ret, 1.0).prod(axis=1)
        normal = np.where(valid, 1.0 + ret - ar, 1.0).prod(axis=1)
        out = np.where(valid.any(axis=1), gross - normal, np.nan)
        return pd.Series(out, index=self.events.index, name="bhar")

    def caar(
        self, a: int | None = None, b: int | None = None, *, level: float = 0.95
    ) -> pd.DataFrame:
        """Average abnormal return and CAAR from day ``a`` to each day, with a band.

        The band is ``CAAR +- z * sd_i(CAR_i(a, t)) / sqrt(N)`` (cross-sectional standard
        error, normal quantile ``z`` of ``level``).
        """
        return _caar_frame(self._p.outputs.ar, np.arange(len(self.events)), self, a, b, level)

    # -- tests --------------------------------------------------------------------------
    def tests(
        self,
        a: int | None = None,
        b: int | None = None,
        *,
        n_boot: int = 999,
        level: float = 0.95,
        seed: int | None = 0,
    ) -> pd.DataFrame:
        """Every test of ``CAAR(a, b) = 0``: one row per statistic (a tidy table).

        Columns: ``n``, ``caar``, ``statistic``, ``value``, ``p_value``, ``ci_low``,
        ``ci_high`` (the bootstrap row's percentile interval of the CAAR at ``level``).
        """
        rng = np.random.default_rng(seed)
        rows = self._test_rows(np.arange(len(self.events)), a, b, n_boot, level, rng)
        return pd.DataFrame(rows)

    def by(
        self,
        group: Any = None,
        a: int | None = None,
        b: int | None = None,
        *,
        n_boot: int = 999,
        level: float = 0.95,
        seed: int | None = 0,
    ) -> pd.DataFrame:
        """:meth:`tests` for each group of events: group column(s) first, then the same.

        ``group``: a column of the event table, a list of columns, an array/Series aligned
        with the events, ``"lag_bucket"`` (``lag_days`` cut at :data:`LAG_BUCKETS`) or
        ``"amount_bracket"`` (``amount_low``-``amount_high``). Default: ``group_by`` of
        :func:`event_study`.
        """
        keys, names = self._groups(group)
        rng = np.random.default_rng(seed)
        rows = []
        codes, uniques = pd.MultiIndex.from_arrays(keys, names=names).factorize()
        for g, label in enumerate(uniques):
            idx = np.flatnonzero(codes == g)
            label = label if isinstance(label, tuple) else (label,)
            for row in self._test_rows(idx, a, b, n_boot, level, rng):
                rows.append({**dict(zip(names, label, strict=True)), **row})
        return pd.DataFrame(rows).sort_values(names, kind="stable").reset_index(drop=True)

    def _groups(self, group: Any) -> tuple[list[np.ndarray], list[str]]:
        group = self.group_by if group is None else group
        if group is None:
            raise ParameterError(
                "group must name a column of the events (or a list of them, 'lag_bucket', "
                "'amount_bracket', or an array aligned with the events); got None. Pass "
                "e.g. by('side')"
            )
        specs: Sequence[Any] = group if isinstance(group, list) else [group]
        keys, names = [], []
        for spec in specs:
            label = isinstance(spec, Hashable) and not isinstance(spec, tuple)
            if label and spec in self.events:
                keys.append(self.events[spec].to_numpy())
                names.append(str(spec))
            elif label and spec == "lag_bucket":
                keys.append(np.asarray(_lag_bucket(self.events), dtype=object))
                names.append("lag_bucket")
            elif label and spec == "amount_bracket":
                keys.append(_amount_bracket(self.events))
                names.append("amount_bracket")
            elif isinstance(spec, (pd.Series, np.ndarray, list)):
                values = (
                    spec.reindex(self.events.index).to_numpy()
                    if isinstance(spec, pd.Series)
                    else np.asarray(spec)
                )
                if len(values) != len(self.events):
                    raise ValidationError(
                        f"group array has {len(values)} values but the study has "
                        f"{len(self.events)} events; pass a Series indexed like the event "
                        "table (it is aligned on the index)"
                    )
                keys.append(values)
                names.append(getattr(spec, "name", None) or "group")
            else:
                raise ParameterError(
                    f"group {spec!r} is not a column of the events (columns: "
                    f"{list(self.events.columns)}) nor 'lag_bucket' / 'amount_bracket'"
                )
        return keys, names

    def _test_rows(
        self,
        idx: np.ndarray,
        a: int | None,
        b: int | None,
        n_boot: int,
        level: float,
        rng: np.random.Generator,
    ) -> list[dict[str, Any]]:
        a, b, sl = self._slice(a, b)
        p, out = self._p, self._p.outputs
        car = window_sums(out.ar[idx], sl.start, sl.stop)
        ok = np.isfinite(car)
        idx, car = idx[ok], car[ok]
        n = len(idx)
        scar, df = _standardized(p, idx, a, b, sl)
        res: dict[str, sig.TestResult] = {"t_cross_section": sig.cross_sectional_t(car)}
        res["patell"] = sig.patell(scar, df)
        res["bmp"] = sig.bmp(scar)
        if n >= 2:
            s, q = residual_moments(p.inputs, out.coef, out.rms, idx.astype(np.int64))
            rbar = sig.average_cross_correlation(s, q, n, float(out.n_est[idx].mean()))
        else:
            rbar = np.nan
        res["kolari_pynnonen"] = sig.kolari_pynnonen(res["bmp"].value, rbar, n)
        if n:
            u_sum, u_count, n_pos = rank_moments(p.inputs, out.coef, out.ar, idx.astype(np.int64))
            est = p.inputs.estimation
            res["corrado"] = sig.corrado(u_sum, u_count, slice(est + sl.start, est + sl.stop))
            p_hat = float((n_pos / out.n_est[idx]).mean())
        else:
            res["corrado"] = sig.TestResult(np.nan, np.nan)
            p_hat = np.nan
        res["generalized_sign"] = sig.generalized_sign(car, p_hat)
        res["bootstrap"] = sig.bootstrap(car, n_boot, level, rng)
        caar = float(car.mean()) if n else np.nan
        rows = []
        for name in STATISTICS:
            r = res[name]
            rows.append(
                {
                    "a": a,
                    "b": b,
                    "n": n,
                    "caar": caar,
                    "statistic": name,
                    "value": r.value,
                    "p_value": r.p_value,
                    "ci_low": r.ci_low,
                    "ci_high": r.ci_high,
                    "rbar": rbar if name == "kolari_pynnonen" else np.nan,
                }
            )
        return rows

    # -- plot ---------------------------------------------------------------------------
    def plot(
        self,
        group: Any = None,
        a: int | None = None,
        b: int | None = None,
        *,
        level: float = 0.95,
        ax: Any = None,
    ) -> Any:
        """CAAR with its band, one line per group (matplotlib, imported here); the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 4.5))
        if group is None and self.group_by is None:
            parts = [("all", np.arange(len(self.events)))]
        else:
            keys, names = self._groups(group)
            codes, uniques = pd.MultiIndex.from_arrays(keys, names=names).factorize()
            # factorize gives tuples: label a group "1", or "1, ann" for two keys, not "(1,)"
            parts = [
                (
                    ", ".join(map(str, u)) if isinstance(u, tuple) else str(u),
                    np.flatnonzero(codes == g),
                )
                for g, u in enumerate(uniques)
            ]
        for label, idx in parts:
            frame = _caar_frame(self._p.outputs.ar, idx, self, a, b, level)
            line = ax.plot(frame.index, frame["caar"], label=f"{label} (n={len(idx)})")[0]
            ax.fill_between(
                frame.index, frame["lower"], frame["upper"], color=line.get_color(), alpha=0.2
            )
        ax.axhline(0.0, color="grey", linewidth=0.8)
        ax.axvline(0.0, color="grey", linewidth=0.8, linestyle=":")
        ax.set_xlabel(f"trading days from event day 0 ({self.clock} clock)")
        ax.set_ylabel("CAAR")
        ax.legend(loc="best", fontsize="small")
        return ax


def _standardized(
    p: Prepared, idx: np.ndarray, a: int, b: int, sl: slice
) -> tuple[np.ndarray, np.ndarray]:
    """``SCAR_i = CAR_i / s_i`` and the residual degrees of freedom of each event."""
    out = p.outputs
    ar = out.ar[idx, sl]
    valid = ~np.isnan(ar)
    length = valid.sum(axis=1).astype(np.float64)
    car = np.nansum(ar, axis=1)
    sigma2 = out.sigma[idx] ** 2
    n_est = out.n_est[idx].astype(np.float64)
    k = p.inputs.regressors.shape[1]
    if p.inputs.model == MARKET_ADJUSTED:
        var = sigma2 * length
        df = n_est - 1.0
    else:
        bars = p.inputs.day0[idx, None] + np.arange(a, b + 1)
        x = p.inputs.regressors[bars]  # (n, L, k)
        dev = np.where(valid[:, :, None], x - out.xbar[idx, None, :], 0.0).sum(axis=1)
        quad = np.einsum("nk,nkl,nl->n", dev, out.sxx_inv[idx], dev)
        var = sigma2 * (length + length**2 / n_est + quad)
        df = n_est - k - 1.0
    return car / np.sqrt(var), df


def _caar_frame(
    ar_all: np.ndarray, idx: np.ndarray, study: EventStudy, a: Any, b: Any, level: float
) -> pd.DataFrame:
    if not 0.0 < level < 1.0:
        raise ParameterError(f"level must be in (0, 1); got {level!r}. Pass e.g. level=0.95")
    a, b, sl = study._slice(a, b)
    ar = ar_all[idx, sl]
    counts = (~np.isnan(ar)).sum(axis=0)
    aar = np.nanmean(ar, axis=0) if len(idx) and counts.all() else _safe_mean(ar, counts)
    cum = np.nancumsum(ar, axis=1)
    n = len(idx)
    caar = cum.mean(axis=0) if n else np.full(ar.shape[1], np.nan)
    se = cum.std(axis=0, ddof=1) / np.sqrt(n) if n > 1 else np.full(ar.shape[1], np.nan)
    z = stats.norm.ppf(0.5 + level / 2.0)
    return pd.DataFrame(
        {
            "aar": aar,
            "caar": caar,
            "se": se,
            "lower": caar - z * se,
            "upper": caar + z * se,
            "n": counts,
        },
        index=pd.RangeIndex(a, b + 1, name="day"),
    )


def _safe_mean(ar: np.ndarray, counts: np.ndarray) -> np.ndarray:
    total = np.nansum(ar, axis=0)
    return np.where(counts > 0, total / np.maximum(counts, 1), np.nan)


def _lag_bucket(events: pd.DataFrame) -> pd.Series:
    if "lag_days" in events:
        lag = events["lag_days"]
    elif {"transaction_date", "disclosure_date"} <= set(events.columns):
        lag = (events["disclosure_date"] - events["transaction_date"]).dt.days
    else:
        raise ValidationError(
            "group 'lag_bucket' needs a lag_days column (or transaction_date and "
            f"disclosure_date); got columns {list(events.columns)}"
        )
    return pd.cut(lag, list(LAG_BUCKETS), labels=_LAG_LABELS)


def _amount_bracket(events: pd.DataFrame) -> np.ndarray:
    if not {"amount_low", "amount_high"} <= set(events.columns):
        raise ValidationError(
            "group 'amount_bracket' needs the columns amount_low and amount_high; got "
            f"columns {list(events.columns)}"
        )
    low, high = events["amount_low"].to_numpy(), events["amount_high"].to_numpy()
    labels = [
        f"{lo:,.0f}+" if np.isinf(hi) else f"{lo:,.0f}-{hi:,.0f}"
        for lo, hi in zip(low, high, strict=True)
    ]
    return np.array(labels, dtype=object)


def event_study(
    events: Any,
    prices: Any,
    *,
    clock: str = "disclosure",
    model: str = "market",
    market: Any = None,
    factors: Any = None,
    estimation: int = 250,
    gap: int = 10,
    window: tuple[int, int] = (-10, 60),
    min_estimation: int | None = None,
    overlap: str = "drop",
    group_by: Any = None,
) -> EventStudy:
    """Abnormal returns of every event and everything to test them.

    Parameters
    ----------
    events : pandas.DataFrame
        One row per event with ``symbol`` and the clock's date column (``available_at``
        for ``clock="disclosure"``, ``transaction_date`` for ``"transaction"``); a
        disclosure table (``quantlab.data`` contract) or any event table. Other columns
        (filer, side, ...) are available to :meth:`EventStudy.by`.
    prices : pandas.DataFrame
        Daily price panel ``(n_bars, n_assets)``, DatetimeIndex, one column per symbol;
        NaN = no price on that bar.
    clock : {"disclosure", "transaction"}
        Day 0 = first bar at or after ``available_at`` / ``transaction_date``.
    model : {"market", "market_adjusted", "factor"}
        Normal-return model: OLS on the market return, ``R - R_m``, or OLS on ``factors``.
    market : None, str or pandas.Series
        Market returns: ``None`` = the equal-weight mean of the panel's returns on each bar;
        a column name of ``prices`` (that asset's returns); a Series of returns.
    factors : pandas.DataFrame, optional
        Factor returns (one column per factor) for ``model="factor"``.
    estimation : int
        Bars of the estimation window (its last bar is ``gap + 1`` bars before day ``a``).
    gap : int
        Bars between the estimation window's end and the event window's start.
    window : (int, int)
        Event window ``(a, b)`` in trading days relative to day 0.
    min_estimation : int, optional
        Fewest estimation bars with a return to keep an event; default
        ``max(estimation // 2, k + 4)`` for ``k`` regressors.
    overlap : {"drop", "keep"}
        Rule for events of the same filer and symbol whose day 0 falls inside the window
        of an earlier kept one (see :mod:`quantlab.events.abnormal`).
    group_by : optional
        Default grouping of :meth:`EventStudy.by` and :meth:`EventStudy.plot`.

    Returns
    -------
    EventStudy

    Raises
    ------
    ParameterError
        Unknown clock/model/overlap, bad window, estimation or gap.
    ValidationError, DataTypeError
        Missing columns, bad dates, bad prices, market/factors not aligned.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import quantlab as ql
    >>> rng = np.random.default_rng(0)
    >>> idx = pd.bdate_range("2020-01-01", periods=400)
    >>> prices = pd.DataFrame(
    ...     100 * np.exp(np.cumsum(rng.normal(0, 0.01, (400, 4)), axis=0)),
    ...     index=idx, columns=list("ABCD"))
    >>> events = pd.DataFrame({"symbol": ["A", "B", "C", "ZZZ"],
    ...     "available_at": pd.to_datetime(["2020-12-01", "2021-01-05", "2021-02-01",
    ...                                     "2021-01-04"])})
    >>> es = ql.events.event_study(events, prices, estimation=100, window=(-5, 20))
    >>> es.ar.shape
    (3, 26)
    >>> es.report.counts["symbol_not_in_prices"], list(es.report.missing_symbols.index)
    (1, ['ZZZ'])
    >>> sorted(es.tests(0, 10)["statistic"])[:3]
    ['bmp', 'bootstrap', 'corrado']
    """
    prepared = prepare(
        events,
        prices,
        clock=clock,
        model=model,
        market=market,
        factors=factors,
        estimation=estimation,
        gap=gap,
        window=window,
        min_estimation=min_estimation,
        overlap=overlap,
    )
    return EventStudy(prepared, clock=clock, model=model, group_by=group_by)


@dataclass(frozen=True)
class LagCost:
    """Both clocks side by side.

    ``table``: one row per clock (``transaction``, ``disclosure``) with ``n``, ``caar``,
    ``t``, ``p_value``, and a ``lag_cost`` row: the paired mean of
    ``CAR_transaction - CAR_disclosure`` over the events kept by both clocks (the abnormal
    return a follower misses by waiting for the disclosure), with its paired t-test.
    ``paired``: that difference per event.
    """

    table: pd.DataFrame
    transaction: EventStudy
    disclosure: EventStudy
    paired: pd.Series


def lag_cost(
    events: Any, prices: Any, a: int | None = None, b: int | None = None, **kwargs: Any
) -> LagCost:
    """Run :func:`event_study` on both clocks and compare ``CAR(a, b)``.

    ``kwargs`` go to :func:`event_study` (not ``clock``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import quantlab as ql
    >>> rng = np.random.default_rng(1)
    >>> idx = pd.bdate_range("2020-01-01", periods=300)
    >>> prices = pd.DataFrame(
    ...     100 * np.exp(np.cumsum(rng.normal(0, 0.01, (300, 3)), axis=0)),
    ...     index=idx, columns=list("ABC"))
    >>> events = pd.DataFrame({"symbol": list("ABC"),
    ...     "transaction_date": pd.to_datetime(["2020-09-01", "2020-09-10", "2020-09-15"]),
    ...     "available_at": pd.to_datetime(["2020-10-01", "2020-10-12", "2020-09-30"])})
    >>> lc = ql.events.lag_cost(events, prices, 0, 10, estimation=100, window=(-5, 20))
    >>> list(lc.table.index)
    ['transaction', 'disclosure', 'lag_cost']
    """
    if "clock" in kwargs:
        raise ParameterError("lag_cost runs both clocks; do not pass clock=")
    tx = event_study(events, prices, clock="transaction", **kwargs)
    ds = event_study(events, prices, clock="disclosure", **kwargs)
    car_tx, car_ds = tx.car(a, b), ds.car(a, b)
    rows = {}
    for name, car in (("transaction", car_tx), ("disclosure", car_ds)):
        values = car.dropna().to_numpy()
        r = sig.cross_sectional_t(values)
        rows[name] = {
            "n": len(values),
            "caar": values.mean() if len(values) else np.nan,
            "t": r.value,
            "p_value": r.p_value,
        }
    common = car_tx.index.intersection(car_ds.index)
    diff = (car_tx.loc[common] - car_ds.loc[common]).dropna()
    r = sig.cross_sectional_t(diff.to_numpy())
    rows["lag_cost"] = {
        "n": len(diff),
        "caar": diff.mean() if len(diff) else np.nan,
        "t": r.value,
        "p_value": r.p_value,
    }
    table = pd.DataFrame.from_dict(rows, orient="index")
    return LagCost(table, tx, ds, diff.rename("lag_cost"))
