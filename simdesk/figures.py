"""Figures derived from one run's tallies: the only place that defines what each means.

Every figure is a float (NaN where it is undefined, such as a wait quantile of a pool that
served nobody), so replications can be averaged figure by figure. Definitions are listed
in FIGURES and documented in docs/figures.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from simdesk.calendar import DAY, MONTH, WEEK, Calendar, PeriodKind
from simdesk.contracts import (
    Bill,
    ClauseFigures,
    DayFigures,
    Settlement,
    Volume,
    contract_bills,
    settle,
)
from simdesk.tally import (
    POOL_PERIOD,
    Block,
    JourneyTally,
    PeopleCount,
    PoolRecord,
    RunTallies,
    Tally,
    contact_block,
    journey_block,
)

PERIOD_KINDS: tuple[PeriodKind, ...] = ("day", "week", "month")

FIGURES: dict[str, str] = {
    "offered": "contacts that arrived in the measured period (repeats and retries included)",
    "handled": "contacts whose service was completed",
    "abandoned": "contacts that gave up waiting",
    "in_system": "contacts still waiting or in service when the run ended",
    "overflowed": "pools: queue visits that ended because another pool took the contact",
    "contained": "contacts the bot resolved on its own (false resolutions included)",
    "escalated": "contacts the bot handed to a person",
    "repeat_contacts": "contacts that were a repeat (unresolved earlier) or a retry",
    "resolved": "contacts truly resolved (first-contact resolution, true bot resolutions)",
    "abandonment_rate": "abandoned / (answered + abandoned)",
    "p_wait": "share of contacts that waited at all",
    "wait_mean_s": "mean wait of all contacts, zero waits included, abandoners until they left",
    "wait_queued_mean_s": "mean wait of the contacts that waited at all (abandoners until "
    "they left)",
    "asa_s": "average speed of answer: mean wait of answered contacts",
    "wait_p50_s": "median wait of all contacts (abandoners until they left)",
    "wait_p90_s": "90th percentile wait",
    "wait_p95_s": "95th percentile wait",
    "service_level": "answered within the target over answered + abandoned",
    "occupancy": "busy agent time over staffed agent time (people; bots with a limit)",
    "csat_mean": "mean satisfaction score (1-5) of finished contacts",
    "csat_satisfied": "share of finished contacts scoring at or above the threshold",
    "cost_total": "cost over the measured period",
    "cost_per_contact": "cost_total / finished contacts",
    "people_contacts": "finished contacts that reached people (offered to a people pool)",
    "people_service_level": "service_level of the contacts that reached people",
    "people_abandonment_rate": "abandonment_rate of the contacts that reached people",
    "people_wait_mean_s": "wait_mean_s of the contacts that reached people",
    "people_wait_p90_s": "wait_p90_s of the contacts that reached people",
    "people_csat_mean": "csat_mean of the contacts that reached people",
    "issues": "issues started in the measured period (fresh contacts)",
    "issues_open": "issues still open at the end (a contact in flight or a retry or "
    "repeat to come)",
    "issue_resolution_rate": "resolved issues / closed issues (a false bot resolution is "
    "not a resolution)",
    "contacts_per_resolved_issue": "contacts of the resolved issues / resolved issues",
    "issue_resolution_time_mean_s": "mean time from an issue's first contact to the end of "
    "the contact that resolved it",
    "issue_resolution_time_p90_s": "90th percentile of that time",
    "issue_csat_mean": "mean satisfaction of closed issues: the score of each issue's last "
    "contact",
}
CONTRACT_FIGURES: dict[str, str] = {
    "cost_contract_fees": "vendor contracts: the price (per hour x staffed hours, per contact "
    "x handled, or the anchored price)",
    "cost_contract_above": "anchored contracts: contacts above the baseline x the rate above",
    "cost_contract_below": "anchored contracts: contacts short of the baseline x the rate "
    "below, credited (subtracted)",
    "cost_contract_minimum": "vendor contracts: top-up to the minimum volume",
    "cost_contract_penalties": "service-level clause: penalty x periods missed, credited "
    "(subtracted)",
    "cost_contract_bonuses": "service-level clause: bonus x periods met",
    "contract_periods_met": "service-level clause: periods whose service level met the clause",
    "contract_periods_missed": "service-level clause: periods whose service level missed it",
}
"""Figures of pools with a contract (and, summed, of the totals when any pool has one);
absent from every other scope (docs/figures.md, "Vendor contracts")."""
FIGURES.update(CONTRACT_FIGURES)
WORKFORCE_FIGURES: dict[str, str] = {
    "headcount_start": "people employed at the start of the measured period (in training "
    "included)",
    "headcount_end": "people employed at its end",
    "hires": "people hired in it",
    "leavers": "people who left in it",
    "fte_on_duty": "mean people on duty and paid: paid hours / hours measured",
    "paid_hours": "paid agent-hours on duty (staffed: on the floor, present, shift open, "
    "finishing a contact included)",
    "productive_hours": "paid_hours x (1 - shrinkage)",
    "tenure_new": "people in training at the end",
    "tenure_nesting": "people on the floor inside the learning ramp at the end",
    "tenure_proficient": "the other people employed at the end",
    "hire_cost": "hires x cost_per_hire (in cost_total)",
}
"""Per pool, for pools with ``workforce`` only (docs/figures.md, "People")."""
FIGURES.update(WORKFORCE_FIGURES)
PEOPLE_FIGURES = [f for f in FIGURES if f.startswith("people_")]
ISSUE_FIGURES = [f for f in FIGURES if f.startswith(("issue", "contacts_per_resolved"))]

NAN = math.nan

SHARES = frozenset({"abandonment_rate", "p_wait", "service_level", "csat_satisfied"})
"""Figures that are a share of contacts: 0 to 1 by definition."""
SCORE_RANGE = (1.0, 5.0)


def figure_range(figure: str) -> tuple[float, float]:
    """The values a figure can take, which its 95% interval is cut to (docs/figures.md,
    "Means and intervals"). Shares lie in 0-1 (a figure added later is a share when its
    name ends in ``_rate``, ``_level`` or ``_share``), occupancy too (busy time never
    exceeds staffed time: staff finishing work after their shift stay staffed until done),
    satisfaction scores in 1-5, and everything else (counts, times, costs) is at least 0.
    """
    if figure == "occupancy" or figure in SHARES or figure.endswith(
        ("_rate", "_level", "_share", "_satisfied")
    ):
        return (0.0, 1.0)
    if figure == "csat_mean":
        return SCORE_RANGE
    return (0.0, math.inf)


@dataclass
class RunFigures:
    """One replication's figures, per scope."""

    totals: dict[str, float]
    pools: dict[str, dict[str, float]]
    types: dict[str, dict[str, float]]
    intervals: list[dict[str, float]] = field(default_factory=list)
    week_hours: list[dict[str, float]] = field(default_factory=list)
    """168 scopes, Monday 00:00-01:00 first: ``intervals`` split by weekday (the people's
    and issues' p90 are NaN there: not recorded by hour of the week)."""
    pool_hours: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    """Per pool, 24 scopes of ``POOL_HOUR_FIGURES``."""
    periods: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    """Per kind of period (day, week, month), the totals' figures of each period."""
    pool_periods: dict[str, dict[str, list[dict[str, float]]]] = field(default_factory=dict)
    """Per kind of period, per pool with ``workforce``, ``POOL_PERIOD_FIGURES`` of each
    period (in the order of ``periods``)."""


