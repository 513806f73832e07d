"""Seller API keys and device tokens: issued once in plain text, stored only as digests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import ApiKey, Device, Seller, Shopper, utcnow
from store.repo.errors import NotFound
from store.security import digest, new_secret


@dataclass(frozen=True)
class Issued:
    id: int
    secret: str


def create_seller(session: Session, seller_id: str, name: str) -> Seller:
    seller = Seller(id=seller_id, name=name)
    session.add(seller)
    session.flush()
    return seller


def issue_api_key(session: Session, seller_id: str, label: str | None = None) -> Issued:
    if session.get(Seller, seller_id) is None:
        raise NotFound(f"seller {seller_id!r} does not exist")
    secret = new_secret("jbk")
    key = ApiKey(seller_id=seller_id, key_hash=digest(secret), prefix=secret[:10], label=label)
    session.add(key)
    session.flush()
    return Issued(key.id, secret)


def seller_for_api_key(session: Session, secret: str) -> str | None:
    """The seller id an active key belongs to, or None (unknown or revoked)."""
    row = session.scalar(
        select(ApiKey).where(ApiKey.key_hash == digest(secret), ApiKey.revoked_at.is_(None))
    )
    return row.seller_id if row else None


def revoke_api_key(session: Session, key_id: int) -> None:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"API key {key_id} not found")
    key.revoked_at = key.revoked_at or utcnow()


def list_api_keys(session: Session, seller_id: str | None = None) -> list[ApiKey]:
    q = select(ApiKey).order_by(ApiKey.id)
    if seller_id:
        q = q.where(ApiKey.seller_id == seller_id)
    return list(session.scalars(q))


def add_device(session: Session, shopper_id: str, name: str = "speaker") -> Issued:
    if session.get(Shopper, shopper_id) is None:
        raise NotFound(f"shopper {shopper_id!r} does not exist")
    secret = new_secret("jbd")
    device = Device(shopper_id=shopper_id, name=name, token_hash=digest(secret))
    session.add(device)
    session.flush()
    return Issued(device.id, secret)


def shopper_for_device_token(session: Session, token: str) -> str | None:
    row = session.scalar(
        select(Device).where(Device.token_hash == digest(token), Device.revoked_at.is_(None))
    )
    return row.shopper_id if row else None


def revoke_device(session: Session, device_id: int) -> None:
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound(f"device {device_id} not found")
    device.revoked_at = device.revoked_at or utcnow()


def list_devices(session: Session, shopper_id: str | None = None) -> list[Device]:
    q = select(Device).order_by(Device.id)
    if shopper_id:
        q = q.where(Device.shopper_id == shopper_id)
    return list(session.scalars(q))
