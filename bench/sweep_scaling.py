"""Sweep scaling: wall time of the same sweep on 1 local worker and on 2, and the ratio.

    .venv/bin/python bench/sweep_scaling.py              # 8 points x 4 replications
    .venv/bin/python bench/sweep_scaling.py --quick      # smaller, a few seconds
    .venv/bin/python bench/sweep_scaling.py --rounds 3 --json bench/results/mine.json

The sweep goes through the same code as ``simdesk sweep`` (``plan_sweep``, ``SweepRun``,
``ProcessExecutor``): every (point, replication) is one task on the pool. Worker counts
are run alternately (1, 2, 1, 2, ...) so both see the same machine conditions, and the
ratio is the median of the per-round ratios t(1) / t(2). The ratio is printed and written
to JSON, never asserted: other processes on the machine move it. The script also checks
that both worker counts produce byte-identical CSV output.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from simdesk.parallel import ProcessExecutor, default_workers
from simdesk.sweep import SweepRun, plan_sweep, sweep_csv
from simdesk.yamlload import LocatedDocument

BENCH = Path(__file__).resolve().parent
DEFAULT_JSON = BENCH / "results" / "sweep_scaling.json"

# An Erlang A desk (M/M/n+M, 10 erlangs offered), swept over staff and arrival rate: the
# kind of grid an analyst runs. Synthetic; one replication of 8 days is ~37k inquiries.
SCENARIO = """\
name: bench-sweep
seed: 17
horizon: 8d
warmup: 0
replications: 4
demand:
  arrival_rate: 200/h
  types:
    - {name: general, share: 1.0}
customers:
  patience: exponential(mean=2m)
pools:
  - name: agents
    kind: inhouse
    agents: 11
    handle_time: exponential(mean=3m)
routing:
  general: [agents]
"""

FULL = {"sets": ["pools.agents.agents=10:13:1", "demand.arrival_rate=180/h,200/h"], "reps": 4}
QUICK = {"sets": ["pools.agents.agents=10:11:1", "demand.arrival_rate=180/h,200/h"], "reps": 2}


def timed_sweep(doc: LocatedDocument, sets: list[str], reps: int, workers: int) -> dict[str, Any]:
    plan = plan_sweep(doc, sets, replications=reps)
    run = SweepRun(plan)
    start = time.perf_counter()
    run.execute(ProcessExecutor(workers))
    seconds = time.perf_counter() - start
    results = run.finished()
    offered = sum(r.summary.totals["offered"].mean * reps for r in results if r.summary)
    return {
        "workers": workers,
        "seconds": seconds,
        "points": len(plan.points),
        "tasks": len(run.tasks),
        "inquiries": int(offered),
        "csv": sweep_csv(plan, results),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="a smaller grid, a few seconds")
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds (default 2)")
    p.add_argument("--horizon", default=None, help="override the horizon, e.g. 2d")
    p.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write figures")
    args = p.parse_args(argv)

    size = QUICK if args.quick else FULL
    data = yaml.safe_load(SCENARIO)
    if args.horizon:
        data["horizon"] = args.horizon
    doc = LocatedDocument(data, "<bench-sweep>")
    sets, reps = list(size["sets"]), int(size["reps"])  # type: ignore[call-overload]

    load_before = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    timings: dict[int, list[float]] = {1: [], 2: []}
    ratios: list[float] = []
    csvs: dict[int, str] = {}
    meta: dict[str, Any] = {}
    for rnd in range(args.rounds):
        order = (1, 2) if rnd % 2 == 0 else (2, 1)
        this: dict[int, float] = {}
        for w in order:
            out = timed_sweep(doc, sets, reps, w)
            this[w] = out["seconds"]
            timings[w].append(out["seconds"])
            csvs[w] = out.pop("csv")
            meta = out
            print(
                f"round {rnd + 1}: {w} worker(s): {out['seconds']:.2f} s "
                f"({out['points']} points, {out['tasks']} tasks)",
                file=sys.stderr,
            )
        ratios.append(this[1] / this[2])

    ratio = statistics.median(ratios)
    result = {
        "schema": "simdesk-bench-sweep/1",
        "when": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "usable_cores": default_workers(),
            "load_average_before": load_before,
        },
        "sweep": {
            "sets": sets,
            "replications": reps,
            "points": meta.get("points"),
            "tasks": meta.get("tasks"),
            "inquiries": meta.get("inquiries"),
        },
        "seconds_1_worker": timings[1],
        "seconds_2_workers": timings[2],
        "ratios": ratios,
        "ratio": ratio,
        "identical_results": csvs[1] == csvs[2],
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    print(
        f"sweep: {meta.get('points')} points x {reps} replications "
        f"({meta.get('inquiries'):,} inquiries)"
    )
    print(f"1 worker : {statistics.median(timings[1]):7.2f} s (median of {args.rounds})")
    print(f"2 workers: {statistics.median(timings[2]):7.2f} s (median of {args.rounds})")
    print(
        f"speed-up t(1)/t(2): {ratio:.2f}x (per round: "
        + ", ".join(f"{r:.2f}" for r in ratios)
        + ")"
    )
    print(f"identical results: {result['identical_results']}")
    print(f"written: {args.json}")
    if default_workers() < 2:
        print("note: this machine gives the process fewer than 2 cores; no speed-up expected")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
