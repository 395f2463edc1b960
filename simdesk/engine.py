"""The single run: a pure function from (scenario, seed, replication) to tallies.

Built on SimPy's event queue, but with callbacks instead of one generator process per
inquiry: an inquiry costs one arrival event, one completion event per service, and a
patience timer only if it actually queues. Stale timers and queue entries are not removed
but ignored (each inquiry carries a token that changes whenever it stops waiting), which
keeps every operation O(1) or O(log n) in the event heap.

Every inquiry's own randomness (type, patience, handle-time needs, bot and resolution
outcomes) is drawn at its arrival from streams named for what they mean, so two scenarios
that differ only in staffing see the same customers (common random numbers).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.events import NORMAL, Event

from simdesk.customers import ArrivalClock, FollowupCustomers, FreshCustomers, FreshRow
from simdesk.errors import Problem, SimdeskError
from simdesk.limits import MAX_FOLLOWUPS_AT_ONE_INSTANT
from simdesk.scenario import Pool, Scenario
from simdesk.shifts import shift_windows
from simdesk.streams import Streams
from simdesk.tally import Tally

# How a contact ended; decides its satisfaction base score.
BOT_RESOLVED, BOT_FALSE, PERSON_RESOLVED, UNRESOLVED, ABANDONED = range(5)
HOUR = 3600.0
DEFAULT_SL_WITHIN = 20.0
UNLIMITED = 1 << 40


class _Call(Event):
    """A triggered event carrying one callback and a payload, scheduled by absolute time.

    It is SimPy's ``Event`` (and goes on SimPy's queue with SimPy's (time, priority, id)
    ordering, exactly as ``Environment.schedule`` would put it), built without
    ``__init__`` because an event is created for nearly every step of every inquiry.
    It never fails, so success is a class attribute.
    """

    _ok = True


_new_event = Event.__new__


Progress = Callable[[float], None]
"""Told the fraction of simulated time done (0 to 1) between chunks of a run."""
PROGRESS_CHUNKS = 1000
"""With a progress callback, a run is driven in this many slices of simulated time (at
least an hour each): often enough for a bar to move on a run of centuries, rarely enough
that the calls cost nothing next to the events between them."""


def _drive(
    env: simpy.Environment, until: float, progress: Progress | None = None
) -> None:
    """Process events strictly before ``until``: ``Environment.step`` inlined.

    Our events never fail and no process waits on them, so step's failure handling is
    not needed; the order (time, priority, insertion) is SimPy's own. The loop stops
    where ``run(until=...)`` would, leaving later events unprocessed.

    With ``progress``, the same loop runs slice by slice of simulated time and reports
    between slices; stopping at a slice's end and resuming processes the same events in
    the same order, so the results are identical with or without it.
    """
    queue = env._queue
    if progress is not None:
        step = max(HOUR, until / PROGRESS_CHUNKS)
        start = env._now
        mark = start + step
        while mark < until:
            _drive(env, mark)
            progress((mark - start) / (until - start))
            mark += step
    while queue and queue[0][0] < until:
        env._now, _, _, event = heappop(queue)
        callbacks = event.callbacks
        event.callbacks = None  # type: ignore[assignment]
        for callback in callbacks:
            callback(event)
    env._now = until
    if progress is not None:
        progress(1.0)


class Agent:
    """One person (or, for a bot pool, the whole bot) with work units free.

    In a pool with concurrency, an on-shift agent with free slots sits in the pool's
    doubly linked list for its number of free slots (``prev``/``next``), oldest first.
    """

    __slots__ = ("cap", "free", "next", "on_shift", "prev", "staffed")

    def __init__(self, cap: int, on_shift: bool) -> None:
        self.cap = cap
        self.free = cap
        self.on_shift = on_shift
        # Paid and counted as staffed: on shift, or finishing a contact after the shift.
        self.staffed = on_shift
        self.prev: Agent = self
        self.next: Agent = self


class Inquiry:
    """One contact in flight. Mutable while it moves; nothing of it is kept afterwards."""

    __slots__ = (
        "also",
        "asked_human",
        "cell",
        "chat",
        "contacts_before",
        "counted",
        "deadline",
        "escalations",
        "handle",
        "patience",
        "penalty",
        "pool",
        "route",
        "tidx",
        "token",
        "u_bot",
        "u_false",
        "u_fcr",
        "wait_start",
        "wait_total",
    )
    also: list[tuple[PoolRuntime, float]] | None  # overflow pools joined, with when
    asked_human: bool
    cell: Tally  # (type, hour of arrival) tally it is counted in
    chat: bool
    contacts_before: int  # earlier contacts about the same issue (repeats, retries)
    counted: bool  # arrived after warmup
    deadline: float  # when its patience runs out while it waits (lazy abandonment)
    escalations: int
    handle: tuple[float, ...]  # handle time at each pool of its route
    patience: float
    penalty: float  # satisfaction penalties so far (escalations, unwanted bot)
    pool: PoolRuntime  # pool it was last offered to
    route: RouteRuntime
    tidx: int
    token: int  # changes whenever it stops waiting; stale timers and entries compare it
    u_bot: float
    u_false: float
    u_fcr: float
    wait_start: float
    wait_total: float


@dataclass(frozen=True)
class RouteRuntime:
    """One inquiry type's path, resolved to pool runtimes."""

    pools: tuple[PoolRuntime, ...]
    overflow_after: float | None
    skip: int  # handle-time entries to skip (1 when a customer bypasses the bot)
    queues: tuple[deque[tuple[Inquiry, int, int]], ...]  # this type's queue at each pool


