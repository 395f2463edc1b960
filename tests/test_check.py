"""`simdesk check`: a figure fails only when it moved beyond noise, bad baselines exit 2.

The scenarios here are small M/M/n+M desks (one day, five replications, well under a
second each) so that many seeds can be checked quickly. The false-alarm rate and the
detection rate over the project's own scenarios are measured in bench/check_noise.py.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from simdesk import __version__
from simdesk.baseline_schema import BASELINE_SCHEMA, schema_problems
from simdesk.check import (
    CheckRule,
    TargetMode,
    Tolerance,
    check_targets,
    compare,
    decide,
    load_baseline,
    pair_baselines,
    parse_min_effect,
    parse_tolerances,
)
from simdesk.cli import app
from simdesk.confidence import t_quantile_975
from simdesk.errors import SimdeskError
from simdesk.experiment import run_experiment
from simdesk.loading import load_scenario
from simdesk.report import summary_json
from simdesk.significance import holm_adjusted, holm_rejects, welch_p

BASELINES = Path(__file__).resolve().parent.parent / "scenarios" / "baselines"
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


def test_a_reseeded_run_passes_on_every_figure(tmp_path: Path) -> None:
    """What any change of random streams does: the same desk with other random numbers.

    The baseline's recorded seed is edited, so the check reruns the desk with seed 210 and
    compares it with figures made from seed 100: independent noise on every one of the
    ~60 figures. The old rule (each figure's 95% intervals must overlap) failed such
    checks a few percent of the time; Holm's correction bounds it at 1% for the whole
    check. The seeds are fixed, so this is deterministic; a failure after an engine change
    means that change moved these figures for this pair of seeds: look before re-picking.
    """
    scenario = write_scenario(tmp_path / "desk.yaml", seed=100)
    assert cli("check", scenario, "--update").exit_code == 0
    path = tmp_path / "baselines" / "desk.json"
    doc = json.loads(path.read_text())
    doc["seed"] = 210
    path.write_text(json.dumps(doc))
    out = tmp_path / "v.json"
    result = cli("check", scenario, "--json", out)
    assert result.exit_code == 0, result.output
    (c,) = verdicts(out)["checks"]
    assert c["identical"] is False  # really other random numbers
    tested = [f for f in c["figures"] if f["p_value"] is not None]
    assert len(tested) >= 40
    # Seed 210 is one where noise shows: one figure's own p is below 1%, so judged alone
    # it would fail; Holm's correction over all figures keeps the check quiet.
    assert min(f["p_value"] for f in tested) < 0.01
    assert all(f["verdict"] == "ok" for f in tested)


def test_reseeded_runs_pass_on_documents(tmp_path: Path) -> None:
    """Eight more seeds against one baseline, judged in-process with the whole rule."""
    scenario = load_scenario(write_scenario(tmp_path / "desk.yaml", seed=100))
    baseline = summary_json(run_experiment(scenario))
    for seed in range(101, 109):
        new = summary_json(run_experiment(scenario, seed=seed))
        assert new["totals"] != baseline["totals"]
        result = compare(baseline, new)
        assert [str(f.key) for f in result if f.failed] == [], seed


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


def test_baseline_records_sd_and_n_consistent_with_its_interval(
    made: tuple[Path, Path],
) -> None:
    """What the test reads (sd, n) must be what the interval was made from."""
    _, good = made
    d = json.loads(good.read_text())
    assert d["schema_version"] == 3
    checked = 0
    for scope in [d["totals"], *d["pools"].values(), *d["types"].values()]:
        for e in scope.values():
            if e["ci95"] is None:
                assert e["sd"] is None
                continue
            half = (e["ci95"][1] - e["ci95"][0]) / 2
            expected = t_quantile_975(e["n"] - 1) * e["sd"] / math.sqrt(e["n"])
            assert half == pytest.approx(expected, rel=1e-9, abs=1e-12)
            assert 2 <= e["n"] <= d["replications"]
            checked += 1
    assert checked > 40


def test_corrupted_baseline_exits_2_naming_the_file(made: tuple[Path, Path]) -> None:
    scenario, good = made
    broken = good.parent / "broken.json"
    broken.write_text(good.read_text()[:500])  # a truncated write
    result = cli("check", scenario, "-b", broken)
    assert result.exit_code == 2
    assert f"{broken}:" in result.stderr
    assert "not valid JSON (corrupted?)" in result.stderr
    assert "Traceback" not in result.output


def test_a_version_2_baseline_is_read_as_the_same_figures(made: tuple[Path, Path]) -> None:
    """Version 3 only added periods and pool intervals, which check does not compare: a
    baseline written before them checks as identical, and --update rewrites it as 3."""
    scenario, good = made

    def as_version_2(d: dict[str, Any]) -> None:
        d.update(schema_version=2)
        del d["periods"], d["pool_intervals"]

    old = edited(good, "old.json", as_version_2)
    result = cli("check", scenario, "-b", old)
    assert result.exit_code == 0, result.output
    assert "identical" in result.stdout
    assert cli("check", scenario, "-b", old, "--update").exit_code == 0
    assert json.loads(old.read_text())["schema_version"] == 3


@pytest.mark.parametrize("version", [1, 4])
def test_other_schema_version_is_rejected_not_compared(
    made: tuple[Path, Path], version: int
) -> None:
    """Version 1 baselines lack each figure's sd and n, which the test needs."""
    scenario, good = made
    other = edited(good, "other.json", lambda d: d.update(schema_version=version))
    result = cli("check", scenario, "-b", other)
    assert result.exit_code == 2
    assert f"{other}: schema_version: baseline has schema_version {version}" in result.stderr
    assert "reads schema_version 2 or 3" in result.stderr
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
        "replications: expected at least 1",
        "totals.service_level.ci95: expected a list of exactly 2 items [low, high], got 1",
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


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema_version=True), "schema_version: expected an integer"),
        (lambda d: d.update(targets="met"), 'targets: expected a list, got "met"'),
        (lambda d: d.update(intervals="hourly"), 'intervals: expected a list, got "hourly"'),
        (lambda d: d.update(seed=1.5), "seed: expected an integer, got 1.5"),
        (
            lambda d: d["targets"].append(
                {"name": "x", "figure": "y", "goal": "z", "value": 1, "met": True, "status": "ok"}
            ),
            'targets[0].status: expected one of "met", "missed", "n/a", got "ok"',
        ),
        (lambda d: d.update(pools=[]), "pools: expected an object, got []"),
        (
            lambda d: d["targets"].append({"name": "x", "figure": "y", "goal": "z", "met": 1}),
            "targets[0].met: expected true or false or null (null: n/a), got 1",
        ),
        (
            lambda d: d["intervals"][3].update(hour="3"),
            'intervals[3].hour: expected an integer, got "3"',
        ),
        (
            lambda d: d["totals"]["p_wait"].update(sd=-0.1),
            "totals.p_wait.sd: expected at least 0, got -0.1",
        ),
        (
            lambda d: d["pools"]["agents"]["occupancy"].update(mean="high"),
            'pools.agents.occupancy.mean: expected a number or null, got "high"',
        ),
        (
            lambda d: d["totals"]["p_wait"].update(n=6),
            "totals.p_wait.n: expected at most 5 (the replications), got 6",
        ),
        (
            lambda d: d["totals"]["p_wait"].update(maen=0.3),
            "totals.p_wait.maen: unknown key",
        ),
        (
            lambda d: d["totals"]["p_wait"].pop("sd"),
            "totals.p_wait: missing key 'sd'",
        ),
    ],
)
def test_malformed_baselines_are_refused_by_the_schema(
    made: tuple[Path, Path], change: Any, message: str
) -> None:
    """Each of these used to be read as "nothing there" and compared as a pass."""
    scenario, good = made
    bad = edited(good, "bad.json", change)
    out = good.parent / "v.json"
    result = cli("check", scenario, "-b", bad, "--json", out)
    assert result.exit_code == 2, result.output
    assert f"{bad}: {message}" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_absurd_replications_in_a_baseline_are_refused_before_running(
    made: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check runs the baseline's replications: a billion must not start at all."""
    scenario, good = made
    bad = edited(good, "huge.json", lambda d: d.update(replications=1_000_000_000))

    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("nothing may run for a refused baseline")

    monkeypatch.setattr("simdesk.check.tasks_for", refuse)
    result = cli("check", scenario, "-b", bad)
    assert result.exit_code == 2, result.output
    assert (
        f"{bad}: replications: expected at most 10,000 (the cap on replications), "
        "got 1000000000" in result.stderr
    )


def test_baseline_with_a_byte_order_mark_is_accepted(made: tuple[Path, Path]) -> None:
    """Some Windows editors save UTF-8 with a BOM; the content is the same baseline."""
    scenario, good = made
    bom = good.parent / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + good.read_bytes())
    result = cli("check", scenario, "-b", bom)
    assert result.exit_code == 0, result.output
    assert "identical" in result.output


