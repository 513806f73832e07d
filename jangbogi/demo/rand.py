"""Deterministic random streams.

Every stream is a numpy ``default_rng`` seeded from the config seed plus a fixed label, so each
phase (and each shopper) has its own independent stream: changing how many draws one shopper
makes never shifts the draws of another. Scalar draws come from pre-drawn blocks because a
numpy call per scalar would dominate the simulation's run time.
"""

from __future__ import annotations

import math
import zlib
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import TypeVar

import numpy as np

_BLOCK = 2048
T = TypeVar("T")


def label_key(label: str) -> int:
    """A stable integer for a phase label (``hash()`` of a str changes between processes)."""
    return zlib.crc32(label.encode("utf-8"))


def make_rng(seed: int, label: str, *index: int) -> np.random.Generator:
    return np.random.default_rng([seed, label_key(label), *index])


class Stream:
    """Fast scalar draws from a numpy generator."""

    __slots__ = ("_i", "_j", "_n", "_normals", "_rng", "_u")

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._u: list[float] = []
        self._n: list[float] = []
        self._i = 0
        self._j = 0

    @classmethod
    def of(cls, seed: int, label: str, *index: int) -> Stream:
        return cls(make_rng(seed, label, *index))

    @property
    def rng(self) -> np.random.Generator:
        return self._rng

    def u(self) -> float:
        """Uniform on [0, 1)."""
        if self._i >= len(self._u):
            self._u = self._rng.random(_BLOCK).tolist()
            self._i = 0
        x = self._u[self._i]
        self._i += 1
        return x

    def normal(self) -> float:
        if self._j >= len(self._n):
            self._n = self._rng.standard_normal(_BLOCK).tolist()
            self._j = 0
        x = self._n[self._j]
        self._j += 1
        return x

    def chance(self, p: float) -> bool:
        return self.u() < p

    def randint(self, lo: int, hi: int) -> int:
        """Integer in [lo, hi] inclusive."""
        return lo + int(self.u() * (hi - lo + 1))

    def uniform(self, lo: float, hi: float) -> float:
        return lo + (hi - lo) * self.u()

    def lognormal(self, sigma: float) -> float:
        """Multiplicative noise with median 1."""
        return math.exp(sigma * self.normal())

    def gumbel(self) -> float:
        return -math.log(-math.log(self.u() or 1e-12))

    def poisson(self, lam: float) -> int:
        # Knuth's method: lam stays small (< 30) everywhere in the generator.
        limit, k, p = math.exp(-lam), 0, self.u()
        while p > limit:
            k += 1
            p *= self.u()
        return k

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.u() * len(items))]

    def weighted_index(self, weights: Sequence[float]) -> int:
        cum = list(accumulate(weights))
        return min(bisect_right(cum, self.u() * cum[-1]), len(cum) - 1)
