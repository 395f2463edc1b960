"""The engine's cells: counters of one (inquiry type, hour of one day), and of issues.

Their own module so the compiled engine (setup.py) compiles them with it: the engine adds
to a cell several times per contact, and a compiled cell is a C struct. The records and
aggregates built from cells are in ``tally``, which re-exports these.

Float sums and stragglers. Floats summed in another order round differently, so a cell's
float sums continue the sums of the same hour the day before (engine/recording.py): the
per-hour totals are then the very sums one cell for all days would hold. A cell that
still has contacts in flight when the next day's cell of its hour starts (a straggler: a
contact waiting 23 hours, an issue whose repeat comes days later) ``forwards``: what it
adds goes, in the order it happens, into that newest cell's sum (``forward``), and is
noted as foreign there and as forwarded here, so each day still gets its own share.
That is why a cell's float sums are added through its ``add_*`` methods.
"""

from __future__ import annotations

from typing import Any

from simdesk.histogram import WaitBuffer, WaitHistogram

INT_COUNTERS = (
    "offered",
    "handled",
    "abandoned",
    "overflowed",
    "contained",
    "escalated",
    "repeats",
    "resolved",
    "waited",
    "within",
    "rated",
    "satisfied",
)
FLOAT_COUNTERS = ("wait_sum", "answered_wait_sum", "csat_sum", "busy_s", "staffed_s", "cost")
COUNTERS = (*INT_COUNTERS, *FLOAT_COUNTERS)

JOURNEY_INTS = ("started", "closed", "resolved", "contacts_resolved")
JOURNEY_FLOATS = ("time_sum", "csat_sum")


class Tally:
    """Counters for one scope (a cell, a pool, or a merge of them).

    ``roll`` is the bookkeeping of a cell that lives for one hour of one day
    (engine/recording.py); None for every other tally. ``at_bot`` counts, in such a cell
    only, the contacts a bot without a limit resolved (engine/service.py, the short way):
    each is contained, handled, a zero wait and within when a zero wait is, which the
    cell's fold adds to those counters."""

    __slots__ = (*COUNTERS, "at_bot", "forwards", "hist", "roll")

    def __init__(self, hist: WaitHistogram | WaitBuffer | None = None) -> None:
        self.offered = 0
        self.handled = 0
        self.abandoned = 0
        self.overflowed = 0
        self.contained = 0
        self.escalated = 0
        self.repeats = 0
        self.resolved = 0
        self.waited = 0
        self.wait_sum = 0.0
        self.answered_wait_sum = 0.0
        self.within = 0
        self.rated = 0
        self.csat_sum = 0.0
        self.satisfied = 0
        self.busy_s = 0.0
        self.staffed_s = 0.0
        self.cost = 0.0
        self.at_bot = 0
        self.forwards = False
        self.hist: Any = WaitHistogram() if hist is None else hist
        self.roll: Any = None

    # The float sums a contact adds to its cell, through these so that a straggler
    # forwards them (``forward``); busy_s, staffed_s and cost are a pool's, never a cell's.
    def add_wait(self, x: float) -> None:
        if self.forwards:
            forward(self, FLOAT_COUNTERS, 0, x)
        else:
            self.wait_sum += x

    def add_answered_wait(self, x: float) -> None:
        if self.forwards:
            forward(self, FLOAT_COUNTERS, 1, x)
        else:
            self.answered_wait_sum += x

    def add_csat(self, x: float) -> None:
        if self.forwards:
            forward(self, FLOAT_COUNTERS, 2, x)
        else:
            self.csat_sum += x

    def merge(self, other: Tally) -> Tally:
        for name in COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.hist.merge(other.hist)
        return self

    @classmethod
    def merged(cls, tallies: list[Tally]) -> Tally:
        out = cls()
        for t in tallies:
            out.merge(t)
        return out

    @property
    def done(self) -> bool:
        """Every contact counted here has ended: nothing will add to this cell again."""
        return self.offered == self.handled + self.at_bot + self.abandoned


class JourneyTally:
    """Counters for issues (a fresh contact with its retries and repeats), kept per (type,
    hour of the first contact) like contact cells and added to when the issue closes:
    resolved, or ended with no further contact (docs/figures.md, "Issues")."""

    __slots__ = (*JOURNEY_INTS, *JOURNEY_FLOATS, "forwards", "hist", "roll")

    def __init__(self, hist: WaitHistogram | WaitBuffer | None = None) -> None:
        self.started = 0
        self.closed = 0
        self.resolved = 0
        self.contacts_resolved = 0
        self.time_sum = 0.0
        self.csat_sum = 0.0
        self.forwards = False
        # time from first contact to resolution
        self.hist: Any = WaitHistogram() if hist is None else hist
        self.roll: Any = None

    def add_time(self, x: float) -> None:
        if self.forwards:
            forward(self, JOURNEY_FLOATS, 0, x)
        else:
            self.time_sum += x

    def add_csat(self, x: float) -> None:
        if self.forwards:
            forward(self, JOURNEY_FLOATS, 1, x)
        else:
            self.csat_sum += x

    def merge(self, other: JourneyTally) -> JourneyTally:
        for name in (*JOURNEY_INTS, *JOURNEY_FLOATS):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.hist.merge(other.hist)
        return self

    @classmethod
    def merged(cls, tallies: list[JourneyTally]) -> JourneyTally:
        out = cls()
        for t in tallies:
            out.merge(t)
        return out

    @property
    def done(self) -> bool:
        """Every issue counted here has closed: nothing will add to this cell again."""
        return self.started == self.closed


def forward(cell: Any, fields: tuple[str, ...], k: int, x: float) -> None:
    """Add ``x`` to the float sum ``fields[k]`` of a straggler: to its chain's newest cell
    (``cell.roll.chain.head``), noting the change as foreign there and forwarded here
    (``recording.Rolled``; ``recording.Kind.own_floats`` takes both back apart)."""
    name = fields[k]
    r = cell.roll
    head = r.chain.head
    before = float(getattr(head, name))
    value = before + x
    setattr(head, name, value)
    d = value - before
    theirs = head.roll
    if theirs.foreign is None:
        theirs.foreign = [0.0] * len(fields)
    theirs.foreign[k] += d
    if r.fwd is None:
        r.fwd = [0.0] * len(fields)
    r.fwd[k] += d
