"""``simdesk optimize``: parse, check, search, render. The search is simdesk/optimize.py.

Exit codes: 0 an answer that meets the targets; 1 no point of the range meets them (the
closest point and the binding target are printed), or a replication failed; 2 input error
(nothing ran); 130 interrupted (the cheapest point meeting the targets so far is printed).
"""

# No ``from __future__ import annotations`` here: Typer reads every command's annotations
# on any invocation, even --version, and a string annotation costs it a compile each
# (building them took ~45 ms instead of ~10 ms here). Types only helpers use are quoted.

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
    print_stderr,
    print_warnings,
    report_failure,
    user_errors,
    user_text,
)
from simdesk.errors import Problem, SimdeskError

if TYPE_CHECKING:
    from simdesk.optimize import Dimension, OptimizeResult
    from simdesk.yamlload import LocatedDocument

# The search, the engine and Rich's tables are imported when the command runs: Typer
# builds every command for any invocation, even --version.


def _check_corners(doc: "LocatedDocument", dims: "list[Dimension]") -> None:
    """The lowest and highest point of the range must be valid scenarios (so a value the
    format rejects fails now, in a second, naming the key)."""
    from simdesk.loading import scenario_from_data
    from simdesk.optimize import point_data

    for corner in (tuple(0 for _ in dims), tuple(len(d.values) - 1 for d in dims)):
        try:
            scenario_from_data(point_data(doc, dims, corner), doc.file)
        except SimdeskError as exc:
            keys = ", ".join(d.key for d in dims)
            raise SimdeskError(
                [
                    Problem(p.message, p.file, p.line, f"--vary {keys}: {p.key}")
                    for p in exc.problems
                ]
            ) from None


