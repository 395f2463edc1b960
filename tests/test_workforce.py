"""A pool's people over months, planned before the run (simdesk/workforce.py).

Statistical checks use fixed seeds and compare with the model's own theory, with
tolerances from the number of people and days drawn (binomial or chi-square spreads);
the rules of the plan (replacement after the lead time, classes on their dates, hire up
to a target, periods that reconcile) are checked exactly.
"""

from __future__ import annotations

import itertools
import math
from datetime import date
from typing import Any

import numpy as np
import pytest

from simdesk.calendar import DAY, MONTH, Calendar
from simdesk.scenario import Learning, Pool, ReplaceHiring, Workforce
from simdesk.streams import Streams
from simdesk.workforce import (
    YEAR,
    LearningCurve,
    Person,
    WorkforcePlan,
    cost_per_hire,
    hiring_policy,
    learning_factor,
    plan_for,
)

START = date(2027, 1, 4)  # a Monday
TRAINING = 4.2 * 7 * DAY  # the documented default
LEAD = 74 * DAY


def pool(agents: int, workforce: dict[str, Any], kind: str = "inhouse", name: str = "p") -> Pool:
    return Pool.model_validate(
        {"name": name, "kind": kind, "agents": agents, "handle_time": "exponential(mean=3m)",
         "workforce": workforce}
    )


def plan(p: Pool, horizon: float = 365 * DAY, start: date | None = START, seed: int = 1,
         warmup: float = 0.0) -> WorkforcePlan:
    result = plan_for(p, Calendar(start, warmup, horizon), Streams(seed))
    assert result is not None
    return result


def employed(people: tuple[Person, ...], t: float) -> int:
    """Counted person by person, not from the plan's events or counts."""
    return sum(p.employed(t) for p in people)


def within_binomial(count: int, n: int, prob: float, sds: float = 4.0) -> bool:
    return abs(count - n * prob) <= sds * math.sqrt(n * prob * (1 - prob))


# -- attrition ----------------------------------------------------------------------------


def test_without_hiring_headcount_decays_at_the_yearly_rate() -> None:
    """A yearly rate of 20% is 0.2 leavers per head per year: survival exp(-0.2 t). With
    20,000 people, a reading of 20% as 'one in five gone after a year' (survival 0.8)
    lies 7 binomial sds away at a year, so the test tells the two apart."""
    n = 20_000
    result = plan(pool(n, {"attrition": {"yearly": "20%"}}), horizon=400 * DAY)
    for months in (3, 6, 12):
        t = months * MONTH
        survival = math.exp(-0.2 * t / YEAR)
        assert within_binomial(employed(result.people, t), n, survival), months
    assert not any(not p.initial for p in result.people)  # no hiring by default in-house


def test_first_90_days_share_leaves_within_90_days_of_hire_then_the_yearly_rate() -> None:
    n = 20_000
    wf = {
        "attrition": {"yearly": "20%", "first_90_days": "25%"},
        "hiring": {"classes": [{"date": "2027-01-04", "count": n}]},
    }
    result = plan(pool(0, wf), horizon=300 * DAY)
    hires = [p for p in result.people if not p.initial]
    assert len(hires) == n
    early = sum(p.leaves_at - p.hired_at < 90 * DAY for p in hires)
    assert within_binomial(early, n, 0.25)
    stayed = [p for p in hires if p.leaves_at - p.hired_at >= 90 * DAY]
    later = sum(p.leaves_at - p.hired_at < 180 * DAY for p in stayed)
    assert within_binomial(later, len(stayed), 1 - math.exp(-0.2 * 90 * DAY / YEAR))


def test_long_standing_staff_do_not_get_the_first_90_days_hazard() -> None:
    n = 20_000
    wf = {"attrition": {"yearly": "20%", "first_90_days": "25%"}}
    result = plan(pool(n, wf), horizon=100 * DAY)
    gone = n - employed(result.people, 90 * DAY)
    assert within_binomial(gone, n, 1 - math.exp(-0.2 * 90 * DAY / YEAR))


def test_existing_staff_with_short_tenure_are_still_in_training_and_early() -> None:
    wf = {"attrition": {"yearly": "20%", "first_90_days": "25%"}, "tenure": ["10d", "400d"]}
    result = plan(pool(2, wf))
    short, _long = result.people
    assert short.hired_at == -10 * DAY and short.available_from == -10 * DAY + TRAINING
    assert result.on_duty_at_start == 1 and result.employed_at_start == 2
    assert any(e.kind == "join" and e.person == 0 for e in result.events)


