"""A pool's workforce plan replayed by the engine (simdesk/engine/people.py).

Fixed seeds; tolerances from the run's own size (people drawn, contacts served). Each
test names the rule it guards; each was checked to fail with that rule broken.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest

from simdesk.calendar import DAY, Calendar
from simdesk.engine import simulate
from simdesk.figures import run_figures
from simdesk.loading import scenario_from_data
from simdesk.scenario import Scenario
from simdesk.streams import Streams
from simdesk.tally import PoolRecord, Tally
from simdesk.workforce import YEAR, plan_for


def desk(
    workforce: dict[str, Any] | None,
    *,
    agents: int | dict[str, int] | None = 10,
    rate: str = "20/h",
    horizon: str = "30d",
    warmup: str = "0s",
    handle: str = "exponential(mean=20m)",
    seed: int = 5,
    shifts: list[dict[str, Any]] | None = None,
) -> Scenario:
    pool: dict[str, Any] = {
        "name": "team", "kind": "inhouse", "handle_time": handle, "fcr": 0.8,
        "cost": {"per_hour": 30},
    }
    if shifts is not None:
        pool["shifts"] = shifts
    else:
        pool["agents"] = agents
    if workforce is not None:
        pool["workforce"] = workforce
    return scenario_from_data({
        "name": "people", "seed": seed, "start": "2027-01-04", "warmup": warmup,
        "horizon": horizon, "replications": 1,
        "demand": {"arrival_rate": rate, "types": [{"name": "q", "share": 1,
                                                    "channel": "phone"}]},
        "customers": {"patience": "exponential(mean=4m)"},
        "pools": [pool], "routing": {"q": "team"},
    })


def team(s: Scenario, seed: int | None = None) -> PoolRecord:
    return simulate(s, seed).pools[0]


def mean_handle(p: PoolRecord) -> float:
    return sum(p.t_busy) / sum(p.t_handled)


def test_with_attrition_and_no_hiring_staffed_hours_follow_the_plan_and_decay() -> None:
    """Every leave takes its person off duty for good: the simulated staffed time is the
    plan's people on duty integrated over the run (up to contacts finished after a leave),
    and that decays as 40 e^(-rt) on average."""
    s = desk({"attrition": {"yearly": "100%"}}, agents=40, rate="2/h", horizon="180d")
    rec = team(s)
    plan = plan_for(s.pools[0], Calendar.of(s), Streams(s.seed, 0))
    assert plan is not None
    end = s.horizon
    planned = sum(min(p.leaves_at, end) for p in plan.people)  # everyone present from 0
    leavers = sum(p.leaves_at < end for p in plan.people)
    assert leavers > 8  # the rule is exercised
    # A leaver busy at their leave finishes the contact in hand: a few handle times each.
    assert planned <= rec.staffed_area <= planned + leavers * 3 * 3600
    r = 1.0 / YEAR
    mean = (1 - math.exp(-r * end)) / r
    second = 2 / r**2 * (1 - math.exp(-r * end) * (1 + r * end))
    sd = math.sqrt(40 * (second - mean**2))
    assert abs(rec.staffed_area - 40 * mean) < 4 * sd


def test_new_hires_are_slower_and_converge_after_the_ramp() -> None:
    """The proficient draw times the serving person's factor: over the month of a linear
    ramp from 1.9 a team of first-day hires takes about 1.45 x as long per contact, and
    exactly as long once the ramp is over (few enough contacts that everyone is served:
    the same customers with the same draws)."""
    new = {"tenure": ["7d"] * 20, "training": "7d",
           "learning": {"start": 1.9, "months": 1, "shape": "linear"}}
    early_new = team(desk(new, agents=20, rate="6/h", horizon="31d"))
    early_old = team(desk(None, agents=20, rate="6/h", horizon="31d"))
    assert early_new.tally.abandoned == early_old.tally.abandoned == 0
    # The time-average of the factor over 31 days (30.44 of ramp, then 1.0); with about
    # 4,500 contacts the draw-weighted ratio is within 0.01 of it.
    expected = (30.44 * 1.45 + 0.56) / 31
    assert abs(mean_handle(early_new) / mean_handle(early_old) - expected) < 0.03
    late_new = team(desk(new, agents=20, rate="6/h", warmup="31d", horizon="31d"))
    late_old = team(desk(None, agents=20, rate="6/h", warmup="31d", horizon="31d"))
    assert late_new.tally.abandoned == late_old.tally.abandoned == 0
    assert mean_handle(late_new) == mean_handle(late_old)


def _within_and_ended(s: Scenario) -> tuple[int, int]:
    t = Tally.merged([c for row in simulate(s).cells for c in row])
    return t.within, t.hist.count


def test_service_level_improves_after_a_hiring_class() -> None:
    """Eight people hired on the first day are on the floor a week later: the service
    level of days 7-21 (the 21-day run less its first 7 days, the same customers) is
    clearly above that of days 0-7, and above the same days without the class."""
    klass = {"training": "7d", "hiring": {"classes": [{"date": "2027-01-04", "count": 8}]}}
    w1, n1 = _within_and_ended(desk(klass, horizon="7d"))
    w2, n2 = _within_and_ended(desk(klass, horizon="21d"))
    w3, n3 = _within_and_ended(desk({"training": "7d"}, horizon="21d"))
    before = w1 / n1
    after = (w2 - w1) / (n2 - n1)
    without = (w3 - w1) / (n3 - n1)
    # About 3,400 and 6,700 contacts: a share's standard error is below 0.7 points.
    assert after > before + 0.1
    assert after > without + 0.1
    assert abs(without - before) < 0.05


def test_absence_gives_more_bad_days() -> None:
    """Whole days absent (correlated across people) take capacity away on some days: of
    15 days measured one by one, more miss a 60% service level with absence than
    without (same customers)."""
    absent = {"absence": {"daily": "15%", "correlation": 0.2}}

    def bad_days(wf: dict[str, Any] | None) -> int:
        bad = 0
        for d in range(15):
            s = desk(wf, agents=10, rate="24/h", warmup=f"{d}d", horizon="1d",
                     handle="exponential(mean=20m)")
            if run_figures(simulate(s)).totals["service_level"] < 0.6:
                bad += 1
        return bad

    assert bad_days(absent) >= bad_days({}) + 3


def test_outputs_reconcile_headcount_with_hires_and_leavers() -> None:
    """start + hires - leavers = end over the measured period, each counted on its own;
    hire cost is hires x cost_per_hire and is in the pool's cost."""
    wf = {"attrition": {"yearly": "60%"}, "training": "10d",
          "hiring": {"replace": {"lead_time": "20d"}}, "cost_per_hire": 1000}
    figs = run_figures(simulate(desk(wf, agents=30, rate="2/h", warmup="60d",
                                     horizon="120d")))
    p = figs.pools["team"]
    assert p["hires"] > 3 and p["leavers"] > 3
    assert p["headcount_start"] + p["hires"] - p["leavers"] == p["headcount_end"]
    assert p["hire_cost"] == 1000 * p["hires"]
    plain = run_figures(simulate(desk(None, agents=30, rate="2/h", warmup="60d",
                                      horizon="120d")))
    assert p["cost_total"] > p["hire_cost"]
    assert "hires" not in plain.pools["team"]  # people figures only with workforce
    tenure = p["tenure_new"] + p["tenure_nesting"] + p["tenure_proficient"]
    assert tenure == p["headcount_end"]


