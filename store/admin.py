"""Whole-store operations for the CLI: reset, meta facts and status counts."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session

from store.migrate import current_revision, head_revision, upgrade
from store.models import Base, Event, Meta, Order, Product, Seller, Shopper


def reset(engine: Engine) -> None:
    """Drop every table of ours (and the migration marker), then migrate to head."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP FUNCTION IF EXISTS event_log_append_only() CASCADE"))
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)


def get_meta(engine: Engine, key: str) -> Any | None:
    if not inspect(engine).has_table("meta"):
        return None
    with Session(engine) as s:
        row = s.get(Meta, key)
        return json.loads(row.value) if row else None


def set_meta(session: Session, key: str, value: Any) -> None:
    session.merge(Meta(key=key, value=json.dumps(value, sort_keys=True, default=str)))


def status(engine: Engine) -> dict[str, Any]:
    """Counts of the main tables and the schema revision (None where not migrated)."""
    revision = current_revision(engine)
    out: dict[str, Any] = {
        "database": engine.url.render_as_string(hide_password=True),
        "schema_revision": revision,
        "schema_up_to_date": revision is not None and revision == head_revision(),
    }
    if revision is None:
        return out
    with Session(engine) as s:
        out["products"] = s.scalar(select(func.count()).select_from(Product))
        out["types_covered"] = s.scalar(select(func.count(func.distinct(Product.type_key))))
        out["sellers"] = s.scalar(select(func.count()).select_from(Seller))
        out["shoppers"] = s.scalar(select(func.count()).select_from(Shopper))
        out["orders"] = s.scalar(select(func.count()).select_from(Order))
        out["events"] = s.scalar(select(func.count()).select_from(Event))
    out["demo_config"] = get_meta(engine, "demo_config")
    return out