# -- hiring -------------------------------------------------------------------------------


def test_replacement_hiring_dips_for_the_lead_time_and_recovers() -> None:
    n = 60
    wf = {"attrition": {"yearly": "30%"}, "hiring": {"replace": {"lead_time": "74d"}}}
    result = plan(pool(n, wf), horizon=2 * 365 * DAY)
    end = result.calendar.end
    leaves = sorted(p.leaves_at for p in result.people if p.leaves_at < end)
    hires = sorted(p.hired_at for p in result.people if not p.initial)
    # Every leave orders one hire, on the floor exactly the lead time later.
    assert hires == [t + LEAD - TRAINING for t in leaves if t + LEAD - TRAINING < end]
    assert len(leaves) > 20
    in_training = [p for p in result.people if p.hired_at <= p.leaves_at < p.available_from]
    assert not in_training  # this seed: nobody leaves in training, so the identity below is exact
    for t in np.linspace(LEAD, end - 1, 200):
        vacant = sum(t - LEAD < leave <= t for leave in leaves)
        assert result.on_duty_at(t) == n - vacant
    assert result.on_duty_at(end - 1) <= n
    # and it recovers: after a quiet lead time, everyone is back
    quiet = [t for t in leaves if not any(t < other <= t + LEAD for other in leaves)]
    assert quiet and all(result.on_duty_at(t + LEAD) == n for t in quiet if t + LEAD < end)


def test_a_leaver_in_training_is_replaced_too() -> None:
    wf = {"attrition": {"yearly": "30%", "first_90_days": "60%"},
          "hiring": {"replace": {"lead_time": "74d"}}}
    result = plan(pool(60, wf), horizon=2 * 365 * DAY)
    end = result.calendar.end
    in_training = [p for p in result.people if p.hired_at <= p.leaves_at < p.available_from]
    assert len(in_training) >= 3
    leaves = sorted(p.leaves_at for p in result.people if p.leaves_at < end)
    hires = sorted(p.hired_at for p in result.people if not p.initial)
    assert hires == [t + LEAD - TRAINING for t in leaves if t + LEAD - TRAINING < end]


def test_hiring_classes_add_on_their_dates_and_join_after_training() -> None:
    wf = {"hiring": {"classes": [{"date": "2027-02-01", "count": 12},
                                 {"date": "2027-03-01", "count": 5}]}}
    result = plan(pool(20, wf), horizon=120 * DAY)
    cal = result.calendar
    feb, mar = cal.time_of(date(2027, 2, 1)), cal.time_of(date(2027, 3, 1))
    assert employed(result.people, feb - 1) == 20
    assert employed(result.people, feb) == 32
    assert employed(result.people, mar) == 37
    assert result.on_duty_at(feb + TRAINING - 1) == 20
    assert result.on_duty_at(feb + TRAINING) == 32
    months = {c.period.label: c for c in result.counts("month")}
    assert months["2027-02"].hires == 12 and months["2027-03"].hires == 5
    assert months["2027-01"].hires == 0
    late = plan(pool(20, {"hiring": {"classes": [{"date": "2028-01-03", "count": 5}]}}),
                horizon=120 * DAY)
    assert len(late.people) == 20 and not late.events  # a class after the run: nothing


def _position(result: WorkforcePlan, t: float, lead: float) -> int:
    """Employed at ``t`` plus hires already decided (ordered lead - training before)."""
    ordered = sum(
        p.hired_at - (lead - TRAINING) <= t < p.hired_at for p in result.people if not p.initial
    )
    return employed(result.people, t) + ordered


def test_hire_up_to_keeps_employed_plus_ordered_at_the_target_at_every_review() -> None:
    wf = {"attrition": {"yearly": "25%"}, "hiring": {"up_to": {"target": 40, "lead_time": "74d"}}}
    result = plan(pool(30, wf), horizon=365 * DAY)
    cal = result.calendar
    reviews = [0.0] + [m.t0 for m in cal.periods("month")[1:]]
    # (orders whose hire would fall after the run are not drawn)
    for t in [t for t in reviews if t + LEAD - TRAINING < cal.end]:
        assert _position(result, t, LEAD) == 40, cal.date_at(t)
    assert max(employed(result.people, t) for t in np.linspace(0, cal.end - 1, 500)) <= 40
    # people join 74 days after the first review and then stay near the target: the shortfall
    # is the attrition over the lead time and a month between reviews
    later = [employed(result.people, t) for t in np.linspace(LEAD, cal.end - 1, 300)]
    assert 40 - 0.25 * 40 * (LEAD + MONTH) / YEAR - 3 <= np.mean(later) <= 40


