"""One contact in flight, and the ways a contact can end."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from simdesk.engine.queues import RouteRuntime
    from simdesk.engine.staffing import PoolRuntime
    from simdesk.tally import JourneyTally, Tally

# How a contact ended; decides its satisfaction base score (satisfaction.py). Final
# constants: compiled, they cost nothing, where module attributes cost a lookup each.
BOT_RESOLVED: Final = 0
BOT_FALSE: Final = 1
PERSON_RESOLVED: Final = 2
UNRESOLVED: Final = 3
ABANDONED: Final = 4

Journey = tuple[float, "JourneyTally | None", int]
"""An issue's state, carried from contact to follow-up: when its first contact arrived, the
tally it is counted in (None when that contact came during warm-up) and its contacts so
far, this one included."""


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
        "journey",
        "patience",
        "pcell",
        "penalty",
        "people",
        "pool",
        "route",
        "score",
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
    journey: Journey  # the issue it belongs to
    patience: float
    penalty: float  # satisfaction penalties so far (escalations, unwanted bot)
    pcell: Tally  # its cell among the contacts that reached people
    people: bool  # offered to a people pool at least once
    pool: PoolRuntime  # pool it was last offered to
    route: RouteRuntime
    score: float  # satisfaction, once finished (measured contacts only)
    tidx: int
    token: int  # changes whenever it stops waiting; stale timers and entries compare it
    u_bot: float
    u_false: float
    u_fcr: float
    wait_start: float
    wait_total: float
