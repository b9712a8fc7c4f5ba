"""HTML building blocks of the tearsheet: escaping, tables, sections and the page template.

Everything that reaches the page goes through :func:`esc` (text) or is produced here from
escaped parts, so a title, a column label or a parameter value holding ``<script>`` is
shown as text, never run. The page is self-contained: the stylesheet is inline, figures are
``data:`` URIs and the only links are in-page anchors.
"""

from __future__ import annotations

import html as _html
import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from quantlab.report.glossary import fmt

__all__ = [
    "esc",
    "fmt_number",
    "fmt_pct",
    "fmt_value",
    "fragment",
    "heat_table",
    "img",
    "kv_table",
    "page",
    "reading",
    "section",
    "slug",
    "table",
]

# Every selector is scoped under .qlts so the fragment can be shown inside a notebook
# (``Tearsheet._repr_html_``) without restyling the notebook around it.
CSS = """
.qlts{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1f2328;
  max-width:1080px;margin:0 auto;padding:16px 24px 48px;line-height:1.45;font-size:14px;
  background:#fff}
.qlts h1{font-size:22px;margin:4px 0 2px}
.qlts h2{font-size:17px;margin:0 0 10px;padding-bottom:4px;border-bottom:2px solid #d0d7de}
.qlts h3{font-size:14px;margin:14px 0 6px;color:#424a53}
.qlts .meta{color:#57606a;font-size:12.5px;margin-bottom:10px}
.qlts nav{font-size:12.5px;margin:6px 0 18px;display:flex;flex-wrap:wrap;gap:4px 14px}
.qlts nav a{color:#0969da;text-decoration:none}
.qlts section{margin:0 0 26px}
.qlts figure{margin:8px 0 4px}
.qlts img{max-width:100%;height:auto;display:block}
.qlts table{border-collapse:collapse;font-size:12.5px;font-variant-numeric:tabular-nums}
.qlts th,.qlts td{padding:3px 10px;border-bottom:1px solid #eaeef2;text-align:right;
  white-space:nowrap}
.qlts th{background:#f6f8fa;font-weight:600}
.qlts th:first-child,.qlts td:first-child{text-align:left}
.qlts .heat td{padding:3px 6px;min-width:44px}
.qlts .cols{display:flex;flex-wrap:wrap;gap:12px 36px;align-items:flex-start}
.qlts .reading{margin:6px 0;padding:6px 10px;border-left:4px solid #8c959f;
  background:#f6f8fa}
.qlts .reading.good{border-color:#1a7f37}
.qlts .reading.warn{border-color:#bf8700}
.qlts .reading.bad{border-color:#cf222e}
.qlts .note{color:#57606a;font-size:12px}
.qlts td.def{text-align:left;color:#57606a;white-space:normal;min-width:220px}
""".strip()

_PCT_DECIMALS = 2


def esc(text: Any) -> str:
    """Escape any object's ``str`` for HTML text and attribute values (quotes included)."""
    return _html.escape(str(text), quote=True)


def slug(title: str) -> str:
    """An anchor id for a section title: ``"Monte Carlo"`` -> ``"sec-monte-carlo"``."""
    return "sec-" + (re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "section")