def test_shrinkage_keeps_a_share_productive_and_pays_everyone() -> None:
    """With 30% shrinkage 7 of 10 people take contacts: at a load that keeps everyone busy
    the busy time is 7/10 of the paid time, and paid time is every person on duty."""
    s = desk({"shrinkage": "30%"}, agents=10, rate="100/h", horizon="2d")
    rec = team(s)
    figs = run_figures(simulate(s)).pools["team"]
    assert abs(rec.staffed_area - 10 * 2 * DAY) < 10 * 3600  # contacts finished at the end
    assert 0.68 < rec.busy_area / rec.staffed_area <= 0.7 + 1e-9
    assert figs["productive_hours"] == figs["paid_hours"] * 0.7


def test_shift_pool_replays_the_plan_within_its_shifts() -> None:
    """In a pool of shifts someone is on duty when both the plan and their shift say so:
    without attrition the pool is the shifts' staffing exactly."""
    shifts = [{"start": "08:00", "end": "16:00", "agents": 4},
              {"start": "12:00", "end": "20:00", "agents": 2}]
    with_plan = team(desk({}, shifts=shifts, rate="1/h", horizon="7d"))
    without = team(desk(None, shifts=shifts, rate="1/h", horizon="7d"))
    assert with_plan.staffed_area == without.staffed_area
    assert with_plan.t_handled == without.t_handled


