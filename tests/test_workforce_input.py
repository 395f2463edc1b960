"""A pool's `workforce` in the scenario file: what is accepted, and each mistake named at
its own line with its key path, exit 2 (docs/scenario-format.md, "Pools: workforce")."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simdesk.cli import app
from simdesk.inputs import scenario_inputs
from simdesk.loading import load_scenario
from simdesk.scenario import warnings_for

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
ROOT = Path(__file__).resolve().parent.parent

BASE = """\
name: base
start: 2027-01-04
horizon: 365d
demand:
  arrival_rate: 200/h
  types:
    - name: general
      share: 1
pools:
  - name: agents
    kind: inhouse
    agents: 3
    handle_time: exponential(mean=3m)
    workforce:
      attrition: {yearly: 20%, first_90_days: 25%}
      tenure: exponential(mean=730d)
      hiring:
        replace: {lead_time: 74d}
        classes:
          - {date: 2027-02-01, count: 12}
      cost_per_hire: 14000
      learning: {start: 1.9, months: 10, shape: linear, fcr_start: 0.8}
      shrinkage: 30%
      absence: {daily: 5%, correlation: 0.05}
  - name: bot
    kind: bot
    handle_time: fixed(1m)
routing:
  general: [bot, agents]
"""


def edit(old: str, new: str, base: str = BASE) -> str:
    assert old in base, old
    return base.replace(old, new, 1)


def line_of(text: str, marker: str) -> int:
    return text.count("\n", 0, text.index(marker)) + 1


def validate(tmp_path: Path, text: str) -> tuple[int, str, Path]:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)], env=ENV)
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr, path


def test_the_documented_keys_are_accepted(tmp_path: Path) -> None:
    code, err, path = validate(tmp_path, BASE)
    assert code == 0, err
    wf = load_scenario(path).pool("agents").workforce
    assert wf is not None and wf.attrition is not None and wf.absence is not None
    assert (wf.attrition.yearly, wf.shrinkage, wf.absence.daily) == (0.2, 0.3, 0.05)


@pytest.mark.parametrize(
    ("old", "new", "marker", "key", "says"),
    [
        ("yearly: 20%", "yearly: 120%", "yearly", "workforce.attrition.yearly",
         "between 0% and 100%"),
        ("yearly: 20%", "yearly: -5%", "yearly", "workforce.attrition.yearly",
         "between 0% and 100%"),
        ("shrinkage: 30%", "shrinkage: 30", "shrinkage", "workforce.shrinkage", "write 30%"),
        ("shrinkage: 30%", "shrinkage: 100%", "shrinkage", "workforce.shrinkage",
         "below 100%"),
        ("first_90_days: 25%", "first_90_days: 100%", "first_90_days",
         "workforce.attrition.first_90_days", "below 100%"),
        ("correlation: 0.05", "correlation: 1", "correlation", "workforce.absence.correlation",
         "below 1"),
        ("months: 10", "months: 13", "months", "workforce.learning.months",
         "longer than the horizon"),
        ("2027-02-01", "2026-12-01", "2026-12-01", "workforce.hiring.classes[0].date",
         "before the start date"),
        ("lead_time: 74d", "lead_time: 20d", "lead_time", "workforce.hiring.replace.lead_time",
         "must cover the training"),
        ("tenure: exponential(mean=730d)", "tenure: [10d, 2000d]", "tenure",
         "workforce.tenure", "2 given for 3 agents"),
        ("tenure: exponential(mean=730d)", "tenure: [10d, 2x, 1d]", "tenure",
         "workforce.tenure[1]", "unknown duration unit"),
        ("hiring:\n", "hiring:\n        up_to: {target: 5}\n", "hiring",
         "workforce.hiring", "give it alone"),
        ("hiring:\n        replace: {lead_time: 74d}\n        classes:\n"
         "          - {date: 2027-02-01, count: 12}\n", "hiring: nobody\n", "nobody",
         "workforce.hiring", "expected 'none'"),
        ("    handle_time: fixed(1m)\n", "    handle_time: fixed(1m)\n    workforce: {}\n",
         "- name: bot", "", "applies to pools of people"),
    ],
)
def test_a_mistake_is_named_at_its_line(
    tmp_path: Path, old: str, new: str, marker: str, key: str, says: str
) -> None:
    text = edit(old, new)
    code, err, path = validate(tmp_path, text)
    assert code == 2, err
    pool = "pools[bot]" if "bot" in marker else "pools[agents]"
    where = f"{path}:{line_of(text, marker)}: {pool}" + (f".{key}: " if key else ": ")
    lines = [ln for ln in err.splitlines() if ln.startswith("error: ")]
    assert lines and all(ln.startswith(f"error: {where}") for ln in lines), err
    assert any(says in ln for ln in lines), f"{where!r} {says!r} in\n{err}"


def test_dated_hiring_needs_a_start_date(tmp_path: Path) -> None:
    text = edit("start: 2027-01-04\n", "", edit(
        "replace: {lead_time: 74d}", "up_to: {target: {2027-03: 20}}",
        edit("        classes:\n          - {date: 2027-02-01, count: 12}\n", "")))
    code, err, path = validate(tmp_path, text)
    assert code == 2
    assert f"{path}:{line_of(text, 'up_to')}: pools[agents].workforce.hiring.up_to.target: " \
        "targets by month need the scenario's 'start'" in err, err
    text = edit("start: 2027-01-04\n", "")
    code, err, path = validate(tmp_path, text)
    assert code == 2
    assert f"{path}:{line_of(text, '2027-02-01')}: " \
        "pools[agents].workforce.hiring.classes[0].date: a dated hiring class needs" in err, err


def test_hiring_none_and_targets_by_month(tmp_path: Path) -> None:
    hiring = "      hiring:\n        replace: {lead_time: 74d}\n        classes:\n" \
        "          - {date: 2027-02-01, count: 12}\n"
    _, err, path = validate(tmp_path, edit(hiring, "      hiring: none\n"))
    wf = load_scenario(path).pool("agents").workforce
    assert wf is not None and wf.hiring == "none", err
    by_month = "      hiring:\n        up_to: {target: {2027-03: 20, 2027-06-15: 30}}\n"
    _, err, path = validate(tmp_path, edit(hiring, by_month))
    wf = load_scenario(path).pool("agents").workforce
    assert wf is not None and not isinstance(wf.hiring, str) and wf.hiring is not None, err
    assert wf.hiring.up_to is not None
    assert wf.hiring.up_to.target == {date(2027, 3, 1): 20, date(2027, 6, 15): 30}


def test_without_workforce_the_canonical_inputs_are_as_before() -> None:
    """Baselines record a scenario's inputs: a pool without the key must not gain one."""
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        scenario = load_scenario(path)
        for pool, given in zip(scenario_inputs(scenario)["pools"], scenario.pools, strict=True):
            assert ("workforce" in pool) == (given.workforce is not None), path


