"""Finding products: search, refine, select, and questions about a product."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import i18n
from actions.api.services import search_service
from actions.base import ShoppingAction, display_name, entity, nth, product_payload
from retrieval.query import parse_price_cap, parse_size

READ_OUT = 3  # voice-friendly: three results read aloud
REFINEMENTS = ("cheaper", "bigger", "smaller", "other_brand")  # each keeps the type shown


def heading(type_key: str | None, query: str, lang: str) -> str:
    """What the results are of: the product type's name in the shopper's language when one is
    known ("세탁세제"), not the whole sentence ("세탁세제 찾아줘")."""
    from store.taxonomy import load_taxonomy

    kind = load_taxonomy().get(type_key) if type_key else None
    if kind is None:
        return query
    return kind.ko if lang == "ko" else kind.en


# A name that ends with its pack size ("... 세탁세제 3L", "... 30 rolls", "... 100매").
NAME_SIZE_TAIL = re.compile(r"\s(\d[\d,]*(?:\.\d+)?)\s?[^\d\s]+(?:\s[^\d\s]+)?$")


def name_and_size(item: Any, lang: str) -> str:
    """The name as it is read out, with the size once: "리큐 세탁세제 3L", not "리큐 세탁세제 3L,
    3L" (catalog names usually end with their size); "Name, 3L" when the name does not say it."""
    name = display_name(item, lang)
    tail = NAME_SIZE_TAIL.search(name)
    if tail is not None and float(tail.group(1).replace(",", "")) == float(item.size):
        return name
    return f"{name}, {i18n.size(item.size, item.unit, lang)}"


def item_line(n: int, item: Any, lang: str) -> str:
    """One result as it is read out: "2. Name and size, price"."""
    price = i18n.price(item.price, item.currency, lang)
    return i18n.t("read_item", lang, n=n, name=name_and_size(item, lang), price=price)


def read_results(
    dispatcher: CollectingDispatcher, results: list[Any], query: str, lang: str
) -> list[dict[str, Any]]:
    """Say the top results and send them as the contract's products payload."""
    if not results:
        dispatcher.utter_message(text=i18n.t("found_none", lang, query=query))
        return [SlotSet("last_results", [])]
    shown = results[:READ_OUT]
    lines = [i18n.t("found", lang, query=query)]
    for n, r in enumerate(shown, 1):
        line = item_line(n, r.item, lang)
        reason = r.reason_ko if lang == "ko" else r.reason
        lines.append(f"{line} ({reason})" if reason else line)
    lines.append(i18n.t("ask_select", lang))
    dispatcher.utter_message(
        text="\n".join(lines),
        json_message={
            "type": "products",
            "items": [product_payload(r.item, r.reason, r.reason_ko) for r in shown],
        },
    )
    return [
        SlotSet("last_results", [r.item.id for r in shown]),
        SlotSet("last_list", "results"),
        SlotSet("selected_product", None),
        SlotSet("pending_add", None),
        SlotSet("pending_search", None),
    ]


def log_search(shopper_id: str, query: str, lang: str, results: list[Any]) -> None:
    """Searches and what they showed feed the seller insights (search terms, slots)."""
    from store.db import transaction
    from store.repo.events import log_events

    rows: list[dict[str, Any]] = [
        {"kind": "search", "shopper_id": shopper_id, "query": query[:300], "language": lang}
    ]
    rows += [
        {"kind": "impression", "shopper_id": shopper_id, "product_id": r.item.id,
         "seller_id": r.item.seller_id, "page": "chat", "slot": n}
        for n, r in enumerate(results[:READ_OUT], 1)
    ]  # fmt: skip
    with transaction() as s:
        log_events(s, rows)


class ActionSearchProduct(ShoppingAction):
    def name(self) -> str:
        return "action_search_product"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
        query = (tracker.latest_message or {}).get("text", "").strip()
        return search(dispatcher, tracker.sender_id, query, entity(tracker, "product"), lang)


def search(
    dispatcher: CollectingDispatcher, shopper: str, query: str, type_key: str | None, lang: str
) -> list[Any]:
    """Search, read out the top results and remember them for "the first one" and "cheaper"."""
    results = search_service().search(query, user=shopper, k=10)
    log_search(shopper, query, lang, results)
    title = heading(type_key, query, lang)
    return [SlotSet("last_query", query), *read_results(dispatcher, results, title, lang)]


