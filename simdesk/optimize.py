"""Staffing search: the cheapest desk that meets its targets, found by simulation.

``simdesk optimize desk.yaml --vary pools.vendor.agents=0:200 --vary pools.inhouse.agents=0:80``
looks for the point of that grid with the lowest figure to minimise (``cost_total`` by
default) among the points whose every target is met *with confidence*: the one-sided 95%
bound of the figure over the replications (mean minus t(0.95) standard errors for a
"at least" target, plus for an "at most" one) meets the goal. The verdicts come from
``targets.check_targets`` itself, asked once with every figure at its lower bound and once
at its upper bound, so the search judges exactly the targets the reports judge.

Every candidate runs with the same seed and replications (common random numbers), so two
candidates differ only by their staffing, and the search relies on two facts about
staffing:

- **monotonicity**: more capacity never makes waits longer, so a point at or above a
  feasible point is feasible and a point at or below an infeasible one is infeasible.
  These are inferred, not simulated. It holds among points where the same pools have
  someone on duty: a pool with nobody (``agents: 0``, or a scale that drops every shift)
  is passed over by its routes at once, while one agent there holds its contacts until
  they overflow, which can be worse. So each *regime* (which varied pools are left with
  nobody) is searched on its own, and nothing is inferred from one regime to another.
- **a frontier**: with the other dimensions fixed, the cheapest feasible point has the
  smallest feasible value of the last ("inner") dimension, found by a galloping binary
  search started at the Erlang estimate. For two dimensions the whole staircase of such
  points is walked (about one simulation per step, since the inner value can only fall
  as the outer one rises), which is exact; a third and fourth dimension are searched by
  ternary search over their frontier cost (which falls and then rises as one pool's
  agents replace another's) with a local step either side.

A target on a figure that more staff makes *worse* (``budget``, a ceiling on cost) would
break the monotone structure; it is judged on the answer instead: when the cheapest point
meeting the other targets misses it, no point of the grid meets them all.

The answer is then verified: it was simulated (never inferred), and one step less in any
varied dimension (one agent less in any pool) is simulated and must fail a target. If one
passes, the search moves there and descends again, so the property holds for what is
reported even where the monotone shortcuts were wrong.

This module runs nothing itself and prints nothing: it takes a runner (the same ones
``run`` and ``sweep`` use) and a progress callback.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import combinations
from typing import Any

import yaml

from simdesk import __version__
from simdesk.confidence import Estimate, t_quantile_95, t_quantile_975
from simdesk.erlang import agents_for_target
from simdesk.errors import Problem, SimdeskError
from simdesk.experiment import Runner, Summary, Task, summarize
from simdesk.figures import FIGURES
from simdesk.limits import MAX_AGENTS, MAX_VARIED_KEYS, MAX_VARY_VALUES
from simdesk.loading import scenario_from_data
from simdesk.report import SCHEMA_VERSION, number, scope_json
from simdesk.scenario import Scenario, overload_without_patience, route_shares
from simdesk.sweep import apply_setting
from simdesk.targets import TargetVerdict, check_targets
from simdesk.yamlload import LocatedDocument

__all__ = [
    "CEILING_FIGURES",
    "Dimension",
    "Evaluation",
    "Judged",
    "OptimizeResult",
    "Search",
    "SearchStatus",
    "answer_yaml",
    "grid_size",
    "judge",
    "optimize_csv",
    "optimize_json",
    "parse_vary",
    "plan_dimensions",
    "point_data",
]

FIELDS = ("agents", "concurrency", "shifts.scale")
"""What ``--vary`` may change: capacity, the only thing the monotone search is sound for."""
SCALE_STEP = 0.1
"""Step of a ``shifts.scale`` range written without one (``0.5:2``)."""
CEILING_FIGURES = ("cost_total", "cost_per_contact")
"""Figures more staff makes larger: an "at most" target on them is judged on the answer,
not used to prune."""
POLISH = 2
"""After the ternary search, the frontier points this many steps either side are tried."""

Number = int | float


# --------------------------------------------------------------------------------------
# --vary KEY=LOW:HIGH[:STEP]
# --------------------------------------------------------------------------------------


def _fail(key: str, message: str, file: str | None = None) -> SimdeskError:
    return SimdeskError(Problem(message, file, None, f"--vary {key}"))


@dataclass(frozen=True)
class Dimension:
    """One varied key: its pool, what is varied and the values to try, ascending."""

    key: str
    pool: str
    field: str
    values: tuple[Number, ...]
    hint: int = 0
    """Index of the starting estimate (Erlang / square-root staffing)."""

    def label(self, i: int) -> str:
        v = self.values[i]
        return f"{v:g}" if isinstance(v, float) else str(v)


def _number(key: str, text: str) -> Number:
    t = text.strip().replace("_", "")
    try:
        return int(t)
    except ValueError:
        pass
    try:
        x = float(t)
    except ValueError:
        raise _fail(key, f"expected a number in the range, got {text.strip()!r}") from None
    if not math.isfinite(x):
        raise _fail(key, f"expected a finite number, got {text.strip()!r}")
    return x


def parse_vary(spec: str) -> tuple[str, str]:
    """``KEY=RANGE`` split (the range is read in ``plan_dimensions``, which knows the key)."""
    key, sep, text = spec.partition("=")
    key = key.strip()
    if not sep or not key or not text.strip():
        raise SimdeskError(
            Problem(
                f"expected KEY=LOW:HIGH (e.g. pools.inhouse.agents=0:80), got {spec!r}",
                key="--vary",
            )
        )
    return key, text.strip()


def _range(key: str, text: str, field: str) -> tuple[Number, ...]:
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise _fail(key, f"expected a range LOW:HIGH or LOW:HIGH:STEP, got {text!r}")
    nums = [_number(key, p) for p in parts]
    integral = field != "shifts.scale"
    if integral and not all(isinstance(n, int) for n in nums):
        raise _fail(key, f"{field} is a whole number; expected a range such as 0:80, got {text!r}")
    lo, hi = nums[0], nums[1]
    step: Number = nums[2] if len(nums) == 3 else (1 if integral else SCALE_STEP)
    if step <= 0:
        raise _fail(key, f"range {text!r}: the step must be positive")
    if hi < lo:
        raise _fail(key, f"range {text!r} is empty: the end is below the start")
    low_limit = 1 if field == "concurrency" else 0
    if lo < low_limit:
        raise _fail(key, f"range {text!r}: {field} must be at least {low_limit}")
    if field != "shifts.scale" and hi > MAX_AGENTS:
        raise _fail(key, f"range {text!r}: at most {MAX_AGENTS:,} {field}")
    count = math.floor((hi - lo) / step + 1e-9) + 1
    if count > MAX_VARY_VALUES:
        raise _fail(key, f"range {text!r} has {count:,} values; at most {MAX_VARY_VALUES:,}")
    if integral:
        return tuple(range(int(lo), int(hi) + 1, int(step)))
    places = max(max(0, -int(Decimal(p.strip()).as_tuple().exponent)) for p in parts)
    places = max(places, 1)
    return tuple(round(lo + i * step, places) for i in range(count))


def _split_key(key: str, s: Scenario, file: str) -> tuple[str, str]:
    parts = key.split(".")
    known = ", ".join(f"pools.NAME.{f}" for f in FIELDS)
    if len(parts) < 3 or parts[0] != "pools":
        raise _fail(key, f"optimize varies staffing only: {known}", file)
    pool_name, field = parts[1], ".".join(parts[2:])
    names = [p.name for p in s.pools]
    if pool_name not in names:
        raise _fail(key, f"unknown pool {pool_name!r}; expected one of: {', '.join(names)}", file)
    pool = s.pool(pool_name)
    if field not in FIELDS:
        top = parts[2]
        if top not in type(pool).model_fields:
            what = f"unknown key {field!r} in pool {pool_name!r}"
        else:
            value = getattr(pool, top)
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            what = (
                f"{field!r} is not a staffing key"
                if numeric and len(parts) == 3
                else f"{field!r} is not a number"
            )
        raise _fail(key, f"{what}; optimize varies {known}", file)
    if field == "agents":
        if pool.is_bot:
            raise _fail(
                key, f"pool {pool_name!r} is a bot; vary pools.{pool_name}.concurrency", file
            )
        if pool.agents is None:
            raise _fail(
                key,
                f"pool {pool_name!r} works in shifts, it has no 'agents'; "
                f"vary pools.{pool_name}.shifts.scale",
                file,
            )
        if isinstance(pool.agents, dict):
            raise _fail(
                key,
                f"pool {pool_name!r} has a headcount by date; optimize varies one "
                "headcount: give 'agents' a single number to search it",
                file,
            )
    if field == "shifts.scale" and not pool.shifts:
        raise _fail(key, f"pool {pool_name!r} has no shifts; vary pools.{pool_name}.agents", file)
    return pool_name, field


def plan_dimensions(doc: LocatedDocument, specs: Sequence[str], base: Scenario) -> list[Dimension]:
    """Parse and check every ``--vary`` against the scenario; nothing runs."""
    if not specs:
        raise SimdeskError(
            Problem(
                "give at least one --vary KEY=LOW:HIGH (e.g. pools.inhouse.agents=0:80)",
                key="--vary",
            )
        )
    if len(specs) > MAX_VARIED_KEYS:
        raise SimdeskError(
            Problem(f"at most {MAX_VARIED_KEYS} --vary keys; got {len(specs)}", key="--vary")
        )
    dims: list[Dimension] = []
    for spec in specs:
        key, text = parse_vary(spec)
        if any(d.key == key for d in dims):
            raise _fail(key, "the same key is varied twice")
        pool, field = _split_key(key, base, doc.file)
        dims.append(Dimension(key, pool, field, _range(key, text, field)))
    hints = erlang_hints(base, dims)
    return [replace(d, hint=h) for d, h in zip(dims, hints, strict=True)]


def grid_size(dims: Sequence[Dimension]) -> int:
    return math.prod(len(d.values) for d in dims)


# --------------------------------------------------------------------------------------
# A point's scenario
# --------------------------------------------------------------------------------------


def _copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data


def _scale_shifts(data: dict[str, Any], pool: str, factor: float) -> None:
    """Every shift's agents times ``factor``, rounded half up; a shift left with nobody is
    dropped, and a pool left with no shift becomes ``agents: 0`` (a shift needs an agent)."""
    for item in data.get("pools") or []:
        if isinstance(item, dict) and item.get("name") == pool:
            kept = []
            for sh in item.get("shifts") or []:
                n = math.floor(int(sh["agents"]) * factor + 0.5)
                if n > 0:
                    kept.append({**sh, "agents": n})
            if kept:
                item["shifts"] = kept
            else:
                item.pop("shifts", None)
                item["agents"] = 0
            return


def absent_below(doc: LocatedDocument, d: Dimension) -> int:
    """How many of the dimension's lowest values leave its pool with nobody: ``agents`` 0,
    or a scale of the shifts that rounds every shift to nobody (``_scale_shifts``). The
    values ascend, so they are the first ones."""
    if d.field == "agents":
        return sum(1 for v in d.values if v == 0)
    if d.field != "shifts.scale":
        return 0
    shifts: list[Any] = []
    for item in doc.data.get("pools") or []:
        if isinstance(item, dict) and item.get("name") == d.pool:
            shifts = list(item.get("shifts") or [])
    return sum(
        1
        for v in d.values
        if all(math.floor(int(sh["agents"]) * float(v) + 0.5) <= 0 for sh in shifts)
    )


def point_data(doc: LocatedDocument, dims: Sequence[Dimension], idx: Sequence[int]) -> Any:
    """The raw scenario data of one point (a fresh copy; keys set as ``sweep --set`` does)."""
    data = _copy(doc.data)
    for d, i in zip(dims, idx, strict=True):
        value = d.values[i]
        if d.field == "shifts.scale":
            _scale_shifts(data, d.pool, float(value))
        else:
            apply_setting(data, f"pools.{d.pool}.{d.field}", value)
    return data


# --------------------------------------------------------------------------------------
# The starting estimate
# --------------------------------------------------------------------------------------


def _pool_demand(
    s: Scenario, absent: frozenset[str] = frozenset()
) -> dict[str, tuple[float, float]]:
    """(arrival rate /s, offered load in agents) per pool, each contact counted at the first
    pool of its kind on its route: the bot, then the first pool of people for what the bot
    does not resolve; pools in ``absent`` (nobody on duty) are passed over, as the engine
    passes them over. Overflow, repeats and retries are left out: it is a starting point."""
    out: dict[str, list[float]] = {p.name: [0.0, 0.0] for p in s.pools}
    for t, type_share in zip(s.demand.types, s.demand.shares, strict=True):
        # A route by the clock: each alternative with its share of the type's arrivals.
        for route, share in zip(s.routes_for(t.name), route_shares(s, t.name), strict=True):
            rate = s.demand.mean_rate * type_share * share
            path = [s.pool(p) for p in route.path if p not in absent]
            escalated = rate
            extra = 0.0
            if path and path[0].is_bot:
                bot = path[0]
                mean = bot.handle_for(t.name).mean / bot.speed
                if bot.max_time is not None:
                    mean = min(mean, bot.max_time)
                out[bot.name][0] += rate
                out[bot.name][1] += rate * mean
                escalated = rate * (1.0 - bot.resolution_for(t.name))
                extra = bot.escalation_extra
                path = path[1:]
            if path:
                first = path[0]
                per_agent = first.unit_capacity if t.channel == "chat" else 1
                mean = (first.handle_for(t.name).mean + extra) / first.speed
                out[first.name][0] += escalated
                out[first.name][1] += escalated * mean / per_agent
    return {k: (v[0], v[1]) for k, v in out.items()}


def _staff_for(s: Scenario, rate: float, load: float) -> int:
    """Erlang C/A staffing for the desk's service-level target, else square-root staffing."""
    if rate <= 0 or load <= 0:
        return 0
    sl = s.targets.service_level
    patience = s.customers.patience
    if sl is not None and sl.at_least < 1.0:
        try:
            return agents_for_target(
                rate,
                load / rate,
                sl.within,
                sl.at_least,
                patience.mean if patience is not None and patience.is_exponential else None,
                s.targets.max_abandonment if patience is not None else None,
            ).agents
        except ValueError:
            pass
    return math.ceil(load + math.sqrt(load))


