"""Small deterministic desks for the rule tests (tests/test_rules_*.py).

Each rule test builds a scenario from a dict, runs one replication through the public
path (``simulate`` then ``run_figures``) and checks figures that the documented rule fixes
exactly, or within a bound worked out in the test's docstring. Handle times and patience
are ``fixed(...)``; arrivals are always Poisson, so the tests either use figures that do
not depend on arrival times, or a "flood" (3600 arrivals an hour: the first arrives within
seconds and the queue never empties) so that what happens is fixed by the rule alone.
"""

from __future__ import annotations

from typing import Any

from simdesk.engine import simulate
from simdesk.figures import RunFigures, run_figures
from simdesk.loading import scenario_from_data

FLOOD = "3600/h"


def people(
    name: str = "people", agents: int | dict[str, int] | None = 1, **keys: Any
) -> dict[str, Any]:
    """An in-house pool; ``handle_time`` defaults to fixed(1m)."""
    pool: dict[str, Any] = {"name": name, "kind": "inhouse", "handle_time": "fixed(1m)"}
    if agents is not None:
        pool["agents"] = agents
    pool.update(keys)
    return pool


def bot(name: str = "bot", **keys: Any) -> dict[str, Any]:
    pool: dict[str, Any] = {"name": name, "kind": "bot", "handle_time": "fixed(0s)"}
    pool.update(keys)
    return pool


def desk(
    pools: list[dict[str, Any]] | None = None,
    routing: dict[str, Any] | None = None,
    types: list[dict[str, Any]] | None = None,
    rate: str = "60/h",
    **top: Any,
) -> dict[str, Any]:
    """A scenario as data: one type ``t`` routed to one ``people`` pool unless told."""
    data: dict[str, Any] = {
        "name": "rule",
        "seed": 1,
        "horizon": "4h",
        "demand": {"arrival_rate": rate, "types": types or [{"name": "t", "share": 1.0}]},
        "pools": pools or [people()],
        "routing": routing or {"t": ["people"]},
    }
    data.update(top)
    return data


def run(data: dict[str, Any], seed: int | None = None, replication: int = 0) -> RunFigures:
    s = scenario_from_data(data, file="<rule test>")
    return run_figures(simulate(s, seed, replication))
