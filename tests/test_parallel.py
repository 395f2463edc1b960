"""Executors: outcomes in task order whatever finished first, failures kept per task,
early stop terminates the workers, and option mistakes are located input errors."""

from __future__ import annotations

import json
import sys
import time
from contextlib import closing
from dataclasses import asdict
from pathlib import Path

import pytest

from simdesk.errors import SimdeskError
from simdesk.experiment import Task, run_experiment, run_task, tasks_for
from simdesk.figures import RunFigures
from simdesk.loading import load_scenario
from simdesk.parallel import (
    DASK_HINT,
    DaskExecutor,
    InProcessExecutor,
    Outcome,
    ProcessExecutor,
    TaskFailed,
    TaskFailure,
    default_workers,
    make_executor,
    make_runner,
    run_all,
    run_task_safely,
)
from simdesk.report import dumps, summary_json
from simdesk.scenario import Scenario

TINY = """\
name: tiny
seed: 11
horizon: 2h
replications: 6
demand:
  arrival_rate: 60/h
  types:
    - {name: general, share: 1.0}
customers:
  patience: exponential(mean=2m)
pools:
  - name: agents
    kind: inhouse
    agents: 2
    handle_time: exponential(mean=3m)
routing:
  general: [agents]
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    path = tmp_path_factory.mktemp("parallel") / "tiny.yaml"
    path.write_text(TINY)
    return load_scenario(path)


def _text(out: Outcome) -> str:
    """RunFigures hold NaN, which is never equal to itself; compare their JSON text."""
    return json.dumps(asdict(out), sort_keys=True)


def fail_odd(task: Task) -> RunFigures:
    """Module level so the pool can pickle it: odd replications raise in the worker."""
    if task.replication % 2:
        raise ValueError(f"no good: replication {task.replication}")
    return run_task(task)


def slow_after_first(task: Task) -> RunFigures:
    if task.replication > 0:
        time.sleep(120)
    return run_task(task)


def test_process_pool_gives_the_in_process_outcomes_in_task_order(tiny: Scenario) -> None:
    tasks = tasks_for(tiny)
    serial = run_all(tasks, InProcessExecutor())
    pooled = run_all(tasks, ProcessExecutor(2))
    assert [_text(o) for o in pooled] == [_text(o) for o in serial]
    assert all(isinstance(o, RunFigures) for o in serial)


def test_run_experiment_json_is_byte_identical_for_any_worker_count(tiny: Scenario) -> None:
    docs = {
        w: dumps(summary_json(run_experiment(tiny, runner=make_runner(ProcessExecutor(w)))))
        for w in (1, 2, 3)
    }
    assert docs[1] == docs[2] == docs[3]


def test_outcomes_are_yielded_once_each_and_reordered(tiny: Scenario) -> None:
    tasks = tasks_for(tiny, replications=8)
    seen: list[int] = []
    run_all(tasks, ProcessExecutor(2), on_done=lambda i, _o: seen.append(i))
    assert sorted(seen) == list(range(8))


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_task_is_kept_and_the_others_complete(tiny: Scenario, workers: int) -> None:
    tasks = tasks_for(tiny, replications=4)
    outs = run_all(tasks, ProcessExecutor(workers), fn=fail_odd)
    assert [isinstance(o, TaskFailure) for o in outs] == [False, True, False, True]
    failure = outs[1]
    assert isinstance(failure, TaskFailure)
    assert failure.error == "ValueError: no good: replication 1"
    assert "fail_odd" in failure.detail  # the worker's traceback travels back as text


def test_runner_raises_for_the_first_failed_task_in_task_order(tiny: Scenario) -> None:
    tasks = tasks_for(tiny, replications=4)
    assert len(make_runner(ProcessExecutor(2))(tasks)) == 4
    with pytest.raises(TaskFailed, match="tiny: replication 1 failed: ValueError: no good"):
        make_runner(ProcessExecutor(2), fn=fail_odd)(tasks)


def test_run_task_safely_turns_exceptions_into_failures(tiny: Scenario) -> None:
    broken = Task(tiny, seed=1, replication=0)
    object.__setattr__(broken, "scenario", None)  # simulate() cannot cope with that
    out = run_task_safely(broken)
    assert isinstance(out, TaskFailure)
    assert out.error.startswith("AttributeError")


def test_closing_early_stops_busy_workers_promptly(tiny: Scenario) -> None:
    tasks = tasks_for(tiny, replications=4)
    gen = ProcessExecutor(2).outcomes(tasks, fn=slow_after_first)
    t0 = time.monotonic()
    with closing(gen):
        first = next(gen)
    assert first[0] == 0
    # Replications 1.. sleep two minutes; closing must terminate them, not wait.
    assert time.monotonic() - t0 < 30


def test_default_workers_is_positive() -> None:
    assert default_workers() >= 1
    ex = make_executor()
    assert isinstance(ex, ProcessExecutor)
    assert ex.workers == default_workers()


@pytest.mark.parametrize(
    ("kwargs", "key", "words"),
    [
        ({"executor": "spark"}, "--executor", "expected one of: local, dask"),
        ({"executor": "dask"}, "--scheduler", "needs --scheduler"),
        ({"scheduler": "tcp://h:8786"}, "--scheduler", "only to --executor dask"),
        ({"workers": 0}, "--workers", "at least 1"),
    ],
)
def test_option_mistakes_are_located(kwargs: dict[str, object], key: str, words: str) -> None:
    with pytest.raises(SimdeskError) as info:
        make_executor(**kwargs)  # type: ignore[arg-type]
    (problem,) = info.value.problems
    assert problem.key == key
    assert words in problem.message


def test_missing_dask_suggests_the_install_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import now raises ImportError
    with pytest.raises(SimdeskError) as info:
        make_executor("dask", scheduler="tcp://127.0.0.1:8786")
    assert DASK_HINT in str(info.value)
    assert "pip install 'simdesk[dask]'" in str(info.value)


def test_unreachable_scheduler_is_an_input_error(tiny: Scenario) -> None:
    pytest.importorskip("distributed")
    ex = DaskExecutor("tcp://127.0.0.1:9", timeout=1.0)
    with pytest.raises(SimdeskError, match="cannot reach the Dask scheduler"):
        run_all(tasks_for(tiny, replications=1), ex)


def test_tasks_pickle_round_trip(tiny: Scenario, tmp_path: Path) -> None:
    """Every executor ships tasks by pickle; the scenario must survive it unchanged."""
    import pickle

    task = Task(tiny, 5, 3)
    again = pickle.loads(pickle.dumps(task))
    assert _text(run_task(again)) == _text(run_task(task))
