"""A ceiling for reference: the same Erlang A queue as a bare event loop on ``heapq``.

No SimPy, no objects per customer beyond a heap entry: this is roughly the fastest a
straightforward pure-Python simulation of the model gets. The issue's target is for
simdesk (which keeps SimPy as its engine) to come close to it, not to beat it.
FIFO queue with lazy removal of abandoners; patience timers only for customers who queue.
"""

from __future__ import annotations

import heapq
import random
import sys
import time
from collections import deque

ARRIVE, DONE, GIVE_UP = 0, 1, 2


def run(
    n_customers: int,
    rate_per_s: float,
    mean_handle_s: float,
    mean_patience_s: float,
    agents: int,
    seed: int,
) -> dict[str, float]:
    rng = random.Random(seed)
    expo = rng.expovariate
    inv_handle = 1.0 / mean_handle_s
    inv_patience = 1.0 / mean_patience_s
    heap: list[tuple[float, int, int, int]] = []
    push, pop = heapq.heappush, heapq.heappop
    seq = 0
    free = agents
    queue: deque[tuple[int, float, float]] = deque()  # (id, arrived, handle)
    waiting: dict[int, float] = {}  # id -> arrival time, while queued
    served = abandoned = 0
    wait_sum = 0.0
    arrived_count = 1
    push(heap, (expo(rate_per_s), 0, ARRIVE, 0))
    now = 0.0
    while heap:
        now, _, kind, cid = pop(heap)
        if kind == ARRIVE:
            if arrived_count < n_customers:
                seq += 1
                push(heap, (now + expo(rate_per_s), seq, ARRIVE, arrived_count))
                arrived_count += 1
            handle = expo(inv_handle)
            patience = expo(inv_patience)
            if free and not waiting:
                free -= 1
                served += 1
                seq += 1
                push(heap, (now + handle, seq, DONE, cid))
            else:
                queue.append((cid, now, handle))
                waiting[cid] = now
                seq += 1
                push(heap, (now + patience, seq, GIVE_UP, cid))
        elif kind == DONE:
            free += 1
            while queue:
                qid, t0, handle = queue.popleft()
                if qid in waiting:
                    del waiting[qid]
                    free -= 1
                    served += 1
                    wait_sum += now - t0
                    seq += 1
                    push(heap, (now + handle, seq, DONE, qid))
                    break
        elif cid in waiting:  # GIVE_UP of a customer still queued; its entry is skipped later
            abandoned += 1
            wait_sum += now - waiting.pop(cid)
    ended = served + abandoned
    return {
        "customers": float(n_customers),
        "served": float(served),
        "abandoned": float(abandoned),
        "abandonment_rate": abandoned / ended if ended else float("nan"),
        "wait_mean_s": wait_sum / ended if ended else float("nan"),
        "sim_time_s": now,
    }


if __name__ == "__main__":
    n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 100_000
    start = time.perf_counter()
    out = run(n, 200 / 3600, 180.0, 120.0, 11, 1)
    elapsed = time.perf_counter() - start
    print(out)
    print(f"{n / elapsed:,.0f} customers/s ({elapsed:.2f} s)")
