"""Fusing ranked lists from the dense and lexical legs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RRF_K = 60


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[int]], k: int = RRF_K, weights: Sequence[float] | None = None
) -> dict[int, float]:
    """score(d) = Σ_legs w / (k + rank(d)), ranks from 1. Rank-based, so the legs' incomparable
    score scales (cosine vs BM25) need no calibration."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, w in zip(rankings, weights, strict=True):
        for rank, doc in enumerate(ranking, start=1):
            fused[int(doc)] = fused.get(int(doc), 0.0) + w / (k + rank)
    return fused


def minmax(scores: np.ndarray) -> np.ndarray:
    if len(scores) == 0:
        return scores
    lo, hi = float(scores.min()), float(scores.max())
    if hi - lo < 1e-12:
        return np.ones_like(scores)
    return (scores - lo) / (hi - lo)


def weighted_sum(
    legs: Sequence[tuple[np.ndarray, np.ndarray]], weights: Sequence[float]
) -> dict[int, float]:
    """Σ w · minmax(score) over the legs a document appears in (absent counts as 0)."""
    fused: dict[int, float] = {}
    for (ids, scores), w in zip(legs, weights, strict=True):
        for doc, s in zip(ids.tolist(), minmax(scores).tolist(), strict=True):
            fused[doc] = fused.get(doc, 0.0) + w * s
    return fused


def top_k(scores: dict[int, float], k: int) -> list[tuple[int, float]]:
    """Highest first; ties broken by smaller id so results are deterministic."""
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
