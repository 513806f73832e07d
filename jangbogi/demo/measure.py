"""Measure the planted patterns from the stored rows (not from the generator's constants).

The tests assert on these numbers and docs/demo-data.md quotes them for the default config:
``python -m jangbogi.demo.measure sqlite:///var/jangbogi.db`` prints them.
"""

from __future__ import annotations

import json
import math
import re
import statistics
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from store.models import (
    AdSpend,
    Cart,
    CartLine,
    Event,
    Meta,
    Order,
    OrderLine,
    Product,
    Shopper,
)
from store.taxonomy import load_taxonomy

# A pack size in a query: a number followed by a unit or counter word ("2리터", "500 ml",
# "30 rolls"); price phrases ("만원", "won") do not match.
SIZE_TERM = re.compile(
    r"\d+(?:\.\d+)?\s?(?:ml|l|kg|g|m|리터|미리|키로|킬로|그램|미터|롤|켤레|매|개입|개|구|캔|봉|티백"
    r"|count|pack|rolls?|pairs?|sheets|bags|pads|masks|slices|eggs|cans|tea bags|boxes|bars"
    r"|cups|bowls|liter|litre|kilo|grams|meter)(?![a-z])",
    re.IGNORECASE,
)
HOUSEHOLD_CATEGORIES = frozenset({"baby", "laundry", "kitchen", "cleaning", "paper"})
ATTRIBUTION_DAYS = 3


@dataclass(frozen=True)
class _Line:
    order_id: int
    shopper_id: str
    day: float  # days since the epoch of the order's created_at
    status: str
    product_id: int
    qty: int
    unit_price: int


def _days(ts: Any) -> float:
    return float(ts.timestamp()) / 86_400


def _share(hits: int, total: int) -> float:
    return hits / total if total else float("nan")


class Store:
    """The rows the measures need, loaded once."""

    def __init__(self, conn: Connection) -> None:
        tax = load_taxonomy()
        self.category = {t.key: t.category for t in tax.types}
        self.shoppers: dict[str, dict[str, Any]] = {}
        for sid, gender, married, kids, household, lifestyle in conn.execute(
            select(
                Shopper.id, Shopper.gender, Shopper.married, Shopper.kids_count,
                Shopper.household_size, Shopper.lifestyle,
            ).where(Shopper.source == "demo")
        ):  # fmt: skip
            self.shoppers[sid] = {
                "gender": gender, "married": married, "kids": kids or 0,
                "household": household or 1, **(lifestyle or {}),
            }  # fmt: skip
        self.products: dict[int, tuple[str, str, float, int]] = {
            pid: (type_key, brand, size, price)
            for pid, type_key, brand, size, price in conn.execute(
                select(Product.id, Product.type_key, Product.brand, Product.size, Product.price)
            )
        }
        sizes: dict[str, set[float]] = defaultdict(set)
        unit_prices: dict[tuple[str, float], list[float]] = defaultdict(list)
        for type_key, _, size, price in self.products.values():
            sizes[type_key].add(size)
            unit_prices[(type_key, size)].append(price / size)
        self.min_size = {k: min(v) for k, v in sizes.items()}
        self.multi_size = {k for k, v in sizes.items() if len(v) > 1}
        self.median_unit_price = {k: statistics.median(v) for k, v in unit_prices.items()}
        self.lines = [
            _Line(oid, sid, _days(ts), status, pid, qty, price)
            for oid, sid, ts, status, pid, qty, price in conn.execute(
                select(
                    Order.id, Order.shopper_id, Order.created_at, Order.status,
                    OrderLine.product_id, OrderLine.qty, OrderLine.unit_price,
                )
                .join(OrderLine, OrderLine.order_id == Order.id)
                .order_by(Order.created_at, Order.id, OrderLine.id)
            )
        ]  # fmt: skip

    def type_of(self, line: _Line) -> str:
        return self.products[line.product_id][0]

    def is_small(self, line: _Line) -> bool:
        type_key, _, size, _ = self.products[line.product_id]
        return size == self.min_size[type_key]


