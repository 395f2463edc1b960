"""Intraday staffing by simulation: the staff one pool needs in each interval of the day.

A day with peaks cannot be staffed from the Erlang formula on arrival rates alone: a
bot, abandonment, retries, repeats and overflow change the load a pool actually sees, and
staff in one hour changes the queue the next hour inherits. The iterative staffing
algorithm (ISA; Feldman, Mandelbaum, Massey & Whitt 2008, "Staffing of time-varying
queues to achieve time-stable performance") staffs from the load the simulation measures
instead:

1. simulate the desk with the current per-interval staffing;
2. measure each interval's offered load: the mean number of busy servers (chat slots, or
   agents for phone and email) of the pool in that interval, over the replications;
3. set each interval's staff to the smallest number that meets the targets for that load
   by Erlang C (Erlang A when patience is exponential), the per-interval rule;
4. repeat until the staffing stops changing.

Because the load is measured, it includes what the arrival rate does not show (repeats,
retries, overflow, the bot's escalations with their extra time), and an interval that
inherits a queue sees the extra work. The fixed point is then checked by simulation
against the targets in every interval (``meet_targets``): an interval that still misses
(judged by the one-sided 95% bound over the replications, as ``optimize`` judges a
desk) gets one agent more, and the loop repeats until every interval meets them. The
same loop takes a roster planner (simdesk/roster.py) in place of one shift per interval.

Resolution: every step works per interval of the day. With hour-long intervals (the
default) the load and the targets come from what every run records per hour of day
(``tally.PoolRecord.hour_busy``, the (type, hour) cells). With shorter ones (30m, 20m, 15m:
they divide an hour, 5 minutes at the finest) each replication is simulated with the
engine's finer grid on (``simulate(..., interval=...)``, ``tally.IntervalRecord``): the
pool's busy time in each interval, and the contacts, the people's contacts and the issues
by the interval they arrived in, so each interval is staffed from its own load and judged
on its own contacts. A demand that changes at the half hour gets different staff in the
two halves of the hour. The finer grid changes nothing else of a run (same events, same
figures by hour and in total).

Nothing here prints: the caller passes a runner (the same ones ``run`` and ``optimize``
use, with ``load_task(grid)`` as the task function) and a progress callback.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import yaml

from simdesk import __version__, limits
from simdesk.calendar import Calendar
from simdesk.confidence import Estimate
from simdesk.engine import simulate
from simdesk.erlang import agents_for_target
from simdesk.errors import Problem, SimdeskError
from simdesk.experiment import Runner, Summary, Task, summarize, summarize_scope
from simdesk.figures import RunFigures, fine_interval_figures, run_figures
from simdesk.limits import MAX_AGENTS
from simdesk.loading import scenario_from_data
from simdesk.optimize import Judged, _pool_demand, judge
from simdesk.report import SCHEMA_VERSION, number, scope_json
from simdesk.scenario import DAY_NAMES, Scenario, overload_without_patience
from simdesk.units import format_duration
from simdesk.yamlload import LocatedDocument

__all__ = [
    "DayGrid",
    "IsaResult",
    "LoadFigures",
    "Plan",
    "StaffingDesk",
    "StaffingResult",
    "Trial",
    "TrialStatus",
    "arrival_requirements",
    "block_shifts",
    "clock",
    "isa",
    "load_task",
    "meet_targets",
    "run_task_with_load",
    "servers_for_load",
]

HOUR = 3600.0
DAY = 86400.0


# --------------------------------------------------------------------------------------
# What a replication reports beyond its figures: the pools' busy time per hour of day
# --------------------------------------------------------------------------------------


@dataclass
class LoadFigures(RunFigures):
    """A replication's figures plus what ISA measures: each pool's busy unit-seconds per
    interval of the day, the figures of the contacts that arrived in each interval, and
    each pool's busy time and completed services (for the mean service time)."""

    interval_busy: dict[str, list[float]] = field(default_factory=dict)
    interval_figures: list[dict[str, float]] = field(default_factory=list)
    busy_s: dict[str, float] = field(default_factory=dict)
    handled: dict[str, int] = field(default_factory=dict)


