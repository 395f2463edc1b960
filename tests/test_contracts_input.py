"""Contracts and pool scores in a scenario file (docs/scenario-format.md, "Contracts"):
bad ones are located errors with exit code 2 and nothing written; a staffing below the
contract's minimum is a warning; scenarios without them keep their recorded inputs."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from simdesk.cli import app
from simdesk.inputs import scenario_inputs
from simdesk.loading import load_scenario
from simdesk.scenario import Scenario, warnings_for

ENV = {"COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"}

BASE = """\
name: vendor-desk
horizon: 2h
demand:
  arrival_rate: 60/h
  types:
    - name: general
      share: 1.0
customers:
  patience: exponential(mean=2m)
pools:
  - name: vendor
    kind: vendor
    agents: 5
    handle_time: exponential(mean=3m)
    contract:
      per_hour: 28
routing:
  general: [vendor]
"""


def edit(old: str, new: str, base: str = BASE) -> str:
    assert old in base, old
    return base.replace(old, new, 1)


# (id, text, marker of the error's line, key path, fragment of the message)
CASES = [
    ("contract-without-price", edit("      per_hour: 28\n", "      minimum_staffing: 3\n"),
     "contract:", "pools[vendor].contract", "a contract needs a price"),
    ("empty-contract", edit("    contract:\n      per_hour: 28\n", "    contract: {}\n"),
     "contract:", "pools[vendor].contract", "a contract needs a price"),
    ("two-prices", edit("      per_hour: 28\n", "      per_hour: 28\n      per_contact: 5\n"),
     "contract:", "pools[vendor].contract", "one price; this one has per_hour and per_contact"),
    ("negative-price", edit("per_hour: 28", "per_hour: -28"), "per_hour: -28",
     "pools[vendor].contract.per_hour", "expected a value of at least 0"),
    ("anchored-without-baseline",
     edit("      per_hour: 28\n", "      anchored: {price: 100000, above: 4.5}\n"),
     "anchored:", "pools[vendor].contract.anchored.baseline", "required"),
    ("minimum-volume-per-hour", edit("      per_hour: 28\n",
                                     "      per_hour: 28\n      minimum_volume: 20000\n"),
     "contract:", "pools[vendor].contract", "'minimum_volume' is a number of contacts"),
    ("clause-without-stakes", edit("      per_hour: 28\n",
                                   "      per_hour: 28\n      service_level: {at_least: 0.8}\n"),
     "service_level:", "pools[vendor].contract.service_level", "needs a 'penalty'"),
    ("clause-percent", edit("      per_hour: 28\n", "      per_hour: 28\n      service_level: "
                                                     "{at_least: 80%, penalty: 5000}\n"),
     "service_level:", "pools[vendor].contract.service_level.at_least", "such as 0.8"),
    ("clause-other-threshold",
     edit("      per_hour: 28\n", "      per_hour: 28\n      service_level:\n"
                                  "        {within: 60s, at_least: 0.8, penalty: 5000}\n"),
     "within: 60s", "pools[vendor].contract.service_level.within", "one threshold"),
    ("clause-per-month-without-start",
     edit("      per_hour: 28\n", "      per_hour: 28\n      service_level:\n"
                                  "        {per: month, at_least: 0.8, penalty: 5000}\n"),
     "per: month", "pools[vendor].contract.service_level.per", "set the scenario's 'start'"),
    ("contract-on-inhouse", edit("kind: vendor", "kind: inhouse"), "- name: vendor",
     "pools[vendor]", "'contract' applies to vendor pools"),
    ("contract-and-cost", edit("    contract:\n", "    cost: {per_hour: 28}\n    contract:\n"),
     "- name: vendor", "pools[vendor]", "remove 'cost'"),
    ("pool-score-out-of-range",
     edit("    contract:\n", "    satisfaction: {resolved_by_person: 6}\n    contract:\n"),
     "resolved_by_person", "pools[vendor].satisfaction.resolved_by_person", "at most 5"),
    ("pool-score-unknown-key",
     edit("    contract:\n", "    satisfaction: {resolved_by_bot: 4}\n    contract:\n"),
     "resolved_by_bot", "pools[vendor].satisfaction.resolved_by_bot", "unknown key"),
    ("pool-score-on-bot",
     edit("pools:\n", "pools:\n  - name: bot\n    kind: bot\n    handle_time: fixed(1m)\n"
                      "    satisfaction: {resolved_by_person: 4}\n"),
     "- name: bot", "pools[bot]", "'satisfaction' on a pool scores what a person decides"),
]


def line_of(text: str, marker: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if marker in line)


def test_the_base_scenario_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "base.yaml"
    path.write_text(BASE, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)], env=ENV)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("case", "text", "marker", "key", "says"), CASES,
                         ids=[c[0] for c in CASES])
def test_bad_contract_is_a_located_error_with_exit_2(
    tmp_path: Path, case: str, text: str, marker: str, key: str, says: str
) -> None:
    path = tmp_path / f"{case}.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "result.json"
    result = CliRunner().invoke(app, ["run", str(path), "--json", str(out), "--workers", "1"],
                                env=ENV)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{path}:{line_of(text, marker)}: {key}: " in result.stderr, result.stderr
    assert says in result.stderr, result.stderr
    assert not out.exists()


def test_clause_within_equal_to_the_run_threshold_is_accepted(tmp_path: Path) -> None:
    """`within` may be given when it is the run's one threshold (targets.service_level)."""
    text = edit("      per_hour: 28\n", "      per_hour: 28\n      service_level:\n"
                                         "        {within: 60s, at_least: 0.8, penalty: 1}\n")
    text += "targets:\n  service_level: {within: 1m, at_least: 0.8}\n"
    s = _load(tmp_path, text)
    contract = s.pool("vendor").contract
    assert contract is not None and contract.service_level is not None
    assert contract.service_level.within == 60.0


