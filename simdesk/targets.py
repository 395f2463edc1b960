"""Targets marked met or missed, judged on the replication mean of each figure."""

from __future__ import annotations

import math
from dataclasses import dataclass

from simdesk.confidence import Estimate
from simdesk.scenario import Scenario
from simdesk.units import format_duration


@dataclass(frozen=True)
class TargetVerdict:
    name: str
    figure: str
    goal: str
    value: float
    met: bool


def check_targets(s: Scenario, totals: dict[str, Estimate]) -> list[TargetVerdict]:
    t = s.targets
    out: list[TargetVerdict] = []

    def add(name: str, figure: str, goal: str, ok: bool) -> None:
        value = totals[figure].mean
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
