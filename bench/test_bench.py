"""Smoke test of the benchmark command: it runs and writes valid JSON. Timings are never
asserted (machines are noisy); run explicitly with ``pytest -m bench bench/``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent


@pytest.mark.bench
def test_quick_bench_runs_and_writes_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema"] == "simdesk-bench/1"
    assert data["mode"] == "quick"
    assert data["failures"] == []
    for size in data["sizes"]:
        assert data["erlang_a"][size]["simdesk"]["inquiries"] > 0
        assert data["erlang_a"][size]["baseline"]["inquiries"] > 0
        assert data["full_desk"][size]["inquiries"] > 0
    assert {t["target"].split(":")[0] for t in data["targets"]}
    assert all(t["met"] in (True, False, None) for t in data["targets"])
    assert data["sweep"]["identical_results"] is True


@pytest.mark.bench
def test_baseline_agrees_with_simdesk_roughly() -> None:
    """Both Erlang A models describe the same queue: abandonment within a few points."""
    sys.path.insert(0, str(BENCH))
    import plain_simpy
    import run as bench_run

    p = bench_run.erlang_params()
    base = plain_simpy.run(50_000, p["rate_per_s"], p["mean_handle_s"], p["mean_patience_s"],
                           int(p["agents"]), 3)
    sim = bench_run._run_simdesk(bench_run.ERLANG_A, 50_000 / p["rate_per_s"])
    assert abs(base["abandonment_rate"] - sim["abandonment_rate"]) < 0.02


@pytest.mark.bench
def test_people_bench_runs_and_prints_its_ratio() -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCH / "people_bench.py"), "--days", "0.25", "--rounds", "1"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ratio workforce/plain: median" in proc.stdout
    assert "without shrinkage and absence" in proc.stdout
