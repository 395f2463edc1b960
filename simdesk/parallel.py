"""Where replications run: in this process, on a local process pool, or on a Dask cluster.

Every executor takes the same flat list of :class:`~simdesk.experiment.Task` and yields
``(index, outcome)`` pairs in whatever order the work finishes. Callers put the outcomes
back in task order, and each task carries its own (seed, replication), so the results, and
every file written from them, are byte-identical whatever the executor or the number of
workers.

A task that raises does not take the others down: the worker catches the exception and
sends back a :class:`TaskFailure` (plain text, so it survives any transport, including
exceptions that cannot be pickled). Interruption (Ctrl-C) is the caller's
``KeyboardInterrupt``; the executors' generators clean up in ``finally`` (pending work
cancelled, worker processes stopped), so callers should wrap them in
``contextlib.closing`` to make that cleanup immediate. SIGTERM (a CI timeout, ``kill``,
a container stopping) is turned into the same interruption while a process pool runs, so
its workers are stopped too rather than left running forever.
"""

from __future__ import annotations

import os
import signal
import traceback
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import AbstractContextManager, closing, contextmanager, nullcontext
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from simdesk.errors import Problem, SimdeskError
from simdesk.experiment import Runner, Task, run_task
from simdesk.figures import RunFigures

if TYPE_CHECKING:
    # Imported where a pool is made: it loads multiprocessing, which a run in this
    # process (one worker) never needs.
    from concurrent.futures import ProcessPoolExecutor

__all__ = [
    "DaskExecutor",
    "Executor",
    "InProcessExecutor",
    "Outcome",
    "Outcomes",
    "ProcessExecutor",
    "TaskFailed",
    "TaskFailure",
    "TaskFn",
    "Terminated",
    "default_workers",
    "kept_open",
    "local_runner",
    "make_executor",
    "make_runner",
    "run_all",
    "run_task_safely",
]

DASK_HINT = "pip install 'simdesk[dask]'"
EXECUTORS = ("local", "dask")


def _require_distributed() -> None:
    """Dask is an optional extra: say how to install it rather than fail on an import."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise SimdeskError(
            Problem(
                f"the dask executor needs Dask distributed; install it with {DASK_HINT}",
                key="--executor",
            )
        ) from None


@dataclass(frozen=True)
class TaskFailure:
    """A task that raised in a worker, kept as text so that any executor can ship it back."""

    error: str
    """``ExceptionType: message``, what a report prints."""
    detail: str
    """The worker's traceback, for a bug report."""
    user_error: bool = False
    """The scenario asked for something the run cannot do (a ``SimdeskError`` raised while
    it ran, such as an endless zero-time loop): the user's to fix, so exit 2, not a bug."""


Outcome = RunFigures | TaskFailure
Outcomes = Generator[tuple[int, Outcome], None, None]
TaskFn = Callable[[Task], RunFigures]
"""What a worker computes for a task: ``run_task``, or a stand-in in tests. Module-level
functions only, so that every executor can pickle it."""


def run_task_safely(task: Task, fn: TaskFn = run_task) -> Outcome:
    """Run one replication in a worker; an exception becomes a TaskFailure, not a lost pool."""
    try:
        return fn(task)
    except SimdeskError as exc:
        return TaskFailure(str(exc), "", user_error=True)
    except Exception as exc:
        return TaskFailure(f"{type(exc).__name__}: {exc}", traceback.format_exc())


class TaskFailed(Exception):
    """A replication failed while a caller needed all of them (``run``, ``compare``)."""

    def __init__(self, task: Task, failure: TaskFailure) -> None:
        self.task = task
        self.failure = failure
        super().__init__(
            f"{task.scenario.name}: replication {task.replication} failed: {failure.error}"
        )


class Executor(Protocol):
    """Runs tasks and yields ``(task index, outcome)`` as each finishes, in any order."""

    def outcomes(self, tasks: Sequence[Task], fn: TaskFn = ...) -> Outcomes:
        """Yield every task's outcome once; clean up in ``finally`` if closed early."""
        ...


