"""Staffing by date and shifts on the calendar (docs/scenario-format.md, "Pools" and
"Shifts"; docs/rules.md, "Staffing by date").

Paid agent-hours (``cost.per_hour: 1``) show staffing exactly; occupancy shows that the
agents really answer: with work worth W agents, occupancy is W / agents within the noise
of the run's arrival count.
"""

from __future__ import annotations

from typing import Any

import pytest
from rulekit import desk, people, run

from simdesk.calendar import DAY, Calendar
from simdesk.errors import ScenarioError, SimdeskError
from simdesk.loading import scenario_from_data
from simdesk.shifts import headcount_changes

START = "2027-01-04"  # a Monday: time 0 is a Monday 00:00 with or without it


def _dated(agents: Any, **top: Any) -> dict[str, Any]:
    """Work worth 5 agents (60/h of fixed 5 minutes) for a pool paid 1 an hour."""
    pool = people(agents=agents, handle_time="fixed(5m)", cost={"per_hour": 1})
    return desk(pools=[pool], **{"start": START, **top})


def test_the_headcount_changes_on_its_date() -> None:
    """10 agents from Monday, 20 from Wednesday, over Monday to Thursday: 10 x 48 + 20 x 48
    agent-hours paid. Occupancy over the first two days is about 5/10, over the last two
    (a run starting on the Wednesday, the headcount then in force being 20) about 5/20;
    each within 4 standard deviations of the arrival count (2,880 expected)."""
    agents = {"2027-01-04": 10, "2027-01-06": 20}
    whole = run(_dated(agents, horizon="4d"))
    assert whole.pools["people"]["cost_total"] == pytest.approx(10 * 48 + 20 * 48, rel=1e-12)
    tol = 4 / 2880**0.5
    before = run(_dated(agents, horizon="2d"))
    after = run(_dated(agents, horizon="2d", start="2027-01-06"))
    assert before.pools["people"]["occupancy"] == pytest.approx(0.5, rel=tol)
    assert after.pools["people"]["occupancy"] == pytest.approx(0.25, rel=tol)
    # One run over all four days: the work of 96 hours over 1,440 agent-hours.
    assert whole.pools["people"]["occupancy"] == pytest.approx(5 * 96 / 1440, rel=tol / 1.4)


def test_leavers_finish_the_contact_in_hand() -> None:
    """From 20 to 10 agents on Wednesday 00:00: the agents leaving while busy finish their
    contact (at most 5 minutes) and are paid until then, like a shift's end."""
    figs = run(_dated({"2027-01-04": 20, "2027-01-06": 10}, horizon="4d"))
    paid = figs.pools["people"]["cost_total"]
    assert 20 * 48 + 10 * 48 <= paid <= 20 * 48 + 10 * 48 + 10 * 5 / 60


def test_dates_before_start_and_the_warmup() -> None:
    """The headcount at a moment is that of the latest date on or before it; the warm-up
    (before ``start``) has the first date's, so it warms up the desk that is measured."""
    s = scenario_from_data(
        _dated({"2026-12-01": 3, "2027-01-04": 7, "2027-01-05": 9}, warmup="2d", horizon="3d"),
        file="<rule test>",
    )
    cal = Calendar.of(s)
    assert headcount_changes(s.pools[0], cal) == [(0.0, 3), (2 * DAY, 7), (3 * DAY, 9)]
    s = scenario_from_data(_dated({"2027-01-04": 7}, warmup="1d"), file="<rule test>")
    assert headcount_changes(s.pools[0], Calendar.of(s)) == [(0.0, 7)]


def _paid(shifts: list[dict[str, Any]], horizon: str, **top: Any) -> float:
    pool = people(agents=None, shifts=shifts, handle_time="fixed(0s)", cost={"per_hour": 1})
    figs = run(desk(pools=[pool], rate="1/h", horizon=horizon, **top))
    return float(figs.pools["people"]["cost_total"])


