"""The desk: one run, its parts assembled into one object (see base.py for why)."""

from __future__ import annotations

import math

import simpy
from mypy_extensions import mypyc_attr

from simdesk.calendar import Calendar
from simdesk.customers import FollowupCustomers
from simdesk.engine.arrivals import ArrivalSource, ArrivalsPart, arrival_source
from simdesk.engine.base import LATER_WINDOW
from simdesk.engine.loop import HOUR, Progress, cycle_collector_paused, drive
from simdesk.engine.staffing import PoolRuntime
from simdesk.scenario import Scenario
from simdesk.streams import Streams
from simdesk.tally import RunTallies
from simdesk.workforce import plan_for


@mypyc_attr(allow_interpreted_subclasses=True)
class _Desk(ArrivalsPart):
    """Wires a scenario to a SimPy environment and runs it once."""

    def __init__(
        self,
        scenario: Scenario,
        streams: Streams,
        arrivals: ArrivalSource | None = None,
        interval: float | None = None,
    ) -> None:
        s = scenario
        self.s = s
        self.interval = interval
        self.env = simpy.Environment()
        self.queue = self.env._queue
        self.eid = self.env._eid
        self.next_eid = self.eid.__next__
        self.later = []
        self._schedule_later(LATER_WINDOW)
        self.warmup = s.warmup
        self.end = s.warmup + s.horizon
        self.types = s.demand.types
        names = s.type_names
        ntypes = len(names)
        self.chat = [t.channel == "chat" for t in self.types]
        self._setup_scoring(s)
        self.cal = Calendar.of(s)
        # Each pool's people over the run, drawn before it from the pool's own streams
        # (workforce.py); None for a pool without ``workforce``, which runs as before.
        self.pools = {
            p.name: PoolRuntime(p, ntypes, names, self.cal, plan_for(p, self.cal, streams))
            for p in s.pools
        }
        self._setup_pool_scores()
        self._setup_recording()  # the cells of the first hour (by the Calendar's clock)
        source = arrival_source(s, streams) if arrivals is None else arrivals
        self.arrival_source = iter(source)
        self.next_arrival = self.arrival_source.__next__
        self.arrival_at = math.inf  # none until _schedule_arrival draws the first
        self.follow = FollowupCustomers(streams, s)
        self._build_routes()
        self.ask_p = s.customers.asks_for_human
        # Abandoning changes nothing but the customer's own record unless it schedules a
        # retry, so without retries a waiting customer's patience needs no timer event:
        # whoever next looks at the queue (a freed agent, or the end of the run) sees
        # that its deadline has passed and records the abandonment at that deadline.
        self.lazy_abandonment = s.customers.retry.probability == 0.0
        self.retry_p = s.customers.retry.probability
        self.repeat_p = s.customers.repeat.probability
        self.retry_delay = streams.draws("retry_delay", s.customers.retry.after.sample)
        self.repeat_delay = streams.draws("repeat_delay", s.customers.repeat.after.sample)
        self.retry_u = streams.uniforms("retry")
        self.repeat_u = streams.uniforms("repeat")
        # Follow-ups falling due at one instant: a guard against zero-time loops.
        self.followup_at = -1.0
        self.followups_now = 0
        self.on_done = self._on_done
        self.on_bot_done = self._on_bot_done
        self.on_bot_resolved = self._on_bot_resolved
        self.on_person_done = self._on_person_done
        self.on_followup = self._on_followup
        self.on_patience = self._on_patience
        self.on_overflow = self._on_overflow

    def run(self, progress: Progress | None = None) -> RunTallies:
        self._schedule_arrival()
        self._schedule_staffing()
        self._schedule_people()
        self._schedule_recording()
        with cycle_collector_paused():
            drive(self.env, self.end, progress, self)
        self._expire_waiting(self.end)
        self._close_recording()
        return self._tallies()


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    replication: int = 0,
    progress: Progress | None = None,
    interval: float | None = None,
) -> RunTallies:
    """Run one replication. Pure: no global randomness, no output, the scenario untouched.

    ``progress``, if given, is called with the fraction of simulated time done as the run
    advances (a progress bar for long horizons); it does not change the results.

    ``interval`` (seconds, below an hour and dividing it) also records the contacts and
    the pools' busy and staffed time per interval of the day on that grid
    (``RunTallies.fine``, for ``simdesk staff --interval 30m``); it changes no other
    figure's meaning, and an ordinary run (None) does none of this work."""
    seed = scenario.seed if seed is None else seed
    if interval is not None and not (60.0 <= interval < HOUR and HOUR % interval == 0):
        raise ValueError(f"interval must divide an hour and be shorter; got {interval!r}")
    desk = _Desk(scenario, Streams(seed, replication), interval=interval)
    result = desk.run(progress)
    result.seed = seed
    result.replication = replication
    return result
