"""Demo catalog and population builders, without a database (fast)."""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import pairwise

import pytest

from jangbogi.demo.catalog import Catalog, build_catalog
from jangbogi.demo.config import GENERATOR_VERSION, DemoConfig
from jangbogi.demo.population import build_population
from jangbogi.demo.queries import build_query
from jangbogi.demo.rand import Stream
from jangbogi.demo.units import size_label, size_variants
from store.taxonomy import Taxonomy, load_taxonomy

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture(scope="module")
def catalog(taxonomy: Taxonomy) -> Catalog:
    return build_catalog(DemoConfig(), taxonomy, Stream.of(42, "catalog"))


def test_default_config_meets_the_issue_counts(catalog: Catalog, taxonomy: Taxonomy) -> None:
    config = DemoConfig()
    assert config.n_shoppers >= 3000 and config.days == 180
    assert len(catalog.products) >= 1500
    assert {p.ptype.key for p in catalog.products} == set(taxonomy.keys())
    sellers_with_products = {p.seller_id for p in catalog.products}
    assert len(sellers_with_products) >= 25
    assert sellers_with_products == {s.id for s in catalog.sellers}
    assert len({p.id for p in catalog.products}) == len(catalog.products)


def test_every_type_has_several_brands_and_sellers(catalog: Catalog) -> None:
    for key, items in catalog.by_type.items():
        assert len({p.brand.en for p in items}) >= 3, key
        assert len({p.seller_id for p in items}) >= 2, key


def test_real_brands_and_store_brands(catalog: Catalog) -> None:
    brands = {p.brand.en for p in catalog.products} | {p.brand.ko for p in catalog.products}
    for brand in ("Persil", "테크", "Downy", "깨끗한나라", "Kleenex", "하기스", "보솜이", "삼다수",
                  "아이시스", "Nongshim", "Ottogi", "CJ 햇반", "서울우유", "매일우유", "풀무원", "2080",
                  "페리오", "Listerine", "려", "해피바스", "Dove", "Gillette", "Royal Canin",
                  "Energizer", "Jangbogi Basics", "Daily Pick"):  # fmt: skip
        assert brand in brands, brand


def test_names_in_korean_and_english_with_the_size(catalog: Catalog) -> None:
    for p in catalog.products:
        assert HANGUL.search(p.name_ko), p.name_ko
        assert not HANGUL.search(p.name_en), p.name_en
        assert p.name_en.endswith(size_label(p.ptype, p.size, "en"))
        assert p.name_ko.endswith(size_label(p.ptype, p.size, "ko"))
        assert p.size in p.ptype.sizes
    persil = next(p for p in catalog.products if p.brand.en == "Persil" and p.size == 3)
    assert persil.name_en == "Persil Power Gel Liquid Laundry Detergent 3L"
    assert persil.name_ko == "퍼실 파워젤 액체 세탁세제 3L"


def test_prices_are_rounded_and_plausible(catalog: Catalog) -> None:
    for p in catalog.products:
        assert p.price % (100 if p.price >= 10_000 else 10) == 0
        assert 200 <= p.price <= 200_000, (p.name_en, p.price)
    out_of_stock = sum(p.stock == 0 for p in catalog.products)
    assert 0 < out_of_stock < 0.1 * len(catalog.products)


def test_unit_price_falls_with_pack_size_within_a_line(catalog: Catalog) -> None:
    lines: dict[tuple[str, str, str, str], list[tuple[float, float]]] = defaultdict(list)
    for p in catalog.products:
        lines[(p.ptype.key, p.brand.en, p.line.en, p.seller_id)].append((p.size, p.unit_price))
    checked = 0
    for key, sizes in lines.items():
        sizes.sort()
        for (_, small), (_, big) in pairwise(sizes):
            assert big < small, key
            checked += 1
    assert checked > 500


def test_store_brands_are_the_cheapest_per_unit(catalog: Catalog) -> None:
    by_brand: dict[bool, list[float]] = defaultdict(list)
    for p in catalog.products:
        rel = p.unit_price / catalog.median_unit_price[(p.ptype.key, p.size_rank)]
        by_brand[p.brand.en in ("Jangbogi Basics", "Daily Pick")].append(rel)
    assert max(by_brand[True]) < 1.0 < max(by_brand[False])


def test_population_builder_defaults(catalog: Catalog, taxonomy: Taxonomy) -> None:
    config = DemoConfig(n_shoppers=3000)
    people = build_population(config, taxonomy, catalog)
    assert len(people) == 3000 and len({p.id for p in people}) == 3000
    assert people[0].id == "u00001"
    ko = sum(p.language == "ko" for p in people) / len(people)
    assert 0.65 < ko < 0.75
    assert {p.age_band for p in people} == {"20s", "30s", "40s", "50s", "60s+"}
    assert {p.occupation for p in people} == {"student", "office_worker", "homemaker", "retired"}
    for p in people:
        assert p.needs and set(p.favourite_brands) == set(p.needs)
        assert p.household_size >= 1 + len(p.children) + (1 if p.married else 0)
        assert 0 <= p.brand_loyalty <= 1 and 0 <= p.price_sensitivity <= 1
    infants = [p for p in people if p.infants]
    assert len(infants) > 150 and all(p.married for p in infants)
    assert all("diapers" not in p.needs for p in people if not p.children)


def test_size_words_and_queries(taxonomy: Taxonomy, catalog: Catalog) -> None:
    water = taxonomy["bottled_water"]
    assert size_label(water, 2.0, "ko") == "2L"
    assert "2리터" in size_variants(water, 2.0, "ko")
    assert size_label(taxonomy["eggs"], 30, "ko") == "30구"
    assert size_label(taxonomy["toilet_paper"], 30, "en") == "30 rolls"
    rs = Stream.of(1, "test")
    product = catalog.by_type["bottled_water"][1]
    queries = [
        build_query(water, product, "ko", loyal_to_brand=1.0, price_sensitivity=1.0, rs=rs)
        for _ in range(300)
    ]
    assert all(q.name in water.names("ko") and q.name in q.text for q in queries)
    assert any(q.has_size for q in queries) and any(q.has_brand for q in queries)
    assert any("원 이하" in q.text or "최저가" in q.text for q in queries)


def test_config_json_carries_the_generator_version() -> None:
    text = DemoConfig(seed=7).to_json()
    assert f'"generator_version": "{GENERATOR_VERSION}"' in text
    assert '"end_date": "2026-11-01"' in text and '"seed": 7' in text
    with pytest.raises(ValueError):
        DemoConfig(n_sellers=1)
