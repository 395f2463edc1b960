"""A scenario's inputs in canonical form, and what changed between two of them.

A result document (and so a baseline) records the validated scenario as plain JSON, every
default filled in, so that ``check`` can say which inputs changed beside which figures
moved: "service level changed down" is half an explanation, "pools[agents].agents: 14 ->
13" is the other half. Comparing the validated models rather than the files means a
comment, a reordered key or ``4m`` written as ``240s`` is no change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from simdesk.scenario import Scenario

__all__ = ["ABSENT", "InputChange", "input_changes", "scenario_inputs"]

ABSENT = "(absent)"
# A long list or object is shown shortened: the key path says where to look.
_MAX_SHOWN = 60


def scenario_inputs(scenario: Scenario) -> dict[str, Any]:
    """The scenario as the JSON the model validates to (defaults included)."""
    return scenario.model_dump(mode="json")


@dataclass(frozen=True)
class InputChange:
    """One input that differs: where, and its value before and after (JSON values)."""

    path: str
    old: Any
    new: Any
    old_present: bool = True
    new_present: bool = True

    @staticmethod
    def shown(value: Any, present: bool) -> str:
        if not present:
            return ABSENT
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."

    def __str__(self) -> str:
        old = self.shown(self.old, self.old_present)
        new = self.shown(self.new, self.new_present)
        return f"{self.path}: {old} -> {new}"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "old": self.old if self.old_present else None,
            "new": self.new if self.new_present else None,
            "old_present": self.old_present,
            "new_present": self.new_present,
        }


def _named(items: list[Any]) -> dict[str, Any] | None:
    """A list of objects with distinct ``name``s, keyed by name (pools, types), else None."""
    if not items or not all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items):
        return None
    keyed = {i["name"]: i for i in items}
    return keyed if len(keyed) == len(items) else None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _diff(old: Any, new: Any, path: str, out: list[InputChange]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            where = _join(path, str(key))
            if key not in new:
                out.append(InputChange(where, old[key], None, new_present=False))
            elif key not in old:
                out.append(InputChange(where, None, new[key], old_present=False))
            else:
                _diff(old[key], new[key], where, out)
        return
    if isinstance(old, list) and isinstance(new, list):
        a, b = _named(old), _named(new)
        if a is not None and b is not None:
            # Named items are matched by name, so removing the first pool is one change.
            for name in list(a) + [n for n in b if n not in a]:
                where = f"{path}[{name}]"
                if name not in b:
                    out.append(InputChange(where, a[name], None, new_present=False))
                elif name not in a:
                    out.append(InputChange(where, None, b[name], old_present=False))
                else:
                    _diff(a[name], b[name], where, out)
            return
        if len(old) == len(new):
            for i, (x, y) in enumerate(zip(old, new, strict=True)):
                _diff(x, y, f"{path}[{i}]", out)
            return
    if old != new or type(old) is not type(new):
        out.append(InputChange(path, old, new))


def input_changes(old: Any, new: Any) -> list[InputChange]:
    """Every leaf that differs, by key path (``pools[inhouse].agents``), in document order."""
    out: list[InputChange] = []
    _diff(old, new, "", out)
    return out