def test_non_finite_numbers_in_a_baseline_are_refused(made: tuple[Path, Path]) -> None:
    scenario, good = made
    for text, word in (("NaN", "NaN"), ("1e999", "expected a number")):
        bad = good.parent / "nan.json"
        bad.write_text(good.read_text().replace('"mean": 0.0,', f'"mean": {text},', 1))
        result = cli("check", scenario, "-b", bad)
        assert result.exit_code == 2, result.output
        assert word in result.stderr


def test_huge_input_is_refused_without_reading_it_all(
    made: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario, good = made
    monkeypatch.setattr("simdesk.check.MAX_BASELINE_BYTES", 100)
    result = cli("check", scenario, "-b", good)
    assert result.exit_code == 2
    assert f"{good}: baseline is larger than 100 bytes" in result.stderr


def test_schema_agrees_with_jsonschema(made: tuple[Path, Path]) -> None:
    """The runtime validator is ours (no jsonschema at run time); the standard one, a dev
    dependency, must agree with it on a real baseline and on broken ones."""
    jsonschema = pytest.importorskip("jsonschema")
    _, good = made
    validator = jsonschema.Draft202012Validator(BASELINE_SCHEMA)
    docs = [json.loads(good.read_text())]
    for path in sorted(BASELINES.glob("*.json")):
        docs.append(json.loads(path.read_text()))
    for d in docs:
        assert list(validator.iter_errors(d)) == []
        assert schema_problems(d) == []
    broken = [
        {**docs[0], "targets": "met"},
        {**docs[0], "schema_version": True},
        {**docs[0], "replications": 10**9},
        {**docs[0], "intervals": [{"hour": 24}]},
        {**docs[0], "totals": {"x": {"mean": 1, "ci95": [1], "sd": None, "n": 1}}},
        {**docs[0], "totals": {"x": {"mean": 1, "ci95": None, "sd": None}}},
        {k: v for k, v in docs[0].items() if k != "seed"},
    ]
    for d in broken:
        assert list(validator.iter_errors(d)) != []
        assert schema_problems(d) != []


def test_json_verdicts_path_is_checked_before_running(made: tuple[Path, Path]) -> None:
    scenario, good = made
    missing = good.parent / "no" / "such" / "dir" / "v.json"
    result = cli("check", scenario, "-b", good, "--json", missing)
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    assert "passed" not in result.output  # nothing ran
    for target in (scenario, good):
        before = target.read_bytes()
        result = cli("check", scenario, "-b", good, "--json", target)
        assert result.exit_code == 2
        assert f"--json: {target} is an input of this command" in result.stderr
        assert target.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--alpha", "0"], "--alpha: expected a probability above 0"),
        (["--alpha", "0.9"], "--alpha: expected a probability above 0"),
        (["--min-effect", "0.02"], "--min-effect: expected a percentage"),
    ],
)
def test_bad_rule_options_exit_2(made: tuple[Path, Path], args: list[str], message: str) -> None:
    scenario, good = made
    result = cli("check", scenario, "-b", good, *args)
    assert result.exit_code == 2
    assert message in result.stderr


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
    assert "1 passed, 1 error" in result.output
    assert f"{broken}:1: baseline is not valid JSON" in result.stderr
    # Verdicts only for a completed check: a file here would read as a partial pass.
    assert not out.exists()


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


