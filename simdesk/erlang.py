"""Closed-form queueing answers (Erlang B, C and A) to set beside simulated figures.

The simulator's credibility rests on reproducing these numbers when a scenario reduces to
M/M/n or M/M/n+M, so this module is exact (to floating point) rather than approximate, and
pure Python so that it can run anywhere the CLI runs. Units: rates per second, times in
seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "QueueFigures",
    "agents_for_target",
    "erlang_a",
    "erlang_b",
    "erlang_c",
]

# States whose probability is below e**-_LOG_CUTOFF times the largest are dropped: that is
# ~1e-20 relative, far below anything a report prints.
_LOG_CUTOFF = 46.0
# An Erlang A chain needing more states than this is an overloaded queue with near-infinite
# patience: its figures are meaningless (a queue of millions), so we refuse rather than hang.
_MAX_QUEUE_STATES = 2_000_000


@dataclass(frozen=True)
class QueueFigures:
    """Steady-state figures for one staffing level, in the same terms the simulator reports.

    ``wait_mean_s`` averages over all arrivals (abandoners count until they leave) so that it
    matches Little's law; ``asa_s`` averages over answered customers only, as contact
    centres quote it. ``service_level`` counts abandoners as missed.
    """

    model: str
    agents: int
    p_wait: float
    wait_mean_s: float
    asa_s: float
    abandonment_rate: float
    service_level: float | None
    occupancy: float


def _check_positive(name: str, value: float) -> None:
    # ``not value > 0`` also rejects NaN, which would otherwise propagate silently.
    if not value > 0 or math.isinf(value):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")


def _check_common(
    agents: int, arrival_rate: float, mean_handle_s: float, within_s: float | None
) -> None:
    if agents < 1:
        raise ValueError(f"agents must be at least 1, got {agents}")
    _check_positive("arrival_rate", arrival_rate)
    _check_positive("mean_handle_s", mean_handle_s)
    if within_s is not None and (not within_s >= 0 or math.isinf(within_s)):
        raise ValueError(f"within_s must be a finite number >= 0, got {within_s!r}")


def erlang_b(n: int, a: float) -> float:
    """Blocking probability of M/M/n/n with offered load ``a`` erlangs.

    The recursion never forms a**n or n!, so it neither overflows nor loses precision for
    thousands of servers.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not a >= 0:
        raise ValueError(f"offered load must be >= 0, got {a!r}")
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(
    agents: int, arrival_rate: float, mean_handle_s: float, within_s: float | None = None
) -> QueueFigures:
    """M/M/n without abandonment: the textbook staffing answer, valid only below saturation."""
    _check_common(agents, arrival_rate, mean_handle_s, within_s)
    n = agents
    mu = 1.0 / mean_handle_s
    a = arrival_rate * mean_handle_s
    if a >= n:
        raise ValueError(f"unstable: offered load {a:.1f} erlangs needs more than {n} agents")
    b = erlang_b(n, a)
    c = n * b / (n - a * (1.0 - b))
    drain = n * mu - arrival_rate  # rate at which the excess queue empties
    wait = c / drain
    sl = None if within_s is None else 1.0 - c * math.exp(-drain * within_s)
    return QueueFigures(
        model="C",
        agents=n,
        p_wait=c,
        wait_mean_s=wait,
        asa_s=wait,  # nobody abandons, so answered customers are all customers
        abandonment_rate=0.0,
        service_level=sl,
        occupancy=a / n,
    )


