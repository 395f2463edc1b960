"""The schema of a baseline (a ``simdesk run --json`` document) and a small validator.

A baseline that is malformed but "compares successfully" turns a regression test into a
silent pass (``targets: "met"`` used to be read as no targets at all), so ``check``
validates every baseline against this schema before using it. The schema is written in
the JSON Schema vocabulary (a subset: type, const, enum, minimum, maximum, minItems, maxItems,
required, properties, additionalProperties, items, description) so that the test suite
can confirm with the ``jsonschema`` package (a dev dependency only) that the validator
here agrees with the standard; the runtime needs nothing beyond the standard library.

Messages are located by key path, ``totals.p_wait.sd: expected ...``, and collected, so
one run shows the whole repair.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from simdesk.limits import MAX_REPLICATIONS
from simdesk.report import SCHEMA_VERSION

__all__ = ["BASELINE_SCHEMA", "schema_problems"]

_NUMBER_OR_NULL: dict[str, Any] = {"type": ["number", "null"]}

ESTIMATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["mean", "ci95", "sd", "n"],
    "properties": {
        "mean": _NUMBER_OR_NULL,
        "ci95": {
            "type": ["array", "null"],
            "items": {"type": "number"},
            "minItems": 2,
            "maxItems": 2,
            "description": "[low, high]",
        },
        "sd": {"type": ["number", "null"], "minimum": 0},
        "n": {"type": "integer", "minimum": 0, "maximum": MAX_REPLICATIONS},
    },
    "additionalProperties": False,
}

_SCOPE: dict[str, Any] = {"type": "object", "additionalProperties": ESTIMATE_SCHEMA}
_NAMED_SCOPES: dict[str, Any] = {"type": "object", "additionalProperties": _SCOPE}

_HOURS: dict[str, Any] = {
    "type": "array",
    "maxItems": 24,
    "items": {
        "type": "object",
        "required": ["hour"],
        "properties": {"hour": {"type": "integer", "minimum": 0, "maximum": 23}},
        "additionalProperties": ESTIMATE_SCHEMA,
    },
}
_PERIODS: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["index", "start", "measured_s"],
        "properties": {
            "index": {"type": "integer", "minimum": 1},
            "start": {"type": ["string", "null"], "description": "ISO date"},
            "measured_s": {"type": "number", "minimum": 0},
            # Pools with workforce only; check does not compare periods.
            "pools": _NAMED_SCOPES,
        },
        "additionalProperties": ESTIMATE_SCHEMA,
    },
}

BASELINE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "simdesk result document (a check baseline)",
    "type": "object",
    "required": [
        "schema_version",
        "simdesk_version",
        "seed",
        "replications",
        "totals",
        "pools",
        "types",
        "intervals",
        "targets",
    ],
    "properties": {
        "schema_version": {"type": "integer", "enum": [2, SCHEMA_VERSION]},
        "simdesk_version": {"type": "string"},
        "scenario": {"type": ["string", "null"]},
        "seed": {"type": "integer", "minimum": 0},
        "replications": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_REPLICATIONS,
            "description": "the cap on replications",
        },
        "service_level_within_s": {"type": "number", "minimum": 0},
        "totals": _SCOPE,
        "pools": _NAMED_SCOPES,
        "types": _NAMED_SCOPES,
        "intervals": _HOURS,
        "erlang": {"type": ["object", "null"]},
        "targets": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "figure", "goal", "value", "met"],
                "properties": {
                    "name": {"type": "string"},
                    "figure": {"type": "string"},
                    "goal": {"type": "string"},
                    "value": _NUMBER_OR_NULL,
                    "met": {"type": ["boolean", "null"], "description": "(null: n/a)"},
                    "status": {"type": "string", "enum": ["met", "missed", "n/a"]},
                    "reason": {"type": ["string", "null"]},
                },
            },
        },
        "warnings": {"type": "array", "items": {"type": "string"}},
        # Optional: baselines written before it existed still load (no input changes told).
        "inputs": {"type": "object", "description": "(the scenario in canonical form)"},
        # Version 3 (optional, so version 2 baselines load; check does not compare them).
        "pool_intervals": {"type": "object", "additionalProperties": _HOURS},
        "periods": {
            "type": "object",
            "required": ["day", "week", "month"],
            "properties": {kind: _PERIODS for kind in ("day", "week", "month")},
            "additionalProperties": False,
        },
    },
}

_TYPE_WORDS = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "null": "null",
}


def _is_type(value: Any, name: str) -> bool:
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        # Python's json reads 1e400 as inf; a non-finite figure is no figure.
        return (
            isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        )
    if name == "string":
        return isinstance(value, str)
    if name == "array":
        return isinstance(value, list)
    return isinstance(value, dict)


def _shown(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _validate(value: Any, schema: dict[str, Any], path: str) -> Iterator[tuple[str, str]]:
    """(key path, message) for every way ``value`` breaks ``schema``."""
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else list(types)
        if not any(_is_type(value, t) for t in names):
            words = " or ".join(_TYPE_WORDS[t] for t in names)
            extra = f" {schema['description']}" if "description" in schema else ""
            yield path, f"expected {words}{extra}, got {_shown(value)}"
            return
    if "const" in schema and not (
        type(value) is type(schema["const"]) and value == schema["const"]
    ):
        yield path, f"expected {_shown(schema['const'])}, got {_shown(value)}"
        return
    if "enum" in schema and value not in schema["enum"]:
        choices = ", ".join(_shown(v) for v in schema["enum"])
        yield path, f"expected one of {choices}, got {_shown(value)}"
        return
    if _is_type(value, "number"):
        why = f" ({schema['description']})" if "description" in schema else ""
        if "minimum" in schema and value < schema["minimum"]:
            yield path, f"expected at least {schema['minimum']}{why}, got {_shown(value)}"
        if "maximum" in schema and value > schema["maximum"]:
            yield path, f"expected at most {schema['maximum']:,}{why}, got {_shown(value)}"
    if isinstance(value, list):
        low, high = schema.get("minItems"), schema.get("maxItems")
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            if low == high:
                size = f"exactly {low}"
            elif high is None:
                size = f"at least {low}"
            elif low is None:
                size = f"at most {high}"
            else:
                size = f"{low} to {high}"
            extra = f" {schema['description']}" if "description" in schema else ""
            yield path, f"expected a list of {size} items{extra}, got {len(value)}"
        if "items" in schema:
            for i, item in enumerate(value):
                yield from _validate(item, schema["items"], f"{path}[{i}]")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                yield path, f"missing key '{key}'"
        props: dict[str, Any] = schema.get("properties", {})
        extra_schema = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                yield from _validate(item, props[key], _join(path, key))
            elif extra_schema is False:
                known = ", ".join(f"'{k}'" for k in props)
                yield _join(path, key), f"unknown key; expected only {known}"
            elif isinstance(extra_schema, dict):
                yield from _validate(item, extra_schema, _join(path, key))


def schema_problems(doc: Any, schema: dict[str, Any] = BASELINE_SCHEMA) -> list[tuple[str, str]]:
    """Every violation of ``schema`` in ``doc`` as (key path, message), in document order.

    The key path is empty for the document itself.
    """
    return list(_validate(doc, schema, ""))
