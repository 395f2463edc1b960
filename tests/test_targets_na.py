"""An overloaded desk whose customers never abandon shows its abandonment target as
"n/a (overloaded)", not "0.0% met" (docs/figures.md, "Targets that mean nothing in a run"),
in the run table, the JSON, compare, sweep and check; check never fails on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simdesk.cli import app
from simdesk.experiment import run_experiment
from simdesk.loading import load_scenario

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}

DESK = """\
name: overloaded
seed: 5
horizon: 2h
replications: 2
demand:
  arrival_rate: 200/h
  types:
    - name: call
      share: 1.0
{patience}
pools:
  - name: agents
    kind: inhouse
    agents: {agents}
    handle_time: exponential(mean=3m)
routing:
  call: [agents]
targets:
  service_level: {{within: 20s, at_least: 0.8}}
  max_abandonment: 0.05
"""
NO_PATIENCE = "customers: {retry: {probability: 0}}"
PATIENCE = "customers: {patience: exponential(mean=2m)}"


def _write(tmp_path: Path, name: str, agents: int, patience: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(DESK.format(agents=agents, patience=patience), encoding="utf-8")
    return path


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=ENV)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def _abandonment_row(out: str) -> str:
    rows = [line for line in out.splitlines() if line.lstrip("│ ").startswith("abandonment_rate")]
    assert rows, out
    return rows[0]


def test_run_marks_abandonment_target_na_when_overloaded_without_patience(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, "over", 5, NO_PATIENCE)
    out_json = tmp_path / "out.json"
    code, out = _invoke("run", str(path), "--json", str(out_json), "--workers", "1")
    assert code == 0, out
    row = _abandonment_row(out)
    assert "n/a (overloaded)" in row and "met" not in row, row
    targets = {t["name"]: t for t in json.loads(out_json.read_text())["targets"]}
    ab = targets["abandonment"]
    assert ab["status"] == "n/a" and ab["met"] is None and "overloaded" in ab["reason"]
    assert ab["value"] == 0.0
    sl = targets["service level"]
    assert sl["status"] == "missed" and sl["met"] is False and sl["reason"] is None


@pytest.mark.parametrize(
    ("agents", "patience", "status"),
    [(14, NO_PATIENCE, "met"), (5, PATIENCE, "missed")],
)
def test_abandonment_target_is_judged_otherwise(
    tmp_path: Path, agents: int, patience: str, status: str
) -> None:
    s = load_scenario(_write(tmp_path, "desk", agents, patience))
    verdicts = {v.name: v for v in run_experiment(s).targets}
    assert verdicts["abandonment"].status == status


def test_check_does_not_fail_on_a_not_applicable_target(tmp_path: Path) -> None:
    path = _write(tmp_path, "over", 5, NO_PATIENCE)
    base = tmp_path / "baselines"
    code, out = _invoke("check", str(path), "--baselines", str(base), "--update",
                        "--workers", "1")
    assert code == 0, out
    verdicts = tmp_path / "verdicts.json"
    code, out = _invoke("check", str(path), "--baselines", str(base), "--workers", "1",
                        "--json", str(verdicts), "--targets", "strict")
    # The service-level target is missed (exit 1); abandonment must not be among the missed.
    doc = json.loads(verdicts.read_text())
    check = doc["checks"][0]
    assert check["missed_targets"] == ["service level"], out
    ab = next(t for t in check["targets"] if t["name"] == "abandonment")
    assert ab["met"] is None and ab["failed"] is False
    assert "n/a" in out


def test_compare_and_sweep_show_na(tmp_path: Path) -> None:
    a = _write(tmp_path, "a", 5, NO_PATIENCE)
    b = _write(tmp_path, "b", 6, NO_PATIENCE)
    code, out = _invoke("compare", str(a), str(b), "--workers", "1")
    assert code == 0, out
    row = next(line for line in out.splitlines() if "target: abandonment" in line)
    assert row.count("n/a (overloaded)") == 2 and "met" not in row, row
    code, out = _invoke("sweep", str(a), "--set", "pools.agents.agents=5,6", "--workers", "1")
    assert code == 0, out
    assert "n/a aband." in out and "missed SL" in out
