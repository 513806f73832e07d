"""Tenant isolation: no endpoint reaches another seller's products, buyers or ads."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import AdCampaign, Order, OrderLine, Product
from tests.seller_api.conftest import Store

FULL = {"from": "2026-08-03", "to": "2026-10-31"}
A, B = "s009", "s001"
GETS = [
    ("/v1/products", {"limit": 100}), ("/v1/insights/customers", FULL),
    ("/v1/insights/search-terms", {**FULL, "limit": 100}), ("/v1/insights/page-slots", FULL),
    ("/v1/customers/loyal", {**FULL, "limit": 100}), ("/v1/ads/roas", FULL),
    ("/v1/ads/roas", {**FULL, "group_by": "keyword"}),
]  # fmt: skip


def _walk(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    out = []
    if isinstance(node, dict):
        out.append((path, node))
        for k, v in node.items():
            out += _walk(v, f"{path}/{k}")
    elif isinstance(node, list):
        for v in node:
            out += _walk(v, path)
    return out


def _ids(demo: Store) -> dict[str, Any]:
    with Session(demo.engine) as s:
        b_products = set(s.scalars(select(Product.id).where(Product.seller_id == B)))
        a_buyers = set(
            s.scalars(select(Order.shopper_id).join(OrderLine).where(OrderLine.seller_id == A))
        )
        b_campaigns = set(s.scalars(select(AdCampaign.name).where(AdCampaign.seller_id == B)))
        a_campaigns = set(s.scalars(select(AdCampaign.name).where(AdCampaign.seller_id == A)))
    return {"b_products": b_products, "a_buyers": a_buyers, "b_campaigns": b_campaigns - a_campaigns,
            "a_campaigns": a_campaigns}  # fmt: skip


def test_every_list_holds_only_the_callers_data(client: TestClient, demo: Store) -> None:
    ids = _ids(demo)
    for path, params in GETS:
        body = client.get(path, headers=demo.key(A), params=params).json()
        for where, node in _walk(body):
            if "seller_id" in node:
                assert node["seller_id"] == A, (path, where, node)
            if "customer_id" in node:
                assert node["customer_id"] in ids["a_buyers"], (path, node)
            if node.get("campaign") is not None:
                assert node["campaign"] in ids["a_campaigns"], (path, node)
        if path == "/v1/products":
            assert not {p["id"] for p in body["items"]} & ids["b_products"]


def test_other_sellers_product_ids_are_not_found(client: TestClient, demo: Store) -> None:
    for pid in sorted(_ids(demo)["b_products"])[:5]:
        for path in (f"/v1/products/{pid}", f"/v1/products/{pid}/related"):
            r = client.get(path, headers=demo.key(A))
            assert r.status_code == 404 and "seller" not in r.text
    # Filters cannot widen the scope either.
    r = client.get(
        "/v1/products",
        headers=demo.key(A),
        params={"type_key": "liquid_laundry_detergent", "limit": 100},
    )
    assert all(p["seller_id"] == A for p in r.json()["items"])


def test_related_shows_others_only_as_complements(client: TestClient, demo: Store) -> None:
    with Session(demo.engine) as s:
        pids = list(s.scalars(select(Product.id).where(Product.seller_id == A)))[:15]
    for pid in pids:
        for it in client.get(f"/v1/products/{pid}/related", headers=demo.key(A)).json()["items"]:
            if it["product"]["seller_id"] != A:
                assert not it["own"] and it["relation"] == "bought_together"


def test_customers_counts_only_own_buyers(client: TestClient, demo: Store) -> None:
    with Session(demo.engine) as s:
        expected = len(set(s.scalars(select(Order.shopper_id).join(OrderLine).where(
            OrderLine.seller_id == A, Order.status != "cancelled",
            Order.created_at >= "2026-08-03", Order.created_at < "2026-11-01"))))  # fmt: skip
    assert (
        client.get("/v1/insights/customers", headers=demo.key(A), params=FULL).json()["buyers"]
        == expected
    )


def test_writes_of_one_seller_do_not_touch_another(client: TestClient, demo: Store) -> None:
    ids = _ids(demo)
    name = sorted(ids["b_campaigns"])[0]
    before_b = client.get("/v1/ads/roas", headers=demo.key(B), params=FULL).json()
    before_a = client.get("/v1/ads/roas", headers=demo.key(A), params=FULL).json()
    row = {"campaign": name, "keyword": "x", "date": "2026-09-01", "cost": 5000, "clicks": 1}
    assert (
        client.post("/v1/ads/spend", headers=demo.key(A), json={"rows": [row]}).status_code == 200
    )
    after_b = client.get("/v1/ads/roas", headers=demo.key(B), params=FULL).json()
    after_a = client.get("/v1/ads/roas", headers=demo.key(A), params=FULL).json()
    assert after_b["items"] == before_b["items"]
    assert after_a["totals"]["spend"] == before_a["totals"]["spend"] + 5000
    with Session(demo.engine) as s:
        owners = set(s.scalars(select(AdCampaign.seller_id).where(AdCampaign.name == name)))
    assert owners == {A, B}
