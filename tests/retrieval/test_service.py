"""The search service end to end on a small real catalog (real MiniLM embeddings, SQLite store)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine

from retrieval.catalog import SearchFilters
from retrieval.embeddings import Embedder, get_embedder
from retrieval.index import read_manifest
from retrieval.personal import FEATURES, Blend
from retrieval.service import SearchService
from retrieval.text import CatalogItem
from store.db import create_store_engine, transaction
from store.migrate import upgrade
from store.models import Order, OrderLine, Product, Shopper
from store.repo.credentials import create_seller

# (type_key, name_en, name_ko, brand, size, unit, price, stock)
PRODUCTS = [
    ("toilet_paper", "Kkaekkeutan Nara Toilet Paper 30 rolls", "깨끗한나라 화장지 30롤", "Kkaekkeutan Nara", 30, "roll", 18900, 10),
    ("toilet_paper", "Kleenex Toilet Paper 24 rolls", "크리넥스 화장지 24롤", "Kleenex", 24, "roll", 21900, 10),
    ("toilet_paper", "Daily Pick Toilet Paper 12 rolls", "데일리픽 화장지 12롤", "Daily Pick", 12, "roll", 7900, 0),
    ("bottled_water", "Samdasoo Spring Water 2L x 6", "삼다수 생수 2L", "Samdasoo", 2, "L", 6900, 50),
    ("bottled_water", "Icis Mineral Water 0.5L x 20", "아이시스 생수 500ml", "Icis", 0.5, "L", 8900, 50),
    ("diapers", "Huggies Magic Pants Diapers 60 count", "하기스 매직팬티 기저귀 60매", "Huggies", 60, "count", 32900, 5),
    ("diapers", "Bosomi Diapers 40 count", "보솜이 기저귀 40매", "Bosomi", 40, "count", 19900, 5),
    ("liquid_laundry_detergent", "Persil Power Gel Laundry Detergent 3L", "퍼실 파워젤 액체 세탁세제 3L", "Persil", 3, "L", 15900, 8),
    ("liquid_laundry_detergent", "Tech Liquid Laundry Detergent 1.5L", "테크 액체 세탁세제 1.5L", "Tech", 1.5, "L", 8900, 8),
    ("dish_soap", "Joy Dish Soap 750ml", "조이 주방세제 750ml", "Joy", 750, "ml", 4900, 8),
    ("rice", "Icheon Rice 10kg", "이천쌀 10kg", "Icheon", 10, "kg", 39000, 3),
    ("rice", "Cheorwon Rice 4kg", "철원쌀 4kg", "Cheorwon", 4, "kg", 17900, 3),
]  # fmt: skip


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return get_embedder()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path = tmp_path_factory.mktemp("svc") / "store.db"
    engine = create_store_engine(f"sqlite:///{path}")
    upgrade(engine)
    with transaction(engine) as s:
        create_seller(s, "s1", "Seller One")
        create_seller(s, "s2", "Seller Two")
        for i, (t, en, ko, brand, size, unit, price, stock) in enumerate(PRODUCTS, 1):
            s.add(
                Product(
                    id=i,
                    seller_id="s1" if i % 2 else "s2",
                    type_key=t,
                    name_en=en,
                    name_ko=ko,
                    brand=brand,
                    size=size,
                    unit=unit,
                    price=price,
                    stock=stock,
                )
            )
        # A loyal Kleenex buyer, and a shopper who only looked at Daily Pick (cold start).
        s.add_all([Shopper(id="loyal"), Shopper(id="browser"), Shopper(id="someone")])
        s.flush()
        for n in range(4):
            order = Order(
                id=n + 1,
                shopper_id="loyal",
                total=21900,
                created_at=dt.datetime(2026, 10, 1) + dt.timedelta(days=7 * n),
            )
            order.lines.append(OrderLine(product_id=2, seller_id="s2", qty=1, unit_price=21900))
            s.add(order)
        order = Order(id=10, shopper_id="someone", total=18900)
        for _ in range(3):
            order.lines.append(OrderLine(product_id=1, seller_id="s1", qty=1, unit_price=18900))
        s.add(order)
    return engine


@pytest.fixture(scope="module")
def service(
    store: Engine, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
) -> SearchService:
    svc = SearchService.open(store, tmp_path_factory.mktemp("index"), embedder)
    # A blend that values the shopper's own brand and items (the learned one is tested apart,
    # in test_personal.py; this store is too small to learn from).
    weights = np.zeros(len(FEATURES))
    weights[FEATURES.index("bought_before")] = 1.0
    weights[FEATURES.index("brand_in_type")] = 1.0
    weights[FEATURES.index("popularity")] = 0.2
    assert svc.personalizer is not None
    svc.personalizer.blend = Blend(weights, np.ones(len(FEATURES)))
    return svc


def _types(results) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.item.type_key for r in results]


@pytest.mark.parametrize(
    ("query", "type_key"),
    [
        ("휴지", "toilet_paper"),
        ("toilet roll", "toilet_paper"),
        ("nappies", "diapers"),
        ("기저귀 주세요", "diapers"),
        ("생수 2리터", "bottled_water"),
        ("washing liquid", "liquid_laundry_detergent"),
        ("세탁세제", "liquid_laundry_detergent"),
        ("쌀 사고 싶어요", "rice"),
        # A two-syllable word with a particle: "휴지도" must still meet "휴지".
        ("휴지도 찾아줘", "toilet_paper"),
        ("쌀도 있어요?", "rice"),
    ],
)
def test_queries_in_both_languages_find_their_type(
    service: SearchService, query: str, type_key: str
) -> None:
    results = service.search(query, k=3)
    assert results and results[0].item.type_key == type_key


@pytest.mark.parametrize("mode", ["dense", "lexical", "hybrid"])
def test_every_mode_answers(service: SearchService, mode: str) -> None:
    assert service.search("toilet paper", k=3, mode=mode)


def test_filters(service: SearchService) -> None:
    cheap = service.search("세탁세제", k=10, filters=SearchFilters(max_price=10000))
    assert cheap and all(r.item.price <= 10000 for r in cheap)
    by_brand = service.search("toilet paper", k=10, filters=SearchFilters(brand="kleenex"))
    assert [r.item.id for r in by_brand] == [2]
    by_type = service.search("something", k=10, filters=SearchFilters(type_key="rice"))
    assert set(_types(by_type)) <= {"rice"}
    sized = service.search(
        "water", k=10, filters=SearchFilters(min_size=1000, max_size=3000, size_unit="ml")
    )
    # 2 L water, 1.5 L and 3 L detergent are 1000-3000 ml; 0.5 L water and 750 ml soap are not.
    assert sorted(r.item.id for r in sized) == [4, 8, 9]
    in_stock = service.search("화장지", k=10)
    assert 3 not in [r.item.id for r in in_stock]  # out of stock by default
    with_oos = service.search("화장지", k=10, filters=SearchFilters(in_stock=False))
    assert 3 in [r.item.id for r in with_oos]
    seller = service.search("화장지", k=10, filters=SearchFilters(seller_id="s2"))
    assert seller and all(r.item.seller_id == "s2" for r in seller)


def test_price_cap_in_words_is_a_filter(service: SearchService) -> None:
    results = service.search("기저귀 2만원 이하", k=10)
    assert results and all(r.item.price <= 20000 for r in results)
    assert results[0].item.id == 7
    results = service.search("rice under 20,000 won", k=10)
    assert [r.item.id for r in results][:1] == [12]


def test_size_in_words_boosts_that_size(service: SearchService) -> None:
    assert service.search("생수 500ml", k=2)[0].item.id == 5
    assert service.search("생수 2리터", k=2)[0].item.id == 4


def test_personalisation_prefers_the_usual_brand_with_a_reason(service: SearchService) -> None:
    # Two shoppers, one query: each gets the tissue they keep buying first.
    for query in ("toilet paper", "휴지"):
        loyal = service.search(query, k=3, user="loyal")
        other = service.search(query, k=3, user="someone")
        assert loyal[0].item.id == 2 and other[0].item.id == 1
        assert loyal[0].reason and loyal[0].reason_ko


def test_unknown_and_cold_shoppers_never_fail(service: SearchService) -> None:
    plain = [r.item.id for r in service.search("화장지", k=3)]
    assert [r.item.id for r in service.search("화장지", k=3, user="never-seen")] == plain
    assert all(r.reason is None for r in service.search("화장지", k=3, user="never-seen"))


def test_incremental_add_is_searchable_at_once(service: SearchService) -> None:
    new = CatalogItem(
        id=99,
        seller_id="s1",
        type_key="cat_litter",
        name_en="Tofu Cat Litter 7L",
        name_ko="두부 고양이 모래 7L",
        brand="Tofu",
        size=7,
        unit="L",
        price=9900,
        currency="KRW",
        stock=4,
    )
    service.add_products([new])
    assert service.search("고양이 모래", k=1)[0].item.id == 99
    assert service.search("kitty litter", k=1)[0].item.id == 99


def test_fresh_index_is_reused_and_stale_one_rebuilt(
    store: Engine, embedder: Embedder, tmp_path: Path
) -> None:
    SearchService.open(store, tmp_path, embedder, personalize=False)
    built = read_manifest(tmp_path)
    assert built is not None and built.count == len(PRODUCTS)
    SearchService.open(store, tmp_path, embedder, personalize=False)
    assert read_manifest(tmp_path).built_at == built.built_at  # type: ignore[union-attr]
    with transaction(store) as s:
        s.add(
            Product(
                seller_id="s1",
                type_key="rice",
                name_en="New Rice 20kg",
                name_ko="햅쌀 20kg",
                brand="New",
                size=20,
                unit="kg",
                price=55000,
                stock=2,
            )
        )
    reopened = SearchService.open(store, tmp_path, embedder, personalize=False)
    rebuilt = read_manifest(tmp_path)
    assert rebuilt is not None and rebuilt.count == len(PRODUCTS) + 1
    assert rebuilt.fingerprint != built.fingerprint
    assert reopened.search("햅쌀", k=1)[0].item.name_en == "New Rice 20kg"


def test_bad_arguments_raise_clear_errors(service: SearchService) -> None:
    with pytest.raises(ValueError, match="mode"):
        service.search("x", mode="psychic")
    with pytest.raises(ValueError, match="k must"):
        service.search("x", k=0)