PERIOD_COUNTS = ("hires", "leavers", "handled")


def test_people_per_period_add_up_to_the_pool_and_reconcile() -> None:
    """Per day, week and month each workforce pool's hires, leavers and handled contacts
    add up exactly to the pool's; headcount reconciles within each period (start + hires -
    leavers = end = new + nesting + proficient) and across them (an end is the next
    start); paid hours and costs add up, and the hires' cost falls in the period of the
    hire, so the desk's period costs add up to its total with hires included."""
    wf = {"attrition": {"yearly": "60%", "first_90_days": "20%"}, "training": "10d",
          "hiring": {"replace": {"lead_time": "20d"}}, "cost_per_hire": 1000,
          "learning": {"start": 1.5, "months": 1}, "shrinkage": "20%"}
    s = desk(wf, agents=30, rate="6/h", warmup="10d", horizon="75d")
    plan = plan_for(s.pools[0], Calendar.of(s), Streams(s.seed, 0))
    assert plan is not None
    figs = run_figures(simulate(s))
    pool = figs.pools["team"]
    assert pool["hires"] >= 3 and pool["leavers"] >= 3 and pool["tenure_nesting"] > 0
    assert set(figs.pool_periods) == {"day", "week", "month"}
    for kind, pools in figs.pool_periods.items():
        rows = pools["team"]
        periods = Calendar.of(s).periods(kind)  # type: ignore[arg-type]
        assert len(rows) == len(periods) == len(figs.periods[kind])
        for f in PERIOD_COUNTS:
            assert sum(r[f] for r in rows) == pool[f], (kind, f)
        assert rows[0]["headcount_start"] == pool["headcount_start"]
        for f in ("headcount_end", "tenure_new", "tenure_nesting", "tenure_proficient"):
            assert rows[-1][f] == pool[f], (kind, f)
        for r, following in itertools.pairwise(rows):
            assert r["headcount_end"] == following["headcount_start"]
        for r, period in zip(rows, periods, strict=True):
            assert r["headcount_start"] + r["hires"] - r["leavers"] == r["headcount_end"]
            assert r["tenure_new"] + r["tenure_nesting"] + r["tenure_proficient"] == (
                r["headcount_end"])
            assert r["headcount_start"] == plan.employed_before(period.t0)
            assert r["headcount_end"] == plan.employed_before(period.t1)
            assert r["hire_cost"] == 1000 * r["hires"]
            assert r["productive_hours"] == r["paid_hours"] * 0.8
            assert r["fte_on_duty"] == r["paid_hours"] * 3600 / (period.t1 - period.t0)
        for f in ("paid_hours", "productive_hours", "hire_cost", "cost_total"):
            assert sum(r[f] for r in rows) == pytest.approx(pool[f], rel=1e-12), (kind, f)
        assert sum(p["cost_total"] for p in figs.periods[kind]) == pytest.approx(
            figs.totals["cost_total"], rel=1e-12), kind
    # Weekly occupancy and service level are the pool's own in that week.
    weeks = figs.pool_periods["week"]["team"]
    assert all(0.0 < w["occupancy"] < 1.0 and 0.0 < w["service_level"] <= 1.0 for w in weeks)


