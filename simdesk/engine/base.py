"""What every part of the desk shares: its state, scheduling, and the calls between parts.

The desk is one class (``desk._Desk``) built from one class per part, so the hot path
calls methods and reads attributes of a single object, as fast as if it were written in
one module. The parts stack in one line, each a subclass of the one before:
``DeskBase`` <- scoring (satisfaction.py) <- recording <- staffing <- people <- queues <-
service <- arrivals <- ``desk._Desk``. The order means nothing else: a part calls another
only through the declarations here, never by relying on what its base class is. One
line, not a mixin per part beside the others, because the compiled engine (mypyc,
setup.py) supports single inheritance only. Each class allows interpreted subclasses
(``mypyc_attr``), so that a test can watch the compiled engine as it watches the pure one:
it replaces a method on an instance of a Python subclass of the desk
(``tests/desks.OpenDesk``), and compiled callers see the replacement.

This base declares the state the parts share and the methods one part calls on another:
the interfaces between the parts, in one place. Each declared method raises until the
part that implements it overrides it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import count
from typing import TYPE_CHECKING, Any, Final

import simpy
from mypy_extensions import mypyc_attr

from simdesk.engine.heap import NORMAL, Entry, pop, push
from simdesk.engine.loop import HOUR

if TYPE_CHECKING:
    from simdesk.calendar import Calendar
    from simdesk.customers import FollowupCustomers, FreshRow
    from simdesk.engine.contact import Inquiry, Journey
    from simdesk.engine.queues import ClockRoute, RouteRuntime
    from simdesk.engine.recording import Fine
    from simdesk.engine.staffing import Agent, PoolRuntime
    from simdesk.scenario import InquiryType, Satisfaction, Scenario
    from simdesk.streams import Draws
    from simdesk.tally import JourneyTally, Tally

LATER_WINDOW = HOUR
"""How far ahead events move from the desk's ``later`` heap to SimPy's (see DeskBase)."""
LATER_PRIORITY: Final = -1
"""Below SimPy's URGENT (0): the move comes before every event at its time."""


