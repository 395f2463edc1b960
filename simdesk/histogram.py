"""Wait histograms for streamed quantiles, and the raw waits of one hour's cell.

Memory does not grow with the number of inquiries: waits go into logarithmic bins, so a
quantile is exact to within the bin's relative width. The accuracy promised to users is in
docs/figures.md ("Wait quantiles: accuracy"): zero waits are counted exactly; waits from
0.1 s to 30 days fall in bins 1% wide, and a quantile is reported as the bin's geometric
midpoint, within 0.5% of the true sample quantile; waits below 0.1 s are reported as
0.05 s, above 30 days as 30 days.

Two shapes of the same counts:

- ``WaitHistogram``: the bins as a list, allocated at the first wait above zero (a scope
  where nobody waited costs a few bytes); pools count into it as they go.
- ``WaitBuffer``: a contact cell lives for one hour of one day (engine/recording.py), so
  it keeps that hour's waits as they come (a list append, cheaper than binning) and they
  are binned together, vectorised, when the cell is folded into its day and hour.
  ``bin_counts`` bins them exactly as ``WaitHistogram.add`` would.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate
from operator import add
from typing import Any

import numpy as np

LOW = 0.1
HIGH = 30 * 86400.0
GROWTH = 1.01
_LOG_GROWTH = math.log(GROWTH)
NBINS = int(math.log(HIGH / LOW) / _LOG_GROWTH) + 2

_NO_BINS: tuple[int, ...] = ()
"""The bins of a histogram that has not counted a wait above zero yet (shared, empty)."""


class WaitHistogram:
    """Counts of waits: an exact zero counter plus log-spaced bins (allocated lazily)."""

    __slots__ = ("bins", "count", "zeros")

    def __init__(self) -> None:
        self.zeros = 0
        self.count = 0
        self.bins: list[int] | tuple[int, ...] = _NO_BINS

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
        try:
            self.bins[i] += 1  # type: ignore[index]
        except IndexError:  # the first wait above zero: the empty tuple has no bin i
            bins = [0] * NBINS
            bins[i] = 1
            self.bins = bins

    def merge(self, other: WaitHistogram) -> None:
        self.zeros += other.zeros
        self.count += other.count
        if not other.bins:
            return
        if not self.bins:
            self.bins = list(other.bins)
        else:
            self.bins = list(map(add, self.bins, other.bins))

    def add_counts(self, zeros: int, count: int, bins: np.ndarray[Any, Any] | None) -> None:
        """Add counts binned elsewhere (``bin_counts``, a folded day or hour)."""
        self.zeros += zeros
        self.count += count
        if bins is None or not bins.any():
            return
        if not self.bins:
            self.bins = bins.tolist()
        else:
            self.bins = (np.asarray(self.bins, dtype=np.int64) + bins).tolist()

    def quantile(self, q: float) -> float:
        """The q-quantile (0 < q < 1) of all added waits; NaN when empty."""
        if self.count == 0:
            return math.nan
        rank = q * self.count
        zeros = self.zeros
        if rank <= zeros:
            return 0.0
        # The first bin at which the waits counted so far reach the rank (it holds a
        # wait: the count rises there), found by bisection over the running counts.
        cum = list(accumulate(self.bins))
        i = bisect_left(cum, rank, key=lambda c: zeros + c)
        if i < len(cum):
            return _midpoint(i)
        last = next((j for j in range(len(cum) - 1, -1, -1) if self.bins[j]), 0)
        return _midpoint(last)


class WaitBuffer:
    """One hour's cell's waits, kept raw until the cell is folded (``bin_counts``).

    ``add`` is the bound ``append`` of the list of waits, so counting a wait costs what
    appending costs. A wait of zero is counted in ``zeros`` directly, without a call;
    the count of all waits is ``zeros`` plus the waits in the list (``count`` stays 0),
    and those add to the zeros they hold when binned (engine/recording.py)."""

    __slots__ = ("add", "count", "waits", "zeros")

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.add = self.waits.append
        self.count = 0
        self.zeros = 0


def bin_counts(waits: Sequence[float] | np.ndarray[Any, Any]) -> tuple[
    int, np.ndarray[Any, Any]
]:
    """(zeros, bin index per wait) of raw waits, each binned as ``WaitHistogram.add`` bins
    it (0 for a zero wait, which is counted apart: its index is -1)."""
    x = np.asarray(waits, dtype=np.float64)
    idx = np.full(x.shape, -1, dtype=np.int64)
    positive = x > 0.0
    idx[positive & (x < LOW)] = 0
    idx[x >= HIGH] = NBINS - 1
    mid = positive & (x >= LOW) & (x < HIGH)
    if mid.any():
        v = x[mid]
        scaled = np.log(v / LOW) / _LOG_GROWTH
        i = scaled.astype(np.int64) + 1
        # numpy's log may differ from math.log in the last bit; a wait that close to a bin
        # edge is binned the way WaitHistogram.add bins it, so both give the same counts.
        near = np.abs(scaled - np.round(scaled)) < 1e-9
        for k in np.flatnonzero(near):
            i[k] = int(math.log(float(v[k]) / LOW) / _LOG_GROWTH) + 1
        idx[mid] = i
    return int(np.count_nonzero(~positive)), idx


def quantile_of(zeros: int, count: int, bins: np.ndarray[Any, Any], q: float) -> float:
    """``WaitHistogram.quantile`` of counts held as an array (a period's)."""
    if count == 0:
        return math.nan
    rank = q * count
    if rank <= zeros:
        return 0.0
    cum = zeros + np.cumsum(bins)
    i = int(np.searchsorted(cum, rank, side="left"))
    if i >= len(cum):
        nonzero = np.flatnonzero(bins)
        i = int(nonzero[-1]) if len(nonzero) else 0
    return _midpoint(i)


def _midpoint(i: int) -> float:
    if i == 0:
        return LOW / 2
    if i >= NBINS - 1:
        return HIGH
    return float(LOW * GROWTH ** (i - 0.5))
