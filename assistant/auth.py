"""Device authentication: a bearer token (stored hashed) names the shopper who owns the device."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from store.db import get_engine, session_factory
from store.repo.credentials import shopper_for_device_token

TokenResolver = Callable[[str], "str | None"]


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def store_resolver(engine: Engine | None = None) -> TokenResolver:
    """Look tokens up in the store (blocking; FastAPI runs it in its thread pool)."""

    def resolve(token: str) -> str | None:
        factory = session_factory(engine or get_engine())
        with factory() as session:
            return shopper_for_device_token(session, token)

    return resolve
