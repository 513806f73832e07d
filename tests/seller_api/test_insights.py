"""Insights against the patterns planted in the small demo store (docs/demo-data.md)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Meta, Order, OrderLine, Shopper
from store.taxonomy import load_taxonomy
from tests.seller_api.conftest import Store

FULL = {"from": "2026-08-03", "to": "2026-10-31"}  # the small demo's 90 days
SELLERS = [f"s{i:03d}" for i in range(1, 31)]


def _get(client: TestClient, demo: Store, seller: str, path: str, **params: Any) -> dict[str, Any]:
    r = client.get(path, headers=demo.key(seller), params={**FULL, **params})
    assert r.status_code == 200, r.text
    return r.json()


def test_ctr_falls_with_slot(client: TestClient, demo: Store) -> None:
    clicks: dict[int, int] = defaultdict(int)
    shown: dict[int, int] = defaultdict(int)
    market: dict[int, float] = {}
    for seller in SELLERS:
        body = _get(client, demo, seller, "/v1/insights/page-slots")
        assert body["suggestion"]
        for it in body["items"]:
            if it["page"] == "search":
                clicks[it["slot"]] += it["clicks"]
                shown[it["slot"]] += it["impressions"]
                market[it["slot"]] = it["market_ctr"]
    ctr = {s: clicks[s] / shown[s] for s in shown}
    assert ctr[1] > ctr[3] > ctr[5] and ctr[1] > 2 * ctr[5]
    # The sellers' own counts add up to the market's: nothing is lost or counted twice.
    for slot in (1, 3, 5):
        assert ctr[slot] == pytest.approx(market[slot])


def test_buyers_search_small_pack_sizes_more(client: TestClient, demo: Store) -> None:
    """A query names the pack when the smallest is bought four times as often as otherwise."""
    tax = load_taxonomy()
    small = large = 0
    for seller in SELLERS:
        body = _get(client, demo, seller, "/v1/insights/search-terms", limit=100)
        assert body["suggestion"]
        for p in body["pack_sizes"]:
            sizes = tax[p["type_key"]].sizes
            if len(sizes) < 2:
                continue
            label = p["size"].replace(" ", "")

            def fmt(x: float, unit: str = tax[p["type_key"]].unit) -> str:
                return f"{x:g}{'' if unit in ('L', 'ml', 'g', 'kg', 'm') else unit}"

            if label == fmt(min(sizes)):
                small += p["searches"]
            elif label == fmt(max(sizes)):
                large += p["searches"]
    assert small > 1.5 * large, (small, large)


def test_search_terms_come_from_the_sellers_purchases(client: TestClient, demo: Store) -> None:
    body = _get(client, demo, "s001", "/v1/insights/search-terms", limit=100)
    assert body["items"] and 0 < body["size_search_share"] < 1
    total = sum(it["searches"] for it in body["items"])
    with Session(demo.engine) as s:
        lines = s.scalars(select(OrderLine.id).join(Order).where(
            OrderLine.seller_id == "s001", Order.created_at >= "2026-08-03")).all()  # fmt: skip
    assert total <= len(lines)
    assert abs(sum(it["share"] for it in body["items"]) - 1) < 1e-6 or body["next"]


def _true_share(demo: Store, seller: str, attr: str) -> float:
    with Session(demo.engine) as s:
        buyers = set(s.scalars(select(Order.shopper_id).join(OrderLine).where(
            OrderLine.seller_id == seller, Order.status != "cancelled",
            Order.created_at >= "2026-08-03")))  # fmt: skip
        rows = s.execute(select(Shopper.id, Shopper.married, Shopper.kids_count)).all()
    truth = {sid: (m, k) for sid, m, k in rows if sid in buyers}
    if attr == "married":
        return sum(bool(m) for m, _ in truth.values()) / len(truth)
    return sum((k or 0) > 0 for _, k in truth.values()) / len(truth)


@pytest.mark.parametrize("seller", ["s001", "s009"])
def test_customers_demographics_and_lifestyle(client: TestClient, demo: Store, seller: str) -> None:
    body = _get(client, demo, seller, "/v1/insights/customers")
    assert body["buyers"] == sum(s["buyers"] for s in body["items"]) > 0
    assert body["suggestion"]
    life = body["lifestyle"]
    held = {h["target"]: h for h in life["held_out"]}
    # Held-out scores are computed when the model is trained, from the store's labelled shoppers.
    for target in ("married", "children", "occupation"):
        assert held[target]["balanced_accuracy"] > 0.6, held[target]
        assert held[target]["n"] >= 400
        low, high = held[target]["balanced_accuracy_interval"]
        assert low < held[target]["balanced_accuracy"] < high and high - low < 0.2, held[target]
    attrs = {a["attribute"]: {v["value"]: v for v in a["values"]} for a in life["attributes"]}
    for attr, value in (("married", "married"), ("children", "children")):
        predicted = attrs[attr].get(value, {"share": 0.0})["share"]
        assert abs(predicted - _true_share(demo, seller, attr)) < 0.15, (attr, predicted)
        assert all(0.5 <= v["confidence"] <= 1 for v in attrs[attr].values())


def test_baby_shop_buyers_have_children_more_often(client: TestClient, demo: Store) -> None:
    def kids(seller: str) -> float:
        life = _get(client, demo, seller, "/v1/insights/customers")["lifestyle"]
        values = {
            a["attribute"]: {v["value"]: v["share"] for v in a["values"]}
            for a in life["attributes"]
        }
        return values["children"].get("children", 0.0)

    assert kids("s009") > kids("s018") + 0.1  # Baby Love Shop vs Fresh Farm Dairy


def test_roas_tiers_rank_as_planted(client: TestClient, demo: Store) -> None:
    with Session(demo.engine) as s:
        truth = json.loads(s.scalar(select(Meta.value).where(Meta.key == "demo_ads")) or "[]")
    tier = {(c["seller_id"], c["name"]): c["tier"] for c in truth}
    spend: dict[str, float] = defaultdict(float)
    revenue: dict[str, float] = defaultdict(float)
    for seller in SELLERS:
        body = _get(client, demo, seller, "/v1/ads/roas", group_by="campaign")
        for it in body["items"]:
            t = tier[(seller, it["campaign"])]
            spend[t] += it["spend"]
            revenue[t] += it["revenue"]
    roas = {t: revenue[t] / spend[t] for t in spend}
    assert roas["retarget"] > roas["category"] > roas["broad"], roas
    assert roas["broad"] < 1 < roas["retarget"]


def test_loyal_customers_and_export(client: TestClient, demo: Store) -> None:
    body = _get(client, demo, "s001", "/v1/customers/loyal", limit=100)
    items = body["items"]
    assert items and body["suggestion"] and sum(body["segments"].values()) >= len(items)
    scores = [c["score"] for c in items]
    assert scores == sorted(scores, reverse=True)
    champions = _get(client, demo, "s001", "/v1/customers/loyal", segment="champions", limit=100)[
        "items"
    ]
    assert champions and all(c["r"] >= 4 and c["f"] >= 4 for c in champions)
    r = client.get("/v1/customers/loyal", headers=demo.key("s001"),
                   params={**FULL, "segment": "champions", "format": "csv"})  # fmt: skip
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.strip().splitlines()
    assert lines[0].startswith("customer_id,segment") and len(lines) - 1 >= len(champions)