def _div(a: float, b: float) -> float:
    return a / b if b else NAN


def _figures(t: Tally, occupancy: float, cost: float) -> dict[str, float]:
    ended = t.hist.count
    answered = ended - t.abandoned
    return {
        "offered": float(t.offered),
        "handled": float(t.handled),
        "abandoned": float(t.abandoned),
        "in_system": float(t.offered - t.handled - t.abandoned - t.overflowed),
        "overflowed": float(t.overflowed),
        "contained": float(t.contained),
        "escalated": float(t.escalated),
        "repeat_contacts": float(t.repeats),
        "resolved": float(t.resolved),
        "abandonment_rate": _div(t.abandoned, ended),
        "p_wait": _div(t.waited, ended),
        "wait_mean_s": _div(t.wait_sum, ended),
        "wait_queued_mean_s": _div(t.wait_sum, t.waited),
        "asa_s": _div(t.answered_wait_sum, answered),
        "wait_p50_s": t.hist.quantile(0.5),
        "wait_p90_s": t.hist.quantile(0.9),
        "wait_p95_s": t.hist.quantile(0.95),
        "service_level": _div(t.within, ended),
        "occupancy": occupancy,
        "csat_mean": _div(t.csat_sum, t.rated),
        "csat_satisfied": _div(t.satisfied, t.rated),
        "cost_total": cost,
        "cost_per_contact": _div(cost, ended) if not math.isnan(cost) else NAN,
    }


