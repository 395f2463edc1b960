"""Routes by the clock and pools with nobody on duty (docs/rules.md, "Routes by the clock"
and "Pools with nobody on duty"; docs/scenario-format.md, "Routing").

Each test counts contacts per pool against the desk's contacts per hour of the day, which
the rule fixes exactly: pools have far more agents than the load needs unless a test says
otherwise, so nobody waits where the rule does not make them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from rulekit import desk, people, run
from typer.testing import CliRunner

from simdesk.cli import app
from simdesk.errors import ScenarioError
from simdesk.figures import RunFigures
from simdesk.loading import scenario_from_data
from simdesk.scenario import warnings_for

WEEKDAY_DAYTIME = {"days": "mon-fri", "from": "08:00", "to": "22:00"}


def _two_pools(routing: dict[str, Any], **top: Any) -> dict[str, Any]:
    """Pools ``day`` and ``night``, 50 agents each, for 1-minute contacts at 60/h."""
    return desk(
        pools=[people("day", agents=50), people("night", agents=50)],
        routing=routing,
        **top,
    )


def _offered_in(figs: RunFigures, hours: range) -> float:
    return sum(figs.intervals[h]["offered"] for h in hours)


def test_the_first_alternative_whose_window_holds_at_arrival_wins() -> None:
    """in-house (``day``) on weekdays 08:00-22:00, otherwise ``night``. Over Monday to
    Friday (time 0 is a Monday), every contact arriving in the hours 8..21 goes to ``day``
    and every other to ``night``: the pools' offered counts are the desk's hours' counts."""
    routing = {"t": [{"when": WEEKDAY_DAYTIME, "path": ["day"]}, {"path": ["night"]}]}
    figs = run(_two_pools(routing, horizon="5d"))
    day, night = figs.pools["day"]["offered"], figs.pools["night"]["offered"]
    assert day == _offered_in(figs, range(8, 22)) > 2000
    assert night == _offered_in(figs, range(0, 8)) + _offered_in(figs, range(22, 24)) > 1000
    assert day + night == figs.totals["offered"]


def test_the_calendar_says_which_weekday_it_is() -> None:
    """With ``start: 2027-01-09`` (a Saturday) the same route sends everything to ``night``
    over the weekend; from ``start: 2027-01-08`` (a Friday) the Friday's daytime goes to
    ``day``."""
    routing = {"t": [{"when": WEEKDAY_DAYTIME, "path": ["day"]}, {"path": ["night"]}]}
    weekend = run(_two_pools(routing, horizon="2d", start="2027-01-09"))
    assert weekend.pools["day"]["offered"] == 0
    assert weekend.pools["night"]["offered"] == weekend.totals["offered"] > 1000
    friday = run(_two_pools(routing, horizon="1d", start="2027-01-08"))
    assert friday.pools["day"]["offered"] == _offered_in(friday, range(8, 22)) > 500


def test_a_window_past_midnight_runs_into_the_next_day() -> None:
    """``{days: mon, from: "22:00", to: "02:00"}`` holds Monday 22:00 to Tuesday 02:00:
    over Monday and Tuesday, ``day`` gets exactly the hours 22, 23, 0 and 1 of Tuesday's
    night; the early hours of Monday are before the window's start."""
    window = {"days": "mon", "from": "22:00", "to": "02:00"}
    routing = {"t": [{"when": window, "path": ["day"]}, {"path": ["night"]}]}
    monday = run(_two_pools(routing, horizon="1d"))
    assert monday.pools["day"]["offered"] == _offered_in(monday, range(22, 24)) > 50
    both = run(_two_pools(routing, horizon="2d"))
    assert both.pools["day"]["offered"] > monday.pools["day"]["offered"]
    # Tuesday 00:00-02:00 is in the window, Monday's is not: the difference of the two
    # runs' hour-0 and hour-1 counts is exactly what `day` got on Tuesday morning.
    tuesday_early = both.pools["day"]["offered"] - monday.pools["day"]["offered"]
    assert tuesday_early == (
        _offered_in(both, range(0, 2)) - _offered_in(monday, range(0, 2))
    )