class ActionRefine(ShoppingAction):
    """ "cheaper", "bigger", "smaller", "another brand", "under 10,000 won", "the 2-litre one"."""

    def name(self) -> str:
        return "action_refine"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
        from retrieval.catalog import SearchFilters

        base = tracker.get_slot("last_query")
        text = (tracker.latest_message or {}).get("text", "")
        service = search_service()
        found = (service.catalog.get(int(i)) for i in tracker.get_slot("last_results") or [])
        shown = [it for it in found if it is not None]
        named = entity(tracker, "product")
        if named and (not base or named not in {it.type_key for it in shown}):
            # "2 liter water under 5000 won" as a first message, or "만원 이하 생수" while rice
            # is on screen: a search for what the message names, with its size and cap.
            return search(dispatcher, tracker.sender_id, text, named, lang)
        if not base:
            dispatcher.utter_message(text=i18n.t("no_results_yet", lang))
            return []
        how = entity(tracker, "refinement")
        asked = parse_size(text) if entity(tracker, "size") else None
        filters = SearchFilters()
        cap = entity(tracker, "price_cap")
        if cap is not None:
            filters.max_price = int(cap)
        if shown and how == "cheaper":
            filters.max_price = min(it.price for it in shown) - 1
        if shown and how in ("bigger", "smaller"):
            filters.size_unit = shown[0].unit
            same_unit = [it.size for it in shown if it.unit == shown[0].unit]
            if how == "bigger":
                filters.min_size = max(same_unit) * 1.0001
            else:
                filters.max_size = min(same_unit) * 0.9999
        query = base
        if cap is not None:
            # The cap stays with the query, so "bigger" or "the 2-litre one" next keeps it (the
            # search reads a cap in the words); a new cap replaces the one said before.
            query = f"{parse_price_cap(base)[1]} {text}"
        elif entity(tracker, "size"):
            query = f"{base} {text}"
        results = service.search(query, user=tracker.sender_id, k=30, filters=filters)
        if shown and how == "other_brand":
            brands = {it.brand for it in shown}
            results = [r for r in results if r.item.brand not in brands]
        title = heading(shown[0].type_key if shown else None, base, lang)
        if shown and (how in REFINEMENTS or cap is not None or asked is not None):
            # Stay with what the shopper was looking at: a refinement never changes the type. When
            # nothing of that type is cheaper (bigger, under the cap, ...), say so and keep the
            # list on screen: offering cereal to someone comparing rice is worse than no answer.
            types = {it.type_key for it in shown}
            results = [r for r in results if r.item.type_key in types]
            if not results:
                if how in REFINEMENTS:
                    reply = i18n.t(f"refine_none_{how}", lang, query=title)
                elif cap is not None:
                    price = i18n.price(int(cap), shown[0].currency, lang)
                    reply = i18n.t("refine_none_cap", lang, query=title, price=price)
                else:  # only a size was asked ("the 2-litre one")
                    size = i18n.size(asked.value, asked.unit, lang) if asked else ""
                    reply = i18n.t("refine_none_size", lang, query=title, size=size)
                dispatcher.utter_message(text=reply)
                return []
        if asked is not None:
            # "the 2-litre one": that size when the type has it, else the boosted list as it is.
            results = [r for r in results if asked.matches(r.item.size, r.item.unit)] or results
        if how == "cheaper":
            results.sort(key=lambda r: (r.item.price, -r.score))
        log_search(tracker.sender_id, query, lang, results)
        return [SlotSet("last_query", query), *read_results(dispatcher, results, title, lang)]


def resolve_product(tracker: Tracker, ordinal: int | None = None) -> int | None:
    """The product a message refers to: an ordinal into the last results (``ordinal``, else the
    message's), the product selected before, or the first of the last results."""
    results = [int(i) for i in tracker.get_slot("last_results") or []]
    if ordinal is None:
        ordinal = entity(tracker, "ordinal")
    if ordinal is not None and results:
        return nth(results, int(ordinal))
    selected = tracker.get_slot("selected_product")
    if selected is not None:
        return int(selected)
    return results[0] if results else None


