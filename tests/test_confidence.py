"""Replication statistics: t quantiles, intervals, NaN handling, paired differences."""

from __future__ import annotations

import itertools
import math
import random
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simdesk.confidence import Estimate, estimate, paired_difference, t_quantile_975

# scipy.stats.t.ppf(0.975, df), recorded so the check runs without scipy too.
SCIPY_T975 = {
    1: 12.706204736174694,
    2: 4.302652729749462,
    3: 3.1824463052837078,
    4: 2.7764451051977934,
    5: 2.5705818356363146,
    9: 2.262157162798205,
    10: 2.228138851986274,
    19: 2.0930240544083087,
    29: 2.045229642132703,
    30: 2.0422724563012378,
    31: 2.039513446396408,
    60: 2.0002978220142604,
    120: 1.9799304050824402,
    1000: 1.9623390808264083,
}


@pytest.mark.parametrize(("df", "expected"), sorted(SCIPY_T975.items()))
def test_t_quantile_recorded_scipy_values(df: int, expected: float) -> None:
    assert t_quantile_975(df) == pytest.approx(expected, abs=1e-9)


def test_t_quantile_matches_scipy_everywhere() -> None:
    stats = pytest.importorskip("scipy.stats")
    for df in range(1, 1001):
        assert abs(t_quantile_975(df) - float(stats.t.ppf(0.975, df))) < 1e-4, df


def test_t_quantile_tends_to_normal() -> None:
    z = statistics.NormalDist().inv_cdf(0.975)
    assert t_quantile_975(10**7) == pytest.approx(z, abs=1e-6)
    values = [t_quantile_975(df) for df in range(1, 200)]
    assert all(a > b > z for a, b in itertools.pairwise(values))


@pytest.mark.parametrize("df", [0, -3, 2.5, True])
def test_t_quantile_rejects_bad_df(df: object) -> None:
    with pytest.raises(ValueError, match="degrees of freedom"):
        t_quantile_975(df)  # type: ignore[arg-type]


def test_estimate_known_sample() -> None:
    e = estimate([1.0, 2.0, 3.0, 4.0, 5.0])
    assert e.mean == 3.0 and e.n == 5
    half = SCIPY_T975[4] * math.sqrt(2.5 / 5)
    assert e.ci95 is not None
    assert e.ci95[0] == pytest.approx(3.0 - half)
    assert e.ci95[1] == pytest.approx(3.0 + half)
    assert e.half_width == pytest.approx(half)


def test_estimate_small_samples() -> None:
    assert estimate([]).n == 0 and math.isnan(estimate([]).mean)
    one = estimate([7.5])
    assert one == Estimate(mean=7.5, ci95=None, n=1)
    assert math.isnan(one.half_width)
    same = estimate([2.0, 2.0, 2.0])
    assert same.ci95 == (2.0, 2.0) and same.half_width == 0.0


def test_estimate_ignores_nan() -> None:
    e = estimate([1.0, math.nan, 3.0, math.nan])
    assert e.n == 2 and e.mean == 2.0 and e.ci95 is not None
    assert e == estimate([1.0, 3.0])
    none = estimate([math.nan, math.nan])
    assert none.n == 0 and math.isnan(none.mean) and none.ci95 is None
    assert estimate([math.nan, 4.0]) == Estimate(mean=4.0, ci95=None, n=1)


def test_estimate_infinity_has_no_interval() -> None:
    e = estimate([1.0, math.inf])
    assert e.mean == math.inf and e.ci95 is None and e.n == 2


def test_estimate_tiny_spread_on_large_mean() -> None:
    e = estimate([1e9 + 1e-3, 1e9 - 1e-3, 1e9 + 1e-3, 1e9 - 1e-3])
    assert 0.0 < e.half_width < 1e-2


def test_interval_covers_true_mean_about_95_percent() -> None:
    rng = random.Random(20240501)
    trials, covered = 2000, 0
    for _ in range(trials):
        e = estimate([rng.gauss(10.0, 3.0) for _ in range(5)])
        assert e.ci95 is not None
        covered += e.ci95[0] <= 10.0 <= e.ci95[1]
    # binomial sd at p = 0.95 over 2000 trials is ~0.005; allow 4 sd
    assert abs(covered / trials - 0.95) < 0.02


def test_paired_difference() -> None:
    a = [10.0, 12.0, 11.0, 13.0]
    b = [11.0, 13.5, 11.5, 14.0]
    d = paired_difference(a, b)
    assert d.mean == pytest.approx(1.0) and d.n == 4
    assert d == estimate([1.0, 1.5, 0.5, 1.0])
    # pairing removes the shared noise: far narrower than either side alone
    assert d.half_width < estimate(b).half_width / 2


def test_paired_difference_drops_incomplete_pairs() -> None:
    d = paired_difference([1.0, math.nan, 3.0], [2.0, 5.0, 5.0])
    assert d.n == 2 and d.mean == pytest.approx(1.5)


def test_paired_difference_needs_equal_lengths() -> None:
    with pytest.raises(ValueError, match="equal counts"):
        paired_difference([1.0, 2.0], [1.0])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=30))
def test_estimate_agrees_with_statistics_module(values: list[float]) -> None:
    e = estimate(values)
    assert e.n == len(values)
    assert e.mean == pytest.approx(statistics.fmean(values), rel=1e-12, abs=1e-9)
    assert e.ci95 is not None
    sd = statistics.stdev(values)
    expected = t_quantile_975(len(values) - 1) * sd / math.sqrt(len(values))
    assert e.half_width == pytest.approx(expected, rel=1e-9, abs=1e-9)
    # the interval is the sample mean plus and minus that half-width, nothing else
    mean = statistics.fmean(values)
    assert e.ci95[0] == pytest.approx(mean - expected, rel=1e-9, abs=1e-6)
    assert e.ci95[1] == pytest.approx(mean + expected, rel=1e-9, abs=1e-6)
