"""A pool's people over the whole run, planned before the simulation starts.

Who leaves, who is hired and who is absent on a day depend on time and headcount only,
never on the queue, so a pool's whole workforce can be drawn up front as a pure function
of its ``workforce`` settings, the calendar and two named streams (``workforce/<pool>``
for tenures, leaving and hiring; ``absence/<pool>`` for absent days): changing one pool
never reshuffles another's people, and two staffing variants of a desk see the same
leavers and absences wherever their people agree. The engine then only replays the plan's
headcount events and asks each serving agent's learning factor
(docs/scenario-format.md, "Pools: workforce", has every rule written out).

The plan is in people, not in positions on a shift: an event says that someone joined
the floor, left, or is absent; how that changes the agents on duty (an always-on pool's
count, or a shift line short of one person) is the engine's staffing rule.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace as replace_person
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from simdesk.calendar import DAY, MONTH, Calendar, Period, PeriodKind
from simdesk.scenario import (
    DEFAULT_COST_PER_HIRE,
    FIRST_DAYS,
    Absence,
    Attrition,
    Hiring,
    HiringClass,
    Learning,
    Pool,
    ReplaceHiring,
    UpToHiring,
    Workforce,
)
from simdesk.shifts import headcount_changes
from simdesk.streams import Streams
from simdesk.tally import PeopleCount

__all__ = [
    "EventKind",
    "HeadcountEvent",
    "LearningCurve",
    "PeriodCount",
    "Person",
    "TenureMix",
    "WorkforcePlan",
    "cost_per_hire",
    "hiring_policy",
    "learning_factor",
    "plan_for",
    "plan_workforce",
]

# The exponential curve's excess over 1 shrinks by e every third of the ramp (95% gone at
# its end), and is then rescaled to be exactly 0 at the end: most of the learning early.
EXP_RATE_PER_RAMP = 3.0
# A yearly attrition rate is leavers per head per year of this mean length.
YEAR = 12 * MONTH

EventKind = Literal["hire", "join", "back", "absent", "leave"]
# At one instant: hires and arrivals on the floor before departures (``HeadcountEvent.rank``
# 0 to 4), so a person who joins and is absent at the same instant is first on, then off,
# and the count never dips below 0.
# People whose days of absence are drawn in one numpy block (bounds the block's memory).
_ABSENCE_ROWS = 1024


@dataclass(frozen=True)
class Person:
    """One member of a pool's staff over the run.

    ``hired_at`` is the first day of training (for existing staff, time 0 minus their
    tenure: negative, or ``-inf`` for "long-standing"); ``available_from`` is the first
    moment on the floor (``hired_at`` + training); ``leaves_at`` is when they leave, which
    may lie past the end of the run (``inf`` without attrition).
    """

    id: int
    initial: bool
    hired_at: float
    available_from: float
    leaves_at: float

    def tenure(self, t: float) -> float:
        """Seconds since hire at time ``t`` (training included)."""
        return t - self.hired_at

    def employed(self, t: float) -> bool:
        """Employed at ``t``: paid, whether in training or on the floor."""
        return (self.initial or self.hired_at <= t) and t < self.leaves_at


class HeadcountEvent(NamedTuple):
    """A change to a pool's people at time ``t``: ``on_duty`` is the change in people on
    the floor and present (+1, -1 or 0), ``employed`` the change in people employed.
    ``rank`` is the event's place at one instant (hire, join, back, absent, leave), so
    that events sort as plain tuples: by time, rank, then person."""

    t: float
    rank: int
    person: int
    kind: EventKind
    on_duty: int
    employed: int


@dataclass(frozen=True)
class PeriodCount:
    """People employed in one period: ``start + hires - leavers == end`` exactly."""

    period: Period
    start: int
    hires: int
    leavers: int
    end: int


@dataclass(frozen=True)
class TenureMix:
    """The people employed at a moment by experience: ``new`` are in training (paid, not
    on the floor), ``nesting`` on the floor and still slower than proficient (inside the
    learning ramp), ``proficient`` the rest. Without ``learning`` nobody is nesting."""

    new: int
    nesting: int
    proficient: int


@dataclass(frozen=True)
class LearningCurve:
    """Handle-time factor of a person by time on the floor (docs/scenario-format.md,
    "Learning"): ``start`` on the first day, falling to exactly 1.0 after ``ramp``."""

    start: float
    ramp: float
    shape: Literal["exponential", "linear"]
    fcr_start: float | None = None

    @classmethod
    def of(cls, learning: Learning) -> LearningCurve:
        return cls(learning.start, learning.months * MONTH, learning.shape, learning.fcr_start)

    def remaining(self, on_floor: float) -> float:
        """Share of the new hire's gap still to close: 1 on the first day, 0 at the end of
        the ramp and after."""
        if on_floor <= 0.0:
            return 1.0
        if on_floor >= self.ramp:
            return 0.0
        if self.shape == "linear":
            return 1.0 - on_floor / self.ramp
        floor = math.exp(-EXP_RATE_PER_RAMP)
        return (math.exp(-EXP_RATE_PER_RAMP * on_floor / self.ramp) - floor) / (1.0 - floor)

    def factor(self, on_floor: float) -> float:
        """Multiplier on the proficient handle-time draw."""
        return 1.0 + (self.start - 1.0) * self.remaining(on_floor)

    def fcr_factor(self, on_floor: float) -> float:
        """Multiplier on the pool's first-contact resolution (1 without ``fcr_start``)."""
        if self.fcr_start is None:
            return 1.0
        return 1.0 - (1.0 - self.fcr_start) * self.remaining(on_floor)


