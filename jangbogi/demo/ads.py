"""Sellers' keyword ad campaigns: planning, the ad auction inside a search, daily spend rows.

Each campaign belongs to one of three tiers with a clearly different true conversion rate (the
share of ad clicks that the clicking shopper turns into an order of the advertised product),
so measured ROAS differs by tier: "Repeat buyers" > "Category search" > "Broad reach".
The truth is stored in the ``demo_ads`` meta row so analytics can be checked against it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from jangbogi.demo.catalog import Catalog
from jangbogi.demo.config import DemoConfig
from jangbogi.demo.rand import Stream
from store.taxonomy import Taxonomy


@dataclass(frozen=True)
class Tier:
    key: str
    label: str
    cvr: float  # true share of ad clicks that become an order of the advertised product
    cpc: int  # typical cost per click (KRW)
    weight: float  # how often the ad network shows it when several campaigns match


TIERS: tuple[Tier, ...] = (
    Tier("retarget", "Repeat buyers", 0.30, 300, 0.8),
    Tier("category", "Category search", 0.10, 450, 1.0),
    Tier("broad", "Broad reach", 0.025, 650, 1.4),
)
# Chance that a shopper clicks the ad shown on a search whose query matches a keyword.
P_AD_CLICK = 0.25
# Share of converting ad clicks bought in a separate order one to three days later.
P_DEFERRED_CONVERSION = 0.3


@dataclass
class Campaign:
    id: int
    seller_id: str
    name: str
    tier: Tier
    cvr: float
    cpc: int
    daily_budget: int
    start_day: int
    keywords: list[tuple[str, str]] = field(default_factory=list)  # (keyword, type_key)


@dataclass
class AdMarket:
    campaigns: list[Campaign]
    # type_key -> [(keyword, campaigns bidding on it)], in campaign order.
    by_type: dict[str, list[tuple[str, list[Campaign]]]]
    # (campaign id, keyword, day index) -> clicks; filled by the simulation.
    clicks: dict[tuple[int, str, int], int] = field(default_factory=lambda: defaultdict(int))

    def matching(self, type_key: str, query: str) -> list[tuple[Campaign, str]]:
        """Campaigns whose keyword (of the query's type) occurs in the query."""
        q = query.lower()
        out: list[tuple[Campaign, str]] = []
        for keyword, campaigns in self.by_type.get(type_key, ()):
            if keyword.lower() in q:
                out += [(c, keyword) for c in campaigns]
        return out


def plan_campaigns(config: DemoConfig, taxonomy: Taxonomy, catalog: Catalog) -> AdMarket:
    rs = Stream.of(config.seed, "ads")
    campaigns: list[Campaign] = []
    for seller in catalog.sellers:
        types: list[str] = []
        for p in catalog.products:
            if p.seller_id == seller.id and p.ptype.key not in types:
                types.append(p.ptype.key)
        if not types:
            continue
        n = rs.randint(1, 3)
        tier_order = list(TIERS)
        first = rs.randint(0, 2)
        tier_order = tier_order[first:] + tier_order[:first]
        for k in range(n):
            tier = tier_order[k]
            targets = [types[rs.randint(0, len(types) - 1)]]
            if len(types) > 1 and rs.chance(0.5):
                other = types[rs.randint(0, len(types) - 1)]
                if other not in targets:
                    targets.append(other)
            # Keywords: distinct taxonomy names and synonyms of the targets, in both languages.
            candidates: dict[str, str] = {}
            for key in targets:
                for lang in ("ko", "en"):
                    for name in taxonomy[key].names(lang):
                        candidates.setdefault(name, key)
            pool = list(candidates.items())
            order = rs.rng.permutation(len(pool))[: rs.randint(2, 6)]
            chosen = [pool[i] for i in sorted(order)]
            covered = [k for k in targets if any(t == k for _, t in chosen)]
            cpc = round(tier.cpc * rs.uniform(0.85, 1.15) / 10) * 10
            late_start = rs.chance(0.3)
            campaigns.append(
                Campaign(
                    id=len(campaigns) + 1,
                    seller_id=seller.id,
                    name=f"{tier.label} · " + ", ".join(taxonomy[k].en for k in covered),
                    tier=tier,
                    cvr=round(tier.cvr * rs.uniform(0.8, 1.2), 4),
                    cpc=cpc,
                    daily_budget=max(1000, round(cpc * 40 / 1000) * 1000),
                    start_day=rs.randint(0, config.days // 3) if late_start else 0,
                    keywords=chosen,
                )
            )
    by_type: dict[str, list[tuple[str, list[Campaign]]]] = {}
    for c in campaigns:
        for kw, key in c.keywords:
            entries = by_type.setdefault(key, [])
            for entry_kw, cs in entries:
                if entry_kw == kw:
                    cs.append(c)
                    break
            else:
                entries.append((kw, [c]))
    return AdMarket(campaigns=campaigns, by_type=by_type)


def campaign_rows(market: AdMarket, start: dt.datetime) -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "seller_id": c.seller_id,
            "name": c.name,
            "daily_budget": c.daily_budget,
            "created_at": start + dt.timedelta(days=c.start_day) - dt.timedelta(hours=6),
        }
        for c in market.campaigns
    ]


def keyword_rows(market: AdMarket) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for c in market.campaigns:
        for kw, _ in c.keywords:
            rows.append({"id": len(rows) + 1, "campaign_id": c.id, "keyword": kw})
    return rows


def spend_rows(market: AdMarket, config: DemoConfig) -> list[dict[str, Any]]:
    """One row per campaign, keyword and active day; cost is the day's clicks at the CPC."""
    rs = Stream.of(config.seed, "ad-spend")
    rows: list[dict[str, Any]] = []
    for c in market.campaigns:
        for kw, _ in c.keywords:
            for day in range(c.start_day, config.days):
                clicks = market.clicks.get((c.id, kw, day), 0)
                # Second-price auctions make the paid CPC vary around the campaign's bid.
                cost = round(clicks * c.cpc * rs.uniform(0.8, 1.1) / 10) * 10
                rows.append(
                    {
                        "id": len(rows) + 1,
                        "campaign_id": c.id,
                        "keyword": kw,
                        "date": config.start_date + dt.timedelta(days=day),
                        "cost": cost,
                        "clicks": clicks,
                    }
                )
    return rows


def truth_json(market: AdMarket) -> str:
    """The planted truth per campaign, for the ``demo_ads`` meta row."""
    return json.dumps(
        [
            {
                "campaign_id": c.id,
                "seller_id": c.seller_id,
                "name": c.name,
                "tier": c.tier.key,
                "true_cvr": c.cvr,
                "cpc": c.cpc,
            }
            for c in market.campaigns
        ],
        ensure_ascii=False,
    )
