"""Return on ad spend: daily spend rows, last-click attribution of orders to ad clicks, ratios,
and a budget suggestion by marginal ROAS. Every query is filtered by the seller's id.

Attribution (documented in docs/seller-api.md): an order line of the seller is credited to the
same shopper's **last** ad click on that product (a click without a product matches any of the
seller's products) at most ``window`` days before the order; cancelled orders earn nothing. Sales
are reported on the **day of the click**, like spend, so a day's ROAS compares what the day's
clicks cost with what they earned (orders may fall up to ``window`` days after ``to``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from seller_api.analytics.sales import seller_sales
from store.models import AdCampaign, AdSpend, Event, Order, OrderLine

GROUPS = ("campaign", "keyword", "date")
UNKNOWN_CAMPAIGN = "(unknown campaign)"
# Marginal ROAS: a campaign's day-to-day slope counts fully only with many spend days.
SHRINK_DAYS = 14
MIN_SLOPE_DAYS = 7
MOVE_SHARE = 0.2  # share of a weak campaign's daily spend the suggestion moves


@dataclass(frozen=True)
class Click:
    ts: dt.datetime
    shopper_id: str
    product_id: int | None
    campaign: str
    keyword: str


@dataclass(frozen=True)
class Sale:
    order_id: int
    ts: dt.datetime
    shopper_id: str
    product_id: int
    revenue: int


@dataclass(frozen=True)
class Spend:
    campaign: str
    keyword: str
    date: dt.date
    cost: int
    clicks: int


@dataclass
class Row:
    key: str | dt.date | None
    spend: int = 0
    clicks: int = 0
    revenue: int = 0
    order_ids: set[int] = field(default_factory=set)

    @property
    def orders(self) -> int:
        return len(self.order_ids)

    @property
    def roas(self) -> float | None:
        return self.revenue / self.spend if self.spend > 0 else None

    @property
    def acos(self) -> float | None:
        return self.spend / self.revenue if self.revenue > 0 else None


def attribute(
    clicks: Iterable[Click], sales: Iterable[Sale], window: dt.timedelta
) -> list[tuple[Sale, Click]]:
    """Each sale paired with its shopper's last click on the product (or on no product in
    particular) at most ``window`` before it; sales without one are left out. A click at the
    very instant of the sale counts, as does one exactly ``window`` before."""
    by_product: dict[tuple[str, int | None], list[Click]] = defaultdict(list)
    for c in clicks:
        by_product[(c.shopper_id, c.product_id)].append(c)
    for lst in by_product.values():
        lst.sort(key=lambda c: c.ts)
    times = {k: [c.ts for c in v] for k, v in by_product.items()}
    out = []
    for sale in sales:
        best: Click | None = None
        for key in ((sale.shopper_id, sale.product_id), (sale.shopper_id, None)):
            candidates = by_product.get(key)
            if not candidates:
                continue
            i = bisect.bisect_right(times[key], sale.ts) - 1
            if i >= 0 and (best is None or candidates[i].ts > best.ts):
                best = candidates[i]
        if best is not None and sale.ts - best.ts <= window:
            out.append((sale, best))
    return out


def group_key(group_by: str, campaign: str, keyword: str, day: dt.date) -> str | dt.date:
    if group_by == "campaign":
        return campaign
    if group_by == "keyword":
        return keyword
    return day


def aggregate(
    spend: Iterable[Spend],
    attributed: Iterable[tuple[Sale, Click]],
    group_by: str,
    start: dt.date,
    end: dt.date,
) -> tuple[list[Row], Row]:
    """Rows per group (sorted by key) and the totals; only clicks inside the range earn."""
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {GROUPS}")
    rows: dict[str | dt.date, Row] = {}
    total = Row(None)

    def row(key: str | dt.date) -> Row:
        return rows.setdefault(key, Row(key))

    for s in spend:
        r = row(group_key(group_by, s.campaign, s.keyword, s.date))
        r.spend += s.cost
        r.clicks += s.clicks
        total.spend += s.cost
        total.clicks += s.clicks
    for sale, click in attributed:
        day = click.ts.date()
        if not start <= day <= end:
            continue
        r = row(group_key(group_by, click.campaign, click.keyword, day))
        r.revenue += sale.revenue
        r.order_ids.add(sale.order_id)
        total.revenue += sale.revenue
        total.order_ids.add(sale.order_id)
    return sorted(rows.values(), key=lambda r: str(r.key)), total


# --- reading the store --------------------------------------------------------------------------
def _campaign_names(session: Session, seller_id: str) -> dict[int, str]:
    q = select(AdCampaign.id, AdCampaign.name).where(AdCampaign.seller_id == seller_id)
    return {cid: name for cid, name in session.execute(q)}


def load_spend(session: Session, seller_id: str, start: dt.date, end: dt.date) -> list[Spend]:
    q = (
        select(AdCampaign.name, AdSpend.keyword, AdSpend.date, AdSpend.cost, AdSpend.clicks)
        .join(AdCampaign, AdCampaign.id == AdSpend.campaign_id)
        .where(AdCampaign.seller_id == seller_id, AdSpend.date.between(start, end))
    )
    return [Spend(*row) for row in session.execute(q)]


def load_clicks(
    session: Session, seller_id: str, since: dt.datetime, until: dt.datetime
) -> list[Click]:
    names = _campaign_names(session, seller_id)
    q = select(
        Event.ts, Event.shopper_id, Event.product_id, Event.campaign_id, Event.keyword
    ).where(
        Event.seller_id == seller_id,
        Event.kind == "ad_click",
        Event.ts >= since,
        Event.ts < until,
        Event.shopper_id.is_not(None),
    )
    return [
        Click(ts, shopper or "", pid, names.get(cid, UNKNOWN_CAMPAIGN) if cid else UNKNOWN_CAMPAIGN,
              keyword or "")
        for ts, shopper, pid, cid, keyword in session.execute(q)
    ]  # fmt: skip


def load_sales(
    session: Session, seller_id: str, since: dt.datetime, until: dt.datetime, shoppers: set[str]
) -> list[Sale]:
    if not shoppers:
        return []
    q = (
        select(Order.id, Order.created_at, Order.shopper_id, OrderLine.product_id,
               OrderLine.qty * OrderLine.unit_price)
        .join(Order, Order.id == OrderLine.order_id)
        .where(*seller_sales(seller_id, since, until))
    )  # fmt: skip
    return [
        Sale(oid, ts, shopper, pid, int(revenue))
        for oid, ts, shopper, pid, revenue in session.execute(q)
        if shopper in shoppers
    ]


@dataclass
class RoasReport:
    rows: list[Row]
    total: Row
    daily: dict[str, dict[dt.date, Row]]  # per campaign and day, for the budget suggestion


def roas_report(
    session: Session,
    seller_id: str,
    start: dt.date,
    end: dt.date,
    group_by: str = "campaign",
    window_days: int = 7,
) -> RoasReport:
    window = dt.timedelta(days=window_days)
    since = dt.datetime.combine(start, dt.time())
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    spend = load_spend(session, seller_id, start, end)
    # Clicks before the range matter too: a later one must beat them to be the last click.
    clicks = load_clicks(session, seller_id, since - window, until)
    sales = load_sales(session, seller_id, since, until + window, {c.shopper_id for c in clicks})
    attributed = attribute(clicks, sales, window)
    rows, total = aggregate(spend, attributed, group_by, start, end)
    daily: dict[str, dict[dt.date, Row]] = defaultdict(dict)
    for s in spend:
        r = daily[s.campaign].setdefault(s.date, Row(s.date))
        r.spend += s.cost
        r.clicks += s.clicks
    for sale, click in attributed:
        day = click.ts.date()
        if start <= day <= end:
            r = daily[click.campaign].setdefault(day, Row(day))
            r.revenue += sale.revenue
            r.order_ids.add(sale.order_id)
    return RoasReport(rows, total, dict(daily))


# --- budget -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Marginal:
    campaign: str
    marginal_roas: float | None
    roas: float | None
    daily_spend: int
    spend_days: int


def marginal_roas(days: dict[dt.date, Row]) -> tuple[float | None, float | None, int, int]:
    """(marginal ROAS, average ROAS, average daily spend, days with spend) of one campaign.

    The marginal return of one more won is the slope of daily revenue on daily spend; with few
    days that slope is noise, so it is shrunk toward the average ROAS (weight n / (n + 14))."""
    spent = [r for r in days.values() if r.spend > 0]
    total_spend = sum(r.spend for r in days.values())
    total_revenue = sum(r.revenue for r in days.values())
    n = len(spent)
    if total_spend <= 0 or n == 0:
        return None, None, 0, 0
    avg = total_revenue / total_spend
    daily = round(total_spend / n)
    if n < MIN_SLOPE_DAYS:
        return avg, avg, daily, n
    xs = [float(r.spend) for r in spent]
    ys = [float(r.revenue) for r in spent]
    mx, my = sum(xs) / n, sum(ys) / n
    var = sum((x - mx) ** 2 for x in xs)
    if var <= 0:
        return avg, avg, daily, n
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var
    w = n / (n + SHRINK_DAYS)
    est = max(0.0, w * slope + (1 - w) * avg)
    return (est if math.isfinite(est) else avg), avg, daily, n


@dataclass(frozen=True)
class Move:
    from_campaign: str
    to_campaign: str
    daily_amount: int


def budget_suggestion(
    daily: dict[str, dict[dt.date, Row]],
) -> tuple[list[Marginal], list[Move], str]:
    marginals = []
    for campaign, days in sorted(daily.items()):
        m, avg, spend, n = marginal_roas(days)
        marginals.append(Marginal(campaign, m, avg, spend, n))
    funded = [m for m in marginals if m.marginal_roas is not None and m.daily_spend > 0]
    if len(funded) < 2:
        if funded and (funded[0].marginal_roas or 0) < 1:
            c = funded[0]
            return (
                marginals,
                [],
                (f"'{c.campaign}' earns {c.marginal_roas:.2f} won per extra won: cut its bids."),
            )
        return marginals, [], "Too few funded campaigns in this range to compare budgets."
    ranked = sorted(funded, key=lambda m: (m.marginal_roas or 0.0, m.campaign))
    best = ranked[-1]
    best_m = best.marginal_roas or 0.0
    donors = [m for m in ranked[:-1] if (m.marginal_roas or 0.0) < 1.0]
    if not donors and best_m >= 2 * max(ranked[0].marginal_roas or 0.0, 1e-9):
        donors = [ranked[0]]
    moves = [
        Move(d.campaign, best.campaign, int(round(d.daily_spend * MOVE_SHARE, -2)))
        for d in donors
        if best_m > (d.marginal_roas or 0.0)
    ]
    moves = [m for m in moves if m.daily_amount > 0]
    if not moves:
        return marginals, [], "Marginal ROAS is similar across campaigns: keep the current split."
    total = sum(m.daily_amount for m in moves)
    worst = donors[0]
    text = (
        f"Move about {total:,} won a day from '{worst.campaign}' (marginal ROAS "
        f"{worst.marginal_roas:.2f})"
        + (f" and {len(moves) - 1} other(s)" if len(moves) > 1 else "")
        + f" to '{best.campaign}' (marginal ROAS {best_m:.2f})."
    )
    return marginals, moves, text
