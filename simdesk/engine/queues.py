"""Queues, routing and overflow: where a contact goes, how long it waits, who is next.

A type's route is a list of pools; a route by the clock is a list of alternatives, and
the one in force when the contact arrives is its route (``_route_at``: a table by hour or
minute of the week, read at the contact's arrival on the calendar's clock). A contact is
offered to the first pool (``_enter``): served at once when capacity is free and nobody
it must not overtake waits, else queued in its priority's queue there. A pool of people
with nobody on duty is passed over at once for the next pool of the route; when none
after it has anyone on duty, the contact waits in the last pool of the route (docs/rules.md,
"Pools with nobody on duty"). Queues are served by priority, then arrival order
(``_dispatch``); in a pool where calls take a whole agent and chats one slot, a call at
the head keeps its place and those behind it wait.

Overflow timers: a contact that starts waiting in a people pool of a route with
``overflow_after`` gets one timer, set only when its remaining patience outlasts
``overflow_after``. When it fires (``_on_overflow``) the contact also joins the next
pool's queue (passing over pools with nobody on duty, as on entry), keeping its place in
the first, and if that pool is not the last it gets the next timer on the same terms.
Whichever pool frees up first serves it; its entries in the other queues become stale,
and each of those visits is counted as ``overflowed``.

Patience is spent over all queues of a contact. Without retries, a waiting contact's
patience needs no timer: whoever next looks at the queue sees that its deadline passed and
records the abandonment at that deadline (lazy abandonment; the figures are the same).
Stale queue entries and timers are ignored, not removed: each contact carries a token
that changes whenever it stops waiting.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mypy_extensions import mypyc_attr

from simdesk.engine.contact import ABANDONED
from simdesk.engine.people import PeoplePart
from simdesk.weekly import NONE, alternative_table, on_whole_hours

if TYPE_CHECKING:
    from simdesk.engine.contact import Inquiry
    from simdesk.engine.staffing import Agent, PoolRuntime

Entry = tuple["Inquiry", int, int]
"""A queue entry: (contact, its token when queued, index of the pool on its route)."""


@dataclass(frozen=True)
class RouteRuntime:
    """One inquiry type's path, resolved to pool runtimes."""

    pools: tuple[PoolRuntime, ...]
    overflow_after: float | None
    skip: int  # handle-time entries to skip (1 when a customer bypasses the bot)
    queues: tuple[deque[Entry], ...]  # this type's queue at each pool
    # An alternative of a route by the clock: the entries of the type's handle times
    # (drawn for every pool of every alternative) that belong to its pools.
    pick: tuple[int, ...] = ()
    # The bot without a concurrency limit at the head of the route, if there is one: a
    # contact it will resolve takes the short way (service.py, ``_bot_resolves``).
    bot: PoolRuntime | None = None
    # The people pool at the head of the route, if a contact served there at once can
    # take the short way (service.py, ``_person_serves``): no mixed queue, no learning.
    person: PoolRuntime | None = None


@dataclass(frozen=True)
class ClockRoute:
    """A route by the clock: the alternative in force in each hour (``unit`` 3600 s, 168
    entries) or minute (60 s, 10,080 entries) of the week, from Monday 00:00."""

    table: tuple[RouteRuntime, ...]
    unit: float


def priority_queue(pool: PoolRuntime, priority: int) -> deque[Entry]:
    """The pool's queue for this priority; ``pool.order`` lists them, highest first."""
    q = pool.queues.get(priority)
    if q is None:
        q = pool.queues[priority] = deque()
        pool.order = [pool.queues[p] for p in sorted(pool.queues, reverse=True)]
    return q


