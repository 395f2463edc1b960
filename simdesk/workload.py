"""How much work a run asks for, estimated before anything runs, against simdesk/limits.py.

A typo of three zeros (``agents: 1000000000``, ``replications: 1000000000``, an arrival
rate of ``1e9/h`` over a year) must not end in a MemoryError traceback or a run that looks
frozen for days: the estimate is cheap (arrival rate x simulated time x replications,
agents per pool, customers left queued on an overloaded desk without patience), and a
run that cannot fit is refused up front with the estimate in the message (exit 2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simdesk.errors import Problem, ScenarioError
from simdesk.limits import (
    MAX_AGENTS,
    MAX_GRID_POINTS,
    MAX_INQUIRIES,
    MAX_REPLICATIONS,
    MAX_WAITING,
)
from simdesk.rates import expected_arrivals
from simdesk.scenario import Scenario, overload_without_patience
from simdesk.traces import trace_info

__all__ = ["Work", "check_batch", "check_grid", "check_work", "estimate_work", "work_problems"]


@dataclass(frozen=True)
class Work:
    """What one scenario run costs, estimated."""

    inquiries_per_replication: float
    """Expected fresh arrivals in warm-up plus horizon (the week's profiles average to 1;
    growth, month weights and special dates counted, ``rates.expected_arrivals``), or a
    replayed trace's rows in the run."""
    replications: int
    waiting: float
    """Customers expected still queued at the end of a replication: the excess of work
    over staff on a desk whose customers never abandon, else 0."""
    agents: dict[str, int]
    """People per pool (all shifts' agents for a shift pool); bots are not counted."""

    @property
    def inquiries(self) -> float:
        return self.inquiries_per_replication * self.replications


def estimate_work(s: Scenario, replications: int | None = None) -> Work:
    n = s.replications if replications is None else replications
    per_rep = _fresh_arrivals(s)
    waiting = 0.0
    over = overload_without_patience(s)
    if over is not None:
        load, capacity = over
        waiting = per_rep * (1.0 - capacity / load) if load > 0 else 0.0
    agents: dict[str, int] = {}
    for p in s.pools:
        if p.is_bot:
            continue
        agents[p.name] = p.most_agents
    return Work(per_rep, n, waiting, agents)


def _fresh_arrivals(s: Scenario) -> float:
    """Fresh arrivals expected in one replication."""
    d = s.demand
    if d.trace is not None:
        return float(trace_info(s).in_run)
    if d.trace_profile is not None:
        trace_info(s)  # the profile's rates, read if the loader did not
    if not d.time_varying:
        return d.mean_rate * (s.warmup + s.horizon)
    return expected_arrivals(s, d.mean_rate)


def _rate_key(s: Scenario) -> str:
    """The key that sets the volume of fresh arrivals."""
    for key in ("trace", "trace_profile", "arrival_rate"):
        if getattr(s.demand, key) is not None:
            return f"demand.{key}"
    return "demand.arrival_rate"


def _over_time(s: Scenario) -> str:
    d = s.demand
    if d.trace is not None:
        return ": the trace's rows in the run"
    keys = [k for k in ("growth", "months", "special_dates") if getattr(d, k) is not None]
    return f", with {', '.join(keys)}" if keys else ""


def _n(x: float) -> str:
    return f"{x:,.0f}" if math.isfinite(x) and x < 1e15 else f"{x:.3g}"


def work_problems(
    s: Scenario,
    replications: int | None = None,
    file: str | None = None,
    replications_key: str = "replications",
) -> list[Problem]:
    """Every way this run exceeds a cap, each naming the key to change and the estimate.

    ``replications_key`` is ``--replications`` when the command line set them."""
    problems: list[Problem] = []
    n = s.replications if replications is None else replications
    if n > MAX_REPLICATIONS:
        problems.append(
            Problem(f"{n:,} replications asked; at most {MAX_REPLICATIONS:,}", file,
                    key=replications_key)
        )
        return problems  # the other estimates would only repeat the same cause
    w = estimate_work(s, n)
    for name, count in w.agents.items():
        if count > MAX_AGENTS:
            problems.append(
                Problem(f"{count:,} agents in one pool; at most {MAX_AGENTS:,}", file,
                        key=f"pools.{name}.agents")
            )
    if not w.inquiries <= MAX_INQUIRIES:
        problems.append(
            Problem(
                f"about {_n(w.inquiries)} inquiries to simulate "
                f"({_n(w.inquiries_per_replication)} per replication x {n:,} replication(s): "
                f"arrival rate x (warmup + horizon){_over_time(s)}); at most "
                f"{MAX_INQUIRIES:,}: lower the rate, the horizon or the replications",
                file,
                key=_rate_key(s),
            )
        )
    elif w.waiting > MAX_WAITING:
        problems.append(
            Problem(
                f"the desk is overloaded and customers never abandon: about {_n(w.waiting)} "
                f"customers would be left queued in memory by the end of a replication; at "
                f"most {MAX_WAITING:,}: add customers.patience, staff, or a shorter horizon",
                file,
                key="customers.patience",
            )
        )
    return problems


def check_work(
    s: Scenario,
    replications: int | None = None,
    file: str | None = None,
    replications_key: str = "replications",
) -> Work:
    """The estimate, or a ScenarioError listing every cap it exceeds."""
    problems = work_problems(s, replications, file, replications_key)
    if problems:
        raise ScenarioError(problems)
    return estimate_work(s, replications)


def check_batch(
    runs: list[tuple[Scenario, str, str]],
    replications: int | None = None,
    replications_key: str = "replications",
) -> float:
    """Several runs in one command (compare, a sweep's points): each ``(scenario, file,
    label)`` within the caps, and all of them together within the inquiries cap. Returns
    the estimated inquiries in all; raises a ScenarioError with the first few problems."""
    problems: list[Problem] = []
    total = 0.0
    for s, file, label in runs:
        for p in work_problems(s, replications, file, replications_key):
            prefix = f"{label}: " if label else ""
            problems.append(Problem(prefix + p.message, p.file, p.line, p.key))
        if len(problems) >= 5:
            break
        total += estimate_work(s, replications).inquiries
    if problems:
        raise ScenarioError(problems[:5])
    if not total <= MAX_INQUIRIES:
        raise ScenarioError(
            Problem(
                f"about {_n(total)} inquiries to simulate over {len(runs):,} runs "
                f"(arrival rate x (warmup + horizon) x replications, summed); at most "
                f"{MAX_INQUIRIES:,}: fewer points, replications or a shorter horizon",
                runs[0][1] if runs else None,
            )
        )
    return total


def check_grid(sizes: list[int], key: str = "--set") -> int:
    """A sweep's grid (the product of each --set option's values) within MAX_GRID_POINTS,
    checked before any point is built."""
    points = math.prod(sizes)
    if points > MAX_GRID_POINTS:
        shown = " x ".join(f"{n:,}" for n in sizes)
        raise ScenarioError(
            Problem(f"a grid of {points:,} points ({shown}); at most {MAX_GRID_POINTS:,}",
                    key=key)
        )
    return points
