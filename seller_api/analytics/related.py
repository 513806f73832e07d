"""Related products: co-purchase (lift, with a minimum support) blended with content similarity.

The seller's own products come first (bought together or similar); other sellers' products
appear only as complements — bought together and of another type — never as substitutes, so a
seller is not shown a competitor's alternative to its own listing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from retrieval.catalog import SearchFilters
from store.models import OrderLine, Product
from store.repo.catalog import get_product, products_by_ids

CONTENT_CANDIDATES = 30
W_COPURCHASE = 0.5  # the rest is content similarity


@dataclass(frozen=True)
class CoPurchase:
    product_id: int
    support: int  # orders holding both
    lift: float  # P(both) / (P(this) P(that))


def co_purchases(session: Session, product_id: int, min_support: int) -> list[CoPurchase]:
    """Products bought in the same orders as ``product_id`` at least ``min_support`` times."""
    orders_with = select(OrderLine.order_id).where(OrderLine.product_id == product_id).distinct()
    n_p = session.scalar(select(func.count()).select_from(orders_with.subquery())) or 0
    if n_p == 0:
        return []
    pairs = session.execute(
        select(OrderLine.product_id, func.count(func.distinct(OrderLine.order_id)))
        .where(OrderLine.order_id.in_(orders_with), OrderLine.product_id != product_id)
        .group_by(OrderLine.product_id)
        .having(func.count(func.distinct(OrderLine.order_id)) >= min_support)
    ).all()
    if not pairs:
        return []
    n_orders = session.scalar(select(func.count(func.distinct(OrderLine.order_id)))) or 1
    ids = [pid for pid, _ in pairs]
    n_q = dict(
        session.execute(
            select(OrderLine.product_id, func.count(func.distinct(OrderLine.order_id)))
            .where(OrderLine.product_id.in_(ids))
            .group_by(OrderLine.product_id)
        ).all()
    )
    return [
        CoPurchase(pid, int(k), k * n_orders / (n_p * n_q[pid])) for pid, k in pairs if n_q.get(pid)
    ]


@dataclass(frozen=True)
class Related:
    product: Product
    own: bool
    relation: str
    score: float
    lift: float | None
    support: int


def content_neighbours(search: Any, product_id: int, seller_id: str) -> dict[int, float]:
    """The seller's own products most similar in content (cosine), when search is available."""
    if search is None:
        return {}
    try:
        hits = search.similar(
            product_id,
            k=CONTENT_CANDIDATES,
            filters=SearchFilters(seller_id=seller_id, in_stock=False),
        )
    except KeyError:  # listed after the search service loaded and not yet added to it
        return {}
    return {r.item.id: max(0.0, float(r.score)) for r in hits if r.item.seller_id == seller_id}


def related_products(
    session: Session, search: Any, seller_id: str, product_id: int, *, min_support: int = 3
) -> list[Related]:
    """Own products first, then other sellers' complements; each group by score."""
    product = get_product(session, product_id, seller_id=seller_id)
    co = {c.product_id: c for c in co_purchases(session, product_id, min_support)}
    content = content_neighbours(search, product_id, seller_id)
    rows = products_by_ids(session, sorted(set(co) | set(content)))
    max_lift = max((c.lift for c in co.values()), default=1.0)

    def co_score(c: CoPurchase | None) -> float:
        if c is None or max_lift <= 0:
            return 0.0
        return math.log1p(c.lift) / math.log1p(max_lift)

    own: list[Related] = []
    others: list[Related] = []
    for pid, p in rows.items():
        c = co.get(pid)
        sim = content.get(pid)
        if p.seller_id == seller_id:
            relation = "both" if c and sim is not None else ("bought_together" if c else "similar")
            score = W_COPURCHASE * co_score(c) + (1 - W_COPURCHASE) * (sim or 0.0)
            own.append(Related(p, True, relation, round(score, 6), c.lift if c else None,
                               c.support if c else 0))  # fmt: skip
        elif c is not None and p.type_key != product.type_key:
            others.append(Related(p, False, "bought_together", round(W_COPURCHASE * co_score(c), 6),
                                  c.lift, c.support))  # fmt: skip
    own.sort(key=lambda r: (-r.score, r.product.id))
    others.sort(key=lambda r: (-r.score, r.product.id))
    return own + others
