"""Fixed-size wait histogram for streamed quantiles.

Memory does not grow with the number of inquiries: waits go into logarithmic bins, so a
quantile is exact to within the bin's relative width. The accuracy promised to users is in
docs/figures.md ("Wait quantiles: accuracy"): zero waits are counted exactly; waits from
0.1 s to 30 days fall in bins 1% wide, and a quantile is reported as the bin's geometric
midpoint, within 0.5% of the true sample quantile; waits below 0.1 s are reported as
0.05 s, above 30 days as 30 days.
"""

from __future__ import annotations

import math

LOW = 0.1
HIGH = 30 * 86400.0
GROWTH = 1.01
_LOG_GROWTH = math.log(GROWTH)
NBINS = int(math.log(HIGH / LOW) / _LOG_GROWTH) + 2


class WaitHistogram:
    """Counts of waits: an exact zero counter plus log-spaced bins."""

    __slots__ = ("bins", "count", "zeros")

    def __init__(self) -> None:
        self.zeros = 0
        self.count = 0
        self.bins: list[int] = [0] * NBINS

    def add(self, wait: float) -> None:
        self.count += 1
        if wait <= 0.0:
            self.zeros += 1
            return
        if wait < LOW:
            i = 0
        elif wait >= HIGH:
            i = NBINS - 1
        else:
            i = int(math.log(wait / LOW) / _LOG_GROWTH) + 1
        self.bins[i] += 1

    def merge(self, other: WaitHistogram) -> None:
        self.zeros += other.zeros
        self.count += other.count
        self.bins = [a + b for a, b in zip(self.bins, other.bins, strict=True)]

    def quantile(self, q: float) -> float:
        """The q-quantile (0 < q < 1) of all added waits; NaN when empty."""
        if self.count == 0:
            return math.nan
        rank = q * self.count
        if rank <= self.zeros:
            return 0.0
        seen = self.zeros
        last = 0
        for i, c in enumerate(self.bins):
            if c:
                seen += c
                last = i
                if seen >= rank:
                    return _midpoint(i)
        return _midpoint(last)


def _midpoint(i: int) -> float:
    if i == 0:
        return LOW / 2
    if i >= NBINS - 1:
        return HIGH
    return float(LOW * GROWTH ** (i - 0.5))
