"""A year of the desk in one replication on one core: throughput, wall time and memory.

    python bench/year.py                    # 30 days: rate, wall time, peak RSS, year estimate
    python bench/year.py --days 3           # a quick look
    python bench/year.py --days 30,365      # a month and a year: the year/month memory ratio
    python bench/year.py --days 2 --profile # where the time goes (cProfile, in-process)

The desk is ``scenarios/full_desk.yaml`` (the desk of docs/sources.md: a bot in front
resolving about two thirds, an in-house pool on shifts overflowing to a vendor pool):
2,900 fresh chats an hour plus the repeats and retries they cause, about 75,000
inquiries a day, about 27 million in a year. Its horizon is set to the span asked for,
with no warm-up, so every inquiry is counted.

Each span runs in a fresh child process (``year.py --one DAYS`` prints one JSON line), so
its peak resident memory (ru_maxrss) belongs to that run alone. The run is driven with a
progress callback, as ``simdesk run`` drives a single replication behind its progress bar;
the callback also samples the process's current resident memory, so one run shows
whether memory grows with simulated time. Figures are printed, never asserted (machines
are noisy: compare ratios measured in one run of this command, not absolute rates).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
FULL_DESK = BENCH / "scenarios" / "full_desk.yaml"
DAY = 86400.0
YEAR_DAYS = 365
YEAR_TARGET_S = 300.0  # issue 8: a year in under 5 minutes
MEMORY_TARGET = 1.25  # issue 8: peak at a year <= 1.25x peak at a month
SAMPLES = 12  # current-RSS samples reported over a run


def scenario(days: float) -> Any:
    """The year desk over ``days`` (edited raw data, then validated as a user's file)."""
    import yaml

    from simdesk.loading import scenario_from_data

    data = yaml.safe_load(FULL_DESK.read_text(encoding="utf-8"))
    data["horizon"] = f"{days * DAY:.3f}s"
    data["warmup"] = 0
    return scenario_from_data(data, str(FULL_DESK))


def _rss_now_mb() -> float:
    """Current resident memory (Linux /proc; NaN elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[1])
    except OSError:
        return float("nan")
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def _peak_rss_mb() -> float:
    import resource

    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / (1024 * 1024) if sys.platform == "darwin" else kb / 1024


def child(days: float) -> dict[str, Any]:
    """One span in this process: simulate with a progress callback, then the figures."""
    from simdesk.engine import simulate
    from simdesk.figures import run_figures

    s = scenario(days)
    samples: list[tuple[float, float]] = []
    every = 1.0 / SAMPLES
    next_at = every

    def progress(fraction: float) -> None:
        nonlocal next_at
        if fraction >= next_at or fraction >= 1.0:
            samples.append((round(fraction * days, 2), _rss_now_mb()))
            next_at += every

    rss_start = _rss_now_mb()
    start, cpu = time.perf_counter(), time.process_time()
    tallies = simulate(s, progress=progress)
    sim_s = time.perf_counter() - start
    cpu_s = time.process_time() - cpu
    start = time.perf_counter()
    totals = run_figures(tallies).totals
    figures_s = time.perf_counter() - start
    offered = int(totals["offered"])
    return {
        "days": days,
        "inquiries": offered,
        "seconds": sim_s,
        "cpu_seconds": cpu_s,
        "figures_seconds": figures_s,
        "inq_per_s": offered / sim_s if sim_s > 0 else float("nan"),
        "abandonment_rate": totals["abandonment_rate"],
        "peak_rss_mb": _peak_rss_mb(),
        "rss_before_run_mb": rss_start,
        "rss_by_day_mb": samples,
    }


def run_child(days: float, timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", repr(days)]
    from simdesk import engine_kind

    print(f"running {days:g} day(s) of the desk ({engine_kind()} engine) ...",
          file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"child failed:\n{proc.stderr[-3000:]}")
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def profile(days: float, top: int) -> None:
    import cProfile
    import pstats

    from simdesk.engine import simulate

    s = scenario(days)
    prof = cProfile.Profile()
    prof.runcall(simulate, s)
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def report(runs: list[dict[str, Any]]) -> None:
    for r in runs:
        print(f"{r['days']:g} days: {r['inquiries']:,} inquiries in {r['seconds']:.1f} s "
              f"= {r['inq_per_s']:,.0f} inquiries/s (CPU {r['cpu_seconds']:.1f} s = "
              f"{r['inquiries'] / r['cpu_seconds']:,.0f}/s; figures {r['figures_seconds']:.2f} s), "
              f"peak RSS {r['peak_rss_mb']:.0f} MB (before the run {r['rss_before_run_mb']:.0f}),"
              f" abandonment {r['abandonment_rate']:.4f}")
        print("  resident MB by simulated day: " + ", ".join(
            f"d{d:g} {mb:.0f}" for d, mb in r["rss_by_day_mb"]))
    longest = max(runs, key=lambda r: r["days"])
    per_day = longest["inquiries"] / longest["days"]
    year_n = per_day * YEAR_DAYS
    year_s = year_n / longest["inq_per_s"]
    measured = " (measured)" if longest["days"] >= YEAR_DAYS else (
        f" (estimated from {longest['days']:g} days)")
    print(f"a year: about {year_n / 1e6:.1f} million inquiries in {year_s:.0f} s{measured};"
          f" target under {YEAR_TARGET_S:.0f} s needs {year_n / YEAR_TARGET_S:,.0f}/s")
    if len(runs) > 1:
        shortest = min(runs, key=lambda r: r["days"])
        ratio = longest["peak_rss_mb"] / shortest["peak_rss_mb"]
        print(f"peak RSS {longest['days']:g} d / {shortest['days']:g} d: {ratio:.3f}x "
              f"({shortest['peak_rss_mb']:.0f} -> {longest['peak_rss_mb']:.0f} MB; "
              f"target <= {MEMORY_TARGET}x)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--days", default="30",
                   help="comma-separated spans in days (fractions allowed), e.g. 30,365")
    p.add_argument("--profile", action="store_true", help="cProfile the first span instead")
    p.add_argument("--top", type=int, default=30, help="rows of the profile")
    p.add_argument("--json", type=Path, help="also write the results here")
    p.add_argument("--timeout", type=float, default=3600.0, help="seconds per child run")
    p.add_argument("--one", type=float, metavar="DAYS", help="child mode: one span, JSON out")
    args = p.parse_args(argv)
    if args.one is not None:
        print(json.dumps(child(args.one)))
        return 0
    spans = sorted(float(d) for d in args.days.split(","))
    if args.profile:
        profile(spans[0], args.top)
        return 0
    runs = [run_child(d, args.timeout) for d in spans]
    report(runs)
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
