"""Vendor contracts: what a contract costs for the volumes a run simulated.

Pure arithmetic on figures the run recorded (docs/scenario-format.md, "Contracts"): no
simulation happens here, so every pricing rule can be worked out by hand and tested that
way (tests/test_contracts.py). ``figures`` hands in what a vendor pool did per billing
period and its service level per period of the clause; this module returns the bill of
each billing period, line by line.

Amounts a contract states per month (the anchored baseline and price, the minimum volume)
are prorated by the billing period's length in months (``Volume.months``): a whole
calendar month is 1, a measured week without dates 7 / 30.436875. Each billing period is
settled on its own, so a short month is not made good by a busy one, as an invoice would
not be. The clause's penalty or bonus counts in proportion to the share of its period the
run measured (``ClauseFigures.share``: a run that starts or ends mid-week carries that
week's measured share, so an hour's sliver of a week never costs a week's penalty), and
is booked in the billing period in which the clause period ends (``booked_in``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import TYPE_CHECKING

from simdesk.calendar import DAY, MONTH, WEEK, Period
from simdesk.shifts import headcount_changes, shift_windows

if TYPE_CHECKING:
    from simdesk.calendar import Calendar
    from simdesk.scenario import Anchored, Contract, Pool, ServiceLevelClause

__all__ = [
    "LINES",
    "Bill",
    "ClauseFigures",
    "DayFigures",
    "Settlement",
    "Volume",
    "anchored_cost",
    "booked_in",
    "clause_verdicts",
    "contract_bills",
    "period_share",
    "settle",
    "staffing_shortfalls",
    "volume_bill",
]


@dataclass(frozen=True)
class Volume:
    """What a vendor pool did in one billing period."""

    months: float  # the period's length in contract months
    handled: float  # contacts whose service the pool completed
    staffed_hours: float  # paid agent-hours: on duty busy or idle, overrun included


@dataclass(frozen=True)
class ClauseFigures:
    """A vendor pool's own service level in one period of its clause (a week by default):
    answered here within the threshold, over answered here plus abandoned here."""

    within: float
    finished: float
    bill: int = 0  # index of the billing period its penalty or bonus is booked in
    share: float = 1.0  # clause periods these figures stand for: the measured share of one


@dataclass(frozen=True)
class Bill:
    """One billing period of a contract, line by line. Every line is at least 0; ``below``
    and ``penalties`` are credits and are subtracted (``total``)."""

    fees: float = 0.0  # the price: per hour x hours, per contact x handled, anchored price
    above: float = 0.0  # anchored: contacts above the baseline x the rate above
    below: float = 0.0  # anchored: contacts short of the baseline x the rate below (credit)
    minimum: float = 0.0  # top-up to the minimum volume
    penalties: float = 0.0  # clause: penalty x missed periods (credit)
    bonuses: float = 0.0  # clause: bonus x met periods
    missed: float = 0.0  # clause periods missed (a partly measured one: its share)
    met: float = 0.0  # clause periods met (likewise)

    @property
    def total(self) -> float:
        return (
            self.fees + self.above - self.below + self.minimum - self.penalties + self.bonuses
        )

    def __add__(self, other: Bill) -> Bill:
        return Bill(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Bill)))

    def scaled(self, share: float) -> Bill:
        """This bill's money and period counts times ``share`` (a part of its period)."""
        return Bill(*(getattr(self, f.name) * share for f in fields(Bill)))


LINES = ("fees", "above", "below", "minimum", "penalties", "bonuses")
"""The money lines of a bill, in the order the result document lists them."""


def anchored_cost(a: Anchored, volume: float, months: float) -> tuple[float, float, float]:
    """(price, above, below) for ``volume`` contacts over ``months``: the baseline and the
    price prorated to the period, each contact above the baseline at ``a.above``, each one
    short of it credited at ``a.below``."""
    baseline = a.baseline * months
    over = max(volume - baseline, 0.0)
    short = max(baseline - volume, 0.0)
    return a.price * months, a.above * over, a.below * short


def _priced(c: Contract, volume: float, months: float) -> float:
    """What ``volume`` handled contacts cost under a per-contact or anchored price."""
    if c.anchored is not None:
        price, above, below = anchored_cost(c.anchored, volume, months)
        return price + above - below
    assert c.per_contact is not None
    return c.per_contact * volume


