"""Arrival traces (docs/scenario-format.md, "Traces"): replayed exactly, checked before
anything runs with every bad row located, read in flat memory, turned into rates."""

from __future__ import annotations

import json
import math
import random
import tracemalloc
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from simdesk.calendar import HOUR, Calendar
from simdesk.cli import app
from simdesk.engine import simulate
from simdesk.engine.arrivals import ProfileArrivals, arrival_source
from simdesk.errors import ScenarioError
from simdesk.loading import load_scenario, scenario_from_data
from simdesk.scenario import Scenario, warnings_for
from simdesk.streams import Streams
from simdesk.traces import replay, trace_info
from simdesk.workload import estimate_work

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
TYPES = [{"name": "chat_q", "channel": "chat"}, {"name": "call", "channel": "phone"}]


def desk(demand: dict[str, Any], **top: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "seed": 9,
        "horizon": "2d",
        "demand": {"types": [dict(t) for t in TYPES], **demand},
        "customers": {"patience": "exponential(mean=2m)", "repeat": {"probability": 0}},
        "pools": [
            {"name": "p", "kind": "inhouse", "agents": 2, "concurrency": 2,
             "handle_time": "exponential(mean=4m)"}
        ],
        "routing": {"chat_q": ["p"], "call": ["p"]},
    }
    data.update(top)
    return data