def test_people_per_period_in_the_json_and_csv(tmp_path: Any) -> None:
    """The JSON's periods carry ``pools`` (workforce pools only) with every figure, and
    the CSV a ``pool_month`` row per pool, month and figure; a desk without workforce has
    neither (its document is unchanged)."""
    import csv
    import json

    from simdesk.baseline_schema import schema_problems
    from simdesk.experiment import summarize
    from simdesk.figures import POOL_PERIOD_FIGURES
    from simdesk.render.html import summary_html
    from simdesk.report import dumps, summary_json
    from simdesk.tidy import summary_csv

    wf = {"attrition": {"yearly": "60%"}, "hiring": {"classes": [
        {"date": "2027-02-01", "count": 3}]}}
    s = desk(wf, agents=10, rate="2/h", horizon="45d")
    summary = summarize(s, s.seed, [run_figures(simulate(s, s.seed, i)) for i in range(2)])
    doc = json.loads(dumps(summary_json(summary)))
    assert not schema_problems(doc)
    months = doc["periods"]["month"]
    assert [m["start"] for m in months] == ["2027-01-01", "2027-02-01"]
    assert all(set(m["pools"]) == {"team"} for m in months)
    assert set(months[1]["pools"]["team"]) == set(POOL_PERIOD_FIGURES)
    assert months[1]["pools"]["team"]["hires"]["mean"] == 3
    assert months[1]["pools"]["team"]["hires"]["n"] == 2
    rows = list(csv.DictReader(summary_csv(summary).splitlines()))
    hires = {r["name"]: float(r["mean"]) for r in rows
             if r["section"] == "pool_month" and r["figure"] == "hires"}
    assert hires == {"team 2027-01-01": 0.0, "team 2027-02-01": 3.0}
    html = summary_html(summary)
    assert "<h3>People by month</h3>" in html and "<h3>People by week</h3>" in html
    assert "<td class=l>2027-02 *</td><td class=l>team</td><td>12 ± 0</td><td>3 ± 0</td>" in html
    plain = desk(None, agents=10, rate="2/h", horizon="45d")
    plain_summary = summarize(plain, 5, [run_figures(simulate(plain))])
    assert all("pools" not in m for m in summary_json(plain_summary)["periods"]["month"])
    assert "People by" not in summary_html(plain_summary)


def _two_pool_desk() -> dict[str, Any]:
    """An in-house team hiring a class and a vendor ramping down, two months."""
    return {
        "name": "people", "seed": 3, "start": "2027-01-25", "warmup": "0s",
        "horizon": "21d", "replications": 2,
        "demand": {"arrival_rate": "10/h", "types": [{"name": "q", "share": 1}]},
        "customers": {"patience": "exponential(mean=4m)"},
        "pools": [
            {"name": "team", "kind": "inhouse", "agents": 3, "fcr": 0.8,
             "handle_time": "exponential(mean=10m)", "cost": {"per_hour": 30},
             "workforce": {"attrition": {"yearly": "50%"}, "training": "7d",
                           "hiring": {"classes": [{"date": "2027-02-01", "count": 2}]},
                           "learning": {"start": 1.5, "months": 0.5}}},
            {"name": "vendor", "kind": "vendor", "agents": 2, "fcr": 0.7,
             "handle_time": "exponential(mean=12m)", "cost": {"per_hour": 20},
             "workforce": {"attrition": {"yearly": "90%"}}},
        ],
        "routing": {"q": ["team", "vendor"], "overflow_after": "1m"},
    }


