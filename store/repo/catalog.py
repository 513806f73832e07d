"""Products: validated listing and look-up."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Product, Seller
from store.repo.errors import InvalidInput, NotFound
from store.taxonomy import load_taxonomy

CURRENCIES = {"KRW", "USD"}


def add_product(session: Session, *, seller_id: str, **fields: Any) -> Product:
    """List a product after checking it against the taxonomy; returns it with its new id."""
    if session.get(Seller, seller_id) is None:
        raise NotFound(f"seller {seller_id!r} does not exist")
    taxonomy = load_taxonomy()
    type_key = str(fields.get("type_key"))
    if type_key not in taxonomy:
        raise InvalidInput(f"type_key {type_key!r} is not in the taxonomy")
    if fields.get("unit") is None:
        fields["unit"] = taxonomy[type_key].unit
    if not (fields.get("size") or 0) > 0:
        raise InvalidInput("size must be positive")
    if int(fields.get("price", -1)) < 0:
        raise InvalidInput("price must be zero or more")
    if fields.setdefault("currency", "KRW") not in CURRENCIES:
        raise InvalidInput(f"currency must be one of {sorted(CURRENCIES)}")
    product = Product(seller_id=seller_id, **fields)
    session.add(product)
    session.flush()
    return product


def get_product(session: Session, product_id: int, *, seller_id: str | None = None) -> Product:
    """A product by id; with ``seller_id`` another seller's product is reported as not found."""
    product = session.get(Product, product_id)
    if product is None or (seller_id is not None and product.seller_id != seller_id):
        raise NotFound(f"product {product_id} not found")
    return product


def products_by_ids(session: Session, ids: list[int]) -> dict[int, Product]:
    if not ids:
        return {}
    rows = session.scalars(select(Product).where(Product.id.in_(ids)))
    return {p.id: p for p in rows}
