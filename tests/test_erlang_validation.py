"""The simulator against Erlang C (M/M/n) and Erlang A (M/M/n+M).

A scenario with one always-on pool of people, exponential handle times, flat Poisson
demand and exponential or no patience *is* an M/M/n(+M) queue, so the simulated waiting
probability, mean wait, service level, abandonment rate and occupancy must agree with the
exact formulas in ``simdesk.erlang`` (and with the published values quoted in
docs/sources.md).

Statistical method
------------------
Each case runs ``replications`` independent replications with a fixed seed through
``simdesk.experiment.run_experiment`` and gets the usual Student-t 95% interval per figure.
A grid of ~60 checks at 95% would expect about three misses by chance, so every check
compares the exact value with a **99% interval**: the 95% half-width widened by
``t_0.995(df) / t_0.975(df)`` (df = replications - 1; for 10 replications that is 3.25
standard errors instead of 2.26). Seeds are fixed, so a run is reproducible, but a change
in the engine's draw order re-rolls every check; the 99% width keeps that re-roll from
turning into a spurious failure while a real bias of a few percent still shows.

An interval that covers the exact value only because it is wide would prove nothing, so
every case also asserts that the 95% interval is tight: mean wait to within 15% of its
exact value, probabilities (waiting, service level, abandonment) to within 3 percentage
points, occupancy to within 1.5 points.

Each replication starts empty; a warmup of several relaxation times (longer for heavy
loads) is discarded so that the empty-start bias is well below the interval width.

Runtime: the default cases simulate ~5M inquiries (~40 s on one core). The heavier grid
(loads up to 0.98, larger desks, more replications) is marked ``slow``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import pytest
from scipy.stats import t as student_t

from simdesk.erlang import QueueFigures, erlang_a, erlang_c
from simdesk.experiment import Summary, run_experiment
from simdesk.loading import scenario_from_data

SL_WITHIN_S = 20.0
FIGURES = ("p_wait", "wait_mean_s", "service_level", "abandonment_rate", "occupancy")
# Largest acceptable 95% half-width: relative for the mean wait, absolute otherwise.
MAX_REL_HALF_WIDTH = {"wait_mean_s": 0.15}
MAX_ABS_HALF_WIDTH = {
    "p_wait": 0.03,
    "service_level": 0.03,
    "abandonment_rate": 0.03,
    "occupancy": 0.015,
}


@dataclass(frozen=True)
class Case:
    """One M/M/n(+M) desk: rates per hour, times in minutes, run length in hours."""

    id: str
    rate_per_h: float
    handle_min: float
    agents: int
    patience_min: float | None
    horizon_h: float
    warmup_h: float
    seed: int
    replications: int = 10

    @property
    def load(self) -> float:
        return self.rate_per_h * self.handle_min / 60.0 / self.agents

    def data(self) -> dict[str, object]:
        """The scenario as a user would write it, with units."""
        doc: dict[str, object] = {
            "name": f"erlang-{self.id}",
            "seed": self.seed,
            "horizon": f"{self.horizon_h:g}h",
            "warmup": f"{self.warmup_h:g}h",
            "replications": self.replications,
            "demand": {
                "arrival_rate": f"{self.rate_per_h:g}/h",
                "types": [{"name": "general", "share": 1.0}],
            },
            "pools": [
                {
                    "name": "agents",
                    "kind": "inhouse",
                    "agents": self.agents,
                    "handle_time": f"exponential(mean={self.handle_min:g}m)",
                }
            ],
            "routing": {"general": ["agents"]},
            "targets": {"service_level": {"within": f"{SL_WITHIN_S:g}s", "at_least": 0.8}},
        }
        if self.patience_min is not None:
            doc["customers"] = {"patience": f"exponential(mean={self.patience_min:g}m)"}
        return doc

    def exact(self) -> QueueFigures:
        lam = self.rate_per_h / 3600.0
        handle = self.handle_min * 60.0
        if self.patience_min is None:
            return erlang_c(self.agents, lam, handle, SL_WITHIN_S)
        return erlang_a(self.agents, lam, handle, self.patience_min * 60.0, SL_WITHIN_S)


# The published Erlang C example: 100 calls per 30 minutes (200/h), 180 s handle, 20 s target.
PUBLISHED_C = [
    Case("published-C-n14", 200, 3, 14, None, horizon_h=240, warmup_h=4, seed=1401),
    Case("published-C-n15", 200, 3, 15, None, horizon_h=288, warmup_h=4, seed=1501),
    Case("published-C-n11", 200, 3, 11, None, horizon_h=288, warmup_h=12, seed=1101),
]
# The worked Erlang A example: 6 per minute, 4 min handle, 5 min patience, 20 agents.
PUBLISHED_A = [Case("published-A-n20", 360, 4, 20, 5, horizon_h=48, warmup_h=2, seed=2001)]

# Values as printed in docs/sources.md, with the precision they were printed to.
PUBLISHED_VALUES: dict[str, dict[str, tuple[float, float]]] = {
    "published-C-n14": {
        "p_wait": (0.1741319, 5e-8),
        "service_level": (0.88835, 5e-6),
        "wait_mean_s": (7.8359, 5e-5),
        "occupancy": (0.7142857, 5e-8),
    },
    "published-C-n15": {
        "p_wait": (0.102, 5e-4),
        "service_level": (0.941, 5e-4),
        "occupancy": (0.667, 5e-4),
    },
    "published-C-n11": {"p_wait": (0.6821182, 5e-8)},
    "published-A-n20": {
        "p_wait": (0.8509, 5e-5),
        "abandonment_rate": (0.1848, 5e-5),
        "wait_mean_s": (0.924 * 60, 0.0005 * 60),
    },
}

# Our own grid: loads 0.7 .. 0.95 on desks of 5 to 40 agents, 3 min handle (Erlang C) and
# 4 min handle with 3 min patience (Erlang A, including an overloaded desk that only
# abandonment keeps stable).
GRID = [
    Case("C-rho0.70-n5", 70, 3, 5, None, horizon_h=120, warmup_h=4, seed=7005),
    Case("C-rho0.80-n10", 160, 3, 10, None, horizon_h=120, warmup_h=4, seed=8010),
    Case("C-rho0.90-n20", 360, 3, 20, None, horizon_h=96, warmup_h=8, seed=9020),
    Case("C-rho0.95-n40", 760, 3, 40, None, horizon_h=72, warmup_h=8, seed=9540),
    Case("A-rho0.70-n8", 84, 4, 8, 3, horizon_h=72, warmup_h=2, seed=17008),
    Case("A-rho0.80-n12", 144, 4, 12, 3, horizon_h=48, warmup_h=2, seed=18012),
    Case("A-rho0.90-n16", 216, 4, 16, 3, horizon_h=36, warmup_h=2, seed=19016),
    Case("A-rho0.95-n30", 427.5, 4, 30, 3, horizon_h=24, warmup_h=2, seed=19530),
    Case("A-rho1.10-n10", 165, 4, 10, 3, horizon_h=24, warmup_h=2, seed=11010),
]

SLOW_GRID = [
    Case("C-rho0.95-n5", 95, 3, 5, None, horizon_h=960, warmup_h=24, seed=59505, replications=20),
    Case("C-rho0.98-n100", 1960, 3, 100, None, horizon_h=96, warmup_h=12, seed=59800,
         replications=20),
    Case("C-rho0.85-n1", 17, 3, 1, None, horizon_h=2400, warmup_h=24, seed=58501,
         replications=20),
    Case("A-rho0.98-n100", 1470, 4, 100, 3, horizon_h=24, warmup_h=2, seed=59801,
         replications=20),
    Case("A-rho1.25-n50", 937.5, 4, 50, 5, horizon_h=24, warmup_h=2, seed=51250,
         replications=20),
    Case("A-theta-eq-mu-n100", 6000, 1, 100, 1, horizon_h=8, warmup_h=1, seed=51000,
         replications=20),
]

DEFAULT_CASES = PUBLISHED_C + PUBLISHED_A + GRID
ALL_CASES = {c.id: c for c in DEFAULT_CASES + SLOW_GRID}


@functools.cache
def summary_for(case_id: str) -> Summary:
    """Run each case once per session; every figure check of the case shares the result."""
    case = ALL_CASES[case_id]
    return run_experiment(scenario_from_data(case.data(), file=f"<{case.id}>"))


def widen_to_99(half_width_95: float, n: int) -> float:
    """The 99% half-width from the 95% one: same standard error, other t quantile."""
    df = n - 1
    return half_width_95 * float(student_t.ppf(0.995, df) / student_t.ppf(0.975, df))


def check_figure(case: Case, figure: str, exact: float, slack: float = 0.0) -> None:
    """The 99% interval of the simulated figure covers ``exact`` (+- ``slack``)."""
    est = summary_for(case.id).totals[figure]
    assert est.n == case.replications, f"{figure}: undefined in some replications"
    assert est.ci95 is not None
    half99 = widen_to_99(est.half_width, est.n)
    slack += 1e-9 * max(1.0, abs(exact))  # a figure pinned at 0 or 1 has no spread at all
    lo, hi = est.mean - half99 - slack, est.mean + half99 + slack
    assert lo <= exact <= hi, (
        f"{case.id} {figure}: exact {exact:.6g} outside the simulated 99% interval "
        f"[{lo:.6g}, {hi:.6g}] (mean {est.mean:.6g}, 95% half-width {est.half_width:.3g})"
    )


def check_tight(case: Case, figure: str, exact: float) -> None:
    est = summary_for(case.id).totals[figure]
    if figure in MAX_REL_HALF_WIDTH:
        limit = MAX_REL_HALF_WIDTH[figure] * exact
    else:
        limit = MAX_ABS_HALF_WIDTH[figure]
    assert est.half_width < limit, (
        f"{case.id} {figure}: 95% half-width {est.half_width:.3g} is not below {limit:.3g}; "
        "the run is too short for the comparison to mean anything"
    )


def _cases_and_figures(cases: list[Case]) -> list[object]:
    return [
        pytest.param(c, f, id=f"{c.id}-{f}")
        for c in cases
        for f in FIGURES
        if not (c.patience_min is None and f == "abandonment_rate")
    ]


# ----------------------------------------------------------------------- the checks


def test_published_reference_values_are_what_simdesk_erlang_computes() -> None:
    """The formulas we validate against reproduce docs/sources.md's published numbers."""
    for case in PUBLISHED_C + PUBLISHED_A:
        exact = case.exact()
        for figure, (value, precision) in PUBLISHED_VALUES[case.id].items():
            assert getattr(exact, figure) == pytest.approx(value, abs=precision), (
                case.id,
                figure,
            )