def est(mean: float | None, sd: float | None = None, n: int = 5) -> dict[str, Any]:
    """An estimate as a result document records it (the interval is what a report shows;
    the test reads mean, sd and n)."""
    if mean is None or sd is None:
        return {"mean": mean, "ci95": None, "sd": None, "n": n if mean is not None else 0}
    half = t_quantile_975(n - 1) * sd / math.sqrt(n)
    return {"mean": mean, "ci95": [mean - half, mean + half], "sd": sd, "n": n}


def doc(totals: dict[str, Any], pools: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"totals": totals, "pools": pools or {}, "types": {}}


def one(baseline: dict[str, Any], new: dict[str, Any], **kw: Any) -> tuple[str, str]:
    (f,) = compare(doc({"service_level": baseline}), doc({"service_level": new}), **kw)
    return f.verdict, f.rule


# Welch's t-test and Holm's procedure themselves


def test_welch_p_at_the_t_quantile_is_five_percent() -> None:
    """Equal spreads and counts: Welch's degrees of freedom are 2n - 2 = 8, so a
    difference of t_0.975(8) standard errors has a two-sided p of exactly 5%."""
    sd, n = 0.02, 5
    se = sd * math.sqrt(2 / n)
    t = t_quantile_975(2 * n - 2)
    assert welch_p(0.80, sd, n, 0.80 + t * se, sd, n) == pytest.approx(0.05, rel=1e-9)
    assert welch_p(0.80 + t * se, sd, n, 0.80, sd, n) == pytest.approx(0.05, rel=1e-9)
    assert welch_p(0.80, sd, n, 0.80, sd, n) == 1.0
    assert welch_p(0.80, sd, n, 0.80 + 2 * t * se, sd, n) < 0.01


