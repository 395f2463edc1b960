"""`simdesk check`: a figure fails only when it moved beyond noise, bad baselines exit 2.

The scenarios here are small M/M/n+M desks (one day, five replications, well under a
second each) so that many seeds can be checked quickly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from simdesk import __version__
from simdesk.check import (
    CI_RULE,
    TargetMode,
    Tolerance,
    check_targets,
    compare,
    load_baseline,
    pair_baselines,
    parse_tolerances,
)
from simdesk.cli import app
from simdesk.errors import SimdeskError
from simdesk.experiment import run_experiment
from simdesk.loading import load_scenario
from simdesk.report import summary_json

WIDE = {"COLUMNS": "200"}  # Rich wraps at 80 columns otherwise; keep figure names whole

SCENARIO = """\
name: {name}
seed: {seed}
horizon: 1d
warmup: 1h
replications: 5
demand:
  arrival_rate: 250/h
  types:
    - {{name: call, share: 1.0}}
customers:
  patience: exponential(mean=3m)
pools:
  - name: agents
    kind: inhouse
    agents: {agents}
    handle_time: exponential(mean=3m)
routing:
  call: [agents]
{targets}"""


def write_scenario(
    path: Path, *, agents: int = 14, seed: int = 100, name: str = "small", targets: str = ""
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SCENARIO.format(name=name, seed=seed, agents=agents, targets=targets))
    return path


def cli(*args: str | Path) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def verdicts(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


# --------------------------------------------------------------------------------------
# Through the CLI: the behaviour CI relies on
# --------------------------------------------------------------------------------------


def test_unchanged_scenarios_pass_exactly_over_many_seeds(tmp_path: Path) -> None:
    """Same scenario, same seed, same simdesk: the run reproduces the baseline to the bit.

    Eight seeds in one call also exercises the directory convention (baselines/NAME.json
    beside the scenarios) and the batch of pairs.
    """
    for seed in range(8):
        write_scenario(tmp_path / f"s{seed}.yaml", seed=1000 + seed, name=f"s{seed}")
    made = cli("check", tmp_path, "--update", "--workers", "2")
    assert made.exit_code == 0, made.output
    assert sorted(p.name for p in (tmp_path / "baselines").iterdir()) == [
        f"s{i}.json" for i in range(8)
    ]
    out = tmp_path / "verdicts.json"
    checked = cli("check", tmp_path, "--json", out, "--workers", "2")
    assert checked.exit_code == 0, checked.output
    doc = verdicts(out)
    assert doc["passed"] is True and doc["exit_code"] == 0
    assert len(doc["checks"]) == 8
    for c in doc["checks"]:
        assert c["status"] == "passed"
        assert c["identical"] is True
        assert c["changed"] == []
        assert {f["verdict"] for f in c["figures"]} <= {"ok", "skipped"}
    assert "8 passed" in checked.output


def test_one_agent_fewer_fails_and_names_the_moved_figures(tmp_path: Path) -> None:
    """14 -> 13 agents (7% fewer) at 87% occupancy: waits, service level and occupancy move
    far beyond noise; arrivals do not, because the staffing change keeps the customers."""
    scenario = write_scenario(tmp_path / "desk.yaml", agents=14)
    assert cli("check", scenario, "--update").exit_code == 0
    write_scenario(scenario, agents=13)
    out = tmp_path / "v.json"
    result = cli("check", scenario, "--json", out)
    assert result.exit_code == 1, result.output
    changed = set(verdicts(out)["checks"][0]["changed"])
    for figure in ("service_level", "wait_mean_s", "asa_s", "abandonment_rate", "occupancy"):
        assert f"totals.{figure}" in changed
        assert figure in result.output
    assert "pools.agents.occupancy" in changed  # per-pool figures are judged too
    assert "totals.offered" not in changed  # common random numbers: same arrivals
    assert "moved beyond noise:" in result.output
    assert "FAILED" in result.output


def test_rerun_with_other_seeds_passes_on_headline_figures(tmp_path: Path) -> None:
    """Independent noise does not fail the check: baseline from seed 100, runs from eight
    other seeds, compared on the headline figures with the default 95%-interval rule.

    Why only headline figures: for two independent runs, non-overlap of two 95% intervals
    is a ~0.55% event per figure (Student-t, 5 replications; measured by simulating normal
    data). Over the ~60 figures of totals, pools and types, even though many are copies or
    close relatives, some seed pair would fail by chance. A real check never meets this
    case: it reruns with the baseline's own seed (test above), so an unchanged scenario
    has no noise at all, and a changed one shares the baseline's random numbers, which
    makes the comparison less noisy than this independent-seed worst case. Measured on
    this desk: against seeds 101-140, 39 of 40 checks passed on all ~60 figures; the
    other failed on one cluster (abandonment and its relatives move together when one
    seed is an outlier), headline abandonment included. So a few percent per check, which
    three strongly correlated headline figures do not reduce much; the seeds are fixed, so
    the test is deterministic, and a failure after an engine change means that change
    moved these figures for this pair of seeds: look before re-picking seeds.
    """
    scenario = load_scenario(write_scenario(tmp_path / "desk.yaml", seed=100))
    baseline = summary_json(run_experiment(scenario))
    headline = ["totals.service_level", "totals.abandonment_rate", "totals.wait_mean_s"]
    for seed in range(101, 109):
        new = summary_json(run_experiment(scenario, seed=seed))
        assert new["totals"] != baseline["totals"]  # really different randomness
        result = compare(baseline, new, only=headline)
        assert sorted(str(f.key) for f in result) == sorted(headline)
        assert [f.verdict for f in result] == ["ok"] * 3, (seed, result)


def test_version_change_is_compared_and_said(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path / "desk.yaml")
    assert cli("check", scenario, "--update").exit_code == 0
    path = tmp_path / "baselines" / "desk.json"
    doc = json.loads(path.read_text())
    doc["simdesk_version"] = "0.0.1"
    path.write_text(json.dumps(doc))
    result = cli("check", scenario)
    assert result.exit_code == 0, result.output
    assert f"made with simdesk 0.0.1, this is {__version__}" in result.output


def test_check_uses_the_baselines_seed_and_replications(tmp_path: Path) -> None:
    """Editing the scenario's seed must not make the check compare unlike with unlike."""
    scenario = write_scenario(tmp_path / "desk.yaml", seed=100)
    assert cli("check", scenario, "--update").exit_code == 0
    write_scenario(scenario, seed=555)
    out = tmp_path / "v.json"
    result = cli("check", scenario, "--json", out)
    assert result.exit_code == 0, result.output
    c = verdicts(out)["checks"][0]
    assert (c["seed"], c["replications"], c["identical"]) == (100, 5, True)
    assert "ran the baseline's seed 100" in result.output


