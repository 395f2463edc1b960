"""Recording: what a run hands on, as plain records (``tally.RunTallies``).

Contacts are counted in their (type, hour of day) cell and pools in their own tally as
they go (O(1) per event). Busy and staffed time are integrals per pool, brought up to date
at each change of busy capacity and at staffing events, and credited to the hour of day
at each hour mark. The warm-up's integrals are dropped when it ends. At the end of the
run the pools' records are copied out of the engine's runtime objects, so ``figures``
reads plain data only.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from simdesk.engine.base import DeskBase
from simdesk.engine.loop import HOUR
from simdesk.tally import PoolRecord, RunTallies

if TYPE_CHECKING:
    from simpy.events import Event

    from simdesk.engine.contact import Inquiry
    from simdesk.engine.staffing import PoolRuntime


class RecordingMixin(DeskBase):
    """Hourly and warm-up marks of the pools' integrals, and the run's records."""

    def _schedule_recording(self) -> None:
        if self.warmup > 0:
            self._at(self.warmup, self._on_warmup_end, None)
        self._at(HOUR, self._on_hour, None)

    def _on_warmup_end(self, ev: Event) -> None:
        now = self.env._now
        for pool in self.pools.values():
            pool.flush(now)
            pool.busy_area = pool.staffed_area = 0.0
            pool.mark = (0.0, 0.0)
            pool.hour_busy = [0.0] * 24
            pool.hour_staffed = [0.0] * 24

    def _on_hour(self, ev: Event) -> None:
        now = self.env._now
        self._close_hour(now)
        self._at(now + HOUR, self._on_hour, None)

    def _close_hour(self, now: float) -> None:
        """Credit busy and staffed time since the last hour mark to the hour just ended."""
        hour = int(math.ceil(now / HOUR) - 1) % 24
        for pool in self.pools.values():
            pool.flush(now)
            busy0, staffed0 = pool.mark
            pool.hour_busy[hour] += pool.busy_area - busy0
            pool.hour_staffed[hour] += pool.staffed_area - staffed0
            pool.mark = (pool.busy_area, pool.staffed_area)

    def _tallies(self) -> RunTallies:
        """The run's records, after the last hour is closed."""
        pools = [_record(p) for p in self.pools.values()]
        return RunTallies(
            self.s, 0, 0, self.cells, pools, self.s.horizon, self.sl_within,
            self.people_cells, self.journeys,
        )

    def _close_unresolved(self, inq: Inquiry) -> None:
        """The issue ends unresolved with this contact: no further contact comes
        (docs/figures.md, "Issues"). Counted in the tally of its first contact, unless that
        came during warm-up. A resolved issue is closed by ``_close_resolved`` (service.py)."""
        j = inq.journey[1]
        if j is not None:
            j.closed += 1
            j.csat_sum += inq.score


def _record(p: PoolRuntime) -> PoolRecord:
    return PoolRecord(
        name=p.name,
        is_bot=p.is_bot,
        cap=p.cap,
        tally=p.tally,
        t_handled=p.t_handled,
        t_resolved=p.t_resolved,
        t_busy=p.t_busy,
        busy_area=p.busy_area,
        staffed_area=p.staffed_area,
        hour_busy=p.hour_busy,
        hour_staffed=p.hour_staffed,
    )
