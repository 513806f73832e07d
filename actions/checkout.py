"""Checkout with an explicit yes, placed at most once; reordering the usual; yes and no; a
message not understood while a yes or no is awaited."""

from __future__ import annotations

import uuid
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import i18n
from actions.base import ShoppingAction, entity, product_payload
from actions.cart import add, quantity
from actions.shopping import bare_number, describe, fresh_product, search, select

# Questions awaiting a yes or no: the checkout's total, "Shall I add it?", "Shall I search?".
PENDING = ("pending_checkout", "pending_add", "pending_search")
# CLINC's small talk counts as out of scope (the mapping), and the classifier learns it
# so: "hello" or "talk to you later" may come out of scope with the group that says what it is
# (nlu/intents.py). Answering those with the refusal would be rude, so they get the reply
# their group asks for.
SMALL_TALK = {
    "greeting": "utter_greet",
    "goodbye": "utter_goodbye",
    "what_can_i_ask_you": "utter_help",
    "thank_you": "utter_welcome",
}


def checkout_payload(total: int) -> dict[str, Any]:
    """The contract's payload of a question awaiting a yes before an order."""
    return {"type": "confirm", "action": "checkout", "total": total}


def confirm(dispatcher: CollectingDispatcher, view: Any, lang: str, key: str) -> list[Any]:
    """Ask for a yes, stating the total; the token makes the order placed by that yes unique."""
    token = uuid.uuid4().hex
    count = sum(int(ln["qty"]) for ln in view.lines)
    dispatcher.utter_message(
        text=i18n.t(key, lang, total=i18n.price(view.total, view.currency, lang), count=count,
                    items="item" if count == 1 else "items"),
        json_message=checkout_payload(view.total),
    )  # fmt: skip
    pending = {"token": token, "total": view.total, "currency": view.currency}
    return [SlotSet("pending_checkout", pending)]


class ActionCheckout(ShoppingAction):
    def name(self) -> str:
        return "action_checkout"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
        from store.db import transaction
        from store.repo import carts

        with transaction() as s:
            view = carts.view_cart(s, tracker.sender_id)
        if not view.lines:
            return offer_instead(dispatcher, tracker, lang)
        return confirm(dispatcher, view, lang, "confirm_checkout")


