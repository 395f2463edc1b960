"""The project's own scenarios are checked against their committed baselines, the way the
CI recipe in docs/ci.md does it, so a change to simdesk that moves any figure beyond noise
fails here.

When a figure moved on purpose (or a scenario was edited), regenerate and commit:

    simdesk check scenarios/ --baselines scenarios/baselines/ --update

The check run here is the README's CI job, read from the README itself (its
``simdesk check`` line), so the documented job passes on this repository when nothing
changed. Several project scenarios miss a target on purpose (they show what a plan costs
in service), which is why that job uses ``--targets baseline``: a target missed now fails
only if the baseline met it.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simdesk.cli import app

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
BASELINES = SCENARIOS / "baselines"
REGENERATE = "simdesk check scenarios/ --baselines scenarios/baselines/ --update"


def documented_check(doc: Path) -> list[list[str]]:
    """The ``simdesk check`` commands of a document's CI jobs, as argument lists."""
    found = re.findall(r"^\s*-\s*(?:run:\s*)?(simdesk check .*)$", doc.read_text(), re.M)
    return [shlex.split(line)[1:] for line in found]


def _without_workers(args: list[str]) -> list[str]:
    out = list(args)
    if "--workers" in out:
        i = out.index("--workers")
        del out[i : i + 2]
    return out


def test_ci_docs_show_the_same_check_job() -> None:
    readme = documented_check(ROOT / "README.md")
    assert len(readme) == 1, readme
    ci = documented_check(ROOT / "docs" / "ci.md")
    assert ci and all(_without_workers(c) == readme[0] for c in ci), (ci, readme)


def test_every_scenario_has_a_baseline_and_every_baseline_a_scenario() -> None:
    scenarios = {p.stem for p in SCENARIOS.glob("*.yaml")}
    baselines = {p.stem for p in BASELINES.glob("*.json")}
    assert scenarios - baselines == set(), f"scenarios without a baseline; run: {REGENERATE}"
    assert baselines - scenarios == set(), "baselines whose scenario is gone; delete them"


def test_project_scenarios_match_their_baselines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "verdicts.json"
    # The README's job, run from the repository root; only its --json file goes elsewhere.
    args = documented_check(ROOT / "README.md")[0]
    args[args.index("--json") + 1] = str(out)
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, args, env={"COLUMNS": "160"})
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
