"""Erlang B/C/A against published values, independent numerics and a small simulation."""

from __future__ import annotations

import heapq
import itertools
import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simdesk.confidence import estimate
from simdesk.erlang import QueueFigures, agents_for_target, erlang_a, erlang_b, erlang_c

# The published Erlang C example: 100 calls per 30 minutes, 180 s handle, 20 s target.
LAM_C = 100 / 1800
HANDLE_C = 180.0


def test_erlang_b_small_cases() -> None:
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    # B(2, 1) = (1/2) / (1 + 1 + 1/2)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)
    assert 0.0 < erlang_b(2000, 1900.0) < 1.0


def test_erlang_c_published_14_agents() -> None:
    f = erlang_c(14, LAM_C, HANDLE_C, within_s=20)
    assert f.model == "C"
    assert f.agents == 14
    assert f.p_wait == pytest.approx(0.1741319, abs=5e-8)
    assert f.service_level == pytest.approx(0.88835, abs=5e-6)
    assert f.wait_mean_s == pytest.approx(7.8359, abs=5e-5)
    assert f.asa_s == f.wait_mean_s
    assert f.occupancy == pytest.approx(0.7142857, abs=5e-8)
    assert f.abandonment_rate == 0.0


def test_erlang_c_published_15_and_11_agents() -> None:
    f15 = erlang_c(15, LAM_C, HANDLE_C, within_s=20)
    assert f15.p_wait == pytest.approx(0.102, abs=5e-4)
    assert f15.service_level == pytest.approx(0.941, abs=5e-4)
    assert f15.occupancy == pytest.approx(0.667, abs=5e-4)
    assert erlang_c(11, LAM_C, HANDLE_C).p_wait == pytest.approx(0.6821182, abs=5e-8)


def test_erlang_c_without_target_has_no_service_level() -> None:
    assert erlang_c(14, LAM_C, HANDLE_C).service_level is None


def test_erlang_c_unstable_message() -> None:
    with pytest.raises(
        ValueError,
        match=r"^unstable: offered load 11\.7 erlangs needs more "
        r"than 11 agents$",
    ):
        erlang_c(11, 11.7 / 180, 180)
    with pytest.raises(ValueError, match="unstable"):
        erlang_c(10, 10 / 180, 180)  # a == n is unstable too


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"agents": 0}, "agents"),
        ({"arrival_rate": 0.0}, "arrival_rate"),
        ({"arrival_rate": math.nan}, "arrival_rate"),
        ({"mean_handle_s": -1.0}, "mean_handle_s"),
        ({"within_s": -1.0}, "within_s"),
        ({"mean_patience_s": 0.0}, "mean_patience_s"),
    ],
)
def test_erlang_a_rejects_bad_inputs(kwargs: dict[str, float], word: str) -> None:
    args: dict[str, float] = {
        "agents": 5,
        "arrival_rate": 1.0,
        "mean_handle_s": 4.0,
        "mean_patience_s": 10.0,
        "within_s": 5.0,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=word):
        erlang_a(int(args.pop("agents")), **args)


def test_erlang_a_theta_equals_mu_published() -> None:
    f = erlang_a(100, 100.0, 1.0, 1.0)
    assert f.model == "A"
    assert f.p_wait == pytest.approx(0.513299, abs=5e-7)
    assert f.abandonment_rate == pytest.approx(0.039861, abs=5e-7)
    # theta == mu makes the number in system Poisson(a): P(W > 0) = P(Poisson(100) >= 100).
    below = math.fsum(
        math.exp(k * math.log(100.0) - 100.0 - math.lgamma(k + 1)) for k in range(100)
    )
    assert f.p_wait == pytest.approx(1.0 - below, rel=1e-10)


