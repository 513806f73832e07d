"""Checkout actions with CollectingDispatcher over a real (SQLite) store: the total is stated,
only an explicit yes orders, a repeated yes or a changed cart never orders twice or unheard."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.cart import ActionViewCart
from actions.checkout import ActionAffirm, ActionCheckout, ActionDeny, ActionNotUnderstood
from store.db import transaction
from store.models import Order, Product
from store.repo import carts
from tests.actions.scratch import action_store


@pytest.fixture
def store(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    engine = action_store(tmp_path, monkeypatch)
    with transaction(engine) as s:
        s.add(Product(id=1, seller_id="s1", type_key="bottled_water", name_en="Water 2L",
                      name_ko="생수 2L", brand="B", size=2, unit="L", price=6900, stock=20))  # fmt: skip
        s.flush()
        carts.add_to_cart(s, "u1", 1, 2)
    return engine


def tracker(text: str, slots: dict[str, Any] | None = None, intent: str = "") -> Tracker:
    message = {"text": text, "entities": [], "intent": {"name": intent}}
    return Tracker(
        sender_id="u1", slots=slots or {}, latest_message=message,
        events=[], paused=False, followup_action=None, active_loop={}, latest_action_name=None,
    )  # fmt: skip


def run(
    action: Any, text: str, slots: dict[str, Any] | None = None, intent: str = ""
) -> tuple[list, list]:
    d = CollectingDispatcher()
    events = action.run(d, tracker(text, slots, intent), {})
    return d.messages, events


def slot(events: list, name: str) -> Any:
    return next(e["value"] for e in events if e.get("event") == "slot" and e["name"] == name)


def n_orders(engine) -> int:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        return s.query(Order).count()


def test_checkout_states_total_and_yes_orders_once(store) -> None:  # type: ignore[no-untyped-def]
    messages, events = run(ActionCheckout(), "결제할게요")
    assert "13,800원" in messages[0]["text"]
    assert messages[0]["custom"] == {"type": "confirm", "action": "checkout", "total": 13800}
    pending = slot(events, "pending_checkout")
    assert pending["total"] == 13800 and n_orders(store) == 0
    messages, events = run(ActionAffirm(), "네", {"pending_checkout": pending})
    order = messages[0]["custom"]
    assert order["type"] == "order" and order["total"] == 13800
    assert slot(events, "pending_checkout") is None
    # The same yes delivered again (a retry with the old slot): still one order.
    messages, _ = run(ActionAffirm(), "네", {"pending_checkout": pending})
    assert messages[0]["custom"]["order_id"] == order["order_id"]
    assert n_orders(store) == 1
    # Ordering drops the shopper's cached profile without loading search to do it.
    assert not (Path(os.environ["JANGBOGI_VAR_DIR"]) / "index").exists()


def test_the_english_total_counts_items_in_words(store) -> None:  # type: ignore[no-untyped-def]
    messages, _ = run(ActionCheckout(), "checkout")
    assert "Your total is 13,800 won for 2 items." in messages[0]["text"]
    with transaction(store) as s:
        carts.set_quantity(s, "u1", 1, 1)
    messages, _ = run(ActionCheckout(), "checkout")
    assert "Your total is 6,900 won for 1 item." in messages[0]["text"]


def test_no_or_a_changed_cart_orders_nothing(store) -> None:  # type: ignore[no-untyped-def]
    _, events = run(ActionCheckout(), "checkout")
    pending = slot(events, "pending_checkout")
    messages, events = run(ActionDeny(), "no", {"pending_checkout": pending})
    assert "nothing was ordered" in messages[0]["text"] and slot(events, "pending_checkout") is None
    with transaction(store) as s:
        carts.add_to_cart(s, "u1", 1, 1)  # the cart changes after the total was heard
    messages, events = run(ActionAffirm(), "yes", {"pending_checkout": pending})
    assert "20,700 won" in messages[0]["text"] and messages[0]["custom"]["type"] == "confirm"
    assert n_orders(store) == 0
    assert slot(events, "pending_checkout")["total"] == 20700


def test_cart_digression_returns_to_the_question(store) -> None:  # type: ignore[no-untyped-def]
    _, events = run(ActionCheckout(), "checkout")
    messages, _ = run(
        ActionViewCart(),
        "what's in my cart?",
        {"pending_checkout": slot(events, "pending_checkout")},
    )
    assert "waiting for your yes" in messages[0]["text"]
    assert messages[0]["custom"]["type"] == "cart"


def test_not_understood_while_a_checkout_waits_asks_again(store) -> None:  # type: ignore[no-untyped-def]
    """ "yup" read as out of scope at the checkout question: the question again with its total,
    still pending (no slot event), and no order; the next plain yes orders."""
    _, events = run(ActionCheckout(), "checkout")
    pending = slot(events, "pending_checkout")
    for intent in ("out_of_scope", "nlu_fallback"):
        messages, events = run(ActionNotUnderstood(), "yup", {"pending_checkout": pending}, intent)
        assert "13,800 won" in messages[0]["text"] and "yes or no" in messages[0]["text"]
        assert messages[0]["custom"] == {"type": "confirm", "action": "checkout", "total": 13800}
        assert events == [] and n_orders(store) == 0
    messages, _ = run(ActionNotUnderstood(), "ㅇㅇ", {"pending_checkout": pending}, "out_of_scope")
    assert "13,800원" in messages[0]["text"] and "'네'" in messages[0]["text"]
    run(ActionAffirm(), "yes", {"pending_checkout": pending})
    assert n_orders(store) == 1


def test_not_understood_while_an_add_waits_names_the_product(store) -> None:  # type: ignore[no-untyped-def]
    pending = {"pending_add": {"product_id": 1, "qty": 3}}
    messages, events = run(ActionNotUnderstood(), "sure thing", pending, "out_of_scope")
    assert "3 × Water 2L" in messages[0]["text"] and events == []
    custom = messages[0]["custom"]
    assert custom["type"] == "products" and [it["id"] for it in custom["items"]] == [1]
    with transaction(store) as s:
        assert carts.view_cart(s, "u1").lines[0]["qty"] == 2  # nothing added


def test_not_understood_with_nothing_pending_refuses_or_asks(store) -> None:  # type: ignore[no-untyped-def]
    """Out of scope → the polite refusal; low confidence → the clarifying question (both are
    domain responses, so the server renders them in the shopper's language)."""
    messages, _ = run(ActionNotUnderstood(), "tell me a joke", {}, "out_of_scope")
    assert messages[0]["response"] == "utter_out_of_scope"
    messages, _ = run(ActionNotUnderstood(), "hmm blue", {}, "nlu_fallback")
    assert messages[0]["response"] == "utter_ask_rephrase"


def test_a_failing_store_gets_an_apology(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    messages, _ = run(ActionCheckout(), "결제할게요")
    assert "죄송해요" in messages[0]["text"] and "Traceback" not in messages[0]["text"]


def test_checkout_with_an_empty_cart_offers_the_product_in_focus(store) -> None:  # type: ignore[no-untyped-def]
    """ "Buy it" right after a selection: the cart is empty, so the reply offers to add that
    product first. A yes adds it and orders nothing; with nothing in focus the reply is just
    that the cart is empty and every question is dropped."""
    with transaction(store) as s:
        carts.clear_cart(s, "u1")
    selected = {"selected_product": 1, "pending_add": {"product_id": 1, "qty": 2}}
    messages, events = run(ActionCheckout(), "buy it", selected)
    assert messages[0]["text"] == "Your cart is empty. Shall I add 2 × Water 2L (6,900 won) first?"
    assert [it["id"] for it in messages[0]["custom"]["items"]] == [1]
    assert slot(events, "pending_add") == {"product_id": 1, "qty": 2}
    assert slot(events, "pending_checkout") is None
    messages, _ = run(ActionCheckout(), "이거 살게요", {"selected_product": 1})
    assert messages[0]["text"] == "장바구니가 비어 있어요. 생수 2L 1개(6,900원)부터 담을까요?"
    run(ActionAffirm(), "yes", {"pending_add": slot(events, "pending_add")})
    with transaction(store) as s:
        assert carts.view_cart(s, "u1").lines[0]["qty"] == 2
    assert n_orders(store) == 0
    with transaction(store) as s:
        carts.clear_cart(s, "u1")
    messages, events = run(ActionCheckout(), "checkout", {"pending_search": {"query": "x"}})
    assert messages[0]["text"] == "Your cart is empty."
    assert all(slot(events, name) is None for name in ("pending_add", "pending_search"))


def test_small_talk_rejected_as_out_of_scope_gets_its_own_reply(store) -> None:  # type: ignore[no-untyped-def]
    """CLINC's small talk is out of scope by the issue's mapping; its group picks a polite reply
    instead of the refusal. Any other group, or none, gets the refusal; a pending checkout still
    gets its question again (a CLINC "yes" is not an explicit yes)."""

    def reply(group: str | None, slots: dict[str, Any] | None = None) -> dict[str, Any]:
        d = CollectingDispatcher()
        message = {"text": "hello there", "entities": [], "intent": {"name": "out_of_scope"},
                   "out_of_scope_group": group}  # fmt: skip
        t = Tracker(
            sender_id="u1", slots=slots or {}, latest_message=message, events=[],
            paused=False, followup_action=None, active_loop={}, latest_action_name=None,
        )  # fmt: skip
        ActionNotUnderstood().run(d, t, {})
        return d.messages[0]

    assert reply("greeting")["response"] == "utter_greet"
    assert reply("goodbye")["response"] == "utter_goodbye"
    assert reply("thank_you")["response"] == "utter_welcome"
    assert reply("what_can_i_ask_you")["response"] == "utter_help"
    assert reply("weather")["response"] == "utter_out_of_scope"
    assert reply(None)["response"] == "utter_out_of_scope"
    _, events = run(ActionCheckout(), "checkout")
    asked = reply("yes", {"pending_checkout": slot(events, "pending_checkout")})
    assert asked["custom"]["type"] == "confirm" and n_orders(store) == 0


def test_not_understood_after_the_offered_product_was_delisted_refuses(store) -> None:  # type: ignore[no-untyped-def]
    """The product of a pending "Shall I add it?" is gone: the usual refusal and the question
    dropped, not the apology for a failure."""
    pending = {"pending_add": {"product_id": 99, "qty": 3}}
    messages, events = run(ActionNotUnderstood(), "tell me a joke", pending, "out_of_scope")
    assert len(messages) == 1
    assert messages[0]["response"] == "utter_out_of_scope"
    assert slot(events, "pending_add") is None


def test_a_bare_number_with_a_list_on_screen_selects_that_item(store) -> None:  # type: ignore[no-untyped-def]
    """ "1" after a list (the NLU rejects a bare number: item or quantity?) picks item 1 and
    asks to add it; a number past the list says how many there are; with no list, or with more
    words than the number, the usual refusal."""
    listed = {"last_results": [1]}
    messages, events = run(ActionNotUnderstood(), "1", listed, "nlu_fallback")
    assert messages[0]["text"].startswith("Water 2L, 6,900 won.")
    assert slot(events, "selected_product") == 1
    assert slot(events, "pending_add") == {"product_id": 1, "qty": 1}
    for text in ("two", "number 2", "2번"):
        messages, events = run(ActionNotUnderstood(), text, listed, "out_of_scope")
        assert "2" in messages[0]["text"] and events == [], text
        assert messages[0]["text"] in ("There's no item 2 in the list. I showed 1.",
                                       "목록에 2번 상품이 없어요. 1개를 보여 드렸어요.")  # fmt: skip
    messages, _ = run(ActionNotUnderstood(), "1", {}, "nlu_fallback")
    assert messages[0]["response"] == "utter_ask_rephrase"
    messages, _ = run(ActionNotUnderstood(), "route 66", listed, "out_of_scope")
    assert messages[0]["response"] == "utter_out_of_scope"
