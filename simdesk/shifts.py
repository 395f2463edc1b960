"""A pool's staffing over a run: shift windows, and headcounts that change on dates.

Everything here asks the run's Calendar where days begin and which weekday and date they
are, so with ``start: 2027-01-06`` (a Wednesday) the first measured day works Wednesday's
shifts; without ``start`` time 0 is a Monday 00:00 as it always was.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import TYPE_CHECKING

from simdesk.calendar import Calendar
from simdesk.scenario import DAY, Shift

if TYPE_CHECKING:
    from simdesk.scenario import Pool, Scenario

Span = tuple[float, float]


def shift_windows(shift: Shift, until: float, cal: Calendar | None = None) -> list[Span]:
    """Merged (start, end) windows in simulated seconds from time 0 up to ``until``.

    A shift whose end is earlier than its start runs overnight into the next day; a shift
    from the day before time 0 that runs past midnight is included. Back-to-back windows
    (00:00-24:00 every day) merge into one so agents are not sent home and back at once.
    A shift with ``from``/``until`` starts only on the days between those dates.
    """
    offset = 0.0 if cal is None else cal.offset
    # Day k begins at k * DAY - offset; day 0 is the Monday of time 0's week.
    monday: date | None = None
    if shift.dated:
        origin = None if cal is None else cal.origin
        if origin is None:
            raise ValueError("a shift between dates needs a start date (the scenario's 'start')")
        monday = (origin - timedelta(seconds=offset)).date()
    length = shift.length
    windows: list[Span] = []
    day = math.floor(offset / DAY) - 1
    while day * DAY - offset < until:
        if day % 7 in shift.days and (
            monday is None or shift.runs_on(monday + timedelta(days=day))
        ):
            start = day * DAY - offset + shift.start
            end = start + length
            if end > 0 and start < until:
                start, end = max(start, 0.0), min(end, until)
                if windows and windows[-1][1] >= start:
                    windows[-1] = (windows[-1][0], max(windows[-1][1], end))
                else:
                    windows.append((start, end))
        day += 1
    return windows


def headcount_changes(pool: Pool, cal: Calendar) -> list[tuple[float, int]]:
    """A pool's always-on headcount over the run: (time, headcount from then), the first
    at time 0, each later one where a date of ``agents`` falls inside the run.

    The headcount at a moment is that of the latest date on or before it. Moments before
    the first date (only the warm-up can be: the first date may not be after ``start``)
    have the first date's headcount, so the warm-up warms up the desk that is measured.
    """
    counts = pool.headcounts
    if counts is None:
        return [(0.0, pool.agents if isinstance(pool.agents, int) else 0)]
    out: list[tuple[float, int]] = [(0.0, counts[0][1])]
    for day, n in counts:
        at = cal.time_of(day)
        if at <= 0.0:
            out[0] = (0.0, n)
        elif at < cal.end and n != out[-1][1]:
            out.append((at, n))
    return out


def staffed_spans(pool: Pool, cal: Calendar) -> list[Span]:
    """When anyone of this pool of people is on duty, over the whole run, merged."""
    if pool.shifts:
        windows = sorted(w for sh in pool.shifts for w in shift_windows(sh, cal.end, cal))
        merged: list[Span] = []
        for start, end in windows:
            if merged and merged[-1][1] >= start:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged
    changes = headcount_changes(pool, cal)
    spans: list[Span] = []
    for (at, n), (nxt, _) in zip(changes, [*changes[1:], (cal.end, 0)], strict=True):
        if n > 0:
            if spans and spans[-1][1] >= at:
                spans[-1] = (spans[-1][0], nxt)
            else:
                spans.append((at, nxt))
    return spans


def mean_agents(
    pool: Pool, s: Scenario, span: tuple[float, float] | None = None
) -> float:
    """Agents on duty on average: over a week for a weekly pattern, over the measured span
    (or ``span``) when the staffing changes on dates."""
    if not pool.dated:
        if isinstance(pool.agents, int):
            return float(pool.agents)
        return sum(
            sh.agents * len(sh.days) * sh.length / (7 * DAY) for sh in pool.shifts or []
        )
    cal = Calendar.of(s)
    t0, t1 = (cal.warmup, cal.end) if span is None else span
    total = 0.0
    if pool.shifts:
        for sh in pool.shifts:
            for a, b in shift_windows(sh, t1, cal):
                total += sh.agents * max(0.0, min(b, t1) - max(a, t0))
    else:
        changes = headcount_changes(pool, cal)
        for (at, n), (nxt, _) in zip(changes, [*changes[1:], (t1, 0)], strict=True):
            total += n * max(0.0, min(nxt, t1) - max(at, t0))
    return total / (t1 - t0)
