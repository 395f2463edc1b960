"""Durations, rates and clock times as people write them in scenario files.

Internally everything is seconds (and events per second), but a bare number in a scenario
is ambiguous -- is ``handle_time: 5`` five seconds or five minutes? -- so the parsers insist
on a unit. The formatters produce the shortest text that parses back to *exactly* the same
float, so a scenario echoed back (or re-read after a sweep rewrote it) means the same thing.

Every parser raises a plain ``ValueError`` whose message says what was expected and quotes
what was given; pydantic wraps these into located errors.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

__all__ = [
    "DURATION_UNITS",
    "RATE_UNITS",
    "format_duration",
    "format_rate",
    "parse_clock",
    "parse_duration",
    "parse_rate",
]

# Seconds per unit. Order matters for formatting: largest first.
DURATION_UNITS: dict[str, float] = {
    "w": 7 * 86400.0,
    "d": 86400.0,
    "h": 3600.0,
    "m": 60.0,
    "s": 1.0,
    "ms": 0.001,
}
# Units tried first when formatting, largest first. Weeks are left out because "7d" reads
# better than "1w" in a scenario where everything else is in days or less.
_PREFERRED_DURATION_UNITS = ("d", "h", "m", "s", "ms")
# A preferred-unit count must be below this; "1040256s" is exact but unreadable, and a
# rarer unit ("1.72w") says the same thing better.
_PREFERRED_MAX_COUNT = 10_000

# Seconds per unit for the denominator of a rate. Smallest first, for formatting.
RATE_UNITS: dict[str, float] = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}

_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_DURATION_RE = re.compile(rf"^\s*({_NUMBER})\s*([A-Za-z]*)\s*$")
_RATE_RE = re.compile(rf"^\s*({_NUMBER})\s*/\s*([A-Za-z]*)\s*$")
_CLOCK_RE = re.compile(r"^\s*([0-9]{1,2}):([0-9]{2})\s*$")

_DURATION_EXPECTED = "expected a duration with a unit, such as 90s, 4m, 1.5h or 7d"
_DURATION_UNITS_TEXT = ", ".join(DURATION_UNITS)
_RATE_EXPECTED = "expected a rate as count/unit, such as 200/h or 3.5/m"
_RATE_UNITS_TEXT = ", ".join(RATE_UNITS)
_CLOCK_EXPECTED = "expected a clock time HH:MM between 00:00 and 24:00, such as 08:00 or 17:30"

# Beyond this many units the two-decimal form stops being "short"; fall back to seconds.
_MAX_PRETTY = 1e15


def _to_seconds(number: float, unit: str) -> float:
    # Dividing by 1000 is exact for values like 250 where multiplying by 0.001 is not,
    # and the formatter relies on the same arithmetic to prove its text round-trips.
    if unit == "ms":
        return number / 1000.0
    return number * DURATION_UNITS[unit]


def _plain(number: float) -> str:
    """Shortest text that reads back as ``number``, without exponent notation.

    Exponents would not match the JSON-schema patterns editors use to check scenarios.
    """
    text = format(Decimal(repr(number)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _decimals(number: float, places: int) -> str | None:
    """``number`` rounded to ``places`` decimals and trimmed; None if that is zero or huge."""
    if not 0 < number < _MAX_PRETTY:
        return None
    text = f"{number:.{places}f}".rstrip("0").rstrip(".")
    return None if text == "0" else text


def _duration_count(seconds: float, unit: str, places: int = 2) -> str | None:
    """``seconds`` in ``unit`` with at most ``places`` decimals, if that parses back exactly.

    Checking with the parser's own arithmetic is what makes the formatter exact.
    """
    text = _decimals(seconds / DURATION_UNITS[unit], places)
    if text is None or _to_seconds(float(text), unit) != seconds:
        return None
    return text


def _rate_count(per_second: float, unit: str, places: int = 2) -> str | None:
    """Events per ``unit`` with at most ``places`` decimals, if that parses back exactly."""
    text = _decimals(per_second * RATE_UNITS[unit], places)
    if text is None or float(text) / RATE_UNITS[unit] != per_second:
        return None
    return text


def _shortest(candidates: list[str]) -> str | None:
    """Shortest candidate; ``min`` keeps the earliest on ties, so order encodes preference."""
    return min(candidates, key=len) if candidates else None


def parse_duration(value: str | int | float) -> float:
    """Seconds in ``value``, which must carry a unit (ms, s, m, h, d, w) unless it is zero.

    Zero is the one unit-free number allowed because it is unambiguous, and YAML users
    naturally write ``warmup: 0``.
    """
    if isinstance(value, bool):
        raise ValueError(f"{_DURATION_EXPECTED}; got '{value}'")
    if isinstance(value, (int, float)):
        if value == 0:
            return 0.0
        raise ValueError(f"{_DURATION_EXPECTED}; got '{value}'")
    if not isinstance(value, str):
        raise ValueError(f"{_DURATION_EXPECTED}; got '{value}'")

    match = _DURATION_RE.match(value)
    if match is None:
        raise ValueError(f"{_DURATION_EXPECTED}; got '{value}'")
    number = float(match.group(1))
    unit = match.group(2)
    if not unit:
        if number == 0:
            return 0.0
        raise ValueError(f"{_DURATION_EXPECTED}; got '{value.strip()}'")
    if unit not in DURATION_UNITS:
        raise ValueError(
            f"unknown duration unit '{unit}' in '{value.strip()}'; "
            f"{_DURATION_EXPECTED} (units: {_DURATION_UNITS_TEXT})"
        )
    seconds = _to_seconds(number, unit)
    if not math.isfinite(seconds):
        raise ValueError(f"duration is too large; got '{value.strip()}'")
    if seconds < 0:
        raise ValueError(f"duration must not be negative; got '{value.strip()}'")
    return seconds + 0.0  # turns -0.0 into 0.0


def format_duration(seconds: float) -> str:
    """Short text for ``seconds`` that ``parse_duration`` turns back into the same float.

    Uses the largest unit that needs at most two decimals ("1.5h", "250ms", "7d"), but
    prefers one decimal to two ("63m", not "1.05h") and whole minutes or seconds to
    fractional minutes ("90s", not "1.5m"). Failing
    that, the shortest exact form in any unit ("1.72w", "0.5ms"); failing that,
    full-precision seconds, because an echoed scenario must not silently change.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise ValueError(f"expected a number of seconds; got '{seconds}'")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"duration must be finite and not negative; got '{seconds}'")
    seconds = float(seconds)
    if seconds == 0:
        return "0s"
    for places in (1, 2):  # "63m" reads better than "1.05h"
        for unit in _PREFERRED_DURATION_UNITS:
            text = _duration_count(seconds, unit, places)
            if text is None or not 1 <= float(text) < _PREFERRED_MAX_COUNT:
                continue
            if unit == "m" and "." in text:
                continue  # "90s" reads better than "1.5m"
            return f"{text}{unit}"
    exact = {unit: _duration_count(seconds, unit) for unit in DURATION_UNITS}
    fallback = _shortest([f"{text}{unit}" for unit, text in exact.items() if text is not None])
    return fallback or f"{_plain(seconds)}s"