def learning_factor(learning: Learning | None, on_floor: float) -> float:
    """Handle-time factor of someone ``on_floor`` seconds after their first day on the
    floor; 1.0 without a learning curve."""
    return 1.0 if learning is None else LearningCurve.of(learning).factor(on_floor)


def hiring_policy(pool: Pool) -> Hiring | None:
    """The hiring a pool follows: as written, else none in-house and replacement of each
    leaver with the default lead time at a vendor (its contract keeps the team staffed)."""
    wf = pool.workforce
    if wf is None or wf.hiring == "none":
        return None
    if wf.hiring is not None:
        return wf.hiring
    if pool.kind == "vendor":
        return Hiring(replace=ReplaceHiring())
    return None


def cost_per_hire(pool: Pool) -> float:
    """As written, else the published in-house figure; a vendor's hires cost the desk
    nothing beyond its price (the vendor recruits and trains)."""
    wf = pool.workforce
    if wf is not None and wf.cost_per_hire is not None:
        return wf.cost_per_hire
    return DEFAULT_COST_PER_HIRE if pool.kind == "inhouse" else 0.0


class _Hazard:
    """Leaving as a piecewise-constant hazard over tenure: ``early`` per second in the
    first 90 days after hire, ``late`` after; times to leaving by inverting the
    cumulative hazard at an exponential(1) draw."""

    def __init__(self, attrition: Attrition | None) -> None:
        self.late = 0.0 if attrition is None else attrition.yearly / YEAR
        early = None if attrition is None else attrition.first_90_days
        self.early = self.late if early is None else -math.log1p(-early) / FIRST_DAYS

    def cumulative(self, tenure: float) -> float:
        if tenure <= FIRST_DAYS:
            return self.early * tenure
        return self.early * FIRST_DAYS + self.late * (tenure - FIRST_DAYS)

    def tenure_at(self, cumulative: float) -> float:
        first = self.early * FIRST_DAYS
        if cumulative <= first and self.early > 0.0:
            return cumulative / self.early
        if self.late == 0.0:
            return math.inf
        return FIRST_DAYS + (cumulative - first) / self.late

    def leaves_at(self, hired_at: float, known_at: float, e: float) -> float:
        """Leave time of someone hired at ``hired_at`` and still employed at ``known_at``,
        given an exponential(1) draw ``e``."""
        if not math.isfinite(hired_at):  # long-standing: past the first 90 days
            return known_at + e / self.late if self.late > 0.0 else math.inf
        tenure = known_at - hired_at
        return hired_at + self.tenure_at(self.cumulative(tenure) + e)