def optimize(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file whose staffing to find.")],
    vary: Annotated[
        list[str],
        typer.Option(
            "--vary",
            help="KEY=LOW:HIGH[:STEP]: pools.NAME.agents, pools.NAME.concurrency (a bot's "
            "conversations at once, or chats per agent) or pools.NAME.shifts.scale (every "
            "shift's agents times a factor; step 0.1 unless given). Repeat for each pool.",
        ),
    ],
    minimize: Annotated[
        str, typer.Option(help="The figure to make as small as possible.")
    ] = "cost_total",
    write: Annotated[
        Path | None,
        typer.Option("--write", help="Write the scenario with the answer filled in to PATH."),
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the search and its answer as JSON.")
    ] = None,
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Write one row per simulated point as CSV.")
    ] = None,
    html_path: Html = None,
    seed: Seed = None,
    replications: Replications = None,
    workers: Workers = None,
    executor: ExecutorName = "local",
    scheduler: Scheduler = None,
    width: Width = None,
) -> None:
    """Find the cheapest staffing that meets the scenario's targets with 95% confidence,
    by simulation with common random numbers: an Erlang estimate to start, the monotone
    structure of staffing to prune, and the answer verified (one agent less in any varied
    pool fails a target)."""
    from simdesk.loading import scenario_from_document
    from simdesk.optimize import OptimizeResult, Search, grid_size, plan_dimensions
    from simdesk.outputs import check_outputs
    from simdesk.parallel import TaskFailed, kept_open, make_executor, make_runner
    from simdesk.render import make_console
    from simdesk.render.layout import print_tables, table_width
    from simdesk.render.optimize import (
        SearchProgress,
        answer_tables,
        frontier_tables,
        result_line,
        targets_tables,
    )
    from simdesk.scenario import warnings_for
    from simdesk.yamlload import load_yaml

    with user_errors():
        doc = load_yaml(scenario)
        base = scenario_from_document(doc)
        dims = plan_dimensions(doc, vary, base)
        if not base.targets.stated:
            raise SimdeskError(
                Problem(
                    "the scenario states no targets, so every staffing meets them; add "
                    "targets.service_level, max_abandonment or min_satisfaction",
                    str(scenario),
                    None,
                    "targets",
                )
            )
        _check_corners(doc, dims)
        check_outputs(
            [("--write", write), ("--json", json_path), ("--csv", csv_path),
             ("--html", html_path)],
            [scenario],
        )
        chosen = make_executor(executor, workers, scheduler)
        print_warnings([("", w) for w in warnings_for(base)])
        seed_used = base.seed if seed is None else seed
        reps = base.replications if replications is None else replications
        with SearchProgress(minimize) as progress:
            search = Search(
                doc,
                dims,
                make_runner(chosen, lambda _i, _o: progress.run_done()),
                seed=seed_used,
                replications=reps,
                minimize=minimize,
                on_point=progress.point_done,
            )
            interrupted = False
            try:
                with kept_open(chosen):
                    result = search.run()
            except TaskFailed as exc:
                progress.stop()
                raise report_failure(exc) from None
            except KeyboardInterrupt:
                progress.stop()
                interrupted = True
                result = OptimizeResult(
                    status="interrupted",
                    answer=search.best,
                    closest=None,
                    binding=None if search.best is None else search.best.binding,
                    neighbours=[],
                    evaluations=list(search.evaluations),
                    runs=search.runs,
                    grid_points=grid_size(dims),
                    frontier=search.frontier(),
                )
        _outputs(
            result,
            dims,
            doc,
            base.name,
            minimize,
            seed_used,
            reps,
            interrupted,
            json_path,
            csv_path,
            html_path,
            write,
        )
        console = make_console(width=width)
        fit = table_width(console)
        print_tables(
            console, answer_tables(result, dims, minimize, seed_used, reps, interrupted, fit)
        )
        print_tables(console, targets_tables(result, fit))
        if result.frontier:
            print_tables(console, frontier_tables(result, dims, minimize, fit))
        if interrupted:
            what = (
                "no point meeting the targets yet"
                if result.answer is None
                else ("the cheapest point meeting the targets so far is shown above (not verified)")
            )
            print_stderr(
                f"[yellow]interrupted:[/] {len(result.evaluations)} points simulated; {what}"
            )
            raise typer.Exit(EXIT_INTERRUPTED)
        # Wrapped at spaces to the width (never inside a name); as is when redirected.
        console.print(result_line(result, dims), highlight=False)
        if result.status != "optimal":
            raise typer.Exit(EXIT_FAILED)


def _outputs(
    result: "OptimizeResult",
    dims: "list[Dimension]",
    doc: "LocatedDocument",
    name: str,
    minimize: str,
    seed: int,
    reps: int,
    interrupted: bool,
    json_path: Path | None,
    csv_path: Path | None,
    html_path: Path | None,
    write: Path | None,
) -> None:
    from simdesk.optimize import answer_yaml, optimize_csv, optimize_json
    from simdesk.report import dumps, write_output

    if json_path is not None:
        doc_json = optimize_json(
            result,
            dims,
            scenario=name,
            file=doc.file,
            minimize=minimize,
            seed=seed,
            replications=reps,
            interrupted=interrupted,
        )
        write_output(json_path, dumps(doc_json))
    if csv_path is not None:
        write_output(csv_path, optimize_csv(result, dims, minimize))
    if html_path is not None:
        from simdesk.render.search_html import optimize_html

        page = optimize_html(
            result,
            dims,
            scenario=name,
            minimize=minimize,
            seed=seed,
            replications=reps,
            interrupted=interrupted,
        )
        write_output(html_path, page)
    if write is not None:
        if result.status == "optimal" and result.answer is not None and not interrupted:
            write_output(write, answer_yaml(doc, dims, result.answer, minimize, result.runs))
        else:
            print_stderr(
                f"[yellow]note:[/] {user_text(write)} not written: there is no verified answer"
            )


def register(app: typer.Typer) -> None:
    """Add ``optimize`` to the CLI."""
    app.command()(optimize)
