"""Personalised ranking (like Naver's AiTEMS): re-rank candidates for a shopper from their history.

Features of a (shopper, product) pair — popularity within the type, having bought the product,
brand affinity, usual pack size, price level, recency, clicks (cold start) — are blended by weights
*learned* from purchases (pairwise logistic regression: the product bought against others of its
type), never hand-tuned. The same feature code serves the runtime, the demo evaluation and the
Complete Journey evaluation, so what is measured is what runs.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from retrieval.catalog import Catalog
    from retrieval.service import SearchResult

FEATURES = (
    "popularity",  # log share of the product's purchases within its type
    "bought_before",  # log(1 + times this shopper bought this product)
    "brand_in_type",  # share of the shopper's purchases of this type that were this brand
    "brand_overall",  # share of all the shopper's purchases that were this brand
    "size_usual",  # share of the shopper's purchases of this type in this size
    "pack_tier_match",  # 1 - |product's pack tier - shopper's usual tier| (small…large, 0…1)
    "price_tier_match",  # 1 - |product's unit-price tier - shopper's usual price tier|
    "recency",  # exp(-days since the shopper last bought this product / 60)
    "clicked",  # log(1 + the shopper's clicks on this product)
    "clicked_brand",  # share of the shopper's clicks on this brand
)
REASONS = {
    "bought_before": ("you bought this before", "전에 구매하신 상품이에요"),
    "brand_in_type": ("you usually buy this brand", "자주 사시는 브랜드예요"),
    "brand_overall": ("a brand you often buy", "즐겨 사시는 브랜드예요"),
    "size_usual": ("your usual size", "늘 사시던 용량이에요"),
    "pack_tier_match": ("the pack size you prefer", "선호하시는 용량이에요"),
    "price_tier_match": ("in your usual price range", "평소 구매 가격대예요"),
    "recency": ("you bought this recently", "최근에 구매하셨어요"),
    "clicked": ("you looked at this recently", "최근에 보신 상품이에요"),
    "clicked_brand": ("a brand you looked at", "관심 있게 보신 브랜드예요"),
    "popularity": ("popular with shoppers", "인기 상품이에요"),
}


@dataclass(frozen=True)
class Item:
    """What ranking needs of a product (a catalog product or a Complete Journey product)."""

    id: int
    type_key: str
    brand: str
    size: float
    price: float


@dataclass
class Profile:
    """One shopper's history, reduced to counts."""

    purchases: Counter[int] = field(default_factory=Counter)
    last_bought: dict[int, float] = field(default_factory=dict)  # product → unix time
    type_counts: Counter[str] = field(default_factory=Counter)
    brand_type_counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    brand_counts: Counter[str] = field(default_factory=Counter)
    size_type_counts: Counter[tuple[str, float]] = field(default_factory=Counter)
    pack_tiers: list[float] = field(default_factory=list)
    price_tiers: list[float] = field(default_factory=list)
    clicks: Counter[int] = field(default_factory=Counter)
    click_brands: Counter[str] = field(default_factory=Counter)

    @property
    def n_purchases(self) -> int:
        return sum(self.purchases.values())

    def is_empty(self) -> bool:
        return not self.purchases and not self.clicks


