"""Rich tables for people. This package is the only place that imports Rich.

Rendering takes a finished Summary and never computes figures, so what the tables show
is exactly what --json writes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.console import Console, RenderableType

from simdesk.calendar import Calendar
from simdesk.erlang import QueueFigures
from simdesk.experiment import PeriodScope, Scope, Summary
from simdesk.render.formats import LEGEND, SHORT, fmt_estimate, fmt_value
from simdesk.render.layout import (
    Column,
    fit_tables,
    legend_text,
    make_console,
    print_tables,
    table_width,
)
from simdesk.render.text import plain, visible
from simdesk.scenario import DEFAULT_SL_WITHIN
from simdesk.targets import TargetVerdict
from simdesk.units import format_duration

__all__ = [
    "SHORT",
    "erlang_tables",
    "fmt_estimate",
    "fmt_value",
    "make_console",
    "print_message",
    "render_summary",
    "target_cell",
]

SKIP_IF_ZERO = {
    "overflowed", "contained", "escalated", "repeat_contacts", "cost_total", "cost_per_contact",
}


def erlang_values(e: QueueFigures | None) -> dict[str, float]:
    """The formula's figures under the names of the simulated ones."""
    if e is None:
        return {}
    return {
        "p_wait": e.p_wait,
        "wait_mean_s": e.wait_mean_s,
        "wait_queued_mean_s": e.wait_mean_s / e.p_wait if e.p_wait else math.nan,
        "asa_s": e.asa_s,
        "abandonment_rate": e.abandonment_rate,
        "service_level": math.nan if e.service_level is None else e.service_level,
        "occupancy": e.occupancy,
    }


def within_text(s: Summary) -> str:
    return format_duration(s.scenario.service_level_within)


def summary_figures(s: Summary) -> list[str]:
    """Totals worth a row: all, except bot, overflow, repeat and cost figures that are zero
    (no bot, no overflow, no costs) and carry no target."""
    verdicts = {v.figure for v in s.targets}
    people = s.totals.get("people_contacts")
    nobody = people is None or not people.mean  # a desk of bots only
    return [
        f
        for f, est in s.totals.items()
        if not (f in SKIP_IF_ZERO and not est.mean and f not in verdicts)
        and not (nobody and f.startswith("people_") and f not in verdicts)
    ]


def summary_tables(s: Summary, width: int | None) -> list[RenderableType]:
    """Figure, simulated mean ± 95% CI, the Erlang formula's value where it applies, and the
    target verdict; at a narrow width the Erlang and target columns move to tables below."""
    title = f"{visible(s.scenario.name)}: {s.replications} replication(s), seed {s.seed}"
    erl = erlang_values(s.erlang)
    verdicts = {v.figure: v for v in s.targets}
    labels = {
        "service_level": f"service_level ({within_text(s)})",
        "people_service_level": f"people_service_level ({within_text(s)})",
    }
    figures = summary_figures(s)
    key = Column("figure", [plain(labels.get(f, f)) for f in figures], "left")
    cols = [
        Column("simulated (mean ± 95% CI)", [fmt_estimate(f, s.totals[f]) for f in figures])
    ]
    if s.erlang is not None:
        cols.append(
            Column(
                f"Erlang {s.erlang.model}",
                [fmt_value(f, erl[f]) if f in erl else "" for f in figures],
            )
        )
    if verdicts:
        cols.append(
            Column(
                "target",
                [target_cell(verdicts[f]) if f in verdicts else "" for f in figures],
                "left",
            )
        )
    return fit_tables(title, [key], cols, width)


def scoped_target_tables(s: Summary, width: int | None) -> list[RenderableType]:
    """Targets on one pool or one inquiry type (figure ``pools.NAME.FIGURE``), which have
    no row in the summary table; nothing when the scenario sets none."""
    scoped = [v for v in s.targets if "." in v.figure]
    if not scoped:
        return []
    key = Column("target", [plain(v.name) for v in scoped], "left")
    cols = [
        Column("simulated (mean)", [fmt_value(v.figure, v.value) for v in scoped]),
        Column("verdict", [target_cell(v) for v in scoped], "left"),
    ]
    return fit_tables("Targets per pool and inquiry type", [key], cols, width)


