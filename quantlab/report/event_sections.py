"""The tearsheet's event-study sections, and the check of its ``events=`` dict.

``events=`` holds up to four results (:data:`EVENT_KEYS`): the copy-trade ``"leaderboard"``
and ``"lag_cost"`` (rendered by :func:`quantlab.report.sections.events_leaderboard`), an
``"study"`` (:func:`quantlab.events.event_study`'s :class:`~quantlab.events.EventStudy`)
and a ``"lag"`` (:func:`quantlab.events.lag_cost`'s :class:`~quantlab.events.LagCost`).

Decisions (the task is silent):

* The tests table is for the *post-event* window ``[0, b]`` of the study's window
  ``(a, b)`` (``[a, b]`` when it starts after day 0, the whole window when it ends before
  day 0): the abnormal return a follower can still earn from day 0. The CAAR figure shows
  the whole window, cumulated from day ``a``.
* Bootstrap rows use :meth:`EventStudy.tests`' defaults (999 resamples, seed 0), so a page
  rendered twice is the same page.
* With a ``group_by``, the per-group table shows the cross-sectional t-test of each group
  (the full table of every test per group is :meth:`EventStudy.by`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from quantlab.errors import DataTypeError, ParameterError
from quantlab.report import html as H
from quantlab.report import sections as S

__all__ = ["EVENT_KEYS", "check_events", "event_sections", "lag_section", "study_section"]

EVENT_KEYS = ("leaderboard", "lag_cost", "study", "lag")

_TEST_NAMES = {
    "t_cross_section": "cross-sectional t",
    "patell": "Patell Z",
    "bmp": "BMP (standardized cross-section)",
    "kolari_pynnonen": "Kolari-Pynnonen (BMP adjusted for correlation)",
    "corrado": "Corrado rank",
    "generalized_sign": "generalized sign",
    "bootstrap": "bootstrap of the CAAR",
}


def _p(x: Any) -> str:
    return H.fmt_number(x, 3)


def check_events(events: Any) -> None:
    """Reject an ``events=`` value that is not a dict of known keys and result types.

    Raises
    ------
    DataTypeError
        ``events`` not a dict; ``"study"`` not an EventStudy, ``"lag"`` not a LagCost.
    ParameterError
        Keys outside :data:`EVENT_KEYS`.

    Examples
    --------
    >>> try:
    ...     check_events({"studies": None})
    ... except ValueError as exc:
    ...     print(exc)  # (wrapped: the doctests normalize whitespace)
    events has unknown keys ['studies'];
    the tearsheet reads ['leaderboard', 'lag_cost', 'study', 'lag']
    """
    from quantlab.events import EventStudy, LagCost

    if events is None:
        return
    if not isinstance(events, Mapping):
        raise DataTypeError(f"events must be a dict; got {type(events).__name__}")
    unknown = sorted(map(str, set(events) - set(EVENT_KEYS)))
    if unknown:
        raise ParameterError(
            f"events has unknown keys {unknown}; the tearsheet reads {list(EVENT_KEYS)}"
        )
    study, lag = events.get("study"), events.get("lag")
    if study is not None and not isinstance(study, EventStudy):
        raise DataTypeError(
            f"events['study'] must be an EventStudy (from ql.events.event_study); got "
            f"{type(study).__name__}"
        )
    if lag is not None and not isinstance(lag, LagCost):
        raise DataTypeError(
            "events['lag'] must be a LagCost (from ql.events.lag_cost); got "
            f"{type(lag).__name__}. A ql.events.copy_trade_lag_cost result goes under "
            "'lag_cost'"
        )


def _post_window(window: tuple[int, int]) -> tuple[int, int]:
    lo, hi = window
    return (max(lo, 0), hi) if hi >= 0 else (lo, hi)


def study_section(study: Any) -> str:
    """CAAR figure with its band (and per-group curves), the tests of the post-event CAAR,
    per-group t-tests (with a ``group_by``) and the report of dropped events."""
    from quantlab.report import figures as F

    a, b = _post_window(study.window)
    body = H.img(F.caar_figure(study), "Cumulative average abnormal return")
    tests = study.tests(a, b).set_index("statistic")
    caar, n = float(tests["caar"].iloc[0]), int(tests["n"].iloc[0])
    t_p = float(tests.loc["t_cross_section", "p_value"])
    body += H.reading(
        f"CAAR over days [{a}, {b}]: {H.fmt_pct(caar)} across {n:,} events "
        f"(cross-sectional t-test p = {_p(t_p)}).",
        "good" if t_p <= 0.05 else "",
    )
    shown = pd.DataFrame(
        {
            "statistic": tests["value"],
            "p-value": tests["p_value"],
            "CI low": tests["ci_low"],
            "CI high": tests["ci_high"],
        }
    )
    shown.index = [_TEST_NAMES.get(str(k), str(k)) for k in shown.index]
    pct_blank: Callable[[Any], str] = lambda x: "" if pd.isna(x) else H.fmt_pct(x)
    body += f"<h3>Tests of CAAR({a}, {b}) = 0</h3>" + H.table(
        shown,
        formatters={
            "statistic": H.fmt_number,
            "p-value": _p,
            "CI low": pct_blank,
            "CI high": pct_blank,
        },
        index_label="test",
    )
    body += (
        f'<p class="note">CAAR({a}, {b}) = {H.fmt_pct(caar)}, {n:,} events with an abnormal '
        "return in the window; CI: the bootstrap's 95% percentile interval of the CAAR. "
        f"Normal-return model: {H.esc(study.model)}, {H.esc(study.clock)} clock.</p>"
    )
    if study.group_by is not None:
        by = study.by(None, a, b)
        by = by[by["statistic"] == "t_cross_section"]
        keys = [
            c
            for c in by.columns
            if c
            not in {
                "a",
                "b",
                "n",
                "caar",
                "statistic",
                "value",
                "p_value",
                "ci_low",
                "ci_high",
                "rbar",
            }
        ]
        groups = pd.DataFrame(
            {
                "events": by["n"].to_numpy(),
                "CAAR": by["caar"].to_numpy(),
                "t": by["value"].to_numpy(),
                "p-value": by["p_value"].to_numpy(),
            },
            index=[", ".join(map(str, row)) for row in by[keys].itertuples(index=False)],
        )
        body += f"<h3>CAAR({a}, {b}) by {H.esc(', '.join(keys))}</h3>" + H.table(
            groups,
            formatters={"CAAR": H.fmt_pct, "t": H.fmt_number, "p-value": _p},
            index_label=", ".join(keys),
        )
    return body + "<h3>Events used and dropped</h3>" + _report_table(study.report)


def _report_table(report: Any) -> str:
    rows: list[tuple[str, Any, str]] = [
        ("events given", report.n_events, ""),
        ("events used", report.n_used, ""),
    ]
    rows += [(f"dropped: {r.replace('_', ' ')}", n, "") for r, n in report.counts.items()]
    if report.n_nan_events:
        rows.append(
            (
                "kept with NaN bars",
                report.n_nan_events,
                f"{report.n_nan_bars:,} window bars without an abnormal return, counted as 0",
            )
        )
    body = H.kv_table(rows, header=("events", "count", "note"))
    missing = report.missing_symbols
    if len(missing):
        shown = ", ".join(f"{s} ({n:,})" for s, n in missing.iloc[:20].items())
        more = f" and {len(missing) - 20:,} more" if len(missing) > 20 else ""
        body += (
            f'<p class="note">Symbols not in the price panel ({len(missing):,}; events per '
            f"symbol in brackets): {H.esc(shown)}{more}.</p>"
        )
    return body


def lag_section(lag: Any) -> str:
    """The event-study comparison of both clocks: CAAR on the transaction and the
    disclosure clock and their paired difference, the abnormal return lost to the lag."""
    frame = pd.DataFrame(lag.table).rename(columns={"caar": "CAAR", "p_value": "p-value"})
    body = H.table(
        frame,
        formatters={"CAAR": H.fmt_pct, "t": H.fmt_number, "p-value": _p},
        index_label="clock",
    )
    return body + (
        '<p class="note">CAAR of the same events with day 0 on the transaction date '
        "(hypothetical: nobody knew of the trade yet) and on the disclosure; lag_cost: the "
        "paired mean of CAR(transaction) - CAR(disclosure) over the events both clocks kept, "
        "with its paired t-test.</p>"
    )


def event_sections(events: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(title, body) of the sections present in ``events``: "Event study", "Abnormal return
    lost to the disclosure lag", "Copy-trade leaderboard", "Cost of the disclosure lag"."""
    check_events(events)
    out: list[tuple[str, str]] = []
    if events.get("study") is not None:
        out.append(("Event study", study_section(events["study"])))
    if events.get("lag") is not None:
        out.append(("Abnormal return lost to the disclosure lag", lag_section(events["lag"])))
    return out + S.events_leaderboard(events)
