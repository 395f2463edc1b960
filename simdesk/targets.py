"""Targets marked met, missed, or not applicable, judged on the replication mean of each
figure: desk-wide targets on the totals, ``targets.people`` on the people's figures
(``people_*``, totals figures), ``targets.pools``/``targets.types`` on that pool's or type's
own figures. ``optimize.judge`` asks this module at the one-sided bounds, so every command
judges exactly the same targets.

A target is *not applicable* ("n/a") when the run cannot say anything about it: on an
overloaded desk whose customers never abandon (no ``customers.patience``), abandonment is
0% by construction while the queue grows without limit, so "abandonment 0.0% met" would
be a false comfort. Such a verdict has ``met = None`` and a reason, and never counts as
met or missed (docs/figures.md, "Targets").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from simdesk.confidence import Estimate
from simdesk.scenario import Scenario, ScopeTargets, overload_without_patience
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
    threshold: float = math.nan
    """The goal as a number (``0.8`` for ">= 80% within 20s")."""
    sense: int = 0
    """+1 for an "at least" goal, -1 for an "at most" one."""

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


def _goal_sl(at_least: float, within: float) -> str:
    return f">= {at_least:.0%} within {format_duration(within)}"


def check_targets(
    s: Scenario,
    totals: Mapping[str, Estimate],
    pools: Mapping[str, Mapping[str, Estimate]] | None = None,
    types: Mapping[str, Mapping[str, Estimate]] | None = None,
    overloaded: bool | None = None,
) -> list[TargetVerdict]:
    """Every target of the scenario, in a fixed order: desk-wide, people, per pool, per type.

    Desk-wide and people targets are judged on ``totals`` (the people's figures are totals
    figures, ``people_*``). Per-pool and per-type targets need ``pools`` and ``types``;
    without them (an interval of the day judged alone, in ``simdesk staff``) they are left
    out. ``overloaded`` is ``overload_without_patience(s) is not None``, for a caller that
    judges many scopes of one scenario (it weighs routes by the clock minute by minute).
    """
    t = s.targets
    out: list[TargetVerdict] = []
    if overloaded is None:
        overloaded = overload_without_patience(s) is not None

    def add(
        name: str,
        figure: str,
        scope: Mapping[str, Estimate],
        key: str,
        goal: str,
        at_least: float | None = None,
        at_most: float | None = None,
        na: bool = False,
    ) -> None:
        est = scope.get(key)
        value = math.nan if est is None else est.mean
        if at_least is not None:
            threshold, sense, ok = at_least, 1, value >= at_least
        else:
            assert at_most is not None
            threshold, sense, ok = at_most, -1, value <= at_most
        if na:
            out.append(
                TargetVerdict(
                    name, figure, goal, value, None, OVERLOADED, OVERLOADED_REASON,
                    threshold, sense,
                )
            )
            return
        met = bool(ok and not math.isnan(value))
        out.append(TargetVerdict(name, figure, goal, value, met, None, None, threshold, sense))

    if t.service_level is not None:
        sl = t.service_level
        add("service level", "service_level", totals, "service_level",
            _goal_sl(sl.at_least, sl.within), at_least=sl.at_least)
    if t.max_abandonment is not None:
        add("abandonment", "abandonment_rate", totals, "abandonment_rate",
            f"<= {t.max_abandonment:.1%}", at_most=t.max_abandonment, na=overloaded)
    if t.min_satisfaction is not None:
        add("satisfaction", "csat_mean", totals, "csat_mean",
            f">= {t.min_satisfaction:g}", at_least=t.min_satisfaction)
    if t.budget is not None:
        add("budget", "cost_total", totals, "cost_total", f"<= {t.budget:,.0f}",
            at_most=t.budget)

    def scoped(label: str, goals: ScopeTargets, scope: Mapping[str, Estimate],
               prefix: str, path: str) -> None:
        if goals.service_level is not None:
            at = goals.service_level.at_least
            key = prefix + "service_level"
            add(f"{label} service level", path + key, scope, key,
                _goal_sl(at, t.within), at_least=at)
        if goals.max_abandonment is not None:
            cap = goals.max_abandonment
            key = prefix + "abandonment_rate"
            add(f"{label} abandonment", path + key, scope, key, f"<= {cap:.1%}",
                at_most=cap, na=overloaded)
        if goals.min_satisfaction is not None:
            floor = goals.min_satisfaction
            key = prefix + "csat_mean"
            add(f"{label} satisfaction", path + key, scope, key, f">= {floor:g}",
                at_least=floor)

    if t.people is not None:
        scoped("people", t.people, totals, "people_", "")
    if pools is not None:
        for name, goals in t.pools.items():
            scoped(f"pool {name}:", goals, pools.get(name, {}), "", f"pools.{name}.")
    if types is not None:
        for name, goals in t.types.items():
            scoped(f"type {name}:", goals, types.get(name, {}), "", f"types.{name}.")
    return out
