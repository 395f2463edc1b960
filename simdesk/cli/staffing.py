"""``simdesk staff`` (intraday staffing by ISA) and ``simdesk roster`` (shifts by integer
programming): parse, check, run, render. The work is in simdesk/intraday.py and
simdesk/roster.py.

Exit codes: 0 every interval and the whole run meet the targets; 1 they do not after the
last round (what still misses is printed), the shift rules cannot cover a requirement, or
a replication failed; 2 input error (nothing ran); 130 interrupted.
"""

# No ``from __future__ import annotations`` here: Typer reads every command's annotations
# on any invocation, even --version, and a string annotation costs it a compile each
# (building them took ~45 ms instead of ~10 ms here). Types only helpers use are quoted.

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from simdesk.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    ExecutorName,
    Html,
    Replications,
    Scheduler,
    Seed,
    Width,
    Workers,
    print_stderr,
    print_warnings,
    report_failure,
    user_errors,
    user_text,
)
from simdesk.errors import Problem, SimdeskError
from simdesk.units import format_duration, parse_duration

if TYPE_CHECKING:
    from simdesk.intraday import IsaResult, Planner, StaffingResult
    from simdesk.scenario import Scenario

# The staffing machinery, the engine and Rich's tables are imported when a command runs:
# Typer builds every command for any invocation, even --version.

Pool = Annotated[str, typer.Option("--pool", help="The pool of people to staff.")]
Interval = Annotated[
    str,
    typer.Option(
        "--interval",
        help="Interval length; must divide an hour (60m, 30m, 20m, 15m; 5m at the "
        "finest). Each interval is measured, staffed and judged on its own.",
    ),
]
DaysOpt = Annotated[
    str,
    typer.Option(
        "--days", help="Days the pool works (mon-fri, sat,sun, all); the same staff each day."
    ),
]
Write = Annotated[
    Path | None, typer.Option("--write", help="Write the scenario with the pool's new shifts.")
]
JsonPath = Annotated[
    Path | None, typer.Option("--json", help="Write required vs scheduled per interval as JSON.")
]


def _duration(text: str, option: str) -> float:
    try:
        return parse_duration(text.strip())
    except ValueError as exc:
        raise SimdeskError(Problem(str(exc), key=option)) from None


def _days(text: str) -> tuple[int, ...]:
    from simdesk.scenario import parse_days

    try:
        return parse_days(text)
    except ValueError as exc:
        raise SimdeskError(Problem(str(exc), key="--days")) from None


def _check_scenario(base: "Scenario", pool: str, file: str, replications: int) -> None:
    names = [p.name for p in base.pools]
    if pool not in names:
        raise SimdeskError(
            Problem(f"unknown pool {pool!r}; expected one of: {', '.join(names)}", key="--pool")
        )
    if base.pool(pool).is_bot:
        raise SimdeskError(
            Problem(
                f"pool {pool!r} is a bot; staff a pool of people (its concurrency is "
                "searched by simdesk optimize)",
                key="--pool",
            )
        )
    t = base.targets
    if t.service_level is None and t.max_abandonment is None and t.min_satisfaction is None:
        raise SimdeskError(
            Problem(
                "the scenario states no target an interval can be judged on; add "
                "targets.service_level, max_abandonment or min_satisfaction",
                file,
                None,
                "targets",
            )
        )
    if replications < 2:
        raise SimdeskError(
            Problem(
                "a one-sided 95% bound needs at least 2 replications; set replications "
                "in the scenario or give --replications",
                key="--replications",
            )
        )


def _staffing_warnings(base: "Scenario") -> list[tuple[str, str]]:
    from simdesk.scenario import warnings_for

    out = [("", w) for w in warnings_for(base)]
    if base.demand.weekday is not None and base.horizon > 86400:
        out.append(
            (
                "demand.weekday",
                "the staffing is one per interval of the day, the same on every staffed "
                "day; the days' loads are averaged and each interval is judged over all "
                "days",
            )
        )
    return out


