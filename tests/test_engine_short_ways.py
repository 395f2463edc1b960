"""The engine's short ways record exactly what its general path records.

A measured contact that the bot without a limit at the head of its route will resolve,
or that a person at the head of its route takes at once, takes a short way
(engine/service.py, ``_bot_resolves`` and ``_person_serves``): no ``Inquiry``, one
completion event carrying its records. Run with the short ways turned off (every route's
``bot`` and ``person`` cleared, so every contact takes the general path), a desk must give
the very same figures, float for float: same events, same order, same sums.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from simdesk.engine import _Desk
from simdesk.figures import run_figures
from simdesk.loading import scenario_from_data
from simdesk.streams import Streams


def desk_data(**changes: Any) -> dict[str, Any]:
    """A bot in front of two pools, with everything that touches a bot's resolution:
    false resolutions coming back as repeats, retries, ``max_time`` cuts, customers who
    ask for a person yet meet the bot (``always_human`` off), a warm-up ending mid-hour."""
    data: dict[str, Any] = {
        "name": "short-ways",
        "seed": 17,
        "warmup": "95m",
        "horizon": "2d",
        "demand": {
            "arrival_rate": "400/h",
            "intraday": [0.3] * 7 + [1.0] * 12 + [0.6] * 5,
            "types": [
                {"name": "a", "share": 0.6, "channel": "chat"},
                {"name": "b", "share": 0.4, "channel": "chat", "priority": 1},
            ],
        },
        "customers": {
            "patience": "exponential(mean=3m)",
            "asks_for_human": 0.2,
            "retry": {"probability": 0.3, "after": "exponential(mean=10m)"},
            "repeat": {"probability": 0.6, "after": "exponential(mean=3h)"},
        },
        "satisfaction": {"repeat_factor": 0.9},
        "pools": [
            {
                "name": "bot",
                "kind": "bot",
                "handle_time": "lognormal(mean=2m, cv=1.0)",
                "resolution": {"a": 0.7, "b": 0.4},
                "false_resolution": 0.1,
                "max_time": "5m",
            },
            {"name": "team", "kind": "inhouse", "agents": 9, "concurrency": 2,
             "handle_time": "lognormal(mean=8m, cv=0.8)", "fcr": 0.8},
            {"name": "vendor", "kind": "vendor", "agents": 6,
             "handle_time": "lognormal(mean=9m, cv=0.8)", "fcr": 0.7},
        ],
        "routing": {"overflow_after": "45s", "a": ["bot", "team", "vendor"],
                    "b": ["bot", "team", "vendor"]},
    }
    data.update(changes)
    return data


def figures(data: dict[str, Any], short_ways: bool) -> tuple[str, float]:
    """Every figure of one run (repr: exact floats), and its contacts the bot contained."""
    scenario = scenario_from_data(data, "short.yaml")
    desk = _Desk(scenario, Streams(scenario.seed, 0))
    if not short_ways:
        desk.routes = [dataclasses.replace(r, bot=None, person=None) for r in desk.routes]
        desk.human_routes = [
            dataclasses.replace(r, bot=None, person=None) for r in desk.human_routes
        ]
        assert not desk.by_clock
    figs = run_figures(desk.run())
    return repr(dataclasses.asdict(figs)), figs.totals["contained"]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"routing": {"always_human": True, "a": ["bot", "team"], "b": ["bot", "vendor"]}},
    ],
)
def test_the_bots_short_way_records_what_the_general_path_records(
    changes: dict[str, Any],
) -> None:
    data = desk_data(**changes)
    short, contained = figures(data, short_ways=True)
    assert contained > 1000
    assert short == figures(data, short_ways=False)[0]


PEOPLE_POOLS: list[dict[str, Any]] = [
    # Shifts: agents going off duty finish the contact in hand; a pool's own scores.
    {"name": "team", "kind": "inhouse", "handle_time": "lognormal(mean=6m, cv=0.8)",
     "fcr": 0.75, "satisfaction": {"resolved_by_person": 4.6, "unresolved": 2.1},
     "shifts": [{"start": "06:00", "end": "14:00", "agents": 5},
                {"start": "13:30", "end": "22:00", "agents": 6},
                {"start": "21:00", "end": "07:00", "agents": 2}]},
    # Chats two at a time (one slot each), and a pool that takes calls only.
    {"name": "chat", "kind": "vendor", "agents": 4, "concurrency": 2,
     "handle_time": "exponential(mean=8m)", "fcr": 0.7},
    {"name": "calls", "kind": "vendor", "agents": 3, "handle_time": "exponential(mean=5m)"},
]


@pytest.mark.parametrize("with_bot", [False, True])
def test_the_persons_short_way_records_what_the_general_path_records(with_bot: bool) -> None:
    data = desk_data()
    data["demand"]["types"] = [
        {"name": "a", "share": 0.5, "channel": "phone"},
        {"name": "b", "share": 0.3, "channel": "chat", "priority": 1},
        {"name": "c", "share": 0.2, "channel": "phone"},
    ]
    data["pools"] = ([data["pools"][0]] if with_bot else []) + PEOPLE_POOLS
    data["pools"][0].get("resolution", {}).update({"c": 0.5})
    head = ["bot"] if with_bot else []
    data["routing"] = {"overflow_after": "40s", "a": [*head, "team", "calls"],
                       "b": ["chat", "team"], "c": ["calls", "team"]}
    short, _ = figures(data, short_ways=True)
    assert short == figures(data, short_ways=False)[0]


def test_without_a_bot_the_peoples_figures_are_those_of_separate_people_cells() -> None:
    """With no bot every contact reaches people, so the engine keeps no people cells of
    their own (recording.py, ``people_are_contacts``); counting them apart as a desk with
    a bot does must give the same figures."""
    data = desk_data()
    data["pools"] = data["pools"][1:]
    data["routing"] = {"overflow_after": "45s", "a": ["team", "vendor"], "b": ["vendor"]}

    def run(apart: bool) -> str:
        scenario = scenario_from_data(data, "people.yaml")
        desk = _Desk(scenario, Streams(scenario.seed, 0))
        assert desk.people_are_contacts
        if apart:
            desk.people_are_contacts = False
            for pool in desk.pools.values():
                pool.marks_people = True
        return repr(dataclasses.asdict(run_figures(desk.run())))

    assert run(apart=False) == run(apart=True)