def volume_bill(c: Contract, v: Volume) -> Bill:
    """One billing period without the clause: the price and the minimum-volume top-up.

    The minimum volume is billed as if that many contacts had been handled: the top-up is
    what the billed volume costs more than the handled one, at the contract's own price.
    """
    if c.per_hour is not None:
        return Bill(fees=c.per_hour * v.staffed_hours)
    if c.anchored is not None:
        fees, above, below = anchored_cost(c.anchored, v.handled, v.months)
    else:
        assert c.per_contact is not None
        fees, above, below = c.per_contact * v.handled, 0.0, 0.0
    minimum = 0.0
    if c.minimum_volume is not None:
        floor = c.minimum_volume * v.months
        if v.handled < floor:
            minimum = _priced(c, floor, v.months) - _priced(c, v.handled, v.months)
    return Bill(fees=fees, above=above, below=below, minimum=minimum)


def clause_verdicts(
    clause: ServiceLevelClause, periods: Sequence[ClauseFigures]
) -> list[bool | None]:
    """Met (True) or missed (False) per period; None where the pool finished no contact,
    so there is no service level to judge (neither penalty nor bonus)."""
    return [
        None if p.finished <= 0 else p.within / p.finished >= clause.at_least for p in periods
    ]


def contract_bills(
    c: Contract, volumes: Sequence[Volume], clause: Sequence[ClauseFigures] = ()
) -> list[Bill]:
    """The bill of each billing period: its price and minimum top-up, plus the penalty of
    each clause period missed and the bonus of each met that is booked in it, each in
    proportion to the share of the clause period measured."""
    bills = [volume_bill(c, v) for v in volumes]
    sl = c.service_level
    if sl is None:
        return bills
    for figures, verdict in zip(clause, clause_verdicts(sl, clause), strict=True):
        if verdict is None:
            continue
        met = Bill(bonuses=sl.bonus * figures.share, met=figures.share)
        missed = Bill(penalties=sl.penalty * figures.share, missed=figures.share)
        bills[figures.bill] = bills[figures.bill] + (met if verdict else missed)
    return bills


def booked_in(clause_periods: Sequence[Period], billing: Sequence[Period]) -> list[int]:
    """For each clause period, the index of the billing period in which it ends (its last
    measured moment): a week straddling two months is settled in the second."""
    out = []
    for p in clause_periods:
        last = p.t1 - 1e-9
        index = next(
            (i for i, b in enumerate(billing) if b.t0 <= last < b.t1), len(billing) - 1
        )
        out.append(index)
    return out


def period_share(p: Period) -> float:
    """The share of a calendar period that ``p`` measured: 1 for a whole week, 1/7 for one
    day of it; a month's share is of that month's own length."""
    if p.kind == "day":
        length = DAY
    elif p.kind == "week":
        length = WEEK
    else:
        assert p.start is not None
        first = p.start.replace(day=1)
        following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        length = (following - first).days * DAY
    return (p.t1 - p.t0) / length


@dataclass(frozen=True)
class DayFigures:
    """What a vendor pool did on one measured day (one of ``Calendar.periods("day")``):
    the figures per day from which every billing and clause period is summed."""

    handled: float
    staffed_hours: float
    within: float  # answered here within the threshold
    finished: float  # answered here + abandoned here


@dataclass(frozen=True)
class Settlement:
    """A contract settled over a run, from the pool's figures per day (``settle``).

    ``bills`` are the billing periods' invoices; ``span`` cuts the same money to any set
    of days (a day, a week, a month of the run's period tables) so that the periods of a
    kind add up to the run's bill: a billing period's price and minimum top-up are shared
    among its days by what the price is on (staffed hours under ``per_hour``, handled
    contacts otherwise; by measured time when the period had none), and each clause
    period's penalty or bonus goes to the day in which the clause period ends.
    """

    billing: list[Period]  # calendar months with a start, else the whole measured period
    volume_bills: list[Bill]  # per billing period: the price and the minimum top-up
    clause: list[Period]  # the clause's periods (none without a clause)
    outcomes: list[Bill]  # per clause period: its penalty or bonus (empty: not judged)
    booked: list[int]  # per clause period: the billing period it is settled in
    day_bill: list[int]  # per measured day: its billing period
    day_basis: list[float]  # per measured day: what the price is on
    day_length: list[float]  # per measured day: seconds measured
    clause_last_day: list[int]  # per clause period: its last measured day

    @property
    def bills(self) -> list[Bill]:
        out = list(self.volume_bills)
        for outcome, b in zip(self.outcomes, self.booked, strict=True):
            out[b] = out[b] + outcome
        return out

    @property
    def total(self) -> Bill:
        return sum(self.bills, Bill())

    def span(self, days: Sequence[int]) -> Bill:
        """The money of these measured days (indices into ``Calendar.periods("day")``)."""
        chosen = set(days)
        out = Bill()
        for b, bill in enumerate(self.volume_bills):
            members = [d for d, db in enumerate(self.day_bill) if db == b]
            basis = sum(self.day_basis[d] for d in members)
            weights = self.day_basis if basis > 0 else self.day_length
            whole = basis if basis > 0 else sum(self.day_length[d] for d in members)
            part = sum(weights[d] for d in members if d in chosen)
            if part:
                out = out + bill.scaled(part / whole)
        for outcome, last in zip(self.outcomes, self.clause_last_day, strict=True):
            if last in chosen:
                out = out + outcome
        return out


