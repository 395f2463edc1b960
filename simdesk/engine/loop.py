"""The event loop: SimPy's queue and order, driven without ``Environment.step``'s overhead.

Events sit on SimPy's heap with SimPy's (time, priority, insertion) ordering, so the order
of simultaneous events is SimPy's own. The desk's own events are plain heap entries
``(time, priority, insertion, callback, payload)``: no ``Event`` object is made for
them, and the loop calls ``callback(payload)``. SimPy's own events (four entries, the
event last) run as ``Environment.step`` runs them, with step's rule for failures kept: an
event that failed and was not defused raises a copy of its exception (the original as its
cause) once its callbacks have run. The desk's callbacks never fail that way: an error in
one propagates at once, as from any function.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from heapq import heapify
from typing import NoReturn, Protocol

import simpy
from simpy.events import Event

from simdesk.engine.heap import Entry, pop, push

HOUR = 3600.0
STOP_PRIORITY = -2
"""Below every event's priority (the desk's moves of due events are -1): ``drive``'s stop
entry at ``until`` comes before every event at that time."""


Progress = Callable[[float], None]
"""Told the fraction of simulated time done (0 to 1) between chunks of a run."""
PROGRESS_CHUNKS = 1000
"""With a progress callback, a run is driven in this many slices of simulated time (at
least an hour each): often enough for a bar to move on a run of centuries, rarely enough
that the calls cost nothing next to the events between them."""


class Arrivals(Protocol):
    """A stream of arrivals kept off the heap (engine/arrivals.py): the time of the next
    (``arrival_at``), starting it and those that follow it before the queue's head
    (``arrive``, which returns the next time), and SimPy's order at a tie with the head
    (``arrival_first``)."""

    arrival_at: float

    def arrive(self) -> float: ...
    def arrival_first(self, head: Entry) -> bool: ...


class _NoArrivals:
    """No stream: its next arrival never comes."""

    arrival_at = math.inf

    def arrive(self) -> float:
        return math.inf

    def arrival_first(self, head: Entry) -> bool:
        return False


_NO_ARRIVALS = _NoArrivals()


def drive(
    env: simpy.Environment, until: float, progress: Progress | None = None,
    arrivals: Arrivals | None = None,
) -> None:
    """Process events strictly before ``until``: ``Environment.step`` inlined.

    The order (time, priority, insertion) is SimPy's own, and a failed event raises as in
    ``step``. The loop stops where ``run(until=...)`` would, leaving later events
    unprocessed.

    With ``progress``, the same loop runs slice by slice of simulated time and reports
    between slices; stopping at a slice's end and resuming processes the same events in
    the same order, so the results are identical with or without it.

    With ``arrivals``, the stream's next arrival is started whenever it comes before the
    queue's head (by SimPy's whole key at a tie), as its event would have been: arrivals
    cost no heap entry.
    """
    queue: list[Entry] = env._queue
    if progress is not None:
        step = max(HOUR, until / PROGRESS_CHUNKS)
        start = env._now
        mark = start + step
        while mark < until:
            drive(env, mark, None, arrivals)
            progress((mark - start) / (until - start))
            mark += step
    # A stop entry at ``until``, ahead of every event at that time: popping it ends the
    # loop, so the loop needs no test of the queue's head per event.
    stop = (until, STOP_PRIORITY, 0, None, None)
    push(queue, stop)
    if arrivals is None:
        arrivals = _NO_ARRIVALS
    at = arrivals.arrival_at
    try:
        while True:
            if at <= queue[0][0] and (at < queue[0][0] or arrivals.arrival_first(queue[0])):
                env._now = at
                at = arrivals.arrive()
                continue
            entry = pop(queue)
            try:
                env._now, _, _, callback, payload = entry
            except ValueError:  # SimPy's own event: four entries
                env._now = entry[0]
                _step(entry[3])
                continue
            if callback is None:  # the stop entry
                break
            callback(payload)
    except BaseException:
        if stop in queue:  # an event raised: leave the queue as it was, less what ran
            queue.remove(stop)
            heapify(queue)
        raise
    env._now = until
    if progress is not None:
        progress(1.0)


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while the engine runs, then restore it as it was.

    A run allocates a few objects per event and frees every one of them by reference
    counting: the engine makes no reference cycles per contact (a test runs a desk with
    the collector off and finds nothing for it to collect). The collector would only walk
    the live objects again and again (about 2% of a run of the full desk)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _step(event: Event) -> None:
    """A SimPy event, as ``Environment.step`` processes it: its callbacks, then, if it
    failed and nothing defused it, a crash with a copy of its exception, the original as
    the cause."""
    callbacks = event.callbacks
    event.callbacks = None  # type: ignore[assignment]
    for callback in callbacks:
        callback(event)
    if not event._ok and not hasattr(event, "_defused"):
        _raise_copy(event._value)


def _raise_copy(error: BaseException) -> NoReturn:
    exc = type(error)(*error.args)
    exc.__cause__ = error
    raise exc
