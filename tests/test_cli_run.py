"""The command line as a manager and a CI pipeline use it: ``simdesk run`` and
``simdesk erlang``.

Runs through ``typer.testing.CliRunner`` with a fixed 120-column console (COLUMNS), so the
tables do not wrap differently from one terminal to the next. Assertions are on content
(a figure's row holds the right number), never on a copy of the whole output.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simdesk.cli import app
from simdesk.erlang import erlang_a, erlang_c
from simdesk.experiment import run_experiment
from simdesk.loading import load_scenario
from simdesk.report import dumps, summary_json

ENV = {"COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"}

DOCUMENTED_FIGURES = (
    "offered",
    "handled",
    "abandoned",
    "abandonment_rate",
    "p_wait",
    "wait_mean_s",
    "asa_s",
    "wait_p50_s",
    "wait_p90_s",
    "wait_p95_s",
    "service_level",
    "occupancy",
    "contained",
    "csat_mean",
    "cost_total",
    "cost_per_contact",
)

ERLANG_A_YAML = """\
name: cli-erlang-a
seed: 7
horizon: 8h
warmup: 1h
replications: 3
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
    cost: {per_hour: 20}
routing:
  general: [agents]
targets:
  service_level: {within: 20s, at_least: 0.8}
"""

BOT_DESK_YAML = """\
name: cli-bot-desk
seed: 3
horizon: 6h
replications: 2
demand:
  arrival_rate: 120/h
  types:
    - {name: chat, share: 0.6, channel: chat}
    - {name: billing, share: 0.4}
customers:
  patience: exponential(mean=3m)
pools:
  - name: bot
    kind: bot
    handle_time: exponential(mean=1m)
    resolution: 0.5
  - name: people
    kind: inhouse
    agents: 5
    handle_time: exponential(mean=4m)
routing:
  chat: [bot, people]
  billing: [people]
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def erlang_a_file(tmp_path: Path) -> Path:
    path = tmp_path / "erlang_a.yaml"
    path.write_text(ERLANG_A_YAML, encoding="utf-8")
    return path


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=ENV)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def row(output: str, label: str) -> str:
    """The table row whose first cell is ``label`` (box-drawing borders included)."""
    pattern = re.compile(rf"^[│┃ ]*{re.escape(label)} *[│┃].*$", re.MULTILINE)
    match = pattern.search(output)
    assert match is not None, f"no row {label!r} in:\n{output}"
    return match.group(0)


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("│┃").split("│")]


# ------------------------------------------------------------------------ simdesk run


def test_run_prints_the_summary_with_an_erlang_column(
    runner: CliRunner, erlang_a_file: Path
) -> None:
    code, out, err = invoke(runner, "run", str(erlang_a_file), "--workers", "1")
    assert code == 0, err
    assert "Traceback" not in out + err
    assert "cli-erlang-a" in out and "3 replication(s)" in out and "seed 7" in out
    assert "Erlang A" in out
    for figure in ("offered", "handled", "abandoned", "abandonment_rate", "p_wait",
                   "wait_mean_s", "asa_s", "occupancy", "csat_mean", "cost_total"):
        row(out, figure)
    exact = erlang_a(11, 200 / 3600, 180, 120, 20)
    # the Erlang column holds the formula's value, formatted like the simulated one
    assert cells(row(out, "p_wait"))[2] == f"{exact.p_wait:.1%}"
    assert cells(row(out, "abandonment_rate"))[2] == f"{exact.abandonment_rate:.1%}"
    assert cells(row(out, "wait_mean_s"))[2] == f"{exact.wait_mean_s:,.1f}s"
    assert cells(row(out, "service_level (20s)"))[2] == f"{exact.service_level:.1%}"
    # simulated values come with their 95% interval
    assert "±" in cells(row(out, "p_wait"))[1]
    # the service-level target is judged
    assert re.search(r"(met|missed)\s+>= 80%", row(out, "service_level (20s)"))
    # per pool and per type tables
    assert "Per pool" in out and "Per inquiry type" in out
    assert row(out, "agents") and row(out, "general")