def parse_rate(value: str) -> float:
    """Events per second in a rate such as "200/h".

    A unit is required for the same reason as for durations: "200" alone could be per hour
    or per day, and guessing wrong changes the load by a factor of 24.
    """
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError(f"{_RATE_EXPECTED}; got '{value}'")
    match = _RATE_RE.match(value)
    if match is None:
        raise ValueError(f"{_RATE_EXPECTED}; got '{value.strip()}'")
    count = float(match.group(1))
    unit = match.group(2)
    if unit not in RATE_UNITS:
        raise ValueError(
            f"unknown rate unit '{unit}' in '{value.strip()}'; "
            f"{_RATE_EXPECTED} (units: {_RATE_UNITS_TEXT})"
        )
    if not math.isfinite(count):
        raise ValueError(f"rate is too large; got '{value.strip()}'")
    if count <= 0:
        raise ValueError(f"rate must be positive; got '{value.strip()}'")
    per_second = count / RATE_UNITS[unit]
    if per_second == 0:
        raise ValueError(f"rate must be positive (this one is too small); got '{value.strip()}'")
    return per_second


def format_rate(per_second: float) -> str:
    """Short text for a rate that ``parse_rate`` turns back into the same float.

    Picks the shortest exact text with a count of at least one, ties going to the smaller
    unit: "200/h" (not "3.33/m", which is inexact), "3.5/m" (not "210/h"), "63/h" (not
    "1.05/m").
    """
    if isinstance(per_second, bool) or not isinstance(per_second, (int, float)):
        raise ValueError(f"expected a number of events per second; got '{per_second}'")
    if not math.isfinite(per_second) or per_second <= 0:
        raise ValueError(f"rate must be finite and positive; got '{per_second}'")
    per_second = float(per_second)
    exact = {unit: _rate_count(per_second, unit) for unit in RATE_UNITS}
    candidates = [f"{text}/{unit}" for unit, text in exact.items() if text is not None]
    at_least_one = [c for c in candidates if float(c.split("/")[0]) >= 1]
    # Rare events fall through to "0.35/m" or "0.5/d", whichever is shortest.
    chosen = _shortest(at_least_one) or _shortest(candidates)
    return chosen or f"{_plain(per_second)}/s"


def parse_clock(value: str) -> float:
    """Seconds since midnight for a wall-clock time "HH:MM"; "24:00" is the end of the day.

    Non-strings are rejected with a hint because YAML 1.1 reads an unquoted 8:30 as the
    base-60 integer 510, which would otherwise surface as a baffling error.
    """
    if isinstance(value, bool) or not isinstance(value, str):
        hint = ""
        if isinstance(value, int) and not isinstance(value, bool):
            hint = " (YAML reads an unquoted time like 8:30 as a number; quote it: '08:30')"
        raise ValueError(f"{_CLOCK_EXPECTED}; got '{value}'{hint}")
    match = _CLOCK_RE.match(value)
    if match is None:
        raise ValueError(f"{_CLOCK_EXPECTED}; got '{value.strip()}'")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes != 0):
        raise ValueError(f"{_CLOCK_EXPECTED}; got '{value.strip()}'")
    return float(hours * 3600 + minutes * 60)