def target_cell(v: TargetVerdict) -> str:
    """``met >= 80% within 20s``; a target meaningless in this run says so and why, rather
    than "met" (an overloaded desk without patience has 0% abandonment by construction)."""
    if v.met is None:
        return f"[yellow]n/a ({plain(v.why or 'not applicable')})[/] {plain(v.goal)}"
    return f"[green]met[/] {plain(v.goal)}" if v.met else f"[red]missed[/] {plain(v.goal)}"


OPTIONAL = {"contained", "escalated", "cost_total", "cost_per_contact"}


def _shown(scopes: dict[str, Scope], figures: Sequence[str]) -> list[str]:
    """Leave out bot and cost columns that are empty for every row; keep only figures the
    scopes have (an older or newer Summary may have fewer or more)."""

    def empty(f: str) -> bool:
        return all(not scope[f].mean or math.isnan(scope[f].mean) for scope in scopes.values())

    present = [f for f in figures if all(f in scope for scope in scopes.values())]
    return [f for f in present if f not in OPTIONAL or not empty(f)]


def scope_tables(
    title: str,
    key: str,
    scopes: dict[str, Scope],
    figures: Sequence[str],
    width: int | None,
    within: str = format_duration(DEFAULT_SL_WITHIN),
) -> list[RenderableType]:
    """One row per pool (or type), one column per figure (means), split to fit."""
    shown = _shown(scopes, figures)
    keys = [Column(key, [plain(name) for name in scopes], "left")]
    cols = [
        Column(SHORT.get(f, f), [fmt_value(f, scope[f].mean) for scope in scopes.values()])
        for f in shown
    ]
    legend = dict(LEGEND, SL=f"service level ({within})")
    return fit_tables(title, keys, cols, width, caption=legend_text([c.header for c in cols],
                                                                    legend))


POOL_FIGURES = [
    "offered", "handled", "abandoned", "contained", "escalated", "asa_s",
    "service_level", "occupancy", "cost_total",
]
TYPE_FIGURES = [
    "offered", "abandonment_rate", "contained", "wait_mean_s", "wait_p90_s",
    "service_level", "csat_mean", "cost_per_contact",
]
INTERVAL_FIGURES = [
    "offered", "abandonment_rate", "asa_s", "wait_p90_s", "service_level", "occupancy",
    "csat_mean",
]
SPARK = " ▁▂▃▄▅▆▇█"
NO_CONTACTS = "·"


def spark(values: Sequence[float]) -> str:
    """One character per value in 0-1 on an absolute scale (█ 100%, ▄ about 50%, a blank
    0%), ``·`` where there is no value (no contacts that hour)."""
    out = []
    for v in values:
        if math.isnan(v):
            out.append(NO_CONTACTS)
        else:
            out.append(SPARK[round(min(max(v, 0.0), 1.0) * (len(SPARK) - 1))])
    return "".join(out)


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
BY_HOUR = ("all", "weekday", "pool")
"""``run --by-hour``: all days together (the default), split by weekday, and per pool."""
POOL_HOUR_COLUMNS = ["offered", "service_level", "wait_mean_s", "abandonment_rate", "occupancy"]
PERIOD_FIGURES = [
    "offered", "abandonment_rate", "wait_p90_s", "service_level", "occupancy", "csat_mean",
    "cost_total",
]
"""Service, satisfaction and cost over time (``run --by``); every figure of each period
is in the JSON."""
WORKFORCE_PERIOD_FIGURES = [
    "headcount_end", "hires", "leavers", "fte_on_duty", "tenure_new", "tenure_nesting",
    "occupancy", "service_level", "hire_cost", "cost_total",
]
"""A workforce pool's people and service per period (the HTML report)."""
WORKFORCE_PERIOD_COLUMNS = [
    "headcount_end", "hires", "leavers", "fte_on_duty", "tenure_nesting", "occupancy",
    "service_level",
]
"""The same in the terminal (``run --by``), few enough to fit 80 columns: the pools' cost
per period is in the JSON, the CSV and the HTML report, the desk's in ``By month``."""


