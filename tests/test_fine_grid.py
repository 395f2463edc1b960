"""The engine's finer grid (``simulate(..., interval=...)``, for ``simdesk staff --interval
30m``): contacts are counted in the interval they arrived in and busy time in the interval
it was spent in, on the run's clock; the intervals add up to the hours; and asking for the
grid changes no other figure of the run."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, one_day_of

from simdesk.engine import simulate
from simdesk.figures import fine_interval_figures, run_figures
from simdesk.loading import load_scenario, scenario_from_data

# A replayed trace on a calendar whose run starts at 22:30 the day before (a 90-minute
# warm-up), so a grid read by simulated time instead of the clock would be off by 30
# minutes. Every service lasts exactly 2 minutes and there are always free agents.
TRACE_DESK = """\
name: trace-grid
seed: 1
start: 2027-01-04
warmup: 90m
horizon: 1d
replications: 1
demand:
  trace: {trace}
  types: [{{name: general}}]
pools:
  - {{name: team, kind: inhouse, agents: 5, handle_time: fixed(2m)}}
routing:
  general: [team]
"""

ARRIVALS = [
    "09:10:00",  # 09:00-09:30
    "09:29:00",  # starts in 09:00-09:30, half its service in 09:30-10:00
    "09:31:00", "09:40:00", "09:50:00",  # 09:30-10:00
    "10:14:00",  # 10:00-10:15 on a 15-minute grid, 10:00-10:20 on a 20-minute one
]


def _trace_desk(tmp_path: Path) -> Any:
    csv = tmp_path / "trace.csv"
    rows = [f"2027-01-04T{t},general" for t in ARRIVALS]
    csv.write_text("timestamp,type\n" + "\n".join(rows) + "\n")
    desk = tmp_path / "desk.yaml"
    desk.write_text(TRACE_DESK.format(trace=csv.name))
    return load_scenario(desk)


def test_contacts_and_busy_time_land_in_their_interval_on_the_clock(tmp_path: Path) -> None:
    s = _trace_desk(tmp_path)
    run = simulate(s, interval=1800.0)
    assert run.fine is not None
    offered = [b.tally().offered for b in run.fine.cells]
    expected = [0] * 48
    expected[18], expected[19], expected[20] = 2, 3, 1
    assert offered == expected
    busy = run.fine.busy["team"]
    # 09:10 and 09:29 (its first minute); 09:29's second minute and three 2-minute calls.
    assert busy[18] == pytest.approx(180.0)
    assert busy[19] == pytest.approx(60.0 + 3 * 120.0)
    assert busy[20] == pytest.approx(120.0)
    assert sum(busy) == pytest.approx(6 * 120.0)
    # Five agents on duty all day: staffed time is the interval's length times five.
    assert run.fine.staffed["team"] == pytest.approx([5 * 1800.0] * 48)
    figs = fine_interval_figures(run)
    assert [f["handled"] for f in figs] == expected
    assert figs[19]["service_level"] == 1.0
    assert math.isnan(figs[0]["service_level"])  # nobody came: no share to give
    assert figs[19]["occupancy"] == pytest.approx(420.0 / (5 * 1800.0))


@pytest.mark.parametrize(("interval", "at"), [(900.0, 40), (1200.0, 30)])
def test_other_grids_place_the_same_contact_by_the_clock(
    tmp_path: Path, interval: float, at: int
) -> None:
    run = simulate(_trace_desk(tmp_path), interval=interval)
    assert run.fine is not None
    offered = [b.tally().offered for b in run.fine.cells]
    assert len(offered) == round(86400 / interval)
    assert offered[at] == 1 and sum(offered) == len(ARRIVALS)


def test_an_ordinary_run_records_no_finer_grid(tmp_path: Path) -> None:
    assert simulate(_trace_desk(tmp_path)).fine is None


@pytest.mark.parametrize("interval", [0.0, 45.0, 700.0, 3600.0, 7200.0])
def test_a_grid_must_divide_the_hour_and_be_shorter(tmp_path: Path, interval: float) -> None:
    with pytest.raises(ValueError, match="divide an hour"):
        simulate(_trace_desk(tmp_path), interval=interval)


def _same(a: Any, b: Any) -> bool:
    """Equal, NaN equal to NaN (repr compares every float exactly)."""
    return repr(a) == repr(b)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_finer_grid_changes_no_other_figure_and_adds_up_to_the_hours(path: Path) -> None:
    s = scenario_from_data(one_day_of(path), str(path))
    plain = simulate(s, replication=1)
    fine = simulate(s, replication=1, interval=1200.0)
    a, b = run_figures(plain), run_figures(fine)
    # The same events in the same order: every figure by hour, by pool and in total is
    # the same to the last bit. (Days and hours of the week add the float sums of more
    # cells, so they may differ in the last digit; they are not compared here.)
    for scope in ("totals", "pools", "types", "intervals", "pool_hours"):
        assert _same(getattr(a, scope), getattr(b, scope)), scope
    assert fine.fine is not None
    per = fine_interval_figures(fine)
    assert len(per) == 72
    for h in range(24):
        thirds = per[3 * h : 3 * h + 3]
        for key in ("offered", "handled", "abandoned", "people_contacts", "issues"):
            assert sum(f[key] for f in thirds) == a.intervals[h][key], (key, h)
    for p in plain.pools:
        for h in range(24):
            busy = sum(fine.fine.busy[p.name][3 * h : 3 * h + 3])
            staffed = sum(fine.fine.staffed[p.name][3 * h : 3 * h + 3])
            assert busy == pytest.approx(p.hour_busy[h], rel=1e-9, abs=1e-6), (p.name, h)
            assert staffed == pytest.approx(p.hour_staffed[h], rel=1e-9, abs=1e-6)