def _people(t: Tally) -> dict[str, float]:
    """The headline figures of the contacts that reached people (docs/figures.md)."""
    ended = t.hist.count
    return {
        "people_contacts": float(ended),
        "people_service_level": _div(t.within, ended),
        "people_abandonment_rate": _div(t.abandoned, ended),
        "people_wait_mean_s": _div(t.wait_sum, ended),
        "people_wait_p90_s": t.hist.quantile(0.9),
        "people_csat_mean": _div(t.csat_sum, t.rated),
    }


def _issues(j: JourneyTally) -> dict[str, float]:
    """The customer's whole journey, per issue (docs/figures.md, "Issues")."""
    return {
        "issues": float(j.started),
        "issues_open": float(j.started - j.closed),
        "issue_resolution_rate": _div(j.resolved, j.closed),
        "contacts_per_resolved_issue": _div(j.contacts_resolved, j.resolved),
        "issue_resolution_time_mean_s": _div(j.time_sum, j.resolved),
        "issue_resolution_time_p90_s": j.hist.quantile(0.9),
        "issue_csat_mean": _div(j.csat_sum, j.closed),
    }


NOT_PER_POOL = dict.fromkeys(PEOPLE_FIGURES + ISSUE_FIGURES, NAN)
"""A pool sees visits, not contacts or issues: these figures are null per pool."""


def _staffing_cost(
    run: RunTallies, p: PoolRecord, measured_s: float | None = None,
    staffed_area: float | None = None,
) -> float:
    """Per hour of the measured period for a bot, per staffed agent-hour for people (of
    the whole run, or of a period's ``measured_s`` and ``staffed_area``)."""
    pool = run.scenario.pool(p.name)
    measured = run.measured_s if measured_s is None else measured_s
    staffed = p.staffed_area if staffed_area is None else staffed_area
    hours = measured / 3600.0 if p.is_bot else staffed / p.cap / 3600.0
    return pool.cost.per_hour * hours


def _hire_cost(p: PoolRecord) -> float:
    """Hires in the measured period at the pool's cost per hire (docs/figures.md)."""
    return 0.0 if p.people is None else p.people.hires * p.people.cost_per_hire


def _workforce(run: RunTallies, p: PoolRecord) -> dict[str, float]:
    """A workforce pool's people figures; none for other pools."""
    w = p.people
    if w is None:
        return {}
    count = PeopleCount(w.start, w.hires, w.leavers, w.end, w.new, w.nesting, w.proficient)
    return _people_figures(p, count, p.staffed_area, run.measured_s)


def _people_figures(
    p: PoolRecord, count: PeopleCount, staffed: float, measured_s: float
) -> dict[str, float]:
    """The ``WORKFORCE_FIGURES`` of a pool over a span (the measured period, or one of
    its days, weeks or months): its people ``count`` and its staffed unit-seconds."""
    assert p.people is not None
    paid = staffed / p.cap / 3600.0
    return {
        "headcount_start": float(count.start),
        "headcount_end": float(count.end),
        "hires": float(count.hires),
        "leavers": float(count.leavers),
        "fte_on_duty": _div(paid * 3600.0, measured_s),
        "paid_hours": paid,
        "productive_hours": paid * (1.0 - p.people.shrinkage),
        "tenure_new": float(count.new),
        "tenure_nesting": float(count.nesting),
        "tenure_proficient": float(count.proficient),
        "hire_cost": count.hires * p.people.cost_per_hire,
    }