def write_scenario(folder: Path, data: dict[str, Any], name: str = "desk.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def write_trace(path: Path, rows: list[tuple[str, str]], header: str = "timestamp,type") -> Path:
    path.write_text(header + "\n" + "".join(f"{t},{k}\n" for t, k in rows), encoding="utf-8")
    return path


def random_rows(
    n: int, first: datetime, span_s: float, seed: int = 1
) -> list[tuple[datetime, str]]:
    rng = random.Random(seed)
    secs = sorted(rng.uniform(0, span_s) for _ in range(n))
    return [
        (first + timedelta(seconds=round(x, 3)), rng.choice(["chat_q", "call"])) for x in secs
    ]


def source_rows(s: Scenario) -> list[tuple[float, int]]:
    end = s.warmup + s.horizon
    out = []
    for t, row in arrival_source(s, Streams(s.seed)):
        if t >= end:
            break
        out.append((t, row[1]))
    return out


# ------------------------------------------------------------------ replay


def test_a_trace_of_datetimes_is_replayed_exactly(tmp_path: Path) -> None:
    # Rows from the day before the warm-up to the day after the horizon: those in the run
    # arrive exactly at their time, as their type; the others are not replayed.
    first = datetime(2027, 3, 1)  # run: warm-up 2027-03-02, measured 03-03 and 03-04
    rows = random_rows(1500, first, 5 * 86400.0)
    write_trace(tmp_path / "t.csv", [(d.isoformat(), k) for d, k in rows])
    s = load_scenario(
        write_scenario(tmp_path, desk({"trace": "t.csv"}, start="2027-03-03", warmup="1d"))
    )
    origin = datetime(2027, 3, 2)
    names = ["chat_q", "call"]
    expected = [
        ((d - origin).total_seconds(), names.index(k))
        for d, k in rows
        if origin <= d < origin + timedelta(days=3)
    ]
    assert 600 < len(expected) < 1200
    assert source_rows(s) == expected
    info = trace_info(s)
    assert (info.rows, info.in_run) == (1500, len(expected))
    assert info.before + info.after == 1500 - len(expected)
    assert estimate_work(s).inquiries_per_replication == len(expected)
    assert not warnings_for(s)  # a window of a longer trace is what a horizon takes


@pytest.mark.parametrize(
    ("secs", "says"),
    [
        ([-90_000.0, -89_000.0], "none of the trace's 2 rows falls within the run"),
        ([10.0, 3600.0], "last row comes 2.0 days before the end of the run"),
        ([90_000.0, 100_000.0], "first row comes 1.0 days after the start of the measured"),
    ],
)
def test_a_trace_that_leaves_part_of_the_run_empty_warns(
    tmp_path: Path, secs: list[float], says: str
) -> None:
    write_trace(tmp_path / "t.csv", [(f"{x}", "call") for x in secs])
    s = load_scenario(write_scenario(tmp_path, desk({"trace": "t.csv"}, warmup="1h")))
    assert any(says in w for w in warnings_for(s)), warnings_for(s)


def test_replayed_counts_per_hour_and_type_equal_the_files(tmp_path: Path) -> None:
    # Seconds from the start of the measured period; negative ones land in the warm-up,
    # which is not counted. The run's offered contacts per (type, hour of day) are the
    # file's measured rows per (type, hour of day); without a start, time 0 (the start of
    # the one-hour warm-up) is 00:00, so second x is at 01:00 + x.
    rng = random.Random(4)
    secs = sorted(rng.uniform(-3600.0, 2 * 86400.0) for _ in range(2000))
    rows = [(f"{x:.3f}", rng.choice(["chat_q", "call"])) for x in secs]
    write_trace(tmp_path / "s.csv", rows)
    s = load_scenario(write_scenario(tmp_path, desk({"trace": "s.csv"}, warmup="1h")))
    names = ["chat_q", "call"]
    want = Counter(
        (names.index(k), int((HOUR + float(x)) // HOUR) % 24) for x, k in rows if float(x) >= 0
    )
    result = simulate(s)
    got = Counter(
        {
            (tidx, hour): cell.offered
            for tidx, cells in enumerate(result.cells)
            for hour, cell in enumerate(cells)
            if cell.offered
        }
    )
    assert got == want
    assert sum(want.values()) > 1900


def test_each_arrival_of_a_trace_draws_from_the_named_streams(tmp_path: Path) -> None:
    # The type is the row's; the other draws are the streams' values in arrival order,
    # as for Poisson arrivals: the k-th arrival has the k-th patience of "patience".
    rows = [(f"{60.0 * i:.1f}", "call" if i % 3 else "chat_q") for i in range(500)]
    write_trace(tmp_path / "s.csv", rows)
    s = load_scenario(write_scenario(tmp_path, desk({"trace": "s.csv"})))
    got = [row for _, row in zip(range(500), arrival_source(s, Streams(s.seed)), strict=False)]
    patience = s.customers.patience
    assert patience is not None
    expected = patience.sample(Streams(s.seed).generator("patience"), 500).tolist()
    assert [r[1][2] for r in got] == expected
    assert [r[1][1] for r in got] == [1 if i % 3 else 0 for i in range(500)]
    # A staffing variant sees the same customers.
    other = desk({"trace": "s.csv"})
    other["pools"][0]["agents"] = 7
    s2 = load_scenario(write_scenario(tmp_path, other, "other.yaml"))
    again = [row for _, row in zip(range(500), arrival_source(s2, Streams(s2.seed)), strict=False)]
    assert again == got


def test_a_trace_is_read_in_flat_memory(tmp_path: Path) -> None:
    # 30,000 rows replayed: the replay holds a line at a time, not the file (whose rows
    # as Python objects would take about 2.7 MB; the replay's peak is about 24 kB, the
    # same for 20,000 or 40,000 rows).
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("timestamp,type\n")
        for i in range(30_000):
            f.write(f"{i * 0.5:.1f},{'call' if i % 2 else 'chat_q'}\n")
    s = load_scenario(write_scenario(tmp_path, desk({"trace": "big.csv"}, horizon="2d")))
    tracemalloc.start()
    n = sum(1 for _ in replay(s))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert n == 30_000
    assert peak < 500_000, peak


def test_the_example_trace_scenario_replays_its_file() -> None:
    s = load_scenario(SCENARIOS / "trace_week.yaml")
    lines = (SCENARIOS / "traces" / "week.csv").read_text(encoding="utf-8").splitlines()[1:]
    measured = [line for line in lines if line >= "2027-01-04"]
    result = simulate(s)
    fresh = sum(c.offered - c.repeats for cells in result.cells for c in cells)
    assert fresh == len(measured)
    assert not warnings_for(s)


# ------------------------------------------------------------------ errors, located


def run_cli(tmp_path: Path, scenario: Path, command: str) -> tuple[int, str, Path]:
    out = tmp_path / "out.json"
    args = ["run", str(scenario), "--json", str(out)] if command == "run" else [
        "validate", str(scenario)
    ]
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.output, out


GOOD = "2027-01-04T08:00:00,call\n2027-01-04T08:00:10,chat_q\n"


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (GOOD + "2027-01-04T08:0x:00,call\n", "t.csv:4: timestamp: expected an ISO date-time"),
        (GOOD + "2027-01-04T09:00:00,calls\n", "t.csv:4: type: unknown inquiry type 'calls'; "
         "did you mean 'call'?"),
        (GOOD + "2027-01-04T07:00:00,call\n", "t.csv:4: timestamp: out of order: "
         "2027-01-04T07:00:00 is earlier than row 3's"),
        (GOOD + "2027-01-04T09:00:00\n", "t.csv:4: type: missing"),
        (GOOD + "3600,call\n", "t.csv:4: timestamp: expected an ISO date-time"),
        (GOOD + "2027-01-04T09:00:00+01:00,call\n", "t.csv:4: timestamp: expected an ISO "
         "date-time such as 2027-01-04T08:00:05 (no time zone): the desk's local time"),
        (GOOD + "2027-01-04,call\n", "t.csv:4: timestamp: expected an ISO date-time"),
        ("timestamp,type,channel\n2027-01-04T08:00:00,call,chat\n", "t.csv:2: channel: "
         "inquiry type 'call' is a phone type"),
        ("timestamp,type,channel\n2027-01-04T08:00:00,call,fax\n", "t.csv:2: channel: "
         "expected one of chat, phone, email"),
    ],
)
@pytest.mark.parametrize("command", ["run", "validate"])
def test_a_bad_row_is_located_and_nothing_runs(
    tmp_path: Path, body: str, where: str, command: str
) -> None:
    (tmp_path / "t.csv").write_text(body if body.startswith("timestamp") else
                                    "timestamp,type\n" + body, encoding="utf-8")
    scenario = write_scenario(tmp_path, desk({"trace": "t.csv"}, start="2027-01-04"))
    code, output, out = run_cli(tmp_path, scenario, command)
    assert code == 2, output
    assert where in " ".join(output.split()), output
    assert "Traceback" not in output
    assert not out.exists()


@pytest.mark.parametrize(
    ("header", "column", "says"),
    [
        ("when,type", "timestamp", "missing column"),
        ("time,type", "time", "unknown column; did you mean 'timestamp'?"),
        ("timestamp,kind", "type", "missing column"),
        ("timestamp,type,chanel", "chanel", "did you mean 'channel'?"),
        ("timestamp,type,type", "type", "appears twice"),
    ],
)
def test_a_bad_header_is_located_at_row_one(
    tmp_path: Path, header: str, column: str, says: str
) -> None:
    write_trace(tmp_path / "t.csv", [("2027-01-04T08:00:00", "call")], header=header)
    scenario = write_scenario(tmp_path, desk({"trace": "t.csv"}, start="2027-01-04"))
    code, output, _ = run_cli(tmp_path, scenario, "validate")
    assert code == 2
    assert f"t.csv:1: {column}: {says}" in " ".join(output.split()) or (
        f"t.csv:1: {column}:" in output and says in " ".join(output.split())
    ), output


def test_every_bad_row_is_reported_up_to_a_cap(tmp_path: Path) -> None:
    rows = [(f"{i}", "nope") for i in range(50)]
    write_trace(tmp_path / "t.csv", rows)
    with pytest.raises(ScenarioError) as err:
        load_scenario(write_scenario(tmp_path, desk({"trace": "t.csv"})))
    lines = [p for p in err.value.problems]
    assert [p.line for p in lines] == list(range(2, 12))  # the first ten, then it stops
    assert all(p.key == "type" for p in lines)


def test_file_problems_are_located_at_the_scenario_key(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, desk({"trace": "missing.csv"}))
    code, output, _ = run_cli(tmp_path, scenario, "run")
    assert code == 2
    text = " ".join(output.split())
    assert "desk.yaml:" in text and "demand.trace: no such file" in text, output
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    scenario = write_scenario(tmp_path, desk({"trace": "empty.csv"}))
    code, output, _ = run_cli(tmp_path, scenario, "validate")
    assert code == 2 and "empty.csv:1: the file is empty" in " ".join(output.split())
    (tmp_path / "header.csv").write_text("timestamp,type\n", encoding="utf-8")
    scenario = write_scenario(tmp_path, desk({"trace": "header.csv"}))
    code, output, _ = run_cli(tmp_path, scenario, "validate")
    assert code == 2 and "no arrivals" in output
    (tmp_path / "bin.csv").write_bytes(b"timestamp,type\n\xff\xfe\x00garbage\n")
    scenario = write_scenario(tmp_path, desk({"trace": "bin.csv"}))
    code, output, _ = run_cli(tmp_path, scenario, "validate")
    assert code == 2 and "bin.csv:2: not UTF-8 text" in " ".join(output.split()), output


def test_a_line_without_end_is_refused_not_read_into_memory(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("timestamp,type\n" + "1" * 50_000, encoding="utf-8")
    with pytest.raises(ScenarioError, match="longer than 10,000 characters"):
        load_scenario(write_scenario(tmp_path, desk({"trace": "t.csv"})))


def test_a_byte_order_mark_and_blank_lines_are_fine(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_bytes(b"\xef\xbb\xbfTimestamp,Type\r\n10,call\r\n\r\n20,chat_q\r\n")
    s = load_scenario(write_scenario(tmp_path, desk({"trace": "t.csv"})))
    assert source_rows(s) == [(10.0, 1), (20.0, 0)]


def test_datetimes_in_a_replay_need_a_start(tmp_path: Path) -> None:
    write_trace(tmp_path / "t.csv", [("2027-01-04T08:00:00", "call")])
    with pytest.raises(ScenarioError) as err:
        load_scenario(write_scenario(tmp_path, desk({"trace": "t.csv"})))
    (p,) = err.value.problems
    assert (p.line, p.key) == (2, "timestamp") and "'start'" in p.message


@pytest.mark.parametrize(
    ("demand", "key", "says"),
    [
        ({"arrival_rate": "10/h"}, "demand.trace", "give either 'demand.arrival_rate' "
         "or 'demand.trace'"),
        ({"trace_profile": "t.csv"}, "demand.trace_profile", "'demand.trace' or "
         "'demand.trace_profile'"),
        ({"growth": "1%/month"}, "demand.growth", "a replayed 'trace'"),
        ({"intraday": [1] * 24}, "demand.intraday", "a replayed 'trace'"),
    ],
)
def test_what_a_replayed_trace_excludes(
    tmp_path: Path, demand: dict[str, Any], key: str, says: str
) -> None:
    write_trace(tmp_path / "t.csv", [("0", "call")])
    scenario = write_scenario(tmp_path, desk({"trace": "t.csv", **demand}))
    code, output, _ = run_cli(tmp_path, scenario, "validate")
    text = " ".join(output.split())
    assert code == 2 and f"{key}: " in text and says in text, output


def test_shares_are_left_out_with_a_trace(tmp_path: Path) -> None:
    write_trace(tmp_path / "t.csv", [("0", "call")])
    data = desk({"trace": "t.csv"})
    data["demand"]["types"][0]["share"] = 0.5
    data["demand"]["types"][1]["share"] = 0.5
    with pytest.raises(ScenarioError, match=r"types\[chat_q\]\.share: the trace's rows give"):
        load_scenario(write_scenario(tmp_path, data))


# ------------------------------------------------------------------ trace_profile


def test_trace_profile_gives_the_files_rates_by_hour_of_the_week(tmp_path: Path) -> None:
    # Two whole weeks from Monday 2027-01-04: hour h of the week has h % 5 + 1 rows in
    # each week, so its rate is (h % 5 + 1) an hour. A Poisson run at those rates over 20
    # weeks has each hour of the week's count within Poisson noise of 20 x its rate.
    rows = []
    first = datetime(2027, 1, 4)
    rng = np.random.default_rng(1)
    for week in range(2):
        for h in range(168):
            start = first + timedelta(weeks=week, hours=h)
            for x in sorted(rng.uniform(0, 3600, h % 5 + 1)):
                rows.append(((start + timedelta(seconds=float(x))).isoformat(), "call"))
    write_trace(tmp_path / "p.csv", rows)
    s = load_scenario(
        write_scenario(tmp_path, desk({"trace_profile": "p.csv"}, start="2027-05-05",
                                      horizon="140d"))
    )
    info = trace_info(s)
    assert info.days == 14
    assert [r * HOUR for r in info.rates] == pytest.approx([h % 5 + 1 for h in range(168)])
    # No shares given: the trace's own mix (all calls).
    assert s.demand.shares == [0.0, 1.0]
    cal = Calendar.of(s)
    arrivals = source_rows(s)
    assert {tidx for _, tidx in arrivals} == {1}
    counts = Counter(cal.hour_of_week(t) for t, _ in arrivals)
    for h in range(168):
        mu = 20 * (h % 5 + 1)
        assert abs(counts[h] - mu) < 4 * math.sqrt(mu), (h, counts[h], mu)
    assert estimate_work(s).inquiries_per_replication == pytest.approx(
        sum(info.rates) / 168 * 140 * 86400
    )


def test_trace_profile_divides_by_the_days_of_each_weekday_it_covers(tmp_path: Path) -> None:
    # Ten days from a Monday, one row an hour: Monday to Wednesday are covered twice,
    # Thursday to Sunday once, and every hour's rate is one an hour.
    first = datetime(2027, 1, 4)
    rows = [((first + timedelta(hours=h, minutes=30)).isoformat(), "call") for h in range(240)]
    write_trace(tmp_path / "p.csv", rows)
    s = load_scenario(write_scenario(tmp_path, desk({"trace_profile": "p.csv"})))
    info = trace_info(s)
    assert (info.days, info.weekdays) == (10, (2, 2, 2, 1, 1, 1, 1))
    assert [r * HOUR for r in info.rates] == pytest.approx([1.0] * 168)


def test_trace_profile_of_a_short_trace_warns_about_the_days_it_misses(tmp_path: Path) -> None:
    write_trace(tmp_path / "p.csv", [("2027-01-04T08:00:00", "call"), ("2027-01-05T08:00:00",
                                                                          "chat_q")])
    s = load_scenario(write_scenario(tmp_path, desk({"trace_profile": "p.csv"})))
    assert s.demand.shares == [0.5, 0.5]
    (w,) = warnings_for(s)
    assert "covers 2 day(s)" in w and "wed, thu, fri, sat, sun" in w


def test_a_scenario_built_in_code_reads_its_trace_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_trace(tmp_path / "t.csv", [("10", "call"), ("20", "chat_q")])
    monkeypatch.chdir(tmp_path)
    s = scenario_from_data(desk({"trace": "t.csv"}))
    assert source_rows(s) == [(10.0, 1), (20.0, 0)]
    # A profile too: two rows in Monday's first hour, on the one day the trace covers.
    p = scenario_from_data(desk({"trace_profile": "t.csv"}))
    assert ProfileArrivals(p, Streams(1)).clock.rates[:2] == [2 / HOUR, 0.0]


def test_the_cli_runs_a_trace_and_reports_its_arrivals(tmp_path: Path) -> None:
    rows = [(f"{i * 100.0:.0f}", "call") for i in range(300)]
    write_trace(tmp_path / "t.csv", rows)
    scenario = write_scenario(tmp_path, desk({"trace": "t.csv"}, horizon="1d"))
    code, output, out = run_cli(tmp_path, scenario, "run")
    assert code == 0, output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["totals"]["offered"]["mean"] == 300
    assert doc["inputs"]["demand"]["trace"] == "t.csv"
