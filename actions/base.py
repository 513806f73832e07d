"""What every shopping action shares: the shopper's language, product payloads, and a clear
apology instead of a stack trace when a service fails."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import i18n
from retrieval.query import is_korean

log = logging.getLogger(__name__)


def nth(seq: list[Any], n: int) -> Any:
    """The n-th of ``seq`` as an ordinal entity counts (1-based; -1 is the last), or None."""
    if n == -1:
        return seq[-1] if seq else None
    return seq[n - 1] if 1 <= n <= len(seq) else None


def language(tracker: Tracker) -> str:
    text = (tracker.latest_message or {}).get("text") or ""
    if is_korean(text):
        return "ko"
    if text.strip():
        return "en"
    return tracker.get_slot("language") or "ko"


def entity(tracker: Tracker, name: str) -> Any:
    """The entity of this message only (slots would carry last turn's value over)."""
    for e in (tracker.latest_message or {}).get("entities", []):
        if e.get("entity") == name:
            return e.get("value")
    return None


def product_payload(
    item: Any, reason: str | None = None, reason_ko: str | None = None
) -> dict[str, Any]:
    """The contract's product; ``brand`` and, when the ranking has one, the personal ``reason``
    (both languages) are additions clients may ignore: the shopper page shows them on its cards."""
    payload = {
        "id": item.id,
        "name": item.name_en,
        "name_ko": item.name_ko,
        "brand": item.brand,
        "type_key": item.type_key,
        "size": item.size,
        "unit": item.unit,
        "price": item.price,
        "currency": item.currency,
        "seller_id": item.seller_id,
    }
    if reason or reason_ko:
        payload.update(reason=reason, reason_ko=reason_ko)
    return payload


def display_name(item: Any, lang: str) -> str:
    if isinstance(item, dict):
        return str(item.get("name_ko") if lang == "ko" else item.get("name"))
    return str(item.name_ko if lang == "ko" else item.name_en)


class ShoppingAction(Action, ABC):
    """Subclasses implement ``act``; failures become an apology in the shopper's language.
    Abstract, so rasa-sdk does not register this base as an action of its own."""

    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str
    ) -> list[dict[str, Any]]: ...

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        lang = language(tracker)
        try:
            return self.act(dispatcher, tracker, lang)
        except Exception:
            log.exception("%s failed for %s", self.name(), tracker.sender_id)
            dispatcher.utter_message(text=i18n.t("error", lang))
            return []
