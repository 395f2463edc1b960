"""Rich tables for ``simdesk staff`` and ``simdesk roster``: required against scheduled per
interval, the day's targets, and a status line while it runs.

Names from the scenario (pools, targets) go through ``render.text.plain`` (cells) or are
column headers (shown as written), so a ``[`` in a name is shown, never read as markup.
The tables fit the width they are given without cutting a number or a name
(render/layout.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType

from simdesk.confidence import Estimate
from simdesk.intraday import DayGrid, StaffingResult, TrialStatus
from simdesk.render import fmt_estimate, fmt_value
from simdesk.render.layout import Column, fit_tables
from simdesk.render.progress import StatusLine
from simdesk.render.text import plain, visible

__all__ = ["StaffingProgress", "day_tables", "intervals_tables", "result_line"]



def _estimate_text(figure: str, e: Estimate | None) -> str:
    return "-" if e is None else fmt_estimate(figure, e)


def _verdict(met: bool, judged: bool = True) -> str:
    if not judged:
        return "[dim]n/a[/]"
    return "[green]met[/]" if met else "[red]missed[/]"


def intervals_tables(
    result: StaffingResult,
    grid: DayGrid,
    pool: str,
    isa_staff: Sequence[int] | None,
    width: int | None = None,
) -> list[RenderableType]:
    """Per interval: the pool's measured load, the requirement (ISA's and as raised), the
    staff scheduled, and each target's one-sided bound on the contacts of that interval;
    split to fit ``width`` (None: as wide as needed), every cell whole."""
    t = result.final
    title = (
        f"Pool {visible(pool)}: staff per {fmt_interval(grid.interval)} interval "
        f"(days: {grid.days_text}); each target's one-sided 95% bound on the contacts "
        "arriving in the interval"
    )
    every = range(grid.count)
    key = Column("interval", [grid.label(i) for i in every], "left")
    cols = [Column("load", [f"{t.load[i]:.2f}" for i in every])]
    if isa_staff is not None:
        cols.append(Column("ISA", [str(isa_staff[i]) for i in every]))
    required = []
    scheduled = []
    for i in every:
        req, sched = t.requirement[i], t.plan.scheduled[i]
        required.append(f"[bold]{req}[/]" if req != result.start[i] else str(req))
        scheduled.append(f"[red]{sched}[/]" if sched < req else str(sched))
    cols += [Column("required", required), Column("scheduled", scheduled)]
    for k, j in enumerate(t.intervals[0] if t.intervals else []):
        cells = []
        for i in every:
            ji = t.intervals[i][k]
            text = fmt_value(ji.figure, ji.bound) if t.judged[i] else "-"
            cells.append(text if ji.met or not t.judged[i] else f"[red]{text}[/]")
        cols.append(Column(j.name, cells))
    cols.append(Column("", [_verdict(t.interval_met(i), t.judged[i]) for i in every], "left"))
    caption = (
        "load: mean busy servers of the pool (chat slots or agents); required in bold: "
        "raised after simulation; n/a: fewer than 2 replications had contacts in the "
        "interval"
    )
    return fit_tables(title, [key], cols, width, caption=caption)


def fmt_interval(seconds: float) -> str:
    return f"{seconds / 60:g}-minute"


def day_tables(result: StaffingResult, pool: str, width: int | None = None) -> list[RenderableType]:
    """The whole run's targets (budget included), then what the staffing costs: two
    tables, so a long label of the second does not push the first's verdicts away."""
    t = result.final
    totals = t.summary.totals
    judged = t.totals
    out: list[RenderableType] = []
    if judged:
        out += fit_tables(
            "The whole run (met when the one-sided 95% bound meets the goal)",
            [Column("target", [plain(j.name) for j in judged], "left")],
            [
                Column("goal", [plain(j.goal) for j in judged], "left"),
                Column("mean ± 95% CI",
                       [_estimate_text(j.figure, t.summary.estimate(j.figure)) for j in judged]),
                Column("bound", [fmt_value(j.figure, j.bound) for j in judged]),
                Column("", [_verdict(j.met) for j in judged], "left"),
            ],
            width,
        )
    rows = [
        ("cost_total", fmt_estimate("cost_total", totals["cost_total"])),
        (f"occupancy of {plain(pool)}",
         fmt_estimate("occupancy", t.summary.pools[pool]["occupancy"])),
    ]
    if t.plan.cost_per_day is not None:
        rows.append(("roster: paid hours x cost per hour, per day",
                     fmt_value("cost_total", t.plan.cost_per_day)))
    rows.append(("shifts written", str(len(t.plan.shifts))))
    out += fit_tables(
        "The whole run: cost and staffing",
        [Column("", [label for label, _ in rows], "left")],
        [Column("mean ± 95% CI", [value for _, value in rows])],
        width,
    )
    return out


def result_line(
    result: StaffingResult, runs: int, isa_iterations: int | None, grid: DayGrid
) -> str:
    """One markup line: met, or what still misses."""
    how = f"{runs:,} simulation runs"
    if isa_iterations is not None:
        how += f": {isa_iterations} ISA iteration(s), then {result.rounds} round(s) on the targets"
    else:
        how += f", {result.rounds} round(s) on the targets"
    t = result.final
    if result.status == "met":
        return f"[green]met:[/] every interval and the whole run meet the targets ({how})"
    if result.status == "over budget":
        return (
            "[bold red]over budget:[/] every interval meets its targets, but the run costs "
            f"more than the budget ({how})"
        )
    missed = ", ".join(grid.label(i) for i in t.missed_intervals)
    day = ", ".join(plain(j.name) for j in t.totals_missed)
    parts = []
    if missed:
        parts.append(f"intervals still missing a target: {missed}")
    if day:
        parts.append(f"the whole run misses: {day}")
    return f"[bold red]not met[/] after {how}; " + "; ".join(parts)


class StaffingProgress(StatusLine):
    """Staffing's status line: the phase, the round, the runs so far and how many
    intervals still miss."""

    def __init__(self, command: str, enabled: bool | None = None) -> None:
        super().__init__(f"{command}: starting", enabled)
        self.command = command

    def _text(self) -> str:
        return f"{self._label} ({self._runs} runs)"

    def trial_done(self, s: TrialStatus) -> None:
        phase = "ISA iteration" if s.phase == "isa" else "targets round"
        self._label = (
            f"{self.command}: {phase}, trial {s.round}, {s.missed} interval(s) missing"
        )
        self._runs = s.runs
        self._draw(force=True)