def _variable_cost(run: RunTallies, p: PoolRecord, handled: float, resolved: float) -> float:
    c = run.scenario.pool(p.name).cost
    per_handled = c.per_contact + (c.per_conversation if p.is_bot else 0.0)
    return per_handled * handled + c.per_resolution * resolved


CLAUSE_PERIOD = {"day": DAY, "week": WEEK, "month": MONTH}
"""Seconds in a clause period, a month of mean length (the whole-period judgement)."""


def _contract_shares(run: RunTallies, p: PoolRecord) -> list[float]:
    """Each type's share of a contract's cost: by busy time under a per-hour price (as an
    hourly cost is shared), by handled contacts under a per-contact or anchored price."""
    contract = run.scenario.pool(p.name).contract
    assert contract is not None
    basis = p.t_busy if contract.per_hour is not None else [float(h) for h in p.t_handled]
    whole = sum(basis)
    return [b / whole if whole else 1.0 / len(basis) for b in basis]


def _settlement(run: RunTallies, index: int, p: PoolRecord) -> Settlement:
    """The pool's contract settled from its figures per measured day (simdesk/contracts.py,
    ``settle``): billed per calendar month (or over the whole run without a start), the
    clause judged period by period on the pool's own service level."""
    contract = run.scenario.pool(p.name).contract
    assert contract is not None
    at = {k: POOL_PERIOD.index(k) for k in ("handled", "staffed_s", "within", "finished")}
    days = [
        DayFigures(
            handled=row[at["handled"]],
            staffed_hours=row[at["staffed_s"]] / p.cap / 3600.0,
            within=row[at["within"]],
            finished=row[at["finished"]],
        )
        for row in (d.pools[index] for d in run.days)
    ]
    return settle(contract, Calendar.of(run.scenario), days)


def _contract_bill(run: RunTallies, p: PoolRecord) -> Bill:
    """What the pool's contract cost over the measured period from its whole-run figures
    alone, for records without figures per day (a ``RunTallies`` built by hand): one
    billing period, prorated in months of mean length, the clause judging the whole period
    once, its penalty or bonus counted for the clause periods that period spans."""
    contract = run.scenario.pool(p.name).contract
    assert contract is not None
    volume = Volume(
        months=run.measured_s / MONTH,
        handled=float(sum(p.t_handled)),
        staffed_hours=p.staffed_area / p.cap / 3600.0,
    )
    clause = []
    if contract.service_level is not None:
        share = run.measured_s / CLAUSE_PERIOD[contract.service_level.per]
        clause = [ClauseFigures(float(p.tally.within), float(p.tally.hist.count), 0, share)]
    return contract_bills(contract, [volume], clause)[0]


def _contract_lines(run: RunTallies, bill: Bill, name: str) -> dict[str, float]:
    """The figures of a bill that its contract can produce: a price's own lines, the
    minimum and the clause only where the contract has them."""
    contract = run.scenario.pool(name).contract
    assert contract is not None
    lines = {"cost_contract_fees": bill.fees}
    if contract.anchored is not None:
        lines["cost_contract_above"] = bill.above
        lines["cost_contract_below"] = bill.below
    if contract.minimum_volume is not None:
        lines["cost_contract_minimum"] = bill.minimum
    sl = contract.service_level
    if sl is not None:
        if sl.penalty:
            lines["cost_contract_penalties"] = bill.penalties
        if sl.bonus:
            lines["cost_contract_bonuses"] = bill.bonuses
        lines["contract_periods_met"] = float(bill.met)
        lines["contract_periods_missed"] = float(bill.missed)
    return lines