def _finite(x: Any) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def fmt_number(x: Any, decimals: int = 2) -> str:
    """A number with ``decimals`` places and thousands separators; NaN -> ``"n/a"``."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(v):
        return "n/a"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:,.{decimals}f}"


def fmt_pct(x: Any, decimals: int = _PCT_DECIMALS) -> str:
    """A fraction as a percentage: ``0.1234`` -> ``"12.34%"``; NaN -> ``"n/a"``."""
    if not _finite(x):
        return fmt_number(x)
    return f"{100.0 * float(x):,.{decimals}f}%"


def fmt_value(x: Any) -> str:
    """Format a cell of unknown kind: numbers as text a reader takes in, others as text.

    Integers and integral floats (counts) without decimals; other floats with 4 decimals,
    or 4 significant digits in fixed-point notation below 0.001 (never ``5.02522e-05``);
    10,000 and above without decimals.

    Examples
    --------
    >>> fmt_value(5.02522e-05), fmt_value(1254.0), fmt_value(0.123456), fmt_value(12345.6)
    ('0.00005025', '1,254', '0.1235', '12,346')
    """
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return f"{int(x):,}"
    if isinstance(x, (float, np.floating)):
        v = float(x)
        if not math.isfinite(v):
            return fmt_number(v)
        if abs(v) >= 1e4 or (abs(v) >= 1 and v.is_integer()):  # a count stored as float
            return f"{v:,.0f}"
        if v == 0.0 or abs(v) >= 1e-3:
            return f"{v:,.4f}"
        return fmt(v, "num")  # 4 significant digits, fixed-point
    if isinstance(x, pd.Timestamp):
        return x.strftime("%Y-%m-%d") if x == x.normalize() else str(x)
    if x is None or x is pd.NaT:
        return ""
    return str(x)


def table(
    frame: pd.DataFrame,
    *,
    formatters: dict[Any, Callable[[Any], str]] | None = None,
    index: bool = True,
    index_label: str = "",
    css_class: str = "",
) -> str:
    """Render a DataFrame as an HTML table; every label and cell is escaped.

    ``formatters`` maps a row label (checked first) or a column label to a function giving
    the cell text; other cells use :func:`fmt_value`. A column named ``"definition"`` is
    styled as text (left-aligned, wrapping).
    """
    fm = formatters or {}
    head = [f"<th>{esc(index_label)}</th>"] if index else []
    head += [f"<th>{esc(c)}</th>" for c in frame.columns]
    rows = []
    for label, values in zip(frame.index, frame.itertuples(index=False), strict=True):
        cells = [f"<th>{esc(label)}</th>"] if index else []
        for col, v in zip(frame.columns, values, strict=True):
            f = fm.get(label) if _hashable(label) and label in fm else fm.get(col, fmt_value)
            cls = ' class="def"' if col == "definition" else ""
            cells.append(f"<td{cls}>{esc((f or fmt_value)(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cls = f' class="{esc(css_class)}"' if css_class else ""
    return (
        f"<table{cls}><thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _hashable(x: Any) -> bool:
    try:
        hash(x)
    except TypeError:
        return False
    return True


def kv_table(items: Iterable[Sequence[Any]], header: Sequence[str] = ("", "value")) -> str:
    """A key/value table (values through :func:`fmt_value` unless already str).

    A row may carry a third item, a definition shown in a third column (``header`` then
    names three columns, or the third is headed "definition").
    """
    rows = []
    wide = False
    for item in items:
        k, v, *note = item
        cells = f"<th>{esc(k)}</th><td>{esc(v if isinstance(v, str) else fmt_value(v))}</td>"
        if note:
            wide = True
            cells += f'<td class="def">{esc(note[0])}</td>'
        rows.append(f"<tr>{cells}</tr>")
    names = list(header) + (["definition"] if wide and len(header) < 3 else [])
    head = "".join(f"<th>{esc(h)}</th>" for h in names)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _heat_colour(v: float, scale: float) -> str:
    """Red (losses) to white to green (gains), saturating at ``+-scale``."""
    t = max(-1.0, min(1.0, v / scale)) if scale > 0 else 0.0
    if t >= 0:
        r, g, b = (int(255 - t * (255 - c)) for c in (46, 160, 67))
    else:
        r, g, b = (int(255 + t * (255 - c)) for c in (207, 34, 46))
    return f"#{r:02x}{g:02x}{b:02x}"


def heat_table(frame: pd.DataFrame, *, index_label: str = "", total: str | None = None) -> str:
    """Percent table whose cells are shaded red/green by value (the monthly-returns grid).

    The colour saturates at the 95th percentile of absolute values so one outlier does
    not wash out the rest; a ``total`` column (if named) is shaded on its own scale.
    """
    cols = [c for c in frame.columns if c != total]
    vals = frame[cols].to_numpy(dtype=float)
    finite = np.abs(vals[np.isfinite(vals)])
    scale = float(np.quantile(finite, 0.95)) if finite.size else 0.0
    tot_scale = 0.0
    if total is not None:
        tv = np.abs(frame[total].to_numpy(dtype=float))
        tv = tv[np.isfinite(tv)]
        tot_scale = float(np.quantile(tv, 0.95)) if tv.size else 0.0
    head = f"<th>{esc(index_label)}</th>" + "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = []
    for label, values in zip(frame.index, frame.itertuples(index=False), strict=True):
        cells = [f"<th>{esc(label)}</th>"]
        for col, v in zip(frame.columns, values, strict=True):
            if not _finite(v):
                cells.append("<td></td>")
                continue
            colour = _heat_colour(float(v), tot_scale if col == total else scale)
            weight = ";font-weight:600" if col == total else ""
            cells.append(f'<td style="background:{colour}{weight}">{esc(fmt_pct(v, 1))}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="heat"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def img(data_uri: str, alt: str) -> str:
    """An ``<img>`` of an embedded figure (``data_uri`` must be a ``data:`` URI)."""
    if not data_uri.startswith("data:"):
        raise ValueError("figures must be embedded as data: URIs")
    return f'<figure><img src="{data_uri}" alt="{esc(alt)}"></figure>'


def reading(text: str, tone: str = "") -> str:
    """A one-line interpretation box; ``tone`` is "good", "warn", "bad" or ""."""
    cls = f"reading {tone}".strip()
    return f'<p class="{esc(cls)}">{esc(text)}</p>'


def section(title: str, body: str) -> str:
    """A titled ``<section>`` whose id is :func:`slug` of the title."""
    return f'<section id="{slug(title)}"><h2>{esc(title)}</h2>{body}</section>'


def fragment(title: str, meta: str, sections: Sequence[tuple[str, str]]) -> str:
    """The tearsheet body: heading, meta line, in-page navigation and the sections."""
    nav = "".join(f'<a href="#{slug(t)}">{esc(t)}</a>' for t, _ in sections)
    body = "".join(section(t, b) for t, b in sections)
    return (
        f'<div class="qlts"><style>{CSS}</style><h1>{esc(title)}</h1>'
        f'<div class="meta">{esc(meta)}</div><nav>{nav}</nav>{body}</div>'
    )


def page(title: str, body_fragment: str) -> str:
    """A complete, self-contained HTML5 document around :func:`fragment`'s output."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title></head>"
        f'<body style="margin:0;background:#fff">{body_fragment}</body></html>\n'
    )
