"""Every example scenario loads, runs through the CLI and gives sensible figures.

Scenario files are found by glob, so a new file in scenarios/ is covered without touching
this module (files under a ``baselines/`` folder are expected outputs, not scenarios).
Each file is run once, with two replications, and the JSON document is shared by the
general sanity checks and the scenario-specific ones below.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from simdesk.cli import app
from simdesk.loading import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
FILES = sorted(
    p for p in SCENARIOS.glob("**/*.yaml") if "baselines" not in p.relative_to(SCENARIOS).parts
)
REPLICATIONS = 2

_results: dict[Path, dict[str, Any]] = {}


def run_json(path: Path, tmp_dir: Path) -> dict[str, Any]:
    """The JSON document of ``simdesk run PATH --replications 2``, run once per file."""
    if path not in _results:
        out = tmp_dir / f"{path.stem}.json"
        result = CliRunner().invoke(
            app, ["run", str(path), "--replications", str(REPLICATIONS), "--json", str(out)]
        )
        assert result.exit_code == 0, (
            f"{path.name}: exit code {result.exit_code}\n{result.output}\n{result.exception!r}"
        )
        _results[path] = json.loads(out.read_text(encoding="utf-8"))
    return _results[path]


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scenario_runs")


def doc_for(name: str, out_dir: Path) -> dict[str, Any]:
    path = SCENARIOS / f"{name}.yaml"
    if not path.exists():
        pytest.skip(f"{path.name} is not there")
    return run_json(path, out_dir)


def mean(scope: dict[str, Any], figure: str) -> float:
    value = scope[figure]["mean"]
    return math.nan if value is None else float(value)


def test_there_are_example_scenarios() -> None:
    names = {p.name for p in FILES}
    assert {"erlang_a.yaml", "erlang_c.yaml"} <= names


# ------------------------------------------------------------------ every scenario


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario_runs_and_is_sane(path: Path, out_dir: Path) -> None:
    load_scenario(path)  # loads without problems (the CLI would exit 2 otherwise)
    doc = run_json(path, out_dir)
    assert doc["schema_version"] == 3
    assert doc["replications"] == REPLICATIONS
    totals = doc["totals"]
    offered = mean(totals, "offered")
    handled = mean(totals, "handled")
    abandoned = mean(totals, "abandoned")
    in_system = mean(totals, "in_system")
    assert offered > 0
    assert 0.0 <= mean(totals, "service_level") <= 1.0
    # Conservation: every contact that arrived was handled, abandoned or is still there.
    assert offered == pytest.approx(handled + abandoned + in_system, rel=1e-9, abs=1e-6)
    assert handled >= 0 and abandoned >= 0 and in_system >= 0
    # Nothing is counted twice: types and hours of the day add up to the totals.
    by_type = sum(mean(scope, "offered") for scope in doc["types"].values())
    by_hour = sum(mean(scope, "offered") for scope in doc["intervals"])
    assert by_type == pytest.approx(offered, rel=1e-9)
    assert by_hour == pytest.approx(offered, rel=1e-9)
    for figure in ("abandonment_rate", "p_wait", "csat_satisfied"):
        assert 0.0 <= mean(totals, figure) <= 1.0, figure
    assert 1.0 <= mean(totals, "csat_mean") <= 5.0
    assert mean(totals, "wait_mean_s") >= 0.0
    for name, pool in doc["pools"].items():
        assert mean(pool, "in_system") >= 0, name
        sl = mean(pool, "service_level")
        assert math.isnan(sl) or 0.0 <= sl <= 1.0, name
    # The examples are meant to be stable desks, not runaway queues.
    assert not doc["warnings"], doc["warnings"]
    assert in_system <= 0.01 * offered


# ----------------------------------------------------------- scenario-specific intent


@pytest.mark.parametrize("name", ["erlang_c", "erlang_a"])
def test_erlang_checks_agree_with_the_formula(name: str, out_dir: Path) -> None:
    doc = doc_for(name, out_dir)
    erlang = doc["erlang"]
    assert erlang is not None, "the scenario should reduce to an Erlang model"
    assert erlang["model"] == ("C" if name == "erlang_c" else "A")
    totals = doc["totals"]
    # Two replications only: a loose tolerance; the statistical tests are elsewhere.
    assert mean(totals, "service_level") == pytest.approx(erlang["service_level"], abs=0.03)
    assert mean(totals, "p_wait") == pytest.approx(erlang["p_wait"], abs=0.03)
    assert mean(totals, "abandonment_rate") == pytest.approx(erlang["abandonment_rate"], abs=0.02)


def test_erlang_c_matches_the_published_check(out_dir: Path) -> None:
    doc = doc_for("erlang_c", out_dir)
    erlang = doc["erlang"]
    # docs/sources.md: 200/h, 180 s, 14 agents, 20 s.
    assert erlang["agents"] == 14
    assert erlang["p_wait"] == pytest.approx(0.1741319, abs=1e-6)
    assert erlang["service_level"] == pytest.approx(0.88835, abs=1e-5)


def test_clock_routing_shares_the_people_work_by_the_clock(out_dir: Path) -> None:
    """In-house on weekdays 08:00-22:00, the vendor otherwise: both answer a large share of
    what the bot escalates (the exact split by arrival time is tests/test_rules_clock.py's),
    and nobody is left without an agent on duty (no warning; checked for every file)."""
    doc = doc_for("clock_routing", out_dir)
    scenario = load_scenario(SCENARIOS / "clock_routing.yaml")
    assert all(scenario.by_clock(t) for t in scenario.type_names)
    inhouse = mean(doc["pools"]["inhouse"], "offered")
    vendor = mean(doc["pools"]["vendor"], "offered")
    assert 0.25 <= vendor / (inhouse + vendor) <= 0.6
    assert inhouse + vendor >= mean(doc["pools"]["bot"], "escalated")


def test_ai_first_bot_contains_about_two_thirds_of_chats(out_dir: Path) -> None:
    doc = doc_for("ai_first", out_dir)
    scenario = load_scenario(SCENARIOS / "ai_first.yaml")
    chats = [t.name for t in scenario.demand.types if t.channel == "chat"]
    assert chats
    offered = sum(mean(doc["types"][t], "offered") for t in chats)
    contained = sum(mean(doc["types"][t], "contained") for t in chats)
    assert 0.55 <= contained / offered <= 0.75
    bot = doc["pools"]["bot"]
    assert 0.55 <= mean(bot, "contained") / mean(bot, "offered") <= 0.75
    # Escalations reach the vendor team, and false resolutions come back as repeats.
    assert mean(doc["pools"]["vendor"], "offered") == pytest.approx(mean(bot, "escalated"))
    assert mean(doc["totals"], "repeat_contacts") > 0
    # No "always reach a human" here: every contact meets the bot first.
    assert mean(bot, "offered") == pytest.approx(mean(doc["totals"], "offered"))


def test_always_human_askers_skip_the_bot_and_vendor_takes_overflow(out_dir: Path) -> None:
    doc = doc_for("always_human", out_dir)
    scenario = load_scenario(SCENARIOS / "always_human.yaml")
    assert scenario.routing.always_human
    ask = scenario.customers.asks_for_human
    assert ask > 0
    # Every route starts with the bot, so the only contacts that do not reach it are the
    # customers who asked for a person: their share of all contacts is asks_for_human.
    assert all(scenario.pool(scenario.route_pools(t)[0]).is_bot for t in scenario.type_names)
    skipped = 1.0 - mean(doc["pools"]["bot"], "offered") / mean(doc["totals"], "offered")
    assert skipped == pytest.approx(ask, abs=0.01)
    # The vendor pool only sees contacts that waited overflow_after in the in-house queue.
    vendor = doc["pools"]["vendor"]
    assert mean(vendor, "offered") > 0
    assert mean(vendor, "handled") > 0
    assert mean(doc["totals"], "overflowed") > 0
    assert mean(vendor, "offered") < mean(doc["pools"]["inhouse"], "offered")


@pytest.mark.parametrize(
    "pair", [("vendor_team", "inhouse_team"), ("ai_first", "always_human")], ids="-vs-".join
)
def test_comparison_pairs_share_their_customers(pair: tuple[str, str]) -> None:
    files = [SCENARIOS / f"{name}.yaml" for name in pair]
    if not all(f.exists() for f in files):
        pytest.skip("the comparison pair is not there")
    raw = [yaml.safe_load(f.read_text(encoding="utf-8")) for f in files]
    # Common random numbers need the same demand, customers, seed and run length.
    for key in ("seed", "warmup", "horizon", "replications", "demand", "customers"):
        assert raw[0].get(key) == raw[1].get(key), key


def test_inhouse_team_beats_vendor_team_on_quality_not_cost(out_dir: Path) -> None:
    files = [SCENARIOS / "vendor_team.yaml", SCENARIOS / "inhouse_team.yaml"]
    if not all(f.exists() for f in files):
        pytest.skip("the comparison pair is not there")
    raw = [yaml.safe_load(f.read_text(encoding="utf-8")) for f in files]
    # Handle-time streams are named after the pool: same names, paired handle times.
    assert [p["name"] for p in raw[0]["pools"]] == [p["name"] for p in raw[1]["pools"]]
    vendor = doc_for("vendor_team", out_dir)
    inhouse = doc_for("inhouse_team", out_dir)
    # Same fresh callers; the in-house team's higher FCR means fewer of them call back.
    fresh = [
        mean(d["totals"], "offered") - mean(d["totals"], "repeat_contacts")
        for d in (vendor, inhouse)
    ]
    assert fresh[0] == pytest.approx(fresh[1], rel=0.01)
    assert mean(inhouse["totals"], "repeat_contacts") < mean(vendor["totals"], "repeat_contacts")
    assert mean(inhouse["totals"], "csat_mean") > mean(vendor["totals"], "csat_mean")
    assert mean(inhouse["totals"], "cost_total") > mean(vendor["totals"], "cost_total")


def test_desk_year_tells_its_story_month_by_month(out_dir: Path) -> None:
    """desk_year.yaml's comments promise what `--by month` shows: demand growing into a
    December peak, the service level recovering in September when the in-house team grows
    from 2 to 3 on 1 September (staffing by date), and the peak months the worst."""
    doc = doc_for("desk_year", out_dir)
    months = {m["start"][:7]: m for m in doc["periods"]["month"]}
    per_day = {k: mean(m, "offered") / (m["measured_s"] / 86400) for k, m in months.items()}
    assert per_day["2027-12"] > 1.8 * per_day["2027-02"]  # growth x months weights: ~2.3x
    sl = {k: mean(m, "service_level") for k, m in months.items()}
    assert sl["2027-09"] > sl["2027-08"] + 0.01  # the team grows on 2027-09-01
    assert min(sl.values()) in (sl["2027-11"], sl["2027-12"], sl["2028-01"])
    assert sum(mean(m, "offered") for m in months.values()) == mean(doc["totals"], "offered")


def _people_sl(days: list[dict[str, Any]], first: int, last: int) -> float:
    """The people's service level over days [first, last), weighted by their contacts."""
    span = days[first:last]
    contacts = sum(mean(d, "people_contacts") for d in span)
    return sum(mean(d, "people_service_level") * mean(d, "people_contacts") for d in span) / (
        contacts
    )


def test_people_year_tells_its_story_month_by_month(out_dir: Path) -> None:
    """people_year.yaml's comments promise: the bot contains about two thirds of the
    chats; the vendor's seats step down 3, 2, 1 on their dates while the in-house team
    grows by its classes of eight; both people pools 60-85% occupied; a class comes onto
    the floor slow (the in-house minutes per chat jump) and learns (they fall again);
    the people's service level dips after each step and is back by November-December;
    the desk-wide target is met while the people's is missed; a month's cost carries its
    hires. Without learning the handle time, the dips and the recovery would not be
    there (checked by running the file with ``learning.start: 1.0``)."""
    doc = doc_for("people_year", out_dir)
    totals = doc["totals"]
    assert 0.6 < mean(totals, "contained") / mean(totals, "offered") < 0.72
    pools = doc["pools"]
    for name in ("inhouse", "vendor"):
        assert 0.6 <= mean(pools[name], "occupancy") <= 0.85, name
    months = {m["start"][:7]: m for m in doc["periods"]["month"]}
    inhouse = {k: m["pools"]["inhouse"] for k, m in months.items()}
    vendor = {k: m["pools"]["vendor"] for k, m in months.items()}
    # Seats by date: never above the contract (a leaver's seat may stand empty a while).
    assert mean(pools["vendor"], "headcount_start") == 3
    assert all(mean(vendor[k], "headcount_end") <= 2 for k in months if k >= "2027-02")
    assert all(mean(vendor[k], "headcount_end") <= 1 for k in months if k >= "2027-05")
    assert mean(inhouse["2027-01"], "hires") >= 8 and mean(inhouse["2027-04"], "hires") >= 8
    assert mean(pools["inhouse"], "headcount_end") >= 20

    def minutes_per_chat(month: str) -> float:
        p = inhouse[month]
        busy_hours = mean(p, "occupancy") * mean(p, "paid_hours")
        return 60 * busy_hours / mean(p, "handled")

    assert minutes_per_chat("2027-03") > 1.2 * minutes_per_chat("2027-01")  # class A new
    assert minutes_per_chat("2027-12") < minutes_per_chat("2027-06") - 1.0  # both learn
    days = doc["periods"]["day"]
    first = {d["start"]: i for i, d in enumerate(days)}
    for step in ("2027-02-10", "2027-05-05"):
        i = first[step]
        assert _people_sl(days, i, i + 28) < _people_sl(days, i - 28, i) - 0.05, step
    last = first["2027-05-05"]
    recovered = _people_sl(days, first["2027-11-01"], first["2028-01-01"])
    assert recovered > _people_sl(days, last, last + 28) + 0.07
    verdicts = {t["figure"]: t["status"] for t in doc["targets"]}
    assert verdicts == {"service_level": "met", "people_service_level": "missed"}
    for k in ("2027-01", "2027-04"):  # the classes' months carry their hire cost
        assert mean(inhouse[k], "hire_cost") == 14000 * mean(inhouse[k], "hires") > 0
    wages = {k: mean(inhouse[k], "cost_total") - mean(inhouse[k], "hire_cost")
             for k in ("2027-02", "2027-12")}
    assert wages["2027-12"] > 1.5 * wages["2027-02"]
    assert mean(vendor["2027-12"], "cost_total") < 0.5 * mean(vendor["2027-02"], "cost_total")
    assert sum(mean(m, "cost_total") for m in months.values()) == pytest.approx(
        mean(totals, "cost_total"), rel=1e-9)
