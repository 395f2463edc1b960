"""Rich tables for ``simdesk optimize``: the answer against its targets, the frontier the
search explored, and a progress line while it runs.

Names from the scenario (pools, keys) go into ``Text`` cells or through
``rich.markup.escape``, so a ``[`` in a name is shown, never read as markup.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.console import RenderableType
from rich.markup import escape
from rich.text import Text

from simdesk.optimize import Dimension, Evaluation, Judged, OptimizeResult, SearchStatus
from simdesk.render.formats import SHORT, fmt_estimate, fmt_value
from simdesk.render.layout import Column, fit_tables
from simdesk.render.progress import StatusLine

__all__ = [
    "SearchProgress",
    "answer_figures",
    "answer_heading",
    "answer_tables",
    "frontier_tables",
    "result_line",
    "runs_text",
    "targets_tables",
]

ANSWER_FIGURES = (
    "service_level",
    "abandonment_rate",
    "asa_s",
    "wait_p90_s",
    "occupancy",
    "csat_mean",
    "cost_total",
    "cost_per_contact",
)
MAX_FRONTIER_ROWS = 25
"""Frontier rows in the terminal; the JSON and CSV have every simulated point."""


def answer_figures(ev: Evaluation, minimize: str) -> list[str]:
    """The figures shown for a point: the main ones (costs only when the desk has any)
    and the one minimised."""
    totals = ev.summary.totals
    figures = [f for f in ANSWER_FIGURES
               if not (f.startswith("cost") and not totals[f].mean and f != minimize)]
    if minimize not in figures:
        figures.append(minimize)
    return figures


def _judged_cells(j: Judged) -> list[Text]:
    verdict = Text("met", style="green") if j.met else Text("missed", style="red")
    if j.ceiling:
        verdict += Text(" (on the answer)")
    return [
        Text(j.name),
        Text(j.goal),
        Text(fmt_value(j.figure, j.mean)),
        Text(fmt_value(j.figure, j.bound)),
        verdict,
    ]


def answer_heading(result: OptimizeResult, minimize: str, interrupted: bool = False) -> str:
    """What the shown point is: the answer, the best so far, or the closest."""
    if interrupted:
        return f"Interrupted: the cheapest point meeting the targets so far (lowest {minimize})"
    if result.status == "optimal":
        return f"Cheapest point meeting the targets (lowest {minimize})"
    return "No point of the range meets the targets; the closest"


def runs_text(result: OptimizeResult, seed: int, replications: int) -> str:
    """The simulation runs the search used, against those of the whole grid."""
    grid_runs = result.grid_points * replications
    share = result.runs / grid_runs if grid_runs else math.nan
    return (
        f"{result.runs:,} simulation runs ({len(result.evaluations):,} points x "
        f"{replications} replications, seed {seed}): {share:.1%} of the {grid_runs:,} runs "
        f"of the whole {result.grid_points:,}-point grid"
    )


def answer_tables(
    result: OptimizeResult,
    dims: Sequence[Dimension],
    minimize: str,
    seed: int,
    replications: int,
    interrupted: bool = False,
    width: int | None = None,
) -> list[RenderableType]:
    """The answer (or, when nothing meets the targets, the closest point): the values of
    the varied keys and its main figures with their 95% intervals."""
    shown = result.answer or result.closest
    title = (
        f"{answer_heading(result, minimize, interrupted)}. "
        f"{runs_text(result, seed, replications)}"
    )
    labels: list[str] = []
    values: list[str] = []
    sections: list[int] = []
    if shown is None:
        labels.append("nothing was simulated")
        values.append("")
    else:
        for d, label in zip(dims, shown.labels, strict=True):
            labels.append(f"[bold]{escape(d.key)}[/]")
            values.append(f"[bold]{escape(label)}[/]")
        sections.append(len(labels))
        totals = shown.summary.totals
        for f in answer_figures(shown, minimize):
            labels.append(escape(f))
            values.append(fmt_estimate(f, totals[f]))
    return fit_tables(
        title, [Column("", labels, "left")], [Column("mean ± 95% CI", values)], width,
        sections=sections,
    )


def targets_tables(result: OptimizeResult, width: int | None = None) -> list[RenderableType]:
    """Every target of the shown point, judged on its one-sided 95% bound."""
    shown = result.answer or result.closest
    if shown is None or not shown.judged:
        return []
    rows = [[c.markup for c in _judged_cells(j)] for j in shown.judged]
    heads = ["target", "goal", "mean", "bound", ""]
    cols = [Column(h, [r[i] for r in rows], "left" if i in (1, 4) else "right")
            for i, h in enumerate(heads)]
    return fit_tables(
        "Targets (met when the one-sided 95% bound meets the goal)", [
            Column("target", cols[0].cells, "left")], cols[1:], width,
    )


def _neighbour_text(result: OptimizeResult, dims: Sequence[Dimension]) -> str:
    if not result.neighbours:
        return "every varied value is at the bottom of its range: there is no step less to try"
    parts = []
    for n in result.neighbours:
        changed = [
            f"{escape(d.key)}={lab}"
            for d, lab, ref in zip(dims, n.labels, (result.answer or n).labels, strict=True)
            if lab != ref
        ]
        b = n.binding
        why = f"misses {escape(b.name)}" if b is not None and not b.met else "meets the targets"
        parts.append(f"{', '.join(changed)} {why}")
    return "one step less: " + "; ".join(parts)


def result_line(result: OptimizeResult, dims: Sequence[Dimension]) -> str:
    """One markup line under the table: the verification, or why nothing meets the targets."""
    if result.status == "optimal":
        return f"[green]verified:[/] {_neighbour_text(result, dims)}"
    b = result.binding
    what = "no target" if b is None else f"{escape(b.name)} ({escape(b.goal)})"
    where = result.closest
    at = (
        ""
        if where is None
        else " at "
        + ", ".join(f"{escape(d.key)}={lab}" for d, lab in zip(dims, where.labels, strict=True))
    )
    return f"[bold red]infeasible:[/] the binding target is {what}{at}"


def frontier_tables(
    result: OptimizeResult, dims: Sequence[Dimension], minimize: str, width: int | None = None
) -> list[RenderableType]:
    """The cheapest feasible mixes the search found (one per trade-off between the varied
    keys), by cost, with the target that binds each."""
    rows = result.frontier
    title = (
        f"Frontier explored: {len(rows)} feasible mix(es) with no cheaper simulated mix "
        f"below them, by {minimize}; the binding target is the one closest to failing"
    )
    answer = result.answer
    shown = rows[:MAX_FRONTIER_ROWS]

    def styled(ev: Evaluation, text: str) -> str:
        bold = answer is not None and ev.index == answer.index
        return f"[bold green]{escape(text)}[/]" if bold else escape(text)

    keys = [
        Column(d.key, [styled(ev, ev.labels[i]) for ev in shown])
        for i, d in enumerate(dims)
    ]
    cols = [
        Column(SHORT.get(minimize, minimize),
               [styled(ev, fmt_value(minimize, ev.objective)) for ev in shown]),
        Column("binding target",
               [escape("" if ev.binding is None else ev.binding.name) for ev in shown], "left"),
        Column("bound", ["" if ev.binding is None else fmt_value(ev.binding.figure,
                                                                   ev.binding.bound)
                         for ev in shown]),
        Column("goal", [escape("" if ev.binding is None else ev.binding.goal) for ev in shown],
               "left"),
    ]
    caption = None
    if len(rows) > MAX_FRONTIER_ROWS:
        caption = f"... and {len(rows) - MAX_FRONTIER_ROWS} more in --json / --csv"
    return fit_tables(title, keys, cols, width, caption=caption)


def _status_text(s: SearchStatus, minimize: str) -> str:
    best = "none yet" if s.best is None else fmt_value(minimize, s.best.objective)
    return f"optimize: {s.points} points, {s.runs} runs, best {minimize} {best}"


class SearchProgress(StatusLine):
    """The search's status line: it does not know in advance how many points it will
    simulate, so it shows counts and the best point so far rather than a bar."""

    def __init__(self, minimize: str, enabled: bool | None = None) -> None:
        super().__init__("optimize: starting", enabled)
        self.minimize = minimize

    def point_done(self, status: SearchStatus) -> None:
        self._label = _status_text(status, self.minimize)
        self._draw(force=True)


def evaluation_label(dims: Sequence[Dimension], ev: Evaluation) -> str:
    return ", ".join(f"{d.key}={lab}" for d, lab in zip(dims, ev.labels, strict=True))
