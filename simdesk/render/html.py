"""The HTML report (``--html``): one self-contained file to send to someone without simdesk.

It reads the same Summary (or Comparison, or sweep results) as the tables, formats every
number with render.formats, and draws charts as inline SVG (render/svg.py), each with the
numbers in a table beside it. Nothing is loaded from anywhere: no scripts, no fonts, no
images; a Content-Security-Policy forbids any request, so a report that tried one would
fail loudly in the browser rather than leak. Every name is HTML-escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from simdesk.compare import Comparison, clear
from simdesk.confidence import Estimate
from simdesk.experiment import PeriodScope, Scope, Summary
from simdesk.render import (
    INTERVAL_FIGURES,
    PERIOD_FIGURES,
    POOL_FIGURES,
    POOL_HOUR_COLUMNS,
    TYPE_FIGURES,
    WORKFORCE_PERIOD_FIGURES,
    erlang_values,
    hourly_series,
    period_label,
    summary_figures,
    within_text,
)
from simdesk.render.experiments import SWEEP_TABLE_FIGURES, sweep_figure_label
from simdesk.render.formats import fmt_difference, fmt_interval, fmt_value

# The page frame, tables and figure helpers are shared with the search reports
# (render/search_html.py); kept under the names this module has always used.
from simdesk.render.htmlpage import band as _band
from simdesk.render.htmlpage import est as _est
from simdesk.render.htmlpage import fmt_for as _fmt
from simdesk.render.htmlpage import page as _page
from simdesk.render.htmlpage import scope_table as _scope_table
from simdesk.render.htmlpage import table as _table
from simdesk.render.htmlpage import y_max as _y_max
from simdesk.render.svg import Series, bar_chart, line_chart
from simdesk.sweep import PointResult, SweepPlan, figure_name, value_text
from simdesk.targets import TargetVerdict

__all__ = ["compare_html", "summary_html", "sweep_html"]

def _verdict(v: TargetVerdict | None) -> str:
    if v is None:
        return ""
    if v.met is None:
        return f'<span class="na">n/a ({escape(v.why or "not applicable")})</span> ' \
            f"{escape(v.goal)}"
    cls = "met" if v.met else "missed"
    return f'<span class="{cls}">{cls}</span> {escape(v.goal)}'


def _header(s: Summary, kind: str = "") -> list[str]:
    sc = s.scenario
    desc = f'<p class="meta">{escape(sc.description)}</p>' if sc.description else ""
    return [
        f"<h1>{escape(sc.name)}{escape(kind)}</h1>",
        desc,
        f'<p class="meta">{s.replications} replication(s), seed {s.seed}; means with 95% '
        f"confidence intervals over replications; service level within "
        f"{escape(within_text(s))}.</p>",
    ]


# ----------------------------------------------------------------------------- run


def _key_figures(s: Summary) -> str:
    erl = erlang_values(s.erlang)
    verdicts = {v.figure: v for v in s.targets}
    headers = ["figure", "mean ± 95% CI", "95% interval"]
    if s.erlang is not None:
        headers.append(f"Erlang {escape(s.erlang.model)}")
    headers.append("target")
    rows = []
    for f in summary_figures(s):
        e = s.totals[f]
        row = [escape(f), _est(f, e), escape(fmt_interval(f, e))]
        if s.erlang is not None:
            row.append(escape(fmt_value(f, erl[f])) if f in erl else "")
        row.append(_verdict(verdicts.get(f)))
        rows.append(row)
    for v in s.targets:
        if "." not in v.figure:
            continue  # a totals figure: its row is above
        own = s.estimate(v.figure)  # a pool's or a type's own figure
        row = [escape(v.figure)]
        if own is None:
            row += ["-", "-"]
        else:
            row += [_est(v.figure, own), escape(fmt_interval(v.figure, own))]
        if s.erlang is not None:
            row.append("")
        row.append(_verdict(v))
        rows.append(row)
    return _table(headers, rows)


def _hourly_band(figure: str, series: dict[str, list[Scope]]) -> str:
    xs = [float(h) for h in range(24)]
    lines = []
    for name, scopes in series.items():
        if not scopes or figure not in scopes[0]:
            continue
        vals = [sc[figure].mean for sc in scopes]
        low = [_band(sc[figure])[0] for sc in scopes]
        high = [_band(sc[figure])[1] for sc in scopes]
        lines.append(Series(name if len(series) > 1 else "", vals, low, high))
    return line_chart(
        f"{figure} by hour of day (mean, 95% band)",
        xs,
        [f"{h:02d}" for h in range(24)],
        lines,
        _fmt(figure),
        _y_max(figure),
    )


def _by_hour(s: Summary) -> list[str]:
    series = hourly_series(s)
    charts = [
        _hourly_band(f, series)
        for f in ("service_level", "wait_mean_s", "wait_p90_s", "abandonment_rate",
                  "occupancy")
        if f in s.intervals[0]
    ]
    out = ["<h2>By hour of day (all measured days)</h2>"]
    if set(series) == {"desk"}:
        out.append('<p class="meta">Desk-wide, by the hour in which contacts arrived.</p>')
    out.append('<div class="pair">' + "".join(charts) + "</div>")
    figures = [f for f in INTERVAL_FIGURES if f in s.intervals[0]]
    rows = [
        [f"{h:02d}:00", *(_est(f, sc[f]) for f in figures)]
        for h, sc in enumerate(s.intervals)
        if sc["offered"].mean
    ]
    out.append(_table(["hour", *(escape(f) for f in figures)], rows))
    return out


def _pools_by_hour(s: Summary) -> list[str]:
    """Each pool's service level, wait, abandonment and occupancy by hour of day: which
    pool misses at which hour."""
    if not s.pool_hours:
        return []
    charts = [
        _hourly_band(f, s.pool_hours)
        for f in ("service_level", "wait_mean_s", "abandonment_rate", "occupancy")
    ]
    rows = [
        [escape(name), f"{h:02d}:00", *(_est(f, hours[h][f]) for f in POOL_HOUR_COLUMNS)]
        for name, hours in s.pool_hours.items()
        for h in range(24)
        if hours[h]["offered"].mean or not math.isnan(hours[h]["occupancy"].mean)
    ]
    return [
        "<h2>Per pool by hour of day</h2>",
        '<p class="meta">A visit counts in the hour its wait ended (answered or gave up); '
        "occupancy is busy over staffed time in that hour, - where nobody was on duty "
        "(or for a bot without a concurrency limit).</p>",
        '<div class="pair">' + "".join(charts) + "</div>",
        _table(["pool", "hour", *(escape(f) for f in POOL_HOUR_COLUMNS)], rows, left=2),
    ]


def _short_label(p: PeriodScope, years: int) -> str:
    """A chart's x label: ``01-04`` for a week, ``Jan`` (``Jan 27`` over several years)."""
    start = p.period.start
    if start is None:
        return str(p.period.index)
    if p.period.kind == "month":
        return start.strftime("%b %y" if years > 1 else "%b")
    return start.strftime("%m-%d")


