"""The calendar in the figures: clock hours, periods (day, week, month), weekday and pool
hours, as docs/figures.md ("Periods", "Per pool by hour") and docs/scenario-format.md
("Calendar") promise them.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from desks import OpenDesk
from rulekit import people
from test_output import assert_fits, table_rows
from typer.testing import CliRunner

from simdesk.cli import app
from simdesk.engine import simulate
from simdesk.experiment import run_experiment
from simdesk.figures import run_figures
from simdesk.histogram import GROWTH, LOW, NBINS, WaitBuffer, WaitHistogram, bin_counts, quantile_of
from simdesk.loading import scenario_from_data
from simdesk.render.formats import fmt_value
from simdesk.render.html import summary_html
from simdesk.report import dumps, json_chunks, summary_json
from simdesk.streams import Streams

ENV = {"NO_COLOR": "1", "TERM": "dumb"}
HOUR = 3600.0
DAY = 86400.0

COUNTS = (
    "offered", "handled", "abandoned", "in_system", "overflowed", "contained", "escalated",
    "repeat_contacts", "resolved", "people_contacts", "issues", "issues_open",
)
"""The figures that count something: a kind of period adds up to the totals exactly."""


def busy_desk(**top: Any) -> dict[str, Any]:
    """A bot in front of people who overflow to a vendor, with retries and repeats that
    come back a day later (issues closing days after they start), over days."""
    data: dict[str, Any] = {
        "name": "periods",
        "seed": 4,
        "warmup": "90m",
        "horizon": "3d",
        "replications": 3,
        "demand": {
            "arrival_rate": "40/h",
            "intraday": [0.2] * 6 + [1.5] * 12 + [0.6] * 6,
            "types": [{"name": "a", "share": 0.7}, {"name": "b", "share": 0.3}],
        },
        "customers": {
            "patience": "exponential(mean=4m)",
            "retry": {"probability": 0.5, "after": "exponential(mean=20m)"},
            "repeat": {"probability": 0.5, "after": "exponential(mean=1d)"},
        },
        "pools": [
            {"name": "bot", "kind": "bot", "handle_time": "exponential(mean=1m)",
             "resolution": {"a": 0.5, "b": 0.3}, "cost": {"per_conversation": 0.1}},
            {"name": "team", "kind": "inhouse", "agents": 2, "fcr": 0.7,
             "handle_time": "exponential(mean=5m)", "cost": {"per_hour": 30}},
            {"name": "vendor", "kind": "vendor", "agents": 1, "fcr": 0.6,
             "handle_time": "exponential(mean=6m)", "cost": {"per_contact": 2}},
        ],
        "routing": {
            "overflow_after": "1m", "a": ["bot", "team", "vendor"], "b": ["bot", "team", "vendor"],
        },
    }
    data.update(top)
    return data


def summary_of(data: dict[str, Any]) -> Any:
    return run_experiment(scenario_from_data(data, "periods.yaml"))


# ------------------------------------------------------------------ periods sum up


@pytest.mark.parametrize(
    "top",
    [{}, {"start": "2027-01-29", "warmup": "1d", "horizon": "5d"}],
    ids=["no-start-90m-warmup", "start-across-a-month"],
)
def test_counts_per_period_add_up_to_the_totals_in_every_replication(
    top: dict[str, Any],
) -> None:
    s = summary_of(busy_desk(**top))
    kinds = ["day", "week"] + (["month"] if "start" in top else [])
    assert list(s.periods) == kinds
    assert any(run.totals["in_system"] for run in s.runs)  # cells still busy at the end
    for run in s.runs:
        assert run.totals["issues_open"] > 0 and run.totals["repeat_contacts"] > 0
        # every contact starts at the bot, whose own tally is kept apart from the cells
        assert run.totals["offered"] == run.pools["bot"]["offered"]
        for kind in kinds:
            periods = run.periods[kind]
            for f in COUNTS:
                assert sum(p[f] for p in periods) == run.totals[f], (kind, f)
            assert sum(p["cost_total"] for p in periods) == pytest.approx(
                run.totals["cost_total"], rel=1e-12
            )
    measured = [p.measured_s for p in s.periods["day"]]
    assert sum(measured) == s.scenario.horizon
    if "start" in top:  # 2027-01-29 is a Friday: Fri, Sat, Sun, then Mon, Tue
        assert [p.period.start.isoformat() for p in s.periods["month"]] == [
            "2027-01-01", "2027-02-01"]
        assert [p.measured_s for p in s.periods["week"]] == [3 * DAY, 2 * DAY]
    else:  # a warm-up of 90 minutes: the first measured day is 22.5 hours long
        assert measured[0] == DAY - 1.5 * HOUR and measured[-1] == 1.5 * HOUR


@pytest.mark.parametrize("price", [{"per_hour": 25}, {"per_contact": 3}])
def test_a_contract_bill_is_shared_among_periods_and_adds_up(price: dict[str, Any]) -> None:
    data = busy_desk(replications=1)
    vendor = data["pools"][2]
    del vendor["cost"]
    vendor["contract"] = {**price, "service_level": {"at_least": 0.8, "per": "day",
                                                     "penalty": 100, "bonus": 50}}
    run = summary_of(data).runs[0]
    lines = [k for k in run.totals if k.startswith(("cost_contract", "contract_"))]
    assert "cost_contract_fees" in lines
    for kind in ("day", "week"):
        periods = run.periods[kind]
        for f in ["cost_total", *lines]:
            assert sum(p[f] for p in periods) == pytest.approx(run.totals[f], rel=1e-9), f
    days = run.periods["day"]
    assert len({round(d["cost_total"], 6) for d in days}) > 1  # shared by use, not evenly


def test_a_period_counts_the_issues_that_started_in_it_however_late_they_close() -> None:
    """Nobody waits, every contact takes 1 min and resolves with probability 1/2, and an
    unresolved one comes back exactly 30 h later, so an issue resolved at its k-th contact
    took k x 60 s + (k - 1) x 30 h: its mean is 60 s x c + 30 h x (c - 1), with c the
    contacts per resolved issue. That holds for the issues of each day only if each day
    gets the times of its own issues, though most close on a later day."""
    data = {
        "name": "late-issues", "seed": 2, "horizon": "6d", "replications": 1,
        "demand": {"arrival_rate": "30/h", "types": [{"name": "t", "share": 1.0}]},
        "customers": {"repeat": {"probability": 1.0, "after": "fixed(30h)"}},
        "pools": [people(agents=20, fcr=0.5)],
        "routing": {"t": ["people"]},
    }
    figs = run_figures(simulate(scenario_from_data(data, "late.yaml")))
    days = figs.periods["day"]
    for scope in [figs.totals, *days]:
        c = scope["contacts_per_resolved_issue"]
        assert c > 1.2 or scope is days[-1]
        expected = 60.0 * c + 30 * HOUR * (c - 1)
        assert scope["issue_resolution_time_mean_s"] == pytest.approx(expected, rel=1e-9)
    assert sum(d["issues"] for d in days) == figs.totals["issues"]


def test_per_hour_sums_are_those_of_one_cell_for_all_days_even_with_stragglers() -> None:
    """Contacts wait up to two days (one agent for an hour every other day, no patience),
    so many are still waiting when their hour comes round again. The per-hour sums of waits
    and scores must still be the very floats one running sum per hour would hold, added in
    the order the contacts ended (what the figures were before periods existed)."""
    data = {
        "name": "stragglers", "seed": 5, "horizon": "6d", "replications": 1,
        "demand": {"arrival_rate": "2/h", "types": [{"name": "t", "share": 1.0}]},
        "customers": {"repeat": {"probability": 0}},
        "pools": [people(agents=None, shifts=[
            {"days": "mon,wed,fri", "start": "08:00", "end": "09:00", "agents": 1}])],
        "routing": {"t": ["people"]},
    }
    desk = OpenDesk(scenario_from_data(data, "stragglers.yaml"), Streams(5, 0))
    # Every contact through _finish: without the short ways, which record the same
    # (tests/test_engine_short_ways.py) but not through _finish.
    desk.routes = [dataclasses.replace(r, bot=None, person=None) for r in desk.routes]
    desk.human_routes = [
        dataclasses.replace(r, bot=None, person=None) for r in desk.human_routes
    ]
    ended: list[tuple[int, int, int, float, float]] = []
    finish = desk._finish

    def logged(inq: Any, outcome: int) -> None:
        finish(inq, outcome)
        if inq.counted:
            ended.append((inq.tidx, inq.cell.roll.row % 24, outcome, inq.wait_total, inq.score))

    desk._finish = logged  # type: ignore[method-assign]
    run = desk.run()
    sums: dict[tuple[int, int], list[float]] = {}
    for tidx, hour, outcome, wait, score in ended:
        s = sums.setdefault((tidx, hour), [0.0, 0.0, 0.0])
        if outcome != 4:  # not abandoned: an answered wait
            s[1] += wait
        if wait > 0.0:
            s[0] += wait
        s[2] += score
    assert max(w for *_, w, _ in ended) > 1.5 * DAY  # stragglers there were
    for (tidx, hour), (wait_sum, answered, csat) in sums.items():
        cell = run.cells[tidx][hour]
        assert (cell.wait_sum, cell.answered_wait_sum, cell.csat_sum) == (
            wait_sum, answered, csat)


# ------------------------------------------------------------------ clock hours


def test_hours_are_clock_hours_with_a_start_and_a_warmup_of_90_minutes() -> None:
    """Start on Wednesday 2027-01-06 with a 90-minute warm-up: time 0 is Tuesday 22:30.
    Contacts placed by hand land in the clock hour, hour of the week and day they arrive
    in; one exactly on the hour counts in the hour that starts; one in warm-up nowhere."""
    data = {
        "name": "clock", "start": "2027-01-06", "warmup": "90m", "horizon": "2d",
        "demand": {"arrival_rate": "1/h", "types": [{"name": "t", "share": 1.0}]},
        "customers": {"repeat": {"probability": 0}},
        "pools": [people(agents=1)],
        "routing": {"t": ["people"]},
    }
    desk = OpenDesk(scenario_from_data(data, "clock.yaml"), Streams(1, 0))
    desk._schedule_arrival = lambda: None  # type: ignore[method-assign]
    w = 90 * 60.0  # Wednesday 00:00
    at = {
        "warm-up, Tue 23:00": 30 * 60.0,
        "Wed 00:30": w + 1800,
        "Wed 05:00 sharp": w + 5 * HOUR,
        "Thu 13:00": w + DAY + 13 * HOUR + 5,
    }

    def arrive(_ev: object) -> None:
        row = (0.0, 0, math.inf, 1.0, 0.99, 1.0, 0.0, (60.0,))
        desk._start_contact(desk.env._now, row, 0, None)  # type: ignore[arg-type]

    for t in at.values():
        desk._at(t, arrive, None)
    run = desk.run()
    offered = {h: c.offered for h, c in enumerate(run.cells[0]) if c.offered}
    assert offered == {0: 1, 5: 1, 13: 1}
    week = {how: b.ints[0] for how, b in enumerate(run.week.cells) if b is not None}
    assert week == {2 * 24 + 0: 1, 2 * 24 + 5: 1, 3 * 24 + 13: 1}  # Wed, Wed, Thu
    assert [int(d.cells.ints[0]) for d in run.days] == [2, 1]
    figs = run_figures(run)
    assert figs.intervals[5]["offered"] == 1 and figs.week_hours[2 * 24 + 5]["offered"] == 1


def test_a_wednesday_start_puts_the_first_measured_day_under_wednesday(tmp_path: Path) -> None:
    path = tmp_path / "wed.yaml"
    data = busy_desk(start="2027-01-06", warmup="1d", horizon="1d", replications=1)
    path.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["run", str(path), "--workers", "1", "--by", "day", "--by-hour", "weekday",
              "--width", "80"], env=ENV,
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert_fits(out, 80)
    rows = table_rows(out)
    weekday_rows = [r for r in rows if len(r) > 2 and r[1].endswith(":00") and r[0] != "pool"]
    assert weekday_rows and {r[0] for r in weekday_rows} == {"Wed"}
    assert any(r[0] == "2027-01-06 Wed" for r in rows)
    spark_names = {r[0] for r in rows if len(r) == 2}
    assert "Wed" in spark_names and "Tue" not in spark_names


# ------------------------------------------------------------------ the command line


def test_by_month_without_a_start_is_a_located_error_before_anything_runs(
    tmp_path: Path,
) -> None:
    path = tmp_path / "desk.yaml"
    path.write_text(json.dumps(busy_desk()), encoding="utf-8")
    out = tmp_path / "r.json"
    result = CliRunner().invoke(
        app, ["run", str(path), "--by", "month", "--json", str(out)], env=ENV
    )
    assert result.exit_code == 2
    assert "--by: periods by month need a start date" in result.stderr
    assert str(path) in result.stderr
    assert "Traceback" not in result.output and not out.exists()


@pytest.mark.parametrize(("option", "value"), [("--by", "year"), ("--by-hour", "pools")])
def test_an_unknown_period_or_hour_view_is_an_error(option: str, value: str,
                                                    tmp_path: Path) -> None:
    path = tmp_path / "desk.yaml"
    path.write_text(json.dumps(busy_desk()), encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(path), option, value], env=ENV)
    assert result.exit_code == 2
    assert f"{option}: expected one of" in result.stderr and repr(value) in result.stderr


def test_by_hour_shows_its_tables_even_with_no_intraday(tmp_path: Path) -> None:
    path = tmp_path / "desk.yaml"
    path.write_text(json.dumps(busy_desk(horizon="6h", replications=1)), encoding="utf-8")
    run = ["run", str(path), "--workers", "1", "--no-intraday"]
    quiet = CliRunner().invoke(app, run, env=ENV)
    asked = CliRunner().invoke(app, [*run, "--by-hour", "pool"], env=ENV)
    assert quiet.exit_code == asked.exit_code == 0
    assert "by hour" not in quiet.stdout.lower()
    assert "Per pool by hour of day" in asked.stdout
    # each pool's service-level bars once: beside the desk's, or apart when split by weekday
    split = CliRunner().invoke(app, [*run, "--by-hour", "pool,weekday"], env=ENV)
    for out in (asked.stdout, split.stdout):
        bars = [r[0] for r in table_rows(out) if len(r) == 2]
        assert sorted(b for b in bars if b in ("bot", "team", "vendor")) == [
            "bot", "team", "vendor"], bars
    assert "Each pool's service level by hour" in split.stdout


def _row(rows: list[list[str]], *keys: str) -> list[str]:
    found = [r for r in rows if r[: len(keys)] == list(keys)]
    assert found, keys
    return found[0]


WHOLE = {"start": "2027-01-29", "warmup": "1d", "horizon": "5d", "replications": 2}


@pytest.fixture(scope="module")
def whole_summary() -> Any:
    return summary_of(busy_desk(**WHOLE))


@pytest.mark.parametrize("width", [80, None], ids=["80-columns", "redirected"])
def test_period_weekday_and_pool_tables_are_whole(
    tmp_path: Path, width: int | None, whole_summary: Any
) -> None:
    """Every figure of every period, weekday hour and pool hour appears whole, in the row
    of its period (or day and hour, or pool and hour), formatted as in the JSON."""
    from simdesk.render import PERIOD_FIGURES, POOL_HOUR_COLUMNS, SHORT, WEEKDAYS, period_label

    path = tmp_path / "desk.yaml"
    path.write_text(json.dumps(busy_desk(**WHOLE)), encoding="utf-8")
    doc_path = tmp_path / "r.json"
    args = ["run", str(path), "--workers", "1", "--json", str(doc_path), "--by", "day",
            "--by", "week,month", "--by-hour", "weekday", "--by-hour", "pool"]
    result = CliRunner().invoke(app, [*args, *(["--width", str(width)] if width else [])],
                                env=ENV)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert_fits(out, width)
    if width is None:
        assert "(continued)" not in out
    rows = table_rows(out)
    doc = json.loads(doc_path.read_text())
    s = whole_summary
    assert doc["periods"] == summary_json(s)["periods"]  # the same run
    for kind in ("day", "week", "month"):
        for p, entry in zip(s.periods[kind], doc["periods"][kind], strict=True):
            cells = [c for r in rows if r[0] == period_label(s, p) for c in r[1:]]
            for f in PERIOD_FIGURES:
                if any(h == SHORT.get(f, f) for r in rows for h in r):
                    assert fmt_value(f, entry[f]["mean"]) in cells, (kind, p.label, f)
    assert _row(rows, "2027-01 *")  # January, measured from the 29th
    assert _row(rows, "2027-01-29 Fri")
    week = s.week_hours
    for how in (4 * 24 + 10, 6 * 24 + 3):  # Friday 10:00, Sunday 03:00
        row = _row(rows, WEEKDAYS[how // 24], f"{how % 24:02d}:00")
        assert fmt_value("service_level", week[how]["service_level"].mean) in row
    for name, hours in doc["pool_intervals"].items():
        for h in (3, 12):
            row = _row(rows, name, f"{h:02d}:00")
            for f in POOL_HOUR_COLUMNS:
                if any(x == SHORT.get(f, f) for r in rows for x in r):
                    assert fmt_value(f, hours[h][f]["mean"]) in row, (name, h, f)


def test_csv_has_period_and_pool_hour_rows_that_add_up(tmp_path: Path) -> None:
    path = tmp_path / "desk.yaml"
    path.write_text(json.dumps(busy_desk(replications=1)), encoding="utf-8")
    csv_path = tmp_path / "r.csv"
    result = CliRunner().invoke(app, ["run", str(path), "--workers", "1", "--csv",
                                      str(csv_path)], env=ENV)
    assert result.exit_code == 0, result.output
    import csv

    rows = list(csv.DictReader(csv_path.read_text().splitlines()))

    def offered(section: str) -> list[float]:
        return [float(r["mean"]) for r in rows
                if r["section"] == section and r["figure"] == "offered"]

    total = offered("totals")[0]
    assert sum(offered("day")) == total and sum(offered("week")) == total
    assert [r["name"] for r in rows if r["section"] == "day" and r["figure"] == "offered"] == [
        "1", "2", "3", "4"]
    team = [r for r in rows if r["section"] == "pool_intervals" and r["figure"] == "offered"
            and r["name"].startswith("team ")]
    assert len(team) == 24 and team[8]["name"] == "team 08:00"


# ------------------------------------------------------------------ pools by hour


def test_pool_hours_agree_with_the_pool_totals() -> None:
    """Counts add up over the hours; service level, abandonment and mean wait weighted by
    the visits whose wait ended in each hour give the pool's own."""
    s = scenario_from_data(busy_desk(), "periods.yaml")
    run = simulate(s, 4, 0)
    figs = run_figures(run)
    for p in run.pools:
        pool = figs.pools[p.name]
        hours = figs.pool_hours[p.name]
        ended = [t.hist.count for t in p.hours]
        assert sum(ended) == p.tally.hist.count > 0
        for f in ("offered", "handled", "abandoned"):
            assert sum(h[f] for h in hours) == pool[f], (p.name, f)
        for f in ("service_level", "abandonment_rate", "wait_mean_s", "p_wait"):
            weighted = sum(h[f] * n for h, n in zip(hours, ended, strict=True) if n)
            assert weighted == pytest.approx(pool[f] * sum(ended), rel=1e-9), (p.name, f)
        busy = [h["occupancy"] for h in hours]
        if not p.is_bot:
            assert all(0.0 <= b <= 1.0 for b in busy if not math.isnan(b))


