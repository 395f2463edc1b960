"""Absurd sizes are refused up front with the estimate in the message (exit 2, no
simulation started), and long runs report progress within a replication."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import simdesk.experiment
from simdesk.cli import app
from simdesk.engine import simulate
from simdesk.experiment import Task
from simdesk.figures import run_figures
from simdesk.loading import load_scenario
from simdesk.parallel import InProcessExecutor, run_all

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "erlang_c.yaml"
BASE = SCENARIO.read_text(encoding="utf-8")


@pytest.fixture()
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*_a: object, **_k: object) -> None:
        raise AssertionError("simulated although the run should have been refused")

    monkeypatch.setattr(simdesk.experiment, "simulate", forbidden)


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=ENV)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


CASES = [
    ({"agents: 14 ": "agents: 1000000000 "}, [], "pools.agents.agents: 1,000,000,000 agents"),
    ({"arrival_rate: 200/h": "arrival_rate: 1e9/h", "horizon: 7d": "horizon: 365d"}, [],
     "demand.arrival_rate: about 43,920,000,000,000 inquiries"),
    ({"arrival_rate: 200/h": "arrival_rate: 1e6/h", "horizon: 7d": "horizon: 30d",
      "replications: 5": "replications: 1"}, [], "customers.patience: the desk is overloaded"),
    ({"replications: 5": "replications: 1000000000"}, [], "replications: 1,000,000,000"),
    ({}, ["--replications", "1000000000"], "--replications: 1,000,000,000"),
    ({"horizon: 7d": "horizon: 365250d"}, [], "demand.arrival_rate: about 8,766,024,000 inquiries"),
]


@pytest.mark.usefixtures("no_simulation")
@pytest.mark.parametrize(("edits", "options", "words"), CASES)
def test_run_refuses_absurd_sizes_with_the_estimate(
    tmp_path: Path, edits: dict[str, str], options: list[str], words: str
) -> None:
    text = BASE
    for old, new in edits.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    code, out = _invoke("run", str(path), "--workers", "1", *options)
    assert code == 2, out
    assert f"{path}: {words}" in out.replace("\n", " "), out
    assert "Traceback" not in out


@pytest.mark.usefixtures("no_simulation")
def test_sweep_and_compare_refuse_absurd_sizes(tmp_path: Path) -> None:
    code, out = _invoke("sweep", str(SCENARIO), "--set", "pools.agents.agents=1:1000:1",
                        "--set", "seed=1:1000:1")
    assert code == 2 and "--set: a grid of 1,000,000 points (1,000 x 1,000)" in out, out
    code, out = _invoke("sweep", str(SCENARIO), "--set", "pools.agents.agents=14,15",
                        "--replications", "1000000000")
    assert code == 2 and "--replications: " in out and "1,000,000,000" in out, out
    code, out = _invoke("compare", str(SCENARIO), str(SCENARIO), "--replications", "20000")
    assert code == 2 and "--replications: 20,000 replications" in out, out


def test_erlang_refuses_absurd_sizes() -> None:
    code, out = _invoke("erlang", "--rate", "200/h", "--handle", "3m", "--agents", "1000000000")
    assert code == 2 and "--agents: 1,000,000,000 agents asked" in out, out
    code, out = _invoke("erlang", "--rate", "1e12/h", "--handle", "3m")
    assert code == 2 and "--rate: the offered load" in out, out


def test_progress_advances_within_a_replication_and_changes_nothing() -> None:
    s = load_scenario(SCENARIO)
    seen: list[float] = []
    with_progress = run_figures(simulate(s, 3, 1, seen.append))
    without = run_figures(simulate(s, 3, 1))
    assert with_progress == without
    # 8 days of simulated time in slices of at least an hour: many reports, in order.
    assert len(seen) > 100
    assert seen == sorted(seen) and 0 < seen[0] < 0.01 and seen[-1] == 1.0


def test_in_process_runs_report_progress_within_each_replication() -> None:
    s = load_scenario(SCENARIO)
    events: list[tuple[str, int, float]] = []
    executor = InProcessExecutor(lambda i, f: events.append(("within", i, f)))
    tasks = [Task(s, 3, 0), Task(s, 3, 1)]
    run_all(tasks, executor, on_done=lambda i, _o: events.append(("done", i, 1.0)))
    done_at = [k for k, e in enumerate(events) if e[0] == "done"]
    assert [events[k][1] for k in done_at] == [0, 1]
    first = [e for e in events[: done_at[0]] if e[0] == "within"]
    assert len(first) > 100 and all(e[1] == 0 for e in first)
    assert any(0 < e[2] < 1 for e in first)
