"""The engine's heap functions (engine/heap.py) give SimPy's order: entries leave by their
key (time, priority, insertion), whatever else they hold, on a heap that SimPy's own
pushes through heapq share. Run compiled (``.ci/run``'s second run), this tests the
compiled functions."""

from __future__ import annotations

import random
from heapq import heappop, heappush
from typing import Any

import pytest

from simdesk.engine.heap import keyed_pop, keyed_push


def _entry(rng: random.Random, eid: int) -> tuple[Any, ...]:
    """A desk entry (five items) or SimPy's (four); few distinct times and priorities, so
    keys often tie on time, or on time and priority, and the later items decide."""
    t = float(rng.randrange(6))
    prio = rng.choice((-2, -1, 0, 1))
    if rng.random() < 0.5:
        return (t, prio, eid, object())  # SimPy's: its event last
    return (t, prio, eid, print, object())  # the desk's: callback, payload


@pytest.mark.parametrize("seed", range(5))
def test_pops_come_in_key_order_as_heapq_gives_them(seed: int) -> None:
    rng = random.Random(seed)
    ours: list[tuple[Any, ...]] = []
    theirs: list[tuple[Any, ...]] = []
    popped_ours: list[tuple[Any, ...]] = []
    popped_theirs: list[tuple[Any, ...]] = []
    eid = 0
    for _ in range(3000):
        if theirs and rng.random() < 0.45:
            popped_ours.append(keyed_pop(ours))
            popped_theirs.append(heappop(theirs))
            continue
        entry = _entry(rng, eid)
        eid += 1
        # SimPy pushes its own events with heapq onto the same list as the desk's pushes.
        (heappush if len(entry) == 4 else keyed_push)(ours, entry)
        heappush(theirs, entry)
    while theirs:
        popped_ours.append(keyed_pop(ours))
        popped_theirs.append(heappop(theirs))
    assert not ours
    assert [e[2] for e in popped_ours] == [e[2] for e in popped_theirs]


def test_keys_decide_time_then_priority_then_insertion() -> None:
    heap: list[tuple[Any, ...]] = []
    entries = [(2.0, 0, 1, None), (1.0, 1, 2, None), (1.0, 0, 4, None), (1.0, 0, 3, None),
               (0.5, 1, 5, None)]
    for e in entries:
        keyed_push(heap, e)
    assert [keyed_pop(heap)[2] for _ in entries] == [5, 3, 4, 2, 1]


def test_an_empty_heap_raises_as_heapq_does() -> None:
    with pytest.raises(IndexError):
        keyed_pop([])


def test_the_priorities_are_simpys() -> None:
    """The desk's events and SimPy's share one heap: the constants must be SimPy's."""
    import simpy.events

    from simdesk.engine.heap import NORMAL, URGENT

    assert (URGENT, NORMAL) == (simpy.events.URGENT, simpy.events.NORMAL)
