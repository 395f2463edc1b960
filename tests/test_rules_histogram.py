"""Wait quantiles as docs/figures.md ("Wait quantiles: accuracy") promises them.

The q-quantile is the smallest wait such that at least a share q of the waits are at most
that value; the reported value is within 0.5% of that sample quantile for waits from 0.1 s
to 30 days; zero waits are exact; below 0.1 s reads 0.05 s, above 30 days reads 30 days.
"""

from __future__ import annotations

import math
import random

import pytest
from rulekit import desk, people, run

from simdesk.histogram import WaitHistogram

DAY = 86400.0


def sample_quantile(values: list[float], q: float) -> float:
    """The documented definition, straight from the sorted sample."""
    ordered = sorted(values)
    return ordered[math.ceil(q * len(ordered) - 1e-9) - 1]


def histogram(values: list[float]) -> WaitHistogram:
    h = WaitHistogram()
    for v in values:
        h.add(v)
    return h


@pytest.mark.parametrize("seed", range(5))
def test_quantiles_are_within_half_a_percent_of_the_sample_quantile(seed: int) -> None:
    rng = random.Random(seed)
    # waits spread over the whole binned range, 0.1 s .. 30 days, log-uniformly
    values = [0.1 * (30 * DAY / 0.1) ** rng.random() for _ in range(2001)]
    h = histogram(values)
    for q in (0.01, 0.1, 0.25, 0.5, 0.8, 0.9, 0.95, 0.99):
        exact = sample_quantile(values, q)
        assert h.quantile(q) == pytest.approx(exact, rel=0.005), q


def test_the_quantile_is_the_smallest_wait_covering_the_share() -> None:
    """Waits 10, 20, 30, 40 s: the median is 20 s (half are at most 20 s), not 30 s; the
    0.75-quantile 30 s; the 0.76-quantile 40 s."""
    h = histogram([10.0, 20.0, 30.0, 40.0])
    assert h.quantile(0.5) == pytest.approx(20.0, rel=0.005)
    assert h.quantile(0.75) == pytest.approx(30.0, rel=0.005)
    assert h.quantile(0.76) == pytest.approx(40.0, rel=0.005)


def test_zero_waits_are_exact() -> None:
    """More than half the contacts did not wait: the median is exactly 0; exactly half did
    not: the median is still 0 (half are at most 0)."""
    assert histogram([0.0, 0.0, 0.0, 50.0, 60.0]).quantile(0.5) == 0.0
    assert histogram([0.0, 0.0, 50.0, 60.0]).quantile(0.5) == 0.0
    assert histogram([0.0, 50.0, 60.0]).quantile(0.5) == pytest.approx(50.0, rel=0.005)


def test_out_of_range_waits_read_as_documented() -> None:
    assert histogram([0.01, 0.02, 0.09]).quantile(0.5) == 0.05
    assert histogram([31 * DAY, 400 * DAY]).quantile(0.5) == 30 * DAY
    # just inside the range stays accurate
    assert histogram([0.1] * 3).quantile(0.5) == pytest.approx(0.1, rel=0.005)
    assert histogram([29.9 * DAY] * 3).quantile(0.5) == pytest.approx(29.9 * DAY, rel=0.005)


def test_empty_histogram_has_no_quantile() -> None:
    assert math.isnan(WaitHistogram().quantile(0.5))


def test_merging_histograms_is_adding_the_waits() -> None:
    """Replication scopes are merged from cells: merged quantiles are those of all waits."""
    rng = random.Random(7)
    a = [rng.expovariate(1 / 60) for _ in range(500)]
    b = [rng.expovariate(1 / 600) for _ in range(300)]
    merged = histogram(a)
    merged.merge(histogram(b))
    for q in (0.5, 0.9, 0.95):
        assert merged.quantile(q) == pytest.approx(sample_quantile(a + b, q), rel=0.005)


def test_run_figures_report_the_quantiles_of_the_waits() -> None:
    """Through a run: nobody to answer and patience empirical(10s, 1m, 5m) (equally likely),
    so every wait is exactly one of those. The reported p50, p90, p95 are the sample
    quantiles of those waits within 0.5%, desk-wide and in the pool; the shares are read
    from the abandonment counts per value, which the run does not report, so the test
    checks the value each quantile must be for any split near a third each: p50 = 1 min,
    p90 = p95 = 5 min."""
    data = desk(
        pools=[people(agents=0)],
        customers={"patience": "empirical(10s, 1m, 5m)"},
        horizon="8h",
    )
    figs = run(data)
    for scope in (figs.totals, figs.pools["people"]):
        assert scope["wait_p50_s"] == pytest.approx(60.0, rel=0.005)
        assert scope["wait_p90_s"] == pytest.approx(300.0, rel=0.005)
        assert scope["wait_p95_s"] == pytest.approx(300.0, rel=0.005)


def test_run_quantiles_count_zero_waits() -> None:
    """50 agents for 1-minute contacts at 60/h: nobody waits, so every quantile is 0 (not
    NaN: zero waits are counted)."""
    figs = run(desk(pools=[people(agents=50)]))
    assert figs.totals["wait_p95_s"] == 0.0
    assert figs.pools["people"]["wait_p50_s"] == 0.0