def diaper_interval_days(store: Store) -> float:
    """Median days between diaper orders of households with a child aged 0-2."""
    days: dict[str, list[float]] = defaultdict(list)
    for ln in store.lines:
        s = store.shoppers.get(ln.shopper_id)
        if s and any(a <= 2 for a in s.get("children", [])) and store.type_of(ln) == "diapers":
            days[ln.shopper_id].append(ln.day)
    gaps = [b - a for d in days.values() for a, b in pairwise(d) if b - a > 0.5]
    return statistics.median(gaps) if gaps else float("nan")


def small_pack_share(store: Store, group: str) -> float:
    """Share of lines (types sold in several sizes) that are the type's smallest pack."""
    hits = total = 0
    for ln in store.lines:
        s = store.shoppers.get(ln.shopper_id)
        if s is None or store.type_of(ln) not in store.multi_size:
            continue
        if group == "student" and s.get("occupation") != "student":
            continue
        if group == "family" and not s["kids"]:
            continue
        total += 1
        hits += store.is_small(ln)
    return _share(hits, total)


def favourite_brand_share(store: Store, lo: float, hi: float) -> float:
    """Share of lines in the shopper's favourite brand, for brand_loyalty in [lo, hi]."""
    hits = total = 0
    for ln in store.lines:
        s = store.shoppers.get(ln.shopper_id)
        if s is None or not lo <= s.get("brand_loyalty", -1) <= hi:
            continue
        type_key, brand, _, _ = store.products[ln.product_id]
        favourite = s.get("favourite_brands", {}).get(type_key)
        if favourite is None:
            continue
        total += 1
        hits += brand == favourite
    return _share(hits, total)


def relative_unit_price(store: Store, lo: float, hi: float) -> float:
    """Geometric mean of the paid per-unit price over the catalog median for the same type and
    pack size, for price_sensitivity in [lo, hi] (1.0 = paid the median)."""
    logs = []
    for ln in store.lines:
        s = store.shoppers.get(ln.shopper_id)
        if s is None or not lo <= s.get("price_sensitivity", -1) <= hi:
            continue
        type_key, _, size, _ = store.products[ln.product_id]
        logs.append(math.log(ln.unit_price / size / store.median_unit_price[(type_key, size)]))
    return math.exp(statistics.fmean(logs)) if logs else float("nan")


def _buyers(store: Store, types: Iterable[str]) -> set[str]:
    wanted = set(types)
    return {ln.shopper_id for ln in store.lines if store.type_of(ln) in wanted}


def pet_food_owner_share(store: Store) -> float:
    """Share of dog or cat food buyers who own a pet."""
    buyers = [b for b in _buyers(store, ("dog_food", "cat_food")) if b in store.shoppers]
    return _share(sum(1 for b in buyers if store.shoppers[b].get("pets")), len(buyers))


def pet_owner_pet_food_rate(store: Store, owners: bool) -> float:
    """Share of pet owners (or of non-owners) who bought dog or cat food."""
    buyers = _buyers(store, ("dog_food", "cat_food"))
    group = [sid for sid, s in store.shoppers.items() if bool(s.get("pets")) == owners]
    return _share(sum(1 for sid in group if sid in buyers), len(group))


def feminine_female_share(store: Store) -> float:
    buyers = [b for b in _buyers(store, ("sanitary_pads", "panty_liners")) if b in store.shoppers]
    return _share(sum(1 for b in buyers if store.shoppers[b]["gender"] == "F"), len(buyers))


def basket_lines(store: Store, group: str) -> float:
    """Average lines per order for households with children ("kids") or one-person ones."""
    per_order: dict[int, int] = defaultdict(int)
    for ln in store.lines:
        s = store.shoppers.get(ln.shopper_id)
        if s is None:
            continue
        if (group == "kids" and s["kids"]) or (group == "single" and s["household"] == 1):
            per_order[ln.order_id] += 1
    return statistics.fmean(per_order.values()) if per_order else float("nan")


def household_item_share(store: Store, group: str) -> float:
    """Share of lines in baby, laundry, kitchen, cleaning and paper types."""
    hits = total = 0
    for ln in store.lines:
        s = store.shoppers.get(ln.shopper_id)
        if s is None:
            continue
        if (group == "kids" and s["kids"]) or (group == "single" and s["household"] == 1):
            total += 1
            hits += store.category[store.type_of(ln)] in HOUSEHOLD_CATEGORIES
    return _share(hits, total)