def _by_period(s: Summary) -> list[str]:
    """The figures per week and per month, when the run has more than one of them."""
    out: list[str] = []
    for kind in ("week", "month"):
        periods = s.periods.get(kind, [])
        if len(periods) < 2:
            continue
        years = len({p.period.start.year for p in periods if p.period.start is not None})
        xs = [float(i) for i in range(len(periods))]
        labels = [_short_label(p, years) for p in periods]
        charts = []
        for f in ("service_level", "abandonment_rate", "wait_p90_s", "occupancy",
                  "offered", "cost_total"):
            if f == "cost_total" and not any(p.figures[f].mean for p in periods):
                continue
            line = Series(
                "",
                [p.figures[f].mean for p in periods],
                [_band(p.figures[f])[0] for p in periods],
                [_band(p.figures[f])[1] for p in periods],
            )
            charts.append(line_chart(f"{f} by {kind} (mean, 95% band)", xs, labels, [line],
                                     _fmt(f), _y_max(f)))
        figures = [f for f in PERIOD_FIGURES if f in periods[0].figures]
        rows = [[escape(period_label(s, p)), *(_est(f, p.figures[f]) for f in figures)]
                for p in periods]
        note = (
            f'<p class="meta">* measured for part of the {kind} only.</p>'
            if any(p.partial for p in periods) else ""
        )
        out += [f"<h2>By {kind}</h2>", '<div class="pair">' + "".join(charts) + "</div>",
                _table([kind, *(escape(f) for f in figures)], rows), note]
        out += _people_by_period(s, kind, periods)
    return out


def _people_by_period(s: Summary, kind: str, periods: Sequence[PeriodScope]) -> list[str]:
    """Each workforce pool's people and service per period: headcount at the end, hires,
    leavers, FTE, tenure mix, its own occupancy, service level and cost (hires
    included)."""
    names = list(periods[0].pools)
    if not names:
        return []
    rows = [[escape(period_label(s, p)), escape(name),
             *(_est(f, p.pools[name][f]) for f in WORKFORCE_PERIOD_FIGURES)]
            for p in periods for name in names]
    return [f"<h3>People by {kind}</h3>",
            '<p class="meta">Pools with a workforce: headcount employed at the end of '
            "each period (in training included), hires and leavers in it, mean people on "
            "duty (FTE), people in training (new) and inside the learning ramp (nesting) "
            "at its end; the pool's own occupancy, service level and cost, hires "
            "included.</p>",
            _table([kind, "pool", *(escape(f) for f in WORKFORCE_PERIOD_FIGURES)], rows,
                   left=2)]