def test_erlang_a_worked_example() -> None:
    # 6 per minute, 4 min handle, 5 min patience, 20 agents (load 24 > 20: still stable)
    f = erlang_a(20, 6 / 60, 240.0, 300.0, within_s=20)
    assert f.p_wait == pytest.approx(0.8509, abs=5e-5)
    assert f.abandonment_rate == pytest.approx(0.1848, abs=5e-5)
    assert f.wait_mean_s / 60 == pytest.approx(0.924, abs=5e-4)
    assert f.occupancy < 1.0


def _birth_death(n: int, lam: float, handle: float, patience: float) -> dict[str, float]:
    """M/M/n+M straight from the birth-death chain of docs/sources.md (birth lam, death
    min(k, n) mu + max(k - n, 0) theta), summed directly: an independent route to every
    figure, occupancy as the mean number of busy agents over n."""
    mu, theta = 1 / handle, 1 / patience
    weights, k = [1.0], 0
    while k < n + 50 or weights[-1] > 1e-16 * max(weights):
        k += 1
        weights.append(weights[-1] * lam / (min(k, n) * mu + max(k - n, 0) * theta))
    total = sum(weights)
    pi = [w / total for w in weights]
    queue = sum(p * max(j - n, 0) for j, p in enumerate(pi))
    return {
        "p_wait": sum(pi[n:]),
        "abandonment_rate": theta * queue / lam,
        "wait_mean_s": queue / lam,  # Little's law over all arrivals
        "occupancy": sum(p * min(j, n) for j, p in enumerate(pi)) / n,
    }


@pytest.mark.parametrize(
    ("n", "lam", "handle", "patience"),
    [(20, 0.1, 240.0, 300.0), (5, 1.0, 4.0, 10.0), (11, 200 / 3600, 180.0, 120.0)],
)
def test_erlang_a_matches_the_birth_death_chain(
    n: int, lam: float, handle: float, patience: float
) -> None:
    f = erlang_a(n, lam, handle, patience)
    for figure, value in _birth_death(n, lam, handle, patience).items():
        assert getattr(f, figure) == pytest.approx(value, rel=1e-9), figure


def _incomplete_gamma_reference(n: int, lam: float, mu: float, theta: float) -> tuple[float, float]:
    """P(W>0) and P(Ab) from the closed forms in docs/sources.md (needs scipy)."""
    special = pytest.importorskip("scipy.special")
    x, y = n * mu / theta, lam / theta
    rho = lam / (n * mu)
    big_a = x * math.exp(y - x * math.log(y) + special.gammaln(x)) * special.gammainc(x, y)
    e_b = erlang_b(n, lam / mu)
    pi_n = e_b / (1 + (big_a - 1) * e_b)
    p_wait = big_a * pi_n
    p_ab = (1 / (rho * big_a) + 1 - 1 / rho) * p_wait
    return float(p_wait), float(p_ab)


@pytest.mark.parametrize(
    ("n", "lam", "handle", "patience"),
    [(20, 0.1, 240.0, 300.0), (5, 1.0, 4.0, 10.0), (50, 0.3, 180.0, 60.0), (3, 1.0, 2.0, 1.0)],
)
def test_erlang_a_matches_incomplete_gamma_forms(
    n: int, lam: float, handle: float, patience: float
) -> None:
    p_wait, p_ab = _incomplete_gamma_reference(n, lam, 1 / handle, 1 / patience)
    f = erlang_a(n, lam, handle, patience)
    assert f.p_wait == pytest.approx(p_wait, rel=1e-9)
    assert f.abandonment_rate == pytest.approx(p_ab, rel=1e-9)


def _expm(m: np.ndarray) -> np.ndarray:
    """Matrix exponential by scaling and squaring a Taylor series (enough for these sizes)."""
    norm = float(np.abs(m).sum(axis=1).max())
    squarings = max(0, math.ceil(math.log2(norm)) + 1) if norm > 0 else 0
    scaled = m / 2.0**squarings
    term = np.eye(len(m))
    total = term.copy()
    for k in range(1, 30):
        term = term @ scaled / k
        total += term
    for _ in range(squarings):
        total = total @ total
    return total


