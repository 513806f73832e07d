"""Precision@10 of tag suggestions against the demo data's planted queries.

The demo's shoppers build queries from a type's taxonomy names and synonyms (Korean and
English), sometimes with the brand they buy and a pack size (docs/demo-data.md). A suggested tag
is **relevant** to a product when it is made only of those pieces for that product: its type's
names and synonyms, its own brand, and its own size (a size alone is not a tag). Each evaluated
product is offered as a new listing (title, type, brand), and the tags are compared with a
baseline measured in the same run: the ten most searched tags whose clicks went mostly to the
product's type, with no other ranking or filtering.
``python -m seller_api.analytics.tags_eval URL``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from retrieval.query import SIZE_RE, UNIT_ALIASES, Size
from seller_api.analytics.tags import (
    Draft,
    TagStats,
    _norm,
    build_stats,
    is_size_only,
    suggest,
)
from store.models import Product
from store.taxonomy import Taxonomy, load_taxonomy


@dataclass(frozen=True)
class TagScore:
    products: int
    precision_at_10: float  # relevant tags / 10 (a missing tag counts as a miss)
    precision_returned: float  # relevant tags / tags returned
    baseline_precision_at_10: float
    mean_tags: float


def vocabulary(product: Product, taxonomy: Taxonomy, stats: TagStats) -> frozenset[str]:
    t = taxonomy[product.type_key]
    words = {_norm(n) for n in (t.en, t.ko, *t.synonyms_en, *t.synonyms_ko)}
    # Each word of a name too ("세탁세제" from "액체 세탁세제"): queries keep names whole, but
    # tags split into words are still the type's words.
    for name in (t.en, t.ko, *t.synonyms_en, *t.synonyms_ko):
        words.update(_norm(w) for w in name.split())
    brand = product.brand.lower()
    words.update(alias for alias, b in stats.brands.items() if b == brand)
    return frozenset(w for w in words if w)


def _size_matches(tag: str, product: Product) -> str | None:
    """The tag without a size term naming the product's own size, or None if it names another."""
    m = SIZE_RE.search(tag)
    if not m:
        return tag
    unit, factor = UNIT_ALIASES[m.group(2).lower()]
    asked = Size(float(m.group(1)) * factor, unit).in_unit(product.unit)
    if asked is None or abs(asked - product.size) > 1e-6 * max(1.0, product.size):
        return None
    return tag[: m.start()] + tag[m.end() :]


def is_relevant(tag: str, product: Product, vocab: frozenset[str]) -> bool:
    if is_size_only(tag):
        return False
    rest = _size_matches(tag, product)
    if not rest:
        return False

    @cache
    def splits(i: int) -> bool:
        # Can rest[i:] be written as a sequence of vocabulary pieces?
        if i == len(rest):
            return True
        return any(rest.startswith(w, i) and splits(i + len(w)) for w in vocab)

    return splits(0)


def baseline_tags(stats: TagStats, type_key: str, min_searches: int, k: int = 10) -> list[str]:
    pool = [
        (volume, tag)
        for tag, volume in stats.volume.items()
        if volume >= min_searches
        and (clicks := stats.type_clicks.get(tag))
        and clicks.most_common(1)[0][0] == type_key
    ]
    return [tag for _, tag in sorted(pool, key=lambda x: (-x[0], x[1]))[:k]]


def evaluate_tags(
    engine: Engine, *, every: int = 8, min_searches: int = 5, window_days: int = 90
) -> TagScore:
    """P@10 over every ``every``-th product (by id); titles alternate Korean and English."""
    taxonomy = load_taxonomy()
    with Session(engine) as session:
        stats = build_stats(session, window_days)
        products = list(session.scalars(select(Product).order_by(Product.id)))
    sample = [p for i, p in enumerate(products) if i % every == 0 and p.type_key in taxonomy]
    precisions, returned, baselines, counts = [], [], [], []
    for i, p in enumerate(sample):
        vocab = vocabulary(p, taxonomy, stats)
        draft = Draft(
            title=p.name_ko if i % 2 == 0 else p.name_en, type_key=p.type_key, brand=p.brand
        )
        tags, _ = suggest(draft, stats, min_searches=min_searches, taxonomy=taxonomy)
        hits = sum(is_relevant(t.tag, p, vocab) for t in tags)
        precisions.append(hits / 10)
        if tags:
            returned.append(hits / len(tags))
        base = baseline_tags(stats, p.type_key, min_searches)
        baselines.append(sum(is_relevant(t, p, vocab) for t in base) / 10)
        counts.append(len(tags))
    n = len(sample)
    return TagScore(
        n,
        sum(precisions) / n if n else float("nan"),
        sum(returned) / len(returned) if returned else float("nan"),
        sum(baselines) / n if n else float("nan"),
        sum(counts) / n if n else float("nan"),
    )


if __name__ == "__main__":
    from store.db import create_store_engine

    print(evaluate_tags(create_store_engine(sys.argv[1])))
