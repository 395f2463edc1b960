"""Quality by who serves (docs/satisfaction.md, "Quality by who serves"): a pool's own
scores for what its people decide, and the serving agent's first-contact resolution.

Desks are small enough that the scores are exact: enough agents that nobody waits, no
bot, no repeats, so every contact scores its outcome's base and nothing else.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from rulekit import desk, people, run

from simdesk.engine import _Desk
from simdesk.figures import RunFigures, run_figures
from simdesk.loading import scenario_from_data
from simdesk.streams import Streams


def _two_pools(**vendor_keys: Any) -> RunFigures:
    """Type `a` to an in-house pool, `b` to a vendor pool, 50 agents each for 60/h of
    one-minute contacts (nobody waits)."""
    vendor: dict[str, Any] = {"name": "vendor", "kind": "vendor", "agents": 50,
                              "handle_time": "fixed(1m)", **vendor_keys}
    return run(
        desk(
            pools=[people("inhouse", agents=50), vendor],
            types=[{"name": "a", "share": 0.5}, {"name": "b", "share": 0.5}],
            routing={"a": ["inhouse"], "b": ["vendor"]},
            customers={"repeat": {"probability": 0}},
        )
    )


def test_a_pool_s_resolved_score_replaces_the_desk_s_for_its_contacts_only() -> None:
    figs = _two_pools(satisfaction={"resolved_by_person": 3.5})
    assert figs.totals["wait_mean_s"] == 0.0
    assert figs.types["b"]["csat_mean"] == 3.5
    assert figs.types["a"]["csat_mean"] == 4.5  # the desk's default


def test_a_pool_s_unresolved_score_replaces_the_desk_s() -> None:
    """fcr 0: every vendor contact ends unresolved and scores the pool's 1.8, not 2.5."""
    figs = _two_pools(fcr=0.0, satisfaction={"unresolved": 1.8})
    assert figs.types["b"]["resolved"] == 0
    assert figs.types["b"]["csat_mean"] == pytest.approx(1.8, rel=1e-12)


def test_a_key_the_pool_leaves_out_is_the_desk_s() -> None:
    """fcr 0.5 with only `resolved_by_person: 3` set: resolved contacts score 3, the
    unresolved the desk's 2.5, so the mean is exactly their mix."""
    figs = _two_pools(fcr=0.5, satisfaction={"resolved_by_person": 3.0})
    b = figs.types["b"]
    share = b["resolved"] / b["handled"]
    assert 0 < share < 1
    assert b["csat_mean"] == pytest.approx(3.0 * share + 2.5 * (1 - share), rel=1e-12)


def test_a_pool_s_scores_equal_the_same_desk_wide_scores_figure_for_figure() -> None:
    """On a one-pool desk with waits, abandonment, repeats and penalties, the pool's own
    scores give exactly the figures the same values set desk-wide give."""
    base = {
        "customers": {"patience": "exponential(mean=2m)", "repeat": {"probability": 0.5}},
        "rate": "80/h",
    }
    scores = {"resolved_by_person": 3.9, "unresolved": 2.2}
    on_pool = run(desk(pools=[people(agents=2, fcr=0.7, satisfaction=scores)], **base))
    desk_wide = run(desk(pools=[people(agents=2, fcr=0.7)], satisfaction=scores, **base))
    assert on_pool.totals["wait_mean_s"] > 0 and on_pool.totals["abandoned"] > 0
    assert _same(on_pool.totals, desk_wide.totals)
    assert _same(on_pool.types["t"], desk_wide.types["t"])


def _same(a: dict[str, float], b: dict[str, float]) -> bool:
    """Equal figure for figure, NaN equal to NaN."""
    return a.keys() == b.keys() and all(
        a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in a
    )


def test_the_serving_agent_s_fcr_decides_resolution() -> None:
    """The hook for quality by tenure: resolution is decided by the serving agent's own
    `fcr` (docs/satisfaction.md), which is its pool's unless something sets it. Agents of
    a pool with fcr 1 given an fcr of 0 resolve nothing."""
    data = desk(pools=[people(agents=5, fcr=1.0)], customers={"repeat": {"probability": 0}})
    assert run(data).totals["resolved"] > 0
    s = scenario_from_data(data, file="<rule test>")
    unresolving = _Desk(s, Streams(s.seed, 0))
    pool = unresolving.pools[s.pools[0].name]
    assert pool.agents
    for agent in pool.agents:
        agent.fcr = 0.0
    figs = run_figures(unresolving.run())
    assert figs.totals["handled"] > 0 and figs.totals["resolved"] == 0


def test_after_overflow_the_pool_that_answered_scores_the_contact() -> None:
    """One in-house agent busy for the whole run with the first contact (not finished, so
    not scored): every other contact waits its 10 s, overflows to the vendor, which
    answers at once, and scores the vendor's 3.0 less 10 s of waiting at 0.1 a minute,
    never the in-house pool's 4.0."""
    vendor = {"name": "vendor", "kind": "vendor", "agents": 50, "handle_time": "fixed(1m)",
              "satisfaction": {"resolved_by_person": 3.0}}
    inhouse = people("inhouse", agents=1, handle_time="fixed(100h)",
                     satisfaction={"resolved_by_person": 4.0})
    figs = run(
        desk(
            pools=[inhouse, vendor],
            routing={"t": {"path": ["inhouse", "vendor"], "overflow_after": "10s"}},
            customers={"repeat": {"probability": 0}},
        )
    )
    assert figs.pools["inhouse"]["handled"] == 0
    assert figs.pools["vendor"]["handled"] == figs.totals["handled"] > 0
    assert figs.totals["csat_mean"] == pytest.approx(3.0 - 0.1 * 10 / 60, rel=1e-9)
