"""The engine's memory rules (docs/architecture.md, "How the engine stays fast"): it makes
no reference cycles per contact, so reference counting frees every contact and event and
the cycle collector can be paused during a run; and the collector is restored afterwards."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from conftest import one_day_of

from simdesk.engine import _Desk
from simdesk.engine.loop import cycle_collector_paused
from simdesk.loading import scenario_from_data
from simdesk.streams import Streams
from simdesk.sweep import apply_setting

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_a_run_leaves_nothing_for_the_cycle_collector(path: Path) -> None:
    data = one_day_of(path)
    apply_setting(data, "warmup", "2h")
    scenario = scenario_from_data(data, str(path))
    # A first run imports what the engine imports lazily (numpy's and the figures' modules
    # make cycles of their own when first loaded); only the second run is measured.
    _Desk(scenario, Streams(scenario.seed, 1)).run()
    desk = _Desk(scenario, Streams(scenario.seed, 0))
    gc.collect()
    was_on = gc.isenabled()
    gc.disable()
    try:
        tallies = desk.run()
        assert sum(c.offered for row in tallies.cells for c in row) > 100
        # The desk is still referenced: whatever the collector finds now is a contact,
        # an event or a queue entry that only a cycle kept alive.
        assert gc.collect() == 0
    finally:
        if was_on:
            gc.enable()


@pytest.mark.parametrize("on", [True, False])
def test_the_collector_is_restored_as_it_was(on: bool) -> None:
    was_on = gc.isenabled()
    try:
        gc.enable() if on else gc.disable()
        with cycle_collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is on
        with pytest.raises(RuntimeError), cycle_collector_paused():
            raise RuntimeError("a failed run")
        assert gc.isenabled() is on
    finally:
        gc.enable() if was_on else gc.disable()
