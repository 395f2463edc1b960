"""The contract arithmetic of docs/scenario-format.md ("Contracts"), case by case, each
worked out by hand in its docstring (simdesk/contracts.py: no simulation involved)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from simdesk.calendar import DAY, HOUR, MONTH, Calendar
from simdesk.contracts import (
    Bill,
    ClauseFigures,
    DayFigures,
    Volume,
    booked_in,
    clause_verdicts,
    contract_bills,
    period_share,
    settle,
    volume_bill,
)
from simdesk.scenario import Contract

ANCHOR = {"baseline": 20000, "price": 100000, "above": 4.5, "below": 3}


def contract(**keys: Any) -> Contract:
    return Contract.model_validate(keys)


def month(handled: float, months: float = 1.0, hours: float = 0.0) -> Volume:
    return Volume(months=months, handled=handled, staffed_hours=hours)


def test_per_hour_pays_every_staffed_hour_whatever_the_volume() -> None:
    """28 an hour x 100.5 staffed agent-hours = 2814, for 10 contacts or 10,000."""
    c = contract(per_hour=28)
    for handled in (10, 10_000):
        bill = volume_bill(c, month(handled, hours=100.5))
        assert bill == Bill(fees=2814.0)
        assert bill.total == 2814.0


def test_per_contact_pays_each_handled_contact() -> None:
    """5 per contact x 1,000 handled = 5,000; hours are not paid."""
    bill = volume_bill(contract(per_contact=5), month(1000, hours=300))
    assert bill == Bill(fees=5000.0)


def test_per_contact_minimum_volume_tops_up_the_shortfall() -> None:
    """Minimum 1,200 a month, 1,000 handled: the 200 short are paid at 5 = 1,000 more;
    1,500 handled: nothing more."""
    c = contract(per_contact=5, minimum_volume=1200)
    short = volume_bill(c, month(1000))
    assert (short.fees, short.minimum, short.total) == (5000.0, 1000.0, 6000.0)
    assert volume_bill(c, month(1500)) == Bill(fees=7500.0)


def test_minimum_volume_is_prorated_to_the_period() -> None:
    """Half a month: the minimum is 600, so 500 handled pay 100 x 5 = 500 more."""
    bill = volume_bill(contract(per_contact=5, minimum_volume=1200), month(500, months=0.5))
    assert bill.minimum == pytest.approx(500.0)


@pytest.mark.parametrize(
    ("handled", "above", "below", "total"),
    [
        # 3,000 above the 20,000 baseline at 4.5: 100,000 + 13,500
        (23_000, 13_500.0, 0.0, 113_500.0),
        # 2,000 short of it, credited at 3: 100,000 - 6,000
        (18_000, 0.0, 6_000.0, 94_000.0),
        # exactly the baseline: the price
        (20_000, 0.0, 0.0, 100_000.0),
    ],
)
def test_anchored_pays_the_price_and_marginal_rates_above_and_below(
    handled: float, above: float, below: float, total: float
) -> None:
    bill = volume_bill(contract(anchored=ANCHOR), month(handled))
    assert (bill.fees, bill.above, bill.below) == (100_000.0, above, below)
    assert bill.total == total


def test_anchored_baseline_and_price_are_prorated() -> None:
    """Half a month: baseline 10,000 at 50,000; 11,000 handled pay 1,000 x 4.5 more."""
    bill = volume_bill(contract(anchored=ANCHOR), month(11_000, months=0.5))
    assert bill.total == pytest.approx(54_500.0)


def test_anchored_without_a_rate_below_is_a_fixed_price_down_to_zero() -> None:
    """`below` defaults to 0: 5,000 contacts cost the whole 100,000."""
    c = contract(anchored={"baseline": 20000, "price": 100000, "above": 4.5})
    assert volume_bill(c, month(5000)).total == 100_000.0


def test_anchored_minimum_volume_is_billed_at_the_anchored_price() -> None:
    """Minimum 15,000, 12,000 handled: handled cost 100,000 - 8,000 x 3 = 76,000, the
    billed 15,000 would cost 100,000 - 5,000 x 3 = 85,000: the top-up is 9,000.
    Minimum 22,000 (above the baseline), 18,000 handled: 94,000 handled, 100,000 + 2,000 x
    4.5 = 109,000 billed: 15,000 top-up."""
    low = volume_bill(contract(anchored=ANCHOR, minimum_volume=15_000), month(12_000))
    assert (low.below, low.minimum, low.total) == (24_000.0, 9_000.0, 85_000.0)
    high = volume_bill(contract(anchored=ANCHOR, minimum_volume=22_000), month(18_000))
    assert (high.minimum, high.total) == (15_000.0, 109_000.0)


CLAUSE = {"at_least": 0.8, "penalty": 5000, "bonus": 1000}
WEEKS = [
    ClauseFigures(within=85, finished=100),  # 85%: met
    ClauseFigures(within=70, finished=100),  # 70%: missed
    ClauseFigures(within=0, finished=0),  # nothing finished: not judged
    ClauseFigures(within=80, finished=100),  # exactly 80%: met ("at least")
]


def test_clause_verdicts_per_period_at_least_is_inclusive_and_empty_is_not_judged() -> None:
    c = contract(per_hour=1, service_level=CLAUSE)
    assert c.service_level is not None
    assert clause_verdicts(c.service_level, WEEKS) == [True, False, None, True]


def test_penalty_is_credited_per_missed_period_and_bonus_paid_per_met_one() -> None:
    """Fees 10,000; 2 weeks met (+2 x 1,000), 1 missed (-5,000): 7,000. The penalty is the
    vendor's credit to the desk, so it lowers the cost."""
    c = contract(per_hour=100, service_level=CLAUSE)
    (bill,) = contract_bills(c, [month(0, hours=100)], WEEKS)
    assert (bill.met, bill.missed) == (2, 1)
    assert (bill.penalties, bill.bonuses) == (5000.0, 2000.0)
    assert bill.total == 10_000 - 5000 + 2000


