"""Ad spend upload and return on ad spend."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from seller_api.analytics import roas
from seller_api.api.deps import LATEST, Cursor, DateRangeDep, Limit, SellerDep, SessionDep
from seller_api.api.responses import AUTH_RESPONSES, CONFLICT
from seller_api.errors import field_error
from seller_api.pagination import offset_from, page
from seller_api.schemas import RoasPublic, SpendAcceptedPublic, SpendUpload
from store.repo.ads import SpendRow, upsert_spend

router = APIRouter(prefix="/v1/ads", tags=["ads"], responses=AUTH_RESPONSES)
EARLIEST_SPEND = dt.date(2000, 1, 1)


@router.post(
    "/spend", response_model=SpendAcceptedPublic, responses=CONFLICT, summary="Upload daily spend"
)
def upload_spend(body: SpendUpload, seller_id: SellerDep, session: SessionDep) -> dict[str, Any]:
    """Daily spend rows; (campaign, keyword, date) is the key, so sending a day again replaces
    it (idempotent). A campaign name is yours alone: other sellers' campaigns are never touched."""
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    seen: dict[tuple[str, str, dt.date], int] = {}
    for i, row in enumerate(body.rows):
        if not EARLIEST_SPEND <= row.date <= min(tomorrow, LATEST):
            raise field_error("body", f"rows.{i}.date", "must be a past day (from 2000-01-01)")
        key = (row.campaign, row.keyword, row.date)
        if key in seen:
            raise field_error(
                "body", f"rows.{i}", f"repeats campaign, keyword and date of rows.{seen[key]}"
            )
        seen[key] = i
    rows = [SpendRow(r.campaign, r.keyword, r.date, r.cost, r.clicks) for r in body.rows]
    stored = upsert_spend(session, seller_id, rows)
    session.commit()
    return {"stored": stored, "campaigns": sorted({r.campaign for r in rows})}


def _item(row: roas.Row, group_by: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "spend": row.spend, "clicks": row.clicks, "orders": row.orders, "revenue": row.revenue,
        "roas": row.roas, "acos": row.acos,
    }  # fmt: skip
    if group_by and row.key is not None:
        out[group_by] = row.key
    return out


@router.get("/roas", response_model=RoasPublic, summary="Return on ad spend")
def get_roas(
    seller_id: SellerDep,
    session: SessionDep,
    period: DateRangeDep,
    group_by: Annotated[
        Literal["campaign", "keyword", "date", "day"], Query(description="`day` = `date`")
    ] = "campaign",
    attribution_window_days: Annotated[int, Query(ge=1, le=30)] = 7,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Spend, clicks, attributed orders and revenue, ROAS (revenue ÷ spend) and ACoS
    (spend ÷ revenue; both null when their divisor is zero) per group. Orders are credited to
    the shopper's last ad click on the product within the window; sales count on the click's
    day. With a budget suggestion by marginal ROAS."""
    group = "date" if group_by == "day" else group_by
    offset = offset_from(cursor, f"roas-{group}")
    report = roas.roas_report(
        session, seller_id, period.start, period.end, group, attribution_window_days
    )
    chunk, nxt = page(report.rows, offset, limit, f"roas-{group}")
    marginals, moves, budget_text = roas.budget_suggestion(report.daily)
    total = report.total
    if total.spend == 0:
        suggestion = "No ad spend in this range: upload spend rows to see your ROAS."
    elif (total.roas or 0) < 1:
        suggestion = f"Ads return {total.roas or 0:.2f} won per won spent: {budget_text}"
    else:
        suggestion = f"Ads return {total.roas:.2f} won per won spent. {budget_text}"
    return {
        "from": period.start,
        "to": period.end,
        "group_by": group,
        "attribution_window_days": attribution_window_days,
        "items": [_item(r, group) for r in chunk],
        "next": nxt,
        "totals": _item(total, ""),
        "budget": {
            "marginal": [m.__dict__ for m in marginals],
            "moves": [m.__dict__ for m in moves],
            "suggestion": budget_text,
        },
        "suggestion": suggestion,
    }
