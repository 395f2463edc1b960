"""Determinism: the same scenario and seed give byte-identical machine-readable output.

Also: a different seed gives different figures; running never mutates the scenario;
replication i is the same whether it runs alone, among others, in another order or in
another process; and scenarios that differ only in staffing see the same customers
(common random numbers), which is what makes paired comparisons precise.
"""

from __future__ import annotations

import copy
import json
import math
import pickle
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

from simdesk.engine import simulate
from simdesk.experiment import Task, run_experiment, run_task
from simdesk.figures import RunFigures, run_figures
from simdesk.loading import scenario_from_data
from simdesk.report import dumps, summary_json
from simdesk.scenario import Scenario


def mixed_desk_data(**overrides: Any) -> dict[str, Any]:
    """A small desk that uses most of the model, so every stream is exercised."""
    data: dict[str, Any] = {
        "name": "determinism",
        "seed": 2024,
        "horizon": "1d",
        "warmup": "2h",
        "replications": 3,
        "demand": {
            "arrival_rate": "90/h",
            "intraday": [0.4] * 8 + [1.4] * 10 + [0.8] * 6,
            "types": [
                {"name": "billing", "share": 0.6, "channel": "phone", "priority": 1},
                {"name": "chat", "share": 0.4, "channel": "chat"},
            ],
        },
        "customers": {
            "patience": "exponential(mean=3m)",
            "asks_for_human": 0.2,
            "retry": {"probability": 0.3, "after": "exponential(mean=20m)"},
            "repeat": {"probability": 0.7, "after": "exponential(mean=2h)"},
        },
        "pools": [
            {
                "name": "bot",
                "kind": "bot",
                "handle_time": "lognormal(mean=2m, cv=1)",
                "resolution": 0.5,
                "false_resolution": 0.1,
                "max_time": "5m",
                "cost": {"per_conversation": 0.3},
            },
            {
                "name": "home",
                "kind": "inhouse",
                "shifts": [{"days": "all", "start": "06:00", "end": "22:00", "agents": 3}],
                "handle_time": "gamma(mean=5m, cv=0.6)",
                "concurrency": 2,
                "fcr": 0.85,
                "cost": {"per_hour": 22},
            },
            {
                "name": "vendor",
                "kind": "vendor",
                "agents": 2,
                "handle_time": "exponential(mean=6m)",
                "cost": {"per_contact": 3.5},
            },
        ],
        "routing": {
            "always_human": True,
            "overflow_after": "40s",
            "billing": ["bot", "home", "vendor"],
            "chat": ["bot", "vendor"],
        },
    }
    data.update(overrides)
    return data


def erlang_desk_data(agents: int, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": f"mmn-{agents}",
        "seed": 5,
        "horizon": "1d",
        "replications": 4,
        "demand": {"arrival_rate": "200/h", "types": [{"name": "general", "share": 1.0}]},
        "customers": {"patience": "exponential(mean=2m)"},
        "pools": [
            {
                "name": "agents",
                "kind": "inhouse",
                "agents": agents,
                "handle_time": "exponential(mean=3m)",
            }
        ],
        "routing": {"general": ["agents"]},
    }
    data.update(overrides)
    return data


@pytest.fixture(scope="module")
def mixed_desk() -> Scenario:
    return scenario_from_data(mixed_desk_data())


def json_text(s: Scenario, seed: int | None = None, replications: int | None = None) -> str:
    return dumps(summary_json(run_experiment(s, seed=seed, replications=replications)))


def figures_key(run: RunFigures) -> str:
    """A run's figures as canonical text; NaN compares equal to NaN here."""
    return json.dumps(
        {"totals": run.totals, "pools": run.pools, "types": run.types, "hours": run.intervals},
        sort_keys=True,
    )


# --------------------------------------------------------------- same in, same out


def test_same_scenario_and_seed_give_byte_identical_json(mixed_desk: Scenario) -> None:
    first = json_text(mixed_desk)
    second = json_text(mixed_desk)
    assert first == second
    # and a scenario rebuilt from the same data is the same scenario
    assert json_text(scenario_from_data(mixed_desk_data())) == first
    doc = json.loads(first)
    assert doc["seed"] == 2024
    assert doc["replications"] == 3
    assert doc["totals"]["offered"]["mean"] > 0


def test_explicit_seed_equals_the_scenario_seed(mixed_desk: Scenario) -> None:
    assert json_text(mixed_desk, seed=2024) == json_text(mixed_desk)


def test_different_seed_gives_different_figures(mixed_desk: Scenario) -> None:
    a = run_experiment(mixed_desk, seed=1)
    b = run_experiment(mixed_desk, seed=2)
    assert dumps(summary_json(a)) != dumps(summary_json(b))
    # not just somewhere: the basic counts differ in every replication
    for ra, rb in zip(a.runs, b.runs, strict=True):
        assert ra.totals["offered"] != rb.totals["offered"] or (
            ra.totals["wait_mean_s"] != rb.totals["wait_mean_s"]
        )
    assert [r.totals["offered"] for r in a.runs] != [r.totals["offered"] for r in b.runs]


def test_replications_differ_from_each_other(mixed_desk: Scenario) -> None:
    runs = run_experiment(mixed_desk).runs
    assert len({figures_key(r) for r in runs}) == len(runs)


