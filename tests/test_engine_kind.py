"""The engine imported is the one ``engine_kind`` names (setup.py: pure Python, or compiled
by mypyc with ``SIMDESK_COMPILE=1``), and ``--version`` says which.

``.ci/run`` runs the suite a second time against a compiled build with
``SIMDESK_EXPECT_ENGINE=compiled``: there this fails if the source tree's pure modules were
imported instead, so the compiled engine cannot pass its tests untested."""

from __future__ import annotations

import os
from importlib.machinery import EXTENSION_SUFFIXES

import pytest
from typer.testing import CliRunner

import simdesk
from simdesk import cells
from simdesk.cli import app
from simdesk.engine import desk, heap, loop, service


def _compiled(module: object) -> bool:
    return str(getattr(module, "__file__", "")).endswith(tuple(EXTENSION_SUFFIXES))


def test_engine_kind_names_the_modules_imported() -> None:
    kinds = {_compiled(m) for m in (loop, desk, service, heap, cells)}
    assert len(kinds) == 1, "part of the engine compiled, part not: a stale build"
    assert simdesk.engine_kind() == ("compiled" if kinds.pop() else "pure Python")


def test_the_expected_engine_is_the_one_under_test() -> None:
    expected = os.environ.get("SIMDESK_EXPECT_ENGINE")
    if expected is None:
        pytest.skip("SIMDESK_EXPECT_ENGINE not set (.ci/run sets it for the compiled run)")
    assert simdesk.engine_kind() == expected
    assert _compiled(loop) == (expected == "compiled")


def test_version_names_the_engine() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == (
        f"simdesk {simdesk.__version__} ({simdesk.engine_kind()} engine)"
    )


def test_the_heap_is_heapq_only_in_pure_python() -> None:
    """Compiled, the engine's heap functions are the key-comparing ones (engine/heap.py);
    in pure Python heapq's, which beat them there. A build that got this backwards would
    still give the same results, only slower."""
    from heapq import heappop, heappush

    if heap.COMPILED:
        assert (heap.push, heap.pop) == (heap.keyed_push, heap.keyed_pop)
    else:
        assert (heap.push, heap.pop) == (heappush, heappop)
    assert _compiled(heap) == heap.COMPILED