def test_welch_p_with_unequal_spreads_matches_scipy() -> None:
    stats = pytest.importorskip("scipy.stats")
    for a, b in [((0.3, 0.1, 5), (0.45, 0.2, 3)), ((120.0, 4.0, 3), (131.0, 0.5, 10))]:
        expected = stats.ttest_ind_from_stats(*a, *b, equal_var=False).pvalue
        assert welch_p(*a, *b) == pytest.approx(expected, rel=1e-9)


def test_welch_p_without_spread() -> None:
    """A figure that never varies (always 0, or a fixed count) moved iff its mean did."""
    assert welch_p(0.0, 0.0, 5, 0.0, 0.0, 5) == 1.0
    assert welch_p(0.0, 0.0, 5, 1.0, 0.0, 5) == 0.0
    # One side without spread: the other side's alone, with its n - 1 degrees of freedom.
    t = t_quantile_975(4)
    assert welch_p(0.0, 0.0, 5, t * 1.0 / math.sqrt(5), 1.0, 5) == pytest.approx(0.05)


def test_holm_passes_uncorrected_fails_corrected() -> None:
    """Worked by hand, alpha 5%, m = 3: sorted p = 0.01, 0.03, 0.04.
    Step 1: 0.01 <= 0.05/3 = 0.0167, reject. Step 2: 0.03 > 0.05/2 = 0.025, stop: 0.03 and
    0.04 are kept although each is below 5% on its own. Adjusted: 3 x 0.01 = 0.03,
    2 x 0.03 = 0.06, max(0.06, 1 x 0.04) = 0.06. Input order is kept."""
    p = [0.04, 0.01, 0.03]
    assert all(x < 0.05 for x in p)  # each passes uncorrected
    assert holm_adjusted(p) == pytest.approx([0.06, 0.03, 0.06])
    assert holm_rejects(p, 0.05) == [False, True, False]


