"""Shift windows and shift overrun (docs/scenario-format.md, "Shifts").

Staffed time is read through two figures that make it visible exactly: a pool's hourly
cost (`per_hour` x staffed agent-hours) and the interval occupancy, which is NaN in an
hour of the day when nobody was staffed and 0 when staff were on duty but idle (handle
times of 0 s keep everyone idle). Time 0 is Monday 00:00.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from rulekit import FLOOD, desk, people, run

from simdesk.loading import scenario_from_data
from simdesk.scenario import overload_without_patience


def _staffed(
    shifts: list[dict[str, Any]], horizon: str = "7d", **top: Any
) -> tuple[float, set[int]]:
    """(paid agent-hours, hours of the day with anyone on duty) for a pool on ``shifts``."""
    data = desk(
        pools=[
            people(
                agents=None,
                shifts=shifts,
                handle_time="fixed(0s)",
                cost={"per_hour": 1},
            )
        ],
        rate="1/h",
        horizon=horizon,
        **top,
    )
    figs = run(data)
    hours = {h for h, f in enumerate(figs.intervals) if not math.isnan(f["occupancy"])}
    return figs.pools["people"]["cost_total"], hours


def test_a_day_shift_is_on_duty_exactly_at_its_stated_times_and_days() -> None:
    """mon-fri 08:00-16:00 with 2 agents over one week: 5 days x 8 h x 2 agents = 80 paid
    hours, and staff on duty in the hours of the day 8..15 and in no other."""
    paid, hours = _staffed([{"days": "mon-fri", "start": "08:00", "end": "16:00", "agents": 2}])
    assert paid == pytest.approx(80.0, rel=1e-12)
    assert hours == set(range(8, 16))


def test_half_hours_are_honoured() -> None:
    """08:30-12:15 on Wednesdays only: 3.75 h a week; on duty in the hours 8..12."""
    paid, hours = _staffed([{"days": "wed", "start": "08:30", "end": "12:15", "agents": 1}])
    assert paid == pytest.approx(3.75, rel=1e-12)
    assert hours == set(range(8, 13))


@pytest.mark.parametrize(
    ("days", "count"),
    [("sat,sun", 2), ("fri-mon", 4), ("all", 7), ("tue", 1), (["mon", "wed", "fri"], 3)],
)
def test_days_pick_the_weekdays_a_shift_starts_on(days: object, count: int) -> None:
    """Days: ranges, lists and wrapping ranges; a 10:00-12:00 shift on ``count`` days a week
    is paid 2 h x count."""
    paid, hours = _staffed([{"days": days, "start": "10:00", "end": "12:00", "agents": 1}])
    assert paid == pytest.approx(2.0 * count, rel=1e-12)
    assert hours == {10, 11}


def test_which_days_a_shift_runs_on() -> None:
    """A shift on Tuesdays only, over Monday and Tuesday (2 d): on duty on the Tuesday (8 h
    paid). Over Monday alone: never on duty (0 paid, no staffed hour)."""
    shift = [{"days": "tue", "start": "09:00", "end": "17:00", "agents": 1}]
    assert _staffed(shift, horizon="2d")[0] == pytest.approx(8.0, rel=1e-12)
    paid, hours = _staffed(shift, horizon="1d")
    assert paid == 0.0 and hours == set()


def test_an_overnight_shift_runs_into_the_next_day() -> None:
    """"an end earlier than start runs past midnight into the next day (22:00 to 06:00)";
    `days` are the days it *starts*. Monday 22:00 to Tuesday 06:00, over 2 days: 8 paid
    hours, on duty in the hours 22, 23 and 0..5."""
    shift = [{"days": "mon", "start": "22:00", "end": "06:00", "agents": 1}]
    paid, hours = _staffed(shift, horizon="2d")
    assert paid == pytest.approx(8.0, rel=1e-12)
    assert hours == {22, 23, 0, 1, 2, 3, 4, 5}
    # over Monday alone only its first 2 hours fall in the run
    assert _staffed(shift, horizon="1d")[0] == pytest.approx(2.0, rel=1e-12)


def test_an_overnight_shift_from_the_sunday_before_time_0_is_on_duty_from_time_0() -> None:
    """"An overnight shift that started on the day before time 0 (a Sunday) is on duty
    from time 0". Sundays 22:00-06:00 over one week: Monday 00:00-06:00 (from the Sunday
    before the run) plus Sunday 22:00-24:00 at the end = 8 paid hours."""
    shift = [{"days": "sun", "start": "22:00", "end": "06:00", "agents": 1}]
    paid, hours = _staffed(shift)
    assert paid == pytest.approx(8.0, rel=1e-12)
    assert hours == {22, 23, 0, 1, 2, 3, 4, 5}


def test_00_00_to_24_00_is_the_whole_day() -> None:
    """Clock times run to 24:00 (the end of the day): 00:00-24:00 every day is always on
    duty (168 h a week, every hour staffed), and 16:00-24:00 is 8 hours."""
    paid, hours = _staffed([{"days": "all", "start": "00:00", "end": "24:00", "agents": 1}])
    assert paid == pytest.approx(168.0, rel=1e-12)
    assert hours == set(range(24))
    paid, hours = _staffed([{"days": "mon", "start": "16:00", "end": "24:00", "agents": 1}])
    assert paid == pytest.approx(8.0, rel=1e-12)
    assert hours == set(range(16, 24))


def test_overlapping_shifts_add_up() -> None:
    """"Shifts of one pool add up": 07:00-15:00 x 3 and 13:00-21:00 x 2 on one Monday:
    24 + 16 = 40 paid hours."""
    paid, _ = _staffed(
        [
            {"days": "mon", "start": "07:00", "end": "15:00", "agents": 3},
            {"days": "mon", "start": "13:00", "end": "21:00", "agents": 2},
        ],
        horizon="1d",
    )
    assert paid == pytest.approx(40.0, rel=1e-12)


def test_agents_off_shift_answer_nobody() -> None:
    """Contacts arriving while nobody is on duty wait for the next shift: a 08:00-16:00
    shift of 5 agents (mostly idle: 60/h, 1-minute contacts) over one day, patience 1 h.
    Those arriving before 07:00 (whose patience ends before 08:00) all abandon, and so do
    all arriving from 16:00 on: the idle agents went home at 16:00 and take nobody."""
    data = desk(
        pools=[
            people(
                agents=None,
                shifts=[{"days": "all", "start": "08:00", "end": "16:00", "agents": 5}],
            )
        ],
        customers={"patience": "fixed(1h)"},
        horizon="1d",
    )
    figs = run(data)
    for h in [*range(7), *range(16, 23)]:
        hour = figs.intervals[h]
        assert hour["offered"] > 0
        assert hour["abandonment_rate"] == 1.0, h
    # at 08:00 everyone still waiting (arrived 07:00-08:00) is answered
    assert figs.intervals[7]["handled"] == figs.intervals[7]["offered"]


# ---------------------------------------------------------------------- overrun


def _overrun() -> Any:
    """One agent on Monday 00:00-01:00, 50-minute contacts, a flood, 3 hours, 60 an hour.

    The first contact arrives at a (a few seconds) and ends at 50 min + a; the second starts
    then and ends at 100 min + a, after the shift. The agent finishes it and takes no
    other: 2 handled. Paid and staffed until 100 min + a: cost 60 x (100 min + a) / 60 min
    = 100 + a / 60 s (in [100, 100.5] for a < 30 s). In the hour 01:00-02:00 the agent is
    staffed exactly while busy: that hour's occupancy is 1.
    """
    data = desk(
        pools=[
            people(
                agents=None,
                shifts=[{"days": "mon", "start": "00:00", "end": "01:00", "agents": 1}],
                handle_time="fixed(50m)",
                cost={"per_hour": 60},
            )
        ],
        rate=FLOOD,
        horizon="3h",
    )
    return run(data)


def test_overrun_is_staffed_and_paid() -> None:
    """Shifts: "When a shift ends, its agents ... finish the ones in hand; until they do,
    they count as staffed (and are paid), so occupancy and cost include that overrun"."""
    figs = _overrun()
    assert 100.0 <= figs.pools["people"]["cost_total"] <= 100.5
    assert figs.intervals[1]["occupancy"] == pytest.approx(1.0, rel=1e-9)
    assert figs.intervals[2]["occupancy"] != figs.intervals[2]["occupancy"]  # NaN: gone home


