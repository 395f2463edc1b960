"""People who change, at full size: the same 300-agent desk with and without a workforce.

    python bench/people_bench.py                  # 5 days x 4 rounds, about 2 minutes here
    python bench/people_bench.py --days 30        # a month of each (several minutes)
    python bench/people_bench.py --shrinkage      # also shrinkage and daily absence
    python bench/people_bench.py --days 2 --profile   # where the workforce desk's time goes

Issue 9's speed target: a year of a 300-agent desk with attrition, hiring and learning must
run at no less than 80% of the same desk's throughput without them, measured in the same
run. The desk is ``scenarios/full_desk.yaml`` (a bot in front, an in-house pool of 305
agents on shifts overflowing to a vendor pool of 60: about 75,000 inquiries a day). The
workforce variant adds ``workforce`` to both people pools (``WORKFORCE`` below): existing
staff with a tenure (some still in training or learning at the start), attrition with a
higher first-90-days rate, hiring (each leaver replaced after a lead time; no class,
which would add people and so change the queue rather than the bookkeeping) and
learning (the handle-time and fcr factors of the serving person, asked at every
service); with ``--shrinkage`` also shrinkage and daily absence (which take capacity
away, so that desk queues more: a different desk, not only more bookkeeping).
Everything else is the same file, with the same ``start`` date. A learning ramp may not
be longer than the horizon, so over a short span the ramp is cut to fit (the work per
service is the same whatever the ramp's length), and training and lead times are short
enough that hires join within the span.

The two desks run alternately in this one process (workforce, plain; next round plain,
workforce), so both see the same machine state; the ratio is the median of the rounds'
ratios. Inquiries/s is offered inquiries (repeats and retries included) over the wall time
of ``simulate`` alone; CPU time is shown beside it. A year is about 27 million inquiries
(``bench/year.py``); the ratio of a few days is the same measurement at a size that fits
a shared machine. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
FULL_DESK = BENCH / "scenarios" / "full_desk.yaml"
TARGET_RATIO = 0.8  # issue 9: at least 80% of the throughput without a workforce
START = "2027-01-04"
MONTH_DAYS = 30.436875

WORKFORCE: dict[str, dict[str, Any]] = {
    "inhouse": {
        "attrition": {"yearly": "20%", "first_90_days": "20%"},
        "tenure": "exponential(mean=730d)",
        "training": "1d",
        "hiring": {"replace": {"lead_time": "2d"}},
        "learning": {"start": 1.9, "months": 10, "shape": "linear", "fcr_start": 0.8},
        "shrinkage": "30%",
        "absence": {"daily": "5%", "correlation": 0.02},
    },
    "vendor": {
        "attrition": {"yearly": "56%"},
        "tenure": "exponential(mean=365d)",
        "training": "1d",
        "hiring": {"replace": {"lead_time": "2d"}},
        "learning": {"start": 1.5, "months": 6, "shape": "exponential"},
        "shrinkage": "25%",
        "absence": {"daily": "5%", "correlation": 0.02},
    },
}
"""What the workforce desk adds to each people pool (synthetic; the rates are the
published ones of docs/sources.md, the short training and lead times make hires join
within a short span)."""


def desk(days: float, workforce: bool, shrinkage: bool = False) -> Any:
    """The full desk over ``days`` from ``START``, with or without ``WORKFORCE``."""
    import yaml

    from simdesk.loading import scenario_from_data

    data = yaml.safe_load(FULL_DESK.read_text(encoding="utf-8"))
    data["horizon"] = f"{days}d"
    data["warmup"] = 0
    data["start"] = START
    if workforce:
        for pool in data["pools"]:
            wf = copy.deepcopy(WORKFORCE.get(pool["name"]))
            if wf is None:
                continue
            learning = wf["learning"]
            learning["months"] = min(learning["months"], 0.9 * days / MONTH_DAYS)
            if not shrinkage:
                del wf["shrinkage"], wf["absence"]
            pool["workforce"] = wf
    return scenario_from_data(data, str(FULL_DESK))


def measure(scenario: Any) -> dict[str, float]:
    """One replication: inquiries offered, wall and CPU seconds of ``simulate``."""
    from simdesk.engine import simulate
    from simdesk.figures import run_figures

    start, cpu = time.perf_counter(), time.process_time()
    tallies = simulate(scenario)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    figs = run_figures(tallies)
    out = {
        "inquiries": figs.totals["offered"],
        "wall": wall,
        "cpu": cpu,
        "inq_per_s": figs.totals["offered"] / wall,
        "service_level": figs.totals["service_level"],
    }
    for name in ("inhouse", "vendor"):
        pool = figs.pools[name]
        if "hires" in pool:
            out[f"{name}_hires"] = pool["hires"]
            out[f"{name}_leavers"] = pool["leavers"]
    return out


def profile(days: float, shrinkage: bool, top: int) -> None:
    import cProfile
    import pstats

    from simdesk.engine import simulate

    s = desk(days, True, shrinkage)
    prof = cProfile.Profile()
    prof.runcall(simulate, s)
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--days", type=float, default=5.0, help="span of each run (default 5)")
    p.add_argument("--rounds", type=int, default=4, help="alternating rounds (default 4)")
    p.add_argument("--shrinkage", action="store_true",
                   help="the workforce also with shrinkage and daily absence")
    p.add_argument("--profile", action="store_true", help="cProfile one workforce run instead")
    p.add_argument("--top", type=int, default=30, help="rows of the profile")
    args = p.parse_args(argv)
    shrinkage = args.shrinkage
    if args.profile:
        profile(args.days, shrinkage, args.top)
        return 0
    desks = {"workforce": desk(args.days, True, shrinkage), "plain": desk(args.days, False)}
    ratios: list[float] = []
    cpu_ratios: list[float] = []
    runs: dict[str, list[dict[str, float]]] = {"workforce": [], "plain": []}
    for r in range(args.rounds):
        order = ("workforce", "plain") if r % 2 == 0 else ("plain", "workforce")
        for name in order:
            runs[name].append(measure(desks[name]))
        w, b = runs["workforce"][-1], runs["plain"][-1]
        ratios.append(w["inq_per_s"] / b["inq_per_s"])
        cpu_ratios.append((w["inquiries"] / w["cpu"]) / (b["inquiries"] / b["cpu"]))
        print(f"round {r + 1}: workforce {w['inq_per_s']:,.0f}/s "
              f"(CPU {w['inquiries'] / w['cpu']:,.0f}/s), plain {b['inq_per_s']:,.0f}/s "
              f"(CPU {b['inquiries'] / b['cpu']:,.0f}/s), ratio {ratios[-1]:.3f}", flush=True)
    w0 = runs["workforce"][0]
    print(f"{args.days:g} days, {w0['inquiries']:,.0f} inquiries (workforce desk; plain "
          f"{runs['plain'][0]['inquiries']:,.0f}); in-house hires {w0.get('inhouse_hires', 0):g}"
          f", leavers {w0.get('inhouse_leavers', 0):g}; vendor hires "
          f"{w0.get('vendor_hires', 0):g}, leavers {w0.get('vendor_leavers', 0):g}; "
          f"{'with' if shrinkage else 'without'} shrinkage and absence")
    for name in ("workforce", "plain"):
        rates = [x["inq_per_s"] for x in runs[name]]
        cpu = [x["inquiries"] / x["cpu"] for x in runs[name]]
        print(f"{name:>9}: median {statistics.median(rates):,.0f} inquiries/s "
              f"(CPU {statistics.median(cpu):,.0f}/s), service level "
              f"{runs[name][0]['service_level']:.3f}")
    ratio = statistics.median(ratios)
    verdict = "met" if ratio >= TARGET_RATIO else "missed"
    print(f"ratio workforce/plain: median {ratio:.3f} of {len(ratios)} rounds by wall time, "
          f"{statistics.median(cpu_ratios):.3f} by CPU time (target >= {TARGET_RATIO}: "
          f"{verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
