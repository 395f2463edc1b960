"""Figures as text, the same in every table, CSV-free report and test.

No Rich here: the HTML report and the tests format numbers through these functions too, so
a figure reads the same wherever it is shown, and a test can check that a figure's text
appears whole by formatting the JSON value the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from simdesk.confidence import Estimate

__all__ = [
    "FORMATS",
    "LEGEND",
    "SHORT",
    "duration_text",
    "fmt_difference",
    "fmt_estimate",
    "fmt_interval",
    "fmt_value",
    "signed",
    "symmetric",
]

Fmt = Callable[[float], str]


def _count(x: float) -> str:
    return f"{x:,.0f}"


def _pct(x: float) -> str:
    return f"{x:.1%}"


def duration_text(x: float) -> str:
    """Seconds as people read them: ``14.1s``, ``4m 05s``, ``15h 33m``, ``3.4d``.

    A wait of 56,002 s is unreadable as seconds; each step keeps two units at most, so the
    text stays short in a table cell. Rounding happens before choosing the unit, so 59.96 s
    reads ``1m 00s`` rather than ``60.0s``. (The JSON stays in seconds.)
    """
    if x < 0:
        return "-" + duration_text(-x)
    if round(x, 1) < 60:
        return f"{x:.1f}s"
    whole = round(x)
    if whole < 3600:
        m, s = divmod(whole, 60)
        return f"{m}m {s:02d}s"
    minutes = round(x / 60)
    if minutes < 24 * 60:
        h, m = divmod(minutes, 60)
        return f"{h}h {m:02d}m"
    return f"{x / 86400:,.1f}d"


def _score(x: float) -> str:
    return f"{x:.2f}"


def _money(x: float) -> str:
    return f"{x:,.2f}"


def _ratio(x: float) -> str:
    return f"{x:.3f}"


def _heads(x: float) -> str:
    """People: whole in one run, a mean over replications to one decimal (29.5)."""
    return f"{x:,.0f}" if x == round(x) else f"{x:,.1f}"


def _tenth(x: float) -> str:
    return f"{x:,.1f}"


FORMATS: dict[str, Fmt] = {
    "offered": _count,
    "handled": _count,
    "abandoned": _count,
    "in_system": _count,
    "overflowed": _count,
    "contained": _count,
    "escalated": _count,
    "repeat_contacts": _count,
    "resolved": _count,
    "abandonment_rate": _pct,
    "p_wait": _pct,
    "service_level": _pct,
    "occupancy": _pct,
    "csat_mean": _score,
    "csat_satisfied": _pct,
    "cost_total": _money,
    "cost_per_contact": _money,
    "people_contacts": _count,
    "people_csat_mean": _score,
    "issues": _count,
    "issues_open": _count,
    "issue_csat_mean": _score,
    "contract_periods_met": _count,
    "contract_periods_missed": _count,
    "headcount_start": _heads,
    "headcount_end": _heads,
    "hires": _heads,
    "leavers": _heads,
    "tenure_new": _heads,
    "tenure_nesting": _heads,
    "tenure_proficient": _heads,
    "fte_on_duty": _tenth,
    "paid_hours": _count,
    "productive_hours": _count,
    "hire_cost": _money,
}


def _format_for(figure: str) -> Fmt:
    """Known figures by name; figures added later by their name's pattern (times end in
    ``_s``, rates and shares in ``_rate``, ``_level`` or ``_share``), else a plain ratio."""
    figure = figure.rsplit(".", 1)[-1]  # a scoped key: pools.NAME.service_level
    if figure in FORMATS:
        return FORMATS[figure]
    if figure.endswith("_s"):
        return duration_text
    if figure.endswith(("_rate", "_level", "_share", "_satisfied")):
        return _pct
    if figure.startswith("cost"):
        return _money
    return _ratio


def fmt_value(figure: str, x: float | None) -> str:
    if x is None or math.isnan(x):
        return "-"
    return _format_for(figure)(x)


def symmetric(e: Estimate) -> bool:
    """The interval is centred on the mean (not cut at a bound such as 0% or 0 s)."""
    if e.ci95 is None:
        return True
    lo, hi = e.ci95
    below, above = e.mean - lo, hi - e.mean
    return abs(above - below) <= 1e-9 * max(1.0, abs(e.mean), abs(above), abs(below))


def fmt_interval(figure: str, e: Estimate) -> str:
    """``low to high`` of the 95% interval, or ``-`` without one."""
    if e.ci95 is None or math.isnan(e.half_width):
        return "-"
    return f"{fmt_value(figure, e.ci95[0])} to {fmt_value(figure, e.ci95[1])}"


def fmt_estimate(figure: str, e: Estimate, sep: str = " ") -> str:
    """Mean, with the 95% half-width (``94.1% ± 0.3%``) when there are replications to give
    one; an interval cut at what is possible is shown whole (``0.6s (0.0s to 3.0s)``), since a
    "± half-width" would then claim values outside it."""
    text = fmt_value(figure, e.mean)
    if e.ci95 is None or text == "-" or math.isnan(e.half_width):
        return text
    if symmetric(e):
        return f"{text}{sep}± {fmt_value(figure, e.half_width)}"
    return f"{text}{sep}({fmt_interval(figure, e)})"


def signed(figure: str, x: float) -> str:
    """A difference with its sign; none when it rounds to zero (a sign would suggest a
    direction that is not shown)."""
    if math.isnan(x):
        return "-"
    text = fmt_value(figure, abs(x))
    if not any(ch in "123456789" for ch in text):
        return text
    return ("-" if x < 0 else "+") + text


def fmt_difference(figure: str, e: Estimate, mark: str = "") -> str:
    """``+12.3s ± 1.2s *``: a paired difference, its half-width and the clear mark."""
    text = signed(figure, e.mean)
    if e.ci95 is not None and not math.isnan(e.half_width) and text != "-":
        text += f" ± {fmt_value(figure, e.half_width)}"
    if mark:
        text += f" {mark}"
    return text


SHORT = {
    "offered": "offered", "handled": "handled", "abandoned": "abandoned",
    "contained": "contained", "escalated": "escalated", "asa_s": "ASA",
    "service_level": "SL", "occupancy": "occ.", "cost_total": "cost",
    "abandonment_rate": "aband.", "wait_mean_s": "wait", "wait_p90_s": "p90 wait",
    "csat_mean": "CSAT", "cost_per_contact": "cost/contact",
    "people_service_level": "people SL",
}
"""Column headers for figures in narrow tables; every abbreviation is in LEGEND."""

LEGEND = {
    "ASA": "average speed of answer (mean wait of answered contacts)",
    "SL": "service level",
    "people SL": "service level of the contacts that reached people",
    "occ.": "occupancy",
    "aband.": "abandonment rate",
    "wait": "mean wait",
    "p90 wait": "90th percentile wait",
    "CSAT": "mean satisfaction (1-5)",
}
