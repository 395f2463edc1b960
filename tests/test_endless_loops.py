"""Scenarios that `validate` accepts but whose run could never end must end.

Each runs `simdesk run` in a subprocess with a timeout, so a regression fails instead of
hanging the suite. Zero-time loops (a contact that abandons or ends unresolved without
time passing and comes back after zero time) stop the run with a message naming the keys
to change (exit 2, an input error: the engine detects the loop while running); a
vanishing arrival rate with an intraday profile simply runs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TIMEOUT_S = 60

RETRY_LOOP = """\
name: retry-loop
horizon: 1h
demand:
  arrival_rate: 10/h
  types: [{name: a, share: 1.0}]
customers:
  patience: fixed(0s)
  retry: {probability: 1, after: fixed(0s)}
pools:
  - {name: team, kind: inhouse, agents: 0, handle_time: fixed(1m)}
routing:
  a: team
"""

REPEAT_LOOP = """\
name: repeat-loop
horizon: 1h
demand:
  arrival_rate: 10/h
  types: [{name: a, share: 1.0}]
customers:
  repeat: {probability: 1, after: fixed(0s)}
pools:
  - {name: team, kind: inhouse, agents: 1, fcr: 0, handle_time: fixed(0s)}
routing:
  a: team
"""

TINY_RATE = """\
name: tiny-rate
horizon: 7d
demand:
  arrival_rate: 1e-12/h
  intraday: [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1]
  types: [{name: a, share: 1.0}]
pools:
  - {name: team, kind: inhouse, agents: 1, handle_time: fixed(1m)}
routing:
  a: team
"""


def run(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    return subprocess.run(
        [sys.executable, "-m", "simdesk", "run", str(path)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        env={"COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb", "PATH": ""},
    )


@pytest.mark.parametrize("text", [RETRY_LOOP, REPEAT_LOOP], ids=["retry", "repeat"])
def test_a_zero_time_loop_stops_with_a_message(tmp_path: Path, text: str) -> None:
    done = run(tmp_path, text)
    assert done.returncode == 2, done.stderr
    assert "failed" not in done.stderr
    assert "Traceback" not in done.stderr
    assert "same instant" in done.stderr
    key = "customers.retry.after" if "retry-loop" in text else "customers.repeat.after"
    assert key in done.stderr


def test_a_vanishing_rate_with_a_profile_runs(tmp_path: Path) -> None:
    done = run(tmp_path, TINY_RATE)
    assert done.returncode == 0, done.stderr
    assert "offered" in done.stdout
