"""The satisfaction score of docs/satisfaction.md and the bot's hand-over rules, on desks
where every contact gets the same score, worked out by hand from the defaults
(resolved_by_person 4.5, resolved_by_bot 4.3, unresolved 2.5, abandoned 1.5, 0.1 a minute
of waiting capped at 2.0, escalation 0.3, unwanted bot 0.5, repeat factor 0.85)."""

from __future__ import annotations

import pytest
from rulekit import FLOOD, bot, desk, people, run


def test_escalated_contacts_pay_the_escalation_penalty() -> None:
    """A bot that never resolves (0 s conversations) in front of 50 agents: every contact is
    escalated once and resolved by a person at once: 4.5 - 0.3 = 4.2 each."""
    data = desk(
        pools=[bot(resolution=0.0), people(agents=50)],
        routing={"t": ["bot", "people"]},
    )
    t = run(data).totals
    assert t["escalated"] == t["offered"] > 100
    assert t["csat_mean"] == pytest.approx(4.2, abs=1e-9)


def test_bot_resolution_scores_resolved_by_bot() -> None:
    """A bot resolving everything: 4.3 each, all satisfied (>= 4.0)."""
    data = desk(pools=[bot(resolution=1.0)], routing={"t": ["bot"]})
    t = run(data).totals
    assert t["contained"] == t["handled"] > 100
    assert t["csat_mean"] == pytest.approx(4.3, abs=1e-9)
    assert t["csat_satisfied"] == 1.0


def test_asking_for_a_person_and_getting_the_bot_costs_the_unwanted_bot_penalty() -> None:
    """Everyone asks for a person, `always_human` is off, the bot resolves everything:
    4.3 - 0.5 = 3.8 each, none satisfied."""
    data = desk(
        pools=[bot(resolution=1.0)],
        routing={"t": ["bot"]},
        customers={"asks_for_human": 1.0},
    )
    t = run(data).totals
    assert t["csat_mean"] == pytest.approx(3.8, abs=1e-9)
    assert t["csat_satisfied"] == 0.0


def test_always_human_sends_askers_past_the_bot_without_penalty() -> None:
    """routing.always_human: askers skip the bot at the head of their route: with everyone
    asking, the bot is offered nothing and every contact scores 4.5 (no escalation, no
    unwanted bot)."""
    data = desk(
        pools=[bot(resolution=1.0), people(agents=50)],
        routing={"t": ["bot", "people"], "always_human": True},
        customers={"asks_for_human": 1.0},
    )
    figs = run(data)
    assert figs.pools["bot"]["offered"] == 0
    assert figs.totals["csat_mean"] == pytest.approx(4.5, abs=1e-9)


def test_a_person_not_resolving_scores_unresolved() -> None:
    """fcr 0 and no repeats: every contact ends unresolved, 2.5 each; none resolved."""
    data = desk(
        pools=[people(agents=50, fcr=0.0)],
        customers={"repeat": {"probability": 0}},
    )
    t = run(data).totals
    assert t["resolved"] == 0
    assert t["csat_mean"] == pytest.approx(2.5, abs=1e-9)


def test_waiting_costs_a_tenth_a_minute_up_to_the_cap() -> None:
    """Nobody to answer, patience fixed(3m): every contact abandons after exactly 3 min and
    scores 1.5 - 0.3 = 1.2. With `abandoned: 5` and 30 min of patience the wait penalty is
    capped: 5 - min(3.0, 2.0) = 3.0."""
    short = desk(pools=[people(agents=0)], customers={"patience": "fixed(3m)"})
    assert run(short).totals["csat_mean"] == pytest.approx(1.2, abs=1e-9)
    long = desk(
        pools=[people(agents=0)],
        customers={"patience": "fixed(30m)"},
        satisfaction={"abandoned": 5},
    )
    assert run(long).totals["csat_mean"] == pytest.approx(3.0, abs=1e-9)


