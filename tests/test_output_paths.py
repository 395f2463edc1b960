"""Output paths are checked before anything runs: never written over an input file, and
a missing directory is reported up front (exit 2), not after the whole run."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import simdesk.experiment
from simdesk.cli import app

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "erlang_c.yaml"


@pytest.fixture()
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any simulation started fails the test: the path check must come first."""

    def forbidden(*_a: object, **_k: object) -> None:
        raise AssertionError("simulated before checking the output paths")

    monkeypatch.setattr(simdesk.experiment, "simulate", forbidden)


@pytest.fixture()
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def _commands(scenario: Path, out_option: str, out: Path) -> list[list[str]]:
    other = scenario.with_name("other.yaml")
    other.write_text(scenario.read_text(encoding="utf-8"), encoding="utf-8")
    common = ["--workers", "1"]
    cmds = [
        ["run", str(scenario), "--json", str(out), *common],
        ["compare", str(scenario), str(other), "--json", str(out), *common],
        ["sweep", str(scenario), "--set", "pools.agents.agents=14,15", out_option, str(out),
         *common],
        ["check", str(scenario), "--baseline", str(other), "--json", str(out), *common],
    ]
    return cmds


def _invoke(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args, env=ENV)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.mark.usefixtures("no_simulation")
@pytest.mark.parametrize("sweep_option", ["--json", "--csv"])
def test_refuses_to_write_over_an_input(scenario: Path, sweep_option: str) -> None:
    before = scenario.read_bytes()
    for args in _commands(scenario, sweep_option, scenario):
        code, out = _invoke(args)
        assert code == 2, (args, out)
        assert "input of this command" in out, (args, out)
        assert scenario.read_bytes() == before, args


@pytest.mark.usefixtures("no_simulation")
def test_refuses_to_write_over_an_input_by_another_name(scenario: Path) -> None:
    link = scenario.with_name("link.json")
    link.symlink_to(scenario)
    code, out = _invoke(["run", str(scenario), "--json", str(link), "--workers", "1"])
    assert code == 2 and "input of this command" in out
    code, out = _invoke(["check", str(scenario), "--baseline", str(link),
                         "--json", str(link), "--workers", "1"])
    assert code == 2 and "input of this command" in out


@pytest.mark.usefixtures("no_simulation")
def test_missing_directory_fails_before_running(scenario: Path, tmp_path: Path) -> None:
    out_path = tmp_path / "missing" / "out.json"
    for args in _commands(scenario, "--csv", out_path):
        code, out = _invoke(args)
        assert code == 2, (args, out)
        assert "does not exist" in out and "--" in out, (args, out)
        assert not out_path.parent.exists()


@pytest.mark.usefixtures("no_simulation")
def test_sweep_outputs_must_differ(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "grid.out"
    code, text = _invoke(["sweep", str(scenario), "--set", "pools.agents.agents=14,15",
                          "--csv", str(out), "--json", str(out), "--workers", "1"])
    assert code == 2 and "also the --csv output" in text
    assert not out.exists()


def test_a_good_output_path_is_written(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    short = scenario.read_text(encoding="utf-8").replace("horizon: 7d", "horizon: 2h")
    scenario.write_text(short.replace("replications: 5", "replications: 2"), encoding="utf-8")
    code, text = _invoke(["run", str(scenario), "--json", str(out), "--workers", "1"])
    assert code == 0, text
    assert out.read_text(encoding="utf-8").startswith("{")
