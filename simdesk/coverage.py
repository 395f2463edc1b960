"""Warnings about who is there to answer: pools no route uses, and times a route has nobody.

A route whose people pools all have nobody on duty sends its contacts to wait in its last
pool until someone comes (docs/rules.md, "Pools with nobody on duty"); the run is valid,
but what it measures is rarely what was meant, so the times are named, by weekday and
clock time, over the measured span: ``billing: no staffed pool Mon-Thu 22:00-08:00,
Fri 22:00-Mon 08:00``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simdesk.calendar import WEEK, Calendar
from simdesk.shifts import Span, staffed_spans
from simdesk.weekly import MINUTES_PER_WEEK, NONE, alternative_table, describe, mark

if TYPE_CHECKING:
    from simdesk.scenario import Scenario


def unused_pools(s: Scenario) -> list[str]:
    """Warnings for pools that no route visits: they answer nobody but are still paid."""
    used = {p for t in s.type_names for p in s.route_pools(t)}
    out: list[str] = []
    for pool in s.pools:
        if pool.name in used:
            continue
        text = f"pool '{pool.name}' is in no route: it answers no contact"
        if pool.cost.per_hour > 0:
            text += ", yet its cost per hour is counted in cost_total"
        out.append(text)
    return out


def unstaffed_routes(s: Scenario) -> list[str]:
    """Warnings for the times, in the measured span, at which every people pool of a
    type's route (the alternative in force then) has nobody on duty."""
    cal = Calendar.of(s)
    start = cal.warmup
    end = cal.end
    if not any(p.dated for p in s.pools):
        # A weekly pattern repeats: a week (and a day for shifts running over midnight)
        # shows every time it can leave uncovered.
        end = min(end, start + WEEK + 86400.0)
    staffed: dict[str, list[Span]] = {
        p.name: staffed_spans(p, cal) for p in s.pools if not p.is_bot
    }
    out: list[str] = []
    for t in s.type_names:
        routes = s.routes_for(t)
        if len(routes) == 1:
            spans: list[list[Span]] = [[(start, end)]]
        else:
            spans = _alternative_spans(alternative_table(routes), len(routes), cal, start, end)
        mask = [False] * MINUTES_PER_WEEK
        for route, active in zip(routes, spans, strict=True):
            people = [p for p in route.path if p in staffed]
            if not people:
                continue  # a bot alone: always there
            covered = _union([w for p in people for w in staffed[p]])
            for a, b in _minus(active, covered):
                _mark_clock(mask, a + cal.offset, b + cal.offset)
        if any(mask):
            out.append(
                f"{t}: no staffed pool {describe(mask)}; its contacts then wait in the last "
                "pool of their route until someone comes on duty or they give up"
            )
    return out


def _alternative_spans(
    table: list[int], count: int, cal: Calendar, start: float, end: float
) -> list[list[Span]]:
    """When each alternative is in force within [start, end), in simulated seconds."""
    out: list[list[Span]] = [[] for _ in range(count)]
    runs: list[tuple[int, int, int]] = []  # (first minute, end minute, alternative)
    minute = 0
    while minute < MINUTES_PER_WEEK:
        stop = minute
        while stop < MINUTES_PER_WEEK and table[stop] == table[minute]:
            stop += 1
        runs.append((minute, stop, table[minute]))
        minute = stop
    # Simulated time of the Monday 00:00 on or before ``start``.
    base = start - ((start + cal.offset) % WEEK)
    while base < end:
        for first, stop, index in runs:
            a = max(base + first * 60.0, start)
            b = min(base + stop * 60.0, end)
            if index != NONE and a < b:
                spans = out[index]
                if spans and spans[-1][1] >= a:
                    spans[-1] = (spans[-1][0], b)
                else:
                    spans.append((a, b))
        base += WEEK
    return out


def _union(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for a, b in sorted(spans):
        if merged and merged[-1][1] >= a:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _minus(spans: list[Span], holes: list[Span]) -> list[Span]:
    """The parts of ``spans`` outside ``holes`` (both sorted, ``holes`` merged)."""
    out: list[Span] = []
    for a, b in spans:
        at = a
        for h0, h1 in holes:
            if h1 <= at:
                continue
            if h0 >= b:
                break
            if h0 > at:
                out.append((at, h0))
            at = max(at, h1)
            if at >= b:
                break
        if at < b:
            out.append((at, b))
    return out


def _mark_clock(mask: list[bool], a: float, b: float) -> None:
    """Mark the minutes of the week in clock seconds [a, b). Every clock time of the
    format is a whole minute, so the ends are rounded to one (a measured span that starts
    mid-minute, or float noise where two shifts meet, marks nothing)."""
    first = round(a / 60)
    last = round(b / 60)
    if last > first:
        mark(mask, first, last)
