"""The experiment driver: replications of one scenario, kept apart from the single run.

``simulate`` knows nothing about replications; this module turns a scenario into tasks,
runs them through a runner (serial here; process pools and Dask plug in the same way),
and summarises the figures into means with 95% confidence intervals. Replication i always
uses seed (scenario seed, i), so results do not depend on which worker ran what.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from simdesk.calendar import DAY, WEEK, Calendar, Period
from simdesk.confidence import Estimate, bounded, estimate
from simdesk.engine import simulate
from simdesk.erlang import QueueFigures
from simdesk.figures import PERIOD_KINDS, RunFigures, figure_range, run_figures
from simdesk.reference import erlang_reference
from simdesk.scenario import Scenario, warnings_for
from simdesk.targets import TargetVerdict, check_targets


@dataclass(frozen=True)
class Task:
    """One replication to run: picklable, so any executor can ship it to a worker."""

    scenario: Scenario
    seed: int
    replication: int


def run_task(task: Task, progress: Callable[[float], None] | None = None) -> RunFigures:
    """One replication's figures; ``progress`` sees the fraction of simulated time done."""
    return run_figures(simulate(task.scenario, task.seed, task.replication, progress))


Runner = Callable[[Sequence[Task]], list[RunFigures]]


def run_serial(tasks: Sequence[Task]) -> list[RunFigures]:
    return [run_task(t) for t in tasks]


Scope = dict[str, Estimate]


@dataclass(frozen=True)
class PeriodScope:
    """One day, week or month of the measured span and its figures (the totals'), and
    each workforce pool's (``figures.POOL_PERIOD_FIGURES``; empty without workforce)."""

    period: Period
    figures: Scope
    pools: dict[str, Scope] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.period.label

    @property
    def measured_s(self) -> float:
        return self.period.t1 - self.period.t0

    @property
    def partial(self) -> bool:
        """Measured for less than the whole day, week or month (a warm-up ending in it, a
        horizon ending before it does)."""
        p = self.period
        if p.kind == "day":
            return self.measured_s < DAY - 1e-6
        if p.kind == "week":
            return self.measured_s < WEEK - 1e-6
        assert p.start is not None
        nxt = date(p.start.year + (p.start.month == 12), p.start.month % 12 + 1, 1)
        return self.measured_s < (nxt - p.start).days * DAY - 1e-6


@dataclass
class Summary:
    """Every figure of a scenario as mean and 95% interval over replications."""

    scenario: Scenario
    seed: int
    replications: int
    totals: Scope
    pools: dict[str, Scope]
    types: dict[str, Scope]
    intervals: list[Scope]
    erlang: QueueFigures | None
    targets: list[TargetVerdict]
    warnings: list[str]
    runs: list[RunFigures]
    week_hours: list[Scope] = field(default_factory=list)
    """``intervals`` by weekday: 168 scopes, Monday 00:00-01:00 first."""
    pool_hours: dict[str, list[Scope]] = field(default_factory=dict)
    periods: dict[str, list[PeriodScope]] = field(default_factory=dict)
    """``day``, ``week`` and (with a start date) ``month``: every period measured."""

    def estimate(self, key: str) -> Estimate | None:
        """A figure by its key: ``service_level`` (totals), ``pools.NAME.FIGURE`` or
        ``types.NAME.FIGURE`` (how a scoped target names its figure); None if absent."""
        scope, _, rest = key.partition(".")
        if not rest:
            return self.totals.get(key)
        name, _, figure = rest.rpartition(".")
        scopes = {"pools": self.pools, "types": self.types, "totals": {"": self.totals}}
        return scopes.get(scope, {}).get(name, {}).get(figure)


def tasks_for(scenario: Scenario, seed: int | None = None, replications: int | None = None) -> list[
    Task
]:
    seed = scenario.seed if seed is None else seed
    n = scenario.replications if replications is None else replications
    return [Task(scenario, seed, i) for i in range(n)]


def summarize_scope(runs: Sequence[dict[str, float]]) -> Scope:
    """Each figure's mean and 95% interval, the interval kept within the figure's range
    (one scope over the replications: ``summarize`` does each of its scopes so, and
    ``simdesk staff`` each interval of a finer grid)."""
    keys = runs[0].keys()
    return {k: bounded(estimate([r[k] for r in runs]), *figure_range(k)) for k in keys}


def summarize(scenario: Scenario, seed: int, runs: list[RunFigures]) -> Summary:
    """Means and intervals per figure and scope, plus Erlang reference and target verdicts."""
    totals = summarize_scope([r.totals for r in runs])
    pools = {name: summarize_scope([r.pools[name] for r in runs]) for name in runs[0].pools}
    types = {name: summarize_scope([r.types[name] for r in runs]) for name in runs[0].types}
    intervals = [
        summarize_scope([r.intervals[h] for r in runs]) for h in range(len(runs[0].intervals))
    ]
    return Summary(
        week_hours=[summarize_scope([r.week_hours[h] for r in runs])
                    for h in range(min(len(r.week_hours) for r in runs))],
        pool_hours={
            name: [summarize_scope([r.pool_hours[name][h] for r in runs]) for h in range(24)]
            for name in runs[0].pool_hours
            if all(name in r.pool_hours for r in runs)
        },
        periods=_periods(scenario, runs),
        scenario=scenario,
        seed=seed,
        replications=len(runs),
        totals=totals,
        pools=pools,
        types=types,
        intervals=intervals,
        erlang=erlang_reference(scenario),
        targets=check_targets(scenario, totals, pools, types),
        warnings=warnings_for(scenario),
        runs=runs,
    )


def _periods(scenario: Scenario, runs: list[RunFigures]) -> dict[str, list[PeriodScope]]:
    """Each period's figures over the replications (every replication has the same
    calendar, so the same periods)."""
    if not all(r.periods for r in runs):
        return {}
    cal = Calendar.of(scenario)
    names = runs[0].pool_periods.get("day", {})
    return {
        kind: [
            PeriodScope(
                p,
                summarize_scope([r.periods[kind][i] for r in runs]),
                {name: summarize_scope([r.pool_periods[kind][name][i] for r in runs])
                 for name in names},
            )
            for i, p in enumerate(cal.periods(kind))
        ]
        for kind in PERIOD_KINDS
        if kind in runs[0].periods
    }


def run_experiment(
    scenario: Scenario,
    seed: int | None = None,
    replications: int | None = None,
    runner: Runner = run_serial,
) -> Summary:
    tasks = tasks_for(scenario, seed, replications)
    return summarize(scenario, tasks[0].seed, runner(tasks))
