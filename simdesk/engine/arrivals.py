"""Arrivals: where new contacts come from, and follow-ups (retries, repeats).

Fresh contacts come from an ``ArrivalSource``: an endless iterator of (arrival time,
draws) in time order, independent of what the desk does with them. ``ProfileArrivals``
is the Poisson source with a rate by hour of the week (``demand``), shaped over the
calendar when the demand says so (``rates.HourlyRates``); ``TraceArrivals`` replays a
trace file (``traces``); ``arrival_source`` picks the one the scenario asks for. The
desk starts each contact at its time and, while the next arrival comes before every
other scheduled event, starts that one too without an event: the order is unchanged
because the comparison is strict.

Follow-ups are endogenous (an abandoner retries, an unresolved contact repeats), so they
are scheduled by the parts that decide them and draw from their own streams.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import chain, islice
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from mypy_extensions import mypyc_attr

from simdesk.calendar import Calendar
from simdesk.customers import BATCH, FreshCustomers, FreshRow
from simdesk.engine.contact import Inquiry, Journey
from simdesk.engine.heap import NORMAL
from simdesk.engine.loop import HOUR
from simdesk.engine.service import ServicePart
from simdesk.errors import Problem, SimdeskError
from simdesk.limits import MAX_FOLLOWUPS_AT_ONE_INSTANT
from simdesk.rates import HourlyRates, busyness_factors, weekly_rates
from simdesk.traces import replay, trace_info

if TYPE_CHECKING:
    from simdesk.scenario import Scenario
    from simdesk.streams import Streams

WEEK = 168 * HOUR


class ArrivalSource(Protocol):
    """Fresh arrivals in time order: (arrival time in seconds from 0, the contact's draws
    as in ``customers.FreshRow``). Endless; a time of ``inf`` or past the run's end means
    no more arrivals."""

    def __iter__(self) -> Iterator[tuple[float, FreshRow]]: ...


class ArrivalClock:
    """Turns Exp(1) gaps into arrival times of a Poisson process with an hourly rate.

    The rate is piecewise constant per hour of the week; inverting its integral keeps one
    Exp(1) draw per arrival, so the arrival stream stays aligned across scenarios. A gap
    longer than a week's worth of arrivals skips whole weeks at once (the integral over
    any week is the same), and an arrival after the end of the run is ``inf``: however
    small the rate, finding the next arrival walks at most a week of hours.
    """

    def __init__(self, s: Scenario) -> None:
        rate = s.demand.mean_rate
        self.rates = [rate * s.demand.rate_multiplier(h) for h in range(168)]
        self.flat = rate if len(set(self.rates)) == 1 else None
        self.week = math.fsum(self.rates) * HOUR  # expected arrivals in any one week
        self.end = s.warmup + s.horizon

    def next_time(self, t: float, e: float) -> float:
        if self.flat is not None:
            return t + e / self.flat
        rates = self.rates
        now = t
        if e > self.week:
            weeks = math.floor(e / self.week)
            now += weeks * WEEK
            e = max(e - weeks * self.week, 0.0)
        while True:
            if now >= self.end:
                return math.inf
            hour = int(now // HOUR)
            r = rates[hour % 168]
            edge = (hour + 1) * HOUR
            if r > 0.0 and e <= r * (edge - now):
                return now + e / r
            e -= r * (edge - now)
            now = edge

    def times(self, t: float, gaps: Any) -> list[float]:
        """``next_time`` over a batch of gaps, from the previous arrival at ``t``: the very
        same floats, computed a run of arrivals at a time (``_in_hour``); an arrival
        that leaves its hour, or any other case, takes ``next_time`` itself."""
        n = len(gaps)
        if self.flat is not None:
            times: list[float] = _in_hour(t, gaps, self.flat, math.inf)[0].tolist()
            return times
        out: list[float] = []
        rates, end, week = self.rates, self.end, self.week
        i = 0
        while i < n:
            if t >= end:
                out.extend([math.inf] * (n - i))
                break
            hour = int(t // HOUR)
            r = rates[hour % 168]
            edge = (hour + 1) * HOUR
            if r > 0.0 and r * (edge - t) >= MIN_RUN:
                run, m = _in_hour(t, gaps[i:], r, edge, end, week)
                if m:
                    out.extend(run.tolist())
                    t = out[-1]
                    i += m
                    continue
            t = self.next_time(t, float(gaps[i]))
            out.append(t)
            i += 1
        return out


MIN_RUN = 16.0
"""Expected arrivals left in an hour below which arrivals are timed one by one: a run
of numpy calls costs about what a dozen arrivals timed in Python do."""


def _in_hour(
    t: float, gaps: Any, r: float, edge: float, end: float = math.inf,
    week: float = math.inf,
) -> tuple[Any, int]:
    """The leading arrivals of ``gaps`` that stay in an hour of rate ``r`` ending at
    ``edge``, from the previous arrival at ``t``: their times and how many.

    Bit for bit what arrival-by-arrival code computes: ``now + e / r`` in turn (a
    cumulative sum adds in the same order), for as long as ``e <= r * (edge - now)`` and,
    for the weekly clock, ``now < end`` and ``e <= week``. Only as many gaps as the hour
    can plausibly hold are looked at, so an arrival that leaves the hour costs little."""
    expect = r * (edge - t)
    size = len(gaps)
    if expect != math.inf:
        size = min(size, int(expect + 4.0 * math.sqrt(expect)) + 8)
    e = gaps[:size]
    cum = np.empty(size + 1)
    cum[0] = t
    np.divide(e, r, out=cum[1:])
    cum = np.cumsum(cum)
    if expect == math.inf:
        return cum[1:], size
    prev = cum[:-1]
    ok = e <= r * (edge - prev)
    if end != math.inf:
        ok &= prev < end
    if week != math.inf:
        ok &= e <= week
    m = size if ok.all() else int(ok.argmin())
    return cum[1 : m + 1], m


class CalendarWalk:
    """The arrival clock over the calendar: inverts the integral of a rate that is
    constant within each clock hour (``rates.HourlyRates``). The walk keeps its hour
    between arrivals and moves forward only, so a whole run costs one rate per clock hour
    plus one step per arrival, however the rate varies; past the run's end every arrival
    is at ``inf``."""

    def __init__(self, hourly: HourlyRates, end: float) -> None:
        self.hourly = hourly
        self.end = end
        self.k = hourly.k0
        self.edge = hourly.start(self.k + 1)
        self.r = hourly.rate(self.k)
        self.now = 0.0
        self.over = False  # past the end: every arrival from now on is at inf

    def step(self, e: float) -> float:
        """The next arrival, ``e`` (an Exp(1) gap) after the previous one."""
        if self.over:
            return math.inf
        while True:
            r = self.r
            if r > 0.0:
                room = r * (self.edge - self.now)
                if e <= room:
                    self.now += e / r
                    return self.now
                e -= room
            if self.edge >= self.end:
                self.over = True
                return math.inf
            self.now = self.edge
            self.k += 1
            self.edge = self.hourly.start(self.k + 1)
            self.r = self.hourly.rate(self.k)

    def times(self, gaps: Any) -> list[float]:
        """``step`` over a batch of gaps, runs within an hour vectorised (``_in_hour``)."""
        n = len(gaps)
        out: list[float] = []
        i = 0
        while i < n:
            if self.over:
                out.extend([math.inf] * (n - i))
                break
            r = self.r
            if r > 0.0 and r * (self.edge - self.now) >= MIN_RUN:
                run, m = _in_hour(self.now, gaps[i:], r, self.edge)
                if m:
                    out.extend(run.tolist())
                    self.now = out[-1]
                    i += m
                    continue
            out.append(self.step(float(gaps[i])))
            i += 1
        return out


class ProfileArrivals:
    """Poisson arrivals at the scenario's rate by hour of the week, each with its draws.

    Each row's first entry is the Exp(1) gap that the clock turns into the time since the
    previous arrival (the first from time 0): ``ArrivalClock`` for a rate that repeats
    every week from a Monday at time 0 (the fast paths, as before calendars), else the
    walk over ``HourlyRates`` (growth, months, special dates, busyness, or a start that is
    not a Monday midnight at time 0). One gap per arrival either way, so the arrivals stay
    aligned across scenarios that differ elsewhere (common random numbers).

    The times of a batch of arrivals are computed together (``ArrivalClock.times``,
    ``CalendarWalk.times``) and zipped with its rows, so handing out the next arrival is
    one step of a C iterator: no Python frame per arrival."""

    def __init__(self, s: Scenario, streams: Streams) -> None:
        if s.demand.trace_profile is not None:
            trace_info(s)  # its rates, read now if the loader did not
        self.clock = ArrivalClock(s)
        self.customers = FreshCustomers(streams, s)
        self.hourly: HourlyRates | None = None
        if s.demand.time_varying or (
            self.clock.flat is None and Calendar.of(s).offset != 0.0
        ):
            busy = busyness_factors(s, streams) if s.demand.daily_busyness else None
            self.hourly = HourlyRates(s, weekly_rates(s), busy)

    def __iter__(self) -> Iterator[tuple[float, FreshRow]]:
        return chain.from_iterable(self._batches())

    def _batches(self) -> Iterator[Iterator[tuple[float, FreshRow]]]:
        if self.hourly is not None:
            walk = CalendarWalk(self.hourly, self.clock.end)
            for gaps, rows in self.customers.batches():
                yield zip(walk.times(gaps), rows, strict=False)
        else:
            t = 0.0
            for gaps, rows in self.customers.batches():
                times = self.clock.times(t, gaps)
                t = times[-1]
                yield zip(times, rows, strict=False)


class TraceArrivals:
    """A trace's rows in the run (``demand.trace``), each with its own draws: its time and
    type come from the file, everything else from the same named streams as Poisson
    arrivals (``FreshCustomers.rows_for``). Read a batch at a time, never whole."""

    def __init__(self, s: Scenario, streams: Streams) -> None:
        self.s = s
        self.customers = FreshCustomers(streams, s)

    def __iter__(self) -> Iterator[tuple[float, FreshRow]]:
        rows = replay(self.s)
        last: FreshRow | None = None
        while True:
            times: list[float] = []
            types: list[int] = []
            for t, tidx in islice(rows, BATCH):
                times.append(t)
                types.append(tidx)
            if not times:
                break
            for t, row in zip(times, self.customers.rows_for(types), strict=False):
                last = row
                yield t, row
        yield from _never(last if last is not None else _NOBODY)


# A row for "no arrival": never started, as its time is inf.
_NOBODY: FreshRow = (0.0, 0, math.inf, 1.0, 1.0, 1.0, 0.0, ())


def _never(row: FreshRow) -> Iterator[tuple[float, FreshRow]]:
    """No more arrivals: an endless source says so with a time of ``inf``."""
    while True:
        yield math.inf, row


def arrival_source(s: Scenario, streams: Streams) -> ArrivalSource:
    """The scenario's fresh arrivals: a replayed trace, or Poisson."""
    if s.demand.trace is not None:
        return TraceArrivals(s, streams)
    return ProfileArrivals(s, streams)


