"""Hostile or absurd input files are refused up front with a clear message (issue 12, item 2).

Each of these used to hang, grow memory or end in a traceback: reading ``/dev/zero``, a
file of millions of values, a YAML alias bomb (expanded when a sweep copies the scenario),
an integer of thousands of digits, intraday weights whose sum overflows. Now each one is
exit code 2 with the file (and line, where there is one) and the cap it hit.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simdesk import yamlload
from simdesk.cli import app
from simdesk.errors import ScenarioError
from simdesk.limits import MAX_INPUT_BYTES, MAX_INT_DIGITS, MAX_YAML_ALIASES, MAX_YAML_NODES
from simdesk.loading import load_scenario
from simdesk.yamlload import load_yaml

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}

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


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=ENV)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize("command", ["run", "validate"])
def test_an_endless_file_is_refused_at_the_size_cap(command: str) -> None:
    code, out = cli(command, "/dev/zero")
    assert code == 2
    assert "/dev/zero: file is larger than" in out
    assert f"{MAX_INPUT_BYTES:,} bytes" in out


def test_a_file_above_the_size_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("w", encoding="utf-8") as out:
        out.write(BASE + "description: |\n")
        line = "  " + "x" * 98 + "\n"
        out.write(line * (MAX_INPUT_BYTES // len(line) + 1))
    with pytest.raises(ScenarioError) as exc:
        load_yaml(path)
    (problem,) = exc.value.problems
    assert problem.file == str(path)
    assert "larger than" in problem.message


def test_the_value_cap_lets_a_file_of_millions_of_values_be_refused_quickly() -> None:
    """Below the size cap a file holds about half a million values (``0,`` each); the
    value cap stops reading long before that."""
    assert MAX_YAML_NODES < MAX_INPUT_BYTES // 2 // 10


def test_reading_stops_at_the_value_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Far too many values: refused once the cap is reached, not after parsing all of them;
    the message names the line where reading stopped. (A small cap keeps the test fast.)"""
    cap = 2_000
    monkeypatch.setattr(yamlload, "MAX_YAML_NODES", cap)
    text = BASE + "targets:\n  budget: [\n" + "0,\n" * (cap * 10) + "0]\n"
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as exc:
        load_yaml(path)
    (problem,) = exc.value.problems
    assert f"more than {cap:,} values" in problem.message
    stop = problem.line
    assert stop is not None
    assert cap // 2 < stop < text.count("\n") // 2


def alias_bomb(levels: int = 9, width: int = 10) -> str:
    """The "billion laughs": each level lists the previous one ``width`` times."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def bomb_in_description() -> str:
    """A scenario whose description holds an alias bomb (the anchors in an unused key)."""
    anchors = "".join(f"  {line}\n" for line in alias_bomb().splitlines())
    return BASE + "x-anchors:\n" + anchors + "description: *a8\n"


def test_an_alias_bomb_is_refused_before_anything_expands_it(tmp_path: Path) -> None:
    path = write(tmp_path, bomb_in_description())
    with pytest.raises(ScenarioError) as exc:
        load_yaml(path)
    (problem,) = exc.value.problems
    assert "aliases (*name) expand to more than" in problem.message


def test_sweep_refuses_an_alias_bomb(tmp_path: Path) -> None:
    """A sweep copies the raw data for every point: the bomb must never reach the copy."""
    path = write(tmp_path, bomb_in_description())
    code, out = cli("sweep", str(path), "--set", "pools.agents.agents=10,11")
    assert code == 2
    assert f"{path}: file refused: its aliases (*name) expand" in out


def test_too_many_aliases_are_refused(tmp_path: Path) -> None:
    text = BASE + "description: &d x\nextras: [" + ", ".join(["*d"] * (MAX_YAML_ALIASES + 1))
    path = write(tmp_path, text + "]\n")
    with pytest.raises(ScenarioError) as exc:
        load_yaml(path)
    assert f"more than {MAX_YAML_ALIASES:,} alias uses" in exc.value.problems[0].message


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "extras: &loop [1, *loop]\n")
    with pytest.raises(ScenarioError) as exc:
        load_yaml(path)
    assert "used inside its own anchor" in exc.value.problems[0].message


def test_a_few_aliases_still_work(tmp_path: Path) -> None:
    text = BASE.replace(
        "  patience: exponential(mean=2m)\n", "  patience: &time exponential(mean=3m)\n"
    ).replace("    handle_time: exponential(mean=3m)\n", "    handle_time: *time\n")
    scenario = load_scenario(write(tmp_path, text))
    assert scenario.customers.patience is not None
    assert scenario.customers.patience.mean == scenario.pools[0].handle_for("general").mean


def test_set_with_thousands_of_digits_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    code, out = cli("sweep", str(path), "--set", "seed=1" + "0" * 5000)
    assert code == 2
    assert "--set seed" in out
    assert f"at most {MAX_INT_DIGITS} are accepted" in out
    assert "0" * 100 not in out


def test_set_range_with_thousands_of_digits_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    code, out = cli("sweep", str(path), "--set", "seed=1:1" + "0" * 5000 + ":1")
    assert code == 2
    assert f"at most {MAX_INT_DIGITS} are accepted" in out


def test_yaml_integer_with_thousands_of_digits_is_a_short_clear_error(tmp_path: Path) -> None:
    text = BASE.replace("horizon: 6h\n", "horizon: 6h\nseed: 1" + "0" * 5000 + "\n")
    code, out = cli("validate", str(write(tmp_path, text)))
    assert code == 2
    assert ":3: " in out and f"at most {MAX_INT_DIGITS} are accepted" in out
    assert "0" * 100 not in out


@pytest.mark.parametrize("weight", ["1e308", ".inf"])
def test_intraday_weights_whose_sum_overflows_are_refused(tmp_path: Path, weight: str) -> None:
    weights = ", ".join([weight] * 24)
    text = BASE.replace("  types:\n", f"  intraday: [{weights}]\n  types:\n")
    path = write(tmp_path, text)
    code, out = cli("validate", str(path))
    assert code == 2
    assert f"{path}:5: demand.intraday:" in out
    assert "scale them down" in out


def test_large_but_summable_weights_are_fine(tmp_path: Path) -> None:
    weights = ", ".join(["1e300"] * 24)
    text = BASE.replace("  types:\n", f"  intraday: [{weights}]\n  types:\n")
    scenario = load_scenario(write(tmp_path, text))
    assert scenario.demand.rate_multiplier(5) == pytest.approx(1.0)
