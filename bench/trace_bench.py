"""Arrival traces: time and peak memory of checking and replaying a long trace.

    .venv/bin/python bench/trace_bench.py                    # 100k and 1M rows
    .venv/bin/python bench/trace_bench.py --sizes 1M,10M     # the issue's ten million

For each size a synthetic trace (ISO date-times, two types, about 38 bytes a row) is
written to a temporary folder, then a fresh child process (``--one PATH``, so its peak
resident memory belongs to that run alone) loads a scenario that replays it, which checks
every row in one streaming pass, and iterates the replay source to its end, each arrival
with its own per-inquiry draws (``TraceArrivals``), without simulating the desk. Prints
rows per second of each step and the peak RSS; the memory ratio between the largest and
the smallest size is what "flat memory" means. Prints, never asserts.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

SCENARIO = """\
name: trace-bench
start: 2027-01-04
horizon: {days}d
demand:
  trace: {trace}
  types:
    - {{name: order_status, channel: chat}}
    - {{name: billing, channel: phone}}
customers:
  patience: exponential(mean=1m)
pools:
  - name: team
    kind: inhouse
    agents: 10
    handle_time: exponential(mean=5m)
routing:
  order_status: [team]
  billing: [team]
"""


def size(text: str) -> int:
    text = text.strip().lower()
    for suffix, factor in (("k", 1_000), ("m", 1_000_000)):
        if text.endswith(suffix):
            return int(float(text[:-1]) * factor)
    return int(text)


def write(folder: Path, rows: int) -> Path:
    """A trace of ``rows`` arrivals, one every 0.25 s from 2027-01-04 00:00."""
    trace = folder / f"trace_{rows}.csv"
    first = datetime(2027, 1, 4)
    with trace.open("w", encoding="utf-8") as f:
        f.write("timestamp,type,channel\n")
        step = timedelta(milliseconds=250)
        t = first
        for i in range(rows):
            f.write(f"{t.isoformat()},{'billing,phone' if i % 3 == 0 else 'order_status,chat'}\n")
            t += step
    days = int(rows * 0.25 // 86400) + 1
    (folder / f"trace_{rows}.yaml").write_text(
        SCENARIO.format(days=days, trace=trace.name), encoding="utf-8"
    )
    return folder / f"trace_{rows}.yaml"


def one(path: str) -> None:
    """Child mode: load (check) and replay, print one JSON line."""
    from simdesk.engine.arrivals import TraceArrivals
    from simdesk.loading import load_scenario
    from simdesk.streams import Streams

    t0 = time.perf_counter()
    s = load_scenario(path)
    t1 = time.perf_counter()
    n = 0
    for t, _ in TraceArrivals(s, Streams(1)):
        if t == float("inf"):
            break
        n += 1
    t2 = time.perf_counter()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": n, "check_s": t1 - t0, "replay_s": t2 - t1, "rss_mb": rss_mb}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k,1M")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.one)
        return
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in [size(x) for x in args.sizes.split(",")]:
            scenario = write(Path(tmp), n)
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(scenario)],
                capture_output=True, text=True, check=True,
            )
            r = json.loads(out.stdout)
            results.append(r)
            print(
                f"{r['rows']:>12,} rows: check {r['rows'] / r['check_s']:>9,.0f} rows/s "
                f"({r['check_s']:.1f} s), replay with draws {r['rows'] / r['replay_s']:>9,.0f} "
                f"rows/s ({r['replay_s']:.1f} s), peak RSS {r['rss_mb']:.0f} MB"
            )
            (Path(tmp) / f"trace_{n}.csv").unlink()
    if len(results) > 1:
        print(
            f"peak RSS {results[-1]['rows']:,} / {results[0]['rows']:,} rows: "
            f"{results[-1]['rss_mb'] / results[0]['rss_mb']:.3f}x"
        )


if __name__ == "__main__":
    main()
