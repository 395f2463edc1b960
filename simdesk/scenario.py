"""The scenario format: typed, validated, immutable.

A scenario is data, not behaviour. The models are frozen so that the engine and the
experiment drivers can share one scenario across replications and sweep points without
anyone mutating it; a sweep builds a new scenario from edited raw data instead.

Cross-field rules (routes to unknown pools, types no pool handles, ...) live in
``consistency_problems`` rather than in pydantic validators, because they need to report
the key path of the offending entry and pydantic's model-level errors lose it.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    Tag,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError, PydanticSerializationUnexpectedValue

from simdesk.calendar import MONTH, Calendar
from simdesk.defaults import DEFAULT_SL_WITHIN as DEFAULT_SL_WITHIN
from simdesk.distributions import Distribution, parse_distribution
from simdesk.limits import MAX_AGENTS, MAX_DAILY_BUSYNESS_CV
from simdesk.suggest import closest
from simdesk.units import format_duration, format_rate, parse_clock, parse_duration, parse_rate

DURATION_PATTERN = r"^\s*(0|[0-9]*\.?[0-9]+\s*(ms|s|m|h|d|w))\s*$"

Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string", "pattern": DURATION_PATTERN}, {"const": 0}],
            "description": "a duration with a unit: 90s, 4m, 1.5h, 7d",
        }
    ),
]
Rate = Annotated[
    float,
    BeforeValidator(parse_rate),
    PlainSerializer(format_rate, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*[0-9]*\.?[0-9]+\s*/\s*(s|m|h|d)\s*$",
            "description": "a rate with a unit: 200/h, 3.5/m",
        }
    ),
]
Clock = Annotated[
    float,
    BeforeValidator(parse_clock),
    PlainSerializer(lambda s: f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}", return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^\s*[0-9]{1,2}:[0-9]{2}\s*$", "description": "HH:MM"}
    ),
]
def _dist_text(d: Any) -> str:
    """Serialise a distribution as its text; refuse anything else so unions fall through."""
    if not isinstance(d, Distribution):
        raise PydanticSerializationUnexpectedValue(f"not a distribution: {d!r}")
    return d.text


Dist = Annotated[
    Distribution,
    BeforeValidator(parse_distribution),
    PlainSerializer(_dist_text, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {
                    "type": "string",
                    "pattern": r"^\s*(exponential|lognormal|gamma|uniform|fixed|empirical)\s*\(",
                },
                {"type": "array", "items": {"type": "string"}},
            ],
            "description": "exponential(mean=3m), lognormal(mean=6m, cv=0.8), "
            "gamma(mean=5m, cv=0.5), uniform(1m, 5m), fixed(30s), empirical(30s, 1m, 2m)",
        }
    ),
]
def _probability(value: Any) -> Any:
    """Catch the percentage a person naturally writes (``80%``, ``80``) with a message that
    says what is meant; everything else is left to the bounds check."""
    expected = "expected a probability between 0 and 1"
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            number = float(value.strip()[:-1])
        except ValueError:
            number = math.nan
        example = f"{number / 100:g}" if 0 <= number <= 100 else "0.8"
        raise ValueError(f"{expected}, such as {example}; got {value!r}")
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 1:
        hint = f"; for {value:g}% write {value / 100:g}" if 2 <= value <= 100 else ""
        raise ValueError(f"{expected} (a value of at most 1), got {value!r}{hint}")
    return value


Probability = Annotated[float, Field(ge=0.0, le=1.0), BeforeValidator(_probability)]
PositiveFloat = Annotated[float, Field(gt=0.0)]
NonNegFloat = Annotated[float, Field(ge=0.0)]
Score = Annotated[float, Field(ge=1, le=5)]

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY = 86400.0
CHANNELS = ("chat", "phone", "email")
ROUTING_RESERVED = ("always_human", "overflow_after")


def parse_days(value: Any) -> tuple[int, ...]:
    """Accept ``mon-fri``, ``sat,sun``, ``all``/``daily`` or a list of day names.

    Days are indices 0..6 from Monday; simulated time starts on a Monday at 00:00.
    """
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("all", "daily", "every day", "mon-sun"):
            return tuple(range(7))
        items: list[str] = [part.strip() for part in text.split(",") if part.strip()]
    elif isinstance(value, list | tuple):
        items = [str(v).strip().lower() for v in value]
    else:
        raise ValueError(f"expected days such as 'mon-fri', 'sat,sun' or 'all'; got {value!r}")
    days: set[int] = set()
    for item in items:
        if "-" in item:
            first, _, last = item.partition("-")
            if first not in DAY_NAMES or last not in DAY_NAMES:
                raise ValueError(f"unknown day range {item!r}; days are {', '.join(DAY_NAMES)}")
            i, j = DAY_NAMES.index(first), DAY_NAMES.index(last)
            days.update(range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)])
        elif item in DAY_NAMES:
            days.add(DAY_NAMES.index(item))
        else:
            raise ValueError(f"unknown day {item!r}; days are {', '.join(DAY_NAMES)}")
    if not days:
        raise ValueError("expected at least one day")
    return tuple(sorted(days))


Days = Annotated[
    tuple[int, ...],
    BeforeValidator(parse_days),
    PlainSerializer(lambda d: ",".join(DAY_NAMES[i] for i in d), return_type=str),
    WithJsonSchema(
        {
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"enum": list(DAY_NAMES)}}],
            "description": "mon-fri, sat,sun, all, or a list of day names",
        }
    ),
]


def _require_unique(what: str, names: list[str]) -> None:
    """Names must be unique; the error carries the repeated entry's index so the loader can
    point at its line rather than at the list."""
    first: dict[str, int] = {}
    for index, name in enumerate(names):
        if name in first:
            raise PydanticCustomError(
                "repeated_name",
                "{what} name {name} is repeated; {what} names must be unique",
                {"what": what, "name": repr(name), "index": index, "first": first[name]},
            )
        first[name] = index


class Model(BaseModel):
    """Strict, immutable base: unknown keys are errors, nothing is mutated after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class InquiryType(Model):
    """A kind of customer inquiry; its share of arrivals decides how often it occurs."""

    name: str = Field(min_length=1)
    share: Annotated[float, Field(gt=0.0, le=1.0), BeforeValidator(_probability)] | None = Field(
        default=None,
        description="probability that a fresh arrival is of this type; required with "
        "arrival_rate, left out with a trace (its rows say the type)",
    )
    channel: Literal["chat", "phone", "email"] = "phone"
    priority: int = Field(default=0, description="higher is answered first")


_GROWTH_RE = re.compile(
    r"^\s*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))\s*%\s*/\s*(month|year)\s*$"
)
_GROWTH_EXPECTED = "expected a growth rate such as 2%/month, -1%/month or 10%/year"


def parse_growth(value: Any) -> float:
    """Growth per month (0.02 for ``2%/month``). A unit is required: 2% a month and 2% a
    year differ by a factor of 12 in a year's demand. ``%/year`` is converted to the
    monthly rate that compounds to it over 12 months."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        raise ValueError(f"{_GROWTH_EXPECTED}; got {value!r} (a number without '%/month')")
    if not isinstance(value, str):
        raise ValueError(f"{_GROWTH_EXPECTED}; got {value!r}")
    match = _GROWTH_RE.match(value)
    if match is None:
        raise ValueError(f"{_GROWTH_EXPECTED}; got {value.strip()!r}")
    rate = float(match.group(1)) / 100.0
    if rate <= -1.0:
        raise ValueError(f"growth must be above -100% (demand cannot shrink below nothing); "
                         f"got {value.strip()!r}")
    if match.group(2) == "year":
        rate = (1.0 + rate) ** (1.0 / 12.0) - 1.0
    return rate


def format_growth(rate: float) -> str:
    return f"{rate * 100:.12g}%/month"


Growth = Annotated[
    float,
    BeforeValidator(parse_growth),
    PlainSerializer(format_growth, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*[+-]?[0-9]*\.?[0-9]+\s*%\s*/\s*(month|year)\s*$",
            "description": "growth, compounding: 2%/month, -1%/month, 10%/year",
        }
    ),
]


class SpecialDate(Model):
    """One date whose arrivals are multiplied (a sale, an outage: 3; a holiday: 0)."""

    date: date
    multiplier: NonNegFloat


def _special_dates(value: Any) -> Any:
    """A mapping ``{2027-11-26: 3}`` is the same as a list of ``{date, multiplier}``."""
    if isinstance(value, dict):
        return [{"date": k, "multiplier": v} for k, v in value.items()]
    return value


class DailyBusyness(Model):
    """A random factor per day on every hour's rate: gamma, mean 1, this cv."""

    cv: Annotated[float, Field(ge=0.0, le=MAX_DAILY_BUSYNESS_CV)]