@mypyc_attr(allow_interpreted_subclasses=True)
class QueuesPart(PeoplePart):
    """Offering contacts to pools, queueing, dispatching, overflow and abandonment."""

    def _build_routes(self) -> None:
        s = self.s
        for runtime in self.pools.values():
            # Reaching a people pool marks a contact for the people's cells, unless every
            # contact reaches people (no bot): then those are the contacts' own cells
            # (recording.py, ``people_are_contacts``).
            runtime.marks_people = not runtime.is_bot and not self.people_are_contacts
        for p in s.pools:
            # Mixed: calls take a whole agent, chats one slot, so free capacity and a
            # waiting queue can coexist and a newcomer must queue behind the head.
            runtime = self.pools[p.name]
            runtime.mixed = runtime.cap > 1 and any(
                t.channel != "chat" for t in self.types if p.name in s.route_pools(t.name)
            )
        self.routes = []
        self.human_routes = []
        self.clock_routes = []
        self.human_clock_routes = []
        for tidx, t in enumerate(s.type_names):
            prio = s.demand.types[tidx].priority
            alternatives = s.routes_for(t)
            if len(alternatives) == 1:
                path = alternatives[0].path
                over = s.overflow_of(alternatives[0])
                route = self._route(path, over, 0, prio)
                self.routes.append(route)
                if self._skips_bot(path):
                    self.human_routes.append(self._route(path[1:], over, 1, prio))
                else:
                    self.human_routes.append(route)
                self.clock_routes.append(None)
                self.human_clock_routes.append(None)
                continue
            union = s.route_pools(t)
            plain: list[RouteRuntime] = []
            human: list[RouteRuntime] = []
            for alt in alternatives:
                over = s.overflow_of(alt)
                pick = tuple(union.index(p) for p in alt.path)
                route = self._route(alt.path, over, 0, prio, pick)
                plain.append(route)
                if self._skips_bot(alt.path):
                    human.append(self._route(alt.path[1:], over, 0, prio, pick[1:]))
                else:
                    human.append(route)
            minutes = alternative_table(alternatives)
            if NONE in minutes:
                raise ValueError(f"route of {t!r}: no alternative holds at some time")
            step = 60 if on_whole_hours(alternatives) else 1
            picks = minutes[::step]
            self.clock_routes.append(ClockRoute(tuple(plain[i] for i in picks), step * 60.0))
            self.human_clock_routes.append(
                ClockRoute(tuple(human[i] for i in picks), step * 60.0)
            )
            # Never read while by_clock is set (``_route_at`` picks the alternative).
            self.routes.append(plain[-1])
            self.human_routes.append(human[-1])
        self.by_clock = any(c is not None for c in self.clock_routes)

    def _skips_bot(self, path: list[str]) -> bool:
        """Whether a customer who asks for a person skips the head of this path."""
        s = self.s
        return s.routing.always_human and len(path) > 1 and s.pool(path[0]).is_bot

    def _route(
        self, path: list[str], over: float | None, skip: int, prio: int,
        pick: tuple[int, ...] = (),
    ) -> RouteRuntime:
        pools = tuple(self.pools[p] for p in path)
        queues = tuple(priority_queue(p, prio) for p in pools)
        head = pools[0] if pools else None
        bot = head if head is not None and head.unlimited else None
        person = (
            head
            if head is not None and not head.is_bot and not head.mixed and head.learn is None
            else None
        )
        return RouteRuntime(pools, over, skip, queues, pick, bot, person)

    def _route_at(
        self, tidx: int, asked: bool, handles: tuple[float, ...], now: float
    ) -> tuple[RouteRuntime, tuple[float, ...]]:
        """The route of a contact of this type arriving at ``now`` (for a route by the
        clock, the alternative in force in that hour or minute of the week on the
        calendar's clock), and the contact's handle times at its pools, in route order."""
        clock = (self.human_clock_routes if asked else self.clock_routes)[tidx]
        if clock is None:
            route = (self.human_routes if asked else self.routes)[tidx]
            return route, handles[route.skip :] if route.skip else handles
        table = clock.table
        route = table[int((now + self.cal.offset) // clock.unit) % len(table)]
        return route, tuple([handles[i] for i in route.pick])

    def _enter(self, inq: Inquiry, k: int, now: float) -> None:
        """Offer the inquiry to pool k of its route: serve now or queue with timers."""
        route: RouteRuntime = inq.route
        pool = route.pools[k]
        if not pool.on_duty:  # nobody on duty: on to the first pool that has someone
            pools = route.pools
            last = len(pools) - 1
            while k < last and not pools[k].on_duty:
                k += 1
            pool = pools[k]
        if pool.unlimited:  # a bot without a limit: served at once, nothing else to do
            self._serve_bot(pool, inq, k, now)
            return
        inq.pool = pool
        inq.wait_start = now
        if pool.marks_people:
            inq.people = True
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
            self._at(now + remaining, self.on_patience, (inq, inq.token))
        over = route.overflow_after
        if over is not None and over < remaining and k + 1 < len(route.pools) and not pool.is_bot:
            self._at(now + over, self.on_overflow, (inq, inq.token, k + 1))

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

    # ------------------------------------------------------------ patience
    def _expire_waiting(self, end: float) -> None:
        """At the end of the run, record the waiting customers whose patience ran out."""
        if not self.lazy_abandonment:
            return
        for pool in self.pools.values():
            for q in pool.order:
                for inq, token, _k in q:
                    if inq.token == token and inq.deadline < end:
                        self._abandon(inq, inq.deadline, reserve=False)

    def _on_patience(self, value: tuple[Inquiry, int]) -> None:
        inq, token = value
        if inq.token == token:
            self._abandon(inq, self.env._now)

    def _on_head_deadline(self, value: tuple[Inquiry, int]) -> None:
        """Lazy abandonment: a call blocking the head of a mixed queue gives up now."""
        inq, token = value
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
        # Without timers a giving-up can be noticed after the hour mark that followed it:
        # recording.py credits the pools' counts to the hour it happened in.
        late = self._pool_counts() if now < self.mark_t else None
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
                t.wait_sum += pool_wait
                pool.waits.append(pool_wait)  # binned and counted by PoolRuntime.settle
            else:
                pool.zero_waits += 1
        if late is not None:
            self._credit_late(now, late)
        self._finish(inq, ABANDONED)
        if self.retry_p > 0.0 and self.retry_u() < self.retry_p:
            self._at(now + self.retry_delay(),
                self.on_followup,
                (inq.tidx, inq.contacts_before, inq.journey),
            )
        else:
            self._end_issue(inq.journey, False, inq.score, now)
        if reserve:
            self._reserve(primary, also, skip, self.env._now)

    # ------------------------------------------------------------ overflow
    def _on_overflow(self, value: tuple[Inquiry, int, int]) -> None:
        inq, token, k = value
        if inq.token != token:
            return
        now = self.env._now
        route: RouteRuntime = inq.route
        pools = route.pools
        last = len(pools) - 1
        while k < last and not pools[k].on_duty:  # passed over, as in _enter
            k += 1
        target = pools[k]
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
            self._at(now + over, self.on_overflow, (inq, inq.token, k + 1))
