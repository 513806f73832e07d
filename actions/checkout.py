"""Checkout with an explicit yes, placed at most once; reordering the usual; yes and no."""

from __future__ import annotations

import uuid
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import i18n
from actions.base import ShoppingAction, entity, product_payload
from actions.cart import add, quantity
from actions.shopping import describe, fresh_product


def confirm(dispatcher: CollectingDispatcher, view: Any, lang: str, key: str) -> list[Any]:
    """Ask for a yes, stating the total; the token makes the order placed by that yes unique."""
    token = uuid.uuid4().hex
    dispatcher.utter_message(
        text=i18n.t(key, lang, total=i18n.price(view.total, view.currency, lang),
                    count=sum(int(ln["qty"]) for ln in view.lines)),
        json_message={"type": "confirm", "action": "checkout", "total": view.total},
    )  # fmt: skip
    return [SlotSet("pending_checkout", {"token": token, "total": view.total})]


class ActionCheckout(ShoppingAction):
    def name(self) -> str:
        return "action_checkout"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
        from store.db import transaction
        from store.repo import carts

        with transaction() as s:
            view = carts.view_cart(s, tracker.sender_id)
        if not view.lines:
            dispatcher.utter_message(text=i18n.t("cart_empty", lang))
            # A "yes" after this answers nothing: an add offered earlier is dropped too, so it
            # cannot put something in the cart the shopper has moved on from.
            return [SlotSet("pending_checkout", None), SlotSet("pending_add", None)]
        return confirm(dispatcher, view, lang, "confirm_checkout")


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
        pending = tracker.get_slot("pending_checkout") or tracker.get_slot("pending_add")
        dispatcher.utter_message(text=i18n.t("cancelled" if pending else "nothing_pending", lang))
        return [SlotSet("pending_checkout", None), SlotSet("pending_add", None)]


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
            what = ""
            if type_key in taxonomy:
                t = taxonomy[type_key]
                what = t.ko if lang == "ko" else t.en
            dispatcher.utter_message(text=i18n.t("no_usual", lang, what=what).replace("  ", " "))
            return []
        item = fresh_product(pid)
        qty = quantity(tracker)
        dispatcher.utter_message(
            text=i18n.t("usual", lang, qty=qty, **describe(item, lang)),
            json_message={"type": "products", "items": [product_payload(item)]},
        )
        return [SlotSet("pending_add", {"product_id": pid, "qty": qty})]