def _costs(s: Summary) -> list[str]:
    pools = s.pools
    if not any(sc["cost_total"].mean for sc in pools.values()):
        return []
    names = list(pools)
    total = s.totals
    return [
        "<h2>Cost</h2>",
        '<div class="pair">',
        bar_chart("cost per pool (measured period)", names,
                  [pools[n]["cost_total"].mean for n in names], _fmt("cost_total")),
        bar_chart("cost per handled contact, per pool", names,
                  [pools[n]["cost_per_contact"].mean for n in names], _fmt("cost_per_contact")),
        "</div>",
        _table(
            ["scope", "cost_total", "cost_per_contact"],
            [[escape(n), _est("cost_total", pools[n]["cost_total"]),
              _est("cost_per_contact", pools[n]["cost_per_contact"])] for n in names]
            + [["whole desk (per finished contact)", _est("cost_total", total["cost_total"]),
                _est("cost_per_contact", total["cost_per_contact"])]],
        ),
    ]


def _erlang(s: Summary) -> list[str]:
    if s.erlang is None:
        return []
    e = s.erlang
    erl = erlang_values(e)
    rows = [[escape(f), escape(fmt_value(f, v)), _est(f, s.totals[f])]
            for f, v in erl.items() if f in s.totals]
    return [
        f"<h2>Erlang {escape(e.model)} reference</h2>",
        f'<p class="meta">The scenario reduces to the textbook queue with {e.agents} agents '
        "(docs/figures.md, \"Erlang reference\"); the formula's steady-state answer beside "
        "the simulation.</p>",
        _table(["figure", f"Erlang {escape(e.model)}", "simulated (mean ± 95% CI)"], rows),
    ]


def _warnings(warnings: Sequence[str]) -> list[str]:
    return [f'<p class="warn">warning: {escape(w)}</p>' for w in warnings]


def summary_html(s: Summary) -> str:
    """``simdesk run --html``."""
    body = _header(s)
    body += _warnings(s.warnings)
    body += ["<h2>Key figures and targets</h2>", _key_figures(s)]
    body += _by_period(s)
    body += _by_hour(s)
    body += _pools_by_hour(s)
    pool_figures = [*POOL_FIGURES, "abandonment_rate", "wait_p90_s"]
    body += ["<h2>Per pool</h2>", _scope_table(s.pools, pool_figures, "pool")]
    body += _costs(s)
    body += ["<h2>Per inquiry type</h2>", _scope_table(s.types, TYPE_FIGURES, "type")]
    body += _erlang(s)
    return _page(f"simdesk: {s.scenario.name}", body)


# ------------------------------------------------------------------------- compare


def _diff(figure: str, e: Estimate) -> str:
    text = escape(fmt_difference(figure, e, "*" if clear(e) else ""))
    return f'<span class="clear">{text}</span>' if clear(e) else text


def _side_by_side(c: Comparison, scopes: Sequence[Scope | None],
                  diffs: Sequence[Scope | None], figures: Sequence[str]) -> str:
    headers = ["figure", *(escape(label) for label in c.labels)]
    headers += [escape(f"{label} - {c.baseline}") for label in c.labels[1:]]
    rows = []
    for f in figures:
        if not any(sc is not None and f in sc for sc in scopes):
            continue
        row = [escape(f)]
        row += [_est(f, sc[f]) if sc is not None and f in sc else "-" for sc in scopes]
        row += [_diff(f, d[f]) if d is not None and f in d else "" for d in diffs]
        rows.append(row)
    return _table(headers, rows)


