"""Personal ranking: features against a naive recomputation, the learned blend recovers a known
preference, and re-ranking keeps relevance first for shoppers without history."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from retrieval.personal import FEATURES, Blend, Item, ItemStats, Profile, fit_pairwise, reason_for


def _catalog(rng: np.random.Generator, n_types: int = 6, per_type: int = 8) -> list[Item]:
    items = []
    for t in range(n_types):
        for j in range(per_type):
            items.append(
                Item(
                    id=t * 100 + j,
                    type_key=f"t{t}",
                    brand=f"b{j % 4}",
                    size=float([1, 2, 4][j % 3]),
                    price=float(rng.integers(1000, 20000)),
                )
            )
    return items


def test_features_match_a_naive_count() -> None:
    rng = np.random.default_rng(0)
    items = _catalog(rng)
    stats = ItemStats(items, Counter({0: 5, 1: 1, 100: 3}))
    profile = Profile()
    bought = [0, 0, 1, 4, 100]
    for n, pid in enumerate(bought):
        stats.observe(profile, pid, ts=1_000_000.0 + n * 86400)
    now = 1_000_000.0 + 10 * 86400
    x = stats.features(profile, [0, 4, 5, 100], now)
    by = {f: i for i, f in enumerate(FEATURES)}
    # product 0: type t0 bought 4 times (0,0,1,4); brand b0 covers products 0 and 4 → 3 of 4
    assert x[0, by["bought_before"]] == pytest.approx(math.log1p(2))
    assert x[0, by["brand_in_type"]] == pytest.approx(3 / 4)
    assert x[0, by["brand_overall"]] == pytest.approx(4 / 5)  # 0, 0, 4 and 100 are all b0
    assert x[0, by["popularity"]] == pytest.approx(math.log((5 + 1) / (6 + 1)))
    assert x[0, by["recency"]] == pytest.approx(math.exp(-9 / 60))
    # product 5 was never bought: no item history, but brand b1 (product 1) once in type t0
    assert x[2, by["bought_before"]] == 0 and x[2, by["recency"]] == 0
    assert x[2, by["brand_in_type"]] == pytest.approx(1 / 4)
    # sizes: product 0 and 4 are size 1 ... 0 (size 1), 1 (size 2), 4 (size 2) → size 1: 2 of 4
    assert x[0, by["size_usual"]] == pytest.approx(2 / 4)
    # an empty profile has only popularity
    empty = stats.features(Profile(), [0, 4], now)
    assert np.count_nonzero(empty[:, 1:]) == 0


def test_pairwise_blend_recovers_a_planted_preference() -> None:
    """Shoppers choose by a hidden linear utility; the learned weights point the same way."""
    rng = np.random.default_rng(42)
    true_w = np.array([0.5, 2.0, 1.5, 0.0, 1.0, 0.0, 0.0, 0.5, 0.0, 0.0])
    groups = []
    for _ in range(400):
        x = rng.normal(size=(12, len(FEATURES)))
        utility = x @ true_w + rng.gumbel(size=12) * 0.5
        groups.append((x, int(np.argmax(utility))))
    blend = fit_pairwise(groups)
    w = blend.weights / blend.scale
    cosine = float(w @ true_w / (np.linalg.norm(w) * np.linalg.norm(true_w)))
    assert cosine > 0.95
    # and it ranks held-out groups better than chance and than popularity alone
    hits = pop_hits = 0
    for _ in range(200):
        x = rng.normal(size=(12, len(FEATURES)))
        chosen = int(np.argmax(x @ true_w + rng.gumbel(size=12) * 0.5))
        hits += int(np.argmax(blend.score(x)) == chosen)
        pop_hits += int(np.argmax(x[:, 0]) == chosen)
    assert hits > 2 * pop_hits


def test_blend_round_trips_and_rejects_other_features() -> None:
    blend = Blend(np.arange(len(FEATURES), dtype=float), np.ones(len(FEATURES)), {"k": 1})
    again = Blend.from_json(blend.to_json())
    assert np.allclose(again.weights, blend.weights) and again.meta == {"k": 1}
    with pytest.raises(ValueError, match="retrain"):
        Blend.from_json(blend.to_json().replace('"popularity"', '"other"'))


def test_reason_names_the_strongest_personal_signal() -> None:
    profile = Profile()
    profile.purchases[1] = 1
    contrib = np.zeros(len(FEATURES))
    contrib[FEATURES.index("brand_in_type")] = 0.8
    contrib[FEATURES.index("bought_before")] = 0.3
    assert reason_for(contrib, profile)[0] == "you usually buy this brand"
    assert reason_for(contrib, Profile()) == (None, None)
    assert reason_for(np.zeros(len(FEATURES)), profile) == (None, None)