@dataclass(frozen=True)
class WorkforcePlan:
    """A pool's people over one run, and the headcount events the engine replays.

    ``employed_at_start`` and ``on_duty_at_start`` count the existing staff just before
    time 0 (on duty: out of training); ``events`` are every change from time 0 (included)
    to the end of the run, in time order (at one instant: hire, join, back, absent,
    leave, then by person).
    """

    pool: str
    calendar: Calendar
    people: tuple[Person, ...]
    events: tuple[HeadcountEvent, ...]
    employed_at_start: int
    on_duty_at_start: int
    curve: LearningCurve | None
    shrinkage: float
    cost_per_hire: float

    def on_duty_at(self, t: float) -> int:
        """People on the floor and present just after every event at ``t``."""
        return self.on_duty_at_start + sum(e.on_duty for e in self.events if e.t <= t)

    def employed_before(self, t: float) -> int:
        """People employed just before ``t`` (the start of a period that begins at ``t``)."""
        return self.employed_at_start + sum(e.employed for e in self.events if e.t < t)

    def counts(self, kind: PeriodKind) -> list[PeriodCount]:
        """Employed at each period's start and end, hires and leavers in it."""
        hires = np.sort([p.hired_at for p in self.people if not p.initial])
        leaves = np.sort([p.leaves_at for p in self.people])
        initial = sum(p.initial for p in self.people)

        def before(t: float) -> int:
            hired = int(np.searchsorted(hires, t, side="left"))
            left = int(np.searchsorted(leaves, t, side="left"))
            return initial + hired - left

        out: list[PeriodCount] = []
        for period in self.calendar.periods(kind):
            start, end = before(period.t0), before(period.t1)
            n_hires = int(
                np.searchsorted(hires, period.t1, "left") - np.searchsorted(hires, period.t0)
            )
            out.append(PeriodCount(period, start, n_hires, start + n_hires - end, end))
        return out

    def people_counts(self, spans: Sequence[tuple[float, float]]) -> list[PeopleCount]:
        """Each span ``[t0, t1)``'s people (``tally.PeopleCount``): employed just before
        its start and just before its end, hires and leavers in it, and the tenure mix of
        the people counted at its end, judged just before the end (someone whose training
        ends exactly then is still new). Spans that tile a longer one give its counts:
        hires and leavers add up, and one span's end is the next one's start."""
        initial = np.array([p.initial for p in self.people], dtype=bool)
        hired_at = np.array([p.hired_at for p in self.people], dtype=np.float64)
        available = np.array([p.available_from for p in self.people], dtype=np.float64)
        leaves = np.array([p.leaves_at for p in self.people], dtype=np.float64)
        hires = np.sort(hired_at[~initial])
        leaving = np.sort(leaves)
        n_initial = int(initial.sum())
        ramp = -math.inf if self.curve is None else self.curve.ramp

        def before(t: float) -> int:
            hired = int(np.searchsorted(hires, t, side="left"))
            return n_initial + hired - int(np.searchsorted(leaving, t, side="left"))

        out: list[PeopleCount] = []
        for t0, t1 in spans:
            start, end = before(t0), before(t1)
            n_hires = int(np.searchsorted(hires, t1, "left") - np.searchsorted(hires, t0, "left"))
            employed = (initial | (hired_at < t1)) & (leaves >= t1)
            new = employed & (available >= t1)
            nesting = employed & ~new & (t1 - available <= ramp)
            n_new, n_nesting = int(new.sum()), int(nesting.sum())
            out.append(PeopleCount(start, n_hires, start + n_hires - end, end, n_new,
                                   n_nesting, end - n_new - n_nesting))
        return out

    def tenure_mix(self, t: float) -> TenureMix:
        new = nesting = proficient = 0
        for p in self.people:
            if not p.employed(t):
                continue
            if t < p.available_from:
                new += 1
            elif self.curve is not None and t - p.available_from < self.curve.ramp:
                nesting += 1
            else:
                proficient += 1
        return TenureMix(new, nesting, proficient)

    def factor(self, person: int, t: float) -> float:
        """Handle-time factor of one person at ``t`` (1.0 without learning)."""
        if self.curve is None:
            return 1.0
        return self.curve.factor(t - self.people[person].available_from)

    def fcr_factor(self, person: int, t: float) -> float:
        """First-contact-resolution factor of one person at ``t`` (1.0 without
        ``learning.fcr_start``)."""
        if self.curve is None:
            return 1.0
        return self.curve.fcr_factor(t - self.people[person].available_from)