def test_holm_steps_down_beyond_bonferroni() -> None:
    """Sorted p = 0.01, 0.02, 0.04 at 5%: 0.01 <= 0.0167, 0.02 <= 0.025, 0.04 <= 0.05, so
    all three are rejected, where Bonferroni (every p against 0.05/3) keeps 0.02 and 0.04."""
    p = [0.02, 0.04, 0.01]
    assert holm_adjusted(p) == pytest.approx([0.04, 0.04, 0.03])
    assert holm_rejects(p, 0.05) == [True, True, True]
    assert [x <= 0.05 / 3 for x in p] == [False, False, True]  # Bonferroni
    assert holm_adjusted([]) == []
    assert holm_rejects([0.5], 0.5) == [True]


# The check's rule on documents


def test_a_move_beyond_noise_fails_up_or_down() -> None:
    assert one(est(0.80, 0.02), est(0.81, 0.02)) == ("ok", "Welch t, Holm 1%")
    assert one(est(0.80, 0.02), est(0.86, 0.02))[0] == "changed"  # p ~ 0.0015
    assert one(est(0.80, 0.02), est(0.74, 0.02))[0] == "changed"
    assert one(est(0.80, 0.02), est(0.83, 0.02))[0] == "ok"  # p ~ 0.04: not at 1%
    assert one(est(0.0, 0.0), est(0.0, 0.0))[0] == "ok"  # exact zeros
    (f,) = compare(doc({"service_level": est(0.80, 0.02)}), doc({"service_level": est(0.86, 0.02)}))
    assert f.p_value is not None and f.p_value < 0.01 and f.p_holm == f.p_value
    assert "moved beyond noise" in f.reason


def test_holm_in_the_check_one_figure_passes_corrected() -> None:
    """service_level alone at p ~ 0.005 fails at 1%; beside four quiet figures, Holm
    multiplies it by 5 (0.025 > 0.01) and it holds."""
    base, moved = est(0.80, 0.02), est(0.8425, 0.02)
    (alone,) = compare(doc({"service_level": base}), doc({"service_level": moved}))
    assert alone.p_value is not None and 0.002 < alone.p_value < 0.01
    assert alone.verdict == "changed"
    figures = ("offered", "handled", "abandoned", "asa_s")
    quiet = {f: est(10.0, 1.0) for f in figures}
    moved_a_hair = {f: est(10.1, 1.0) for f in figures}  # p ~ 0.88 each
    together = compare(
        doc({"service_level": base, **quiet}), doc({"service_level": moved, **moved_a_hair})
    )
    sl = next(f for f in together if f.key.figure == "service_level")
    assert sl.p_value == alone.p_value
    assert sl.p_holm == pytest.approx(5 * alone.p_value)
    assert [f.verdict for f in together] == ["ok"] * 5
    # A looser alpha for the whole check lets it fail again.
    loose = compare(
        doc({"service_level": base, **quiet}),
        doc({"service_level": moved, **moved_a_hair}),
        rule=CheckRule(alpha=0.05),
    )
    assert [f.key.figure for f in loose if f.failed] == ["service_level"]
    # Identical figures are no test (no noise in them), so they do not widen the family.
    same = compare(doc({"service_level": base, **quiet}), doc({"service_level": moved, **quiet}))
    assert [(f.key.figure, f.tested) for f in same][:2] == [
        ("service_level", True),
        ("offered", False),
    ]
    assert [f.key.figure for f in same if f.failed] == ["service_level"]


