"""Tests for simdesk.distributions: parsing, canonical text, and sampling statistics."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simdesk.distributions import (
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    LogNormal,
    Uniform,
    parse_distribution,
)

SEED = 12345
N = 200_000
# Four standard errors: a correct sampler fails a given check about once in 16 000 runs,
# and the seed is fixed, so in practice never; a wrong parametrisation is off by far more.
Z = 4.0


def draws(dist: Distribution, n: int = N) -> npt.NDArray[np.float64]:
    return dist.sample(np.random.default_rng(SEED), n)


def cv_standard_error(x: npt.NDArray[np.float64]) -> float:
    """Delta-method standard error of the sample cv, from the sample itself.

    cv = sqrt(v) / m, so its influence function is cv * (((x-m)^2 - v) / (2v) - (x-m) / m).
    """
    m = float(x.mean())
    v = float(x.var())
    cv = math.sqrt(v) / m
    influence = cv * (((x - m) ** 2 - v) / (2 * v) - (x - m) / m)
    return float(influence.std()) / math.sqrt(len(x))


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("exponential(mean=3m)", Exponential(180.0)),
        ("exponential(3m)", Exponential(180.0)),
        ("lognormal(mean=6m, cv=0.8)", LogNormal(360.0, 0.8)),
        ("lognormal(cv=0.8, mean=6m)", LogNormal(360.0, 0.8)),
        ("gamma(mean=5m, cv=0.5)", Gamma(300.0, 0.5)),
        ("gamma(shape=4, scale=75s)", Gamma(300.0, 0.5)),
        ("uniform(min=1m, max=5m)", Uniform(60.0, 300.0)),
        ("uniform(1m, 5m)", Uniform(60.0, 300.0)),
        ("uniform(1m, max=5m)", Uniform(60.0, 300.0)),
        ("uniform(2m, 2m)", Uniform(120.0, 120.0)),
        ("fixed(30s)", Fixed(30.0)),
        ("fixed(value=30s)", Fixed(30.0)),
        ("fixed(0s)", Fixed(0.0)),
        ("fixed(0)", Fixed(0.0)),
        ("empirical(30s, 1m, 2m)", Empirical((30.0, 60.0, 120.0))),
        ("empirical([30s, 1m, 2m])", Empirical((30.0, 60.0, 120.0))),
        ("empirical(45s)", Empirical((45.0,))),
        ("  lognormal ( mean = 6 m ,cv= 0.8 )  ", LogNormal(360.0, 0.8)),
        ("empirical( [ 30s ,1m ] )", Empirical((30.0, 60.0))),
    ],
)
def test_parse_text_forms(text: str, expected: Distribution) -> None:
    assert parse_distribution(text) == expected


def test_yaml_list_means_empirical() -> None:
    assert parse_distribution(["30s", "1m", 0]) == Empirical((30.0, 60.0, 0.0))


def test_gamma_shape_scale_is_mean_and_cv() -> None:
    dist = parse_distribution("gamma(shape=2, scale=3m)")
    assert isinstance(dist, Gamma)
    assert dist.mean == pytest.approx(360.0)
    assert dist.cv == pytest.approx(1 / math.sqrt(2))
    assert dist.shape == pytest.approx(2.0)
    assert dist.scale == pytest.approx(180.0)


def test_built_distributions_pass_through() -> None:
    dist = LogNormal(360.0, 0.8)
    assert parse_distribution(dist) is dist


@pytest.mark.parametrize(
    ("value", "fragments"),
    [
        (
            "expo(3m)",
            [
                "unknown distribution 'expo'; expected one of exponential, lognormal, gamma, "
                "uniform, fixed, empirical"
            ],
        ),
        ("lognormal(mean=6m)", ["lognormal needs mean and cv, e.g. lognormal(mean=6m, cv=0.8)"]),
        ("lognormal(6m, 0.8)", ["lognormal needs mean and cv, e.g. lognormal(mean=6m, cv=0.8)"]),
        ("lognormal(mean=6m, cv=0)", ["cv must be positive"]),
        ("gamma(mean=6m, cv=-1)", ["cv must be positive"]),
        ("gamma(mean=6m)", ["gamma needs mean and cv", "gamma(shape=2, scale=3m)"]),
        ("gamma(shape=0, scale=3m)", ["shape must be positive"]),
        ("lognormal(mean=6m, sd=3m)", ["unexpected argument 'sd'", "mean and cv"]),
        ("lognormal(mean=6m, cv=high)", ["cv must be a number", "'high'"]),
        ("lognormal(mean=0s, cv=0.5)", ["mean must be positive"]),
        ("exponential(0s)", ["mean must be positive"]),
        ("exponential()", ["exponential needs a mean", "exponential(mean=3m)"]),
        ("exponential(5)", ["expected a duration with a unit", "got '5'"]),
        ("exponential(mean=3m, mean=4m)", ["'mean' twice"]),
        ("exponential(3m, mean=4m)", ["'mean' twice"]),
        ("uniform(5m, 1m)", ["uniform needs min <= max"]),
        ("uniform(1m)", ["uniform needs min and max"]),
        ("uniform(min=1m, 2m)", ["positional argument '2m' follows a keyword argument"]),
        ("uniform(1m,,5m)", ["empty argument"]),
        ("fixed(30s, 1m)", ["fixed needs one duration"]),
        ("fixed(-30s)", ["must not be negative", "'-30s'"]),
        ("empirical()", ["empirical needs at least one duration"]),
        ("empirical(values=1m)", ["empirical needs a list of durations"]),
        ("empirical(1m, 5)", ["expected a duration with a unit", "got '5'"]),
        ([], ["empirical needs at least one duration"]),
        (["1m", None], ["expected a duration", "'None'"]),
        ("30s", ["expected a distribution such as", "fixed(30s)", "got '30s'"]),
        ("lognormal", ["expected a distribution such as", "got 'lognormal'"]),
        (5, ["expected a distribution such as", "got '5'"]),
    ],
)
def test_errors_say_what_was_expected(value: object, fragments: list[str]) -> None:
    with pytest.raises(ValueError) as info:
        parse_distribution(value)  # type: ignore[arg-type]
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize("value", [{"chat": "fixed(1m)"}, None, 3.5, True])
def test_wrong_types_raise_value_error_not_type_error(value: object) -> None:
    # pydantic only turns ValueError into validation errors (and tries other union branches).
    with pytest.raises(ValueError):
        parse_distribution(value)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- canonical text

CANONICAL = [
    "exponential(mean=3m)",
    "lognormal(mean=6m, cv=0.8)",
    "gamma(mean=5m, cv=0.5)",
    "uniform(min=1m, max=5m)",
    "fixed(30s)",
    "fixed(0s)",
    "empirical(30s, 1m, 2m)",
]


@pytest.mark.parametrize("text", CANONICAL)
def test_canonical_text_is_stable(text: str) -> None:
    dist = parse_distribution(text)
    assert dist.text == text
    assert str(dist) == text


@pytest.mark.parametrize("text", [*CANONICAL, "gamma(shape=3, scale=7s)", "exponential(1.25d)"])
@pytest.mark.parametrize("factor", [1.0, 0.8, 1.1, 1 / 3])
def test_text_round_trips_after_scaling(text: str, factor: float) -> None:
    dist = parse_distribution(text).scaled(factor)
    assert parse_distribution(dist.text) == dist


@given(
    mean=st.floats(min_value=1e-3, max_value=1e7, allow_nan=False),
    cv=st.floats(min_value=1e-3, max_value=10.0, allow_nan=False),
)
def test_text_round_trip_any_parameters(mean: float, cv: float) -> None:
    for dist in (Exponential(mean), LogNormal(mean, cv), Gamma(mean, cv), Fixed(mean)):
        assert parse_distribution(dist.text) == dist
    uniform = Uniform(mean, mean * (1 + cv))
    assert parse_distribution(uniform.text) == uniform


def test_frozen_and_hashable() -> None:
    dists = {parse_distribution(text) for text in CANONICAL + CANONICAL}
    assert len(dists) == len(CANONICAL)
    assert Empirical((60, 30)) == Empirical((60.0, 30.0))
    assert hash(Empirical((60, 30))) == hash(Empirical((60.0, 30.0)))
    exponential: Distribution = Exponential(60.0)
    fixed: Distribution = Fixed(60.0)
    assert exponential != fixed
    with pytest.raises(AttributeError):
        Exponential(60.0).mean = 5.0  # type: ignore[misc]


def test_is_exponential() -> None:
    assert parse_distribution("exponential(3m)").is_exponential
    assert not any(parse_distribution(text).is_exponential for text in CANONICAL[1:])


# --------------------------------------------------------------------------- properties


def test_lognormal_underlying_normal() -> None:
    dist = LogNormal(360.0, 0.8)
    assert dist.sigma == pytest.approx(math.sqrt(math.log(1 + 0.64)))
    assert dist.mu == pytest.approx(math.log(360.0) - math.log(1 + 0.64) / 2)


@pytest.mark.parametrize(
    ("text", "mean", "cv"),
    [
        ("exponential(3m)", 180.0, 1.0),
        ("lognormal(mean=6m, cv=0.8)", 360.0, 0.8),
        ("gamma(mean=5m, cv=0.5)", 300.0, 0.5),
        ("uniform(1m, 5m)", 180.0, 240.0 / math.sqrt(12) / 180.0),
        ("fixed(30s)", 30.0, 0.0),
        ("fixed(0s)", 0.0, 0.0),
        ("uniform(0s, 0s)", 0.0, 0.0),
        ("empirical(30s, 1m, 2m)", 70.0, float(np.std([30, 60, 120]) / 70.0)),
    ],
)
def test_declared_mean_and_cv(text: str, mean: float, cv: float) -> None:
    dist = parse_distribution(text)
    assert dist.mean == pytest.approx(mean)
    assert dist.cv == pytest.approx(cv)


@pytest.mark.parametrize("text", CANONICAL)
def test_scaled_multiplies_times_and_keeps_cv(text: str) -> None:
    dist = parse_distribution(text)
    faster = dist.scaled(0.5)
    assert type(faster) is type(dist)
    assert faster.mean == pytest.approx(dist.mean * 0.5)
    assert faster.cv == pytest.approx(dist.cv)


@pytest.mark.parametrize("factor", [0.0, -1.0, float("inf"), float("nan")])
def test_scaled_rejects_bad_factor(factor: float) -> None:
    with pytest.raises(ValueError, match="scale factor must be a positive finite number"):
        Exponential(60.0).scaled(factor)


def test_direct_construction_is_validated() -> None:
    with pytest.raises(ValueError, match="uniform min must not be negative"):
        Uniform(-1.0, 5.0)
    with pytest.raises(ValueError, match="lognormal mean must be a finite number"):
        LogNormal(float("inf"), 0.5)
    with pytest.raises(ValueError, match="empirical needs at least one value"):
        Empirical(())


# --------------------------------------------------------------------------- sampling

SAMPLED = [
    "exponential(mean=3m)",
    "lognormal(mean=6m, cv=0.8)",
    "lognormal(mean=30s, cv=0.3)",
    "gamma(mean=5m, cv=0.5)",
    "gamma(mean=5m, cv=1.5)",
    "gamma(shape=2, scale=3m)",
    "uniform(1m, 5m)",
    "empirical(30s, 1m, 2m, 10m)",
]


@pytest.mark.parametrize("text", [*SAMPLED, "fixed(30s)", "fixed(0s)"])
def test_sample_shape_type_and_sign(text: str) -> None:
    x = draws(parse_distribution(text), 10_000)
    assert x.shape == (10_000,)
    assert x.dtype == np.float64
    assert np.all(x >= 0)
    assert np.all(np.isfinite(x))
    assert draws(parse_distribution(text), 0).shape == (0,)


@pytest.mark.parametrize("text", SAMPLED)
def test_sample_is_reproducible(text: str) -> None:
    dist = parse_distribution(text)
    np.testing.assert_array_equal(draws(dist, 1000), draws(dist, 1000))


@pytest.mark.parametrize("text", SAMPLED)
def test_sample_mean_matches_declared_mean(text: str) -> None:
    dist = parse_distribution(text)
    x = draws(dist)
    standard_error = dist.cv * dist.mean / math.sqrt(N)
    assert abs(float(x.mean()) - dist.mean) < Z * standard_error


@pytest.mark.parametrize("text", SAMPLED)
def test_sample_cv_matches_declared_cv(text: str) -> None:
    dist = parse_distribution(text)
    x = draws(dist)
    sample_cv = float(x.std()) / float(x.mean())
    assert abs(sample_cv - dist.cv) < Z * cv_standard_error(x)


@pytest.mark.parametrize("text", SAMPLED)
def test_scaled_samples_scale(text: str) -> None:
    dist = parse_distribution(text)
    x = draws(dist.scaled(2.0))
    standard_error = dist.cv * dist.mean * 2.0 / math.sqrt(N)
    assert abs(float(x.mean()) - 2.0 * dist.mean) < Z * standard_error


def test_fixed_samples_are_constant() -> None:
    x = draws(Fixed(30.0))
    assert np.all(x == 30.0)


def test_empirical_draws_only_listed_values_uniformly() -> None:
    dist = Empirical((30.0, 60.0, 120.0, 600.0))
    x = draws(dist)
    values, counts = np.unique(x, return_counts=True)
    assert list(values) == [30.0, 60.0, 120.0, 600.0]
    # Each count is Binomial(N, 1/4).
    expected = N / 4
    standard_error = math.sqrt(N * 0.25 * 0.75)
    assert np.all(np.abs(counts - expected) < Z * standard_error)


def test_uniform_stays_in_range() -> None:
    x = draws(Uniform(60.0, 300.0))
    assert x.min() >= 60.0
    assert x.max() < 300.0
