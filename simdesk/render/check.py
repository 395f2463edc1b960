"""Rich tables for ``simdesk check``: figure, baseline, new value, verdict.

Totals are always shown in full, because that is what a reader looks at first; pool and
type figures are many and usually quiet, so only those that did not hold get a row (the
--json document lists every one).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from rich.console import Console, RenderableType

from simdesk.check import CheckResult, CheckRule, FigureVerdict, TargetCheck, figures_tested
from simdesk.confidence import Estimate
from simdesk.render.formats import fmt_estimate, fmt_value
from simdesk.render.layout import Column, fit_tables, print_tables, table_width
from simdesk.render.text import plain as escape

__all__ = ["check_tables", "render_checks"]

_STATUS = {
    "passed": "[green]passed[/]",
    "failed": "[bold red]FAILED[/]",
    "updated": "[cyan]baseline updated[/]",
    "error": "[bold red]bad input[/]",
}


def _cell(metric: str, value: dict[str, Any] | None, n: int) -> str:
    if value is None:
        return "-"
    mean = value.get("mean")
    ci = value.get("ci95")
    est = Estimate(
        mean=math.nan if mean is None else float(mean),
        ci95=None if ci is None else (float(ci[0]), float(ci[1])),
        n=n,
    )
    return fmt_estimate(metric, est)


def _verdict(f: FigureVerdict) -> str:
    # The test's rule is said once, in the summary line; a tolerance is said per figure.
    rule = "" if f.tested else f" ({escape(f.rule)})"
    if f.verdict == "ok":
        return f"[green]ok[/]{rule}"
    if f.verdict == "changed":
        delta = f.delta or 0.0
        arrow = "up" if delta > 0 else "down"
        p = "" if f.p_holm is None else f" (p={f.p_holm:.1g})"
        return f"[bold red]changed {arrow}[/]{rule}{p}"
    if f.verdict == "missing":
        return "[red]missing[/] (not in this run)"
    if f.verdict == "new":
        return "[yellow]new[/] (not in baseline)"
    return f"[dim]skipped: {escape(f.reason)}[/]"


def _target_value(t: TargetCheck, value: float | None, met: bool | None) -> str:
    if value is None and met is None:
        return "-"
    text = fmt_value(t.figure, value)
    return text if met is None else f"{text} ({'met' if met else 'missed'})"


def _target_verdict(t: TargetCheck) -> str:
    if t.met is None:
        return "[yellow]n/a[/] (meaningless in this run)"
    if t.met:
        return "[green]met[/]"
    if t.failed:
        return "[bold red]missed[/]"
    if t.baseline_met is False:
        return "[yellow]missed, as in baseline[/]"
    return "[yellow]missed (not enforced)[/]"


def check_tables(r: CheckResult, width: int | None) -> list[RenderableType]:
    """One pair's table (split to fit ``width``); the caption counts what was compared
    but not shown."""
    n = r.replications or 0
    title = f"{_STATUS[r.status]}: {escape(r.scenario_file)} vs {escape(r.baseline_file)}"
    labels: list[str] = []
    base: list[str] = []
    new: list[str] = []
    verdicts: list[str] = []
    hidden = 0
    for f in r.figures:
        if f.key.scope != "totals" and f.verdict in ("ok", "skipped"):
            hidden += 1
            continue
        label = f.key.figure if f.key.scope == "totals" else str(f.key)
        labels.append(escape(label))
        base.append(_cell(f.key.figure, f.baseline, n))
        new.append(_cell(f.key.figure, f.new, n))
        verdicts.append(_verdict(f))
    for tg in r.targets:
        labels.append(escape(f"target: {tg.name} {tg.goal}"))
        base.append(_target_value(tg, tg.baseline_value, tg.baseline_met))
        new.append(_target_value(tg, tg.value, tg.met))
        verdicts.append(_target_verdict(tg))
    caption = (
        f"scenario '{escape(r.scenario or '')}', seed {r.seed}, {r.replications} replication(s)"
    )
    if hidden:
        caption += f"; {hidden} pool and type figures held or were skipped (see --json)"
    return fit_tables(
        title,
        [Column("figure", labels, "left")],
        [
            Column("baseline (mean ± 95% CI)", base),
            Column("new (mean ± 95% CI)", new),
            Column("verdict", verdicts, "left"),
        ],
        width,
        caption=caption,
        title_is_markup=True,
    )


# Enough to explain a move; a rewritten scenario is better read in the --json document.
_MAX_INPUT_LINES = 20


def _print_inputs(r: CheckResult, console: Console) -> None:
    """Which inputs changed beside which figures moved; "unchanged" matters only when
    something failed (then the move came from simdesk, not the scenario)."""
    changes = r.inputs_changed
    if changes is None:
        return
    if not changes:
        if r.status == "failed":
            console.print("inputs unchanged since the baseline", highlight=False)
        return
    console.print(f"[yellow]inputs changed since the baseline ({len(changes)}):[/]")
    for c in changes[:_MAX_INPUT_LINES]:
        console.print(f"  {escape(str(c))}", highlight=False)
    if len(changes) > _MAX_INPUT_LINES:
        console.print(
            f"  ... and {len(changes) - _MAX_INPUT_LINES} more (see --json)", highlight=False
        )


def render_checks(
    results: Sequence[CheckResult], console: Console, rule: CheckRule | None = None
) -> None:
    """Every pair's table and notes, then one line a CI log can be grepped for."""
    for r in results:
        if r.status == "error":
            continue
        if r.figures or r.targets:
            print_tables(console, check_tables(r, table_width(console)))
        if r.identical:
            console.print("[green]identical[/] to the baseline (same seed, same figures)")
        _print_inputs(r, console)
        for note in r.notes:
            console.print(f"[yellow]note:[/] {escape(note)}", highlight=False)
        if r.status == "failed":
            moved = ", ".join(str(f.key) for f in r.changed)
            if moved:
                console.print(f"[bold red]moved beyond noise:[/] {escape(moved)}", highlight=False)
            missed = ", ".join(t.name for t in r.missed)
            if missed:
                console.print(f"[bold red]missed targets:[/] {escape(missed)}", highlight=False)
        if r.updated:
            moved = ", ".join(str(f.key) for f in r.changed)
            if moved:
                console.print(
                    f"[yellow]changed since the previous baseline:[/] {escape(moved)}",
                    highlight=False,
                )
            console.print(
                f"wrote {escape(r.baseline_file)} (seed {r.seed}, {r.replications} replication(s))",
                highlight=False,
            )
        console.print()
    counts = {s: sum(1 for r in results if r.status == s) for s in _STATUS}
    parts = [f"{counts[s]} {s}" for s in ("passed", "failed", "updated", "error") if counts[s]]
    line = f"check: {len(results)} scenario(s): {', '.join(parts)}"
    tested = figures_tested(results)
    if tested:
        line += f"; {tested} figure(s) tested together ({rule or CheckRule()})"
    console.print(line, highlight=False)
