"""Rich tables for ``simdesk staff`` and ``simdesk roster``: required against scheduled per
interval, the day's targets, and a status line while it runs.

Names from the scenario (pools, targets) go into ``Text`` cells or through
``render.text.plain``, so a ``[`` in a name is shown, never read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from simdesk.confidence import Estimate
from simdesk.intraday import DayGrid, StaffingResult, TrialStatus
from simdesk.render import fmt_estimate, fmt_value
from simdesk.render.progress import StatusLine
from simdesk.render.text import plain, visible

__all__ = ["StaffingProgress", "day_table", "intervals_table", "result_line"]



def _estimate_text(figure: str, e: Estimate | None) -> str:
    return "-" if e is None else fmt_estimate(figure, e)

def _verdict(met: bool, judged: bool = True) -> Text:
    if not judged:
        return Text("n/a", style="dim")
    return Text("met", style="green") if met else Text("missed", style="red")


def intervals_table(
    result: StaffingResult, grid: DayGrid, pool: str, isa_staff: Sequence[int] | None
) -> Table:
    """Per interval: the pool's measured load, the requirement (ISA's and as raised), the
    staff scheduled, and each target's one-sided bound on the contacts of that hour."""
    t = result.final
    title = Text(
        f"Pool {visible(pool)}: staff per {fmt_interval(grid.interval)} interval "
        f"(days: {grid.days_text}); each target's one-sided 95% bound on the contacts "
        "arriving in the hour"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("interval", no_wrap=True, min_width=11)
    table.add_column("load", justify="right")
    if isa_staff is not None:
        table.add_column("ISA", justify="right")
    table.add_column("required", justify="right")
    table.add_column("scheduled", justify="right")
    names = [j for j in t.hours[0]] if t.hours else []
    for j in names:
        table.add_column(Text(visible(j.name)), justify="right")
    table.add_column("")
    for i in range(grid.count):
        h = grid.hour_of(i)
        cells = [Text(grid.label(i)), Text(f"{t.load[h]:.2f}")]
        if isa_staff is not None:
            cells.append(Text(str(isa_staff[h])))
        req = t.requirement[h]
        sched = t.plan.scheduled[i]
        cells.append(Text(str(req), style="bold" if req != result.start[h] else ""))
        cells.append(Text(str(sched), style="red" if sched < req else ""))
        for j in t.hours[h]:
            text = fmt_value(j.figure, j.bound) if t.judged_hours[h] else "-"
            cells.append(Text(text, style="" if j.met or not t.judged_hours[h] else "red"))
        cells.append(_verdict(t.hour_met(h), t.judged_hours[h]))
        table.add_row(*cells)
    table.caption = (
        "load: mean busy servers of the pool (chat slots or agents); required in bold: "
        "raised after simulation; n/a: fewer than 2 replications had contacts in the hour"
    )
    return table


def fmt_interval(seconds: float) -> str:
    return f"{seconds / 60:g}-minute"


def day_table(result: StaffingResult, pool: str) -> Table:
    """The whole run's targets (budget included) and what the staffing costs."""
    t = result.final
    table = Table(
        title="The whole run (met when the one-sided 95% bound meets the goal)",
        title_justify="left",
    )
    table.add_column("")
    table.add_column("goal")
    table.add_column("mean ± 95% CI", justify="right")
    table.add_column("bound", justify="right")
    table.add_column("")
    totals = t.summary.totals
    for j in t.totals:
        table.add_row(
            Text(j.name),
            Text(j.goal),
            Text(_estimate_text(j.figure, t.summary.estimate(j.figure))),
            Text(fmt_value(j.figure, j.bound)),
            _verdict(j.met),
        )
    table.add_section()
    table.add_row(Text("cost_total"), "", Text(fmt_estimate("cost_total", totals["cost_total"])))
    occ = t.summary.pools[pool]["occupancy"]
    table.add_row(Text(f"occupancy of {visible(pool)}"), "", Text(fmt_estimate("occupancy", occ)))
    if t.plan.cost_per_day is not None:
        table.add_row(
            Text("roster: paid hours x cost per hour, per day"),
            "",
            Text(fmt_value("cost_total", t.plan.cost_per_day)),
        )
    shifts = len(t.plan.shifts)
    table.add_row(Text("shifts written"), "", Text(str(shifts)))
    return table


def result_line(result: StaffingResult, runs: int, isa_iterations: int | None) -> str:
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
    hours = ", ".join(f"{h:02d}:00" for h in t.missed_hours)
    day = ", ".join(plain(j.name) for j in t.totals_missed)
    parts = []
    if hours:
        parts.append(f"hours still missing a target: {hours}")
    if day:
        parts.append(f"the whole run misses: {day}")
    return f"[bold red]not met[/] after {how}; " + "; ".join(parts)


class StaffingProgress(StatusLine):
    """Staffing's status line: the phase, the round, the runs so far and how many hours
    still miss."""

    def __init__(self, command: str, enabled: bool | None = None) -> None:
        super().__init__(f"{command}: starting", enabled)
        self.command = command

    def _text(self) -> str:
        return f"{self._label} ({self._runs} runs)"

    def trial_done(self, s: TrialStatus) -> None:
        phase = "ISA iteration" if s.phase == "isa" else "targets round"
        self._label = f"{self.command}: {phase}, trial {s.round}, {s.missed} hour(s) missing"
        self._runs = s.runs
        self._draw(force=True)
