"""The baseline: the Erlang A queue (M/M/n+M) written idiomatically in plain SimPy.

This is how the model is usually written from the SimPy documentation: one generator
process per customer, a ``simpy.Resource`` for the agents, and patience as the condition
``req | env.timeout(patience)``. Randomness comes from one ``random.Random(seed)``.
Nothing here is tuned; it is the yardstick simdesk's engine is compared with.

    python bench/plain_simpy.py            # 100k customers, prints the figures
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

import simpy


class _Stats:
    __slots__ = ("abandoned", "served", "wait_sum")

    def __init__(self) -> None:
        self.served = 0
        self.abandoned = 0
        self.wait_sum = 0.0


def _customer(
    env: simpy.Environment,
    agents: simpy.Resource,
    handle: float,
    patience: float,
    stats: _Stats,
) -> Any:
    arrived = env.now
    with agents.request() as req:
        result = yield req | env.timeout(patience)
        stats.wait_sum += env.now - arrived
        if req in result:
            stats.served += 1
            yield env.timeout(handle)
        else:
            stats.abandoned += 1


def _source(
    env: simpy.Environment,
    agents: simpy.Resource,
    n_customers: int,
    rng: random.Random,
    rate_per_s: float,
    mean_handle_s: float,
    mean_patience_s: float,
    stats: _Stats,
) -> Any:
    for _ in range(n_customers):
        yield env.timeout(rng.expovariate(rate_per_s))
        handle = rng.expovariate(1.0 / mean_handle_s)
        patience = rng.expovariate(1.0 / mean_patience_s)
        env.process(_customer(env, agents, handle, patience, stats))


def run(
    n_customers: int,
    rate_per_s: float,
    mean_handle_s: float,
    mean_patience_s: float,
    agents: int,
    seed: int,
) -> dict[str, float]:
    """Simulate n_customers arrivals and run until every one of them has left.

    Returns counts, the abandonment rate (abandoned / (served + abandoned)) and the mean
    wait of all customers (abandoners until they left), the same definitions simdesk uses.
    """
    rng = random.Random(seed)
    env = simpy.Environment()
    pool = simpy.Resource(env, capacity=agents)
    stats = _Stats()
    env.process(
        _source(env, pool, n_customers, rng, rate_per_s, mean_handle_s, mean_patience_s, stats)
    )
    env.run()
    ended = stats.served + stats.abandoned
    return {
        "customers": float(n_customers),
        "served": float(stats.served),
        "abandoned": float(stats.abandoned),
        "abandonment_rate": stats.abandoned / ended if ended else float("nan"),
        "wait_mean_s": stats.wait_sum / ended if ended else float("nan"),
        "sim_time_s": float(env.now),
    }


if __name__ == "__main__":
    n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 100_000
    start = time.perf_counter()
    out = run(n, 200 / 3600, 180.0, 120.0, 11, 1)
    elapsed = time.perf_counter() - start
    print(out)
    print(f"{n / elapsed:,.0f} customers/s ({elapsed:.2f} s)")
