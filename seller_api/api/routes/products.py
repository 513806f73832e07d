"""Products: list a new one (searchable at once, with tags and related products), read yours."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, status
from sqlalchemy import Engine, or_, select

from retrieval.catalog import item_from_row
from seller_api.analytics import tags as tag_analytics
from seller_api.analytics.related import Related, related_products
from seller_api.api.deps import (
    Cursor,
    Limit,
    SearchDep,
    SellerDep,
    SessionDep,
    SettingsDep,
    get_store_engine,
)
from seller_api.api.responses import AUTH_RESPONSES, CONFLICT, NOT_FOUND
from seller_api.pagination import decode_cursor, encode_cursor, offset_from, page
from seller_api.schemas import (
    ProductCreate,
    ProductCreatedPublic,
    ProductPublic,
    ProductsPublic,
    RelatedListPublic,
    RelatedPublic,
)
from store.models import Product
from store.repo.catalog import add_product, get_product

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/products", tags=["products"], responses=AUTH_RESPONSES)

ProductId = Annotated[int, Path(ge=1, le=2_147_483_647, description="Product id")]
RELATED_ON_CREATE = 5


def product_public(p: Product) -> dict[str, Any]:
    return {
        "id": p.id, "seller_id": p.seller_id, "type_key": p.type_key, "name": p.name_en,
        "name_ko": p.name_ko, "brand": p.brand, "size": p.size, "unit": p.unit,
        "price": p.price, "currency": p.currency, "stock": p.stock,
        "description": p.description, "external_id": p.external_id,
    }  # fmt: skip


def related_public(r: Related) -> dict[str, Any]:
    p = r.product
    return {
        "product": {
            "id": p.id, "seller_id": p.seller_id, "type_key": p.type_key, "name": p.name_en,
            "name_ko": p.name_ko, "size": p.size, "unit": p.unit, "price": p.price,
            "currency": p.currency,
        },
        "own": r.own, "relation": r.relation, "score": r.score, "lift": r.lift,
        "support": r.support,
    }  # fmt: skip


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProductCreatedPublic,
    responses=CONFLICT,
    summary="List a product",
)
def create_product(
    body: ProductCreate,
    seller_id: SellerDep,
    session: SessionDep,
    settings: SettingsDep,
    search: SearchDep,
    engine: Annotated[Engine, Depends(get_store_engine)],
) -> dict[str, Any]:
    """Validates and stores the listing, adds it to the search index at once, and answers with
    suggested tags and related products of yours."""
    product = add_product(session, seller_id=seller_id, **body.model_dump(exclude_none=True))
    session.commit()
    searchable = False
    if search is not None:
        try:
            search.add_products([item_from_row(product)])
            searchable = True
        except Exception:  # the listing stands; the index catches up from the store later
            log.exception("could not add product %s to the search index", product.id)
    stats = tag_analytics.get_stats(engine, settings.tag_window_days, settings.cache_ttl_s)
    draft = tag_analytics.Draft(
        title=body.name_ko, description=body.description, type_key=body.type_key, brand=body.brand
    )
    tags, _ = tag_analytics.suggest(
        draft, stats, min_searches=settings.min_tag_searches, encoder=_encoder(search)
    )
    related = related_products(
        session, search, seller_id, product.id, min_support=settings.min_support
    )
    return {
        "product": product_public(product),
        "searchable": searchable,
        "suggested_tags": tag_analytics.tags_public(tags, body.type_key),
        "related": [related_public(r) for r in related[:RELATED_ON_CREATE]],
    }


def _encoder(search: Any) -> Any:
    return getattr(search, "embedder", None) if search is not None else None


@router.get("", response_model=ProductsPublic, summary="Your products")
def list_products(
    seller_id: SellerDep,
    session: SessionDep,
    limit: Limit = 20,
    cursor: Cursor = None,
    type_key: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=100, description="Words in the name")] = None,
) -> dict[str, Any]:
    state = decode_cursor(cursor, "products")
    after = state.get("after") if state else 0
    if not isinstance(after, int):
        after = 0
    stmt = select(Product).where(Product.seller_id == seller_id, Product.id > after)
    if type_key:
        stmt = stmt.where(Product.type_key == type_key)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Product.name_en.ilike(like), Product.name_ko.ilike(like)))
    rows = list(session.scalars(stmt.order_by(Product.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = encode_cursor({"k": "products", "after": rows[-1].id}) if more and rows else None
    return {"items": [product_public(p) for p in rows], "next": nxt}


@router.get(
    "/{product_id}", response_model=ProductPublic, responses=NOT_FOUND, summary="One product"
)
def read_product(
    product_id: ProductId, seller_id: SellerDep, session: SessionDep
) -> dict[str, Any]:
    """Another seller's product is reported as not found, never shown."""
    return product_public(get_product(session, product_id, seller_id=seller_id))


@router.get(
    "/{product_id}/related",
    response_model=RelatedListPublic,
    responses=NOT_FOUND,
    summary="Related products",
)
def related(
    product_id: ProductId,
    seller_id: SellerDep,
    session: SessionDep,
    settings: SettingsDep,
    search: SearchDep,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Your products bought together with or similar to this one first, then other sellers'
    complements (bought together, of another type)."""
    offset = offset_from(cursor, "related")
    rows = related_products(
        session, search, seller_id, product_id, min_support=settings.min_support
    )
    chunk, nxt = page(rows, offset, limit, "related")
    return {"items": [RelatedPublic.model_validate(related_public(r)) for r in chunk], "next": nxt}
