"""Messages that name the cause of a mistake, not a symptom of it (issue 12, item 1).

Each case is a working scenario with one typical mistake; the message must point at the
line of the mistake itself, name its key path and say what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simdesk.cli import app

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}

BASE = """\
name: base
horizon: 6h
demand:
  arrival_rate: 200/h
  types:
    - name: general
      share: 0.5
    - name: billing
      share: 0.5
customers:
  patience: exponential(mean=2m)
pools:
  - name: agents
    kind: inhouse
    agents: 11
    handle_time: exponential(mean=3m)
routing:
  general: [agents]
  billing: [agents]
"""


def edit(old: str, new: str, base: str = BASE) -> str:
    assert old in base, old
    return base.replace(old, new, 1)


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    marker: str  # the error's line is the first line containing this text
    key: str | None  # the key path the message names
    says: str  # a fragment of the explanation
    nth: int = 1  # which occurrence of the marker


CASES = [
    Case("misspelled-agents", edit("    agents: 11\n", "    agnets: 11\n"), "agnets",
         "pools[agents].agnets", "did you mean 'agents'?"),
    Case("misspelled-top-key", edit("horizon: 6h\n", "horizn: 6h\n"), "horizn",
         "horizn", "did you mean 'horizon'?"),
    Case("misspelled-nested-key", edit("  patience:", "  patiense:"), "patiense",
         "customers.patiense", "did you mean 'patience'?"),
    Case("misspelled-key-in-flow-mapping",
         edit("    agents: 11\n", "    shifts:\n      - {days: all, strat: '08:00', "
              "end: '16:00', agents: 2}\n"),
         "strat", "pools[agents].shifts[0].strat", "did you mean 'start'?"),
    Case("unknown-key-far-from-any", edit("    agents: 11\n", "    agents: 11\n    colour: 3\n"),
         "colour", "pools[agents].colour", "unknown key"),
    Case("repeated-pool-name",
         edit("routing:\n", "  - name: agents\n    kind: vendor\n    agents: 3\n"
              "    handle_time: fixed(1m)\nrouting:\n"),
         "- name: agents", "pools[agents].name", "repeated", nth=2),
    Case("repeated-type-name", edit("    - name: billing\n", "    - name: general\n"),
         "- name: general", "demand.types[general].name", "repeated", nth=2),
    Case("percent-probability",
         edit("  patience: exponential(mean=2m)\n",
              "  patience: exponential(mean=2m)\n  asks_for_human: 80%\n"),
         "asks_for_human", "customers.asks_for_human",
         "a probability between 0 and 1, such as 0.8"),
    Case("percent-fcr", edit("    agents: 11\n", "    agents: 11\n    fcr: 75 %\n"), "fcr",
         "pools[agents].fcr", "a probability between 0 and 1, such as 0.75"),
    Case("flow-mapping-split-in-distribution",
         edit("    handle_time: exponential(mean=3m)\n",
              "    handle_time: {general: lognormal(mean=3m, cv=1.2), billing: fixed(2m)}\n"),
         "handle_time", "pools[agents].handle_time.general", "quote"),
    Case("flow-mapping-split-in-days",
         edit("    agents: 11\n", "    shifts:\n      - {days: sat,sun, start: '08:00', "
              "end: '16:00', agents: 2}\n"),
         "days: sat,sun", "pools[agents].shifts[0].days", "quote"),
]


def line_of(text: str, marker: str, nth: int = 1) -> int:
    """Line (1-based) of the nth occurrence of ``marker``."""
    index = -1
    for _ in range(nth):
        index = text.index(marker, index + 1)
    return text.count("\n", 0, index) + 1


def validate(tmp_path: Path, text: str) -> tuple[int, str, Path]:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)], env=ENV)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr, path


def test_the_base_scenario_is_fine(tmp_path: Path) -> None:
    code, err, _ = validate(tmp_path, BASE)
    assert code == 0, err


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_message_names_the_cause(tmp_path: Path, case: Case) -> None:
    code, err, path = validate(tmp_path, case.text)
    assert code == 2, err
    line = line_of(case.text, case.marker, case.nth)
    prefix = f"{path}:{line}: {case.key}: " if case.key else f"{path}:{line}: "
    lines = [ln for ln in err.splitlines() if ln.startswith(f"error: {prefix}")]
    assert lines, f"expected {prefix!r} in:\n{err}"
    assert any(case.says in ln for ln in lines), err


def test_unknown_key_is_named_even_when_its_section_breaks_another_rule(tmp_path: Path) -> None:
    """`agnets` also leaves the pool with neither agents nor shifts: the typo is the cause
    and must be reported (first, or together with the rule it breaks)."""
    text = edit("    agents: 11\n", "    agnets: 11\n")
    code, err, path = validate(tmp_path, text)
    assert code == 2
    errors = [ln for ln in err.splitlines() if ln.startswith("error:")]
    typo = f"error: {path}:{line_of(text, 'agnets')}: pools[agents].agnets: unknown key"
    assert any(ln.startswith(typo) for ln in errors), err
    first = errors[0]
    assert first.startswith(typo) or any("exactly one of" in ln for ln in errors), err


def test_a_bad_value_beside_a_typo_in_the_same_pool_is_reported_too(tmp_path: Path) -> None:
    """The pool's kind rules run after its fields, so `fcr: 80%` is not hidden behind the
    rule that `agnets` breaks: both causes are named, each at its own line."""
    text = edit("    agents: 11\n", "    agnets: 11\n    fcr: 80%\n")
    code, err, path = validate(tmp_path, text)
    assert code == 2
    assert f"{path}:{line_of(text, 'agnets')}: pools[agents].agnets: unknown key" in err, err
    assert f"{path}:{line_of(text, 'fcr')}: pools[agents].fcr: expected a probability" in err, err


def test_unknown_keys_of_several_entries_are_all_reported(tmp_path: Path) -> None:
    text = edit("  patience:", "  patiense:", edit("    agents: 11\n", "    agnets: 11\n"))
    code, err, path = validate(tmp_path, text)
    assert code == 2
    assert f"{path}:{line_of(text, 'patiense')}: customers.patiense:" in err
    assert f"{path}:{line_of(text, 'agnets')}: pools[agents].agnets:" in err


def test_flow_mapping_split_suggests_the_quoted_value(tmp_path: Path) -> None:
    text = edit("    handle_time: exponential(mean=3m)\n",
                "    handle_time: {general: lognormal(mean=3m, cv=1.2), billing: fixed(2m)}\n")
    code, err, _ = validate(tmp_path, text)
    assert code == 2
    assert "'lognormal(mean=3m, cv=1.2)'" in err
    assert "cv=1.2)" not in err.replace("'lognormal(mean=3m, cv=1.2)'", ""), err


@pytest.mark.parametrize("text", ["", "\n\n", "# a comment\n# another\n", "---\n"])
def test_empty_file_says_it_is_empty(tmp_path: Path, text: str) -> None:
    code, err, path = validate(tmp_path, text)
    assert code == 2
    assert f"{path}: the file is empty" in err, err


def test_a_null_document_with_content_is_not_called_empty(tmp_path: Path) -> None:
    code, err, _ = validate(tmp_path, "null\n")
    assert code == 2
    assert "empty" not in err
    assert "mapping" in err


def test_percent_in_a_share_is_explained(tmp_path: Path) -> None:
    text = edit("      share: 0.5\n    - name: billing", "      share: 50%\n    - name: billing")
    code, err, path = validate(tmp_path, text)
    assert code == 2
    assert f"{path}:{line_of(text, '50%')}: demand.types[general].share:" in err
    assert "such as 0.5" in err


def test_a_probability_above_one_is_explained(tmp_path: Path) -> None:
    text = edit("    agents: 11\n", "    agents: 11\n    fcr: 80\n")
    code, err, path = validate(tmp_path, text)
    assert code == 2
    assert f"{path}:{line_of(text, 'fcr: 80')}: pools[agents].fcr:" in err
    assert "a probability between 0 and 1" in err


# -- the command line -------------------------------------------------------------------


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=ENV)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_set_with_a_dash_range_suggests_the_range_syntax(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(BASE, encoding="utf-8")
    code, out = cli("sweep", str(path), "--set", "pools.agents.agents=20-60")
    assert code == 2
    assert "--set pools.agents.agents" in out
    assert "20:60:5" in out


@pytest.mark.parametrize(
    ("args", "typo", "meant"),
    [
        (["run", "x.yaml"], "--jsn", "--json"),
        (["run", "x.yaml"], "--replication", "--replications"),
        (["run", "x.yaml"], "--worker", "--workers"),
        (["sweep", "x.yaml"], "--sett", "--set"),
        (["compare", "x.yaml", "y.yaml"], "--jsno", "--json"),
        (["check", "x.yaml"], "--baselien", "--baseline"),
        (["erlang", "--rate", "1/h"], "--handel", "--handle"),
        (["schema"], "--ouptut", "--output"),
    ],
)
def test_unknown_option_suggests_the_close_one(args: list[str], typo: str, meant: str) -> None:
    code, out = cli(*args, typo)
    assert code == 2
    assert f"Did you mean {meant}?" in out, out
    assert "--help?" not in out


def test_unknown_option_far_from_any_lists_the_options_not_help() -> None:
    # (--html was the example here until run gained an --html report)
    code, out = cli("run", "x.yaml", "--pdf", "out.pdf")
    assert code == 2
    assert "No such option: --pdf" in out
    assert "--help" not in out.split("No such option")[1].split("\n")[0], out
    assert "--json" in out
