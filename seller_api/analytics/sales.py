"""What every insight counts as a seller's sale: its order lines in a date range, cancelled orders
excluded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from store.models import Order, OrderLine, OrderStatus


def seller_sales(seller_id: str, since: dt.datetime, until: dt.datetime) -> tuple[Any, ...]:
    """WHERE conditions over OrderLine joined to Order: ``.where(*seller_sales(...))``."""
    return (
        OrderLine.seller_id == seller_id,
        Order.created_at >= since,
        Order.created_at < until,
        Order.status != OrderStatus.CANCELLED.value,
    )
