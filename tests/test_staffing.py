"""`simdesk staff` and `simdesk roster`: ISA reproduces Erlang C on a steady desk, a
roster covers its requirement in every interval, the integer program picks the cheaper
roster on hand-worked cases, a roster written with --write runs and meets its targets,
and with 30-minute intervals a demand that changes at the half hour gets different staff
in the two halves of the hour; bad input exits 2."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simdesk.cli import app
from simdesk.erlang import agents_for_target
from simdesk.experiment import run_experiment
from simdesk.intraday import (
    DayGrid,
    StaffingDesk,
    arrival_requirements,
    block_shifts,
    isa,
    load_task,
)
from simdesk.loading import load_scenario, scenario_from_document
from simdesk.parallel import InProcessExecutor, make_runner
from simdesk.roster import (
    Pattern,
    ShiftRules,
    Uncoverable,
    roster_planner,
    roster_shifts,
    solve,
)
from simdesk.scenario import Shift
from simdesk.shifts import shift_windows
from simdesk.yamlload import load_yaml

WIDE = {"COLUMNS": "200"}

STEADY = """\
name: steady
seed: 7
horizon: 3d
warmup: 2h
replications: 4
demand:
  arrival_rate: 120/h
  types: [{name: general, share: 1.0}]
pools:
  - {name: inhouse, kind: inhouse, agents: 1, handle_time: "exponential(mean=4m)",
     cost: {per_hour: 20}}
routing:
  general: [inhouse]
targets:
  service_level: {within: 20s, at_least: 0.8}
"""

# Two peaks, abandonment, a bot in front: small enough for a few seconds per command.
PEAKS = """\
name: peaks
seed: 3
horizon: 1d
replications: 3
demand:
  arrival_rate: 90/h
  intraday: [0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 1.8, 2.2, 2.0, 1.4,
             1.1, 1.0, 1.2, 1.7, 2.1, 1.9, 1.3, 0.8, 0.5, 0.3, 0.2, 0.1]
  types: [{name: general, share: 1.0}]
customers:
  patience: exponential(mean=3m)
pools:
  - {name: bot, kind: bot, handle_time: "exponential(mean=1m)", resolution: 0.4}
  - {name: inhouse, kind: inhouse, agents: 5, handle_time: "exponential(mean=5m)",
     cost: {per_hour: 25}}
routing:
  general: [bot, inhouse]
targets:
  service_level: {within: 30s, at_least: 0.8}
  max_abandonment: 0.05
"""


def _file(tmp_path: Path, text: str, name: str = "desk.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def _cli(*args: object) -> object:
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def _on_duty(shifts: list[dict[str, object]], slot: float) -> list[int]:
    """Agents on duty per slot of day 1 (a Tuesday), from the shifts as the engine reads
    them: an independent count, not the roster module's own coverage."""
    out = []
    day = 86400.0
    models = [Shift.model_validate(s) for s in shifts]
    windows = [(m.agents, shift_windows(m, 3 * day)) for m in models]
    for t in range(round(day / slot)):
        mid = day + (t + 0.5) * slot
        out.append(sum(n for n, ws in windows for a, b in ws if a <= mid < b))
    return out


def test_isa_on_a_steady_desk_matches_erlang_c_within_one_agent(tmp_path: Path) -> None:
    doc = load_yaml(_file(tmp_path, STEADY))
    base = scenario_from_document(doc)
    grid = DayGrid(3600.0)
    runner = make_runner(InProcessExecutor(), fn=load_task(grid))
    desk = StaffingDesk(doc, base, "inhouse", grid, runner, seed=7, replications=4)
    # Start far from the answer, so the fixed point is ISA's, not the starting estimate's.
    result = isa(desk, [25] * 24)
    erlang = agents_for_target(120 / 3600, 240.0, 20.0, 0.8).agents
    assert result.converged
    assert len(result.history) >= 2
    assert all(abs(n - erlang) <= 1 for n in result.staff), (result.staff, erlang)
    # The measured load is the offered load, 8 Erlangs, within the run's noise.
    for load in result.history[-1].load:
        assert load == pytest.approx(8.0, abs=1.2)


def test_arrival_requirements_follow_the_profile(tmp_path: Path) -> None:
    s = load_scenario(_file(tmp_path, PEAKS))
    req = arrival_requirements(s, "inhouse", tuple(range(7)))
    assert req[9] > req[13] > req[3] and req[16] > req[13]


