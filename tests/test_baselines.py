"""The project's own scenarios are checked against their committed baselines, the way the
CI recipe in docs/ci.md does it, so a change to simdesk that moves any figure beyond noise
fails here.

When a figure moved on purpose (or a scenario was edited), regenerate and commit:

    simdesk check scenarios/ --baselines scenarios/baselines/ --update

Several project scenarios miss a target on purpose (they show what a plan costs in
service), so the check runs with ``--targets baseline``: a target missed now fails only
if the baseline met it.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from simdesk.cli import app

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
BASELINES = SCENARIOS / "baselines"
REGENERATE = "simdesk check scenarios/ --baselines scenarios/baselines/ --update"


def test_every_scenario_has_a_baseline_and_every_baseline_a_scenario() -> None:
    scenarios = {p.stem for p in SCENARIOS.glob("*.yaml")}
    baselines = {p.stem for p in BASELINES.glob("*.json")}
    assert scenarios - baselines == set(), f"scenarios without a baseline; run: {REGENERATE}"
    assert baselines - scenarios == set(), "baselines whose scenario is gone; delete them"


def test_project_scenarios_match_their_baselines(tmp_path: Path) -> None:
    out = tmp_path / "verdicts.json"
    result = CliRunner().invoke(
        app,
        [
            "check",
            str(SCENARIOS),
            "--baselines",
            str(BASELINES),
            "--targets",
            "baseline",
            "--workers",
            "2",
            "--json",
            str(out),
        ],
        env={"COLUMNS": "160"},
    )
    doc = json.loads(out.read_text()) if out.exists() else {}
    summary = [
        f"{c['scenario_file']}: {c['status']} {c['changed'] + c['missed_targets'] + c['errors']}"
        for c in doc.get("checks", [])
    ]
    assert result.exit_code == 0, (
        f"{result.output}\n"
        + "\n".join(summary)
        + f"\nIf the change is intended, regenerate the baselines: {REGENERATE}"
    )