def offer_instead(dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
    """Checkout with an empty cart. "Buy it" right after a selection or the usual means that
    product: the reply names it and asks to add it first, so a yes adds it (never orders it).
    With no product in focus a yes after this answers nothing: earlier questions are dropped."""
    from store.repo.errors import NotFound

    pending = tracker.get_slot("pending_add") or {}
    pid = pending.get("product_id") or tracker.get_slot("selected_product")
    try:
        item = fresh_product(int(pid)) if pid is not None else None
    except NotFound:  # delisted since it was shown
        item = None
    if item is None:
        dispatcher.utter_message(text=i18n.t("cart_empty", lang))
        return [SlotSet(name, None) for name in PENDING]
    qty = int(pending.get("qty") or 1)
    dispatcher.utter_message(
        text=i18n.t("cart_empty_offer", lang, qty=qty, **describe(item, lang)),
        json_message={"type": "products", "items": [product_payload(item)]},
    )
    # The offer replaces any question asked before it.
    others = [SlotSet(name, None) for name in PENDING if name != "pending_add"]
    return [*others, SlotSet("pending_add", {"product_id": item.id, "qty": qty})]


def place(dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
    from store.db import transaction
    from store.repo import carts, orders
    from store.repo.errors import EmptyCart, OutOfStock

    pending = tracker.get_slot("pending_checkout")
    key = f"{tracker.sender_id}:{pending['token']}"
    with transaction() as s:
        done = orders.find_by_key(s, key)
        view = carts.view_cart(s, tracker.sender_id)
    if done is None and view.total != int(pending["total"]):
        # The cart changed after the shopper heard the total: never order an unheard amount.
        return confirm(dispatcher, view, lang, "total_changed")
    try:
        with transaction() as s:
            order = orders.place_order(s, tracker.sender_id, key)
            order_id, total, status, currency = order.id, order.total, order.status, order.currency
    except (EmptyCart, OutOfStock) as exc:
        dispatcher.utter_message(text=str(exc))
        return [SlotSet("pending_checkout", None)]
    search_personalizer_forget(tracker.sender_id)
    dispatcher.utter_message(
        text=i18n.t("ordered", lang, order_id=order_id, total=i18n.price(total, currency, lang)),
        json_message={"type": "order", "order_id": order_id, "status": status, "total": total},
    )
    return [SlotSet("pending_checkout", None), SlotSet("last_order_id", order_id)]


def search_personalizer_forget(shopper_id: str) -> None:
    """A purchase changes the shopper's profile: drop the cached one. A process that has not
    searched yet has no cache, and must not load the model and index just to say so."""
    from retrieval.service import current_service

    service = current_service()
    if service is not None and service.personalizer is not None:
        service.personalizer.forget(shopper_id)


class ActionAffirm(ShoppingAction):
    def name(self) -> str:
        return "action_affirm"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
        if tracker.get_slot("pending_checkout"):
            return place(dispatcher, tracker, lang)
        pending = tracker.get_slot("pending_add")
        if pending:  # "Shall I add it to your cart?" (a selection or the usual) → "yes"
            pid = int(pending["product_id"])
            add(dispatcher, tracker.sender_id, pid, quantity(tracker, int(pending["qty"])), lang)
            return [SlotSet("pending_add", None), SlotSet("selected_product", pid)]
        offered = tracker.get_slot("pending_search")
        if offered:  # "No usual detergent yet; shall I search for it?" → "yes"
            query, type_key = offered["query"], offered["type_key"]
            events = search(dispatcher, tracker.sender_id, query, type_key, lang)
            return [SlotSet("pending_search", None), *events]
        last = tracker.get_slot("last_order_id")
        if last is not None:
            dispatcher.utter_message(text=i18n.t("already_ordered", lang, order_id=int(last)))
            return []
        dispatcher.utter_message(text=i18n.t("nothing_pending", lang))
        return []


class ActionDeny(ShoppingAction):
    def name(self) -> str:
        return "action_deny"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
        checkout = tracker.get_slot("pending_checkout")
        dispatcher.utter_message(text=i18n.t("cancelled" if checkout else "nothing_pending", lang))
        return [SlotSet(name, None) for name in PENDING]


class ActionReorderUsual(ShoppingAction):
    def name(self) -> str:
        return "action_reorder_usual"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
        from store.db import transaction
        from store.repo.orders import usual_product
        from store.taxonomy import load_taxonomy

        type_key = entity(tracker, "product")
        with transaction() as s:
            pid = usual_product(s, tracker.sender_id, type_key)
        if pid is None:
            taxonomy = load_taxonomy()
            if type_key not in taxonomy:
                dispatcher.utter_message(text=i18n.t("no_usual_any", lang))
                return []
            t = taxonomy[type_key]
            what = t.ko if lang == "ko" else t.en
            dispatcher.utter_message(text=i18n.t("no_usual", lang, what=what))
            # The reply offers a search: a yes runs it.
            return [SlotSet("pending_search", {"query": what, "type_key": type_key})]
        item = fresh_product(pid)
        qty = quantity(tracker)
        dispatcher.utter_message(
            text=i18n.t("usual", lang, qty=qty, **describe(item, lang)),
            json_message={"type": "products", "items": [product_payload(item)]},
        )
        return [SlotSet("pending_add", {"product_id": pid, "qty": qty})]


class ActionNotUnderstood(ShoppingAction):
    """Out of scope or low confidence. While a question awaits a yes or no, the shopper most
    likely answered it in words the model does not know ("yup", "sure thing", "ㅇㅇ"). Guessing
    a yes would break "no order without an explicit yes", and a generic refusal loses the
    thread; so the question is asked again, plainly, and stays pending. Otherwise the usual
    refusal or clarifying question."""

    def name(self) -> str:
        return "action_not_understood"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
        from store.repo.errors import NotFound

        checkout = tracker.get_slot("pending_checkout")
        if checkout:
            currency = checkout.get("currency", "KRW")  # slots saved before currency was kept
            total = i18n.price(int(checkout["total"]), currency, lang)
            dispatcher.utter_message(
                text=i18n.t("reask_checkout", lang, total=total),
                json_message=checkout_payload(checkout["total"]),
            )
            return []
        pending_add = tracker.get_slot("pending_add")
        try:
            item = fresh_product(int(pending_add["product_id"])) if pending_add else None
        except NotFound:  # delisted since it was offered: there is nothing left to ask about
            item = None
        events = [SlotSet("pending_add", None)] if pending_add and item is None else []
        if item is not None:
            dispatcher.utter_message(
                text=i18n.t("reask_add", lang, qty=int(pending_add["qty"]), **describe(item, lang)),
                # The payload the question had ("selected", "usual"): the contract's products.
                json_message={"type": "products", "items": [product_payload(item)]},
            )
            return []
        latest = tracker.latest_message or {}
        n = bare_number(latest.get("text") or "")
        if n is not None and tracker.get_slot("last_results"):
            # "2" with a list on screen means that item, as "the second one" would.
            return [*events, *select(dispatcher, tracker, lang, n)]
        intent = (latest.get("intent") or {}).get("name")
        small_talk = SMALL_TALK.get(latest.get("out_of_scope_group") or "")
        if intent == "out_of_scope" and small_talk:
            dispatcher.utter_message(response=small_talk)
            return events
        unsure = intent == "nlu_fallback"
        dispatcher.utter_message(response="utter_ask_rephrase" if unsure else "utter_out_of_scope")
        return events
