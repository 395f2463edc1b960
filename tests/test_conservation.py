"""Conservation: every contact that arrived is, at the end, handled, abandoned or still in
the system, and nothing is counted twice.

Checked on every single run (``simulate`` + ``run_figures``, one ``RunFigures`` per
replication), for generated scenarios that switch on every feature of the model (bots
with resolution, false resolution, time limits and escalation; vendor and in-house pools,
overflow, shifts, chat concurrency, priorities, "ask for a human" with the always-human
rule on and off, retries, repeats, imperfect first-contact resolution, warmup), plus a few
hand-written desks that are sure to exercise overflow, abandonment and repeats at volume.

Some identities are definitions (``in_system`` is what is left); the checks that can fail
are the ones that compare counters kept in different places: contacts per (type, hour)
cell against per-pool tallies (abandonment charged to exactly one pool, containment, the
handled total against the pools' completions), non-negative leftovers per pool, and the
desk's in-system count against the pools'.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simdesk.engine import simulate
from simdesk.figures import RunFigures, run_figures
from simdesk.loading import scenario_from_data
from simdesk.scenario import Scenario

COUNTS = (
    "offered",
    "handled",
    "abandoned",
    "in_system",
    "contained",
    "escalated",
    "repeat_contacts",
    "resolved",
)
POOL_COUNTS = tuple(k for k in COUNTS if k != "repeat_contacts")
SHARES = ("abandonment_rate", "p_wait", "service_level", "csat_satisfied")

HANDLE_TIMES = (
    "exponential(mean=3m)",
    "lognormal(mean=4m, cv=0.8)",
    "gamma(mean=3m, cv=0.5)",
    "uniform(1m, 5m)",
    "fixed(2m)",
    "empirical(1m, 2m, 6m)",
)
BOT_TIMES = ("exponential(mean=1m)", "fixed(30s)", "lognormal(mean=2m, cv=1.2)")
PATIENCES = (None, "exponential(mean=2m)", "uniform(30s, 5m)", "fixed(1m)", "gamma(mean=4m, cv=1)")
SHIFT_SPANS = (("08:00", "16:00"), ("16:00", "23:30"), ("22:00", "06:00"), ("00:00", "12:00"))
DAYS = ("all", "mon-fri", "mon,tue", "sat,sun", "tue-thu")


def _share_list(weights: list[int]) -> list[float]:
    total = sum(weights)
    shares = [w / total for w in weights]
    shares[-1] = 1.0 - sum(shares[:-1])
    return shares


@st.composite
def people_pool(draw: st.DrawFn, name: str, kind: str, types: list[str]) -> dict[str, Any]:
    pool: dict[str, Any] = {"name": name, "kind": kind}
    if draw(st.booleans()):
        pool["agents"] = draw(st.integers(1, 6))
    else:
        shifts = []
        for _ in range(draw(st.integers(1, 2))):
            start, end = draw(st.sampled_from(SHIFT_SPANS))
            shifts.append(
                {
                    "days": draw(st.sampled_from(DAYS)),
                    "start": start,
                    "end": end,
                    "agents": draw(st.integers(1, 5)),
                }
            )
        pool["shifts"] = shifts
    if draw(st.booleans()):
        pool["handle_time"] = draw(st.sampled_from(HANDLE_TIMES))
    else:
        mapping = {"default": draw(st.sampled_from(HANDLE_TIMES))}
        for t in types:
            if draw(st.booleans()):
                mapping[t] = draw(st.sampled_from(HANDLE_TIMES))
        pool["handle_time"] = mapping
    if draw(st.booleans()):
        pool["speed"] = draw(st.sampled_from([0.5, 0.8, 1.0, 1.5]))
    pool["fcr"] = draw(st.sampled_from([1.0, 0.9, 0.6]))
    if draw(st.booleans()):
        pool["concurrency"] = draw(st.integers(1, 3))
    pool["cost"] = {
        "per_hour": draw(st.sampled_from([0.0, 18.0, 30.0])),
        "per_contact": draw(st.sampled_from([0.0, 2.5])),
        "per_resolution": draw(st.sampled_from([0.0, 1.0])),
    }
    return pool


@st.composite
def bot_pool(draw: st.DrawFn, types: list[str]) -> dict[str, Any]:
    pool: dict[str, Any] = {
        "name": "bot",
        "kind": "bot",
        "handle_time": draw(st.sampled_from(BOT_TIMES)),
        "false_resolution": draw(st.sampled_from([0.0, 0.1, 0.4])),
        "cost": {"per_conversation": draw(st.sampled_from([0.0, 0.5]))},
    }
    if draw(st.booleans()):
        pool["resolution"] = draw(st.sampled_from([0.0, 0.3, 0.7, 1.0]))
    else:
        pool["resolution"] = {t: draw(st.sampled_from([0.2, 0.6, 0.9])) for t in types}
    if draw(st.booleans()):
        pool["max_time"] = draw(st.sampled_from(["45s", "90s", "3m"]))
    if draw(st.booleans()):
        pool["escalation_extra"] = draw(st.sampled_from(["30s", "1m"]))
    if draw(st.booleans()):
        pool["concurrency"] = draw(st.integers(1, 6))
    return pool


@st.composite
def desk_data(draw: st.DrawFn) -> dict[str, Any]:
    """A valid scenario with any combination of the model's features."""
    ntypes = draw(st.integers(1, 3))
    names = [f"type{i}" for i in range(ntypes)]
    shares = _share_list(draw(st.lists(st.integers(1, 5), min_size=ntypes, max_size=ntypes)))
    types = [
        {
            "name": name,
            "share": share,
            "channel": draw(st.sampled_from(["chat", "phone", "email"])),
            "priority": draw(st.integers(0, 2)),
        }
        for name, share in zip(names, shares, strict=True)
    ]
    people = [draw(people_pool("inhouse", "inhouse", names))]
    if draw(st.booleans()):
        people.append(draw(people_pool("vendor", "vendor", names)))
    has_bot = draw(st.booleans())
    pools = ([draw(bot_pool(names))] if has_bot else []) + people

    routing: dict[str, Any] = {}
    for name in names:
        humans = draw(st.permutations([p["name"] for p in people]))
        humans = humans[: draw(st.integers(0 if has_bot else 1, len(humans)))]
        path = (["bot"] if has_bot and (not humans or draw(st.booleans())) else []) + humans
        if draw(st.booleans()):
            routing[name] = path
        else:
            route: dict[str, Any] = {"path": path}
            if draw(st.booleans()):
                route["overflow_after"] = draw(st.sampled_from(["0s", "30s", "2m"]))
            routing[name] = route
    routing["always_human"] = draw(st.booleans())
    if draw(st.booleans()):
        routing["overflow_after"] = draw(st.sampled_from(["20s", "1m"]))

    customers: dict[str, Any] = {
        "asks_for_human": draw(st.sampled_from([0.0, 0.3, 1.0])),
        "retry": {
            "probability": draw(st.sampled_from([0.0, 0.5])),
            "after": "exponential(mean=10m)",
        },
        "repeat": {
            "probability": draw(st.sampled_from([0.0, 0.5, 1.0])),
            "after": draw(st.sampled_from(["exponential(mean=2h)", "fixed(30m)"])),
        },
    }
    patience = draw(st.sampled_from(PATIENCES))
    if patience is not None:
        customers["patience"] = patience

    demand: dict[str, Any] = {
        "arrival_rate": f"{draw(st.sampled_from([10, 30, 60, 90]))}/h",
        "types": types,
    }
    if draw(st.booleans()):
        demand["intraday"] = [0.2] * 7 + [1.0] * 12 + [0.5] * 5
    return {
        "name": "generated",
        "seed": draw(st.integers(0, 2**32)),
        "horizon": draw(st.sampled_from(["1d", "36h", "2d"])),
        "warmup": draw(st.sampled_from(["0s", "3h", "1d"])),
        "demand": demand,
        "customers": customers,
        "pools": pools,
        "routing": routing,
        "targets": {"service_level": {"within": "30s", "at_least": 0.8}},
    }