@pytest.mark.parametrize("width", [80, None], ids=["80-columns", "redirected"])
def test_run_prints_the_workforce_and_the_workforce_by_month(tmp_path: Any,
                                                             width: int | None) -> None:
    """``run`` prints each workforce pool's people (a column per pool, a row per figure,
    mean ± interval as the JSON has them); ``--by month`` adds a row per month and pool
    with its headcount, hires, leavers, FTE, nesting and own service, and the desk's
    by-month table its satisfaction. Whole at 80 columns and redirected."""
    import json

    from test_output import assert_fits, est, table_rows
    from typer.testing import CliRunner

    from simdesk.cli import app
    from simdesk.render import WORKFORCE_PERIOD_COLUMNS, WORKFORCE_ROWS
    from simdesk.render.formats import fmt_estimate, fmt_value

    path = tmp_path / "desk.yaml"
    path.write_text(json.dumps(_two_pool_desk()), encoding="utf-8")
    doc_path = tmp_path / "r.json"
    args = ["run", str(path), "--workers", "1", "--no-intraday", "--by", "month",
            "--json", str(doc_path), *(["--width", str(width)] if width else [])]
    result = CliRunner().invoke(app, args, env={"NO_COLOR": "1", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert_fits(out, width)
    assert "Workforce per pool" in out and "Workforce by month" in out
    if width is None:
        assert "(continued)" not in out
    doc = json.loads(doc_path.read_text())
    rows = table_rows(out)
    for f in WORKFORCE_ROWS:
        cells = [c for r in rows if r[0] == f for c in r[1:]]
        for name in ("team", "vendor"):
            assert fmt_estimate(f, est(doc["pools"][name][f])) in cells, (f, name)
    months = doc["periods"]["month"]
    assert [m["start"] for m in months] == ["2027-01-01", "2027-02-01"]
    assert months[1]["pools"]["team"]["hires"]["mean"] == 2  # the class
    for label, month in zip(("2027-01 *", "2027-02 *"), months, strict=True):
        for name in ("team", "vendor"):
            cells = [c for r in rows if r[:2] == [label, name] for c in r[2:]]
            for f in WORKFORCE_PERIOD_COLUMNS:
                assert fmt_value(f, month["pools"][name][f]["mean"]) in cells, (label, f)
        desk_row = [c for r in rows if r[0] == label and len(r) > 2 and r[1] != "team"
                    and r[1] != "vendor" for c in r[1:]]
        assert fmt_value("csat_mean", month["csat_mean"]["mean"]) in desk_row


def test_run_prints_no_workforce_table_without_workforce(tmp_path: Any) -> None:
    import json

    from typer.testing import CliRunner

    from simdesk.cli import app

    data = _two_pool_desk()
    for pool in data["pools"]:
        del pool["workforce"]
    path = tmp_path / "desk.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(path), "--workers", "1", "--no-intraday",
                                      "--by", "month", "--width", "80"],
                                env={"NO_COLOR": "1", "TERM": "dumb"})
    assert result.exit_code == 0, result.output
    assert "By month" in result.stdout and "Workforce" not in result.stdout


def test_a_dated_headcount_with_a_workforce_is_replayed_as_without_one() -> None:
    """``agents`` by date are kept by the plan (hires on a rise, the last hired released
    on a fall): with no training, attrition or learning the pool is staffed exactly as
    the same dated headcount without a workforce, and serves the same contacts."""
    counts = {"2027-01-04": 6, "2027-01-11": 3, "2027-01-18": 5, "2027-01-25": 2}

    def dated(workforce: dict[str, Any] | None) -> PoolRecord:
        return team(desk(workforce, agents=counts, rate="12/h", horizon="28d"))

    with_plan, without = dated({"training": "0s"}), dated(None)
    assert with_plan.people is not None
    assert (with_plan.people.hires, with_plan.people.leavers) == (2, 6)
    assert (with_plan.people.start, with_plan.people.end) == (6, 2)
    assert with_plan.staffed_area == without.staffed_area
    assert with_plan.t_handled == without.t_handled
    assert with_plan.tally.abandoned == without.tally.abandoned
