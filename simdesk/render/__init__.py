"""Rich tables for people. This package is the only place that imports Rich.

Rendering takes a finished Summary and never computes figures, so what the tables show
is exactly what --json writes.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from simdesk.confidence import Estimate
from simdesk.erlang import QueueFigures
from simdesk.experiment import Scope, Summary
from simdesk.render.text import plain
from simdesk.targets import TargetVerdict
from simdesk.units import format_duration

Fmt = Callable[[float], str]


def _count(x: float) -> str:
    return f"{x:,.0f}"


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _secs(x: float) -> str:
    return f"{x:,.1f}s"


def _score(x: float) -> str:
    return f"{x:.2f}"


def _money(x: float) -> str:
    return f"{x:,.2f}"


def _ratio(x: float) -> str:
    return f"{x:.3f}"


FORMATS: dict[str, Fmt] = {
    "offered": _count,
    "handled": _count,
    "abandoned": _count,
    "in_system": _count,
    "overflowed": _count,
    "contained": _count,
    "escalated": _count,
    "repeat_contacts": _count,
    "resolved": _count,
    "abandonment_rate": _pct,
    "p_wait": _pct,
    "wait_mean_s": _secs,
    "wait_queued_mean_s": _secs,
    "asa_s": _secs,
    "wait_p50_s": _secs,
    "wait_p90_s": _secs,
    "wait_p95_s": _secs,
    "service_level": _pct,
    "occupancy": _pct,
    "csat_mean": _score,
    "csat_satisfied": _pct,
    "cost_total": _money,
    "cost_per_contact": _money,
}


def fmt_value(figure: str, x: float | None) -> str:
    if x is None or math.isnan(x):
        return "-"
    return FORMATS.get(figure, _ratio)(x)


def fmt_estimate(figure: str, e: Estimate) -> str:
    """Mean, with the 95% half-width when there are replications to give one."""
    text = fmt_value(figure, e.mean)
    if e.ci95 is not None and text != "-" and not math.isnan(e.half_width):
        half = e.half_width
        text += f" ± {fmt_value(figure, half).lstrip('+')}"
    return text


SKIP_IF_ZERO = {
    "overflowed", "contained", "escalated", "repeat_contacts", "cost_total", "cost_per_contact",
}


def summary_table(s: Summary) -> Table:
    sl = s.scenario.targets.service_level
    within = format_duration(sl.within if sl else 20.0)
    title = f"{plain(s.scenario.name)}: {s.replications} replication(s), seed {s.seed}"
    t = Table(title=title, title_justify="left")
    t.add_column("figure")
    t.add_column("simulated (mean ± 95% CI)", justify="right")
    has_erlang = s.erlang is not None
    if has_erlang:
        t.add_column(f"Erlang {s.erlang.model if s.erlang else ''}", justify="right")
    t.add_column("target")
    erl = {}
    if s.erlang is not None:
        e = s.erlang
        erl = {
            "p_wait": e.p_wait,
            "wait_mean_s": e.wait_mean_s,
            "wait_queued_mean_s": e.wait_mean_s / e.p_wait if e.p_wait else math.nan,
            "asa_s": e.asa_s,
            "abandonment_rate": e.abandonment_rate,
            "service_level": e.service_level,
            "occupancy": e.occupancy,
        }
    verdicts = {v.figure: v for v in s.targets}
    labels = {"service_level": f"service_level ({within})"}
    for figure, est in s.totals.items():
        if figure in SKIP_IF_ZERO and not est.mean and figure not in verdicts:
            continue  # nothing to say (no bot, no overflow, no costs): keep the table short
        row = [labels.get(figure, figure), fmt_estimate(figure, est)]
        if has_erlang:
            row.append(fmt_value(figure, erl.get(figure)) if figure in erl else "")
        v = verdicts.get(figure)
        if v is None:
            row.append("")
        else:
            row.append(target_cell(v))
        t.add_row(*row)
    return t


def target_cell(v: TargetVerdict) -> str:
    """``met >= 80% within 20s``; a target meaningless in this run says so and why, rather
    than "met" (an overloaded desk without patience has 0% abandonment by construction)."""
    if v.met is None:
        return f"[yellow]n/a ({plain(v.why or 'not applicable')})[/] {v.goal}"
    return f"[green]met[/] {v.goal}" if v.met else f"[red]missed[/] {v.goal}"


OPTIONAL = {"contained", "escalated", "cost_total", "cost_per_contact"}


def _shown(scopes: dict[str, Scope], figures: list[str]) -> list[str]:
    """Leave out bot and cost columns that are empty for every row, to fit 80 columns."""
    def empty(f: str) -> bool:
        return all(not scope[f].mean or math.isnan(scope[f].mean) for scope in scopes.values())

    return [f for f in figures if f not in OPTIONAL or not empty(f)]


def scope_table(title: str, key: str, scopes: dict[str, Scope], figures: list[str]) -> Table:
    figures = _shown(scopes, figures)
    t = Table(title=title, title_justify="left")
    t.add_column(key)
    for f in figures:
        t.add_column(SHORT.get(f, f), justify="right")
    for name, scope in scopes.items():
        t.add_row(plain(name), *(fmt_value(f, scope[f].mean) for f in figures))
    return t


POOL_FIGURES = [
    "offered", "handled", "abandoned", "contained", "escalated", "asa_s",
    "service_level", "occupancy", "cost_total",
]
SHORT = {
    "offered": "offered", "handled": "handled", "abandoned": "abandoned",
    "contained": "contained", "escalated": "escalated", "asa_s": "ASA",
    "service_level": "SL", "occupancy": "occ.", "cost_total": "cost",
    "abandonment_rate": "aband.", "wait_mean_s": "wait", "wait_p90_s": "p90 wait",
    "csat_mean": "CSAT", "cost_per_contact": "cost/contact",
}
TYPE_FIGURES = [
    "offered", "abandonment_rate", "contained", "wait_mean_s", "wait_p90_s",
    "service_level", "csat_mean", "cost_per_contact",
]
INTERVAL_FIGURES = [
    "offered", "abandonment_rate", "asa_s", "wait_p90_s", "service_level", "occupancy",
    "csat_mean",
]


def intraday_table(s: Summary) -> Table:
    t = Table(title="By hour of day (all days)", title_justify="left")
    t.add_column("hour")
    for f in INTERVAL_FIGURES:
        t.add_column(SHORT.get(f, f), justify="right")
    for h, scope in enumerate(s.intervals):
        if not scope["offered"].mean:
            continue
        t.add_row(f"{h:02d}:00", *(fmt_value(f, scope[f].mean) for f in INTERVAL_FIGURES))
    return t


def render_summary(
    s: Summary, console: Console, intraday: bool = True, warnings: bool = True
) -> None:
    console.print(summary_table(s))
    console.print(scope_table("Per pool (means)", "pool", s.pools, POOL_FIGURES))
    console.print(scope_table("Per inquiry type (means)", "type", s.types, TYPE_FIGURES))
    if intraday:
        console.print(intraday_table(s))
    for w in s.warnings if warnings else []:
        print_message(console, "warning", w)


def make_console(stderr: bool = False, width: int | None = None) -> Console:
    return Console(stderr=stderr, width=width)


def print_message(console: Console, label: str, text: object, style: str = "yellow") -> None:
    """``label: text`` with the label styled and the text printed exactly as written
    (it names pools, types and files, which are the user's text, not markup)."""
    console.print(
        f"[{style}]{label}:[/] {plain(text, newlines=True)}", highlight=False, soft_wrap=True
    )


def erlang_table(rows: list[QueueFigures], within_s: float, needed: int | None) -> Table:
    model = rows[0].model if rows else "C"
    title = f"Erlang {model}" + (f": {needed} agents needed" if needed is not None else "")
    t = Table(title=title, title_justify="left")
    for col in ("agents", "p_wait", "wait_mean_s", "asa_s", "abandonment_rate",
                f"service_level ({format_duration(within_s)})", "occupancy"):
        t.add_column(col, justify="right")
    for r in rows:
        mark = " *" if needed is not None and r.agents == needed else ""
        t.add_row(
            f"{r.agents}{mark}",
            fmt_value("p_wait", r.p_wait),
            fmt_value("wait_mean_s", r.wait_mean_s),
            fmt_value("asa_s", r.asa_s),
            fmt_value("abandonment_rate", r.abandonment_rate),
            fmt_value("service_level", r.service_level),
            fmt_value("occupancy", r.occupancy),
        )
    return t