# ------------------------------------------------------------------------ the checks


def _nonneg_counts(scope: str, figs: dict[str, float], keys: tuple[str, ...] = COUNTS) -> None:
    for key in keys:
        value = figs[key]
        assert not math.isnan(value), f"{scope}.{key} is NaN"
        assert value >= 0, f"{scope}.{key} = {value} is negative"
        assert value == int(value), f"{scope}.{key} = {value} is not a whole count"


def _shares_in_range(scope: str, figs: dict[str, float]) -> None:
    for key in SHARES:
        value = figs[key]
        assert math.isnan(value) or 0.0 <= value <= 1.0 + 1e-12, f"{scope}.{key} = {value}"
    csat = figs["csat_mean"]
    assert math.isnan(csat) or 1.0 <= csat <= 5.0, f"{scope}.csat_mean = {csat}"


def _has_overflow(s: Scenario) -> bool:
    return any(
        s.overflow_of(r) is not None
        and len([p for p in r.path if not s.pool(p).is_bot]) > 1
        for t in s.type_names
        for r in s.routes_for(t)
    )


def check_conservation(s: Scenario, run: RunFigures) -> None:
    """Every conservation identity on one run's figures."""
    tot = run.totals
    _nonneg_counts("totals", tot)
    _shares_in_range("totals", tot)

    # the desk: arrived == handled + abandoned + still in the system
    assert tot["offered"] == tot["handled"] + tot["abandoned"] + tot["in_system"]
    assert tot["resolved"] <= tot["handled"]
    assert tot["contained"] <= tot["handled"]
    assert tot["repeat_contacts"] <= tot["offered"]

    # pools: each queue visit ends handled, abandoned or overflowed, or is still open
    bots = {p.name for p in s.pools if p.is_bot}
    assert set(run.pools) == {p.name for p in s.pools}
    for name, figs in run.pools.items():
        # a pool does not know whether a contact is a repeat: that figure is NaN there
        assert math.isnan(figs["repeat_contacts"]), name
        _nonneg_counts(f"pools[{name}]", figs, POOL_COUNTS)
        assert figs["overflowed"] >= 0, name
        assert figs["offered"] == (
            figs["handled"] + figs["abandoned"] + figs["overflowed"] + figs["in_system"]
        ), name
        assert figs["resolved"] <= figs["handled"], name
        if name in bots:
            assert figs["contained"] + figs["escalated"] <= figs["handled"], name
            assert figs["overflowed"] == 0, f"a bot never overflows: {name}"
        else:
            assert figs["contained"] == figs["escalated"] == 0, name
    pools = run.pools.values()
    # every abandonment is charged to exactly one pool, every containment to one bot
    assert tot["abandoned"] == sum(p["abandoned"] for p in pools)
    assert tot["contained"] == sum(run.pools[b]["contained"] for b in bots)
    assert tot["escalated"] == sum(run.pools[b]["escalated"] for b in bots)
    assert tot["overflowed"] == sum(p["overflowed"] for p in pools)
    # a finished contact was finished by a person, by the bot resolving it, or by the bot
    # giving up on a route with nobody behind it
    bot_only = [t for t in s.type_names if all(p in bots for p in s.route_pools(t))]
    dead_ends = sum(run.types[t]["escalated"] for t in bot_only)
    human_done = sum(f["handled"] for n, f in run.pools.items() if n not in bots)
    # (a type whose route has people only at some hours may end at the bot at others)
    partly = any(
        any(all(p in bots for p in r.path) for r in s.routes_for(t))
        for t in s.type_names if t not in bot_only
    )
    if not partly:
        assert tot["handled"] == human_done + tot["contained"] + dead_ends
    # the first pool of every route sees every contact
    assert sum(p["offered"] for p in pools) >= tot["offered"]
    # a contact still in the system waits or is served in one pool, or (overflow) in
    # several at once
    open_visits = sum(p["in_system"] for p in pools)
    if _has_overflow(s):
        assert tot["in_system"] <= open_visits
    else:
        assert tot["in_system"] == open_visits
        assert tot["overflowed"] == 0

    # per type and per interval the counts add up to the totals
    assert set(run.types) == set(s.type_names)
    assert len(run.intervals) == 24
    for scope, parts in (("types", list(run.types.values())), ("intervals", run.intervals)):
        for i, figs in enumerate(parts):
            _nonneg_counts(f"{scope}[{i}]", figs)
            _shares_in_range(f"{scope}[{i}]", figs)
            assert figs["offered"] == figs["handled"] + figs["abandoned"] + figs["in_system"]
        for key in COUNTS:
            assert sum(f[key] for f in parts) == tot[key], f"{scope} {key}"
    # and the money adds up per type
    assert math.isclose(
        sum(f["cost_total"] for f in run.types.values()), tot["cost_total"], rel_tol=1e-9,
        abs_tol=1e-9,
    )

    # nothing comes back unless the scenario allows it
    c = s.customers
    may_retry = c.patience is not None and c.retry.probability > 0
    may_repeat = c.repeat.probability > 0 and (
        any(p.fcr < 1 for p in s.pools if not p.is_bot)
        or any(p.is_bot for p in s.pools)
    )
    if not (may_retry or may_repeat):
        assert tot["repeat_contacts"] == 0
    if c.patience is None:
        assert tot["abandoned"] == 0


