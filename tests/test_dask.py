"""`--executor dask` on a real local cluster gives byte-identical files to local runs.

The cluster is started the way an operator would: ``dask scheduler`` and ``dask worker`` as
separate processes (the worker process runs two worker processes of its own), so tasks
really travel to other interpreters by pickle. Skipped when the optional extra
(``simdesk[dask]``) is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from desks import GRID, TINY
from typer.testing import CliRunner

from simdesk.cli import app

distributed = pytest.importorskip("distributed")

WIDE = {"COLUMNS": "200"}



def _dask_command() -> list[str]:
    """The ``dask`` CLI of this interpreter's environment (workers must import simdesk)."""
    exe = Path(sys.executable).with_name("dask")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("dask")
    if found is None:
        pytest.skip("the dask command line is not installed")
    return [found]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop one process we started, by its id: SIGTERM lets dask close its worker children."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A scheduler and two single-threaded worker processes, all separate from pytest."""
    where = tmp_path_factory.mktemp("dask")
    info = where / "scheduler.json"
    dask = _dask_command()
    env = dict(os.environ)
    logs = (where / "scheduler.log").open("wb"), (where / "worker.log").open("wb")
    sched = subprocess.Popen(
        [
            *dask,
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(info),
        ],
        stdout=logs[0],
        stderr=subprocess.STDOUT,
        env=env,
        cwd=where,
    )
    procs = [sched]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() or not info.read_text().strip():
            if time.monotonic() > deadline or sched.poll() is not None:
                pytest.fail("the dask scheduler did not start")
            time.sleep(0.1)
        time.sleep(0.2)  # the file is written in one go, but be safe with the JSON
        address = json.loads(info.read_text())["address"]
        worker = subprocess.Popen(
            [
                *dask,
                "worker",
                address,
                "--nworkers",
                "2",
                "--nthreads",
                "1",
                "--no-dashboard",
                "--local-directory",
                str(where),
            ],
            stdout=logs[1],
            stderr=subprocess.STDOUT,
            env=env,
            cwd=where,
        )
        procs.append(worker)
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for proc in reversed(procs):
            _stop(proc)
        for log in logs:
            log.close()


def cli(*args: str | Path) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def test_dask_cluster_gives_the_same_files_as_one_and_two_workers(
    scheduler: str, tmp_path: Path
) -> None:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(TINY)
    runs = {
        "one": ["--workers", "1"],
        "two": ["--workers", "2"],
        "dask": ["--executor", "dask", "--scheduler", scheduler],
    }
    files = {}
    for name, how in runs.items():
        csv_path, json_path = tmp_path / f"{name}.csv", tmp_path / f"{name}.json"
        result = cli("sweep", scenario, *GRID, "--csv", csv_path, "--json", json_path, *how)
        assert result.exit_code == 0, result.output
        files[name] = (csv_path.read_bytes(), json_path.read_bytes())
    assert files["dask"] == files["one"] == files["two"]
    doc = json.loads(files["dask"][1])
    assert doc["points_done"] == 15 and doc["replications"] == 10 and doc["complete"] is True


def test_dask_compare_and_run_match_local(scheduler: str, tmp_path: Path) -> None:
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text(TINY)
    b.write_text(TINY.replace("name: tiny", "name: more").replace("agents: 3", "agents: 4"))
    local = cli("compare", a, b, "--json", tmp_path / "local.json", "--workers", "2")
    remote = cli(
        "compare",
        a,
        b,
        "--json",
        tmp_path / "dask.json",
        "--executor",
        "dask",
        "--scheduler",
        scheduler,
    )
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    assert (tmp_path / "local.json").read_bytes() == (tmp_path / "dask.json").read_bytes()
    run_local = cli("run", a, "--json", tmp_path / "run1.json", "--workers", "1")
    run_dask = cli(
        "run", a, "--json", tmp_path / "run2.json", "--executor", "dask", "--scheduler", scheduler
    )
    assert run_local.exit_code == 0 and run_dask.exit_code == 0, run_dask.output
    assert (tmp_path / "run1.json").read_bytes() == (tmp_path / "run2.json").read_bytes()
