"""Scenario results as CI regression tests: compare a run with a committed baseline.

A baseline is simply the result document ``simdesk run --json`` writes (report.py), so it
records the seed, replications, simdesk version and schema version it was made with. A
check re-runs the scenario with the *baseline's* seed and replications: with the same
simdesk, an unchanged scenario then reproduces the baseline exactly (the determinism
contract), and after a change the new figures share the baseline's random numbers, so
what moves is the change rather than noise.

A figure fails only when it moved beyond noise. A check compares dozens of figures, so
the noise rule is set for the whole check, not per figure: Welch's two-sample test per
figure (the baseline's replications against the new run's, from the mean, sd and n each
side records) and Holm's correction over every figure of every scenario compared, so an
unchanged desk rerun with other random numbers fails at most ``alpha`` (1%) of the time.
An optional minimum effect (relative to the baseline's mean) lets immaterial moves pass;
a tolerance the user sets for a figure replaces the test for that figure. Any move fails,
up or down: the baseline is the expected answer, and an improvement is accepted on
purpose with ``--update``, like any other change of expectation.

This module decides; it prints nothing (render/check.py draws tables, the CLI wires it).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from simdesk import __version__
from simdesk.baseline_schema import schema_problems
from simdesk.check_options import DEFAULT_ALPHA, TargetMode
from simdesk.errors import Problem, SimdeskError
from simdesk.experiment import Runner, Task, run_serial, summarize, tasks_for
from simdesk.figures import FIGURES
from simdesk.inputs import InputChange, input_changes, scenario_inputs
from simdesk.limits import MAX_BASELINE_BYTES
from simdesk.loading import load_scenario
from simdesk.report import SCHEMA_VERSION, dumps, summary_json, write_atomic
from simdesk.scenario import Scenario
from simdesk.significance import holm_adjusted, welch_p

__all__ = [
    "DEFAULT_ALPHA",
    "SCENARIO_SUFFIXES",
    "SCOPES",
    "Baseline",
    "CheckResult",
    "CheckRule",
    "FigureKey",
    "FigureVerdict",
    "Pair",
    "TargetCheck",
    "TargetMode",
    "Tolerance",
    "check_json",
    "check_targets",
    "compare",
    "decide",
    "exit_code",
    "expand_scenarios",
    "figures_tested",
    "load_baseline",
    "pair_baselines",
    "parse_alpha",
    "parse_figure_key",
    "parse_min_effect",
    "parse_tolerances",
    "raw_verdicts",
    "run_checks",
]

SCOPES = ("totals", "pools", "types")
SCENARIO_SUFFIXES = (".yaml", ".yml")
# Version of the --json verdict document written by ``check --json``.
# 2: the two-sample test with Holm's correction (rule, p_value, p_holm) replaced the
# interval-overlap rule.
CHECK_SCHEMA_VERSION = 2

Verdict = Literal["ok", "changed", "skipped", "missing", "new"]
FAILING: frozenset[str] = frozenset({"changed", "missing"})


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


def parse_alpha(value: float) -> float:
    """``--alpha``: the check's family-wise false-alarm rate, a probability in (0, 0.5]."""
    if not (math.isfinite(value) and 0.0 < value <= 0.5):
        raise SimdeskError(
            Problem(
                f"expected a probability above 0 and at most 0.5, such as 0.01; got {value:g}",
                key="--alpha",
            )
        )
    return value