def run_all(s: Scenario, seed: int, replications: int) -> list[RunFigures]:
    return [run_figures(simulate(s, seed, i)) for i in range(replications)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=desk_data(), replication=st.integers(0, 3))
def test_generated_desks_conserve_contacts(data: dict[str, Any], replication: int) -> None:
    s = scenario_from_data(data, file="<generated>")
    run = run_figures(simulate(s, s.seed, replication))
    check_conservation(s, run)


# ------------------------------------------------------- hand-written desks at volume


def everything_desk(**overrides: Any) -> dict[str, Any]:
    """Bot first, in-house with shifts, vendor overflow, chats, priorities, the lot."""
    data: dict[str, Any] = {
        "name": "everything",
        "seed": 42,
        "horizon": "2d",
        "warmup": "6h",
        "demand": {
            "arrival_rate": "120/h",
            "intraday": [0.3] * 7 + [1.5] * 12 + [0.6] * 5,
            "types": [
                {"name": "billing", "share": 0.5, "channel": "phone", "priority": 1},
                {"name": "chat_help", "share": 0.3, "channel": "chat"},
                {"name": "email_req", "share": 0.2, "channel": "email"},
            ],
        },
        "customers": {
            "patience": "exponential(mean=3m)",
            "asks_for_human": 0.25,
            "retry": {"probability": 0.4, "after": "exponential(mean=15m)"},
            "repeat": {"probability": 0.8, "after": "exponential(mean=3h)"},
        },
        "pools": [
            {
                "name": "bot",
                "kind": "bot",
                "handle_time": "lognormal(mean=2m, cv=1)",
                "resolution": {"default": 0.5, "billing": 0.3},
                "false_resolution": 0.2,
                "max_time": "4m",
                "escalation_extra": "1m",
                "concurrency": 8,
                "cost": {"per_conversation": 0.4},
            },
            {
                "name": "home",
                "kind": "inhouse",
                "shifts": [
                    {"days": "mon-fri", "start": "07:00", "end": "15:00", "agents": 3},
                    {"days": "all", "start": "14:00", "end": "23:00", "agents": 2},
                ],
                "handle_time": {
                    "default": "exponential(mean=5m)",
                    "chat_help": "gamma(mean=8m, cv=0.7)",
                },
                "concurrency": 2,
                "fcr": 0.8,
                "cost": {"per_hour": 25},
            },
            {
                "name": "vendor",
                "kind": "vendor",
                "agents": 2,
                "handle_time": "lognormal(mean=6m, cv=0.6)",
                "speed": 0.9,
                "fcr": 0.7,
                "cost": {"per_contact": 4, "per_resolution": 1},
            },
        ],
        "routing": {
            "always_human": False,
            "overflow_after": "45s",
            "billing": ["bot", "home", "vendor"],
            "chat_help": {"path": ["bot", "vendor", "home"], "overflow_after": "20s"},
            "email_req": ["home"],
        },
    }
    data.update(overrides)
    return data