def default_workers() -> int:
    """Cores this process may use: the affinity mask in a container, else os.cpu_count()."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


Within = Callable[[int, float], None]
"""Progress inside a task: (task index, fraction of its simulated time done)."""


class InProcessExecutor:
    """Runs tasks one after another here: no pickling, no processes; the 1-worker case.

    ``within``, if given, is told how far each replication has got in simulated time, so
    a long single run shows real progress rather than a bar stuck at 0 of 1."""

    def __init__(self, within: Within | None = None) -> None:
        self.within = within

    def outcomes(self, tasks: Sequence[Task], fn: TaskFn = run_task) -> Outcomes:
        within = self.within
        for i, task in enumerate(tasks):
            if within is not None and fn is run_task:
                here: TaskFn = partial(run_task, progress=partial(within, i))
                yield i, run_task_safely(task, here)
            else:
                yield i, run_task_safely(task, fn)


def _ignore_sigint() -> None:
    """Pool worker initializer: Ctrl-C reaches the whole process group, but only the parent
    should react to it (by cancelling and stopping the workers), or a worker dying mid-wait
    would break the pool before the parent could save the finished work.

    SIGTERM goes back to its default (die): a forked worker inherits the parent's
    ``_on_sigterm``, and the parent stops workers with SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived while a process pool was running: handled like Ctrl-C (the pool's
    cleanup stops the workers, a sweep keeps its finished points), then the process ends."""


def _on_sigterm(_signum: int, _frame: object) -> None:
    raise Terminated()


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """While the block runs, SIGTERM raises Terminated in this (main) thread, so the
    ``finally`` clauses that stop worker processes run; without it the parent dies at once
    and its workers wait for work forever. Left alone off the main thread (Python allows
    handlers only there) and where SIGTERM is ignored on purpose."""
    try:
        previous = signal.getsignal(signal.SIGTERM)
        if previous is signal.SIG_IGN:
            yield
            return
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class ProcessExecutor:
    """A local ``ProcessPoolExecutor``; one task per replication, so points and replications
    spread over all cores alike."""

    def __init__(self, workers: int, within: Within | None = None) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.within = within
        """Progress within replications, when they run in this process (one worker or one
        task); pool workers report per finished replication only."""
        self._kept: ProcessPoolExecutor | None = None

    @contextmanager
    def keep_open(self) -> Iterator[ProcessExecutor]:
        """One pool for every ``outcomes`` call inside the block.

        A search that runs many small batches (``simdesk optimize``) would otherwise start
        and stop the worker processes for each batch. Ctrl-C, SIGTERM or an error stops the
        workers at once, as a single batch does.
        """
        if self.workers == 1 or self._kept is not None:
            yield self
            return
        from concurrent.futures import ProcessPoolExecutor

        self._kept = ProcessPoolExecutor(max_workers=self.workers, initializer=_ignore_sigint)
        clean = False
        try:
            with _sigterm_interrupts():
                yield self
            clean = True
        finally:
            pool, self._kept = self._kept, None
            if clean:
                pool.shutdown(wait=True)
            else:
                _stop_pool(pool)

    def outcomes(self, tasks: Sequence[Task], fn: TaskFn = run_task) -> Outcomes:
        if self.workers == 1 or len(tasks) <= 1:
            yield from InProcessExecutor(self.within).outcomes(tasks, fn)
            return
        with _sigterm_interrupts():
            yield from self._pool_outcomes(tasks, fn)

    def _pool_outcomes(self, tasks: Sequence[Task], fn: TaskFn) -> Outcomes:
        from concurrent.futures import ProcessPoolExecutor

        kept = self._kept
        pool = kept or ProcessPoolExecutor(
            max_workers=min(self.workers, len(tasks)), initializer=_ignore_sigint
        )
        finished = False
        index: dict[Future[Outcome], int] = {}
        try:
            for i, task in enumerate(tasks):
                index[pool.submit(run_task_safely, task, fn)] = i
            pending = set(index)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=index.__getitem__):
                    exc = fut.exception()
                    if exc is not None:  # the pool itself broke (e.g. a worker was killed)
                        out: Outcome = TaskFailure(f"{type(exc).__name__}: {exc}", "")
                    else:
                        out = fut.result()
                    yield index[fut], out
            finished = True
        finally:
            if kept is not None:
                if not finished:  # the block's exit stops the workers if it must
                    for fut in index:
                        fut.cancel()
            elif finished:
                pool.shutdown(wait=True)
            else:
                _stop_pool(pool)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and stop the workers now, rather than waiting for the
    replications they are in the middle of (which could take minutes)."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
    if callable(terminate):
        terminate()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        if p.is_alive():
            p.terminate()
    for p in processes:
        p.join(timeout=5)


class DaskExecutor:
    """Tasks on an existing Dask distributed cluster, reached through its scheduler address.

    The workers must be able to import simdesk (the same version), because tasks travel
    as pickled ``Task`` objects and run ``run_task_safely`` there.
    """

    def __init__(self, scheduler: str, timeout: float = 10.0) -> None:
        self.scheduler = scheduler
        self.timeout = timeout
        self._kept: Any = None

    @contextmanager
    def keep_open(self) -> Iterator[DaskExecutor]:
        """One client connection for every ``outcomes`` call inside the block."""
        if self._kept is not None:
            yield self
            return
        self._kept = self._client()
        try:
            yield self
        finally:
            client, self._kept = self._kept, None
            client.close()

    def _client(self) -> Any:
        _require_distributed()
        from distributed import Client

        try:
            return Client(  # type: ignore[no-untyped-call]
                self.scheduler, timeout=self.timeout, set_as_default=False
            )
        except (OSError, TimeoutError, ValueError) as exc:
            raise SimdeskError(
                Problem(
                    f"cannot reach the Dask scheduler at {self.scheduler!r}: {exc}",
                    key="--scheduler",
                )
            ) from None

    def outcomes(self, tasks: Sequence[Task], fn: TaskFn = run_task) -> Outcomes:
        from distributed import as_completed

        client = self._kept or self._client()
        futures: list[Any] = []
        finished = False
        try:
            futures = client.map(run_task_safely, list(tasks), fn=fn, pure=False)
            index = {f.key: i for i, f in enumerate(futures)}
            # Not the default client (set_as_default=False), so give as_completed its loop.
            for fut in as_completed(futures, loop=client.loop):  # type: ignore[no-untyped-call]
                try:
                    out: Outcome = fut.result()
                except Exception as exc:  # lost worker, unpicklable result, ...
                    out = TaskFailure(f"{type(exc).__name__}: {exc}", "")
                yield index[fut.key], out
            finished = True
        finally:
            if futures and not finished:
                client.cancel(futures)
            if client is not self._kept:
                client.close()


def kept_open(executor: Executor) -> AbstractContextManager[object]:
    """Keep the executor's workers (or Dask client) for a whole block of ``outcomes`` calls,
    where it can; a plain context otherwise (the in-process executor has nothing to keep)."""
    keep = getattr(executor, "keep_open", None)
    if callable(keep):
        cm: AbstractContextManager[object] = keep()
        return cm
    return nullcontext()


def make_executor(
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    within: Within | None = None,
) -> Executor:
    """The executor the CLI options ask for; option mistakes are located SimdeskErrors."""
    if executor not in EXECUTORS:
        raise SimdeskError(
            Problem(f"expected one of: {', '.join(EXECUTORS)}; got {executor!r}", key="--executor")
        )
    if workers is not None and workers < 1:
        raise SimdeskError(Problem(f"expected at least 1, got {workers}", key="--workers"))
    if executor == "dask":
        if not scheduler:
            raise SimdeskError(
                Problem(
                    "the dask executor needs --scheduler ADDRESS (e.g. tcp://host:8786)",
                    key="--scheduler",
                )
            )
        _require_distributed()
        return DaskExecutor(scheduler)
    if scheduler:
        raise SimdeskError(
            Problem("--scheduler applies only to --executor dask", key="--scheduler")
        )
    return ProcessExecutor(default_workers() if workers is None else workers, within)


def local_runner(workers: int | None = None) -> Runner:
    """A Runner on a local process pool of ``workers`` (default: the cores), for library use
    and benchmarks: ``run_experiment(scenario, runner=local_runner(2))``."""
    return make_runner(ProcessExecutor(default_workers() if workers is None else workers))


def run_all(
    tasks: Sequence[Task],
    executor: Executor,
    on_done: Callable[[int, Outcome], None] | None = None,
    fn: TaskFn = run_task,
) -> list[Outcome]:
    """Every task's outcome in task order; ``on_done`` sees each as it finishes (progress).

    KeyboardInterrupt propagates after the executor has cleaned up.
    """
    results: list[Outcome | None] = [None] * len(tasks)
    with closing(executor.outcomes(tasks, fn)) as stream:
        for i, out in stream:
            results[i] = out
            if on_done is not None:
                on_done(i, out)
    missing = [i for i, r in enumerate(results) if r is None]
    if missing:
        raise RuntimeError(f"executor lost {len(missing)} task(s), first {missing[0]}")
    return [r for r in results if r is not None]


def make_runner(
    executor: Executor,
    on_done: Callable[[int, Outcome], None] | None = None,
    fn: TaskFn = run_task,
) -> Runner:
    """An ``experiment.Runner`` on this executor: all replications or an error.

    Raises TaskFailed for the first failed replication (in task order, so the message does
    not depend on which worker finished first).
    """

    def runner(tasks: Sequence[Task]) -> list[RunFigures]:
        outcomes = run_all(tasks, executor, on_done, fn)
        figures: list[RunFigures] = []
        for task, out in zip(tasks, outcomes, strict=True):
            if isinstance(out, TaskFailure):
                if out.user_error:
                    raise SimdeskError(f"{task.scenario.name}: {out.error}")
                raise TaskFailed(task, out)
            figures.append(out)
        return figures

    return runner