def _nearest(values: Sequence[Number], x: float) -> int:
    return min(range(len(values)), key=lambda i: (abs(values[i] - x), i))


def erlang_hints(
    s: Scenario, dims: Sequence[Dimension], absent: frozenset[str] = frozenset()
) -> list[int]:
    """Index of each dimension's starting value: the staff Erlang C (or A, with exponential
    patience) gives for the pool's own load and the desk's 80/20-style target; a scale of 1
    for shifts; the scenario's own value for a pool's chats at once. ``absent``: pools
    left with nobody, whose contacts go on to the next pool of their route."""
    demand = _pool_demand(s, absent)
    hints: list[int] = []
    for d in dims:
        pool = s.pool(d.pool)
        rate, load = demand[d.pool]
        if d.field == "agents" or (d.field == "concurrency" and pool.is_bot):
            target = _staff_for(s, rate, load)
        elif d.field == "concurrency":
            target = pool.unit_capacity
        else:
            target = 1
        hints.append(_nearest(d.values, target))
    return hints


# --------------------------------------------------------------------------------------
# Judging a point
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judged:
    """One target at one point: its goal, the replication mean, the one-sided 95% bound on
    the pessimistic side, and whether that bound meets the goal."""

    name: str
    figure: str
    goal: str
    mean: float
    bound: float
    met: bool
    slack: float
    """How far the bound is past the goal, relative to the goal (negative: missed)."""
    ceiling: bool
    """A cap on a figure that staff raise (``budget``): judged on the answer only."""
    threshold: float = math.nan
    """The goal as a number (``goal`` is its text), for a chart's goal line."""