def run_task_with_load(task: Task, interval: float = 3600.0) -> RunFigures:
    """``experiment.run_task`` that also keeps the busy time and the contacts' figures per
    interval of the day: per hour from an ordinary run, or from the engine's finer grid
    for a shorter ``interval`` (module level, so every executor can pickle it, bound to
    its interval with ``functools.partial``: ``load_task``)."""
    fine = interval < HOUR
    run = simulate(task.scenario, task.seed, task.replication, interval=interval if fine else None)
    figs = run_figures(run)
    if run.fine is not None:
        busy = {name: list(b) for name, b in run.fine.busy.items()}
        per_interval = fine_interval_figures(run)
    else:
        busy = {p.name: list(p.hour_busy) for p in run.pools}
        per_interval = figs.intervals
    return LoadFigures(
        totals=figs.totals,
        pools=figs.pools,
        types=figs.types,
        intervals=figs.intervals,
        interval_busy=busy,
        interval_figures=per_interval,
        busy_s={p.name: float(sum(p.t_busy)) for p in run.pools},
        handled={p.name: int(sum(p.t_handled)) for p in run.pools},
    )


def load_task(grid: DayGrid) -> Callable[[Task], RunFigures]:
    """The task function of a runner for ``grid`` (``parallel.make_runner(..., fn=...)``)."""
    return partial(run_task_with_load, interval=grid.interval)


# --------------------------------------------------------------------------------------
# The day's intervals
# --------------------------------------------------------------------------------------


def clock(seconds: float) -> str:
    """``HH:MM`` of a time of day; the end of the day is ``24:00``."""
    m = round(seconds / 60.0)
    return f"{m // 60:02d}:{m % 60:02d}"


