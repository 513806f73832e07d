"""What the gateway's routes share: its settings and the shopper a request's device token names."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from assistant.auth import bearer_token
from assistant.settings import GatewaySettings


def settings_of(request: Request) -> GatewaySettings:
    settings: GatewaySettings = request.app.state.settings
    return settings


async def shopper_of(request: Request, authorization: str | None) -> str:
    """The device token's shopper; 401 for a missing, unknown or revoked token."""
    token = bearer_token(authorization)
    if token is None:
        raise HTTPException(401, "missing device token (Authorization: Bearer <token>)",
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    shopper = await run_in_threadpool(request.app.state.resolve_token, token)
    if shopper is None:
        raise HTTPException(401, "unknown or revoked device token",
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    return str(shopper)
