"""SQLAlchemy 2 models of the shared store.

Money is stored as integer minor units of its currency (KRW has none, so won), never floats.
Ids: sellers and shoppers carry string ids (a shopper id is the Rasa sender id); products,
orders and events use integer ids (FAISS keys products by int64).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so Alembic migrations work the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BigInteger autoincrement does not work as a rowid alias on SQLite; use INTEGER there.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON}  # noqa: RUF012 - SQLAlchemy's own hook


class EventKind(enum.StrEnum):
    SEARCH = "search"
    IMPRESSION = "impression"
    CLICK = "click"
    ADD_TO_CART = "add_to_cart"
    PURCHASE = "purchase"
    AD_CLICK = "ad_click"


class OrderStatus(enum.StrEnum):
    PLACED = "placed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class Meta(Base):
    """Key-value facts about the data set (seed parameters, generator version)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Seller(Base):
    __tablename__ = "sellers"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ApiKey(Base):
    """A seller's API key; only its SHA-256 digest and a short display prefix are kept."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_nonneg"),
        CheckConstraint("stock >= 0", name="stock_nonneg"),
        CheckConstraint("size > 0", name="size_pos"),
        Index("ix_products_type_price", "type_key", "price"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    type_key: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(300))
    name_ko: Mapped[str] = mapped_column(String(300))
    brand: Mapped[str] = mapped_column(String(100), index=True)
    size: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    price: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="KRW")
    stock: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # Source-specific facts (e.g. Complete Journey's department/category/product_type).
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Shopper(Base):
    """A shopper (a household in Complete Journey). ``lifestyle`` is set for demo shoppers only:
    the latent attributes and preferences the simulator drew, kept to test inference against."""

    __tablename__ = "shoppers"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(16), default="chat")
    gender: Mapped[str | None] = mapped_column(String(8))
    age_band: Mapped[str | None] = mapped_column(String(16))
    married: Mapped[bool | None] = mapped_column(Boolean)
    kids_count: Mapped[int | None] = mapped_column(Integer)
    household_size: Mapped[int | None] = mapped_column(Integer)
    income_band: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(2))
    lifestyle: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Source-specific known facts (e.g. Complete Journey's home_ownership, household_comp).
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Device(Base):
    """A smart speaker or phone; its bearer token is kept only as a SHA-256 digest."""

    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shopper_id: Mapped[str] = mapped_column(
        ForeignKey("shoppers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100), default="speaker")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Cart(Base):
    """One open cart per shopper; lines are replaced by checkout, not the cart."""

    __tablename__ = "carts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shopper_id: Mapped[str] = mapped_column(
        ForeignKey("shoppers.id", ondelete="CASCADE"), unique=True
    )
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    lines: Mapped[list[CartLine]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartLine.id"
    )


class CartLine(Base):
    __tablename__ = "cart_lines"
    __table_args__ = (
        UniqueConstraint("cart_id", "product_id", name="uq_cart_lines_cart_product"),
        CheckConstraint("qty > 0", name="qty_pos"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    qty: Mapped[int] = mapped_column(Integer)
    cart: Mapped[Cart] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint("total >= 0", name="total_nonneg"),
        Index("ix_orders_shopper_created", "shopper_id", "created_at"),
        Index("ix_orders_created", "created_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shopper_id: Mapped[str] = mapped_column(ForeignKey("shoppers.id"))
    status: Mapped[str] = mapped_column(String(16), default=OrderStatus.PLACED.value)
    total: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="KRW")
    # A client-chosen key: placing the same order twice (retry, repeated "yes") returns the first.
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    source: Mapped[str] = mapped_column(String(16), default="chat")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_pos"),
        CheckConstraint("unit_price >= 0", name="unit_price_nonneg"),
        Index("ix_order_lines_seller_order", "seller_id", "order_id"),
        Index("ix_order_lines_product", "product_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    # Denormalised from the product so seller analytics need no join through products.
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"))
    qty: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(Integer)
    order: Mapped[Order] = relationship(back_populates="lines")


class Event(Base):
    """Append-only behaviour log (database triggers refuse UPDATE and DELETE).

    Not called ``events``: Rasa's SQL tracker store owns that table name in a shared database.

    search: query, language · impression/click: product, page, slot · add_to_cart, purchase:
    product (purchase also order) · ad_click: campaign, keyword, product.
    """

    __tablename__ = "event_log"
    __table_args__ = (
        Index("ix_event_log_kind_ts", "kind", "ts"),
        Index("ix_event_log_shopper_ts", "shopper_id", "ts"),
        Index("ix_event_log_seller_kind_ts", "seller_id", "kind", "ts"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ts: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    shopper_id: Mapped[str | None] = mapped_column(String(64))
    session_id: Mapped[str | None] = mapped_column(String(64))
    query: Mapped[str | None] = mapped_column(String(300))
    language: Mapped[str | None] = mapped_column(String(2))
    product_id: Mapped[int | None] = mapped_column(Integer)
    seller_id: Mapped[str | None] = mapped_column(String(64))
    page: Mapped[str | None] = mapped_column(String(32))
    slot: Mapped[int | None] = mapped_column(Integer)
    order_id: Mapped[int | None] = mapped_column(Integer)
    campaign_id: Mapped[int | None] = mapped_column(Integer)
    keyword: Mapped[str | None] = mapped_column(String(100))
    qty: Mapped[int | None] = mapped_column(Integer)


class AdCampaign(Base):
    __tablename__ = "ad_campaigns"
    __table_args__ = (UniqueConstraint("seller_id", "name", name="uq_ad_campaigns_seller_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_id: Mapped[str] = mapped_column(ForeignKey("sellers.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    daily_budget: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    keywords: Mapped[list[AdKeyword]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan"
    )


class AdKeyword(Base):
    __tablename__ = "ad_keywords"
    __table_args__ = (
        UniqueConstraint("campaign_id", "keyword", name="uq_ad_keywords_campaign_keyword"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("ad_campaigns.id", ondelete="CASCADE"))
    keyword: Mapped[str] = mapped_column(String(100))
    campaign: Mapped[AdCampaign] = relationship(back_populates="keywords")


class AdSpend(Base):
    """Daily spend per campaign and keyword; (campaign, keyword, date) is the idempotency key."""

    __tablename__ = "ad_spend"
    __table_args__ = (
        UniqueConstraint(
            "campaign_id", "keyword", "date", name="uq_ad_spend_campaign_keyword_date"
        ),
        CheckConstraint("cost >= 0", name="cost_nonneg"),
        CheckConstraint("clicks >= 0", name="clicks_nonneg"),
        Index("ix_ad_spend_date", "date"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("ad_campaigns.id", ondelete="CASCADE"))
    keyword: Mapped[str] = mapped_column(String(100))
    date: Mapped[dt.date] = mapped_column(Date)
    cost: Mapped[int] = mapped_column(Integer)
    clicks: Mapped[int] = mapped_column(Integer, default=0)
