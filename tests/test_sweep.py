"""`simdesk sweep`: key paths and values, validation before anything runs, common random
numbers, byte-identical files for any worker count, failed points, and Ctrl-C."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from desks import GRID, TINY
from typer.testing import CliRunner

from simdesk.cli import app
from simdesk.errors import SimdeskError
from simdesk.experiment import Task, run_task
from simdesk.figures import RunFigures, run_figures
from simdesk.parallel import InProcessExecutor, ProcessExecutor
from simdesk.sweep import (
    MAIN_FIGURES,
    SweepRun,
    apply_setting,
    parse_set,
    parse_values,
    plan_sweep,
    sweep_csv,
    sweep_json,
)
from simdesk.yamlload import LocatedDocument, load_yaml

WIDE = {"COLUMNS": "200"}

def cli(*args: str | Path) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    return path


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


# --------------------------------------------------------------------------------------
# Values and key paths
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("20:60:5", (20, 25, 30, 35, 40, 45, 50, 55, 60)),
        ("1:3:1", (1, 2, 3)),
        ("0.5:0.7:0.1", (0.5, 0.6, 0.7)),
        ("0:1:0.25", (0.0, 0.25, 0.5, 0.75, 1.0)),
        ("0.5,0.6,0.7", (0.5, 0.6, 0.7)),
        ("3", (3,)),
        ("1:3:1,10", (1, 2, 3, 10)),
        ("120/h,200/h", ("120/h", "200/h")),
        ("08:00,09:30", ("08:00", "09:30")),
        ("true,false", (True, False)),
        (
            "lognormal(mean=6m, cv=0.8),exponential(mean=2m)",
            ("lognormal(mean=6m, cv=0.8)", "exponential(mean=2m)"),
        ),
        ("[bot, inhouse],[inhouse]", (("bot", "inhouse"), ("inhouse",))),
    ],
)
def test_values_are_ranges_or_lists_typed_like_yaml(text: str, values: tuple[Any, ...]) -> None:
    got = parse_values("k", text)
    assert got == values
    assert [type(v) for v in got] == [type(v) for v in values]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("5:1:1", "end is below the start"),
        ("1:5:0", "step must be positive"),
        ("1:5:-1", "step must be positive"),
        ("0:1:0.000001", "more than"),
        ("", "expected values"),
        ("1,,2", "empty value"),
    ],
)
def test_bad_values_name_the_key(text: str, words: str) -> None:
    with pytest.raises(SimdeskError) as info:
        parse_values("pools.inhouse.agents", text)
    (p,) = info.value.problems
    assert p.key == "--set pools.inhouse.agents"
    assert words in p.message


@pytest.mark.parametrize("spec", ["agents", "=3", "pools..agents=3"])
def test_malformed_set_options(spec: str) -> None:
    with pytest.raises(SimdeskError, match="--set"):
        parse_set(spec)


def test_key_paths_address_list_items_by_name_or_index() -> None:
    data: dict[str, Any] = {
        "pools": [{"name": "bot", "resolution": 0.5}, {"name": "inhouse", "agents": 3}],
        "customers": {},
    }
    apply_setting(data, "pools.inhouse.agents", 7)
    apply_setting(data, "pools.0.resolution", 0.6)
    apply_setting(data, "customers.retry.probability", 0.2)  # missing mappings are created
    assert data["pools"][1]["agents"] == 7
    assert data["pools"][0]["resolution"] == 0.6
    assert data["customers"] == {"retry": {"probability": 0.2}}


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("pools.inhose.agents", "no item 'inhose' in pools; expected one of: bot, inhouse"),
        ("pools.bot.resolution.general", "pools.bot.resolution is a value (0.5)"),
    ],
)
def test_unknown_key_paths_name_the_key(key: str, words: str) -> None:
    data: dict[str, Any] = {"pools": [{"name": "bot", "resolution": 0.5}, {"name": "inhouse"}]}
    with pytest.raises(SimdeskError) as info:
        apply_setting(data, key, 1)
    (p,) = info.value.problems
    assert p.key == f"--set {key}"
    assert words in p.message


def test_points_are_built_from_independent_copies(tiny: Path) -> None:
    """A YAML anchor shared by two pools must not let one --set change both."""
    doc = load_yaml(tiny)
    handle = doc.data["pools"][1]["handle_time"]
    doc.data["pools"][0]["cost"] = doc.data["pools"][1]["cost"] = {"per_hour": 1.0}
    plan = plan_sweep(doc, ["pools.inhouse.cost.per_hour=5"], replications=1)
    s = plan.points[0].scenario
    assert s.pool("inhouse").cost.per_hour == 5.0
    assert s.pool("bot").cost.per_hour == 1.0
    assert doc.data["pools"][1]["cost"] == {"per_hour": 1.0}  # the file's data is untouched
    assert doc.data["pools"][1]["handle_time"] == handle


def test_grid_is_the_cartesian_product_last_key_fastest(tiny: Path) -> None:
    sets = ["pools.inhouse.agents=1,2", "demand.arrival_rate=30/h,60/h"]
    plan = plan_sweep(load_yaml(tiny), sets)
    assert [p.values for p in plan.points] == [
        (("pools.inhouse.agents", 1), ("demand.arrival_rate", "30/h")),
        (("pools.inhouse.agents", 1), ("demand.arrival_rate", "60/h")),
        (("pools.inhouse.agents", 2), ("demand.arrival_rate", "30/h")),
        (("pools.inhouse.agents", 2), ("demand.arrival_rate", "60/h")),
    ]
    assert [p.scenario.pool("inhouse").agents for p in plan.points] == [1, 1, 2, 2]
    assert {p.seed for p in plan.points} == {3}
    assert {p.replications for p in plan.points} == {10}
    assert len(plan.tasks()) == 40


def test_a_template_may_leave_out_what_the_sweep_sets(tiny: Path) -> None:
    template = tiny.read_text().replace("    agents: 3\n", "")
    tiny.write_text(template)
    plan = plan_sweep(load_yaml(tiny), ["pools.inhouse.agents=2,3"], replications=1)
    assert [p.scenario.pool("inhouse").agents for p in plan.points] == [2, 3]
    assert (plan.base.name, plan.seed) == ("tiny", 3)


def test_the_same_key_twice_is_rejected(tiny: Path) -> None:
    with pytest.raises(SimdeskError, match="set twice"):
        plan_sweep(load_yaml(tiny), ["pools.inhouse.agents=1", "pools.inhouse.agents=2"])


# --------------------------------------------------------------------------------------
# Validation before anything runs
# --------------------------------------------------------------------------------------


@pytest.fixture
def no_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any simulation at all fails the test: these sweeps must stop before running."""

    def forbidden(task: Task) -> RunFigures:
        raise AssertionError("a sweep with an invalid point started running")

    monkeypatch.setattr("simdesk.experiment.run_figures", forbidden)