def test_json_has_documented_periods_and_pool_intervals() -> None:
    s = summary_of(busy_desk(replications=2))
    written = summary_json(s)
    assert "".join(json_chunks(written)) == dumps(written)  # run --json writes it in pieces
    doc = json.loads(dumps(written))
    assert doc["schema_version"] == 3
    assert set(doc["periods"]) == {"day", "week", "month"} and doc["periods"]["month"] == []
    days = doc["periods"]["day"]
    assert [d["index"] for d in days] == [1, 2, 3, 4]
    assert all(d["start"] is None for d in days)
    assert sum(d["measured_s"] for d in days) == s.scenario.horizon
    assert set(days[0]) == {"index", "start", "measured_s", *doc["totals"]}
    assert days[0]["offered"]["n"] == 2 and days[0]["offered"]["ci95"] is not None
    assert set(doc["pool_intervals"]) == {"bot", "team", "vendor"}
    assert [h["hour"] for h in doc["pool_intervals"]["team"]] == list(range(24))


def test_html_report_shows_weeks_and_months_when_there_are_several() -> None:
    several = summary_html(summary_of(busy_desk(start="2027-01-25", warmup="1d",
                                                horizon="10d", replications=1)))
    assert "<h2>By week</h2>" in several and "<h2>By month</h2>" in several
    assert "<h2>Per pool by hour of day</h2>" in several
    one = summary_html(summary_of(busy_desk(replications=1)))  # 3 days, one week
    assert "<h2>By week</h2>" not in one and "<h2>By month</h2>" not in one


