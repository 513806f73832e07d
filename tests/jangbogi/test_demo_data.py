"""The generated demo store: consistency of the rows and every planted pattern, measured by SQL
over the tables (jangbogi.demo.measure), never read back from the generator's constants.

Runs on a small config (400 shoppers, 90 days); the same checks run on the default config in
the slow tests.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from jangbogi.demo import GENERATOR_VERSION, DemoConfig, seed_demo
from jangbogi.demo.measure import measure
from store.db import create_store_engine, transaction
from store.migrate import upgrade
from store.models import (
    AdCampaign,
    AdKeyword,
    AdSpend,
    Cart,
    CartLine,
    Event,
    Meta,
    Order,
    OrderLine,
    Product,
    Seller,
    Shopper,
)
from store.taxonomy import load_taxonomy

SMALL = DemoConfig(n_shoppers=400, days=90)
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@dataclass
class Demo:
    config: DemoConfig
    engine: Engine
    counts: dict[str, int]
    report: dict[str, Any]


@pytest.fixture(
    scope="module",
    params=["small", pytest.param("default", marks=pytest.mark.slow)],
)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    config = SMALL if request.param == "small" else DemoConfig()
    path = tmp_path_factory.mktemp(f"demo-{request.param}") / "store.db"
    engine = create_store_engine(f"sqlite:///{path}")
    upgrade(engine)
    counts = seed_demo(engine, config)
    yield Demo(config, engine, counts, measure(engine))
    engine.dispose()


def _count(engine: Engine, model: Any) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(model)) or 0)


# -- rows ---------------------------------------------------------------------------------------


def test_counts_match_the_tables(demo: Demo) -> None:
    tables = {
        "sellers": Seller, "products": Product, "shoppers": Shopper, "orders": Order,
        "order_lines": OrderLine, "events": Event, "campaigns": AdCampaign,
        "ad_keywords": AdKeyword, "ad_spend_rows": AdSpend, "carts": Cart,
        "cart_lines": CartLine,
    }  # fmt: skip
    for key, model in tables.items():
        assert demo.counts[key] == _count(demo.engine, model), key
    assert demo.counts["shoppers"] == demo.config.n_shoppers
    assert demo.counts["products"] == 74 * demo.config.products_per_type


def test_meta_rows(demo: Demo) -> None:
    with demo.engine.connect() as conn:
        meta = dict(conn.execute(select(Meta.key, Meta.value)).all())
    config = json.loads(meta["demo_config"])
    assert config["generator_version"] == GENERATOR_VERSION
    assert config["n_shoppers"] == demo.config.n_shoppers and config["seed"] == demo.config.seed
    ads = json.loads(meta["demo_ads"])
    assert len(ads) == demo.counts["campaigns"]
    assert {a["tier"] for a in ads} == {"retarget", "category", "broad"}


def test_catalog_coverage(demo: Demo) -> None:
    with demo.engine.connect() as conn:
        types = set(conn.scalars(select(Product.type_key).distinct()))
        sellers = set(conn.scalars(select(Product.seller_id).distinct()))
        names = conn.execute(select(Product.name_en, Product.name_ko)).all()
        zero_stock = conn.scalar(select(func.count()).where(Product.stock == 0))
    assert types == set(load_taxonomy().keys())
    assert len(sellers) >= 25
    assert all(HANGUL.search(ko) and not HANGUL.search(en) for en, ko in names)
    assert 0 < (zero_stock or 0) < 0.1 * len(names)


def test_shoppers_carry_demographics_and_lifestyle(demo: Demo) -> None:
    with demo.engine.connect() as conn:
        rows = conn.execute(
            select(
                Shopper.id, Shopper.source, Shopper.gender, Shopper.age_band, Shopper.married,
                Shopper.kids_count, Shopper.household_size, Shopper.language, Shopper.lifestyle,
            )
        ).all()  # fmt: skip
    for sid, source, gender, band, married, kids, household, language, life in rows:
        assert re.fullmatch(r"u\d{5}", sid) and source == "demo"
        assert gender in ("F", "M") and band in ("20s", "30s", "40s", "50s", "60s+")
        assert life["married"] == married and len(life["children"]) == kids
        assert life["language"] == language and household >= 1 + kids
        assert life["occupation"] in ("student", "office_worker", "homemaker", "retired")
        assert set(life["pets"]) <= {"dog", "cat"}
        assert life["pack_size_pref"] in ("small", "medium", "large")
        assert 0 <= life["brand_loyalty"] <= 1 and 0 <= life["price_sensitivity"] <= 1
        assert set(life["favourite_brands"]) == set(life["needs"])


def test_orders_lines_and_purchase_events_agree(demo: Demo) -> None:
    with demo.engine.connect() as conn:
        lines = conn.execute(
            select(
                OrderLine.order_id, OrderLine.product_id, OrderLine.seller_id, OrderLine.qty,
                OrderLine.unit_price, Product.seller_id, Product.price,
            ).join(Product, Product.id == OrderLine.product_id)
        ).all()  # fmt: skip
        totals = dict(conn.execute(select(Order.id, Order.total)).all())
        purchases = conn.execute(
            select(Event.order_id, Event.product_id, Event.seller_id, Event.qty).where(
                Event.kind == "purchase"
            )
        ).all()
        created = dict(conn.execute(select(Order.id, Order.created_at)).all())
        purchase_ts = dict(
            conn.execute(
                select(Event.order_id, func.min(Event.ts))
                .where(Event.kind == "purchase")
                .group_by(Event.order_id)
            ).all()
        )
    summed: Counter[int] = Counter()
    for order_id, _, seller, qty, unit_price, product_seller, price in lines:
        assert seller == product_seller and unit_price == price and qty >= 1
        summed[order_id] += qty * unit_price
    assert summed == Counter(totals)
    assert sorted((o, p, s, q) for o, p, s, q, *_ in lines) == sorted(map(tuple, purchases))
    assert purchase_ts == created


def test_events_have_their_fields(demo: Demo) -> None:
    with demo.engine.connect() as conn:
        kinds = dict(conn.execute(select(Event.kind, func.count()).group_by(Event.kind)).all())
        bad = {
            "search": Event.query.is_(None) | Event.language.is_(None),
            "impression": Event.product_id.is_(None) | Event.page.is_(None)
            | Event.slot.is_(None) | Event.seller_id.is_(None),
            "click": Event.product_id.is_(None) | Event.page.is_(None) | Event.slot.is_(None),
            "add_to_cart": Event.product_id.is_(None) | Event.qty.is_(None),
            "purchase": Event.order_id.is_(None) | Event.qty.is_(None)
            | Event.seller_id.is_(None),
            "ad_click": Event.campaign_id.is_(None) | Event.keyword.is_(None)
            | Event.product_id.is_(None) | Event.seller_id.is_(None),
        }  # fmt: skip
        for kind, cond in bad.items():
            assert conn.scalar(select(func.count()).where(Event.kind == kind, cond)) == 0, kind
        pages = set(conn.scalars(select(Event.page).distinct().where(Event.page.is_not(None))))
        start = dt.datetime.combine(demo.config.start_date, dt.time())
        end = dt.datetime.combine(demo.config.end_date, dt.time())
        first, last = conn.execute(select(func.min(Event.ts), func.max(Event.ts))).one()
    assert set(kinds) == {"search", "impression", "click", "add_to_cart", "purchase", "ad_click"}
    assert pages == {"search", "home", "category"}
    assert start <= first and last < end


def test_ad_spend_clicks_are_the_ad_click_events(demo: Demo) -> None:
    with demo.engine.connect() as conn:
        spend = Counter(
            {
                (c, k, d): n
                for c, k, d, n in conn.execute(
                    select(AdSpend.campaign_id, AdSpend.keyword, AdSpend.date, AdSpend.clicks)
                )
                if n
            }
        )
        clicks: Counter[tuple[int, str, dt.date]] = Counter(
            (c, k, ts.date())
            for c, k, ts in conn.execute(
                select(Event.campaign_id, Event.keyword, Event.ts).where(Event.kind == "ad_click")
            )
        )
        keywords = set(conn.execute(select(AdKeyword.campaign_id, AdKeyword.keyword)).all())
        per_seller = Counter(conn.scalars(select(AdCampaign.seller_id)))
    assert spend == clicks and sum(clicks.values()) > 100
    assert {(c, k) for c, k, _ in clicks} <= keywords
    assert all(1 <= n <= 3 for n in per_seller.values())


def test_some_carts_are_left_open(demo: Demo) -> None:
    assert demo.report["open_carts"] > 0.03 * demo.config.n_shoppers
    with demo.engine.connect() as conn:
        carts = conn.execute(select(Cart.shopper_id, Cart.updated_at)).all()
        last_order = dict(
            conn.execute(
                select(Order.shopper_id, func.max(Order.created_at)).group_by(Order.shopper_id)
            ).all()
        )
    end = dt.datetime.combine(demo.config.end_date, dt.time())
    for shopper, updated in carts:
        assert updated < end
        assert shopper not in last_order or last_order[shopper] < updated


def test_order_status_follows_age(demo: Demo) -> None:
    end = dt.datetime.combine(demo.config.end_date, dt.time())
    with demo.engine.connect() as conn:
        rows = conn.execute(select(Order.status, Order.created_at)).all()
    for status, created in rows:
        age = (end - created).total_seconds() / 86_400
        if status == "delivered":
            assert age >= 3
        elif status in ("placed", "shipped"):
            assert age < 3
    assert 0.005 < demo.report["cancelled_order_share"] < 0.03
    assert set(demo.report["order_status_counts"]) == {
        "placed",
        "shipped",
        "delivered",
        "cancelled",
    }


def test_seeding_refuses_a_store_that_is_not_empty(demo: Demo) -> None:
    if demo.config != SMALL:
        pytest.skip("once is enough")
    with pytest.raises(RuntimeError, match="not empty"):
        seed_demo(demo.engine, DemoConfig(n_shoppers=5, days=5))
    # The explicit ids left the id allocation intact: an ordinary insert gets the next id.
    with transaction(demo.engine) as s:
        order = Order(shopper_id="u00001", total=0)
        s.add(order)
        s.flush()
        assert order.id == demo.counts["orders"] + 1
        s.rollback()


# -- planted patterns ---------------------------------------------------------------------------


def test_infant_households_buy_diapers_every_two_weeks(demo: Demo) -> None:
    assert 10 <= demo.report["diaper_interval_days_infant_households"] <= 18


def test_students_buy_small_packs_families_large(demo: Demo) -> None:
    students = demo.report["small_pack_share_students"]
    families = demo.report["small_pack_share_families"]
    assert students > 1.5 * families and students > 0.5


def test_ctr_falls_with_slot(demo: Demo) -> None:
    ctr = demo.report["ctr_search_by_slot"]
    assert ctr[1] > ctr[3] > ctr[5] > 0
    assert ctr[1] > 2 * ctr[5]
    home = demo.report["ctr_home_by_slot"]
    assert home[1] > home[5]


def test_loyal_shoppers_buy_their_favourite_brand(demo: Demo) -> None:
    loyal = demo.report["favourite_brand_share_loyal"]
    assert loyal > 0.75
    assert loyal > demo.report["favourite_brand_share_nonloyal"] + 0.25


def test_price_sensitive_shoppers_pay_less_per_unit(demo: Demo) -> None:
    sensitive = demo.report["relative_unit_price_sensitive"]
    assert sensitive < demo.report["relative_unit_price_insensitive"] - 0.04
    assert sensitive < 0.96


def test_pet_food_is_bought_by_pet_owners(demo: Demo) -> None:
    assert demo.report["pet_food_buyers_owning_pets"] >= 0.9
    assert demo.report["pet_owners_buying_pet_food"] > 0.7
    assert demo.report["non_owners_buying_pet_food"] < 0.02


def test_women_buy_feminine_care(demo: Demo) -> None:
    assert demo.report["feminine_care_buyers_female"] >= 0.9


def test_families_buy_bigger_baskets_and_more_household_items(demo: Demo) -> None:
    r = demo.report
    assert r["basket_lines_with_kids"] > 1.3 * r["basket_lines_one_person"]
    assert r["household_item_share_with_kids"] > 2 * r["household_item_share_one_person"]


def test_small_pack_buyers_search_sizes_more(demo: Demo) -> None:
    r = demo.report
    assert r["size_query_share_small_pack_buyers"] > 2 * r["size_query_share_other_buyers"]


def test_students_live_on_instant_food(demo: Demo) -> None:
    r = demo.report
    assert r["instant_food_buyers_students"] > 2 * r["instant_food_buyers_others"]


def test_diapers_point_to_young_children(demo: Demo) -> None:
    assert demo.report["diaper_buyers_with_children_0_6"] >= 0.95


def test_searches_are_mostly_korean(demo: Demo) -> None:
    assert 0.6 < demo.report["korean_search_share"] < 0.75


def test_ad_tiers_differ_in_conversion_and_roas(demo: Demo) -> None:
    tiers = demo.report["ads_by_tier"]
    assert tiers["retarget"]["roas"] > tiers["category"]["roas"] > tiers["broad"]["roas"]
    assert tiers["retarget"]["conversion"] > 2 * tiers["broad"]["conversion"]
    assert tiers["broad"]["roas"] < 1.5 < tiers["retarget"]["roas"]


@pytest.mark.slow
def test_default_config_volume(demo: Demo) -> None:
    if demo.config != DemoConfig():
        pytest.skip("volume targets are for the default config")
    assert demo.counts["products"] >= 1500 and demo.counts["shoppers"] >= 3000
    assert demo.counts["sellers"] >= 25
    assert 500_000 <= demo.counts["events"] <= 1_500_000