def test_penalty_only_clause_credits_without_paying_for_met_weeks() -> None:
    c = contract(per_hour=100, service_level={"at_least": 0.8, "penalty": 5000})
    (bill,) = contract_bills(c, [month(0, hours=100)], WEEKS)
    assert (bill.bonuses, bill.penalties, bill.total) == (0.0, 5000.0, 5000.0)


def test_clause_outcomes_are_booked_in_their_billing_period() -> None:
    """Weeks 1-2 booked in month 1, weeks 3-4 in month 2: month 1 gets the bonus of week 1
    and the penalty of week 2, month 2 the bonus of week 4 (week 3 not judged)."""
    c = contract(per_contact=1, service_level=CLAUSE)
    weeks = [ClauseFigures(w.within, w.finished, bill) for w, bill in zip(WEEKS, [0, 0, 1, 1],
                                                                         strict=True)]
    first, second = contract_bills(c, [month(100), month(200)], weeks)
    assert first == Bill(fees=100.0, penalties=5000.0, bonuses=1000.0, missed=1, met=1)
    assert second == Bill(fees=200.0, bonuses=1000.0, met=1)


def test_each_billing_period_is_settled_on_its_own() -> None:
    """Minimum 1,000 a month: 400 then 1,600 handled tops up 600 in the first month though
    the two months together reach 2,000 (an invoice is not made good by the next one)."""
    c = contract(per_contact=1, minimum_volume=1000)
    first, second = contract_bills(c, [month(400), month(1600)])
    assert (first.minimum, second.minimum) == (600.0, 0.0)


def test_a_week_is_booked_in_the_month_in_which_it_ends() -> None:
    """From Monday 19 January 2026, 21 days: weeks 19-25 Jan, 26 Jan-1 Feb, 2-8 Feb; months
    January (19-31) and February (1-8). The week straddling the months ends on 1 February,
    so it is settled in February."""
    cal = Calendar(date(2026, 1, 19), warmup=0.0, horizon=21 * DAY)
    weeks, months = cal.periods("week"), cal.periods("month")
    assert len(weeks) == 3 and len(months) == 2
    assert booked_in(weeks, months) == [0, 1, 1]
    assert booked_in(weeks, [months[0]]) == [0, 0, 0]  # beyond the last: the last


def test_bill_lines_add_up_to_the_total() -> None:
    bill = Bill(fees=10, above=2, below=3, minimum=4, penalties=5, bonuses=6)
    assert bill.total == 10 + 2 - 3 + 4 - 5 + 6
    assert (bill + bill).total == 2 * bill.total


def test_a_partly_measured_clause_period_counts_its_measured_share() -> None:
    """A week of which one day was measured and missed credits 5,000 / 7, and counts as 1/7
    of a missed week; a sliver of an hour never costs a whole week's penalty."""
    c = contract(per_hour=0, service_level=CLAUSE)
    (bill,) = contract_bills(c, [month(0)], [ClauseFigures(1, 10, 0, share=1 / 7)])
    assert bill.penalties == pytest.approx(5000 / 7) and bill.missed == pytest.approx(1 / 7)


def test_period_share_is_of_the_calendar_period_s_own_length() -> None:
    """From Wednesday 28 January 2026, 10.5 days: the first week is measured for 5 of its 7
    days, January for 4 of its 31, February for 6.5 of its 28, the last day for half."""
    cal = Calendar(date(2026, 1, 28), warmup=0.0, horizon=10 * DAY + 12 * HOUR)
    weeks, months, days = cal.periods("week"), cal.periods("month"), cal.periods("day")
    assert period_share(weeks[0]) == pytest.approx(5 / 7)
    assert period_share(months[0]) == pytest.approx(4 / 31)
    assert period_share(months[1]) == pytest.approx(6.5 / 28)
    assert period_share(days[0]) == 1.0 and period_share(days[-1]) == 0.5


GOOD_DAY = DayFigures(handled=100, staffed_hours=24, within=9, finished=10)  # 90%
BAD_DAY = DayFigures(handled=100, staffed_hours=24, within=5, finished=10)  # 50%