def parse_min_effect(text: str) -> float:
    """``--min-effect 2%``: relative to each figure's baseline mean, so one value fits
    figures in seconds, rates and counts alike; the ``%`` is required so that nobody
    reads ``0.02`` as an absolute move."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) if raw.endswith("%") else math.nan
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise SimdeskError(
            Problem(
                f"expected a percentage of the baseline's mean, such as 2%; got '{text}'",
                key="--min-effect",
            )
        )
    return value / 100


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


READABLE_VERSIONS = (2, SCHEMA_VERSION)
"""Baselines check reads: version 3 only added sections (periods, pool_intervals) that
check does not compare, so a version 2 baseline holds the same figures; ``--update``
writes the current version."""


def _versions_text() -> str:
    *older, last = READABLE_VERSIONS
    return f"{', '.join(map(str, older))} or {last}" if older else str(last)


# Enough to show what is wrong; a baseline with every figure broken is not worth 500 lines.
_MAX_PROBLEMS = 20


def _baseline_problems(doc: Any, file: str) -> list[Problem]:
    """Everything wrong with a parsed baseline, so one run shows the whole repair.

    The schema version is judged first and alone: a document of another version is not
    worth listing key by key, and the message says how to regenerate it.
    """
    if not isinstance(doc, dict):
        return [Problem("expected a JSON object (a simdesk result document)", file)]
    if "schema_version" not in doc:
        return [Problem("missing key 'schema_version': not a simdesk result document", file)]
    version = doc["schema_version"]
    if not _is_int(version):
        return [
            Problem(
                f"expected an integer schema version, got {json.dumps(version)}",
                file,
                key="schema_version",
            )
        ]
    if version not in READABLE_VERSIONS:
        return [
            Problem(
                f"baseline has schema_version {version}, but simdesk {__version__} "
                f"reads schema_version {_versions_text()}; figures are not comparable "
                "across those, so regenerate the baseline with `simdesk check ... --update`",
                file,
                key="schema_version",
            )
        ]
    found = schema_problems(doc)
    out = [Problem(message, file, key=path or None) for path, message in found]
    reps = doc.get("replications")
    if not found and _is_int(reps):
        # Beyond JSON Schema: no figure can have more values than there were replications.
        for scope, name, figures in _scopes(doc):
            for figure, est in figures.items():
                if est["n"] > reps:
                    key = FigureKey(scope, name, figure)
                    out.append(
                        Problem(
                            f"expected at most {reps} (the replications), got {est['n']}",
                            file,
                            key=f"{key}.n",
                        )
                    )
    if len(out) > _MAX_PROBLEMS:
        more = len(out) - _MAX_PROBLEMS
        out = [*out[:_MAX_PROBLEMS], Problem(f"... and {more} more problem(s)", file)]
    return out


def _read_limited(path: Path) -> bytes:
    """The file's bytes, refusing early what cannot be a baseline (``/dev/zero``)."""
    with path.open("rb") as fh:
        data = fh.read(MAX_BASELINE_BYTES + 1)
    if len(data) > MAX_BASELINE_BYTES:
        raise SimdeskError(
            Problem(
                f"baseline is larger than {MAX_BASELINE_BYTES:,} bytes (the cap on "
                "baselines); not a simdesk result document",
                str(path),
            )
        )
    return data


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def load_baseline(path: str | Path) -> Baseline:
    """Read and validate a baseline; raise SimdeskError naming the file (exit 2).

    Validation is strict (a schema, baseline_schema.py) because a half-written or
    hand-edited baseline that compared "successfully" would turn the regression test into
    a silent pass. A UTF-8 byte-order mark, which some Windows editors add, is accepted.
    """
    file = str(path)
    try:
        text = _read_limited(Path(path)).decode("utf-8-sig")
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
        doc = json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise SimdeskError(
            Problem(f"baseline is not valid JSON (corrupted?): {exc.msg}", file, exc.lineno)
        ) from None
    except ValueError as exc:
        raise SimdeskError(Problem(f"baseline is not valid JSON: {exc}", file)) from None
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
    """One figure: baseline and new estimate (JSON form), the rule used and the verdict.

    ``p_value`` is Welch's two-sided p for a figure judged by the test, ``p_holm`` the
    same after Holm's correction over every figure the check tested; both are None for a
    figure judged by a tolerance, skipped, missing or new.
    """

    key: FigureKey
    baseline: dict[str, Any] | None
    new: dict[str, Any] | None
    rule: str
    verdict: Verdict
    reason: str = ""
    p_value: float | None = None
    p_holm: float | None = None

    @property
    def failed(self) -> bool:
        return self.verdict in FAILING

    @property
    def tested(self) -> bool:
        """Judged by the two-sample test (not by a tolerance, not skipped)."""
        return self.p_value is not None

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


@dataclass(frozen=True)
class CheckRule:
    """How figures without a tolerance are judged, over the whole check.

    Each figure gets Welch's two-sided p-value (baseline replications against the new
    run's); Holm's correction over every figure tested in the check keeps the chance that
    an unchanged desk fails anywhere at most ``alpha``. ``min_effect`` (relative to the
    baseline's mean) lets a significant but immaterial move pass.
    """

    alpha: float = DEFAULT_ALPHA
    min_effect: float | None = None

    def __str__(self) -> str:
        text = f"Welch t, Holm {self.alpha * 100:g}%"
        if self.min_effect is not None:
            text += f", min effect {self.min_effect * 100:g}%"
        return text

    def immaterial(self, baseline: float, new: float) -> bool:
        """Whether a move is below the minimum effect (never, without one)."""
        if self.min_effect is None:
            return False
        limit = self.min_effect * abs(baseline)
        return abs(new - baseline) <= limit + 1e-12 * max(1.0, abs(baseline))


