"""Recording: what a run hands on, as plain records (``tally.RunTallies``).

Time is the Calendar's (simdesk/calendar.py): hour marks fall on whole hours of the
clock, days start at midnight, so a start date on any weekday or a warm-up of 90 minutes
still records by clock hours.

Contacts. A contact is counted in the cell of its type and the hour it arrived in: one
cell per (type, hour of one day), made when the hour starts (``_roll``), so one update per
event serves the totals, the types, the hours of the day and of the week, and the days.
Once a cell's hour is over and every contact counted in it has ended (``Tally.done``;
for issues, every issue closed), nothing can add to it again, and at the next midnight it
is folded (``Fold``) into its hour of the day, its hour of the week and its day; its waits
are binned then. A year therefore keeps 24 hours and 168 hours of the week and one
compact record per day, not a cell per hour.

Float sums are kept in one running sum per (type, hour of day) across days, so the
per-hour figures are summed in exactly the order one cell for all days would sum them: a
new day's cell starts from the sums its hour ended the day before, and a day's share is
what its cell added. A cell with contacts still in flight when its hour comes round
again (a straggler) forwards what it adds to the newest cell of its hour (see
``cells.forward``).

Pools. Busy and staffed time are integrals per pool, brought up to date at each change of
busy capacity and at staffing events, and credited at each hour mark to the hour of the
day, the hour of the week and the day they were spent in. A pool's counters are read at
each hour mark too and what changed is credited to that hour (a visit counts in the hour
its wait ended) and day. The warm-up's integrals are dropped when it ends. At the end of
the run everything is copied out of the engine's runtime objects, so ``figures`` reads
plain data only.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from itertools import chain as chained
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np
from mypy_extensions import mypyc_attr

from simdesk.engine.heap import URGENT, push
from simdesk.engine.loop import HOUR
from simdesk.engine.satisfaction import ScoringPart
from simdesk.histogram import NBINS, WaitBuffer, bin_counts
from simdesk.limits import FOLD_PENDING_WAITS
from simdesk.tally import (
    FLOAT_COUNTERS,
    INT_COUNTERS,
    JOURNEY_FLOATS,
    JOURNEY_INTS,
    POOL_PERIOD,
    Block,
    DayRecord,
    IntervalRecord,
    JourneyTally,
    PeopleRecord,
    PoolRecord,
    RunTallies,
    Tally,
    WeekHours,
    contact_block,
    journey_block,
)

if TYPE_CHECKING:
    from simdesk.engine.contact import Journey
    from simdesk.engine.staffing import PoolRuntime

# What a pool's tally is read for at each hour mark: ints, then floats.
POOL_INTS = (
    "offered", "handled", "abandoned", "overflowed", "contained", "escalated", "waited",
    "within", "count", "zeros", "resolved",
)
POOL_FLOATS = ("wait_sum", "answered_wait_sum")
_BUSY, _STAFFED = POOL_PERIOD.index("busy_s"), POOL_PERIOD.index("staffed_s")
# A day's pool counts, as (place in POOL_PERIOD, place in POOL_INTS).
_DAY_COUNTS = tuple(
    (POOL_PERIOD.index(period), POOL_INTS.index(tally))
    for period, tally in (
        ("handled", "handled"), ("resolved", "resolved"), ("overflowed", "overflowed"),
        ("within", "within"), ("finished", "count"),
    )
)


class Chain:
    """The newest cell of one (kind, type, hour of day): it holds the running float sums."""

    __slots__ = ("head",)

    def __init__(self) -> None:
        self.head: Any = None


class Rolled:
    """A cell's place (type x 24 + hour of day, hour of the week, day index or None in
    warm-up, interval of the day on a finer grid or -1) and its float bookkeeping: the
    sums it started from (``base``), what stragglers forwarded into it (``foreign``) and
    what it forwarded as one (``fwd``)."""

    __slots__ = ("base", "chain", "day", "foreign", "fwd", "how", "row", "sub")

    def __init__(self, chain: Chain, row: int, how: int, day: int | None,
                 base: tuple[float, ...], sub: int) -> None:
        self.chain = chain
        self.row = row
        self.how = how
        self.day = day
        self.base = base
        self.sub = sub
        # Made by the first forwarded sum (cells.forward): most cells never see one.
        self.foreign: list[float] | None = None
        self.fwd: list[float] | None = None


class Kind:
    """One kind of cell (contacts, people, issues): its class, counters and aggregates."""

    def __init__(self, cls: type[Any], ints: tuple[str, ...], floats: tuple[str, ...],
                 ntypes: int, week_bins: bool = False, zero_within: bool = True,
                 fine_rows: int = 0) -> None:
        self.cls = cls
        self.ints = attrgetter(*ints)
        self.nints = len(ints)
        self.float_names = floats
        self.floats = attrgetter(*floats)
        self.nfloats = len(floats)
        self.no_floats = (0.0,) * len(floats)
        self.block = contact_block if cls is Tally else journey_block
        # Counters a contact cell does not keep, derived when it is folded: every finished
        # contact is rated (handled or abandoned), and each wait above zero is one that
        # waited (contacts' cells only: a people cell leaves ``waited`` at zero).
        self.rated = ints.index("rated") if "rated" in ints else None
        self.handled_abandoned = (
            (ints.index("handled"), ints.index("abandoned")) if self.rated is not None else None
        )
        self.waited = ints.index("waited") if cls is Tally and week_bins else None
        # The contacts the bot resolved the short way (``Tally.at_bot``; contacts' cells).
        self.at_bot: tuple[int, ...] | None = None
        if self.waited is not None:
            names = ("contained", "handled") + (("within",) if zero_within else ())
            self.at_bot = tuple(ints.index(name) for name in names)
        self.chains = [[Chain() for _ in range(24)] for _ in range(ntypes)]
        # Aggregates: per (type, hour of day) and per hour of the week. np.zeros leaves
        # pages untouched until written, so bins of empty hours cost no memory.
        self.cell_ints = np.zeros((ntypes * 24, self.nints), dtype=np.int64)
        self.cell_bins = np.zeros((ntypes * 24, NBINS), dtype=np.int64)
        self.cell_zc = np.zeros((ntypes * 24, 2), dtype=np.int64)  # zero waits, count
        self.week_ints = np.zeros((168, self.nints), dtype=np.int64)
        self.week_floats = np.zeros((168, self.nfloats), dtype=np.float64)
        self.week_zc = np.zeros((168, 2), dtype=np.int64)
        # Waits by hour of the week only for contacts: the weekday table shows their
        # quantiles; the people's and issues' by hour of the week are not shown.
        self.week_bins = np.zeros((168, NBINS), dtype=np.int64) if week_bins else None
        # By interval of the day on a finer grid (merged over types), only when the run
        # is asked for one (``Fine``); an ordinary run has none of these.
        self.fine_ints: Any = None
        if fine_rows:
            self.fine_ints = np.zeros((fine_rows, self.nints), dtype=np.int64)
            self.fine_floats = np.zeros((fine_rows, self.nfloats), dtype=np.float64)
            self.fine_zc = np.zeros((fine_rows, 2), dtype=np.int64)
            self.fine_bins = np.zeros((fine_rows, NBINS), dtype=np.int64)

    def new(self, t: int, hod: int, how: int, day: int | None,
            in_flight: bool | None = None, sub: int = -1) -> Any:
        """The cell of type t for the hour (or, on a finer grid, the interval ``sub``)
        starting now. The previous cell of this hour of the day becomes a straggler if
        something counted in it is still in flight (``in_flight``, when another cell
        tells: a people cell counts no arrivals). On a finer grid the previous cell is
        often the one of the interval before, in the same hour: its float sums then go
        on into the new cell, in the order they happen, so the hour's sums are the ones
        an hour's single cell would hold."""
        chain = self.chains[t][hod]
        old = chain.head
        cell = self.cls(WaitBuffer())
        if old is None:
            base = self.no_floats
        else:
            base = self.floats(old)
            for name, x in zip(self.float_names, base, strict=True):
                setattr(cell, name, x)
            if (not old.done) if in_flight is None else in_flight:
                old.forwards = True  # a straggler from now on (cells.forward)
        cell.roll = Rolled(chain, t * 24 + hod, how, day, base, sub)
        chain.head = cell
        return cell

    def own_floats(self, cell: Any) -> list[float]:
        """What a cell added to the float sums itself (``Rolled``)."""
        r = cell.roll
        now = self.floats(cell)  # a straggler's: frozen when it started forwarding
        out = [x - b for x, b in zip(now, r.base, strict=True)]
        if r.foreign is not None:
            out = [x - f for x, f in zip(out, r.foreign, strict=True)]
        if r.fwd is not None:
            out = [x + w for x, w in zip(out, r.fwd, strict=True)]
        return out

    def fold(self, cells: list[Any], days: list[DayRecord], slot: int) -> None:
        """Add finished cells into their (type, hour), hour of the week and day."""
        cells = [c for c in cells if c.roll.day is not None]
        if not cells:
            return
        n = len(cells)
        rolls = [c.roll for c in cells]
        rows = np.fromiter((r.row for r in rolls), dtype=np.int64, count=n)
        hows = np.fromiter((r.how for r in rolls), dtype=np.int64, count=n)
        getter = self.ints
        ints = np.array([getter(c) for c in cells], dtype=np.int64).reshape(n, self.nints)
        floats = np.array([self.own_floats(c) for c in cells], dtype=np.float64)
        floats = floats.reshape(n, self.nfloats)
        # Waits: a cell counts its zero waits (``zeros``) and keeps the others (``waits``,
        # histogram.WaitBuffer): the count of its waits is the two together.
        lengths = np.fromiter((len(c.hist.waits) for c in cells), dtype=np.int64, count=n)
        zc = np.empty((n, 2), dtype=np.int64)
        zc[:, 0] = np.fromiter((c.hist.zeros for c in cells), dtype=np.int64, count=n)
        if self.at_bot is not None:
            at_bot = np.fromiter((c.at_bot for c in cells), dtype=np.int64, count=n)
            for col in self.at_bot:
                ints[:, col] += at_bot
            zc[:, 0] += at_bot
        zc[:, 1] = zc[:, 0] + lengths
        if self.handled_abandoned is not None:
            handled, abandoned = self.handled_abandoned
            ints[:, self.rated] = ints[:, handled] + ints[:, abandoned]
        if self.waited is not None:
            ints[:, self.waited] = lengths
        np.add.at(self.cell_ints, rows, ints)
        np.add.at(self.week_ints, hows, ints)
        np.add.at(self.week_floats, hows, floats)
        idx = np.empty(0, dtype=np.int64)
        owner = np.empty(0, dtype=np.int64)
        if lengths.any():
            _, idx = bin_counts(list(chained.from_iterable(c.hist.waits for c in cells)))
            owner = np.repeat(np.arange(n), lengths)
            zero = idx < 0
            zc[:, 0] += np.bincount(owner[zero], minlength=n)
            idx, owner = idx[~zero], owner[~zero]
            np.add.at(self.cell_bins.reshape(-1), rows[owner] * NBINS + idx, 1)
            if self.week_bins is not None:
                np.add.at(self.week_bins.reshape(-1), hows[owner] * NBINS + idx, 1)
        np.add.at(self.cell_zc, rows, zc)
        np.add.at(self.week_zc, hows, zc)
        if self.fine_ints is not None:
            subs = np.fromiter((r.sub for r in rolls), dtype=np.int64, count=n)
            np.add.at(self.fine_ints, subs, ints)
            np.add.at(self.fine_floats, subs, floats)
            np.add.at(self.fine_zc, subs, zc)
            if len(idx):
                np.add.at(self.fine_bins.reshape(-1), subs[owner] * NBINS + idx, 1)
        day_of = np.fromiter((r.day for r in rolls), dtype=np.int64, count=n)
        for d in sorted(set(day_of.tolist())):  # (np.unique would import numpy.ma)
            record = days[d]
            block = (record.cells, record.people, record.journeys)[slot]
            members = day_of == d
            mine = idx[members[owner]]
            z, c = zc[members].sum(axis=0).tolist()
            block.add(ints[members].sum(axis=0), floats[members].sum(axis=0), z, c,
                      np.bincount(mine, minlength=NBINS) if len(mine) else None)
            block.compact()
        for c in cells:
            c.hist.waits.clear()  # nothing adds to a finished cell: its waits are binned now

    def running_floats(self, t: int, hod: int) -> list[float]:
        head = self.chains[t][hod].head
        return [0.0] * self.nfloats if head is None else list(self.floats(head))



