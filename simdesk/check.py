"""Scenario results as CI regression tests: compare a run with a committed baseline.

A baseline is simply the result document ``simdesk run --json`` writes (report.py), so it
records the seed, replications, simdesk version and schema version it was made with. A
check re-runs the scenario with the *baseline's* seed and replications: with the same
simdesk, an unchanged scenario then reproduces the baseline exactly (the determinism
contract), and after a change the new figures share the baseline's random numbers, so
what moves is the change rather than noise.

A figure fails only when it moved beyond noise: by default when the new 95% interval and
the baseline's do not overlap, or beyond a tolerance the user sets per figure. Any move
fails, up or down: the baseline is the expected answer, and an improvement is accepted
on purpose with ``--update``, like any other change of expectation.

This module decides; it prints nothing (render/check.py draws tables, the CLI wires it).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from simdesk import __version__
from simdesk.errors import Problem, SimdeskError
from simdesk.experiment import Runner, Task, run_serial, summarize, tasks_for
from simdesk.figures import FIGURES
from simdesk.loading import load_scenario
from simdesk.report import SCHEMA_VERSION, dumps, summary_json, write_atomic
from simdesk.scenario import Scenario

__all__ = [
    "CI_RULE",
    "SCENARIO_SUFFIXES",
    "SCOPES",
    "Baseline",
    "CheckResult",
    "FigureKey",
    "FigureVerdict",
    "Pair",
    "TargetCheck",
    "TargetMode",
    "Tolerance",
    "check_json",
    "check_targets",
    "compare",
    "exit_code",
    "expand_scenarios",
    "load_baseline",
    "pair_baselines",
    "parse_figure_key",
    "parse_tolerances",
    "run_checks",
]

SCOPES = ("totals", "pools", "types")
SCENARIO_SUFFIXES = (".yaml", ".yml")
# Version of the --json verdict document written by ``check --json``.
CHECK_SCHEMA_VERSION = 1

Verdict = Literal["ok", "changed", "skipped", "missing", "new"]
FAILING: frozenset[str] = frozenset({"changed", "missing"})


class TargetMode(StrEnum):
    """How missed scenario targets count.

    ``strict`` fails on every missed target. ``baseline`` fails only on a target the
    baseline met (or does not record): for scenarios whose target is missed on purpose,
    such as a textbook queue shown missing the 80/20 convention. ``off`` only reports.
    """

    strict = "strict"
    baseline = "baseline"
    off = "off"


# --------------------------------------------------------------------------------------
# Figure keys, tolerances
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureKey:
    """Where a figure lives: ``totals.service_level``, ``pools.agents.occupancy``."""

    scope: str
    name: str | None
    figure: str

    def __str__(self) -> str:
        if self.name is None:
            return f"{self.scope}.{self.figure}"
        return f"{self.scope}.{self.name}.{self.figure}"

    def lookups(self) -> tuple[str, str, str]:
        """Keys a user may write for this figure, most specific first."""
        return (str(self), f"{self.scope}.{self.figure}", self.figure)


def parse_figure_key(text: str, option: str) -> str:
    """Check a user's figure key (``FIG``, ``SCOPE.FIG`` or ``SCOPE.NAME.FIG``).

    Typos must fail loudly: a tolerance for ``service_levle`` that silently applied to
    nothing would leave the real figure on the strict default and nobody would notice.
    """
    key = text.strip()
    parts = key.split(".")
    figure = parts[-1]
    if len(parts) > 1 and parts[0] not in SCOPES:
        raise SimdeskError(
            Problem(
                f"unknown scope '{parts[0]}' in '{key}'; write FIGURE, SCOPE.FIGURE or "
                f"SCOPE.NAME.FIGURE with SCOPE one of {', '.join(SCOPES)}",
                key=option,
            )
        )
    if len(parts) > 2 and parts[0] == "totals":
        raise SimdeskError(Problem(f"totals have no names: write 'totals.{figure}'", key=option))
    if figure not in FIGURES:
        raise SimdeskError(
            Problem(
                f"unknown figure '{figure}' in '{key}'; expected one of: {', '.join(FIGURES)}",
                key=option,
            )
        )
    return key


@dataclass(frozen=True)
class Tolerance:
    """How far a figure's mean may move: absolute (``0.02``) or relative (``5%``)."""

    value: float
    relative: bool

    def allowed(self, baseline: float) -> float:
        return self.value * abs(baseline) if self.relative else self.value

    def holds(self, baseline: float, new: float) -> bool:
        # A hair of slack so that "moved by exactly the tolerance" is not lost to rounding.
        limit = self.allowed(baseline)
        return abs(new - baseline) <= limit + 1e-12 * max(1.0, abs(baseline))

    def __str__(self) -> str:
        return f"±{self.value * 100:g}%" if self.relative else f"±{self.value:g}"


