"""The queueing rules of docs/scenario-format.md, each on a desk small enough to reason out.

Every test names the rule it guards and works out, in its docstring, the figure the rule
gives and the one a plausible mistake would give instead; bench/break_engine.py applies
such mistakes to a copy of simdesk and checks that these tests notice.
"""

from __future__ import annotations

import math

import pytest
from rulekit import FLOOD, desk, people, run

# --------------------------------------------------------------- priority, then arrival


def test_higher_priority_is_answered_first() -> None:
    """types.priority: "higher is answered first".

    One agent, every contact takes exactly 1 h, a flood of arrivals, horizon 4 h. The first
    arrival (either type) is served at once; services end at 1 h, 2 h and 3 h (plus the
    first arrival's few seconds), so exactly 3 are handled. At 1 h and 2 h about 1,800
    contacts of each type wait, so both later services go to `urgent`: urgent handles at
    least 2, routine at most 1. With the order reversed routine would get them.
    """
    data = desk(
        pools=[people(handle_time="fixed(1h)")],
        types=[
            {"name": "routine", "share": 0.5},
            {"name": "urgent", "share": 0.5, "priority": 1},
        ],
        routing={"routine": ["people"], "urgent": ["people"]},
        rate=FLOOD,
    )
    figs = run(data)
    assert figs.totals["handled"] == 3
    assert figs.types["urgent"]["handled"] >= 2
    assert figs.types["routine"]["handled"] <= 1


def test_lower_priority_waits_only_while_higher_priority_waits() -> None:
    """Priority is an order, not a reservation: with the urgent type arriving rarely, the
    routine type is still served. 2 agents for 1-minute contacts at 60/h of which 10%
    urgent: routine contacts are answered (handled > 0) and, with a free agent nearly
    always, most of them at once (p_wait well below one half)."""
    data = desk(
        pools=[people(agents=2)],
        types=[
            {"name": "routine", "share": 0.9},
            {"name": "urgent", "share": 0.1, "priority": 5},
        ],
        routing={"routine": ["people"], "urgent": ["people"]},
    )
    figs = run(data)
    assert figs.types["routine"]["handled"] > 100
    assert figs.types["routine"]["p_wait"] < 0.5


def test_equal_priorities_are_first_come_first_served() -> None:
    """"equal priorities first come, first served".

    One agent, 1-hour contacts, a flood, 4 hours: the 3 handled contacts are, in arrival
    order, the 1st (no wait), the 2nd (waits until 1 h, less the second or so between the
    arrivals) and the 3rd (until 2 h). So asa is 3,600 s less a few seconds. Served last
    come first, the 2nd and 3rd served would be the newest arrivals, waiting ~0.
    """
    data = desk(pools=[people(handle_time="fixed(1h)")], rate=FLOOD)
    figs = run(data)
    assert figs.totals["handled"] == 3
    assert 3600 - 30 < figs.totals["asa_s"] <= 3600


def test_equal_priority_types_share_one_arrival_order() -> None:
    """Two types of equal priority form one first-come-first-served line, not a line per
    type served one type after the other: on the flood desk above with two equal types,
    the 2nd and 3rd contacts served are the 2nd and 3rd arrivals, so both types' answered
    waits stay below 2 h (a line per type would make one type wait from the first seconds
    to ~1 h while the other's 2nd arrival is served at 2 h: its wait ~ 2 h, asa ~ 1 h)."""
    data = desk(
        pools=[people(handle_time="fixed(1h)")],
        types=[{"name": "a", "share": 0.5}, {"name": "b", "share": 0.5}],
        routing={"a": ["people"], "b": ["people"]},
        rate=FLOOD,
    )
    figs = run(data)
    assert figs.totals["handled"] == 3
    assert 3600 - 30 < figs.totals["asa_s"] <= 3600


# --------------------------------------------------------------- chats and calls


