"""Lazy abandonment (no patience timers when there are no retries) is an optimisation only:
the same desk run with patience timers must give the same figures, to the 12 significant
digits the JSON carries (abandonments are recorded in another order, so float sums such as
the satisfaction total may differ in their last bit)."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from simdesk.engine import _Desk
from simdesk.figures import run_figures
from simdesk.loading import scenario_from_data
from simdesk.report import number
from simdesk.streams import Streams

DESK = {
    "name": "busy",
    "horizon": "2d",
    "warmup": "2h",
    "demand": {
        "arrival_rate": "150/h",
        "intraday": [1] * 8 + [3] * 10 + [1] * 6,
        "types": [
            {"name": "chat", "share": 0.6, "channel": "chat"},
            {"name": "call", "share": 0.4, "channel": "phone", "priority": 1},
        ],
    },
    "customers": {"patience": "lognormal(mean=90s, cv=1)", "asks_for_human": 0.2},
    "pools": [
        {
            "name": "bot",
            "kind": "bot",
            "concurrency": 6,
            "handle_time": "exponential(mean=2m)",
            "resolution": {"chat": 0.6, "call": 0.2},
            "false_resolution": 0.1,
            "max_time": "5m",
        },
        {
            "name": "team",
            "kind": "inhouse",
            "concurrency": 2,
            "shifts": [{"days": "all", "start": "06:00", "end": "22:00", "agents": 5}],
            "handle_time": "exponential(mean=6m)",
            "fcr": 0.8,
        },
        {"name": "vendor", "kind": "vendor", "agents": 3, "handle_time": "gamma(mean=7m, cv=0.6)"},
    ],
    "routing": {
        "always_human": True,
        "overflow_after": "40s",
        "chat": ["bot", "team", "vendor"],
        "call": ["bot", "vendor", "team"],
    },
}


def _figures(lazy: bool, seed: int) -> str:
    scenario = scenario_from_data(DESK)
    desk = _Desk(scenario, Streams(seed, 0))
    assert desk.lazy_abandonment  # no retries: the optimisation applies
    desk.lazy_abandonment = lazy
    figures = asdict(run_figures(desk.run()))
    return json.dumps(_rounded(figures), sort_keys=True)


def _rounded(value: object) -> object:
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return number(value) if isinstance(value, float) else value


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_lazy_abandonment_gives_the_figures_of_patience_timers(seed: int) -> None:
    lazy, timers = _figures(True, seed), _figures(False, seed)
    assert json.loads(lazy)["totals"]["abandoned"] > 0  # people do give up here
    assert lazy == timers
