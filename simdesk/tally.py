"""Streaming accumulators and the plain records of a run: what the engine records,
nothing it derives.

The engine adds to tallies in O(1) per event and keeps no per-inquiry records; figures
(rates, means, quantiles) are derived afterwards in ``figures``. Contact tallies are kept
per (inquiry type, hour of one day) cell, so one update per event serves the totals, the
per-type, the per-hour and the per-period tables, which are merged from cells at the end
(engine/recording.py folds each cell into its hour and its day once it is done).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from simdesk.cells import (
    COUNTERS as COUNTERS,
)
from simdesk.cells import (
    FLOAT_COUNTERS as FLOAT_COUNTERS,
)
from simdesk.cells import (
    INT_COUNTERS as INT_COUNTERS,
)
from simdesk.cells import (
    JOURNEY_FLOATS as JOURNEY_FLOATS,
)
from simdesk.cells import (
    JOURNEY_INTS as JOURNEY_INTS,
)
from simdesk.cells import (
    JourneyTally as JourneyTally,
)
from simdesk.cells import (
    Tally as Tally,
)
from simdesk.histogram import NBINS, WaitHistogram

if TYPE_CHECKING:
    from simdesk.scenario import Scenario



class Block:
    """The counts of one scope held as arrays (a day, an hour of the week, a cell's hour):
    compact where a Tally with its histogram would not be, and added up with numpy.

    ``bins`` is dense (NBINS counts) or, once ``compact``, the nonzero bins only."""

    __slots__ = ("bins", "count", "floats", "idx", "ints", "zeros")

    def __init__(self, nints: int, nfloats: int) -> None:
        self.ints = np.zeros(nints, dtype=np.int64)
        self.floats = np.zeros(nfloats, dtype=np.float64)
        self.zeros = 0
        self.count = 0
        self.bins: np.ndarray[Any, Any] | None = None
        self.idx: np.ndarray[Any, Any] | None = None

    def add(self, ints: Any, floats: Any, zeros: int, count: int,
            bins: np.ndarray[Any, Any] | None) -> None:
        self.ints += ints
        self.floats += floats
        self.zeros += zeros
        self.count += count
        if bins is not None:
            dense = self.dense()
            self.bins = bins.astype(np.int64) if dense is None else dense + bins
            self.idx = None

    def dense(self) -> np.ndarray[Any, Any] | None:
        if self.idx is None:
            return self.bins
        assert self.bins is not None
        out = np.zeros(NBINS, dtype=np.int64)
        out[self.idx] = self.bins
        return out

    def compact(self) -> None:
        """Keep only the nonzero bins (a day's waits fill a few hundred of them)."""
        if self.idx is None and self.bins is not None:
            nz = np.flatnonzero(self.bins)
            self.idx = nz.astype(np.uint16)
            self.bins = self.bins[nz]

    def merge(self, other: Block) -> None:
        self.add(other.ints, other.floats, other.zeros, other.count, other.dense())

    def hist(self) -> WaitHistogram:
        h = WaitHistogram()
        h.add_counts(self.zeros, self.count, self.dense())
        return h

    def tally(self) -> Tally:
        t = Tally(self.hist())
        for name, v in zip(INT_COUNTERS, self.ints.tolist(), strict=True):
            setattr(t, name, v)
        for name, x in zip(FLOAT_COUNTERS, self.floats.tolist(), strict=True):
            setattr(t, name, x)
        return t

    def journey(self) -> JourneyTally:
        j = JourneyTally(self.hist())
        for name, v in zip(JOURNEY_INTS, self.ints.tolist(), strict=True):
            setattr(j, name, v)
        for name, x in zip(JOURNEY_FLOATS, self.floats.tolist(), strict=True):
            setattr(j, name, x)
        return j


def contact_block() -> Block:
    return Block(len(INT_COUNTERS), len(FLOAT_COUNTERS))


def journey_block() -> Block:
    return Block(len(JOURNEY_INTS), len(JOURNEY_FLOATS))


POOL_PERIOD = ("handled", "resolved", "overflowed", "busy_s", "staffed_s", "within", "finished")
"""What a pool records per day: completions and resolutions (its variable cost),
overflowed visits, busy and staffed unit-seconds, and its own service level's counts
(visits answered here within the threshold; answered here + abandoned here, which a
contract's clause judges per week), each in the day it happened."""


@dataclass
class DayRecord:
    """One measured day, compact: the contacts that arrived in it (merged over types and
    hours), those that reached people, the issues that started in it, and each pool's
    ``POOL_PERIOD`` figures (one row per pool, in scenario order)."""

    cells: Block
    people: Block
    journeys: Block
    pools: list[list[float]]


@dataclass
class WeekHours:
    """The run by hour of the week (0 is Monday 00:00-01:00, 167 Sunday 23:00), merged
    over types: contacts, people, issues, and the people pools' busy and staffed
    unit-seconds (the desk's occupancy)."""

    cells: list[Block | None]  # None: nothing counted in that hour
    people: list[Block | None]
    journeys: list[Block | None]
    busy: list[float]
    staffed: list[float]


@dataclass
class PoolRecord:
    """What one pool recorded over a run: plain data, no engine objects."""

    name: str
    is_bot: bool
    cap: int  # work units of one agent (1 for a bot): staffed unit-time / cap = agent-time
    tally: Tally
    t_handled: list[int]  # per inquiry type
    t_resolved: list[int]
    t_busy: list[float]  # busy unit-seconds per type
    busy_area: float  # busy unit-seconds over the measured period
    staffed_area: float  # staffed unit-seconds over the measured period
    hour_busy: list[float]  # busy_area by hour of day
    hour_staffed: list[float]
    hours: list[Tally] = field(default_factory=list)
    """The pool's tally by hour of day: each visit in the hour its wait ended (answered or
    gave up), offered in the hour it was offered; no wait bins, only counts."""
    people: PeopleRecord | None = None  # a pool with ``workforce`` only


class PeopleCount(NamedTuple):
    """A pool's people over one span: employed just before its start and just before its
    end (in training included), hires and leavers in it, and the tenure mix of the people
    employed at its end (in training, inside the learning ramp, the rest), so that
    ``start + hires - leavers == end == new + nesting + proficient`` exactly."""

    start: int
    hires: int
    leavers: int
    end: int
    new: int
    nesting: int
    proficient: int


@dataclass
class PeopleRecord:
    """A pool's people over the measured period (from its workforce plan): employed at
    its start and end, hires and leavers in it (``start + hires - leavers == end``), the
    tenure mix at its end, the shrinkage and the cost of one hire; and the same counts
    for each measured day (``days``, one per ``RunTallies.days``), from which the figures
    of weeks and months are merged."""

    start: int
    hires: int
    leavers: int
    end: int
    new: int
    nesting: int
    proficient: int
    shrinkage: float
    cost_per_hire: float
    days: list[PeopleCount] = field(default_factory=list)


@dataclass
class IntervalRecord:
    """The run by interval of the day on a grid finer than the hour, recorded only when
    asked for (``simulate(..., interval=...)``): the contacts, those that reached people
    and the issues by the interval they arrived in (merged over types, like the hours'
    figures), and each pool's busy and staffed unit-seconds spent in each interval over
    the measured period. Interval 0 starts at 00:00."""

    length: float
    cells: list[Block]
    people: list[Block]
    journeys: list[Block]
    busy: dict[str, list[float]]
    staffed: dict[str, list[float]]


@dataclass
class RunTallies:
    """What one run recorded: contact cells per (type, hour of day) and per-pool records,
    and the same contacts by hour of the week and by day."""

    scenario: Scenario
    seed: int
    replication: int
    cells: list[list[Tally]]
    pools: list[PoolRecord]
    measured_s: float
    sl_within: float
    people: list[list[Tally]]
    """Like ``cells``, for the contacts offered to a people pool at least once (only the
    counts the people's figures use)."""
    journeys: list[list[JourneyTally]]
    """Issues per (type, hour of their first contact), counted when they close."""
    week: WeekHours | None = None
    days: list[DayRecord] = field(default_factory=list)
    """One per day of ``Calendar.periods("day")``, in order."""
    fine: IntervalRecord | None = None
    """By interval of the day on a finer grid, when the run was asked for one."""
