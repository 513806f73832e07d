"""The append-only event log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from store.models import Event, EventKind, utcnow


def log_event(session: Session, kind: EventKind | str, **fields: Any) -> None:
    kind = EventKind(kind)  # unknown kinds fail here, not in analytics later
    fields.setdefault("ts", utcnow())
    session.execute(insert(Event), [{"kind": kind.value, **fields}])


def log_events(session: Session, rows: list[dict[str, Any]]) -> None:
    now: dt.datetime = utcnow()
    for row in rows:
        row["kind"] = EventKind(row["kind"]).value
        row.setdefault("ts", now)
    if rows:
        session.execute(insert(Event), rows)