def _run(
    command: str,
    scenario: Path,
    pool: str,
    interval: str,
    days: str,
    write: Path | None,
    json_path: Path | None,
    seed: int | None,
    replications: int | None,
    workers: int | None,
    executor: str,
    scheduler: str | None,
    make_planner: Any,
    start_from: str = "isa",
    rules_json: dict[str, Any] | None = None,
    html_path: Path | None = None,
    width: int | None = None,
) -> None:
    """Shared by both commands: ISA (or Erlang on arrival rates) for the requirement, then
    plan, simulate and raise until every interval meets the targets."""
    from simdesk.intraday import (
        DayGrid,
        StaffingDesk,
        arrival_requirements,
        check_interval,
        isa,
        load_task,
        meet_targets,
        staffing_json,
        staffing_yaml,
    )
    from simdesk.loading import scenario_from_document
    from simdesk.outputs import check_outputs
    from simdesk.parallel import TaskFailed, kept_open, make_executor, make_runner
    from simdesk.render.layout import make_console, print_tables, table_width
    from simdesk.render.staffing import (
        StaffingProgress,
        day_tables,
        intervals_tables,
        result_line,
    )
    from simdesk.report import dumps, write_output
    from simdesk.roster import Uncoverable
    from simdesk.yamlload import load_yaml

    doc = load_yaml(scenario)
    base = scenario_from_document(doc)
    seconds = _duration(interval, "--interval")
    check_interval(seconds)
    grid = DayGrid(seconds, _days(days))
    seed_used = base.seed if seed is None else seed
    reps = base.replications if replications is None else replications
    _check_scenario(base, pool, doc.file, reps)
    planner: Planner = make_planner(grid)
    check_outputs(
        [("--write", write), ("--json", json_path), ("--html", html_path)], [scenario]
    )
    chosen = make_executor(executor, workers, scheduler)
    print_warnings(_staffing_warnings(base))
    isa_result: IsaResult | None = None
    result: StaffingResult | None = None
    with StaffingProgress(command) as progress:
        desk = StaffingDesk(
            doc,
            base,
            pool,
            grid,
            make_runner(chosen, lambda _i, _o: progress.run_done(), fn=load_task(grid)),
            seed=seed_used,
            replications=reps,
            on_trial=progress.trial_done,
        )
        try:
            with kept_open(chosen):
                estimate = grid.expand(
                    arrival_requirements(base, pool, grid.days, start_from == "isa")
                )
                if start_from == "isa":
                    isa_result = isa(desk, estimate)
                    requirement = isa_result.staff
                else:
                    requirement = estimate
                result = meet_targets(desk, requirement, planner)
        except TaskFailed as exc:
            progress.stop()
            raise report_failure(exc) from None
        except Uncoverable as exc:
            progress.stop()
            print_stderr(f"[bold red]not coverable:[/] {user_text(exc)}")
            raise typer.Exit(EXIT_FAILED) from None
        except KeyboardInterrupt:
            progress.stop()
            print_stderr(
                f"[yellow]interrupted[/] after {desk.runs} simulation runs; nothing written"
            )
            raise typer.Exit(EXIT_INTERRUPTED) from None
    if json_path is not None:
        doc_json = staffing_json(
            result, desk, kind=command, isa_result=isa_result, rules=rules_json
        )
        write_output(json_path, dumps(doc_json))
    if html_path is not None:
        from simdesk.render.search_html import staffing_html

        page = staffing_html(
            result,
            grid,
            scenario=base.name,
            pool=pool,
            kind=command,
            seed=seed_used,
            replications=reps,
            runs=desk.runs,
            isa_staff=None if isa_result is None else isa_result.staff,
        )
        write_output(html_path, page)
    if write is not None:
        if result.status == "met":
            write_output(write, staffing_yaml(desk, result, command))
        else:
            print_stderr(
                f"[yellow]note:[/] {user_text(write)} not written: the targets are not met"
            )
    console = make_console(width=width)
    fit = table_width(console)
    shown = None if isa_result is None else isa_result.staff
    print_tables(console, intervals_tables(result, grid, pool, shown, fit))
    print_tables(console, day_tables(result, pool, fit))
    if isa_result is not None and not isa_result.converged:
        print_stderr(
            f"[yellow]note:[/] ISA had not settled after {len(isa_result.history)} "
            "iterations; the targets loop started from its last staffing"
        )
    iterations = None if isa_result is None else len(isa_result.history)
    # Wrapped at spaces to the width (never inside a name); as is when redirected.
    console.print(result_line(result, desk.runs, iterations, grid), highlight=False)
    if result.status != "met":
        raise typer.Exit(EXIT_FAILED)


