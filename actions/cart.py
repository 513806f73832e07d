"""The cart, kept in the store: add, remove, change quantity, view, clear."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import i18n
from actions.api.services import search_service
from actions.base import ShoppingAction, display_name, entity, nth
from actions.shopping import fresh_product, resolve_product, say_no_such_item


def quantity(tracker: Tracker, default: int = 1) -> int:
    value = entity(tracker, "quantity")
    return int(value) if value is not None else default


def add(dispatcher: CollectingDispatcher, shopper: str, pid: int, qty: int, lang: str) -> None:
    from store.db import transaction
    from store.repo import carts
    from store.repo.errors import InvalidInput, OutOfStock

    item = fresh_product(pid)
    try:
        with transaction() as s:
            view = carts.add_to_cart(s, shopper, pid, qty)
    except OutOfStock:
        dispatcher.utter_message(
            text=i18n.t("not_enough_stock", lang, name=display_name(item, lang), stock=item.stock)
        )
        return
    except InvalidInput as exc:
        dispatcher.utter_message(text=str(exc))
        return
    total = i18n.price(view.total, view.currency, lang)
    dispatcher.utter_message(
        text=i18n.t("added", lang, qty=qty, name=display_name(item, lang), total=total),
        json_message=view.payload(),
    )


def say_cart(dispatcher: CollectingDispatcher, view: Any, lang: str, key: str, **kw: Any) -> None:
    dispatcher.utter_message(
        text=i18n.t(key, lang, total=i18n.price(view.total, view.currency, lang), **kw),
        json_message=view.payload(),
    )


class ActionAddToCart(ShoppingAction):
    def name(self) -> str:
        return "action_add_to_cart"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
        events: list[Any] = []
        pid = None
        if entity(tracker, "product") and entity(tracker, "ordinal") is None:
            # "세탁세제 두 개 담아줘": search and take the best match for this shopper.
            query = (tracker.latest_message or {}).get("text", "")
            hits = search_service().search(query, user=tracker.sender_id, k=3)
            if hits:
                pid = hits[0].item.id
                # The list and its query together, so "the 2-litre one" or "cheaper" next
                # refines this search, not one from before it.
                events += [
                    SlotSet("last_results", [h.item.id for h in hits]),
                    SlotSet("last_query", query),
                ]
        if pid is None:
            pid = resolve_product(tracker)
        if pid is None:
            if not say_no_such_item(dispatcher, tracker, lang):
                dispatcher.utter_message(text=i18n.t("no_results_yet", lang))
            return events
        add(dispatcher, tracker.sender_id, pid, quantity(tracker), lang)
        return [*events, SlotSet("selected_product", pid)]


def cart_line_for(tracker: Tracker, lines: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Which cart line a message means: a product type it names; an ordinal into the list read
    out last (search results or the cart); the selected product; or the only line."""
    key = entity(tracker, "product")
    if key:
        return next((ln for ln in lines if ln["type_key"] == key), None)
    ordinal = entity(tracker, "ordinal")
    if ordinal is not None:
        n = int(ordinal)
        results = [int(i) for i in tracker.get_slot("last_results") or []]
        in_cart, result = nth(lines, n), nth(results, n)
        result_line = next((ln for ln in lines if ln["id"] == result), None)
        if tracker.get_slot("last_list") == "cart":
            return in_cart or result_line  # "2번" with one line in the cart: the 2nd result
        # After a list of products, "2번 빼줘" is the one read out second when it is in the
        # cart; never the cart's second line, which may be something else entirely.
        return result_line if result is not None else in_cart
    selected = tracker.get_slot("selected_product")
    if selected is not None:
        line = next((ln for ln in lines if ln["id"] == int(selected)), None)
        if line:
            return line
    return lines[0] if len(lines) == 1 else None


class ActionRemoveFromCart(ShoppingAction):
    def name(self) -> str:
        return "action_remove_from_cart"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
        from store.db import transaction
        from store.repo import carts

        with transaction() as s:
            view = carts.view_cart(s, tracker.sender_id)
            line = cart_line_for(tracker, view.lines)
            if line is None:
                dispatcher.utter_message(text=i18n.t("not_in_cart", lang))
                return []
            view = carts.remove_from_cart(s, tracker.sender_id, int(line["id"]))
        say_cart(dispatcher, view, lang, "removed", name=display_name(line, lang))
        return []


class ActionChangeQuantity(ShoppingAction):
    def name(self) -> str:
        return "action_change_quantity"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
        from store.db import transaction
        from store.repo import carts
        from store.repo.errors import InvalidInput, OutOfStock

        qty = entity(tracker, "quantity")
        with transaction() as s:
            view = carts.view_cart(s, tracker.sender_id)
        line = cart_line_for(tracker, view.lines)
        if line is None:
            dispatcher.utter_message(text=i18n.t("not_in_cart", lang))
            return []
        if qty is None:
            name = display_name(line, lang)
            dispatcher.utter_message(text=i18n.t("which_quantity", lang, name=name))
            return []
        try:
            with transaction() as s:
                view = carts.set_quantity(s, tracker.sender_id, int(line["id"]), int(qty))
        except (OutOfStock, InvalidInput) as exc:
            dispatcher.utter_message(text=str(exc))
            return []
        say_cart(dispatcher, view, lang, "qty_changed", name=display_name(line, lang), qty=int(qty))
        return []


def cart_text(view: Any, lang: str) -> str:
    lines = ", ".join(
        i18n.t("cart_line", lang, qty=ln["qty"], name=display_name(ln, lang)) for ln in view.lines
    )
    return i18n.t("cart", lang, lines=lines, total=i18n.price(view.total, view.currency, lang))


class ActionViewCart(ShoppingAction):
    def name(self) -> str:
        return "action_view_cart"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
        from store.db import transaction
        from store.repo import carts

        with transaction() as s:
            view = carts.view_cart(s, tracker.sender_id)
        text = cart_text(view, lang) if view.lines else i18n.t("cart_empty", lang)
        pending = tracker.get_slot("pending_checkout")
        if pending:
            # A digression in the middle of checkout: answer, then return to the question.
            total = i18n.price(int(pending["total"]), view.currency, lang)
            text += " " + i18n.t("still_pending", lang, total=total)
        dispatcher.utter_message(text=text, json_message=view.payload())
        return [SlotSet("last_list", "cart")] if view.lines else []


class ActionClearCart(ShoppingAction):
    def name(self) -> str:
        return "action_clear_cart"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
        from store.db import transaction
        from store.repo import carts

        with transaction() as s:
            view = carts.clear_cart(s, tracker.sender_id)
        dispatcher.utter_message(text=i18n.t("cleared", lang), json_message=view.payload())
        return [SlotSet("pending_checkout", None)]