# Keys that shape Poisson arrivals over the calendar; a replayed trace takes none of them.
TIME_VARYING_KEYS = ("growth", "months", "special_dates", "daily_busyness")
# Keys added with demand over time and traces: left out of the canonical inputs when
# absent, so the inputs of a scenario that does not use them read as before.
_NEW_DEMAND_KEYS = (*TIME_VARYING_KEYS, "trace", "trace_profile")


class Demand(Model):
    """Arrivals: a Poisson process whose mean rate is shaped by hour of day and weekday,
    and over the calendar (growth, months, special dates, a random busyness per day); or a
    replayed trace of real arrivals (docs/scenario-format.md, "demand")."""

    arrival_rate: Rate | None = Field(
        default=None,
        description="mean rate over the week; required unless trace or trace_profile",
    )
    intraday: list[NonNegFloat] | None = Field(
        default=None, description="24 relative weights, hour 0 first; default flat"
    )
    weekday: list[NonNegFloat] | None = Field(
        default=None, description="7 relative weights, Monday first; default flat"
    )
    types: list[InquiryType] = Field(min_length=1)
    growth: Growth | None = Field(
        default=None, description="compounding growth from the first measured moment"
    )
    months: list[NonNegFloat] | None = Field(
        default=None, description="12 relative weights, January first; needs start"
    )
    special_dates: Annotated[
        list[SpecialDate] | None,
        BeforeValidator(_special_dates),
        WithJsonSchema(
            {
                "anyOf": [
                    {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "date": {"type": "string", "format": "date"},
                                "multiplier": {"type": "number", "minimum": 0},
                            },
                            "required": ["date", "multiplier"],
                            "additionalProperties": False,
                        },
                    },
                    {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
                    {"type": "null"},
                ],
                "description": "dates whose arrivals are multiplied; needs start",
            }
        ),
    ] = None
    daily_busyness: DailyBusyness | None = Field(
        default=None, description="a random factor per day, gamma with mean 1 and this cv"
    )
    trace: str | None = Field(
        default=None, description="CSV of arrivals to replay (path relative to the scenario)"
    )
    trace_profile: str | None = Field(
        default=None,
        description="CSV of arrivals whose rates by hour of the week drive Poisson arrivals",
    )

    # What the loader read from the trace file (traces.TraceInfo); None without a trace.
    _trace: Any = PrivateAttr(default=None)

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key in _NEW_DEMAND_KEYS:
            if data.get(key, 0) is None:
                del data[key]
        return data

    @field_validator("intraday", "weekday", "months")
    @classmethod
    def _profile(cls, v: list[float] | None, info: ValidationInfo) -> list[float] | None:
        size = {"intraday": 24, "weekday": 7, "months": 12}[str(info.field_name)]
        if v is not None and (len(v) != size or sum(v) <= 0):
            raise ValueError(f"expected {size} non-negative weights, not all zero; got {len(v)}")
        if v is not None and not math.isfinite(sum(v)):
            # 1e308 each is allowed alone but their sum is inf, and every hour's share of it
            # would be 0: arrivals would stop, or the arrival clock search would never end.
            raise ValueError(
                "the weights are too large: their sum must be a finite number; only their "
                "ratios matter, so scale them down (e.g. 1 for an average hour)"
            )
        return v

    @field_validator("types")
    @classmethod
    def _types(cls, v: list[InquiryType]) -> list[InquiryType]:
        _require_unique("inquiry type", [t.name for t in v])
        given = [t.share for t in v if t.share is not None]
        if len(given) == len(v):
            total = sum(given)
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"shares must sum to 1; they sum to {total:g}")
        return v

    @field_validator("special_dates")
    @classmethod
    def _dates(cls, v: list[SpecialDate] | None) -> list[SpecialDate] | None:
        if v is not None:
            _require_unique("special date", [d.date.isoformat() for d in v])
        return v

    @property
    def time_varying(self) -> bool:
        """Whether the rate changes over the calendar beyond the week's profile."""
        return any(getattr(self, key) is not None for key in TIME_VARYING_KEYS)

    @property
    def stationary(self) -> bool:
        """Poisson arrivals at one constant rate: what the Erlang formulas assume."""
        if self.trace is not None or self.trace_profile is not None or self.time_varying:
            return False
        return all(
            profile is None or len(set(profile)) <= 1 for profile in (self.intraday, self.weekday)
        )

    @property
    def mean_rate(self) -> float:
        """Fresh arrivals per second on average over a week, whatever the source:
        ``arrival_rate``, a trace profile's rates, or a replayed trace's rows over the run
        (0 until the loader has read the trace). Growth and the calendar are left out."""
        if self.arrival_rate is not None:
            return self.arrival_rate
        return 0.0 if self._trace is None else float(self._trace.mean_rate)

    @property
    def shares(self) -> list[float]:
        """Each type's share of fresh arrivals: as given, or the trace's own mix."""
        if all(t.share is not None for t in self.types):
            return [float(t.share or 0.0) for t in self.types]
        if self._trace is None:
            return [1.0 / len(self.types)] * len(self.types)
        return list(self._trace.type_shares)

    def rate_multiplier(self, hour_of_week: int) -> float:
        """Relative arrival rate in one hour of the week (mean 1 over the week)."""
        if self._trace is not None:
            return float(self._trace.multipliers[hour_of_week])
        day, hour = divmod(hour_of_week, 24)
        m = 1.0
        if self.intraday is not None:
            m *= self.intraday[hour] * 24 / sum(self.intraday)
        if self.weekday is not None:
            m *= self.weekday[day] * 7 / sum(self.weekday)
        return m

    def month_multiplier(self, month: int) -> float:
        """Relative arrival rate in a month (1 = January; mean 1 over the 12 weights)."""
        if self.months is None:
            return 1.0
        return self.months[month - 1] * 12 / sum(self.months)


class Retry(Model):
    """Customers who abandon may try again later, as a new contact."""

    probability: Probability = 0.0
    after: Dist = Field(default_factory=lambda: parse_distribution("exponential(mean=10m)"))


class Repeat(Model):
    """Unresolved or falsely resolved contacts come back later as repeat contacts."""

    probability: Probability = Field(
        default=1.0, description="share of unresolved contacts that come back"
    )
    after: Dist = Field(default_factory=lambda: parse_distribution("exponential(mean=1d)"))


class Customers(Model):
    """How customers behave while they wait and after they are served."""

    patience: Dist | None = Field(default=None, description="none: customers never abandon")
    asks_for_human: Probability = 0.0
    retry: Retry = Field(default_factory=Retry)
    repeat: Repeat = Field(default_factory=Repeat)


def _absent(value: Any) -> bool:
    """Optional keys added after the first format leave the canonical inputs (and so old
    baselines' ``inputs``) unchanged when they are not given."""
    return value is None


class Shift(Model):
    """A block of identical agents working the same hours on the same days, optionally
    only between two dates (``from`` the first day it starts on, ``until`` the first day it
    no longer does)."""

    model_config = ConfigDict(serialize_by_alias=True)

    days: Days = Field(default=tuple(range(7)), json_schema_extra={"default": "all"})
    start: Clock
    end: Clock
    agents: int = Field(ge=1)
    from_: date | None = Field(
        default=None,
        alias="from",
        exclude_if=_absent,
        description="first date the shift starts on (needs the scenario's 'start')",
    )
    until: date | None = Field(
        default=None,
        exclude_if=_absent,
        description="first date the shift no longer starts on (needs the scenario's 'start')",
    )

    @model_validator(mode="after")
    def _span(self) -> Shift:
        if self.start == self.end:
            raise ValueError("a shift must not start and end at the same time")
        if self.from_ is not None and self.until is not None and self.until <= self.from_:
            raise ValueError(
                f"'until' ({self.until}) must come after 'from' ({self.from_}): 'until' is "
                "the first day the shift no longer starts on"
            )
        return self

    @property
    def dated(self) -> bool:
        return self.from_ is not None or self.until is not None

    def runs_on(self, day: date) -> bool:
        """Whether a shift starting on ``day`` falls between ``from`` and ``until``."""
        return (self.from_ is None or day >= self.from_) and (
            self.until is None or day < self.until
        )

    @property
    def length(self) -> float:
        """Seconds on duty from each start: an end before the start runs overnight, and
        ``00:00``-``24:00`` is the whole day (not zero, as ``end - start`` modulo a day is)."""
        return (self.end - self.start) % DAY or DAY


