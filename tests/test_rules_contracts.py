"""A vendor pool's contract in a run's cost figures (docs/figures.md, "Vendor contracts"):
the pool costs what the contract's arithmetic makes of the volumes the run simulated,
penalties and minimums included, and the desk's cost follows.

The volumes are read from counters kept apart from the cost arithmetic (handled, the
pool's service level, staffed time from a per-hour cost basis), and the expected cost is
worked out here from them by the rule's own words.
"""

from __future__ import annotations

from typing import Any

import pytest
from rulekit import FLOOD, desk, run

from simdesk.calendar import MONTH
from simdesk.figures import CONTRACT_FIGURES

HORIZON_S = 6 * 3600.0
MONTHS = HORIZON_S / MONTH  # the measured period in contract months


def vendor(contract: dict[str, Any] | None = None, agents: int = 3, **keys: Any) -> dict[str, Any]:
    pool: dict[str, Any] = {
        "name": "vendor",
        "kind": "vendor",
        "agents": agents,
        "handle_time": "fixed(4m)",
        "fcr": 0.5,
    }
    if contract is not None:
        pool["contract"] = contract
    pool.update(keys)
    return pool


def _desk(pool: dict[str, Any], rate: str = "50/h") -> dict[str, Any]:
    """3 vendor agents, 4-minute contacts, patience 2 min so some abandon, 6 h after 1 h."""
    return desk(
        pools=[pool],
        routing={"t": ["vendor"]},
        customers={"patience": "fixed(2m)", "repeat": {"probability": 0}},
        rate=rate,
        warmup="1h",
        horizon="6h",
    )


def test_per_hour_contract_costs_what_the_same_hourly_cost_does() -> None:
    """per_hour: "per staffed agent-hour": 3 agents x 6 h x 20 = 360, the figure
    `cost: {per_hour: 20}` gives, and every other figure is the run's own."""
    with_contract = run(_desk(vendor({"per_hour": 20})))
    with_cost = run(_desk(vendor(cost={"per_hour": 20})))
    p = with_contract.pools["vendor"]
    assert p["cost_total"] == pytest.approx(360.0, rel=1e-12)
    assert p["cost_contract_fees"] == p["cost_total"]
    assert with_contract.totals["cost_total"] == pytest.approx(
        with_cost.totals["cost_total"], rel=1e-12
    )
    for key, value in with_cost.pools["vendor"].items():
        assert p[key] == value or (value != value and p[key] != p[key]), key


def test_per_contact_contract_pays_each_contact_the_pool_completed() -> None:
    figs = run(_desk(vendor({"per_contact": 2.5})))
    t = figs.totals
    assert t["abandoned"] > 0  # some contacts are not paid for
    assert figs.pools["vendor"]["cost_total"] == pytest.approx(2.5 * t["handled"], rel=1e-12)


def test_minimum_volume_tops_up_the_contacts_not_handled() -> None:
    """Minimum 100,000 contacts a month, prorated to the 6 measured hours: far above what
    50/h handles, so the pool pays 2.5 x the prorated minimum, the top-up being 2.5 x the
    shortfall."""
    figs = run(_desk(vendor({"per_contact": 2.5, "minimum_volume": 100_000})))
    p = figs.pools["vendor"]
    floor = 100_000 * MONTHS
    assert p["handled"] < floor
    assert p["cost_contract_minimum"] == pytest.approx(2.5 * (floor - p["handled"]), rel=1e-9)
    assert p["cost_total"] == pytest.approx(2.5 * floor, rel=1e-9)


@pytest.mark.parametrize("baseline", [1_000.0, 100_000.0])
def test_anchored_contract_on_the_simulated_volume(baseline: float) -> None:
    """Anchored at `baseline` a month for 30,000 a month, 4 above and 1 below: prorated
    baseline b = baseline x months; cost = 30,000 x months + 4 x (handled - b) above it,
    - 1 x (b - handled) below it. 1,000 a month is below what the run handles (above
    applies), 100,000 above it (below applies)."""
    terms = {"baseline": baseline, "price": 30_000, "above": 4, "below": 1}
    figs = run(_desk(vendor({"anchored": terms})))
    p = figs.pools["vendor"]
    b, handled = baseline * MONTHS, p["handled"]
    expected = 30_000 * MONTHS + (4 * (handled - b) if handled > b else -(b - handled))
    assert p["cost_total"] == pytest.approx(expected, rel=1e-9)
    assert (p["cost_contract_above"] > 0) == (handled > b)
    assert (p["cost_contract_below"] > 0) == (handled < b)


