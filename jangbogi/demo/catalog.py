"""Sellers and products of the demo catalog.

Every taxonomy type gets exactly ``products_per_type`` listings: the type's brands (real ones
plus store brands) each with a few product lines, every line in every taxonomy pack size, and
when a type has too few such SKUs, the same SKU listed again by a second seller at its own price.
A line keeps one seller and one seller price factor across its sizes, so within
(type, brand, line, seller) the per-unit price always falls as the pack grows.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from jangbogi.demo.brands import (
    CATEGORY_LINES,
    PRICE_EXPONENT,
    PRICE_EXPONENT_DEFAULT,
    STORE_BRANDS,
    TYPICAL_PRICE,
    Brand,
    Line,
    brands_for,
)
from jangbogi.demo.config import DemoConfig
from jangbogi.demo.rand import Stream
from jangbogi.demo.units import size_label
from store.taxonomy import ProductType, Taxonomy

# (name, categories it sells; empty = every category). The first two are the house sellers
# that carry the store brands, in the order of STORE_BRANDS.
SELLER_SPECS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Jangbogi Mart", ()),
    ("Daily Pick Store", ()),
    ("Hanbit Mart", ()),
    ("Saebyeok Market", ()),
    ("Clean Home Korea", ("laundry", "cleaning", "kitchen")),
    ("Laundry Lab", ("laundry", "cleaning")),
    ("Kitchen Story", ("kitchen", "paper")),
    ("Paper House", ("paper", "kitchen", "cleaning")),
    ("Baby Love Shop", ("baby", "paper", "bath_body")),
    ("Mom's Pick", ("baby", "feminine", "dairy_eggs")),
    ("Lady Care Korea", ("feminine", "bath_body", "health")),
    ("Pet Friends Mall", ("pet",)),
    ("Meow & Woof", ("pet", "cleaning")),
    ("Jeju Water Direct", ("beverages",)),
    ("Coffee & Tea Corner", ("beverages", "pantry")),
    ("Healthy Pantry", ("pantry", "dairy_eggs")),
    ("Rice & Noodle Depot", ("pantry", "beverages")),
    ("Fresh Farm Dairy", ("dairy_eggs", "pantry")),
    ("Bath & Body Corner", ("bath_body", "oral_care")),
    ("Smile Dental Shop", ("oral_care", "health")),
    ("Men's Grooming Store", ("bath_body", "health")),
    ("Health Guard Korea", ("health", "bath_body", "oral_care")),
    ("Living Plus", ()),
    ("Bulk Buy Club", ("laundry", "paper", "pantry", "beverages")),
    ("Solo Living Shop", ("pantry", "beverages", "kitchen", "oral_care")),
    ("Green Living", ("cleaning", "kitchen", "bath_body")),
    ("Seoul Lifestyle Mall", ()),
    ("Busan Daily Goods", ()),
    ("Hanok Home", ("kitchen", "cleaning", "paper")),
    ("Happy Family Store", ("baby", "dairy_eggs", "pantry", "paper")),
)
_MAX_LINES_PER_BRAND = 4


@dataclass(frozen=True)
class SellerSpec:
    id: str
    name: str
    categories: tuple[str, ...]  # empty: sells every category

    def sells(self, category: str) -> bool:
        return not self.categories or category in self.categories


@dataclass(frozen=True)
class ProductSpec:
    id: int
    seller_id: str
    ptype: ProductType
    brand: Brand
    line: Line
    size: float
    size_rank: int  # index into ptype.sizes
    pack: str  # small / medium / large
    price: int
    stock: int
    name_en: str
    name_ko: str

    @property
    def unit_price(self) -> float:
        return self.price / self.size


@dataclass
class Catalog:
    sellers: list[SellerSpec]
    products: list[ProductSpec]
    by_type: dict[str, list[ProductSpec]] = field(default_factory=dict)
    # Brand names (Product.brand) per type, in catalog order.
    brands_by_type: dict[str, list[str]] = field(default_factory=dict)
    # Median unit price per (type, size rank): the yardstick of "paid less per unit".
    median_unit_price: dict[tuple[str, int], float] = field(default_factory=dict)


def pack_class(rank: int, n_sizes: int) -> str:
    """small / medium / large from a size's rank among the type's sizes."""
    if n_sizes == 1:
        return "medium"
    if rank == 0:
        return "small"
    if rank == n_sizes - 1:
        return "large"
    return "medium"


def reference_size(ptype: ProductType) -> float:
    """Geometric mean of the taxonomy sizes: the pack TYPICAL_PRICE and cycle_days refer to."""
    return math.exp(sum(math.log(s) for s in ptype.sizes) / len(ptype.sizes))


def round_price(x: float) -> int:
    """Shops price to 10 won below 10,000 and to 100 won above."""
    step = 10 if x < 10_000 else 100
    return max(step, round(x / step) * step)


def build_sellers(config: DemoConfig) -> list[SellerSpec]:
    sellers = []
    for i in range(config.n_sellers):
        name, cats = SELLER_SPECS[i] if i < len(SELLER_SPECS) else (f"Demo Seller {i + 1}", ())
        sellers.append(SellerSpec(id=f"s{i + 1:03d}", name=name, categories=cats))
    return sellers


def _lines_of(brand: Brand, category: str) -> list[Line]:
    lines = list(brand.lines)
    own = {ln.en for ln in lines}
    lines += [ln for ln in CATEGORY_LINES[category] if ln.en not in own]
    return lines[:_MAX_LINES_PER_BRAND]


def _interleaved_lines(ptype: ProductType) -> list[tuple[Brand, Line]]:
    """Lines ordered brand by brand within each line rank, so every brand appears early."""
    per_brand = [(b, _lines_of(b, ptype.category)) for b in brands_for(ptype.key)]
    out = []
    for rank in range(_MAX_LINES_PER_BRAND):
        out += [(b, lines[rank]) for b, lines in per_brand if rank < len(lines)]
    return out


def _product_names(ptype: ProductType, brand: Brand, line: Line, size: float) -> tuple[str, str]:
    en = f"{brand.en} {line.en} {ptype.en.title()} {size_label(ptype, size, 'en')}"
    ko = f"{brand.ko} {line.ko} {ptype.ko} {size_label(ptype, size, 'ko')}"
    return en, ko


def _type_products(
    ptype: ProductType,
    sellers: list[SellerSpec],
    n_products: int,
    first_id: int,
    rs: Stream,
) -> list[ProductSpec]:
    lines = _interleaved_lines(ptype)
    store_sellers = {b.en: sellers[i].id for i, b in enumerate(STORE_BRANDS)}
    eligible = [s for s in sellers if s.sells(ptype.category)]
    # Specialists carry more of their categories than the general marts; the house sellers
    # mostly sell their own store brands.
    house = set(store_sellers.values())
    weights = [0.4 if s.id in house else 1.0 if not s.categories else 2.0 for s in eligible]
    ref = reference_size(ptype)
    exponent = PRICE_EXPONENT.get(ptype.key, PRICE_EXPONENT_DEFAULT)
    typical = TYPICAL_PRICE[ptype.key]

    out: list[ProductSpec] = []
    listed_by: dict[int, set[str]] = {}  # line index -> sellers already listing it
    listing_round = 0
    while len(out) < n_products:
        added = 0
        for li, (brand, line) in enumerate(lines):
            if len(out) >= n_products:
                break
            taken = listed_by.setdefault(li, set())
            if brand.en in store_sellers:
                if listing_round > 0:
                    continue  # a store brand is sold by its house seller only
                seller_id = store_sellers[brand.en]
            else:
                free = [(s, w) for s, w in zip(eligible, weights, strict=True) if s.id not in taken]
                if not free:
                    continue
                seller_id = free[rs.weighted_index([w for _, w in free])][0].id
            taken.add(seller_id)
            seller_factor = rs.uniform(0.94, 1.08)
            for rank, size in enumerate(ptype.sizes):
                if len(out) >= n_products:
                    break
                raw = typical * (size / ref) ** exponent * brand.premium * line.factor
                stock = 0 if rs.chance(0.03) else min(2000, 1 + int(rs.lognormal(0.9) * 120))
                name_en, name_ko = _product_names(ptype, brand, line, size)
                out.append(
                    ProductSpec(
                        id=first_id + len(out),
                        seller_id=seller_id,
                        ptype=ptype,
                        brand=brand,
                        line=line,
                        size=size,
                        size_rank=rank,
                        pack=pack_class(rank, len(ptype.sizes)),
                        price=round_price(raw * seller_factor),
                        stock=stock,
                        name_en=name_en,
                        name_ko=name_ko,
                    )
                )
                added += 1
        if added == 0:
            raise ValueError(f"cannot list {n_products} products of {ptype.key}: too few sellers")
        listing_round += 1
    return out


def build_catalog(config: DemoConfig, taxonomy: Taxonomy, seed_stream: Stream) -> Catalog:
    """The sellers and products; cheap (no database), so tests can call it on its own."""
    sellers = build_sellers(config)
    catalog = Catalog(sellers=sellers, products=[])
    for ptype in taxonomy.types:
        items = _type_products(
            ptype, sellers, config.products_per_type, len(catalog.products) + 1, seed_stream
        )
        catalog.products += items
        catalog.by_type[ptype.key] = items
        brands: list[str] = []
        for p in items:
            if p.brand.en not in brands:
                brands.append(p.brand.en)
        catalog.brands_by_type[ptype.key] = brands
        for rank in range(len(ptype.sizes)):
            ups = sorted(p.unit_price for p in items if p.size_rank == rank)
            if ups:
                catalog.median_unit_price[(ptype.key, rank)] = ups[len(ups) // 2]
    return catalog


def seller_rows(catalog: Catalog, created: dt.datetime) -> list[dict[str, Any]]:
    return [
        {"id": s.id, "name": s.name, "created_at": created + dt.timedelta(days=i)}
        for i, s in enumerate(catalog.sellers)
    ]


def product_rows(catalog: Catalog, created: dt.datetime, rs: Stream) -> list[dict[str, Any]]:
    rows = []
    for p in catalog.products:
        t = p.ptype
        ts = created + dt.timedelta(days=rs.randint(0, 120), minutes=rs.randint(0, 1439))
        rows.append(
            {
                "id": p.id,
                "seller_id": p.seller_id,
                "type_key": t.key,
                "name_en": p.name_en,
                "name_ko": p.name_ko,
                "brand": p.brand.en,
                "size": p.size,
                "unit": t.unit,
                "price": p.price,
                "currency": "KRW",
                "stock": p.stock,
                "description": (
                    f"{p.name_ko}. {p.brand.en} {p.line.en} {t.en}, "
                    f"{size_label(t, p.size, 'en')} pack."
                ),
                "external_id": f"demo-{p.id}",
                "attributes": {
                    "category": t.category,
                    "brand_ko": p.brand.ko,
                    "line": p.line.en,
                    "line_ko": p.line.ko,
                    "pack": p.pack,
                    "store_brand": p.brand in STORE_BRANDS,
                },
                "created_at": ts,
                "updated_at": ts,
            }
        )
    return rows