def test_everything_desk_conserves_and_exercises_every_path() -> None:
    s = scenario_from_data(everything_desk())
    runs = run_all(s, s.seed, 3)
    for run in runs:
        check_conservation(s, run)
    tot = runs[0].totals
    # the interesting paths really happened, so the identities above were not 0 == 0
    for key in ("abandoned", "contained", "escalated", "overflowed", "repeat_contacts"):
        assert tot[key] > 0, key
    assert runs[0].pools["vendor"]["overflowed"] + runs[0].pools["home"]["overflowed"] > 0


def test_always_human_and_everyone_asks_skips_the_bot() -> None:
    routing = dict(everything_desk()["routing"], always_human=True)
    data = everything_desk(routing=routing)
    data["customers"] = dict(data["customers"], asks_for_human=1.0)
    s = scenario_from_data(data)
    for run in run_all(s, 3, 2):
        check_conservation(s, run)
        assert run.pools["bot"]["offered"] == 0
        assert run.totals["contained"] == 0


def test_everyone_asks_without_the_rule_still_meets_the_bot() -> None:
    data = everything_desk()
    data["customers"] = dict(data["customers"], asks_for_human=1.0)
    s = scenario_from_data(data)
    for run in run_all(s, 3, 2):
        check_conservation(s, run)
        assert run.pools["bot"]["offered"] > 0