def run_figures(run: RunTallies) -> RunFigures:
    """Derive every figure of one run from its tallies."""
    s = run.scenario
    ntypes = len(s.demand.types)
    pool_figs: dict[str, dict[str, float]] = {}
    type_cost = [0.0] * ntypes
    total_cost = 0.0
    contract_totals: dict[str, float] = {}
    settlements: dict[str, Settlement] = {}  # contract pools with figures per day
    for index, p in enumerate(run.pools):
        t = p.tally
        t.handled = sum(p.t_handled)
        t.resolved = sum(p.t_resolved)
        busy_total = sum(p.t_busy)
        lines: dict[str, float] = {}
        if run.scenario.pool(p.name).contract is None:
            staffing = _staffing_cost(run, p) + _hire_cost(p)
            cost = staffing
            for i in range(ntypes):
                var = _variable_cost(run, p, p.t_handled[i], p.t_resolved[i])
                cost += var
                share = p.t_busy[i] / busy_total if busy_total else 1.0 / ntypes
                type_cost[i] += var + staffing * share
        else:
            if run.days:
                settlements[p.name] = _settlement(run, index, p)
                bill = settlements[p.name].total
            else:
                bill = _contract_bill(run, p)
            cost = bill.total + _hire_cost(p)
            lines = _contract_lines(run, bill, p.name)
            for i, share in enumerate(_contract_shares(run, p)):
                type_cost[i] += cost * share
            for key, value in lines.items():
                contract_totals[key] = contract_totals.get(key, 0.0) + value
        total_cost += cost
        occ = _div(p.busy_area, p.staffed_area)
        figs = _figures(t, occ, cost)
        figs["cost_per_contact"] = _div(cost, t.handled)
        for key in ("csat_mean", "csat_satisfied", "repeat_contacts"):
            figs[key] = NAN
        figs.update(NOT_PER_POOL)
        figs.update(lines)
        figs.update(_workforce(run, p))
        pool_figs[p.name] = figs
    humans = [p for p in run.pools if not p.is_bot]
    desk_occ = _div(sum(p.busy_area for p in humans), sum(p.staffed_area for p in humans))
    totals = _desk(
        Tally.merged([c for row in run.cells for c in row]),
        Tally.merged([c for row in run.people for c in row]),
        JourneyTally.merged([j for row in run.journeys for j in row]),
        desk_occ, total_cost, sum(p.tally.overflowed for p in run.pools),
    )
    totals.update({k: contract_totals[k] for k in CONTRACT_FIGURES if k in contract_totals})
    types = {}
    for i, name in enumerate(s.type_names):
        ft = _figures(Tally.merged(run.cells[i]), NAN, type_cost[i])
        ft["overflowed"] = NAN
        ft.update(_people(Tally.merged(run.people[i])))
        ft.update(_issues(JourneyTally.merged(run.journeys[i])))
        types[name] = ft
    intervals = []
    for h in range(24):
        fh = _figures(
            Tally.merged([run.cells[i][h] for i in range(ntypes)]),
            _div(sum(p.hour_busy[h] for p in humans), sum(p.hour_staffed[h] for p in humans)),
            NAN,
        )
        fh["overflowed"] = NAN
        fh.update(_people(Tally.merged([run.people[i][h] for i in range(ntypes)])))
        fh.update(_issues(JourneyTally.merged([run.journeys[i][h] for i in range(ntypes)])))
        intervals.append(fh)
    periods, pool_periods = _periods(run, settlements)
    return RunFigures(
        totals=totals, pools=pool_figs, types=types, intervals=intervals,
        week_hours=_week_hours(run), pool_hours=_pool_hours(run),
        periods=periods, pool_periods=pool_periods,
    )


def fine_interval_figures(run: RunTallies) -> list[dict[str, float]]:
    """The by-hour figures (``RunFigures.intervals``) per interval of the run's finer
    grid (``RunTallies.fine``; empty without one): each interval's contacts, those that
    reached people and the issues by the interval they arrived in, and the people pools'
    occupancy in it. Not part of ``run_figures``: only ``simdesk staff`` asks for it."""
    fine = run.fine
    if fine is None:
        return []
    humans = [p.name for p in run.pools if not p.is_bot]
    out = []
    for i, (cells, people, issues) in enumerate(
        zip(fine.cells, fine.people, fine.journeys, strict=True)
    ):
        occupancy = _div(sum(fine.busy[n][i] for n in humans),
                         sum(fine.staffed[n][i] for n in humans))  # fmt: skip
        fi = _figures(cells.tally(), occupancy, NAN)
        fi["overflowed"] = NAN
        fi.update(_people(people.tally()))
        fi.update(_issues(issues.journey()))
        out.append(fi)
    return out


