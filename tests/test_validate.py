"""`simdesk validate`: every error of every file, located, then exit 2 (pre-commit hooks)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from simdesk.cli import app

GOOD = """\
name: good
demand:
  arrival_rate: 200/h
  types:
    - {name: call, share: 1.0}
customers:
  patience: exponential(mean=2m)
pools:
  - name: agents
    kind: inhouse
    agents: 11
    handle_time: exponential(mean=3m)
routing:
  call: [agents]
"""

# Three problems in one file: an unknown key, a wrong kind and a bad duration.
SEVERAL = """\
name: several
horizon: 5 minutes
demand:
  arrival_rate: 200/h
  types:
    - {name: call, share: 1.0}
pools:
  - name: agents
    kind: robot
    agents: 3
    handle_time: exponential(mean=3m)
    colour: blue
routing:
  call: [agents]
"""

SYNTAX = """\
name: syntax
demand: {arrival_rate: 200/h
pools: []
"""

# Valid on its own, but the route names a pool that does not exist.
INCONSISTENT = """\
name: inconsistent
demand:
  arrival_rate: 200/h
  types:
    - {name: call, share: 1.0}
pools:
  - name: agents
    kind: inhouse
    agents: 3
    handle_time: exponential(mean=3m)
routing:
  call: [agentz]
"""

# Allowed, but probably not meant: a warning, not an error.
OVERLOADED = """\
name: overloaded
demand:
  arrival_rate: 200/h
  types:
    - {name: call, share: 1.0}
pools:
  - name: agents
    kind: inhouse
    agents: 3
    handle_time: exponential(mean=3m)
routing:
  call: [agents]
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text))
    return path


def cli(*args: str | Path) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def test_all_errors_of_all_files_with_file_and_line(tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", GOOD)
    several = write(tmp_path, "several.yaml", SEVERAL)
    syntax = write(tmp_path, "syntax.yaml", SYNTAX)
    inconsistent = write(tmp_path, "inconsistent.yaml", INCONSISTENT)
    missing = tmp_path / "missing.yaml"
    result = cli("validate", several, good, syntax, inconsistent, missing)
    assert result.exit_code == 2
    err = result.stderr
    assert f"{several}:2: horizon: unknown duration unit 'minutes'" in err
    assert f"{several}:9: pools[agents].kind:" in err
    assert f"{several}:12: pools[agents].colour: unknown key" in err
    assert f"{syntax}:3: could not parse YAML" in err
    assert f"{inconsistent}:12: routing.call[0]: unknown pool 'agentz'" in err
    assert f"{missing}: file not found" in err
    assert str(good) not in err
    assert "4 of 5 scenario file(s) invalid" in err
    assert "Traceback" not in result.output
    # Files are reported in the order given.
    order = [err.index(str(p) + ":") for p in (several, syntax, inconsistent, missing)]
    assert order == sorted(order)


def test_same_messages_as_run(tmp_path: Path) -> None:
    several = write(tmp_path, "several.yaml", SEVERAL)
    validated = cli("validate", several)
    ran = cli("run", several)
    assert ran.exit_code == validated.exit_code == 2
    errors = [line for line in validated.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 3
    assert errors == [line for line in ran.stderr.splitlines() if line.startswith("error:")]


def test_valid_files_print_one_ok_line(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yml", GOOD.replace("name: good", "name: other"))
    result = cli("validate", tmp_path)  # a directory stands for its scenario files
    assert result.exit_code == 0, result.output
    assert result.stdout == "OK: 2 scenario file(s) valid\n"
    assert result.stderr == ""


def test_warnings_do_not_fail(tmp_path: Path) -> None:
    path = write(tmp_path, "overloaded.yaml", OVERLOADED)
    result = cli("validate", path)
    assert result.exit_code == 0
    assert f"warning: {path}: the desk is overloaded" in result.stderr
    assert "OK: 1 scenario file(s) valid" in result.stdout


def test_empty_directory_is_bad_input(tmp_path: Path) -> None:
    result = cli("validate", tmp_path)
    assert result.exit_code == 2
    assert "no scenario files" in result.stderr


def test_project_scenarios_are_valid() -> None:
    scenarios = Path(__file__).resolve().parent.parent / "scenarios"
    result = cli("validate", scenarios)
    assert result.exit_code == 0, result.output