def _mixed(horizon: str, seed: int = 1) -> dict[str, float]:
    data = desk(
        pools=[people(handle_time="fixed(1h)", concurrency=2)],
        types=[
            {"name": "chat", "share": 0.5, "channel": "chat"},
            {"name": "call", "share": 0.5, "channel": "phone"},
        ],
        routing={"chat": ["people"], "call": ["people"]},
        rate=FLOOD,
        horizon=horizon,
    )
    figs = run(data, seed=seed)
    return {
        "calls": figs.types["call"]["handled"],
        "chats": figs.types["chat"]["handled"],
        "occupancy": figs.pools["people"]["occupancy"],
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_call_at_the_head_keeps_its_place_and_chats_behind_it_wait(seed: int) -> None:
    """types.channel: "a call at the head of the queue waits for a whole agent, and the
    chats behind it wait too".

    One agent with two chat slots, 1-hour chats and calls in equal shares, a flood, 12 h.
    Served strictly in arrival order, every hour the agent takes the contacts at the head:
    one call, or two chats, or one chat when a call follows it (the second slot then
    stays empty while the call waits for the whole agent). So about a third of the hours
    go to calls (11 or so full hours of work: calls >= 2 whatever the seed) and some
    hours are half idle (occupancy < 0.95). If chats overtook a waiting call, the chats
    always waiting behind it would keep a slot busy forever: the call would never find a
    whole agent (calls <= 1, only if it was the very first arrival) and occupancy -> 1.
    """
    got = _mixed("12h", seed)
    assert got["calls"] >= 2, got
    assert got["occupancy"] < 0.95, got


def test_a_call_takes_the_whole_agent_and_a_chat_one_slot() -> None:
    """pools.concurrency: "chats one agent handles at once (a call or email takes all of an
    agent's slots)"; occupancy counts work units.

    One agent with three slots, only 1-hour chats, a flood, 2 h: three chats start in the
    first seconds and end just after 1 h, three more end just after 2 h (after the end):
    handled is exactly 3, and the agent is fully busy (occupancy ~1). One slot per agent
    would handle 1; a chat taking the whole agent likewise.
    """
    data = desk(
        pools=[people(handle_time="fixed(1h)", concurrency=3)],
        types=[{"name": "t", "share": 1.0, "channel": "chat"}],
        rate=FLOOD,
        horizon="2h",
    )
    figs = run(data)
    assert figs.totals["handled"] == 3
    assert figs.pools["people"]["occupancy"] > 0.99
    call = desk(
        pools=[people(handle_time="fixed(1h)", concurrency=3)],
        rate=FLOOD,
        horizon="2h",
    )
    assert run(call).totals["handled"] == 1


def test_occupancy_of_a_chat_agent_is_counted_in_slots() -> None:
    """figures.md occupancy: "a chat agent with concurrency: 2 serving one chat is 50% busy".

    Two slots, 1-hour chats arriving rarely (1 per 10 h on average over 30 h): whenever a
    chat is served it is alone, so busy slot-time is half the agent's busy time. The pool's
    occupancy equals the busy hours (1 per handled chat, less the unfinished one) over 2 x
    30 slot-hours; it must be below one half of the fully-counted figure.
    """
    data = desk(
        pools=[people(handle_time="fixed(30m)", concurrency=2)],
        types=[{"name": "t", "share": 1.0, "channel": "chat"}],
        rate="1/h",
        horizon="2d",
        seed=4,
    )
    figs = run(data)
    chats = figs.totals["handled"]
    assert chats > 20
    # chats rarely overlap at 1/h with 30-minute chats: busy slot-hours ~ chats x 0.5 h,
    # staffed slot-hours 2 x 48 h
    expected = chats * 0.5 / (2 * 48)
    assert figs.pools["people"]["occupancy"] == pytest.approx(expected, rel=0.1)


# --------------------------------------------------------------- overflow and patience


def _busy(name: str) -> dict[str, object]:
    """A pool whose one agent is on duty but busy all run with the first contact, which
    never finishes (so no figure counts it): every later contact has to wait there. (A pool
    with nobody on duty would be passed over at once; docs/rules.md.)"""
    return people(name, agents=1, handle_time="fixed(1000h)")


def _overflow_desk(**customers: object) -> dict[str, object]:
    return desk(
        pools=[_busy("first"), people("second", agents=50)],
        routing={"t": {"path": ["first", "second"], "overflow_after": "30s"}},
        customers=customers,
    )


def test_overflow_after_lets_the_next_pool_answer_after_exactly_that_wait() -> None:
    """routing overflow_after: "after this long in a people pool's queue, the next pool of
    the path may also take the contact".

    `first` is busy all run (``_busy``), `second` has 50 agents for 1-minute contacts at
    60/h: every contact waits exactly 30 s in `first`, then `second` answers it at once. So
    p_wait = 1, wait_mean = asa = 30 s, service level (20 s) = 0, and satisfaction 4.5 -
    0.1 x 0.5 min = 4.45. Every visit to `first` ends by overflow; `second` answers without a wait.
    """
    figs = run(_overflow_desk())
    t = figs.totals
    assert t["handled"] > 150
    assert t["p_wait"] == 1.0
    assert t["wait_mean_s"] == pytest.approx(30.0, abs=1e-6)
    assert t["asa_s"] == pytest.approx(30.0, abs=1e-6)
    assert t["service_level"] == 0.0
    assert t["csat_mean"] == pytest.approx(4.45, abs=1e-9)
    first, second = figs.pools["first"], figs.pools["second"]
    assert first["overflowed"] == first["offered"] - first["in_system"]
    assert first["handled"] == 0
    assert second["handled"] == t["handled"]
    assert second["p_wait"] == 0.0


def test_no_overflow_after_means_later_pools_are_never_used() -> None:
    """"Without overflow_after, later people pools in a path are never used"."""
    data = desk(
        pools=[people("first", agents=1, handle_time="fixed(5m)"), people("second", agents=50)],
        routing={"t": ["first", "second"]},
        customers={"patience": "fixed(10m)"},
    )
    figs = run(data)
    assert figs.totals["abandoned"] > 0  # the first pool is overloaded...
    assert figs.pools["second"]["offered"] == 0  # ...and still nobody goes on


def test_overflow_is_not_scheduled_past_the_customers_patience() -> None:
    """"Overflow is only scheduled if the customer is still expected to be waiting then".

    Patience fixed(20s) < overflow_after 30s and `first` busy all run: every contact abandons
    after exactly 20 s and `second` is never offered anything. Satisfaction of each is
    abandoned 1.5 - 0.1 x 1/3 min.
    """
    figs = run(_overflow_desk(patience="fixed(20s)"))
    t = figs.totals
    assert t["abandonment_rate"] == 1.0
    assert t["wait_mean_s"] == pytest.approx(20.0, abs=1e-6)
    assert figs.pools["second"]["offered"] == 0
    assert t["csat_mean"] == pytest.approx(1.5 - 0.1 / 3, abs=1e-9)


def test_patience_is_spent_over_all_queues_of_a_contact() -> None:
    """customers.patience: "how long a customer is willing to wait, in total over all the
    queues of one contact" (talking to the bot is not waiting).

    A bot taking one conversation at a time (10 minutes, never resolving) in front of an
    empty people pool; patience fixed(15m); 5 arrivals an hour, so the bot's queue is
    often long. A contact that waited w for the bot has 15 min - w left in `people`, so
    every contact's total wait is exactly 900 s, whichever queue it gave up in. If
    patience restarted in each queue, those who waited for the bot would total 900 s + w.
    """
    data = desk(
        pools=[
            {
                "name": "bot",
                "kind": "bot",
                "handle_time": "fixed(10m)",
                "resolution": 0.0,
                "concurrency": 1,
            },
            people(agents=0),
        ],
        routing={"t": ["bot", "people"]},
        customers={"patience": "fixed(15m)"},
        rate="5/h",
        horizon="1d",
    )
    figs = run(data)
    t = figs.totals
    assert t["abandonment_rate"] == 1.0
    assert t["abandoned"] > 20
    assert figs.pools["bot"]["p_wait"] > 0.3  # many waited for the bot first
    assert figs.pools["people"]["abandoned"] > 10  # and then gave up in people
    assert t["wait_mean_s"] == pytest.approx(900.0, rel=1e-12)


def test_abandoners_wait_until_they_leave_and_count_as_missed() -> None:
    """figures.md: abandoners' waits run until they left; service level counts abandoners
    as missed; asa is over handled contacts only.

    `first` is busy all run; patience is 5 s or 1 h (equally likely); after 10 s `second` (50
    agents) answers. Those with 5 s abandon at exactly 5 s (no overflow is scheduled past
    their patience), the others are answered at exactly 10 s. So asa = 10 s, wait_mean =
    (10 h + 5 a) / (h + a) for h handled and a abandoned, service level (within 20 s) =
    h / (h + a) (not 1), and p_wait = 1.
    """
    data = desk(
        pools=[_busy("first"), people("second", agents=50)],
        routing={"t": {"path": ["first", "second"], "overflow_after": "10s"}},
        customers={"patience": "empirical(5s, 1h)"},
    )
    t = run(data).totals
    h, a = t["handled"], t["abandoned"]
    assert h > 50 and a > 50
    assert t["asa_s"] == pytest.approx(10.0, abs=1e-6)
    assert t["wait_mean_s"] == pytest.approx((10 * h + 5 * a) / (h + a), rel=1e-9)
    assert t["service_level"] == pytest.approx(h / (h + a), rel=1e-12)
    assert t["abandonment_rate"] == pytest.approx(a / (h + a), rel=1e-12)
    assert t["p_wait"] == 1.0


# --------------------------------------------------------------- warm-up and demand


def test_warmup_contacts_are_not_counted_even_when_they_finish_later() -> None:
    """Conventions: contacts that *arrive* during the warm-up are not counted at all (even if
    they finish later); busy time, staffed time and costs start at the end of the warm-up.

    One agent, 90-minute contacts, a flood, warm-up 1 h, horizon 1 h: the only service in
    the measured hour is the first arrival's (from the first seconds to 1.5 h), a warm-up
    contact: handled = 0 although it finishes in the measured hour. The agent is busy all
    measured hour (occupancy 1) and paid for 1 h, not 2 (cost 30, not 60).
    """
    data = desk(
        pools=[people(handle_time="fixed(90m)", cost={"per_hour": 30})],
        rate=FLOOD,
        warmup="1h",
        horizon="1h",
    )
    figs = run(data)
    t = figs.totals
    assert t["handled"] == 0
    assert 3000 < t["offered"] < 4200  # only the measured hour's arrivals
    assert t["cost_total"] == pytest.approx(30.0, rel=1e-12)
    assert figs.pools["people"]["occupancy"] == pytest.approx(1.0, rel=1e-12)


def test_intraday_profile_is_normalised_and_zero_closes_the_hour() -> None:
    """demand: rate in hour h = arrival_rate x intraday[h] x 24 / sum(intraday); a weight of
    0 closes the desk to fresh arrivals in that hour.

    Weights 0 for 00:00-12:00 and 1 after, 600/h, one day: no arrival before noon, and
    600 x 24 = 14,400 arrivals expected over the day (sd 120; allow 5 sd): an unnormalised
    profile would give 7,200, one read from the wrong end of the day would fill the
    morning.
    """
    data = desk(
        pools=[people(agents=20)],
        demand={
            "arrival_rate": "600/h",
            "intraday": [0] * 12 + [1] * 12,
            "types": [{"name": "t", "share": 1.0}],
        },
        horizon="1d",
    )
    figs = run(data)
    assert all(figs.intervals[h]["offered"] == 0 for h in range(12))
    assert all(figs.intervals[h]["offered"] > 0 for h in range(12, 24))
    assert abs(figs.totals["offered"] - 14_400) < 5 * 120


def test_weekday_profile_starts_on_monday_and_is_normalised() -> None:
    """Time 0 is a Monday 00:00; weekday weights are Monday first and normalised to a mean
    of 1 over the week.

    Weights [0, 1, 1, 1, 1, 1, 1] at 70/h: Monday (the warm-up here) has no arrival at all;
    Tuesday (measured) runs at 70 x 7/6 = 81.7/h, 1,960 expected (sd 44; allow 5 sd).
    """
    base = desk(
        pools=[people(agents=10)],
        demand={
            "arrival_rate": "70/h",
            "weekday": [0, 1, 1, 1, 1, 1, 1],
            "types": [{"name": "t", "share": 1.0}],
        },
        horizon="1d",
    )
    monday = run(base)
    assert monday.totals["offered"] == 0
    tuesday = run({**base, "warmup": "1d"})
    assert abs(tuesday.totals["offered"] - 1960) < 5 * 44


def test_shares_split_fresh_arrivals_by_type() -> None:
    """types.share: the probability that a fresh arrival is of this type. 0.2 / 0.8 of
    ~4,800 arrivals: type a's share within 5 binomial sd of 0.2."""
    data = desk(
        pools=[people(agents=10)],
        types=[{"name": "a", "share": 0.2}, {"name": "b", "share": 0.8}],
        routing={"a": ["people"], "b": ["people"]},
        rate="200/h",
        horizon="1d",
    )
    figs = run(data)
    n = figs.totals["offered"]
    share = figs.types["a"]["offered"] / n
    assert abs(share - 0.2) < 5 * math.sqrt(0.2 * 0.8 / n)