def _one_sided(e: Estimate) -> float:
    """Half-width of the one-sided 95% bound (the report's interval uses t(0.975))."""
    if e.ci95 is None or e.n < 2:
        return math.nan
    return e.half_width * t_quantile_95(e.n - 1) / t_quantile_975(e.n - 1)


def _shifted(scope: Mapping[str, Estimate], side: int) -> dict[str, Estimate]:
    """Every figure at its one-sided 95% bound: ``side`` -1 the lower, +1 the upper."""
    out: dict[str, Estimate] = {}
    for k, e in scope.items():
        out[k] = Estimate(e.mean + side * _one_sided(e), None, e.n)  # NaN: never met
    return out


def judge(
    s: Scenario,
    totals: Mapping[str, Estimate],
    pools: Mapping[str, Mapping[str, Estimate]] | None = None,
    types: Mapping[str, Mapping[str, Estimate]] | None = None,
    overloaded: bool | None = None,
) -> list[Judged]:
    """Every target of the scenario, met only when its one-sided 95% bound meets it.

    Per-pool and per-type targets are judged when ``pools`` and ``types`` are given (an
    interval of the day, judged alone by ``simdesk staff``, has neither). ``overloaded``:
    as ``targets.check_targets`` takes it, worked out once here when not given."""
    if overloaded is None:
        overloaded = overload_without_patience(s) is not None

    def bounds(side: int) -> list[TargetVerdict]:
        return check_targets(
            s,
            _shifted(totals, side),
            None if pools is None else {n: _shifted(v, side) for n, v in pools.items()},
            None if types is None else {n: _shifted(v, side) for n, v in types.items()},
            overloaded,
        )

    out: list[Judged] = []
    verdicts = zip(
        check_targets(s, totals, pools, types, overloaded), bounds(-1), bounds(1), strict=True
    )
    for v, lo, hi in verdicts:
        goal, sense = v.threshold, v.sense
        if sense > 0:
            bound = lo.value
        elif sense < 0:
            bound = hi.value
        else:
            bound = lo.value if hi.met and not lo.met else hi.value
        slack = sense * (bound - goal) / max(abs(goal), 1e-9) if sense else math.nan
        out.append(
            Judged(
                name=v.name,
                figure=v.figure,
                goal=v.goal,
                mean=v.value,
                bound=bound,
                # n/a (None): the target means nothing here (an overloaded desk without
                # patience); the service-level target rules such a point out instead.
                met=lo.met is not False and hi.met is not False,
                slack=slack,
                ceiling=sense < 0 and v.figure in CEILING_FIGURES,
                threshold=goal,
            )
        )
    return out


