"""Opaque list cursors: base64url JSON, so clients cannot depend on what is inside."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from seller_api.errors import field_error


def encode_cursor(state: dict[str, Any]) -> str:
    raw = json.dumps(state, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, kind: str) -> dict[str, Any] | None:
    """The state a cursor of ``kind`` holds; a malformed or foreign one is a 422 on ``cursor``."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        state = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise field_error("query", "cursor", "not a cursor this API issued") from exc
    if not isinstance(state, dict) or state.get("k") != kind:
        raise field_error("query", "cursor", "not a cursor for this list")
    return state


def offset_from(cursor: str | None, kind: str) -> int:
    state = decode_cursor(cursor, kind)
    if state is None:
        return 0
    offset = state.get("o")
    if not isinstance(offset, int) or not 0 <= offset <= 10_000_000:
        raise field_error("query", "cursor", "not a cursor for this list")
    return offset


def page(items: list[Any], offset: int, limit: int, kind: str) -> tuple[list[Any], str | None]:
    """One page of an ordered list, and the cursor of the next one (None at the end)."""
    chunk = items[offset : offset + limit]
    more = offset + limit < len(items)
    return chunk, encode_cursor({"k": kind, "o": offset + limit}) if more else None
