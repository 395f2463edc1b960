"""When a scenario is an M/M/n or M/M/n+M queue, the formula's answer for it.

The reduction is deliberately strict: a single always-on pool of people, exponential
handle times, flat Poisson demand, exponential or no patience, and nothing that feeds
contacts back (repeats, retries) or splits them (bots, overflow, chat concurrency).
"""

from __future__ import annotations

from simdesk.distributions import Distribution
from simdesk.erlang import QueueFigures, erlang_a, erlang_c
from simdesk.scenario import Scenario


def erlang_reference(s: Scenario) -> QueueFigures | None:
    d = s.demand
    if not d.stationary:
        return None
    if any(s.by_clock(t) for t in s.type_names):
        return None
    paths = {tuple(s.routes_for(t)[0].path) for t in s.type_names}
    if len(paths) != 1:
        return None
    (path,) = paths
    if len(path) != 1:
        return None
    pool = s.pool(path[0])
    if pool.is_bot or not isinstance(pool.agents, int) or pool.agents == 0:
        return None
    handles: set[Distribution] = {pool.handle_for(t) for t in s.type_names}
    if len(handles) != 1:
        return None
    (handle,) = handles
    if not handle.is_exponential:
        return None
    if pool.fcr < 1.0 and s.customers.repeat.probability > 0:
        return None
    if len({t.priority for t in d.types}) != 1:
        return None
    if (pool.concurrency or 1) > 1 and any(t.channel == "chat" for t in d.types):
        return None
    patience = s.customers.patience
    if patience is not None and (not patience.is_exponential or s.customers.retry.probability):
        return None
    within = s.service_level_within
    mean_handle = handle.mean / pool.speed
    try:
        if patience is None:
            return erlang_c(pool.agents, d.mean_rate, mean_handle, within)
        return erlang_a(pool.agents, d.mean_rate, mean_handle, patience.mean, within)
    except ValueError:
        return None
