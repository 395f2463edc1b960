"""Scenario files to validated models, with every error located in the file."""

from __future__ import annotations

import os
from typing import Any

from simdesk.errors import Problem, ScenarioError
from simdesk.scenario import Scenario, consistency_problems
from simdesk.traces import attach_trace, trace_key
from simdesk.yamlload import LocatedDocument, format_key_path, load_yaml, validate


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read, parse and validate one scenario file; raise ScenarioError naming file:line."""
    return scenario_from_document(load_yaml(path))


def scenario_from_document(doc: LocatedDocument) -> Scenario:
    scenario = validate(Scenario, doc)
    problems = [
        Problem(message, doc.file, doc.line_of(loc), format_key_path(loc, doc.data) or None)
        for loc, message in consistency_problems(scenario)
    ]
    if problems:
        problems.sort(key=lambda p: (p.line is None, p.line or 0))
        raise ScenarioError(problems)
    found = trace_key(scenario)
    if found is not None:
        # Checked now, in one streaming pass, so that a bad row stops the command before
        # anything runs (and `validate` reports it).
        loc = tuple(found[0].split("."))
        attach_trace(scenario, doc.file, doc.line_of(loc))
    return scenario


def scenario_from_data(data: Any, file: str = "<scenario>") -> Scenario:
    """Validate raw data (e.g. a sweep's edited copy) with the same messages."""
    return scenario_from_document(LocatedDocument(data, file))