def size_query_share(conn: Connection, store: Store, small_buyers: bool) -> float:
    """Share of searches naming a pack size, by shoppers whose multi-size purchases are mostly
    (>= 60 %) small packs, or rarely (<= 20 %)."""
    small: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for ln in store.lines:
        if store.type_of(ln) in store.multi_size:
            small[ln.shopper_id][0] += store.is_small(ln)
            small[ln.shopper_id][1] += 1
    group = {
        sid
        for sid, (hits, total) in small.items()
        if total >= 3 and ((hits / total >= 0.6) if small_buyers else (hits / total <= 0.2))
    }
    hits = total = 0
    for sid, query in conn.execute(
        select(Event.shopper_id, Event.query).where(Event.kind == "search")
    ):
        if sid in group:
            total += 1
            hits += bool(SIZE_TERM.search(query or ""))
    return _share(hits, total)


def ctr_by_slot(conn: Connection, page: str = "search") -> dict[int, float]:
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"impression": 0, "click": 0})
    for slot, kind, n in conn.execute(
        select(Event.slot, Event.kind, func.count())
        .where(Event.page == page, Event.kind.in_(("impression", "click")))
        .group_by(Event.slot, Event.kind)
    ):
        if slot is not None:
            counts[int(slot)][kind] = int(n)
    return {s: _share(c["click"], c["impression"]) for s, c in sorted(counts.items())}


def roas_by_campaign(conn: Connection, store: Store) -> dict[int, dict[str, Any]]:
    """Spend, clicks, attributed orders and revenue, conversion and ROAS per campaign.

    An order line is attributed to the shopper's last ad click on the same product at most
    three days before it (cancelled orders earn nothing). The campaign's tier comes from the
    ``demo_ads`` meta row.
    """
    truth = json.loads(conn.scalar(select(Meta.value).where(Meta.key == "demo_ads")) or "[]")
    out: dict[int, dict[str, Any]] = {
        c["campaign_id"]: {
            "name": c["name"], "seller_id": c["seller_id"], "tier": c["tier"], "spend": 0.0,
            "clicks": 0, "orders": 0, "revenue": 0.0,
        }
        for c in truth
    }  # fmt: skip
    for cid, cost in conn.execute(
        select(AdSpend.campaign_id, func.sum(AdSpend.cost)).group_by(AdSpend.campaign_id)
    ):
        out[cid]["spend"] = float(cost or 0)
    clicks: dict[tuple[str | None, int | None], list[tuple[float, int]]] = defaultdict(list)
    for sid, pid, ts, clicked in conn.execute(
        select(Event.shopper_id, Event.product_id, Event.ts, Event.campaign_id)
        .where(Event.kind == "ad_click")
        .order_by(Event.ts, Event.id)
    ):
        if clicked is not None:
            clicks[(sid, pid)].append((_days(ts), clicked))
            out[clicked]["clicks"] += 1
    for ln in store.lines:
        if ln.status == "cancelled":
            continue
        before = [c for c in clicks.get((ln.shopper_id, ln.product_id), ()) if c[0] <= ln.day]
        if before and ln.day - before[-1][0] <= ATTRIBUTION_DAYS:
            campaign = out[before[-1][1]]
            campaign["orders"] += 1
            campaign["revenue"] += ln.qty * ln.unit_price
    for c in out.values():
        _ratios(c)
    return out


def _ratios(row: dict[str, Any]) -> None:
    row["roas"] = row["revenue"] / row["spend"] if row["spend"] else float("nan")
    row["conversion"] = row["orders"] / row["clicks"] if row["clicks"] else float("nan")


