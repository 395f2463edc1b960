"""Startup stays cheap (issue 8, "Speed and memory"): ``simdesk --version`` imports none of
the heavy machinery, and a run imports only what a run needs. Module presence, never
timing (the timing is bench/startup.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import simdesk

ROOT = Path(__file__).resolve().parent.parent
NEVER_AT_STARTUP = ("dask", "distributed", "scipy", "jsonschema", "simpy", "numpy", "pydantic")
NOT_FOR_A_RUN = ("dask", "distributed", "scipy", "jsonschema")


def imported(*args: str) -> set[str]:
    """Every module a fresh ``python -m simdesk ARGS`` imported (``-X importtime``)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "simdesk", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return {
        line.rsplit("|", 1)[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }


def heavy(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in packages)


def test_version_imports_no_heavy_package() -> None:
    modules = imported("--version")
    assert "simdesk.cli" in modules  # the import log was read
    # A bare --version is answered before the app is built: not even Typer or Rich.
    assert heavy(modules, (*NEVER_AT_STARTUP, "typer", "click", "rich")) == []


def test_the_quick_version_is_the_app_s() -> None:
    """``simdesk --version`` answered early prints what the app's ``--version`` prints
    (with another option the app answers it, tests/test_engine_kind.py)."""
    quick = subprocess.run([sys.executable, "-m", "simdesk", "--version"],
                           capture_output=True, text=True, timeout=120, check=True)
    via_app = subprocess.run([sys.executable, "-m", "simdesk", "--version", "--help"],
                             capture_output=True, text=True, timeout=120, check=True)
    assert quick.stdout == via_app.stdout
    assert quick.stdout.startswith(f"simdesk {simdesk.__version__} (")


def test_main_help_imports_no_heavy_package() -> None:
    assert heavy(imported("--help"), NEVER_AT_STARTUP) == []


def test_a_run_imports_neither_dask_nor_scipy_nor_jsonschema(tmp_path: Path) -> None:
    text = (ROOT / "scenarios" / "erlang_a.yaml").read_text(encoding="utf-8")
    hour = text.replace("horizon: 30d", "horizon: 1h").replace("replications: 5", "replications: 1")
    path = tmp_path / "hour.yaml"
    path.write_text(hour, encoding="utf-8")
    modules = imported("run", str(path), "--workers", "1", "--no-intraday")
    assert "simdesk.engine" in modules or any(m.startswith("simdesk.engine.") for m in modules)
    assert heavy(modules, NOT_FOR_A_RUN) == []