def test_settle_without_dates_judge_each_week_and_bill_the_whole_run() -> None:
    """14 days from a Monday, no start: one bill for the run (14 days of mean months), week
    1 met (+1,000 bonus), week 2 missed (-5,000)."""
    c = contract(per_contact=1, service_level=CLAUSE)
    cal = Calendar(None, warmup=0.0, horizon=14 * DAY)
    settled = settle(c, cal, [GOOD_DAY] * 7 + [BAD_DAY] * 7)
    (bill,) = settled.bills
    assert len(settled.billing) == 1
    assert bill == Bill(fees=1400.0, penalties=5000.0, bonuses=1000.0, missed=1.0, met=1.0)


def test_settle_with_dates_bill_calendar_months_and_book_weeks_where_they_end() -> None:
    """From Monday 19 January 2026, 21 days at 100 contacts a day, 2 a contact, minimum
    3,720 a month: January (13 of 31 days) has a minimum of 1,560 for 1,300 handled: top-up
    520; February (8 of 28 days) 3,720 x 8/28 = 1,062.86 for 800: top-up 525.71. Week 2
    (26 January to 1 February) is the bad one and is settled in February: -1,000 there."""
    c = contract(per_contact=2, minimum_volume=3720,
                 service_level={"at_least": 0.8, "penalty": 1000})
    cal = Calendar(date(2026, 1, 19), warmup=0.0, horizon=21 * DAY)
    settled = settle(c, cal, [GOOD_DAY] * 7 + [BAD_DAY] * 7 + [GOOD_DAY] * 7)
    jan, feb = settled.bills
    assert [b.label for b in settled.billing] == ["2026-01", "2026-02"]
    assert (jan.fees, jan.minimum, jan.penalties) == (2600.0, pytest.approx(520.0), 0.0)
    assert feb.fees == 1600.0 and feb.minimum == pytest.approx(2 * (3720 * 8 / 28 - 800))
    assert (feb.penalties, feb.missed) == (1000.0, 1.0)


def test_settle_agree_with_the_whole_run_when_the_run_is_one_partial_week() -> None:
    """3 days of one week, no dates: the days summed are the whole run's figures, and the
    week counts 3/7 (what figures.py bills from the whole run)."""
    c = contract(anchored=ANCHOR, minimum_volume=30_000, service_level=CLAUSE)
    cal = Calendar(None, warmup=0.0, horizon=3 * DAY)
    days = [GOOD_DAY, BAD_DAY, BAD_DAY]  # 23 of 30: 76.7%, missed
    (by_day,) = settle(c, cal, days).bills
    (whole,) = contract_bills(
        c, [Volume(3 * DAY / MONTH, 300, 72)], [ClauseFigures(19, 30, 0, 3 / 7)]
    )
    assert by_day == whole
    assert by_day.missed == pytest.approx(3 / 7)


def test_settle_need_one_entry_per_measured_day() -> None:
    cal = Calendar(None, warmup=0.0, horizon=3 * DAY)
    with pytest.raises(ValueError, match="2 days of figures for 3 measured days"):
        settle(contract(per_hour=1), cal, [GOOD_DAY] * 2)


def test_spans_of_days_weeks_and_months_add_up_to_the_bills() -> None:
    """The 21 days of the February case above: each month's span is its invoice; the days
    (and the weeks) add up to the whole; a day gets its share of its month's price (per
    contact: its own contacts, the minimum top-up by the same share) and the week's
    penalty lands on the day the week ends (Sunday 1 February)."""
    c = contract(per_contact=2, minimum_volume=3720,
                 service_level={"at_least": 0.8, "penalty": 1000})
    cal = Calendar(date(2026, 1, 19), warmup=0.0, horizon=21 * DAY)
    days = [GOOD_DAY] * 7 + [BAD_DAY] * 7 + [GOOD_DAY] * 7
    settled = settle(c, cal, days)
    jan, feb = settled.bills
    assert settled.span(range(13)) == jan and settled.span(range(13, 21)) == feb
    by_day = [settled.span([d]) for d in range(21)]
    assert sum(b.total for b in by_day) == pytest.approx(settled.total.total)
    weeks = [settled.span(range(7 * w, 7 * w + 7)) for w in range(3)]
    assert sum(b.total for b in weeks) == pytest.approx(settled.total.total)
    assert [d.penalties for d in by_day].index(1000.0) == 13  # 1 February
    assert by_day[0].fees == 200.0 and by_day[0].minimum == pytest.approx(520 / 13)
    assert weeks[1].missed == 1.0 and weeks[0].missed == weeks[2].missed == 0.0


def test_a_billing_period_without_any_basis_is_shared_by_measured_time() -> None:
    """No contact handled in three days: the anchored price (fixed, below 0) is shared by
    the days' lengths, a third each."""
    c = contract(anchored={"baseline": 1000, "price": 300, "above": 1})
    cal = Calendar(None, warmup=0.0, horizon=3 * DAY)
    idle = DayFigures(handled=0, staffed_hours=24, within=0, finished=0)
    settled = settle(c, cal, [idle] * 3)
    assert settled.span([1]).total == pytest.approx(settled.total.total / 3)