def _desk(contacts: Tally, people: Tally, issues: JourneyTally, occupancy: float,
          cost: float, overflowed: float) -> dict[str, float]:
    """The desk's figures over a set of contacts: the totals', and a period's."""
    figs = _figures(contacts, occupancy, cost)
    figs["overflowed"] = float(overflowed)
    figs["in_system"] = float(contacts.offered - contacts.handled - contacts.abandoned)
    figs.update(_people(people))
    figs.update(_issues(issues))
    return figs


def _week_hours(run: RunTallies) -> list[dict[str, float]]:
    """The by-hour figures split by weekday (hour of the week)."""
    week = run.week
    if week is None:
        return []
    out = []
    empty: dict[str, float] | None = None
    for how in range(168):
        cells, people, issues = week.cells[how], week.people[how], week.journeys[how]
        occupancy = _div(week.busy[how], week.staffed[how])
        if cells is None and people is None and issues is None:
            if empty is None:  # an hour nobody arrived in: the same figures, but occupancy
                empty = _figures(Tally(), NAN, NAN)
                empty["overflowed"] = NAN
                empty.update(_people(Tally()))
                empty.update(_issues(JourneyTally()))
            out.append(dict(empty, occupancy=occupancy))
            continue
        fh = _figures(_tally(cells), occupancy, NAN)
        fh["overflowed"] = NAN
        fh.update(_people(_tally(people)))
        fh.update(_issues(JourneyTally() if issues is None else issues.journey()))
        # Kept without bins (recording.Kind): these quantiles are not shown by weekday.
        fh["people_wait_p90_s"] = fh["issue_resolution_time_p90_s"] = NAN
        out.append(fh)
    return out


def _tally(block: Block | None) -> Tally:
    return Tally() if block is None else block.tally()


POOL_HOUR_FIGURES = (
    "offered", "handled", "abandoned", "abandonment_rate", "p_wait", "wait_mean_s", "asa_s",
    "service_level", "occupancy",
)
"""A pool's figures by hour of day: which pool misses at which hour (no wait quantiles:
a pool's hours keep counts, not each wait)."""


def _pool_hours(run: RunTallies) -> dict[str, list[dict[str, float]]]:
    """Each pool by hour of day: a visit counts in the hour its wait ended (answered or
    gave up), offered in the hour it was offered; busy and staffed time when spent."""
    out: dict[str, list[dict[str, float]]] = {}
    for p in run.pools:
        if not p.hours:
            continue
        rows = []
        for h, t in enumerate(p.hours):
            ended = t.hist.count
            rows.append({
                "offered": float(t.offered),
                "handled": float(t.handled),
                "abandoned": float(t.abandoned),
                "abandonment_rate": _div(t.abandoned, ended),
                "p_wait": _div(t.waited, ended),
                "wait_mean_s": _div(t.wait_sum, ended),
                "asa_s": _div(t.answered_wait_sum, ended - t.abandoned),
                "service_level": _div(t.within, ended),
                "occupancy": _div(p.hour_busy[h], p.hour_staffed[h]),
            })
        out[p.name] = rows
    return out


POOL_PERIOD_FIGURES = ("handled", "service_level", "occupancy", "cost_total",
                      *WORKFORCE_FIGURES)
"""A workforce pool's figures per period: its own service, its cost (hires included) and
its people (docs/figures.md, "People over months")."""

PeriodFigures = dict[str, list[dict[str, float]]]


