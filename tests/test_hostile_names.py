"""Names are text: a pool or type named like Rich markup or carrying terminal escape codes
is printed exactly as written (control characters made visible), by every command.

Without the escaping, ``[/]`` crashes the tables with a MarkupError, ``[bold]x`` prints
as ``x``, and ``\\x1b[31m`` reaches the terminal and turns it red.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from simdesk.cli import app
from simdesk.render.text import plain, visible

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
ESC = "\x1b"

# YAML double-quoted strings: "\e" is ESC.
HOSTILE_YAML = """\
name: "desk [bold]x \\e[31mred"
seed: 3
horizon: 2h
warmup: 0s
replications: 2
demand:
  arrival_rate: 60/h
  types:
    - name: "[bold]x"
      share: 0.5
    - name: "t\\e[2J"
      share: 0.5
customers:
  patience: exponential(mean=2m)
pools:
  - name: "[/]"
    kind: inhouse
    agents: 2
    handle_time: exponential(mean=3m)
routing:
  "[bold]x": ["[/]"]
  "t\\e[2J": ["[/]"]
targets:
  service_level: {within: 20s, at_least: 0.8}
"""


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=ENV)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def _assert_shown_as_written(out: str, *names: str) -> None:
    assert ESC not in out, "a raw escape code reached the terminal"
    assert "MarkupError" not in out
    for name in names:
        assert visible(name) in out, f"{visible(name)!r} not shown as written"


@pytest.fixture()
def hostile(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.yaml"
    path.write_text(HOSTILE_YAML, encoding="utf-8")
    return path


def test_plain_escapes_markup_and_shows_control_characters() -> None:
    assert visible("a\x1b[31mb\x07") == "a\\x1b[31mb\\x07"
    assert visible("two\nlines", newlines=True) == "two\nlines"
    assert visible("two\nlines") == "two\\x0alines"
    from rich.console import Console

    console = Console(width=200, no_color=True, record=True)
    for name in ("[/]", "[bold]x", "[red]", "pools[agents]", "é [1, 2]"):
        console.print(f"[bold]<[/]{plain(name)}[bold]>[/]")
    assert console.export_text().splitlines() == [
        "<[/]>", "<[bold]x>", "<[red]>", "<pools[agents]>", "<é [1, 2]>"
    ]


def test_run_shows_hostile_names_as_written(hostile: Path) -> None:
    code, out = _invoke("run", str(hostile), "--workers", "1")
    assert code == 0, out
    _assert_shown_as_written(out, "[/]", "[bold]x", "t\x1b[2J", "desk [bold]x \x1b[31mred")


def test_compare_shows_hostile_names_as_written(hostile: Path, tmp_path: Path) -> None:
    other = tmp_path / "[red]other\x1b.yaml"
    other.write_text(HOSTILE_YAML.replace("agents: 2", "agents: 3"), encoding="utf-8")
    code, out = _invoke("compare", str(hostile), str(other), "--workers", "1")
    assert code == 0, out
    _assert_shown_as_written(out, "[red]other\x1b")


def test_sweep_shows_hostile_names_as_written(hostile: Path) -> None:
    code, out = _invoke(
        "sweep", str(hostile), "--set", "pools.[/].agents=2,3", "--workers", "1"
    )
    assert code == 0, out
    _assert_shown_as_written(out, "pools.[/].agents", "desk [bold]x \x1b[31mred")


def test_check_shows_hostile_names_as_written(hostile: Path, tmp_path: Path) -> None:
    base = tmp_path / "base"
    code, out = _invoke("check", str(hostile), "--baselines", str(base), "--update",
                        "--workers", "1")
    assert code == 0, out
    code, out = _invoke("check", str(hostile), "--baselines", str(base), "--workers", "1",
                        "--targets", "off", "--figure", "pools.[/].occupancy")
    assert code == 0, out
    _assert_shown_as_written(out, "desk [bold]x \x1b[31mred")


def test_errors_show_hostile_names_as_written(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        HOSTILE_YAML.replace('"[bold]x": ["[/]"]', '"[bold]x": ["[b]\\e[31m"]'), encoding="utf-8"
    )
    for command in ("run", "validate"):
        code, out = _invoke(command, str(bad))
        assert code == 2, out
        _assert_shown_as_written(out, "[b]\x1b[31m")


def test_erlang_errors_show_input_as_written() -> None:
    code, out = _invoke("erlang", "--rate", "[/]\x1b[31m", "--handle", "3m")
    assert code == 2
    _assert_shown_as_written(out, "[/]\x1b[31m")
