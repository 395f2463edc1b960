"""The command line's root: the app, ``--version``, ``run`` and ``erlang``; it registers
the other families of commands (each in its own module of this package).

User-input errors (SimdeskError) are caught only at the command line's edge
(``common.user_errors``), printed as ``where: what`` on stderr, and turned into exit code 2
without a traceback.
"""

# No ``from __future__ import annotations`` here: Typer reads every command's annotations
# on any invocation, even --version, and a string annotation costs it a compile each
# (building them took ~45 ms instead of ~10 ms here). Types only helpers use are quoted.

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from typer import _click as click
from typer.core import TyperOption

from simdesk import version_line
from simdesk.cli import checking, experiments, optimize, staffing, suggest
from simdesk.cli.common import Html, Width, cli_runner, user_errors
from simdesk.cli.suggest import SuggestingGroup
from simdesk.defaults import DEFAULT_SL_WITHIN
from simdesk.errors import Problem, SimdeskError
from simdesk.limits import MAX_AGENTS
from simdesk.units import parse_duration, parse_rate

# Commands import their machinery (the engine, numpy, pydantic, Rich's tables) when they
# run: Typer builds every command for any invocation, even --version (bench/startup.py).


class _Group(SuggestingGroup):
    """The suggesting group (suggest.py), whose flags (``--detail``, ``--help``) show
    no ``<bool>`` value in the help: they take none."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None:
            _flags_without_metavar([*cmd.params, cmd.get_help_option(ctx)])
        return cmd

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        _flags_without_metavar(params)
        return params


def _flags_without_metavar(params: Sequence[object]) -> None:
    for p in params:
        if isinstance(p, TyperOption) and p.is_flag and p.metavar is None:
            p.metavar = ""


app = typer.Typer(
    cls=_Group,
    help="Simulate a support desk of AI bots, vendor and in-house agents.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Markdown joins the docstrings' wrapped lines into paragraphs in --help.
    rich_markup_mode="markdown",
)

T = TypeVar("T")


def _version(value: bool) -> None:
    if value:
        typer.echo(version_line())
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """simdesk: how long customers wait, how many give up, how satisfied they are, and
    what it costs, for a desk of AI bots, outsourced vendor agents and in-house agents."""


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write every figure as JSON to PATH.")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Override the scenario's seed.")] = None,
    replications: Annotated[
        int | None, typer.Option(min=1, help="Override the scenario's replications.")
    ] = None,
    intraday: Annotated[
        bool, typer.Option("--intraday/--no-intraday", help="Show the by-hour tables.")
    ] = True,
    by_hour: Annotated[
        list[str] | None,
        typer.Option(
            "--by-hour",
            help="The by-hour table: 'all' (all days together, the default), 'weekday' "
            "(split by weekday) or 'pool' (also each pool by hour: its service level, "
            "wait, abandonment and occupancy); repeat for both. Shown even with "
            "--no-intraday.",
            metavar="all|weekday|pool",
        ),
    ] = None,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            help="Also print the figures of each period: 'day', 'week' or 'month' (month "
            "needs the scenario's 'start' date); repeat for several.",
            metavar="day|week|month",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Local worker processes (default: cores); 1 runs in-process."),
    ] = None,
    executor: Annotated[
        str, typer.Option(help="'local' (process pool) or 'dask' (needs --scheduler).")
    ] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")
    ] = None,
    csv_path: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            help="Also write every figure as CSV to PATH (one row per section, name and "
            "figure: mean, low, high).",
        ),
    ] = None,
    html_path: Html = None,
    width: Width = None,
) -> None:
    """Run a scenario and print waits, abandonment, satisfaction and cost tables."""
    from simdesk.experiment import run_experiment
    from simdesk.loading import load_scenario
    from simdesk.outputs import check_outputs
    from simdesk.render import make_console, print_message, render_summary
    from simdesk.report import json_chunks, summary_json, write_output
    from simdesk.scenario import warnings_for
    from simdesk.tidy import summary_csv
    from simdesk.workload import check_work

    with user_errors():
        hour_views = _choices("--by-hour", by_hour or ["all"], ("all", "weekday", "pool"))
        periods = _choices("--by", by or [], ("day", "week", "month"))
        s = load_scenario(scenario)
        if "month" in periods and s.start is None:
            raise SimdeskError(
                Problem(
                    f"periods by month need a start date: {scenario} has no 'start' (the "
                    "first measured day, e.g. start: 2027-01-04); by day and by week work "
                    "without one",
                    key="--by",
                )
            )
        check_outputs(
            [("--json", json_path), ("--csv", csv_path), ("--html", html_path)], [scenario]
        )
        rep_key = "replications" if replications is None else "--replications"
        check_work(s, replications, str(scenario), rep_key)
        runner = cli_runner(executor, workers, scheduler)
        err = make_console(stderr=True)
        for w in warnings_for(s):  # before the run, which may take a while
            print_message(err, "warning", w)
        summary = run_experiment(s, seed=seed, replications=replications, runner=runner)
        if json_path is not None:
            write_output(json_path, json_chunks(summary_json(summary)))
        if csv_path is not None:
            write_output(csv_path, summary_csv(summary))
        if html_path is not None:
            from simdesk.render.html import summary_html

            write_output(html_path, summary_html(summary))
        render_summary(
            summary, make_console(width=width), intraday=intraday or bool(by_hour),
            warnings=False,
            by_hour=hour_views, by=periods,
        )


def _choices(option: str, given: list[str], allowed: tuple[str, ...]) -> list[str]:
    """The values given to a repeatable option, each one of ``allowed`` (also as
    ``a,b``), in the order given, once each."""
    out: list[str] = []
    for value in given:
        for v in value.split(","):
            v = v.strip().lower()
            if v not in allowed:
                raise SimdeskError(
                    Problem(f"expected one of {', '.join(allowed)}, got {v!r}", key=option)
                )
            if v not in out:
                out.append(v)
    return out


def _parse(kind: str, value: str, parser: Callable[[str], T]) -> T:
    try:
        return parser(value)
    except ValueError as exc:
        raise SimdeskError(Problem(str(exc), key=kind)) from exc


@app.command()
def erlang(
    rate: Annotated[str, typer.Option(help="Arrival rate with a unit, e.g. 200/h.")],
    handle: Annotated[str, typer.Option(help="Mean handle time, e.g. 3m.")],
    agents: Annotated[
        int | None, typer.Option(min=1, help="Staff to evaluate; omit to find the staff needed.")
    ] = None,
    patience: Annotated[
        str | None,
        typer.Option(help="Mean patience (exponential), e.g. 2m: Erlang A; omit for Erlang C."),
    ] = None,
    within: Annotated[
        str, typer.Option(help="Service-level threshold.")
    ] = f"{DEFAULT_SL_WITHIN:g}s",
    at_least: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Service level to reach when staffing.")
    ] = 0.8,
    max_abandonment: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="Also cap abandonment (Erlang A).")
    ] = None,
    width: Width = None,
) -> None:
    """Answer the Erlang C / Erlang A formulas directly: figures for a staff, or the staff
    needed for a service-level target."""
    from simdesk.erlang import QueueFigures, agents_for_target, erlang_a, erlang_c
    from simdesk.render import erlang_tables, make_console
    from simdesk.render.layout import print_tables, table_width

    with user_errors():
        lam = _parse("--rate", rate, parse_rate)
        mean = _parse("--handle", handle, parse_duration)
        t = _parse("--within", within, parse_duration)
        pat = _parse("--patience", patience, parse_duration) if patience else None
        if mean <= 0:
            raise SimdeskError(Problem("must be positive", key="--handle"))
        # The formulas sum over the agents (and the staffing search walks up from the
        # offered load), so a typo of three zeros would run for hours: refuse it.
        if agents is not None and agents > MAX_AGENTS:
            raise SimdeskError(
                Problem(f"{agents:,} agents asked; at most {MAX_AGENTS:,}", key="--agents")
            )
        if agents is None and not lam * mean <= MAX_AGENTS:
            raise SimdeskError(
                Problem(
                    f"the offered load is about {lam * mean:,.0f} agents' worth of work; "
                    f"at most {MAX_AGENTS:,} agents can be staffed",
                    key="--rate",
                )
            )
        try:
            rows: list[QueueFigures]
            if agents is not None:
                if pat is None:
                    rows = [erlang_c(agents, lam, mean, t)]
                else:
                    rows = [erlang_a(agents, lam, mean, pat, t)]
            else:
                best = agents_for_target(lam, mean, t, at_least, pat, max_abandonment)
                rows = []
                for n in range(max(1, best.agents - 2), best.agents + 3):
                    try:
                        rows.append(
                            erlang_c(n, lam, mean, t)
                            if pat is None
                            else erlang_a(n, lam, mean, pat, t)
                        )
                    except ValueError:
                        continue
        except ValueError as exc:
            raise SimdeskError(Problem(str(exc))) from exc
        needed = None if agents is not None else best.agents
        console = make_console(width=width)
        print_tables(console, erlang_tables(rows, t, needed, table_width(console)))


# Further families of commands live in their own modules; each adds its commands here.
experiments.register(app)
checking.register(app)
optimize.register(app)
staffing.register(app)
suggest.use_suggestions(app)  # "Did you mean --json?" for every command's options
app.info.cls = _Group  # keeps the suggestions (a subclass) and drops <bool> from flags


def main() -> None:
    # Importing numpy starts OpenBLAS's thread pool, a thread per core that spins for a
    # while: CPU time on every run, for linear algebra simdesk never does. One thread,
    # unless the user asked for more.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