@mypyc_attr(allow_interpreted_subclasses=True)
class ArrivalsPart(ServicePart):
    """Fresh arrivals and follow-ups become contacts offered to the first pool."""

    def _schedule_arrival(self) -> None:
        """The first fresh arrival: the loop's arrival stream (``arrive``) takes it from
        here. It keeps the insertion number its event would have had (``arrival_eid``), so
        an arrival at the very time of an event goes where SimPy's order puts it."""
        self.arrival_at, self.arrival_row = self.next_arrival()
        self.arrival_eid = self.next_eid()

    def arrive(self) -> float:
        """Start the arrival due now (``arrival_at``), then the following ones while they
        come before every scheduled event; return the time of the next one, which the loop
        compares with the queue's head before each event (loop.drive).

        Fresh arrivals are no events on the heap: the loop starts them when they come
        first, in the very order their events would have run (the comparison with the
        head is strict; on a tie ``arrival_first`` compares SimPy's whole key). While
        events run, the queue holds the loop's stop entry at or before the run's end, so
        an arrival before the head is one the run must process."""
        env = self.env
        queue = self.queue  # typed as the desk's entries (SimPy's stub says Events)
        next_arrival = self.next_arrival
        now = self.arrival_at
        row = self.arrival_row
        while True:
            at, nxt = next_arrival()
            self._start_contact(now, row, 0, None)
            if at < queue[0][0]:
                env._now = now = at
                row = nxt
                continue
            # Where its event was scheduled before: the same insertion number.
            self.arrival_at, self.arrival_row, self.arrival_eid = at, nxt, self.next_eid()
            return at

    def arrival_first(self, head: tuple[Any, ...]) -> bool:
        """At a tie with the queue's head, whether the next arrival's event would come
        first in SimPy's (time, priority, insertion) order."""
        return (NORMAL, self.arrival_eid) < (head[1], head[2])

    def _on_followup(self, value: tuple[int, int, Journey]) -> None:
        tidx, contacts_before, (first, jcell, contacts) = value
        now = self.env._now
        if now == self.followup_at:
            self.followups_now += 1
            if self.followups_now > MAX_FOLLOWUPS_AT_ONE_INSTANT:
                raise SimdeskError(Problem(self._endless_loop_message(now)))
        else:
            self.followup_at = now
            self.followups_now = 0
        row = self.follow(tidx)
        self._start_contact(now, row, contacts_before, (first, jcell, contacts + 1))

    def _endless_loop_message(self, now: float) -> str:
        return (
            f"stopped at {now:g}s of simulated time: more than "
            f"{MAX_FOLLOWUPS_AT_ONE_INSTANT:,} retries and repeat contacts fell due at that "
            "same instant, so the run would never get past it. A contact that abandons or "
            "ends unresolved without any time passing comes back at once: give "
            "customers.retry.after and customers.patience, or customers.repeat.after and "
            "the handle times, values above 0s (or lower the retry or repeat probability)"
        )

    def _start_contact(
        self, now: float, row: FreshRow, contacts_before: int, journey: Journey | None
    ) -> None:
        """A new contact: its own draws come in ``row`` (see customers.FreshRow); a retry or
        repeat continues its issue's ``journey``, a fresh contact (None) starts one."""
        _, tidx, patience, ask_u, bot_u, false_u, fcr_u, handles = row
        asked = ask_u < self.ask_p
        if self.by_clock:  # the route in force at its arrival (queues.py)
            route, handle = self._route_at(tidx, asked, handles, now)
        else:
            route = self.human_routes[tidx] if asked else self.routes[tidx]
            handle = handles[route.skip :] if route.skip else handles
        counted = now >= self.warmup
        cell = self.cells[tidx]  # this hour's (recording.py)
        if journey is None:
            jcell = self.journeys[tidx] if counted else None
            if jcell is not None:
                jcell.started += 1
            journey = (now, jcell, 1)
        elif counted:
            cell.repeats += 1
        if counted:
            cell.offered += 1
            bot = route.bot
            # A measured contact that a bot without a limit will resolve (its draws say so
            # now, and nothing can change them) takes the short way (service.py).
            if (
                bot is not None
                and bot_u < bot.res[tidx]
                and (bot.max_time is None or handle[0] <= bot.max_time)
                and bot.on_duty
            ):
                self._bot_resolves(
                    bot, tidx, cell, journey, contacts_before, asked, false_u, handle[0], now
                )
                return
            person = route.person
            # A measured contact a person can take at once: nothing can change its path
            # either (service.py, ``_person_serves``).
            if person is not None and person.slots and person.on_duty:
                units = 1 if self.chat[tidx] else person.cap
                agent = person.take(units)
                if agent is not None:
                    person.tally.offered += 1
                    self._person_serves(
                        person, agent, units, tidx, cell,
                        self.people_cells[tidx] if person.marks_people else None,
                        journey, contacts_before, fcr_u, handle[0], now,
                    )
                    return
        inq = Inquiry()
        inq.tidx = tidx
        inq.chat = self.chat[tidx]
        inq.contacts_before = contacts_before
        inq.patience = patience
        inq.asked_human = asked
        inq.handle = handle
        inq.route = route
        inq.u_bot = bot_u
        inq.u_false = false_u
        inq.u_fcr = fcr_u
        inq.penalty = 0.0
        inq.score = 0.0  # set by _finish (measured contacts); read when its issue ends
        inq.escalations = 0
        inq.wait_total = 0.0
        inq.token = 0
        inq.also = None
        inq.people = False
        inq.counted = counted
        inq.cell = cell
        inq.pcell = self.people_cells[tidx]
        inq.journey = journey
        self._enter(inq, 0, now)