def _tagged_chain_reference(
    n: int, lam: float, handle: float, patience: float, t: float
) -> tuple[float, float, float]:
    """(P(served), ASA, SL) from the tagged customer's absorbing Markov chain, with matrix
    algebra instead of the closed forms the module uses."""
    mu, theta = 1 / handle, 1 / patience
    k_max = n + 400
    rates_down = [min(k, n) * mu + max(k - n, 0) * theta for k in range(1, k_max + 1)]
    w = [1.0]
    for d in rates_down:
        w.append(w[-1] * lam / d)
    pi = np.array(w) / sum(w)
    alpha = pi[n:]  # arrival sees j = 0.. customers ahead in queue
    size = len(alpha)
    transient = np.zeros((size, size))
    to_served = np.zeros(size)
    for i in range(size):
        transient[i, i] = -(n * mu + i * theta + theta)
        if i:
            transient[i, i - 1] = n * mu + i * theta
    to_served[0] = n * mu
    fundamental = np.linalg.inv(-transient)
    p_served_queued = float(alpha @ fundamental @ to_served)
    wait_served = float(alpha @ fundamental @ fundamental @ to_served)
    p_free = float(pi[:n].sum())
    p_served = p_free + p_served_queued
    # SL: add a "served" absorbing state and integrate the chain forward for t seconds
    full = np.zeros((size + 1, size + 1))
    full[:size, :size] = transient
    full[:size, size] = to_served
    served_by_t = float((alpha @ _expm(full * t)[:size])[size])
    return p_served, wait_served / p_served, p_free + served_by_t


@pytest.mark.parametrize(
    ("n", "lam", "handle", "patience", "t"),
    [
        (20, 0.1, 240.0, 300.0, 20.0),
        (5, 1.0, 4.0, 10.0, 3.0),
        (10, 2.0, 6.0, 2.0, 1.5),  # heavy overload, short patience
        (14, LAM_C, HANDLE_C, 600.0, 20.0),
    ],
)
def test_erlang_a_asa_and_service_level_match_matrix_reference(
    n: int, lam: float, handle: float, patience: float, t: float
) -> None:
    p_served, asa, sl = _tagged_chain_reference(n, lam, handle, patience, t)
    f = erlang_a(n, lam, handle, patience, within_s=t)
    assert 1.0 - f.abandonment_rate == pytest.approx(p_served, rel=1e-9)
    assert f.asa_s == pytest.approx(asa, rel=1e-8)
    assert f.service_level == pytest.approx(sl, rel=1e-8)


def _simulate_mmn_m(
    n: int, lam: float, handle: float, patience: float, t: float, customers: int, seed: int
) -> tuple[float, float, float, float]:
    """FCFS M/M/n+M by the virtual-wait recursion: an arrival's offered wait is the time until
    the earliest agent frees up, and it takes that agent only if its patience lasts."""
    rng = random.Random(seed)
    free_at = [0.0] * n
    now = 0.0
    waited = abandoned = answered_in_t = 0
    wait_sum = served_wait_sum = 0.0
    warmup = customers // 10
    for i in range(customers + warmup):
        now += rng.expovariate(lam)
        offered = max(0.0, free_at[0] - now)
        give_up = rng.expovariate(1 / patience)
        counted = i >= warmup
        if offered > give_up:
            if counted:
                waited += 1
                abandoned += 1
                wait_sum += give_up
            continue
        heapq.heapreplace(free_at, now + offered + rng.expovariate(1 / handle))
        if counted:
            waited += offered > 0
            wait_sum += offered
            served_wait_sum += offered
            answered_in_t += offered <= t
    served = customers - abandoned
    return (
        waited / customers,
        abandoned / customers,
        answered_in_t / customers,
        served_wait_sum / served,
    )


