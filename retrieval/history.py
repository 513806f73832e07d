"""Reading shoppers' histories from the store for ranking: profiles, popularity, training groups."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator

import numpy as np
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from retrieval.personal import Blend, ItemStats, Profile, fit_pairwise
from store.models import Event, Order, OrderLine

CLICK_LOOKBACK_DAYS = 90


def _ts(value: dt.datetime) -> float:
    return value.replace(tzinfo=dt.UTC).timestamp()


def purchase_counts(engine: Engine, before: dt.datetime | None = None) -> Counter[int]:
    q = select(OrderLine.product_id, func.count()).group_by(OrderLine.product_id)
    if before is not None:
        q = q.join(Order, Order.id == OrderLine.order_id).where(Order.created_at < before)
    with Session(engine) as s:
        return Counter({int(pid): int(n) for pid, n in s.execute(q)})


def load_profile(
    engine: Engine, stats: ItemStats, shopper_id: str, before: dt.datetime | None = None
) -> Profile:
    """Purchases (order lines) and recent clicks of one shopper; unknown shoppers → empty."""
    profile = Profile()
    q = (
        select(OrderLine.product_id, Order.created_at)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.shopper_id == shopper_id, Order.status != "cancelled")
        .order_by(Order.created_at)
    )
    if before is not None:
        q = q.where(Order.created_at < before)
    with Session(engine) as s:
        for pid, created in s.execute(q):
            stats.observe(profile, int(pid), _ts(created))
        since = (before or dt.datetime.now(dt.UTC).replace(tzinfo=None)) - dt.timedelta(
            days=CLICK_LOOKBACK_DAYS
        )
        clicks = select(Event.product_id).where(
            Event.shopper_id == shopper_id, Event.kind == "click", Event.ts >= since
        )
        if before is not None:
            clicks = clicks.where(Event.ts < before)
        for (clicked,) in s.execute(clicks):
            if clicked is not None:
                stats.observe_click(profile, int(clicked))
    return profile


def purchases_between(
    engine: Engine, start: dt.datetime | None, end: dt.datetime | None
) -> list[tuple[str, int, dt.datetime]]:
    """(shopper, product, time) of every purchased line in [start, end)."""
    q = (
        select(Order.shopper_id, OrderLine.product_id, Order.created_at)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.status != "cancelled")
    )
    if start is not None:
        q = q.where(Order.created_at >= start)
    if end is not None:
        q = q.where(Order.created_at < end)
    with Session(engine) as s:
        return [(sid, int(pid), ts) for sid, pid, ts in s.execute(q.order_by(Order.created_at))]


def profiles_before(engine: Engine, stats: ItemStats, cutoff: dt.datetime) -> dict[str, Profile]:
    """Every shopper's profile from purchases before ``cutoff`` (bulk, for evaluation)."""
    profiles: dict[str, Profile] = defaultdict(Profile)
    for sid, pid, ts in purchases_between(engine, None, cutoff):
        stats.observe(profiles[sid], pid, _ts(ts))
    with Session(engine) as s:
        q = select(Event.shopper_id, Event.product_id).where(
            Event.kind == "click",
            Event.ts < cutoff,
            Event.ts >= cutoff - dt.timedelta(days=CLICK_LOOKBACK_DAYS),
        )
        for who, clicked in s.execute(q):
            if who is not None and clicked is not None:
                stats.observe_click(profiles[who], int(clicked))
    return profiles


def within_type_groups(
    stats: ItemStats,
    profiles: dict[str, Profile],
    labels: list[tuple[str, int, dt.datetime]],
    max_candidates: int = 60,
    seed: int = 0,
) -> Iterator[tuple[np.ndarray, int]]:
    """For each labelled purchase: features of the bought product and of up to
    ``max_candidates`` others of its type (sampled), and which row was bought."""
    rng = np.random.default_rng(seed)
    by_type: dict[str, list[int]] = defaultdict(list)
    for it in stats.items.values():
        by_type[it.type_key].append(it.id)
    for sid, pid, ts in labels:
        item = stats.items.get(pid)
        if item is None:
            continue
        pool = [p for p in by_type[item.type_key] if p != pid]
        if not pool:
            continue
        if len(pool) > max_candidates:
            pool = rng.choice(pool, size=max_candidates, replace=False).tolist()
        cands = [pid, *pool]
        yield stats.features(profiles.get(sid, Profile()), cands, _ts(ts)), 0


def learn_blend(engine: Engine, stats: ItemStats, label_days: int = 30) -> Blend:
    """Fit the blend on the store's own history: profiles from everything before the last
    ``label_days`` days, labels from those days. Popularity is recomputed on the fitting part
    only, so the label purchases never leak into a feature."""
    with Session(engine) as s:
        last = s.scalar(select(func.max(Order.created_at)))
    if last is None:
        return Blend.popularity_only()
    cutoff = last - dt.timedelta(days=label_days)
    fit_stats = ItemStats(stats.items.values(), purchase_counts(engine, before=cutoff))
    profiles = profiles_before(engine, fit_stats, cutoff)
    labels = purchases_between(engine, cutoff, None)
    blend = fit_pairwise(within_type_groups(fit_stats, profiles, labels))
    blend.meta.update({"cutoff": cutoff.isoformat(), "labels": len(labels)})
    return blend
