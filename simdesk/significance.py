"""Two-sample tests from summary statistics, and Holm's correction over many of them.

``simdesk check`` compares dozens of figures at once. Judged one by one at 95%, some
figure of some scenario moves "beyond noise" by chance in many checks; so each figure
gets a p-value from Welch's t-test (baseline replications against the new run's, from
the mean, standard deviation and count each side records) and the p-values of all the
figures of one check are corrected together by Holm's step-down procedure, which keeps
the chance of *any* false alarm at most alpha whatever the dependence between figures
(they are strongly dependent: waits, service level and abandonment move together).

Stdlib only, like confidence.py: the CI path must not need a numeric stack.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from simdesk.confidence import t_two_sided_p

__all__ = ["holm_adjusted", "holm_rejects", "welch_p"]


def welch_p(mean_a: float, sd_a: float, n_a: int, mean_b: float, sd_b: float, n_b: int) -> float:
    """Two-sided p-value of Welch's t-test that two independent samples share a mean.

    Welch rather than Student because a change to a desk changes the spread of its
    figures too. Needs at least two values each side. When neither side varies at all
    (a figure that is always 0, or identical runs) there is no noise to judge by: equal
    means give p = 1, different means p = 0 (a deterministic figure that moved did move).
    Runs that share random numbers (a check reruns the baseline's seed) are positively
    correlated, which makes this independent-samples test conservative, not liberal.
    """
    if n_a < 2 or n_b < 2:
        raise ValueError(f"Welch's test needs two values a side, got n = {n_a}, {n_b}")
    va, vb = sd_a * sd_a / n_a, sd_b * sd_b / n_b
    se2 = va + vb
    diff = mean_b - mean_a
    if se2 == 0.0 or not math.isfinite(se2):
        if not math.isfinite(se2):
            return math.nan
        return 1.0 if diff == 0.0 else 0.0
    t = diff / math.sqrt(se2)
    # Welch-Satterthwaite degrees of freedom; a side with no spread contributes nothing.
    df = se2 * se2 / (va * va / (n_a - 1) + vb * vb / (n_b - 1))
    return t_two_sided_p(t, df)


def holm_adjusted(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values, in the input order.

    Sorted ascending, the i-th smallest of m p-values (i from 1) is multiplied by
    m - i + 1, capped at 1, and made non-decreasing along the sorted order. A hypothesis
    is rejected at level alpha exactly when its adjusted p-value is at most alpha, which
    is Holm's step-down rule: reject while p_(i) <= alpha / (m - i + 1), stop at the first
    that is not. The family-wise error rate is then at most alpha under any dependence.
    """
    ps = [1.0 if math.isnan(p) else p for p in p_values]  # no evidence: never rejected
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    out = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * ps[i]))
        out[i] = running
    return out


def holm_rejects(p_values: Sequence[float], alpha: float) -> list[bool]:
    """Which hypotheses Holm's procedure rejects at family-wise level ``alpha``."""
    return [p <= alpha for p in holm_adjusted(p_values)]