class ItemStats:
    """Catalog-wide facts: purchase counts and each product's pack and unit-price tier within
    its type (0 = smallest/cheapest … 1 = largest/dearest)."""

    def __init__(self, items: Iterable[Item], purchase_counts: Counter[int]) -> None:
        self.items: dict[int, Item] = {it.id: it for it in items}
        self.counts = purchase_counts
        self.type_totals: Counter[str] = Counter()
        by_type: dict[str, list[Item]] = defaultdict(list)
        for it in self.items.values():
            by_type[it.type_key].append(it)
            self.type_totals[it.type_key] += purchase_counts.get(it.id, 0)
        self.pack_tier: dict[int, float] = {}
        self.price_tier: dict[int, float] = {}
        for members in by_type.values():
            self.pack_tier.update(_tiers(members, lambda it: it.size))
            self.price_tier.update(
                _tiers(members, lambda it: it.price / it.size if it.size > 0 else it.price)
            )
        self.n_types = max(1, len(by_type))

    def add(self, item: Item) -> None:
        self.items[item.id] = item
        self.pack_tier.setdefault(item.id, 0.5)
        self.price_tier.setdefault(item.id, 0.5)

    def observe(self, profile: Profile, product_id: int, ts: float, qty: int = 1) -> None:
        """Add one purchase to a profile."""
        it = self.items.get(product_id)
        if it is None:
            return
        profile.purchases[product_id] += 1
        profile.last_bought[product_id] = max(ts, profile.last_bought.get(product_id, ts))
        profile.type_counts[it.type_key] += 1
        profile.brand_type_counts[(it.type_key, it.brand)] += 1
        profile.brand_counts[it.brand] += 1
        profile.size_type_counts[(it.type_key, it.size)] += 1
        profile.pack_tiers.append(self.pack_tier.get(product_id, 0.5))
        profile.price_tiers.append(self.price_tier.get(product_id, 0.5))

    def observe_click(self, profile: Profile, product_id: int) -> None:
        it = self.items.get(product_id)
        if it is None:
            return
        profile.clicks[product_id] += 1
        profile.click_brands[it.brand] += 1

    def features(self, profile: Profile, candidates: Sequence[int], now: float) -> np.ndarray:
        """One row of FEATURES per candidate."""
        x = np.zeros((len(candidates), len(FEATURES)), dtype=np.float64)
        n_all = profile.n_purchases
        pack_pref = float(np.mean(profile.pack_tiers)) if profile.pack_tiers else None
        price_pref = float(np.mean(profile.price_tiers)) if profile.price_tiers else None
        n_clicks = sum(profile.clicks.values())
        for row, pid in enumerate(candidates):
            it = self.items.get(pid)
            if it is None:
                continue
            type_total = self.type_totals.get(it.type_key, 0)
            x[row, 0] = math.log((self.counts.get(pid, 0) + 1) / (type_total + 1))
            x[row, 1] = math.log1p(profile.purchases.get(pid, 0))
            n_type = profile.type_counts.get(it.type_key, 0)
            if n_type:
                x[row, 2] = profile.brand_type_counts.get((it.type_key, it.brand), 0) / n_type
                x[row, 4] = profile.size_type_counts.get((it.type_key, it.size), 0) / n_type
            if n_all:
                x[row, 3] = profile.brand_counts.get(it.brand, 0) / n_all
            if pack_pref is not None:
                x[row, 5] = 1.0 - abs(self.pack_tier.get(pid, 0.5) - pack_pref)
            if price_pref is not None:
                x[row, 6] = 1.0 - abs(self.price_tier.get(pid, 0.5) - price_pref)
            if pid in profile.last_bought:
                days = max(0.0, (now - profile.last_bought[pid]) / 86400.0)
                x[row, 7] = math.exp(-days / 60.0)
            x[row, 8] = math.log1p(profile.clicks.get(pid, 0))
            if n_clicks:
                x[row, 9] = profile.click_brands.get(it.brand, 0) / n_clicks
        return x


def _tiers(members: list[Item], key: Any) -> dict[int, float]:
    values = sorted({key(it) for it in members})
    if len(values) <= 1:
        return {it.id: 0.5 for it in members}
    rank = {v: i / (len(values) - 1) for i, v in enumerate(values)}
    return {it.id: rank[key(it)] for it in members}