def _judge(
    baseline: dict[str, Any] | None, new: dict[str, Any] | None, tol: Tolerance | None
) -> tuple[Verdict, str, float | None]:
    """A verdict, or a p-value for the test; the test's verdict waits for Holm."""
    if baseline is None:
        return "new", "not in the baseline", None
    if new is None:
        return "missing", "in the baseline, not in this run", None
    bm, nm = baseline["mean"], new["mean"]
    if bm is None or nm is None:
        where = "in the baseline" if bm is None else "in this run"
        return "skipped", f"undefined {where}", None
    if tol is not None:
        if tol.holds(bm, nm):
            return "ok", "", None
        return "changed", f"moved more than {tol}", None
    bs, ns = baseline.get("sd"), new.get("sd")
    bn, nn = baseline.get("n") or 0, new.get("n") or 0
    if (bm, bs, bn) == (nm, ns, nn):
        # Identical to the baseline: no noise in it to be fooled by, so it is not a test
        # and does not widen Holm's family. This is what keeps a real check sharp: it
        # reruns the baseline's seeds, so every figure a change does not touch, and every
        # scenario that did not change, comes out identical.
        return "ok", "identical", None
    if bs is None or ns is None or bn < 2 or nn < 2:
        return "skipped", "no spread to test (one replication?); set a --tolerance", None
    return "ok", "", welch_p(bm, bs, bn, nm, ns, nn)


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


def raw_verdicts(
    baseline: dict[str, Any],
    new: dict[str, Any],
    tolerances: dict[str, Tolerance],
    only: set[str] | None,
    rule: CheckRule,
) -> list[FigureVerdict]:
    """One pair's verdicts with each tested figure's p-value, before Holm (``decide``)."""
    old = {(scope, name): figs for scope, name, figs in _scopes(baseline)}
    now = {(scope, name): figs for scope, name, figs in _scopes(new)}
    out: list[FigureVerdict] = []
    for where in list(old) + [w for w in now if w not in old]:
        b_figs, n_figs = old.get(where, {}), now.get(where, {})
        for figure in list(b_figs) + [f for f in n_figs if f not in b_figs]:
            key = FigureKey(where[0], where[1], figure)
            if not _selected(key, only):
                continue
            tol = _rule_for(key, tolerances)
            b, n = b_figs.get(figure), n_figs.get(figure)
            verdict, reason, p = _judge(b, n, tol)
            text = str(rule) if tol is None else str(tol)
            out.append(FigureVerdict(key, b, n, text, verdict, reason, p))
    return out


def decide(groups: Sequence[list[FigureVerdict]], rule: CheckRule) -> list[list[FigureVerdict]]:
    """Holm's correction over every tested figure of every group (one group per scenario).

    The family is the whole check, not one scenario: "this check fails by chance at most
    alpha of the time" is what a CI job needs, however many scenarios it holds.
    """
    tested = [(g, i) for g, group in enumerate(groups) for i, f in enumerate(group) if f.tested]
    adjusted = holm_adjusted([groups[g][i].p_value or 0.0 for g, i in tested])
    out = [list(group) for group in groups]
    for (g, i), p_holm in zip(tested, adjusted, strict=True):
        f = out[g][i]
        p = f.p_value or 0.0
        evidence = f"Welch p = {p:.2g}, Holm-adjusted {p_holm:.2g}"
        verdict: Verdict = "ok"
        reason = ""
        if p_holm <= rule.alpha:
            bm, nm = float(f.baseline["mean"]), float(f.new["mean"])  # type: ignore[index]
            if rule.immaterial(bm, nm):
                reason = f"{evidence}: moved, but less than the minimum effect"
            else:
                verdict = "changed"
                reason = f"{evidence} <= {rule.alpha:g}: moved beyond noise"
        out[g][i] = replace(f, verdict=verdict, reason=reason, p_holm=p_holm)
    return out