def erlang_a(
    agents: int,
    arrival_rate: float,
    mean_handle_s: float,
    mean_patience_s: float,
    within_s: float | None = None,
) -> QueueFigures:
    """M/M/n+M (Palm / Erlang A): exponential patience, stable at any load.

    We sum the birth-death chain in log space with running rescaling, so nothing overflows
    for thousands of agents, and fold the tagged-customer figures into the same pass:

    An arrival that finds ``j`` customers ahead in queue reaches an agent after
    T_j = sum of Exp(n*mu + i*theta), i = 0..j, while its own patience is Exp(theta). Hence

    * P(served | j) = E[exp(-theta T_j)] = n*mu / (n*mu + (j+1)*theta) (the product
      telescopes);
    * E[T_j; served] = P(served | j) * sum_{i=0..j} 1 / (n*mu + (i+1)*theta);
    * P(served, T_j <= t) = P(served | j) * P(T'_j <= t), where T'_j is T_j with every rate
      raised by theta (exponential tilting). A pure-death chain with rates beta + i*theta
      has P(T'_j > t) = P(X <= j) for X ~ NegativeBinomial(beta/theta, exp(-theta t)),
      whose terms are all positive, so the sum is stable (no alternating hypoexponential
      coefficients). As theta -> 0 it tends to the Poisson form of Erlang C.
    """
    _check_common(agents, arrival_rate, mean_handle_s, within_s)
    _check_positive("mean_patience_s", mean_patience_s)
    n = agents
    lam = arrival_rate
    mu = 1.0 / mean_handle_s
    theta = 1.0 / mean_patience_s
    a = lam * mean_handle_s
    cap = n * mu  # queue departures by service while all agents are busy

    too_long = ValueError(
        f"Erlang A queue too long to evaluate: offered load {a:.1f} erlangs on {n} agents "
        f"with mean patience {mean_patience_s:g} s keeps over {_MAX_QUEUE_STATES} customers "
        "waiting; use a realistic patience"
    )
    if lam > cap and (lam - cap) / theta > _MAX_QUEUE_STATES:
        raise too_long  # the most likely queue length is (lam - cap) / theta

    # Running sums, all scaled by exp(-ref) so the largest weight seen is about 1.
    ref = 0.0
    s_total = 0.0
    s_free = 0.0  # arrivals that find an idle agent
    s_queue = 0.0  # arrivals that must wait: P(W > 0)
    s_len = 0.0  # queue length, for E[Q]
    s_served = 0.0  # served after waiting
    s_wait_served = 0.0  # wait of those served after waiting
    s_sl = 0.0  # served within within_s after waiting

    def add(logw: float) -> float:
        """Rescale when a new maximum appears; return the weight relative to ``ref``."""
        nonlocal ref, s_total, s_free, s_queue, s_len, s_served, s_wait_served, s_sl
        if logw > ref:
            f = math.exp(ref - logw)
            s_total *= f
            s_free *= f
            s_queue *= f
            s_len *= f
            s_served *= f
            s_wait_served *= f
            s_sl *= f
            ref = logw
        return math.exp(logw - ref)

    # States 0..n-1: Poisson-shaped, weight a**k / k!.
    log_a = math.log(a)
    logw = 0.0
    for k in range(n):
        if k:
            logw += log_a - math.log(k)
        w = add(logw)
        s_total += w
        s_free += w

    # Negative binomial for the tilted time-to-service, tracked as log pmf and running cdf.
    t_sl = within_s or 0.0
    p_fail = -math.expm1(-theta * t_sl)
    # shape * p_fail, written so that theta -> 0 stays exact: (cap + theta) * t in the limit
    shape_p = (cap + theta) * (p_fail / theta)
    nb_log_pmf = -(cap + theta) * t_sl  # log of exp(-theta t) ** shape
    nb_cdf = 0.0
    # With t = 0 (or so small it underflows) nobody who queues is answered in time.
    track_sl = shape_p > 0.0

    log_lam = math.log(lam)
    harmonic = 0.0
    j = 0
    logw += log_a - math.log(n)  # state k = n: first arrival to wait finds 0 ahead
    while True:
        if j:
            logw += log_lam - math.log(cap + j * theta)
        w = add(logw)
        # the tagged customer's queue-exit rate once it is itself in the count
        exit_rate = cap + (j + 1) * theta
        served = cap / exit_rate
        harmonic += 1.0 / exit_rate
        s_total += w
        s_queue += w
        s_len += j * w
        s_served += w * served
        s_wait_served += w * served * harmonic
        if track_sl:
            if j:
                nb_log_pmf += math.log(shape_p + p_fail * (j - 1)) - math.log(j)
            nb_cdf += math.exp(nb_log_pmf)
            s_sl += w * served * max(0.0, 1.0 - nb_cdf)
        j += 1
        # Past the mode (weights falling) and negligible: the rest of the tail is smaller
        # still, since the ratio lam / (cap + j*theta) only decreases.
        if lam < cap + j * theta and logw - ref < -_LOG_CUTOFF:
            break
        if j > _MAX_QUEUE_STATES:
            raise too_long

    mean_queue = s_len / s_total
    p_abandon = theta * mean_queue / lam
    p_served = (s_free + s_served) / s_total
    asa = s_wait_served / s_total / p_served if p_served > 0 else math.nan
    sl: float | None = None
    if within_s is not None:
        sl = (s_free + s_sl) / s_total
    return QueueFigures(
        model="A",
        agents=n,
        p_wait=s_queue / s_total,
        wait_mean_s=mean_queue / lam,
        asa_s=asa,
        abandonment_rate=p_abandon,
        service_level=sl,
        # ≤ 1 in theory; clamp the last-bit rounding of a saturated floor
        occupancy=min(1.0, lam * (1.0 - p_abandon) * mean_handle_s / n),
    )


def agents_for_target(
    arrival_rate: float,
    mean_handle_s: float,
    within_s: float,
    at_least: float,
    mean_patience_s: float | None = None,
    max_abandonment: float | None = None,
) -> QueueFigures:
    """Smallest staffing that meets a service-level target (and an abandonment cap, if given).

    Without a patience the answer is Erlang C, which has no abandonment, so a cap on it is
    met trivially. Service level rises and abandonment falls with every added agent, so we
    bracket the answer by doubling and then bisect: a few dozen evaluations even for
    thousands of agents.
    """
    _check_positive("arrival_rate", arrival_rate)
    _check_positive("mean_handle_s", mean_handle_s)
    if not 0.0 <= at_least < 1.0:
        raise ValueError(f"at_least must be a service-level share in [0, 1), got {at_least!r}")
    if max_abandonment is not None and not 0.0 < max_abandonment <= 1.0:
        raise ValueError(f"max_abandonment must be a share in (0, 1], got {max_abandonment!r}")
    if mean_patience_s is not None:
        _check_positive("mean_patience_s", mean_patience_s)

    def figures(n: int) -> QueueFigures:
        if mean_patience_s is None:
            return erlang_c(n, arrival_rate, mean_handle_s, within_s)
        return erlang_a(n, arrival_rate, mean_handle_s, mean_patience_s, within_s)

    def meets(f: QueueFigures) -> bool:
        assert f.service_level is not None
        if f.service_level < at_least:
            return False
        return max_abandonment is None or f.abandonment_rate <= max_abandonment

    load = arrival_rate * mean_handle_s
    lowest = math.floor(load) + 1 if mean_patience_s is None else 1
    best = figures(lowest)
    if meets(best):
        return best
    fail, step = lowest, 1
    while True:
        hi = fail + step
        best = figures(hi)
        if meets(best):
            break
        fail, step = hi, step * 2
    while hi - fail > 1:
        mid = (fail + hi) // 2
        f = figures(mid)
        if meets(f):
            hi, best = mid, f
        else:
            fail = mid
    return best
