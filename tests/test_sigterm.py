"""SIGTERM to ``simdesk run`` with a process pool stops the worker processes too.

Before, the parent died at once and its pool workers waited for work forever (Ctrl-C was
already handled). Linux only: the children are found through /proc.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LONG = (ROOT / "scenarios" / "erlang_c.yaml").read_text(encoding="utf-8").replace(
    "horizon: 7d", "horizon: 3650d"
).replace("replications: 5", "replications: 4")

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="children are found through /proc"
)


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            text = (task / "children").read_text()
        except OSError:
            continue
        found.update(int(c) for c in text.split())
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited


def test_sigterm_stops_the_worker_processes(tmp_path: Path) -> None:
    scenario = tmp_path / "long.yaml"
    scenario.write_text(LONG, encoding="utf-8")
    log = tmp_path / "stderr.txt"
    with log.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "simdesk", "run", str(scenario), "--workers", "2"],
            stdout=subprocess.DEVNULL,
            stderr=stderr,  # a file, not a pipe: surviving workers must not hold us up
            start_new_session=True,  # a group of our own, to clean up whatever is left
        )
    try:
        deadline = time.monotonic() + 30
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 2:
            workers = {c for c in _children(proc.pid) if _alive(c)}
            time.sleep(0.1)
        assert len(workers) >= 2, "the pool's workers never started"
        time.sleep(0.5)  # let them pick up work
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        survivors = [w for w in workers if _alive(w)]
        assert not survivors, f"worker processes {survivors} survived SIGTERM"
        err = log.read_text(encoding="utf-8", errors="replace")
        assert proc.returncode == 143, err
        assert "Traceback" not in err
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
