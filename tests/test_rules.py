"""Each rule of docs/rules.md, checked on hand-made contacts whose every draw is chosen.

``play`` runs a desk with no random arrivals: the contacts listed come at the given times
with the given patience, handle times and outcome draws, and every service start is
logged as (time, contact label, pool, agent index). Each test breaks if its rule does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pytest
from desks import OpenDesk

from simdesk.engine import _Desk
from simdesk.engine.contact import Inquiry
from simdesk.engine.staffing import Agent, PoolRuntime
from simdesk.loading import scenario_from_data
from simdesk.streams import Streams


@dataclass
class Contact:
    at: float
    type: str
    handles: tuple[float, ...]
    label: str = ""
    patience: float = math.inf
    asks: bool = False  # asks for a person
    bot_u: float = 0.99  # the bot resolves when bot_u < resolution
    fcr_u: float = 0.0  # a person resolves when fcr_u < fcr


@dataclass
class Played:
    desk: _Desk
    served: list[tuple[float, str, str, int]] = field(default_factory=list)

    run: Any = None

    def cell_total(self, tname: str, attr: str) -> float:
        tidx = self.desk.s.type_names.index(tname)
        return sum(getattr(c, attr) for c in self.run.cells[tidx])

    def order(self, pool: str) -> list[str]:
        return [label for _, label, p, _ in self.served if p == pool]


def desk_data(pools: list[dict[str, Any]], types: list[dict[str, Any]],
              routing: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "rules",
        "horizon": "1d",
        "demand": {"arrival_rate": "1/h", "types": types},
        "customers": {"repeat": {"probability": 0}},
        "pools": pools,
        "routing": routing,
    }
    data.update(extra)
    return data


def play(data: dict[str, Any], contacts: list[Contact]) -> Played:
    desk = OpenDesk(scenario_from_data(data), Streams(1, 0))
    played = Played(desk)
    desk._schedule_arrival = lambda: None  # type: ignore[method-assign]
    labels: dict[int, str] = {}
    serve = desk._serve

    def logged(pool: PoolRuntime, inq: Inquiry, k: int, agent: Agent, units: int,
               now: float) -> None:
        label = labels.get(id(inq), "follow-up")
        played.served.append((now, label, pool.name, agent.id))
        serve(pool, inq, k, agent, units, now)

    desk._serve = logged  # type: ignore[method-assign]
    enter = desk._enter
    names = desk.s.type_names
    arriving: list[str] = []

    def tagged_enter(inq: Inquiry, k: int, now: float) -> None:
        if arriving:  # the contact _start_contact has just created
            labels[id(inq)] = arriving.pop()
        enter(inq, k, now)

    desk._enter = tagged_enter  # type: ignore[method-assign]
    # The short ways (engine/service.py): a contact a person takes at once, or the bot
    # resolves, never reaches _enter or _serve.
    person_serves = desk._person_serves
    bot_resolves = desk._bot_resolves

    def logged_person(pool: PoolRuntime, agent: Agent, *rest: Any) -> None:
        label = arriving.pop() if arriving else "follow-up"
        played.served.append((rest[-1], label, pool.name, agent.id))
        person_serves(pool, agent, *rest)

    def tagged_bot(*args: Any) -> None:
        if arriving:
            arriving.pop()
        bot_resolves(*args)

    desk._person_serves = logged_person  # type: ignore[method-assign]
    desk._bot_resolves = tagged_bot  # type: ignore[method-assign]

    def starter(c: Contact) -> Any:
        def arrive(_ev: object) -> None:
            row = (0.0, names.index(c.type), c.patience, 0.0 if c.asks else 1.0,
                   c.bot_u, 1.0, c.fcr_u, c.handles)
            arriving.append(c.label)
            desk._start_contact(desk.env._now, row, 0, None)  # type: ignore[arg-type]

        return arrive

    for c in contacts:
        desk._at(c.at, starter(c), None)
    played.run = desk.run()
    return played


PEOPLE = {"name": "team", "kind": "inhouse", "handle_time": "fixed(1m)"}


# ---------------------------------------------------------------- which agent
@pytest.mark.parametrize("assignment", ["fill", "spread"])
def test_a_chat_goes_to_the_busiest_or_the_least_busy_agent(assignment: str) -> None:
    pool = dict(PEOPLE, agents=2, concurrency=3, chat_assignment=assignment)
    data = desk_data([pool], [{"name": "chat", "share": 0.5, "channel": "chat"},
                              {"name": "call", "share": 0.5}],
                     {"chat": "team", "call": "team"})
    p = play(data, [Contact(0, "chat", (600,), "c1"), Contact(10, "chat", (600,), "c2"),
                    Contact(20, "call", (60,), "call", patience=1000)])
    agents = {label: agent for _, label, _, agent in p.served}
    waits = {label: t for t, label, _, _ in p.served}
    if assignment == "fill":
        assert agents["c2"] == agents["c1"]  # the busiest agent with a free slot
        assert waits["call"] == 20  # so a whole agent is left for the call
    else:
        assert agents["c2"] != agents["c1"]  # the least busy agent
        assert waits["call"] == 600  # the call waits for the first chat to end


def test_chat_assignment_defaults_to_fill() -> None:
    pool = dict(PEOPLE, agents=2, concurrency=3)
    data = desk_data([pool], [{"name": "chat", "share": 1.0, "channel": "chat"}],
                     {"chat": "team"})
    assert scenario_from_data(data).pools[0].chat_assignment == "fill"


def test_chat_assignment_is_refused_on_a_bot() -> None:
    from simdesk.errors import ScenarioError

    bot = {"name": "bot", "kind": "bot", "handle_time": "fixed(1m)", "chat_assignment": "fill"}
    with pytest.raises(ScenarioError, match="chat_assignment"):
        scenario_from_data(desk_data([bot], [{"name": "a", "share": 1.0}], {"a": "bot"}))


def test_the_idle_agent_idle_longest_takes_a_contact() -> None:
    data = desk_data([dict(PEOPLE, agents=3)], [{"name": "a", "share": 1.0}], {"a": "team"})
    p = play(data, [Contact(0, "a", (10,), "x"), Contact(1, "a", (100,), "y"),
                    Contact(20, "a", (10,), "z")])
    agents = {label: agent for _, label, _, agent in p.served}
    # x freed agent 0 at 10 s; agent 2 has been idle since the start, so it takes z.
    assert agents == {"x": 0, "y": 1, "z": 2}


def test_a_call_takes_the_agent_idle_longest_with_concurrency() -> None:
    pool = dict(PEOPLE, agents=3, concurrency=2)
    data = desk_data([pool], [{"name": "chat", "share": 0.5, "channel": "chat"},
                              {"name": "call", "share": 0.5}],
                     {"chat": "team", "call": "team"})
    p = play(data, [Contact(0, "call", (10,), "x"), Contact(1, "call", (100,), "y"),
                    Contact(20, "call", (10,), "z")])
    agents = {label: agent for _, label, _, agent in p.served}
    assert agents == {"x": 0, "y": 1, "z": 2}


# ---------------------------------------------------------------- queue order
def test_waiting_contacts_are_served_by_priority_then_arrival_at_the_queue() -> None:
    bot = {"name": "bot", "kind": "bot", "handle_time": "fixed(1m)", "resolution": 0.0}
    data = desk_data(
        [bot, dict(PEOPLE, agents=1)],
        [{"name": "via_bot", "share": 0.4}, {"name": "direct", "share": 0.3},
         {"name": "urgent", "share": 0.3, "priority": 1}],
        {"via_bot": ["bot", "team"], "direct": "team", "urgent": "team"},
    )
    p = play(data, [
        Contact(0, "direct", (300,), "busy"),  # holds the agent until 300 s
        Contact(1, "via_bot", (60, 60), "early_at_desk"),  # joins the team queue at 61 s
        Contact(10, "direct", (60,), "early_at_queue"),  # joins it at 10 s
        Contact(200, "urgent", (60,), "urgent"),  # last, but higher priority
    ])
    assert p.order("team") == ["busy", "urgent", "early_at_queue", "early_at_desk"]


# ---------------------------------------------------------------- bots and scores
BOT = {"name": "bot", "kind": "bot", "handle_time": "fixed(1m)"}


def _scores(p: Played, tname: str) -> float:
    return p.cell_total(tname, "csat_sum") / p.cell_total(tname, "rated")


def test_a_bot_only_failure_scores_unresolved_without_the_escalation_penalty() -> None:
    data = desk_data([dict(BOT, resolution=0.0)], [{"name": "a", "share": 1.0}], {"a": "bot"})
    p = play(data, [Contact(0, "a", (60,), "x")])
    assert p.cell_total("a", "escalated") == 1  # counted as not resolved by the bot
    assert _scores(p, "a") == pytest.approx(2.5)  # unresolved, no escalation penalty


def test_an_escalation_to_a_person_pays_the_escalation_penalty() -> None:
    data = desk_data([dict(BOT, resolution=0.0), dict(PEOPLE, agents=1)],
                     [{"name": "a", "share": 1.0}], {"a": ["bot", "team"]})
    p = play(data, [Contact(0, "a", (60, 60), "x")])
    assert _scores(p, "a") == pytest.approx(4.5 - 0.3)


def test_the_max_time_cut_comes_before_the_resolution_draw() -> None:
    bot = dict(BOT, resolution=1.0, max_time="2m")
    data = desk_data([bot], [{"name": "a", "share": 1.0}], {"a": "bot"})
    p = play(data, [Contact(0, "a", (300,), "long", bot_u=0.0),
                    Contact(0, "a", (60,), "short", bot_u=0.0)])
    assert p.cell_total("a", "contained") == 1  # only the conversation within max_time
    assert p.cell_total("a", "escalated") == 1  # the cut one, though resolution is 1


@pytest.mark.parametrize("bot_resolves", [True, False])
def test_the_unwanted_bot_penalty_applies_whatever_the_bot_did(bot_resolves: bool) -> None:
    data = desk_data([dict(BOT, resolution=0.5), dict(PEOPLE, agents=1)],
                     [{"name": "a", "share": 1.0}], {"a": ["bot", "team"]},
                     customers={"asks_for_human": 0.5, "repeat": {"probability": 0}})
    bot_u = 0.0 if bot_resolves else 0.99
    p = play(data, [Contact(0, "a", (60, 60), "x", asks=True, bot_u=bot_u)])
    expected = 4.3 - 0.5 if bot_resolves else 4.5 - 0.3 - 0.5
    assert _scores(p, "a") == pytest.approx(expected)


def test_always_human_spares_askers_the_unwanted_bot_penalty() -> None:
    data = desk_data([dict(BOT, resolution=0.5), dict(PEOPLE, agents=1)],
                     [{"name": "a", "share": 1.0}],
                     {"a": ["bot", "team"], "always_human": True},
                     customers={"asks_for_human": 0.5, "repeat": {"probability": 0}})
    p = play(data, [Contact(0, "a", (60, 60), "x", asks=True)])
    assert p.order("bot") == []
    assert _scores(p, "a") == pytest.approx(4.5)


# ---------------------------------------------------------------- warm-up
def test_repeats_of_warmup_contacts_after_the_warmup_are_counted() -> None:
    team = dict(PEOPLE, agents=1, fcr=0.5)
    data = desk_data([team], [{"name": "a", "share": 1.0}], {"a": "team"},
                     warmup="1h",
                     customers={"repeat": {"probability": 1, "after": "fixed(20h)"}})
    p = play(data, [Contact(600, "a", (60,), "x", fcr_u=0.9)])  # unresolved, in the warm-up
    # The warm-up contact itself is not counted; its repeat (at 20h11m) is, as a repeat.
    assert p.cell_total("a", "offered") == 1
    assert p.cell_total("a", "repeats") == 1


def test_agents_are_individuals_numbered_in_their_pool() -> None:
    """Each agent has an id (its index in its pool: the shifts' blocks in the order the
    scenario lists them) and its pool's name; a bot pool is one agent."""
    shifts = [{"start": "08:00", "end": "16:00", "agents": 2},
              {"start": "16:00", "end": "24:00", "agents": 3}]
    data = desk_data([{"name": "bot", "kind": "bot", "handle_time": "fixed(1m)"},
                      dict(PEOPLE, shifts=shifts)],
                     [{"name": "t", "share": 1.0}], {"t": ["bot", "team"]})
    desk = _Desk(scenario_from_data(data), Streams(1, 0))
    team = desk.pools["team"]
    assert [a.id for a in team.agents] == [0, 1, 2, 3, 4]
    assert {a.pool for a in team.agents} == {"team"}
    assert [[a.id for a in block] for block, _ in team.windows] == [[0, 1], [2, 3, 4]]
    assert [(a.id, a.pool) for a in desk.pools["bot"].agents] == [(0, "bot")]
