"""The search service and the store, created on first use and shared by all actions."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from retrieval.service import SearchService

_lock = threading.Lock()
_next_basket: Any = None


def search_service() -> SearchService:
    from retrieval.service import get_service

    return get_service()


def next_basket() -> Any:
    """The learned type-level recommender, built from the store's history once per process."""
    global _next_basket
    with _lock:
        if _next_basket is None:
            from retrieval.nextbasket import build_next_basket
            from store.db import get_engine

            _next_basket = build_next_basket(get_engine())
        return _next_basket


def warm_up() -> None:
    """Load the model and index, and learn the repurchase recommender (2.6 s on the demo store),
    before the first shopper waits for them; the Rasa server takes longer to load its model, so
    `jangbogi serve` is up no later for it."""
    search_service().search("warm up", k=1)
    next_basket()
