"""Shoppers: a sender id the store has never seen becomes a new shopper (cold start)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.models import Shopper
from store.repo.errors import InvalidInput

MAX_ID_LENGTH = 64


def get_or_create_shopper(
    session: Session, shopper_id: str, *, language: str | None = None
) -> Shopper:
    if not shopper_id or len(shopper_id) > MAX_ID_LENGTH:
        raise InvalidInput(f"shopper id must be 1-{MAX_ID_LENGTH} characters")
    shopper = session.get(Shopper, shopper_id)
    if shopper is not None:
        return shopper
    # Two first messages may race; the savepoint lets the loser read the winner's row.
    try:
        with session.begin_nested():
            shopper = Shopper(id=shopper_id, source="chat", language=language)
            session.add(shopper)
    except IntegrityError:
        shopper = session.get(Shopper, shopper_id)
        assert shopper is not None
    return shopper
