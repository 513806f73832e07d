"""Checkout: the cart becomes an order in one transaction, at most once per idempotency key."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.models import Cart, EventKind, Order, OrderLine, Product
from store.repo.errors import EmptyCart, NotFound, OutOfStock
from store.repo.events import log_events
from store.repo.shoppers import get_or_create_shopper


def place_order(session: Session, shopper_id: str, idempotency_key: str | None = None) -> Order:
    """Turn the shopper's cart into an order.

    With an ``idempotency_key`` a repeat (a second "yes", a retried request, a restart mid-way)
    returns the order already placed instead of placing another. Stock is decremented with a
    guarded UPDATE so two concurrent checkouts cannot oversell.
    """
    get_or_create_shopper(session, shopper_id)
    # Lock the shopper's cart first (PostgreSQL; SQLite serialises writers anyway): concurrent
    # checkouts of one shopper then run one after the other, and the later one sees the order
    # the earlier one placed under the same key.
    cart = session.scalar(select(Cart).where(Cart.shopper_id == shopper_id).with_for_update())
    if idempotency_key:
        existing = _by_key(session, idempotency_key)
        if existing is not None:
            return existing
    try:
        # A savepoint: should the key still collide (another shopper's cart, say), our stock
        # decrements are undone and the first order stands.
        with session.begin_nested():
            return _place(session, shopper_id, cart, idempotency_key)
    except IntegrityError:
        existing = _by_key(session, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return existing


def _by_key(session: Session, key: str) -> Order | None:
    return session.scalar(select(Order).where(Order.idempotency_key == key))


def find_by_key(session: Session, key: str) -> Order | None:
    """The order placed under an idempotency key, if any."""
    return _by_key(session, key)


def _place(
    session: Session, shopper_id: str, cart: Cart | None, idempotency_key: str | None
) -> Order:
    if cart is None or not cart.lines:
        raise EmptyCart("the cart is empty")
    order = Order(shopper_id=shopper_id, total=0, idempotency_key=idempotency_key, source="chat")
    total = 0
    for line in cart.lines:
        product = line.product
        taken = session.execute(
            update(Product)
            .where(Product.id == product.id, Product.stock >= line.qty)
            # Keep updated_at: it fingerprints the listing for the search index, and a sale
            # changes no text that is indexed.
            .values(stock=Product.stock - line.qty, updated_at=Product.updated_at)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise OutOfStock(f"{product.name_en} is out of stock")
        order.lines.append(
            OrderLine(
                product_id=product.id,
                seller_id=product.seller_id,
                qty=line.qty,
                unit_price=product.price,
            )
        )
        total += line.qty * product.price
        order.currency = product.currency
    order.total = total
    session.add(order)
    cart.lines.clear()
    session.flush()
    log_events(
        session,
        [
            {
                "kind": EventKind.PURCHASE,
                "shopper_id": shopper_id,
                "product_id": ln.product_id,
                "seller_id": ln.seller_id,
                "order_id": order.id,
                "qty": ln.qty,
                "ts": order.created_at,
            }
            for ln in order.lines
        ],
    )
    return order


def get_order(session: Session, order_id: int, *, shopper_id: str | None = None) -> Order:
    order = session.get(Order, order_id)
    if order is None or (shopper_id is not None and order.shopper_id != shopper_id):
        raise NotFound(f"order {order_id} not found")
    return order


def recent_orders(session: Session, shopper_id: str, limit: int = 5) -> list[Order]:
    q = (
        select(Order)
        .where(Order.shopper_id == shopper_id)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(limit)
    )
    return list(session.scalars(q))


def usual_product(session: Session, shopper_id: str, type_key: str | None = None) -> int | None:
    """The product the shopper bought most often (of ``type_key`` when given); ties go to the
    one bought most recently."""
    from sqlalchemy import func

    q = (
        select(OrderLine.product_id, func.count().label("n"), func.max(Order.created_at))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.shopper_id == shopper_id, Order.status != "cancelled")
        .group_by(OrderLine.product_id)
        .order_by(func.count().desc(), func.max(Order.created_at).desc(), OrderLine.product_id)
        .limit(1)
    )
    if type_key:
        q = q.join(Product, Product.id == OrderLine.product_id).where(Product.type_key == type_key)
    row = session.execute(q).first()
    return int(row[0]) if row else None