def test_windows_on_minutes_split_the_hour() -> None:
    """A window from 08:30: contacts arrive only in hour 8 (intraday profile), about half
    of them after 08:30. With n of them, the share sent to ``day`` is 1/2 within 4
    standard deviations, sqrt(1/4n)."""
    intraday = [0.0] * 24
    intraday[8] = 1.0
    window = {"days": "all", "from": "08:30", "to": "12:00"}
    routing = {"t": [{"when": window, "path": ["day"]}, {"path": ["night"]}]}
    data = _two_pools(routing, horizon="5d", rate="20/h")
    data["demand"]["intraday"] = intraday
    figs = run(data)
    n = figs.totals["offered"]
    assert n > 1000
    share = figs.pools["day"]["offered"] / n
    assert share == pytest.approx(0.5, abs=4 * (0.25 / n) ** 0.5)


def test_a_repeat_is_routed_at_its_own_arrival() -> None:
    """A retry or repeat is a new contact, routed at its own time. Fresh contacts arrive
    only 09:00-10:00 (weekdays, so in ``day``'s window 08:00-20:00); ``day`` never resolves
    (fcr 0) and every unresolved issue comes back exactly 12 h later, at 21:00-22:00,
    outside the window: every repeat goes to ``night``, which resolves it."""
    intraday = [0.0] * 24
    intraday[9] = 1.0
    window = {"days": "mon-fri", "from": "08:00", "to": "20:00"}
    data = desk(
        pools=[people("day", agents=50, fcr=0.0), people("night", agents=50)],
        routing={"t": [{"when": window, "path": ["day"]}, {"path": ["night"]}]},
        customers={"repeat": {"probability": 1.0, "after": "fixed(12h)"}},
        horizon="3d",
        rate="10/h",
    )
    data["demand"]["intraday"] = intraday
    figs = run(data)
    repeats = figs.totals["repeat_contacts"]
    assert repeats > 50
    assert figs.pools["night"]["offered"] == repeats
    assert figs.pools["day"]["offered"] == figs.totals["offered"] - repeats


def test_always_human_removes_the_bot_from_each_alternative() -> None:
    """With ``always_human``, askers skip the bot of whichever alternative is in force."""
    bot = {"name": "bot", "kind": "bot", "handle_time": "fixed(0s)", "resolution": 1.0}
    routing = {
        "always_human": True,
        "t": [{"when": WEEKDAY_DAYTIME, "path": ["bot", "day"]}, {"path": ["bot", "night"]}],
    }
    data = desk(
        pools=[bot, people("day", agents=50), people("night", agents=50)],
        routing=routing,
        customers={"asks_for_human": 0.3},
        horizon="1d",
    )
    figs = run(data)
    asked = figs.pools["day"]["offered"] + figs.pools["night"]["offered"]
    assert figs.pools["bot"]["offered"] + asked == figs.totals["offered"]
    assert figs.pools["day"]["offered"] > 50 and figs.pools["night"]["offered"] > 20


# ------------------------------------------------------------- pools with nobody on duty


def _shift_pool(name: str, start: str, end: str, **keys: Any) -> dict[str, Any]:
    shifts = [{"days": "all", "start": start, "end": end, "agents": 50}]
    return people(name, agents=None, shifts=shifts, **keys)


def test_a_pool_with_nobody_on_duty_is_passed_over_at_once() -> None:
    """``inhouse`` works 08:00-16:00, ``vendor`` always; ``overflow_after: 5m``. Outside
    08:00-16:00 a contact goes straight to ``vendor`` and is answered at once: nobody
    waits at night (waiting 5 minutes in the empty in-house queue first was the old
    behaviour), and ``inhouse`` is offered exactly the contacts of 08:00-16:00."""
    data = desk(
        pools=[_shift_pool("inhouse", "08:00", "16:00"), people("vendor", agents=50)],
        routing={"t": {"path": ["inhouse", "vendor"], "overflow_after": "5m"}},
        horizon="2d",
    )
    figs = run(data)
    assert figs.pools["inhouse"]["offered"] == _offered_in(figs, range(8, 16)) > 500
    night = [*range(0, 8), *range(16, 24)]
    assert figs.pools["vendor"]["offered"] == _offered_in(figs, range(24)) - _offered_in(
        figs, range(8, 16)
    )
    assert all(figs.intervals[h]["p_wait"] == 0.0 for h in night)
    assert figs.totals["overflowed"] == 0