class Fine:
    """Recording on a grid finer than the hour, when the run is asked for one
    (``simulate(..., interval=...)``, for ``simdesk staff --interval 30m``): the interval
    under way, and each pool's busy and staffed unit-seconds per interval of the day.

    Marks inside the hour (``_on_interval``) start new contact cells, as hour marks do,
    and credit the pools' integrals read as they stand (``PoolRuntime.area_at``), without
    bringing them up to date: the run's own integrals, events and cells of the hour are
    the ones an ordinary run has, so every figure but the finer ones comes out the same."""

    __slots__ = ("busy", "count", "cur", "length", "marks", "per_hour", "staffed")

    def __init__(self, length: float, npools: int) -> None:
        self.length = length
        self.per_hour = round(HOUR / length)
        self.count = 24 * self.per_hour
        self.cur = 0
        self.marks = [(0.0, 0.0)] * npools
        self.busy = [[0.0] * self.count for _ in range(npools)]
        self.staffed = [[0.0] * self.count for _ in range(npools)]

    def index(self, seconds_into_day: float) -> int:
        """The interval of the day a mark opens (marks fall on whole intervals, give or
        take rounding)."""
        return int((seconds_into_day + 1e-6) // self.length) % self.count


@mypyc_attr(allow_interpreted_subclasses=True)
class RecordingPart(ScoringPart):
    """Hour marks: cells by the clock, the pools' integrals and counters; the records."""

    def _setup_recording(self) -> None:
        cal = self.cal  # set by the desk before the pools
        ntypes = len(self.types)
        self.day_periods = cal.periods("day")
        self.day_starts = [p.t0 for p in self.day_periods]
        npools = len(self.pools)
        self.days: list[DayRecord] = [
            DayRecord(contact_block(), contact_block(), journey_block(),
                      [[0.0] * len(POOL_PERIOD) for _ in range(npools)])
            for _ in self.day_periods
        ]
        fine = None if self.interval is None else Fine(self.interval, npools)
        self.fine = fine
        rows = 0 if fine is None else fine.count
        # Without a bot every contact reaches people, so the people's cells would count
        # exactly what the contacts' cells count (the same contacts, in the same order):
        # they are not kept apart, and the records hand the contacts' on as the people's.
        self.people_are_contacts = not any(p.is_bot for p in self.s.pools)
        self.kinds = (
            Kind(Tally, INT_COUNTERS, FLOAT_COUNTERS, ntypes, week_bins=True,
                 zero_within=self.zero_within, fine_rows=rows),
            Kind(Tally, INT_COUNTERS, FLOAT_COUNTERS, ntypes, fine_rows=rows),
            Kind(JourneyTally, JOURNEY_INTS, JOURNEY_FLOATS, ntypes, fine_rows=rows),
        )
        self.retired: list[tuple[Any, Any, Any]] = []
        self.midnights = 0  # since the last fold
        self.cells = [None] * ntypes  # type: ignore[list-item]
        self.people_cells = [None] * ntypes  # type: ignore[list-item]
        self.journeys = [None] * ntypes  # type: ignore[list-item]
        self._roll(0.0, retire=False)
        self.mark_t = 0.0
        self.pool_last = [self._read_pool(p) for p in self.pools.values()]
        self.pool_hours = [
            ([[0] * len(POOL_INTS) for _ in range(24)],
             [[0.0] * len(POOL_FLOATS) for _ in range(24)])
            for _ in self.pools
        ]
        self.week_busy = [0.0] * 168
        self.week_staffed = [0.0] * 168

    def _day_at(self, t: float) -> int | None:
        """Index of the measured day holding time ``t`` (None before or after)."""
        if t < self.warmup or t >= self.end:
            return None
        return bisect_right(self.day_starts, t) - 1

    def _roll(self, now: float, retire: bool = True) -> None:
        """New cells for the hour starting now (one per type and kind)."""
        cal = self.cal
        hod = cal.hour_of_day(now)
        how = cal.hour_of_week(now)
        # The day its counted contacts arrive in: none if the hour ends in the warm-up.
        day = None if cal.next_hour(now) <= self.warmup else self._day_at(max(now, self.warmup))
        sub = -1
        if self.fine is not None:
            sub = self.fine.cur = self.fine.index(cal.seconds_into_day(now))
        contacts, people, issues = self.kinds
        cells, pcells, jcells = self.cells, self.people_cells, self.journeys
        for t in range(len(cells)):
            if retire:
                self.retired.append((cells[t], pcells[t], jcells[t]))
            before = contacts.chains[t][hod].head
            cells[t] = contacts.new(t, hod, how, day, sub=sub)
            pcells[t] = people.new(t, hod, how, day, before is not None and not before.done,
                                   sub)
            jcells[t] = issues.new(t, hod, how, day, sub=sub)

    def _pending_waits(self) -> int:
        return sum(
            len(c.hist.waits) for cells in self.retired for c in cells if c is not None
        )

    def _fold_done(self, everything: bool = False) -> None:
        """Fold the retired cells nothing can add to any more (at the end: all of them).

        Folding has a fixed cost (a few numpy calls per kind of cell), so it runs at a
        midnight once a week, or sooner when the waits held by cells waiting to be folded
        reach ``FOLD_PENDING_WAITS``: a busy desk folds every day, a quiet one weekly."""
        self.midnights = 0
        contacts, people, issues = self.kinds
        done_cells: list[Any] = []
        done_people: list[Any] = []
        done_issues: list[Any] = []
        keep: list[tuple[Any, Any, Any]] = []
        for cell, pcell, jcell in self.retired:
            if cell is not None and (everything or cell.done):
                done_cells.append(cell)
                done_people.append(pcell)
                cell = pcell = None
            if jcell is not None and (everything or jcell.done):
                done_issues.append(jcell)
                jcell = None
            if cell is not None or jcell is not None:
                keep.append((cell, pcell, jcell))
        self.retired = keep
        contacts.fold(done_cells, self.days, 0)
        people.fold(done_people, self.days, 1)
        issues.fold(done_issues, self.days, 2)

    def _schedule_recording(self) -> None:
        if self.warmup > 0:
            self._at(self.warmup, self._on_warmup_end, None)
        first = self.cal.next_hour(0.0)
        self._at_hour(first)
        if self.fine is not None:
            self._at_intervals(first - HOUR)

    def _at_hour(self, at: float, callback: Any = None) -> None:
        """The hour mark goes before anything else at its instant (URGENT), so a contact
        arriving on the hour is counted in the hour it starts."""
        push(
            self.queue,
            (at, URGENT, self.next_eid(), self._on_hour if callback is None else callback, None),
        )

    def _at_intervals(self, hour: float) -> None:
        """On a finer grid: the marks inside the hour starting at ``hour`` (URGENT like
        the hour's, for the same reason), those after the start and before the end."""
        fine = self.fine
        assert fine is not None
        for j in range(1, fine.per_hour):
            at = hour + j * fine.length
            if 0.0 < at < self.end:
                self._at_hour(at, self._on_interval)

    def _on_interval(self, _: None) -> None:
        now = self.env._now
        self._credit_fine(now)
        self._roll(now)

    def _credit_fine(self, now: float) -> None:
        """Busy and staffed unit-seconds since the last mark, to the interval under way."""
        fine = self.fine
        assert fine is not None
        cur = fine.cur
        marks = fine.marks
        for i, pool in enumerate(self.pools.values()):
            busy, staffed = pool.area_at(now)
            busy0, staffed0 = marks[i]
            fine.busy[i][cur] += busy - busy0
            fine.staffed[i][cur] += staffed - staffed0
            marks[i] = (busy, staffed)

    def _on_warmup_end(self, _: None) -> None:
        now = self.env._now
        for pool in self.pools.values():
            pool.flush(now)
            pool.busy_area = pool.staffed_area = 0.0
            pool.mark = (0.0, 0.0)
            pool.hour_busy = [0.0] * 24
            pool.hour_staffed = [0.0] * 24
        fine = self.fine
        if fine is not None:
            fine.marks = [(0.0, 0.0)] * len(self.pools)
            fine.busy = [[0.0] * fine.count for _ in self.pools]
            fine.staffed = [[0.0] * fine.count for _ in self.pools]

    def _on_hour(self, _: None) -> None:
        now = self.env._now
        if self.fine is not None:
            self._credit_fine(now)
            self._at_intervals(now)
        self._close_hour(now)
        self._roll(now)
        if self.cal.hour_of_day(now) == 0:
            self.midnights += 1
            if self.midnights >= 7 or self._pending_waits() >= FOLD_PENDING_WAITS:
                self._fold_done()
        self._at_hour(now + HOUR)

    def _read_pool(self, p: PoolRuntime) -> tuple[list[int], list[float]]:
        p.settle(self.zero_within)
        t = p.tally
        h = t.hist
        ints = [
            t.offered, sum(p.t_handled), t.abandoned, t.overflowed, t.contained,
            t.escalated, t.waited, t.within, h.count, h.zeros, sum(p.t_resolved),
        ]
        return ints, [t.wait_sum, t.answered_wait_sum]

    def _close_hour(self, now: float) -> None:
        """Credit busy and staffed time and the pools' counts since the last hour mark to
        the hour just ended, its hour of the week and its day."""
        hours = math.ceil((now + self.cal.offset) / HOUR) - 1
        hour = int(hours) % 24
        how = int(hours) % 168
        day = None if now <= self.warmup else self._day_at(max(self.mark_t, self.warmup))
        record = None if day is None else self.days[day]
        for i, pool in enumerate(self.pools.values()):
            pool.flush(now)
            busy0, staffed0 = pool.mark
            busy = pool.busy_area - busy0
            staffed = pool.staffed_area - staffed0
            pool.hour_busy[hour] += busy
            pool.hour_staffed[hour] += staffed
            pool.mark = (pool.busy_area, pool.staffed_area)
            ints, floats = self._read_pool(pool)
            last_ints, last_floats = self.pool_last[i]
            self.pool_last[i] = (ints, floats)
            if record is None:
                continue
            hour_ints, hour_floats = self.pool_hours[i]
            hour_ints[hour] = [
                h + a - b for h, a, b in zip(hour_ints[hour], ints, last_ints, strict=True)
            ]
            hour_floats[hour] = [
                h + a - b for h, a, b in zip(hour_floats[hour], floats, last_floats, strict=True)
            ]
            row = record.pools[i]
            for at, k in _DAY_COUNTS:
                row[at] += ints[k] - last_ints[k]
            row[_BUSY] += busy
            row[_STAFFED] += staffed
            if not pool.is_bot:
                self.week_busy[how] += busy
                self.week_staffed[how] += staffed
        self.mark_t = now

    def _pool_counts(self) -> list[tuple[list[int], list[float]]]:
        return [self._read_pool(p) for p in self.pools.values()]

    def _credit_late(self, at: float, before: list[tuple[list[int], list[float]]]) -> None:
        """The pools' counts changed just now for a moment ``at`` before the last hour mark
        (a giving-up noticed late, without patience timers): credit the change to the hour
        and day of ``at``, as a timer firing then would have, not to the hour under way."""
        hour = int((at + self.cal.offset) // HOUR) % 24
        day = self._day_at(at)
        for i, p in enumerate(self.pools.values()):
            ints, floats = self._read_pool(p)
            d_ints = [a - b for a, b in zip(ints, before[i][0], strict=True)]
            d_floats = [a - b for a, b in zip(floats, before[i][1], strict=True)]
            if not any(d_ints) and not any(d_floats):
                continue
            last_ints, last_floats = self.pool_last[i]
            self.pool_last[i] = (
                [a + d for a, d in zip(last_ints, d_ints, strict=True)],
                [a + d for a, d in zip(last_floats, d_floats, strict=True)],
            )
            if day is None:
                continue
            hour_ints, hour_floats = self.pool_hours[i]
            hour_ints[hour] = [a + d for a, d in zip(hour_ints[hour], d_ints, strict=True)]
            hour_floats[hour] = [
                a + d for a, d in zip(hour_floats[hour], d_floats, strict=True)
            ]
            row = self.days[day].pools[i]
            for col, k in _DAY_COUNTS:
                row[col] += d_ints[k]

    def _close_recording(self) -> None:
        """At the end of the run: the last (maybe partial) hour, and every cell folded."""
        if self.fine is not None:
            self._credit_fine(self.end)
        self._close_hour(self.end)
        ntypes = len(self.cells)
        self.retired.extend(
            (self.cells[t], self.people_cells[t], self.journeys[t]) for t in range(ntypes)
        )
        self._fold_done(everything=True)

    def _tallies(self) -> RunTallies:
        """The run's records, after ``_close_recording``."""
        contacts, people, issues = self.kinds
        ntypes = len(self.types)

        def scope(kind: Kind, t: int, h: int) -> Any:
            row = t * 24 + h
            out = kind.cls()
            for name, v in zip(_int_names(kind), kind.cell_ints[row].tolist(), strict=True):
                setattr(out, name, v)
            names = FLOAT_COUNTERS if kind.cls is Tally else JOURNEY_FLOATS
            for name, x in zip(names, kind.running_floats(t, h), strict=True):
                setattr(out, name, x)
            zeros, count = kind.cell_zc[row].tolist()
            out.hist.add_counts(zeros, count, kind.cell_bins[row])
            return out

        cells = [[scope(contacts, t, h) for h in range(24)] for t in range(ntypes)]
        jcells = [[scope(issues, t, h) for h in range(24)] for t in range(ntypes)]
        days = self.days
        if self.people_are_contacts:
            # The figures of the people read what both count alike (docs/figures.md).
            people = contacts
            for d in days:
                d.people = d.cells
        pcells = [[scope(people, t, h) for h in range(24)] for t in range(ntypes)]
        pools = [
            _record(p, *self.pool_hours[i], self.warmup, self.end)
            for i, p in enumerate(self.pools.values())
        ]
        week = WeekHours(
            _week_blocks(contacts), _week_blocks(people), _week_blocks(issues),
            list(self.week_busy), list(self.week_staffed),
        )
        fine = self.fine
        record = None
        if fine is not None:
            names = list(self.pools)
            record = IntervalRecord(
                fine.length, _fine_blocks(contacts), _fine_blocks(people),
                _fine_blocks(issues),
                {n: list(b) for n, b in zip(names, fine.busy, strict=True)},
                {n: list(x) for n, x in zip(names, fine.staffed, strict=True)},
            )
        return RunTallies(
            self.s, 0, 0, cells, pools, self.s.horizon, self.sl_within, pcells, jcells,
            week, days, record,
        )

    def _end_issue(self, journey: Journey, resolved: bool, score: float, now: float) -> None:
        """The issue ends with this contact, resolved or with no further contact coming
        (docs/figures.md, "Issues"): counted in the tally of its first contact, unless
        that came during warm-up (None). ``score`` is the last contact's; a resolved
        issue also counts its contacts and its time from the first contact to now."""
        first, j, contacts = journey
        if j is not None:
            j.closed += 1
            j.add_csat(score)
            if resolved:
                j.resolved += 1
                j.contacts_resolved += contacts
                took = now - first
                j.add_time(took)
                j.hist.add(took)

def _int_names(kind: Kind) -> tuple[str, ...]:
    return INT_COUNTERS if kind.cls is Tally else JOURNEY_INTS


def _week_blocks(kind: Kind) -> list[Block | None]:
    """A block per hour of the week; None where nothing was counted (most of a short
    run's week)."""
    out: list[Block | None] = []
    counted = kind.week_ints.any(axis=1) | kind.week_zc[:, 1].astype(bool)
    for how in range(168):
        if not counted[how]:
            out.append(None)
            continue
        b = kind.block()
        zeros, count = kind.week_zc[how].tolist()
        bins = None if kind.week_bins is None else kind.week_bins[how]
        b.add(kind.week_ints[how], kind.week_floats[how], zeros, count,
              bins if bins is not None and bins.any() else None)
        out.append(b)
    return out


def _fine_blocks(kind: Kind) -> list[Block]:
    """A block per interval of the day on the finer grid."""
    out = []
    for i in range(len(kind.fine_ints)):
        b = kind.block()
        zeros, count = kind.fine_zc[i].tolist()
        bins = kind.fine_bins[i]
        b.add(kind.fine_ints[i], kind.fine_floats[i], zeros, count,
              bins if bins.any() else None)
        out.append(b)
    return out


def _people(p: PoolRuntime, t0: float, t1: float) -> PeopleRecord | None:
    """The pool's people over the measured period ``[t0, t1)`` and each of its days, from
    its plan (the days tile the period, so the period's counts are theirs merged)."""
    if p.roster is None:
        return None
    plan = p.roster.plan
    days = plan.people_counts([(d.t0, d.t1) for d in plan.calendar.periods("day")])
    whole = plan.people_counts([(t0, t1)])[0]
    return PeopleRecord(
        start=whole.start,
        hires=whole.hires,
        leavers=whole.leavers,
        end=whole.end,
        new=whole.new,
        nesting=whole.nesting,
        proficient=whole.proficient,
        shrinkage=plan.shrinkage,
        cost_per_hire=plan.cost_per_hire,
        days=days,
    )


def _record(p: PoolRuntime, hour_ints: list[list[int]],
            hour_floats: list[list[float]], t0: float, t1: float) -> PoolRecord:
    hours = []
    for h in range(24):
        t = Tally()
        values = dict(zip(POOL_INTS, hour_ints[h], strict=True))
        for name in ("offered", "handled", "abandoned", "overflowed", "contained",
                     "escalated", "waited", "within", "resolved"):
            setattr(t, name, values[name])
        t.hist.count = values["count"]
        t.hist.zeros = values["zeros"]
        t.wait_sum, t.answered_wait_sum = hour_floats[h]
        hours.append(t)
    return PoolRecord(
        name=p.name,
        is_bot=p.is_bot,
        cap=p.cap,
        tally=p.tally,
        t_handled=p.t_handled,
        t_resolved=p.t_resolved,
        t_busy=p.t_busy,
        busy_area=p.busy_area,
        staffed_area=p.staffed_area,
        hour_busy=p.hour_busy,
        hour_staffed=p.hour_staffed,
        hours=hours,
        people=_people(p, t0, t1),
    )
