"""Rule-based entities in both languages (the Rasa component runs this same code)."""

from __future__ import annotations

import pytest

from nlu.entities import ShoppingEntities
from retrieval.query import QueryParser
from store.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def ents() -> ShoppingEntities:
    return ShoppingEntities(QueryParser(load_taxonomy(), {"퍼실": "Persil", "Persil": "Persil"}))


def found(ents: ShoppingEntities, text: str) -> dict[str, object]:
    return {e.entity: e.value for e in ents.extract(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "세탁세제 두 개 장바구니에 담아줘",
            {"product": "liquid_laundry_detergent", "quantity": 2, "language": "ko"},
        ),
        ("두 번째 거 3개 담아줘", {"ordinal": 2, "quantity": 3}),
        ("세 팩 주세요", {"quantity": 3}),
        ("2개 담아줘", {"quantity": 2}),
        ("휴지 30롤 하나만", {"product": "toilet_paper", "size": "30 roll", "quantity": 1}),
        ("퍼실 3L 만원 이하", {"brand": "Persil", "size": "3 L", "price_cap": 10000}),
        ("물 2리터 6개", {"product": "bottled_water", "size": "2 L", "quantity": 6}),
        ("마지막 거 빼줘", {"ordinal": -1}),
        ("더 싼 거", {"refinement": "cheaper"}),
        ("다른 브랜드 보여줘", {"refinement": "other_brand"}),
        (
            "add two packs of toilet paper",
            {"product": "toilet_paper", "quantity": 2, "language": "en"},
        ),
        ("add two", {"quantity": 2}),
        ("the second one", {"ordinal": 2}),
        ("option 3", {"ordinal": 3}),
        ("nappies under 10,000 won", {"product": "diapers", "price_cap": 10000}),
        ("the 1.5 L one", {"size": "1.5 L"}),
        ("something bigger", {"refinement": "bigger"}),
        # Superlatives ask for the same move as the comparatives.
        ("which is the cheapest?", {"refinement": "cheaper"}),
        ("제일 싼 거 뭐예요?", {"refinement": "cheaper"}),
        ("the largest pack", {"refinement": "bigger"}),
        ("가장 작은 용량으로", {"refinement": "smaller"}),
        ("change it to 3", {"quantity": 3}),
        ("set the quantity to five", {"quantity": 5}),
        ("ㅇㅇ", {"language": "ko"}),  # chat shorthand in bare letters is Korean
    ],
)
def test_entities(ents: ShoppingEntities, text: str, expected: dict[str, object]) -> None:
    got = found(ents, text)
    assert {k: got.get(k) for k in expected} == expected


def test_a_unit_is_not_a_misspelt_product(ents: ShoppingEntities) -> None:
    """ "liter" is one edit from "litter": no cat litter in a search for water."""
    products = [
        e.value for e in ents.extract("2 liter water under 5000 won") if e.entity == "product"
    ]
    assert products == ["bottled_water"]


def test_sizes_are_not_quantities(ents: ShoppingEntities) -> None:
    got = found(ents, "물티슈 100매")
    assert got.get("size") == "100 count" and "quantity" not in got


def test_training_data_is_what_the_generator_makes() -> None:
    """The committed NLU files are the generator's output (edit templates, then regenerate)."""
    from nlu.build_data import build
    from store.paths import project_root

    for path, text in build().items():
        assert (project_root() / path).read_text(encoding="utf-8") == text, f"{path} is stale"
