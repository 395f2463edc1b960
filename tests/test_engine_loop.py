"""The engine's event loop keeps SimPy's rules: its order, and a failed event that nobody
defused crashes the run as ``Environment.step`` does (a copy of the exception, with the
original as its cause), after the event's callbacks have run."""

from __future__ import annotations

import random
from collections.abc import Callable
from heapq import heappush
from typing import Any

import pytest
import simpy
import yaml
from desks import TINY

from simdesk.engine import _Desk
from simdesk.engine.loop import drive
from simdesk.loading import scenario_from_data
from simdesk.streams import Streams


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


Schedule = Callable[[float, Callable[[Any], None], int], None]


def _script(schedule: Schedule, direct: Schedule, now: Callable[[], float],
            log: list[tuple[float, int]]) -> None:
    """Events at random times, many exactly on the hour, some scheduling others (now, in
    a moment, on or just before the next hour, a day later), some of them straight onto
    SimPy's heap as the engine schedules its completions: the same script for any
    scheduler."""
    rng = random.Random(7)

    def callback(ev: Any) -> None:
        # SimPy's events carry the label as their value; the desk's calls get it as is.
        label = ev._value if isinstance(ev, simpy.events.Event) else ev
        t = now()
        log.append((t, label))
        if label < 3000:
            to_hour = 3600.0 - t % 3600.0
            delay = rng.choice([0.0, rng.expovariate(1 / 600), to_hour, to_hour - 0.5,
                                rng.expovariate(1 / 7200), 86400.0])
            (direct if rng.random() < 0.3 else schedule)(t + delay, callback, label + 1000)

    for label in range(300):
        t = rng.choice([rng.uniform(0, 3 * 86400), float(rng.randrange(0, 72)) * 3600.0])
        schedule(t, callback, label)


def test_the_desks_later_heap_keeps_simpys_order() -> None:
    """Events far ahead wait in the desk's own heap and move onto SimPy's an hour ahead
    (engine/base.py); they still run in SimPy's (time, priority, insertion) order,
    including those exactly at the moment of a move and those just before it."""
    env = simpy.Environment()
    expected: list[tuple[float, int]] = []

    def simpy_at(t: float, callback: Callable[[Any], None], value: int) -> None:
        ev = env.event()
        ev._ok = True
        ev._value = value
        ev.callbacks.append(callback)
        env.schedule(ev, simpy.events.NORMAL, t - env.now)

    _script(simpy_at, simpy_at, lambda: env.now, expected)
    env.run(until=3.5 * 86400)

    scenario = scenario_from_data(yaml.safe_load(TINY))
    desk = _Desk(scenario, Streams(1, 0))

    def on_simpys_heap(t: float, callback: Callable[[Any], None], value: int) -> None:
        heappush(desk.queue, (t, simpy.events.NORMAL, next(desk.eid), callback, value))

    seen: list[tuple[float, int]] = []
    _script(desk._at, on_simpys_heap, lambda: desk.env.now, seen)
    drive(desk.env, 3.5 * 86400)
    assert len(expected) > 1000 and any(t % 3600.0 == 0.0 for t, _ in expected)
    assert seen == expected


def test_an_arrival_stream_off_the_heap_keeps_simpys_order_at_ties() -> None:
    """Fresh arrivals are no heap entries (engine/arrivals.py): the loop starts the next one
    when it comes first, by SimPy's whole key at a tie with the head (the insertion number
    its event would have had). Arrivals and events on whole seconds, so ties abound, must
    run in the order SimPy runs them as events."""
    rng = random.Random(11)
    gaps = [rng.choice([0.0, 1.0, 2.0, 3.0]) for _ in range(60)]
    events = [(float(rng.randrange(0, 40)), rng.choice([0, 1])) for _ in range(80)]
    # Event n, when it runs, schedules event n + 1000 this many seconds later (or none):
    # events scheduled during the run get insertion numbers after some arrivals' own.
    later = [rng.choice([None, 0.0, 1.0, 2.0]) for _ in range(80)]

    env = simpy.Environment()
    expected: list[tuple[float, str]] = []

    def simpy_event(t: float, prio: int, callback: Callable[[Any], None]) -> None:
        ev = env.event()
        ev._ok = True
        ev._value = None
        ev.callbacks.append(callback)
        env.schedule(ev, simpy.events.EventPriority(prio), t - env.now)

    def simpy_arrival(i: int) -> Callable[[Any], None]:
        def arrive(_ev: Any) -> None:
            expected.append((env.now, f"arrival {i}"))
            if i + 1 < len(gaps):
                simpy_event(env.now + gaps[i + 1], 1, simpy_arrival(i + 1))
        return arrive

    def simpy_logged(n: int) -> Callable[[Any], None]:
        def run(_ev: Any) -> None:
            expected.append((env.now, f"event {n}"))
            if n < 1000 and later[n] is not None:
                simpy_event(env.now + later[n], 1, simpy_logged(n + 1000))
        return run

    simpy_event(gaps[0], 1, simpy_arrival(0))
    for n, (t, prio) in enumerate(events):
        simpy_event(t, prio, simpy_logged(n))
    env.run(until=50.0)

    env2 = simpy.Environment()
    seen: list[tuple[float, str]] = []

    class Stream:
        def __init__(self) -> None:
            self.i = 0
            self.arrival_at = gaps[0]
            self.eid = next(env2._eid)

        def arrive(self) -> float:
            seen.append((env2.now, f"arrival {self.i}"))
            self.i += 1
            if self.i == len(gaps):
                self.arrival_at = float("inf")
            else:
                self.arrival_at += gaps[self.i]
                self.eid = next(env2._eid)
            return self.arrival_at

        def arrival_first(self, head: Any) -> bool:
            return (simpy.events.NORMAL, self.eid) < (head[1], head[2])

    def push(t: float, prio: int, n: int) -> None:
        heappush(env2._queue, (t, simpy.events.EventPriority(prio), next(env2._eid), logged, n))

    def logged(n: int) -> None:
        seen.append((env2.now, f"event {n}"))
        if n < 1000 and later[n] is not None:
            push(env2.now + later[n], 1, n + 1000)

    stream = Stream()
    for n, (t, prio) in enumerate(events):
        push(t, prio, n)
    drive(env2, 50.0, None, stream)
    assert len(expected) > 150 and len({t for t, _ in expected}) < len(expected) / 3
    assert seen == expected
