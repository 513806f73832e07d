"""ActionRefine keeps the product type the shopper was looking at: "cheaper" after detergents never
offers sugar, and when nothing of the type is cheaper it says so and leaves the list as it was.

The search service is replaced by a small in-memory one that applies the filters the action asks
for, so what is tested is the action's own logic (type kept, order, reply), over a real store for
the search log it writes."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.shopping as shopping
from retrieval.catalog import SearchFilters
from retrieval.query import parse_price_cap
from retrieval.service import SearchResult
from retrieval.text import CatalogItem
from tests.actions.scratch import action_store

LD = "liquid_laundry_detergent"


def item(
    pid: int, type_key: str, brand: str, price: int, size: float = 1.0, unit: str = "kg"
) -> CatalogItem:
    return CatalogItem(
        id=pid, seller_id="s1", type_key=type_key, name_en=f"{brand} {type_key}",
        name_ko=f"{brand} {type_key}", brand=brand, size=size, unit=unit, price=price,
        currency="KRW", stock=10,
    )  # fmt: skip


class FakeCatalog:
    def __init__(self, items: list[CatalogItem]) -> None:
        self.by_id = {it.id: it for it in items}

    def get(self, pid: int) -> CatalogItem | None:
        return self.by_id.get(pid)


class FakeSearch:
    """Every product matches; the filters the action passes are applied as the real one does."""

    def __init__(self, items: list[CatalogItem]) -> None:
        self.items = items
        self.catalog = FakeCatalog(items)

    def search(self, query: str, user: str | None = None, k: int = 10, filters: Any = None):  # type: ignore[no-untyped-def]
        out = []
        for n, it in enumerate(self.items):
            if (
                filters is not None
                and filters.max_price is not None
                and it.price > filters.max_price
            ):
                continue
            if filters is not None and filters.min_size is not None and it.size < filters.min_size:
                continue
            out.append(SearchResult(item=it, score=1.0 - n / 100))
        return out[:k]


@pytest.fixture
def store(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    action_store(tmp_path, monkeypatch)


def refine(monkeypatch, items, shown, text, how=None, *, query="세탁세제", search=None, **entities):  # type: ignore[no-untyped-def]
    """Run the action on ``text`` with ``shown`` on screen after ``query``, over ``search``
    (default: a FakeSearch of ``items``)."""
    service = search or FakeSearch(items)
    monkeypatch.setattr(shopping, "search_service", lambda: service)
    if how is not None:
        entities["refinement"] = how
    t = Tracker(
        sender_id="u1",
        slots={"last_query": query, "last_results": shown},
        latest_message={
            "text": text, "entities": [{"entity": k, "value": v} for k, v in entities.items()]
        },
        events=[], paused=False, followup_action=None, active_loop={}, latest_action_name=None,
    )  # fmt: skip
    d = CollectingDispatcher()
    events = shopping.ActionRefine().run(d, t, {})
    return d.messages, events


def test_cheaper_of_the_same_type_sorted_by_price(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    items = [item(1, LD, "A", 15000), item(2, LD, "B", 9000),
             item(3, "sugar", "C", 2000), item(4, LD, "D", 7000)]  # fmt: skip
    messages, events = refine(monkeypatch, items, [1], "더 싼 거", "cheaper")
    shown = [p["id"] for p in messages[0]["custom"]["items"]]
    assert shown == [4, 2]  # cheapest first, the sugar left out
    assert "액체 세탁세제" in messages[0]["text"]
    assert any(e.get("name") == "last_results" and e["value"] == [4, 2] for e in events)


def test_nothing_cheaper_of_the_type_says_so_and_keeps_the_list(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    items = [item(1, LD, "A", 5000), item(2, LD, "B", 9000),
             item(3, "sugar", "C", 2000)]  # fmt: skip
    messages, events = refine(monkeypatch, items, [1, 2], "더 싼 거", "cheaper")
    assert len(messages) == 1 and not messages[0].get("custom")
    assert "가장 저렴해요" in messages[0]["text"] and "설탕" not in messages[0]["text"]
    assert events == []  # last_results untouched: "the first one" still means detergent A


def test_no_other_brand_in_english(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    items = [item(1, LD, "A", 5000), item(3, "sugar", "C", 2000)]
    messages, events = refine(monkeypatch, items, [1], "another brand", "other_brand")
    assert messages[0]["text"].startswith("I have no other brand of liquid laundry detergent")
    assert events == []


def ids(messages: list[dict[str, Any]]) -> list[int]:
    return [p["id"] for p in messages[0]["custom"]["items"]]


def test_a_price_cap_keeps_the_type_and_says_when_nothing_is_under_it(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """ "만원 이하로" after rice once offered cereal and cat litter: the cap keeps the type too."""
    items = [item(1, LD, "A", 15000), item(2, LD, "B", 12000), item(3, "sugar", "C", 2000)]
    messages, events = refine(monkeypatch, items, [1, 2], "만원 이하로", price_cap=10000)
    assert len(messages) == 1 and not messages[0].get("custom") and events == []
    assert "액체 세탁세제는 10,000원 이하 상품이 없어요" in messages[0]["text"]
    items.append(item(4, LD, "D", 8000))
    messages, _ = refine(monkeypatch, items, [1, 2], "under 10,000 won", price_cap=10000)
    assert ids(messages) == [4]


def test_the_2_litre_one_keeps_that_size(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    items = [item(1, LD, "A", 9000, 1.5, "L"), item(2, LD, "B", 12000, 2.0, "L"),
             item(3, "sugar", "C", 2000, 2.0, "L"), item(5, LD, "E", 12500, 2000.0, "ml")]  # fmt: skip
    messages, _ = refine(monkeypatch, items, [1, 2, 5], "the 2-litre one", size="2 L")
    assert ids(messages) == [2, 5]  # 2 L and 2,000 ml; not the 2 L sugar
    # A size the type does not come in: the type's list as the search ranked it.
    messages, _ = refine(monkeypatch, items, [1, 2, 5], "the 5 litre one", size="5 L")
    assert ids(messages) == [1, 2, 5]


class OtherTypesOnly(FakeSearch):
    """A search that finds only products of other types than the ones on screen."""

    def search(self, query: str, user: str | None = None, k: int = 10, filters: Any = None):  # type: ignore[no-untyped-def]
        return [r for r in super().search(query, user, k, filters) if r.item.type_key != LD]


def test_a_size_with_nothing_of_the_type_names_the_size(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Only a size asked, and nothing of the type found: the reply names the size (it once
    said "nothing under 0 won", the price-cap reply with no cap)."""
    items = [item(1, LD, "A", 9000, 1.5, "L"), item(3, "sugar", "C", 2000, 2.0, "L")]
    messages, events = refine(monkeypatch, items, [1], "2리터짜리", search=OtherTypesOnly(items),
                              size="2 L")  # fmt: skip
    assert events == [] and len(messages) == 1
    assert messages[0]["text"].startswith("액체 세탁세제는 2L 상품이 없어요")
    assert "0원" not in messages[0]["text"]