def binding(judged: Sequence[Judged]) -> Judged | None:
    """The target closest to failing (or failing by the most)."""
    if not judged:
        return None
    return min(judged, key=lambda j: (j.met, -math.inf if math.isnan(j.slack) else j.slack))


@dataclass
class Evaluation:
    """A simulated point: its figures over the replications and its targets judged."""

    index: tuple[int, ...]
    labels: tuple[str, ...]
    summary: Summary
    objective: float
    judged: list[Judged]
    order: int
    """Evaluations before this one: the order the search simulated points in."""

    @property
    def feasible(self) -> bool:
        """Meets every target the search prunes with (all but the ceilings)."""
        return all(j.met for j in self.judged if not j.ceiling)

    @property
    def meets_all(self) -> bool:
        return all(j.met for j in self.judged)

    @property
    def binding(self) -> Judged | None:
        return binding(self.judged)

    @property
    def closeness(self) -> float:
        """The worst slack over the pruning targets: larger is closer to feasible."""
        slacks = [j.slack for j in self.judged if not j.ceiling and not math.isnan(j.slack)]
        return min(slacks, default=math.inf if self.feasible else -math.inf)


# --------------------------------------------------------------------------------------
# The search
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchStatus:
    """What a progress display shows after each simulated point."""

    points: int
    runs: int
    best: Evaluation | None
    last: Evaluation


@dataclass
class OptimizeResult:
    status: str
    """"optimal": ``answer`` meets every target; "infeasible": no point of the grid does,
    ``closest`` is the nearest and ``binding`` the target it misses."""
    answer: Evaluation | None
    closest: Evaluation | None
    binding: Judged | None
    neighbours: list[Evaluation]
    evaluations: list[Evaluation]
    runs: int
    grid_points: int
    frontier: list[Evaluation] = field(default_factory=list)