def test_update_writes_exactly_what_run_json_writes(tmp_path: Path) -> None:
    """A baseline is the result document, byte for byte, so either command can make it."""
    scenario = write_scenario(tmp_path / "desk.yaml")
    baseline = tmp_path / "deep" / "dir" / "expected.json"
    assert cli("check", scenario, "--baseline", baseline, "--update").exit_code == 0
    ran = tmp_path / "run.json"
    assert cli("run", scenario, "--json", ran, "--no-intraday").exit_code == 0
    assert baseline.read_bytes() == ran.read_bytes()
    assert not [p for p in baseline.parent.iterdir() if p.name.startswith(".")]  # no temp left


def test_update_replaces_a_corrupted_baseline(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path / "desk.yaml")
    baseline = tmp_path / "b.json"
    baseline.write_text("{ not json")
    result = cli("check", scenario, "-b", baseline, "--update")
    assert result.exit_code == 0, result.output
    assert "previous baseline was unreadable" in result.output
    assert load_baseline(baseline).seed == 100


def test_workers_do_not_change_the_verdicts(tmp_path: Path) -> None:
    a = write_scenario(tmp_path / "a.yaml", seed=1)
    b = write_scenario(tmp_path / "b.yaml", seed=2, agents=13)
    assert cli("check", a, b, "--update").exit_code == 0
    write_scenario(b, seed=2, agents=15)
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    assert cli("check", a, b, "--json", one, "--workers", "1").exit_code == 1
    assert cli("check", a, b, "--json", two, "--workers", "2").exit_code == 1
    assert one.read_bytes() == two.read_bytes()