def test_erlang_a_matches_simulation() -> None:
    n, lam, handle, patience, t = 8, 1.0, 7.0, 5.0, 2.0
    runs = [_simulate_mmn_m(n, lam, handle, patience, t, 25_000, seed) for seed in range(8)]
    exact = erlang_a(n, lam, handle, patience, within_s=t)
    expected = (exact.p_wait, exact.abandonment_rate, exact.service_level, exact.asa_s)
    for k, (name, value) in enumerate(zip(("p_wait", "p_ab", "sl", "asa"), expected, strict=True)):
        est = estimate([r[k] for r in runs])
        assert est.ci95 is not None
        # Four figures are checked at once; widen each 95% interval by 1.5 (roughly a
        # Bonferroni correction for df = 7) so that the family, not each check, is at ~95%.
        assert value is not None
        assert abs(est.mean - value) <= 1.5 * est.half_width, (name, est, value)


def test_erlang_a_huge_patience_matches_erlang_c() -> None:
    for n in (11, 14, 15):
        c = erlang_c(n, LAM_C, HANDLE_C, within_s=20)
        a = erlang_a(n, LAM_C, HANDLE_C, 1e9, within_s=20)
        # A finite patience still matters to first order in wait / patience (~1e-7 here,
        # amplified near saturation: n = 11 is at 91% load), so allow 1e-5.
        assert a.p_wait == pytest.approx(c.p_wait, rel=1e-5)
        assert a.wait_mean_s == pytest.approx(c.wait_mean_s, rel=1e-5)
        assert a.asa_s == pytest.approx(c.asa_s, rel=1e-5)
        assert a.service_level == pytest.approx(c.service_level, rel=1e-5)
        assert a.occupancy == pytest.approx(c.occupancy, rel=1e-5)
        assert a.abandonment_rate < 1e-6
        # and the gap closes as patience grows: it is the model, not numerical error
        far = erlang_a(n, LAM_C, HANDLE_C, 1e13, within_s=20)
        assert far.wait_mean_s == pytest.approx(c.wait_mean_s, rel=1e-9)
        assert far.asa_s == pytest.approx(c.asa_s, rel=1e-9)
        assert far.service_level == pytest.approx(c.service_level, rel=1e-9)


def test_erlang_a_large_systems_are_stable() -> None:
    # 2000 agents, load 5% above capacity (Erlang C would refuse), 2 minute patience
    lam = 2000 / 180 * 1.05
    f = erlang_a(2000, lam, 180.0, 120.0, within_s=20)
    for v in (f.p_wait, f.wait_mean_s, f.asa_s, f.abandonment_rate, f.service_level, f.occupancy):
        assert v is not None and math.isfinite(v)
    # in overload the served rate is pinned at capacity, so abandonment ~ 1 - 1/1.05
    assert f.abandonment_rate == pytest.approx(1 - 1 / 1.05, abs=0.01)
    assert 0.99 < f.occupancy <= 1.0
    # and near saturation without abandonment it still agrees with Erlang C
    lam = 2000 / 180 * 0.99
    c = erlang_c(2000, lam, 180.0, within_s=20)
    a = erlang_a(2000, lam, 180.0, 1e12, within_s=20)
    assert a.p_wait == pytest.approx(c.p_wait, rel=1e-8)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-8)
    # thousands of arrivals per hour on a big floor stays in range
    f = erlang_a(400, 5000 / 3600, 300.0, 90.0, within_s=30)
    assert 0.0 <= f.abandonment_rate <= 1.0


def test_erlang_a_refuses_astronomical_queue() -> None:
    with pytest.raises(ValueError, match="queue too long"):
        erlang_a(10, 1.0, 20.0, 1e12)


