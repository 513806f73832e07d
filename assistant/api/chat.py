"""`POST /v1/chat`: one text turn as the device's shopper, answered with Rasa's own reply list.

Clients never need Rasa's port: the device token names the shopper (the same check as voice), the
gateway signs the turn for Rasa. Bad input never reaches Rasa: token first, then the body's size,
shape and length, each with its own status and a message naming the problem.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.api.deps import settings_of, shopper_of
from assistant.rasa_client import RasaClient, RasaError
from assistant.settings import GatewaySettings

router = APIRouter(prefix="/v1/chat", tags=["chat"])


class ChatIn(BaseModel):
    # No "sender": the device token names the shopper; a body naming one is refused.
    model_config = ConfigDict(extra="forbid")

    message: str


def body_limit(max_chars: int) -> int:
    """Bytes a body may take: every character escaped as a surrogate pair (12 bytes) + framing."""
    return max_chars * 12 + 1024


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"body is {declared} bytes; the limit is {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():  # stop reading once over the limit
        body.extend(chunk)
        if len(body) > limit:
            raise HTTPException(413, f"body exceeds the limit of {limit} bytes")
    return bytes(body)


def parse(raw: bytes) -> ChatIn:
    """The body as JSON whatever its content type (`curl -d` sends a form type)."""
    try:
        return ChatIn.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        for e in errors:
            if not e["loc"]:  # the body as a whole: say what it should be
                e["msg"] = f'{e["msg"]}: send {{"message": "..."}}'
            elif e["type"] == "extra_forbidden":
                e["msg"] = (
                    'unknown field: send {"message": "..."}; the device token names the shopper'
                )
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from None


@router.post(
    "",
    summary="Send one chat message; answers Rasa's replies (a list of messages)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ChatIn.model_json_schema()}},
        }
    },
    responses={
        200: {"description": 'Rasa\'s replies: [{"recipient_id", "text"?, "custom"?}, ...]'},
        400: {"description": "empty message"},
        401: {"description": "missing, unknown or revoked device token"},
        413: {"description": "message or body over the limit"},
        422: {"description": 'body is not {"message": "..."}'},
        502: {"description": "Rasa answered something unusable or refused the gateway"},
        503: {"description": "Rasa is not reachable or did not answer in time"},
    },
)
async def chat(
    request: Request,
    settings: Annotated[GatewaySettings, Depends(settings_of)],
    authorization: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    shopper = await shopper_of(request, authorization)
    body = parse(await read_body(request, body_limit(settings.chat_max_chars)))
    if not body.message.strip():
        raise HTTPException(400, "message is empty")
    limit = settings.chat_max_chars
    if len(body.message) > limit:
        raise HTTPException(413, f"message is {len(body.message)} characters; the limit is {limit}")
    rasa: RasaClient = request.app.state.rasa
    try:
        replies: list[dict[str, Any]] = await rasa.send(shopper, body.message)
    except RasaError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    return JSONResponse(replies)