@dataclass
class Blend:
    """A linear score w·x over FEATURES, learned pairwise."""

    weights: np.ndarray
    scale: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def score(self, x: np.ndarray) -> np.ndarray:
        return (x / self.scale) @ self.weights

    def contributions(self, x: np.ndarray) -> np.ndarray:
        return (x / self.scale) * self.weights

    @classmethod
    def popularity_only(cls) -> Blend:
        w = np.zeros(len(FEATURES))
        w[0] = 1.0
        return cls(w, np.ones(len(FEATURES)), {"kind": "popularity"})

    def to_json(self) -> str:
        return json.dumps(
            {
                "features": list(FEATURES),
                "weights": self.weights.tolist(),
                "scale": self.scale.tolist(),
                "meta": self.meta,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> Blend:
        data = json.loads(text)
        if tuple(data["features"]) != FEATURES:
            raise ValueError("ranker was trained on other features; retrain it")
        return cls(np.asarray(data["weights"]), np.asarray(data["scale"]), data.get("meta", {}))


def fit_pairwise(groups: Iterable[tuple[np.ndarray, int]], c: float = 1.0, seed: int = 0) -> Blend:
    """Learn weights from groups (features of candidates, index of the one chosen): logistic
    regression on differences chosen − other (and the reverse), i.e. a linear RankNet."""
    from sklearn.linear_model import LogisticRegression

    diffs = []
    for x, chosen in groups:
        others = np.delete(x, chosen, axis=0)
        if len(others):
            diffs.append(x[chosen] - others)
    if not diffs:
        return Blend.popularity_only()
    d = np.vstack(diffs)
    scale = d.std(axis=0)
    scale[scale < 1e-9] = 1.0
    d = d / scale
    xs = np.vstack([d, -d])
    ys = np.concatenate([np.ones(len(d)), np.zeros(len(d))])
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=1000, random_state=seed)
    model.fit(xs, ys)
    return Blend(model.coef_[0].copy(), scale, {"kind": "pairwise-logistic", "pairs": len(d)})


# --- runtime over the store ----------------------------------------------------------------------
RANKER_FILE = "ranker.json"
PROFILE_TTL_S = 30.0
# How far personal preference may move a result against relevance: below the service's type boost,
# so a shopper's favourite never pushes a product of another type above the one asked for.
PERSONAL_WEIGHT = 0.01


class Personalizer:
    """Re-ranks search results for a shopper; profiles come from the store, cached briefly."""

    def __init__(self, engine: Engine | None, stats: ItemStats, blend: Blend) -> None:
        self.engine = engine
        self.stats = stats
        self.blend = blend
        self._cache: dict[str, tuple[float, Profile]] = {}
        self._lock = threading.Lock()

    @classmethod
    def open(cls, engine: Engine, catalog: Catalog, index_dir: Path) -> Personalizer:
        from retrieval.history import purchase_counts

        items = [Item(it.id, it.type_key, it.brand, it.size, it.price) for it in catalog.items]
        stats = ItemStats(items, purchase_counts(engine))
        path = index_dir / RANKER_FILE
        blend = Blend.from_json(path.read_text()) if path.exists() else Blend.popularity_only()
        return cls(engine, stats, blend)

    def profile(self, shopper_id: str) -> Profile:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(shopper_id)
            if hit and now - hit[0] < PROFILE_TTL_S:
                return hit[1]
        from retrieval.history import load_profile

        profile = load_profile(self.engine, self.stats, shopper_id) if self.engine else Profile()
        with self._lock:
            self._cache[shopper_id] = (now, profile)
        return profile

    def forget(self, shopper_id: str) -> None:
        """Drop a cached profile (after the shopper bought something)."""
        with self._lock:
            self._cache.pop(shopper_id, None)

    def rerank(self, shopper_id: str, results: list[SearchResult]) -> list[SearchResult]:
        """Unknown shoppers and shoppers with no history keep the relevance order."""
        for r in results:
            if r.item.id not in self.stats.items:
                self.stats.add(
                    Item(r.item.id, r.item.type_key, r.item.brand, r.item.size, r.item.price)
                )
        profile = self.profile(shopper_id)
        ids = [r.item.id for r in results]
        x = self.stats.features(profile, ids, time.time())
        personal = self.blend.score(x)
        if profile.is_empty():
            personal = np.zeros(len(ids))
        contrib = self.blend.contributions(x)
        rel = np.array([r.score for r in results])
        # Relevance stays first-order (a shopper asking for water gets water); within similar
        # relevance, personal preference decides. Both are put on comparable 0..1 scales.
        span = np.ptp(personal) if len(personal) else 0.0
        personal_01 = (personal - personal.min()) / span if span > 1e-12 else personal * 0
        final = rel + PERSONAL_WEIGHT * personal_01
        for r, f, c in zip(results, final, contrib, strict=True):
            r.legs["relevance"] = r.score
            r.score = float(f)
            r.reason, r.reason_ko = reason_for(c, profile)
        order = sorted(range(len(results)), key=lambda i: (-final[i], results[i].item.id))
        return [results[i] for i in order]


def reason_for(contrib: np.ndarray, profile: Profile) -> tuple[str | None, str | None]:
    """The feature that lifted this product most, as a short phrase in English and Korean."""
    if profile.is_empty():
        return None, None
    best = int(np.argmax(contrib))
    if contrib[best] <= 0.05:
        return None, None
    return REASONS[FEATURES[best]]
