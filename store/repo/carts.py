"""Carts live in the store, so a restart of the assistant loses nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Cart, CartLine, EventKind
from store.repo.catalog import get_product
from store.repo.errors import InvalidInput, NotFound, OutOfStock
from store.repo.events import log_event
from store.repo.shoppers import get_or_create_shopper

MAX_QTY = 99


PAYLOAD_KEYS = ("id", "name", "name_ko", "type_key", "qty", "price")


@dataclass(frozen=True)
class CartView:
    lines: list[dict[str, object]]
    total: int
    currency: str

    def payload(self) -> dict[str, object]:
        """The chat contract's cart payload (docs/architecture.md, "Custom payloads"), as the
        actions send it and the gateway's cart API answers it."""
        return {
            "type": "cart",
            "items": [{k: line[k] for k in PAYLOAD_KEYS} for line in self.lines],
            "total": self.total,
            "currency": self.currency,
        }


def _cart(session: Session, shopper_id: str) -> Cart:
    get_or_create_shopper(session, shopper_id)
    cart = session.scalar(select(Cart).where(Cart.shopper_id == shopper_id))
    if cart is None:
        cart = Cart(shopper_id=shopper_id)
        session.add(cart)
        session.flush()
    return cart


def _check_qty(qty: int) -> None:
    if not 1 <= qty <= MAX_QTY:
        raise InvalidInput(f"quantity must be between 1 and {MAX_QTY}")


def add_to_cart(session: Session, shopper_id: str, product_id: int, qty: int = 1) -> CartView:
    """Add ``qty`` of a product (adding to a line already there)."""
    _check_qty(qty)
    product = get_product(session, product_id)
    cart = _cart(session, shopper_id)
    line = next((ln for ln in cart.lines if ln.product_id == product_id), None)
    new_qty = qty + (line.qty if line else 0)
    _check_qty(new_qty)
    if new_qty > product.stock:
        raise OutOfStock(f"only {product.stock} of product {product_id} in stock")
    if line:
        line.qty = new_qty
    else:
        cart.lines.append(CartLine(product_id=product_id, qty=qty))
    log_event(
        session,
        EventKind.ADD_TO_CART,
        shopper_id=shopper_id,
        product_id=product_id,
        seller_id=product.seller_id,
        qty=qty,
    )
    session.flush()
    return view_cart(session, shopper_id)


def set_quantity(session: Session, shopper_id: str, product_id: int, qty: int) -> CartView:
    """Set a line's quantity; 0 removes it."""
    cart = _cart(session, shopper_id)
    line = next((ln for ln in cart.lines if ln.product_id == product_id), None)
    if line is None:
        raise NotFound(f"product {product_id} is not in the cart")
    if qty == 0:
        cart.lines.remove(line)
    else:
        _check_qty(qty)
        if qty > line.product.stock:
            raise OutOfStock(f"only {line.product.stock} of product {product_id} in stock")
        line.qty = qty
    session.flush()
    return view_cart(session, shopper_id)


def remove_from_cart(session: Session, shopper_id: str, product_id: int) -> CartView:
    return set_quantity(session, shopper_id, product_id, 0)


def clear_cart(session: Session, shopper_id: str) -> CartView:
    cart = _cart(session, shopper_id)
    cart.lines.clear()
    session.flush()
    return view_cart(session, shopper_id)


def view_cart(session: Session, shopper_id: str) -> CartView:
    cart = _cart(session, shopper_id)
    lines = [
        {
            "id": ln.product.id,
            "name": ln.product.name_en,
            "name_ko": ln.product.name_ko,
            "type_key": ln.product.type_key,
            "qty": ln.qty,
            "price": ln.product.price,
            "seller_id": ln.product.seller_id,
        }
        for ln in cart.lines
    ]
    currencies = {ln.product.currency for ln in cart.lines} or {"KRW"}
    total = sum(ln.qty * ln.product.price for ln in cart.lines)
    return CartView(lines=lines, total=total, currency=sorted(currencies)[0])
