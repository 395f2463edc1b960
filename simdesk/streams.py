"""Named, independent random streams derived from one seed.

Randomness belongs to the caller (as in SimPy): the engine receives a ``Streams`` object
and asks it for a stream by name. Each name gets its own generator seeded from
(seed, replication, hash(name)), so adding a pool or changing how often one stream is used
never shifts the draws of another. Two scenarios run with the same seed and replication
see the same arrivals, types, patience and handle-time needs wherever they agree on them:
that is what makes paired (common random numbers) comparisons precise.

Draws are taken from numpy in batches and handed out one Python float at a time, which
keeps the per-draw cost at an iterator step while preserving each stream's order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt

Sampler = Callable[[np.random.Generator, int], npt.NDArray[np.float64]]

BATCH = 4096


def _name_key(name: str) -> list[int]:
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]


class Streams:
    """Factory of independent generators for one (seed, replication)."""

    def __init__(self, seed: int, replication: int = 0) -> None:
        self.seed = seed
        self.replication = replication

    def generator(self, name: str) -> np.random.Generator:
        entropy = [self.seed & 0xFFFFFFFF, self.seed >> 32, self.replication, *_name_key(name)]
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))

    def draws(self, name: str, sampler: Sampler, batch: int = BATCH) -> Draws:
        return Draws(self.generator(name), sampler, batch)

    def uniforms(self, name: str) -> Draws:
        return self.draws(name, _uniform)


def _uniform(rng: np.random.Generator, n: int) -> npt.NDArray[np.float64]:
    return rng.random(n)


class Draws:
    """One stream's values in order, refilled in batches; call it for the next value."""

    __slots__ = ("_batch", "_it", "_rng", "_sampler")

    def __init__(self, rng: np.random.Generator, sampler: Sampler, batch: int) -> None:
        self._rng = rng
        self._sampler = sampler
        self._batch = batch
        self._it: Iterator[float] = iter(())

    def __call__(self) -> float:
        try:
            return next(self._it)
        except StopIteration:
            self._it = iter(self._sampler(self._rng, self._batch).tolist())
            return next(self._it)
