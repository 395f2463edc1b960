"""`simdesk compare`: common random numbers make the paired interval narrower than the
same comparison without them; the table and JSON carry means, differences and marks."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from simdesk.cli import app
from simdesk.compare import clear, compare_json, labels_for, run_compare
from simdesk.confidence import Estimate, estimate, paired_difference, t_quantile_975
from simdesk.experiment import Summary, run_experiment
from simdesk.loading import load_scenario
from simdesk.parallel import InProcessExecutor, ProcessExecutor
from simdesk.scenario import Scenario

WIDE = {"COLUMNS": "200"}

# An M/M/n+M desk at 5 Erlangs: 6 agents against 7, one day, 20 replications.
DESK = """\
name: {name}
seed: 21
horizon: 1d
replications: 20
demand:
  arrival_rate: 100/h
  types: [{{name: call, share: 1.0}}]
customers:
  patience: exponential(mean=3m)
pools:
  - {{name: agents, kind: inhouse, agents: {agents}, handle_time: exponential(mean=3m)}}
routing:
  call: [agents]
targets:
  service_level: {{within: 20s, at_least: 0.8}}
"""

FIGURES = ["wait_mean_s", "asa_s", "service_level", "abandonment_rate", "p_wait", "csat_mean"]


def write(path: Path, name: str, agents: int) -> Path:
    path.write_text(DESK.format(name=name, agents=agents))
    return path


@pytest.fixture(scope="module")
def desks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    where = tmp_path_factory.mktemp("compare")
    return write(where / "six.yaml", "six", 6), write(where / "seven.yaml", "seven", 7)


def cli(*args: str | Path) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def welch(a: list[float], b: list[float]) -> float:
    """Half-width of the 95% Welch interval for mean(b) - mean(a) of independent samples."""
    va, vb = (estimate(x) for x in (a, b))
    sa = sum((x - va.mean) ** 2 for x in a) / (len(a) - 1) / len(a)
    sb = sum((x - vb.mean) ** 2 for x in b) / (len(b) - 1) / len(b)
    df = (sa + sb) ** 2 / (sa**2 / (len(a) - 1) + sb**2 / (len(b) - 1))
    return t_quantile_975(max(1, math.floor(df))) * math.sqrt(sa + sb)


def values(s: Summary, figure: str) -> list[float]:
    return [r.totals[figure] for r in s.runs]


def test_common_random_numbers_narrow_the_interval_of_a_real_difference(
    desks: tuple[Path, Path],
) -> None:
    six, seven = (load_scenario(p) for p in desks)
    paired = run_compare([six, seven], [str(p) for p in desks], InProcessExecutor())
    # The same comparison without common random numbers: the second desk on its own seed.
    base = run_experiment(six)
    independent = run_experiment(seven, seed=12345)
    for f in FIGURES:
        crn = paired.differences[0][f]
        no_crn = paired_difference(values(base, f), values(independent, f))
        assert clear(crn), f  # one more agent makes a clear difference...
        assert crn.half_width < no_crn.half_width / 1.5, f  # ...measured far more precisely
        assert crn.half_width < welch(values(base, f), values(independent, f)) / 1.5, f
        # and both estimate the same thing: the intervals overlap
        assert crn.ci95 is not None and no_crn.ci95 is not None
        assert crn.ci95[0] <= no_crn.ci95[1] and no_crn.ci95[0] <= crn.ci95[1], f


def test_every_scenario_runs_with_the_first_seed_and_replications(
    desks: tuple[Path, Path], tmp_path: Path
) -> None:
    six = load_scenario(desks[0])
    other = write(tmp_path / "other.yaml", "other", 7)
    text = other.read_text().replace("seed: 21", "seed: 5")
    other.write_text(text.replace("replications: 20", "replications: 3"))
    c = run_compare([six, load_scenario(other)], ["a", "b"], InProcessExecutor())
    assert c.seed == 21 and c.replications == 20
    assert [s.seed for s in c.summaries] == [21, 21]
    assert [s.replications for s in c.summaries] == [20, 20]
    # Same customers: offered contacts agree replication by replication.
    assert values(c.summaries[0], "offered") == values(c.summaries[1], "offered")
    c2 = run_compare(
        [six, load_scenario(other)], ["a", "b"], InProcessExecutor(), seed=9, replications=4
    )
    assert (c2.seed, c2.replications) == (9, 4)


def test_a_scenario_against_itself_differs_by_exactly_nothing(desks: tuple[Path, Path]) -> None:
    six = load_scenario(desks[0])
    c = run_compare([six, six], ["x.yaml", "y.yaml"], InProcessExecutor(), replications=4)
    for f, e in c.differences[0].items():
        if not math.isnan(e.mean):
            assert e.mean == 0.0, f
        assert not clear(e), f
    assert c.labels == ["six (x.yaml)", "six (y.yaml)"]


def test_clear_means_the_interval_excludes_zero() -> None:
    assert clear(Estimate(1.0, (0.5, 1.5), 5))
    assert clear(Estimate(-1.0, (-1.5, -0.5), 5))
    assert not clear(Estimate(0.2, (-0.1, 0.5), 5))
    assert not clear(Estimate(0.0, (0.0, 0.0), 5))
    assert not clear(Estimate(1.0, None, 1))


def test_labels_stay_unique(desks: tuple[Path, Path]) -> None:
    six = load_scenario(desks[0])
    assert labels_for([six, six, six], ["a/s.yaml", "b/s.yaml", "t.yaml"]) == [
        "six (s.yaml)",
        "six (s.yaml) #2",
        "six (t.yaml)",
    ]


def test_cli_table_and_json(desks: tuple[Path, Path], tmp_path: Path) -> None:
    third = write(tmp_path / "eight.yaml", "eight", 8)
    out = tmp_path / "cmp.json"
    result = cli("compare", *desks, third, "--json", out, "--replications", "8", "--workers", "2")
    assert result.exit_code == 0, result.output
    text = result.stdout
    for label in ("six", "seven", "eight", "seven - six", "eight - six"):
        assert label in text
    assert "wait_mean_s" in text and "*" in text
    assert "excludes 0" in text
    assert "target: service level" in text and "missed" in text and "met" in text
    doc = json.loads(out.read_text())
    assert doc["kind"] == "compare"
    assert (doc["seed"], doc["replications"], doc["baseline"]) == (21, 8, "six")
    assert [s["label"] for s in doc["scenarios"]] == ["six", "seven", "eight"]
    assert [d["label"] for d in doc["differences"]] == ["seven", "eight"]
    wait = doc["differences"][1]["totals"]["wait_mean_s"]
    assert wait["mean"] < 0 and wait["ci95"][1] < 0 and wait["clear"] is True
    assert doc["differences"][0]["totals"]["offered"]["clear"] is False
    met = [[t["met"] for t in s["targets"]] for s in doc["scenarios"]]
    assert met[0] == [False]
    # The JSON is the table's content: means agree with a plain run of the same desk.
    plain = run_experiment(load_scenario(desks[0]), replications=8)
    assert doc["scenarios"][0]["totals"]["wait_mean_s"]["mean"] == pytest.approx(
        plain.totals["wait_mean_s"].mean, rel=1e-9
    )


def test_json_is_byte_identical_for_any_worker_count(desks: tuple[Path, Path]) -> None:
    scenarios: list[Scenario] = [load_scenario(p) for p in desks]
    docs = [
        json.dumps(
            compare_json(run_compare(scenarios, [str(p) for p in desks], ex, replications=5))
        )
        for ex in (InProcessExecutor(), ProcessExecutor(2))
    ]
    assert docs[0] == docs[1]


def test_bad_input_exits_2_without_running(desks: tuple[Path, Path], tmp_path: Path) -> None:
    one = cli("compare", desks[0])
    assert one.exit_code == 2
    assert "at least two" in one.stderr
    missing = cli("compare", desks[0], tmp_path / "nope.yaml", tmp_path / "nope2.yaml")
    assert missing.exit_code == 2
    assert "nope.yaml" in missing.stderr and "nope2.yaml" in missing.stderr
    dask = cli("compare", *desks, "--executor", "dask")
    assert dask.exit_code == 2 and "--scheduler" in dask.stderr