@pytest.mark.parametrize("case", DEFAULT_CASES, ids=lambda c: c.id)
def test_scenario_reduces_to_the_formula(case: Case) -> None:
    """The report's own Erlang column is the formula for the same inputs."""
    reference = summary_for(case.id).erlang
    assert reference is not None, "scenario should reduce to M/M/n(+M)"
    exact = case.exact()
    assert reference.model == exact.model == ("C" if case.patience_min is None else "A")
    assert reference.agents == case.agents
    for figure in FIGURES:
        assert getattr(reference, figure) == pytest.approx(getattr(exact, figure), rel=1e-9)


@pytest.mark.parametrize(("case", "figure"), _cases_and_figures(DEFAULT_CASES))
def test_simulation_matches_erlang(case: Case, figure: str) -> None:
    exact = getattr(case.exact(), figure)
    check_tight(case, figure, exact)
    check_figure(case, figure, exact)


@pytest.mark.parametrize(
    ("case", "figure"),
    [
        pytest.param(c, f, id=f"{c.id}-{f}")
        for c in PUBLISHED_C + PUBLISHED_A
        for f in PUBLISHED_VALUES[c.id]
    ],
)
def test_simulation_matches_published_values(case: Case, figure: str) -> None:
    value, precision = PUBLISHED_VALUES[case.id][figure]
    check_figure(case, figure, value, slack=precision)