def plan_for(pool: Pool, calendar: Calendar, streams: Streams) -> WorkforcePlan | None:
    """The plan of one pool from its named streams; None for a pool without workforce
    settings (the engine then runs exactly as before)."""
    if pool.workforce is None:
        return None
    return plan_workforce(
        pool,
        calendar,
        streams.generator(f"workforce/{pool.name}"),
        streams.generator(f"absence/{pool.name}"),
    )


def plan_workforce(
    pool: Pool,
    calendar: Calendar,
    people_rng: np.random.Generator,
    absence_rng: np.random.Generator,
) -> WorkforcePlan:
    """Draw one pool's people over the run.

    Draw order (so that one setting's draws do not move another's): ``people_rng`` is
    split into three children, for the existing staff's leaving, their tenures, and the
    hires' leaving (in order of hire); ``absence_rng`` into the day levels and one row of
    days per person (in order of id), so someone's absences do not depend on who else was
    hired.
    """
    wf = pool.workforce
    if wf is None:
        raise ValueError(f"pool {pool.name!r} has no workforce settings")
    leave_rng, tenure_rng, hire_rng = people_rng.spawn(3)
    hazard = _Hazard(wf.attrition)
    end = calendar.end
    people = _existing_staff(pool.people, wf, hazard, leave_rng, tenure_rng)
    hired = _Hiring(wf, hazard, hire_rng, calendar, people)
    hired.run(hiring_policy(pool), headcount_changes(pool, calendar) if pool.headcounts else ())
    people = hired.people
    absences = _absences(wf.absence, people, calendar, absence_rng)
    events = _events(people, absences, end)
    curve = None if wf.learning is None else LearningCurve.of(wf.learning)
    return WorkforcePlan(
        pool=pool.name,
        calendar=calendar,
        people=tuple(people),
        events=tuple(events),
        employed_at_start=sum(p.initial for p in people),
        on_duty_at_start=sum(p.initial and p.available_from < 0.0 for p in people),
        curve=curve,
        shrinkage=wf.shrinkage,
        cost_per_hire=cost_per_hire(pool),
    )


def _existing_staff(
    n: int,
    wf: Workforce,
    hazard: _Hazard,
    leave_rng: np.random.Generator,
    tenure_rng: np.random.Generator,
) -> list[Person]:
    e = leave_rng.exponential(1.0, n)
    if wf.tenure is None:
        tenures: npt.NDArray[np.float64] = np.full(n, math.inf)
    elif isinstance(wf.tenure, tuple):
        tenures = np.array(wf.tenure, dtype=float)
    else:
        tenures = wf.tenure.sample(tenure_rng, n)
    out: list[Person] = []
    for i in range(n):
        hired_at = -float(tenures[i])
        out.append(
            Person(
                id=i,
                initial=True,
                hired_at=hired_at,
                available_from=hired_at + wf.training,
                leaves_at=hazard.leaves_at(hired_at, 0.0, float(e[i])),
            )
        )
    return out


_LEAVE, _HIRE, _REVIEW, _TARGET = 0, 1, 2, 3
# What a hire was ordered for: a class (never cancelled) or to make up a headcount (a
# replacement, up_to, a dated headcount), which a falling dated headcount cancels first.
_CLASS, _MAKE_UP = 0, 1


