"""What the gateway's routes share: its settings, its store, and the shopper a request speaks for
(a device token, or a browser's session cookie)."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine

from assistant.auth import bearer_token
from assistant.session import COOKIE, CSRF_HEADER, SessionSigner
from assistant.settings import GatewaySettings

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def settings_of(request: Request) -> GatewaySettings:
    settings: GatewaySettings = request.app.state.settings
    return settings


def store_engine(request: Request) -> Engine:
    """The store's engine: the one the app was built with (tests), else the process's own."""
    engine: Engine | None = request.app.state.store_engine
    if engine is None:
        from store.db import get_engine

        engine = get_engine()
    return engine


def signer_of(request: Request) -> SessionSigner:
    signer: SessionSigner = request.app.state.sessions
    return signer


def session_shopper(request: Request) -> str | None:
    """The shopper the request's session cookie names, or None (no cookie, forged, expired)."""
    return signer_of(request).verify(request.cookies.get(COOKIE))


async def shopper_of(request: Request, authorization: str | None) -> str:
    """Who the request speaks for: the device token's shopper, else the session cookie's.

    A token that is present but wrong is a 401 even with a good cookie (the client meant the
    token). A cookie-authenticated request that changes something needs the CSRF header.
    """
    token = bearer_token(authorization)
    if token is None and authorization is None:
        shopper = session_shopper(request)
        if shopper is not None:
            if request.method not in SAFE_METHODS and CSRF_HEADER.lower() not in request.headers:
                raise HTTPException(
                    403, f"requests with the session cookie must send the {CSRF_HEADER} header"
                )
            return shopper
    if token is None:
        raise HTTPException(401, "missing device token (Authorization: Bearer <token>) or "
                            "session cookie (open the gateway's / page in a browser)",
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    found = await run_in_threadpool(request.app.state.resolve_token, token)
    if found is None:
        raise HTTPException(401, "unknown or revoked device token",
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    return str(found)
