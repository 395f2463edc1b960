"""Figures derived from one run's tallies: the only place that defines what each means.

Every figure is a float (NaN where it is undefined, such as a wait quantile of a pool that
served nobody), so replications can be averaged figure by figure. Definitions are listed
in FIGURES and documented in docs/figures.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from simdesk.calendar import DAY, MONTH, WEEK
from simdesk.contracts import Bill, ClauseFigures, Volume, contract_bills
from simdesk.tally import JourneyTally, PoolRecord, RunTallies, Tally

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


def _staffing_cost(run: RunTallies, p: PoolRecord) -> float:
    pool = run.scenario.pool(p.name)
    hours = run.measured_s / 3600.0 if p.is_bot else p.staffed_area / p.cap / 3600.0
    return pool.cost.per_hour * hours


def _variable_cost(run: RunTallies, p: PoolRecord, tidx: int) -> float:
    c = run.scenario.pool(p.name).cost
    per_handled = c.per_contact + (c.per_conversation if p.is_bot else 0.0)
    return per_handled * p.t_handled[tidx] + c.per_resolution * p.t_resolved[tidx]


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


def _contract_bill(run: RunTallies, p: PoolRecord) -> Bill:
    """What the pool's contract cost over the measured period (simdesk/contracts.py).

    The whole measured period is one billing period, prorated by its length in months of
    mean length, and the clause judges the pool's service level over the whole period
    once, its penalty or bonus counted for the clause periods that period spans (its
    length over a day, a week or a mean month)."""
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
    for p in run.pools:
        t = p.tally
        t.handled = sum(p.t_handled)
        t.resolved = sum(p.t_resolved)
        busy_total = sum(p.t_busy)
        lines: dict[str, float] = {}
        if run.scenario.pool(p.name).contract is None:
            staffing = _staffing_cost(run, p)
            cost = staffing
            for i in range(ntypes):
                var = _variable_cost(run, p, i)
                cost += var
                share = p.t_busy[i] / busy_total if busy_total else 1.0 / ntypes
                type_cost[i] += var + staffing * share
        else:
            bill = _contract_bill(run, p)
            cost = bill.total
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
        pool_figs[p.name] = figs
    humans = [p for p in run.pools if not p.is_bot]
    desk_occ = _div(sum(p.busy_area for p in humans), sum(p.staffed_area for p in humans))
    totals_tally = Tally.merged([c for row in run.cells for c in row])
    totals = _figures(totals_tally, desk_occ, total_cost)
    totals["overflowed"] = float(sum(p.tally.overflowed for p in run.pools))
    totals["in_system"] = float(
        totals_tally.offered - totals_tally.handled - totals_tally.abandoned
    )
    totals.update(_people(Tally.merged([c for row in run.people for c in row])))
    totals.update(_issues(JourneyTally.merged([j for row in run.journeys for j in row])))
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
    return RunFigures(totals=totals, pools=pool_figs, types=types, intervals=intervals)
