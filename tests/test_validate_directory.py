"""`simdesk validate DIR`: every error of every broken file in the directory, exit 2.

Each file below breaks the base scenario in several places at once; validate must name
every one of them (file, line, key), not stop at the first file or the first error.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from simdesk.cli import app

BASE = """\
name: base
horizon: 6h
demand:
  arrival_rate: 200/h
  types:
    - name: general
      share: 1.0
customers:
  patience: exponential(mean=2m)
pools:
  - name: agents
    kind: inhouse
    agents: 11
    handle_time: exponential(mean=3m)
routing:
  general: [agents]
"""

# file name -> (text, [(marker on the error's line, key path, fragment of the message)])
BROKEN: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "typos.yaml": (
        BASE.replace("horizon: 6h", "horizn: 6h")
        .replace("    agents: 11", "    agnets: 11")
        .replace("  patience:", "  patiense:"),
        [
            ("horizn", "horizn", "did you mean 'horizon'?"),
            ("agnets", "pools[agents].agnets", "did you mean 'agents'?"),
            ("patiense", "customers.patiense", "did you mean 'patience'?"),
        ],
    ),
    "values.yaml": (
        BASE.replace("200/h", "200").replace("agents: 11", "agents: -1").replace(
            "share: 1.0", "share: 100%"
        ),
        [
            ("arrival_rate", "demand.arrival_rate", "200/h"),
            ("agents: -1", "pools[agents].agents", "at least 0"),
            ("share: 100%", "demand.types[general].share", "such as 1"),
        ],
    ),
    "routes.yaml": (
        BASE.replace("general: [agents]", "general: [agentz]\n  genral: [agents]"),
        [
            ("general: [agentz]", "routing.general[0]", "unknown pool 'agentz'"),
            ("genral", "routing.genral", "unknown inquiry type"),
        ],
    ),
    "empty.yaml": ("# nothing yet\n", [("", "", "the file is empty")]),
    "syntax.yaml": (
        BASE.replace("  types:\n", "  types: [\n"), [("- name", "", "could not parse")]
    ),
}


def line_of(text: str, marker: str) -> int | None:
    if not marker:
        return None
    return text.count("\n", 0, text.index(marker)) + 1


def test_every_error_of_every_file_in_a_directory(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(BASE, encoding="utf-8")
    for name, (text, _) in BROKEN.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(tmp_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    err = result.stderr
    assert "Traceback" not in result.output
    errors = [ln for ln in err.splitlines() if ln.startswith("error: ")]
    expected = 0
    for name, (text, problems) in BROKEN.items():
        path = tmp_path / name
        for marker, key, says in problems:
            expected += 1
            line = line_of(text, marker)
            where = str(path) if line is None else f"{path}:{line}"
            prefix = f"error: {where}: {key}: " if key else f"error: {where}: "
            assert any(ln.startswith(prefix) and says in ln for ln in errors), (prefix, err)
    assert len(errors) == expected, err
    assert f"{len(BROKEN)} of {len(BROKEN) + 1} scenario file(s) invalid" in err
    assert str(tmp_path / "good.yaml") not in err