def test_bot_only_route_finishes_escalations_unresolved() -> None:
    data = everything_desk()
    data["routing"] = dict(data["routing"], chat_help=["bot"])
    s = scenario_from_data(data)
    for run in run_all(s, 5, 2):
        check_conservation(s, run)
        assert run.types["chat_help"]["escalated"] > 0
        assert run.types["chat_help"]["in_system"] <= run.pools["bot"]["in_system"]


def test_overloaded_desk_without_patience_keeps_its_queue_in_the_system() -> None:
    data = everything_desk(warmup="0s", horizon="1d")
    data["customers"] = {"asks_for_human": 0.0}
    data["pools"][2] = dict(data["pools"][2], agents=1)
    data["routing"] = {"billing": ["home"], "chat_help": ["home"], "email_req": ["home"]}
    s = scenario_from_data(data)
    run = run_figures(simulate(s, 9, 0))
    check_conservation(s, run)
    assert run.totals["abandoned"] == 0
    assert run.totals["in_system"] > 50


def test_warmup_excludes_early_contacts_but_still_conserves() -> None:
    base = everything_desk(warmup="0s", horizon="1d")
    late = everything_desk(warmup="12h", horizon="1d")
    s0, s1 = scenario_from_data(base), scenario_from_data(late)
    r0, r1 = run_figures(simulate(s0, 1, 0)), run_figures(simulate(s1, 1, 0))
    check_conservation(s0, r0)
    check_conservation(s1, r1)
    assert r0.totals["offered"] > 0 and r1.totals["offered"] > 0
