"""Shift rosters: simulation-based requirements (ISA) against the two-step method (issue
10's third benchmark).

    .venv/bin/python bench/roster_bench.py           # 300/h mean, 4 replications
    .venv/bin/python bench/roster_bench.py --quick   # 150/h mean, 3 replications
    .venv/bin/python bench/roster_bench.py --interval 60m   # requirements per hour

A day with two peaks, a bot in front that resolves 40%, customers who abandon
(exponential patience, mean 2 minutes), 8-hour shifts with a 30-minute break starting
every 30 minutes. Requirements, coverage and targets per 30-minute interval (``--interval``,
the issue's benchmark). Two rosters, each the cheapest (HiGHS) covering its requirement and
then topped up by simulation until every interval and the day meet the targets:

- ISA: requirements by the iterative staffing algorithm (simdesk roster);
- two-step: Erlang C requirements per interval from the arrival rates (what spreadsheet
  WFM and pyworkforce do; the scenario's rates are hourly, so both halves of an hour get
  its value), then the same roster model and the same top-up loop
  (simdesk roster --requirements erlang).

Both are judged with the same seed and replications. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from simdesk.intraday import (
    DayGrid,
    StaffingDesk,
    StaffingResult,
    arrival_requirements,
    check_interval,
    isa,
    load_task,
    meet_targets,
)
from simdesk.loading import scenario_from_document
from simdesk.parallel import ProcessExecutor, kept_open, make_runner
from simdesk.roster import ShiftRules, roster_planner
from simdesk.units import format_duration, parse_duration
from simdesk.yamlload import load_yaml

DESK = """\
name: bench-two-peaks
seed: 21
horizon: 1d
replications: {reps}
demand:
  arrival_rate: {rate}/h
  intraday: [0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 1.8, 2.2, 2.0, 1.4,
             1.1, 1.0, 1.2, 1.7, 2.1, 1.9, 1.3, 0.8, 0.5, 0.3, 0.2, 0.1]
  types: [{{name: general, share: 1.0}}]
customers:
  patience: exponential(mean=2m)
pools:
  - {{name: bot, kind: bot, handle_time: "lognormal(mean=2m, cv=1)", resolution: 0.4,
     escalation_extra: 30s, cost: {{per_conversation: 0.5}}}}
  - {{name: inhouse, kind: inhouse, agents: 1, handle_time: "lognormal(mean=6m, cv=0.8)",
     cost: {{per_hour: 25}}}}
routing:
  general: [bot, inhouse]
targets:
  service_level: {{within: 30s, at_least: 0.8}}
  max_abandonment: 0.05
"""


def _row(name: str, res: StaffingResult, runs: int, seconds: float) -> str:
    t = res.final.summary.totals
    paid = res.final.plan.cost_per_day or float("nan")
    agents = sum(sh["agents"] for sh in res.final.plan.shifts) / 2  # two parts per shift
    return (
        f"{name:<10} {res.status:<8} {paid:>10,.0f} {t['cost_total'].mean:>11,.0f} "
        f"{agents:>7.0f} {t['service_level'].mean:>7.1%} {t['abandonment_rate'].mean:>7.1%} "
        f"{sum(res.final.requirement):>9} {runs:>5} {seconds:>6.1f}s"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--interval", default="30m", help="requirement interval (default 30m)")
    args = ap.parse_args()
    interval = parse_duration(args.interval)
    check_interval(interval)
    rate, reps = (150, 3) if args.quick else (300, 4)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "desk.yaml"
        path.write_text(DESK.format(rate=rate, reps=reps))
        doc = load_yaml(path)
    base = scenario_from_document(doc)
    grid = DayGrid(interval)
    rules = ShiftRules(lengths=(8 * 3600.0,), start_every=1800.0, break_s=1800.0,
                       max_agents=200, cost_per_hour=25.0)  # fmt: skip
    executor = ProcessExecutor(args.workers)
    runner = make_runner(executor, fn=load_task(grid))
    rows = []
    with kept_open(executor):
        for name in ("ISA", "two-step"):
            desk = StaffingDesk(doc, base, "inhouse", grid, runner, seed=base.seed,
                                replications=reps)  # fmt: skip
            t0 = time.perf_counter()
            erlang = grid.expand(
                arrival_requirements(base, "inhouse", grid.days, use_patience=name == "ISA")
            )
            start = isa(desk, erlang).staff if name == "ISA" else erlang
            res = meet_targets(desk, start, roster_planner(rules, grid))
            rows.append(_row(name, res, desk.runs, time.perf_counter() - t0))
            print(f"{name}: requirement per interval, start  {start}")
            print(f"{name}: requirement per interval, final  {res.final.requirement}")
    print()
    print(f"Two peaks, {rate}/h mean, bot 40% resolution, patience 2m, 8h shifts + 30m break "
          f"every 30m; 80% in 30s, abandonment <= 5%; {reps} replications of 1 day; "
          f"requirements and targets per {format_duration(interval)}")  # fmt: skip
    print(f"{'method':<10} {'status':<8} {'paid/day':>10} {'cost_total':>11} {'agents':>7} "
          f"{'SL':>7} {'aband.':>7} {'sum req':>9} {'runs':>5} {'time':>7}")  # fmt: skip
    for r in rows:
        print(r)


if __name__ == "__main__":
    main()