def erlang_c_wait_quantile(case: Case, q: float) -> float:
    """Erlang C: P(W > t) = C exp(-(n mu - lambda) t), so the q-quantile of the wait is
    ln(C / (1 - q)) / (n mu - lambda) when C > 1 - q (else 0)."""
    c = case.exact().p_wait
    drain = case.agents / (case.handle_min * 60.0) - case.rate_per_h / 3600.0
    return max(0.0, math.log(c / (1.0 - q)) / drain)


QUANTILES = {"wait_p50_s": 0.5, "wait_p90_s": 0.9, "wait_p95_s": 0.95}


@pytest.mark.parametrize(
    ("case", "figure"),
    [
        pytest.param(c, f, id=f"{c.id}-{f}")
        for c in DEFAULT_CASES
        for f, q in QUANTILES.items()
        # only where the quantile is a positive wait well inside the exponential tail
        if c.patience_min is None and c.exact().p_wait > 1.5 * (1.0 - q)
    ],
)
def test_wait_quantiles_match_erlang_c(case: Case, figure: str) -> None:
    """Quantiles come from the fixed-bin histogram (bins 1% wide), hence a 0.5% slack."""
    exact = erlang_c_wait_quantile(case, QUANTILES[figure])
    assert exact > 0
    check_figure(case, figure, exact, slack=0.005 * exact)