def contract_warnings(s: Scenario) -> list[str]:
    """The run's warnings about contracts (others, such as hours nobody covers, aside)."""
    return [w for w in warnings_for(s) if ".contract." in w]


def _load(tmp_path: Path, text: str) -> Scenario:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


SHIFTED = """\
name: short-staffed
horizon: 2d
warmup: 1h
demand:
  arrival_rate: 60/h
  types: [{name: general, share: 1.0}]
pools:
  - name: vendor
    kind: vendor
    shifts:
      - {start: "08:00", end: "20:00", agents: 6}
      - {start: "12:00", end: "14:00", agents: 2}
      - {start: "20:00", end: "22:00", agents: MORNING}
    handle_time: exponential(mean=3m)
    contract: {per_hour: 28, minimum_staffing: MINIMUM}
routing:
  general: [vendor]
"""


def _shifted(minimum: int, evening: int = 3) -> str:
    return SHIFTED.replace("MINIMUM", str(minimum)).replace("MORNING", str(evening))


def test_staffing_below_the_minimum_while_open_is_a_warning_naming_when(tmp_path: Path) -> None:
    """6 agents 08-20 (8 at midday), 3 from 20-22, nobody at night: a minimum of 5 is
    missed 20:00-22:00 on both days; the closed night is not a shortfall."""
    s = _load(tmp_path, (_shifted(5)))
    (warning,) = contract_warnings(s)
    assert "pools[vendor].contract.minimum_staffing" in warning
    assert "3 agent(s) on duty from day 1 (mon) 20:00 to day 1 (mon) 22:00" in warning
    assert "and 1 more such spans" in warning and "minimum of 5" in warning


def test_staffing_at_the_minimum_whenever_open_is_no_warning(tmp_path: Path) -> None:
    assert contract_warnings(_load(tmp_path, (_shifted(5, evening=5)))) == []
    assert contract_warnings(_load(tmp_path, (_shifted(3)))) == []


def test_always_on_agents_below_the_minimum_are_a_warning(tmp_path: Path) -> None:
    text = edit("      per_hour: 28\n", "      per_hour: 28\n      minimum_staffing: 6\n")
    (warning,) = contract_warnings(_load(tmp_path, (text)))
    assert "5 agent(s) on duty" in warning and "minimum of 6" in warning


def test_the_warning_is_printed_and_the_run_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "short.yaml"
    path.write_text(_shifted(5).replace("horizon: 2d", "horizon: 1d"), encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(path), "--workers", "1"], env=ENV)
    assert result.exit_code == 0, result.output
    assert "minimum_staffing" in result.stderr


def test_scenarios_without_contracts_or_pool_scores_record_no_such_inputs(tmp_path: Path) -> None:
    """The canonical inputs a baseline records (simdesk/inputs.py) leave the new pool keys
    out when absent, so those baselines are unchanged; present, they are recorded."""
    root = Path(__file__).resolve().parent.parent / "scenarios"
    for path in sorted(root.glob("*.yaml")):
        for pool in scenario_inputs(load_scenario(path))["pools"]:
            assert "contract" not in pool and "satisfaction" not in pool, path
    text = edit("    contract:\n", "    satisfaction: {unresolved: 2}\n    contract:\n")
    (pool,) = scenario_inputs(_load(tmp_path, (text)))["pools"]
    assert pool["contract"]["per_hour"] == 28
    assert pool["satisfaction"] == {"resolved_by_person": None, "unresolved": 2.0}


def test_minimum_staffing_follows_dated_headcounts_and_the_calendar(tmp_path: Path) -> None:
    """Always-on agents by date: 6 from Monday 4 January 2027, 3 from Wednesday 6 January;
    a minimum of 5 is missed from the Wednesday on, named by its date."""
    text = edit("horizon: 2h", "start: 2027-01-04\nhorizon: 7d")
    text = edit("    agents: 5\n", "    agents: {2027-01-04: 6, 2027-01-06: 3}\n", text)
    text = edit("      per_hour: 28\n", "      per_hour: 28\n      minimum_staffing: 5\n", text)
    (warning,) = contract_warnings(_load(tmp_path, text))
    assert "3 agent(s) on duty from Wed 2027-01-06 00:00 to Mon 2027-01-11 00:00" in warning