def test_hire_up_to_a_target_by_month_looks_the_lead_time_ahead() -> None:
    wf = {"hiring": {"up_to": {"target": {"2027-01": 30, "2027-06": 50}, "lead_time": "74d"}}}
    result = plan(pool(30, wf), horizon=300 * DAY)
    cal = result.calendar
    mar, apr = cal.time_of(date(2027, 3, 1)), cal.time_of(date(2027, 4, 1))
    assert _position(result, mar, LEAD) == 30  # March 1 + 74 days is still May
    assert _position(result, apr, LEAD) == 50  # April 1 + 74 days is in June
    assert result.on_duty_at(apr + LEAD) == 50
    assert result.on_duty_at(apr + LEAD - 1) == 30
    # before the first month given the target is 0: nobody is hired for June in January
    june_only = plan(pool(10, {"hiring": {"up_to": {"target": {"2027-06": 50}}}}),
                     horizon=300 * DAY)
    assert _position(june_only, mar, LEAD) == 10
    assert _position(june_only, apr, LEAD) == 50


def test_hire_up_to_never_dismisses_and_reviews_every_mean_month_without_dates() -> None:
    falling = {"hiring": {"up_to": {"target": {"2027-01": 40, "2027-03": 20}}}}
    result = plan(pool(40, falling), horizon=200 * DAY)
    assert len(result.people) == 40 and not result.events
    undated = {"attrition": {"yearly": "30%"}, "hiring": {"up_to": {"target": 40}}}
    result = plan(pool(30, undated), horizon=200 * DAY, start=None)
    for k in range(int(result.calendar.end // MONTH) - 2):
        assert _position(result, k * MONTH, LEAD) == 40, k
    # between reviews a leaver is not replaced at once
    leave = next(p.leaves_at for p in result.people if 0 < p.leaves_at % MONTH < MONTH / 2)
    assert _position(result, leave, LEAD) < 40


def dated(counts: dict[str, int], workforce: dict[str, Any], kind: str = "inhouse") -> Pool:
    return Pool.model_validate(
        {"name": "p", "kind": kind, "agents": counts, "handle_time": "exponential(mean=3m)",
         "workforce": workforce}
    )


def test_a_dated_headcount_is_kept_hiring_on_a_rise_and_releasing_the_last_hired() -> None:
    """``agents`` by date with a workforce (docs: "In the run"): on a rise the missing
    people are hired at 00:00 of the date (in training first); on a fall the people hired
    last leave then (those in training first), counted as leavers and not replaced."""
    wf = {"training": "10d", "hiring": {"classes": [{"date": "2027-02-15", "count": 2}]}}
    counts = {"2027-01-04": 5, "2027-02-01": 8, "2027-03-01": 6, "2027-04-05": 3}
    result = plan(dated(counts, wf), horizon=150 * DAY)
    cal = result.calendar
    feb, feb15, mar, apr = (cal.time_of(date(2027, m, d)) for m, d in
                            ((2, 1), (2, 15), (3, 1), (4, 5)))
    assert employed(result.people, feb - 1) == 5
    assert employed(result.people, feb) == 8  # three hired on the date
    assert result.on_duty_at(feb) == 5 and result.on_duty_at(feb + 10 * DAY) == 8
    assert employed(result.people, feb15) == 10  # the class comes on top
    assert employed(result.people, mar) == 6
    released = sorted((p for p in result.people if p.leaves_at == mar), key=lambda p: p.id)
    # the class (ids 8, 9, hired last), then two of the hires of February 1 (5-7)
    assert [p.id for p in released] == [6, 7, 8, 9]
    assert employed(result.people, apr) == 3
    # the last hire of February 1, then the existing staff (alike: the highest ids first)
    assert {p.id for p in result.people if p.leaves_at == apr} == {3, 4, 5}
    months = {c.period.label: c for c in result.counts("month")}
    assert (months["2027-03"].leavers, months["2027-04"].leavers) == (4, 3)
    assert all(c.start + c.hires - c.leavers == c.end for c in months.values())


def test_a_falling_dated_headcount_cancels_replacements_not_yet_hired() -> None:
    """A vendor stepping down: its leavers are replaced (the vendor default), but from the
    date of a lower headcount no pending replacement takes the pool above it."""
    wf = {"attrition": {"yearly": "100%"}, "training": "14d",
          "hiring": {"replace": {"lead_time": "90d"}}}
    counts = {"2027-01-04": 12, "2027-04-05": 6}
    result = plan(dated(counts, wf, kind="vendor"), horizon=250 * DAY)
    cal = result.calendar
    apr = cal.time_of(date(2027, 4, 5))
    before = [employed(result.people, t) for t in np.linspace(0, apr - 1, 400)]
    after = [employed(result.people, t) for t in np.linspace(apr, cal.end - 1, 400)]
    assert max(before) == 12 and min(before) < 12  # leavers replaced after a lead time
    assert employed(result.people, apr) == 6 and max(after) == 6
    # pending replacements were cancelled, not released on arrival: everyone hired after
    # the step was hired for a leaver after it
    late = [p for p in result.people if not p.initial and p.hired_at > apr]
    assert late and all(p.hired_at - (90 - 14) * DAY >= apr for p in late)


def test_periods_reconcile_start_plus_hires_minus_leavers_is_end() -> None:
    wf = {
        "attrition": {"yearly": "40%", "first_90_days": "20%"},
        "tenure": "exponential(mean=400d)",
        "hiring": {"replace": {"lead_time": "60d"},
                   "classes": [{"date": "2027-03-15", "count": 9}]},
        "absence": {"daily": "5%"},
    }
    result = plan(pool(50, wf), horizon=200 * DAY, warmup=3 * DAY)
    for kind in ("day", "week", "month"):
        counts = result.counts(kind)  # type: ignore[arg-type]
        for c in counts:
            assert c.start + c.hires - c.leavers == c.end
            assert c.start == employed(result.people, c.period.t0 - 1e-6)
            assert c.end == employed(result.people, c.period.t1 - 1e-6)
            assert c.start == result.employed_before(c.period.t0)
            assert c.hires == sum(
                not p.initial and c.period.t0 <= p.hired_at < c.period.t1 for p in result.people
            )
        assert all(a.end == b.start for a, b in itertools.pairwise(counts))
        assert sum(c.hires for c in counts) == sum(
            not p.initial and p.hired_at >= result.calendar.warmup for p in result.people
        )


def test_events_replay_to_the_people() -> None:
    """The headcount events, summed, give the people on the floor and present at any time."""
    wf = {"attrition": {"yearly": "40%"}, "tenure": "exponential(mean=200d)",
          "hiring": {"replace": {}}, "absence": {"daily": "8%", "correlation": 0.1}}
    result = plan(pool(40, wf), horizon=150 * DAY)
    spells: dict[int, list[tuple[float, float]]] = {}
    on = result.on_duty_at_start
    for e in result.events:
        on += e.on_duty
        assert on >= 0
        if e.kind == "absent":
            spells.setdefault(e.person, []).append((e.t, result.calendar.end))
        elif e.kind == "back":
            spells[e.person][-1] = (spells[e.person][-1][0], e.t)
    assert [e.t for e in result.events] == sorted(e.t for e in result.events)
    for t in np.linspace(0, result.calendar.end - 1, 300):
        direct = sum(
            p.available_from <= t < p.leaves_at
            and not any(a <= t < b for a, b in spells.get(p.id, []))
            for p in result.people
        )
        assert result.on_duty_at(t) == direct


def test_each_persons_events_alternate_on_and_off_even_at_one_instant() -> None:
    """Training of whole days puts a class's first day on the floor at midnight, the
    instant an absent day starts: the join comes first, then the absence."""
    wf = {"training": "28d", "absence": {"daily": "50%"}, "attrition": {"yearly": "90%"},
          "hiring": {"classes": [{"date": "2027-01-11", "count": 40}]}}
    result = plan(pool(10, wf), horizon=60 * DAY)
    joined = result.calendar.time_of(date(2027, 1, 11)) + 28 * DAY
    assert any(e.kind == "absent" and e.t == joined for e in result.events)
    # consecutive absent days are one absence: never back and absent at one instant
    backs = {(e.t, e.person) for e in result.events if e.kind == "back"}
    assert not any((e.t, e.person) in backs for e in result.events if e.kind == "absent")
    state = {p.id: p.initial and p.available_from < 0 for p in result.people}
    for e in result.events:
        if e.kind in ("join", "back"):
            assert not state[e.person] and e.on_duty == 1
            state[e.person] = True
        elif e.kind == "absent":
            assert state[e.person] and e.on_duty == -1
            state[e.person] = False
        elif e.kind == "leave":
            assert e.on_duty == -int(state[e.person])
            state[e.person] = False


# -- vendors and defaults -----------------------------------------------------------------


def test_a_vendor_replaces_leavers_by_default_and_charges_no_hiring() -> None:
    vendor = pool(10, {"attrition": {"yearly": "50%"}}, kind="vendor")
    policy = hiring_policy(vendor)
    assert policy is not None and policy.replace is not None
    assert policy.replace.lead_time == LEAD
    assert cost_per_hire(vendor) == 0.0
    inhouse = pool(10, {"attrition": {"yearly": "50%"}})
    assert hiring_policy(inhouse) is None and cost_per_hire(inhouse) == 14_000.0
    assert hiring_policy(pool(10, {"hiring": "none"}, kind="vendor")) is None
    result = plan(vendor)
    assert any(not p.initial for p in result.people)


# -- learning -----------------------------------------------------------------------------


def test_the_defaults_are_the_published_figures() -> None:
    """docs/sources.md, "Workforce over months": training 4.2 weeks, lead time 34 + 40
    days, 1.9x in month 1 falling to parity in about 10 months, and a first-year
    productivity (1/factor, nothing in training) of about 67%, which the linear default
    matches (68%) and the exponential shape does not (77%)."""
    wf = Workforce()
    assert wf.training == 29.4 * DAY and ReplaceHiring().lead_time == 74 * DAY
    assert wf.hiring is None and wf.shrinkage == 0.0 and wf.attrition is None
    learning = Learning()
    assert (learning.start, learning.months, learning.shape) == (1.9, 10, "linear")
    ts = np.linspace(0, 12 * MONTH, 20_001)
    for shape, expected in (("linear", 0.68), ("exponential", 0.77)):
        curve = LearningCurve(1.9, 10 * MONTH, shape)  # type: ignore[arg-type]
        productivity = np.mean([
            0.0 if t < wf.training else 1 / curve.factor(t - wf.training) for t in ts])
        assert productivity == pytest.approx(expected, abs=0.01), shape


@pytest.mark.parametrize("shape", ["exponential", "linear"])
def test_learning_factor_starts_at_start_reaches_one_at_the_ramp_and_falls(shape: str) -> None:
    learning = Learning(start=1.9, months=10, shape=shape, fcr_start=0.8)  # type: ignore[arg-type]
    curve = LearningCurve.of(learning)
    ramp = 10 * MONTH
    assert learning_factor(learning, 0.0) == 1.9
    assert learning_factor(learning, ramp) == 1.0
    assert learning_factor(learning, 2 * ramp) == 1.0
    assert learning_factor(None, 0.0) == 1.0
    values = [curve.factor(t) for t in np.linspace(0, ramp, 101)]
    assert all(a > b for a, b in itertools.pairwise(values))
    assert curve.fcr_factor(0.0) == 0.8 and curve.fcr_factor(ramp) == 1.0
    mid = curve.factor(ramp / 2)
    if shape == "linear":
        assert mid == pytest.approx(1.45)
    else:  # faster early: below the straight line, e^-1.5 of the way, rescaled
        floor = math.exp(-3)
        assert mid == pytest.approx(1 + 0.9 * (math.exp(-1.5) - floor) / (1 - floor))
        assert mid < 1.45


def test_the_plan_gives_each_persons_factor_and_the_tenure_mix() -> None:
    wf = {"learning": {"start": 2.0, "months": 2},
          "hiring": {"classes": [{"date": "2027-01-11", "count": 3}]}}
    result = plan(pool(5, wf), horizon=120 * DAY)
    joined = result.calendar.time_of(date(2027, 1, 11)) + TRAINING
    new = result.people[5]
    assert result.factor(new.id, joined) == 2.0
    assert result.factor(new.id, joined + 2 * MONTH) == 1.0
    assert result.factor(0, 0.0) == 1.0  # long-standing staff are proficient
    assert result.tenure_mix(joined - 1).__dict__ == {"new": 3, "nesting": 0, "proficient": 5}
    assert result.tenure_mix(joined).__dict__ == {"new": 0, "nesting": 3, "proficient": 5}
    assert result.tenure_mix(joined + 2 * MONTH).__dict__ == {
        "new": 0, "nesting": 0, "proficient": 8}


# -- absence ------------------------------------------------------------------------------


def _daily_absent(result: WorkforcePlan) -> np.ndarray:
    """People absent at noon of each day, for a pool that has no one joining or leaving
    (the time-0 clock without a start date: days are whole multiples of DAY)."""
    times = np.array([e.t for e in result.events])
    steps = np.cumsum([e.on_duty for e in result.events])
    noons = np.arange(int(result.calendar.end // DAY)) * DAY + DAY / 2
    index = np.searchsorted(times, noons, side="right")
    return -np.where(index > 0, steps[np.maximum(index - 1, 0)], 0)


@pytest.mark.parametrize("correlation", [0.0, 0.05])
def test_absence_probability_and_correlation_of_daily_counts(correlation: float) -> None:
    """Beta-binomial: mean n p, variance n p (1-p) (1 + (n-1) rho). With 400 days the
    sample variance is within a few tens of percent of that (chi-square spread, wider for
    the beta-binomial's heavier tail)."""
    n, p, days = 200, 0.05, 400
    wf = {"absence": {"daily": "5%", "correlation": correlation}}
    result = plan(pool(n, wf), horizon=days * DAY, start=None)
    absent = _daily_absent(result)
    mean, var = absent.mean(), absent.var(ddof=1)
    binomial = n * p * (1 - p)
    theory = binomial * (1 + (n - 1) * correlation)
    assert abs(mean - n * p) <= 4 * math.sqrt(theory / days)
    rel = 4 * math.sqrt(2 / (days - 1)) * (1 if correlation == 0 else 2)
    assert abs(var / theory - 1) <= rel, (var, theory)
    if correlation > 0:
        assert var > 5 * binomial  # many more bad days than independent absences give


def test_absence_only_while_on_the_floor() -> None:
    wf = {"attrition": {"yearly": "60%"}, "hiring": {"replace": {}},
          "absence": {"daily": "20%"}}
    result = plan(pool(30, wf), horizon=200 * DAY)
    for e in result.events:
        if e.kind in ("absent", "back"):
            person = result.people[e.person]
            assert person.available_from <= e.t < person.leaves_at


# -- streams ------------------------------------------------------------------------------


def test_streams_are_independent_by_pool_and_by_setting() -> None:
    base = {"attrition": {"yearly": "20%"}, "absence": {"daily": "5%"}}
    a = plan(pool(30, base, name="a"))
    b = plan(pool(30, base, name="b"))
    assert [p.leaves_at for p in a.people] != [p.leaves_at for p in b.people]
    # another pool's settings are not an input of this pool's plan at all; this pool's
    # absence settings do not move its leavers, nor its hiring the existing staff's
    more_absent = plan(pool(30, {**base, "absence": {"daily": "9%", "correlation": 0.2}},
                            name="a"))
    assert [p.leaves_at for p in more_absent.people] == [p.leaves_at for p in a.people]
    hiring = plan(pool(30, {**base, "hiring": {"replace": {}}}, name="a"))
    assert [p.leaves_at for p in hiring.people[:30]] == [p.leaves_at for p in a.people]
    # leaving is memoryless past 90 days: a tenure beyond it changes nobody's leave time
    tenured = plan(pool(30, {**base, "tenure": "uniform(100d, 900d)"}, name="a"))
    assert [p.leaves_at for p in tenured.people] == pytest.approx(
        [p.leaves_at for p in a.people], rel=1e-9)
    # nor does a tenure change move the hires' draws: with replacement, nothing changes
    replace = {**base, "hiring": {"replace": {}}}
    def when(r: WorkforcePlan) -> list[tuple[float, float]]:
        return [(p.leaves_at, p.hired_at if not p.initial else 0.0) for p in r.people]

    tenured_replaced = plan(pool(30, {**replace, "tenure": "uniform(100d, 900d)"}, name="a"))
    replaced = plan(pool(30, replace, name="a"))
    assert len(replaced.people) > 30
    assert np.allclose(when(tenured_replaced), when(replaced), rtol=1e-9)
    again = plan(pool(30, base, name="a"))
    assert again == a