# --------------------------------------------------------------------------------------
# Bad input: exit 2 with the file named
# --------------------------------------------------------------------------------------


@pytest.fixture
def made(tmp_path: Path) -> tuple[Path, Path]:
    scenario = write_scenario(tmp_path / "desk.yaml")
    baseline = tmp_path / "good.json"
    assert cli("check", scenario, "-b", baseline, "--update").exit_code == 0
    return scenario, baseline


def edited(baseline: Path, name: str, change: Any) -> Path:
    doc = json.loads(baseline.read_text())
    change(doc)
    path = baseline.parent / name
    path.write_text(json.dumps(doc))
    return path


def test_corrupted_baseline_exits_2_naming_the_file(made: tuple[Path, Path]) -> None:
    scenario, good = made
    broken = good.parent / "broken.json"
    broken.write_text(good.read_text()[:500])  # a truncated write
    result = cli("check", scenario, "-b", broken)
    assert result.exit_code == 2
    assert f"{broken}:" in result.stderr
    assert "not valid JSON (corrupted?)" in result.stderr
    assert "Traceback" not in result.output


def test_other_schema_version_is_rejected_not_compared(made: tuple[Path, Path]) -> None:
    scenario, good = made
    future = edited(good, "future.json", lambda d: d.update(schema_version=2))
    result = cli("check", scenario, "-b", future)
    assert result.exit_code == 2
    assert f"{future}: schema_version: baseline has schema_version 2" in result.stderr
    assert "--update" in result.stderr
    assert "ok" not in result.stdout.split()  # nothing was compared


def test_missing_and_malformed_keys_are_all_reported(made: tuple[Path, Path]) -> None:
    scenario, good = made

    def damage(d: dict[str, Any]) -> None:
        del d["seed"]
        del d["types"]
        d["replications"] = 0
        d["totals"]["service_level"]["ci95"] = [0.5]

    bad = edited(good, "bad.json", damage)
    result = cli("check", scenario, "-b", bad)
    assert result.exit_code == 2
    for text in (
        "missing key 'seed'",
        "missing key 'types'",
        "replications: expected a positive integer",
        "totals.service_level.ci95: expected [low, high] or null",
    ):
        assert f"{bad}: {text}" in result.stderr


@pytest.mark.parametrize(
    "content", ["", "[]", '{"hello": 1}', "\x00\x01garbage", '{"schema_version": "1"}']
)
def test_not_a_baseline_at_all(made: tuple[Path, Path], content: str) -> None:
    scenario, good = made
    path = good.parent / "odd.json"
    path.write_text(content)
    result = cli("check", scenario, "-b", path)
    assert result.exit_code == 2
    assert str(path) in result.stderr


def test_missing_baseline_says_how_to_create_it(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path / "desk.yaml")
    result = cli("check", scenario)
    assert result.exit_code == 2
    expected = tmp_path / "baselines" / "desk.json"
    assert f"{expected}: baseline not found; create it with" in result.stderr


def test_one_bad_pair_does_not_hide_the_others(made: tuple[Path, Path]) -> None:
    scenario, good = made
    broken = good.parent / "broken.json"
    broken.write_text("{")
    out = good.parent / "v.json"
    result = cli("check", scenario, scenario, "-b", good, "-b", broken, "--json", out)
    assert result.exit_code == 2
    statuses = [c["status"] for c in verdicts(out)["checks"]]
    assert statuses == ["passed", "error"]
    assert "1 passed, 1 error" in result.output