def hourly_series(s: Summary, by_hour: Sequence[str] = ("all",)) -> dict[str, list[Scope]]:
    """By-hour scopes to draw, by name: the desk and each pool with contacts, all days
    together; or each weekday's (``weekday``, the weekdays with contacts)."""
    if "weekday" not in by_hour or len(s.week_hours) != 168:
        # The desk, then each pool that had contacts: which pool fails at which hour.
        rows: dict[str, list[Scope]] = {"desk": s.intervals}
        for name, hours in s.pool_hours.items():
            if any(scope["offered"].mean for scope in hours):
                rows[name if name != "desk" else "pool desk"] = hours
        return rows
    series: dict[str, list[Scope]] = {}
    for d, name in enumerate(WEEKDAYS):
        scopes = s.week_hours[d * 24 : d * 24 + 24]
        if any(sc["offered"].mean for sc in scopes):
            series[name] = scopes
    return series


def _spark_table(title: str, series: dict[str, list[Scope]], width: int | None) -> list[
    RenderableType
]:
    lines = [
        spark([scope["service_level"].mean for scope in scopes]) for scopes in series.values()
    ]
    return fit_tables(
        f"{title}, 00:00 to 23:00 (█ 100%, ▄ 50%, {NO_CONTACTS} no contacts)",
        [Column("", [plain(n) for n in series], "left")],
        [Column("00    06    12    18    ", lines, "left")],
        width,
    )


def intraday_tables(
    s: Summary, width: int | None, by_hour: Sequence[str] = ("all",)
) -> list[RenderableType]:
    legend = dict(LEGEND, SL=f"service level ({within_text(s)})")
    if "weekday" in by_hour and len(s.week_hours) == 168:
        rows = [(d, h) for d in range(7) for h in range(24)
                if s.week_hours[d * 24 + h]["offered"].mean]
        scopes = [s.week_hours[d * 24 + h] for d, h in rows]
        keys = [Column("day", [WEEKDAYS[d] for d, _ in rows], "left"),
                Column("hour", [f"{h:02d}:00" for _, h in rows], "left")]
        sections = [i for i in range(1, len(rows)) if rows[i][0] != rows[i - 1][0]]
        title = "By weekday and hour (all weeks)"
    else:
        hours = [h for h, scope in enumerate(s.intervals) if scope["offered"].mean]
        scopes = [s.intervals[h] for h in hours]
        keys = [Column("hour", [f"{h:02d}:00" for h in hours], "left")]
        sections = []
        title = "By hour of day (all days)"
    figures = [f for f in INTERVAL_FIGURES if all(f in sc for sc in scopes)]
    cols = [Column(SHORT.get(f, f), [fmt_value(f, sc[f].mean) for sc in scopes])
            for f in figures]
    tables = fit_tables(
        title, keys, cols, width, caption=legend_text([c.header for c in cols], legend),
        sections=sections,
    )
    tables += _spark_table("Service level by hour", hourly_series(s, by_hour), width)
    if "pool" in by_hour:
        tables += pool_hour_tables(s, width)
        if s.pool_hours and "weekday" in by_hour:  # else the pools have rows above
            tables += _spark_table("Each pool's service level by hour", s.pool_hours, width)
    return tables


