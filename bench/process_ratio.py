"""Whole processes on an Erlang A desk: ``simdesk run --json`` against plain SimPy (issue 8,
"Speed and memory": at least 3x on 360,000 inquiries, one replication).

    python bench/process_ratio.py                   # 360,000 inquiries, 3 alternating rounds
    python bench/process_ratio.py --inquiries 100k --rounds 5

Each side is a fresh process, timed from start to exit: simdesk's startup, loading and
validating the scenario, the run, the figures and the JSON file on one side; the
interpreter, SimPy and the model (``plain_simpy.py``, one process per customer) on the
other. The desk is ``scenarios/erlang_a.yaml`` (200/h, 11 agents, handle 3 min, patience
2 min) with its horizon set to the number of inquiries asked for, no warm-up, one
replication, one worker. The two alternate round by round, so a noisy (shared) machine
slows them alike; wall-clock and CPU (user + system) medians and their ratios are printed,
never asserted.

Both run as installed code runs: with bytecode cached. A first, untimed run of each
writes it, even where PYTHONDONTWRITEBYTECODE is set for development (otherwise every
timed simdesk process would compile its modules again, and plain SimPy, one small
script, would hardly notice).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
ERLANG_A = BENCH / "scenarios" / "erlang_a.yaml"
TARGET = 3.0


def parse_size(text: str) -> int:
    t = text.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    return int(float(t.rstrip("km")) * mult)


# As installed code runs: bytecode cached (see the module's docstring).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one process, to its exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def simdesk_command() -> list[str]:
    script = Path(sys.executable).with_name("simdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "simdesk"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--inquiries", type=parse_size, default=360_000)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    data = yaml.safe_load(ERLANG_A.read_text(encoding="utf-8"))
    rate_per_h = float(str(data["demand"]["arrival_rate"]).split("/")[0])
    hours = args.inquiries / rate_per_h
    data.update(horizon=f"{hours:g}h", warmup=0, replications=1)
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp) / "erlang_a.yaml"
        scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
        out = Path(tmp) / "out.json"
        kinds = {
            "simdesk run --json": [*simdesk_command(), "run", str(scenario), "--json",
                                   str(out), "--workers", "1"],
            "plain SimPy": [sys.executable, str(BENCH / "plain_simpy.py"),
                            str(args.inquiries)],
        }
        wall: dict[str, list[float]] = {k: [] for k in kinds}
        cpu: dict[str, list[float]] = {k: [] for k in kinds}
        # Untimed, tiny runs of each: they write the bytecode caches.
        tiny = Path(tmp) / "tiny.yaml"
        tiny.write_text(yaml.safe_dump({**data, "horizon": "60s"}), encoding="utf-8")
        timed([*simdesk_command(), "run", str(tiny), "--json", str(out), "--workers", "1"])
        timed([sys.executable, str(BENCH / "plain_simpy.py"), "1"])
        for rnd in range(args.rounds):
            order = list(kinds) if rnd % 2 == 0 else list(kinds)[::-1]
            for kind in order:
                w, c = timed(kinds[kind])
                wall[kind].append(w)
                cpu[kind].append(c)
                print(f"round {rnd + 1}: {kind}: {w:.2f} s wall, {c:.2f} s CPU",
                      file=sys.stderr, flush=True)
    from simdesk import engine_kind

    print(f"Erlang A, {args.inquiries:,} inquiries, whole processes, {args.rounds} "
          f"alternating rounds (medians), simdesk's {engine_kind()} engine:")
    for label, times in (("wall clock", wall), ("CPU", cpu)):
        mine = statistics.median(times["simdesk run --json"])
        base = statistics.median(times["plain SimPy"])
        print(f"  {label}: simdesk {mine:.2f} s, plain SimPy {base:.2f} s, "
              f"ratio {base / mine:.2f}x (target at least {TARGET:g}x)")


if __name__ == "__main__":
    main()
