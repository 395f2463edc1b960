"""Parameter sweeps: a grid of edited copies of one scenario, run with common random numbers.

``--set pools.inhouse.agents=20:60:5`` names a key by its path in the scenario file (list
items with a ``name`` are addressed by that name) and the values to try. The grid is the
cartesian product of all ``--set`` options, the last one varying fastest. Each point is
built from a fresh copy of the raw YAML data and validated exactly like a file, and all
points are validated before anything runs, so a typo fails in a second rather than after
an hour of simulation. Every point uses the same seed and replications, so replication i
of every point sees the same customers and differences between points are not noise.

All (point, replication) pairs go to the executor as one flat task list, so replications
and points run in parallel alike; outcomes are put back in task order, and a point is
finished once all of its replications are. A point whose replication raised is kept as
"failed" with its parameters, and the others go on.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from simdesk import __version__
from simdesk.errors import Problem, SimdeskError
from simdesk.experiment import Summary, Task, run_task, summarize
from simdesk.limits import MAX_INT_DIGITS
from simdesk.loading import scenario_from_data
from simdesk.parallel import Executor, Outcome, TaskFailure, TaskFn, run_all
from simdesk.report import SCHEMA_VERSION, number, scope_json, targets_json
from simdesk.scenario import Scenario
from simdesk.yamlload import LocatedDocument

__all__ = [
    "MAIN_FIGURES",
    "Parameter",
    "Point",
    "PointResult",
    "SweepPlan",
    "SweepRun",
    "Value",
    "apply_setting",
    "check_figure_keys",
    "figure_name",
    "parse_set",
    "parse_values",
    "plan_sweep",
    "sweep_csv",
    "sweep_json",
    "value_text",
]

Value = bool | int | float | str | tuple["Value", ...]
"""A tuple is a YAML-ish list written ``[bot, inhouse]`` (e.g. a route's path)."""

MAIN_FIGURES = (
    "offered",
    "handled",
    "abandoned",
    "abandonment_rate",
    "wait_mean_s",
    "asa_s",
    "wait_p90_s",
    "service_level",
    "people_service_level",
    "people_abandonment_rate",
    "people_wait_mean_s",
    "issue_resolution_rate",
    "occupancy",
    "csat_mean",
    "csat_satisfied",
    "cost_total",
    "cost_per_contact",
)
"""Figures in the CSV (mean, ci_low, ci_high each); the JSON has every figure."""

MAX_VALUES = 100_000
"""A range longer than this is almost certainly a typo (a step of 0.0001)."""
MAX_REPORTED = 10
"""Distinct validation problems printed before "... and N more"."""

_INT_RE = re.compile(r"^[-+]?[0-9](?:_?[0-9])*$")
_FLOAT_RE = re.compile(r"^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
_BOOL = {"true": True, "false": False}


def _fail(key: str, message: str) -> SimdeskError:
    return SimdeskError(Problem(message, key=f"--set {key}"))


# --------------------------------------------------------------------------------------
# Parsing --set KEY=VALUES
# --------------------------------------------------------------------------------------


def _int(key: str, text: str) -> int:
    """A whole number, refusing absurd lengths before ``int`` does (Python's own limit of
    4300 digits would end in a ValueError traceback)."""
    digits = text.lstrip("+-").replace("_", "")
    if len(digits) > MAX_INT_DIGITS:
        raise _fail(
            key, f"a whole number of {len(digits):,} digits; at most {MAX_INT_DIGITS} are accepted"
        )
    return int(text.replace("_", ""))


def _scalar(key: str, text: str) -> Value:
    """YAML-ish typing: ints and finite floats become numbers, true/false booleans,
    ``[a, b]`` a list, the rest stays text (durations ``4m``, rates ``200/h``, ...)."""
    t = text.strip()
    if t.startswith("[") and t.endswith("]"):
        return tuple(_scalar(key, i) for i in _split_items(t[1:-1]) if i)
    if _INT_RE.match(t):
        return _int(key, t)
    if _FLOAT_RE.match(t):
        return float(t)
    if t.lower() in _BOOL:
        return _BOOL[t.lower()]
    return t


def _split_items(text: str) -> list[str]:
    """Split on commas outside brackets, so ``lognormal(mean=6m, cv=0.8)`` stays one value."""
    items: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
    items.append("".join(current))
    return [i.strip() for i in items]


def _decimals(text: str) -> int:
    try:
        exponent = Decimal(text).as_tuple().exponent
    except InvalidOperation:
        return 12
    return max(0, -exponent) if isinstance(exponent, int) else 12


def _range(key: str, item: str) -> list[Value] | None:
    """``start:stop:step``, both ends included; None when the item is not a range (a clock
    time such as ``08:00`` has only two parts and stays text)."""
    parts = [p.strip() for p in item.split(":")]
    if len(parts) != 3 or not all(_INT_RE.match(p) or _FLOAT_RE.match(p) for p in parts):
        return None
    if all(_INT_RE.match(p) for p in parts):
        a, b, step = (_int(key, p) for p in parts)
        if step <= 0:
            raise _fail(key, f"range {item!r}: the step must be positive")
        if b < a:
            raise _fail(key, f"range {item!r}: the end is below the start")
        if (b - a) // step + 1 > MAX_VALUES:
            raise _fail(key, f"range {item!r} has more than {MAX_VALUES:,} values")
        return list(range(a, b + 1, step))
    fa, fb, fstep = (float(p) for p in parts)
    if not all(math.isfinite(x) for x in (fa, fb, fstep)):
        raise _fail(key, f"range {item!r}: expected finite numbers")
    if fstep <= 0:
        raise _fail(key, f"range {item!r}: the step must be positive")
    if fb < fa:
        raise _fail(key, f"range {item!r}: the end is below the start")
    count = math.floor((fb - fa) / fstep + 1e-9) + 1
    if count > MAX_VALUES:
        raise _fail(key, f"range {item!r} has more than {MAX_VALUES:,} values")
    # Round to the inputs' decimals so 0.5:0.7:0.1 gives 0.6, not 0.6000000000000001.
    places = max(_decimals(p) for p in parts)
    return [round(fa + i * fstep, places) for i in range(count)]


def parse_values(key: str, text: str) -> tuple[Value, ...]:
    """``a:b:step`` ranges and/or comma lists; each item typed like a YAML scalar."""
    if not text.strip():
        raise _fail(key, "expected values after '=', e.g. 20:60:5 or 0.5,0.6,0.7")
    values: list[Value] = []
    for item in _split_items(text):
        if not item:
            raise _fail(key, f"empty value in {text!r}")
        _refuse_dash_range(key, item)
        expanded = _range(key, item)
        values.extend(expanded if expanded is not None else [_scalar(key, item)])
    return tuple(values)


_NUM = r"([0-9][0-9_]*(?:\.[0-9]+)?)"
_DASH_RANGE_RE = re.compile(rf"^\s*{_NUM}\s*-\s*{_NUM}\s*$")


def _nice_step(span: float) -> float:
    """A round step giving about 5 to 10 values over ``span``: 1, 2 or 5 times a power of 10."""
    if span <= 0:
        return 1.0
    rough = span / 8
    power = 10.0 ** math.floor(math.log10(rough))
    return next(f * power for f in (1.0, 2.0, 5.0, 10.0) if f * power >= rough)


def _refuse_dash_range(key: str, item: str) -> None:
    """``20-60`` is no value any key accepts; the user meant a range, written ``20:60:5``."""
    match = _DASH_RANGE_RE.match(item)
    if match is None:
        return
    a, b = (float(g.replace("_", "")) for g in match.groups())
    whole = "." not in item
    step = _nice_step(abs(b - a))
    if whole:
        step = max(1, round(step))
    shown = ":".join(f"{x:g}" if not whole else str(int(x)) for x in (a, b, step))
    raise _fail(
        key,
        f"{item.strip()!r} is not a value; a range is written start:stop:step, such as {shown}",
    )


@dataclass(frozen=True)
class Parameter:
    """One ``--set`` option: a key path and the values to try, in the order given."""

    key: str
    values: tuple[Value, ...]

    @property
    def parts(self) -> list[str]:
        return self.key.split(".")


def parse_set(spec: str) -> Parameter:
    key, sep, text = spec.partition("=")
    key = key.strip()
    if not sep or not key:
        raise SimdeskError(
            Problem(
                f"expected KEY=VALUES (e.g. pools.inhouse.agents=20:60:5), got {spec!r}",
                key="--set",
            )
        )
    if any(not part for part in key.split(".")):
        raise _fail(key, "empty part in the key path")
    return Parameter(key, parse_values(key, text))


# --------------------------------------------------------------------------------------
# Applying a value to raw scenario data
# --------------------------------------------------------------------------------------


def _copy(data: Any) -> Any:
    """A deep copy that does not preserve sharing: a YAML anchor used twice must not make
    one ``--set`` change both places."""
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data


def _names(items: list[Any]) -> list[str]:
    return [str(i["name"]) for i in items if isinstance(i, dict) and isinstance(i.get("name"), str)]


def _list_index(items: list[Any], part: str) -> int | None:
    """A list item by its ``name``, else by a 0-based index."""
    for i, item in enumerate(items):
        if isinstance(item, dict) and str(item.get("name")) == part:
            return i
    if _INT_RE.match(part) and 0 <= int(part) < len(items):
        return int(part)
    return None


def _raw(value: Value) -> Any:
    return [_raw(v) for v in value] if isinstance(value, tuple) else value


def apply_setting(data: dict[str, Any], key: str, value: Value) -> None:
    """Set ``key`` (a dotted path) in raw scenario data, in place.

    Missing mapping keys are created (``customers.retry.probability`` in a file without a
    ``retry`` block), and validation then judges them like any key in a file. A list item
    that does not exist, or a path that runs through a plain value, is an unknown key.
    """
    parts = key.split(".")
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[:depth]) or "the top level"
        if isinstance(node, dict):
            if last:
                node[part] = _raw(value)
            else:
                if part not in node or node[part] is None:
                    node[part] = {}
                node = node[part]
        elif isinstance(node, list):
            i = _list_index(node, part)
            if i is None:
                names = _names(node)
                known = f"; expected one of: {', '.join(names)}" if names else ""
                raise _fail(key, f"unknown key: no item {part!r} in {where}{known}")
            if last:
                node[i] = _raw(value)
            else:
                node = node[i]
        else:
            raise _fail(
                key,
                f"unknown key: {where} is a value ({node!r}), not a section with {part!r}",
            )


# --------------------------------------------------------------------------------------
# Planning: the grid, validated up front
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One grid point: its parameter values and the scenario built from them."""

    index: int
    values: tuple[tuple[str, Value], ...]
    scenario: Scenario
    seed: int
    replications: int

    @property
    def label(self) -> str:
        return ", ".join(f"{k}={value_text(v)}" for k, v in self.values)


@dataclass(frozen=True)
class SweepPlan:
    """Everything needed to run a sweep; made only when every point is valid."""

    base: Scenario
    file: str
    parameters: tuple[Parameter, ...]
    points: tuple[Point, ...]
    seed: int
    replications: int

    def tasks(self) -> list[Task]:
        """All (point, replication) pairs, point-major: the order results are kept in."""
        return [Task(p.scenario, p.seed, r) for p in self.points for r in range(p.replications)]

    def owners(self) -> list[tuple[int, int]]:
        """(point index, replication) of each task in ``tasks()``."""
        return [(p.index, r) for p in self.points for r in range(p.replications)]


def _as_path(shown: str) -> str:
    """``pools[bot].resolution.general`` (a problem's key) -> ``pools.bot.resolution.general``."""
    return re.sub(r"\[([^\]]*)\]", r".\1", shown).lstrip(".")


def _related(a: str, b: str) -> bool:
    """One path lies inside the other (component-wise)."""
    pa, pb = a.split("."), b.split(".")
    n = min(len(pa), len(pb))
    return pa[:n] == pb[:n]


def _point_problems(
    err: SimdeskError, values: Sequence[tuple[str, Value]], file: str
) -> list[Problem]:
    """Re-word a point's validation problems to name the ``--set`` keys that caused them."""
    out: list[Problem] = []
    for p in err.problems:
        path = _as_path(p.key) if p.key else ""
        blamed = [k for k, _ in values if path and _related(k, path)]
        if blamed:
            # The keys alone: the message says what was wrong with the value ("got -1"), and
            # an unknown key is reported once, not once per value.
            key = "--set " + ", ".join(blamed)
        else:  # a rule across sections: the combination is to blame
            key = "--set " + ", ".join(f"{k}={value_text(v)}" for k, v in values)
        message = p.message
        if p.key and not (len(blamed) == 1 and blamed[0] == path):
            message = f"{p.key}: {message}"
        out.append(Problem(message, file, None, key))
    return out


def plan_sweep(
    doc: LocatedDocument,
    sets: Sequence[str],
    seed: int | None = None,
    replications: int | None = None,
) -> SweepPlan:
    """Parse the ``--set`` options and build and validate every point; run nothing.

    Raises SimdeskError naming the key for a malformed option, an unknown key or a value
    the scenario format rejects (all points' distinct problems, up to MAX_REPORTED).
    """
    if not sets:
        raise SimdeskError(Problem("give at least one --set KEY=VALUES", key="--set"))
    params = [parse_set(s) for s in sets]
    seen: set[str] = set()
    for prm in params:
        if prm.key in seen:
            raise _fail(prm.key, "the same key is set twice; list all its values in one --set")
        seen.add(prm.key)
    points: list[Point] = []
    problems: list[Problem] = []
    for index, combo in enumerate(itertools.product(*(p.values for p in params))):
        values = tuple((p.key, v) for p, v in zip(params, combo, strict=True))
        data = _copy(doc.data)
        for k, v in values:
            apply_setting(data, k, v)  # unknown keys fail at the first point
        try:
            scenario = scenario_from_data(data, doc.file)
        except SimdeskError as err:
            for prob in _point_problems(err, values, doc.file):
                if prob not in problems:
                    problems.append(prob)
            continue
        points.append(
            Point(
                index=index,
                values=values,
                scenario=scenario,
                seed=scenario.seed if seed is None else seed,
                replications=scenario.replications if replications is None else replications,
            )
        )
    if problems:
        shown = problems[:MAX_REPORTED]
        if len(problems) > MAX_REPORTED:
            shown.append(Problem(f"... and {len(problems) - MAX_REPORTED} more problem(s)"))
        raise SimdeskError(shown)
    try:
        base = scenario_from_data(_copy(doc.data), doc.file)
    except SimdeskError:
        # A template the sweep completes (e.g. a key only the --set fills in) is fine: its
        # name, seed and replications are then those of the first point.
        base = points[0].scenario
    return SweepPlan(
        base=base,
        file=doc.file,
        parameters=tuple(params),
        points=tuple(points),
        seed=base.seed if seed is None else seed,
        replications=base.replications if replications is None else replications,
    )


# --------------------------------------------------------------------------------------
# Running: collecting outcomes into finished points
# --------------------------------------------------------------------------------------


@dataclass
class PointResult:
    """A finished point: its summary, or the replications that failed."""

    point: Point
    summary: Summary | None
    failures: list[tuple[int, TaskFailure]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.summary is not None

    @property
    def error(self) -> str:
        """The first failed replication's error (by replication, so it is deterministic)."""
        if not self.failures:
            return ""
        r, f = self.failures[0]
        more = len(self.failures) - 1
        extra = f" (and {more} more replication(s))" if more else ""
        return f"replication {r}: {f.error}{extra}"


class SweepRun:
    """Runs a plan and keeps finished points, so an interrupted sweep still has them.

    ``execute`` may raise KeyboardInterrupt; ``results`` then holds every point whose
    replications had all come back.
    """

    def __init__(self, plan: SweepPlan) -> None:
        self.plan = plan
        self.tasks = plan.tasks()
        self._owners = plan.owners()
        self._points = {p.index: p for p in plan.points}
        self._partial: dict[int, dict[int, Outcome]] = {}
        self.results: dict[int, PointResult] = {}

    @property
    def total(self) -> int:
        return len(self.plan.points)

    @property
    def done(self) -> int:
        return len(self.results)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results.values() if not r.ok)

    def finished(self) -> list[PointResult]:
        """Finished points in grid order (never completion order)."""
        return [self.results[i] for i in sorted(self.results)]

    def execute(
        self,
        executor: Executor,
        on_task: Callable[[], None] | None = None,
        on_point: Callable[[PointResult], None] | None = None,
        fn: TaskFn = run_task,
    ) -> None:
        def collect(i: int, out: Outcome) -> None:
            pidx, rep = self._owners[i]
            got = self._partial.setdefault(pidx, {})
            got[rep] = out
            if on_task is not None:
                on_task()
            point = self._points[pidx]
            if len(got) == point.replications:
                result = self._finish(point, got)
                del self._partial[pidx]
                self.results[pidx] = result
                if on_point is not None:
                    on_point(result)

        run_all(self.tasks, executor, on_done=collect, fn=fn)

    @staticmethod
    def _finish(point: Point, got: dict[int, Outcome]) -> PointResult:
        ordered = [got[r] for r in range(point.replications)]
        failures = [(r, o) for r, o in enumerate(ordered) if isinstance(o, TaskFailure)]
        if failures:
            return PointResult(point, None, failures)
        runs = [o for o in ordered if not isinstance(o, TaskFailure)]
        return PointResult(point, summarize(point.scenario, point.seed, runs))


# --------------------------------------------------------------------------------------
# Output: CSV and JSON, one row per point
# --------------------------------------------------------------------------------------


def value_text(v: Value) -> str:
    """A parameter value as the user would write it (CSV cells, labels, tables)."""
    if isinstance(v, tuple):
        return "[" + ", ".join(value_text(i) for i in v) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _csv_number(x: float | None) -> str:
    n = number(x)
    return "" if n is None else repr(n)


FIGURE_SECTIONS = ("totals", "pools", "types")


def figure_name(key: str) -> str:
    """The figure of a key: ``pools.inhouse.service_level`` -> ``service_level``."""
    return key.rsplit(".", 1)[-1]


def check_figure_keys(keys: Sequence[str], base: Scenario, option: str = "--figure") -> list[str]:
    """Validate ``--figure`` keys against the figure names and the scenario's pools and
    types, before anything runs (a typo must not cost a whole sweep)."""
    from simdesk.figures import FIGURES

    out: list[str] = []
    problems: list[Problem] = []
    names = {"pools": [p.name for p in base.pools], "types": list(base.type_names)}
    for raw in keys:
        key = raw.strip()
        parts = key.split(".")
        figure = parts[-1]
        if figure not in FIGURES:
            problems.append(
                Problem(
                    f"unknown figure {figure!r} in {key!r}; expected one of: "
                    f"{', '.join(FIGURES)}",
                    key=option,
                )
            )
            continue
        if len(parts) == 1 or (len(parts) == 2 and parts[0] == "totals"):
            out.append(key)
            continue
        section = parts[0]
        if section not in ("pools", "types") or len(parts) < 3:
            problems.append(
                Problem(
                    f"expected FIGURE, totals.FIGURE, pools.NAME.FIGURE or types.NAME.FIGURE; "
                    f"got {key!r}",
                    key=option,
                )
            )
            continue
        name = ".".join(parts[1:-1])
        if name not in names[section]:
            problems.append(
                Problem(
                    f"no {section[:-1]} {name!r} in {key!r}; expected one of: "
                    f"{', '.join(names[section])}",
                    key=option,
                )
            )
            continue
        out.append(key)
    if problems:
        raise SimdeskError(problems)
    return out


def missed_targets(summary: Summary) -> list[str]:
    return [t.name for t in summary.targets if t.met is False]


def sweep_csv(
    plan: SweepPlan, results: Sequence[PointResult], figures: Sequence[str] = ()
) -> str:
    """Parameters, status, then mean / ci_low / ci_high of each main figure and of each
    ``--figure`` key (``pools.inhouse.service_level_mean``, ...), then the targets missed;
    failed points keep their parameters and say why."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    keys = list(MAIN_FIGURES) + [f for f in figures if f not in MAIN_FIGURES]
    header = [p.key for p in plan.parameters] + ["status"]
    for f in keys:
        header += [f"{f}_mean", f"{f}_ci_low", f"{f}_ci_high"]
    header += ["targets_missed", "error"]
    w.writerow(header)
    for res in results:
        row = [value_text(v) for _, v in res.point.values]
        if res.summary is None:
            row += ["failed", *[""] * (3 * len(keys)), "", res.error]
        else:
            row.append("ok")
            for f in keys:
                e = res.summary.estimate(f)
                if e is None:
                    row += ["", "", ""]
                    continue
                lo, hi = e.ci95 if e.ci95 is not None else (None, None)
                row += [_csv_number(e.mean), _csv_number(lo), _csv_number(hi)]
            row += [";".join(missed_targets(res.summary)), ""]
        w.writerow(row)
    return buf.getvalue()


def sweep_json(
    plan: SweepPlan, results: Sequence[PointResult], complete: bool = True
) -> dict[str, Any]:
    """The sweep document: the grid, then one entry per finished point in grid order.

    ``complete`` is false in a checkpoint or after an interruption, and ``points_done``
    says how many of ``points_total`` are in the file.
    """
    points: list[dict[str, Any]] = []
    for res in results:
        entry: dict[str, Any] = {
            "index": res.point.index,
            "parameters": dict(res.point.values),
        }
        if res.summary is None:
            entry["status"] = "failed"
            entry["error"] = res.error
            entry["failed_replications"] = [r for r, _ in res.failures]
        else:
            s = res.summary
            entry["status"] = "ok"
            entry["totals"] = scope_json(s.totals)
            entry["pools"] = {name: scope_json(v) for name, v in s.pools.items()}
            entry["targets"] = targets_json(s.targets)
        points.append(entry)
    return {
        "schema_version": SCHEMA_VERSION,
        "simdesk_version": __version__,
        "kind": "sweep",
        "scenario": plan.base.name,
        "seed": plan.seed,
        "replications": plan.replications,
        "parameters": [{"key": p.key, "values": list(p.values)} for p in plan.parameters],
        "complete": complete,
        "points_total": len(plan.points),
        "points_done": len(results),
        "points_failed": sum(1 for r in results if not r.ok),
        "points": points,
    }