@mypyc_attr(allow_interpreted_subclasses=True)
class DeskBase:
    """The shared state of one run (set up in ``desk._Desk.__init__``)."""

    s: Scenario
    cal: Calendar  # the clock on the calendar: weekdays, hours, dates (calendar.py)
    env: simpy.Environment
    queue: list[Entry]  # SimPy's event heap (loop.py: the entries)
    eid: count[int]  # SimPy's insertion counter
    # Its next number. Bound once: compiled, ``next(self.eid)`` looks ``next`` up among
    # the builtins and converts the number to a C int and back at every event scheduled.
    next_eid: Callable[[], Any]
    warmup: float
    end: float
    types: list[InquiryType]
    chat: list[bool]  # per type: takes one slot of an agent with concurrency
    pools: dict[str, PoolRuntime]
    mark_t: float  # the last hour mark (recording.py)
    interval: float | None  # a finer grid to record on as well (recording.Fine), or None
    fine: Fine | None
    # The cells of the hour now under way, one per type (recording.py makes new ones on
    # every hour mark): contacts arriving now are counted in them.
    cells: list[Tally]
    people_cells: list[Tally]  # the same, for contacts that reached people
    people_are_contacts: bool  # no bot: every contact reaches people (recording.py)
    journeys: list[JourneyTally]  # issues, by the hour of their first contact
    # arrivals
    next_arrival: Callable[[], tuple[float, FreshRow]]
    # The next fresh arrival (arrivals.py, ``arrive``): its time (inf: none), its draws,
    # and the insertion number its event would have had.
    arrival_at: float
    arrival_row: FreshRow
    arrival_eid: int
    arrival_source: Iterator[tuple[float, FreshRow]]
    follow: FollowupCustomers
    followup_at: float
    followups_now: int
    # queues and routing
    routes: list[RouteRuntime]
    human_routes: list[RouteRuntime]
    by_clock: bool  # some type's route changes with the clock
    clock_routes: list[ClockRoute | None]  # per type: its alternatives by the clock
    human_clock_routes: list[ClockRoute | None]
    ask_p: float
    lazy_abandonment: bool
    retry_p: float
    retry_delay: Draws
    retry_u: Draws
    # service
    repeat_p: float
    repeat_delay: Draws
    repeat_u: Draws
    # satisfaction
    sat: Satisfaction
    sl_within: float
    base_score: tuple[float, float, float, float, float]
    wait_penalty_per_s: float
    max_wait_penalty: float
    repeat_factor: float
    bot_score: float
    unwanted_bot_penalty: float
    escalation_penalty: float
    satisfied_at: float
    zero_within: bool  # a contact served at once counts as within the service level

    # The callbacks of the hot paths' events, bound once per run (``_Desk.__init__``) and
    # shared by all their events, so no bound method is made per event.
    on_done: Callable[[Any], None]
    on_bot_done: Callable[[Any], None]
    on_bot_resolved: Callable[[Any], None]
    on_person_done: Callable[[Any], None]
    on_followup: Callable[[Any], None]
    on_patience: Callable[[Any], None]
    on_overflow: Callable[[Any], None]

    # Events due after ``later_from`` wait in ``later``, a heap of their own, until a
    # "later" event at ``later_from`` (priority -1: ahead of every event at that time)
    # moves those due within the next LATER_WINDOW onto SimPy's heap. The entries keep
    # their (time, priority, insertion) keys, so the order is SimPy's own; SimPy's heap
    # stays small (the far-off repeat contacts and a year of shift events wait aside),
    # and each push and pop on it compares fewer entries.
    later: list[Entry]
    later_from: float

    def _at(self, at: float, callback: Callable[[Any], None], value: Any) -> None:
        """Schedule ``callback(value)`` at absolute time ``at`` (a loop.py entry)."""
        entry = (at, NORMAL, self.next_eid(), callback, value)
        push(self.queue if at < self.later_from else self.later, entry)

    def _schedule_later(self, at: float) -> None:
        """The next move of due events from ``later`` to SimPy's heap, at ``at``."""
        push(self.queue, (at, LATER_PRIORITY, self.next_eid(), self._on_later, None))
        self.later_from = at

    def _on_later(self, _: None) -> None:
        horizon = self.env._now + LATER_WINDOW
        later = self.later
        queue = self.queue
        while later and later[0][0] < horizon:
            push(queue, pop(later))
        self._schedule_later(horizon)

    # Calls between parts, each implemented by the part named in its comment (a subclass
    # further down the chain, which overrides these declarations).

    # arrivals.py
    def _on_followup(self, value: tuple[int, int, Journey]) -> None:
        raise NotImplementedError

    def _start_contact(
        self, now: float, row: FreshRow, contacts_before: int, journey: Journey | None
    ) -> None:
        raise NotImplementedError

    # queues.py
    def _route_at(
        self, tidx: int, asked: bool, handles: tuple[float, ...], now: float
    ) -> tuple[RouteRuntime, tuple[float, ...]]:
        raise NotImplementedError

    def _enter(self, inq: Inquiry, k: int, now: float) -> None:
        raise NotImplementedError

    def _dispatch(self, pool: PoolRuntime, now: float) -> None:
        raise NotImplementedError

    def _reserve(
        self,
        primary: PoolRuntime,
        also: list[tuple[PoolRuntime, float]] | None,
        skip: PoolRuntime | None,
        now: float,
    ) -> None:
        raise NotImplementedError

    def _abandon(
        self, inq: Inquiry, now: float, skip: PoolRuntime | None = None,
        reserve: bool = True,
    ) -> None:
        raise NotImplementedError

    # service.py
    def _serve(
        self, pool: PoolRuntime, inq: Inquiry, k: int, agent: Agent, units: int,
        now: float,
    ) -> None:
        raise NotImplementedError

    def _issue_goes_on(
        self, resolved: bool, tidx: int, contacts_before: int, journey: Journey,
        score: float, now: float,
    ) -> None:
        raise NotImplementedError

    def _serve_bot(self, pool: PoolRuntime, inq: Inquiry, k: int, now: float) -> None:
        raise NotImplementedError

    def _bot_resolves(
        self, bot: PoolRuntime, tidx: int, cell: Tally, journey: Journey,
        contacts_before: int, asked: bool, false_u: float, duration: float, now: float,
    ) -> None:
        raise NotImplementedError

    def _person_serves(
        self, pool: PoolRuntime, agent: Agent, units: int, tidx: int, cell: Tally,
        pcell: Tally | None, journey: Journey, contacts_before: int, fcr_u: float,
        duration: float, now: float,
    ) -> None:
        raise NotImplementedError

    # people.py
    def _set_open(
        self, pool: PoolRuntime, block: list[Agent], is_open: bool, now: float
    ) -> None:
        raise NotImplementedError

    # satisfaction.py
    def _finish(
        self, inq: Inquiry, outcome: int, base: float | None = None
    ) -> None:
        raise NotImplementedError

    # recording.py
    def _end_issue(self, journey: Journey, resolved: bool, score: float, now: float) -> None:
        raise NotImplementedError

    def _pool_counts(self) -> list[tuple[list[int], list[float]]]:
        raise NotImplementedError

    def _credit_late(
        self, at: float, before: list[tuple[list[int], list[float]]]
    ) -> None:
        raise NotImplementedError
