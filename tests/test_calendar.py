"""The run's clock on the calendar (simdesk/calendar.py): one rule for every part."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from simdesk.calendar import DAY, HOUR, Calendar


def test_start_is_the_first_measured_day_and_the_warmup_runs_before_it() -> None:
    cal = Calendar(date(2027, 1, 6), warmup=DAY, horizon=10 * DAY)  # a Wednesday
    assert cal.date_at(cal.warmup) == date(2027, 1, 6)
    assert cal.date_at(0.0) == date(2027, 1, 5)
    assert cal.weekday(cal.warmup) == 2
    assert cal.hour_of_week(cal.warmup + 5 * HOUR) == 2 * 24 + 5


def test_without_a_start_time_zero_is_a_monday_midnight() -> None:
    cal = Calendar(None, warmup=3 * HOUR, horizon=DAY)
    assert cal.offset == 0.0
    assert cal.hour_of_week(0.0) == 0
    assert cal.hour_of_day(27 * HOUR) == 3
    assert cal.date_at(0.0) is None
    with pytest.raises(ValueError, match="start date"):
        cal.periods("month")


def test_periods_cover_the_measured_span_exactly_and_cut_at_the_calendar() -> None:
    cal = Calendar(date(2027, 1, 6), warmup=2 * HOUR, horizon=60 * DAY)
    for kind in ("day", "week", "month"):
        ps = cal.periods(kind)
        assert ps[0].t0 == cal.warmup and ps[-1].t1 == cal.end
        assert all(a.t1 == b.t0 for a, b in pairwise(ps))
    weeks = cal.periods("week")
    assert weeks[0].start == date(2027, 1, 4)  # the Monday of the first, partial week
    assert cal.date_at(weeks[1].t0) == date(2027, 1, 11) and cal.seconds_into_day(weeks[1].t0) == 0
    months = cal.periods("month")
    assert [m.label for m in months] == ["2027-01", "2027-02", "2027-03"]
    assert cal.date_at(months[1].t0) == date(2027, 2, 1)
    assert len(cal.periods("day")) == 60


def test_hour_marks_and_midnights_follow_the_clock_not_time_zero() -> None:
    cal = Calendar(date(2027, 1, 4), warmup=90 * 60, horizon=DAY)  # time 0 is 22:30
    assert cal.seconds_into_day(0.0) == 22.5 * HOUR
    assert cal.next_hour(0.0) == 30 * 60
    assert cal.next_midnight(0.0) == 90 * 60