def test_run_is_pure_and_does_not_mutate_the_scenario(mixed_desk: Scenario) -> None:
    before = mixed_desk.model_dump()
    before_json = mixed_desk.model_dump_json()
    deep = copy.deepcopy(mixed_desk)
    run_experiment(mixed_desk)
    simulate(mixed_desk, 7, 1)
    assert mixed_desk.model_dump() == before
    assert mixed_desk.model_dump_json() == before_json
    assert mixed_desk == deep


def test_raw_data_is_not_mutated_by_loading_and_running() -> None:
    data = mixed_desk_data()
    snapshot = copy.deepcopy(data)
    s = scenario_from_data(data)
    run_experiment(s, replications=1)
    assert data == snapshot


# ------------------------------------------------------- replications stand alone


def test_replication_is_the_same_alone_or_among_others(mixed_desk: Scenario) -> None:
    together = run_experiment(mixed_desk, replications=4).runs
    for i in (0, 2, 3):
        alone = run_task(Task(mixed_desk, mixed_desk.seed, i))
        assert figures_key(alone) == figures_key(together[i])
        direct = run_figures(simulate(mixed_desk, mixed_desk.seed, i))
        assert figures_key(direct) == figures_key(together[i])
    # the first replications do not depend on how many follow
    fewer = run_experiment(mixed_desk, replications=2).runs
    assert [figures_key(r) for r in fewer] == [figures_key(r) for r in together[:2]]


def _reversed_runner(tasks: Sequence[Task]) -> list[RunFigures]:
    """Runs the tasks last-first (state leaking between runs would show) in task order."""
    return [run_task(t) for t in reversed(tasks)][::-1]


def _process_runner(tasks: Sequence[Task]) -> list[RunFigures]:
    with ProcessPoolExecutor(max_workers=2) as pool:
        return list(pool.map(run_task, tasks))


@pytest.mark.parametrize(
    "runner", [_reversed_runner, _process_runner], ids=["reversed", "processes"]
)
def test_any_runner_gives_byte_identical_json(mixed_desk: Scenario, runner: Any) -> None:
    serial = json_text(mixed_desk)
    other = dumps(summary_json(run_experiment(mixed_desk, runner=runner)))
    assert other == serial


def test_tasks_survive_pickling(mixed_desk: Scenario) -> None:
    task = Task(mixed_desk, 11, 1)
    clone = pickle.loads(pickle.dumps(task))
    assert clone.scenario == mixed_desk
    assert figures_key(run_task(clone)) == figures_key(run_task(task))


# ------------------------------------------------------------- common random numbers


@pytest.mark.parametrize("patience", [None, "exponential(mean=2m)"])
def test_staffing_changes_do_not_change_the_customers(patience: str | None) -> None:
    """Same seed, different agents: per replication the same contacts arrive."""
    customers = {} if patience is None else {"patience": patience}
    offered: dict[int, list[float]] = {}
    for agents in (11, 12, 15):
        data = erlang_desk_data(agents, customers=customers)
        if patience is None:
            data["demand"] = dict(data["demand"], arrival_rate="150/h")
        s = scenario_from_data(data)
        runs = run_experiment(s).runs
        offered[agents] = [r.totals["offered"] for r in runs]
        assert all(r.types["general"]["offered"] == r.totals["offered"] for r in runs)
    assert offered[11] == offered[12] == offered[15]
    # ... and replications are not copies of each other
    assert len(set(offered[11])) > 1


def test_common_random_numbers_with_a_bot_and_several_pools() -> None:
    """With no feedback (no retries, no repeats), the offered count per type and hour is
    fixed by the customers alone, whatever the staffing."""
    base = mixed_desk_data()
    base["customers"] = dict(
        base["customers"], retry={"probability": 0.0}, repeat={"probability": 0.0}
    )
    bigger = copy.deepcopy(base)
    bigger["pools"][1]["shifts"][0]["agents"] = 6
    bigger["pools"][2]["agents"] = 4
    a, b = scenario_from_data(base), scenario_from_data(bigger)
    for i in range(3):
        ra = run_figures(simulate(a, 99, i))
        rb = run_figures(simulate(b, 99, i))
        for t in ("billing", "chat"):
            assert ra.types[t]["offered"] == rb.types[t]["offered"]
        assert [h["offered"] for h in ra.intervals] == [h["offered"] for h in rb.intervals]
        # the bot sees the same customers (those who did not skip it) and resolves the
        # same ones, whatever the people behind it
        assert ra.pools["bot"]["offered"] == rb.pools["bot"]["offered"]
        assert ra.pools["bot"]["contained"] == rb.pools["bot"]["contained"]
        # while the staffing change does show
        assert ra.totals["wait_mean_s"] != rb.totals["wait_mean_s"]


def test_json_has_no_nan_and_is_stable_text(mixed_desk: Scenario) -> None:
    text = json_text(mixed_desk)
    assert "NaN" not in text and "Infinity" not in text
    doc = json.loads(text)
    assert dumps(doc) == text  # canonical: a round trip changes nothing
    for est in doc["totals"].values():
        assert est["mean"] is None or math.isfinite(est["mean"])
