"""Search queries a demo shopper types or says before buying, in Korean or English.

Built from taxonomy names and synonyms, sometimes with a brand, a pack size ("2리터", "500g",
"3L") or a price phrase ("만원 이하", "cheap"). Which extras appear depends on the shopper:
small-pack buyers name sizes more, loyal shoppers name their brand, price-sensitive shoppers
add price words. Those habits are planted patterns (docs/demo-data.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from jangbogi.demo.catalog import ProductSpec
from jangbogi.demo.rand import Stream
from jangbogi.demo.units import size_variants
from store.taxonomy import ProductType

# Chance that a query names the pack size: small-pack buyers check sizes far more often.
P_SIZE_SMALL_PACK = 0.40
P_SIZE_OTHER_PACK = 0.10
P_SIZE_ONE_SIZE_TYPE = 0.04


@dataclass(frozen=True)
class Query:
    text: str
    language: str
    name: str  # the taxonomy name or synonym the query is built on (ads match on it)
    has_size: bool
    has_brand: bool
    has_price: bool


def _price_cap(price: int) -> int:
    """The round amount a shopper would put as an upper limit above ``price``."""
    step = 5_000 if price < 30_000 else 10_000
    return int(math.ceil((price + 1) / step) * step)


def _price_phrase(name: str, price: int, language: str, rs: Stream) -> str:
    cap = _price_cap(price)
    k = rs.randint(0, 2)
    if language == "ko":
        if k == 0:
            amount = f"{cap // 10_000}만원" if cap % 10_000 == 0 else f"{cap:,}원"
            return f"{name} {amount} 이하"
        return f"저렴한 {name}" if k == 1 else f"{name} 최저가"
    if k == 0:
        return f"{name} under {cap:,} won"
    return f"cheap {name}" if k == 1 else f"{name} best price"


def build_query(
    ptype: ProductType,
    product: ProductSpec,
    language: str,
    *,
    loyal_to_brand: float,
    price_sensitivity: float,
    rs: Stream,
) -> Query:
    """A query for ``ptype`` by a shopper about to buy ``product``.

    ``loyal_to_brand`` is the shopper's brand loyalty when ``product`` is their favourite
    brand, else 0.
    """
    names = ptype.names(language)
    # The type's own name half the time, a synonym otherwise.
    name = names[0] if len(names) == 1 or rs.chance(0.5) else names[rs.randint(1, len(names) - 1)]
    if len(ptype.sizes) == 1:
        p_size = P_SIZE_ONE_SIZE_TYPE
    else:
        p_size = P_SIZE_SMALL_PACK if product.pack == "small" else P_SIZE_OTHER_PACK
    has_size = rs.chance(p_size)
    has_brand = rs.chance(0.05 + 0.35 * loyal_to_brand)
    has_price = rs.chance(0.3 * price_sensitivity)

    text = name
    if has_brand:
        brand = product.brand.ko if language == "ko" else product.brand.en
        text = f"{brand} {text}"
    if has_size:
        variants = size_variants(ptype, product.size, language)
        size = variants[0] if rs.chance(0.6) else variants[rs.randint(0, len(variants) - 1)]
        text = f"{size} {text}" if rs.chance(0.3) else f"{text} {size}"
    if has_price:
        text = _price_phrase(text, product.price, language, rs)
    return Query(text, language, name, has_size, has_brand, has_price)