def test_the_family_is_the_whole_check_not_one_scenario() -> None:
    """Two scenarios, each with one figure at p ~ 0.005: alone each fails at 1%; judged as
    one check (m = 2) each is adjusted to ~0.01 and the pair passes."""
    base, moved = est(0.80, 0.02), est(0.8425, 0.02)
    groups = [
        compare(doc({"service_level": base}), doc({"service_level": moved}), rule=CheckRule(1.0))
        for _ in range(2)
    ]
    assert [f.verdict for g in groups for f in g] == ["changed", "changed"]  # alpha 1: all
    p = groups[0][0].p_value
    assert p is not None and 0.005 < p < 0.01
    decided = decide(groups, CheckRule())
    assert [f.verdict for g in decided for f in g] == ["ok", "ok"]
    assert decided[0][0].p_holm == pytest.approx(2 * p)


def test_min_effect_lets_immaterial_moves_pass() -> None:
    """Long runs make tiny moves significant: 1% of the mean at p ~ 1e-6."""
    base, moved = est(100.0, 0.2, 10), est(101.0, 0.2, 10)
    assert one(base, moved)[0] == "changed"
    assert one(base, moved, rule=CheckRule(min_effect=0.02))[0] == "ok"  # 1% < 2%
    assert one(base, moved, rule=CheckRule(min_effect=0.005))[0] == "changed"  # 1% > 0.5%
    # Relative to the baseline's mean, in either direction.
    assert one(base, est(99.0, 0.2, 10), rule=CheckRule(min_effect=0.02))[0] == "ok"
    assert one(base, est(97.0, 0.2, 10), rule=CheckRule(min_effect=0.02))[0] == "changed"
    # The minimum effect never makes noise fail: not significant stays ok.
    assert one(est(0.80, 0.02), est(0.81, 0.02), rule=CheckRule(min_effect=0.0))[0] == "ok"


def test_min_effect_and_alpha_parsing() -> None:
    assert parse_min_effect("2%") == pytest.approx(0.02)
    assert parse_min_effect(" 0.5% ") == pytest.approx(0.005)
    for bad in ("0.02", "two%", "-1%", "nan%", ""):
        with pytest.raises(SimdeskError, match="expected a percentage"):
            parse_min_effect(bad)


def test_tolerances_override_the_test() -> None:
    base, new = est(0.80, 0.005), est(0.83, 0.005)  # p far below 1%
    assert one(base, new)[0] == "changed"
    assert one(base, new, tolerances=parse_tolerances(["service_level=0.05"])) == ("ok", "±0.05")
    assert one(base, new, tolerances=parse_tolerances(["service_level=0.02"]))[0] == "changed"
    assert one(base, new, tolerances=parse_tolerances(["service_level=5%"])) == ("ok", "±5%")
    assert one(base, new, tolerances=parse_tolerances(["service_level=3%"]))[0] == "changed"
    # Tolerances also compare figures without a spread (one replication).
    assert one(est(0.80), est(0.81), tolerances=parse_tolerances(["service_level=0.02"]))[0] == (
        "ok"
    )


def test_tolerance_edges() -> None:
    assert Tolerance(0.02, relative=False).holds(0.80, 0.82)  # exactly the tolerance
    assert not Tolerance(0.0, relative=True).holds(0.0, 1e-9)
    assert Tolerance(0.0, relative=True).holds(0.0, 0.0)
    assert Tolerance(0.05, relative=True).holds(-100.0, -105.0)


def test_nulls_and_single_values_are_skipped() -> None:
    assert one(est(None), est(3.0, 1.0))[0] == "skipped"
    assert one(est(3.0, 1.0), est(None))[0] == "skipped"
    assert one(est(3.0), est(9.0))[0] == "skipped"  # no spread, no tolerance
    # A hand-edited sd beside n = 1 (what the schema cannot see) is not tested either.
    assert one({"mean": 3.0, "ci95": None, "sd": 1.0, "n": 1}, est(9.0, 1.0))[0] == "skipped"