def test_roster_covers_its_requirement_in_every_interval() -> None:
    grid = DayGrid(1800.0)
    rules = ShiftRules(lengths=(8 * 3600.0,), start_every=1800.0, break_s=1800.0,
                       max_agents=50, cost_per_hour=20.0)  # fmt: skip
    hourly = [1] * 6 + [4, 9, 15, 18, 16, 11, 9, 8, 10, 14, 17, 15, 10, 6, 4, 2, 2, 1]
    # Per 30 minutes: the second half of each hour from 07:00 to 19:00 needs 3 more.
    required = [n + (3 if i % 2 and 14 <= i < 38 else 0) for i, n in enumerate(grid.expand(hourly))]
    plan = roster_planner(rules, grid)(required)
    on_duty = _on_duty(plan.shifts, 1800.0)
    for i in range(grid.count):
        assert plan.scheduled[i] >= required[i], grid.label(i)
        assert on_duty[i] >= required[i], grid.label(i)
    assert plan.scheduled == on_duty
    # The halves are planned apart: some first half has fewer on duty than its second.
    assert any(on_duty[i] < on_duty[i + 1] for i in range(14, 38, 2))


def test_milp_picks_the_cheaper_of_two_obvious_options() -> None:
    # One agent needed 08:00-16:00, nothing else: one 8-hour shift (8 paid hours) or two
    # 6-hour shifts (12 paid hours, the only other way with starts on the hour).
    rules = ShiftRules(lengths=(6 * 3600.0, 8 * 3600.0), start_every=3600.0, cost_per_hour=10)
    eight = [Pattern(s, 8, 0, 0, 80.0) for s in range(24)]
    six = [Pattern(s, 6, 0, 0, 60.0) for s in range(24)]
    required = [1 if 8 <= h < 16 else 0 for h in range(24)]
    counts = solve(required, six + eight, rules)
    chosen = [(p.start, p.length, n) for p, n in zip(six + eight, counts, strict=True) if n]
    assert chosen == [(8, 8, 1)]
    # Make the 8-hour shift dear: two 6-hour shifts (08:00 and 10:00-16:00) are cheaper.
    dear = [Pattern(s, 8, 0, 0, 200.0) for s in range(24)]
    counts = solve(required, six + dear, rules)
    assert sum(counts[24:]) == 0 and sum(counts[:24]) == 2


def test_milp_respects_the_minimum_per_shift_and_the_maximum() -> None:
    required = [1 if 8 <= h < 12 else 0 for h in range(24)]
    pats = [Pattern(s, 4, 0, 0, 4.0) for s in range(24)]
    counts = solve(required, pats, ShiftRules(lengths=(4 * 3600.0,), start_every=3600.0,
                                              min_agents=3))  # fmt: skip
    assert [(p.start, n) for p, n in zip(pats, counts, strict=True) if n] == [(8, 3)]
    with pytest.raises(Uncoverable, match="at 08:00"):
        solve([5 if 8 <= h < 12 else 0 for h in range(24)], [pats[8]],
              ShiftRules(lengths=(4 * 3600.0,), start_every=3600.0, max_agents=4))  # fmt: skip


def test_a_break_splits_the_shift_and_days_carry_past_midnight() -> None:
    # 8 hours from 20:00 with a 1-hour break in the middle: 20:00-23:30, 00:30-04:00 the
    # next day.
    p = Pattern(40, 16, 7, 2, 7.0)
    shifts = roster_shifts([3], [p], 1800.0, (0, 1, 2, 3, 4))
    assert shifts == [
        {"days": "mon,tue,wed,thu,fri", "start": "20:00", "end": "23:30", "agents": 3},
        {"days": "tue,wed,thu,fri,sat", "start": "00:30", "end": "04:00", "agents": 3},
    ]


def test_block_shifts_stack_to_the_staffing() -> None:
    grid = DayGrid(3600.0)
    staff = [0] * 6 + [3, 5, 5, 2] + [0] * 14
    shifts = block_shifts(staff, grid)
    assert _on_duty(shifts, 3600.0) == staff
    assert len(shifts) == 3  # 06-10 x2, 06-09 x1, 07-09 x2: stacked, not one per hour


def test_staff_cli_meets_every_interval(tmp_path: Path) -> None:
    desk = _file(tmp_path, PEAKS)
    out = tmp_path / "staff.json"
    written = tmp_path / "staffed.yaml"
    r = _cli("staff", desk, "--pool", "inhouse", "--workers", 1, "--json", out,
             "--write", written)  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    assert doc["kind"] == "staff" and doc["status"] == "met"
    assert doc["isa"]["iterations"] >= 1
    for row in doc["intervals"]:
        assert row["scheduled"] == row["required"]
        assert row["met"]
    assert load_scenario(written).pool("inhouse").shifts