def parse_tolerances(items: Iterable[str]) -> dict[str, Tolerance]:
    """``FIG=VALUE`` items: a plain number is absolute, a number with ``%`` relative."""
    out: dict[str, Tolerance] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip() or not raw.strip():
            raise SimdeskError(
                Problem(
                    f"expected FIGURE=VALUE such as service_level=0.02 or wait_mean_s=5%; "
                    f"got '{item}'",
                    key="--tolerance",
                )
            )
        key = parse_figure_key(key, "--tolerance")
        text = raw.strip()
        relative = text.endswith("%")
        try:
            value = float(text[:-1] if relative else text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0:
            raise SimdeskError(
                Problem(
                    f"expected a non-negative number, or a percentage such as 5%; got '{text}'",
                    key=f"--tolerance {key}",
                )
            )
        out[key] = Tolerance(value / 100 if relative else value, relative)
    return out


# --------------------------------------------------------------------------------------
# Baselines
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Baseline:
    """A validated baseline document and the file it came from."""

    file: str
    doc: dict[str, Any]

    @property
    def seed(self) -> int:
        return int(self.doc["seed"])

    @property
    def replications(self) -> int:
        return int(self.doc["replications"])

    @property
    def simdesk_version(self) -> str:
        return str(self.doc["simdesk_version"])


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_number(x: Any) -> bool:
    return (_is_int(x) or isinstance(x, float)) and math.isfinite(x)


def _estimate_problems(value: Any, key: str, file: str) -> Iterator[Problem]:
    if not isinstance(value, dict):
        yield Problem('expected {"mean": ..., "ci95": [low, high]}', file, key=key)
        return
    for k in ("mean", "ci95"):
        if k not in value:
            yield Problem(f"missing key '{k}'", file, key=key)
    mean = value.get("mean")
    if mean is not None and not _is_number(mean):
        yield Problem(f"expected a number or null, got {json.dumps(mean)}", file, key=f"{key}.mean")
    ci = value.get("ci95")
    if ci is not None and not (
        isinstance(ci, list) and len(ci) == 2 and all(_is_number(x) for x in ci)
    ):
        yield Problem(
            f"expected [low, high] or null, got {json.dumps(ci)}", file, key=f"{key}.ci95"
        )


def _scope_problems(value: Any, key: str, file: str) -> Iterator[Problem]:
    if not isinstance(value, dict):
        yield Problem("expected an object of figures", file, key=key)
        return
    for figure, est in value.items():
        yield from _estimate_problems(est, f"{key}.{figure}", file)


def _baseline_problems(doc: Any, file: str) -> list[Problem]:
    """Everything wrong with a parsed baseline, so one run shows the whole repair."""
    if not isinstance(doc, dict):
        return [Problem("expected a JSON object (a simdesk result document)", file)]
    version = doc.get("schema_version")
    if "schema_version" not in doc:
        return [Problem("missing key 'schema_version': not a simdesk result document", file)]
    if version != SCHEMA_VERSION:
        return [
            Problem(
                f"baseline has schema_version {json.dumps(version)}, but simdesk {__version__} "
                f"reads schema_version {SCHEMA_VERSION}; figures are not comparable across "
                "schema versions, so regenerate the baseline with `simdesk check ... --update`",
                file,
                key="schema_version",
            )
        ]
    out: list[Problem] = []
    required = ("simdesk_version", "seed", "replications", "totals", "pools", "types")
    for k in required:
        if k not in doc:
            out.append(Problem(f"missing key '{k}'", file))
    if "simdesk_version" in doc and not isinstance(doc["simdesk_version"], str):
        out.append(Problem("expected a version string", file, key="simdesk_version"))
    if "seed" in doc and not (_is_int(doc["seed"]) and doc["seed"] >= 0):
        out.append(Problem("expected a non-negative integer", file, key="seed"))
    if "replications" in doc and not (_is_int(doc["replications"]) and doc["replications"] >= 1):
        out.append(Problem("expected a positive integer", file, key="replications"))
    if "totals" in doc:
        out.extend(_scope_problems(doc["totals"], "totals", file))
    for scope in ("pools", "types"):
        if scope not in doc:
            continue
        if not isinstance(doc[scope], dict):
            out.append(Problem("expected an object keyed by name", file, key=scope))
            continue
        for name, figures in doc[scope].items():
            out.extend(_scope_problems(figures, f"{scope}.{name}", file))
    return out


def load_baseline(path: str | Path) -> Baseline:
    """Read and validate a baseline; raise SimdeskError naming the file (exit 2).

    Validation is strict because a half-written or hand-edited baseline that compared
    "successfully" would turn the regression test into a silent pass.
    """
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SimdeskError(
            Problem("baseline not found; create it with `simdesk check ... --update`", file)
        ) from None
    except IsADirectoryError:
        raise SimdeskError(Problem("is a directory, expected a baseline JSON file", file)) from None
    except UnicodeDecodeError:
        raise SimdeskError(Problem("baseline is not UTF-8 text (corrupted?)", file)) from None
    except OSError as exc:
        raise SimdeskError(Problem(f"cannot read baseline: {exc.strerror}", file)) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SimdeskError(
            Problem(f"baseline is not valid JSON (corrupted?): {exc.msg}", file, exc.lineno)
        ) from None
    except RecursionError:
        raise SimdeskError(Problem("baseline JSON is nested too deeply", file)) from None
    problems = _baseline_problems(doc, file)
    if problems:
        raise SimdeskError(problems)
    return Baseline(file, doc)


# --------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureVerdict:
    """One figure: baseline and new estimate (JSON form), the rule used and the verdict."""

    key: FigureKey
    baseline: dict[str, Any] | None
    new: dict[str, Any] | None
    rule: str
    verdict: Verdict
    reason: str = ""

    @property
    def failed(self) -> bool:
        return self.verdict in FAILING

    @property
    def delta(self) -> float | None:
        """New mean minus baseline mean, when both exist."""
        b = None if self.baseline is None else self.baseline.get("mean")
        n = None if self.new is None else self.new.get("mean")
        return None if b is None or n is None else float(n) - float(b)


@dataclass(frozen=True)
class TargetCheck:
    """A scenario target in the new run, beside what the baseline recorded for it."""

    name: str
    figure: str
    goal: str
    value: float | None
    met: bool | None
    """None: not applicable in this run (status "n/a", e.g. an overloaded desk)."""
    baseline_value: float | None
    baseline_met: bool | None
    failed: bool


CI_RULE = "95% CIs overlap"


def _judge(
    baseline: dict[str, Any] | None, new: dict[str, Any] | None, tol: Tolerance | None
) -> tuple[Verdict, str]:
    if baseline is None:
        return "new", "not in the baseline"
    if new is None:
        return "missing", "in the baseline, not in this run"
    bm, nm = baseline["mean"], new["mean"]
    if bm is None or nm is None:
        where = "in the baseline" if bm is None else "in this run"
        return "skipped", f"undefined {where}"
    if tol is not None:
        return ("ok", "") if tol.holds(bm, nm) else ("changed", f"moved more than {tol}")
    bc, nc = baseline["ci95"], new["ci95"]
    if bc is None or nc is None:
        return "skipped", "no 95% interval (one replication?); set a --tolerance to compare"
    if bc[0] <= nc[1] and nc[0] <= bc[1]:
        return "ok", ""
    return "changed", "95% intervals do not overlap"


def _rule_for(key: FigureKey, tolerances: dict[str, Tolerance]) -> Tolerance | None:
    for k in key.lookups():
        if k in tolerances:
            return tolerances[k]
    return None


def _selected(key: FigureKey, only: set[str] | None) -> bool:
    return only is None or any(k in only for k in key.lookups())


def _scopes(doc: dict[str, Any]) -> Iterator[tuple[str, str | None, dict[str, Any]]]:
    yield "totals", None, doc.get("totals") or {}
    for scope in ("pools", "types"):
        for name, figures in (doc.get(scope) or {}).items():
            yield scope, name, figures


def compare(
    baseline: dict[str, Any],
    new: dict[str, Any],
    tolerances: dict[str, Tolerance] | None = None,
    only: Iterable[str] | None = None,
) -> list[FigureVerdict]:
    """Verdicts for every figure of totals, pools and types (intervals are left out: 24
    hours x every figure would make false alarms likely and add little).

    Figures are listed in the baseline's order, then any the baseline lacks.
    """
    tolerances = tolerances or {}
    chosen = None if only is None else set(only)
    old = {(scope, name): figs for scope, name, figs in _scopes(baseline)}
    now = {(scope, name): figs for scope, name, figs in _scopes(new)}
    out: list[FigureVerdict] = []
    for where in list(old) + [w for w in now if w not in old]:
        b_figs, n_figs = old.get(where, {}), now.get(where, {})
        for figure in list(b_figs) + [f for f in n_figs if f not in b_figs]:
            key = FigureKey(where[0], where[1], figure)
            if not _selected(key, chosen):
                continue
            tol = _rule_for(key, tolerances)
            verdict, reason = _judge(b_figs.get(figure), n_figs.get(figure), tol)
            rule = CI_RULE if tol is None else str(tol)
            out.append(
                FigureVerdict(key, b_figs.get(figure), n_figs.get(figure), rule, verdict, reason)
            )
    return out


def check_targets(
    baseline: dict[str, Any] | None, new: dict[str, Any], mode: TargetMode
) -> list[TargetCheck]:
    """The new run's target verdicts, failing according to ``mode``."""
    recorded: dict[str, dict[str, Any]] = {}
    for t in (baseline or {}).get("targets") or []:
        if isinstance(t, dict) and isinstance(t.get("name"), str):
            recorded[t["name"]] = t
    out: list[TargetCheck] = []
    for t in new.get("targets") or []:
        old = recorded.get(t["name"])
        old_met = old.get("met") if old is not None else None
        old_met = old_met if isinstance(old_met, bool) else None
        old_value = old.get("value") if old is not None else None
        met = None if t.get("status") == "n/a" else bool(t["met"])
        if mode is TargetMode.strict:
            failed = met is False
        elif mode is TargetMode.baseline:
            failed = met is False and old_met is not False
        else:
            failed = False
        out.append(
            TargetCheck(
                name=t["name"],
                figure=t["figure"],
                goal=t["goal"],
                value=t["value"],
                met=met,
                baseline_value=old_value if _is_number(old_value) else None,
                baseline_met=old_met,
                failed=failed,
            )
        )
    return out


# --------------------------------------------------------------------------------------
# Pairs of scenario and baseline files
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    scenario: Path
    baseline: Path


def expand_scenarios(paths: Sequence[Path]) -> list[Path]:
    """Files as given; a directory stands for its ``*.yaml``/``*.yml`` files, sorted so the
    order (and the --json document) does not depend on the file system."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(
                q
                for q in p.iterdir()
                if q.suffix in SCENARIO_SUFFIXES and q.is_file() and not q.name.startswith(".")
            )
            if not found:
                raise SimdeskError(
                    Problem("no scenario files (*.yaml, *.yml) in this directory", str(p))
                )
            out.extend(found)
        else:
            out.append(p)
    return out


def pair_baselines(
    paths: Sequence[Path], baselines: Sequence[Path], baselines_dir: Path | None
) -> list[Pair]:
    """Match each scenario with its baseline.

    Either explicitly (``--baseline`` per scenario file, in order), or by name: ``a.yaml``
    goes with ``DIR/a.json``, where DIR is ``--baselines`` or else ``baselines/`` beside
    the scenario, so ``simdesk check scenarios/`` works with no options at all.
    """
    if baselines and baselines_dir is not None:
        raise SimdeskError(Problem("give either --baseline files or --baselines DIR, not both"))
    if baselines:
        dirs = [p for p in paths if p.is_dir()]
        if dirs:
            raise SimdeskError(
                Problem(
                    "a directory of scenarios needs --baselines DIR (or the default "
                    "baselines/ beside it), not --baseline FILE",
                    str(dirs[0]),
                )
            )
        if len(baselines) != len(paths):
            raise SimdeskError(
                Problem(
                    f"{len(paths)} scenario file(s) but {len(baselines)} --baseline file(s); "
                    "give one --baseline per scenario, in the same order",
                    key="--baseline",
                )
            )
        return [Pair(s, b) for s, b in zip(paths, baselines, strict=True)]
    pairs: list[Pair] = []
    seen: dict[Path, Path] = {}
    for s in expand_scenarios(paths):
        directory = baselines_dir if baselines_dir is not None else s.parent / "baselines"
        b = directory / f"{s.stem}.json"
        if b in seen and seen[b] != s:
            raise SimdeskError(
                Problem(f"{seen[b]} and {s} would share the baseline {b}; rename one", str(s))
            )
        if b not in seen:
            seen[b] = s
            pairs.append(Pair(s, b))
    return pairs


# --------------------------------------------------------------------------------------
# Running checks
# --------------------------------------------------------------------------------------


@dataclass
class CheckResult:
    """Everything known about one scenario/baseline pair after a check or an update."""

    scenario_file: str
    baseline_file: str
    scenario: str | None = None
    seed: int | None = None
    replications: int | None = None
    baseline_version: str | None = None
    figures: list[FigureVerdict] = field(default_factory=list)
    targets: list[TargetCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    identical: bool | None = None
    updated: bool = False

    @property
    def changed(self) -> list[FigureVerdict]:
        return [f for f in self.figures if f.failed]

    @property
    def missed(self) -> list[TargetCheck]:
        return [t for t in self.targets if t.failed]

    @property
    def status(self) -> Literal["error", "updated", "failed", "passed"]:
        if self.problems:
            return "error"
        if self.updated:
            return "updated"
        return "failed" if self.changed or self.missed else "passed"


@dataclass
class _Job:
    result: CheckResult
    scenario: Scenario
    old: Baseline | None
    seed: int
    replications: int


def _prepare(pair: Pair, update: bool) -> _Job | CheckResult:
    result = CheckResult(str(pair.scenario), str(pair.baseline))
    old: Baseline | None = None
    try:
        old = load_baseline(pair.baseline)
    except SimdeskError as exc:
        if not update:
            result.problems.extend(exc.problems)
        elif pair.baseline.exists():
            result.notes.append("the previous baseline was unreadable; it is replaced")
    scenario: Scenario | None = None
    try:
        scenario = load_scenario(pair.scenario)
    except SimdeskError as exc:
        result.problems.extend(exc.problems)
    if scenario is None or result.problems:
        return result
    result.scenario = scenario.name
    if update or old is None:
        seed, reps = scenario.seed, scenario.replications
    else:
        seed, reps = old.seed, old.replications
        if (scenario.seed, scenario.replications) != (seed, reps):
            result.notes.append(
                f"the scenario says seed {scenario.seed}, {scenario.replications} "
                f"replication(s); ran the baseline's seed {seed}, {reps} replication(s) "
                "to compare like with like (--update to adopt the scenario's)"
            )
    if old is not None:
        result.baseline_version = old.simdesk_version
        if old.simdesk_version != __version__:
            result.notes.append(
                f"the baseline was made with simdesk {old.simdesk_version}, this is "
                f"{__version__}: compared anyway, so any change in the figures shows"
            )
        if old.doc.get("scenario") not in (None, scenario.name):
            result.notes.append(
                f"the baseline is for scenario '{old.doc.get('scenario')}', this file is "
                f"'{scenario.name}'"
            )
        if reps == 1 and not update:
            result.notes.append(
                "one replication: figures have no 95% interval, so only figures with a "
                "--tolerance are compared"
            )
    result.seed, result.replications = seed, reps
    return _Job(result, scenario, old, seed, reps)


def run_checks(
    pairs: Sequence[Pair],
    tolerances: dict[str, Tolerance] | None = None,
    only: Iterable[str] | None = None,
    targets: TargetMode = TargetMode.strict,
    update: bool = False,
    runner: Runner = run_serial,
) -> list[CheckResult]:
    """Check (or, with ``update``, rewrite) every pair; input problems stay per pair.

    All replications of all pairs go to the runner as one batch, so a parallel runner
    keeps every worker busy across scenarios; a broken pair does not stop the others,
    so one CI run reports everything that needs fixing.
    """
    chosen = None if only is None else list(only)
    prepared = [_prepare(p, update) for p in pairs]
    jobs = [j for j in prepared if isinstance(j, _Job)]
    tasks: list[Task] = []
    for job in jobs:
        tasks.extend(tasks_for(job.scenario, job.seed, job.replications))
    runs = runner(tasks)
    start = 0
    for job in jobs:
        mine = runs[start : start + job.replications]
        start += job.replications
        doc = summary_json(summarize(job.scenario, job.seed, mine))
        result = job.result
        if job.old is not None:
            result.figures = compare(job.old.doc, doc, tolerances, chosen)
            result.identical = all(
                job.old.doc.get(k) == doc[k] for k in ("totals", "pools", "types", "intervals")
            )
        result.targets = check_targets(None if job.old is None else job.old.doc, doc, targets)
        if update:
            try:
                Path(job.result.baseline_file).parent.mkdir(parents=True, exist_ok=True)
                write_atomic(job.result.baseline_file, dumps(doc))
                result.updated = True
            except OSError as exc:
                result.problems.append(
                    Problem(f"cannot write baseline: {exc.strerror}", job.result.baseline_file)
                )
    return [j.result if isinstance(j, _Job) else j for j in prepared]


def exit_code(results: Sequence[CheckResult]) -> int:
    """2 when any input was bad, 1 when a figure moved or a target was missed, else 0."""
    statuses = {r.status for r in results}
    if "error" in statuses:
        return 2
    return 1 if "failed" in statuses else 0


def _verdict_json(f: FigureVerdict) -> dict[str, Any]:
    delta = f.delta
    return {
        "figure": str(f.key),
        "scope": f.key.scope,
        "name": f.key.name,
        "metric": f.key.figure,
        "baseline": f.baseline,
        "new": f.new,
        "delta": None if delta is None else float(f"{delta:.12g}"),
        "rule": f.rule,
        "verdict": f.verdict,
        "reason": f.reason,
    }


def check_json(results: Sequence[CheckResult]) -> dict[str, Any]:
    """The machine-readable verdicts (``check --json``): deterministic, no timestamps."""
    code = exit_code(results)
    return {
        "check_schema_version": CHECK_SCHEMA_VERSION,
        "simdesk_version": __version__,
        "passed": code == 0,
        "exit_code": code,
        "checks": [
            {
                "scenario_file": r.scenario_file,
                "baseline_file": r.baseline_file,
                "scenario": r.scenario,
                "status": r.status,
                "seed": r.seed,
                "replications": r.replications,
                "baseline_simdesk_version": r.baseline_version,
                "identical": r.identical,
                "errors": [str(p) for p in r.problems],
                "notes": list(r.notes),
                "changed": [str(f.key) for f in r.changed],
                "missed_targets": [t.name for t in r.missed],
                "figures": [_verdict_json(f) for f in r.figures],
                "targets": [
                    {
                        "name": t.name,
                        "figure": t.figure,
                        "goal": t.goal,
                        "value": t.value,
                        "met": t.met,
                        "baseline_value": t.baseline_value,
                        "baseline_met": t.baseline_met,
                        "failed": t.failed,
                    }
                    for t in r.targets
                ],
            }
            for r in results
        ],
    }
