"""Rich tables for people. This package is the only place that imports Rich.

Rendering takes a finished Summary and never computes figures, so what the tables show
is exactly what --json writes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.console import Console, RenderableType

from simdesk.erlang import QueueFigures
from simdesk.experiment import Scope, Summary
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


def hourly_series(s: Summary) -> dict[str, list[Scope]]:
    """By-hour scopes to draw, by name: the desk's today. A per-pool by-hour breakdown
    (when the engine records one) is drawn by adding its series here."""
    return {"desk": s.intervals}


def intraday_tables(s: Summary, width: int | None) -> list[RenderableType]:
    hours = [h for h, scope in enumerate(s.intervals) if scope["offered"].mean]
    figures = [f for f in INTERVAL_FIGURES if all(f in s.intervals[h] for h in hours)]
    keys = [Column("hour", [f"{h:02d}:00" for h in hours], "left")]
    cols = [
        Column(SHORT.get(f, f), [fmt_value(f, s.intervals[h][f].mean) for h in hours])
        for f in figures
    ]
    legend = dict(LEGEND, SL=f"service level ({within_text(s)})")
    tables = fit_tables(
        "By hour of day (all days)", keys, cols, width,
        caption=legend_text([c.header for c in cols], legend),
    )
    series = hourly_series(s)
    names = list(series)
    lines = [
        spark([scope["service_level"].mean for scope in scopes]) for scopes in series.values()
    ]
    tables += fit_tables(
        f"Service level by hour, 00:00 to 23:00 (█ 100%, ▄ 50%, {NO_CONTACTS} no contacts)",
        [Column("", [plain(n) for n in names], "left")],
        [Column("00    06    12    18    ", lines, "left")],
        width,
    )
    return tables


def render_summary(
    s: Summary,
    console: Console,
    intraday: bool = True,
    warnings: bool = True,
) -> None:
    width = table_width(console)
    within = within_text(s)
    tables = summary_tables(s, width)
    tables += scoped_target_tables(s, width)
    tables += scope_tables("Per pool (means)", "pool", s.pools, POOL_FIGURES, width, within)
    tables += scope_tables(
        "Per inquiry type (means)", "type", s.types, TYPE_FIGURES, width, within
    )
    if intraday:
        tables += intraday_tables(s, width)
    print_tables(console, tables)
    for w in s.warnings if warnings else []:
        print_message(console, "warning", w)


def print_message(console: Console, label: str, text: object, style: str = "yellow") -> None:
    """``label: text`` with the label styled and the text printed exactly as written
    (it names pools, types and files, which are the user's text, not markup)."""
    console.print(
        f"[{style}]{label}:[/] {plain(text, newlines=True)}", highlight=False, soft_wrap=True
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
