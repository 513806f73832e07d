"""Orders: status, history, and what the shopper is running low on."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import i18n
from actions.api.services import next_basket, search_service
from actions.base import ShoppingAction, language, product_payload
from actions.shopping import item_line


class ActionOrderStatus(ShoppingAction):
    def name(self) -> str:
        return "action_order_status"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
        from store.db import transaction
        from store.repo.orders import recent_orders

        with transaction() as s:
            latest = recent_orders(s, tracker.sender_id, limit=1)
            info = [(o.id, o.status, o.total, o.currency, o.created_at) for o in latest]
        if not info:
            dispatcher.utter_message(text=i18n.t("no_orders", lang))
            return []
        oid, status, total, currency, created = info[0]
        dispatcher.utter_message(
            text=i18n.t("order_status", lang, order_id=oid, status=i18n.status(status, lang),
                        total=i18n.price(total, currency, lang), date=created.date().isoformat()),
            json_message={"type": "order", "order_id": oid, "status": status, "total": total},
        )  # fmt: skip
        return []


class ActionOrderHistory(ShoppingAction):
    def name(self) -> str:
        return "action_order_history"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
        from store.db import transaction
        from store.repo.orders import recent_orders

        with transaction() as s:
            rows = [(o.id, o.total, o.currency, o.created_at, o.status)
                    for o in recent_orders(s, tracker.sender_id, limit=5)]  # fmt: skip
        if not rows:
            dispatcher.utter_message(text=i18n.t("no_orders", lang))
            return []
        listed = "; ".join(
            i18n.t("history_item", lang, order_id=oid, date=created.date().isoformat(),
                   total=i18n.price(total, currency, lang))
            for oid, total, currency, created, _ in rows
        )  # fmt: skip
        dispatcher.utter_message(text=i18n.t("history", lang, orders=listed))
        for oid, total, _, _, status in rows[:1]:
            dispatcher.utter_message(
                json_message={"type": "order", "order_id": oid, "status": status, "total": total}
            )
        return []


class ActionRecommend(ShoppingAction):
    """Types due again by the shopper's own repurchase cycle, each with a product for them."""

    def name(self) -> str:
        return "action_recommend"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
        from retrieval.catalog import SearchFilters
        from retrieval.nextbasket import recommend_types
        from store.db import get_engine
        from store.taxonomy import load_taxonomy

        recs = recommend_types(get_engine(), tracker.sender_id, next_basket(), k=3)
        if not recs:
            dispatcher.utter_message(text=i18n.t("recommend_none", lang))
            return []
        taxonomy = load_taxonomy()
        service = search_service()
        items, lines = [], [i18n.t("recommend", lang)]
        for rec in recs:
            t = taxonomy.get(rec.type_key)
            query = (t.ko if lang == "ko" else t.en) if t else rec.type_key
            hits = service.search(query, user=tracker.sender_id, k=1,
                                  filters=SearchFilters(type_key=rec.type_key))  # fmt: skip
            if not hits:
                continue
            it = hits[0].item
            items.append(product_payload(it, rec.reason, rec.reason_ko))
            # Read like search results, so "the first one" means what the shopper heard first.
            reason = rec.reason_ko if lang == "ko" else rec.reason
            lines.append(f"{item_line(len(items), it, lang)} ({reason})")
        if not items:
            dispatcher.utter_message(text=i18n.t("recommend_none", lang))
            return []
        lines.append(i18n.t("ask_select", lang))
        dispatcher.utter_message(
            text="\n".join(lines), json_message={"type": "products", "items": items}
        )
        return [
            SlotSet("last_results", [it["id"] for it in items]),
            SlotSet("last_list", "results"),
            SlotSet("selected_product", None),
        ]


class ActionSessionStart(Action):
    """A sender id the store has never seen becomes a shopper on its first message."""

    def name(self) -> str:
        return "action_session_start"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[Any]:
        from store.db import transaction
        from store.repo.errors import InvalidInput
        from store.repo.shoppers import get_or_create_shopper

        try:
            with transaction() as s:
                get_or_create_shopper(s, tracker.sender_id, language=language(tracker))
        except InvalidInput:
            pass  # an over-long sender id: chat still works, nothing is stored for it
        except Exception:
            import logging

            logging.getLogger(__name__).exception("could not register %s", tracker.sender_id)
        carried = [
            SlotSet(name, value)
            for name, value in tracker.current_slot_values().items()
            if value is not None and not name.startswith("pending_")
        ]
        return [SessionStarted(), *carried, ActionExecuted("action_listen")]
