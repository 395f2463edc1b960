"""The event loop: SimPy's queue and order, driven without ``Environment.step``'s overhead.

Events are SimPy ``Event``s on SimPy's heap with SimPy's (time, priority, insertion)
ordering, so the order of simultaneous events is SimPy's own. The loop is
``Environment.step`` inlined, with step's rule for failures kept: an event that failed and
was not defused raises a copy of its exception (the original as its cause) once its
callbacks have run.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from heapq import heappop
from typing import NoReturn

import simpy
from simpy.events import Event

HOUR = 3600.0


class Call(Event):
    """A triggered event carrying callbacks and a payload, scheduled by absolute time.

    It is SimPy's ``Event`` (and goes on SimPy's queue exactly as
    ``Environment.schedule`` would put it), built without ``__init__`` (see ``new_event``)
    because an event is created for nearly every step of every inquiry. It never fails,
    so success is a class attribute.
    """

    _ok = True


new_event = Event.__new__
"""``new_event(Call)``: a bare ``Call``; set ``callbacks`` and ``_value``, then push it."""


Progress = Callable[[float], None]
"""Told the fraction of simulated time done (0 to 1) between chunks of a run."""
PROGRESS_CHUNKS = 1000
"""With a progress callback, a run is driven in this many slices of simulated time (at
least an hour each): often enough for a bar to move on a run of centuries, rarely enough
that the calls cost nothing next to the events between them."""


def drive(env: simpy.Environment, until: float, progress: Progress | None = None) -> None:
    """Process events strictly before ``until``: ``Environment.step`` inlined.

    The order (time, priority, insertion) is SimPy's own, and a failed event raises as in
    ``step``. The loop stops where ``run(until=...)`` would, leaving later events
    unprocessed.

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
            drive(env, mark)
            progress((mark - start) / (until - start))
            mark += step
    while queue and queue[0][0] < until:
        env._now, _, _, event = heappop(queue)
        callbacks = event.callbacks
        event.callbacks = None  # type: ignore[assignment]
        for callback in callbacks:
            callback(event)
        if not event._ok:
            _failed(event)
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


def _failed(event: Event) -> None:
    """What ``Environment.step`` does after a failed event's callbacks: unless something
    defused it, crash with a copy of its exception, the original as the cause."""
    if hasattr(event, "_defused"):
        return
    _raise_copy(event._value)


def _raise_copy(error: BaseException) -> NoReturn:
    exc = type(error)(*error.args)
    exc.__cause__ = error
    raise exc