def _periods(
    run: RunTallies, settlements: dict[str, Settlement]
) -> tuple[PeriodFigures, dict[str, PeriodFigures]]:
    """Every figure of the totals per day, week and month (month with a start date), and
    each workforce pool's ``POOL_PERIOD_FIGURES`` per period.

    A contact counts in the period it arrived in (an issue in its first contact's);
    busy and staffed time, costs and overflowed visits in the period they happened in;
    a hire's cost in the period of the hire (its first day of training). A pool under a
    contract costs its settlement's money on the period's days (``Settlement.span``): a
    calendar month exactly its invoice; a day or a week its share of its month's price,
    and the penalty or bonus of each clause period that ends in it. Days nest in weeks
    and months, so those are merged from days: a period's headcount at its start is its
    first day's, at its end its last day's."""
    if not run.days:
        return {}, {}
    cal = Calendar.of(run.scenario)
    days = cal.periods("day")
    out: PeriodFigures = {}
    pools: dict[str, PeriodFigures] = {}
    for kind in PERIOD_KINDS:
        if kind == "month" and cal.start is None:
            continue
        figs = []
        per_pool: PeriodFigures = {p.name: [] for p in run.pools if p.people is not None}
        for p in cal.periods(kind) if kind != "day" else days:
            members = [i for i, d in enumerate(days) if p.t0 <= d.t0 < p.t1]
            totals, pool_figs = _period(run, members, p.t1 - p.t0, settlements)
            figs.append(totals)
            for name, f in pool_figs.items():
                per_pool[name].append(f)
        out[kind] = figs
        if per_pool:
            pools[kind] = per_pool
    return out, pools


def _people_in(p: PoolRecord, members: list[int]) -> PeopleCount:
    """A pool's people over consecutive measured days: the first day's start, the last
    day's end and tenure mix, the hires and leavers of every day."""
    assert p.people is not None
    days = [p.people.days[i] for i in members]
    first, last = days[0], days[-1]
    return PeopleCount(
        first.start, sum(d.hires for d in days), sum(d.leavers for d in days), last.end,
        last.new, last.nesting, last.proficient,
    )


def _period(
    run: RunTallies, members: list[int], measured_s: float,
    settlements: dict[str, Settlement],
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    cells, people, issues = contact_block(), contact_block(), journey_block()
    pools = np.zeros((len(run.pools), len(POOL_PERIOD)), dtype=np.float64)
    for d in (run.days[i] for i in members):
        cells.merge(d.cells)
        people.merge(d.people)
        issues.merge(d.journeys)
        pools += np.asarray(d.pools, dtype=np.float64)
    handled, resolved, overflowed, busy, staffed, within, finished = (
        pools[:, POOL_PERIOD.index(k)]
        for k in ("handled", "resolved", "overflowed", "busy_s", "staffed_s", "within",
                  "finished")
    )
    cost = 0.0
    busy_people = staffed_people = 0.0
    lines: dict[str, float] = {}
    pool_figs: dict[str, dict[str, float]] = {}
    for i, p in enumerate(run.pools):
        # Added to the desk's cost line by line, in the order the totals add them.
        if p.name in settlements:
            bill = settlements[p.name].span(members)
            parts = [bill.total]
            for key, value in _contract_lines(run, bill, p.name).items():
                lines[key] = lines.get(key, 0.0) + value
        else:
            parts = [_staffing_cost(run, p, measured_s, float(staffed[i])),
                     _variable_cost(run, p, float(handled[i]), float(resolved[i]))]
        if p.people is not None:
            workforce = _people_figures(p, _people_in(p, members), float(staffed[i]),
                                        measured_s)
            parts.append(workforce["hire_cost"])
            pool_figs[p.name] = {
                "handled": float(handled[i]),
                "service_level": _div(float(within[i]), float(finished[i])),
                "occupancy": _div(float(busy[i]), float(staffed[i])),
                "cost_total": float(sum(parts)),
                **workforce,
            }
        for part in parts:
            cost += part
        if not p.is_bot:
            busy_people += busy[i]
            staffed_people += staffed[i]
    figs = _desk(
        cells.tally(), people.tally(), issues.journey(), _div(busy_people, staffed_people),
        float(cost), float(overflowed.sum()),
    )
    figs.update({k: lines[k] for k in CONTRACT_FIGURES if k in lines})
    return figs, pool_figs