class Search:
    """The state of one staffing search; ``run`` may raise KeyboardInterrupt (or a runner's
    error), and ``best`` and ``evaluations`` then still hold what was found."""

    def __init__(
        self,
        doc: LocatedDocument,
        dims: Sequence[Dimension],
        runner: Runner,
        *,
        seed: int,
        replications: int,
        minimize: str = "cost_total",
        on_point: Callable[[SearchStatus], None] | None = None,
    ) -> None:
        if minimize not in FIGURES:
            raise SimdeskError(
                Problem(
                    f"unknown figure {minimize!r}; expected one of: {', '.join(FIGURES)}",
                    key="--minimize",
                )
            )
        if replications < 2:
            raise SimdeskError(
                Problem(
                    "a one-sided 95% bound needs at least 2 replications; "
                    "set replications in the scenario or give --replications",
                    key="--replications",
                )
            )
        self.doc = doc
        self.dims = list(dims)
        self.runner = runner
        self.seed = seed
        self.replications = replications
        self.minimize = minimize
        self.on_point = on_point
        self.runs = 0
        self.evaluations: list[Evaluation] = []
        self._by_index: dict[tuple[int, ...], Evaluation] = {}
        self._feasible: list[tuple[int, ...]] = []
        self._infeasible: list[tuple[int, ...]] = []
        self._memo: dict[tuple[int, ...], Evaluation | None] = {}
        self._last_inner: int | None = None
        # The last dimension is searched by bisection, the others by ternary search over
        # the frontier: put the longest range last, where bisection is cheapest.
        order = sorted(range(len(self.dims)), key=lambda k: len(self.dims[k].values))
        self._all_order = [k for k in range(len(self.dims)) if k != order[-1]] + [order[-1]]
        self._order = list(self._all_order)
        # Regimes: the values of each dimension that leave its pool with nobody.
        self._absent = [absent_below(doc, d) for d in self.dims]
        self._hint = [d.hint for d in self.dims]

    # -- simulation ------------------------------------------------------------------

    def scenario(self, idx: Sequence[int]) -> Scenario:
        data = point_data(self.doc, self.dims, idx)
        return scenario_from_data(data, self.doc.file)

    def evaluate_many(self, points: Sequence[tuple[int, ...]]) -> list[Evaluation]:
        """Simulate the points not yet simulated, all in one batch for the runner."""
        todo = [p for p in dict.fromkeys(points) if p not in self._by_index]
        if todo:
            scenarios = [self.scenario(p) for p in todo]
            tasks = [Task(sc, self.seed, r) for sc in scenarios for r in range(self.replications)]
            figures = self.runner(tasks)
            self.runs += len(tasks)
            n = self.replications
            for i, (p, sc) in enumerate(zip(todo, scenarios, strict=True)):
                summary = summarize(sc, self.seed, figures[i * n : (i + 1) * n])
                ev = Evaluation(
                    index=p,
                    labels=tuple(d.label(j) for d, j in zip(self.dims, p, strict=True)),
                    summary=summary,
                    objective=summary.totals[self.minimize].mean,
                    judged=judge(sc, summary.totals, summary.pools, summary.types),
                    order=len(self.evaluations),
                )
                self.evaluations.append(ev)
                self._by_index[p] = ev
                (self._feasible if ev.feasible else self._infeasible).append(p)
                if self.on_point is not None:
                    self.on_point(SearchStatus(len(self.evaluations), self.runs, self.best, ev))
        return [self._by_index[p] for p in points]

    def evaluate(self, idx: tuple[int, ...]) -> Evaluation:
        return self.evaluate_many([idx])[0]

    @property
    def best(self) -> Evaluation | None:
        """The cheapest simulated point that meets every target (ceilings included)."""
        ok = [e for e in self.evaluations if e.meets_all and not math.isnan(e.objective)]
        return min(ok, key=lambda e: (e.objective, e.order), default=None)

    # -- monotone inference ------------------------------------------------------------

    def regime(self, idx: Sequence[int]) -> tuple[bool, ...]:
        """Which varied pools the point leaves with nobody on duty."""
        return tuple(i < z for i, z in zip(idx, self._absent, strict=True))

    def _low(self, idx: Sequence[int], k: int) -> int:
        """The lowest index of dimension ``k`` in the regime of ``idx``."""
        z = self._absent[k]
        return z if idx[k] >= z else 0

    def known(self, idx: tuple[int, ...]) -> bool | None:
        """Feasible, infeasible, or not known without simulating (inferred only from points
        of the same regime)."""
        ev = self._by_index.get(idx)
        if ev is not None:
            return ev.feasible
        r = self.regime(idx)
        if any(
            all(a <= b for a, b in zip(f, idx, strict=True)) and self.regime(f) == r
            for f in self._feasible
        ):
            return True
        if any(
            all(a <= b for a, b in zip(idx, i, strict=True)) and self.regime(i) == r
            for i in self._infeasible
        ):
            return False
        return None

    def feasible(self, idx: tuple[int, ...]) -> bool:
        k = self.known(idx)
        return self.evaluate(idx).feasible if k is None else k

    # -- one dimension -----------------------------------------------------------------

    def min_feasible(
        self, base: tuple[int, ...], k: int, hint: int, top_first: bool = True
    ) -> int | None:
        """Smallest index of dimension ``k`` that is feasible with the others as in
        ``base``, within the regime of ``base`` (values of ``k`` that leave its pool with
        nobody are a regime of their own, all one desk: one of them is only checked):
        a galloping bisection from ``hint``; None when even the top fails. Above an
        infeasible hint, the top is tried first (``top_first``), or last, when the
        answer is expected a step or two above the hint and the top far away."""
        if base[k] < self._absent[k]:
            return base[k] if self.feasible(base) else None
        n = len(self.dims[k].values)
        low = self._low(base, k)

        def at(j: int) -> tuple[int, ...]:
            return (*base[:k], j, *base[k + 1 :])

        h = min(max(hint, low), n - 1)
        if self.feasible(at(h)):
            hi, lo, step = h, low - 1, 1
            while hi > low:
                j = max(low, h - step)
                if self.feasible(at(j)):
                    hi = j
                    step *= 2
                else:
                    lo = j
                    break
            if hi == low:
                return low
        else:
            lo = h
            if top_first and not self.feasible(at(n - 1)):
                return None
            hi, step = n - 1 if top_first else n, 1
            while True:
                j = min(n - 1, lo + step)
                if j >= hi:
                    break
                if self.feasible(at(j)):
                    hi = j
                    break
                if j == n - 1:
                    return None  # the top fails too
                lo = j
                step *= 2
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.feasible(at(mid)):
                hi = mid
            else:
                lo = mid
        return hi

    # -- the frontier ------------------------------------------------------------------

    def _top(self, idx: list[int], level: int) -> tuple[int, ...]:
        """``idx`` with every dimension below ``level`` in the search order at its top."""
        out = list(idx)
        for k in self._order[level:]:
            out[k] = len(self.dims[k].values) - 1
        return tuple(out)

    def _cost(self, ev: Evaluation | None) -> float:
        if ev is None or math.isnan(ev.objective):
            return math.inf
        return ev.objective

    def cheapest(self, fixed: tuple[int, ...], level: int) -> Evaluation | None:
        """The cheapest feasible point with the dimensions before ``level`` (search order)
        as in ``fixed``; None when none is feasible."""
        key = tuple(fixed[k] for k in self._order[:level])
        if key in self._memo:
            return self._memo[key]
        k = self._order[level]
        d = self.dims[k]
        if level == len(self._order) - 1:
            hint = self._hint[k] if self._last_inner is None else self._last_inner
            j = self.min_feasible(fixed, k, hint)
            result = None
            if j is not None:
                self._last_inner = j
                result = self.evaluate((*fixed[:k], j, *fixed[k + 1 :]))
            self._memo[key] = result
            return result
        if level == len(self._order) - 2:
            result = self._walk(fixed, level)
            self._memo[key] = result
            return result

        def g(v: int) -> float:
            point = list(fixed)
            point[k] = v
            return self._cost(self.cheapest(tuple(point), level + 1))

        # Values of this dimension below `first` fail even with everything after it at the
        # top: skip them rather than search a region with no frontier.
        first = self.min_feasible(self._top(list(fixed), level), k, self._hint[k])
        if first is None:
            self._memo[key] = None
            return None
        lo, hi = first, len(d.values) - 1
        while hi - lo > 2:
            m1 = lo + (hi - lo) // 3
            m2 = hi - (hi - lo) // 3
            c1, c2 = g(m1), g(m2)
            if c1 < c2:
                hi = m2 - 1
            elif c1 > c2:
                lo = m1 + 1
            else:
                lo, hi = m1, m2
                if hi - lo <= 2:
                    break
                # A plateau: shrink from both sides and keep looking between.
                lo, hi = lo + 1, hi - 1
        best_v = min(range(lo, hi + 1), key=lambda v: (g(v), v))
        # Polish: the frontier is a staircase, so try a few steps either side.
        improved = True
        while improved:
            improved = False
            for v in range(best_v - POLISH, best_v + POLISH + 1):
                if first <= v < len(d.values) and g(v) < g(best_v):
                    best_v, improved = v, True
        point = list(fixed)
        point[k] = best_v
        result = self.cheapest(tuple(point), level + 1)
        self._memo[key] = result
        return result

    def _walk(self, fixed: tuple[int, ...], level: int) -> Evaluation | None:
        """The last two dimensions (search order): walk the whole staircase of the
        frontier, from the outer dimension's starting estimate both ways. As the outer
        value rises by one, the smallest feasible inner value can only fall, and as it
        drops it can only rise; so each step costs about one or two simulations (is the
        last inner value still enough, or one less?), and only the corners of the
        staircase can be cheaper than what came before. Upwards the walk stops where the
        inner value reaches the bottom of its range (beyond it, only more staff);
        downwards where even the top of the inner range fails (below it, every value
        fails). The staircase zigzags in cost, so this is exact where a search for a
        single minimum would stop in a local dip; starting at the estimate rather than at
        the outer value's lowest feasible one spares a search along the top of the inner
        range, far from the answer."""
        k, j = self._order[level], self._order[level + 1]
        dk = self.dims[k]
        low_k, low_j = self._absent[k], self._absent[j]  # both searched above nobody
        start = min(max(self._hint[k], low_k), len(dk.values) - 1)
        best: Evaluation | None = None

        def at(v: int, m: int) -> tuple[int, ...]:
            base = list(fixed)
            base[k], base[j] = v, m
            return tuple(base)

        def consider(ev: Evaluation) -> None:
            nonlocal best
            if self._cost(ev) < self._cost(best):
                best = ev

        inner: int | None = None
        at_start: int | None = None
        for v in range(start, len(dk.values)):
            if inner is None:
                hint = self._hint[j] if self._last_inner is None else self._last_inner
                m = self.min_feasible(at(v, low_j), j, hint)
            else:
                m = self.min_feasible(at(v, low_j), j, inner - 1)
            if m is None:  # infeasible even with the inner value at its top: keep walking
                continue
            if v == start:
                at_start = m
            if inner is None or m < inner:
                consider(self.evaluate(at(v, m)))
            inner = m
            self._last_inner = m
            if m == low_j:
                break
        # Downwards from the start: the inner value needed can only rise.
        inner = at_start
        for v in range(start - 1, low_k - 1, -1):
            if inner is None:
                break
            m = self.min_feasible(at(v, low_j), j, inner, top_first=False)
            if m is None:
                break  # and every lower outer value fails too
            consider(self.evaluate(at(v, m)))
            inner = m
        return best

    # -- verification ------------------------------------------------------------------

    def neighbours(self, idx: tuple[int, ...]) -> list[tuple[int, ...]]:
        """One step less in each varied dimension (where there is a step less)."""
        return [(*idx[:k], idx[k] - 1, *idx[k + 1 :]) for k in range(len(idx)) if idx[k] > 0]

    def _descend(self, idx: tuple[int, ...]) -> tuple[int, ...]:
        """Lower each dimension to its smallest feasible value, until none moves."""
        moved = True
        while moved:
            moved = False
            for k in range(len(idx)):
                j = self.min_feasible(idx, k, idx[k])
                if j is not None and j < idx[k]:
                    idx = (*idx[:k], j, *idx[k + 1 :])
                    moved = True
        return idx

    def verify(self, ev: Evaluation) -> tuple[Evaluation, list[Evaluation]]:
        """Simulate the answer's one-step-less neighbours; move down while one passes."""
        while True:
            near = self.evaluate_many(self.neighbours(ev.index))
            passing = [n for n in near if n.feasible]
            if not passing:
                return ev, near
            down = min(passing, key=lambda n: (self._cost(n), n.order))
            ev = self.evaluate(self._descend(down.index))

    # -- the whole search ----------------------------------------------------------------

    def frontier(self) -> list[Evaluation]:
        """Simulated feasible points with no simulated feasible point below them: the
        cheapest way found to meet the targets for each mix, by cost."""
        feas = [e for e in self.evaluations if e.feasible]
        out = [
            e
            for e in feas
            if not any(
                o is not e and all(a <= b for a, b in zip(o.index, e.index, strict=True))
                for o in feas
            )
        ]
        return sorted(out, key=lambda e: (self._cost(e), e.order))

    def _regimes(self) -> list[tuple[bool, ...]]:
        """Every regime: first the one where every varied pool has someone, then those
        leaving one pool with nobody, then two, ... (each dimension whose range holds a
        value leaving its pool with nobody doubles the number)."""
        can = [k for k, z in enumerate(self._absent) if z > 0]
        out: list[tuple[bool, ...]] = []
        for size in range(len(can) + 1):
            for chosen in combinations(can, size):
                out.append(tuple(k in chosen for k in range(len(self.dims))))
        return out

    def _search_regime(self, regime: tuple[bool, ...], base: Scenario | None) -> Evaluation | None:
        """The cheapest feasible point of one regime: its pools with nobody held at their
        lowest value, the others searched from their lowest value with someone, starting
        at the Erlang estimate for the pools that are left."""
        self._memo = {}
        self._last_inner = None
        if any(regime):
            assert base is not None
            absent = frozenset(d.pool for d, a in zip(self.dims, regime, strict=True) if a)
            self._hint = erlang_hints(base, self.dims, absent)
        else:
            self._hint = [d.hint for d in self.dims]
        start = tuple(
            0 if a else min(max(h, z), len(d.values) - 1)
            for d, a, h, z in zip(self.dims, regime, self._hint, self._absent, strict=True)
        )
        self._order = [k for k in self._all_order if not regime[k]]
        try:
            if not self._order:
                ev = self.evaluate(start)
                return ev if ev.feasible else None
            return self.cheapest(start, 0)
        finally:
            self._order = list(self._all_order)
            self._hint = [d.hint for d in self.dims]

    def run(self) -> OptimizeResult:
        regimes = self._regimes()
        base = None
        if len(regimes) > 1:
            base = scenario_from_data(_copy(self.doc.data), self.doc.file)
        found: Evaluation | None = None
        for regime in regimes:
            ev = self._search_regime(regime, base)
            if ev is not None and (found is None or self._cost(ev) < self._cost(found)):
                found = ev
        if found is None:
            closest = max(self.evaluations, key=lambda e: (e.closeness, -e.order))
            return self._result("infeasible", None, closest, [])
        answer, near = self.verify(found)
        if not answer.meets_all:
            return self._result("infeasible", None, answer, near)
        return self._result("optimal", answer, None, near)

    def _result(
        self,
        status: str,
        answer: Evaluation | None,
        closest: Evaluation | None,
        near: list[Evaluation],
    ) -> OptimizeResult:
        shown = answer or closest
        return OptimizeResult(
            status=status,
            answer=answer,
            closest=closest,
            binding=None if shown is None else shown.binding,
            neighbours=near,
            evaluations=list(self.evaluations),
            runs=self.runs,
            grid_points=grid_size(self.dims),
            frontier=self.frontier(),
        )