class PoolRuntime:
    """A pool during a run: its agents, queue, integrators and per-type counters."""

    def __init__(self, pool: Pool, ntypes: int, type_names: list[str], end: float) -> None:
        self.name = pool.name
        self.is_bot = pool.is_bot
        self.cap = 1 if pool.is_bot else pool.unit_capacity
        self.mixed = self.cap > 1  # whole-agent calls and one-slot chats may share it
        self.fcr = pool.fcr
        self.res = [pool.resolution_for(t) for t in type_names]
        self.false_res = pool.false_resolution
        self.max_time = pool.max_time
        self.extra = pool.escalation_extra
        self.speed = pool.speed
        self.tally = Tally()
        self.t_handled = [0] * ntypes
        self.t_resolved = [0] * ntypes
        self.t_busy = [0.0] * ntypes
        self.queues: dict[int, deque[tuple[Inquiry, int, int]]] = {}
        self.order: list[deque[tuple[Inquiry, int, int]]] = []
        self.agents: list[Agent] = []
        # Free capacity of the agents on shift, in work units: what every "can anything be
        # served now?" test reads.
        self.slots = 0
        # One unit per agent (and the bot): idle agents, longest idle first.
        self.free: deque[Agent] = deque()
        # With concurrency: levels[j] lists the agents with j free slots, longest there
        # first; a chat is given by `chat_levels` order (docs/rules.md).
        self.levels: list[Agent] | None = None
        if self.cap > 1:
            self.levels = [Agent(0, False) for _ in range(self.cap + 1)]
        if pool.chat_assignment == "fill":
            self.chat_levels = tuple(range(1, self.cap + 1))
        else:
            self.chat_levels = tuple(range(self.cap, 0, -1))
        self.wake: Inquiry | None = None  # blocked head whose deadline has a timer
        self.windows: list[tuple[list[Agent], list[tuple[float, float]]]] = []
        if pool.is_bot:
            bot = Agent(pool.concurrency or UNLIMITED, True)
            self.agents.append(bot)
            self.add(bot)
        elif pool.agents is not None:
            for _ in range(pool.agents):
                a = Agent(self.cap, True)
                self.agents.append(a)
                self.add(a)
        else:
            for shift in pool.shifts or []:
                block = [Agent(self.cap, False) for _ in range(shift.agents)]
                self.agents.extend(block)
                self.windows.append((block, shift_windows(shift, end)))
        if pool.is_bot:
            self.staffed = pool.concurrency or 0
        else:
            self.staffed = self.slots
        self.busy = 0
        self.last = 0.0
        self.last_staffed = 0.0
        self.busy_area = 0.0
        self.staffed_area = 0.0
        self.mark = (0.0, 0.0)
        self.hour_busy = [0.0] * 24
        self.hour_staffed = [0.0] * 24

    def queue_for(self, priority: int) -> deque[tuple[Inquiry, int, int]]:
        q = self.queues.get(priority)
        if q is None:
            q = self.queues[priority] = deque()
            self.order = [self.queues[p] for p in sorted(self.queues, reverse=True)]
        return q

    def take(self, units: int) -> Agent | None:
        """The agent that serves a contact needing ``units``, or None if none can.

        One unit per agent: the longest idle. With concurrency, a call (all units) takes
        the agent idle the longest; a chat takes the first agent with a free slot in
        ``chat_levels`` order (fill: the busiest; spread: the least busy), and among agents
        as busy, the one that has been so the longest.
        """
        levels = self.levels
        if levels is None:
            free = self.free
            if not free:
                return None
            agent = free[0]
            agent.free -= 1
            if agent.free == 0:
                free.popleft()
            self.slots -= 1
            return agent
        if units == 1:
            for j in self.chat_levels:
                head = levels[j]
                agent = head.next
                if agent is not head:
                    agent.prev.next = agent.next
                    agent.next.prev = agent.prev
                    agent.free = j - 1
                    if j > 1:
                        _link(levels[j - 1], agent)
                    self.slots -= 1
                    return agent
            return None
        head = levels[units]
        agent = head.next
        if agent is head:
            return None
        agent.prev.next = agent.next
        agent.next.prev = agent.prev
        agent.free = 0
        self.slots -= units
        return agent

    def give_back(self, agent: Agent, units: int) -> None:
        """An agent on shift finished a contact: its units are free again."""
        was = agent.free
        agent.free = was + units
        self.slots += units
        levels = self.levels
        if levels is None:
            if was == 0:
                self.free.append(agent)
            return
        if was:
            agent.prev.next = agent.next
            agent.next.prev = agent.prev
        _link(levels[was + units], agent)

    def add(self, agent: Agent) -> None:
        """An agent comes on shift (or the run starts): its free units become available."""
        if agent.free == 0:
            return
        self.slots += agent.free
        if self.levels is None:
            self.free.append(agent)
        else:
            _link(self.levels[agent.free], agent)

    def remove(self, block: list[Agent]) -> None:
        """These agents go off shift: their free units are no longer offered."""
        leaving = set(map(id, block))
        for agent in block:
            self.slots -= agent.free
        if self.levels is None:
            self.free = deque([a for a in self.free if id(a) not in leaving])
            return
        for agent in block:
            if agent.free:
                agent.prev.next = agent.next
                agent.next.prev = agent.prev
                agent.prev = agent.next = agent

    def flush(self, now: float) -> None:
        """Bring both integrals up to now. Staffing changes only at shift events, so its
        integral is advanced here alone, off the per-contact path."""
        self.busy_area += self.busy * (now - self.last)
        self.last = now
        self.staffed_area += self.staffed * (now - self.last_staffed)
        self.last_staffed = now