class Cost(Model):
    """Money: per staffed hour, per handled contact, per resolution, per bot conversation."""

    per_hour: NonNegFloat = 0.0
    per_contact: NonNegFloat = 0.0
    per_resolution: NonNegFloat = 0.0
    per_conversation: NonNegFloat = 0.0


# -- A pool's workforce over months (docs/scenario-format.md, "Pools: workforce") ---------
# Defaults from published figures (docs/sources.md, "Workforce over months").
DEFAULT_TRAINING = 4.2 * 7 * DAY  # US new-hire training, Global Call Center Project [A]
DEFAULT_LEAD_TIME = 74 * DAY  # about 34 days to fill a post + 40 of training and nesting [C]
DEFAULT_COST_PER_HIRE = 14_000.0  # cost to replace one agent, Gartner [B]
DEFAULT_LEARNING_START = 1.9  # a new hire's handle time in month 1, study of 1,800 agents [C]
DEFAULT_LEARNING_MONTHS = 10.0  # parity after 8 to 12 months, same study [C]
FIRST_DAYS = 90 * DAY  # the early-attrition window: "leave within 90 days" [C]


def _percentage(value: Any) -> Any:
    """A share of people or time, written ``20%`` or ``0.2``. Unlike a probability, the
    percent sign is accepted here: rates of attrition, shrinkage and absence are quoted
    that way everywhere, and a bare ``20`` is still refused (20% or 2000%?)."""
    expected = "expected a percentage between 0% and 100%, such as 20% (or a share such as 0.2)"
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            number = float(value.strip()[:-1])
        except ValueError:
            raise ValueError(f"{expected}; got {value!r}") from None
        if not (math.isfinite(number) and 0 <= number <= 100):
            raise ValueError(f"{expected}; got {value!r}")
        return number / 100
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not (math.isfinite(value) and 0 <= value <= 1):
            hint = f"; for {value:g}% write {value:g}%" if 1 < value <= 100 else ""
            raise ValueError(f"{expected}; got {value!r}{hint}")
        return float(value)
    raise ValueError(f"{expected}; got {value!r}")


Percentage = Annotated[
    float,
    BeforeValidator(_percentage),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\s*[0-9]*\.?[0-9]+\s*%\s*$"},
                {"type": "number", "minimum": 0, "maximum": 1},
            ],
            "description": "a percentage (20%) or a share (0.2)",
        }
    ),
]


def _below_all(value: float, what: str) -> float:
    if value >= 1.0:
        raise ValueError(f"{what} must be below 100%")
    return value


class Attrition(Model):
    """People leave at random: a yearly rate (leavers per head per year, the hazard of an
    exponential time to leaving), optionally a higher one in the first 90 days."""

    yearly: Percentage
    first_90_days: Percentage | None = Field(
        default=None, description="share of new hires who leave within 90 days of hire"
    )

    @field_validator("first_90_days")
    @classmethod
    def _early(cls, v: float | None) -> float | None:
        return None if v is None else _below_all(v, "the share leaving in the first 90 days")


def _text_distribution(value: Any) -> Any:
    """A tenure distribution is written as text: a YAML list there gives each existing
    agent's tenure in order (not an empirical distribution to resample, as elsewhere)."""
    if isinstance(value, str | Distribution):
        return parse_distribution(value)
    raise ValueError(
        "expected a distribution such as exponential(mean=730d), or a list of durations, "
        f"one per agent; got {value!r}"
    )


Tenure = Annotated[
    tuple[Duration, ...]
    | Annotated[
        Distribution,
        BeforeValidator(_text_distribution),
        PlainSerializer(_dist_text, return_type=str),
    ],
    Field(union_mode="left_to_right"),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string", "pattern": DURATION_PATTERN}},
            ],
            "description": "exponential(mean=730d), or one duration per agent",
        }
    ),
]


class ReplaceHiring(Model):
    """Each leaver is replaced: the new hire is on the floor ``lead_time`` after the leave
    (filling the post, then ``training``)."""

    lead_time: Duration = Field(default=DEFAULT_LEAD_TIME, json_schema_extra={"default": "74d"})


class HiringClass(Model):
    """A class of new hires starting (paid, in training) on ``date``."""

    date: date
    count: int = Field(ge=1, le=MAX_AGENTS)


def _month_keys(value: Any) -> Any:
    """``2027-06`` (a month, read as its first day) as well as a full date."""
    if isinstance(value, dict):
        return {
            (f"{k}-01" if isinstance(k, str) and len(k.strip()) == 7 else k): v
            for k, v in value.items()
        }
    return value


class UpToHiring(Model):
    """Hire up to a target headcount: at every review (the first day of each month, or
    every mean month without a start date) hire as many as bring the people employed plus
    those already hired for later up to the target in force ``lead_time`` ahead."""

    target: Annotated[int, Field(ge=0, le=MAX_AGENTS)] | Annotated[
        dict[date, Annotated[int, Field(ge=0, le=MAX_AGENTS)]],
        BeforeValidator(_month_keys),
        Field(min_length=1),
    ]
    lead_time: Duration = Field(default=DEFAULT_LEAD_TIME, json_schema_extra={"default": "74d"})


class Hiring(Model):
    """How leavers are replaced and the pool grows: ``replace``, ``classes`` (both may be
    given) or ``up_to`` (alone: it already replaces leavers)."""

    replace: ReplaceHiring | None = None
    classes: list[HiringClass] | None = Field(default=None, min_length=1)
    up_to: UpToHiring | None = None

    @model_validator(mode="after")
    def _one_policy(self) -> Hiring:
        given = [k for k in ("replace", "classes", "up_to") if getattr(self, k) is not None]
        if not given:
            raise ValueError("expected 'replace', 'classes' or 'up_to' (or hiring: none)")
        if self.up_to is not None and len(given) > 1:
            raise ValueError(
                "'up_to' already replaces leavers and adds people; give it alone"
            )
        return self


def _none_word(value: Any) -> Any:
    """``hiring: none`` is a word: given a mapping, this branch reports a wrong shape (not
    "expected 'none'"), so the message is the mapping's own mistake."""
    if not isinstance(value, str):
        raise PydanticCustomError("string_type", "Input should be a valid string")
    return value


NoHiring = Annotated[Literal["none"], BeforeValidator(_none_word)]


class Learning(Model):
    """A new hire's handle time is ``start`` times the proficient one on the first day on
    the floor and falls to 1.0 after ``months`` (docs/scenario-format.md, "Learning")."""

    start: Annotated[float, Field(ge=1.0, allow_inf_nan=False)] = DEFAULT_LEARNING_START
    months: Annotated[float, Field(gt=0.0, allow_inf_nan=False)] = DEFAULT_LEARNING_MONTHS
    shape: Literal["exponential", "linear"] = "linear"
    fcr_start: Annotated[float, Field(gt=0.0, le=1.0)] | None = Field(
        default=None,
        description="factor on the pool's fcr on the first day, rising to 1 by the same curve",
    )


class Absence(Model):
    """Unplanned absence: each agent on the floor is absent for a whole day with
    probability ``daily``; ``correlation`` is the correlation of two agents' absences on
    the same day (a beta-distributed day-level probability)."""

    daily: Percentage
    correlation: Annotated[float, Field(ge=0.0)] = 0.0

    @field_validator("daily")
    @classmethod
    def _daily(cls, v: float) -> float:
        return _below_all(v, "the daily absence")

    @field_validator("correlation")
    @classmethod
    def _correlation(cls, v: float) -> float:
        if v >= 1.0:
            raise ValueError("the correlation must be below 1 (1 would be all or nobody)")
        return v


class Workforce(Model):
    """A pool's people over months: who leaves, who is hired, how fast new people learn,
    and how much paid time is not productive (docs/scenario-format.md)."""

    attrition: Attrition | None = None
    tenure: Tenure | None = Field(
        default=None, description="existing staff's tenure at time 0; default: all proficient"
    )
    training: Duration = Field(
        default=DEFAULT_TRAINING,
        description="paid, not on the floor, after a hire",
        json_schema_extra={"default": "29.4d"},
    )
    hiring: NoHiring | Hiring | None = Field(
        default=None, description="default: none in-house; vendors replace leavers"
    )
    cost_per_hire: NonNegFloat | None = Field(
        default=None, description="recruiting and training; default 14000 in-house, 0 vendor"
    )
    learning: Learning | None = None
    shrinkage: Percentage = 0.0
    absence: Absence | None = None

    @field_validator("shrinkage")
    @classmethod
    def _shrinkage(cls, v: float) -> float:
        return _below_all(v, "shrinkage")


