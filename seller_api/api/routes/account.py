"""The calling seller: which account a key belongs to (the dashboard's sign-in check)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status

from seller_api.api.deps import SellerDep, SessionDep
from seller_api.api.responses import AUTH_RESPONSES
from seller_api.schemas import SellerPublic
from store.models import Seller

router = APIRouter(prefix="/v1/me", tags=["account"], responses=AUTH_RESPONSES)


@router.get("", response_model=SellerPublic, summary="Your seller account")
def me(seller_id: SellerDep, session: SessionDep) -> dict[str, Any]:
    """The seller id and name the `X-API-Key` belongs to."""
    seller = session.get(Seller, seller_id)
    if seller is None:  # a key outliving its seller is refused like any unknown key
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "unknown or revoked API key",
            headers={"WWW-Authenticate": "APIKey"},
        )
    return {"seller_id": seller.id, "name": seller.name}