def staff(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    pool: Pool,
    interval: Interval = "60m",
    days: DaysOpt = "all",
    write: Write = None,
    json_path: JsonPath = None,
    html_path: Html = None,
    seed: Seed = None,
    replications: Replications = None,
    workers: Workers = None,
    executor: ExecutorName = "local",
    scheduler: Scheduler = None,
    width: Width = None,
) -> None:
    """Staff one pool per interval of the day so that every interval meets the targets,
    by simulation: the iterative staffing algorithm (simulate, measure each interval's
    load, staff it by Erlang C/A, repeat until the staffing settles), then one agent more
    wherever an interval still misses. Written as one block of shifts per staffing level."""
    from simdesk.intraday import interval_planner

    with user_errors():
        _run(
            "staff", scenario, pool, interval, days, write, json_path, seed, replications,
            workers, executor, scheduler, interval_planner, html_path=html_path, width=width,
        )  # fmt: skip


def _lengths(values: list[str]) -> tuple[float, ...]:
    out: list[float] = []
    for v in values:
        for part in v.split(","):
            if part.strip():
                out.append(_duration(part, "--lengths"))
    return tuple(out)


def roster(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    pool: Pool,
    lengths: Annotated[
        list[str],
        typer.Option("--lengths", help="Shift lengths, break included: 8h, or 8h,6h (repeatable)."),
    ],
    starts: Annotated[
        str, typer.Option("--starts", help="Shifts start every this long from 00:00 (30m).")
    ] = "30m",
    min_agents: Annotated[
        int, typer.Option("--min", help="Fewest agents on a shift that is used.")
    ] = 1,
    max_agents: Annotated[int, typer.Option("--max", help="Most agents on one shift.")] = 1000,
    break_: Annotated[
        str, typer.Option("--break", help="One unpaid break in the middle of each shift (30m).")
    ] = "0m",
    requirements: Annotated[
        str,
        typer.Option(
            "--requirements",
            help="isa: by simulation (default); erlang: Erlang C on arrival rates (the "
            "two-step method), then raised by simulation where an interval misses.",
        ),
    ] = "isa",
    interval: Interval = "60m",
    days: DaysOpt = "all",
    write: Write = None,
    json_path: JsonPath = None,
    html_path: Html = None,
    seed: Seed = None,
    replications: Replications = None,
    workers: Workers = None,
    executor: ExecutorName = "local",
    scheduler: Scheduler = None,
    width: Width = None,
) -> None:
    """Choose shifts at least cost (integer programming, HiGHS) that cover the staff each
    interval needs, simulate the roster, raise the requirement where an interval still
    misses its targets, and repeat until the roster meets them."""
    from simdesk.loading import scenario_from_document
    from simdesk.roster import ShiftRules, require_milp, roster_planner
    from simdesk.yamlload import load_yaml

    with user_errors():
        if requirements not in ("isa", "erlang"):
            raise SimdeskError(
                Problem(f"expected isa or erlang; got {requirements!r}", key="--requirements")
            )
        require_milp()
        base = scenario_from_document(load_yaml(scenario))
        names = [p.name for p in base.pools]
        per_hour = base.pool(pool).cost.per_hour if pool in names else 0.0
        rules = ShiftRules(
            lengths=_lengths(lengths),
            start_every=_duration(starts, "--starts"),
            min_agents=min_agents,
            max_agents=max_agents,
            break_s=_duration(break_, "--break"),
            days=_days(days),
            cost_per_hour=per_hour,
        )
        problems = rules.problems()
        if problems:
            raise SimdeskError(problems)
        rules_json = {
            "lengths": [format_duration(x) for x in rules.lengths],
            "starts_every": format_duration(rules.start_every),
            "min_agents": rules.min_agents,
            "max_agents": rules.max_agents,
            "break": format_duration(rules.break_s),
            "requirements": requirements,
        }
        _run(
            "roster", scenario, pool, interval, days, write, json_path, seed, replications,
            workers, executor, scheduler, lambda grid: roster_planner(rules, grid),
            requirements, rules_json, html_path, width,
        )  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add ``staff`` and ``roster`` to the CLI."""
    app.command()(staff)
    app.command()(roster)