class Anchored(Model):
    """Anchored pricing: a baseline volume a month at one price, marginal rates above and
    below it (docs/scenario-format.md, "Contracts")."""

    baseline: PositiveFloat = Field(description="contacts a month the price covers")
    price: NonNegFloat = Field(description="money a month for the baseline volume")
    above: NonNegFloat = Field(description="money per handled contact above the baseline")
    below: NonNegFloat = Field(
        default=0.0,
        description="money credited per contact short of the baseline; 0: the price is "
        "paid in full whatever the volume",
    )


class ServiceLevelClause(Model):
    """A contract's service-level clause: the vendor pool's own service level, judged per
    period (a week by default); a penalty for each missed period, a bonus for each met one.

    ``within`` may be left out: every service level of a run is measured at one threshold
    (``targets.service_level.within``, else 20 s), and a clause that names another is
    refused in ``consistency_problems``, as scoped targets are."""

    at_least: Probability
    within: Duration | None = None
    per: Literal["day", "week", "month"] = "week"
    penalty: NonNegFloat = Field(
        default=0.0,
        description="credited by the vendor for each missed period: lowers the pool's cost",
    )
    bonus: NonNegFloat = Field(
        default=0.0, description="paid to the vendor for each met period: raises the cost"
    )

    @model_validator(mode="after")
    def _stakes(self) -> ServiceLevelClause:
        if not self.penalty and not self.bonus:
            raise ValueError(
                "a service-level clause needs a 'penalty' (credited per missed period) or a "
                "'bonus' (paid per met period), or both"
            )
        return self


CONTRACT_PRICES = ("per_hour", "per_contact", "anchored")


class Contract(Model):
    """What a vendor is paid (docs/scenario-format.md, "Contracts"): exactly one price,
    optionally a minimum volume, a minimum staffing and a service-level clause. The
    arithmetic is simdesk/contracts.py."""

    per_hour: NonNegFloat | None = Field(
        default=None, description="money per staffed agent-hour (busy or idle, overrun included)"
    )
    per_contact: NonNegFloat | None = Field(
        default=None, description="money per contact whose service the pool completed"
    )
    anchored: Anchored | None = None
    minimum_volume: NonNegFloat | None = Field(
        default=None,
        description="contacts a month paid for whether handled or not (per_contact, anchored)",
    )
    minimum_staffing: int | None = Field(
        default=None,
        ge=1,
        description="agents the vendor must have on duty whenever the pool is open; "
        "staffing below it is a warning",
    )
    service_level: ServiceLevelClause | None = None

    @model_validator(mode="after")
    def _price(self) -> Contract:
        prices = [k for k in CONTRACT_PRICES if getattr(self, k) is not None]
        if not prices:
            raise ValueError(
                "a contract needs a price: one of 'per_hour', 'per_contact' or 'anchored'"
            )
        if len(prices) > 1:
            raise ValueError(
                f"a contract has one price; this one has {' and '.join(prices)}"
            )
        if self.per_hour is not None and self.minimum_volume is not None:
            raise ValueError(
                "'minimum_volume' is a number of contacts and a per_hour contract pays for "
                "hours; use 'minimum_staffing', or price per_contact or anchored"
            )
        return self

    @property
    def price(self) -> str:
        """Which price the contract has: ``per_hour``, ``per_contact`` or ``anchored``."""
        return next(k for k in CONTRACT_PRICES if getattr(self, k) is not None)


class PoolSatisfaction(Model):
    """The scores of the outcomes a pool of people decides, overriding the desk's
    ``satisfaction`` for contacts this pool served (docs/satisfaction.md, "Quality by who
    serves")."""

    resolved_by_person: Score | None = None
    unresolved: Score | None = None


POOL_OPTIONAL = ("workforce", "contract", "satisfaction")
"""Pool keys left out of the pool's canonical form when absent, so that scenarios without
them keep the inputs their baselines recorded (simdesk/inputs.py)."""
# Top-level keys left out of the canonical form when absent.
SCENARIO_OPTIONAL = ("start",)


BOT_ONLY = ("resolution", "false_resolution", "escalation_extra", "max_time")

Headcounts = Annotated[
    dict[date, Annotated[int, Field(ge=0)]],
    Field(min_length=1),
    WithJsonSchema(
        {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
            "additionalProperties": {"type": "integer", "minimum": 0},
            "description": "headcount from each date (YYYY-MM-DD)",
        }
    ),
]


class Pool(Model):
    """A named group of capacity: a bot, a vendor team or in-house agents."""

    name: str = Field(min_length=1)
    kind: Literal["bot", "vendor", "inhouse"]
    agents: Annotated[int, Field(ge=0)] | Headcounts | None = Field(
        default=None,
        description="always-on agents; or a map from date to the headcount from that date "
        "(needs the scenario's 'start')",
    )
    shifts: list[Shift] | None = Field(default=None, min_length=1)
    handles: list[str] | None = Field(
        default=None, description="inquiry types this pool may take; default all routed to it"
    )
    handle_time: Dist | dict[str, Dist]
    speed: PositiveFloat = Field(default=1.0, description="handle times are divided by this")
    fcr: Probability = Field(default=1.0, description="first-contact resolution probability")
    concurrency: int | None = Field(
        default=None,
        ge=1,
        description="people: chats handled at once per agent (default 1); "
        "bots: conversations at once (default unlimited)",
    )
    cost: Cost = Field(default_factory=Cost)
    contract: Contract | None = Field(
        default=None, description="vendor pools: what the vendor is paid, instead of 'cost'"
    )
    satisfaction: PoolSatisfaction | None = Field(
        default=None,
        description="people: scores of the contacts this pool served, overriding the desk's",
    )
    chat_assignment: Literal["fill", "spread"] = Field(
        default="fill",
        description="people with concurrency: which agent takes a chat; fill: the busiest "
        "with a free slot (keeps whole agents free for calls), spread: the least busy",
    )
    resolution: Probability | dict[str, Probability] = 0.0
    false_resolution: Probability = 0.0
    escalation_extra: Duration = 0.0
    max_time: Duration | None = None
    workforce: Workforce | None = Field(
        default=None,
        description="people: attrition, hiring, learning, shrinkage and absence over months",
    )

    @model_serializer(mode="wrap")
    def _without_absent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Leave the optional sections out when absent (``POOL_OPTIONAL``)."""
        data: dict[str, Any] = handler(self)
        for key in POOL_OPTIONAL:
            if data.get(key, 0) is None:
                del data[key]
        return data

    @model_validator(mode="after")
    def _kind_rules(self) -> Pool:
        """Rules between a pool's kind and its keys. Checked after the fields, so a bad
        value elsewhere in the pool (``fcr: 80%``) is reported beside a broken rule rather
        than hidden by it; ``model_fields_set`` holds the keys the file actually gave."""
        given = self.model_fields_set
        cost_given = self.cost.model_fields_set
        if self.kind == "bot":
            for key in ("agents", "shifts"):
                if key in given:
                    raise ValueError(
                        f"a bot pool has no '{key}'; set 'concurrency' for conversations at once"
                    )
            if "fcr" in given:
                raise ValueError(
                    "'fcr' applies to pools of people; a bot's outcome is set by 'resolution'"
                )
            if "chat_assignment" in given:
                raise ValueError(
                    "'chat_assignment' applies to pools of people with 'concurrency'"
                )
            if "workforce" in given:
                raise ValueError(
                    "'workforce' applies to pools of people (attrition, hiring, learning)"
                )
            if "satisfaction" in given:
                raise ValueError(
                    "'satisfaction' on a pool scores what a person decides; a bot's "
                    "resolutions are scored by the desk's satisfaction.resolved_by_bot"
                )
        else:
            for key in BOT_ONLY:
                if key in given:
                    raise ValueError(f"'{key}' applies only to pools of kind bot")
            if ("agents" in given) == ("shifts" in given):
                raise ValueError("a pool of people needs exactly one of 'agents' or 'shifts'")
            if "per_conversation" in cost_given:
                raise ValueError(
                    "'cost.per_conversation' applies only to bots; use 'per_contact' for people"
                )
        if self.contract is not None:
            if self.kind != "vendor":
                raise ValueError(
                    "'contract' applies to vendor pools; price other pools with 'cost'"
                )
            if "cost" in given:
                raise ValueError(
                    "a pool with a 'contract' is paid by it; remove 'cost' (the contract "
                    "replaces it, so nothing is counted twice)"
                )
        return self

    @property
    def is_bot(self) -> bool:
        return self.kind == "bot"

    def handle_for(self, type_name: str) -> Distribution:
        """Handle-time distribution for one inquiry type, before the speed factor."""
        if isinstance(self.handle_time, Distribution):
            return self.handle_time
        if type_name in self.handle_time:
            return self.handle_time[type_name]
        return self.handle_time["default"]

    def resolution_for(self, type_name: str) -> float:
        if isinstance(self.resolution, float | int):
            return float(self.resolution)
        return self.resolution.get(type_name, self.resolution.get("default", 0.0))

    @property
    def people(self) -> int:
        """People a pool of people employs at the start: ``agents`` (for a headcount by
        date, its first date's), or the agents of all its shifts added up (each shift line
        is its own people)."""
        if isinstance(self.agents, dict):
            return min(self.agents.items())[1]
        if self.agents is not None:
            return self.agents
        return sum(sh.agents for sh in self.shifts or ())

    @property
    def unit_capacity(self) -> int:
        """Work units one agent offers: chats at once (phone and email take them all)."""
        return self.concurrency or 1

    @property
    def headcounts(self) -> list[tuple[date, int]] | None:
        """Dated always-on headcounts, earliest first; None unless ``agents`` is a map."""
        if not isinstance(self.agents, dict):
            return None
        return sorted(self.agents.items())

    @property
    def dated(self) -> bool:
        """Whether the pool's staffing changes on dates (a headcount map, dated shifts)."""
        return isinstance(self.agents, dict) or any(sh.dated for sh in self.shifts or [])

    @property
    def most_agents(self) -> int:
        """The most agents the pool can have at once (its size for the caps)."""
        if isinstance(self.agents, dict):
            return max(self.agents.values())
        if self.agents is not None:
            return self.agents
        return sum(sh.agents for sh in self.shifts or [])