def test_scoped_tolerances_most_specific_wins() -> None:
    pools_b = {"a": {"occupancy": est(0.80, 0.005)}, "b": {"occupancy": est(0.80, 0.005)}}
    pools_n = {"a": {"occupancy": est(0.84, 0.005)}, "b": {"occupancy": est(0.84, 0.005)}}
    tol = parse_tolerances(["occupancy=0.01", "pools.a.occupancy=0.1"])
    result = {str(f.key): f.verdict for f in compare(doc({}, pools_b), doc({}, pools_n), tol)}
    assert result == {"pools.a.occupancy": "ok", "pools.b.occupancy": "changed"}


def test_missing_and_new_figures() -> None:
    base = doc({"offered": est(10.0, 1.0)}, {"old": {"offered": est(10.0, 1.0)}})
    new = doc({"offered": est(10.0, 1.0)}, {"fresh": {"offered": est(10.0, 1.0)}})
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


def _one_agent_less(data: dict[str, Any]) -> dict[str, Any]:
    """One agent fewer in the largest people pool: ``agents - 1``, or on every shift."""
    people = [p for p in data["pools"] if p.get("kind") != "bot"]
    pool = max(
        people,
        key=lambda p: p["agents"] if "agents" in p else max(s["agents"] for s in p["shifts"]),
    )
    if "agents" in pool:
        pool["agents"] -= 1
    else:
        for shift in pool["shifts"]:
            shift["agents"] = max(1, shift["agents"] - 1)
    return data


@pytest.mark.slow
def test_one_agent_less_on_every_example_is_caught(tmp_path: Path) -> None:
    """Against the committed baselines, at full length, with all six changed in one check
    (the largest Holm family): every scenario fails. About a minute on two workers;
    bench/check_noise.py measures the rate over many seeds."""
    yaml = pytest.importorskip("yaml")
    root = BASELINES.parent
    for path in sorted(root.glob("*.yaml")):
        data = _one_agent_less(yaml.safe_load(path.read_text(encoding="utf-8")))
        (tmp_path / path.name).write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path / "v.json"
    args = ["check", tmp_path, "--baselines", BASELINES, "--targets", "off", "--json", out]
    result = cli(*args, "--workers", "2")
    assert result.exit_code == 1, result.output
    statuses = {Path(c["scenario_file"]).stem: c["status"] for c in verdicts(out)["checks"]}
    assert statuses == {p.stem: "failed" for p in root.glob("*.yaml")}


# --------------------------------------------------------------------------------------
# Which inputs changed, beside which figures moved
# --------------------------------------------------------------------------------------


def test_one_agent_less_names_the_changed_input(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path / "desk.yaml", agents=14)
    assert cli("check", scenario, "--update").exit_code == 0
    write_scenario(scenario, agents=13)
    out = tmp_path / "v.json"
    result = cli("check", scenario, "--json", out)
    assert result.exit_code == 1, result.output
    assert "pools[agents].agents: 14 -> 13" in result.output
    changes = verdicts(out)["checks"][0]["inputs_changed"]
    assert [(c["path"], c["old"], c["new"]) for c in changes] == [("pools[agents].agents", 14, 13)]


def test_unchanged_scenario_says_no_input_changed(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path / "desk.yaml")
    assert cli("check", scenario, "--update").exit_code == 0
    out = tmp_path / "v.json"
    result = cli("check", scenario, "--json", out)
    assert result.exit_code == 0, result.output
    assert verdicts(out)["checks"][0]["inputs_changed"] == []
    assert "inputs changed" not in result.output


