"""Errors that reach the user.

Every problem a user can fix carries where it is (file, line, key path) and what was
expected, so the CLI can print ``file:line: key.path: message`` and exit 2 without a
traceback. Domain code raises these; only the CLI edge catches them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One located problem in user input."""

    message: str
    file: str | None = None
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
        parts = [p for p in (where, self.key) if p]
        prefix = ": ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


class SimdeskError(Exception):
    """Base class for errors caused by user input; the CLI exits 2 on these."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ScenarioError(SimdeskError):
    """A scenario file is missing, malformed or inconsistent."""
