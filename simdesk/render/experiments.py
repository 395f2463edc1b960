"""Rich tables for analysts' experiments: a paired comparison and a sweep grid.

Like the rest of ``render``, these only lay out figures that were already computed, so
the tables show exactly what ``--json`` / ``--csv`` write.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.console import RenderableType

from simdesk.compare import Comparison, clear
from simdesk.confidence import Estimate
from simdesk.experiment import Scope
from simdesk.render import target_cell
from simdesk.render.formats import LEGEND, SHORT, fmt_difference, fmt_estimate
from simdesk.render.layout import Column, fit_tables, legend_text
from simdesk.render.text import plain, visible
from simdesk.sweep import PointResult, SweepPlan, figure_name, value_text
from simdesk.targets import TargetVerdict

__all__ = ["SWEEP_TABLE_FIGURES", "compare_tables", "sweep_tables"]

RARELY_USED = ("overflowed", "contained", "escalated")
SWEEP_TABLE_FIGURES = [
    "abandonment_rate",
    "asa_s",
    "wait_p90_s",
    "service_level",
    "people_service_level",
    "occupancy",
    "csat_mean",
    "cost_total",
]
BOT_ONLY_ADDS = ("people_service_level",)
"""Shown only when some contacts never reach people (a bot first): otherwise the people's
figure is the desk-wide one."""
MARK = "*"
DETAIL_FIGURES = {
    "pools": ["offered", "handled", "abandoned", "abandonment_rate", "asa_s", "wait_p90_s",
              "service_level", "occupancy", "cost_total", "cost_per_contact"],
    "types": ["offered", "abandonment_rate", "contained", "wait_mean_s", "wait_p90_s",
              "service_level", "csat_mean", "cost_per_contact"],
}
"""Figures of each pool and type in ``compare --detail`` (the JSON and CSV have all)."""
SECTION_TITLE = {"pools": "pool", "types": "inquiry type"}


def fmt_diff(figure: str, e: Estimate) -> str:
    """``+12.3s ± 1.2s *``: the paired difference, its half-width and the clear mark."""
    return fmt_difference(figure, e, MARK if clear(e) else "")


def _verdict(v: TargetVerdict | None) -> str:
    if v is None:
        return ""
    return target_cell(v)


def _side_by_side(
    title: str,
    c: Comparison,
    scopes: Sequence[Scope | None],
    diffs: Sequence[Scope | None],
    figures: Sequence[str],
    width: int | None,
    caption: str | None,
    targets: bool = False,
) -> list[RenderableType]:
    """Figure rows; a column per scenario (mean ± 95% CI), then one per later scenario's
    paired difference from the first; then, optionally, a section of target verdicts."""
    rows: list[str] = []
    for f in figures:
        ests = [s[f] for s in scopes if s is not None and f in s]
        if not ests:
            continue
        if f in RARELY_USED and not any(e.mean for e in ests if not math.isnan(e.mean)):
            continue
        rows.append(f)
    labels = [plain(f) for f in rows]
    cols = [
        Column(visible(label), [fmt_estimate(f, s[f]) if s and f in s else "-" for f in rows])
        for label, s in zip(c.labels, scopes, strict=True)
    ]
    cols += [
        Column(
            visible(f"{label} - {c.baseline}"),
            [fmt_diff(f, d[f]) if d and f in d else "" for f in rows],
        )
        for label, d in zip(c.labels[1:], diffs, strict=True)
    ]
    sections: list[int] = []
    if targets:
        names: list[str] = []
        for s in c.summaries:
            names.extend(v.name for v in s.targets if v.name not in names)
        if names:
            sections.append(len(labels))
        for name in names:
            labels.append(f"target: {plain(name)}")
            for k, s in enumerate(c.summaries):
                found = next((v for v in s.targets if v.name == name), None)
                cols[k].cells.append(_verdict(found))
            for col in cols[len(c.summaries):]:
                col.cells.append("")
    return fit_tables(
        title, [Column("figure", labels, "left")], cols, width, caption=caption,
        sections=sections,
    )


def compare_tables(c: Comparison, width: int | None, detail: bool = False) -> list[RenderableType]:
    """Scenarios side by side (mean ± 95% CI), then each one's paired difference from the
    first with a mark where it is clear, then targets met or missed per scenario; with
    ``detail``, the same for every pool and inquiry type."""
    title = (
        f"Comparison: {len(c.labels)} scenarios, {c.replications} replication(s) each, "
        f"seed {c.seed} (common random numbers)"
    )
    caption = (
        f"{MARK} the 95% interval of the paired difference excludes 0 (statistically clear); "
        "differences of rates are in percentage points"
    )
    base = c.summaries[0].totals
    tables = _side_by_side(
        title, c, [s.totals for s in c.summaries], c.differences, list(base), width, caption,
        targets=True,
    )
    if not detail:
        return tables
    for section, figures in DETAIL_FIGURES.items():
        names: list[str] = []
        for s in c.summaries:
            names.extend(n for n in getattr(s, section) if n not in names)
        for name in names:
            scopes = [getattr(s, section).get(name) for s in c.summaries]
            diffs = [d.get(section, {}).get(name) for d in c.detail]
            tables += _side_by_side(
                f"{SECTION_TITLE[section].capitalize()} {visible(name)}", c, scopes, diffs,
                figures, width, None,
            )
    return tables


def _targets_cell(targets: Sequence[TargetVerdict]) -> str:
    """``all met``, or the short names of missed targets, plus those not applicable in
    this run (``n/a aband.`` on an overloaded desk whose customers never abandon)."""

    def short(status: str) -> str:
        return ", ".join(
            plain(SHORT.get(v.figure, v.name)) for v in targets if v.status == status
        )

    missed, na = short("missed"), short("n/a")
    if not missed and not na:
        return "[green]all met[/]"
    parts = ([f"missed {missed}"] if missed else ["met"]) + ([f"n/a {na}"] if na else [])
    style = "red" if missed else "yellow"
    return f"[{style}]{'; '.join(parts)}[/]"


def _stacked(figure: str, e: Estimate) -> str:
    """Mean over its interval, so a wide grid stays readable in 80 columns."""
    return fmt_estimate(figure, e, sep="\n")


def sweep_figure_label(key: str) -> str:
    """Column header of a sweep figure: the short name of a desk-wide one, else the key."""
    return SHORT.get(key, key) if "." not in key else key


def sweep_tables(
    plan: SweepPlan,
    results: Sequence[PointResult],
    width: int | None,
    figures: Sequence[str] | None = None,
) -> list[RenderableType]:
    """One row per finished point: its parameters, the figures (mean ± 95% CI; by default
    the main desk-wide ones, else the ``--figure`` keys) and the targets it misses; a failed
    point shows its error instead."""
    done = len(results)
    total = len(plan.points)
    title = (
        f"Sweep of {plan.base.name}: {done} of {total} point(s), "
        f"{plan.replications} replication(s) each, seed {plan.seed} (common random numbers); "
        "mean ± 95% CI"
    )
    summaries = [r.summary for r in results if r.summary is not None]
    if figures is None:
        has_bot = any(p.is_bot for p in plan.base.pools)
        keys = [
            f
            for f in SWEEP_TABLE_FIGURES
            if (f != "cost_total" or any(s.totals[f].mean for s in summaries))
            and (f not in BOT_ONLY_ADDS or has_bot)
        ]
    else:
        keys = list(figures)
    params = [
        Column(visible(p.key), [plain(value_text(dict(r.point.values)[p.key])) for r in results])
        for p in plan.parameters
    ]
    cols: list[Column] = []
    for k in keys:
        cells = []
        for r in results:
            if r.summary is None:
                cells.append("")
                continue
            e = r.summary.estimate(k)
            cells.append("-" if e is None else _stacked(figure_name(k), e))
        cols.append(Column(visible(sweep_figure_label(k)), cells))
    if results and any(r.summary is None for r in results) and cols:
        for i, r in enumerate(results):
            if r.summary is None:
                cols[0].cells[i] = "[red]failed[/]"
    has_targets = any(s.targets for s in summaries)
    failures = len(summaries) < len(results)
    if has_targets or failures:
        cells = []
        for r in results:
            if r.summary is None:
                cells.append(f"[red]{plain(r.error, newlines=True)}[/]")
            else:
                cells.append(_targets_cell(r.summary.targets) if r.summary.targets else "")
        cols.append(Column("targets" if not failures else "targets / error", cells, "left"))
    legend = dict(LEGEND)
    caption = legend_text([c.header for c in cols], legend)
    return fit_tables(title, params, cols, width, caption=caption)