def test_a_refinement_naming_another_product_searches_it(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Detergent on screen, "만원 이하 생수": water is searched, not detergent under 10,000."""
    items = [item(1, LD, "A", 15000), item(6, "bottled_water", "W", 900)]
    text = "만원 이하 생수"
    messages, events = refine(monkeypatch, items, [1], text, price_cap=10000,
                              product="bottled_water")  # fmt: skip
    assert messages[0]["text"].startswith("생수 검색 결과예요")
    assert any(e.get("name") == "last_query" and e["value"] == text for e in events)


class ReadsCapsInWords(FakeSearch):
    """Also applies a price cap written in the query, as the real search does when the action
    passes none."""

    def __init__(self, items: list[CatalogItem]) -> None:
        super().__init__(items)
        self.queries: list[str] = []

    def search(self, query: str, user: str | None = None, k: int = 10, filters: Any = None):  # type: ignore[no-untyped-def]
        self.queries.append(query)
        filters = filters or SearchFilters()
        if filters.max_price is None:
            filters.max_price = parse_price_cap(query)[0]
        return super().search(query, user, k, filters)


def test_a_price_cap_carries_over_to_the_next_refinement(store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """ "under 10,000 won" then "a bigger one": the bigger ones stay under the cap; a new cap
    replaces the old one instead of both being in the query."""
    items = [item(1, LD, "A", 9000, 1.0, "L"), item(2, LD, "B", 15000, 3.0, "L"),
             item(3, LD, "C", 9500, 2.0, "L")]  # fmt: skip
    fake = ReadsCapsInWords(items)
    messages, events = refine(monkeypatch, items, [1, 2, 3], "under 10,000 won",
                              query="detergent", search=fake, price_cap=10000)  # fmt: skip
    assert ids(messages) == [1, 3]
    query = next(e["value"] for e in events if e.get("name") == "last_query")
    messages, _ = refine(
        monkeypatch, items, [1], "a bigger one", "bigger", query=query, search=fake
    )
    assert ids(messages) == [3]  # 2 L at 9,500 won; not the 3 L at 15,000
    messages, events = refine(monkeypatch, items, [1, 3], "a bigger one", "bigger",
                              query=query, search=fake)  # fmt: skip
    assert messages[0]["text"].startswith("There's no bigger") and events == []
    messages, events = refine(monkeypatch, items, [1, 3], "under 20,000 won then",
                              query=query, search=fake, price_cap=20000)  # fmt: skip
    assert ids(messages) == [1, 2, 3]
    assert fake.queries[-1] == "detergent under 20,000 won then"