def test_roster_written_with_write_runs_and_meets_its_targets(tmp_path: Path) -> None:
    desk = _file(tmp_path, PEAKS)
    out = tmp_path / "roster.json"
    written = tmp_path / "roster.yaml"
    r = _cli("roster", desk, "--pool", "inhouse", "--lengths", "8h", "--starts", "30m",
             "--min", 1, "--max", 50, "--break", "30m", "--workers", 1, "--json", out,
             "--write", written)  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    assert doc["kind"] == "roster" and doc["status"] == "met"
    assert all(row["scheduled"] >= row["required"] for row in doc["intervals"])
    s = load_scenario(written)
    shifts = s.pool("inhouse").shifts
    assert shifts is not None
    # Every shift is an 8-hour shift's part: 3.5h before or 4h after its break.
    for sh in shifts:
        length = (sh.end - sh.start) % 86400
        assert length in (3.5 * 3600, 4 * 3600)
    summary = run_experiment(s)
    assert all(v.met for v in summary.targets), summary.targets
    assert summary.totals["cost_total"].mean == pytest.approx(
        doc["totals"]["cost_total"]["mean"], rel=1e-9
    )
    assert not math.isnan(doc["paid_hours_cost_per_day"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["staff", "--pool", "nope"], "unknown pool 'nope'"),
        (["staff", "--pool", "bot"], "is a bot"),
        (["staff", "--pool", "inhouse", "--interval", "7m"], "divides an hour"),
        (["staff", "--pool", "inhouse", "--interval", "2h"], "divides an hour"),
        (["staff", "--pool", "inhouse", "--interval", "2m"], "from 5m to 60m"),
        (["staff", "--pool", "inhouse", "--days", "funday"], "unknown day"),
        (["staff", "--pool", "inhouse", "--replications", 1], "at least 2 replications"),
        (["roster", "--pool", "inhouse", "--lengths", "8h", "--starts", "7m"], "divides a day"),
        (["roster", "--pool", "inhouse", "--lengths", "25h"], "less than 24h"),
        (["roster", "--pool", "inhouse", "--lengths", "8x"], "--lengths"),
        (["roster", "--pool", "inhouse", "--lengths", "8h", "--min", 3, "--max", 2], "--max"),
        (["roster", "--pool", "inhouse", "--lengths", "4h", "--break", "4h"], "break"),
        (["roster", "--pool", "inhouse", "--lengths", "8h", "--requirements", "x"], "isa or"),
    ],
)
def test_bad_input_exits_2_before_anything_runs(
    tmp_path: Path, args: list[object], message: str
) -> None:
    desk = _file(tmp_path, PEAKS)
    out = tmp_path / "never.json"
    r = _cli(args[0], desk, *args[1:], "--json", out)
    assert r.exit_code == 2, r.output
    assert message in r.output
    assert "Traceback" not in r.output
    assert not out.exists()


def test_a_scenario_without_targets_exits_2(tmp_path: Path) -> None:
    text = PEAKS.split("targets:")[0]
    r = _cli("staff", _file(tmp_path, text), "--pool", "inhouse")
    assert r.exit_code == 2
    assert "no target" in r.output


def test_uncoverable_rules_exit_1(tmp_path: Path) -> None:
    r = _cli("roster", _file(tmp_path, PEAKS), "--pool", "inhouse", "--lengths", "8h",
             "--starts", "8h", "--max", 2, "--workers", 1)  # fmt: skip
    assert r.exit_code == 1, r.output
    assert "cannot put" in r.output


def test_targets_not_met_after_the_last_round_exit_1_and_nothing_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Satisfaction 4.9 is out of reach (a bot conversation scores 4.3): the rounds run out.
    monkeypatch.setattr("simdesk.limits.MAX_RAISE_ROUNDS", 2)
    monkeypatch.setattr("simdesk.limits.MAX_STAFFING_ITERATIONS", 2)
    desk = _file(tmp_path, PEAKS + "  min_satisfaction: 4.9\n")
    written = tmp_path / "never.yaml"
    r = _cli("staff", desk, "--pool", "inhouse", "--workers", 1, "--write", written)
    assert r.exit_code == 1, r.output
    assert "not met" in r.output and "satisfaction" in r.output
    assert "not written" in r.output
    assert not written.exists()


