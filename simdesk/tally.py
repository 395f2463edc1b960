"""Streaming accumulators and the plain records of a run: what the engine records,
nothing it derives.

The engine adds to tallies in O(1) per event and keeps no per-inquiry records; figures
(rates, means, quantiles) are derived afterwards in ``figures``. Contact tallies are kept
per (inquiry type, hour of day) cell, so one update per event serves the totals, the
per-type and the per-interval tables, which are merged from cells at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from simdesk.histogram import WaitHistogram

if TYPE_CHECKING:
    from simdesk.scenario import Scenario

COUNTERS = (
    "offered",
    "handled",
    "abandoned",
    "overflowed",
    "contained",
    "escalated",
    "repeats",
    "resolved",
    "waited",
    "wait_sum",
    "answered_wait_sum",
    "within",
    "rated",
    "csat_sum",
    "satisfied",
    "busy_s",
    "staffed_s",
    "cost",
)


class Tally:
    """Counters for one scope (a cell, a pool, or a merge of them)."""

    __slots__ = (*COUNTERS, "hist")

    def __init__(self) -> None:
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
        self.hist = WaitHistogram()

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


@dataclass
class RunTallies:
    """What one run recorded: contact cells per (type, hour of day) and per-pool records."""

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


class JourneyTally:
    """Counters for issues (a fresh contact with its retries and repeats), kept per (type,
    hour of the first contact) like contact cells and added to when the issue closes:
    resolved, or ended with no further contact (docs/figures.md, "Issues")."""

    __slots__ = (
        "closed",
        "contacts_resolved",
        "csat_sum",
        "hist",
        "resolved",
        "started",
        "time_sum",
    )

    def __init__(self) -> None:
        self.started = 0
        self.closed = 0
        self.resolved = 0
        self.contacts_resolved = 0
        self.time_sum = 0.0
        self.csat_sum = 0.0
        self.hist = WaitHistogram()  # time from first contact to resolution

    def merge(self, other: JourneyTally) -> JourneyTally:
        self.started += other.started
        self.closed += other.closed
        self.resolved += other.resolved
        self.contacts_resolved += other.contacts_resolved
        self.time_sum += other.time_sum
        self.csat_sum += other.csat_sum
        self.hist.merge(other.hist)
        return self

    @classmethod
    def merged(cls, tallies: list[JourneyTally]) -> JourneyTally:
        out = cls()
        for t in tallies:
            out.merge(t)
        return out
