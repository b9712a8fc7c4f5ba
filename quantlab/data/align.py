"""Calendar alignment of panels that come from different sources or exchanges.

Assets traded on different calendars meet on one index: the union of their bars (the
default; a missing bar becomes NaN, i.e. "no trading") or the intersection. Forward-filling
is opt-in and limited, because a carried price is a made-up trade.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import pandas as pd

from quantlab.data.validate import validate_panel
from quantlab.errors import AlignmentError, ParameterError

__all__ = ["align_panels", "align_ohlcv"]

_HOW = ("outer", "inner")


def align_panels(
    panels: Mapping[str, pd.DataFrame],
    *,
    how: Literal["outer", "inner"] = "outer",
    calendar: pd.DatetimeIndex | None = None,
    columns: Literal["outer", "inner"] = "outer",
    ffill_limit: int = 0,
) -> dict[str, pd.DataFrame]:
    """Reindex several panels onto one calendar and one set of asset columns.

    Parameters
    ----------
    panels : mapping of str to pandas.DataFrame
        Panels to align, by name (used in error messages).
    how : {"outer", "inner"}, default "outer"
        Union or intersection of the panels' bars; ignored when ``calendar`` is given.
    calendar : pandas.DatetimeIndex, optional
        An explicit target calendar (e.g. an exchange's trading days).
    columns : {"outer", "inner"}, default "outer"
        Union or intersection of the asset columns (sorted when they differ).
    ffill_limit : int, default 0
        Carry a value forward over at most this many consecutive new bars (0: never).

    Returns
    -------
    dict of str to pandas.DataFrame
        The aligned panels, same keys.

    Raises
    ------
    ParameterError
        Unknown ``how`` / ``columns``, or a negative ``ffill_limit``.
    AlignmentError
        Panels whose timezones differ, or an empty intersection.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"X": [1.0, 2.0]}, index=pd.to_datetime(["2024-01-01", "2024-01-02"]))
    >>> b = pd.DataFrame({"Y": [3.0, 4.0]}, index=pd.to_datetime(["2024-01-02", "2024-01-03"]))
    >>> out = align_panels({"a": a, "b": b})
    >>> out["a"].shape, out["b"].shape
    ((3, 2), (3, 2))
    """
    if how not in _HOW:
        raise ParameterError(f"how must be one of {list(_HOW)}; got {how!r}")
    if columns not in _HOW:
        raise ParameterError(f"columns must be one of {list(_HOW)}; got {columns!r}")
    if not isinstance(ffill_limit, int) or ffill_limit < 0:
        raise ParameterError(f"ffill_limit must be an int >= 0; got {ffill_limit!r}")
    checked = {name: validate_panel(p, name) for name, p in panels.items()}
    if not checked:
        return {}
    tzs = {str(getattr(p.index, "tz", None)) for p in checked.values()}
    if len(tzs) > 1:
        raise AlignmentError(
            f"panels mix timezones {sorted(tzs)}; convert them to one timezone first "
            "(panel.tz_convert('UTC') or tz_localize)"
        )
    indexes = [p.index for p in checked.values()]
    if calendar is None:
        target = indexes[0]
        for idx in indexes[1:]:
            target = target.union(idx) if how == "outer" else target.intersection(idx)
    else:
        target = pd.DatetimeIndex(calendar)
    cols = [p.columns for p in checked.values()]
    target_cols = cols[0]
    for c in cols[1:]:
        if not c.equals(target_cols):
            target_cols = (
                target_cols.union(c) if columns == "outer" else target_cols.intersection(c)
            )
    if len(target) == 0 or len(target_cols) == 0:
        raise AlignmentError(
            f"aligning {list(checked)} leaves {len(target)} bars and {len(target_cols)} "
            "columns; the panels do not overlap. Use how='outer' or check their dates"
        )
    out = {}
    for name, p in checked.items():
        q = p.reindex(index=target, columns=target_cols)
        if ffill_limit:
            q = q.ffill(limit=ffill_limit)
        out[name] = q
    return out


def align_ohlcv(
    ohlcv: Mapping[str, pd.DataFrame],
    calendar: pd.DatetimeIndex,
) -> dict[str, pd.DataFrame]:
    """Reindex an OHLCV bundle onto ``calendar``; missing bars become NaN (no trading).

    Volume on a missing bar is 0 rather than NaN: nothing traded.

    Examples
    --------
    >>> from quantlab.data import sample_universe
    >>> u = sample_universe(n_assets=2, n_days=10, seed=0)
    >>> cal = u.close.index[::2]
    >>> align_ohlcv(u.ohlcv, cal)["close"].shape
    (5, 2)
    """
    out = align_panels(ohlcv, calendar=calendar)
    if "volume" in out:
        out["volume"] = out["volume"].fillna(0.0)
    return out
