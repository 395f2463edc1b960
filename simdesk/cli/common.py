"""What every command shares: user errors, exit codes, messages on stderr, the options
several commands declare, and the runner with a progress bar.

A leaf: it imports nothing from ``simdesk.cli``, so the command modules depend on it and
never on each other or on ``root`` (which registers them).

Cheap to import, because Typer reads every command's signature even for ``--version``:
only typer and the standard library at the top; Rich, the simulation and the executors
are imported inside the functions that use them.

Exit codes: 0 fine, 1 a replication (or a point) failed or a target was missed, 2 input
error (nothing ran, nothing half-written), 130 interrupted (Ctrl-C), 143 terminated.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from simdesk.errors import Problem, SimdeskError

if TYPE_CHECKING:
    from simdesk.experiment import Runner, Task
    from simdesk.figures import RunFigures
    from simdesk.parallel import TaskFailed

EXIT_FAILED = 1
EXIT_INPUT = 2
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143
MAX_WARNINGS = 5

Workers = Annotated[
    int | None,
    typer.Option(
        min=1,
        help="Local worker processes (default: the number of cores); 1 runs in this process.",
    ),
]
ExecutorName = Annotated[
    str,
    typer.Option(
        "--executor",
        help="Where replications run: 'local' (process pool) or 'dask' (needs --scheduler).",
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(help="Dask scheduler address for --executor dask, e.g. tcp://host:8786."),
]
Width = Annotated[
    int | None,
    typer.Option(
        "--width",
        min=40,
        help="Fit the tables to this many columns (default: the terminal's width; no limit "
        "when output is not a terminal).",
    ),
]
Html = Annotated[
    Path | None,
    typer.Option(
        "--html", help="Also write a self-contained HTML report (tables and charts) to PATH."
    ),
]
Seed = Annotated[int | None, typer.Option(help="Override the seed (default: the scenario's).")]
Replications = Annotated[
    int | None, typer.Option(min=1, help="Override the replications (default: the scenario's).")
]


def fail(problems: list[Problem]) -> None:
    """Each problem as ``where: what`` on stderr."""
    from simdesk.render import make_console, print_message

    err = make_console(stderr=True)
    for p in problems:
        print_message(err, "error", p, "bold red")


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn input errors into located messages and exit code 2, never a traceback."""
    try:
        yield
    except SimdeskError as exc:
        fail(exc.problems)
        raise typer.Exit(EXIT_INPUT) from None


def print_stderr(message: str) -> None:
    """A Rich-markup message on stderr; user text inside it goes through ``user_text``."""
    from simdesk.render import make_console

    make_console(stderr=True).print(message, highlight=False, soft_wrap=False)


def user_text(text: object) -> str:
    """User text inside a markup message (names, paths, errors), printed as written."""
    from simdesk.render.text import plain

    return plain(text, newlines=True)


def interrupted_exit(exc: KeyboardInterrupt | None = None) -> typer.Exit:
    """Ctrl-C exits 130; SIGTERM (``parallel.Terminated``) 143, as a killed process would."""
    from simdesk.parallel import Terminated

    if isinstance(exc, Terminated):
        print_stderr("[yellow]terminated[/]")
        return typer.Exit(EXIT_TERMINATED)
    print_stderr("[yellow]interrupted[/]")
    return typer.Exit(EXIT_INTERRUPTED)


def report_failure(exc: TaskFailed) -> typer.Exit:
    """A failed replication: its error on stderr, exit 1."""
    print_stderr(f"[bold red]error:[/] {user_text(exc)}")
    return typer.Exit(EXIT_FAILED)


def print_warnings(items: list[tuple[str, str]]) -> None:
    """Distinct (where, warning) pairs on stderr, the first few only."""
    seen: list[tuple[str, str]] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    for where, w in seen[:MAX_WARNINGS]:
        prefix = f"{where}: " if where else ""
        print_stderr(f"[yellow]warning:[/] {user_text(prefix)}{user_text(w)}")
    if len(seen) > MAX_WARNINGS:
        print_stderr(f"[yellow]warning:[/] ... and {len(seen) - MAX_WARNINGS} more warning(s)")


def cli_runner(executor: str, workers: int | None, scheduler: str | None) -> Runner:
    """An experiment Runner for ``run`` and ``check``: the chosen executor, a progress bar,
    and a failed replication reported as exit 1 rather than a traceback."""
    from simdesk.parallel import TaskFailed, make_executor, make_runner
    from simdesk.render.progress import ProgressBar

    bars: list[ProgressBar] = []

    def within(i: int, fraction: float) -> None:
        if bars:
            bars[-1].within(i, fraction)

    chosen = make_executor(executor, workers, scheduler, within)

    def runner(tasks: Sequence[Task]) -> list[RunFigures]:
        with ProgressBar(len(tasks), "replications") as bar:
            bars.append(bar)
            try:
                return make_runner(chosen, lambda i, _o: bar.advance(key=i))(tasks)
            except TaskFailed as exc:
                bar.stop()
                raise report_failure(exc) from None
            except KeyboardInterrupt as exc:
                bar.stop()
                raise interrupted_exit(exc) from None

    return runner
