"""Error responses every authenticated route documents in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from seller_api.schemas import ErrorPublic

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorPublic, "description": "Malformed request (e.g. a body that is not JSON)"},
    401: {"model": ErrorPublic, "description": "Missing, unknown or revoked API key"},
    413: {"model": ErrorPublic, "description": "Request body too large"},
    429: {"model": ErrorPublic, "description": "Rate limit exceeded (see Retry-After)"},
    503: {"model": ErrorPublic, "description": "The store is unavailable"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorPublic, "description": "No such product of yours"}
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorPublic, "description": "Conflicts with stored data"}
}