def test_a_retry_keeps_the_count_of_earlier_contacts() -> None:
    """"A retry after abandoning keeps the count of the contact it retries": nobody to
    answer, patience fixed(1m), everyone retries 5 min later: retries are counted as
    repeat contacts, and every contact, retry or not, scores 1.5 - 0.1 = 1.4."""
    data = desk(
        pools=[people(agents=0)],
        customers={
            "patience": "fixed(1m)",
            "retry": {"probability": 1.0, "after": "fixed(5m)"},
        },
    )
    t = run(data).totals
    assert t["repeat_contacts"] > 100
    assert t["csat_mean"] == pytest.approx(1.4, abs=1e-9)


def test_each_repeat_multiplies_the_score_by_the_repeat_factor() -> None:
    """A bot resolving everything falsely (0 s conversations); each false resolution comes
    back after exactly 1 min. A fresh contact scores 4.3 (satisfied); its first repeat
    4.3 x 0.85 = 3.655 and later ones less (not satisfied). So the satisfied share is
    exactly the share of fresh contacts, 1 - repeat_contacts / offered, and the lowest
    scores fall below 2 (4.3 x 0.85^5 = 1.9)."""
    data = desk(
        pools=[bot(resolution=1.0, false_resolution=1.0)],
        routing={"t": ["bot"]},
        customers={"repeat": {"probability": 1.0, "after": "fixed(1m)"}},
        horizon="1h",
        rate="10/h",
    )
    t = run(data).totals
    assert t["repeat_contacts"] > 0
    assert t["resolved"] == 0  # false resolutions are not resolutions desk-wide
    assert t["csat_satisfied"] == pytest.approx(1 - t["repeat_contacts"] / t["offered"])
    assert t["csat_mean"] < 4.3 * 0.85


def test_the_threshold_decides_who_is_satisfied() -> None:
    """csat_satisfied: score >= threshold. Everyone scores 4.2 (escalated, then resolved):
    all satisfied at 4.2, none at 4.21."""
    base = desk(pools=[bot(resolution=0.0), people(agents=50)], routing={"t": ["bot", "people"]})
    assert run({**base, "satisfaction": {"threshold": 4.2}}).totals["csat_satisfied"] == 1.0
    assert run({**base, "satisfaction": {"threshold": 4.21}}).totals["csat_satisfied"] == 0.0


# ------------------------------------------------------------------ hand-over to people


def test_escalation_extra_is_added_and_both_are_divided_by_speed() -> None:
    """bot escalation_extra: "time added to the person's handle time (divided by that
    pool's speed) for contacts the bot escalated"; speed: handle times are divided by it.

    A bot that never resolves (0 s) in front of one agent at speed 2 with 10-minute handle
    times and 10 minutes extra: each service takes (10 + 10) / 2 = 10 min. With a flood
    over 1 h the agent serves back to back from the first seconds: 5 services end within
    the hour (the 6th at 60 min plus the first arrival's seconds). Without the extra: 11;
    extra not divided by speed: 3 (15-minute services); speed ignored: 2.
    """
    data = desk(
        pools=[
            bot(resolution=0.0, escalation_extra="10m"),
            people(agents=1, handle_time="fixed(10m)", speed=2),
        ],
        routing={"t": ["bot", "people"]},
        rate=FLOOD,
        horizon="1h",
    )
    figs = run(data)
    assert figs.pools["people"]["handled"] == 5


def test_contacts_the_bot_did_not_escalate_need_no_extra() -> None:
    """Only escalated contacts carry the extra: askers skipping the bot (always_human) go
    straight to the agent at 10 / 2 = 5 min each: 11 handled in the hour."""
    data = desk(
        pools=[
            bot(resolution=0.0, escalation_extra="10m"),
            people(agents=1, handle_time="fixed(10m)", speed=2),
        ],
        routing={"t": ["bot", "people"], "always_human": True},
        customers={"asks_for_human": 1.0},
        rate=FLOOD,
        horizon="1h",
    )
    assert run(data).pools["people"]["handled"] == 11