def _clause_desk(agents: int) -> dict[str, Any]:
    """A flood (the queue never empties): with 1 agent almost nobody is answered within
    20 s; with 400 agents of 4-minute contacts at 3,600/h (240 busy on average) everyone
    is answered at once."""
    clause = {"at_least": 0.8, "penalty": 500, "bonus": 100}
    return _desk(vendor({"per_hour": 20, "service_level": clause}, agents=agents), rate=FLOOD)


def test_missed_clause_credits_the_penalty_and_met_clause_pays_the_bonus() -> None:
    """The run measures 6 h of one week: the clause judges the pool's own service level
    over them, and the penalty (500 a week) or bonus (100 a week) counts for the measured
    share of the week, 6 h / 168 h: missed: 20 x hours - 500/28; met: 20 x hours + 100/28."""
    share = 6 / 168
    for agents, met in ((1, False), (400, True)):
        p = run(_clause_desk(agents)).pools["vendor"]
        assert (p["service_level"] >= 0.8) == met
        assert p["contract_periods_met"] == pytest.approx(share if met else 0.0, rel=1e-12)
        assert p["contract_periods_missed"] == pytest.approx(0.0 if met else share, rel=1e-12)
        fees = 20 * agents * 6
        assert p["cost_contract_fees"] == pytest.approx(fees, rel=1e-12)
        expected = fees + 100 * share if met else fees - 500 * share
        assert p["cost_total"] == pytest.approx(expected, rel=1e-12)


def test_cost_lines_reconcile_with_the_pool_and_the_desk() -> None:
    """fees + above - below + minimum - penalties + bonuses = the pool's cost_total; the
    totals' lines are the sums over the contracted pools; types share the cost whole."""
    contract = {
        "anchored": {"baseline": 50_000, "price": 30_000, "above": 4, "below": 1},
        "minimum_volume": 60_000,
        "service_level": {"at_least": 0.99, "penalty": 50, "bonus": 10},
    }
    figs = run(_desk(vendor(contract)))
    p = figs.pools["vendor"]
    lines = {k: v for k, v in p.items() if k in CONTRACT_FIGURES}
    assert set(lines) == set(CONTRACT_FIGURES)
    total = (
        p["cost_contract_fees"] + p["cost_contract_above"] - p["cost_contract_below"]
        + p["cost_contract_minimum"] - p["cost_contract_penalties"]
        + p["cost_contract_bonuses"]
    )
    assert p["cost_total"] == pytest.approx(total, rel=1e-12)
    for key, value in lines.items():
        assert figs.totals[key] == value
    assert figs.totals["cost_total"] == pytest.approx(p["cost_total"], rel=1e-12)
    assert sum(t["cost_total"] for t in figs.types.values()) == pytest.approx(
        figs.totals["cost_total"], rel=1e-12
    )


def test_only_the_lines_a_contract_has_and_none_without_one() -> None:
    per_contact = run(_desk(vendor({"per_contact": 1}))).pools["vendor"]
    assert [k for k in per_contact if k in CONTRACT_FIGURES] == ["cost_contract_fees"]
    plain = run(_desk(vendor(cost={"per_contact": 1})))
    assert not any(k in CONTRACT_FIGURES for k in plain.totals)
    assert not any(k in CONTRACT_FIGURES for k in plain.pools["vendor"])


def test_contract_cost_is_shared_among_types_by_handled_contacts() -> None:
    """Per contact: each type pays for its own handled contacts (2 each), the anchored
    and minimum lines by the same shares."""
    data = desk(
        pools=[vendor({"per_contact": 2}, agents=20, handle_time={"a": "fixed(1m)",
                                                                  "b": "fixed(3m)"})],
        types=[{"name": "a", "share": 0.5}, {"name": "b", "share": 0.5}],
        routing={"a": ["vendor"], "b": ["vendor"]},
        rate="120/h",
        horizon="6h",
    )
    figs = run(data)
    for name in ("a", "b"):
        t = figs.types[name]
        assert t["cost_total"] == pytest.approx(2 * t["handled"], rel=1e-9)


def test_per_hour_contract_is_shared_among_types_by_busy_time_as_an_hourly_cost() -> None:
    """Types of 1 and 3 minutes: a per-hour contract is shared among them exactly as the
    same `cost.per_hour` is (figures.md: by the busy time each type caused)."""

    def two_types(pool: dict[str, Any]) -> dict[str, Any]:
        return desk(
            pools=[pool],
            types=[{"name": "short", "share": 0.5}, {"name": "long", "share": 0.5}],
            routing={"short": ["vendor"], "long": ["vendor"]},
            rate="120/h",
            horizon="6h",
        )

    times = {"short": "fixed(1m)", "long": "fixed(3m)"}
    by_contract = run(two_types(vendor({"per_hour": 20}, agents=10, handle_time=times)))
    by_cost = run(two_types(vendor(cost={"per_hour": 20}, agents=10, handle_time=times)))
    for name in ("short", "long"):
        assert by_contract.types[name]["cost_total"] == pytest.approx(
            by_cost.types[name]["cost_total"], rel=1e-12
        )
    assert by_contract.types["long"]["cost_total"] > by_contract.types["short"]["cost_total"]


