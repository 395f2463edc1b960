"""Bad scenario files: a located message, exit code 2, no traceback, nothing written.

Every broken file must give exit code 2 and a message on stderr that names the file, the
line and the key path (``file:line: key.path: what is wrong``), without a Python
traceback, and ``--json`` must not leave a file behind (not even half of one). An
overloaded desk whose customers never abandon is allowed, but warned about.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from simdesk.cli import app

ENV = {"COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"}

BASE = """\
name: base
horizon: 6h
replications: 2
demand:
  arrival_rate: 200/h
  types:
    - name: general
      share: 1.0
customers:
  patience: exponential(mean=2m)
pools:
  - name: agents
    kind: inhouse
    agents: 11
    handle_time: exponential(mean=3m)
routing:
  general: [agents]
"""

TWO_TYPES = BASE.replace(
    "      share: 1.0\n", "      share: 0.5\n    - name: billing\n      share: 0.5\n"
)


@dataclass(frozen=True)
class Bad:
    id: str
    text: str
    marker: str | None  # the error's line is the first line containing this text
    key: str | None  # the key path the message must name
    says: str  # a fragment of the explanation


def edit(old: str, new: str, base: str = BASE) -> str:
    assert old in base, old
    return base.replace(old, new, 1)


CASES = [
    Bad("malformed-yaml", edit("  types:\n", "  types: [\n"), "- name: general", None,
        "could not parse YAML"),
    Bad("tab-indent", edit("  arrival_rate", "\tarrival_rate"), "\tarrival_rate", None,
        "could not parse YAML"),
    Bad("duplicate-key", edit("replications: 2\n", "replications: 2\nreplications: 3\n"),
        "replications: 3", "replications", "duplicate key"),
    Bad("unknown-top-key", edit("horizon: 6h\n", "horizon: 6h\nhorizn: 2d\n"), "horizn",
        "horizn", "unknown key"),
    Bad("unknown-pool-key", edit("    agents: 11\n", "    agents: 11\n    agnts: 3\n"),
        "agnts", "pools[agents].agnts", "unknown key"),
    Bad("unknown-customer-key", edit("  patience:", "  patiense:"), "patiense",
        "customers.patiense", "unknown key"),
    Bad("wrong-type-agents", edit("agents: 11", "agents: eleven"), "agents: eleven",
        "pools[agents].agents", "whole number"),
    Bad("wrong-type-types", edit("  types:\n    - name: general\n      share: 1.0\n",
                                 "  types: general\n"), "types: general", "demand.types",
        "list"),
    Bad("duration-without-unit", edit("horizon: 6h", "horizon: 5"), "horizon: 5", "horizon",
        "unit"),
    Bad("quoted-duration-without-unit", edit("horizon: 6h", 'horizon: "5"'), "horizon:",
        "horizon", "unit"),
    Bad("handle-time-without-unit", edit("exponential(mean=3m)", "exponential(mean=3)"),
        "handle_time", "pools[agents].handle_time", "unit"),
    Bad("unknown-distribution", edit("exponential(mean=2m)", "poisson(mean=2m)"), "patience",
        "customers.patience", "poisson"),
    Bad("rate-without-unit", edit("200/h", "200"), "arrival_rate", "demand.arrival_rate",
        "200/h"),
    Bad("zero-rate", edit("200/h", "0/h"), "arrival_rate", "demand.arrival_rate", "positive"),
    Bad("negative-rate", edit("200/h", "-5/h"), "arrival_rate", "demand.arrival_rate",
        "positive"),
    Bad("negative-agents", edit("agents: 11", "agents: -3"), "agents: -3",
        "pools[agents].agents", "at least 0"),
    Bad("zero-horizon", edit("horizon: 6h", "horizon: 0s"), "horizon", "horizon", "positive"),
    Bad("shares-not-summing-to-one",
        edit("      share: 0.5\n    - name: billing\n      share: 0.5\n",
             "      share: 0.6\n    - name: billing\n      share: 0.3\n", TWO_TYPES)
        + "  billing: [agents]\n", "  types:", "demand.types", "sum to 1"),
    Bad("share-above-one", edit("share: 1.0", "share: 1.5"), "share: 1.5",
        "demand.types[general].share", "at most 1"),
    Bad("route-to-unknown-pool", edit("general: [agents]", "general: [agentz]"),
        "general: [agentz]", "routing.general[0]", "unknown pool 'agentz'"),
    Bad("type-without-route", TWO_TYPES, "routing:", "routing",
        "inquiry type 'billing' has no route"),
    Bad("type-no-pool-handles",
        edit("    agents: 11\n", "    agents: 11\n    handles: [billing]\n", TWO_TYPES)
        + "  billing: [agents]\n", "general: [agents]", "routing.general[0]",
        "does not handle 'general'"),
    Bad("route-for-unknown-type", BASE + "  genral: [agents]\n", "genral", "routing.genral",
        "unknown inquiry type"),
    Bad("bot-with-agents",
        edit("pools:\n", "pools:\n  - name: bot\n    kind: bot\n    agents: 3\n"
                         "    handle_time: fixed(1m)\n"), "name: bot", "pools[bot]",
        "a bot pool has no 'agents'"),
    Bad("bot-not-first",
        edit("pools:\n", "pools:\n  - name: bot\n    kind: bot\n    handle_time: fixed(1m)\n",
             edit("general: [agents]", "general: [agents, bot]")),
        "general: [agents, bot]", "routing.general[1]", "only come first"),
    Bad("missing-required-key", edit("    handle_time: exponential(mean=3m)\n", ""),
        "- name: agents", "pools[agents].handle_time", "required"),
    Bad("shift-starting-and-ending-together",
        edit("    agents: 11\n", "    shifts:\n      - {start: '08:00', end: '08:00', "
                               "agents: 2}\n"), "start: '08:00'", "pools[agents].shifts[0]",
        "start and end"),
    Bad("top-level-list", "- name: base\n- horizon: 6h\n", "- name: base", None,
        "mapping"),
]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def line_of(text: str, marker: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if marker in line:
            return number
    raise AssertionError(f"marker {marker!r} not in the test's YAML")


def run_cli(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=ENV)
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), f"uncaught {exc!r}"
    return result.exit_code, result.stdout, result.stderr


def test_the_base_scenario_is_fine(runner: CliRunner, tmp_path: Path) -> None:
    """The cases below break one thing each in a file that works."""
    path = tmp_path / "base.yaml"
    path.write_text(BASE, encoding="utf-8")
    out = tmp_path / "out.json"
    code, _, err = run_cli(runner, "run", str(path), "--json", str(out), "--workers", "1")
    assert code == 0, err
    assert json.loads(out.read_text(encoding="utf-8"))["schema_version"] == 3


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_scenario_gives_a_located_message_and_exit_2(
    runner: CliRunner, tmp_path: Path, case: Bad
) -> None:
    path = tmp_path / f"{case.id}.yaml"
    path.write_text(case.text, encoding="utf-8")
    out = tmp_path / "result.json"
    code, stdout, stderr = run_cli(runner, "run", str(path), "--json", str(out), "--workers", "1")
    assert code == 2, stdout + stderr
    assert "Traceback" not in stdout + stderr
    assert stderr.strip(), "the message goes to stderr"
    assert "error" in stderr
    where = str(path) if case.marker is None else f"{path}:{line_of(case.text, case.marker)}"
    assert where in stderr, f"expected {where!r} in:\n{stderr}"
    if case.key is not None:
        assert f": {case.key}: " in stderr, f"expected key path {case.key!r} in:\n{stderr}"
    assert case.says in stderr, stderr
    # nothing was simulated, nothing was written
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    assert "simulated" not in stdout


def test_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "missing.yaml"
    out = tmp_path / "result.json"
    code, stdout, stderr = run_cli(runner, "run", str(path), "--json", str(out))
    assert code == 2
    assert str(path) in stderr and "not found" in stderr
    assert "Traceback" not in stdout + stderr
    assert not out.exists()


def test_directory_instead_of_file(runner: CliRunner, tmp_path: Path) -> None:
    code, stdout, stderr = run_cli(runner, "run", str(tmp_path))
    assert code == 2
    assert str(tmp_path) in stderr
    assert "Traceback" not in stdout + stderr


def test_empty_file(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("", encoding="utf-8")
    code, stdout, stderr = run_cli(runner, "run", str(path))
    assert code == 2
    assert str(path) in stderr and "mapping" in stderr
    assert "Traceback" not in stdout + stderr


def test_failed_run_leaves_an_existing_json_untouched(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(edit("200/h", "200"), encoding="utf-8")
    out = tmp_path / "result.json"
    out.write_text('{"previous": true}\n', encoding="utf-8")
    code, _, _ = run_cli(runner, "run", str(path), "--json", str(out))
    assert code == 2
    assert out.read_text(encoding="utf-8") == '{"previous": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "result.json"]


def test_unwritable_json_path_is_a_located_error(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "base.yaml"
    path.write_text(BASE, encoding="utf-8")
    out = tmp_path / "no_such_dir" / "result.json"
    code, stdout, stderr = run_cli(runner, "run", str(path), "--json", str(out), "--workers", "1")
    assert code == 2
    assert str(out) in stderr
    assert "Traceback" not in stdout + stderr
    assert not out.parent.exists()


def test_several_problems_are_all_reported(runner: CliRunner, tmp_path: Path) -> None:
    text = edit("agents: 11", "agents: eleven", edit("horizon: 6h", "horizon: 5"))
    path = tmp_path / "two.yaml"
    path.write_text(text, encoding="utf-8")
    code, _, stderr = run_cli(runner, "run", str(path))
    assert code == 2
    assert f"{path}:{line_of(text, 'horizon: 5')}: horizon:" in stderr
    assert f"{path}:{line_of(text, 'agents: eleven')}: pools[agents].agents:" in stderr


def test_overloaded_desk_without_patience_runs_but_warns(
    runner: CliRunner, tmp_path: Path
) -> None:
    # 200/h * 3 min = 10 agents' worth of work for 9 agents, and nobody ever gives up
    understaffed = edit("agents: 11", "agents: 9")
    text = edit("customers:\n  patience: exponential(mean=2m)\n", "", understaffed)
    path = tmp_path / "overloaded.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "result.json"
    code, stdout, stderr = run_cli(runner, "run", str(path), "--json", str(out), "--workers", "1")
    assert code == 0, stderr
    assert "overloaded" in stderr
    assert "overloaded" not in stdout  # warned once, on stderr, not mixed into the tables
    assert "Traceback" not in stdout + stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert any("overloaded" in w for w in doc["warnings"])
    assert doc["totals"]["abandoned"]["mean"] == 0


@pytest.mark.parametrize(("growth", "warned"), [(None, False), ("5%/month", True)])
def test_growth_that_overloads_the_desk_is_warned_about(growth: str | None, warned: bool) -> None:
    """10 agents' worth of work at the start for 11 agents: enough without growth. At 5% a
    month (compounding, months of ``calendar.MONTH``) over 180 days, m = 5.9 months, the
    run's average is ((1.05^m - 1) / ln(1.05)) / m = 1.16 times that, 11.6 agents' worth:
    more than the staff, and nobody gives up."""
    import yaml

    from simdesk.calendar import DAY, MONTH
    from simdesk.loading import scenario_from_data
    from simdesk.scenario import overload_without_patience, warnings_for

    text = edit("customers:\n  patience: exponential(mean=2m)\n", "",
                edit("horizon: 6h", "horizon: 180d"))
    if growth is not None:
        text = edit("  arrival_rate: 200/h\n", f"  arrival_rate: 200/h\n  growth: {growth}\n", text)
    s = scenario_from_data(yaml.safe_load(text), "growth.yaml")
    over = overload_without_patience(s)
    assert (over is not None) == warned
    assert any("overloaded" in w for w in warnings_for(s)) == warned
    if over is not None:
        load, agents = over
        assert agents == 11.0
        m = 180 * DAY / MONTH
        assert load == pytest.approx(10.0 * (1.05**m - 1) / math.log(1.05) / m, rel=1e-9)


def _no_patience(text: str) -> Any:
    import yaml

    from simdesk.loading import scenario_from_data

    text = edit("customers:\n  patience: exponential(mean=2m)\n", "", text)
    return scenario_from_data(yaml.safe_load(text), "peaks.yaml")


SIX_MONTHS = edit("horizon: 6h", "start: 2027-01-04\nhorizon: 177d")  # to 2027-06-30


def test_a_peak_month_above_the_staff_is_warned_about() -> None:
    """10 agents' worth at a month weight of 1 for 11 agents; March weighs 1.5. Weights are
    normalised over the year (x 12 / 12.5): March brings 14.4 agents' worth, the others
    9.6, so the run's average fits and March alone is overloaded."""
    from simdesk.scenario import overload_without_patience, overloaded_periods, warnings_for

    months = "[1, 1, 1.5, 1, 1, 1, 1, 1, 1, 1, 1, 1]"
    s = _no_patience(edit("  arrival_rate: 200/h\n",
                          f"  arrival_rate: 200/h\n  months: {months}\n", SIX_MONTHS))
    assert overload_without_patience(s) is None
    peaks = overloaded_periods(s)
    assert [name for name, _, _ in peaks] == ["2027-03"]
    _, load, staff = peaks[0]
    assert load == pytest.approx(10.0 * 1.5 * 12 / 12.5, rel=1e-9)
    assert staff == 11.0
    warned = [w for w in warnings_for(s) if "overloaded" in w]
    assert len(warned) == 1
    assert "2027-03 (about 14.4 agents' worth for 11.0 agents)" in warned[0]


def test_a_month_with_fewer_agents_is_warned_about() -> None:
    """Flat demand, 10 agents' worth; the staff drops from 11 to 9 for March only: the
    average fits (about 10.7 agents), March does not."""
    from simdesk.scenario import overload_without_patience, overloaded_periods

    dated = "agents: {2027-01-04: 11, 2027-03-01: 9, 2027-04-01: 11}"
    s = _no_patience(edit("agents: 11", dated, SIX_MONTHS))
    assert overload_without_patience(s) is None
    assert [(name, staff) for name, _, staff in overloaded_periods(s)] == [("2027-03", 9.0)]


def test_a_desk_that_never_changes_has_no_peaks() -> None:
    from simdesk.scenario import overloaded_periods

    assert overloaded_periods(_no_patience(SIX_MONTHS)) == []


def test_a_desk_with_patience_is_not_warned_about(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "patient.yaml"
    path.write_text(edit("agents: 11", "agents: 9"), encoding="utf-8")
    code, _, stderr = run_cli(runner, "run", str(path), "--workers", "1", "--no-intraday")
    assert code == 0
    assert "overloaded" not in stderr
