"""Turn weekly shift definitions into on/off windows over a run's span."""

from __future__ import annotations

from simdesk.scenario import DAY, Shift


def shift_windows(shift: Shift, until: float) -> list[tuple[float, float]]:
    """Merged (start, end) windows in seconds from time 0 (a Monday 00:00) up to ``until``.

    A shift whose end is earlier than its start runs overnight into the next day; a shift
    from the day before time 0 that runs past midnight is included. Back-to-back windows
    (00:00-24:00 every day) merge into one so agents are not sent home and back at once.
    """
    length = shift.length
    windows: list[tuple[float, float]] = []
    day = -1
    while day * DAY < until:
        if day % 7 in shift.days:
            start = day * DAY + shift.start
            end = start + length
            if end > 0 and start < until:
                start, end = max(start, 0.0), min(end, until)
                if windows and windows[-1][1] >= start:
                    windows[-1] = (windows[-1][0], max(windows[-1][1], end))
                else:
                    windows.append((start, end))
        day += 1
    return windows