# --------------------------------------------------------------------------------------
# Output: JSON, CSV and the answer as a scenario file
# --------------------------------------------------------------------------------------


def _value(d: Dimension, i: int) -> Number:
    return d.values[i]


def _judged_json(j: Judged) -> dict[str, Any]:
    return {
        "name": j.name,
        "figure": j.figure,
        "goal": j.goal,
        "mean": number(j.mean),
        "bound": number(j.bound),
        "met": j.met,
    }


def _point_json(dims: Sequence[Dimension], ev: Evaluation, full: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "parameters": {d.key: _value(d, i) for d, i in zip(dims, ev.index, strict=True)},
        "objective": number(ev.objective),
        "feasible": ev.meets_all,
        "targets": [_judged_json(j) for j in ev.judged],
    }
    b = ev.binding
    out["binding"] = None if b is None else b.name
    if full:
        out["totals"] = scope_json(ev.summary.totals)
        out["pools"] = {name: scope_json(v) for name, v in ev.summary.pools.items()}
    return out


def optimize_json(
    result: OptimizeResult,
    dims: Sequence[Dimension],
    *,
    scenario: str,
    file: str,
    minimize: str,
    seed: int,
    replications: int,
    interrupted: bool = False,
) -> dict[str, Any]:
    """The search document: the answer (or the closest point), how it was verified, what
    it cost, the frontier and every simulated point in the order the search ran them."""
    status = "interrupted" if interrupted else result.status
    return {
        "schema_version": SCHEMA_VERSION,
        "simdesk_version": __version__,
        "kind": "optimize",
        "scenario": scenario,
        "file": file,
        "seed": seed,
        "replications": replications,
        "minimize": minimize,
        "confidence": "one-sided 95% bound over the replications",
        "varied": [
            {
                "key": d.key,
                "low": d.values[0],
                "high": d.values[-1],
                "values": len(d.values),
                "start": d.values[d.hint],
            }
            for d in dims
        ],
        "status": status,
        "answer": None if result.answer is None else _point_json(dims, result.answer, True),
        "closest": None if result.closest is None else _point_json(dims, result.closest, True),
        "binding": None if result.binding is None else _judged_json(result.binding),
        "one_step_less": [_point_json(dims, n, False) for n in result.neighbours],
        "runs": result.runs,
        "points_simulated": len(result.evaluations),
        "grid_points": result.grid_points,
        "grid_runs": result.grid_points * replications,
        "frontier": [_point_json(dims, e, False) for e in result.frontier],
        "simulated": [_point_json(dims, e, False) for e in result.evaluations],
    }


