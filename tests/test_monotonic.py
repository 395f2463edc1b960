"""Monotonicity: more capacity never makes customers wait longer; a better bot takes load
off the people behind it.

Comparisons are paired: every staffing level runs replication i with the same seed, so it
sees the same customers (common random numbers) and the difference between two levels is
nearly free of the noise they share. Per replication a small allowance (2% + 0.5 s) is
granted for the rare customer whose wait rises when an earlier one is served sooner; on
average the improvement must be clear (the paired 95% interval lies wholly below zero).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from simdesk.confidence import paired_difference
from simdesk.engine import simulate
from simdesk.figures import RunFigures, run_figures
from simdesk.loading import scenario_from_data

REPLICATIONS = 6
SEED = 31
AGENTS = (10, 11, 12, 13)


def desk_data(agents: int, rate: str, patience: str | None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": f"desk-{agents}",
        "seed": SEED,
        "horizon": "1d",
        "warmup": "2h",
        "demand": {"arrival_rate": rate, "types": [{"name": "general", "share": 1.0}]},
        "pools": [
            {
                "name": "agents",
                "kind": "inhouse",
                "agents": agents,
                "handle_time": "exponential(mean=3m)",
            }
        ],
        "routing": {"general": ["agents"]},
    }
    if patience is not None:
        data["customers"] = {"patience": patience}
    data.update(extra)
    return data


def runs_for(data: dict[str, Any]) -> list[RunFigures]:
    s = scenario_from_data(data)
    return [run_figures(simulate(s, SEED, i)) for i in range(REPLICATIONS)]


DESKS = {
    # Erlang C, load 0.9 .. 0.69 over 10 .. 13 agents
    "no-abandonment": ("180/h", None),
    # Erlang A, load 1.0 .. 0.77: patience keeps even 10 agents stable
    "abandonment": ("200/h", "exponential(mean=2m)"),
    # non-exponential handle and patience
    "lognormal": ("190/h", "lognormal(mean=3m, cv=1.5)"),
}


@pytest.fixture(scope="module", params=sorted(DESKS))
def by_agents(request: pytest.FixtureRequest) -> dict[int, list[RunFigures]]:
    rate, patience = DESKS[request.param]
    return {n: runs_for(desk_data(n, rate, patience)) for n in AGENTS}


def _series(runs: list[RunFigures], figure: str) -> list[float]:
    return [r.totals[figure] for r in runs]


def test_more_agents_never_raise_the_mean_wait(by_agents: dict[int, list[RunFigures]]) -> None:
    for fewer, more in pairwise(AGENTS):
        w_fewer = _series(by_agents[fewer], "wait_mean_s")
        w_more = _series(by_agents[more], "wait_mean_s")
        for i, (a, b) in enumerate(zip(w_fewer, w_more, strict=True)):
            assert b <= a * 1.02 + 0.5, (
                f"replication {i}: {fewer} agents wait {a:.1f}s, {more} wait {b:.1f}s"
            )
        diff = paired_difference(w_fewer, w_more)
        assert diff.ci95 is not None and diff.ci95[1] < 0, (fewer, more, diff)


def test_more_agents_raise_service_level_and_lower_abandonment(
    by_agents: dict[int, list[RunFigures]],
) -> None:
    for fewer, more in pairwise(AGENTS):
        a, b = by_agents[fewer], by_agents[more]
        sl = paired_difference(_series(a, "service_level"), _series(b, "service_level"))
        assert sl.mean > 0 and sl.ci95 is not None and sl.ci95[0] > 0, (fewer, more, sl)
        pw = paired_difference(_series(a, "p_wait"), _series(b, "p_wait"))
        assert pw.ci95 is not None and pw.ci95[1] < 0, (fewer, more, pw)
        for ra, rb in zip(a, b, strict=True):
            assert rb.totals["abandonment_rate"] <= ra.totals["abandonment_rate"] + 0.005
            assert rb.totals["occupancy"] < ra.totals["occupancy"]
            # the same customers arrive whatever the staffing
            assert ra.totals["offered"] == rb.totals["offered"]


# --------------------------------------------------------------------------- the bot


def bot_desk_data(resolution: float, false_resolution: float = 0.0, repeat: float = 0.0) -> dict[
    str, Any
]:
    return {
        "name": f"bot-{resolution}",
        "seed": SEED,
        "horizon": "1d",
        "warmup": "2h",
        "demand": {
            "arrival_rate": "240/h",
            "types": [
                {"name": "chat", "share": 0.7, "channel": "chat"},
                {"name": "billing", "share": 0.3, "channel": "phone"},
            ],
        },
        "customers": {
            "patience": "exponential(mean=4m)",
            "repeat": {"probability": repeat, "after": "exponential(mean=2h)"},
        },
        "pools": [
            {
                "name": "bot",
                "kind": "bot",
                "handle_time": "exponential(mean=90s)",
                "resolution": resolution,
                "false_resolution": false_resolution,
            },
            {
                "name": "people",
                "kind": "inhouse",
                "agents": 10,
                "handle_time": "exponential(mean=4m)",
                "concurrency": 2,
            },
        ],
        "routing": {"chat": ["bot", "people"], "billing": ["bot", "people"]},
    }


RESOLUTIONS = (0.2, 0.4, 0.6, 0.8)


def test_better_bot_lowers_the_human_load_per_replication() -> None:
    """No feedback loop: the bot's outcome draw per customer is shared, so a customer the
    weaker bot resolves is resolved by the stronger one too."""
    runs = {r: runs_for(bot_desk_data(r)) for r in RESOLUTIONS}
    for weak, strong in pairwise(RESOLUTIONS):
        for i, (a, b) in enumerate(zip(runs[weak], runs[strong], strict=True)):
            pa, pb = a.pools["people"], b.pools["people"]
            assert pb["offered"] < pa["offered"], (weak, strong, i)
            assert pb["handled"] < pa["handled"], (weak, strong, i)
            assert b.totals["contained"] > a.totals["contained"], (weak, strong, i)
            assert b.pools["bot"]["escalated"] < a.pools["bot"]["escalated"], (weak, strong, i)
            assert a.totals["offered"] == b.totals["offered"]
        weak_waits = [r.pools["people"]["wait_mean_s"] for r in runs[weak]]
        strong_waits = [r.pools["people"]["wait_mean_s"] for r in runs[strong]]
        if max(strong_waits) == 0.0:
            # With the stronger bot nobody waits for a person at all (chats fill agents,
            # leaving whole agents for calls): it cannot go lower; the weaker must wait.
            assert sum(weak_waits) > 0.0, (weak, strong, weak_waits)
            continue
        wait = paired_difference(weak_waits, strong_waits)
        assert wait.ci95 is not None and wait.ci95[1] < 0, (weak, strong, wait)


def test_better_bot_lowers_the_human_load_even_with_false_resolutions_coming_back() -> None:
    """False resolutions return as repeats (through the bot again); the people still see
    less work: expected visits per customer are (1 - r) / (1 - r * f * p), falling in r."""
    runs = {r: runs_for(bot_desk_data(r, false_resolution=0.3, repeat=1.0)) for r in (0.3, 0.7)}
    offered = paired_difference(
        [r.pools["people"]["offered"] for r in runs[0.3]],
        [r.pools["people"]["offered"] for r in runs[0.7]],
    )
    assert offered.ci95 is not None and offered.ci95[1] < 0, offered
    # and the repeats do show up
    assert all(r.totals["repeat_contacts"] > 0 for r in runs[0.7])
