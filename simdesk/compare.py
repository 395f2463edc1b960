"""Paired comparison of scenarios with common random numbers.

Every scenario runs with the same seed and the same number of replications, so
replication i of each sees the same arrivals, patience and handle-time needs wherever the
scenarios agree (the engine draws them from named streams at arrival). The difference of
each figure against the first scenario is then estimated from the per-replication
differences (``confidence.paired_difference``): the shared noise cancels, and the interval
is far narrower than comparing two independent intervals. A difference is "clear" when
its 95% interval excludes zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simdesk import __version__
from simdesk.confidence import Estimate, paired_difference
from simdesk.experiment import Scope, Summary, Task, summarize
from simdesk.parallel import Executor, Outcome, make_runner
from simdesk.report import SCHEMA_VERSION, estimate_json, scope_json, targets_json
from simdesk.scenario import Scenario

__all__ = ["Comparison", "clear", "compare_json", "labels_for", "run_compare"]


@dataclass
class Comparison:
    """Summaries of every scenario, and each later scenario's paired difference from the
    first, figure by figure (totals)."""

    labels: list[str]
    files: list[str]
    seed: int
    replications: int
    summaries: list[Summary]
    differences: list[Scope]
    """``differences[k]`` is scenario k+1 minus scenario 0."""
    detail: list[dict[str, dict[str, Scope]]] = field(default_factory=list)
    """``detail[k][section][name]``: the same per pool and per inquiry type (sections
    ``pools`` and ``types``), for the pools and types both scenarios have."""

    @property
    def baseline(self) -> str:
        return self.labels[0]


def clear(e: Estimate) -> bool:
    """The difference is statistically clear: its 95% interval excludes zero."""
    if e.ci95 is None:
        return False
    lo, hi = e.ci95
    return (lo > 0 or hi < 0) and not (math.isnan(lo) or math.isnan(hi))


def labels_for(scenarios: Sequence[Scenario], files: Sequence[str]) -> list[str]:
    """Scenario names, made unique with the file name where two scenarios share a name
    (several files may keep the default name)."""
    names = [s.name for s in scenarios]
    labels = []
    for i, (name, file) in enumerate(zip(names, files, strict=True)):
        label = name if names.count(name) == 1 else f"{name} ({Path(file).name})"
        if label in labels:
            label = f"{label} #{i + 1}"
        labels.append(label)
    return labels


def _paired(base: list[dict[str, float]], other: list[dict[str, float]]) -> Scope:
    return {
        f: paired_difference([r[f] for r in base], [r[f] for r in other])
        for f in base[0]
        if f in other[0]
    }


def paired_differences(base: Summary, other: Summary) -> Scope:
    """other - base for every totals figure, paired by replication."""
    return _paired([r.totals for r in base.runs], [r.totals for r in other.runs])


def detail_differences(base: Summary, other: Summary) -> dict[str, dict[str, Scope]]:
    """other - base for every figure of each pool and inquiry type both scenarios have."""
    out: dict[str, dict[str, Scope]] = {}
    for section in ("pools", "types"):
        b_names = getattr(base.runs[0], section)
        o_names = getattr(other.runs[0], section)
        out[section] = {
            name: _paired(
                [getattr(r, section)[name] for r in base.runs],
                [getattr(r, section)[name] for r in other.runs],
            )
            for name in b_names
            if name in o_names
        }
    return out


def run_compare(
    scenarios: Sequence[Scenario],
    files: Sequence[str],
    executor: Executor,
    seed: int | None = None,
    replications: int | None = None,
    on_done: Callable[[int, Outcome], None] | None = None,
    labels: Sequence[str] | None = None,
) -> Comparison:
    """Run all scenarios as one flat task list (so they share the workers) with one seed.

    The seed and replications default to the first scenario's. Raises
    ``parallel.TaskFailed`` if any replication fails: a comparison with holes is not paired.
    """
    if len(scenarios) < 2:
        raise ValueError("a comparison needs at least two scenarios")
    first = scenarios[0]
    seed = first.seed if seed is None else seed
    n = first.replications if replications is None else replications
    tasks = [Task(s, seed, i) for s in scenarios for i in range(n)]
    runs = make_runner(executor, on_done)(tasks)
    summaries = [summarize(s, seed, runs[k * n : (k + 1) * n]) for k, s in enumerate(scenarios)]
    diffs = [paired_differences(summaries[0], s) for s in summaries[1:]]
    detail = [detail_differences(summaries[0], s) for s in summaries[1:]]
    return Comparison(
        labels=list(labels) if labels is not None else labels_for(scenarios, files),
        files=list(files),
        seed=seed,
        replications=n,
        summaries=summaries,
        differences=diffs,
        detail=detail,
    )


def compare_json(c: Comparison) -> dict[str, Any]:
    """The same content as the table: per scenario every figure and the targets, and per
    later scenario the paired difference from the first with its interval and mark."""
    scenarios = []
    for label, file, s in zip(c.labels, c.files, c.summaries, strict=True):
        scenarios.append(
            {
                "label": label,
                "scenario": s.scenario.name,
                "file": file,
                "totals": scope_json(s.totals),
                "pools": {name: scope_json(v) for name, v in s.pools.items()},
                "types": {name: scope_json(v) for name, v in s.types.items()},
                "targets": targets_json(s.targets),
            }
        )
    differences = []
    def marked(scope: Scope) -> dict[str, Any]:
        return {f: {**estimate_json(e), "clear": clear(e)} for f, e in scope.items()}

    for k, (label, diff) in enumerate(zip(c.labels[1:], c.differences, strict=True)):
        entry: dict[str, Any] = {"label": label, "versus": c.baseline, "totals": marked(diff)}
        if k < len(c.detail):
            for section, scopes in c.detail[k].items():
                entry[section] = {name: marked(scope) for name, scope in scopes.items()}
        differences.append(entry)
    return {
        "schema_version": SCHEMA_VERSION,
        "simdesk_version": __version__,
        "kind": "compare",
        "seed": c.seed,
        "replications": c.replications,
        "baseline": c.baseline,
        "scenarios": scenarios,
        "differences": differences,
    }
