"""The HTML reports of the staffing commands (``--html``): ``optimize``'s answer, its
targets and the frontier it explored; ``staff``'s and ``roster``'s required against
scheduled staff per interval.

Built from the same pieces as the reports of run, compare and sweep (render/htmlpage.py:
the page that can load nothing, its tables and figure text; render/svg.py: the charts),
with every number formatted as the terminal's tables format it and every chart's numbers
also in a table beside it. Every name is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from simdesk.intraday import DayGrid, StaffingResult, clock
from simdesk.optimize import Dimension, Evaluation, Judged, OptimizeResult
from simdesk.render import POOL_FIGURES
from simdesk.render.formats import fmt_interval, fmt_value
from simdesk.render.htmlpage import Fmt, est, fmt_for, page, scope_table, table
from simdesk.render.optimize import answer_figures, answer_heading, runs_text
from simdesk.render.svg import PALETTE, Points, Series, line_chart, scatter_chart, step_chart

__all__ = ["optimize_html", "staffing_html"]

MAX_FRONTIER_CHARTS = 3
"""Charts of the frontier, one per target that binds somewhere on it."""
MET, MISSED, FRONTIER, ANSWER = "#7f9fbf", PALETTE[1], PALETTE[2], "#111111"


def _verdict(j: Judged) -> str:
    cls = "met" if j.met else "missed"
    note = " (judged on the answer)" if j.ceiling else ""
    return f'<span class="{cls}">{cls}</span>{escape(note)}'


def _targets_table(judged: Sequence[Judged]) -> str:
    rows = [
        [escape(j.name), escape(j.goal), escape(fmt_value(j.figure, j.mean)),
         escape(fmt_value(j.figure, j.bound)), _verdict(j)]
        for j in judged
    ]
    return table(["target", "goal", "mean", "one-sided 95% bound", ""], rows, left=2)


def _where(dims: Sequence[Dimension], ev: Evaluation) -> str:
    return ", ".join(f"{d.key}={lab}" for d, lab in zip(dims, ev.labels, strict=True))


def _answer(result: OptimizeResult, dims: Sequence[Dimension], minimize: str) -> list[str]:
    shown = result.answer or result.closest
    if shown is None:
        return ['<p class="meta">Nothing was simulated.</p>']
    totals = shown.summary.totals
    rows = [[f"<b>{escape(d.key)}</b>", f"<b>{escape(lab)}</b>", ""]
            for d, lab in zip(dims, shown.labels, strict=True)]
    rows += [[escape(f), est(f, totals[f]), escape(fmt_interval(f, totals[f]))]
             for f in answer_figures(shown, minimize)]
    out = [table(["", "mean ± 95% CI", "95% interval"], rows)]
    if shown.judged:
        out += ["<h2>Targets</h2>",
                '<p class="meta">A target is met when the one-sided 95% bound over the '
                "replications meets the goal.</p>",
                _targets_table(shown.judged)]
    pools = shown.summary.pools
    figures = [*POOL_FIGURES, "abandonment_rate", "wait_p90_s"]
    out += [f"<h3>Per pool at {escape(_where(dims, shown))}</h3>",
            scope_table(pools, figures, "pool")]
    return out


def _verification(result: OptimizeResult, dims: Sequence[Dimension]) -> list[str]:
    if result.status != "optimal" or result.answer is None:
        return []
    answer = result.answer
    out = ["<h2>Verification: one step less</h2>"]
    if not result.neighbours:
        out.append('<p class="meta">Every varied value is at the bottom of its range: there '
                   "is no step less to try.</p>")
        return out
    out.append('<p class="meta">Each point one step below the answer in one varied key was '
               "simulated; each must miss a target.</p>")
    rows = []
    for n in result.neighbours:
        changed = [f"{d.key}={lab}" for d, lab, ref in
                   zip(dims, n.labels, answer.labels, strict=True) if lab != ref]
        b = n.binding
        rows.append([
            escape(", ".join(changed)),
            "" if b is None else escape(b.name),
            "" if b is None else escape(b.goal),
            "" if b is None else escape(fmt_value(b.figure, b.bound)),
            "" if b is None else _verdict(b),
        ])
    out.append(table(["one step less", "binding target", "goal", "one-sided 95% bound", ""],
                     rows, left=3))
    return out


def _frontier_chart(result: OptimizeResult, name: str, minimize: str) -> str:
    """Every simulated point's cost against one target's bound, the frontier joined."""

    def bound(ev: Evaluation) -> Judged | None:
        return next((j for j in ev.judged if j.name == name), None)

    first = next(j for ev in result.evaluations if (j := bound(ev)) is not None)
    frontier = {ev.index for ev in result.frontier}
    answer = None if result.answer is None else result.answer.index

    def points(label: str, evs: Sequence[Evaluation], color: str, joined: bool = False,
               ring: bool = False) -> Points:
        pairs = [(ev.objective, j.bound) for ev in evs if (j := bound(ev)) is not None]
        return Points(label, [x for x, _ in pairs], [y for _, y in pairs], color, joined, ring)

    rest = [ev for ev in result.evaluations if ev.index not in frontier]
    groups = [
        points("missed a target", [ev for ev in rest if not ev.meets_all], MISSED),
        points("met the targets", [ev for ev in rest if ev.meets_all], MET),
        points("frontier", result.frontier, FRONTIER, joined=True),
    ]
    if answer is not None and result.answer is not None:
        groups.append(points("answer", [result.answer], ANSWER, ring=True))
    return scatter_chart(
        f"{name}: one-sided 95% bound against {minimize}",
        groups,
        _axis_fmt(minimize),
        fmt_for(first.figure),
        f"{minimize} (mean)",
        goal=first.threshold,
    )


def _axis_fmt(figure: str) -> Fmt:
    """Round axis ticks without the cents a cell shows (``1,500``, not ``1,500.00``)."""
    cell = fmt_for(figure)

    def fmt(x: float) -> str:
        return f"{x:,.0f}" if figure.startswith("cost") and x == round(x) else cell(x)

    return fmt


def _frontier(result: OptimizeResult, dims: Sequence[Dimension], minimize: str) -> list[str]:
    out = ["<h2>Frontier explored</h2>",
           f'<p class="meta">The feasible mixes with no cheaper simulated mix below them, by '
           f"{escape(minimize)}, each with the target closest to failing (the binding "
           "target); the charts place every simulated point by its cost and that target's "
           "bound.</p>"]
    names: list[str] = []
    for ev in result.frontier or ([] if result.closest is None else [result.closest]):
        b = ev.binding
        if b is not None and b.name not in names:
            names.append(b.name)
    charts = [_frontier_chart(result, n, minimize) for n in names[:MAX_FRONTIER_CHARTS]]
    answer = None if result.answer is None else result.answer.index
    rows = []
    for ev in result.frontier:
        b = ev.binding
        rows.append([
            *(escape(lab) for lab in ev.labels),
            escape(fmt_value(minimize, ev.objective)),
            "" if b is None else escape(b.name),
            "" if b is None else escape(fmt_value(b.figure, b.bound)),
            "" if b is None else escape(b.goal),
        ])
    highlight = [i for i, ev in enumerate(result.frontier) if ev.index == answer]
    headers = [*(escape(d.key) for d in dims), escape(minimize), "binding target",
               "one-sided 95% bound", "goal"]
    out += ['<div class="pair">', *charts, "</div>"]
    if rows:
        out.append(table(headers, rows, left=0, highlight=highlight))
    else:
        out.append('<p class="meta">No simulated point meets the targets.</p>')
    return out


def _every_point(result: OptimizeResult, dims: Sequence[Dimension], minimize: str) -> list[str]:
    answer = None if result.answer is None else result.answer.index
    rows = []
    for ev in result.evaluations:
        b = ev.binding
        rows.append([
            str(ev.order + 1),
            *(escape(lab) for lab in ev.labels),
            escape(fmt_value(minimize, ev.objective)),
            '<span class="met">met</span>' if ev.meets_all else '<span class="missed">missed'
            "</span>",
            "" if b is None else escape(b.name),
            "" if b is None else escape(fmt_value(b.figure, b.bound)),
        ])
    highlight = [i for i, ev in enumerate(result.evaluations) if ev.index == answer]
    headers = ["#", *(escape(d.key) for d in dims), escape(minimize), "targets",
               "binding target", "one-sided 95% bound"]
    return ["<h2>Every simulated point, in the order the search ran them</h2>",
            table(headers, rows, left=0, highlight=highlight)]


def optimize_html(
    result: OptimizeResult,
    dims: Sequence[Dimension],
    *,
    scenario: str,
    minimize: str,
    seed: int,
    replications: int,
    interrupted: bool = False,
) -> str:
    """``simdesk optimize --html``: the answer (or the closest point), its figures against
    the targets with intervals, the verification, the frontier explored and the runs."""
    varied = [
        [escape(d.key), escape(d.label(0)), escape(d.label(len(d.values) - 1)),
         f"{len(d.values):,}", escape(d.label(d.hint)),
         "" if (shown := result.answer or result.closest) is None
         else escape(shown.labels[k])]
        for k, d in enumerate(dims)
    ]
    status = {"optimal": "met", "infeasible": "missed"}.get(result.status, "na")
    body = [
        f"<h1>Staffing search: {escape(scenario)}</h1>",
        f'<p class="meta"><span class="{status if not interrupted else "na"}">'
        f"{escape(answer_heading(result, minimize, interrupted))}</span>. "
        f"{escape(runs_text(result, seed, replications))}. Every point runs with the same "
        "seed (common random numbers).</p>",
        "<h2>Varied keys</h2>",
        table(["key", "low", "high", "values", "start (Erlang estimate)", "shown point"],
              varied),
        "<h2>The answer</h2>" if result.status == "optimal" and not interrupted
        else "<h2>The point shown</h2>",
        *_answer(result, dims, minimize),
        *_verification(result, dims),
        *_frontier(result, dims, minimize),
        *_every_point(result, dims, minimize),
    ]
    return page(f"simdesk optimize: {scenario}", body)


# -------------------------------------------------------------------- staff, roster


def staffing_html(
    result: StaffingResult,
    grid: DayGrid,
    *,
    scenario: str,
    pool: str,
    kind: str,
    seed: int,
    replications: int,
    runs: int,
    isa_staff: Sequence[int] | None,
) -> str:
    """``simdesk staff --html`` and ``roster --html``: required against scheduled staff per
    interval as a chart and a table, each interval's targets, and the whole run's."""
    t = result.final
    edges = [clock(grid.start(i)) for i in range(grid.count + 1)]
    series = [
        Series("required", [float(x) for x in t.requirement]),
        Series("scheduled", [float(x) for x in t.plan.scheduled]),
    ]
    if isa_staff is not None:
        series.append(Series("ISA's staffing", [float(x) for x in isa_staff]))
    minutes = f"{grid.interval / 60:g}-minute"
    chart = step_chart(f"{pool}: staff per {minutes} interval", edges,
                       series, lambda x: f"{x:,.0f}")
    load = line_chart(f"{pool}: measured load (mean busy servers) per {minutes} interval",
                      [float(i) for i in range(grid.count)], edges[:-1],
                      [Series("", list(t.load))], lambda x: f"{x:,.1f}")
    names = [j.name for j in t.intervals[0]] if t.intervals else []
    headers = ["interval", "load"]
    headers += ["ISA"] if isa_staff is not None else []
    headers += ["required", "scheduled", *(escape(n) for n in names), ""]
    rows = []
    for i in range(grid.count):
        row = [escape(grid.label(i)), f"{t.load[i]:.2f}"]
        if isa_staff is not None:
            row.append(str(isa_staff[i]))
        req, sched = t.requirement[i], t.plan.scheduled[i]
        row.append(f"<b>{req}</b>" if req != result.start[i] else str(req))
        row.append(f'<span class="missed">{sched}</span>' if sched < req else str(sched))
        for j in t.intervals[i]:
            text = escape(fmt_value(j.figure, j.bound)) if t.judged[i] else "-"
            row.append(text if j.met or not t.judged[i]
                       else f'<span class="missed">{text}</span>')
        if not t.judged[i]:
            row.append('<span class="na">n/a</span>')
        else:
            row.append('<span class="met">met</span>' if t.interval_met(i)
                       else '<span class="missed">missed</span>')
        rows.append(row)
    totals = t.summary.totals
    day_rows = [[escape(j.name), escape(j.goal),
                 est(j.figure, e) if (e := t.summary.estimate(j.figure)) is not None else "-",
                 escape(fmt_value(j.figure, j.bound)), _verdict(j)] for j in t.totals]
    day_rows.append(["cost_total", "", est("cost_total", totals["cost_total"]), "", ""])
    day_rows.append([f"occupancy of {escape(pool)}", "",
                     est("occupancy", t.summary.pools[pool]["occupancy"]), "", ""])
    if t.plan.cost_per_day is not None:
        day_rows.append(["roster: paid hours x cost per hour, per day", "",
                         escape(fmt_value("cost_total", t.plan.cost_per_day)), "", ""])
    day_rows.append(["shifts written", "", str(len(t.plan.shifts)), "", ""])
    state = {"met": "met", "over budget": "missed", "not met": "missed"}[result.status]
    body = [
        f"<h1>{escape(kind)}: pool {escape(pool)} of {escape(scenario)}</h1>",
        f'<p class="meta"><span class="{state}">{escape(result.status)}</span>: '
        f"{runs:,} simulation runs, {replications} replication(s) each, seed {seed}, "
        f"{result.rounds} round(s) on the targets; days staffed: {escape(grid.days_text)}. "
        "Each target is judged per interval on its one-sided 95% bound over the "
        "replications, on the contacts arriving in the interval.</p>",
        "<h2>Required and scheduled staff</h2>",
        '<div class="pair">', chart, load, "</div>",
        '<p class="meta">required in bold: raised after simulation; load: mean busy servers '
        "of the pool (chat slots or agents); n/a: fewer than 2 replications had contacts in "
        "the interval.</p>",
        table(headers, rows),
        "<h2>The whole run</h2>",
        table(["", "goal", "mean ± 95% CI", "one-sided 95% bound", ""], day_rows, left=2),
    ]
    return page(f"simdesk {kind}: {scenario}", body)
