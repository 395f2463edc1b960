"""Analysts' commands (compare, sweep). Registered on the main app by ``register``.

Exit codes: 0 fine, 1 a replication failed
(the others are still reported), 2 input error (nothing ran), 130 interrupted (a sweep
keeps the points already finished).
"""

# No ``from __future__ import annotations`` here: Typer reads every command's annotations
# on any invocation, even --version, and a string annotation costs it a compile each
# (building them took ~45 ms instead of ~10 ms here). Types only helpers use are quoted.

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

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
    interrupted_exit,
    print_stderr,
    print_warnings,
    report_failure,
    user_errors,
    user_text,
)
from simdesk.errors import Problem, SimdeskError

if TYPE_CHECKING:
    from simdesk.parallel import Executor
    from simdesk.scenario import Scenario
    from simdesk.sweep import PointResult, SweepPlan, SweepRun

# The machinery (the engine, numpy, pydantic, Rich's tables) is imported inside the
# commands: Typer builds every command for any invocation, even --version.

CHECKPOINT_INTERVAL_S = 1.0
"""A sweep rewrites its --csv/--json at most this often while it runs, so a crash or a
kill keeps the finished points too, without rewriting a big file after every point."""

def _variants(
    scenarios: list[Path], sets: list[str], seed: int | None, replications: int | None
) -> "tuple[list[Scenario], list[str], list[str] | None]":
    """The scenarios to compare, their files, and labels (None: from the scenarios' names).

    With ``--set``, one file and its variants: the grid of the ``--set`` values, built and
    validated as ``sweep`` builds its points, after the file itself as the baseline."""
    from simdesk.loading import load_scenario
    from simdesk.sweep import parse_set, plan_sweep
    from simdesk.workload import check_grid
    from simdesk.yamlload import load_yaml

    if not sets:
        if len(scenarios) < 2:
            raise SimdeskError(
                Problem("give at least two scenario files to compare, or one file and --set")
            )
        loaded: list[Scenario] = []
        problems: list[Problem] = []
        for path in scenarios:
            try:
                loaded.append(load_scenario(path))
            except SimdeskError as exc:
                problems.extend(exc.problems)
        if problems:
            raise SimdeskError(problems)
        return loaded, [str(p) for p in scenarios], None
    if len(scenarios) != 1:
        raise SimdeskError(
            Problem("--set makes variants of one scenario file; give exactly one", key="--set")
        )
    base = load_scenario(scenarios[0])
    check_grid([len(parse_set(spec).values) for spec in sets])
    plan = plan_sweep(load_yaml(scenarios[0]), sets, seed=seed, replications=replications)
    variants = [p.scenario for p in plan.points]
    labels = [base.name, *(p.label for p in plan.points)]
    return [base, *variants], [str(scenarios[0])] * len(labels), labels


def compare(
    scenarios: Annotated[
        list[Path],
        typer.Argument(
            help="Two or more scenario files (the first is the baseline), or one file with "
            "--set variants."
        ),
    ],
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="KEY=VALUES: compare the one scenario file with its variants, as sweep's "
            "--set (pools.inhouse.agents=30 or =25,30). Repeat to change several keys.",
        ),
    ] = None,
    detail: Annotated[
        bool,
        typer.Option("--detail", help="Also show every pool's and inquiry type's differences."),
    ] = False,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the comparison as JSON to PATH.")
    ] = None,
    csv_path: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            help="Also write every figure and difference as CSV to PATH (one row per "
            "scenario, section, name and figure).",
        ),
    ] = None,
    html_path: Html = None,
    seed: Seed = None,
    replications: Replications = None,
    workers: Workers = None,
    executor: ExecutorName = "local",
    scheduler: Scheduler = None,
    width: Width = None,
) -> None:
    """Compare scenarios side by side with common random numbers: each figure's mean and 95%
    interval, and the paired difference from the first scenario, marked where it is clear."""
    from simdesk.compare import compare_json, run_compare
    from simdesk.outputs import check_outputs
    from simdesk.parallel import TaskFailed, make_executor
    from simdesk.render import make_console
    from simdesk.render.experiments import compare_tables
    from simdesk.render.layout import print_tables, table_width
    from simdesk.render.progress import ProgressBar
    from simdesk.report import dumps, write_output
    from simdesk.scenario import warnings_for
    from simdesk.tidy import compare_csv
    from simdesk.workload import check_batch

    with user_errors():
        loaded, files, labels = _variants(scenarios, sets or [], seed, replications)
        check_outputs(
            [("--json", json_path), ("--csv", csv_path), ("--html", html_path)], scenarios
        )
        n = loaded[0].replications if replications is None else replications
        check_batch(
            [(s, f, "") for s, f in zip(loaded, files, strict=True)],
            n,
            "replications" if replications is None else "--replications",
        )
        chosen = make_executor(executor, workers, scheduler)
        print_warnings([(s.name, w) for s in loaded for w in warnings_for(s)])
        n = loaded[0].replications if replications is None else replications
        with ProgressBar(n * len(loaded), "compare") as bar:
            try:
                result = run_compare(
                    loaded,
                    files,
                    chosen,
                    seed=seed,
                    replications=replications,
                    on_done=lambda _i, _o: bar.advance(),
                    labels=labels,
                )
            except TaskFailed as exc:
                bar.stop()
                raise report_failure(exc) from None
            except KeyboardInterrupt as exc:
                bar.stop()
                raise interrupted_exit(exc) from None
        if json_path is not None:
            write_output(json_path, dumps(compare_json(result)))
        if csv_path is not None:
            write_output(csv_path, compare_csv(result))
        if html_path is not None:
            from simdesk.render.html import compare_html

            write_output(html_path, compare_html(result))
        console = make_console(width=width)
        print_tables(console, compare_tables(result, table_width(console), detail=detail))


