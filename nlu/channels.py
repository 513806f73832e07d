"""Rasa's chat input for the gateway only (runs in the Rasa server, `.venv-rasa`).

Rasa's REST channel lets the client name the ``sender``: anyone who reaches Rasa's port could read
or order on any shopper's account. :class:`GatewayInput` keeps that channel's contract — the same
path ``POST /webhooks/rest/webhook``, body ``{"sender", "message"}``, answer the JSON list of
messages — but accepts a request only with ``Authorization: Bearer <JWT>``, signed HS256 with the
secret the gateway shares (``JANGBOGI_RASA_JWT_SECRET``), short-lived, whose ``sub`` names the
shopper. The conversation is always the token's ``sub``; a body ``sender`` may only repeat it.

Referenced from credentials.yml as ``nlu.channels.GatewayInput``. No part of the trained model
(the Makefile's model sources should leave this file out).
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import jwt
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

ALGORITHM = "HS256"
# The gateway signs tokens for 60 s; one valid for longer was not minted by it for one request.
MAX_LIFETIME_S = 300
LEEWAY_S = 5  # clock skew between the gateway's and Rasa's machines
MIN_SECRET_CHARS = 32


class Refused(Exception):
    """A request the channel refuses: the HTTP status and a message naming the problem."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refused(401, "missing token: send Authorization: Bearer <JWT signed by the gateway>")
    return token.strip()


def shopper_of(authorization: str | None, body: bytes, secret: str) -> str:
    """The shopper a request speaks for: the ``sub`` of a valid token, checked against the body.

    401: no token, a bad signature, an expired or over-long-lived token. 400: a body that is not
    ``{"message": "..."}``. 403: a body ``sender`` other than the token's ``sub``.
    """
    token = bearer(authorization)
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], leeway=LEEWAY_S,
            options={"require": ["exp", "sub"]},
        )  # fmt: skip
    except jwt.ExpiredSignatureError:
        raise Refused(401, "expired token: the gateway signs a fresh one per request") from None
    except jwt.InvalidTokenError as exc:
        raise Refused(401, f"invalid token: {exc}") from None
    if claims["exp"] - time.time() > MAX_LIFETIME_S:
        raise Refused(401, f"token lives longer than {MAX_LIFETIME_S} s: refused")
    sub = claims["sub"]
    if not isinstance(sub, str) or not sub:
        raise Refused(401, "token names no shopper (sub)")
    try:
        payload = json.loads(body or b"null")
    except ValueError:
        raise Refused(400, 'body is not JSON: send {"message": "..."}') from None
    if not isinstance(payload, dict) or not isinstance(payload.get("message"), str):
        raise Refused(400, 'body must be {"message": "..."} with a text message')
    sender = payload.get("sender")
    if sender is not None and sender != sub:
        raise Refused(403, "sender differs from the token's shopper (sub)")
    return sub


class GatewayInput(RestInput):
    """Rasa's REST channel behind the gateway's signed, short-lived token."""

    @classmethod
    def name(cls) -> str:
        # Same name as Rasa's REST channel, hence the same path: /webhooks/rest/webhook.
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GatewayInput:
        secret = str((credentials or {}).get("jwt_secret") or "")
        if len(secret) < MIN_SECRET_CHARS:
            # Fail closed: without a real secret the channel would refuse everyone or, worse,
            # accept tokens anyone can sign.
            raise ValueError(
                "nlu.channels.GatewayInput needs jwt_secret (JANGBOGI_RASA_JWT_SECRET) of at "
                f"least {MIN_SECRET_CHARS} characters; `jangbogi serve` sets it"
            )
        return cls(secret)

    def __init__(self, jwt_secret: str) -> None:
        self.jwt_secret = jwt_secret

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = super().blueprint(on_new_message)

        @bp.middleware("request")
        async def authenticate(request: Request) -> HTTPResponse | None:
            if request.method != "POST":  # GET /webhooks/rest/ is the channel's health check
                return None
            try:
                request.ctx.shopper = shopper_of(
                    request.headers.get("authorization"), request.body, self.jwt_secret
                )
            except Refused as exc:
                headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
                return response.json({"error": exc.message}, status=exc.status, headers=headers)
            return None

        return bp

    async def _extract_sender(self, req: Request) -> str:
        shopper: str = req.ctx.shopper  # set by the blueprint's middleware, never by the body
        return shopper