def test_with_nobody_on_duty_anywhere_a_contact_waits_in_the_last_pool() -> None:
    """``first`` works 08:00-16:00, ``second`` 12:00-20:00; contacts arrive only in hour 0
    and never give up. Both are empty then, so each waits in ``second`` (the last pool of
    its route) and is answered when ``second`` comes on duty at 12:00, not when ``first``
    does at 08:00: ``first`` is offered nothing and every wait is between 11 and 12 h."""
    intraday = [0.0] * 24
    intraday[0] = 1.0
    data = desk(
        pools=[_shift_pool("first", "08:00", "16:00"), _shift_pool("second", "12:00", "20:00")],
        routing={"t": {"path": ["first", "second"], "overflow_after": "1m"}},
        rate="2/h",
        horizon="1d",
    )
    data["demand"]["intraday"] = intraday
    figs = run(data)
    t = figs.totals
    assert t["handled"] > 20
    assert figs.pools["first"]["offered"] == 0
    assert figs.pools["second"]["handled"] == t["handled"] == t["offered"]
    assert 11 * 3600 <= t["wait_mean_s"] <= 12 * 3600
    assert t["p_wait"] == 1.0


def test_contacts_waiting_when_the_last_agent_leaves_stay_and_overflow_as_usual() -> None:
    """``first`` has one agent on 00:00-00:30, kept busy by the first contact (2 h); the
    others queue there. When the shift ends they stay in ``first``'s queue and overflow to
    ``second`` (50 agents) after exactly ``overflow_after`` (10 min) each: every contact
    that waited waited exactly 600 s. Those arriving after 00:30 go to ``second`` at once."""
    intraday = [0.0] * 24
    intraday[0] = 1.0
    first = people(
        "first",
        agents=None,
        shifts=[{"days": "all", "start": "00:00", "end": "00:30", "agents": 1}],
        handle_time="fixed(2h)",
    )
    data = desk(
        pools=[first, people("second", agents=50)],
        routing={"t": {"path": ["first", "second"], "overflow_after": "10m"}},
        rate="2/h",  # 48 an hour in hour 0
        horizon="1d",
    )
    data["demand"]["intraday"] = intraday
    figs = run(data)
    t = figs.totals
    waited = t["p_wait"] * t["handled"]
    assert 5 < waited < t["handled"] - 5  # some waited (before 00:30), some did not
    assert t["wait_queued_mean_s"] == pytest.approx(600.0, abs=1e-6)
    assert figs.pools["first"]["overflowed"] == pytest.approx(waited)


# ------------------------------------------------------------------------- warnings


def _warnings(data: dict[str, Any]) -> list[str]:
    return warnings_for(scenario_from_data(data, file="<rule test>"))


def test_a_pool_in_no_route_is_warned_about_with_its_cost() -> None:
    data = desk(
        pools=[
            people(),
            people("spare", cost={"per_hour": 20}),
            people("free"),
        ]
    )
    found = _warnings(data)
    assert "pool 'spare' is in no route: it answers no contact, yet its cost per hour " \
        "is counted in cost_total" in found
    assert "pool 'free' is in no route: it answers no contact" in found
    assert not any("'people'" in w for w in found)


def test_times_a_route_has_nobody_on_duty_are_named_by_day_and_hour() -> None:
    """An in-house team on weekdays 08:00-22:00 alone behind the bot (the new user's desk
    of issue 8): the warning names the nights and the weekend, over a measured week."""
    shifts = [{"days": "mon-fri", "start": "08:00", "end": "22:00", "agents": 5}]
    data = desk(
        pools=[people("inhouse", agents=None, shifts=shifts)],
        routing={"billing": ["inhouse"]},
        types=[{"name": "billing", "share": 1.0}],
        horizon="7d",
    )
    assert _warnings(data) == [
        "billing: no staffed pool Mon-Thu 22:00-08:00, Fri 22:00-Mon 08:00; its contacts "
        "then wait in the last pool of their route until someone comes on duty or they "
        "give up"
    ]
    # Routed to an always-on vendor at those times: nothing to warn about.
    data["pools"].append(people("vendor", agents=3))
    data["routing"] = {
        "billing": [{"when": WEEKDAY_DAYTIME, "path": ["inhouse"]}, {"path": ["vendor"]}]
    }
    assert _warnings(data) == []


