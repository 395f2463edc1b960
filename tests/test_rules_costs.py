"""Each cost basis of docs/scenario-format.md ("Costs") and the cost figures of
docs/figures.md, one basis at a time so that a wrong basis cannot hide behind another.

Counts that the costs are compared with come from counters kept apart from the cost
arithmetic: the desk-wide `handled` and `resolved` (counted per contact) for a desk with
one people pool, and the bot's `contained` and `escalated` for a bot.
"""

from __future__ import annotations

from typing import Any

import pytest
from rulekit import bot, desk, people, run


def _people_desk(cost: dict[str, float], **pool: Any) -> dict[str, Any]:
    """3 agents, 4-minute contacts, 50/h (overloaded at times), patience 2 min so some
    abandon, fcr 0.5 so handled and resolved differ, 6 h after a 1 h warm-up."""
    return desk(
        pools=[people(agents=3, handle_time="fixed(4m)", fcr=0.5, cost=cost, **pool)],
        customers={"patience": "fixed(2m)", "repeat": {"probability": 0}},
        rate="50/h",
        warmup="1h",
        horizon="6h",
    )


def test_people_per_hour_is_per_staffed_agent_hour_busy_or_idle() -> None:
    """per_hour (people): "per staffed agent-hour: on duty, busy or idle": 3 agents x 6
    measured hours x 20 = 360, however busy they were; and desk-wide the same."""
    figs = run(_people_desk({"per_hour": 20}))
    assert figs.pools["people"]["occupancy"] < 1.0
    assert figs.pools["people"]["cost_total"] == pytest.approx(360.0, rel=1e-12)
    assert figs.totals["cost_total"] == pytest.approx(360.0, rel=1e-12)


def test_people_per_contact_is_per_completed_service() -> None:
    """per_contact (people): "per contact whose service this pool completed": 2.5 x handled,
    not x offered (some abandon, some are still in service at the end) nor x resolved."""
    figs = run(_people_desk({"per_contact": 2.5}))
    t = figs.totals
    assert t["abandoned"] > 0 and t["resolved"] < t["handled"]
    assert figs.pools["people"]["cost_total"] == pytest.approx(2.5 * t["handled"], rel=1e-12)


def test_people_per_resolution_is_per_first_contact_resolution() -> None:
    """per_resolution (people): "per contact resolved at first contact (fcr)": with fcr
    0.5 about half the handled contacts; 1.5 x the desk's `resolved`."""
    figs = run(_people_desk({"per_resolution": 1.5}))
    t = figs.totals
    assert 0 < t["resolved"] < t["handled"]
    assert figs.pools["people"]["cost_total"] == pytest.approx(1.5 * t["resolved"], rel=1e-12)


def test_cost_per_contact_divides_by_finished_desk_wide_and_by_handled_in_a_pool() -> None:
    """figures.md cost_per_contact: `cost_total / finished contacts` desk-wide and
    `cost_total / handled` for a pool."""
    figs = run(_people_desk({"per_hour": 20}))
    t = figs.totals
    finished = t["handled"] + t["abandoned"]
    assert t["cost_per_contact"] == pytest.approx(360.0 / finished, rel=1e-12)
    p = figs.pools["people"]
    assert p["cost_per_contact"] == pytest.approx(360.0 / p["handled"], rel=1e-12)


def _bot_desk(cost: dict[str, float], **keys: Any) -> dict[str, Any]:
    """A bot alone (concurrency unlimited, 3-minute conversations) resolving 60%, a third of
    them falsely, 5 h after a 1 h warm-up; nothing comes back."""
    return desk(
        pools=[
            bot(
                handle_time="fixed(3m)",
                resolution=0.6,
                false_resolution=1 / 3,
                cost=cost,
                **keys,
            )
        ],
        routing={"t": ["bot"]},
        customers={"repeat": {"probability": 0}},
        rate="120/h",
        warmup="1h",
        horizon="5h",
    )


def test_bot_per_hour_is_a_fee_per_measured_hour() -> None:
    """per_hour (bots): "per hour of the measured period (a platform fee)": 7 x 5 h = 35,
    whatever the traffic, the warm-up left out."""
    figs = run(_bot_desk({"per_hour": 7}))
    assert figs.pools["bot"]["cost_total"] == pytest.approx(35.0, rel=1e-12)


@pytest.mark.parametrize("key", ["per_contact", "per_conversation"])
def test_bot_per_contact_and_per_conversation_count_every_conversation(key: str) -> None:
    """per_contact / per_conversation (bots): "per conversation completed, escalated or
    not": 0.4 x (contained + escalated) of the bot."""
    figs = run(_bot_desk({key: 0.4}))
    b = figs.pools["bot"]
    conversations = b["contained"] + b["escalated"]
    assert b["escalated"] > 0 and b["contained"] > 0
    assert b["cost_total"] == pytest.approx(0.4 * conversations, rel=1e-12)


def test_bot_per_resolution_includes_false_resolutions() -> None:
    """per_resolution (bots): "per resolution, false ones included (the bot cannot tell)":
    1.0 x the bot's `contained`, which is more than the desk's true `resolved`."""
    figs = run(_bot_desk({"per_resolution": 1.0}))
    b = figs.pools["bot"]
    assert figs.totals["resolved"] < b["contained"]
    assert b["cost_total"] == pytest.approx(b["contained"], rel=1e-12)
    assert b["resolved"] == b["contained"]  # a bot's `resolved` counts every resolution


def test_max_time_cuts_are_escalations_never_resolutions() -> None:
    """bot max_time: "conversations longer than this are cut off and escalated (never
    counted as resolved)": 3-minute conversations cut at 2 min with resolution 1: the bot
    contains nothing and escalates every conversation, so a per-resolution price costs 0."""
    figs = run(_bot_desk({"per_resolution": 1.0}, max_time="2m"))
    b = figs.pools["bot"]
    assert b["contained"] == 0
    assert b["escalated"] == b["handled"] > 0
    assert b["cost_total"] == 0.0


def test_type_cost_shares_the_hourly_cost_by_busy_time() -> None:
    """figures.md cost_total (types): "the type's own per-contact and per-resolution costs
    plus a share of each pool's hourly cost in proportion to the busy time the type caused".

    Types `short` (1 min) and `long` (3 min) on 10 agents at 60/h over one day, arrivals
    stopping at 23:00 so that every service ends in the run: long's share of the 10 x 24 x
    20 = 4800 hourly cost is 3 h_long / (h_short + 3 h_long); each type also pays its own
    1.0 per contact.
    """
    data = desk(
        pools=[
            people(
                agents=10,
                handle_time={"short": "fixed(1m)", "long": "fixed(3m)"},
                cost={"per_hour": 20, "per_contact": 1.0},
            )
        ],
        demand={
            "arrival_rate": "60/h",
            "intraday": [1] * 23 + [0],
            "types": [{"name": "short", "share": 0.5}, {"name": "long", "share": 0.5}],
        },
        routing={"short": ["people"], "long": ["people"]},
        horizon="1d",
    )
    figs = run(data)
    hs, hl = figs.types["short"]["handled"], figs.types["long"]["handled"]
    assert figs.totals["in_system"] == 0
    share_long = 3 * hl / (hs + 3 * hl)
    assert figs.types["long"]["cost_total"] == pytest.approx(4800 * share_long + hl, rel=1e-9)
    assert figs.types["short"]["cost_total"] == pytest.approx(
        4800 * (1 - share_long) + hs, rel=1e-9
    )