def test_a_budget_is_judged_on_the_whole_run(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    r = _cli("staff", _file(tmp_path, PEAKS + "  budget: 1\n"), "--pool", "inhouse",
             "--workers", 1, "--json", out)  # fmt: skip
    assert r.exit_code == 1, r.output
    doc = json.loads(out.read_text())
    assert doc["status"] == "over budget"
    assert all(row["met"] for row in doc["intervals"])
    assert all(t["name"] != "budget" for row in doc["intervals"] for t in row["targets"])


def test_roster_without_scipy_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "scipy.optimize", None)
    r = _cli("roster", _file(tmp_path, PEAKS), "--pool", "inhouse", "--lengths", "8h")
    assert r.exit_code == 2, r.output
    assert "simdesk[optimize]" in r.output


def test_a_weekday_profile_over_several_days_is_warned_about(tmp_path: Path) -> None:
    from simdesk.cli.staffing import _staffing_warnings

    text = PEAKS.replace("horizon: 1d", "horizon: 7d").replace(
        "  types:", "  weekday: [1, 1, 1, 1, 1, 0.5, 0.5]\n  types:"
    )
    assert any(k == "demand.weekday" for k, _ in _staffing_warnings(load_scenario(
        _file(tmp_path, text))))  # fmt: skip
    assert not any(k == "demand.weekday" for k, _ in _staffing_warnings(load_scenario(
        _file(tmp_path, PEAKS, "one.yaml"))))  # fmt: skip


# Half the demand (sales) reaches the in-house team only from 09:30 to 12:00; the rest of
# the day another team answers it. The in-house load doubles at 09:30, in mid-hour.
HALF_HOUR = """\
name: half-hour
seed: 11
horizon: 1d
replications: 4
demand:
  arrival_rate: 120/h
  types:
    - {name: general, share: 0.5}
    - {name: sales, share: 0.5}
pools:
  - {name: inhouse, kind: inhouse, agents: 10, handle_time: "exponential(mean=4m)",
     cost: {per_hour: 20}}
  - {name: other, kind: inhouse, agents: 14, handle_time: "exponential(mean=4m)"}
routing:
  general: [inhouse]
  sales:
    - when: {from: "09:30", to: "12:00"}
      path: [inhouse]
    - path: [other]
targets:
  service_level: {within: 20s, at_least: 0.8}
"""


def _rows(doc: dict[str, object]) -> dict[str, dict[str, object]]:
    rows = doc["intervals"]
    assert isinstance(rows, list)
    return {row["start"]: row for row in rows}


def test_staff_per_30_minutes_follows_a_demand_that_changes_at_the_half_hour(
    tmp_path: Path,
) -> None:
    out = tmp_path / "staff.json"
    r = _cli("staff", _file(tmp_path, HALF_HOUR), "--pool", "inhouse", "--interval", "30m",
             "--workers", 1, "--json", out)  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    assert doc["status"] == "met" and doc["interval"] == "30m"
    rows = _rows(doc)
    assert len(rows) == 48
    first, second = rows["09:00"], rows["09:30"]
    # Measured per half hour: about 4 Erlangs before 09:30, about 8 after.
    assert second["load"] > 1.4 * first["load"]
    assert second["required_isa"] >= first["required_isa"] + 2
    assert second["required"] >= first["required"] + 2
    assert first["scheduled"] == first["required"] and second["scheduled"] == second["required"]
    assert all(row["met"] for row in rows.values())


def test_roster_covers_its_30_minute_requirements(tmp_path: Path) -> None:
    out = tmp_path / "roster.json"
    written = tmp_path / "roster.yaml"
    r = _cli("roster", _file(tmp_path, HALF_HOUR), "--pool", "inhouse", "--lengths", "4h",
             "--starts", "30m", "--interval", "30m", "--workers", 1, "--json", out,
             "--write", written)  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    assert doc["status"] == "met"
    rows = doc["intervals"]
    assert len(rows) == 48
    # Counted from the written shifts as the engine reads them, per 30 minutes.
    assert load_scenario(written).pool("inhouse").shifts
    pools = load_yaml(written).data["pools"]
    on_duty = _on_duty(next(p["shifts"] for p in pools if p["name"] == "inhouse"), 1800.0)
    for row, n in zip(rows, on_duty, strict=True):
        assert row["scheduled"] >= row["required"], row["start"]
        assert n >= row["required"], row["start"]
    assert rows[19]["required"] > rows[18]["required"]  # 09:30-10:00 against 09:00-09:30