# ------------------------------------------------------------------ wait bins


def test_raw_waits_binned_later_count_as_the_histogram_counts_them() -> None:
    rng = random.Random(3)
    waits = [0.0, 0.05, LOW, 30 * DAY, 40 * DAY] + [LOW * GROWTH**k for k in range(0, 1700, 7)]
    waits += [0.1 * (30 * DAY / 0.1) ** rng.random() for _ in range(3000)]
    h = WaitHistogram()
    buf = WaitBuffer()
    for w in waits:
        h.add(w)
        buf.add(w)
    zeros, idx = bin_counts(buf.waits)
    assert zeros == h.zeros == 1
    bins = np.bincount(idx[idx >= 0], minlength=NBINS)
    assert bins.tolist() == list(h.bins)
    for q in (0.01, 0.5, 0.9, 0.95, 0.999):
        assert quantile_of(zeros, len(waits), bins, q) == h.quantile(q)


def test_a_histogram_allocates_its_bins_at_the_first_wait() -> None:
    h = WaitHistogram()
    h.add(0.0)
    assert not h.bins and h.quantile(0.5) == 0.0
    h.add(12.0)
    assert len(h.bins) == NBINS and sum(h.bins) == 1
    empty = WaitHistogram()
    empty.merge(h)
    assert list(empty.bins) == list(h.bins) and empty.count == 2