@pytest.mark.usefixtures("no_runs")
@pytest.mark.parametrize(
    ("sets", "key", "words"),
    [
        (["pools.inhose.agents=1:3:1"], "--set pools.inhose.agents", "no item 'inhose'"),
        (["pools.inhouse.agnts=1:3:1"], "--set pools.inhouse.agnts", "unknown key"),
        (["customers.patiense=2m"], "--set customers.patiense", "unknown key"),
        (["pools.inhouse.agents=-1:2:1"], "--set pools.inhouse.agents", "at least 0, got -1"),
        (["demand.arrival_rate=60/h,fast"], "--set demand.arrival_rate", "got 'fast'"),
    ],
)
def test_unknown_keys_and_invalid_values_fail_before_running(
    tiny: Path, tmp_path: Path, sets: list[str], key: str, words: str
) -> None:
    out = tmp_path / "out.csv"
    args: list[str] = []
    for s in sets:
        args += ["--set", s]
    result = cli("sweep", tiny, *args, "--csv", out, "--workers", "1")
    assert result.exit_code == 2, result.output
    assert key in result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_unknown_key_is_reported_once_not_per_value(tiny: Path) -> None:
    with pytest.raises(SimdeskError) as info:
        plan_sweep(load_yaml(tiny), ["pools.inhouse.agnts=1:9:1"])
    assert len(info.value.problems) == 1