class _Hiring:
    """Hires over the run under one policy, by walking leaves, hires, reviews and dated
    headcounts in time order (a leave may call for a replacement; a review counts who is
    employed; a dated headcount hires or releases people to meet it)."""

    def __init__(
        self,
        wf: Workforce,
        hazard: _Hazard,
        rng: np.random.Generator,
        calendar: Calendar,
        people: list[Person],
    ) -> None:
        self.wf = wf
        self.hazard = hazard
        self.rng = rng
        self.calendar = calendar
        self.people = list(people)
        self.employed = len(people)
        self.ordered = 0  # hires decided on but not yet started
        self.making_up = 0  # of those, hires that make up a headcount (not a class)
        self.cancelled = 0  # make-up hires still in the heap that will not start
        # (time, kind, sequence, person for a leave or _CLASS/_MAKE_UP for a hire)
        self._heap: list[tuple[float, int, int, int]] = []
        self._seq = 0

    def _push(self, t: float, kind: int, arg: int = -1) -> None:
        """``kind``: _LEAVE, _HIRE, _REVIEW or _TARGET, also their order at one instant."""
        if t < self.calendar.end:
            heapq.heappush(self._heap, (t, kind, self._seq, arg))
            self._seq += 1

    def run(self, policy: Hiring | None, targets: Sequence[tuple[float, int]] = ()) -> None:
        """Hire under ``policy``; ``targets`` are the dated headcounts (time, people) the
        plan keeps from each time on (docs/scenario-format.md, "In the run")."""
        for p in self.people:
            self._push(p.leaves_at, _LEAVE, p.id)
        replace: ReplaceHiring | None = None
        up_to: UpToHiring | None = None
        if policy is not None:
            replace, up_to = policy.replace, policy.up_to
            for cls in policy.classes or ():
                self._class(cls)
            if up_to is not None:
                for t in self._reviews():
                    self._push(t, _REVIEW)
        for i, (t, _) in enumerate(targets):
            self._push(t, _TARGET, i)
        while self._heap:
            t, kind, _, arg = heapq.heappop(self._heap)
            if kind == _LEAVE:
                if self.people[arg].leaves_at != t:
                    continue  # released earlier by a falling dated headcount
                self.employed -= 1
                if replace is not None:
                    self._order(t + replace.lead_time - self.wf.training, _MAKE_UP)
            elif kind == _HIRE:
                if arg == _MAKE_UP:
                    self.making_up -= 1
                    if self.cancelled:
                        self.cancelled -= 1
                        self.ordered -= 1
                        continue
                self._hire(t)
            elif kind == _TARGET:
                self._meet(t, targets[arg][1])
            elif up_to is not None:
                wanted = self._target(up_to, t + up_to.lead_time)
                for _ in range(max(0, wanted - self.employed - self.ordered)):
                    self._order(t + up_to.lead_time - self.wf.training, _MAKE_UP)

    def _meet(self, t: float, wanted: int) -> None:
        """A dated headcount from ``t``: hire the missing people now (in training first),
        counting the make-up hires already ordered; or cancel those, then release the
        people hired last (in training first) until ``wanted`` are employed."""
        pending = self.making_up - self.cancelled
        short = wanted - self.employed - pending
        if short > 0:
            for _ in range(short):
                self._order(t, _MAKE_UP)
            return
        drop = min(-short, pending)
        self.cancelled += drop
        self.ordered -= drop
        release = self.employed - wanted
        if release <= 0:
            return
        employed = [p for p in self.people if p.employed(t)]
        employed.sort(key=lambda p: (p.hired_at, p.id), reverse=True)
        for p in employed[:release]:
            self.people[p.id] = replace_person(p, leaves_at=t)
            self.employed -= 1

    def _class(self, cls: HiringClass) -> None:
        t = self.calendar.time_of(cls.date)
        for _ in range(cls.count):
            self._order(t, _CLASS)

    def _order(self, hire_at: float, why: int) -> None:
        if hire_at < self.calendar.end:
            self.ordered += 1
            if why == _MAKE_UP:
                self.making_up += 1
            self._push(hire_at, _HIRE, why)

    def _hire(self, t: float) -> None:
        self.ordered -= 1
        self.employed += 1
        e = float(self.rng.exponential(1.0))
        person = Person(
            id=len(self.people),
            initial=False,
            hired_at=t,
            available_from=t + self.wf.training,
            leaves_at=self.hazard.leaves_at(t, t, e),
        )
        self.people.append(person)
        self._push(person.leaves_at, _LEAVE, person.id)

    def _reviews(self) -> list[float]:
        """Time 0 and the first day of every month (every mean month without dates)."""
        out = [0.0]
        cal = self.calendar
        if cal.start is None:
            t = MONTH
            while t < cal.end:
                out.append(t)
                t += MONTH
            return out
        first = cal.date_at(0.0)
        assert first is not None
        year, month = first.year, first.month
        while True:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            t = cal.time_of(first.replace(year=year, month=month, day=1))
            if t >= cal.end:
                return out
            out.append(t)

    def _target(self, up_to: UpToHiring, t: float) -> int:
        if isinstance(up_to.target, int):
            return up_to.target
        d = self.calendar.date_at(t)
        assert d is not None
        wanted = 0  # before the first month given: no hiring
        for key in sorted(up_to.target):
            if key <= d:
                wanted = up_to.target[key]
        return wanted


