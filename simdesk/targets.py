"""Targets marked met, missed, or not applicable, judged on the replication mean of each
figure.

A target is *not applicable* ("n/a") when the run cannot say anything about it: on an
overloaded desk whose customers never abandon (no ``customers.patience``), abandonment is
0% by construction while the queue grows without limit, so "abandonment 0.0% met" would
be a false comfort. Such a verdict has ``met = None`` and a reason, and never counts as
met or missed (docs/figures.md, "Targets").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from simdesk.confidence import Estimate
from simdesk.scenario import Scenario, overload_without_patience
from simdesk.units import format_duration

Status = Literal["met", "missed", "n/a"]


@dataclass(frozen=True)
class TargetVerdict:
    name: str
    figure: str
    goal: str
    value: float
    met: bool | None
    """True met, False missed, None not applicable (see ``why``)."""
    why: str | None = None
    """Short, for a table cell: ``n/a (overloaded)``."""
    reason: str | None = None
    """The whole reason, for --json and the docs."""

    @property
    def status(self) -> Status:
        if self.met is None:
            return "n/a"
        return "met" if self.met else "missed"


OVERLOADED = "overloaded"
OVERLOADED_REASON = (
    "overloaded desk whose customers never abandon (no customers.patience): abandonment is "
    "0% by construction while the queue grows without limit"
)


def check_targets(s: Scenario, totals: dict[str, Estimate]) -> list[TargetVerdict]:
    t = s.targets
    out: list[TargetVerdict] = []
    overloaded = overload_without_patience(s) is not None

    def add(name: str, figure: str, goal: str, ok: bool, na: bool = False) -> None:
        value = totals[figure].mean
        if na:
            verdict = TargetVerdict(name, figure, goal, value, None, OVERLOADED, OVERLOADED_REASON)
            out.append(verdict)
            return
        out.append(TargetVerdict(name, figure, goal, value, bool(ok and not math.isnan(value))))

    if t.service_level is not None:
        sl = t.service_level
        add(
            "service level",
            "service_level",
            f">= {sl.at_least:.0%} within {format_duration(sl.within)}",
            totals["service_level"].mean >= sl.at_least,
        )
    if t.max_abandonment is not None:
        add(
            "abandonment",
            "abandonment_rate",
            f"<= {t.max_abandonment:.1%}",
            totals["abandonment_rate"].mean <= t.max_abandonment,
            na=overloaded,
        )
    if t.min_satisfaction is not None:
        add(
            "satisfaction",
            "csat_mean",
            f">= {t.min_satisfaction:g}",
            totals["csat_mean"].mean >= t.min_satisfaction,
        )
    if t.budget is not None:
        add("budget", "cost_total", f"<= {t.budget:,.0f}", totals["cost_total"].mean <= t.budget)
    return out