def test_the_coverage_warning_looks_only_at_the_measured_span_on_the_calendar() -> None:
    """The same weekday team over a Saturday and Sunday (``start: 2027-01-09``) is never on
    duty; over Monday alone (no ``start``) only its night is uncovered."""
    shifts = [{"days": "mon-fri", "start": "08:00", "end": "22:00", "agents": 5}]
    data = desk(pools=[people(agents=None, shifts=shifts)], horizon="2d", start="2027-01-09")
    assert _warnings(data)[0].startswith("t: no staffed pool Sat-Sun all day;")
    data = desk(pools=[people(agents=None, shifts=shifts)], horizon="1d")
    assert _warnings(data)[0].startswith("t: no staffed pool Mon 00:00-08:00, Mon 22:00-24:00;")


# ----------------------------------------------------------------------- the format


def _problems(routing: dict[str, Any]) -> list[str]:
    data = desk(pools=[people("day"), people("night")], routing=routing)
    with pytest.raises(ScenarioError) as err:
        scenario_from_data(data, file="s.yaml")
    return [str(p) for p in err.value.problems]


def test_only_the_last_alternative_may_leave_out_when() -> None:
    found = _problems({"t": [{"path": ["night"]}, {"when": WEEKDAY_DAYTIME, "path": ["day"]}]})
    assert any("t[0]: only the last alternative may leave out 'when'" in p for p in found)


def test_every_time_of_the_week_needs_an_alternative() -> None:
    found = _problems({"t": [{"when": WEEKDAY_DAYTIME, "path": ["day"]}]})
    assert any(
        "routing.t: no alternative holds Mon-Thu 22:00-08:00, Fri 22:00-Mon 08:00; add a last "
        "alternative without 'when'" in p
        for p in found
    ), found


def test_an_alternative_never_in_force_is_an_error() -> None:
    found = _problems(
        {
            "t": [
                {"when": {"days": "all"}, "path": ["day"]},
                {"when": WEEKDAY_DAYTIME, "path": ["night"]},
                {"path": ["night"]},
            ]
        }
    )
    assert any("t[1].when: this alternative is never in force" in p for p in found), found


def test_when_outside_a_list_of_alternatives_is_an_error() -> None:
    found = _problems({"t": {"when": WEEKDAY_DAYTIME, "path": ["day"]}})
    assert any("routing.t.when: 'when' belongs to an alternative" in p for p in found), found


def test_warnings_are_printed_by_run_and_validate_and_written_to_the_json(
    tmp_path: Path,
) -> None:
    """On standard error (not in the tables), and under ``warnings`` in ``run --json``."""
    shifts = [{"days": "mon-fri", "start": "08:00", "end": "22:00", "agents": 5}]
    data = desk(
        pools=[people("inhouse", agents=None, shifts=shifts), people("spare")],
        routing={"billing": ["inhouse"]},
        types=[{"name": "billing", "share": 1.0}],
        horizon="1d",
    )
    path = tmp_path / "desk.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "result.json"
    env = {"COLUMNS": "200", "NO_COLOR": "1"}
    ran = CliRunner().invoke(app, ["run", str(path), "--json", str(out)], env=env)
    assert ran.exit_code == 0, ran.output
    expected = ["pool 'spare' is in no route", "billing: no staffed pool Mon 00:00-08:00"]
    for text in expected:
        assert text in ran.stderr and text not in ran.stdout
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [w[:40] for w in doc["warnings"]] == [
        "pool 'spare' is in no route: it answers ",
        "billing: no staffed pool Mon 00:00-08:00",
    ]
    checked = CliRunner().invoke(app, ["validate", str(path)], env=env)
    assert checked.exit_code == 0
    assert all(text in checked.stderr for text in expected)
