"""Output paths checked before anything runs.

A run can take minutes; finding only at its end that ``--json`` points into a missing
directory wastes it, and ``simdesk run s.yaml --json s.yaml`` would replace the scenario
with its own results. Every command that writes files calls ``check_outputs`` with its
output options and its input files before it simulates anything.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from simdesk.errors import Problem, SimdeskError

__all__ = ["check_outputs"]


def _same(a: Path, b: Path) -> bool:
    """The same file, by identity when both exist (links, ``./``), else by absolute path."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def _problem(option: str, path: Path, inputs: Sequence[Path]) -> Problem | None:
    for source in inputs:
        if _same(path, source):
            return Problem(
                f"{path} is an input of this command; refusing to write over it "
                "(choose another output file)",
                key=option,
            )
    if path.is_dir():
        return Problem(f"{path} is a directory; give a file name", key=option)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        return Problem(f"cannot write {path}: directory {parent} does not exist", key=option)
    if not os.access(parent, os.W_OK | os.X_OK):
        return Problem(f"cannot write {path}: directory {parent} is not writable", key=option)
    if path.exists() and not os.access(path, os.W_OK):
        return Problem(f"cannot write {path}: the file is not writable", key=option)
    return None


def check_outputs(outputs: Sequence[tuple[str, Path | None]], inputs: Sequence[Path]) -> None:
    """Raise a SimdeskError naming every output option that could not be written: one that
    is an input file, a directory, in a missing or read-only directory, or the same file
    as another output."""
    problems: list[Problem] = []
    given: list[tuple[str, Path]] = []
    for option, path in outputs:
        if path is None:
            continue
        problem = _problem(option, path, inputs)
        if problem is None:
            for other_option, other in given:
                if _same(path, other):
                    problem = Problem(
                        f"{path} is also the {other_option} output; give each its own file",
                        key=option,
                    )
                    break
        if problem is not None:
            problems.append(problem)
        given.append((option, path))
    if problems:
        raise SimdeskError(problems)
