"""Staffing: agents as identified individuals, their free capacity, and headcount changes.

Every agent has an ``id`` (its index in its pool, in the order the scenario lists its
people: always-on agents, then each shift's block; agents hired later come after) and its
pool's name. Who is on duty changes only through headcount events: a shift window opening
(``_on_shift_start``) or closing (``_on_shift_end``) for a block of agents, and a pool's
always-on headcount changing on a date (``_on_headcount``, through ``set_headcount``,
the one way to hire or send home agents of that block). An agent who goes off duty while
it still serves finishes that contact, paid and counted as staffed, and takes no new one.
``PoolRuntime.on_duty`` counts the agents on duty: a pool of people where it is 0 is
passed over by routing (queues.py).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from mypy_extensions import mypyc_attr

from simdesk.engine.recording import RecordingPart
from simdesk.histogram import NBINS, bin_counts
from simdesk.shifts import headcount_changes, shift_windows
from simdesk.tally import Tally

if TYPE_CHECKING:
    from simdesk.calendar import Calendar
    from simdesk.engine.contact import Inquiry
    from simdesk.engine.people import Roster
    from simdesk.scenario import Pool
    from simdesk.workforce import WorkforcePlan

SETTLE_VECTORISED = 48
"""Waits kept by a pool from which ``PoolRuntime.settle`` bins them with numpy."""

UNLIMITED = 1 << 40
"""A bot pool without ``concurrency`` serves this many at once: in effect, everyone."""


class Agent:
    """One person (or, for a bot pool, the whole bot) with work units free.

    In a pool with concurrency, an on-shift agent with free slots sits in the pool's
    doubly linked list for its number of free slots (``prev``/``next``), oldest first.
    """

    __slots__ = ("cap", "fcr", "free", "id", "next", "on_shift", "pool", "prev", "staffed")

    def __init__(self, cap: int, on_shift: bool, ident: int = -1, pool: str = "") -> None:
        self.id = ident  # index in its pool; -1 for a list sentinel
        self.pool = pool  # its pool's name
        self.cap = cap
        # This person's first-contact resolution: the pool's ``fcr`` (set by ``_hire``);
        # service.py decides an outcome by it, times the learning factor of the agent's
        # tenure when the pool has one (docs/satisfaction.md, "Quality by who serves").
        self.fcr = 1.0
        self.free = cap
        self.on_shift = on_shift
        # Paid and counted as staffed: on shift, or finishing a contact after the shift.
        self.staffed = on_shift
        self.prev: Agent = self
        self.next: Agent = self


class PoolRuntime:
    """A pool during a run: its agents and free capacity, its queues (queues.py) and the
    integrals and counters it records (recording.py)."""

    def __init__(
        self,
        pool: Pool,
        ntypes: int,
        type_names: list[str],
        cal: Calendar,
        plan: WorkforcePlan | None = None,
    ) -> None:
        self.name = pool.name
        self.is_bot = pool.is_bot
        self.cap = 1 if pool.is_bot else pool.unit_capacity
        self.mixed = self.cap > 1  # whole-agent calls and one-slot chats may share it
        # A bot without a concurrency limit never queues anyone: service.py serves it
        # without taking an agent (``_serve_bot``).
        self.unlimited = pool.is_bot and not pool.concurrency
        self.marks_people = not pool.is_bot  # set by queues.py (``_build_routes``)
        # Such a bot's measured contacts since its tally was last read: each is offered,
        # waits zero and is answered at once, so it is counted once here and added to
        # the tally's four counters when someone reads them (recording.py, ``_read_pool``).
        self.at_once = 0
        # Waits at this pool since its tally was last read: those above zero kept raw (a
        # list append; binned together by ``settle``), zero waits counted.
        self.waits: list[float] = []
        self.zero_waits = 0
        self.fcr = pool.fcr
        # Base scores of a person's outcome here, (unresolved, resolved), when the pool
        # has its own (docs/satisfaction.md, "Quality by who serves"); None: the desk's.
        # Set by the scoring part (satisfaction.py).
        self.own_scores: tuple[float, float] | None = None
        self.res = [pool.resolution_for(t) for t in type_names]
        self.false_res = pool.false_resolution
        self.max_time = pool.max_time
        self.extra = pool.escalation_extra
        self.speed = pool.speed
        self.tally = Tally()
        self.t_handled = [0] * ntypes
        self.t_resolved = [0] * ntypes
        self.t_busy = [0.0] * ntypes
        # Per type, contacts a bot without a limit resolved the short way (service.py)
        # since the tally was last read: each handled, resolved and contained (``settle``).
        self.t_short = [0] * ntypes
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
            self.levels = [Agent(0, False, -1, self.name) for _ in range(self.cap + 1)]
        if pool.chat_assignment == "fill":
            self.chat_levels = tuple(range(1, self.cap + 1))
        else:
            self.chat_levels = tuple(range(self.cap, 0, -1))
        self.wake: Inquiry | None = None  # blocked head whose deadline has a timer
        self.windows: list[tuple[list[Agent], list[tuple[float, float]]]] = []
        # The always-on block (``agents``), in id order; the first ``base_on`` are on duty.
        self.base: list[Agent] = []
        self.base_on = 0
        # Later changes of the always-on headcount: (time, headcount from then).
        self.headcounts: list[tuple[float, int]] = []
        # A pool with ``workforce``: its people by the plan (people.py); ``learn`` is the
        # plan when service must ask the serving person's learning factor, else None.
        self.roster: Roster | None = None
        self.learn: WorkforcePlan | None = None
        self.learn_fcr = False
        if plan is not None:
            self._people(pool, plan, cal)
        elif pool.is_bot:
            self.add(self._hire(pool.concurrency or UNLIMITED, True))
            self.on_duty = 1
        elif pool.agents is not None:
            changes = headcount_changes(pool, cal)
            for _ in range(changes[0][1]):
                agent = self._hire(self.cap, True)
                self.add(agent)
                self.base.append(agent)
            self.base_on = self.on_duty = changes[0][1]
            self.headcounts = changes[1:]
        else:
            self.on_duty = 0
            for shift in pool.shifts or []:
                block = [self._hire(self.cap, False) for _ in range(shift.agents)]
                self.windows.append((block, shift_windows(shift, cal.end, cal)))
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

    def _people(self, pool: Pool, plan: WorkforcePlan, cal: Calendar) -> None:
        """One agent per person of the plan (same ids), all off duty until the run replays
        the plan (people.py); a pool of shifts gets one block per shift, of the people
        whose place is on it."""
        from simdesk.engine.people import Roster

        roster = Roster(plan, pool)
        self.roster = roster
        self.on_duty = 0
        if plan.curve is not None:
            self.learn = plan
            self.learn_fcr = plan.curve.fcr_start is not None
        for _ in plan.people:
            self._hire(self.cap, False)
        if pool.shifts:
            shift_of: list[int] = []
            for j, shift in enumerate(pool.shifts):
                shift_of += [j] * shift.agents
            blocks: list[list[Agent]] = [[] for _ in pool.shifts]
            for agent in self.agents:
                place = roster.place[agent.id]
                if place >= 0:
                    blocks[shift_of[place]].append(agent)
            for shift, block in zip(pool.shifts, blocks, strict=True):
                self.windows.append((block, shift_windows(shift, cal.end, cal)))

    def _hire(self, cap: int, on_shift: bool) -> Agent:
        agent = Agent(cap, on_shift, len(self.agents), self.name)
        agent.fcr = self.fcr
        self.agents.append(agent)
        return agent

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

    def area_at(self, now: float) -> tuple[float, float]:
        """Busy and staffed unit-seconds up to ``now``, leaving the integrals as they are
        (a finer grid reads them between hour marks without changing how they are summed)."""
        return (
            self.busy_area + self.busy * (now - self.last),
            self.staffed_area + self.staffed * (now - self.last_staffed),
        )

    def settle(self, zero_within: bool) -> None:
        """Bring the tally up to date: the contacts a bot without a limit served at once
        (``at_once``: offered, a zero wait, within the service level when a zero wait is)
        and the waits kept since the last read (``waits``, binned as ``WaitHistogram.add``
        bins them; each one above zero is one that waited)."""
        t = self.tally
        h = t.hist
        if any(self.t_short):
            for i, n in enumerate(self.t_short):
                self.t_handled[i] += n
                self.t_resolved[i] += n
                t.contained += n
            self.t_short = [0] * len(self.t_short)
        n = self.at_once
        if n:
            self.at_once = 0
            t.offered += n
            h.zeros += n
            h.count += n
            if zero_within:
                t.within += n
        z = self.zero_waits
        if z:
            self.zero_waits = 0
            h.zeros += z
            h.count += z
        waits = self.waits
        if waits:
            t.waited += len(waits)
            if len(waits) < SETTLE_VECTORISED:  # a few: numpy would cost more
                for w in waits:
                    h.add(w)
            else:
                if not h.bins:
                    h.bins = [0] * NBINS
                bins = h.bins
                for i in bin_counts(waits)[1].tolist():
                    bins[i] += 1
                h.count += len(waits)
            waits.clear()

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


@mypyc_attr(allow_interpreted_subclasses=True)
class StaffingPart(RecordingPart):
    """Headcount changes as events: shift windows open and close blocks of agents, and a
    pool's always-on headcount changes on its dates."""

    def _schedule_staffing(self) -> None:
        for pool in self.pools.values():
            for block, windows in pool.windows:
                for start, stop in windows:
                    self._at(start, self._on_shift_start, (pool, block))
                    if stop < self.end:
                        self._at(stop, self._on_shift_end, (pool, block))
            for at, n in pool.headcounts:
                self._at(at, self._on_headcount, (pool, n))

    def _on_shift_start(self, value: tuple[PoolRuntime, list[Agent]]) -> None:
        pool, block = value
        if pool.roster is not None:
            self._set_open(pool, block, True, self.env._now)
        else:
            self._come_on_duty(pool, block, self.env._now)

    def _on_shift_end(self, value: tuple[PoolRuntime, list[Agent]]) -> None:
        pool, block = value
        if pool.roster is not None:
            self._set_open(pool, block, False, self.env._now)
        else:
            self._go_off_duty(pool, block, self.env._now)

    def _on_headcount(self, value: tuple[PoolRuntime, int]) -> None:
        pool, n = value
        self.set_headcount(pool, n, self.env._now)

    def set_headcount(self, pool: PoolRuntime, n: int, now: float) -> None:
        """The pool's always-on headcount becomes ``n`` at ``now``: the agents who left
        last come back first, then new ones are hired (the next ids); when it falls, the
        agents hired last leave first, a busy one after the contact in hand (paid until
        then, as at a shift's end). Dated ``agents`` drive it; hires and leavers may too."""
        on = pool.base_on
        if n > on:
            while len(pool.base) < n:
                pool.base.append(pool._hire(pool.cap, False))
            pool.base_on = n
            self._come_on_duty(pool, pool.base[on:n], now)
        elif n < on:
            pool.base_on = n
            self._go_off_duty(pool, pool.base[n:on], now)

    def _come_on_duty(self, pool: PoolRuntime, block: list[Agent], now: float) -> None:
        """A block of agents comes on duty: their free capacity serves the queue at once."""
        pool.flush(now)
        pool.on_duty += len(block)
        for agent in block:
            agent.on_shift = True
            pool.add(agent)
            if not agent.staffed:
                agent.staffed = True
                pool.staffed += pool.cap
        if pool.order:
            self._dispatch(pool, now)

    def _go_off_duty(self, pool: PoolRuntime, block: list[Agent], now: float) -> None:
        """A block goes off duty: idle agents leave now, busy ones when their contact ends
        (service.py), paid until then. Contacts waiting in the pool stay in its queue (and
        overflow as usual, docs/rules.md)."""
        pool.flush(now)
        pool.on_duty -= len(block)
        pool.remove(block)
        for agent in block:
            agent.on_shift = False
            if agent.free == agent.cap:
                agent.staffed = False
                pool.staffed -= pool.cap
