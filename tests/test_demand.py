"""Demand over the calendar (docs/scenario-format.md, "Demand over the calendar").

Arrivals are counted straight from the arrival source (``engine.arrivals``), never from
the run's figures, so these tests check the demand model alone. Every statistical check
compares a count with its expectation from theory (the integral of the documented rate)
within 4 Poisson standard deviations, with a fixed seed.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from simdesk.calendar import DAY, HOUR, MONTH, Calendar
from simdesk.engine import simulate
from simdesk.engine.arrivals import ProfileArrivals, arrival_source
from simdesk.errors import ScenarioError
from simdesk.figures import run_figures
from simdesk.loading import scenario_from_data
from simdesk.reference import erlang_reference
from simdesk.scenario import Scenario
from simdesk.streams import Streams
from simdesk.workload import check_work, estimate_work


def desk(demand: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    """A one-pool desk with two types; ``demand`` keys replace the defaults."""
    d: dict[str, Any] = {
        "arrival_rate": "100/h",
        "types": [{"name": "a", "share": 0.6}, {"name": "b", "share": 0.4}],
    }
    d.update(demand or {})
    data: dict[str, Any] = {
        "seed": 5,
        "horizon": "7d",
        "demand": d,
        "pools": [
            {"name": "p", "kind": "inhouse", "agents": 3, "handle_time": "exponential(mean=1m)"}
        ],
        "routing": {"a": ["p"], "b": ["p"]},
    }
    data.update(top)
    return data


def load(data: dict[str, Any]) -> Scenario:
    return scenario_from_data(data, "desk.yaml")


def arrivals(s: Scenario, replication: int = 0) -> list[tuple[float, int]]:
    """(time, type index) of every fresh arrival in the run, from the source itself."""
    end = s.warmup + s.horizon
    out = []
    for t, row in arrival_source(s, Streams(s.seed, replication)):
        if t >= end:
            break
        out.append((t, row[1]))
    return out


def grown_integral(g: float, a: float, b: float, warmup: float = 0.0) -> float:
    """Integral over [a, b) of (1 + g) ** ((t - warmup) / MONTH), exactly."""
    if g == 0:
        return b - a
    k = math.log1p(g) / MONTH
    return (math.exp(k * (b - warmup)) - math.exp(k * (a - warmup))) / k


def assert_poisson_close(counts: dict[Any, int], expected: dict[Any, float]) -> None:
    """Each count within 4 standard deviations of its Poisson expectation."""
    for key, mu in expected.items():
        z = (counts.get(key, 0) - mu) / math.sqrt(mu) if mu > 0 else counts.get(key, 0)
        assert abs(z) < 4, (key, counts.get(key, 0), mu, z)


# ------------------------------------------------------------------ growth and months


def test_growth_compounds_month_by_month() -> None:
    # 5%/month over six mean months, no dates: the count in mean month k is
    # rate * integral of 1.05 ** (t / MONTH). Linear growth (1 + 0.05 k) would be off by
    # more than 5 standard deviations by the sixth month.
    s = load(desk({"growth": "5%/month"}, horizon="182.62125d"))
    rate = 100 / HOUR
    counts = Counter(int(t // MONTH) for t, _ in arrivals(s))
    expected = {k: rate * grown_integral(0.05, k * MONTH, (k + 1) * MONTH) for k in range(6)}
    assert_poisson_close(counts, expected)
    assert counts[5] / counts[0] == pytest.approx(1.05**5, rel=0.03)


def test_growth_and_month_weights_give_the_expected_arrivals_per_month() -> None:
    # A calendar year from 2027-01-01 with a day of warm-up before it: November and
    # December weigh 2 and 3 against 1 (normalised to a mean of 1), demand grows 2%/month
    # from the first measured moment (so it is a little lower in the warm-up).
    weights = [1.0] * 10 + [2.0, 3.0]
    s = load(
        desk(
            {"arrival_rate": "100/h", "growth": "2%/month", "months": weights},
            start="2027-01-01",
            warmup="1d",
            horizon="365d",
        )
    )
    cal = Calendar.of(s)
    months = [(2026, 12)] + [(2027, m) for m in range(1, 13)]
    # month i runs from edges[i] to edges[i + 1]: time 0 is 2026-12-31 00:00
    edges = [0.0] + [cal.time_of(date(y, m, 1)) for y, m in months[1:]] + [cal.end]
    counts = Counter(months[bisect_right(edges, t) - 1] for t, _ in arrivals(s))
    expected = {}
    for i, (_, m) in enumerate(months):
        w = weights[m - 1] * 12 / sum(weights)
        expected[months[i]] = 100 / HOUR * w * grown_integral(0.02, edges[i], edges[i + 1], DAY)
    assert_poisson_close(counts, expected)
    # December: weight 3 of a mean 14/12, and eleven months of 2% growth.
    assert counts[(2027, 12)] / counts[(2027, 1)] == pytest.approx(3 * 1.02**11, rel=0.03)


def test_negative_growth_shrinks_demand() -> None:
    s = load(desk({"growth": "-2%/month"}, horizon="182.62125d"))
    counts = Counter(int(t // MONTH) for t, _ in arrivals(s))
    rate = 100 / HOUR
    expected = {k: rate * grown_integral(-0.02, k * MONTH, (k + 1) * MONTH) for k in range(6)}
    assert_poisson_close(counts, expected)


def test_a_yearly_growth_rate_compounds_to_itself_over_twelve_months() -> None:
    s = load(desk({"growth": "10%/year"}))
    assert s.demand.growth is not None
    assert (1 + s.demand.growth) ** 12 == pytest.approx(1.10, rel=1e-12)


def test_special_dates_multiply_that_days_count() -> None:
    # A week from Monday 2027-11-22: Friday at 3x, Saturday closed, as a mapping and as a
    # list; each day's count is 2,400 expected, times its multiplier.
    for special in (
        {"2027-11-26": 3, "2027-11-27": 0},
        [{"date": "2027-11-26", "multiplier": 3}, {"date": "2027-11-27", "multiplier": 0}],
    ):
        s = load(desk({"special_dates": special}, start="2027-11-22", horizon="7d"))
        cal = Calendar.of(s)
        counts = Counter(cal.date_at(t) for t, _ in arrivals(s))
        days = [date(2027, 11, 22) + timedelta(days=i) for i in range(7)]
        mult = {date(2027, 11, 26): 3.0, date(2027, 11, 27): 0.0}
        assert counts[date(2027, 11, 27)] == 0
        expected = {d: 2400 * mult.get(d, 1.0) for d in days if mult.get(d, 1.0) > 0}
        assert_poisson_close(counts, expected)


def test_rates_follow_the_calendars_hour_of_the_week() -> None:
    # A start on a Wednesday gives Wednesday's rate on the first measured day.
    weekday = [1, 1, 5, 1, 1, 1, 1]
    s = load(desk({"weekday": weekday}, start="2027-01-06", horizon="1d"))
    n = len(arrivals(s))
    assert_poisson_close({"wed": n}, {"wed": 2400 * 5 * 7 / 11})


def test_hours_are_clock_hours_when_the_warmup_is_not_whole_hours() -> None:
    # Only 10:00-11:00 is open; with a 90-minute warm-up, time 0 is 22:30, and every
    # arrival must still fall between 10:00 and 11:00 on the clock.
    intraday = [0.0] * 24
    intraday[10] = 1.0
    s = load(desk({"intraday": intraday}, start="2027-01-04", warmup="90m", horizon="3d"))
    cal = Calendar.of(s)
    times = [t for t, _ in arrivals(s)]
    assert len(times) > 500
    assert {cal.hour_of_day(t) for t in times} == {10}


def test_a_weekday_desk_starting_midweek_after_a_partial_hour_warmup_gets_clock_hours() -> None:
    # Open 09:00-17:00 Monday to Friday; the run starts on a Wednesday after a 90-minute
    # warm-up, so time 0 is Tuesday 22:30: neither a Monday nor a whole hour. The rate of
    # each hour is the clock's (the week's profile read through the Calendar), so no
    # arrival falls outside the open hours, and the run counts none there either.
    intraday = [0.0] * 9 + [1.0] * 8 + [0.0] * 7
    data = desk(
        {"intraday": intraday, "weekday": [1, 1, 1, 1, 1, 0, 0]},
        start="2027-01-06", warmup="90m", horizon="7d",
    )
    s = load(data)
    cal = Calendar.of(s)
    assert cal.weekday(0.0) == 1 and cal.seconds_into_day(0.0) == 22.5 * HOUR
    times = [t for t, _ in arrivals(s)]
    assert len(times) > 1000
    outside = [t for t in times if not (9 <= cal.hour_of_day(t) < 17 and cal.weekday(t) < 5)]
    assert outside == []
    # Every open hour of the week gets arrivals (the rate is not shifted onto closed hours).
    assert {(cal.weekday(t), cal.hour_of_day(t)) for t in times} == {
        (d, h) for d in range(5) for h in range(9, 17)
    }
    figures = run_figures(simulate(s))
    offered = {h: f["offered"] for h, f in enumerate(figures.week_hours) if f["offered"] > 0}
    assert offered and all(9 <= h % 24 < 17 and h < 5 * 24 for h in offered)


# ------------------------------------------------------------------ daily busyness


def dispersion(counts: list[int]) -> float:
    mean = sum(counts) / len(counts)
    var = sum((c - mean) ** 2 for c in counts) / (len(counts) - 1)
    return var / mean


@pytest.mark.parametrize("cv", [0.0, 0.2])
def test_daily_busyness_gives_the_index_of_dispersion_of_daily_counts(cv: float) -> None:
    # Daily counts N with E[N] = L and a gamma(mean 1, cv) factor per day: Var/E = 1 + L cv^2
    # (docs/sources.md). The sample variance over D days has a relative standard error of
    # about sqrt(2 / (D - 1) + k / D), k the excess kurtosis of N (6 cv^2 = 0.24 at most
    # here); 4 of those is the tolerance, with D = 2,000 days at L = 120 a day.
    days = 2000
    demand: dict[str, Any] = {"arrival_rate": "5/h"}
    if cv:
        demand["daily_busyness"] = {"cv": cv}
    s = load(desk(demand, horizon=f"{days}d"))
    per_day = Counter(int(t // DAY) for t, _ in arrivals(s))
    counts = [per_day.get(d, 0) for d in range(days)]
    mean_daily = 120.0
    expected = 1 + mean_daily * cv**2
    rel_se = math.sqrt(2 / (days - 1) + 6 * cv**2 / days)
    assert dispersion(counts) == pytest.approx(expected, rel=4 * rel_se)
    # The factor has mean 1: the mean daily count stays at L (sd of the mean from the
    # variance above).
    assert sum(counts) / days == pytest.approx(
        mean_daily, abs=4 * math.sqrt(expected * mean_daily / days)
    )


def test_each_days_busyness_has_its_own_stream_so_the_warmup_does_not_shift_it() -> None:
    # The same dates with one or two days of warm-up before them get the same factors:
    # each day's factor comes from a stream named for its date.
    def daily(warmup: str) -> dict[date | None, int]:
        s = load(
            desk(
                {"daily_busyness": {"cv": 0.5}, "arrival_rate": "5/h"},
                start="2027-03-01",
                warmup=warmup,
                horizon="5d",
            )
        )
        rates = ProfileArrivals(s, Streams(s.seed)).hourly
        assert rates is not None
        cal = Calendar.of(s)
        return {
            cal.date_at(cal.warmup + i * DAY): round(
                rates.day_factor(int((cal.warmup + i * DAY + cal.offset) // DAY)), 12
            )
            for i in range(5)
        }

    one, two = daily("1d"), daily("2d")
    assert one == two
    assert len(set(one.values())) == 5  # and they do vary from day to day


# ------------------------------------------------------------------ common random numbers


def test_changing_staffing_does_not_change_arrival_times_or_types() -> None:
    demand = {
        "weekday": [1.2, 1.1, 1, 1, 1, 0.8, 0.6],
        "intraday": [0.2] * 7 + [1.5] * 12 + [0.5] * 5,
        "growth": "3%/month",
        "months": [1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        "special_dates": {"2027-03-03": 2},
        "daily_busyness": {"cv": 0.3},
    }
    few = desk(demand, start="2027-03-03", warmup="2h", horizon="7d")
    many = desk(demand, start="2027-03-03", warmup="2h", horizon="7d")
    many["pools"][0]["agents"] = 9
    a, b = load(few), load(many)
    assert arrivals(a) == arrivals(b)
    # And in whole runs (no follow-ups, so offered counts only fresh arrivals): the same
    # contacts per type and hour, with different waits.
    for data in (few, many):
        data["customers"] = {"patience": "exponential(mean=1m)", "repeat": {"probability": 0}}
    ra, rb = simulate(load(few)), simulate(load(many))
    offered = [[[c.offered for c in cells] for cells in r.cells] for r in (ra, rb)]
    assert offered[0] == offered[1]
    assert sum(map(sum, offered[0])) > 1000
    waits = [sum(c.wait_sum for cells in r.cells for c in cells) for r in (ra, rb)]
    assert waits[0] != waits[1]


# ------------------------------------------------------------------ rules and estimates


@pytest.mark.parametrize(
    ("demand", "top", "key", "says"),
    [
        ({"months": [1] * 12}, {}, "demand.months", "month weights need dates"),
        ({"special_dates": {"2027-01-01": 2}}, {}, "demand.special_dates", "need dates"),
        ({"months": [1] * 11}, {"start": "2027-01-01"}, "demand.months", "expected 12"),
        ({"growth": "2%"}, {}, "demand.growth", "such as 2%/month"),
        ({"growth": 0.02}, {}, "demand.growth", "such as 2%/month"),
        ({"growth": "-100%/month"}, {}, "demand.growth", "above -100%"),
        ({"daily_busyness": {"cv": 11}}, {}, "demand.daily_busyness.cv", "10"),
        (
            {"special_dates": [{"date": "2027-01-01", "multiplier": 2},
                               {"date": "2027-01-01", "multiplier": 3}]},
            {"start": "2027-01-01"},
            "demand.special_dates",
            "repeated",
        ),
        ({"special_dates": {"2027-01-01": -1}}, {"start": "2027-01-01"},
         "demand.special_dates", "at least 0"),
    ],
)
def test_demand_over_time_mistakes_are_located(
    demand: dict[str, Any], top: dict[str, Any], key: str, says: str
) -> None:
    with pytest.raises(ScenarioError) as err:
        load(desk(demand, **top))
    text = str(err.value)
    assert key in text and says in text, text


def test_arrival_rate_is_required_without_a_trace() -> None:
    data = desk()
    del data["demand"]["arrival_rate"]
    with pytest.raises(ScenarioError, match="'arrival_rate' is required"):
        load(data)


def test_a_type_without_a_share_is_an_error_with_an_arrival_rate() -> None:
    data = desk()
    del data["demand"]["types"][1]["share"]
    with pytest.raises(ScenarioError, match=r"demand\.types\[b\].*'share' is required"):
        load(data)


def test_the_work_estimate_counts_growth_months_and_special_dates() -> None:
    base = estimate_work(load(desk(horizon="365d", start="2027-01-01")))
    assert base.inquiries_per_replication == pytest.approx(100 * 24 * 365)
    grown = estimate_work(load(desk({"growth": "2%/month"}, horizon="365d", start="2027-01-01")))
    year = 365 * DAY
    expected = 100 / HOUR * grown_integral(0.02, 0.0, year)
    assert grown.inquiries_per_replication == pytest.approx(expected, rel=1e-9)
    special = estimate_work(
        load(desk({"special_dates": {"2027-01-04": 11}}, horizon="7d", start="2027-01-04"))
    )
    assert special.inquiries_per_replication == pytest.approx(2400 * 7 + 2400 * 10)
    months = estimate_work(
        load(desk({"months": [0] * 11 + [1]}, horizon="365d", start="2027-01-01"))
    )
    assert months.inquiries_per_replication == pytest.approx(100 * 24 * 31 * 12)
    # A sale day at a billion times the rate is refused before anything runs.
    with pytest.raises(ScenarioError, match=r"demand\.arrival_rate.*special_dates"):
        check_work(load(desk({"special_dates": {"2027-01-05": 1e9}}, start="2027-01-04")))


def test_no_erlang_formula_for_demand_that_varies_over_time() -> None:
    flat = load(desk())
    assert erlang_reference(flat) is not None
    for extra in ({"growth": "1%/month"}, {"daily_busyness": {"cv": 0.1}}):
        assert erlang_reference(load(desk(extra))) is None


def test_new_keys_stay_out_of_the_inputs_when_absent() -> None:
    dumped = load(desk()).model_dump(mode="json")["demand"]
    assert set(dumped) == {"arrival_rate", "intraday", "weekday", "types"}
    given = load(desk({"growth": "2%/month", "daily_busyness": {"cv": 0.1}}))
    dumped = given.model_dump(mode="json")["demand"]
    assert dumped["growth"] == "2%/month" and dumped["daily_busyness"] == {"cv": 0.1}
