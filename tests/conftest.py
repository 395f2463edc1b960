"""Fixtures shared by several test files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simdesk.experiment import Summary, run_experiment
from simdesk.loading import scenario_from_data
from simdesk.sweep import apply_setting
from simdesk.yamlload import load_yaml

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))


def one_day_of(path: Path) -> dict[str, Any]:
    """The example's data with its horizon cut to one measured day, and a learning ramp
    shortened to fit it (a ramp may not outlast the horizon: docs)."""
    data = load_yaml(path).data
    apply_setting(data, "horizon", "1d")
    for pool in data.get("pools", []):
        learning = (pool.get("workforce") or {}).get("learning")
        if learning is not None:
            learning["months"] = 0.03
    return data


def short_example(path: Path) -> Summary:
    """The example desk as written, over one measured day and two replications."""
    data = one_day_of(path)
    apply_setting(data, "replications", 2)
    return run_experiment(scenario_from_data(data, str(path)))


@pytest.fixture(scope="session")
def example_summaries() -> dict[str, Summary]:
    """Every example scenario's Summary, run once per test session."""
    return {p.stem: short_example(p) for p in EXAMPLES}
