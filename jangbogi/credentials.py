"""Demo credentials: device tokens and seller API keys written to var/demo-credentials.json."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy import Engine, select, update

from store.db import transaction
from store.models import ApiKey, Device, Seller, Shopper, utcnow
from store.paths import var_dir
from store.repo.credentials import add_device, issue_api_key

DEMO_LABEL = "demo"
DEMO_DEVICES = 5


def credentials_path() -> Path:
    return var_dir() / "demo-credentials.json"


def write_demo_credentials(engine: Engine, devices: int = DEMO_DEVICES) -> Path:
    """Issue a key per seller and a device for the first demo shoppers; older demo ones are
    revoked, so only the credentials in the file work."""
    now = utcnow()
    with transaction(engine) as s:
        s.execute(
            update(ApiKey)
            .where(ApiKey.label == DEMO_LABEL, ApiKey.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        s.execute(
            update(Device)
            .where(Device.name == DEMO_LABEL, Device.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        sellers = [
            {"seller_id": sid, "api_key": issue_api_key(s, sid, label=DEMO_LABEL).secret}
            for sid in s.scalars(select(Seller.id).order_by(Seller.id))
        ]
        shopper_ids = s.scalars(
            select(Shopper.id).where(Shopper.source == "demo").order_by(Shopper.id).limit(devices)
        )
        device_rows = [
            {"token": add_device(s, sid, DEMO_LABEL).secret, "shopper_id": sid}
            for sid in shopper_ids
        ]
    path = credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    # Secrets: readable by the owner only, and replaced atomically.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"devices": device_rows, "sellers": sellers}, fh, indent=2)
    tmp.replace(path)
    return path
