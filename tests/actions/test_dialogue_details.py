"""Dialogue details found by talking to the assistant: a question that names a product is about
that product, a first message that reads as a refinement searches, recommendations are read out by
name, the search a reply offers runs on a yes, and a quantity change without a number asks for one.

Actions run with CollectingDispatcher over a real (SQLite) store; search is a small in-memory one
that keeps the products of the types a query names (through the real taxonomy parser)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.orders as orders_actions
import actions.shopping as shopping
from actions.cart import ActionAddToCart, ActionChangeQuantity, ActionRemoveFromCart, ActionViewCart
from actions.checkout import ActionAffirm, ActionDeny, ActionReorderUsual
from actions.orders import ActionRecommend
from actions.shopping import ActionProductQuestion, ActionRefine, ActionSelectItem
from retrieval.nextbasket import TypeRecommendation
from retrieval.query import QueryParser
from retrieval.service import SearchResult
from retrieval.text import CatalogItem
from store.db import transaction
from store.models import Product
from store.repo import carts
from store.taxonomy import load_taxonomy
from tests.actions.scratch import action_store

PRODUCTS = [  # id, type, English name, Korean name, size, unit, price
    (1, "bottled_water", "Clear Water 2L", "맑은 생수 2L", 2.0, "L", 900),
    (2, "toilet_paper", "Soft Toilet Paper 30 rolls", "부드러운 화장지 30롤", 30.0, "roll", 18000),
]


def catalog_item(row: tuple[Any, ...]) -> CatalogItem:
    pid, type_key, en, ko, size, unit, price = row
    return CatalogItem(
        id=pid, seller_id="s1", type_key=type_key, name_en=en, name_ko=ko, brand="B",
        size=size, unit=unit, price=price, currency="KRW", stock=10,
    )  # fmt: skip


class TypedSearch:
    """The products of the types the query names (all of them when it names none), filtered by
    type key and price cap as the real service does."""

    def __init__(self) -> None:
        self.items = [catalog_item(r) for r in PRODUCTS]
        by_id = {it.id: it for it in self.items}
        self.catalog = SimpleNamespace(get=by_id.get)
        self.parser = QueryParser(load_taxonomy())
        self.queries: list[str] = []

    def search(self, query: str, user: str | None = None, k: int = 10, filters: Any = None):  # type: ignore[no-untyped-def]
        self.queries.append(query)
        keys = {key for _, _, key in self.parser.type_spans(query)}
        out = [it for it in self.items if not keys or it.type_key in keys]
        if filters is not None and filters.type_key:
            out = [it for it in out if it.type_key == filters.type_key]
        if filters is not None and filters.max_price is not None:
            out = [it for it in out if it.price <= filters.max_price]
        return [SearchResult(item=it, score=1.0) for it in out[:k]]


@pytest.fixture
def search(tmp_path, monkeypatch) -> TypedSearch:  # type: ignore[no-untyped-def]
    engine = action_store(tmp_path, monkeypatch)
    with transaction(engine) as s:
        for pid, type_key, en, ko, size, unit, price in PRODUCTS:
            s.add(Product(id=pid, seller_id="s1", type_key=type_key, name_en=en, name_ko=ko,
                          brand="B", size=size, unit=unit, price=price, stock=10))  # fmt: skip
    fake = TypedSearch()
    monkeypatch.setattr(shopping, "search_service", lambda: fake)
    monkeypatch.setattr(orders_actions, "search_service", lambda: fake)
    return fake


def run(
    action: Any, text: str, slots: dict[str, Any] | None = None, **entities: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    message = {"text": text, "entities": [{"entity": k, "value": v} for k, v in entities.items()]}
    tracker = Tracker(
        sender_id="u1", slots=slots or {}, latest_message=message, events=[], paused=False,
        followup_action=None, active_loop={}, latest_action_name=None,
    )  # fmt: skip
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


def slot(events: list[dict[str, Any]], name: str) -> Any:
    return next(e["value"] for e in events if e.get("event") == "slot" and e["name"] == name)


def shown(messages: list[dict[str, Any]]) -> list[int]:
    return [p["id"] for p in messages[0]["custom"]["items"]]


def test_a_question_naming_another_product_is_about_that_product(search) -> None:  # type: ignore[no-untyped-def]
    """Water on screen, "how much is toilet paper?": the answer is toilet paper's price."""
    messages, _ = run(ActionProductQuestion(), "휴지 얼마예요?", {"last_results": [1]},
                      product="toilet_paper")  # fmt: skip
    assert shown(messages) == [2] and "18,000원" in messages[0]["text"]
    # Without a product named, the question is about what is on screen.
    messages, _ = run(ActionProductQuestion(), "얼마예요?", {"last_results": [1]})
    assert shown(messages) == [1] and "900원" in messages[0]["text"]
    assert messages[0]["text"].startswith("맑은 생수 2L: 900원. ")  # the size said once
    # An ordinal picks from the list even when a product word comes with it.
    messages, _ = run(ActionProductQuestion(), "the first toilet paper", {"last_results": [1]},
                      product="toilet_paper", ordinal=1)  # fmt: skip
    assert shown(messages) == [1]