def roas_by_tier(campaigns: dict[int, dict[str, Any]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for c in campaigns.values():
        tier = out.setdefault(c["tier"], {"spend": 0.0, "clicks": 0, "orders": 0, "revenue": 0.0})
        for key in ("spend", "clicks", "orders", "revenue"):
            tier[key] += c[key]
    for t in out.values():
        _ratios(t)
    return out


def instant_food_share(store: Store, students: bool) -> float:
    """Share of students (or of everyone else) who bought instant noodles or instant rice."""
    buyers = _buyers(store, ("instant_noodles", "instant_rice"))
    group = [
        sid for sid, s in store.shoppers.items() if (s.get("occupation") == "student") == students
    ]
    return _share(sum(1 for sid in group if sid in buyers), len(group))


def diaper_buyers_with_young_children(store: Store) -> float:
    """Share of diaper buyers whose household has a child aged six or younger."""
    buyers = [b for b in _buyers(store, ("diapers",)) if b in store.shoppers]
    young = sum(1 for b in buyers if any(a <= 6 for a in store.shoppers[b].get("children", [])))
    return _share(young, len(buyers))


def measure(engine: Engine) -> dict[str, Any]:
    """Every planted pattern's measured value."""
    with engine.connect() as conn:
        store = Store(conn)
        searches = conn.execute(
            select(Event.language, func.count())
            .where(Event.kind == "search")
            .group_by(Event.language)
        ).all()
        n_search = sum(n for _, n in searches)
        statuses = dict(
            conn.execute(select(Order.status, func.count()).group_by(Order.status)).all()
        )
        n_orders = sum(statuses.values())
        campaigns = roas_by_campaign(conn, store)
        open_carts = conn.scalar(
            select(func.count(func.distinct(Cart.id))).join(CartLine, CartLine.cart_id == Cart.id)
        )
        return {
            "diaper_interval_days_infant_households": diaper_interval_days(store),
            "small_pack_share_students": small_pack_share(store, "student"),
            "small_pack_share_families": small_pack_share(store, "family"),
            "ctr_search_by_slot": ctr_by_slot(conn, "search"),
            "ctr_home_by_slot": ctr_by_slot(conn, "home"),
            "favourite_brand_share_loyal": favourite_brand_share(store, 0.7, 1.0),
            "favourite_brand_share_nonloyal": favourite_brand_share(store, 0.0, 0.3),
            "relative_unit_price_sensitive": relative_unit_price(store, 0.65, 1.0),
            "relative_unit_price_insensitive": relative_unit_price(store, 0.0, 0.35),
            "pet_food_buyers_owning_pets": pet_food_owner_share(store),
            "pet_owners_buying_pet_food": pet_owner_pet_food_rate(store, owners=True),
            "non_owners_buying_pet_food": pet_owner_pet_food_rate(store, owners=False),
            "feminine_care_buyers_female": feminine_female_share(store),
            "basket_lines_with_kids": basket_lines(store, "kids"),
            "basket_lines_one_person": basket_lines(store, "single"),
            "household_item_share_with_kids": household_item_share(store, "kids"),
            "household_item_share_one_person": household_item_share(store, "single"),
            "size_query_share_small_pack_buyers": size_query_share(conn, store, True),
            "size_query_share_other_buyers": size_query_share(conn, store, False),
            "korean_search_share": _share(sum(n for lang, n in searches if lang == "ko"), n_search),
            "cancelled_order_share": _share(statuses.get("cancelled", 0), n_orders),
            "order_status_counts": statuses,
            "open_carts": int(open_carts or 0),
            "instant_food_buyers_students": instant_food_share(store, students=True),
            "instant_food_buyers_others": instant_food_share(store, students=False),
            "diaper_buyers_with_children_0_6": diaper_buyers_with_young_children(store),
            "ads_by_tier": roas_by_tier(campaigns),
            "ads_by_campaign": campaigns,
        }


def _print(report: dict[str, Any]) -> None:
    campaigns = report.pop("ads_by_campaign")
    ranked = sorted((c for c in campaigns.values() if c["clicks"] >= 100), key=lambda c: -c["roas"])
    report["campaigns_by_roas_with_100_clicks"] = {
        f"{c['seller_id']} {c['name']}": {k: c[k] for k in ("clicks", "conversion", "roas")}
        for c in ranked
    }
    for key, value in report.items():
        if isinstance(value, float):
            print(f"{key}: {value:.3f}")
        elif isinstance(value, dict):
            print(f"{key}:")
            for k, v in value.items():
                shown = {a: round(b, 3) for a, b in v.items()} if isinstance(v, dict) else v
                print(f"  {k}: {round(shown, 3) if isinstance(shown, float) else shown}")
        else:
            print(f"{key}: {value}")


if __name__ == "__main__":
    from store.db import create_store_engine

    _print(measure(create_store_engine(sys.argv[1])))