def test_erlang_a_zero_target_counts_only_immediate_answers() -> None:
    for t in (0.0, 5e-324, 1e-300):  # tiny targets once underflowed into log(0)
        f = erlang_a(5, 1.0, 4.0, 10.0, within_s=t)
        assert f.service_level == pytest.approx(1.0 - f.p_wait)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 60),
    load_per_agent=st.floats(0.05, 3.0),
    handle=st.floats(1.0, 600.0),
    patience=st.floats(1.0, 3600.0),
    t=st.floats(0.0, 300.0),
)
def test_erlang_a_figures_are_consistent(
    n: int, load_per_agent: float, handle: float, patience: float, t: float
) -> None:
    lam = load_per_agent * n / handle
    f = erlang_a(n, lam, handle, patience, within_s=t)
    assert f.service_level is not None
    eps = 1e-9
    assert 0.0 <= f.p_wait <= 1.0 + eps
    assert 0.0 <= f.abandonment_rate <= f.p_wait + eps
    assert 0.0 <= f.occupancy <= 1.0 + eps
    # nobody who finds a free agent misses; nobody who abandons is answered
    assert 1.0 - f.p_wait - eps <= f.service_level <= 1.0 - f.abandonment_rate + eps
    # mean over all arrivals = answered share * ASA + abandoners' (positive) waits
    assert f.wait_mean_s + eps >= (1.0 - f.abandonment_rate) * f.asa_s


def test_erlang_a_more_agents_is_better() -> None:
    figs = [erlang_a(n, LAM_C, HANDLE_C, 120.0, within_s=20) for n in range(1, 25)]
    for lo, hi in itertools.pairwise(figs):
        assert hi.service_level is not None and lo.service_level is not None
        assert hi.service_level > lo.service_level
        assert hi.abandonment_rate < lo.abandonment_rate


def test_agents_for_target_erlang_c() -> None:
    f = agents_for_target(LAM_C, HANDLE_C, 20, 0.8)
    assert isinstance(f, QueueFigures)
    assert (f.model, f.agents) == ("C", 14)
    assert f.service_level is not None and f.service_level >= 0.8
    below = erlang_c(13, LAM_C, HANDLE_C, 20).service_level
    assert below is not None and below < 0.8  # 0.796: 80/20 just missed
    # 14 agents give 0.888, 15 give 0.941
    assert agents_for_target(LAM_C, HANDLE_C, 20, 0.9).agents == 15
    assert agents_for_target(LAM_C, HANDLE_C, 20, 0.79).agents == 13
    # a target already met at the stability bound
    assert agents_for_target(LAM_C, HANDLE_C, 20, 0.0).agents == 11


def test_agents_for_target_erlang_a_with_abandonment_cap() -> None:
    patience = 300.0
    f = agents_for_target(LAM_C, HANDLE_C, 20, 0.8, mean_patience_s=patience)
    prev = erlang_a(f.agents - 1, LAM_C, HANDLE_C, patience, 20).service_level
    assert f.model == "A" and f.service_level is not None and f.service_level >= 0.8
    assert prev is not None and prev < 0.8
    capped = agents_for_target(
        LAM_C, HANDLE_C, 20, 0.8, mean_patience_s=patience, max_abandonment=0.001
    )
    assert capped.abandonment_rate <= 0.001
    assert erlang_a(capped.agents - 1, LAM_C, HANDLE_C, patience, 20).abandonment_rate > 0.001
    assert capped.agents >= f.agents


def test_agents_for_target_large_floor() -> None:
    # ~5000 contacts per hour at 5 min handle: hundreds of agents, still quick to find
    f = agents_for_target(5000 / 3600, 300.0, 30, 0.9, mean_patience_s=120.0, max_abandonment=0.02)
    assert f.service_level is not None and f.service_level >= 0.9
    assert f.abandonment_rate <= 0.02
    assert 417 <= f.agents < 500  # load is 416.7 erlangs


def test_agents_for_target_rejects_unreachable_targets() -> None:
    with pytest.raises(ValueError, match="at_least"):
        agents_for_target(LAM_C, HANDLE_C, 20, 1.0)
    with pytest.raises(ValueError, match="max_abandonment"):
        agents_for_target(LAM_C, HANDLE_C, 20, 0.8, mean_patience_s=60.0, max_abandonment=0.0)