def compare_html(c: Comparison) -> str:
    """``simdesk compare --html``: scenarios side by side with paired differences, targets,
    the by-hour service level of each, and every pool's and type's differences."""
    first = c.summaries[0]
    body = [
        f"<h1>Comparison: {len(c.labels)} scenarios</h1>",
        f'<p class="meta">{c.replications} replication(s) each, seed {c.seed}, common random '
        "numbers; differences are paired by replication, <b>*</b> where the 95% interval of "
        "the difference excludes 0; differences of rates are in percentage points. The "
        f"baseline is {escape(c.baseline)}.</p>",
        "<h2>Key figures</h2>",
        _side_by_side(c, [s.totals for s in c.summaries], c.differences, list(first.totals)),
    ]
    names: list[str] = []
    for s in c.summaries:
        names.extend(v.name for v in s.targets if v.name not in names)
    if names:
        rows = []
        for name in names:
            cells = [escape(name)]
            for s in c.summaries:
                cells.append(_verdict(next((v for v in s.targets if v.name == name), None)))
            rows.append(cells)
        body += ["<h2>Targets</h2>",
                 _table(["target", *(escape(lb) for lb in c.labels)], rows)]
    charts = []
    for f in ("service_level", "wait_mean_s", "abandonment_rate", "occupancy"):
        if f not in first.intervals[0]:
            continue
        lines = [
            Series(
                label,
                [sc[f].mean for sc in s.intervals],
                [_band(sc[f])[0] for sc in s.intervals],
                [_band(sc[f])[1] for sc in s.intervals],
            )
            for label, s in zip(c.labels, c.summaries, strict=True)
        ]
        charts.append(line_chart(f"{f} by hour of day", [float(h) for h in range(24)],
                                 [f"{h:02d}" for h in range(24)], lines, _fmt(f), _y_max(f)))
    body += ["<h2>By hour of day</h2>", '<div class="pair">', *charts, "</div>"]
    for section, title in (("pools", "Pool"), ("types", "Inquiry type")):
        seen: list[str] = []
        for s in c.summaries:
            seen.extend(n for n in getattr(s, section) if n not in seen)
        for name in seen:
            scopes = [getattr(s, section).get(name) for s in c.summaries]
            diffs = [d.get(section, {}).get(name) for d in c.detail]
            figures = (
                [*POOL_FIGURES, "abandonment_rate", "wait_p90_s", "cost_per_contact"]
                if section == "pools"
                else TYPE_FIGURES
            )
            body += [f"<h3>{title} {escape(name)}</h3>", _side_by_side(c, scopes, diffs,
                                                                        figures)]
    return _page("simdesk comparison", body)


# --------------------------------------------------------------------------- sweep


def _as_number(v: object) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    return None


def sweep_html(
    plan: SweepPlan, results: Sequence[PointResult], figures: Sequence[str] | None = None
) -> str:
    """``simdesk sweep --html``: each figure against the first varied parameter (one line
    per combination of the others, with its 95% band), and every point in a table."""
    ok_summaries = [r.summary for r in results if r.summary is not None]
    keys = list(figures) if figures else [
        f for f in SWEEP_TABLE_FIGURES
        if f != "cost_total" or any(s.totals[f].mean for s in ok_summaries)
    ]
    first = plan.parameters[0]
    others = plan.parameters[1:]
    ok = [r for r in results if r.summary is not None]
    xs_all = [_as_number(v) for v in first.values]
    numeric = all(x is not None for x in xs_all)
    xs = [x if x is not None else float(i) for i, x in enumerate(xs_all)]
    groups: dict[tuple[str, ...], dict[int, PointResult]] = {}
    for r in ok:
        vals = dict(r.point.values)
        group = tuple(f"{p.key}={value_text(vals[p.key])}" for p in others)
        groups.setdefault(group, {})[first.values.index(vals[first.key])] = r
    charts = []
    for k in keys:
        lines = []
        for group, by_x in groups.items():
            means: list[float] = []
            low: list[float] = []
            high: list[float] = []
            for i in range(len(xs)):
                got = by_x[i].summary if i in by_x else None
                e = got.estimate(k) if got is not None else None
                means.append(math.nan if e is None else e.mean)
                lo, hi = _band(e) if e is not None else (math.nan, math.nan)
                low.append(lo)
                high.append(hi)
            lines.append(Series(", ".join(group), means, low, high))
        fig = figure_name(k)
        charts.append(line_chart(f"{k} against {first.key}", xs,
                                 [value_text(v) for v in first.values], lines, _fmt(fig),
                                 _y_max(fig)))
    headers = [escape(p.key) for p in plan.parameters]
    headers += [escape(sweep_figure_label(k)) for k in keys] + ["targets / error"]
    rows = []
    for r in results:
        vals = dict(r.point.values)
        row = [escape(value_text(vals[p.key])) for p in plan.parameters]
        if r.summary is None:
            row += ["failed"] + [""] * (len(keys) - 1) + [escape(r.error)]
        else:
            for k in keys:
                e = r.summary.estimate(k)
                row.append("-" if e is None else _est(figure_name(k), e))
            missed = [t.name for t in r.summary.targets if t.met is False]
            row.append(
                f'<span class="missed">missed {escape(", ".join(missed))}</span>'
                if missed else ('<span class="met">all met</span>' if r.summary.targets else "")
            )
        rows.append(row)
    body = [
        f"<h1>Sweep of {escape(plan.base.name)}</h1>",
        f'<p class="meta">{len(results)} of {len(plan.points)} point(s), {plan.replications} '
        f"replication(s) each, seed {plan.seed}, common random numbers; means with 95% "
        "bands.</p>",
    ]
    if not numeric:
        body.append('<p class="meta">The first parameter is not a number: its values are '
                    "evenly spaced.</p>")
    body += ["<h2>Figures against the varied parameter</h2>", '<div class="pair">', *charts,
             "</div>", "<h2>Every point</h2>", _table(headers, rows, left=len(plan.parameters))]
    return _page(f"simdesk sweep: {plan.base.name}", body)
