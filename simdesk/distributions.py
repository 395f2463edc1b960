"""Random-variate distributions as written in scenario files, e.g. ``lognormal(mean=6m, cv=0.8)``.

Scenario authors think in means and variability, not in the textbook parameters of each
family, so every distribution is stored by the numbers people write (mean and cv where that
makes sense) and converted to numpy's parameters only when sampling. Storing the written
numbers is also what lets ``text`` reproduce an *equal* object when parsed back.

Objects are frozen and hashable so scenarios that hold them can be shared across
replications and used as cache keys. ``sample`` is a single vectorised numpy call because
the engine draws thousands of variates at a time.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import numpy.typing as npt

from simdesk.units import format_duration, parse_duration

__all__ = [
    "KINDS",
    "Distribution",
    "Empirical",
    "Exponential",
    "Fixed",
    "Gamma",
    "LogNormal",
    "Uniform",
    "parse_distribution",
]

FloatArray = npt.NDArray[np.float64]

KINDS = ("exponential", "lognormal", "gamma", "uniform", "fixed", "empirical")


def _number_text(value: float) -> str:
    """Shortest text that reads back as exactly ``value`` ("0.8", "2", not "2.0")."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _shown(value: float, duration: bool) -> str:
    if duration and math.isfinite(value) and value >= 0:
        return format_duration(value)
    return _number_text(value) if math.isfinite(value) else repr(value)