def _link(head: Agent, agent: Agent) -> None:
    """Append ``agent`` at the end (newest) of the list whose sentinel is ``head``."""
    last = head.prev
    agent.prev = last
    agent.next = head
    last.next = agent
    head.prev = agent


@dataclass
class RunTallies:
    """What one run recorded: contact cells per (type, hour of day) and per-pool tallies."""

    scenario: Scenario
    seed: int
    replication: int
    cells: list[list[Tally]]
    pools: list[PoolRuntime]
    measured_s: float
    sl_within: float


class _Desk:
    """Wires a scenario to a SimPy environment and runs it once."""

    def __init__(self, scenario: Scenario, streams: Streams) -> None:
        s = scenario
        self.s = s
        self.env = simpy.Environment()
        self.queue = self.env._queue
        self.eid = self.env._eid
        self.warmup = s.warmup
        self.end = s.warmup + s.horizon
        self.types = s.demand.types
        names = s.type_names
        ntypes = len(names)
        self.chat = [t.channel == "chat" for t in self.types]
        self.sl_within = (
            s.targets.service_level.within if s.targets.service_level else DEFAULT_SL_WITHIN
        )
        sat = s.satisfaction
        self.sat = sat
        # Base score by outcome, indexed by BOT_RESOLVED .. ABANDONED; a false resolution
        # scores like a true one, because the customer does not know yet.
        self.base_score = (
            sat.resolved_by_bot,
            sat.resolved_by_bot,
            sat.resolved_by_person,
            sat.unresolved,
            sat.abandoned,
        )
        self.wait_penalty_per_s = sat.wait_penalty_per_min / 60.0
        self.max_wait_penalty = sat.max_wait_penalty
        self.repeat_factor = sat.repeat_factor
        self.satisfied_at = sat.threshold
        self.pools = {p.name: PoolRuntime(p, ntypes, names, self.end) for p in s.pools}
        self.cells = [[Tally() for _ in range(24)] for _ in range(ntypes)]
        for p in s.pools:
            runtime = self.pools[p.name]
            runtime.mixed = runtime.cap > 1 and any(
                t.channel != "chat" for t in self.types if p.name in s.route_for(t.name).path
            )

        self.clock = ArrivalClock(s)
        self.fresh = FreshCustomers(streams, s)
        self.follow = FollowupCustomers(streams, s)
        self.routes: list[RouteRuntime] = []
        self.human_routes: list[RouteRuntime] = []
        for t in names:
            path = s.route_for(t).path
            over = s.overflow_for(t)
            prio = s.demand.types[len(self.routes)].priority
            route = self._route(path, over, 0, prio)
            self.routes.append(route)
            if s.routing.always_human and len(path) > 1 and s.pool(path[0]).is_bot:
                human = self._route(path[1:], over, 1, prio)
                self.human_routes.append(human)
            else:
                self.human_routes.append(route)
        self.ask_p = s.customers.asks_for_human
        # Abandoning changes nothing but the customer's own record unless it schedules a
        # retry, so without retries a waiting customer's patience needs no timer event:
        # whoever next looks at the queue (a freed agent, or the end of the run) sees
        # that its deadline has passed and records the abandonment at that deadline.
        self.lazy_abandonment = s.customers.retry.probability == 0.0
        self.retry_p = s.customers.retry.probability
        self.repeat_p = s.customers.repeat.probability
        self.retry_delay = streams.draws("retry_delay", s.customers.retry.after.sample)
        self.repeat_delay = streams.draws("repeat_delay", s.customers.repeat.after.sample)
        self.retry_u = streams.uniforms("retry")
        self.repeat_u = streams.uniforms("repeat")
        # Follow-ups falling due at one instant: a guard against zero-time loops.
        self.followup_at = -1.0
        self.followups_now = 0

    def _route(self, path: list[str], over: float | None, skip: int, prio: int) -> RouteRuntime:
        pools = tuple(self.pools[p] for p in path)
        return RouteRuntime(pools, over, skip, tuple(p.queue_for(prio) for p in pools))

    def _at(self, at: float, callback: Callable[[Any], None], value: Any) -> None:
        """Schedule ``callback(event)`` at absolute time ``at``, payload in ``event._value``."""
        event = _new_event(_Call)
        event.callbacks = [callback]
        event._value = value
        heappush(self.queue, (at, NORMAL, next(self.eid), event))

    # ----------------------------------------------------------------- run
    def run(self, progress: Progress | None = None) -> RunTallies:
        env = self.env
        self._schedule_arrival(0.0)
        for pool in self.pools.values():
            for block, windows in pool.windows:
                for start, stop in windows:
                    self._at(start, self._on_shift_start, (pool, block))
                    if stop < self.end:
                        self._at(stop, self._on_shift_end, (pool, block))
        if self.warmup > 0:
            self._at(self.warmup, self._on_warmup_end, None)
        self._at(HOUR, self._on_hour, None)
        _drive(env, self.end, progress)
        self._expire_waiting(self.end)
        self._close_hour(self.end)
        pools = list(self.pools.values())
        return RunTallies(self.s, 0, 0, self.cells, pools, self.s.horizon, self.sl_within)

    def _schedule_arrival(self, now: float) -> None:
        row = self.fresh()
        self._at(self.clock.next_time(now, row[0]), self._on_arrival, row)

    # ----------------------------------------------------------- arrivals
    def _on_arrival(self, ev: Event) -> None:
        """Start this arrival's contact, then the following ones while they come first.

        An arrival that falls before every scheduled event would be popped straight
        back off the heap, so it is processed here without an event; ordering is
        unchanged because the comparison is strict.
        """
        env = self.env
        queue = env._queue
        end = self.end
        flat = self.clock.flat
        fresh = self.fresh
        now = env._now
        row = ev._value
        while True:
            nxt = fresh()
            at = now + nxt[0] / flat if flat is not None else self.clock.next_time(now, nxt[0])
            self._start_contact(now, row, 0, False)
            if at < end and (not queue or at < queue[0][0]):
                env._now = now = at
                row = nxt
                continue
            self._at(at, self._on_arrival, nxt)
            return

    def _on_followup(self, ev: Event) -> None:
        tidx, contacts_before = ev._value
        now = self.env._now
        if now == self.followup_at:
            self.followups_now += 1
            if self.followups_now > MAX_FOLLOWUPS_AT_ONE_INSTANT:
                raise SimdeskError(Problem(self._endless_loop_message(now)))
        else:
            self.followup_at = now
            self.followups_now = 0
        row = (0.0, tidx, *self.follow(tidx))
        self._start_contact(now, row, contacts_before, True)

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
        self, now: float, row: FreshRow, contacts_before: int, followup: bool
    ) -> None:
        """A new contact: its own draws come in ``row`` (see customers.FreshRow)."""
        _, tidx, patience, ask_u, bot_u, false_u, fcr_u, handles = row
        inq = Inquiry()
        inq.tidx = tidx
        inq.chat = self.chat[tidx]
        inq.contacts_before = contacts_before
        inq.patience = patience
        asked = ask_u < self.ask_p
        inq.asked_human = asked
        route = self.human_routes[tidx] if asked else self.routes[tidx]
        inq.route = route
        inq.handle = handles[route.skip :] if route.skip else handles
        inq.u_bot = bot_u
        inq.u_false = false_u
        inq.u_fcr = fcr_u
        inq.penalty = 0.0
        inq.escalations = 0
        inq.wait_total = 0.0
        inq.token = 0
        inq.also = None
        counted = now >= self.warmup
        inq.counted = counted
        cell = self.cells[tidx][int(now // HOUR) % 24]
        inq.cell = cell
        if counted:
            cell.offered += 1
            if followup:
                cell.repeats += 1
        self._enter(inq, 0, now)

    # ------------------------------------------------------------ stages
    def _enter(self, inq: Inquiry, k: int, now: float) -> None:
        """Offer the inquiry to pool k of its route: serve now or queue with timers."""
        route: RouteRuntime = inq.route
        pool = route.pools[k]
        inq.pool = pool
        inq.wait_start = now
        if inq.counted:
            pool.tally.offered += 1
        units = 1 if (inq.chat or pool.is_bot) else pool.cap
        # In pools where every contact takes one unit, free capacity implies no waiting
        # contact could use it (every release dispatches), so a newcomer may take it at
        # once. Where calls need a whole agent and chats one slot, the newcomer queues
        # and the dispatcher decides in priority and arrival order.
        if pool.slots:
            if pool.mixed:
                token = inq.token
                inq.deadline = now + max(inq.patience - inq.wait_total, 0.0)
                route.queues[k].append((inq, token, k))
                self._dispatch(pool, now)
                if inq.token != token:
                    return
                self._wait_timers(inq, pool, k, now)
                return
            agent: Agent | None
            if pool.levels is None:  # pool.take inlined: one unit per agent, or the bot
                free = pool.free
                agent = free[0]
                agent.free -= 1
                if agent.free == 0:
                    free.popleft()
                pool.slots -= 1
            else:
                agent = pool.take(units)
            if agent is not None:
                self._serve(pool, inq, k, agent, units, now)
                return
        route.queues[k].append((inq, inq.token, k))
        self._wait_timers(inq, pool, k, now)

    def _wait_timers(self, inq: Inquiry, pool: PoolRuntime, k: int, now: float) -> None:
        """Patience and overflow timers for a contact that has just started to wait."""
        route = inq.route
        remaining = inq.patience - inq.wait_total
        if remaining <= 0.0:
            self._abandon(inq, now)
            return
        inq.deadline = now + remaining
        if remaining != math.inf and not self.lazy_abandonment:
            self._at(now + remaining, self._on_patience, (inq, inq.token))
        over = route.overflow_after
        if over is not None and over < remaining and k + 1 < len(route.pools) and not pool.is_bot:
            self._at(now + over, self._on_overflow, (inq, inq.token, k + 1))

    def _serve(
        self, pool: PoolRuntime, inq: Inquiry, k: int, agent: Agent, units: int, now: float
    ) -> None:
        here = now - inq.wait_start
        inq.wait_total += here
        pool_wait = here
        also = inq.also
        if also is not None:
            for other, joined in also:
                if other is pool:
                    pool_wait = now - joined
            if inq.counted:
                primary = inq.pool
                for other in [primary, *(o for o, _ in also)]:
                    if other is not pool:
                        other.tally.overflowed += 1
            inq.also = None
        inq.token += 1
        duration = inq.handle[k]
        truncated = False
        if pool.is_bot:
            if inq.asked_human:
                inq.penalty += self.sat.unwanted_bot_penalty
            if pool.max_time is not None and duration > pool.max_time:
                duration = pool.max_time
                truncated = True
        elif inq.escalations:
            duration += inq.route.pools[0].extra / pool.speed
        if inq.counted:
            t = pool.tally
            if pool_wait > 0.0:
                t.waited += 1
                t.wait_sum += pool_wait
                t.answered_wait_sum += pool_wait
                t.hist.add(pool_wait)
            else:
                hist = t.hist
                hist.zeros += 1
                hist.count += 1
            if pool_wait <= self.sl_within:
                t.within += 1
            pool.t_busy[inq.tidx] += duration * units
        pool.busy_area += pool.busy * (now - pool.last)
        pool.last = now
        pool.busy += units
        # self._at inlined: a completion is scheduled for every service.
        event = _new_event(_Call)
        event.callbacks = [self._on_done]
        event._value = (inq, pool, agent, units, k, truncated)
        heappush(self.queue, (now + duration, NORMAL, next(self.eid), event))
        if also is not None:
            # It leaves the other pools' queues too: where it was the head that blocked
            # the queue, those behind it may now be served.
            self._reserve(inq.pool, also, pool, now)

    def _on_done(self, ev: Event) -> None:
        inq, pool, agent, units, k, truncated = ev._value
        now = self.env._now
        pool.busy_area += pool.busy * (now - pool.last)
        pool.last = now
        pool.busy -= units
        if agent.on_shift:
            if pool.levels is None:  # pool.give_back inlined
                was_free = agent.free
                agent.free = was_free + units
                pool.slots += units
                if was_free == 0:
                    pool.free.append(agent)
            else:
                pool.give_back(agent, units)
        else:
            agent.free += units
            if agent.free == agent.cap and agent.staffed:
                pool.flush(now)  # the last contact after the shift is done: off the clock
                agent.staffed = False
                pool.staffed -= pool.cap
        tidx = inq.tidx
        counted = inq.counted
        if counted:
            pool.t_handled[tidx] += 1
        if pool.is_bot:
            if not truncated and inq.u_bot < pool.res[tidx]:
                false = inq.u_false < pool.false_res
                if counted:
                    pool.t_resolved[tidx] += 1
                    pool.tally.contained += 1
                    inq.cell.contained += 1
                self._finish(inq, BOT_FALSE if false else BOT_RESOLVED)
                if false:
                    self._maybe_repeat(inq, now)
            else:
                inq.escalations += 1
                if counted:
                    pool.tally.escalated += 1
                    inq.cell.escalated += 1
                if k + 1 < len(inq.route.pools):
                    # Handed on to a person: the escalation penalty (docs/rules.md). With
                    # nobody behind the bot the contact just ends unresolved.
                    inq.penalty += self.sat.escalation_penalty
                    self._enter(inq, k + 1, now)
                else:
                    self._finish(inq, UNRESOLVED)
                    self._maybe_repeat(inq, now)
        else:
            resolved = inq.u_fcr < pool.fcr
            if counted and resolved:
                pool.t_resolved[tidx] += 1
            self._finish(inq, PERSON_RESOLVED if resolved else UNRESOLVED)
            if not resolved:
                self._maybe_repeat(inq, now)
        order = pool.order
        if order and (order[0] or len(order) > 1):
            self._dispatch(pool, now)

    def _dispatch(self, pool: PoolRuntime, now: float) -> None:
        """Give free capacity to waiting contacts, by priority then arrival order."""
        for q in pool.order:
            while q and pool.slots:
                inq, token, k = entry = q.popleft()
                if inq.token != token:
                    continue  # abandoned or taken by another pool meanwhile
                if inq.deadline < now:
                    self._abandon(inq, inq.deadline, pool)  # gave up while waiting, unseen
                    continue
                units = 1 if (inq.chat or pool.is_bot) else pool.cap
                agent = pool.take(units)
                if agent is None:  # a call needs a whole agent: it keeps its place
                    q.appendleft(entry)
                    if self.lazy_abandonment and pool.wake is not inq:
                        # Without patience timers, its leaving at its deadline must still
                        # re-serve the queue behind it.
                        pool.wake = inq
                        if inq.deadline < self.end:
                            self._at(inq.deadline, self._on_head_deadline, (inq, token))
                    return
                self._serve(pool, inq, k, agent, units, now)
            if not pool.slots:
                return

    def _reserve(
        self,
        primary: PoolRuntime,
        also: list[tuple[PoolRuntime, float]] | None,
        skip: PoolRuntime | None,
        now: float,
    ) -> None:
        """A contact left the queues of ``primary`` and ``also`` (except ``skip``, which is
        serving it or dispatching): re-serve those where it may have blocked the head.

        Only a pool taking both calls and chats can have free capacity and a waiting
        queue at once (a call at the head waiting for a whole agent)."""
        if primary is not skip and primary.mixed and primary.slots and primary.order:
            self._dispatch(primary, now)
        if also is not None:
            for other, _ in also:
                if other is not skip and other.mixed and other.slots and other.order:
                    self._dispatch(other, now)

    # ------------------------------------------------------------ timers
    def _expire_waiting(self, end: float) -> None:
        """At the end of the run, record the waiting customers whose patience ran out."""
        if not self.lazy_abandonment:
            return
        for pool in self.pools.values():
            for q in pool.order:
                for inq, token, _k in q:
                    if inq.token == token and inq.deadline < end:
                        self._abandon(inq, inq.deadline, reserve=False)

    def _on_patience(self, ev: Event) -> None:
        inq, token = ev._value
        if inq.token == token:
            self._abandon(inq, self.env._now)

    def _on_head_deadline(self, ev: Event) -> None:
        """Lazy abandonment: a call blocking the head of a mixed queue gives up now."""
        inq, token = ev._value
        if inq.token == token:
            self._abandon(inq, self.env._now)

    def _abandon(
        self, inq: Inquiry, now: float, skip: PoolRuntime | None = None, reserve: bool = True
    ) -> None:
        """Record that the contact gave up at ``now`` (which, with lazy abandonment, may
        be earlier than the clock); then re-serve the queues it leaves, except ``skip``."""
        here = now - inq.wait_start
        inq.wait_total += here
        pool = primary = inq.pool
        pool_wait = here
        also = inq.also
        if also is not None:
            last, joined = also[-1]
            if inq.counted:
                pool.tally.overflowed += 1
                for other, _ in also[:-1]:
                    other.tally.overflowed += 1
            pool, pool_wait = last, now - joined
            inq.also = None
        inq.token += 1
        if inq.counted:
            t = pool.tally
            t.abandoned += 1
            if pool_wait > 0.0:
                t.waited += 1
                t.wait_sum += pool_wait
            t.hist.add(pool_wait)
        self._finish(inq, ABANDONED)
        if self.retry_p > 0.0 and self.retry_u() < self.retry_p:
            self._at(now + self.retry_delay(),
                self._on_followup,
                (inq.tidx, inq.contacts_before),
            )
        if reserve:
            self._reserve(primary, also, skip, self.env._now)

    def _on_overflow(self, ev: Event) -> None:
        inq, token, k = ev._value
        if inq.token != token:
            return
        now = self.env._now
        route: RouteRuntime = inq.route
        target = route.pools[k]
        if inq.also is None:
            inq.also = []
        inq.also.append((target, now))
        if inq.counted:
            target.tally.offered += 1
        units = 1 if (inq.chat or target.is_bot) else target.cap
        if target.slots and target.mixed:
            route.queues[k].append((inq, inq.token, k))
            self._dispatch(target, now)
            if inq.token == token:
                self._overflow_timer(inq, k, now)
            return
        if target.slots:
            agent = target.take(units)
            if agent is not None:
                self._serve(target, inq, k, agent, units, now)
                return
        route.queues[k].append((inq, inq.token, k))
        self._overflow_timer(inq, k, now)

    def _overflow_timer(self, inq: Inquiry, k: int, now: float) -> None:
        """After another overflow wait, let the next pool on the route take it too."""
        over = inq.route.overflow_after
        remaining = inq.patience - inq.wait_total - (now - inq.wait_start)
        if over is not None and k + 1 < len(inq.route.pools) and over < remaining:
            self._at(now + over, self._on_overflow, (inq, inq.token, k + 1))

    # ------------------------------------------------------- contact end
    def _finish(self, inq: Inquiry, outcome: int) -> None:
        """Count a finished contact and score its satisfaction (docs/satisfaction.md)."""
        if not inq.counted:
            return
        cell = inq.cell
        wait = inq.wait_total
        score = self.base_score[outcome] - inq.penalty
        if outcome == ABANDONED:
            cell.abandoned += 1
        else:
            cell.handled += 1
            cell.answered_wait_sum += wait
            if wait <= self.sl_within:
                cell.within += 1
            if outcome in (PERSON_RESOLVED, BOT_RESOLVED):
                cell.resolved += 1
        if wait > 0.0:
            cell.waited += 1
            cell.wait_sum += wait
            cell.hist.add(wait)
            penalty = self.wait_penalty_per_s * wait
            score -= penalty if penalty < self.max_wait_penalty else self.max_wait_penalty
        else:
            hist = cell.hist
            hist.zeros += 1
            hist.count += 1
        if inq.contacts_before:
            score *= self.repeat_factor**inq.contacts_before
        score = 1.0 if score < 1.0 else (5.0 if score > 5.0 else score)
        cell.rated += 1
        cell.csat_sum += score
        if score >= self.satisfied_at:
            cell.satisfied += 1

    def _maybe_repeat(self, inq: Inquiry, now: float) -> None:
        if self.repeat_p > 0.0 and self.repeat_u() < self.repeat_p:
            self._at(now + self.repeat_delay(),
                self._on_followup,
                (inq.tidx, inq.contacts_before + 1),
            )

    # ------------------------------------------------------------ staffing
    def _on_shift_start(self, ev: Event) -> None:
        pool, block = ev._value
        now = self.env._now
        pool.flush(now)
        for agent in block:
            agent.on_shift = True
            pool.add(agent)
            if not agent.staffed:
                agent.staffed = True
                pool.staffed += pool.cap
        if pool.order:
            self._dispatch(pool, now)

    def _on_shift_end(self, ev: Event) -> None:
        pool, block = ev._value
        pool.flush(self.env._now)
        pool.remove(block)
        for agent in block:
            agent.on_shift = False
            if agent.free == agent.cap:
                agent.staffed = False
                pool.staffed -= pool.cap

    def _on_warmup_end(self, ev: Event) -> None:
        now = self.env._now
        for pool in self.pools.values():
            pool.flush(now)
            pool.busy_area = pool.staffed_area = 0.0
            pool.mark = (0.0, 0.0)
            pool.hour_busy = [0.0] * 24
            pool.hour_staffed = [0.0] * 24

    def _on_hour(self, ev: Event) -> None:
        now = self.env._now
        self._close_hour(now)
        self._at(now + HOUR, self._on_hour, None)

    def _close_hour(self, now: float) -> None:
        """Credit busy and staffed time since the last hour mark to the hour just ended."""
        hour = int(math.ceil(now / HOUR) - 1) % 24
        for pool in self.pools.values():
            pool.flush(now)
            busy0, staffed0 = pool.mark
            pool.hour_busy[hour] += pool.busy_area - busy0
            pool.hour_staffed[hour] += pool.staffed_area - staffed0
            pool.mark = (pool.busy_area, pool.staffed_area)


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    replication: int = 0,
    progress: Progress | None = None,
) -> RunTallies:
    """Run one replication. Pure: no global randomness, no output, the scenario untouched.

    ``progress``, if given, is called with the fraction of simulated time done as the run
    advances (a progress bar for long horizons); it does not change the results."""
    seed = scenario.seed if seed is None else seed
    desk = _Desk(scenario, Streams(seed, replication))
    result = desk.run(progress)
    result.seed = seed
    result.replication = replication
    return result
