"""The weekly clock: windows of days and hours as minutes of the week, and back to words.

Routes by the clock and the coverage warnings both ask "which minutes of the week does this
window hold?"; one answer here keeps the route the engine picks, the errors about
alternatives and the warnings' text in agreement. Minute 0 is Monday 00:00-00:01; clock
times in the scenario format are whole minutes, so a minute is never split.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simdesk.scenario import Route, When

MINUTES_PER_DAY = 1440
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
DAY_LABELS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NONE = -1
"""In a route's table: no alternative holds at that minute."""


def window_minutes(days: Sequence[int], start: float, length: float) -> list[bool]:
    """The minutes of the week a window holds: from ``start`` (seconds into the day) for
    ``length`` seconds, on each day of ``days`` (0 is Monday); past Sunday it wraps."""
    mask = [False] * MINUTES_PER_WEEK
    first = round(start / 60)
    span = round(length / 60)
    for day in days:
        begin = day * MINUTES_PER_DAY + first
        mark(mask, begin, begin + span)
    return mask


def mark(mask: list[bool], begin: int, end: int) -> None:
    """Set minutes [begin, end) of the week, wrapping past its end."""
    if end - begin >= MINUTES_PER_WEEK:
        mask[:] = [True] * MINUTES_PER_WEEK
        return
    length = end - begin
    begin %= MINUTES_PER_WEEK
    end = begin + length
    if end <= MINUTES_PER_WEEK:
        mask[begin:end] = [True] * (end - begin)
    else:
        mask[begin:] = [True] * (MINUTES_PER_WEEK - begin)
        mask[: end - MINUTES_PER_WEEK] = [True] * (end - MINUTES_PER_WEEK)


def when_minutes(when: When) -> list[bool]:
    return window_minutes(when.days, when.from_, when.length)


def alternative_table(routes: Sequence[Route]) -> list[int]:
    """For every minute of the week, the index of the alternative in force then: the first
    whose ``when`` holds (one without ``when`` always holds), or ``NONE``."""
    table = [NONE] * MINUTES_PER_WEEK
    for index, route in enumerate(routes):
        mask = [True] * MINUTES_PER_WEEK if route.when is None else when_minutes(route.when)
        for minute, holds in enumerate(mask):
            if holds and table[minute] == NONE:
                table[minute] = index
    return table


def on_whole_hours(routes: Sequence[Route]) -> bool:
    """Whether every window of these alternatives starts and ends on a whole hour, so a
    table of the 168 hours of the week says as much as one of its minutes."""
    return all(
        r.when is None or (r.when.from_ % 3600 == 0 and r.when.to % 3600 == 0) for r in routes
    )


def describe(mask: Sequence[bool]) -> str:
    """Minutes of the week in words, compactly: ``Mon-Thu 22:00-08:00, Fri 22:00-Mon
    08:00``; ``Sat-Sun all day``; ``all week``. Stretches shorter than a day that start
    and end at the same times on several days are told once, with their days."""
    if all(mask):
        return "all week"
    runs = _runs(mask)
    short: dict[tuple[int, int], list[int]] = {}
    pieces: list[tuple[int, str]] = []
    for begin, length in runs:
        day, at = divmod(begin, MINUTES_PER_DAY)
        end = begin + length
        if length < MINUTES_PER_DAY:
            short.setdefault((at, (at + length)), []).append(day)
            continue
        if at == 0 and end % MINUTES_PER_DAY == 0:
            last = (end // MINUTES_PER_DAY - 1) % 7
            pieces.append((begin, f"{_day_span(day, last)} all day"))
        else:
            end_day = (end // MINUTES_PER_DAY) % 7
            pieces.append(
                (begin, f"{DAY_LABELS[day]} {_clock(at)}-{DAY_LABELS[end_day]} "
                 f"{_clock(end % MINUTES_PER_DAY)}")
            )
    for (at, until), days in short.items():
        until_text = "24:00" if until == MINUTES_PER_DAY else _clock(until % MINUTES_PER_DAY)
        first = min(days) * MINUTES_PER_DAY + at
        pieces.append((first, f"{_days(sorted(days))} {_clock(at)}-{until_text}"))
    return ", ".join(text for _, text in sorted(pieces))


def _runs(mask: Sequence[bool]) -> list[tuple[int, int]]:
    """(first minute, length) of each stretch of set minutes, a stretch over Sunday
    midnight counted as one. ``mask`` is not all set."""
    n = len(mask)
    # Start the walk at a minute that is not set, so no stretch is cut in two.
    origin = next(i for i in range(n) if not mask[i])
    runs: list[tuple[int, int]] = []
    begin = -1
    for step in range(1, n + 1):
        i = (origin + step) % n
        if mask[i] and begin < 0:
            begin = origin + step
        elif not mask[i] and begin >= 0:
            runs.append((begin % n, origin + step - begin))
            begin = -1
    return runs


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _day_span(first: int, last: int) -> str:
    return DAY_LABELS[first] if first == last else f"{DAY_LABELS[first]}-{DAY_LABELS[last]}"


def _days(days: list[int]) -> str:
    """``Mon-Thu``, ``Mon,Wed,Fri``, ``Mon-Wed,Sat``: runs of consecutive days."""
    parts: list[str] = []
    i = 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1] == days[j] + 1:
            j += 1
        parts.append(_day_span(days[i], days[j]))
        i = j + 1
    return ",".join(parts)
