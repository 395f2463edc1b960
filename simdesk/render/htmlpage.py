"""What every HTML report shares: the page frame (a Content-Security-Policy that forbids
any request, the CSS), tables of escaped cells, and how a figure is written in them and
charted. ``render/html.py`` builds the reports of run, compare and sweep from these, and
``render/search_html.py`` those of optimize, staff and roster, so every report looks the
same and none can load anything.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from html import escape

from simdesk import __version__
from simdesk.confidence import Estimate
from simdesk.render.formats import fmt_estimate, fmt_value

__all__ = [
    "CSP",
    "CSS",
    "Fmt",
    "band",
    "est",
    "fmt_for",
    "page",
    "scope_table",
    "table",
    "y_max",
]

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;
max-width:1180px;padding:0 16px;color:#222}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid
#ddd;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
.meta{color:#555;margin:0 0 12px}
table{border-collapse:collapse;margin:6px 0 12px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right;white-space:nowrap}
th{background:#f4f4f4}td.l,th.l{text-align:left}
.met{color:#1a7f37;font-weight:600}.missed{color:#c62828;font-weight:600}
.na{color:#9a6700;font-weight:600}.clear{font-weight:600}
tr.hl td{background:#eaf6ec;font-weight:600}
.pair{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.scroll{overflow-x:auto;max-width:100%}
svg .t{font:600 13px sans-serif}svg .a{font:11px sans-serif;fill:#444}
svg .g{stroke:#e4e4e4}
.warn{background:#fff8e1;border:1px solid #f0d27a;padding:6px 10px}
"""

Fmt = Callable[[float], str]


def page(title: str, body: Sequence[str]) -> str:
    """The whole document around ``body`` (already-escaped HTML)."""
    return "".join(
        [
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
            *body,
            f'<p class="meta">Made with simdesk {escape(__version__)}.</p>',
            "</body></html>\n",
        ]
    )


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    left: int = 1,
    highlight: Sequence[int] = (),
) -> str:
    """A table of already-escaped cells; the first ``left`` columns are left-aligned and
    the rows whose index is in ``highlight`` stand out (the answer among the points)."""
    head = "".join(
        f'<th{" class=l" if i < left else ""}>{h}</th>' for i, h in enumerate(headers)
    )
    body = "".join(
        ("<tr class=hl>" if n in highlight else "<tr>")
        + "".join(f'<td{" class=l" if i < left else ""}>{c}</td>' for i, c in enumerate(r))
        + "</tr>"
        for n, r in enumerate(rows)
    )
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>' \
        "</table></div>"


def est(figure: str, e: Estimate) -> str:
    """A figure's mean and interval, as the terminal's tables write it, escaped."""
    return escape(fmt_estimate(figure, e))


def band(e: Estimate) -> tuple[float, float]:
    """The 95% interval to shade in a chart (NaN: none)."""
    return e.ci95 if e.ci95 is not None else (math.nan, math.nan)


def fmt_for(figure: str) -> Fmt:
    """A chart's axis and label text for a figure's values."""
    return lambda x: fmt_value(figure, x)


def y_max(figure: str) -> float | None:
    """1 for a share (the axis ends at 100%), else None (a round number above the data)."""
    return 1.0 if fmt_value(figure, 0.5).endswith("%") else None


def scope_table(scopes: Mapping[str, Mapping[str, Estimate]], figures: Sequence[str],
                key: str) -> str:
    """One row per pool (or type): the figures every one of them has."""
    shown = [f for f in figures if all(f in sc for sc in scopes.values())]
    rows = [[escape(name), *(est(f, sc[f]) for f in shown)] for name, sc in scopes.items()]
    return table([key, *(escape(f) for f in shown)], rows)