def _two_weeks(week1: int, week2: int, **contract: Any) -> dict[str, Any]:
    """From Monday 4 January 2027, two weeks of 60/h 4-minute contacts (4 agents' worth
    of work), patience 2 min: `week1` agents the first week, `week2` the second."""
    pool = vendor({"per_hour": 20, **contract}, agents=None)
    pool["agents"] = {"2027-01-04": week1, "2027-01-11": week2}
    return desk(
        pools=[pool],
        routing={"t": ["vendor"]},
        customers={"patience": "fixed(2m)", "repeat": {"probability": 0}},
        rate="60/h",
        start="2027-01-04",
        horizon="14d",
    )


def test_the_clause_judges_each_week_on_its_own() -> None:
    """10 agents in week 1 answer nearly everyone at once (met: +100); 3 agents in week 2
    cannot keep up (missed: -700). The run's bill has both, each week's period figures
    carry its own, and the weeks' costs add up to the run's."""
    clause = {"service_level": {"at_least": 0.8, "penalty": 700, "bonus": 100}}
    figs = run(_two_weeks(10, 3, **clause))
    p = figs.pools["vendor"]
    assert (p["contract_periods_met"], p["contract_periods_missed"]) == (1.0, 1.0)
    # 20 an hour for 10 then 3 agents, and the 7 who leave finishing their contact (at
    # most 4 minutes each, paid: docs/scenario-format.md, "Shifts")
    fees = p["cost_contract_fees"]
    assert 20 * (10 + 3) * 7 * 24 <= fees <= 20 * ((10 + 3) * 7 * 24 + 7 * 4 / 60)
    assert p["cost_total"] == pytest.approx(fees + 100 - 700, rel=1e-12)
    week1, week2 = figs.periods["week"]
    assert week1["service_level"] > 0.8 > week2["service_level"]
    assert (week1["cost_contract_bonuses"], week1["cost_contract_penalties"]) == (100.0, 0.0)
    assert (week2["cost_contract_bonuses"], week2["cost_contract_penalties"]) == (0.0, 700.0)
    assert week1["cost_total"] == pytest.approx(20 * 10 * 7 * 24 + 100, rel=1e-9)
    assert week1["cost_total"] + week2["cost_total"] == pytest.approx(p["cost_total"])
    (january,) = figs.periods["month"]
    assert january["cost_total"] == pytest.approx(p["cost_total"], rel=1e-12)


def test_a_minimum_volume_is_settled_per_calendar_month() -> None:
    """From 25 January 2027, 14 days at 60/h: January's 7 days and February's 7 are billed
    apart, each against its own prorated minimum (7/31 and 7/28 of 100,000 a month), so
    the run pays the sum of two top-ups, not one over the whole run."""
    data = desk(
        pools=[vendor({"per_contact": 1, "minimum_volume": 100_000}, agents=10)],
        routing={"t": ["vendor"]},
        customers={"patience": "fixed(2m)", "repeat": {"probability": 0}},
        rate="60/h",
        start="2027-01-25",
        horizon="14d",
    )
    figs = run(data)
    jan, feb = figs.periods["month"]
    assert jan["cost_total"] == pytest.approx(100_000 * 7 / 31, rel=1e-9)
    assert feb["cost_total"] == pytest.approx(100_000 * 7 / 28, rel=1e-9)
    assert figs.pools["vendor"]["cost_total"] == pytest.approx(
        100_000 * (7 / 31 + 7 / 28), rel=1e-9
    )


def test_a_pool_s_days_add_up_to_its_own_service_level_counts() -> None:
    """What the clause is judged on: each day records the pool's visits answered within
    the threshold and those that ended (answered or gave up, givings-up noticed late
    included), and the days add up to the pool's own counts."""
    from simdesk.engine import simulate
    from simdesk.loading import scenario_from_data
    from simdesk.tally import POOL_PERIOD

    tallies = simulate(scenario_from_data(_two_weeks(10, 3)), 1, 0)
    (pool,) = tallies.pools
    within = sum(d.pools[0][POOL_PERIOD.index("within")] for d in tallies.days)
    finished = sum(d.pools[0][POOL_PERIOD.index("finished")] for d in tallies.days)
    assert pool.tally.abandoned > 0 and 0 < within < finished
    assert (within, finished) == (pool.tally.within, pool.tally.hist.count)
