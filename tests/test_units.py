"""Tests for simdesk.units: unit-bearing durations, rates and clock times."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simdesk.units import (
    DURATION_UNITS,
    RATE_UNITS,
    format_duration,
    format_rate,
    parse_clock,
    parse_duration,
    parse_rate,
)

# What the formatters must produce: plain decimals (no sign, no exponent), so that
# echoed scenarios also satisfy the JSON-schema patterns editors check against.
PLAIN_DURATION = re.compile(r"^[0-9]+(\.[0-9]+)?(ms|s|m|h|d)$")
PLAIN_RATE = re.compile(r"^[0-9]+(\.[0-9]+)?/(s|m|h|d)$")


# --------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("250ms", 0.25),
        ("90s", 90.0),
        ("4m", 240.0),
        ("1.5h", 5400.0),
        ("7d", 604800.0),
        ("2w", 1209600.0),
        (" 3 m ", 180.0),
        ("1.5 h", 5400.0),
        (".5s", 0.5),
        ("1e3ms", 1.0),
        ("+2m", 120.0),
    ],
)
def test_parse_duration_units(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("zero", ["0", " 0 ", "0.0", 0, 0.0, "0s", "0ms", "-0s"])
def test_zero_needs_no_unit(zero: str | int | float) -> None:
    result = parse_duration(zero)
    assert result == 0.0
    assert str(result) == "0.0"  # never -0.0


@pytest.mark.parametrize(("value", "shown"), [("5", "5"), (5, "5"), (2.5, "2.5"), ("-5", "-5")])
def test_bare_number_rejected(value: str | int | float, shown: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration(value)
    assert str(info.value) == (
        f"expected a duration with a unit, such as 90s, 4m, 1.5h or 7d; got '{shown}'"
    )


def test_negative_rejected() -> None:
    with pytest.raises(ValueError, match="must not be negative; got '-5m'"):
        parse_duration("-5m")


@pytest.mark.parametrize("value", [True, False])
def test_booleans_rejected(value: bool) -> None:
    with pytest.raises(ValueError, match=f"expected a duration with a unit.*got '{value}'"):
        parse_duration(value)


def test_unknown_unit_lists_the_units() -> None:
    with pytest.raises(ValueError) as info:
        parse_duration("8 hours")
    message = str(info.value)
    assert "unknown duration unit 'hours' in '8 hours'" in message
    assert "units: w, d, h, m, s, ms" in message


@pytest.mark.parametrize("value", ["", "m", "5 m s", "five minutes", "1e400s", "nan s", "5M"])
def test_garbage_rejected_with_quote(value: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_duration(value)
    assert f"'{value.strip()}'" in str(info.value)


@pytest.mark.parametrize("value", [None, [1, 2], {"m": 5}])
def test_non_scalar_rejected_with_value_error(value: object) -> None:
    # Not TypeError: pydantic only converts ValueError into a validation error.
    with pytest.raises(ValueError, match="expected a duration with a unit"):
        parse_duration(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.0, "0s"),
        (0.25, "250ms"),
        (1.5, "1.5s"),
        (30.0, "30s"),
        (90.0, "90s"),
        (150.0, "150s"),
        (240, "4m"),
        (3600.0, "1h"),
        (5400, "1.5h"),
        (86400.0, "1d"),
        (129600.0, "1.5d"),
        (604800, "7d"),
        (1209600.0, "14d"),
        (0.1 + 0.2, "0.30000000000000004s"),
        (1e-7, "0.0000001s"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("seconds", [-1.0, float("inf"), float("nan")])
def test_format_duration_rejects_impossible(seconds: float) -> None:
    with pytest.raises(ValueError, match="duration must be finite and not negative"):
        format_duration(seconds)


@given(st.floats(min_value=0.0, max_value=1e12, allow_nan=False, allow_infinity=False))
def test_duration_round_trip_any_float(seconds: float) -> None:
    text = format_duration(seconds)
    assert PLAIN_DURATION.match(text), text
    assert parse_duration(text) == seconds


@given(
    st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(sorted(DURATION_UNITS)),
)
def test_duration_round_trip_written_values(number: object, unit: str) -> None:
    """Whatever a person writes comes back as something equally short (or shorter)."""
    written = f"{number}{unit}"
    seconds = parse_duration(written)
    text = format_duration(seconds)
    assert parse_duration(text) == seconds
    assert len(text) <= max(len(written), 6) + 2


# --------------------------------------------------------------------------- rates


@pytest.mark.parametrize(
    ("text", "per_second"),
    [
        ("200/h", 200 / 3600),
        ("3.5/m", 3.5 / 60),
        ("10/s", 10.0),
        ("5000/d", 5000 / 86400),
        (" 12 / h ", 12 / 3600),
    ],
)
def test_parse_rate(text: str, per_second: float) -> None:
    assert parse_rate(text) == per_second


@pytest.mark.parametrize("text", ["0/h", "-3/h", "0.0/s"])
def test_rate_must_be_positive(text: str) -> None:
    with pytest.raises(ValueError, match=f"must be positive; got '{re.escape(text)}'"):
        parse_rate(text)


@pytest.mark.parametrize(("value", "shown"), [("200", "200"), (200, "200"), (1.5, "1.5")])
def test_bare_rate_rejected_with_example(value: str | float, shown: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_rate(value)  # type: ignore[arg-type]
    message = str(info.value)
    assert "200/h" in message
    assert f"got '{shown}'" in message


@pytest.mark.parametrize("text", ["5/w", "5/hour", "5/"])
def test_unknown_rate_unit(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_rate(text)
    message = str(info.value)
    assert f"'{text}'" in message
    assert all(unit in message for unit in RATE_UNITS)


def test_rate_rejects_booleans_and_junk() -> None:
    for value in (True, None, "per hour 200", "200 per hour"):
        with pytest.raises(ValueError, match="expected a rate"):
            parse_rate(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("200/h", "200/h"),
        ("3.5/m", "3.5/m"),
        ("10/s", "10/s"),
        ("5000/d", "5000/d"),
        ("60/m", "1/s"),
        ("36/h", "36/h"),
        ("0.5/d", "0.5/d"),
        ("0.01/d", "0.01/d"),
        ("1/d", "1/d"),
    ],
)
def test_format_rate(text: str, expected: str) -> None:
    assert format_rate(parse_rate(text)) == expected
    assert parse_rate(expected) == parse_rate(text)


@pytest.mark.parametrize("per_second", [0.0, -1.0, float("inf"), float("nan")])
def test_format_rate_rejects_impossible(per_second: float) -> None:
    with pytest.raises(ValueError, match="rate must be finite and positive"):
        format_rate(per_second)


@given(st.floats(min_value=0.0, max_value=1e9, exclude_min=True, allow_nan=False))
def test_rate_round_trip_any_float(per_second: float) -> None:
    text = format_rate(per_second)
    assert PLAIN_RATE.match(text), text
    assert parse_rate(text) == per_second


@given(
    st.decimals(min_value="0.01", max_value=100_000, places=2, allow_nan=False),
    st.sampled_from(sorted(RATE_UNITS)),
)
def test_rate_round_trip_written_values(count: object, unit: str) -> None:
    per_second = parse_rate(f"{count}/{unit}")
    assert parse_rate(format_rate(per_second)) == per_second


# --------------------------------------------------------------------------- clock times


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("00:00", 0.0),
        ("08:00", 28800.0),
        ("8:30", 30600.0),
        (" 17:45 ", 63900.0),
        ("24:00", 86400.0),
    ],
)
def test_parse_clock(text: str, seconds: float) -> None:
    assert parse_clock(text) == seconds


@pytest.mark.parametrize("text", ["25:00", "24:01", "8:60", "8h", "8", "08:0", "-1:00", ""])
def test_bad_clock_rejected(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_clock(text)
    message = str(info.value)
    assert "expected a clock time HH:MM" in message
    assert f"got '{text}'" in message


def test_unquoted_yaml_clock_gets_a_hint() -> None:
    # YAML 1.1 reads an unquoted 8:30 as the base-60 integer 510.
    with pytest.raises(ValueError, match="quote it"):
        parse_clock(510)  # type: ignore[arg-type]
