"""The people's figures (contacts that reached people), targets per pool, per type and on
the people, and the customer's whole journey per issue (docs/figures.md, "The people's
figures" and "Issues"; docs/scenario-format.md, "Targets").

Journey figures are checked on desks worked out by hand (fixed() handle times, patience
and follow-up delays; the defaults of docs/satisfaction.md: resolved_by_person 4.5,
resolved_by_bot 4.3, abandoned 1.5, 0.1 a minute of waiting, repeat factor 0.85).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from rulekit import bot, desk, people, run
from typer.testing import CliRunner

from simdesk.cli import app
from simdesk.confidence import Estimate
from simdesk.errors import ScenarioError
from simdesk.experiment import run_experiment
from simdesk.loading import scenario_from_data
from simdesk.optimize import judge
from simdesk.targets import check_targets

WIDE = {"COLUMNS": "200"}


# --------------------------------------------------------------------------------------
# Issues: the customer's whole journey
# --------------------------------------------------------------------------------------


def test_a_retry_belongs_to_the_issue_and_its_time_runs_from_the_first_contact() -> None:
    """Nobody is on shift before 01:05; patience is fixed(1m), every abandoner retries
    after fixed(2h), agents (plenty) answer at once from 01:05, fixed(1m), fcr 1.

    An issue whose first contact arrives in hour 0 (t < 3600) abandons at t + 60 (< 3660,
    nobody there), retries at t + 7260 (on shift, answered at once) and is resolved at
    t + 7320: two contacts, 7320 s from first contact to resolution, the last contact
    scoring resolved_by_person 4.5 (a retry keeps the count of earlier contacts, so no
    repeat factor). Hours 2 and 3: one contact, 60 s."""
    data = desk(
        pools=[people(agents=50, shifts=[{"start": "01:05", "end": "23:00", "agents": 50}])],
        customers={"patience": "fixed(1m)", "retry": {"probability": 1.0, "after": "fixed(2h)"}},
        horizon="4h",
    )
    del data["pools"][0]["agents"]
    f = run(data)
    h0 = f.intervals[0]
    assert h0["issues"] > 30
    assert h0["issues_open"] == 0
    assert h0["issue_resolution_rate"] == 1.0
    assert h0["contacts_per_resolved_issue"] == 2.0
    assert h0["issue_resolution_time_mean_s"] == pytest.approx(7320.0, abs=1e-6)
    assert h0["issue_resolution_time_p90_s"] == pytest.approx(7320.0, rel=0.005)
    assert h0["issue_csat_mean"] == pytest.approx(4.5)
    for h in (2, 3):
        hx = f.intervals[h]
        assert hx["issue_resolution_rate"] == 1.0
        assert hx["contacts_per_resolved_issue"] == 1.0
        assert hx["issue_resolution_time_mean_s"] == pytest.approx(60.0)
    # The retries are contacts (offered, repeat_contacts), not new issues.
    t = f.totals
    assert t["issues"] == t["offered"] - t["repeat_contacts"]


def test_a_false_bot_resolution_is_not_a_resolution_of_the_issue() -> None:
    """A bot "resolving" everything falsely (0 s conversations), nobody coming back: every
    contact is contained and scores 4.3 (the customer does not know yet), yet no issue is
    resolved."""
    data = desk(
        pools=[bot(resolution=1.0, false_resolution=1.0)],
        routing={"t": ["bot"]},
        customers={"repeat": {"probability": 0.0}},
    )
    t = run(data).totals
    assert t["contained"] == t["offered"] > 100
    assert t["issues_open"] == 0
    assert t["issue_resolution_rate"] == 0.0
    assert math.isnan(t["contacts_per_resolved_issue"])
    assert math.isnan(t["issue_resolution_time_mean_s"])
    assert t["issue_csat_mean"] == pytest.approx(4.3)


def test_the_repeat_after_a_false_resolution_is_part_of_the_same_issue() -> None:
    """The bot resolves every contact at once, half of them falsely; every false one comes
    back after exactly 1 min. An issue takes k contacts with k geometric (p = 1/2), so
    contacts per resolved issue is 2 (sd of k is sqrt(2): 4 standard errors over the
    issues is the tolerance), and its time to resolution is exactly (k - 1) minutes: the
    mean time is 60 s x (contacts per resolved issue - 1) to rounding. The journey's
    satisfaction is its last contact's score, 4.3 x 0.85^(k-1), whose expectation is
    4.3 x 0.5 / (1 - 0.425) = 3.739 (scores below 1 are raised to 1, P(k > 8) = 0.4%)."""
    data = desk(
        pools=[bot(resolution=1.0, false_resolution=0.5)],
        routing={"t": ["bot"]},
        customers={"repeat": {"probability": 1.0, "after": "fixed(1m)"}},
        rate="600/h",
    )
    t = run(data).totals
    closed = t["issues"] - t["issues_open"]
    assert closed > 2000
    assert t["issue_resolution_rate"] == 1.0  # every false resolution comes back
    tol = 4 * math.sqrt(2.0 / closed)
    assert t["contacts_per_resolved_issue"] == pytest.approx(2.0, abs=tol)
    assert t["issue_resolution_time_mean_s"] == pytest.approx(
        60.0 * (t["contacts_per_resolved_issue"] - 1.0), rel=1e-9
    )
    assert t["issue_csat_mean"] == pytest.approx(4.3 * 0.5 / (1 - 0.425), abs=0.1)
    # Per contact, the desk looks different: half the contacts are repeats.
    assert t["resolved"] == pytest.approx(closed, abs=t["issues_open"] + 1)


def test_issues_that_start_in_the_warmup_are_not_counted() -> None:
    """Only issues whose first contact is measured count; every issue here is one
    contact, so issues equals offered."""
    data = desk(pools=[people(agents=5)], warmup="1h")
    t = run(data).totals
    assert t["issues"] == t["offered"] > 100


# --------------------------------------------------------------------------------------
# The people's figures
# --------------------------------------------------------------------------------------

BOT_FIRST = desk(
    pools=[
        bot(resolution=0.9),
        people(
            agents=None,
            handle_time="fixed(10m)",
            shifts=[{"start": "00:00", "end": "03:00", "agents": 1}],
        ),
    ],
    routing={"t": ["bot", "people"]},
    customers={"patience": "fixed(2m)"},
    targets={
        "service_level": {"within": "20s", "at_least": 0.8},
        "people": {"service_level": {"at_least": 0.8}, "max_abandonment": 0.1},
    },
    replications=3,
)


def test_people_figures_are_the_contacts_that_reached_people() -> None:
    """Bot first (it never queues), then one pool of people, no overflow: the contacts
    that reached people are exactly the people pool's contacts, so the people's figures
    equal that pool's; the bot's instant answers are left out. (The pool's one agent
    leaves at 03:00 and the run ends at 04:00, so nobody is in service at the end: a pool
    counts a contact when its service starts, the people's figures when it ends.)"""
    f = run(BOT_FIRST)
    t, pool = f.totals, f.pools["people"]
    assert t["people_contacts"] == pool["handled"] + pool["abandoned"]
    assert t["people_service_level"] == pytest.approx(pool["service_level"])
    assert t["people_abandonment_rate"] == pytest.approx(pool["abandonment_rate"])
    assert t["people_wait_mean_s"] == pytest.approx(pool["wait_mean_s"])
    assert t["people_wait_p90_s"] == pytest.approx(pool["wait_p90_s"])
    assert t["service_level"] > 0.8 > t["people_service_level"]
    for figure in ("people_service_level", "issue_resolution_rate"):
        assert math.isnan(pool[figure])  # per pool: visits, not contacts


def test_without_a_bot_the_people_are_the_desk_and_an_overflow_counts_once() -> None:
    """Every contact reaches people, so the people's figures are the desk-wide ones, even
    when contacts overflow from one people pool to another (counted once, not per
    pool visited)."""
    data = desk(
        pools=[people("a", agents=2, handle_time="fixed(3m)"), people("b", agents=1)],
        routing={"t": {"path": ["a", "b"], "overflow_after": "20s"}},
        customers={"patience": "fixed(5m)"},
    )
    f = run(data)
    t = f.totals
    assert f.pools["a"]["overflowed"] > 10
    assert t["people_contacts"] == t["handled"] + t["abandoned"]
    for figure in ("service_level", "abandonment_rate", "wait_mean_s", "wait_p90_s",
                   "csat_mean"):
        assert t[f"people_{figure}"] == t[figure]


def test_a_scoped_abandonment_target_is_not_applicable_on_an_overloaded_desk() -> None:
    """No patience and more work than staff: abandonment is 0% by construction, so a
    people, pool or type abandonment target says n/a, like the desk-wide one."""
    data = desk(
        rate="120/h",
        targets={
            "people": {"max_abandonment": 0.05},
            "pools": {"people": {"max_abandonment": 0.05}},
            "types": {"t": {"max_abandonment": 0.05}},
        },
        replications=2,
    )
    summary = run_experiment(scenario_from_data(data, "<test>"))
    assert [(v.name, v.status) for v in summary.targets] == [
        ("people abandonment", "n/a"),
        ("pool people: abandonment", "n/a"),
        ("type t: abandonment", "n/a"),
    ]


def test_a_bot_first_desk_whose_people_miss_the_target_is_reported_as_missing_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bot_first.yaml"
    path.write_text(yaml.safe_dump(BOT_FIRST))
    out = tmp_path / "out.json"
    r = CliRunner().invoke(app, ["run", str(path), "--json", str(out)], env=WIDE)
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    status = {t["name"]: t["status"] for t in doc["targets"]}
    assert status["service level"] == "met"
    assert status["people service level"] == "missed"
    figure = {t["name"]: t["figure"] for t in doc["targets"]}
    assert figure["people service level"] == "people_service_level"
    assert "people_service_level" in r.output
    assert "missed" in r.output
    # check fails on it (strict targets), with the desk-wide target met.
    baselines = tmp_path / "baselines"
    baselines.mkdir()
    r = CliRunner().invoke(
        app, ["check", str(path), "--baselines", str(baselines), "--update"], env=WIDE
    )
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(
        app, ["check", str(path), "--baselines", str(baselines), "--json", str(out)], env=WIDE
    )
    assert r.exit_code == 1, r.output
    [result] = json.loads(out.read_text())["checks"]
    assert "people service level" in result["missed_targets"]
    assert "service level" not in result["missed_targets"]


TWO_POOLS = """\
name: two-pools
seed: 5
horizon: 1d
replications: 4
demand:
  arrival_rate: 120/h
  types:
    - {name: sales, share: 0.5}
    - {name: support, share: 0.5}
customers:
  patience: exponential(mean=3m)
pools:
  - {name: front, kind: inhouse, agents: AGENTS, handle_time: exponential(mean=4m)}
  - {name: back, kind: inhouse, agents: 8, handle_time: exponential(mean=4m)}
routing:
  sales: [front]
  support: [back]
targets:
  service_level: {within: 20s, at_least: 0.6}
  pools:
    front: {service_level: {at_least: 0.75}}
  types:
    support: {max_abandonment: 0.2}
"""


def test_a_per_pool_target_fails_check_when_only_that_pool_moves(tmp_path: Path) -> None:
    """The baseline's front pool (8 agents for 4 agents' worth of work) meets its 75%
    target; with 5 agents it misses it while the desk-wide target (60%) stays met:
    check fails on the pool's target alone, even with --targets baseline."""
    path = tmp_path / "two_pools.yaml"
    baselines = tmp_path / "baselines"
    baselines.mkdir()
    path.write_text(TWO_POOLS.replace("AGENTS", "8"))
    r = CliRunner().invoke(
        app, ["check", str(path), "--baselines", str(baselines), "--update"], env=WIDE
    )
    assert r.exit_code == 0, r.output
    base = json.loads((baselines / "two_pools.json").read_text())
    assert {t["name"]: t["status"] for t in base["targets"]} == {
        "service level": "met",
        "pool front: service level": "met",
        "type support: abandonment": "met",
    }
    path.write_text(TWO_POOLS.replace("AGENTS", "5"))
    out = tmp_path / "check.json"
    r = CliRunner().invoke(
        app,
        ["check", str(path), "--baselines", str(baselines), "--targets", "baseline",
         "--json", str(out)],
        env=WIDE,
    )
    assert r.exit_code == 1, r.output
    [result] = json.loads(out.read_text())["checks"]
    assert result["missed_targets"] == ["pool front: service level"]
    figures = {t["name"]: t["figure"] for t in result["targets"]}
    assert figures["pool front: service level"] == "pools.front.service_level"


def test_scoped_targets_are_judged_on_their_own_scope() -> None:
    """Each scoped target reads its own scope's figure: changing only that figure flips
    only that verdict."""
    data = yaml.safe_load(TWO_POOLS.replace("AGENTS", "8"))
    data["targets"]["people"] = {"min_satisfaction": 3.0}
    s = scenario_from_data(data, "<test>")

    def scope(**figs: float) -> dict[str, Estimate]:
        base = {"service_level": 0.9, "abandonment_rate": 0.01, "csat_mean": 4.0,
                "people_csat_mean": 4.0, "cost_total": 0.0}
        base.update(figs)
        return {k: Estimate(v, None, 1) for k, v in base.items()}

    def verdicts(**change: dict[str, float]) -> dict[str, bool | None]:
        pools = {"front": scope(**change.get("front", {})), "back": scope(**change.get("back", {}))}
        types = {"sales": scope(**change.get("sales", {})),
                 "support": scope(**change.get("support", {}))}
        totals = scope(**change.get("totals", {}))
        return {v.name: v.met for v in check_targets(s, totals, pools, types)}

    assert all(verdicts().values())
    assert verdicts(front={"service_level": 0.7}) == {
        "service level": True, "people satisfaction": True,
        "pool front: service level": False, "type support: abandonment": True,
    }
    assert verdicts(back={"service_level": 0.1})["pool front: service level"] is True
    assert verdicts(support={"abandonment_rate": 0.3})["type support: abandonment"] is False
    assert verdicts(sales={"abandonment_rate": 0.3})["type support: abandonment"] is True
    assert verdicts(totals={"people_csat_mean": 2.9})["people satisfaction"] is False
    # Without pool and type scopes (an hour judged alone) those targets are left out.
    names = [v.name for v in check_targets(s, scope())]
    assert names == ["service level", "people satisfaction"]


def test_optimize_judges_a_pool_target_on_its_one_sided_bound() -> None:
    """The pool's mean meets 75% but its lower one-sided 95% bound does not: not met."""
    s = scenario_from_data(yaml.safe_load(TWO_POOLS.replace("AGENTS", "8")), "<test>")
    good = Estimate(0.9, (0.89, 0.91), 5, 0.01)
    shaky = Estimate(0.76, (0.70, 0.82), 5, 0.05)
    totals = {"service_level": good, "abandonment_rate": Estimate(0.01, (0.0, 0.02), 5, 0.01)}
    pools = {"front": {"service_level": shaky}, "back": {"service_level": good}}
    types = {"support": {"abandonment_rate": Estimate(0.01, (0.0, 0.02), 5, 0.01)}}
    judged = {j.name: j for j in judge(s, totals, pools, types)}
    front = judged["pool front: service level"]
    assert front.mean == pytest.approx(0.76)
    assert front.bound < 0.75
    assert front.met is False
    assert judged["service level"].met and judged["type support: abandonment"].met
    pools["front"] = {"service_level": good}
    assert all(j.met for j in judge(s, totals, pools, types))


@pytest.mark.parametrize(
    ("targets", "key", "text"),
    [
        ({"pools": {"frnt": {"max_abandonment": 0.1}}}, "targets.pools.frnt", "unknown pool"),
        ({"types": {"sale": {"max_abandonment": 0.1}}}, "targets.types.sale", "unknown"),
        ({"pools": {"front": {"min_satisfaction": 4}}}, "targets.pools.front.min_satisfaction",
         "not per pool"),
        ({"service_level": {"within": "20s", "at_least": 0.8},
          "people": {"service_level": {"within": "30s", "at_least": 0.8}}},
         "targets.people.service_level.within", "one threshold"),
        ({"people": {"max_abandonment": 0.1}}, "targets.people", "no pool of people"),
    ],
)
def test_scoped_targets_that_cannot_be_judged_are_input_errors(
    targets: dict[str, Any], key: str, text: str
) -> None:
    data = yaml.safe_load(TWO_POOLS.replace("AGENTS", "8"))
    data["targets"] = targets
    if "people" in targets and "service_level" not in targets:  # a desk of bots only
        data["pools"] = [bot("front", resolution=0.5), bot("back", resolution=0.5)]
    with pytest.raises(ScenarioError) as err:
        scenario_from_data(data, "<test>")
    messages = [f"{p.key}: {p.message}" for p in err.value.problems]
    assert any(m.startswith(key) and text in m for m in messages), messages


def test_compare_and_sweep_carry_the_people_figures_and_scoped_targets(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text(TWO_POOLS.replace("AGENTS", "8").replace("replications: 4", "replications: 2"))
    other = tmp_path / "two_less.yaml"
    other.write_text(TWO_POOLS.replace("AGENTS", "5").replace("replications: 4", "replications: 2"))
    out = tmp_path / "c.json"
    r = CliRunner().invoke(app, ["compare", str(path), str(other), "--json", str(out)], env=WIDE)
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    assert "people_service_level" in doc["differences"][0]["totals"]
    assert "issue_resolution_rate" in doc["differences"][0]["totals"]
    names = [t["name"] for t in doc["scenarios"][1]["targets"]]
    assert "pool front: service level" in names
    assert "target: pool front: service level" in r.output
    out = tmp_path / "s.json"
    r = CliRunner().invoke(
        app, ["sweep", str(path), "--set", "pools.front.agents=5,8", "--json", str(out)], env=WIDE
    )
    assert r.exit_code == 0, r.output
    points = json.loads(out.read_text())["points"]
    missed = [[t["name"] for t in p["targets"] if t["status"] == "missed"] for p in points]
    assert missed == [["pool front: service level"], []]


def test_experiment_targets_use_the_pools_and_types() -> None:
    s = scenario_from_data(yaml.safe_load(TWO_POOLS.replace("AGENTS", "5")), "<test>")
    summary = run_experiment(s, replications=2)
    v = {t.name: t for t in summary.targets}
    assert v["pool front: service level"].value == summary.pools["front"]["service_level"].mean
    assert v["pool front: service level"].met is False
