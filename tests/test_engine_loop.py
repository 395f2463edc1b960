"""The engine's event loop keeps SimPy's rules: its order, and a failed event that nobody
defused crashes the run as ``Environment.step`` does (a copy of the exception, with the
original as its cause), after the event's callbacks have run."""

from __future__ import annotations

import pytest
import simpy

from simdesk.engine.loop import drive


def test_a_failed_event_raises_a_copy_with_the_original_as_cause() -> None:
    env = simpy.Environment()
    seen: list[float] = []
    original = ValueError("the desk broke")
    failed = env.event()
    failed.callbacks.append(lambda ev: seen.append(env.now))
    later = env.timeout(5)
    failed.fail(original)  # scheduled now, at time 0
    with pytest.raises(ValueError, match="the desk broke") as info:
        drive(env, 10.0)
    assert info.value is not original and info.value.__cause__ is original
    assert seen == [0.0]  # its callbacks ran first
    assert env._queue and env._queue[0][3] is later  # nothing after it was processed


def test_a_defused_failure_does_not_stop_the_run() -> None:
    env = simpy.Environment()
    failed = env.event()
    failed.fail(ValueError("handled elsewhere"))
    failed.defused = True
    env.timeout(3)
    drive(env, 10.0)
    assert env.now == 10.0 and not env._queue


def test_events_run_in_simpys_order_and_stop_before_until() -> None:
    """(time, priority, insertion): an urgent event at the same time goes first, equal
    ones in the order they were scheduled, and nothing at or after ``until`` runs."""
    env = simpy.Environment()
    order: list[str] = []
    for name, delay in (("b", 2), ("c", 2), ("late", 5), ("a", 1)):
        env.timeout(delay).callbacks.append(lambda ev, n=name: order.append(n))
    urgent = env.event()
    urgent.callbacks.append(lambda ev: order.append("urgent"))
    urgent._ok = True
    urgent._value = None
    env.schedule(urgent, priority=simpy.events.URGENT, delay=2)
    drive(env, 5.0)
    assert order == ["a", "urgent", "b", "c"]
    assert env.now == 5.0
