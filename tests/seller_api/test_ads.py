"""ROAS and last-click attribution against hand-computed fixtures, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select

from store.db import transaction
from store.models import AdCampaign, AdSpend, Order, OrderLine, Product, Shopper
from store.repo.credentials import create_seller, issue_api_key
from store.repo.events import log_event
from tests.seller_api.conftest import make_client

T = dt.datetime
SPEND = [
    {"campaign": "Camp1", "keyword": "soap", "date": "2026-10-01", "cost": 1000, "clicks": 2},
    {"campaign": "Camp1", "keyword": "soap", "date": "2026-10-02", "cost": 1000, "clicks": 2},
    {"campaign": "Camp1", "keyword": "soap", "date": "2026-10-03", "cost": 1000, "clicks": 1},
    {"campaign": "Camp2", "keyword": "dish", "date": "2026-10-02", "cost": 500, "clicks": 1},
    {"campaign": "Zero", "keyword": "z", "date": "2026-10-01", "cost": 0, "clicks": 0},
]


def _product(s: Any, pid: int, seller: str, price: int) -> None:
    s.add(Product(id=pid, seller_id=seller, type_key="dish_soap", name_en=f"Soap {pid}",
                  name_ko=f"주방세제 {pid}", brand="Joy", size=750, unit="ml", price=price, stock=9))  # fmt: skip


def _order(
    s: Any,
    oid: int,
    shopper: str,
    ts: T,
    lines: list[tuple[int, str, int, int]],
    status: str = "delivered",
) -> None:
    order = Order(
        id=oid,
        shopper_id=shopper,
        total=sum(q * p for _, _, q, p in lines),
        created_at=ts,
        status=status,
    )
    for pid, seller, qty, price in lines:
        order.lines.append(OrderLine(product_id=pid, seller_id=seller, qty=qty, unit_price=price))
    s.add(order)


@pytest.fixture
def ads_store(engine: Engine) -> tuple[Engine, dict[str, str]]:
    """Sellers sa and sb; hand-made clicks and orders (see each test's arithmetic)."""
    with transaction(engine) as s:
        for seller in ("sa", "sb"):
            create_seller(s, seller, seller.upper())
        keys = {seller: issue_api_key(s, seller).secret for seller in ("sa", "sb")}
        s.add_all([Shopper(id=u) for u in ("u1", "u2", "u3")])
        _product(s, 1, "sa", 1000)
        _product(s, 2, "sa", 3000)
        _product(s, 3, "sb", 5000)
    client = make_client(engine)
    assert (
        client.post(
            "/v1/ads/spend", headers={"X-API-Key": keys["sa"]}, json={"rows": SPEND}
        ).status_code
        == 200
    )
    # sb has a campaign of the same name: it must never mix with sa's.
    other = [
        {"campaign": "Camp1", "keyword": "soap", "date": "2026-10-01", "cost": 99, "clicks": 9}
    ]
    assert (
        client.post(
            "/v1/ads/spend", headers={"X-API-Key": keys["sb"]}, json={"rows": other}
        ).status_code
        == 200
    )
    with transaction(engine) as s:
        ids = {(c.seller_id, c.name): c.id for c in s.scalars(select(AdCampaign))}

        def click(shopper: str, ts: T, pid: int, seller: str, campaign: str, keyword: str) -> None:
            log_event(s, "ad_click", ts=ts, shopper_id=shopper, product_id=pid, seller_id=seller,
                      campaign_id=ids[(seller, campaign)], keyword=keyword)  # fmt: skip

        click("u1", T(2026, 10, 1, 10), 1, "sa", "Camp1", "soap")  # c1
        click("u2", T(2026, 10, 2, 9), 1, "sa", "Camp1", "soap")  # c2
        click("u2", T(2026, 10, 2, 12), 1, "sa", "Camp2", "dish")  # c3: u2's last click
        click("u3", T(2026, 10, 1, 0), 1, "sa", "Camp1", "soap")  # c5
        click("u1", T(2026, 10, 1, 11), 3, "sb", "Camp1", "soap")  # sb's own
        # o1: exactly 7 days after c1 -> inside a 7-day window, outside a 6-day one.
        _order(s, 1, "u1", T(2026, 10, 8, 10), [(1, "sa", 2, 1000)])
        # o2: product 1 credited to c3 (last click), product 2 was never clicked.
        _order(s, 2, "u2", T(2026, 10, 3, 8), [(1, "sa", 1, 1000), (2, "sa", 1, 3000)])
        _order(s, 3, "u2", T(2026, 10, 3, 9), [(1, "sa", 1, 1000)], status="cancelled")
        # o5: one second past 7 days after c5.
        _order(s, 5, "u3", T(2026, 10, 8, 0, 0, 1), [(1, "sa", 1, 1000)])
        _order(s, 6, "u1", T(2026, 10, 2, 0), [(3, "sb", 1, 5000)])
    return engine, keys


def _roas(engine: Engine, key: str, **params: Any) -> dict[str, Any]:
    r = make_client(engine).get("/v1/ads/roas", headers={"X-API-Key": key}, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _by(items: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {it[key]: it for it in items}


def test_roas_by_campaign_hand_computed(ads_store: tuple[Engine, dict[str, str]]) -> None:
    engine, keys = ads_store
    out = _roas(engine, keys["sa"], **{"from": "2026-10-01", "to": "2026-10-03"})
    rows = _by(out["items"], "campaign")
    assert set(rows) == {"Camp1", "Camp2", "Zero"}
    c1, c2, zero = rows["Camp1"], rows["Camp2"], rows["Zero"]
    assert (c1["spend"], c1["clicks"], c1["orders"], c1["revenue"]) == (3000, 5, 1, 2000)
    assert c1["roas"] == pytest.approx(2000 / 3000) and c1["acos"] == pytest.approx(1.5)
    assert (c2["spend"], c2["orders"], c2["revenue"]) == (500, 1, 1000)
    assert c2["roas"] == pytest.approx(2.0) and c2["acos"] == pytest.approx(0.5)
    # Zero spend and no revenue: null ratios, not a crash.
    assert (zero["spend"], zero["orders"], zero["roas"], zero["acos"]) == (0, 0, None, None)
    assert out["totals"]["spend"] == 3500 and out["totals"]["revenue"] == 3000
    assert out["totals"]["orders"] == 2
    assert out["suggestion"] and out["budget"]["suggestion"]


def test_window_edges(ads_store: tuple[Engine, dict[str, str]]) -> None:
    engine, keys = ads_store
    six = _by(_roas(engine, keys["sa"], **{"from": "2026-10-01", "to": "2026-10-03",
                                           "attribution_window_days": 6})["items"], "campaign")  # fmt: skip
    assert six["Camp1"]["revenue"] == 0 and six["Camp1"]["roas"] == 0.0
    assert six["Camp1"]["acos"] is None
    assert six["Camp2"]["revenue"] == 1000  # one day after its click
    one = _by(_roas(engine, keys["sa"], **{"from": "2026-10-01", "to": "2026-10-03",
                                           "attribution_window_days": 1})["items"], "campaign")  # fmt: skip
    assert one["Camp2"]["revenue"] == 1000  # 20 hours


def test_click_before_the_range_keeps_its_order(ads_store: tuple[Engine, dict[str, str]]) -> None:
    """o1's last click (c1) is on 10-01: a range starting 10-02 earns nothing from it."""
    engine, keys = ads_store
    rows = _by(
        _roas(engine, keys["sa"], **{"from": "2026-10-02", "to": "2026-10-03"})["items"], "campaign"
    )
    assert rows["Camp1"]["revenue"] == 0 and rows["Camp1"]["spend"] == 2000
    assert rows["Camp2"]["revenue"] == 1000


def test_group_by_date_and_keyword(ads_store: tuple[Engine, dict[str, str]]) -> None:
    engine, keys = ads_store
    rng = {"from": "2026-10-01", "to": "2026-10-03"}
    days = _by(_roas(engine, keys["sa"], group_by="date", **rng)["items"], "date")
    assert {d: (r["spend"], r["revenue"]) for d, r in days.items()} == {
        "2026-10-01": (1000, 2000), "2026-10-02": (1500, 1000), "2026-10-03": (1000, 0),
    }  # fmt: skip
    alias = _roas(engine, keys["sa"], group_by="day", **rng)
    assert alias["group_by"] == "date" and len(alias["items"]) == 3
    words = _by(_roas(engine, keys["sa"], group_by="keyword", **rng)["items"], "keyword")
    assert words["soap"]["revenue"] == 2000 and words["dish"]["revenue"] == 1000


def test_other_seller_sees_only_its_own(ads_store: tuple[Engine, dict[str, str]]) -> None:
    engine, keys = ads_store
    out = _roas(engine, keys["sb"], **{"from": "2026-10-01", "to": "2026-10-03"})
    rows = _by(out["items"], "campaign")
    assert set(rows) == {"Camp1"}
    assert rows["Camp1"]["spend"] == 99 and rows["Camp1"]["revenue"] == 5000


def test_spend_upload_is_idempotent_and_validated(ads_store: tuple[Engine, dict[str, str]]) -> None:
    engine, keys = ads_store
    client = make_client(engine)
    h = {"X-API-Key": keys["sa"]}
    again = [{**SPEND[0], "cost": 1200}]
    for _ in range(2):
        assert client.post("/v1/ads/spend", headers=h, json={"rows": again}).json()["stored"] == 1
    with transaction(engine) as s:
        rows = s.scalars(
            select(AdSpend).where(AdSpend.date == dt.date(2026, 10, 1), AdSpend.keyword == "soap")
        ).all()
        assert sorted(r.cost for r in rows) == [99, 1200]  # sa's row replaced, sb's untouched
    bad = [
        ({"rows": []}, ["body", "rows"]),
        ({"rows": [{**SPEND[0], "cost": -1}]}, ["body", "rows", 0, "cost"]),
        ({"rows": [{**SPEND[0], "date": "2026-13-01"}]}, ["body", "rows", 0, "date"]),
        ({"rows": [{**SPEND[0], "date": "1999-01-01"}]}, ["body", "rows.0.date"]),
        ({"rows": [SPEND[0], SPEND[0]]}, ["body", "rows.1"]),
        ({"rows": [{**SPEND[0], "extra": 1}]}, ["body", "rows", 0, "extra"]),
    ]
    for body, loc in bad:
        r = client.post("/v1/ads/spend", headers=h, json=body)
        assert r.status_code == 422, body
        assert r.json()["detail"][0]["loc"] == loc


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-10-05", "to": "2026-10-01"}, "from"),
        ({"from": "2020-01-01", "to": "2026-10-01"}, "to"),
        ({"from": "2026-02-30"}, "from"),
        ({"from": "1900-01-01", "to": "1900-01-02"}, "from"),
        ({"attribution_window_days": 0}, "attribution_window_days"),
        ({"attribution_window_days": 31}, "attribution_window_days"),
        ({"group_by": "week"}, "group_by"),
        ({"limit": 101}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_roas_validation_names_the_field(
    ads_store: tuple[Engine, dict[str, str]], params: dict[str, Any], field: str
) -> None:
    engine, keys = ads_store
    r = make_client(engine).get("/v1/ads/roas", headers={"X-API-Key": keys["sa"]}, params=params)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == field
