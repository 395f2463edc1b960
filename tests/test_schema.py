"""`simdesk schema`: the JSON Schema editors use must accept what simdesk accepts.

An editor that underlines a valid scenario teaches people to ignore it, so every project
scenario and every shorthand of the format must pass, and typical mistakes must not.
Cross-section rules (routes to unknown pools, ...) are beyond JSON Schema; `validate`
covers those.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from simdesk.cli import app
from simdesk.errors import ScenarioError
from simdesk.loading import load_scenario
from simdesk.yamlload import load_yaml

ROOT = Path(__file__).resolve().parent.parent
PROJECT_SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema)


def test_schema_is_a_valid_draft_2020_12_schema(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "simdesk scenario"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "demand" in schema["required"] and "pools" in schema["required"]


def test_output_option_writes_the_same_schema(tmp_path: Path, schema: dict[str, Any]) -> None:
    out = tmp_path / "simdesk.schema.json"
    result = CliRunner().invoke(app, ["schema", "--output", str(out)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(out.read_text()) == schema


@pytest.mark.parametrize("path", PROJECT_SCENARIOS, ids=[p.name for p in PROJECT_SCENARIOS])
def test_every_project_scenario_validates(
    path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(load_yaml(path).data)
    ]
    assert errors == []


def test_there_are_project_scenarios() -> None:
    assert PROJECT_SCENARIOS


# Every shorthand the loader accepts, in one file: the schema must accept it too.
SHORTHANDS = """\
name: shorthands
horizon: 2d
warmup: 0
demand:
  arrival_rate: 3.5/m
  intraday: [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
  types:
    - {name: billing, share: 0.5, channel: chat}
    - {name: tech, share: 0.3}
    - {name: other, share: 0.2, priority: 2}
customers:
  patience: lognormal(mean=90s, cv=0.5)
  retry: {probability: 0.3, after: [30s, 1m, 2m]}
pools:
  - name: bot
    kind: bot
    handle_time: fixed(45s)
    resolution: {billing: 0.6, default: 0.2}
    escalation_extra: 0
    max_time: 5m
  - name: staff
    kind: inhouse
    handle_time:
      default: exponential(mean=3m)
      tech: gamma(mean=5m, cv=0.5)
    shifts:
      - {days: mon-fri, start: "08:00", end: "17:00", agents: 4}
      - {days: [sat, sun], start: "10:00", end: "14:00", agents: 2}
      - {start: "17:00", end: "24:00", agents: 1}
  - name: vendor
    kind: vendor
    agents: 3
    handle_time: uniform(2m, 4m)
    cost: {per_hour: 12.5}
routing:
  always_human: true
  overflow_after: 1m
  billing: [bot, staff, vendor]
  tech: {path: [staff, vendor], overflow_after: 30s}
  other: staff
targets:
  service_level: {within: 20s, at_least: 0.8}
  budget: 10000
"""


def test_every_shorthand_is_accepted_by_loader_and_schema(
    tmp_path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    path = tmp_path / "shorthands.yaml"
    path.write_text(SHORTHANDS)
    load_scenario(path)  # the loader accepts it ...
    errors = [e.message for e in validator.iter_errors(load_yaml(path).data)]
    assert errors == []  # ... and so does the schema


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("name: shorthands", "name: shorthands\ncolour: blue", "unknown top-level key"),
        ("    cost: {per_hour: 12.5}", "    cost: {per_hour: 12.5, tip: 1}", "unknown nested key"),
        (
            "  tech: {path: [staff, vendor], overflow_after: 30s}",
            "  tech: {path: [staff, vendor], after: 30s}",
            "unknown key in a route",
        ),
        ("    kind: vendor", "    kind: robot", "wrong pool kind"),
        ("horizon: 2d", "horizon: 2 days", "bad duration string"),
        ("horizon: 2d", "horizon: 48", "duration without a unit"),
        ("    max_time: 5m", "    max_time: 5", "duration without a unit (nested)"),
        ("  arrival_rate: 3.5/m", "  arrival_rate: 210", "rate without a unit"),
        ("    agents: 3", "    agents: three", "wrong type"),
        ("    agents: 3", "    agents: -1", "out of range"),
        ("{name: tech, share: 0.3}", "{name: tech, share: 1.3}", "share above 1"),
        ("    handle_time: fixed(45s)", "    handle_time: 45s", "not a distribution"),
        ('start: "08:00"', "start: 8am", "bad clock time"),
        ("routing:\n", "routing:\n  other2: 3\n", "route that is not a pool list"),
    ],
)
def test_broken_scenarios_are_rejected(
    tmp_path: Path, validator: jsonschema.Draft202012Validator, old: str, new: str, why: str
) -> None:
    assert old in SHORTHANDS, why
    path = tmp_path / "broken.yaml"
    path.write_text(SHORTHANDS.replace(old, new, 1))
    assert not validator.is_valid(load_yaml(path).data), why
    with pytest.raises(ScenarioError):  # and the loader agrees
        load_scenario(path)


def test_defaults_validate_against_their_own_schema(schema: dict[str, Any]) -> None:
    """Editors offer ``default`` as a completion; a default the schema itself rejects
    (86400.0 for a duration, [0, ..., 6] for days) would be a trap."""
    bad: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if node.get("default") is not None:
                sub = {k: v for k, v in node.items() if k != "default"}
                sub["$defs"] = schema["$defs"]
                if not jsonschema.Draft202012Validator(sub).is_valid(node["default"]):
                    bad.append(f"{where}: {node['default']!r}")
            for k, v in node.items():
                walk(v, f"{where}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}/{i}")

    walk(schema, "")
    assert bad == []


def test_yaml_language_server_comment_example_is_documented() -> None:
    text = (ROOT / "docs" / "ci.md").read_text()
    assert "# yaml-language-server: $schema=" in text
    assert "yaml.schemas" in text


DATED = """\
name: dated
start: 2027-01-04
demand:
  arrival_rate: 60/h
  types: [{name: billing, share: 1}]
pools:
  - {name: inhouse, kind: inhouse, handle_time: fixed(3m), agents: {2027-01-04: 4, 2027-03-01: 6}}
  - name: vendor
    kind: vendor
    handle_time: fixed(3m)
    shifts:
      - {start: "00:00", end: "24:00", agents: 2, until: 2027-03-01}
      - {start: "00:00", end: "24:00", agents: 3, from: 2027-03-01}
routing:
  billing:
    - {when: {days: mon-fri, from: "08:00", to: "22:00"}, path: [inhouse, vendor]}
    - path: [vendor]
"""


def test_dated_staffing_and_routes_by_the_clock_are_accepted_by_loader_and_schema(
    tmp_path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    path = tmp_path / "dated.yaml"
    path.write_text(DATED)
    load_scenario(path)
    assert [e.message for e in validator.iter_errors(load_yaml(path).data)] == []
    bad = DATED.replace("2027-03-01: 6", "March: 6")
    assert list(validator.iter_errors(yaml.safe_load(bad)))