@pytest.mark.parametrize(
    "case", [c for c in DEFAULT_CASES if c.patience_min is None], ids=lambda c: c.id
)
def test_erlang_c_desks_never_abandon(case: Case) -> None:
    totals = summary_for(case.id).totals
    assert totals["abandoned"].mean == 0.0
    assert totals["abandonment_rate"].mean == 0.0
    # nobody leaves, so every answered contact is every contact: ASA is the mean wait
    assert totals["asa_s"].mean == pytest.approx(totals["wait_mean_s"].mean, rel=1e-9)


@pytest.mark.parametrize("case", DEFAULT_CASES, ids=lambda c: c.id)
def test_offered_matches_the_arrival_rate(case: Case) -> None:
    """Poisson arrivals over the measured horizon: the count is rate * horizon."""
    est = summary_for(case.id).totals["offered"]
    expected = case.rate_per_h * case.horizon_h
    # sd of the replication mean is sqrt(expected / replications); allow 4 of them
    assert abs(est.mean - expected) < 4 * math.sqrt(expected / case.replications)


def test_loads_cover_the_grid() -> None:
    """The grid is what the module docstring promises: 0.7 .. 0.95, with and without
    abandonment, plus an overloaded Erlang A desk."""
    for with_patience in (False, True):
        loads = sorted(
            round(c.load, 2) for c in GRID if (c.patience_min is not None) == with_patience
        )
        assert loads[0] == 0.7
        assert {0.8, 0.9, 0.95} <= set(loads)
    assert any(c.load > 1 and c.patience_min is not None for c in GRID)


@pytest.mark.slow
@pytest.mark.parametrize(("case", "figure"), _cases_and_figures(SLOW_GRID))
def test_simulation_matches_erlang_heavy_grid(case: Case, figure: str) -> None:
    exact = getattr(case.exact(), figure)
    check_tight(case, figure, exact)
    check_figure(case, figure, exact)


@pytest.mark.slow
def test_theta_equal_mu_is_poisson() -> None:
    """Exact special case from docs/sources.md: with patience mean == handle mean the number in
    system is Poisson(a), so P(W>0) = P(Poisson(a) >= n); lambda=100, mu=theta=1, n=100 gives
    P(W>0) = 0.513299, P(Ab) = 0.039861."""
    case = ALL_CASES["A-theta-eq-mu-n100"]
    assert case.load == pytest.approx(1.0)
    check_figure(case, "p_wait", 0.513299, slack=5e-7)
    check_figure(case, "abandonment_rate", 0.039861, slack=5e-7)