def test_broken_scenario_exits_2_with_its_location(made: tuple[Path, Path]) -> None:
    scenario, good = made
    scenario.write_text(scenario.read_text().replace("agents: 14", "agents: many"))
    result = cli("check", scenario, "-b", good)
    assert result.exit_code == 2
    assert f"{scenario}:15: pools[agents].agents:" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-t", "service_levl=0.1"], "unknown figure 'service_levl'"),
        (["-t", "service_level"], "expected FIGURE=VALUE"),
        (["-t", "service_level=-1"], "expected a non-negative number"),
        (["-t", "service_level=abc%"], "expected a non-negative number"),
        (["-t", "pool.agents.occupancy=1"], "unknown scope 'pool'"),
        (["-f", "nope"], "unknown figure 'nope'"),
        (["-b", "a.json", "-b", "b.json"], "1 scenario file(s) but 2 --baseline file(s)"),
        (["-b", "a.json", "--baselines", "dir"], "either --baseline files or --baselines"),
    ],
)
def test_bad_options_exit_2(made: tuple[Path, Path], args: list[str], message: str) -> None:
    scenario, _ = made
    result = cli("check", scenario, *args)
    assert result.exit_code == 2
    assert message in result.stderr


# --------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------

UNREACHABLE = "targets:\n  service_level: {within: 1s, at_least: 0.99}\n"


@pytest.mark.parametrize(("mode", "code"), [("strict", 1), ("baseline", 0), ("off", 0)])
def test_missed_target_modes(tmp_path: Path, mode: str, code: int) -> None:
    scenario = write_scenario(tmp_path / "desk.yaml", targets=UNREACHABLE)
    assert cli("check", scenario, "--update").exit_code == 0
    result = cli("check", scenario, "--targets", mode)
    assert result.exit_code == code, result.output
    if code:
        assert "missed targets: service level" in result.output


def test_target_missed_now_but_met_in_baseline_fails_in_baseline_mode(tmp_path: Path) -> None:
    reachable = "targets:\n  service_level: {within: 20s, at_least: 0.7}\n"
    scenario = write_scenario(tmp_path / "desk.yaml", agents=14, targets=reachable)
    assert cli("check", scenario, "--update").exit_code == 0
    write_scenario(scenario, agents=12, targets=reachable)
    out = tmp_path / "v.json"
    result = cli("check", scenario, "--targets", "baseline", "--json", out)
    assert result.exit_code == 1
    assert verdicts(out)["checks"][0]["missed_targets"] == ["service level"]


def test_check_targets_modes_on_documents() -> None:
    new = {
        "targets": [
            {"name": "sl", "figure": "service_level", "goal": "g", "value": 0.5, "met": False}
        ]
    }
    old_missed = {"targets": [{"name": "sl", "value": 0.5, "met": False}]}
    old_met = {"targets": [{"name": "sl", "value": 0.9, "met": True}]}
    assert check_targets(old_missed, new, TargetMode.strict)[0].failed
    assert not check_targets(old_missed, new, TargetMode.baseline)[0].failed
    assert check_targets(old_met, new, TargetMode.baseline)[0].failed
    assert check_targets(None, new, TargetMode.baseline)[0].failed  # nothing recorded
    assert not check_targets(old_met, new, TargetMode.off)[0].failed


# --------------------------------------------------------------------------------------
# The comparison rules, on hand-made documents
# --------------------------------------------------------------------------------------


def est(mean: float | None, lo: float | None = None, hi: float | None = None) -> dict[str, Any]:
    return {"mean": mean, "ci95": None if lo is None else [lo, hi]}


def doc(totals: dict[str, Any], pools: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"totals": totals, "pools": pools or {}, "types": {}}


def one(baseline: dict[str, Any], new: dict[str, Any], **kw: Any) -> tuple[str, str]:
    (f,) = compare(doc({"service_level": baseline}), doc({"service_level": new}), **kw)
    return f.verdict, f.rule


def test_ci_overlap_rule() -> None:
    assert one(est(0.80, 0.78, 0.82), est(0.83, 0.81, 0.85)) == ("ok", CI_RULE)
    assert one(est(0.80, 0.78, 0.82), est(0.85, 0.82, 0.88)) == ("ok", CI_RULE)  # touching
    assert one(est(0.80, 0.78, 0.82), est(0.86, 0.83, 0.89))[0] == "changed"
    assert one(est(0.80, 0.78, 0.82), est(0.70, 0.69, 0.71))[0] == "changed"
    assert one(est(0.0, 0.0, 0.0), est(0.0, 0.0, 0.0))[0] == "ok"  # exact zeros


