"""`/v1/cart`: the shopper's cart by exact product id, for buttons (the page's "add", − / + and
remove), where a typed sentence would be ambiguous: "the second one" means whatever list Rasa read
out last, not the card the shopper pressed. Answers the contract's cart payload, the one the
actions send (``CartView.payload``), so a client renders both alike.

The cart lives in the store, so these work while Rasa is down: nothing in the cart is lost.
A pending checkout stays safe: Rasa orders only the total the shopper said yes to, and asks again
when the cart changed in between (actions/checkout.py).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from assistant.api.deps import shopper_of, store_engine

router = APIRouter(prefix="/v1/cart", tags=["cart"])
MAX_QTY = 99  # as the store allows (store/repo/carts.py)
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such product, or it is not in the cart"},
    409: {"description": "not enough in stock"},
    401: {"description": "missing, unknown or revoked device token, and no session cookie"},
}


class AddIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: int = Field(ge=1)
    qty: int = Field(default=1, ge=1, le=MAX_QTY)


class QuantityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    qty: int = Field(ge=0, le=MAX_QTY, description="0 removes the line")


def run_cart(engine: Engine, change: str, shopper: str, *args: int) -> dict[str, Any]:
    """One cart operation of store/repo/carts.py in a transaction; store errors as 4xx."""
    from store.db import transaction
    from store.repo import carts
    from store.repo.errors import InvalidInput, NotFound, OutOfStock

    try:
        with transaction(engine) as s:
            return getattr(carts, change)(s, shopper, *args).payload()
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except OutOfStock as exc:
        raise HTTPException(409, str(exc)) from None
    except InvalidInput as exc:
        raise HTTPException(422, str(exc)) from None


async def cart_call(request: Request, authorization: str | None, change: str, *args: int) -> Any:
    shopper = await shopper_of(request, authorization)
    return await run_in_threadpool(run_cart, store_engine(request), change, shopper, *args)


ProductId = Annotated[int, Path(ge=1, description="the product's id")]
Authorization = Annotated[str | None, Header()]


@router.get("", summary="The cart", responses=ERRORS)
async def view(request: Request, authorization: Authorization = None) -> Any:
    return await cart_call(request, authorization, "view_cart")


@router.post("/items", summary="Add a product (to its line, when already there)", responses=ERRORS)
async def add(request: Request, body: AddIn, authorization: Authorization = None) -> Any:
    return await cart_call(request, authorization, "add_to_cart", body.product_id, body.qty)


@router.put("/items/{product_id}", summary="Set a line's quantity (0 removes it)", responses=ERRORS)
async def set_quantity(
    request: Request, product_id: ProductId, body: QuantityIn, authorization: Authorization = None
) -> Any:
    return await cart_call(request, authorization, "set_quantity", product_id, body.qty)


@router.delete("/items/{product_id}", summary="Remove a line", responses=ERRORS)
async def remove(
    request: Request, product_id: ProductId, authorization: Authorization = None
) -> Any:
    return await cart_call(request, authorization, "remove_from_cart", product_id)