def test_agents_take_no_new_contact_after_their_shift() -> None:
    """"its agents stop taking new contacts but finish the ones in hand": exactly the two
    contacts of the overrun desk are handled, although thousands wait."""
    figs = _overrun()
    assert figs.totals["handled"] == 2
    assert figs.totals["in_system"] > 1000


def test_the_overload_warning_counts_a_00_00_to_24_00_shift_as_a_whole_day() -> None:
    """Without patience, the overload check compares the work arriving with the agents on
    duty on average. 10 agents on 00:00-24:00 every day are 10 agents, not 0: 60/h of 3
    minutes (3 agents' worth) is no overload; 16:00-24:00 on all days is a third of them."""

    def over(start: str, end: str, agents: int) -> tuple[float, float] | None:
        shifts = [{"days": "all", "start": start, "end": end, "agents": agents}]
        data = desk(pools=[people(agents=None, shifts=shifts, handle_time="fixed(3m)")])
        return overload_without_patience(scenario_from_data(data, file="<rule test>"))

    assert over("00:00", "24:00", 10) is None
    assert over("16:00", "24:00", 6) == pytest.approx((3.0, 2.0))  # 6 x 8/24 agents
    assert over("22:00", "06:00", 12) is None  # overnight: 12 x 8/24 = 4 agents for 3