def _check_finite(name: str, value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got '{value}'")


def _check_positive(name: str, value: float, *, duration: bool = True) -> None:
    _check_finite(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be positive; got '{_shown(value, duration)}'")


def _check_non_negative(name: str, value: float) -> None:
    _check_finite(name, value)
    if value < 0:
        raise ValueError(f"{name} must not be negative; got {value!r} seconds")


def _check_factor(factor: float) -> None:
    if not (math.isfinite(factor) and factor > 0):
        raise ValueError(f"scale factor must be a positive finite number; got '{factor}'")


class Distribution(ABC):
    """A non-negative random duration, in seconds.

    ``mean`` and ``cv`` are declared for type checkers only: concrete classes provide them
    either as dataclass fields (where they are the written parameters) or as properties
    (where they are derived), and a runtime property here would shadow those fields.
    """

    if TYPE_CHECKING:

        @property
        def mean(self) -> float:
            """Expected value in seconds."""

        @property
        def cv(self) -> float:
            """Coefficient of variation (standard deviation / mean); 0 when the mean is 0."""

    is_exponential: ClassVar[bool] = False

    @abstractmethod
    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """``n`` independent draws in seconds, from one vectorised numpy call."""

    @abstractmethod
    def scaled(self, factor: float) -> Distribution:
        """The same shape with every time multiplied by ``factor`` (agent speed factors)."""

    @property
    @abstractmethod
    def text(self) -> str:
        """Canonical scenario text; ``parse_distribution(d.text) == d``."""

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Exponential(Distribution):
    """Memoryless times; the default for arrivals and patience in queueing models."""

    mean: float
    is_exponential: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _check_positive("exponential mean", self.mean)

    @property
    def cv(self) -> float:
        return 1.0

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.exponential(self.mean, n)

    def scaled(self, factor: float) -> Exponential:
        _check_factor(factor)
        return Exponential(self.mean * factor)

    @property
    def text(self) -> str:
        return f"exponential(mean={format_duration(self.mean)})"


@dataclass(frozen=True)
class LogNormal(Distribution):
    """Right-skewed handle times; parametrised by mean and cv because that is what gets measured."""

    mean: float
    cv: float

    def __post_init__(self) -> None:
        _check_positive("lognormal mean", self.mean)
        _check_positive("lognormal cv", self.cv, duration=False)

    @property
    def sigma(self) -> float:
        """Standard deviation of the underlying normal."""
        return math.sqrt(math.log1p(self.cv * self.cv))

    @property
    def mu(self) -> float:
        """Mean of the underlying normal."""
        return math.log(self.mean) - math.log1p(self.cv * self.cv) / 2.0

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.lognormal(self.mu, self.sigma, n)

    def scaled(self, factor: float) -> LogNormal:
        _check_factor(factor)
        return LogNormal(self.mean * factor, self.cv)

    @property
    def text(self) -> str:
        return f"lognormal(mean={format_duration(self.mean)}, cv={_number_text(self.cv)})"


@dataclass(frozen=True)
class Gamma(Distribution):
    """Handle times with a lighter tail than lognormal; cv < 1 gives an Erlang-like shape."""

    mean: float
    cv: float

    def __post_init__(self) -> None:
        _check_positive("gamma mean", self.mean)
        _check_positive("gamma cv", self.cv, duration=False)

    @property
    def shape(self) -> float:
        return 1.0 / (self.cv * self.cv)

    @property
    def scale(self) -> float:
        """Scale in seconds."""
        return self.mean / self.shape

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.gamma(self.shape, self.scale, n)

    def scaled(self, factor: float) -> Gamma:
        _check_factor(factor)
        return Gamma(self.mean * factor, self.cv)

    @property
    def text(self) -> str:
        return f"gamma(mean={format_duration(self.mean)}, cv={_number_text(self.cv)})"


@dataclass(frozen=True)
class Uniform(Distribution):
    """Bounded times, when all that is known is a range."""

    low: float
    high: float

    def __post_init__(self) -> None:
        _check_non_negative("uniform min", self.low)
        _check_non_negative("uniform max", self.high)
        if self.low > self.high:
            raise ValueError(
                f"uniform needs min <= max; got min={format_duration(self.low)}, "
                f"max={format_duration(self.high)}"
            )

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2.0

    @property
    def cv(self) -> float:
        mean = self.mean
        return 0.0 if mean == 0 else (self.high - self.low) / math.sqrt(12.0) / mean

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.uniform(self.low, self.high, n)

    def scaled(self, factor: float) -> Uniform:
        _check_factor(factor)
        return Uniform(self.low * factor, self.high * factor)

    @property
    def text(self) -> str:
        return f"uniform(min={format_duration(self.low)}, max={format_duration(self.high)})"


@dataclass(frozen=True)
class Fixed(Distribution):
    """A deterministic time; zero is allowed so that a step can be switched off."""

    value: float

    def __post_init__(self) -> None:
        _check_non_negative("fixed value", self.value)

    @property
    def mean(self) -> float:
        return self.value

    @property
    def cv(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return np.full(n, self.value, dtype=np.float64)

    def scaled(self, factor: float) -> Fixed:
        _check_factor(factor)
        return Fixed(self.value * factor)

    @property
    def text(self) -> str:
        return f"fixed({format_duration(self.value)})"


@dataclass(frozen=True)
class Empirical(Distribution):
    """Resampling of observed times, for when no parametric family fits the data."""

    values: tuple[float, ...]
    _array: FloatArray = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not self.values:
            raise ValueError("empirical needs at least one value, e.g. empirical(30s, 1m, 2m)")
        values = tuple(float(v) for v in self.values)
        for v in values:
            _check_non_negative("empirical value", v)
        array = np.array(values, dtype=np.float64)
        array.setflags(write=False)
        # Normalise to floats so Empirical((60,)) == Empirical((60.0,)) hash alike, and keep
        # a ready-made array so each batch is one rng.choice call with no conversion.
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "_array", array)

    @property
    def mean(self) -> float:
        return math.fsum(self.values) / len(self.values)

    @property
    def cv(self) -> float:
        # Population (ddof=0) spread: draws are uniform over exactly these values.
        mean = self.mean
        if mean == 0:
            return 0.0
        variance = math.fsum((v - mean) ** 2 for v in self.values) / len(self.values)
        return math.sqrt(variance) / mean

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        draws: FloatArray = rng.choice(self._array, n)
        return draws

    def scaled(self, factor: float) -> Empirical:
        _check_factor(factor)
        return Empirical(tuple(v * factor for v in self.values))

    @property
    def text(self) -> str:
        return f"empirical({', '.join(format_duration(v) for v in self.values)})"


# --------------------------------------------------------------------------- parsing

_CALL_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\((.*)\)\s*$", re.DOTALL)
_KEYWORD_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$", re.DOTALL)

_EXAMPLES = {
    "exponential": "exponential(mean=3m)",
    "lognormal": "lognormal(mean=6m, cv=0.8)",
    "gamma": "gamma(mean=5m, cv=0.5) or gamma(shape=2, scale=3m)",
    "uniform": "uniform(min=1m, max=5m)",
    "fixed": "fixed(30s)",
    "empirical": "empirical(30s, 1m, 2m)",
}
_UNKNOWN_KIND = "expected one of " + ", ".join(KINDS)
_GENERAL_EXPECTED = (
    "expected a distribution such as exponential(mean=3m), lognormal(mean=6m, cv=0.8), "
    "uniform(1m, 5m), fixed(30s) or a list of durations"
)


def _duration(kind: str, name: str, text: str | int | float) -> float:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise ValueError(f"{kind} {name}: {exc}") from None


def _number(kind: str, name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{kind} {name} must be a number; got '{text.strip()}'") from None
    if not math.isfinite(value):
        raise ValueError(f"{kind} {name} must be a finite number; got '{text.strip()}'")
    return value


def _split_args(kind: str, body: str) -> tuple[list[str], dict[str, str]]:
    """Positional and keyword argument texts; positional ones must come first."""
    positional: list[str] = []
    keywords: dict[str, str] = {}
    if not body.strip():
        return positional, keywords
    for raw in body.split(","):
        if not raw.strip():
            raise ValueError(f"{kind} has an empty argument in '{kind}({body})'")
        keyword = _KEYWORD_RE.match(raw)
        if keyword is None:
            if keywords:
                raise ValueError(
                    f"{kind}: positional argument '{raw.strip()}' follows a keyword argument"
                )
            positional.append(raw.strip())
            continue
        name, text = keyword.group(1).lower(), keyword.group(2).strip()
        if name in keywords:
            raise ValueError(f"{kind} got '{name}' twice")
        keywords[name] = text
    return positional, keywords


def _bind(
    kind: str,
    positional: list[str],
    keywords: dict[str, str],
    names: tuple[str, ...],
    *,
    allow_positional: bool,
    needs: str,
) -> dict[str, str]:
    """Map arguments onto ``names``, all of which are required."""
    if positional and not allow_positional:
        raise ValueError(needs)
    if len(positional) > len(names):
        raise ValueError(f"{kind} takes {len(names)} value(s), got {len(positional)}; {needs}")
    bound = dict(zip(names, positional, strict=False))
    for name, text in keywords.items():
        if name not in names:
            raise ValueError(
                f"{kind} got unexpected argument '{name}'; expected {' and '.join(names)}"
            )
        if name in bound:
            raise ValueError(f"{kind} got '{name}' twice")
        bound[name] = text
    if set(bound) != set(names):
        raise ValueError(needs)
    return bound


def _needs(kind: str, what: str) -> str:
    return f"{kind} needs {what}, e.g. {_EXAMPLES[kind]}"


def _parse_call(kind: str, body: str) -> Distribution:
    positional, keywords = _split_args(kind, body)
    if kind == "exponential":
        args = _bind(
            kind,
            positional,
            keywords,
            ("mean",),
            allow_positional=True,
            needs=_needs(kind, "a mean"),
        )
        return Exponential(_duration(kind, "mean", args["mean"]))
    if kind in ("lognormal", "gamma"):
        if kind == "gamma" and ("shape" in keywords or "scale" in keywords):
            args = _bind(
                kind,
                positional,
                keywords,
                ("shape", "scale"),
                allow_positional=False,
                needs=_needs(kind, "mean and cv, or shape and scale"),
            )
            shape = _number(kind, "shape", args["shape"])
            scale = _duration(kind, "scale", args["scale"])
            _check_positive("gamma shape", shape, duration=False)
            _check_positive("gamma scale", scale)
            return Gamma(shape * scale, 1.0 / math.sqrt(shape))
        needs = _needs(
            kind, "mean and cv" if kind == "lognormal" else "mean and cv, or shape and scale"
        )
        args = _bind(
            kind, positional, keywords, ("mean", "cv"), allow_positional=False, needs=needs
        )
        mean = _duration(kind, "mean", args["mean"])
        cv = _number(kind, "cv", args["cv"])
        return LogNormal(mean, cv) if kind == "lognormal" else Gamma(mean, cv)
    if kind == "uniform":
        args = _bind(
            kind,
            positional,
            keywords,
            ("min", "max"),
            allow_positional=True,
            needs=_needs(kind, "min and max"),
        )
        return Uniform(_duration(kind, "min", args["min"]), _duration(kind, "max", args["max"]))
    if kind == "fixed":
        args = _bind(
            kind,
            positional,
            keywords,
            ("value",),
            allow_positional=True,
            needs=_needs(kind, "one duration"),
        )
        return Fixed(_duration(kind, "value", args["value"]))
    # empirical
    if keywords:
        raise ValueError(_needs(kind, "a list of durations"))
    return _empirical(positional)


def _empirical(items: Sequence[object]) -> Empirical:
    if not items:
        raise ValueError(_needs("empirical", "at least one duration"))
    values: list[float] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise ValueError(f"empirical value: expected a duration such as 30s; got '{item}'")
        values.append(_duration("empirical", "value", item))
    return Empirical(tuple(values))


def parse_distribution(value: str | Sequence[str | int | float] | Distribution) -> Distribution:
    """Distribution described by scenario text, or by a YAML list of durations (empirical).

    Already-built distributions pass through so that models can be constructed in Python
    as well as from files. Anything unusable raises ``ValueError`` -- never ``TypeError`` --
    because pydantic only turns ``ValueError`` into a validation error (and tries the other
    branches of a union such as ``Dist | dict[str, Dist]``).
    """
    if isinstance(value, Distribution):
        return value
    if isinstance(value, (list, tuple)):
        return _empirical(value)
    if not isinstance(value, str):
        raise ValueError(f"{_GENERAL_EXPECTED}; got '{value}'")
    match = _CALL_RE.match(value)
    if match is None:
        raise ValueError(f"{_GENERAL_EXPECTED}; got '{value.strip()}'")
    kind, body = match.group(1), match.group(2)
    if kind not in KINDS:
        raise ValueError(f"unknown distribution '{kind}'; {_UNKNOWN_KIND}")
    if kind == "empirical":
        stripped = body.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            body = stripped[1:-1]
    return _parse_call(kind, body)