def test_a_rule_across_keys_names_the_combination(tiny: Path) -> None:
    # A bot pool may not have agents; the problem is located at the pool, not one key.
    with pytest.raises(SimdeskError) as info:
        plan_sweep(load_yaml(tiny), ["pools.bot.kind=inhouse"])
    assert any("pools.bot.kind" in (p.key or "") for p in info.value.problems)


# --------------------------------------------------------------------------------------
# Running: common random numbers and identical files
# --------------------------------------------------------------------------------------


def test_points_share_random_numbers(tiny: Path) -> None:
    """Staffing does not change who arrives: with no retries or repeats, offered is the same
    number in every replication of every point, and a repeated value gives the same row."""
    plan = plan_sweep(load_yaml(tiny), ["pools.inhouse.agents=1,3,3"], replications=4)
    run = SweepRun(plan)
    run.execute(InProcessExecutor())
    results = run.finished()
    offered = {
        tuple(r.totals["offered"] for r in res.summary.runs) for res in results if res.summary
    }
    assert len(offered) == 1
    lines = sweep_csv(plan, results).splitlines()
    assert lines[2].split(",", 1)[1] == lines[3].split(",", 1)[1]
    assert lines[1] != lines[2]


def test_sweep_files_are_identical_for_one_and_two_workers(tiny: Path, tmp_path: Path) -> None:
    outputs = {}
    for workers in (1, 2):
        csv_path, json_path = tmp_path / f"w{workers}.csv", tmp_path / f"w{workers}.json"
        result = cli(
            "sweep", tiny, *GRID, "--csv", csv_path, "--json", json_path, "--workers", str(workers)
        )
        assert result.exit_code == 0, result.output
        outputs[workers] = (csv_path.read_bytes(), json_path.read_bytes())
    assert outputs[1] == outputs[2]
    table = rows(tmp_path / "w1.csv")
    assert len(table) == 15
    assert list(table[0])[:3] == ["pools.inhouse.agents", "pools.bot.resolution.general", "status"]
    for f in MAIN_FIGURES:
        assert {f"{f}_mean", f"{f}_ci_low", f"{f}_ci_high"} <= set(table[0])
    assert [r["pools.inhouse.agents"] for r in table[:4]] == ["1", "1", "1", "2"]
    assert [r["pools.bot.resolution.general"] for r in table[:4]] == ["0.3", "0.5", "0.7", "0.3"]
    doc = json.loads((tmp_path / "w1.json").read_text())
    assert doc["complete"] is True
    assert doc["points_done"] == doc["points_total"] == 15
    assert doc["replications"] == 10
    first = doc["points"][0]
    assert first["parameters"] == {"pools.inhouse.agents": 1, "pools.bot.resolution.general": 0.3}
    assert set(first["totals"]) >= set(MAIN_FIGURES)
    # More agents: shorter waits, point by point (CRN makes this hold even at 10 reps).
    asa = [float(r["asa_s_mean"]) for r in table if r["pools.bot.resolution.general"] == "0.3"]
    assert asa == sorted(asa, reverse=True)


def test_table_shows_every_point(tiny: Path) -> None:
    result = cli(
        "sweep", tiny, "--set", "pools.inhouse.agents=2,4", "--replications", "3", "--workers", "1"
    )
    assert result.exit_code == 0, result.output
    assert "2 of 2 point(s)" in result.stdout
    assert "pools.inhouse.agents" in result.stdout


# --------------------------------------------------------------------------------------
# Failures and interruption
# --------------------------------------------------------------------------------------