def test_figures_moved_with_the_same_inputs_says_so(tmp_path: Path) -> None:
    """The baseline's figures edited by hand stand for a change in simdesk itself."""
    scenario = write_scenario(tmp_path / "desk.yaml")
    baseline = tmp_path / "baselines" / "desk.json"
    assert cli("check", scenario, "--update").exit_code == 0
    doc = json.loads(baseline.read_text())
    doc["totals"]["service_level"]["mean"] /= 2
    baseline.write_text(json.dumps(doc))
    result = cli("check", scenario)
    assert result.exit_code == 1, result.output
    assert "inputs unchanged since the baseline" in result.output


def test_old_baseline_without_inputs_still_checks(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path / "desk.yaml", agents=14)
    baseline = tmp_path / "baselines" / "desk.json"
    assert cli("check", scenario, "--update").exit_code == 0
    doc = json.loads(baseline.read_text())
    del doc["inputs"]
    baseline.write_text(json.dumps(doc))
    assert load_baseline(baseline).doc.get("inputs") is None
    out = tmp_path / "v.json"
    same = cli("check", scenario, "--json", out)
    assert same.exit_code == 0, same.output
    assert verdicts(out)["checks"][0]["inputs_changed"] is None
    write_scenario(scenario, agents=13)
    moved = cli("check", scenario, "--json", out)
    assert moved.exit_code == 1, moved.output
    assert "inputs" not in moved.output  # unknown, so nothing is claimed either way
    assert verdicts(out)["checks"][0]["inputs_changed"] is None


def test_input_changes_by_key_path() -> None:
    from simdesk.inputs import input_changes

    old = {
        "seed": 1,
        "pools": [{"name": "bot", "agents": 2}, {"name": "inhouse", "agents": 12}],
        "demand": {"intraday": [1.0, 2.0], "types": [{"name": "a", "share": 1.0}]},
        "routing": {"always_human": False},
    }
    new = {
        "seed": 1,
        "pools": [{"name": "inhouse", "agents": 11}, {"name": "vendor", "agents": 3}],
        "demand": {"intraday": [1.0, 2.5], "types": [{"name": "a", "share": 1.0}]},
        "routing": {},
    }
    shown = [str(c) for c in input_changes(old, new)]
    assert shown == [
        'pools[bot]: {"name": "bot", "agents": 2} -> (absent)',
        "pools[inhouse].agents: 12 -> 11",
        'pools[vendor]: (absent) -> {"name": "vendor", "agents": 3}',
        "demand.intraday[1]: 2.0 -> 2.5",
        "routing.always_human: false -> (absent)",
    ]
    assert input_changes(old, old) == []


def test_update_names_the_missed_targets_and_the_baseline_mode(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path / "desk.yaml", targets=UNREACHABLE)
    out = tmp_path / "v.json"
    result = cli("check", scenario, "--update", "--json", out)
    assert result.exit_code == 0, result.output
    assert "misses 1 target(s): service level" in result.output
    assert "--targets baseline" in result.output
    assert any("service level" in n for n in verdicts(out)["checks"][0]["notes"])
    met = write_scenario(tmp_path / "met.yaml")
    quiet = cli("check", met, "--update")
    assert "misses" not in quiet.output


def test_many_changed_inputs_are_shown_up_to_twenty_lines() -> None:
    from io import StringIO

    from rich.console import Console

    from simdesk.check import CheckResult
    from simdesk.inputs import InputChange
    from simdesk.render.check import render_checks

    changes = [InputChange(f"demand.intraday[{i}]", 1.0, 2.0) for i in range(24)]
    result = CheckResult("d.yaml", "d.json", inputs_changed=changes)
    buf = StringIO()
    render_checks([result], Console(file=buf, width=120))
    text = buf.getvalue()
    assert "inputs changed since the baseline (24):" in text
    assert "demand.intraday[19]: 1.0 -> 2.0" in text
    assert "demand.intraday[20]" not in text
    assert "... and 4 more (see --json)" in text