@dataclass(frozen=True)
class DayGrid:
    """The intervals of a day (same on every working day) and the days staffed."""

    interval: float
    days: tuple[int, ...] = tuple(range(7))

    @property
    def per_hour(self) -> int:
        return round(HOUR / self.interval)

    @property
    def count(self) -> int:
        return 24 * self.per_hour

    def hour_of(self, i: int) -> int:
        return i // self.per_hour

    def expand(self, hourly: Sequence[int]) -> list[int]:
        """Per-interval values from per-hour ones (an interval has its hour's value)."""
        return [hourly[self.hour_of(i)] for i in range(self.count)]

    def at(self, seconds_into_day: float) -> int:
        """The interval holding a time of day."""
        return int(seconds_into_day // self.interval) % self.count

    def start(self, i: int) -> float:
        return i * self.interval

    def label(self, i: int) -> str:
        return f"{clock(self.start(i))}-{clock(self.start(i + 1))}"

    @property
    def days_text(self) -> str:
        if len(self.days) == 7:
            return "all"
        return ",".join(DAY_NAMES[d] for d in self.days)


def check_interval(interval: float) -> None:
    shortest = limits.MIN_STAFFING_INTERVAL_S
    if (
        not shortest <= interval <= HOUR
        or abs(HOUR / interval - round(HOUR / interval)) > 1e-9
        or interval % 60
    ):
        raise SimdeskError(
            Problem(
                f"expected an interval that divides an hour (60m, 30m, 20m, 15m, ...), from "
                f"{format_duration(shortest)} to 60m; got {format_duration(interval)}",
                key="--interval",
            )
        )


def exposure(s: Scenario, grid: DayGrid) -> list[float]:
    """Measured seconds of each interval of the day on the staffed days, on the run's
    calendar (a start date's weekday, a warm-up that starts the run the evening before)."""
    cal = Calendar.of(s)
    start, end = s.warmup, s.warmup + s.horizon
    out = [0.0] * grid.count
    t = start
    while t < end:
        # Up to the next interval boundary of the clock (or the end), in one piece.
        into = cal.seconds_into_day(t)
        i = grid.at(into + 1e-6)
        stop = min(end, t + (i + 1) * grid.interval - into)
        if stop <= t:  # rounding at a boundary: step past it
            stop = min(end, t + grid.interval)
        if cal.weekday(t) in grid.days:
            out[i] += stop - t
        t = stop
    return out


# --------------------------------------------------------------------------------------
# The per-interval rule: staff for a load
# --------------------------------------------------------------------------------------


def servers_for_load(s: Scenario, load: float, mean_s: float, use_patience: bool = True) -> int:
    """Smallest number of servers meeting the desk's targets for an offered ``load`` (in
    servers busy) with mean service ``mean_s``: Erlang A with the mean patience when
    patience is exponential (and ``use_patience``), else Erlang C; square-root staffing
    (load + sqrt(load)) when there is no service-level or abandonment target."""
    if not load > 1e-9 or not mean_s > 0:
        return 0
    sl = s.targets.service_level
    pat = s.customers.patience
    mean_pat = pat.mean if use_patience and pat is not None and pat.is_exponential else None
    cap_ab = s.targets.max_abandonment if mean_pat is not None else None
    fallback = math.ceil(load + math.sqrt(load))
    if sl is None and cap_ab is None:
        return fallback
    try:
        return agents_for_target(
            load / mean_s,
            mean_s,
            sl.within if sl is not None else 0.0,
            min(sl.at_least, 0.999999) if sl is not None else 0.0,
            mean_pat,
            cap_ab,
        ).agents
    except ValueError:
        return fallback


def arrival_requirements(
    s: Scenario, pool: str, days: Sequence[int], use_patience: bool = True
) -> list[int]:
    """Per-hour staff from the arrival rates alone (the two-step method's requirements, and
    ISA's start; ``DayGrid.expand`` gives each interval its hour's): the pool's load from
    ``optimize``'s starting estimate (each contact at the first pool of its kind on its
    route) shaped by the intraday and weekday profiles (hourly, as the scenario states
    them) averaged over the staffed days, then Erlang per hour. An agent taking several
    chats at once counts as one server that serves them that much faster, as there."""
    rate, load = _pool_demand(s)[pool]
    if rate <= 0 or load <= 0:
        return [0] * 24
    mean_s = load / rate
    out = []
    for h in range(24):
        m = sum(s.demand.rate_multiplier(d * 24 + h) for d in days) / len(days)
        out.append(servers_for_load(s, load * m, mean_s, use_patience))
    return out


# --------------------------------------------------------------------------------------
# A staffing plan: per-hour requirement -> shifts of the pool, scheduled per interval
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """Shifts for the pool (scenario format) and the staff they put in each interval (the
    fewest on duty at any moment of it)."""

    shifts: list[dict[str, Any]]
    scheduled: list[int]
    cost_per_day: float | None = None
    """Paid hours x hourly cost of one day, when a roster model priced it."""


Planner = Callable[[list[int]], Plan]


def block_shifts(staff: Sequence[int], grid: DayGrid) -> list[dict[str, Any]]:
    """Per-interval staffing as the fewest stacked shifts: for each run of intervals where
    the staffing is at least some level, one shift with the agents between that level and
    the one below, so agents stay on across intervals rather than hand over every hour."""
    levels = sorted({n for n in staff if n > 0})
    runs: dict[tuple[int, int], int] = {}
    below = 0
    for level in levels:
        i = 0
        while i < len(staff):
            if staff[i] >= level:
                j = i
                while j < len(staff) and staff[j] >= level:
                    j += 1
                runs[(i, j)] = runs.get((i, j), 0) + level - below
                i = j
            else:
                i += 1
        below = level
    out: list[dict[str, Any]] = []
    for (i, j), n in sorted(runs.items()):
        shift: dict[str, Any] = {"start": clock(grid.start(i)), "end": clock(grid.start(j))}
        if len(grid.days) < 7:
            shift = {"days": grid.days_text, **shift}
        out.append({**shift, "agents": n})
    return out


def interval_planner(grid: DayGrid) -> Planner:
    """Staff exactly the requirement in every interval (``simdesk staff``)."""

    def plan(required: list[int]) -> Plan:
        staff = list(required)
        return Plan(block_shifts(staff, grid), staff)

    return plan


def with_shifts(data: Any, pool: str, shifts: list[dict[str, Any]]) -> Any:
    """A copy of the raw scenario data with the pool's staffing replaced by ``shifts``
    (``agents: 0`` when there are none: a shift needs an agent)."""
    out = _copy(data)
    for item in out.get("pools") or []:
        if isinstance(item, dict) and item.get("name") == pool:
            item.pop("agents", None)
            item.pop("shifts", None)
            if shifts:
                item["shifts"] = [dict(sh) for sh in shifts]
            else:
                item["agents"] = 0
    return out


def _copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data


# --------------------------------------------------------------------------------------
# One simulated staffing
# --------------------------------------------------------------------------------------


@dataclass
class Trial:
    """A staffing simulated over the replications and judged per interval and for the
    day. Every list has one entry per interval of the day (``DayGrid.count``)."""

    requirement: list[int]
    """What the plan was asked to cover."""
    plan: Plan
    summary: Summary
    load: list[float]
    """Mean busy servers of the pool (chat slots, or agents)."""
    mean_service_s: float
    intervals: list[list[Judged]]
    """The targets judged on the contacts that arrived in the interval (no budget)."""
    judged: list[bool]
    """False when too few replications had contacts in the interval to judge."""
    totals: list[Judged]
    """The whole run's targets, budget included."""
    order: int

    def interval_met(self, i: int) -> bool:
        return not self.judged[i] or all(j.met for j in self.intervals[i])

    @property
    def missed_intervals(self) -> list[int]:
        return [i for i in range(len(self.intervals)) if not self.interval_met(i)]

    @property
    def totals_missed(self) -> list[Judged]:
        return [j for j in self.totals if not j.met]

    @property
    def meets(self) -> bool:
        return not self.missed_intervals and not self.totals_missed


@dataclass(frozen=True)
class TrialStatus:
    """What a progress line shows after each simulated staffing."""

    phase: str
    """"isa" (the iteration) or "targets" (raising where an interval misses)."""
    round: int
    runs: int
    missed: int


class StaffingDesk:
    """The scenario, the pool being staffed and the runner: simulates staffing plans with
    the same seed and replications (common random numbers), so two plans differ only by
    their staff."""

    def __init__(
        self,
        doc: LocatedDocument,
        base: Scenario,
        pool: str,
        grid: DayGrid,
        runner: Runner,
        *,
        seed: int,
        replications: int,
        on_trial: Callable[[TrialStatus], None] | None = None,
    ) -> None:
        self.doc = doc
        self.base = base
        self.pool = pool
        self.grid = grid
        self.runner = runner
        self.seed = seed
        self.replications = replications
        self.on_trial = on_trial
        self.cap = base.pool(pool).unit_capacity
        self.exposure = exposure(base, grid)
        self.runs = 0
        self.trials: list[Trial] = []
        self.phase = "isa"

    def data(self, plan: Plan) -> Any:
        return with_shifts(self.doc.data, self.pool, plan.shifts)

    def evaluate(self, requirement: list[int], plan: Plan) -> Trial:
        scenario = scenario_from_data(self.data(plan), self.doc.file)
        tasks = [Task(scenario, self.seed, r) for r in range(self.replications)]
        runs = self.runner(tasks)
        self.runs += len(tasks)
        loads = [r for r in runs if isinstance(r, LoadFigures)]
        if len(loads) != len(runs):
            raise TypeError("the runner must use intraday.load_task(grid)")
        summary = summarize(scenario, self.seed, runs)
        n = self.grid.count
        busy_in = [sum(r.interval_busy[self.pool][i] for r in loads) / len(loads) for i in range(n)]
        load = [b / e if e > 0 else 0.0 for b, e in zip(busy_in, self.exposure, strict=True)]
        handled = sum(r.handled[self.pool] for r in loads)
        busy = sum(r.busy_s[self.pool] for r in loads)
        mean_s = busy / handled if handled else self._nominal_service()
        flat = _without_budget(scenario)
        overloaded = overload_without_patience(scenario) is not None
        per_interval: list[list[Judged]] = []
        judged: list[bool] = []
        for i in range(n):
            scope = summarize_scope([r.interval_figures[i] for r in loads])
            js = judge(flat, scope, overloaded=overloaded)
            per_interval.append(js)
            judged.append(all(_estimable(scope.get(j.figure)) for j in js) and bool(js))
        trial = Trial(
            requirement=list(requirement),
            plan=plan,
            summary=summary,
            load=load,
            mean_service_s=mean_s,
            intervals=per_interval,
            judged=judged,
            totals=judge(
                scenario, summary.totals, summary.pools, summary.types, overloaded=overloaded
            ),
            order=len(self.trials),
        )
        self.trials.append(trial)
        if self.on_trial is not None:
            missed = len(trial.missed_intervals) + (1 if trial.totals_missed else 0)
            self.on_trial(TrialStatus(self.phase, len(self.trials), self.runs, missed))
        return trial

    def _nominal_service(self) -> float:
        p = self.base.pool(self.pool)
        types = self.base.pool_types(self.pool) or self.base.type_names
        return sum(p.handle_for(t).mean for t in types) / len(types) / p.speed

    def rule(self, trial: Trial) -> list[int]:
        """ISA's step: each interval's staff from its measured load (servers -> agents)."""
        out = []
        for load in trial.load:
            servers = servers_for_load(self.base, load, trial.mean_service_s)
            out.append(min(MAX_AGENTS, math.ceil(servers / self.cap)))
        return out


def _without_budget(s: Scenario) -> Scenario:
    """A budget caps the day's cost; an hour has no cost figure to judge it on."""
    if s.targets.budget is None:
        return s
    return s.model_copy(update={"targets": s.targets.model_copy(update={"budget": None})})


def _estimable(e: Estimate | None) -> bool:
    """At least two replications had contacts to measure (else no bound: not judged)."""
    return e is not None and e.n >= 2


# --------------------------------------------------------------------------------------
# ISA and the target loop
# --------------------------------------------------------------------------------------


@dataclass
class IsaResult:
    staff: list[int]
    """Per interval: the fixed point (or, after a cycle, the most each interval had in it)."""
    history: list[Trial]
    converged: bool
    cycled: bool


def isa(desk: StaffingDesk, start: list[int], max_iterations: int | None = None) -> IsaResult:
    """Iterate simulate -> measure each interval's load -> staff for it, from ``start``
    (one value per interval), until the staffing repeats. A staffing seen before (a cycle
    of two or more, which rounding can cause) ends it too, with each interval's largest
    value over the cycle."""
    desk.phase = "isa"
    if max_iterations is None:
        max_iterations = limits.MAX_STAFFING_ITERATIONS
    planner = interval_planner(desk.grid)
    staff = list(start)
    seen: list[list[int]] = [staff]
    history: list[Trial] = []
    for _ in range(max_iterations):
        trial = desk.evaluate(staff, planner(staff))
        history.append(trial)
        new = desk.rule(trial)
        if new == staff:
            return IsaResult(staff, history, converged=True, cycled=False)
        if new in seen:
            cycle = seen[seen.index(new) :]
            top = [max(c[i] for c in cycle) for i in range(len(staff))]
            return IsaResult(top, history, converged=True, cycled=True)
        seen.append(new)
        staff = new
    return IsaResult(staff, history, converged=False, cycled=False)


@dataclass
class StaffingResult:
    status: str
    """"met": ``final`` meets every target in every interval and for the day; "not met":
    the rounds ran out (``final`` is the last try, ``binding`` what it misses); "over
    budget": every interval meets its targets but the day costs more than the budget."""
    start: list[int]
    """Per interval: the requirement the loop started from (ISA's, or Erlang's)."""
    final: Trial
    trials: list[Trial]
    rounds: int


def _raise(trial: Trial) -> list[int]:
    """One agent more in every interval that misses, above what it had scheduled (a
    roster may have scheduled more than was required); when every interval meets its
    targets but the day misses one, the interval with the least slack on that target."""
    req = list(trial.requirement)

    def bump(i: int) -> None:
        req[i] = min(MAX_AGENTS, max(req[i], trial.plan.scheduled[i]) + 1)

    missed = trial.missed_intervals
    for i in missed:
        bump(i)
    if not missed:
        for j in trial.totals_missed:
            if j.ceiling:
                continue
            cands = [
                (k.slack, i)
                for i in range(len(req))
                if trial.judged[i]
                for k in trial.intervals[i]
                if k.figure == j.figure and not math.isnan(k.slack)
            ]
            if cands:
                bump(min(cands)[1])
    return req


def meet_targets(
    desk: StaffingDesk,
    requirement: list[int],
    planner: Planner,
    max_rounds: int | None = None,
) -> StaffingResult:
    """Plan the requirement (one value per interval), simulate, raise where an interval
    misses; until it all meets."""
    desk.phase = "targets"
    if max_rounds is None:
        max_rounds = limits.MAX_RAISE_ROUNDS
    start = list(requirement)
    req = list(requirement)
    trials: list[Trial] = []
    for r in range(1, max_rounds + 1):
        trial = desk.evaluate(req, planner(req))
        trials.append(trial)
        if trial.meets:
            return StaffingResult("met", start, trial, trials, r)
        if not trial.missed_intervals and all(j.ceiling for j in trial.totals_missed):
            return StaffingResult("over budget", start, trial, trials, r)
        new = _raise(trial)
        if new == req:  # nothing left to raise: the day misses a target no interval shows
            return StaffingResult("not met", start, trial, trials, r)
        req = new
    return StaffingResult("not met", start, trials[-1], trials, max_rounds)


# --------------------------------------------------------------------------------------
# Output: JSON and the staffed scenario as YAML
# --------------------------------------------------------------------------------------


def _judged_json(j: Judged) -> dict[str, Any]:
    return {
        "name": j.name,
        "figure": j.figure,
        "goal": j.goal,
        "mean": number(j.mean),
        "bound": number(j.bound),
        "met": j.met,
    }


def interval_rows(
    result: StaffingResult, grid: DayGrid, isa_staff: Sequence[int] | None
) -> list[dict[str, Any]]:
    """One row per interval: the requirement (ISA's, then as raised), what is scheduled,
    the measured load and the targets judged on the contacts that arrived in it."""
    t = result.final
    rows = []
    for i in range(grid.count):
        rows.append(
            {
                "start": clock(grid.start(i)),
                "end": clock(grid.start(i + 1)),
                "load": number(t.load[i]),
                "required_start": result.start[i],
                "required_isa": None if isa_staff is None else isa_staff[i],
                "required": t.requirement[i],
                "scheduled": t.plan.scheduled[i],
                "judged": t.judged[i],
                "met": t.interval_met(i),
                "targets": [_judged_json(j) for j in t.intervals[i]],
            }
        )
    return rows


def staffing_json(
    result: StaffingResult,
    desk: StaffingDesk,
    *,
    kind: str,
    isa_result: IsaResult | None,
    rules: dict[str, Any] | None = None,
    interrupted: bool = False,
) -> dict[str, Any]:
    """The ``staff`` / ``roster`` document: per interval required against scheduled, the
    day's targets, the shifts, and how the answer was reached."""
    t = result.final
    totals = t.summary.totals
    return {
        "schema_version": SCHEMA_VERSION,
        "simdesk_version": __version__,
        "kind": kind,
        "scenario": desk.base.name,
        "file": desk.doc.file,
        "pool": desk.pool,
        "seed": desk.seed,
        "replications": desk.replications,
        "interval": format_duration(desk.grid.interval),
        "days": desk.grid.days_text,
        "confidence": "one-sided 95% bound over the replications",
        "rules": rules,
        "status": "interrupted" if interrupted else result.status,
        "runs": desk.runs,
        "isa": None
        if isa_result is None
        else {
            "iterations": len(isa_result.history),
            "converged": isa_result.converged,
            "cycled": isa_result.cycled,
            "staff": isa_result.staff,
        },
        "rounds": result.rounds,
        "intervals": interval_rows(
            result, desk.grid, None if isa_result is None else isa_result.staff
        ),
        "targets": [_judged_json(j) for j in t.totals],
        "totals": scope_json(totals),
        "pool_figures": scope_json(t.summary.pools[desk.pool]),
        "paid_hours_cost_per_day": number(t.plan.cost_per_day),
        "shifts": t.plan.shifts,
    }


def staffing_yaml(desk: StaffingDesk, result: StaffingResult, command: str) -> str:
    """The scenario with the pool's shifts replaced by the answer (rebuilt from the file's
    data, like ``optimize --write``, so comments are not kept)."""
    data = desk.data(result.final.plan)
    source = " ".join(desk.doc.file.split())
    head = (
        f"# Written by simdesk {command} from {source}: pool {desk.pool!r} staffed so that\n"
        f"# every {format_duration(desk.grid.interval)} interval meets the targets with 95% "
        f"confidence ({desk.runs} simulation runs).\n"
    )
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None)
    return head + body