def test_a_refinement_as_the_first_message_searches(search) -> None:  # type: ignore[no-untyped-def]
    text = "2 liter water under 5000 won"
    messages, events = run(ActionRefine(), text, product="bottled_water", size="2 L",
                           price_cap=5000)  # fmt: skip
    assert shown(messages) == [1] and "bottled water" in messages[0]["text"]
    assert slot(events, "last_query") == text and slot(events, "last_results") == [1]
    # A bare "cheaper" with nothing shown still asks what the shopper is looking for.
    messages, events = run(ActionRefine(), "cheaper", refinement="cheaper")
    assert "looking for first" in messages[0]["text"] and events == []


def test_recommendations_are_read_out_by_name(search, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    recs = [
        TypeRecommendation("toilet_paper", 0.9, "popular with shoppers now", "요즘 많이 사는 품목이에요"),
        TypeRecommendation("bottled_water", 0.8, "you usually buy bottled water every 7 days; "
                           "it has been 8", "보통 7일마다 생수를 사시는데 8일이 지났어요"),
    ]  # fmt: skip
    monkeypatch.setattr(orders_actions, "next_basket", lambda: None)
    monkeypatch.setattr("retrieval.nextbasket.recommend_types", lambda *a, **kw: recs)
    messages, events = run(ActionRecommend(), "what am I running low on")
    text = messages[0]["text"]
    assert "1. Soft Toilet Paper 30 rolls, 18,000 won (popular with shoppers now)" in text
    assert "2. Clear Water 2L, 900 won (you usually buy bottled water every 7 days" in text
    assert shown(messages) == [2, 1] and slot(events, "last_results") == [2, 1]
    messages, _ = run(ActionRecommend(), "뭐 살 때 됐어?")
    assert "1번, 부드러운 화장지 30롤" in messages[0]["text"]


def test_no_usual_yet_offers_a_search_and_a_yes_runs_it(search) -> None:  # type: ignore[no-untyped-def]
    messages, events = run(ActionReorderUsual(), "늘 사던 휴지로 주문해줘", product="toilet_paper")
    assert "검색해 드릴까요" in messages[0]["text"]
    offered = slot(events, "pending_search")
    assert offered == {"query": "화장지", "type_key": "toilet_paper"}
    messages, events = run(ActionAffirm(), "응", {"pending_search": offered})
    assert shown(messages) == [2] and search.queries == ["화장지"]
    assert slot(events, "pending_search") is None and slot(events, "last_results") == [2]
    # "no" drops the offer without searching.
    _, events = run(ActionDeny(), "아니요", {"pending_search": offered})
    assert slot(events, "pending_search") is None and search.queries == ["화장지"]
    # "my usual" naming no product, with no orders: nothing to search for, so nothing offered.
    messages, events = run(ActionReorderUsual(), "order my usual")
    assert "no orders yet" in messages[0]["text"] and events == []


def test_a_quantity_change_without_a_number_asks_for_one(search) -> None:  # type: ignore[no-untyped-def]
    with transaction() as s:
        carts.add_to_cart(s, "u1", 1, 1)
    messages, _ = run(ActionChangeQuantity(), "change the amount", {"selected_product": 1})
    assert messages[0]["text"].startswith("How many Clear Water 2L")
    messages, _ = run(ActionChangeQuantity(), "change it to 3", {"selected_product": 1},
                      quantity=3)  # fmt: skip
    assert messages[0]["custom"]["items"][0]["qty"] == 3


def test_a_korean_price_takes_the_copula_of_won(search) -> None:  # type: ignore[no-untyped-def]
    """원 ends in a consonant: "18,000원이에요", never "18,000원예요"."""
    messages, _ = run(ActionSelectItem(), "첫 번째 거", {"last_results": [2]}, ordinal=1)
    assert "18,000원이에요." in messages[0]["text"]


def test_an_ordinal_counts_in_the_list_read_out_last(search) -> None:  # type: ignore[no-untyped-def]
    """Cart [water, toilet paper]. After results read as [toilet paper, water], "1번 빼줘" is
    the toilet paper, not the cart's first line; after the cart was read out, it is the water."""

    def cart_ids() -> list[int]:
        with transaction() as s:
            return [int(ln["id"]) for ln in carts.view_cart(s, "u1").lines]

    def fill() -> None:
        with transaction() as s:
            carts.clear_cart(s, "u1")
            carts.add_to_cart(s, "u1", 1, 1)
            carts.add_to_cart(s, "u1", 2, 1)

    fill()
    after_search = {"last_results": [2, 1], "last_list": "results"}
    run(ActionRemoveFromCart(), "1번 빼줘", after_search, ordinal=1)
    assert cart_ids() == [1]
    fill()
    _, events = run(ActionViewCart(), "장바구니 보여줘", after_search)
    assert slot(events, "last_list") == "cart"
    run(ActionRemoveFromCart(), "1번 빼줘", {**after_search, "last_list": "cart"}, ordinal=1)
    assert cart_ids() == [2]
    # A result that is not in the cart is said to be not in it; the cart is left alone.
    messages, _ = run(ActionRemoveFromCart(), "2번 빼줘", after_search, ordinal=2)
    assert messages[0]["text"] == "장바구니에 없는 상품이에요." and cart_ids() == [2]
    # The cart read out with one line, "2번 빼줘": no second line, so the second result.
    after_cart = {"last_results": [1, 2], "last_list": "cart"}
    run(ActionRemoveFromCart(), "2번 빼줘", after_cart, ordinal=2)
    assert cart_ids() == []


def test_the_size_is_read_once() -> None:
    """Catalog names end with their size: "Clear Water 2L, 900 won", not "Clear Water 2L, 2L";
    a name that does not say its size gets it read after it."""
    water, paper = (catalog_item(r) for r in PRODUCTS)
    assert shopping.item_line(1, water, "en") == "1. Clear Water 2L, 900 won"
    assert shopping.item_line(2, paper, "ko") == "2번, 부드러운 화장지 30롤, 18,000원"
    bare = catalog_item((3, "rice", "Jeju Rice", "제주 쌀", 10.0, "kg", 32000))
    assert shopping.item_line(1, bare, "ko") == "1번, 제주 쌀, 10kg, 32,000원"
    other_number = catalog_item((4, "rice", "Rice 3 Grains", "쌀 3종", 10.0, "kg", 32000))
    assert shopping.name_and_size(other_number, "en") == "Rice 3 Grains, 10kg"


def test_an_ordinal_past_the_end_of_the_list_says_how_many_there_are(search) -> None:  # type: ignore[no-untyped-def]
    """ "두 번째 거 담아줘" with one result on screen once answered "tell me what you're looking
    for first"; the list was there, one item long."""
    slots = {"last_results": [1], "last_list": "results"}
    messages, events = run(
        ActionAddToCart(), "두 번째 거 세 개 담아줘", slots, ordinal=2, quantity=3
    )
    assert messages[0]["text"] == "목록에 2번 상품이 없어요. 1개를 보여 드렸어요."
    assert events == []
    messages, _ = run(ActionProductQuestion(), "how much is the third one", slots, ordinal=3)
    assert messages[0]["text"] == "There's no item 3 in the list. I showed 1."
    with transaction() as s:
        assert carts.view_cart(s, "u1").lines == []


def test_a_refinement_after_adding_by_name_refines_that_search(search) -> None:  # type: ignore[no-untyped-def]
    """ "add 2 bottles of water" searched water but left the query of the search before it
    (dish soap), so "the 2-litre one" next answered "I have no bottled water in 2L"."""
    slots: dict[str, Any] = {"last_query": "find me some dish soap", "last_results": []}
    _, events = run(ActionAddToCart(), "add 2 bottles of water", slots,
                    product="bottled_water", quantity=2)  # fmt: skip
    slots.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
    assert slots["last_query"] == "add 2 bottles of water"
    messages, _ = run(ActionRefine(), "the 2-litre one", slots, size="2 L")
    assert messages[0]["text"].startswith("Here is what I found for bottled water")
    assert shown(messages) == [1]


def test_a_question_naming_another_brand_searches_for_it(search) -> None:  # type: ignore[no-untyped-def]
    """Toilet paper of brand B in focus, "퍼실 있어요?": the question is about Persil, so it is
    searched for; naming the focused product's own brand, or no brand, answers about it."""
    messages, _ = run(ActionProductQuestion(), "퍼실 있어요?", {"selected_product": 2},
                      brand="Persil")  # fmt: skip
    assert search.queries == ["퍼실 있어요?"]
    messages, _ = run(ActionProductQuestion(), "B 화장지 재고 있어요?", {"selected_product": 2},
                      brand="B")  # fmt: skip
    assert search.queries == ["퍼실 있어요?"] and shown(messages) == [2]
    messages, _ = run(ActionProductQuestion(), "재고 있어요?", {"selected_product": 2})
    assert search.queries == ["퍼실 있어요?"] and shown(messages) == [2]