def test_a_failing_point_is_reported_and_the_others_complete(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = run_figures

    def fragile(run: Any) -> RunFigures:
        if run.scenario.pool("inhouse").agents == 2:
            raise ZeroDivisionError("two agents broke it")
        return real(run)

    monkeypatch.setattr("simdesk.experiment.run_figures", fragile)
    out, js = tmp_path / "out.csv", tmp_path / "out.json"
    result = cli(
        "sweep",
        tiny,
        "--set",
        "pools.inhouse.agents=1:3:1",
        "--replications",
        "3",
        "--csv",
        out,
        "--json",
        js,
        "--workers",
        "1",
    )
    assert result.exit_code == 1, result.output
    assert "1 of 3 points failed" in result.stderr
    assert "pools.inhouse.agents=2: replication 0: ZeroDivisionError: two agents broke it" in (
        result.stderr
    )
    table = rows(out)
    assert [r["status"] for r in table] == ["ok", "failed", "ok"]
    assert table[1]["pools.inhouse.agents"] == "2"
    assert "two agents broke it" in table[1]["error"]
    assert table[0]["asa_s_mean"] and table[2]["asa_s_mean"]
    doc = json.loads(js.read_text())
    assert doc["points_failed"] == 1
    assert doc["points"][1]["status"] == "failed"
    assert doc["points"][1]["failed_replications"] == [0, 1, 2]


def test_failed_points_with_a_process_pool(tiny: Path) -> None:
    plan = plan_sweep(load_yaml(tiny), ["pools.inhouse.agents=1:3:1"], replications=3)
    run = SweepRun(plan)
    run.execute(ProcessExecutor(2), fn=fail_for_two_agents)
    assert run.done == 3
    assert run.failed == 1
    assert [r.ok for r in run.finished()] == [True, False, True]


def fail_for_two_agents(task: Task) -> RunFigures:
    """Module level so the process pool can ship it."""
    if task.scenario.pool("inhouse").agents == 2 and task.replication == 1:
        raise RuntimeError("boom")
    return run_task(task)


def test_partial_json_says_how_many_points_it_holds(tiny: Path) -> None:
    plan = plan_sweep(load_yaml(tiny), ["pools.inhouse.agents=1:4:1"], replications=2)
    run = SweepRun(plan)
    run.execute(InProcessExecutor())
    doc = sweep_json(plan, run.finished()[:2], complete=False)
    assert (doc["complete"], doc["points_done"], doc["points_total"]) == (False, 2, 4)


SLOW = TINY.replace("horizon: 2h", "horizon: 10d").replace("replications: 10", "replications: 2")


def test_ctrl_c_keeps_finished_points_and_exits_130(tmp_path: Path) -> None:
    """SIGINT to a running sweep: workers stop, finished points are written, exit 130."""
    scenario = tmp_path / "slow.yaml"
    scenario.write_text(SLOW)
    out, js = tmp_path / "out.csv", tmp_path / "out.json"
    total = 60
    cmd = [
        sys.executable,
        "-m",
        "simdesk",
        "sweep",
        str(scenario),
        "--set",
        f"pools.inhouse.agents=1:{total}:1",
        "--csv",
        str(out),
        "--json",
        str(js),
        "--workers",
        "2",
    ]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        # The CSV is rewritten as points finish: wait until it holds at least two of them.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            if out.exists() and len(rows(out)) >= 2:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the sweep finished before it could be interrupted"
        seen = len(rows(out))
        assert seen >= 2
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, stderr
    done = len(rows(out))
    assert seen <= done < total
    assert f"interrupted: {done} of {total} points done" in stderr
    assert str(out) in stderr
    assert "Traceback" not in stderr
    doc = json.loads(js.read_text())
    assert doc["complete"] is False
    assert doc["points_done"] == done
    assert [p["parameters"]["pools.inhouse.agents"] for p in doc["points"]] == [
        int(r["pools.inhouse.agents"]) for r in rows(out)
    ]
    assert all(r["status"] == "ok" for r in rows(out))
    assert f"{done} of {total} point(s)" in stdout  # the finished points' table


def test_located_document_without_lines_still_names_keys() -> None:
    doc = LocatedDocument(
        {
            "demand": {"arrival_rate": "60/h", "types": [{"name": "g", "share": 1.0}]},
            "pools": [{"name": "p", "kind": "inhouse", "agents": 1, "handle_time": "fixed(1m)"}],
            "routing": {"g": ["p"]},
        },
        "<generated>",
    )
    with pytest.raises(SimdeskError) as info:
        plan_sweep(doc, ["pools.p.speed=0"])
    (p,) = info.value.problems
    assert p.key == "--set pools.p.speed"