def _day_starts(calendar: Calendar) -> npt.NDArray[np.float64]:
    """Starts of the calendar days the run touches (the first may begin before time 0)."""
    starts = [calendar.next_midnight(0.0) - DAY]
    while (following := calendar.next_midnight(starts[-1])) < calendar.end:
        starts.append(following)
    return np.array(starts)


def _absences(
    absence: Absence | None,
    people: list[Person],
    calendar: Calendar,
    rng: np.random.Generator,
) -> list[list[tuple[float, float]]]:
    """Each person's absent spells ``[from, to)``: whole calendar days on which they were
    on the floor at midnight and drew below the day's absence probability; consecutive
    days make one spell, and a spell ends early if they leave."""
    out: list[list[tuple[float, float]]] = [[] for _ in people]
    if absence is None or absence.daily == 0.0:
        return out
    level_rng, person_rng = rng.spawn(2)
    starts = _day_starts(calendar)
    n = len(starts)
    p = absence.daily
    if absence.correlation > 0.0:
        # Beta(a, b) with mean p: two agents' absences on one day then correlate by
        # 1 / (a + b + 1) = correlation (the beta-binomial model).
        total = 1.0 / absence.correlation - 1.0
        levels = level_rng.beta(p * total, (1.0 - p) * total, n)
    else:
        levels = np.full(n, p)
    ends = np.append(starts[1:], calendar.end)
    available = np.array([p.available_from for p in people])
    leaves = np.array([p.leaves_at for p in people])
    for first in range(0, len(people), _ABSENCE_ROWS):
        last = min(first + _ABSENCE_ROWS, len(people))
        # One row of days per person, drawn in order of id (as row-by-row draws would be).
        draws = person_rng.random((last - first, n))
        eligible = (starts >= available[first:last, None]) & (starts < leaves[first:last, None])
        rows, days = np.nonzero(eligible & (draws < levels))
        if rows.size == 0:
            continue
        # Consecutive days of one person make one spell.
        begins = np.flatnonzero(
            np.concatenate(([True], (rows[1:] != rows[:-1]) | (days[1:] != days[:-1] + 1)))
        )
        finals = np.append(begins[1:], rows.size) - 1
        who = rows[begins] + first
        t0 = np.maximum(starts[days[begins]], 0.0)
        t1 = np.minimum(ends[days[finals]], leaves[who])
        for person, a, b in zip(who.tolist(), t0.tolist(), t1.tolist(), strict=True):
            out[person].append((a, b))
    return out


def _events(
    people: list[Person], absences: list[list[tuple[float, float]]], end: float
) -> list[HeadcountEvent]:
    out: list[HeadcountEvent] = []
    add = out.append
    for p in people:
        i = p.id
        if not p.initial and 0.0 <= p.hired_at < end:
            add(HeadcountEvent(p.hired_at, 0, i, "hire", 0, +1))
        if 0.0 <= p.available_from < min(end, p.leaves_at):
            add(HeadcountEvent(p.available_from, 1, i, "join", +1, 0))
        away_at_leave = False
        for t0, t1 in absences[i]:
            add(HeadcountEvent(t0, 3, i, "absent", -1, 0))
            if t1 < min(end, p.leaves_at):
                add(HeadcountEvent(t1, 2, i, "back", +1, 0))
            else:
                away_at_leave = t1 >= p.leaves_at
        if p.leaves_at < end:
            on_floor = p.available_from < p.leaves_at and not away_at_leave
            add(HeadcountEvent(p.leaves_at, 4, i, "leave", -int(on_floor), -1))
    out.sort()  # by time, then rank at one instant, then person: never by kind
    return out