def optimize_csv(result: OptimizeResult, dims: Sequence[Dimension], minimize: str) -> str:
    """One row per simulated point, in the order the search ran them."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    names: list[str] = []
    for ev in result.evaluations:
        names.extend(j.name for j in ev.judged if j.name not in names)
    header = ["order", *(d.key for d in dims), f"{minimize}_mean", "feasible", "binding"]
    for name in names:
        slug = name.replace(" ", "_")
        header += [f"{slug}_mean", f"{slug}_bound", f"{slug}_met"]
    header += ["frontier", "answer"]
    w.writerow(header)
    frontier = {e.index for e in result.frontier}
    answer = None if result.answer is None else result.answer.index
    for ev in result.evaluations:
        b = ev.binding
        row = [
            str(ev.order),
            *ev.labels,
            _csv(ev.objective),
            _yes(ev.meets_all),
            "" if b is None else b.name,
        ]
        by_name = {j.name: j for j in ev.judged}
        for name in names:
            j = by_name.get(name)
            row += ["", "", ""] if j is None else [_csv(j.mean), _csv(j.bound), _yes(j.met)]
        row += [_yes(ev.index in frontier), _yes(ev.index == answer)]
        w.writerow(row)
    return buf.getvalue()


def _csv(x: float) -> str:
    n = number(x)
    return "" if n is None else repr(n)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def answer_yaml(
    doc: LocatedDocument, dims: Sequence[Dimension], ev: Evaluation, minimize: str, runs: int
) -> str:
    """The scenario with the answer filled in, as YAML (the original's comments are not
    kept: the file is rebuilt from its data, like a sweep point)."""
    data = point_data(doc, dims, ev.index)
    chosen = ", ".join(f"{d.key}={lab}" for d, lab in zip(dims, ev.labels, strict=True))
    source = " ".join(doc.file.split())
    head = (
        f"# Written by simdesk optimize from {source}: the lowest {minimize}\n"
        f"# meeting the targets with 95% confidence ({runs} simulation runs).\n"
        f"# {chosen}\n"
    )
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None)
    return head + body