def _route_shorthand_schema(schema: dict[str, Any]) -> None:
    """Let the JSON Schema accept what ``Route._shorthand`` accepts: ``[bot, agents]`` or a
    single pool name as well as the mapping, so editors do not flag valid scenarios."""
    mapping = {k: v for k, v in schema.items() if k not in ("title", "description")}
    for key in mapping:
        del schema[key]
    schema["anyOf"] = [
        mapping,
        {"type": "array", "items": {"type": "string"}, "minItems": 1},
        {"type": "string"},
    ]


class When(Model):
    """When a route alternative is in force: on these days, from one clock time to another.

    As for shifts, ``days`` are the days a window *starts* on, and a ``to`` earlier than
    ``from`` runs past midnight into the next day; ``00:00``-``24:00`` is the whole day."""

    model_config = ConfigDict(serialize_by_alias=True)

    days: Days = Field(default=tuple(range(7)), json_schema_extra={"default": "all"})
    from_: Clock = Field(default=0.0, alias="from", json_schema_extra={"default": "00:00"})
    to: Clock = Field(default=DAY, json_schema_extra={"default": "24:00"})

    @model_validator(mode="after")
    def _span(self) -> When:
        if self.from_ == self.to:
            raise ValueError("a window must not start and end at the same time")
        return self

    @property
    def length(self) -> float:
        """Seconds from each start (as ``Shift.length``)."""
        return (self.to - self.from_) % DAY or DAY


class Route(Model):
    """The ordered pools one inquiry type visits: a bot first, then people with overflow.

    In a list of alternatives (a route by the clock) each has a ``when``, except the last,
    which may leave it out: the otherwise."""

    model_config = ConfigDict(json_schema_extra=_route_shorthand_schema)

    path: list[str] = Field(min_length=1)
    overflow_after: Duration | None = Field(
        default=None, description="wait after which the next pool may also take the inquiry"
    )
    when: When | None = Field(
        default=None,
        exclude_if=_absent,
        description="in a list of alternatives: when this one is in force (days and hours "
        "of the contact's arrival); the first that holds wins",
    )

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, list):
            return {"path": data}
        if isinstance(data, str):
            return {"path": [data]}
        return data


def _route_form(value: Any) -> str:
    """A list of mappings is a route by the clock (alternatives); anything else, one route
    (a mapping, a list of pool names, or one pool name)."""
    if isinstance(value, list | tuple) and any(isinstance(v, dict | Route) for v in value):
        return "alternatives"
    return "route"


RouteEntry = Annotated[
    Annotated[Route, Tag("route")]
    | Annotated[list[Route], Tag("alternatives"), Field(min_length=1)],
    Discriminator(_route_form),
]
"""A type's route: one route, or a list of alternatives chosen by the clock."""


def _routing_schema(schema: dict[str, Any]) -> None:
    """A list of pool names is a route and also, item by item, a list of one-pool routes:
    the JSON Schema must accept either reading (``anyOf``) where pydantic says ``oneOf``;
    ``_route_form`` settles it when loading."""
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and "oneOf" in extra:
        extra["anyOf"] = extra.pop("oneOf")


class Routing(Model):
    """Per inquiry type a route (or alternatives by the clock); plus the desk-wide switches."""

    model_config = ConfigDict(extra="allow", frozen=True, json_schema_extra=_routing_schema)
    __pydantic_extra__: dict[str, RouteEntry] = Field(init=False)

    always_human: bool = Field(
        default=False, description="customers who ask for a human skip the bot"
    )
    overflow_after: Duration | None = Field(
        default=None, description="default overflow wait for routes that do not set one"
    )

    @property
    def routes(self) -> dict[str, Route | list[Route]]:
        return dict(self.__pydantic_extra__ or {})


class Satisfaction(Model):
    """Scores every contact on a 1-5 scale from what happened to it.

    score = base (by outcome) - wait_penalty_per_min * minutes waited (capped)
            - escalation_penalty * escalations - unwanted_bot_penalty (asked for a person,
            got the bot), then multiplied by repeat_factor for each earlier contact about
            the same issue; clipped to [1, 5]. A contact is satisfied when score >= threshold.
    Defaults: SQM (satisfaction drops about 15% per extra contact -> repeat_factor 0.85);
    a linear waiting cost (Aksin et al. 2013); the bot's resolutions scored close to a
    person's ("on par") but not above.
    """

    resolved_by_person: Annotated[float, Field(ge=1, le=5)] = 4.5
    resolved_by_bot: Annotated[float, Field(ge=1, le=5)] = 4.3
    unresolved: Annotated[float, Field(ge=1, le=5)] = 2.5
    abandoned: Annotated[float, Field(ge=1, le=5)] = 1.5
    wait_penalty_per_min: NonNegFloat = 0.1
    max_wait_penalty: NonNegFloat = 2.0
    escalation_penalty: NonNegFloat = 0.3
    unwanted_bot_penalty: NonNegFloat = 0.5
    repeat_factor: Annotated[float, Field(gt=0, le=1)] = 0.85
    threshold: Annotated[float, Field(ge=1, le=5)] = 4.0


class ServiceLevelTarget(Model):
    within: Duration
    at_least: Probability


class ScopeServiceLevel(Model):
    """A service-level goal for part of the desk. Every service level of a run is measured
    at one threshold (``targets.service_level.within``, else 20 s), so ``within`` may be
    left out; when given it must be that threshold (``consistency_problems``)."""

    at_least: Probability
    within: Duration | None = None


class ScopeTargets(Model):
    """Goals on one part of the desk: the contacts that reached people, one pool, or one
    inquiry type (docs/scenario-format.md, "Targets")."""

    service_level: ScopeServiceLevel | None = None
    max_abandonment: Probability | None = None
    min_satisfaction: Annotated[float, Field(ge=1, le=5)] | None = None


class Targets(Model):
    """Goals the report marks as met or missed."""

    service_level: ServiceLevelTarget | None = None
    max_abandonment: Probability | None = None
    min_satisfaction: Annotated[float, Field(ge=1, le=5)] | None = None
    budget: NonNegFloat | None = Field(default=None, description="maximum cost_total")
    people: ScopeTargets | None = Field(
        default=None,
        description="goals on the contacts that reached people (offered to a people pool)",
    )
    pools: dict[str, ScopeTargets] = Field(default_factory=dict, description="goals per pool")
    types: dict[str, ScopeTargets] = Field(
        default_factory=dict, description="goals per inquiry type"
    )

    @property
    def stated(self) -> bool:
        """Whether the scenario states any target at all."""
        return bool(self.model_dump(exclude_none=True, exclude_defaults=True))

    @property
    def within(self) -> float:
        """The one service-level threshold every service level of a run is measured at."""
        return self.service_level.within if self.service_level else DEFAULT_SL_WITHIN