def pool_hour_tables(s: Summary, width: int | None) -> list[RenderableType]:
    """Each pool by hour of day: which pool misses at which hour. Hours where the pool was
    offered contacts or had staff on duty."""
    rows = [
        (name, h) for name, hours in s.pool_hours.items() for h in range(24)
        if hours[h]["offered"].mean or not math.isnan(hours[h]["occupancy"].mean)
    ]
    if not rows:
        return []
    scopes = [s.pool_hours[name][h] for name, h in rows]
    keys = [Column("pool", [plain(name) for name, _ in rows], "left"),
            Column("hour", [f"{h:02d}:00" for _, h in rows], "left")]
    cols = [Column(SHORT.get(f, f), [fmt_value(f, sc[f].mean) for sc in scopes])
            for f in POOL_HOUR_COLUMNS]
    sections = [i for i in range(1, len(rows)) if rows[i][0] != rows[i - 1][0]]
    legend = dict(LEGEND, SL=f"service level ({within_text(s)})")
    caption = legend_text([c.header for c in cols], legend)
    caption = (f"{caption}; " if caption else "") + (
        "a visit counts in the hour its wait ended (answered or gave up); an "
        "occupancy of - means nobody was on duty (or a bot without a concurrency limit)"
    )
    return fit_tables("Per pool by hour of day (means)", keys, cols, width, caption=caption,
                      sections=sections)


def period_label(s: Summary, p: PeriodScope) -> str:
    """``2027-01-06 Wed``, ``2027-01`` (a month), ``3 Wed`` (day 3 without a start date),
    with `` *`` when only part of the period was measured."""
    period = p.period
    if period.kind == "month" or (period.kind == "week" and period.start is not None):
        text = period.label
    else:
        first = period.start.isoformat() if period.start is not None else str(period.index)
        text = first
        if period.kind == "day":
            text += " " + WEEKDAYS[Calendar.of(s.scenario).weekday(period.t0)]
    return text + (" *" if p.partial else "")


def period_tables(s: Summary, kind: str, width: int | None) -> list[RenderableType]:
    """The figures of each day, week or month (``run --by``)."""
    periods = s.periods.get(kind, [])
    if not periods:
        return []
    figures = _shown({str(i): p.figures for i, p in enumerate(periods)}, PERIOD_FIGURES)
    keys = [Column(kind, [period_label(s, p) for p in periods], "left")]
    cols = [Column(SHORT.get(f, f), [fmt_value(f, p.figures[f].mean) for p in periods])
            for f in figures]
    legend = dict(LEGEND, SL=f"service level ({within_text(s)})")
    caption = legend_text([c.header for c in cols], legend) or ""
    if any(p.partial for p in periods):
        caption += f"{'; ' if caption else ''}* measured for part of the {kind} only"
    return fit_tables(f"By {kind} (means)", keys, cols, width, caption=caption or None)


WORKFORCE_ROWS = [
    "headcount_start", "headcount_end", "hires", "leavers", "fte_on_duty", "paid_hours",
    "productive_hours", "tenure_new", "tenure_nesting", "tenure_proficient", "hire_cost",
]
"""The people of each pool with ``workforce`` over the measured period (``run``)."""
WORKFORCE_SHORT = {
    "headcount_end": "head", "hires": "hires", "leavers": "left", "fte_on_duty": "FTE",
    "tenure_new": "new", "tenure_nesting": "nest.",
}
WORKFORCE_LEGEND = {
    "head": "headcount at the end (employed, in training included)",
    "left": "leavers",
    "FTE": "mean people on duty and paid",
    "new": "in training at the end",
    "nest.": "nesting: inside the learning ramp at the end",
}


def workforce_pools(s: Summary) -> list[str]:
    """The pools with ``workforce`` (the only ones with people figures)."""
    return [name for name, scope in s.pools.items() if "headcount_start" in scope]


def workforce_tables(s: Summary, width: int | None) -> list[RenderableType]:
    """Each workforce pool's people over the measured period, a column per pool (a row
    per figure, as the summary table): nothing when no pool has a workforce."""
    names = workforce_pools(s)
    if not names:
        return []
    key = Column("figure", WORKFORCE_ROWS, "left")
    cols = [Column(name, [fmt_estimate(f, s.pools[name][f]) for f in WORKFORCE_ROWS])
            for name in names]
    caption = (
        "headcount: people employed at the start and end of the measured period, in "
        "training included; fte_on_duty: mean people on duty and paid; tenure at the end: "
        "new (in training), nesting (inside the learning ramp), proficient; hire_cost is "
        "in the pool's cost"
    )
    return fit_tables("Workforce per pool (mean ± 95% CI)", [key], cols, width,
                      caption=caption)


