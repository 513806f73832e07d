"""Request dependencies (FastAPI full-stack template style): store session, settings, the
search service, the calling seller (from ``X-API-Key``, rate-limited) and date ranges."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request, status
from fastapi.security import APIKeyHeader
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from seller_api.errors import field_error
from seller_api.limits import Limiter, retry_after_header
from seller_api.settings import SellerApiSettings, get_settings
from store.db import get_engine
from store.models import Event
from store.repo.credentials import seller_for_api_key
from store.security import digest

log = logging.getLogger(__name__)

# Dates outside this span are refused: they are typos, and date arithmetic near date.max fails.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
MAX_KEY_LENGTH = 200


def get_store_engine() -> Engine:
    """The process-wide store engine (tests override this dependency with their own store)."""
    return get_engine()


def get_session(engine: Annotated[Engine, Depends(get_store_engine)]) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def get_search(engine: Annotated[Engine, Depends(get_store_engine)]) -> Any:
    """The search service, loaded on first use only by the endpoints that need it (listing,
    related products, tags): it loads the embedding model and the index. None when it cannot
    load: those endpoints then answer without content similarity instead of failing."""
    from retrieval.service import get_service

    try:
        return get_service(engine)
    except Exception:
        log.exception("search service unavailable")
        return None


def get_rate_limiter(request: Request) -> Limiter:
    limiter: Limiter = request.app.state.rate_limiter
    return limiter


SettingsDep = Annotated[SellerApiSettings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
SearchDep = Annotated[Any, Depends(get_search)]

api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="The seller's API key"
)


def current_seller(
    session: SessionDep,
    limiter: Annotated[Limiter, Depends(get_rate_limiter)],
    api_key: Annotated[str | None, Depends(api_key_header)] = None,
) -> str:
    """The seller id of an active key; 401 for a missing, unknown or revoked key, 429 when the
    key's request budget is spent."""
    if not api_key or len(api_key) > MAX_KEY_LENGTH:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing or invalid X-API-Key",
            headers={"WWW-Authenticate": "APIKey"},
        )
    seller_id = seller_for_api_key(session, api_key)
    if seller_id is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "unknown or revoked API key",
            headers={"WWW-Authenticate": "APIKey"},
        )
    wait = limiter.acquire(digest(api_key))
    if wait > 0:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "rate limit exceeded for this API key",
            headers={"Retry-After": retry_after_header(wait)},
        )
    return seller_id


SellerDep = Annotated[str, Depends(current_seller)]


@dataclass(frozen=True)
class DateRange:
    """Whole UTC days ``start`` … ``end`` (both included)."""

    start: dt.date
    end: dt.date

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time())

    @property
    def until(self) -> dt.datetime:
        """The first instant after the range."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time())

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _latest_activity(session: Session, seller_id: str) -> dt.date | None:
    ts = session.scalar(
        select(func.max(Event.ts)).where(Event.seller_id == seller_id, Event.kind == "purchase")
    )
    return ts.date() if isinstance(ts, dt.datetime) else None


def date_range(
    session: SessionDep,
    seller_id: SellerDep,
    settings: SettingsDep,
    start: Annotated[
        dt.date | None,
        Query(
            alias="from", description="First day (UTC), default: `default_range_days` before `to`"
        ),
    ] = None,
    end: Annotated[
        dt.date | None,
        Query(alias="to", description="Last day (UTC, included); default: the seller's last sale"),
    ] = None,
) -> DateRange:
    for name, value in (("from", start), ("to", end)):
        if value is not None and not EARLIEST <= value <= LATEST:
            raise field_error("query", name, f"must be between {EARLIEST} and {LATEST}")
    if end is None:
        end = _latest_activity(session, seller_id) or dt.datetime.now(dt.UTC).date()
        if start is not None:
            # Only "from" given: up to the last sale, but never longer than the allowed range.
            end = min(max(end, start), start + dt.timedelta(days=settings.max_range_days - 1))
    if start is None:
        start = end - dt.timedelta(days=settings.default_range_days - 1)
    if start > end:
        raise field_error("query", "from", "must not be after 'to'")
    if (end - start).days + 1 > settings.max_range_days:
        raise field_error(
            "query", "to", f"the range may cover at most {settings.max_range_days} days"
        )
    return DateRange(start, end)


DateRangeDep = Annotated[DateRange, Depends(date_range)]
Limit = Annotated[int, Query(ge=1, le=100, description="Page size (at most 100)")]
Cursor = Annotated[str | None, Query(max_length=200, description="`next` of the previous page")]
