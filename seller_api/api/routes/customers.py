"""Loyal customers (RFM), exportable as an audience."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from seller_api.analytics import rfm
from seller_api.api.deps import Cursor, DateRangeDep, Limit, SellerDep, SessionDep
from seller_api.api.responses import AUTH_RESPONSES
from seller_api.pagination import offset_from, page
from seller_api.schemas import LoyalCustomersPublic

router = APIRouter(prefix="/v1/customers", tags=["customers"], responses=AUTH_RESPONSES)
CSV_FIELDS = ("customer_id", "segment", "score", "recency_days", "frequency", "monetary")
MAX_EXPORT = 50_000


@router.get(
    "/loyal",
    response_model=LoyalCustomersPublic,
    summary="Loyal customers (RFM)",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def loyal(
    seller_id: SellerDep,
    session: SessionDep,
    period: DateRangeDep,
    limit: Limit = 20,
    cursor: Cursor = None,
    segment: Annotated[
        Literal["champions", "loyal", "new", "at_risk", "regular"] | None, Query()
    ] = None,
    min_score: Annotated[int, Query(ge=3, le=15)] = 3,
    format: Annotated[
        Literal["json", "csv"], Query(description="csv: the whole audience")
    ] = "json",
) -> Any:
    """Your buyers in the range scored 1-5 on recency, frequency and money (quintiles among
    your buyers). `format=csv` exports the whole (filtered) list as an audience for a targeted
    event."""
    offset = offset_from(cursor, "loyal")
    everyone = rfm.rfm(session, seller_id, period.since, period.until)
    chosen = [
        c for c in everyone
        if c.score >= min_score and (segment is None or c.segment == segment)
    ]  # fmt: skip
    if format == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(CSV_FIELDS)
        for c in chosen[:MAX_EXPORT]:
            writer.writerow([c.customer_id, c.segment, c.score, c.recency_days, c.frequency,
                             c.monetary])  # fmt: skip
        name = f"audience-{seller_id}-{period.start}-{period.end}.csv"
        return Response(
            buf.getvalue(),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    chunk, nxt = page(chosen, offset, limit, "loyal")
    return {
        "as_of": period.end,
        "items": [
            {
                "customer_id": c.customer_id,
                "recency_days": c.recency_days,
                "frequency": c.frequency,
                "monetary": c.monetary,
                "r": c.r,
                "f": c.f,
                "m": c.m,
                "score": c.score,
                "segment": c.segment,
            }
            for c in chunk
        ],
        "next": nxt,
        "segments": rfm.segment_counts(everyone),
        "audience_segment": rfm.audience(everyone),
        "suggestion": rfm.loyal_suggestion(everyone),
    }