def test_shifts_follow_the_calendar_s_weekdays() -> None:
    """``start: 2027-01-06`` is a Wednesday: the first measured day works Wednesday's
    shifts, not Monday's."""
    wed = [{"days": "wed", "start": "08:00", "end": "16:00", "agents": 1}]
    mon = [{"days": "mon", "start": "08:00", "end": "16:00", "agents": 1}]
    assert _paid(wed, "1d", start="2027-01-06") == pytest.approx(8.0)
    assert _paid(mon, "1d", start="2027-01-06") == 0.0
    # A warm-up of 1 d is the Tuesday: still Wednesday's shift in the measured day.
    assert _paid(wed, "1d", start="2027-01-06", warmup="1d") == pytest.approx(8.0)


def test_a_shift_runs_from_its_from_date_until_the_day_before_until() -> None:
    """08:00-16:00 every day with ``from: 2027-01-06``, over Monday 4 to Thursday 7: on
    Wednesday and Thursday, 16 h. With ``until: 2027-01-06``: Monday and Tuesday, 16 h.
    Both: Wednesday alone."""
    base = {"days": "all", "start": "08:00", "end": "16:00", "agents": 1}
    assert _paid([{**base, "from": "2027-01-06"}], "4d", start=START) == pytest.approx(16.0)
    assert _paid([{**base, "until": "2027-01-06"}], "4d", start=START) == pytest.approx(16.0)
    both = {**base, "from": "2027-01-06", "until": "2027-01-07"}
    assert _paid([both], "4d", start=START) == pytest.approx(8.0)


def test_an_overnight_shift_starting_the_day_before_until_runs_past_it() -> None:
    """22:00-06:00 ``until: 2027-01-05``, over Monday 4 to Wednesday 6: the shift that
    started on Sunday 3 (6 h on Monday), the one starting Monday 4 (8 h, into Tuesday);
    none from Tuesday on: 14 h."""
    shift = {"days": "all", "start": "22:00", "end": "06:00", "agents": 1,
             "until": "2027-01-05"}
    assert _paid([shift], "3d", start=START) == pytest.approx(14.0)


@pytest.mark.parametrize(
    ("pools", "top", "key", "message"),
    [
        (
            [people(agents={"2027-01-04": 3})], {},
            "pools[people].agents", "a headcount by date needs the scenario's 'start'",
        ),
        (
            [people(agents={"2027-01-05": 3})], {"start": START},
            "pools[people].agents.2027-01-05", "the first date (2027-01-05) is after 'start'",
        ),
        (
            [people(agents=None, shifts=[
                {"start": "08:00", "end": "16:00", "agents": 1, "from": "2027-01-05"}])],
            {}, "pools[people].shifts[0].from", "a shift valid between dates needs",
        ),
        (
            [people(agents=None, shifts=[{
                "start": "08:00", "end": "16:00", "agents": 1, "from": "2027-01-05",
                "until": "2027-01-05"}])],
            {"start": START}, "pools[people].shifts[0]", "'until' (2027-01-05) must come after",
        ),
    ],
)
def test_dated_staffing_errors_are_located(
    pools: list[dict[str, Any]], top: dict[str, Any], key: str, message: str
) -> None:
    with pytest.raises(ScenarioError) as err:
        scenario_from_data(desk(pools=pools, **top), file="s.yaml")
    found = [(p.key, p.message) for p in err.value.problems]
    assert any(k == key and message in m for k, m in found), found


def test_a_headcount_map_is_not_a_number_to_optimize() -> None:
    """``optimize --vary pools.X.agents`` searches one headcount; a dated map says so."""
    from simdesk.optimize import plan_dimensions
    from simdesk.yamlload import LocatedDocument

    data = _dated({"2027-01-04": 3})
    doc = LocatedDocument(data, "s.yaml")
    with pytest.raises(SimdeskError, match="headcount by date"):
        plan_dimensions(doc, ["pools.people.agents=0:5"], scenario_from_data(data, "s.yaml"))
