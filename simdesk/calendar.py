"""The run's clock on the calendar: simulated seconds <-> dates, weekdays, hours, periods.

Every part that asks "what time is it" (arrival rates by hour of the week, shifts, routes
by the clock, recording by hour and by period, staffing by date, demand by month) asks
this one object, so they can never disagree about which weekday or month a moment is.

The rule (docs/scenario-format.md, "Calendar"): ``start`` is the first *measured* day.
The warm-up runs just before it, so simulated time 0 is ``start`` 00:00 minus the
warm-up. Without ``start`` the clock is the historical one: time 0 is a Monday 00:00 (the
warm-up starts then) and there are no dates, only day and week numbers; months, month
weights and dated changes need a ``start``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from simdesk.scenario import Scenario

HOUR = 3600.0
DAY = 86400.0
WEEK = 7 * DAY
# Mean length of a month (365.2425 / 12 days): "2%/month" compounds continuously over it.
MONTH = 30.436875 * DAY

PeriodKind = Literal["day", "week", "month"]


@dataclass(frozen=True)
class Period:
    """One measured period: ``[t0, t1)`` in simulated seconds, clipped to the measured span.

    ``start`` is the calendar date of the period's first day (None without a ``start``);
    ``index`` counts periods from 1. A first or last period may be partial (a warm-up that
    ends mid-day, a horizon that ends mid-week); ``t1 - t0`` says how much was measured.
    """

    kind: PeriodKind
    index: int
    start: date | None
    t0: float
    t1: float

    @property
    def label(self) -> str:
        if self.start is None:
            return f"{self.kind} {self.index}"
        if self.kind == "month":
            return self.start.strftime("%Y-%m")
        return self.start.isoformat()


@dataclass(frozen=True)
class Calendar:
    """Maps simulated seconds to the calendar for one scenario."""

    start: date | None
    warmup: float
    horizon: float

    @classmethod
    def of(cls, s: Scenario) -> Calendar:
        return cls(s.start, s.warmup, s.horizon)

    @property
    def offset(self) -> float:
        """Seconds from a Monday 00:00 to simulated time 0 (0 without a start date): add
        it to a simulated time before taking the hour of the week."""
        if self.start is None:
            return 0.0
        return (self.start.weekday() * DAY - self.warmup) % WEEK

    @property
    def origin(self) -> datetime | None:
        """The calendar moment of simulated time 0."""
        if self.start is None:
            return None
        return datetime.combine(self.start, datetime.min.time()) - timedelta(
            seconds=self.warmup
        )

    @property
    def end(self) -> float:
        """Simulated time at which the run stops."""
        return self.warmup + self.horizon

    def hour_of_week(self, t: float) -> int:
        """0 is Monday 00:00-01:00, 167 Sunday 23:00-24:00."""
        return int((t + self.offset) // HOUR) % 168

    def hour_of_day(self, t: float) -> int:
        return int((t + self.offset) // HOUR) % 24

    def weekday(self, t: float) -> int:
        """0 is Monday."""
        return int((t + self.offset) // DAY) % 7

    def seconds_into_day(self, t: float) -> float:
        return (t + self.offset) % DAY

    def next_hour(self, t: float) -> float:
        """The first hour mark (a whole hour on the clock) strictly after ``t``."""
        return (math.floor((t + self.offset) / HOUR) + 1) * HOUR - self.offset

    def next_midnight(self, t: float) -> float:
        """The first midnight strictly after ``t``."""
        return (math.floor((t + self.offset) / DAY) + 1) * DAY - self.offset

    def moment(self, t: float) -> datetime | None:
        """The calendar moment of simulated time ``t`` (None without a start date)."""
        origin = self.origin
        return None if origin is None else origin + timedelta(seconds=t)

    def date_at(self, t: float) -> date | None:
        m = self.moment(t)
        return None if m is None else m.date()

    def time_of(self, d: date) -> float:
        """Simulated seconds at 00:00 of date ``d``; needs a start date."""
        origin = self.origin
        if origin is None:
            raise ValueError("dates need a start date (the scenario's 'start')")
        return (datetime.combine(d, datetime.min.time()) - origin).total_seconds()

    def months_since_start(self, t: float) -> float:
        """Months (of mean length) since the first measured moment; negative in warm-up."""
        return (t - self.warmup) / MONTH

    def periods(self, kind: PeriodKind) -> list[Period]:
        """The measured span ``[warmup, warmup + horizon)`` cut at midnights (days), Monday
        midnights (weeks) or first days of months (months, which need a start date)."""
        t0, end = self.warmup, self.end
        out: list[Period] = []
        if kind == "month" and self.start is None:
            raise ValueError("periods by month need a start date (the scenario's 'start')")
        while t0 < end - 1e-9:
            t1 = min(self._next_boundary(t0, kind), end)
            out.append(Period(kind, len(out) + 1, self._period_start(t0, kind), t0, t1))
            t0 = t1
        return out

    def _next_boundary(self, t: float, kind: PeriodKind) -> float:
        if kind == "day":
            return self.next_midnight(t)
        if kind == "week":
            return (math.floor((t + self.offset) / WEEK) + 1) * WEEK - self.offset
        d = self.date_at(t)
        assert d is not None
        first = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        return self.time_of(first)

    def _period_start(self, t: float, kind: PeriodKind) -> date | None:
        d = self.date_at(t)
        if d is None:
            return None
        if kind == "week":
            return d - timedelta(days=d.weekday())
        if kind == "month":
            return d.replace(day=1)
        return d