class Scenario(Model):
    """One desk: demand, customers, pools, routing, satisfaction model and targets."""

    name: str = "scenario"
    description: str = ""
    seed: int = Field(default=1, ge=0)
    start: date | None = Field(
        default=None,
        description="first measured day (YYYY-MM-DD); the warm-up runs just before it. "
        "Default: no dates, time 0 is a Monday 00:00",
    )
    horizon: Duration = Field(
        default=86400.0, description="measured period, after warmup",
        json_schema_extra={"default": "1d"},
    )
    warmup: Duration = 0.0
    replications: int = Field(default=1, ge=1)
    demand: Demand
    customers: Customers = Field(default_factory=Customers)
    pools: list[Pool] = Field(min_length=1)
    routing: Routing
    satisfaction: Satisfaction = Field(default_factory=Satisfaction)
    targets: Targets = Field(default_factory=Targets)

    @model_serializer(mode="wrap")
    def _without_absent(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Leave ``start`` out when absent, so the recorded inputs of a scenario without
        dates stay as they were before dates existed (baselines byte-identical)."""
        data: dict[str, Any] = handler(self)
        for key in SCENARIO_OPTIONAL:
            if data.get(key, 0) is None:
                del data[key]
        return data

    @field_validator("horizon")
    @classmethod
    def _horizon(cls, v: float) -> float:
        if v <= 0:
            raise ValueError("horizon must be positive")
        return v

    @field_validator("pools")
    @classmethod
    def _pools(cls, v: list[Pool]) -> list[Pool]:
        _require_unique("pool", [p.name for p in v])
        return v

    @property
    def service_level_within(self) -> float:
        """Seconds within which an answer counts for the service level: the target's, or
        ``DEFAULT_SL_WITHIN`` when there is no service-level target (``Targets.within``)."""
        return self.targets.within

    def pool(self, name: str) -> Pool:
        for p in self.pools:
            if p.name == name:
                return p
        raise KeyError(name)

    @property
    def type_names(self) -> list[str]:
        return [t.name for t in self.demand.types]

    def routes_for(self, type_name: str) -> list[Route]:
        """The type's route alternatives in order; a route that does not change with the
        clock is the only one (docs/scenario-format.md, "Routes by the clock")."""
        entry = self.routing.routes[type_name]
        return entry if isinstance(entry, list) else [entry]

    def route_pools(self, type_name: str) -> list[str]:
        """Every pool any alternative of the type's route visits, in order of first
        appearance: the route's path when it does not change with the clock. Handle times
        are drawn for each of them (customers.py)."""
        out: list[str] = []
        for route in self.routes_for(type_name):
            out.extend(p for p in route.path if p not in out)
        return out

    def by_clock(self, type_name: str) -> bool:
        """Whether the type's route changes with the clock."""
        return len(self.routes_for(type_name)) > 1

    def overflow_of(self, route: Route) -> float | None:
        """A route's own ``overflow_after``, else the desk-wide one."""
        return route.overflow_after if route.overflow_after is not None else (
            self.routing.overflow_after
        )

    def pool_types(self, pool_name: str) -> list[str]:
        """Inquiry types whose route visits this pool (at some time)."""
        return [t for t in self.type_names if pool_name in self.route_pools(t)]


Loc = tuple[str | int, ...]


def _hint(name: str, known: list[str]) -> str:
    """"; did you mean 'agents'?" when a known name is close, else the names allowed."""
    match = closest(name, known)
    if match is not None:
        return f"; did you mean '{match}'?"
    return f"; expected one of: {', '.join(known)}"


def consistency_problems(s: Scenario) -> list[tuple[Loc, str]]:
    """Rules that span sections, each with the key path to blame."""
    out: list[tuple[Loc, str]] = []
    pools = {p.name: (i, p) for i, p in enumerate(s.pools)}
    types = s.type_names
    for reserved in ROUTING_RESERVED:
        if reserved in types:
            out.append((("demand", "types"), f"'{reserved}' is reserved; rename the type"))
    routes = s.routing.routes
    for name in routes:
        if name not in types:
            out.append(
                (("routing", name), "unknown inquiry type" + _hint(name, types))
            )
    for t in types:
        if t not in routes:
            out.append(
                (("routing",), f"inquiry type '{t}' has no route; no pool would handle it")
            )
            continue
        entry = routes[t]
        if isinstance(entry, list):
            out.extend(_alternatives_problems(t, entry))
            paths: list[tuple[Loc, list[str]]] = [
                (("routing", t, i), r.path) for i, r in enumerate(entry)
            ]
        else:
            if entry.when is not None:
                out.append(
                    (
                        ("routing", t, "when"),
                        "'when' belongs to an alternative of a route by the clock: write the "
                        "route as a list of alternatives, the last without 'when'",
                    )
                )
            paths = [(("routing", t), entry.path)]
        for where, path in paths:
            for problem in _path_problems(t, where, path, pools):
                if problem not in out:
                    out.append(problem)
    for i, pool in enumerate(s.pools):
        if pool.handles is not None:
            for j, t in enumerate(pool.handles):
                if t not in types:
                    out.append(
                        (
                            ("pools", i, "handles", j),
                            f"unknown inquiry type '{t}'" + _hint(t, types),
                        )
                    )
        keyed: list[tuple[str, dict[str, Any]]] = []
        if isinstance(pool.handle_time, dict):
            keyed.append(("handle_time", pool.handle_time))
        if isinstance(pool.resolution, dict):
            keyed.append(("resolution", pool.resolution))
        for key, mapping in keyed:
            for t in mapping:
                if t != "default" and t not in types:
                    out.append(
                        (
                            ("pools", i, key, t),
                            "unknown inquiry type" + _hint(str(t), types),
                        )
                    )
    out.extend(_dated_problems(s))
    out.extend(_target_problems(s))
    out.extend(_workforce_problems(s))
    out.extend(_demand_problems(s))
    out.extend(_contract_problems(s))
    return out


def _contract_problems(s: Scenario) -> list[tuple[Loc, str]]:
    """A service-level clause is judged at the run's one threshold, and per month only
    where months exist (a scenario with a ``start``)."""
    out: list[tuple[Loc, str]] = []
    within = s.targets.within
    for i, pool in enumerate(s.pools):
        clause = pool.contract.service_level if pool.contract is not None else None
        if clause is None:
            continue
        loc: Loc = ("pools", i, "contract", "service_level")
        if clause.within is not None and clause.within != within:
            out.append(
                (
                    (*loc, "within"),
                    f"every service level is measured at one threshold, "
                    f"targets.service_level.within ({format_duration(within)}); "
                    "leave 'within' out here or set both to the clause's",
                )
            )
        if clause.per == "month" and s.start is None:
            out.append(
                (
                    (*loc, "per"),
                    "a clause per month needs calendar months: set the scenario's 'start' "
                    "(first measured day), or judge it per week",
                )
            )
    return out


def _workforce_problems(s: Scenario) -> list[tuple[Loc, str]]:
    """A pool's workforce against the rest: dated hiring needs ``start`` and falls in the
    run, a lead time covers the training, a learning ramp fits in the horizon, a tenure
    list has one entry per agent."""
    out: list[tuple[Loc, str]] = []
    for i, pool in enumerate(s.pools):
        wf = pool.workforce
        if wf is None:
            continue
        at: Loc = ("pools", i, "workforce")
        if isinstance(wf.tenure, tuple) and len(wf.tenure) != pool.people:
            out.append(
                (
                    (*at, "tenure"),
                    f"a list of tenures gives one per agent: {len(wf.tenure)} given for "
                    f"{pool.people} agents (or write a distribution, such as "
                    "exponential(mean=730d))",
                )
            )
        if wf.learning is not None and wf.learning.months * MONTH > s.horizon:
            out.append(
                (
                    (*at, "learning", "months"),
                    f"the learning ramp ({wf.learning.months:g} months) is longer than the "
                    f"horizon ({format_duration(s.horizon)}); shorten the ramp or run longer",
                )
            )
        for j, shift in enumerate(pool.shifts or []):
            if shift.dated:
                # The plan counts its people from the shift lines of the first day: a line
                # that starts later or ends would leave headcount, hires and leavers wrong.
                key = "from" if shift.from_ is not None else "until"
                out.append(
                    (
                        ("pools", i, "shifts", j, key),
                        "a pool with a workforce takes its people from its shifts once, at "
                        "the start, so a shift line valid from or until a date would not "
                        "change its headcount; give the shifts without dates and the "
                        "changes as 'workforce.hiring' (classes, or 'up_to' targets by "
                        "month)",
                    )
                )
        hiring = wf.hiring if isinstance(wf.hiring, Hiring) else None
        if hiring is None:
            continue
        for key, policy in (("replace", hiring.replace), ("up_to", hiring.up_to)):
            if policy is not None and policy.lead_time < wf.training:
                out.append(
                    (
                        (*at, "hiring", key, "lead_time"),
                        f"the lead time ({format_duration(policy.lead_time)}) must cover the "
                        f"training ({format_duration(wf.training)}): it runs from the need "
                        "to the hire's first day on the floor",
                    )
                )
        for j, cls in enumerate(hiring.classes or ()):
            where: Loc = (*at, "hiring", "classes", j, "date")
            if s.start is None:
                out.append((where, "a dated hiring class needs the scenario's 'start'"))
            elif cls.date < s.start:
                out.append(
                    (where, f"the class starts before the start date ({s.start.isoformat()})")
                )
        up_to = hiring.up_to
        if up_to is not None and pool.headcounts is not None:
            out.append(
                (
                    (*at, "hiring", "up_to"),
                    "the pool's 'agents' by date already set the headcount the plan keeps "
                    "(it hires up to each date's and releases the last hired when it falls); "
                    "give the targets once: drop 'up_to', or write 'agents' as a number and "
                    "the targets as 'up_to: {target: {YYYY-MM: n, ...}}'",
                )
            )
        if up_to is not None and isinstance(up_to.target, dict) and s.start is None:
            out.append(
                ((*at, "hiring", "up_to", "target"), "targets by month need the scenario's 'start'")
            )
    return out


def _dated_problems(s: Scenario) -> list[tuple[Loc, str]]:
    """Staffing by date needs the calendar (``start``), and a headcount map must say the
    headcount on the first measured day."""
    out: list[tuple[Loc, str]] = []
    for i, pool in enumerate(s.pools):
        counts = pool.headcounts
        if counts is not None:
            if s.start is None:
                out.append(
                    (
                        ("pools", i, "agents"),
                        "a headcount by date needs the scenario's 'start' (the first "
                        "measured day, YYYY-MM-DD)",
                    )
                )
            elif counts[0][0] > s.start:
                first = counts[0][0].isoformat()
                out.append(
                    (
                        ("pools", i, "agents", first),
                        f"the first date ({first}) is after 'start' ({s.start}): give the "
                        "headcount on the first measured day, a date on or before 'start'",
                    )
                )
        for j, shift in enumerate(pool.shifts or []):
            if shift.dated and s.start is None:
                key = "from" if shift.from_ is not None else "until"
                out.append(
                    (
                        ("pools", i, "shifts", j, key),
                        "a shift valid between dates needs the scenario's 'start' (the "
                        "first measured day, YYYY-MM-DD)",
                    )
                )
    return out


def _path_problems(
    t: str, where: Loc, path: list[str], pools: dict[str, tuple[int, Pool]]
) -> list[tuple[Loc, str]]:
    """One path of a type's route: known pools that handle the type, a bot only first,
    no pool twice."""
    out: list[tuple[Loc, str]] = []
    for j, pname in enumerate(path):
        if pname not in pools:
            out.append(((*where, "path", j), f"unknown pool '{pname}'" + _hint(pname, list(pools))))
            continue
        i, pool = pools[pname]
        if pool.handles is not None and t not in pool.handles:
            out.append(((*where, "path", j), f"pool '{pname}' does not handle '{t}'"))
        if pool.is_bot and j != 0:
            out.append(((*where, "path", j), "a bot may only come first in a route"))
        if isinstance(pool.handle_time, dict) and t not in pool.handle_time and (
            "default" not in pool.handle_time
        ):
            out.append(
                (
                    ("pools", i, "handle_time"),
                    f"no handle time for inquiry type '{t}' (add it or a 'default')",
                )
            )
    if len(set(path)) != len(path):
        out.append((where, "a pool appears twice in the route"))
    return out


def _alternatives_problems(t: str, routes: list[Route]) -> list[tuple[Loc, str]]:
    """A route by the clock: only the last alternative may leave out ``when``, every one is
    in force at some time, and at every time of the week one is."""
    from simdesk.weekly import NONE, alternative_table, describe

    out: list[tuple[Loc, str]] = []
    for i, route in enumerate(routes[:-1]):
        if route.when is None:
            out.append(
                (
                    ("routing", t, i),
                    "only the last alternative may leave out 'when' (it is the otherwise); "
                    "the alternatives after this one would never be used",
                )
            )
    if out:
        return out
    table = alternative_table(routes)
    used = set(table)
    for i in range(len(routes)):
        if i not in used:
            out.append(
                (
                    ("routing", t, i, "when"),
                    "this alternative is never in force: the alternatives before it hold "
                    "at all of its times",
                )
            )
    if NONE in used:
        gaps = describe([k == NONE for k in table])
        out.append(
            (
                ("routing", t),
                f"no alternative holds {gaps}; add a last alternative without 'when' "
                "(the otherwise)",
            )
        )
    return out


def _demand_problems(s: Scenario) -> list[tuple[Loc, str]]:
    """Which arrival source the demand describes, and the keys each source takes: Poisson
    at ``arrival_rate`` or at a ``trace_profile``'s rates (both shaped by the calendar
    keys), or a replayed ``trace`` (docs/scenario-format.md, "Traces")."""
    d = s.demand
    out: list[tuple[Loc, str]] = []
    sources = [k for k in ("arrival_rate", "trace", "trace_profile") if getattr(d, k) is not None]
    if not sources:
        out.append(
            (
                ("demand",),
                "'arrival_rate' is required (or 'trace' to replay recorded arrivals, or "
                "'trace_profile' for Poisson arrivals at a trace's rates)",
            )
        )
    for other in sources[1:]:
        out.append(
            (
                ("demand", other),
                f"give either 'demand.{sources[0]}' or 'demand.{other}', not both: "
                + (
                    "a trace replays its own arrivals"
                    if "trace" in (sources[0], other)
                    else "the trace profile gives the arrival rates"
                ),
            )
        )
    if d.trace is not None:
        for key in ("intraday", "weekday", *TIME_VARYING_KEYS):
            if getattr(d, key) is not None:
                out.append(
                    (
                        ("demand", key),
                        f"'{key}' shapes Poisson arrivals; a replayed 'trace' brings its "
                        "arrivals as recorded (use 'trace_profile' for Poisson arrivals at "
                        "the trace's rates, which these keys shape)",
                    )
                )
        for i, t in enumerate(d.types):
            if t.share is not None:
                out.append(
                    (
                        ("demand", "types", i, "share"),
                        "the trace's rows give each arrival's type: leave 'share' out",
                    )
                )
    elif d.trace_profile is not None:
        for key in ("intraday", "weekday"):
            if getattr(d, key) is not None:
                out.append(
                    (
                        ("demand", key),
                        f"the trace_profile gives the rates by hour of the week; leave "
                        f"'{key}' out",
                    )
                )
        given = [t.share is not None for t in d.types]
        if any(given) and not all(given):
            i = given.index(False)
            out.append(
                (
                    ("demand", "types", i),
                    "give every type a 'share', or none (then the trace's own mix of "
                    "types is used)",
                )
            )
    else:
        for i, t in enumerate(d.types):
            if t.share is None:
                out.append(
                    (
                        ("demand", "types", i),
                        "'share' is required: the probability that a fresh arrival is of "
                        "this type (shares sum to 1)",
                    )
                )
    if s.start is None:
        for key, what in (("months", "month weights"), ("special_dates", "special dates")):
            if getattr(d, key) is not None:
                out.append(
                    (
                        ("demand", key),
                        f"{what} need dates: give the scenario a 'start' (the first "
                        "measured day, YYYY-MM-DD)",
                    )
                )
    return out


def _target_problems(s: Scenario) -> list[tuple[Loc, str]]:
    """Scoped targets name real pools and types, judge figures the scope has, and measure
    service levels at the one threshold the run uses."""
    out: list[tuple[Loc, str]] = []
    t = s.targets
    pools = {p.name: p for p in s.pools}
    scoped: list[tuple[Loc, ScopeTargets]] = []
    if t.people is not None:
        scoped.append((("targets", "people"), t.people))
        if all(p.is_bot for p in s.pools):
            out.append((("targets", "people"), "no pool of people: no contact reaches people"))
    for name, goals in t.pools.items():
        scoped.append((("targets", "pools", name), goals))
        if name not in pools:
            out.append((("targets", "pools", name), "unknown pool" + _hint(name, list(pools))))
        if goals.min_satisfaction is not None:
            out.append(
                (
                    ("targets", "pools", name, "min_satisfaction"),
                    "satisfaction is scored per contact, not per pool; set it on "
                    "targets.people or targets.types",
                )
            )
    for name, goals in t.types.items():
        scoped.append((("targets", "types", name), goals))
        if name not in s.type_names:
            out.append(
                (("targets", "types", name), "unknown inquiry type" + _hint(name, s.type_names))
            )
    for loc, goals in scoped:
        sl = goals.service_level
        if sl is not None and sl.within is not None and sl.within != t.within:
            out.append(
                (
                    (*loc, "service_level", "within"),
                    f"every service level is measured at one threshold, "
                    f"targets.service_level.within ({format_duration(t.within)}); "
                    "leave 'within' out here or set it to that",
                )
            )
    return out


def route_shares(s: Scenario, type_name: str) -> list[float]:
    """The share of the type's fresh arrivals each alternative of its route receives, from
    the arrival rate by hour of the week (1.0 for a route that does not change)."""
    routes = s.routes_for(type_name)
    if len(routes) == 1:
        return [1.0]
    from simdesk.weekly import MINUTES_PER_WEEK, alternative_table

    table = alternative_table(routes)
    # The rate is the hour's for each of its minutes: looked up once per hour of the week
    # (a lookup costs microseconds, and targets are checked for every interval of a day).
    hourly = [s.demand.rate_multiplier(h) for h in range(MINUTES_PER_WEEK // 60)]
    weights = [0.0] * len(routes)
    for minute in range(MINUTES_PER_WEEK):
        if table[minute] >= 0:
            weights[table[minute]] += hourly[minute // 60]
    total = sum(weights)
    return [w / total for w in weights] if total > 0 else [1.0 / len(routes)] * len(routes)


def overload_without_patience(s: Scenario) -> tuple[float, float] | None:
    """(work arriving, agents) in agents' worth when customers never abandon and the work
    is at least the staff, else None: then queues grow without limit, which both the
    warning and the targets (an abandonment target means nothing there) must say.

    The work is the run's average: the week's mean rate with the demand's growth, month
    weights and special dates over the whole run (``rates.expected_arrivals``), so a desk
    that growth overloads is warned about too."""
    from simdesk.rates import expected_arrivals

    if s.customers.patience is not None:
        return None
    rate = s.demand.mean_rate
    if s.demand.time_varying:
        rate = expected_arrivals(s, rate) / (s.warmup + s.horizon)
    human_load = _human_load(s, rate)
    capacity = _staff(s, None)
    return (human_load, capacity) if human_load >= capacity else None


def overloaded_periods(s: Scenario) -> list[tuple[str, float, float]]:
    """The months (weeks without a start date) in which more work arrives than the staff
    can do, when customers never abandon and the run's average is not already overloaded
    (``overload_without_patience`` says that): (period, work, agents) in agents' worth.
    Only where demand or staffing changes over the calendar; queues grow in those
    periods and carry their backlog on."""
    from simdesk.rates import expected_arrivals

    if s.customers.patience is not None or overload_without_patience(s) is not None:
        return []
    if not s.demand.time_varying and not any(p.dated for p in s.pools):
        return []
    cal = Calendar.of(s)
    kind: Literal["month", "week"] = "month" if cal.start is not None else "week"
    out: list[tuple[str, float, float]] = []
    for period in cal.periods(kind):
        t0, t1 = period.t0, period.t1
        rate = expected_arrivals(s, s.demand.mean_rate, t0, t1) / (t1 - t0)
        load = _human_load(s, rate)
        staff = _staff(s, (t0, t1))
        if load >= staff:
            name = (
                period.start.strftime("%Y-%m") if kind == "month" and period.start
                else f"week {period.index}"
            )
            out.append((name, load, staff))
    return out


def _human_load(s: Scenario, rate: float) -> float:
    """Agents' worth of work reaching people at ``rate`` fresh arrivals a second: what
    the bot does not resolve, at the first person's pool of each route."""
    human_load = 0.0
    for t, type_share in zip(s.demand.types, s.demand.shares, strict=True):
        for route, share in zip(s.routes_for(t.name), route_shares(s, t.name), strict=True):
            humans = [s.pool(p) for p in route.path if not s.pool(p).is_bot]
            if not humans or share == 0.0:
                continue
            bot = s.pool(route.path[0]) if s.pool(route.path[0]).is_bot else None
            escal = 1.0 - (bot.resolution_for(t.name) if bot else 0.0)
            first = humans[0]
            per_chat = first.unit_capacity if t.channel == "chat" else 1
            human_load += (
                rate * type_share * escal * first.handle_for(t.name).mean / first.speed
                / per_chat * share
            )
    return human_load


def _staff(s: Scenario, span: tuple[float, float] | None) -> float:
    """People on duty on average over the measured span (or ``span``), across the pools
    that routes use."""
    from simdesk.shifts import mean_agents

    seen: set[str] = set()
    capacity = 0.0
    for t in s.demand.types:
        for p in s.route_pools(t.name):
            pool = s.pool(p)
            if pool.is_bot or p in seen:
                continue
            seen.add(p)
            capacity += mean_agents(pool, s, span)
    return capacity


def warnings_for(s: Scenario) -> list[str]:
    """Things that are allowed but probably not meant: an overloaded desk with no patience,
    a pool no route uses, times at which a route has nobody on duty (coverage.py)."""
    from simdesk.coverage import unstaffed_routes, unused_pools

    out: list[str] = []
    over = overload_without_patience(s)
    if over is not None:
        human_load, capacity = over
        out.append(
            f"the desk is overloaded: about {human_load:.1f} agents' worth of work arrives "
            f"for {capacity:.1f} agents on average, and customers never abandon "
            "(no customers.patience); queues will grow without limit"
        )
    peaks = overloaded_periods(s)
    if peaks:
        parts = [
            f"{name} (about {load:.1f} agents' worth for {staff:.1f} agents)"
            for name, load, staff in peaks[:3]
        ]
        if len(peaks) > 3:
            parts.append(f"{len(peaks) - 3} more")
        shown = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        out.append(
            f"the desk is overloaded in {shown}, and customers never abandon (no "
            "customers.patience): queues grow there and carry their backlog on"
        )
    out.extend(unused_pools(s))
    out.extend(unstaffed_routes(s))
    if s.demand._trace is not None:
        from simdesk.traces import trace_warnings  # reads no file: what the loader found

        out.extend(trace_warnings(s))
    out.extend(_minimum_staffing_warnings(s))
    return out


def _minimum_staffing_warnings(s: Scenario) -> list[str]:
    """A vendor pool staffed below its contract's minimum while open: the contract binds
    the vendor, but the scenario's staffing is what is simulated and paid, so say where
    they disagree (docs/scenario-format.md, "Contracts")."""
    from simdesk.contracts import staffing_shortfalls  # it needs shifts, which need us

    cal = Calendar.of(s)
    out: list[str] = []
    for pool in s.pools:
        short = staffing_shortfalls(pool, cal)
        if not short:
            continue
        assert pool.contract is not None and pool.contract.minimum_staffing is not None
        t0, t1, agents = short[0]
        more = f" (and {len(short) - 1} more such spans)" if len(short) > 1 else ""
        out.append(
            f"pools[{pool.name}].contract.minimum_staffing: the pool has {agents} agent(s) "
            f"on duty from {_moment(cal, t0)} to {_moment(cal, t1)}{more}, below the "
            f"contract's minimum of {pool.contract.minimum_staffing} while open; the run "
            "simulates and pays the staffing as written"
        )
    return out


def _moment(cal: Calendar, t: float) -> str:
    """A simulated time as people read it: a date and clock time, or the day of the run."""
    moment = cal.moment(t)
    if moment is not None:
        return f"{moment:%a %Y-%m-%d %H:%M}"
    day, rest = divmod(t, DAY)
    clock = f"{int(rest // 3600):02d}:{int(rest % 3600 // 60):02d}"
    return f"day {int(day) + 1} ({DAY_NAMES[cal.weekday(t)]}) {clock}"
