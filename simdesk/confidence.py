"""Replication statistics: means with Student-t 95% confidence intervals.

Stdlib only, so that reports and CI checks need no numeric stack. A handful of replications
is the norm, so the t quantile must be exact for small degrees of freedom rather than the
normal 1.96; we invert the regularized incomplete beta function to get it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "Estimate",
    "bounded",
    "estimate",
    "paired_difference",
    "t_quantile_95",
    "t_quantile_975",
    "t_two_sided_p",
]


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta (modified Lentz), converging for
    x < (a + 1) / (a + b + 2); callers use the symmetry relation beyond that."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_quantile_975(df: int) -> float:
    """0.975 quantile of Student's t with ``df`` degrees of freedom.

    P(|T| > t) = I_x(df/2, 1/2) with x = df / (df + t^2), so the two-sided 5% point is the
    x where that equals 0.05. Bisection on x is slow-ish (~60 steps) but cannot fail, and
    the cache makes repeated calls free.
    """
    if isinstance(df, bool) or not isinstance(df, int) or df < 1:
        raise ValueError(f"degrees of freedom must be a positive integer, got {df!r}")
    return _t_quantile(df, 0.05)


def t_quantile_95(df: int) -> float:
    """0.95 quantile of Student's t: the factor of a one-sided 95% bound (a staffing search
    asks "is the service level above 80%?", not "where is it?")."""
    if isinstance(df, bool) or not isinstance(df, int) or df < 1:
        raise ValueError(f"degrees of freedom must be a positive integer, got {df!r}")
    return _t_quantile(df, 0.10)


@lru_cache(maxsize=1024)
def _t_quantile(df: int, two_sided: float) -> float:
    """The t with P(|T| > t) = ``two_sided``."""
    a = df / 2.0
    lo, hi = 0.0, 1.0  # I_x(a, 1/2) increases with x; we want the x where it is two_sided
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if _betainc(a, 0.5, mid) < two_sided:
            lo = mid
        else:
            hi = mid
    x = 0.5 * (lo + hi)
    return math.sqrt(df * (1.0 - x) / x)


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| > |t|) for Student's t with ``df`` (possibly fractional) degrees of freedom.

    The same identity as ``t_quantile_975``, read the other way: the probability is
    I_x(df/2, 1/2) with x = df / (df + t^2). Fractional ``df`` is what Welch's test needs.
    """
    if not df > 0:
        raise ValueError(f"degrees of freedom must be positive, got {df!r}")
    if math.isnan(t):
        return math.nan
    if math.isinf(t):
        return 0.0
    return min(1.0, _betainc(df / 2.0, 0.5, df / (df + t * t)))


@dataclass(frozen=True)
class Estimate:
    """A replication mean and its 95% interval; ``n`` counts the values actually used.

    ``ci95`` and ``sd`` (the sample standard deviation over replications) are None when
    the spread cannot be estimated (fewer than two usable values, or an infinite value),
    so a report prints the mean alone rather than a fake interval. ``sd`` and ``n`` are
    kept so that two estimates can be tested against each other later (``simdesk check``
    runs Welch's test on a baseline's figures and a new run's).
    """

    mean: float
    ci95: tuple[float, float] | None
    n: int
    sd: float | None = None

    @property
    def half_width(self) -> float:
        """Half the interval's width, the "±" figure a report prints; NaN without an interval,
        so that arithmetic and formatting on it need no None checks."""
        if self.ci95 is None:
            return math.nan
        return (self.ci95[1] - self.ci95[0]) / 2.0


def estimate(values: Sequence[float]) -> Estimate:
    """Mean and Student-t 95% interval over replications.

    NaN marks a figure a replication could not produce (e.g. no customer was answered), so
    it is dropped rather than poisoning the mean, and ``n`` says how many values remain.
    Infinities are real results and are kept; they leave the interval undefined.
    """
    used = [float(v) for v in values if not math.isnan(v)]
    n = len(used)
    if n == 0:
        return Estimate(mean=math.nan, ci95=None, n=0)
    if not all(math.isfinite(v) for v in used):
        return Estimate(mean=sum(used) / n, ci95=None, n=n)
    mean = math.fsum(used) / n
    if n < 2:
        return Estimate(mean=mean, ci95=None, n=n)
    # Two-pass variance: no cancellation when the spread is tiny relative to the mean.
    var = math.fsum((v - mean) ** 2 for v in used) / (n - 1)
    half = t_quantile_975(n - 1) * math.sqrt(var / n)
    return Estimate(mean=mean, ci95=(mean - half, mean + half), n=n, sd=math.sqrt(var))


def bounded(e: Estimate, low: float, high: float) -> Estimate:
    """The estimate with its interval cut to ``[low, high]``, the values the figure can take.

    A Student-t interval of a share near 100% or of a wait quantile that is mostly 0 can
    reach past what is possible (``0.6s ± 2.4s``). Cutting it loses no coverage: whenever
    the true value (which lies in the range) is inside the t interval, it is inside the cut
    one too. The mean is left alone; it is always in range.
    """
    if e.ci95 is None:
        return e
    lo, hi = e.ci95
    if lo >= low and hi <= high:
        return e
    cut = (min(max(lo, low), high), max(min(hi, high), low))
    # sd and n stay as measured: `check` tests on them, not on the printed interval.
    return Estimate(mean=e.mean, ci95=cut, n=e.n, sd=e.sd)


def paired_difference(a: Sequence[float], b: Sequence[float]) -> Estimate:
    """Estimate of b - a from replications that shared random numbers (common seeds).

    Pairing cancels the noise both scenarios share, so the interval is far narrower than
    comparing two independent intervals; a pair with a NaN on either side is dropped.
    """
    if len(a) != len(b):
        raise ValueError(f"paired replications must have equal counts, got {len(a)} and {len(b)}")
    return estimate([y - x for x, y in zip(a, b, strict=True)])
