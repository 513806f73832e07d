"""Loyal customers by recency, frequency and monetary value (RFM), from the seller's own orders.

Each dimension is scored 1-5 by quintile among the seller's buyers in the range (ties share a
score); the segments follow the usual RFM reading.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seller_api.analytics.sales import seller_sales
from store.models import Order, OrderLine

SEGMENTS = ("champions", "loyal", "new", "at_risk", "regular")


@dataclass(frozen=True)
class Customer:
    customer_id: str
    recency_days: int
    frequency: int
    monetary: int
    r: int
    f: int
    m: int

    @property
    def score(self) -> int:
        return self.r + self.f + self.m

    @property
    def segment(self) -> str:
        return segment(self.r, self.f)


def segment(r: int, f: int) -> str:
    if r >= 4 and f >= 4:
        return "champions"
    if f >= 4:
        return "loyal"
    if r >= 4 and f <= 1:
        return "new"
    if r <= 2 and f >= 3:
        return "at_risk"
    return "regular"


def quintile_scores(values: list[float]) -> list[int]:
    """1 (lowest fifth) … 5 (highest fifth); equal values get equal scores."""
    if not values:
        return []
    ranks = rankdata(values, method="average")  # 1 … n
    n = len(values)
    return [int(min(5, 1 + np.floor(5 * (r - 0.5) / n))) for r in ranks]


def rfm(session: Session, seller_id: str, since: dt.datetime, until: dt.datetime) -> list[Customer]:
    """The seller's buyers in the range, best first (score, then money, then id)."""
    q = (
        select(
            Order.shopper_id,
            func.count(func.distinct(Order.id)),
            func.sum(OrderLine.qty * OrderLine.unit_price),
            func.max(Order.created_at),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(*seller_sales(seller_id, since, until))
        .group_by(Order.shopper_id)
    )
    rows = session.execute(q).all()
    as_of = until.date() - dt.timedelta(days=1)
    recency = [(as_of - _as_datetime(last).date()).days for _, _, _, last in rows]
    r = quintile_scores([-x for x in recency])  # recent is good
    f = quintile_scores([float(n) for _, n, _, _ in rows])
    m = quintile_scores([float(money or 0) for _, _, money, _ in rows])
    out = [
        Customer(sid, recency[i], int(n), int(money or 0), r[i], f[i], m[i])
        for i, (sid, n, money, _) in enumerate(rows)
    ]
    out.sort(key=lambda c: (-c.score, -c.monetary, c.customer_id))
    return out


def _as_datetime(value: object) -> dt.datetime:
    # SQLite returns max() of a DateTime column as text.
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def segment_counts(customers: list[Customer]) -> dict[str, int]:
    counts = {s: 0 for s in SEGMENTS}
    for c in customers:
        counts[c.segment] += 1
    return counts


def audience(customers: list[Customer]) -> str | None:
    """The segment worth a targeted event: lapsing repeat buyers when there are many of them
    (a win-back), else the champions (an early-access event); None when neither exists."""
    counts = segment_counts(customers)
    if counts["at_risk"] >= max(3, counts["champions"] // 2):
        return "at_risk"
    if counts["champions"]:
        return "champions"
    return None


def loyal_suggestion(customers: list[Customer]) -> str:
    if not customers:
        return "No buyers in this range: widen the range."
    counts = segment_counts(customers)
    target = audience(customers)
    if target == "at_risk":
        return (
            f"{counts['at_risk']} repeat buyers have not ordered lately: send them a win-back "
            "coupon (export segment=at_risk)."
        )
    if target == "champions":
        return (
            f"Invite your {counts['champions']} champions to an early-access event "
            "(export segment=champions)."
        )
    return "Most buyers bought once: a second-purchase coupon turns them into repeat buyers."
