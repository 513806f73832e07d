"""Ad campaigns and daily spend."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from store.models import AdCampaign, AdKeyword, AdSpend


@dataclass(frozen=True)
class SpendRow:
    campaign: str
    keyword: str
    date: dt.date
    cost: int
    clicks: int


def campaign_for(session: Session, seller_id: str, name: str) -> AdCampaign:
    """The seller's campaign by name, created on first use."""
    campaign = session.scalar(
        select(AdCampaign).where(AdCampaign.seller_id == seller_id, AdCampaign.name == name)
    )
    if campaign is None:
        campaign = AdCampaign(seller_id=seller_id, name=name)
        session.add(campaign)
        session.flush()
    return campaign


def upsert_spend(session: Session, seller_id: str, rows: list[SpendRow]) -> int:
    """Store spend rows; (campaign, keyword, date) is the key, so re-sending a day replaces it."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    for row in rows:
        campaign = campaign_for(session, seller_id, row.campaign)
        if not any(k.keyword == row.keyword for k in campaign.keywords):
            campaign.keywords.append(AdKeyword(keyword=row.keyword))
        stmt = insert(AdSpend).values(
            campaign_id=campaign.id,
            keyword=row.keyword,
            date=row.date,
            cost=row.cost,
            clicks=row.clicks,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["campaign_id", "keyword", "date"],
            set_={"cost": stmt.excluded.cost, "clicks": stmt.excluded.clicks},
        )
        session.execute(stmt)
    session.flush()
    return len(rows)