def test_run_without_an_erlang_reduction_has_no_erlang_column(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "bot.yaml"
    path.write_text(BOT_DESK_YAML, encoding="utf-8")
    code, out, err = invoke(runner, "run", str(path), "--workers", "1", "--no-intraday")
    assert code == 0, err
    assert "Erlang" not in out
    assert row(out, "contained")
    assert row(out, "bot") and row(out, "people")
    assert "By hour" not in out


def test_run_shows_the_intraday_table_by_default(runner: CliRunner, erlang_a_file: Path) -> None:
    code, out, _ = invoke(runner, "run", str(erlang_a_file), "--workers", "1")
    assert code == 0
    assert "By hour" in out
    assert row(out, "01:00")


def test_json_document_has_every_documented_figure(
    runner: CliRunner, erlang_a_file: Path, tmp_path: Path
) -> None:
    out_path = tmp_path / "out" / "result.json"
    out_path.parent.mkdir()
    code, _, err = invoke(
        runner, "run", str(erlang_a_file), "--json", str(out_path), "--workers", "1"
    )
    assert code == 0, err
    doc = json.loads(out_path.read_text(encoding="utf-8"))
    assert doc["schema_version"] == 3
    assert doc["scenario"] == "cli-erlang-a"
    assert doc["seed"] == 7 and doc["replications"] == 3
    for scope_name, scope in [("totals", doc["totals"]), *doc["pools"].items(),
                              *doc["types"].items()]:
        for figure in DOCUMENTED_FIGURES:
            assert figure in scope, (scope_name, figure)
            est = scope[figure]
            assert set(est) == {"mean", "ci95", "sd", "n"}, (scope_name, figure)
            # docs/figures.md: with 3 replications the interval is null only where the
            # figure does not exist (a pool's satisfaction, say), and then so is the mean
            assert (est["ci95"] is None) == (est["mean"] is None), (scope_name, figure)
            assert (est["sd"] is None) == (est["ci95"] is None) and est["n"] <= 3
    totals = doc["totals"]
    assert totals["offered"]["mean"] > 0
    assert 0 < totals["p_wait"]["mean"] < 1
    assert totals["cost_total"]["mean"] == pytest.approx(20 * 11 * 8, rel=1e-6)
    assert len(doc["intervals"]) == 24
    exact = erlang_a(11, 200 / 3600, 180, 120, 20)
    assert doc["erlang"]["model"] == "A"
    assert doc["erlang"]["p_wait"] == pytest.approx(exact.p_wait, rel=1e-9)
    assert [t["figure"] for t in doc["targets"]] == ["service_level"]
    # no temporary files are left next to the result
    assert [p.name for p in out_path.parent.iterdir()] == ["result.json"]


def test_json_file_equals_the_library_result(
    runner: CliRunner, erlang_a_file: Path, tmp_path: Path
) -> None:
    """--seed and --replications override the file, and the CLI writes exactly what the
    library computes for the same inputs."""
    out_path = tmp_path / "r.json"
    code, out, err = invoke(
        runner, "run", str(erlang_a_file), "--json", str(out_path), "--seed", "99",
        "--replications", "2", "--workers", "1", "--no-intraday",
    )
    assert code == 0, err
    doc = json.loads(out_path.read_text(encoding="utf-8"))
    assert doc["seed"] == 99 and doc["replications"] == 2
    assert "2 replication(s)" in out and "seed 99" in out
    expected = summary_json(run_experiment(load_scenario(erlang_a_file), seed=99, replications=2))
    assert out_path.read_text(encoding="utf-8") == dumps(expected)


def test_seed_changes_the_result_and_is_reproducible(
    runner: CliRunner, erlang_a_file: Path, tmp_path: Path
) -> None:
    texts = {}
    for name, seed in (("a", "1"), ("b", "1"), ("c", "2")):
        path = tmp_path / f"{name}.json"
        code, _, err = invoke(
            runner, "run", str(erlang_a_file), "--json", str(path), "--seed", seed,
            "--workers", "1", "--no-intraday",
        )
        assert code == 0, err
        texts[name] = path.read_bytes()
    assert texts["a"] == texts["b"]
    assert texts["a"] != texts["c"]


def test_worker_count_does_not_change_the_json(
    runner: CliRunner, erlang_a_file: Path, tmp_path: Path
) -> None:
    texts = []
    for workers in ("1", "2"):
        path = tmp_path / f"w{workers}.json"
        code, _, err = invoke(
            runner, "run", str(erlang_a_file), "--json", str(path), "--workers", workers,
            "--no-intraday",
        )
        assert code == 0, err
        texts.append(path.read_bytes())
    assert texts[0] == texts[1]


def test_replications_in_the_file_must_be_positive(runner: CliRunner, tmp_path: Path) -> None:
    """top level: replications is an integer >= 1; 0 is a located input error (exit 2)."""
    path = tmp_path / "zero.yaml"
    text = ERLANG_A_YAML.replace("replications: 3", "replications: 0")
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("replications: 0") + 1
    code, out, err = invoke(runner, "run", str(path))
    assert code == 2
    assert f"zero.yaml:{line}: replications:" in err
    assert "Traceback" not in err and "Traceback" not in out


# --------------------------------------------------------------------- simdesk erlang


def test_erlang_command_for_a_given_staff(runner: CliRunner) -> None:
    code, out, err = invoke(runner, "erlang", "--rate", "200/h", "--handle", "3m", "--agents", "11")
    assert code == 0, err
    assert "Erlang C" in out
    exact = erlang_c(11, 200 / 3600, 180, 20)
    line = cells(row(out, "11"))
    assert line[1] == f"{exact.p_wait:.1%}" == "68.2%"
    # 122.8 s, read as people read it (the JSON would keep seconds)
    assert line[2] == "2m 03s" and abs(exact.wait_mean_s - 122.8) < 0.05
    assert "39.0%" in line  # service level within 20 s
    assert "90.9%" in line  # occupancy


def test_erlang_command_finds_the_staff_for_a_target(runner: CliRunner) -> None:
    code, out, err = invoke(
        runner, "erlang", "--rate", "200/h", "--handle", "3m", "--within", "20s",
        "--at-least", "0.8",
    )
    assert code == 0, err
    # the published example: 14 agents give 88.8% within 20 s; 13 give 79.6%
    assert "14 agents needed" in out
    line = cells(row(out, "14 *"))
    assert line[1] == "17.4%" and "88.8%" in line
    assert "79.6%" in cells(row(out, "13"))


def test_erlang_command_with_patience_is_erlang_a(runner: CliRunner) -> None:
    code, out, err = invoke(
        runner, "erlang", "--rate", "6/m", "--handle", "4m", "--patience", "5m", "--agents", "20"
    )
    assert code == 0, err
    assert "Erlang A" in out
    line = cells(row(out, "20"))
    # the worked example of docs/sources.md: P(W>0) = 0.8509, P(Ab) = 0.1848, E[W] = 0.924 min
    assert line[1] == "85.1%"
    assert line[2] == "55.4s"
    assert line[4] == "18.5%"


def test_erlang_command_rejects_a_rate_without_unit(runner: CliRunner) -> None:
    code, out, err = invoke(runner, "erlang", "--rate", "200", "--handle", "3m", "--agents", "11")
    assert code == 2
    assert "--rate" in err
    assert "Traceback" not in out + err


# ----------------------------------------------------------------------- entry points


def test_python_dash_m_simdesk_help() -> None:
    env = dict(os.environ, **ENV)
    result = subprocess.run(
        [sys.executable, "-m", "simdesk", "--help"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "run" in result.stdout and "erlang" in result.stdout
    assert "Traceback" not in result.stderr


def test_version(runner: CliRunner) -> None:
    code, out, _ = invoke(runner, "--version")
    assert code == 0
    assert out.startswith("simdesk ")
