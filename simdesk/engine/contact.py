"""One contact in flight, and the ways a contact can end."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simdesk.engine.queues import RouteRuntime
    from simdesk.engine.staffing import PoolRuntime
    from simdesk.tally import Tally

# How a contact ended; decides its satisfaction base score (satisfaction.py).
BOT_RESOLVED, BOT_FALSE, PERSON_RESOLVED, UNRESOLVED, ABANDONED = range(5)


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
