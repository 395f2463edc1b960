"""Each customer's own randomness, drawn in arrival order from named streams.

Everything that belongs to an inquiry rather than to the desk (when it arrives, its type,
its patience, whether it asks for a person, how the bot and the agent's resolution turn
out, how long each pool on its route would need) is drawn when it arrives, from a stream
named for what it means. Two scenarios run with the same seed therefore see the same
customers wherever they agree on these inputs (common random numbers), whatever their
staffing, and changing one pool's handle time leaves every other draw where it was.

Fresh arrivals are drawn in numpy batches and handed out as one tuple per inquiry, which
keeps the per-inquiry cost of all these draws to one iterator step. Follow-up contacts
(retries, repeats) are endogenous, so they come from their own ``followup/`` streams.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import accumulate, repeat
from typing import Any

import numpy as np

from simdesk.distributions import Distribution
from simdesk.scenario import Pool, Scenario
from simdesk.streams import Draws, Streams

BATCH = 2048

# (arrival Exp(1) gap, type index, patience, ask-for-human u, bot u, false-resolution u,
#  first-contact-resolution u, handle time per pool on the type's full route)
FreshRow = tuple[float, int, float, float, float, float, float, tuple[float, ...]]


def handle_distribution(pool: Pool, type_name: str) -> Distribution:
    """Handle time at this pool for this type, with the pool's speed factor applied."""
    dist = pool.handle_for(type_name)
    return dist if pool.speed == 1.0 else dist.scaled(1.0 / pool.speed)


class _Uses:
    """Which per-inquiry streams this scenario needs at all (others are not drawn)."""

    def __init__(self, s: Scenario) -> None:
        self.patience = s.customers.patience
        self.ask = s.customers.asks_for_human > 0.0
        self.bot = any(p.is_bot for p in s.pools)
        self.fcr = any(p.fcr < 1.0 for p in s.pools if not p.is_bot)


class FreshCustomers:
    """Rows for fresh arrivals, in arrival order; call for the next one."""

    def __init__(self, streams: Streams, s: Scenario, batch: int = BATCH) -> None:
        self.batch = batch
        self.uses = _Uses(s)
        self.cum = np.array(list(accumulate(s.demand.shares)))
        self.cum[-1] = 1.0
        self.g_arrivals = streams.generator("arrivals")
        self.g_types = streams.generator("types")
        self.g_patience = streams.generator("patience")
        self.g_ask = streams.generator("asks_for_human")
        self.g_bot = streams.generator("bot_outcome")
        self.g_false = streams.generator("false_resolution")
        self.g_fcr = streams.generator("first_contact_resolution")
        self.routes: list[list[tuple[np.random.Generator, Distribution]]] = []
        for t in s.type_names:
            self.routes.append(
                [
                    (
                        streams.generator(f"handle/{p}/{t}"),
                        handle_distribution(s.pool(p), t),
                    )
                    for p in s.route_pools(t)
                ]
            )

    def batches(self) -> Iterator[tuple[Any, Iterator[FreshRow]]]:
        """Endless: one batch after another, in arrival order: the batch's Exp(1) gaps as
        a numpy array (the arrival clock turns them into times a batch at a time), and
        its rows."""
        while True:
            yield self._refill()

    def _uniforms(
        self, used: bool, g: np.random.Generator, n: int, unused: float = 1.0
    ) -> Any:
        """Uniforms, or a constant that never triggers the event when the stream is unused."""
        return g.random(n).tolist() if used else repeat(unused, n)

    def _refill(self) -> tuple[Any, Iterator[FreshRow]]:
        n = self.batch
        gap_arr = self.g_arrivals.standard_exponential(n)
        gaps = gap_arr.tolist()
        if len(self.routes) > 1:
            tidx_arr = np.searchsorted(self.cum, self.g_types.random(n), side="right")
            np.minimum(tidx_arr, len(self.routes) - 1, out=tidx_arr)
        else:
            tidx_arr = np.zeros(n, dtype=np.int64)
        return gap_arr, self._rows(gaps, tidx_arr)

    def rows_for(self, tidx: list[int]) -> Iterator[FreshRow]:
        """Rows for arrivals whose types are already known (a replayed trace), in order:
        every draw but the gap and the type, from the same streams as ``batches``. The
        gap is 0 (a trace gives the times)."""
        return self._rows(repeat(0.0, len(tidx)), np.array(tidx, dtype=np.int64))

    def _rows(self, gaps: Any, tidx_arr: Any) -> Iterator[FreshRow]:
        """Each arrival's own draws beside its gap and type: patience, handle times for
        each pool of its type's route (drawn per type, in arrival order within the type's
        stream), and the outcome uniforms."""
        n = len(tidx_arr)
        u = self.uses
        tidx = tidx_arr.tolist()
        if u.patience is None:
            patience: Any = repeat(math.inf, n)
        else:
            patience = u.patience.sample(self.g_patience, n).tolist()
        handles: list[tuple[float, ...]] = [()] * n
        for t, route in enumerate(self.routes):
            where = np.flatnonzero(tidx_arr == t)
            m = len(where)
            if m == 0:
                continue
            columns = [dist.sample(g, m).tolist() for g, dist in route]
            for i, h in zip(where.tolist(), zip(*columns, strict=True), strict=True):
                handles[i] = h
        return zip(
            gaps,
            tidx,
            patience,
            self._uniforms(u.ask, self.g_ask, n),
            self._uniforms(u.bot, self.g_bot, n),
            self._uniforms(u.bot, self.g_false, n),
            self._uniforms(u.fcr, self.g_fcr, n, unused=0.0),
            handles,
            strict=False,
        )


class FollowupCustomers:
    """Draws for retries and repeat contacts, whose type is already known."""

    def __init__(self, streams: Streams, s: Scenario) -> None:
        uses = _Uses(s)
        prefix = "followup/"

        def uniforms(name: str, used: bool, unused: float = 1.0) -> Any:
            return streams.uniforms(prefix + name) if used else (lambda: unused)

        self.patience: Any = (
            (lambda: math.inf)
            if uses.patience is None
            else streams.draws(prefix + "patience", uses.patience.sample)
        )
        self.ask = uniforms("asks_for_human", uses.ask)
        self.bot = uniforms("bot_outcome", uses.bot)
        self.false = uniforms("false_resolution", uses.bot)
        self.fcr = uniforms("first_contact_resolution", uses.fcr, unused=0.0)
        self.handles: list[list[Draws]] = [
            [
                streams.draws(f"{prefix}handle/{p}/{t}", handle_distribution(s.pool(p), t).sample)
                for p in s.route_pools(t)
            ]
            for t in s.type_names
        ]

    def __call__(self, tidx: int) -> FreshRow:
        """The follow-up's row, as a fresh arrival's (``FreshRow``) with a gap of 0."""
        return (
            0.0,
            tidx,
            self.patience(),
            self.ask(),
            self.bot(),
            self.false(),
            self.fcr(),
            tuple([d() for d in self.handles[tidx]]),
        )