def settle(c: Contract, cal: Calendar, days: Sequence[DayFigures]) -> Settlement:
    """A contract over a run, from the pool's figures per measured day.

    Billing periods are calendar months with a ``start`` (each prorated by its measured
    share of that month), else the whole measured period (in months of mean length). The
    clause's periods are ``Calendar.periods(per)``, each judged on its own days, counted
    for its measured share and booked in the billing period in which it ends. Days never
    straddle a week or a month, so each belongs to exactly one of each.
    """
    day_periods = cal.periods("day")
    if len(day_periods) != len(days):
        raise ValueError(f"{len(days)} days of figures for {len(day_periods)} measured days")
    if cal.start is not None:
        billing = cal.periods("month")
        months = [period_share(b) for b in billing]
    else:
        billing = [Period("month", 1, None, cal.warmup, cal.end)]
        months = [cal.horizon / MONTH]

    def place(periods: Sequence[Period]) -> list[int]:
        """The period each measured day falls in."""
        return [next(i for i, p in enumerate(periods) if p.t0 <= d.t0 < p.t1)
                for d in day_periods]

    day_bill = place(billing)
    volumes = [
        Volume(
            m,
            sum(d.handled for d, b in zip(days, day_bill, strict=True) if b == i),
            sum(d.staffed_hours for d, b in zip(days, day_bill, strict=True) if b == i),
        )
        for i, m in enumerate(months)
    ]
    clause: list[Period] = []
    outcomes: list[Bill] = []
    booked: list[int] = []
    last_day: list[int] = []
    sl = c.service_level
    if sl is not None:
        clause = cal.periods(sl.per)
        day_clause = place(clause)
        booked = booked_in(clause, billing)
        figures = [
            ClauseFigures(
                sum(d.within for d, k in zip(days, day_clause, strict=True) if k == i),
                sum(d.finished for d, k in zip(days, day_clause, strict=True) if k == i),
                booked[i],
                period_share(p),
            )
            for i, p in enumerate(clause)
        ]
        for f, verdict in zip(figures, clause_verdicts(sl, figures), strict=True):
            if verdict is None:
                outcomes.append(Bill())
            elif verdict:
                outcomes.append(Bill(bonuses=sl.bonus * f.share, met=f.share))
            else:
                outcomes.append(Bill(penalties=sl.penalty * f.share, missed=f.share))
        last_day = [max(d for d, k in enumerate(day_clause) if k == i) for i in range(len(clause))]
    basis = [d.staffed_hours if c.per_hour is not None else d.handled for d in days]
    return Settlement(
        billing=billing,
        volume_bills=[volume_bill(c, v) for v in volumes],
        clause=clause,
        outcomes=outcomes,
        booked=booked,
        day_bill=day_bill,
        day_basis=basis,
        day_length=[d.t1 - d.t0 for d in day_periods],
        clause_last_day=last_day,
    )


def staffing_shortfalls(pool: Pool, cal: Calendar) -> list[tuple[float, float, int]]:
    """Measured spans ``(t0, t1, agents)`` in which the pool is open (at least one agent on
    duty by its shifts or always-on headcount, dated or not) but staffs fewer than its
    contract's ``minimum_staffing``.

    The contract binds the vendor; the scenario's staffing is what is simulated and paid,
    so a shortfall is reported (a warning), never filled in behind the user's back. Hours
    with nobody on duty are the pool's closed hours, which the minimum does not cover.
    """
    minimum = pool.contract.minimum_staffing if pool.contract is not None else None
    if minimum is None:
        return []
    t0, end = cal.warmup, cal.end
    changes: dict[float, int] = {}
    if pool.shifts:
        for shift in pool.shifts:
            for a, b in shift_windows(shift, end, cal):
                changes[a] = changes.get(a, 0) + shift.agents
                changes[b] = changes.get(b, 0) - shift.agents
    else:
        before = 0
        for at, n in headcount_changes(pool, cal):  # always-on agents, dated or not
            changes[at] = changes.get(at, 0) + n - before
            before = n
    out: list[tuple[float, float, int]] = []
    on = 0
    times = sorted(changes)
    for i, t in enumerate(times):
        on += changes[t]
        t1 = times[i + 1] if i + 1 < len(times) else end
        lo, hi = max(t, t0), min(t1, end)
        if hi > lo and 0 < on < minimum:
            if out and out[-1][1] == lo and out[-1][2] == on:
                out[-1] = (out[-1][0], hi, on)
            else:
                out.append((lo, hi, on))
    return out
