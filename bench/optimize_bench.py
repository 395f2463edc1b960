"""Staffing search: simulation runs used against the grid, and the answer against the
exhaustive optimum (issue 10's benchmarks 1 and 2).

    .venv/bin/python bench/optimize_bench.py          # 10 Erlang cases, a 21 x 16 grid
    .venv/bin/python bench/optimize_bench.py --quick  # 3 cases, a 13 x 11 grid (~1.5 min)

The exhaustive grid dominates the time (21 x 16 points x 4 replications = 1,344 runs:
about 2 minutes of one core; the 10 Erlang cases about 40 s).

1. Single pool, Erlang C: for each (rate, handle time) case, ``optimize`` on an M/M/n
   scenario with an 80/20 target against ``erlang.agents_for_target``.
2. Bot + vendor + in-house, one steady regime: every point of the grid simulated once with
   the same seed and replications and judged the same way (the exhaustive optimum), then
   the search alone; printed: the two answers, their cost, the runs each used.

Figures are printed, never asserted: the search's share of the grid depends on where the
optimum lies, and the times on what else the machine is doing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from itertools import product
from pathlib import Path

from simdesk.erlang import agents_for_target
from simdesk.loading import scenario_from_document
from simdesk.optimize import Search, plan_dimensions
from simdesk.parallel import ProcessExecutor, kept_open, make_runner
from simdesk.yamlload import load_yaml

MMN = """\
name: erlang-c-{i}
seed: 5
horizon: 4d
warmup: 2h
replications: 5
demand:
  arrival_rate: {rate}/h
  types: [{{name: general, share: 1.0}}]
pools:
  - {{name: agents, kind: inhouse, agents: 1, handle_time: "exponential(mean={handle}s)",
     cost: {{per_hour: 20}}}}
routing:
  general: [agents]
targets:
  service_level: {{within: 20s, at_least: 0.8}}
"""
CASES = [
    (30, 300), (60, 180), (100, 240), (150, 120), (200, 180),
    (250, 150), (300, 240), (120, 360), (80, 420), (400, 90),
]  # fmt: skip

DESK = """\
name: bench-three-pools
seed: 11
horizon: 6h
warmup: 1h
replications: 4
demand:
  arrival_rate: 150/h
  types:
    - {name: billing, share: 0.6, channel: chat}
    - {name: tech, share: 0.4}
customers:
  patience: exponential(mean=3m)
pools:
  - name: bot
    kind: bot
    concurrency: 20
    handle_time: exponential(mean=2m)
    resolution: {billing: 0.5, tech: 0.2}
    cost: {per_conversation: 0.2}
  - name: vendor
    kind: vendor
    agents: 10
    concurrency: 2
    handle_time: exponential(mean=8m)
    fcr: 0.8
    cost: {per_hour: 12}
  - name: inhouse
    kind: inhouse
    agents: 10
    handle_time: exponential(mean=6m)
    cost: {per_hour: 30}
routing:
  billing: {path: [bot, vendor, inhouse], overflow_after: 30s}
  tech: {path: [bot, inhouse, vendor], overflow_after: 60s}
targets:
  service_level: {within: 30s, at_least: 0.8}
  max_abandonment: 0.05
"""


def _search(path: Path, specs: list[str], executor: ProcessExecutor) -> Search:
    doc = load_yaml(path)
    base = scenario_from_document(doc)
    dims = plan_dimensions(doc, specs, base)
    return Search(doc, dims, make_runner(executor), seed=base.seed, replications=base.replications)


def erlang_cases(tmp: Path, cases: list[tuple[int, int]], executor: ProcessExecutor) -> None:
    print("1. Single pool, Erlang C, 80% within 20 s (5 replications of 4 days)")
    print(f"{'rate/h':>7} {'handle':>7} {'Erlang C':>9} {'optimize':>9} {'points':>7} {'runs':>5}")
    same = 0
    for i, (rate, handle) in enumerate(cases):
        path = tmp / f"mmn{i}.yaml"
        path.write_text(MMN.format(i=i, rate=rate, handle=handle))
        erlang = agents_for_target(rate / 3600, handle, 20, 0.8).agents
        result = _search(path, ["pools.agents.agents=0:100"], executor).run()
        got = result.answer.labels[0] if result.answer else "none"
        same += got == str(erlang)
        print(
            f"{rate:>7} {handle:>6}s {erlang:>9} {got:>9} {len(result.evaluations):>7} "
            f"{result.runs:>5}"
        )
    print(f"   optimize = Erlang C in {same} of {len(cases)} cases\n")


def desk_grid(tmp: Path, vendor: int, inhouse: int, executor: ProcessExecutor) -> None:
    path = tmp / "desk.yaml"
    path.write_text(DESK)
    specs = [f"pools.vendor.agents=0:{vendor}", f"pools.inhouse.agents=0:{inhouse}"]
    print(f"2. Bot + vendor + in-house, grid vendor 0:{vendor} x in-house 0:{inhouse}")
    t0 = time.perf_counter()
    result = _search(path, specs, executor).run()
    t_search = time.perf_counter() - t0
    t0 = time.perf_counter()
    grid = _search(path, specs, executor)
    grid.evaluate_many(list(product(range(vendor + 1), range(inhouse + 1))))
    t_grid = time.perf_counter() - t0
    best = grid.best
    found = result.answer
    if best is None or found is None:
        print("   no feasible point (grid best, search answer):", best, found)
        return
    gap = (found.objective - best.objective) / best.objective
    off = max(abs(a - b) for a, b in zip(found.index, best.index, strict=True))
    print(
        f"   exhaustive optimum: vendor={best.labels[0]}, inhouse={best.labels[1]}, "
        f"cost {best.objective:,.2f}; {grid.runs:,} runs, {t_grid:.1f} s"
    )
    print(
        f"   optimize:           vendor={found.labels[0]}, inhouse={found.labels[1]}, "
        f"cost {found.objective:,.2f}; {result.runs:,} runs "
        f"({len(result.evaluations)} of {result.grid_points} points), {t_search:.1f} s"
    )
    print(
        f"   runs used / grid runs: {result.runs / grid.runs:.1%}; cost gap {gap:+.2%}; "
        f"largest difference per pool: {off} agent(s)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 Erlang cases, a 13 x 11 grid")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    executor = ProcessExecutor(args.workers)
    with tempfile.TemporaryDirectory() as d, kept_open(executor):
        tmp = Path(d)
        erlang_cases(tmp, CASES[:3] if args.quick else CASES, executor)
        if args.quick:
            desk_grid(tmp, 12, 10, executor)
        else:
            desk_grid(tmp, 20, 15, executor)
    return 0


if __name__ == "__main__":
    sys.exit(main())
