"""Arrival times are computed a batch at a time (engine/arrivals.py: ``ArrivalClock.times``,
``CalendarWalk.times``), runs within an hour with numpy; they must be the very floats the
arrival-by-arrival clock gives (``next_time``, ``step``), or every figure would move."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from simdesk.engine.arrivals import ArrivalClock, CalendarWalk
from simdesk.loading import scenario_from_data
from simdesk.rates import HourlyRates, busyness_factors, weekly_rates
from simdesk.scenario import Scenario
from simdesk.streams import Streams


def scenario(demand: dict[str, Any], **top: Any) -> Scenario:
    data: dict[str, Any] = {
        "seed": 3,
        "horizon": "20d",
        "demand": {"types": [{"name": "a", "share": 1.0}], **demand},
        "pools": [
            {"name": "p", "kind": "inhouse", "agents": 3, "handle_time": "exponential(mean=1m)"}
        ],
        "routing": {"a": ["p"]},
    }
    data.update(top)
    return scenario_from_data(data, "desk.yaml")


def batches(seed: int, sizes: list[int]) -> list[Any]:
    rng = np.random.default_rng(seed)
    return [rng.standard_exponential(n) for n in sizes]


SIZES = [2048, 1, 7, 2048, 300, 2048, 2048]

INTRADAY = [0.0] * 7 + [0.5, 1, 2, 3, 3, 2, 2, 3, 3, 2, 1, 0.5, 0.2] + [0.0] * 4


@pytest.mark.parametrize(
    "demand, top",
    [
        ({"arrival_rate": "200/h"}, {}),  # flat: one division per arrival
        ({"arrival_rate": "3000/h", "intraday": INTRADAY}, {}),
        ({"arrival_rate": "40/h", "intraday": INTRADAY, "weekday": [1, 1, 1, 1, 1, 0, 0]}, {}),
        ({"arrival_rate": "0.02/h", "intraday": INTRADAY}, {"horizon": "3000d"}),  # weeks
        ({"arrival_rate": "5000/h", "intraday": INTRADAY}, {"horizon": "30000s"}),  # mid-hour end
    ],
)
def test_the_weekly_clock_times_a_batch_as_it_times_each_arrival(
    demand: dict[str, Any], top: dict[str, Any]
) -> None:
    s = scenario(demand, **top)
    one_by_one, batched = ArrivalClock(s), ArrivalClock(s)
    t = 0.0
    expected: list[float] = []
    for gaps in batches(1, SIZES):
        for e in gaps.tolist():
            t = one_by_one.next_time(t, e)
            expected.append(t)
    got: list[float] = []
    t = 0.0
    for gaps in batches(1, SIZES):
        got.extend(batched.times(t, gaps))
        t = got[-1]
    assert got == expected
    assert len(set(expected)) > 100


@pytest.mark.parametrize(
    "demand, top",
    [
        (
            {"arrival_rate": "3000/h", "intraday": INTRADAY},
            {"start": "2027-01-06", "warmup": "90m"},
        ),
        (
            {"arrival_rate": "800/h", "intraday": INTRADAY, "growth": "5%/month",
             "daily_busyness": {"cv": 0.3}},
            {"start": "2027-01-04"},
        ),
        ({"arrival_rate": "0.5/h", "growth": "1%/month"}, {"start": "2027-01-04"}),
        (
            {"arrival_rate": "6000/h", "intraday": INTRADAY},
            {"start": "2027-01-07", "horizon": "40000s"},
        ),
    ],
)
def test_the_calendar_walk_times_a_batch_as_it_times_each_arrival(
    demand: dict[str, Any], top: dict[str, Any]
) -> None:
    s = scenario(demand, **top)

    def walk() -> CalendarWalk:
        streams = Streams(s.seed, 0)
        busy = busyness_factors(s, streams) if s.demand.daily_busyness else None
        return CalendarWalk(HourlyRates(s, weekly_rates(s), busy), s.warmup + s.horizon)

    one_by_one, batched = walk(), walk()
    expected = [one_by_one.step(e) for gaps in batches(2, SIZES) for e in gaps.tolist()]
    got = [t for gaps in batches(2, SIZES) for t in batched.times(gaps)]
    assert got == expected
    assert len({t for t in expected if t != math.inf}) > 100