def test_tolerances_override_the_interval_rule() -> None:
    base, new = est(0.80, 0.79, 0.81), est(0.83, 0.825, 0.835)  # intervals apart
    assert one(base, new)[0] == "changed"
    assert one(base, new, tolerances=parse_tolerances(["service_level=0.05"])) == ("ok", "±0.05")
    assert one(base, new, tolerances=parse_tolerances(["service_level=0.02"]))[0] == "changed"
    assert one(base, new, tolerances=parse_tolerances(["service_level=5%"])) == ("ok", "±5%")
    assert one(base, new, tolerances=parse_tolerances(["service_level=3%"]))[0] == "changed"
    # Tolerances also compare figures without intervals (one replication).
    assert one(est(0.80), est(0.81), tolerances=parse_tolerances(["service_level=0.02"]))[0] == (
        "ok"
    )


def test_tolerance_edges() -> None:
    assert Tolerance(0.02, relative=False).holds(0.80, 0.82)  # exactly the tolerance
    assert not Tolerance(0.0, relative=True).holds(0.0, 1e-9)
    assert Tolerance(0.0, relative=True).holds(0.0, 0.0)
    assert Tolerance(0.05, relative=True).holds(-100.0, -105.0)


def test_nulls_are_skipped() -> None:
    assert one(est(None), est(3.0, 2.0, 4.0))[0] == "skipped"
    assert one(est(3.0, 2.0, 4.0), est(None))[0] == "skipped"
    assert one(est(3.0), est(9.0))[0] == "skipped"  # no intervals, no tolerance


def test_scoped_tolerances_most_specific_wins() -> None:
    pools_b = {"a": {"occupancy": est(0.80, 0.79, 0.81)}, "b": {"occupancy": est(0.80, 0.79, 0.81)}}
    pools_n = {"a": {"occupancy": est(0.84, 0.83, 0.85)}, "b": {"occupancy": est(0.84, 0.83, 0.85)}}
    tol = parse_tolerances(["occupancy=0.01", "pools.a.occupancy=0.1"])
    result = {str(f.key): f.verdict for f in compare(doc({}, pools_b), doc({}, pools_n), tol)}
    assert result == {"pools.a.occupancy": "ok", "pools.b.occupancy": "changed"}


def test_missing_and_new_figures() -> None:
    base = doc({"offered": est(10.0, 9.0, 11.0)}, {"old": {"offered": est(10.0, 9.0, 11.0)}})
    new = doc({"offered": est(10.0, 9.0, 11.0)}, {"fresh": {"offered": est(10.0, 9.0, 11.0)}})
    result = {str(f.key): f.verdict for f in compare(base, new)}
    assert result == {
        "totals.offered": "ok",
        "pools.old.offered": "missing",  # the baseline's pool is gone: that is a change
        "pools.fresh.offered": "new",  # nothing to compare with: reported, not failed
    }


def test_pairing_conventions(tmp_path: Path) -> None:
    a = write_scenario(tmp_path / "sc" / "a.yaml")
    b = write_scenario(tmp_path / "sc" / "b.yml")
    (tmp_path / "sc" / "notes.txt").write_text("not a scenario")
    default = pair_baselines([tmp_path / "sc"], [], None)
    assert [(p.scenario, p.baseline) for p in default] == [
        (a, tmp_path / "sc" / "baselines" / "a.json"),
        (b, tmp_path / "sc" / "baselines" / "b.json"),
    ]
    explicit = pair_baselines([b, a], [Path("x.json"), Path("y.json")], None)
    assert [(p.scenario, p.baseline) for p in explicit] == [
        (b, Path("x.json")),
        (a, Path("y.json")),
    ]
    write_scenario(tmp_path / "sc" / "a.yml")
    with pytest.raises(SimdeskError, match="would share the baseline"):
        pair_baselines([tmp_path / "sc"], [], tmp_path / "bl")
