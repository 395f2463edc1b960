"""simdesk startup: ``simdesk --version`` and a one-hour ``simdesk run`` against a bare
``python -c pass`` (issue 8, "Speed and memory": under 0.15 s more for ``--version``).

    python bench/startup.py              # 15 alternating rounds
    python bench/startup.py --rounds 30

Each command runs in a fresh process, the three kinds alternating round by round so a noisy
(shared) machine slows them alike; the medians and the differences from ``python -c pass``
are printed, never asserted. Also printed: the heavy packages each command imported.
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

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("dask", "distributed", "scipy", "jsonschema", "simpy", "numpy", "pydantic", "yaml")
TARGET_VERSION_S = 0.15

def one_hour_scenario() -> str:
    """The Erlang A example (scenarios/erlang_a.yaml) over one hour, one replication."""
    text = (ROOT / "scenarios" / "erlang_a.yaml").read_text(encoding="utf-8")
    for old, new in (("horizon: 30d", "horizon: 1h"), ("warmup: 1d", "warmup: 0s")):
        text = text.replace(old, new)
    return text.replace("replications: 5", "replications: 1")


def simdesk_command() -> list[str]:
    """The console script beside this Python when installed, else ``python -m simdesk``."""
    script = Path(sys.executable).with_name("simdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "simdesk"]


# As an installed package runs: with its bytecode cached (the first, untimed run of each
# command writes it), even where PYTHONDONTWRITEBYTECODE is set for development.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def seconds(cmd: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one run of ``cmd``. The CPU time
    suffers less when other processes share the cores."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def heavy_imports(args: list[str]) -> list[str]:
    """The HEAVY packages a ``simdesk ARGS`` process imports (from ``-X importtime``)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "simdesk", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    names = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    return [h for h in HEAVY if h in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp) / "one_hour.yaml"
        scenario.write_text(one_hour_scenario(), encoding="utf-8")
        run_args = ["run", str(scenario), "--workers", "1", "--no-intraday"]
        kinds = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "simdesk --version": [*simdesk_command(), "--version"],
            "simdesk run (1 h)": [*simdesk_command(), *run_args],
        }
        for cmd in kinds.values():  # warm the file cache
            seconds(cmd)
        wall: dict[str, list[float]] = {k: [] for k in kinds}
        cpu: dict[str, list[float]] = {k: [] for k in kinds}
        for _ in range(args.rounds):
            for kind, cmd in kinds.items():
                w, c = seconds(cmd)
                wall[kind].append(w)
                cpu[kind].append(c)
        print(f"{args.rounds} alternating rounds; medians (min .. max), and the difference")
        print("from python -c pass:")
        for label, times in (("wall clock", wall), ("CPU, user + system", cpu)):
            base = statistics.median(times["python -c pass"])
            print(f" {label}:")
            for kind, ts in times.items():
                med = statistics.median(ts)
                extra = "" if kind == "python -c pass" else f"   +{med - base:.3f} s"
                print(f"  {kind:20s} {med:.3f} s ({min(ts):.3f} .. {max(ts):.3f}){extra}")
        diff = statistics.median(wall["simdesk --version"]) - statistics.median(
            wall["python -c pass"]
        )
        verdict = "met" if diff < TARGET_VERSION_S else "missed"
        print(f"--version, wall clock: +{diff:.3f} s; target under +{TARGET_VERSION_S:.2f} s: "
              f"{verdict}")
        print("heavy packages imported:")
        print(f"  --version: {', '.join(heavy_imports(['--version'])) or 'none'}")
        print(f"  run (1 h): {', '.join(heavy_imports(run_args)) or 'none'}")


if __name__ == "__main__":
    main()
