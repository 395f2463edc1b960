"""People who change: a pool's workforce plan (workforce.py) replayed during the run.

A pool with ``workforce`` has one agent per person of its plan, with the same id (the
existing staff first, in the order the scenario lists its people, then each hire in
order of hire), so the serving agent's learning factor is ``plan.factor(agent.id, now)``.
Someone is *eligible* when the plan has them on the floor and present (joined, not absent,
not left) and, in a pool of shifts, their shift is open. The rules (docs/scenario-format.md,
"Pools: workforce", "In the run"):

- Shift places: the existing staff hold the shift places in order (person i the i-th
  agent of the shifts as listed); a hire takes the place that fell vacant first (the
  place of the earliest leaver not yet replaced), and when no place is vacant (the pool
  grows) the place of number ``id mod places``: the plan scales each shift's headcount.
- Shrinkage: of the eligible people, ``round((1 - shrinkage) * eligible)`` take contacts
  ("productive"); the rest are paid and take none. Whoever comes on duty joins the
  unproductive end and the longest productive is the first to step back, so the break
  rotates. A busy person who steps back or goes off duty finishes the contact in hand
  first (as at a shift's end). Staffed (paid) time counts every eligible person, so
  occupancy is busy over paid time and productive hours are paid hours times
  (1 - shrinkage).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mypy_extensions import mypyc_attr

from simdesk.engine.staffing import StaffingPart

if TYPE_CHECKING:
    from simdesk.engine.staffing import Agent, PoolRuntime
    from simdesk.scenario import Pool
    from simdesk.workforce import WorkforcePlan


class Roster:
    """Who of a pool's people is present, in an open shift, productive or resting."""

    def __init__(self, plan: WorkforcePlan, pool: Pool) -> None:
        self.plan = plan
        self.keep = 1.0 - plan.shrinkage
        n = len(plan.people)
        # Present by the plan (on the floor, not absent, not left); the initial state is
        # just before time 0, the plan's events from time 0 on are replayed.
        self.present = [p.initial and p.available_from < 0.0 for p in plan.people]
        self.open = [pool.shifts is None or not pool.shifts] * n  # always-on: no shift
        self.productive: dict[int, None] = {}  # eligible and taking contacts, oldest first
        self.resting: dict[int, None] = {}  # eligible, paid, taking none (shrinkage)
        self.place = shift_places(plan, pool.people)

    def eligible(self, person: int) -> bool:
        return self.present[person] and self.open[person]


def shift_places(plan: WorkforcePlan, places: int) -> list[int]:
    """Each person's place among the pool's ``places`` (the i-th agent of the shifts as
    listed): existing staff in order, a hire the place vacant longest, else id mod
    places."""
    out = [-1] * len(plan.people)
    vacant: list[int] = []
    for p in plan.people:
        if p.initial:
            out[p.id] = p.id % max(places, 1)
    for e in plan.events:
        if e.kind == "leave":
            vacant.append(out[e.person])
        elif e.kind == "hire":
            out[e.person] = vacant.pop(0) if vacant else e.person % max(places, 1)
    # Someone who leaves before time 0 never appears as an event; hires after the run's
    # end neither: their place does not matter.
    return out


@mypyc_attr(allow_interpreted_subclasses=True)
class PeoplePart(StaffingPart):
    """Replays each workforce plan's headcount events and keeps the productive share."""

    def _schedule_people(self) -> None:
        for pool in self.pools.values():
            roster = pool.roster
            if roster is None:
                continue
            for person, agent in enumerate(pool.agents):
                if roster.eligible(person):
                    self._person_on(pool, agent, 0.0)
            if roster.plan.events:
                self._at(roster.plan.events[0].t, self._on_person, (pool, 0))

    def _on_person(self, value: tuple[PoolRuntime, int]) -> None:
        """The plan's events at one instant, then the next instant's is scheduled (one
        pending event per pool, not one per person)."""
        pool, i = value
        roster = pool.roster
        assert roster is not None
        events = roster.plan.events
        now = self.env._now
        t = events[i].t
        while i < len(events) and events[i].t == t:
            e = events[i]
            if e.on_duty:
                self._set_present(pool, e.person, e.on_duty > 0, now)
            i += 1
        if i < len(events):
            self._at(events[i].t, self._on_person, (pool, i))

    def _set_present(self, pool: PoolRuntime, person: int, present: bool, now: float) -> None:
        roster = pool.roster
        assert roster is not None
        was = roster.eligible(person)
        roster.present[person] = present
        self._person_changed(pool, person, was, now)

    def _set_open(self, pool: PoolRuntime, block: list[Agent], is_open: bool, now: float) -> None:
        """A shift window of these people opens or closes (staffing.py calls it for pools
        with a roster)."""
        roster = pool.roster
        assert roster is not None
        for agent in block:
            was = roster.eligible(agent.id)
            roster.open[agent.id] = is_open
            self._person_changed(pool, agent.id, was, now)

    def _person_changed(self, pool: PoolRuntime, person: int, was: bool, now: float) -> None:
        roster = pool.roster
        assert roster is not None
        now_eligible = roster.eligible(person)
        if now_eligible and not was:
            self._person_on(pool, pool.agents[person], now)
        elif was and not now_eligible:
            self._person_off(pool, pool.agents[person], now)

    def _person_on(self, pool: PoolRuntime, agent: Agent, now: float) -> None:
        """Eligible: paid from now, resting until the productive share needs them."""
        roster = pool.roster
        assert roster is not None
        pool.flush(now)
        if not agent.staffed:
            agent.staffed = True
            pool.staffed += pool.cap
        roster.resting[agent.id] = None
        self._rebalance(pool, now)

    def _person_off(self, pool: PoolRuntime, agent: Agent, now: float) -> None:
        """No longer eligible: idle, off the clock now; busy, after the contact in hand
        (service.py, as at a shift's end)."""
        roster = pool.roster
        assert roster is not None
        pool.flush(now)
        if agent.id in roster.productive:
            del roster.productive[agent.id]
            self._step_back(pool, agent)
        else:
            del roster.resting[agent.id]
        if agent.free == agent.cap and agent.staffed:
            agent.staffed = False
            pool.staffed -= pool.cap
        self._rebalance(pool, now)

    def _step_back(self, pool: PoolRuntime, agent: Agent) -> None:
        pool.on_duty -= 1
        pool.remove([agent])
        agent.on_shift = False

    def _rebalance(self, pool: PoolRuntime, now: float) -> None:
        """Keep round((1 - shrinkage) x eligible) people productive."""
        roster = pool.roster
        assert roster is not None
        productive, resting = roster.productive, roster.resting
        wanted = int(roster.keep * (len(productive) + len(resting)) + 0.5)
        while len(productive) > wanted:
            person = next(iter(productive))
            del productive[person]
            resting[person] = None
            self._step_back(pool, pool.agents[person])
        joined = False
        while len(productive) < wanted:
            person = next(iter(resting))
            del resting[person]
            productive[person] = None
            agent = pool.agents[person]
            agent.on_shift = True
            pool.on_duty += 1
            pool.add(agent)
            joined = True
        if joined and pool.order:
            self._dispatch(pool, now)
