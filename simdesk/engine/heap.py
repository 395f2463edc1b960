"""The event heap's push and pop, in SimPy's order: entries compared by their key alone.

Every entry on the desk's heaps starts with SimPy's key (time, priority, insertion): the
desk's own ``(time, priority, insertion, callback, payload)`` and SimPy's own
``(time, priority, insertion, event)``. Insertion numbers come from the environment's one
counter, so no two keys are equal and the key alone decides the order: the entry popped
is always the same one, whichever code arranged the heap. SimPy keeps pushing its own
events with ``heapq``; these functions keep the same heap invariant, so both can work on
one list.

Why not ``heapq``: it compares whole tuples through Python's generic comparison, about a
quarter of the compiled engine's instructions on the full desk. Compiled (setup.py), the
key comparison here reads the three numbers directly. In pure Python the opposite holds:
heapq's C loop beats any Python loop, so there ``push`` and ``pop`` are heapq's own (the
end of this module). Either way the entries come off in the same order, so the results
are the same to the last bit.
"""

from __future__ import annotations

from heapq import heappop, heappush
from typing import Any, Final

from mypy_extensions import i64

URGENT: Final = 0
NORMAL: Final = 1
"""SimPy's two priorities (``simpy.events.URGENT`` and ``NORMAL``), as constants of our
own: compiled, a constant costs nothing, where SimPy's module attribute costs a dictionary
lookup and an int conversion for every event scheduled (tests/test_heap.py checks that
they are SimPy's)."""

Entry = tuple[Any, ...]
"""A heap entry: the desk's ``(time, priority, insertion, callback, payload)``, or SimPy's
``(time, priority, insertion, event)``."""


def _before(a: Entry, b: Entry) -> bool:
    """Whether entry ``a``'s key (time, priority, insertion) comes before ``b``'s."""
    ta: float = a[0]
    tb: float = b[0]
    if ta != tb:
        return ta < tb
    pa: int = a[1]
    pb: int = b[1]
    if pa != pb:
        return pa < pb
    ia: int = a[2]
    ib: int = b[2]
    return ia < ib


def _rise(heap: list[Entry], pos: i64, entry: Entry) -> None:
    """Put ``entry`` at ``pos`` or above: it moves up while it comes before its parent."""
    while pos > 0:
        parent: i64 = (pos - 1) >> 1
        above = heap[parent]
        if not _before(entry, above):
            break
        heap[pos] = above
        pos = parent
    heap[pos] = entry


def push(heap: list[Entry], entry: Entry) -> None:
    """Add ``entry``: appended, then moved up to its place."""
    heap.append(entry)
    _rise(heap, len(heap) - 1, entry)


def pop(heap: list[Entry]) -> Entry:
    """Remove and return the first entry (IndexError on an empty heap, as heapq).

    As heapq does it: the last entry fills the hole left at the top by moving the smaller
    child up level by level to a leaf, then moves up from there to its place, which is
    usually near the bottom, so this costs about one comparison per level."""
    last = heap.pop()
    n: i64 = len(heap)
    if n == 0:
        return last
    top = heap[0]
    pos: i64 = 0
    child: i64 = 1
    while child < n:
        right: i64 = child + 1
        if right < n and not _before(heap[child], heap[right]):
            child = right
        heap[pos] = heap[child]
        pos = child
        child = 2 * pos + 1
    _rise(heap, pos, last)
    return top


keyed_push = push
keyed_pop = pop
"""These functions whichever way this module runs (tests compare them with heapq)."""

COMPILED = not __file__.endswith(".py")
"""Whether this module runs compiled (setup.py): only then are ``push`` and ``pop`` the
functions above."""

if not COMPILED:
    push = heappush  # type: ignore[assignment]
    pop = heappop  # type: ignore[assignment]
