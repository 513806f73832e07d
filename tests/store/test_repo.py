"""Repositories: carts, checkout as one transaction, idempotent orders, hashed credentials."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import Engine, func, select

from store.db import transaction
from store.models import ApiKey, Device, Event, Order, Product, Shopper
from store.repo import carts, catalog, credentials, orders
from store.repo.ads import SpendRow, upsert_spend
from store.repo.errors import EmptyCart, InvalidInput, NotFound, OutOfStock


@pytest.fixture
def shop(engine: Engine) -> Engine:
    with transaction(engine) as s:
        credentials.create_seller(s, "s1", "Seller One")
        credentials.create_seller(s, "s2", "Seller Two")
        for name, price, stock, seller in [("Tissue", 18900, 5, "s1"), ("Water", 6900, 2, "s2")]:
            catalog.add_product(
                s,
                seller_id=seller,
                type_key="toilet_paper" if name == "Tissue" else "bottled_water",
                name_en=name,
                name_ko=name,
                brand="B",
                size=2,
                price=price,
                stock=stock,
            )
    return engine


def _count(engine: Engine, model: type) -> int:
    with transaction(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_add_product_validates_against_taxonomy(shop: Engine) -> None:
    with pytest.raises(InvalidInput, match="taxonomy"), transaction(shop) as s:
        catalog.add_product(
            s,
            seller_id="s1",
            type_key="spaceship",
            name_en="x",
            name_ko="x",
            brand="b",
            size=1,
            price=1,
        )
    with pytest.raises(NotFound), transaction(shop) as s:
        catalog.add_product(
            s,
            seller_id="ghost",
            type_key="rice",
            name_en="x",
            name_ko="x",
            brand="b",
            size=1,
            price=1,
        )
    with transaction(shop) as s:
        p = catalog.add_product(
            s,
            seller_id="s1",
            type_key="rice",
            name_en="Rice",
            name_ko="쌀",
            brand="b",
            size=10,
            price=30000,
        )
        assert p.unit == "kg"  # taken from the taxonomy when not given


def test_another_sellers_product_is_not_found(shop: Engine) -> None:
    with transaction(shop) as s:
        assert catalog.get_product(s, 1, seller_id="s1").name_en == "Tissue"
        with pytest.raises(NotFound):
            catalog.get_product(s, 1, seller_id="s2")


def test_cart_adds_merges_and_totals(shop: Engine) -> None:
    with transaction(shop) as s:
        carts.add_to_cart(s, "new-shopper", 1, 2)
        view = carts.add_to_cart(s, "new-shopper", 1, 1)
        view = carts.add_to_cart(s, "new-shopper", 2, 2)
    assert [(ln["id"], ln["qty"]) for ln in view.lines] == [(1, 3), (2, 2)]
    assert view.total == 3 * 18900 + 2 * 6900
    with transaction(shop) as s:
        assert s.get(Shopper, "new-shopper") is not None  # cold start: created on first use
        view = carts.set_quantity(s, "new-shopper", 1, 1)
        view = carts.remove_from_cart(s, "new-shopper", 2)
    assert [(ln["id"], ln["qty"]) for ln in view.lines] == [(1, 1)]


def test_cart_rejects_bad_quantities_and_stock(shop: Engine) -> None:
    with pytest.raises(InvalidInput), transaction(shop) as s:
        carts.add_to_cart(s, "a", 1, 0)
    with pytest.raises(OutOfStock), transaction(shop) as s:
        carts.add_to_cart(s, "a", 2, 3)  # only 2 in stock
    with pytest.raises(NotFound), transaction(shop) as s:
        carts.add_to_cart(s, "a", 999, 1)


def test_checkout_is_one_transaction(shop: Engine) -> None:
    with transaction(shop) as s:
        carts.add_to_cart(s, "a", 1, 2)
        carts.add_to_cart(s, "a", 2, 2)
    # Someone else buys the water first; checkout must then change nothing at all.
    with transaction(shop) as s:
        s.get(Product, 2).stock = 1  # type: ignore[union-attr]
    with pytest.raises(OutOfStock), transaction(shop) as s:
        orders.place_order(s, "a", "key-1")
    with transaction(shop) as s:
        assert s.get(Product, 1).stock == 5  # type: ignore[union-attr]
        assert len(carts.view_cart(s, "a").lines) == 2
    assert _count(shop, Order) == 0
    assert _count(shop, Event) == 2  # the two add_to_cart events only


def test_order_is_idempotent_and_logs_purchases(shop: Engine) -> None:
    with transaction(shop) as s:
        carts.add_to_cart(s, "a", 1, 2)
    with transaction(shop) as s:
        first = orders.place_order(s, "a", "checkout-abc")
    with transaction(shop) as s:
        again = orders.place_order(s, "a", "checkout-abc")  # a repeated "yes"
    assert again.id == first.id
    assert first.total == 2 * 18900
    assert _count(shop, Order) == 1
    with transaction(shop) as s:
        assert s.get(Product, 1).stock == 3  # type: ignore[union-attr]
        kinds = s.scalars(select(Event.kind).order_by(Event.id)).all()
        assert kinds == ["add_to_cart", "purchase"]
        with pytest.raises(EmptyCart):
            orders.place_order(s, "a", "checkout-def")


def test_concurrent_checkouts_with_one_key_make_one_order(shop: Engine) -> None:
    if shop.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs a server database")
    with transaction(shop) as s:
        carts.add_to_cart(s, "a", 1, 1)
    results: list[object] = []

    def checkout() -> None:
        try:
            with transaction(shop) as s:
                results.append(orders.place_order(s, "a", "same-key").id)
        except Exception as exc:
            results.append(type(exc).__name__)

    threads = [threading.Thread(target=checkout) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _count(shop, Order) == 1
    assert len(results) == 4 and len(set(results)) == 1, results  # every caller got that order
    with transaction(shop) as s:
        assert s.get(Product, 1).stock == 4  # type: ignore[union-attr]


def test_api_keys_and_device_tokens_are_hashed_and_revocable(shop: Engine) -> None:
    with transaction(shop) as s:
        key = credentials.issue_api_key(s, "s1")
        s.add(Shopper(id="u1"))
        s.flush()
        device = credentials.add_device(s, "u1")
    with transaction(shop) as s:
        stored = (
            s.scalars(select(ApiKey.key_hash)).all() + s.scalars(select(Device.token_hash)).all()
        )
        assert key.secret not in stored and device.secret not in stored
        assert credentials.seller_for_api_key(s, key.secret) == "s1"
        assert credentials.seller_for_api_key(s, key.secret + "x") is None
        assert credentials.shopper_for_device_token(s, device.secret) == "u1"
        credentials.revoke_api_key(s, key.id)
        credentials.revoke_device(s, device.id)
    with transaction(shop) as s:
        assert credentials.seller_for_api_key(s, key.secret) is None
        assert credentials.shopper_for_device_token(s, device.secret) is None


def test_ad_spend_upsert_is_idempotent(shop: Engine) -> None:
    day = dt.date(2026, 6, 1)
    rows = [SpendRow("summer", "생수", day, 5000, 10), SpendRow("summer", "water", day, 3000, 4)]
    with transaction(shop) as s:
        upsert_spend(s, "s2", rows)
    with transaction(shop) as s:
        upsert_spend(s, "s2", [SpendRow("summer", "생수", day, 7000, 12)])  # a corrected day
    from store.models import AdSpend

    with transaction(shop) as s:
        got = sorted((r.keyword, r.cost, r.clicks) for r in s.scalars(select(AdSpend)))
    assert got == [("water", 3000, 4), ("생수", 7000, 12)]