def test_a_workforce_in_the_canonical_inputs(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(BASE, encoding="utf-8")
    scenario = load_scenario(path)
    inputs = scenario_inputs(scenario)
    wf = inputs["pools"][0]["workforce"]
    assert wf["attrition"] == {"yearly": 0.2, "first_90_days": 0.25}
    assert wf["tenure"] == "exponential(mean=730d)" and wf["training"] == "29.4d"
    assert wf["hiring"]["classes"] == [{"date": "2027-02-01", "count": 12}]


def test_a_run_no_longer_warns_that_the_workforce_is_not_simulated(tmp_path: Path) -> None:
    """The engine replays the plan now (tests/test_workforce_run.py): no warning says
    otherwise."""
    path = tmp_path / "s.yaml"
    path.write_text(BASE, encoding="utf-8")
    assert not any("workforce" in w for w in warnings_for(load_scenario(path)))


def test_dated_agents_and_hire_up_to_are_one_target_too_many(tmp_path: Path) -> None:
    """A headcount by date is the plan's target already (docs, "In the run"): with
    ``up_to`` as well the file says two things; a located error names the way out."""
    text = edit("    agents: 3\n", "    agents: {2027-01-04: 3, 2027-03-01: 6}\n", edit(
        "hiring:\n        replace: {lead_time: 74d}\n        classes:\n"
        "          - {date: 2027-02-01, count: 12}\n",
        "hiring:\n        up_to: {target: 5}\n"))
    code, err, path = validate(tmp_path, text)
    assert code == 2, err
    assert f"{path}:{line_of(text, 'up_to')}: pools[agents].workforce.hiring.up_to: the " \
        "pool's 'agents' by date already set the headcount" in err, err
    assert "Traceback" not in err
    ok = edit("    agents: 3\n", "    agents: {2027-01-04: 3, 2027-03-01: 6}\n")
    code, err, _ = validate(tmp_path, ok)
    assert code == 0, err  # with replace and classes it is a target like any other


def test_a_dated_shift_line_in_a_pool_with_a_workforce_is_a_located_error(
    tmp_path: Path,
) -> None:
    """The plan counts a workforce pool's people from its shift lines once: a line valid
    from a date would be employed from day 0 and its headcount, hires and leavers wrong,
    so it is refused where it is written rather than reported wrong."""
    shifts = (
        "    shifts:\n"
        "      - {days: all, start: '08:00', end: '16:00', agents: 3}\n"
        "      - {days: all, start: '16:00', end: '24:00', agents: 2, from: 2027-03-01}\n"
    )
    text = edit("    agents: 3\n", shifts)
    code, err, path = validate(tmp_path, text)
    assert code == 2, err
    assert f"{path}:{line_of(text, 'from: 2027')}: pools[agents].shifts[1].from: a pool " \
        "with a workforce takes its people from its shifts once" in err, err
    undated = edit(", from: 2027-03-01", "", text)
    code, err, _ = validate(tmp_path, undated)
    assert code == 0, err
