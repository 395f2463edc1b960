"""The single run: a pure function from (scenario, seed, replication) to tallies.

Built on SimPy's event queue, but with callbacks instead of one generator process per
inquiry: an inquiry costs an arrival (handled without an event when it comes before
everything queued), one completion event per service, and nothing else unless it waits:
then a patience timer if retries are on, and an overflow timer if its route has
``overflow_after`` (set only when its remaining patience outlasts that wait; when it
fires, the contact also joins the next pool's queue and whichever pool frees up first
serves it). Stale timers and queue entries are not removed but ignored (each inquiry
carries a token that changes whenever it stops waiting), which keeps every operation
O(1) or O(log n) in the event heap.

Every inquiry's own randomness (type, patience, handle-time needs, bot and resolution
outcomes) is drawn at its arrival from streams named for what they mean, so two scenarios
that differ only in staffing see the same customers (common random numbers).

One rule, one module:

- ``loop``: the event loop (SimPy's order; a failed event raises as in ``step``);
- ``arrivals``: arrival sources (the ``ArrivalSource`` protocol, Poisson by hour of the
  week) and follow-ups; a contact starts;
- ``queues``: routes, queues by priority, dispatching, overflow, patience;
- ``service``: serving, and what a bot or a person makes of a contact;
- ``staffing``: agents (each with an id and its pool), free capacity, shift windows as
  headcount events;
- ``satisfaction``: a finished contact's score and its count;
- ``recording``: hourly integrals, warm-up, the plain records handed to ``figures``;
- ``contact``, ``base``, ``desk``: the contact in flight, the state the parts share, and
  the desk that assembles them (one class, so the hot path stays on one object).
"""

from simdesk.engine.desk import _Desk, simulate
from simdesk.engine.loop import Progress
from simdesk.tally import PoolRecord, RunTallies

__all__ = ["PoolRecord", "Progress", "RunTallies", "_Desk", "simulate"]
