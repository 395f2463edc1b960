"""Rich tables for analysts' experiments: a paired comparison and a sweep grid.

Like the rest of ``render``, these only lay out figures that were already computed, so
the tables show exactly what ``--json`` / ``--csv`` write.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from simdesk.compare import Comparison, clear
from simdesk.confidence import Estimate
from simdesk.render import SHORT, fmt_estimate, fmt_value, target_cell
from simdesk.render.text import plain, visible
from simdesk.sweep import PointResult, SweepPlan, value_text
from simdesk.targets import TargetVerdict

__all__ = ["SWEEP_TABLE_FIGURES", "compare_table", "sweep_table"]

RARELY_USED = ("overflowed", "contained", "escalated")
SWEEP_TABLE_FIGURES = [
    "abandonment_rate",
    "asa_s",
    "wait_p90_s",
    "service_level",
    "occupancy",
    "csat_mean",
    "cost_total",
]
MARK = "*"


def _signed(figure: str, x: float) -> str:
    if math.isnan(x):
        return "-"
    text = fmt_value(figure, abs(x))
    if not any(ch in "123456789" for ch in text):
        return text  # rounds to zero: a sign would suggest a direction that is not shown
    return ("-" if x < 0 else "+") + text


def fmt_difference(figure: str, e: Estimate) -> str:
    """``+12.3s ± 1.2s *``: the paired difference, its half-width and the clear mark."""
    text = _signed(figure, e.mean)
    if e.ci95 is not None and not math.isnan(e.half_width) and text != "-":
        text += f" ± {fmt_value(figure, e.half_width)}"
    if clear(e):
        text += f" {MARK}"
    return text


def _verdict(v: TargetVerdict | None) -> str:
    if v is None:
        return ""
    return target_cell(v)


def compare_table(c: Comparison) -> Table:
    """Scenarios side by side (mean ± 95% CI), then each one's paired difference from the
    first with a mark where it is clear, then targets met or missed per scenario."""
    title = (
        f"Comparison: {len(c.labels)} scenarios, {c.replications} replication(s) each, "
        f"seed {c.seed} (common random numbers)"
    )
    caption = (
        f"{MARK} the 95% interval of the paired difference excludes 0 (statistically clear); "
        "differences of rates are in percentage points"
    )
    t = Table(title=title, title_justify="left", caption=caption, caption_justify="left")
    t.add_column("figure")
    for label in c.labels:
        t.add_column(Text(visible(label)), justify="right")
    for label in c.labels[1:]:
        t.add_column(Text(visible(f"{label} - {c.baseline}")), justify="right")
    base = c.summaries[0].totals
    for figure in base:
        ests = [s.totals[figure] for s in c.summaries]
        if figure in RARELY_USED and not any(e.mean for e in ests if not math.isnan(e.mean)):
            continue
        row = [figure, *(fmt_estimate(figure, e) for e in ests)]
        for diff in c.differences:
            e = diff.get(figure)
            row.append("" if e is None else fmt_difference(figure, e))
        t.add_row(*(Text(cell) for cell in row))
    names: list[str] = []
    for s in c.summaries:
        names.extend(v.name for v in s.targets if v.name not in names)
    if names:
        t.add_section()
        for name in names:
            cells = []
            for s in c.summaries:
                found = next((v for v in s.targets if v.name == name), None)
                cells.append(_verdict(found))
            t.add_row(f"target: {plain(name)}", *cells, *([""] * len(c.differences)))
    return t


def _targets_cell(targets: Sequence[TargetVerdict]) -> Text:
    """``all met``, or the short names of missed targets, plus those not applicable in
    this run (``n/a aband.`` on an overloaded desk whose customers never abandon)."""

    def short(status: str) -> str:
        return ", ".join(SHORT.get(v.figure, v.name) for v in targets if v.status == status)

    missed, na = short("missed"), short("n/a")
    if not missed and not na:
        return Text("all met", style="green")
    parts = ([f"missed {missed}"] if missed else ["met"]) + ([f"n/a {na}"] if na else [])
    return Text("; ".join(parts), style="red" if missed else "yellow")


def _stacked(figure: str, e: Estimate) -> str:
    """Mean over its "± half-width", so a wide grid stays readable in 80 columns."""
    text = fmt_value(figure, e.mean)
    if e.ci95 is not None and text != "-" and not math.isnan(e.half_width):
        text += f"\n± {fmt_value(figure, e.half_width)}"
    return text


def sweep_table(plan: SweepPlan, results: Sequence[PointResult]) -> Table:
    """One row per finished point: its parameters, the main figures (mean ± 95% CI) and
    the targets it misses; a failed point shows its error instead."""
    done = len(results)
    total = len(plan.points)
    title = (
        f"Sweep of {plan.base.name}: {done} of {total} point(s), "
        f"{plan.replications} replication(s) each, seed {plan.seed} (common random numbers); "
        "mean ± 95% CI"
    )
    summaries = [r.summary for r in results if r.summary is not None]
    figures = [
        f
        for f in SWEEP_TABLE_FIGURES
        if f != "cost_total" or any(s.totals[f].mean for s in summaries)
    ]
    t = Table(title=Text(visible(title)), title_justify="left")
    for p in plan.parameters:
        t.add_column(Text(visible(p.key)), justify="right", overflow="fold", min_width=6)
    for f in figures:
        t.add_column(SHORT.get(f, f), justify="right")
    has_targets = any(s.targets for s in summaries)
    failures = len(summaries) < len(results)
    if has_targets or failures:
        t.add_column("targets" if not failures else "targets / error", min_width=8)
    for res in results:
        params = [Text(visible(value_text(v))) for _, v in res.point.values]
        if res.summary is None:
            cells: list[Text] = [Text("failed", style="red")]
            cells += [Text("") for _ in figures[1:]]
            cells.append(Text(visible(res.error, newlines=True), style="red"))
            t.add_row(*params, *cells)
            continue
        s = res.summary
        row = [Text(_stacked(f, s.totals[f])) for f in figures]
        if has_targets or failures:
            if not s.targets:
                row.append(Text(""))
            else:
                row.append(_targets_cell(s.targets))
        t.add_row(*params, *row)
    return t
