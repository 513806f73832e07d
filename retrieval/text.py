"""The text a product is indexed by: both names, brand, the type's names and synonyms, size."""

from __future__ import annotations

from dataclasses import dataclass

from store.taxonomy import Taxonomy


@dataclass(frozen=True)
class CatalogItem:
    """The product facts search needs, detached from the ORM (cheap to hold 1M of)."""

    id: int
    seller_id: str
    type_key: str
    name_en: str
    name_ko: str
    brand: str
    size: float
    unit: str
    price: int
    currency: str
    stock: int

    def public(self) -> dict[str, object]:
        """The contract's product fields."""
        return {
            "id": self.id,
            "name": self.name_en,
            "name_ko": self.name_ko,
            "type_key": self.type_key,
            "size": self.size,
            "unit": self.unit,
            "price": self.price,
            "currency": self.currency,
            "seller_id": self.seller_id,
        }


def format_size(size: float, unit: str) -> str:
    value = f"{size:g}"
    return f"{value}{unit}" if unit in {"L", "ml", "g", "kg", "m"} else f"{value} {unit}"


def product_text(item: CatalogItem, taxonomy: Taxonomy) -> str:
    """One string per product. Type names and synonyms are added because product names rarely
    repeat them ("Persil Power Gel 3L" never says "washing liquid")."""
    parts = [item.name_en, item.name_ko, item.brand]
    if item.type_key in taxonomy:
        t = taxonomy[item.type_key]
        parts += [t.en, t.ko, *t.synonyms_en, *t.synonyms_ko]
    parts.append(format_size(item.size, item.unit))
    unique: dict[str, str] = {}
    for p in parts:
        if p:
            unique.setdefault(p.lower(), p)
    return " | ".join(unique.values())