class _Outputs:
    """The sweep's --csv / --json files, rewritten as points finish (at most once per
    CHECKPOINT_INTERVAL_S) and once more at the end, always atomically."""

    def __init__(
        self,
        plan: "SweepPlan",
        csv_path: Path | None,
        json_path: Path | None,
        figures: list[str] | None = None,
    ) -> None:
        self.plan = plan
        self.csv_path = csv_path
        self.json_path = json_path
        self.figures = figures or []
        self._last = -float("inf")

    @property
    def paths(self) -> list[Path]:
        return [p for p in (self.csv_path, self.json_path) if p is not None]

    def write(self, results: "list[PointResult]", complete: bool) -> None:
        from simdesk.report import dumps, write_output
        from simdesk.sweep import sweep_csv, sweep_json

        if self.csv_path is not None:
            write_output(self.csv_path, sweep_csv(self.plan, results, self.figures))
        if self.json_path is not None:
            write_output(self.json_path, dumps(sweep_json(self.plan, results, complete=complete)))
        self._last = time.monotonic()

    def checkpoint(self, run: "SweepRun") -> None:
        if self.paths and time.monotonic() - self._last >= CHECKPOINT_INTERVAL_S:
            self.write(run.finished(), complete=False)


def _run_sweep(run: "SweepRun", chosen: "Executor", outputs: "_Outputs") -> bool:
    """Run the sweep; True when it finished, False when it was interrupted (Ctrl-C)."""
    from simdesk.render.progress import ProgressBar

    with ProgressBar(len(run.tasks), "sweep") as bar:

        def on_task() -> None:
            bar.advance()

        def on_point(_result: "PointResult") -> None:
            outputs.checkpoint(run)

        try:
            run.execute(chosen, on_task=on_task, on_point=on_point)
        except KeyboardInterrupt:
            bar.stop()
            return False
    return True


def sweep(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file to vary.")],
    sets: Annotated[
        list[str],
        typer.Option(
            "--set",
            help="KEY=VALUES: a key path (pools.inhouse.agents, demand.arrival_rate, ...) and "
            "a range start:stop:step (both ends included) or a comma list. Repeat for a grid.",
        ),
    ],
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Write one row per point as CSV to PATH.")
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write one entry per point as JSON to PATH.")
    ] = None,
    html_path: Html = None,
    figures: Annotated[
        list[str] | None,
        typer.Option(
            "--figure",
            help="A figure to show instead of the main ones, in the table, CSV and report: "
            "service_level, pools.NAME.FIGURE or types.NAME.FIGURE. Repeatable.",
        ),
    ] = None,
    seed: Seed = None,
    replications: Replications = None,
    workers: Workers = None,
    executor: ExecutorName = "local",
    scheduler: Scheduler = None,
    width: Width = None,
) -> None:
    """Run a grid of variations of one scenario with common random numbers: one row per
    point with each main figure's mean and 95% interval. Every point is validated first."""
    from simdesk.outputs import check_outputs
    from simdesk.parallel import make_executor
    from simdesk.render import make_console
    from simdesk.render.experiments import sweep_tables
    from simdesk.render.layout import print_tables, table_width
    from simdesk.report import write_output
    from simdesk.scenario import warnings_for
    from simdesk.sweep import SweepRun, check_figure_keys, parse_set, plan_sweep
    from simdesk.workload import check_batch, check_grid
    from simdesk.yamlload import load_yaml

    with user_errors():
        data = load_yaml(scenario)
        check_outputs(
            [("--csv", csv_path), ("--json", json_path), ("--html", html_path)], [scenario]
        )
        check_grid([len(parse_set(spec).values) for spec in sets])
        plan = plan_sweep(data, sets, seed=seed, replications=replications)
        chosen_figures = check_figure_keys(figures, plan.base) if figures else None
        check_batch(
            [(p.scenario, str(scenario), p.label) for p in plan.points],
            plan.replications,
            "replications" if replications is None else "--replications",
        )
        chosen = make_executor(executor, workers, scheduler)
        print_warnings([(p.label, w) for p in plan.points for w in warnings_for(p.scenario)])
        outputs = _Outputs(plan, csv_path, json_path, chosen_figures)
        outputs.write([], complete=False)  # unwritable paths fail before anything runs
        run = SweepRun(plan)
        finished = _run_sweep(run, chosen, outputs)
        results = run.finished()
        outputs.write(results, complete=finished)
        if html_path is not None:
            from simdesk.render.html import sweep_html

            write_output(html_path, sweep_html(plan, results, chosen_figures))
        console = make_console(width=width)
        print_tables(console, sweep_tables(plan, results, table_width(console), chosen_figures))
        if not finished:
            where = (
                "written to " + ", ".join(str(p) for p in outputs.paths)
                if outputs.paths
                else "shown above"
            )
            print_stderr(
                f"[yellow]interrupted:[/] {run.done} of {run.total} points done; "
                f"the finished points are {user_text(where)}"
            )
            raise typer.Exit(EXIT_INTERRUPTED)
        if run.failed:
            print_stderr(f"[bold red]error:[/] {run.failed} of {run.total} points failed:")
            for res in results:
                if not res.ok:
                    print_stderr(f"  {user_text(res.point.label)}: {user_text(res.error)}")
            raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the CLI."""
    app.command()(compare)
    app.command()(sweep)
