"""Listing products (searchable at once, with tags and related products), reading, related."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from retrieval.catalog import SearchFilters
from retrieval.service import SearchService
from seller_api.analytics.tags import is_valid_tag
from store.models import OrderLine, Product
from tests.seller_api.conftest import Store, light_search_service, make_client

NEW = {
    "type_key": "dish_soap", "name_en": "Joy Lemon Dish Soap 1200ml",
    "name_ko": "조이 레몬 주방세제 1200ml", "brand": "Joy", "size": 1200, "price": 6900, "stock": 30,
}  # fmt: skip


@pytest.fixture(scope="module")
def search(demo: Store) -> SearchService:
    return light_search_service(demo.engine)


@pytest.fixture(scope="module")
def api(demo: Store, search: SearchService) -> Iterator[TestClient]:
    yield make_client(demo.engine, search=search)


def test_new_product_is_searchable_at_once(
    api: TestClient, demo: Store, search: SearchService
) -> None:
    r = api.post("/v1/products", headers=demo.key("s001"), json=NEW)
    assert r.status_code == 201, r.text
    body = r.json()
    pid = body["product"]["id"]
    assert body["product"]["seller_id"] == "s001" and body["product"]["unit"] == "ml"
    assert body["searchable"] is True
    hits = search.search("조이 레몬 주방세제", k=5, filters=SearchFilters(seller_id="s001"))
    assert pid in [h.item.id for h in hits]
    tags = [t["tag"] for t in body["suggested_tags"]]
    assert 0 < len(tags) <= 10 and all(is_valid_tag(t) for t in tags)
    assert "주방세제" in tags
    # Related on listing: the seller's own similar products (no sales yet to co-purchase).
    assert body["related"] and all(
        r["own"] and r["product"]["seller_id"] == "s001" for r in body["related"]
    )
    assert api.get(f"/v1/products/{pid}", headers=demo.key("s001")).json()["name"] == NEW["name_en"]


def test_listing_is_validated(api: TestClient, demo: Store) -> None:
    for change, field in [
        ({"type_key": "rocket"}, "type_key"), ({"size": 0}, "size"), ({"price": -1}, "price"),
        ({"currency": "EUR"}, "currency"), ({"unit": "parsec"}, "unit"), ({"name_en": ""}, "name_en"),
        ({"seller_id": "s002"}, "seller_id"),
    ]:  # fmt: skip
        r = api.post("/v1/products", headers=demo.key("s001"), json={**NEW, **change})
        assert r.status_code == 422, change
        assert r.json()["detail"][0]["loc"][-1] == field


def test_listing_without_search_service_still_stores(demo: Store) -> None:
    r = make_client(demo.engine, search=None).post(
        "/v1/products", headers=demo.key("s003"), json=NEW
    )
    assert r.status_code == 201 and r.json()["searchable"] is False


def test_list_pages_through_own_products_only(api: TestClient, demo: Store) -> None:
    seen, cursor = [], None
    while True:
        params = {"limit": 50, **({"cursor": cursor} if cursor else {})}
        body = api.get("/v1/products", headers=demo.key("s002"), params=params).json()
        seen += body["items"]
        cursor = body["next"]
        if not cursor:
            break
    with Session(demo.engine) as s:
        expected = set(s.scalars(select(Product.id).where(Product.seller_id == "s002")))
    assert [p["id"] for p in seen] == sorted(expected)
    filtered = api.get(
        "/v1/products", headers=demo.key("s002"), params={"type_key": "diapers"}
    ).json()
    assert all(p["type_key"] == "diapers" for p in filtered["items"])


def test_related_own_first_others_only_complements(api: TestClient, demo: Store) -> None:
    with Session(demo.engine) as s:
        # The s001 product bought in the most orders.
        pid = s.execute(
            select(OrderLine.product_id).where(OrderLine.seller_id == "s001")
            .group_by(OrderLine.product_id).order_by(func.count().desc(), OrderLine.product_id).limit(1)
        ).scalar_one()  # fmt: skip
        own_type = s.get(Product, pid).type_key  # type: ignore[union-attr]
    items = api.get(
        f"/v1/products/{pid}/related", headers=demo.key("s001"), params={"limit": 100}
    ).json()["items"]
    assert items
    owns = [it["own"] for it in items]
    assert owns == sorted(owns, reverse=True)  # own products first
    for it in items:
        assert it["own"] == (it["product"]["seller_id"] == "s001")
        if not it["own"]:
            assert it["relation"] == "bought_together" and it["product"]["type_key"] != own_type
            assert it["support"] >= 3 and it["lift"] > 0
    assert any(it["relation"] in ("bought_together", "both") for it in items)