def compare(
    baseline: dict[str, Any],
    new: dict[str, Any],
    tolerances: dict[str, Tolerance] | None = None,
    only: Iterable[str] | None = None,
    rule: CheckRule | None = None,
) -> list[FigureVerdict]:
    """Verdicts for every figure of totals, pools and types of one pair, Holm-corrected
    over this pair alone (intervals are left out: 24 hours x every figure would add many
    noisy tests and little information).

    Figures are listed in the baseline's order, then any the baseline lacks.
    """
    rule = rule or CheckRule()
    chosen = None if only is None else set(only)
    raw = raw_verdicts(baseline, new, tolerances or {}, chosen, rule)
    return decide([raw], rule)[0]


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
    inputs_changed: list[InputChange] | None = None
    """The scenario's inputs that differ from the baseline's; None when the baseline
    does not record them (written before it did)."""

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
        recorded = old.doc.get("inputs")
        if isinstance(recorded, dict):
            result.inputs_changed = input_changes(recorded, scenario_inputs(scenario))
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
                "one replication: figures have no spread to test, so only figures with a "
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
    rule: CheckRule | None = None,
    on_problems: Callable[[CheckResult], None] | None = None,
) -> list[CheckResult]:
    """Check (or, with ``update``, rewrite) every pair; input problems stay per pair.

    All replications of all pairs go to the runner as one batch, so a parallel runner
    keeps every worker busy across scenarios; a broken pair does not stop the others,
    so one CI run reports everything that needs fixing. ``on_problems`` hears of each broken
    pair before anything runs, so a bad input is reported up front.
    """
    rule = rule or CheckRule()
    tolerances = tolerances or {}
    chosen = None if only is None else set(only)
    prepared = [_prepare(p, update) for p in pairs]
    if on_problems is not None:
        for r in prepared:
            if isinstance(r, CheckResult) and r.problems:
                on_problems(r)
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
            result.figures = raw_verdicts(job.old.doc, doc, tolerances, chosen, rule)
            result.identical = all(
                job.old.doc.get(k) == doc[k] for k in ("totals", "pools", "types", "intervals")
            )
        result.targets = check_targets(None if job.old is None else job.old.doc, doc, targets)
        if update:
            _note_missed_targets(result, targets)
            try:
                Path(job.result.baseline_file).parent.mkdir(parents=True, exist_ok=True)
                write_atomic(job.result.baseline_file, dumps(doc))
                result.updated = True
            except OSError as exc:
                result.problems.append(
                    Problem(f"cannot write baseline: {exc.strerror}", job.result.baseline_file)
                )
    # One family for the whole check: Holm over every tested figure of every pair.
    decided = decide([j.result.figures for j in jobs], rule)
    for job, figures in zip(jobs, decided, strict=True):
        job.result.figures = figures
    return [j.result if isinstance(j, _Job) else j for j in prepared]


def _note_missed_targets(result: CheckResult, mode: TargetMode) -> None:
    """Say which targets a new baseline misses, and how a check can live with that.

    Without this, the first check after ``--update`` fails on a target missed on purpose
    and nothing points at ``--targets baseline``.
    """
    missed = [t.name for t in result.targets if t.met is False]
    if not missed:
        return
    text = f"this baseline misses {len(missed)} target(s): {', '.join(missed)}"
    if mode is TargetMode.strict:
        text += (
            "; a check with --targets strict (the default) fails on them; --targets "
            "baseline judges regressions against the baseline instead (a target fails "
            "only if the baseline met it)"
        )
    result.notes.append(text)


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
        "p_value": None if f.p_value is None else float(f"{f.p_value:.6g}"),
        "p_holm": None if f.p_holm is None else float(f"{f.p_holm:.6g}"),
        "verdict": f.verdict,
        "reason": f.reason,
    }


def figures_tested(results: Sequence[CheckResult]) -> int:
    """How many figures the two-sample test judged: the size of Holm's family."""
    return sum(1 for r in results for f in r.figures if f.tested)


def check_json(results: Sequence[CheckResult], rule: CheckRule | None = None) -> dict[str, Any]:
    """The machine-readable verdicts (``check --json``): deterministic, no timestamps."""
    rule = rule or CheckRule()
    code = exit_code(results)
    return {
        "check_schema_version": CHECK_SCHEMA_VERSION,
        "simdesk_version": __version__,
        "passed": code == 0,
        "exit_code": code,
        "rule": {
            "test": "welch",
            "correction": "holm",
            "alpha": rule.alpha,
            "min_effect": rule.min_effect,
            "figures_tested": figures_tested(results),
        },
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
                "inputs_changed": (
                    None
                    if r.inputs_changed is None
                    else [c.to_json() for c in r.inputs_changed]
                ),
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