def workforce_period_tables(s: Summary, kind: str, width: int | None) -> list[
    RenderableType
]:
    """Each workforce pool's people and own service per day, week or month (``run --by``):
    a row per period and pool, the periods set apart by rules."""
    periods = s.periods.get(kind, [])
    names = list(periods[0].pools) if periods else []
    if not names:
        return []
    rows = [(p, name) for p in periods for name in names]
    keys = [Column(kind, [period_label(s, p) for p, _ in rows], "left"),
            Column("pool", [plain(name) for _, name in rows], "left")]
    cols = [
        Column(WORKFORCE_SHORT.get(f, SHORT.get(f, f)),
               [fmt_value(f, p.pools[name][f].mean) for p, name in rows])
        for f in WORKFORCE_PERIOD_COLUMNS
    ]
    legend = dict(LEGEND, SL=f"service level ({within_text(s)})", **WORKFORCE_LEGEND)
    caption = legend_text([c.header for c in cols], legend) or ""
    caption += "; the pool's own occupancy and service level"
    sections = [i for i in range(1, len(rows)) if rows[i][0] is not rows[i - 1][0]]
    return fit_tables(f"Workforce by {kind} (means)", keys, cols, width, caption=caption,
                      sections=sections)


def render_summary(
    s: Summary,
    console: Console,
    intraday: bool = True,
    warnings: bool = True,
    by_hour: Sequence[str] = ("all",),
    by: Sequence[str] = (),
) -> None:
    """The run's tables; ``by_hour`` as ``run --by-hour`` (BY_HOUR), ``by`` the kinds of
    period to tabulate (``run --by``)."""
    width = table_width(console)
    within = within_text(s)
    tables = summary_tables(s, width)
    tables += scoped_target_tables(s, width)
    tables += scope_tables("Per pool (means)", "pool", s.pools, POOL_FIGURES, width, within)
    tables += scope_tables(
        "Per inquiry type (means)", "type", s.types, TYPE_FIGURES, width, within
    )
    tables += workforce_tables(s, width)
    for kind in by:
        tables += period_tables(s, kind, width)
        tables += workforce_period_tables(s, kind, width)
    if intraday:
        tables += intraday_tables(s, width, by_hour)
    print_tables(console, tables)
    for w in s.warnings if warnings else []:
        print_message(console, "warning", w)


def print_message(console: Console, label: str, text: object, style: str = "yellow") -> None:
    """``label: text`` with the label styled and the text printed exactly as written
    (it names pools, types and files, which are the user's text, not markup)."""
    console.print(
        f"[{style}]{label}:[/] {plain(text, newlines=True)}", highlight=False, soft_wrap=False
    )


ERLANG_HEADERS = {
    "p_wait": "P(wait)", "wait_mean_s": "wait", "asa_s": "ASA",
    "abandonment_rate": "aband.", "service_level": "SL", "occupancy": "occ.",
}


def erlang_tables(
    rows: list[QueueFigures], within_s: float, needed: int | None, width: int | None
) -> list[RenderableType]:
    model = rows[0].model if rows else "C"
    title = f"Erlang {model}" + (f": {needed} agents needed" if needed is not None else "")
    keys = [
        Column(
            "agents",
            [f"{r.agents}{' *' if needed is not None and r.agents == needed else ''}"
             for r in rows],
        )
    ]
    cols = [
        Column(header, [fmt_value(f, getattr(r, f)) for r in rows])
        for f, header in ERLANG_HEADERS.items()
    ]
    legend = dict(
        LEGEND,
        SL=f"service level ({format_duration(within_s)})",
        wait="mean wait (all arrivals)",
    )
    legend["P(wait)"] = "probability of waiting"
    caption = legend_text([c.header for c in cols], legend)
    if needed is not None:
        caption = f"* fewest agents that meet the target; {caption}"
    return fit_tables(title, keys, cols, width, caption=caption)