def say_no_such_item(
    dispatcher: CollectingDispatcher, tracker: Tracker, lang: str, n: int | None = None
) -> bool:
    """When the message names a number past the end of the list read out ("the second one" of
    one; ``n``, else the message's ordinal), say how many there are and return True; "search
    first" would be wrong there."""
    results = tracker.get_slot("last_results") or []
    if n is None:
        n = entity(tracker, "ordinal")
    if n is None or not results:
        return False
    dispatcher.utter_message(text=i18n.t("no_such_item", lang, n=n, count=len(results)))
    return True


def describe(item: Any, lang: str) -> dict[str, str]:
    return {
        "name": display_name(item, lang),
        "name_size": name_and_size(item, lang),
        "size": i18n.size(item.size, item.unit, lang),
        "price": i18n.price(item.price, item.currency, lang),
        "stock": i18n.t("in_stock" if item.stock > 0 else "out_of_stock", lang),
    }


def fresh_product(product_id: int) -> Any:
    """The product as the store has it now (stock and price change after the index loads)."""
    from store.db import transaction
    from store.repo.catalog import get_product

    with transaction() as s:
        return get_product(s, product_id)


class ActionSelectItem(ShoppingAction):
    def name(self) -> str:
        return "action_select_item"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
        return select(dispatcher, tracker, lang)


# A message that is only a number: "2", "number 3", "two", "2번". With a list on screen it picks
# that item (the NLU cannot tell it from a quantity, so it rejects it).
BARE_NUMBER = re.compile(
    r"(?:number\s+|no\.?\s*)?(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)"
    r"(?:\s*번(?:이요|요)?)?[\s.!?]*",
    re.IGNORECASE,
)
NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def bare_number(text: str) -> int | None:
    m = BARE_NUMBER.fullmatch(text.strip())
    if m is None:
        return None
    word = m.group(1).lower()
    return NUMBER_WORDS.index(word) + 1 if word in NUMBER_WORDS else int(word)


def select(
    dispatcher: CollectingDispatcher, tracker: Tracker, lang: str, n: int | None = None
) -> list[Any]:
    """Select an item of the list on screen: the ``n``-th, else the one the message refers to;
    the reply asks whether to add it."""
    results = tracker.get_slot("last_results") or []
    if not results:
        dispatcher.utter_message(text=i18n.t("no_results_yet", lang))
        return []
    pid = resolve_product(tracker, n)
    if pid is None:
        say_no_such_item(dispatcher, tracker, lang, n)
        return []
    item = fresh_product(pid)
    dispatcher.utter_message(
        text=i18n.t("selected", lang, **describe(item, lang)),
        json_message={"type": "products", "items": [product_payload(item)]},
    )
    # The reply asks "Shall I add it to your cart?": a yes adds one.
    return [
        SlotSet("selected_product", pid),
        SlotSet("pending_add", {"product_id": pid, "qty": 1}),
    ]


class ActionProductQuestion(ShoppingAction):
    def name(self) -> str:
        return "action_product_question"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, lang: str) -> list[Any]:
        pid = resolve_product(tracker)
        item = fresh_product(pid) if pid is not None else None
        named, brand = entity(tracker, "product"), entity(tracker, "brand")
        other = (
            item is None
            or (named is not None and item.type_key != named)
            or (brand is not None and item.brand != brand)
        )
        if (named or brand) and other and entity(tracker, "ordinal") is None:
            # "휴지 얼마예요?" asks about toilet paper and "퍼실 있어요?" about Persil, whatever
            # the list on screen shows.
            query = (tracker.latest_message or {}).get("text", "")
            hits = search_service().search(query, user=tracker.sender_id, k=1)
            item = fresh_product(hits[0].item.id) if hits else None
        if item is None:
            if not say_no_such_item(dispatcher, tracker, lang):
                dispatcher.utter_message(text=i18n.t("which_product", lang))
            return []
        dispatcher.utter_message(
            text=i18n.t("answer", lang, **describe(item, lang)),
            json_message={"type": "products", "items": [product_payload(item)]},
        )
        return []
