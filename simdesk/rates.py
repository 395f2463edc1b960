"""The arrival rate in each clock hour: the week's profile times the calendar's factors.

Fresh Poisson arrivals have a rate that is constant within each hour on the clock (the
``Calendar``'s hours, so a run that starts on a Wednesday gets Wednesday's rates on its
first measured day) and is the product of:

- the rate of that hour of the week (``arrival_rate`` shaped by ``intraday`` and
  ``weekday``, or a ``trace_profile``'s rates);
- growth, compounding continuously over months of mean length from the first measured
  moment, taken at the middle of the hour: ``(1 + g) ** (months since start)``;
- the month's weight (``months``, normalised to a mean of 1 over the 12 weights);
- a special date's multiplier;
- the day's busyness: a gamma factor with mean 1 and the given cv, one per calendar day,
  each drawn from its own named stream (``daily_busyness/<date>``, or
  ``daily_busyness/<day>`` counted from time 0 without a start date), so every hour of a
  day shares it (the doubly stochastic model of call-center arrivals, docs/sources.md).

Everything here depends on the scenario and the streams only, never on what the desk
does, so two staffing variants see the same arrivals (common random numbers).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from simdesk.calendar import DAY, HOUR, MONTH, Calendar
from simdesk.limits import MAX_MONTHS_ESTIMATED

if TYPE_CHECKING:
    from simdesk.scenario import Scenario
    from simdesk.streams import Streams

__all__ = ["HourlyRates", "busyness_factors", "expected_arrivals", "weekly_rates"]


def weekly_rates(s: Scenario) -> list[float]:
    """Arrivals per second in each hour of the week (0 = Monday 00:00-01:00), before the
    calendar's factors: ``arrival_rate`` times the week's profile, or the trace profile's
    own rates (``Demand.mean_rate`` times its multipliers)."""
    rate = s.demand.mean_rate
    return [rate * s.demand.rate_multiplier(h) for h in range(168)]


def busyness_factors(s: Scenario, streams: Streams) -> Callable[[int, date | None], float]:
    """The day's busyness factor for day ``n`` (counted from the day of time 0) or its
    date: one gamma draw (mean 1, the scenario's cv) from the day's own stream."""
    b = s.demand.daily_busyness
    cv = 0.0 if b is None else b.cv
    if cv == 0.0:
        return lambda n, d: 1.0
    shape = 1.0 / (cv * cv)
    scale = cv * cv

    def factor(n: int, d: date | None) -> float:
        name = f"daily_busyness/{d.isoformat() if d is not None else n}"
        return float(streams.generator(name).gamma(shape, scale))

    return factor


class HourlyRates:
    """The rate (arrivals per second) of each clock hour of a run.

    Hours are counted from the Monday 00:00 at or before time 0 (``k``); hour ``k`` runs
    from ``start(k)`` to ``start(k + 1)`` in simulated seconds. Factors that belong to a
    day (month, special date, busyness) are computed once per day, as the walk enters it.
    """

    def __init__(
        self,
        s: Scenario,
        weekly: Sequence[float],
        busyness: Callable[[int, date | None], float] | None = None,
    ) -> None:
        cal = Calendar.of(s)
        d = s.demand
        self.weekly = list(weekly)
        self.offset = cal.offset
        self.warmup = s.warmup
        self.k0 = math.floor(self.offset / HOUR)  # the hour containing time 0
        self.day0 = self.k0 // 24
        # The date of the Monday at which hour 0 begins, if the scenario has dates: time 0
        # less the offset is a Monday midnight, up to the rounding of a fractional warm-up,
        # so the nearest midnight is taken.
        origin = cal.origin
        self.monday0: date | None = None
        if origin is not None:
            self.monday0 = (origin - timedelta(seconds=self.offset) + timedelta(hours=12)).date()
        self.log_growth = math.log1p(d.growth) if d.growth else 0.0
        self.months = d.months
        self.special = {x.date: x.multiplier for x in d.special_dates or []}
        self.busyness = busyness
        self._day: int | None = None  # the day whose factor is cached
        self._day_factor = 1.0

    def start(self, k: int) -> float:
        """Simulated time at which clock hour ``k`` begins."""
        return k * HOUR - self.offset

    def date_of_day(self, day: int) -> date | None:
        """The date of day ``day`` (counted like hours, from the Monday of hour 0)."""
        return None if self.monday0 is None else self.monday0 + timedelta(days=day)

    def day_factor(self, day: int) -> float:
        """Month weight x special date x busyness of one day (1 without those keys)."""
        d = self.date_of_day(day)
        f = 1.0
        if d is not None:
            if self.months is not None:
                f *= self.months[d.month - 1] * 12 / sum(self.months)
            f *= self.special.get(d, 1.0)
        if self.busyness is not None:
            f *= self.busyness(day - self.day0, d)
        return f

    def growth(self, t: float) -> float:
        if not self.log_growth:
            return 1.0
        return math.exp(self.log_growth * (t - self.warmup) / MONTH)

    def rate(self, k: int) -> float:
        """The rate of clock hour ``k``."""
        day = k // 24
        if day != self._day:
            self._day = day
            self._day_factor = self.day_factor(day)
        r = self.weekly[k % 168] * self._day_factor
        if r and self.log_growth:
            r *= self.growth(self.start(k) + HOUR / 2)
        return r


def expected_arrivals(
    s: Scenario, weekly_mean: float, start: float = 0.0, end: float | None = None
) -> float:
    """Expected fresh arrivals over the whole run (warm-up and horizon), or over
    ``[start, end)``, for the work estimate and the overload warnings: the mean rate times
    growth integrated exactly, month by month with the month's weight, plus each special
    date's extra (or missing) arrivals; busyness has mean 1. The week's profile is taken
    at its mean (exact over whole weeks)."""
    d = s.demand
    if end is None:
        end = s.warmup + s.horizon
    lg = math.log1p(d.growth) if d.growth else 0.0

    def grown(a: float, b: float) -> float:
        """Integral of the growth factor over [a, b)."""
        if b <= a:
            return 0.0
        if not lg:
            return b - a
        k = lg / MONTH
        try:
            return (math.exp(k * (b - s.warmup)) - math.exp(k * (a - s.warmup))) / k
        except OverflowError:
            return math.inf

    cal = Calendar.of(s)
    if d.months is None or cal.start is None:
        total = weekly_mean * grown(start, end)
    else:
        total = 0.0
        t = start
        walked = 0
        while t < end:
            day = cal.date_at(t)
            assert day is not None
            if walked >= MAX_MONTHS_ESTIMATED:
                total += weekly_mean * grown(t, end)
                break
            nxt = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
            t1 = min(cal.time_of(nxt), end)
            total += weekly_mean * d.month_multiplier(day.month) * grown(t, t1)
            t = t1
            walked += 1
    if d.special_dates and cal.start is not None:
        weekly = weekly_rates(s)
        for x in d.special_dates:
            t0 = cal.time_of(x.date)
            if t0 + DAY <= start or t0 >= end:
                continue
            wd = x.date.weekday()
            day_rate = sum(weekly[wd * 24 : wd * 24 + 24]) / 24
            total += (
                (x.multiplier - 1.0)
                * day_rate
                * d.month_multiplier(x.date.month)
                * grown(max(t0, start), min(t0 + DAY, end))
            )
    return max(total, 0.0)
