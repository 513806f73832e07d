"""Buyer insights for a date range: who buys (gender × age band, inferred lifestyle), what they
searched before buying (pack sizes included) and how often each page slot is clicked. Every
query is filtered by the seller's id; market-wide figures are aggregates over all sellers."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from retrieval.query import SIZE_RE, UNIT_ALIASES, normalise
from retrieval.text import format_size
from seller_api.analytics.sales import seller_sales
from store.models import Event, Order, OrderLine, Product, Shopper

UNKNOWN = "unknown"
# Searches a purchase is traced back to: clicks on the product in the same session, at most
# this long before the purchase.
TRACE_WINDOW = dt.timedelta(days=1)
_SPACES = re.compile(r"\s+")


# --- who buys -----------------------------------------------------------------------------------
def buyers(
    session: Session, seller_id: str, since: dt.datetime, until: dt.datetime
) -> dict[str, int]:
    """Shoppers who bought the seller's products in the range, with what they spent there."""
    q = (
        select(Order.shopper_id, func.sum(OrderLine.qty * OrderLine.unit_price))
        .join(Order, Order.id == OrderLine.order_id)
        .where(*seller_sales(seller_id, since, until))
        .group_by(Order.shopper_id)
    )
    return {sid: int(total or 0) for sid, total in session.execute(q)}


@dataclass(frozen=True)
class Segment:
    gender: str
    age_band: str
    buyers: int
    share: float
    revenue: int


def demographics(session: Session, spent: dict[str, int]) -> list[Segment]:
    """Buyers by gender × age band (``unknown`` where the shopper did not say)."""
    counts: Counter[tuple[str, str]] = Counter()
    revenue: Counter[tuple[str, str]] = Counter()
    ids = list(spent)
    for start in range(0, len(ids), 900):  # stay below SQLite's bound-parameter limit
        chunk = ids[start : start + 900]
        for sid, gender, band in session.execute(
            select(Shopper.id, Shopper.gender, Shopper.age_band).where(Shopper.id.in_(chunk))
        ):
            key = (gender or UNKNOWN, band or UNKNOWN)
            counts[key] += 1
            revenue[key] += spent[sid]
    n = sum(counts.values())
    return sorted(
        (Segment(g, a, k, k / n, revenue[(g, a)]) for (g, a), k in counts.items()),
        key=lambda s: (-s.buyers, s.gender, s.age_band),
    )


def customers_suggestion(
    segments: list[Segment], lifestyle: dict[str, list[tuple[str, float]]]
) -> str:
    if not segments:
        return "No buyers in this range yet: widen the range or promote your listings."
    top = segments[0]
    who = {"F": "women", "M": "men"}.get(top.gender, "buyers")
    age = "" if top.age_band == UNKNOWN else f" in their {top.age_band}"
    text = f"Your largest group is {who}{age} ({top.share:.0%} of buyers)"
    kids = dict(lifestyle.get("children", []))
    infants = dict(lifestyle.get("children_age", [])).get("0-2", 0.0)
    occupation = dict(lifestyle.get("occupation", []))
    if kids.get("children", 0) >= 0.3 and infants >= 0.3:
        return text + "; many are parents of infants: bundle diapers, wipes and formula."
    if kids.get("children", 0) >= 0.4:
        return text + "; many have children: offer family-size packs."
    if occupation.get("student", 0) >= 0.25:
        return text + "; many are students: list small packs and instant food."
    return text + ": aim your next promotion at them."


# --- what they searched -------------------------------------------------------------------------
def clean_query(query: str) -> str:
    return _SPACES.sub(" ", normalise(query)).strip()


def size_label(query: str) -> str | None:
    """The pack size a query names, in one spelling ("2리터", "2 liter" → "2L")."""
    m = SIZE_RE.search(normalise(query))
    if not m:
        return None
    unit, factor = UNIT_ALIASES[m.group(2).lower()]
    return format_size(float(m.group(1)) * factor, unit)


@dataclass(frozen=True)
class TracedSearch:
    shopper_id: str
    query: str
    type_key: str


def searches_before_buying(
    session: Session, seller_id: str, since: dt.datetime, until: dt.datetime
) -> list[TracedSearch]:
    """For each purchase of the seller's products in the range, the query of the shopper's last
    click on that product in the same session before it (search results carry the query)."""
    purchases = session.execute(
        select(Event.session_id, Event.shopper_id, Event.product_id, Event.ts).where(
            Event.seller_id == seller_id,
            Event.kind == "purchase",
            Event.ts >= since,
            Event.ts < until,
        )
    ).all()
    if not purchases:
        return []
    clicks: dict[tuple[str | None, int | None], list[tuple[dt.datetime, str]]] = defaultdict(list)
    for sess, pid, ts, query in session.execute(
        select(Event.session_id, Event.product_id, Event.ts, Event.query).where(
            Event.seller_id == seller_id,
            Event.kind == "click",
            Event.ts >= since - TRACE_WINDOW,
            Event.ts < until,
            Event.query.is_not(None),
        )
    ):
        clicks[(sess, pid)].append((ts, query or ""))
    types = dict(
        session.execute(
            select(Product.id, Product.type_key).where(Product.seller_id == seller_id)
        ).all()
    )
    out = []
    for sess, shopper, pid, ts in purchases:
        if sess is None:
            continue
        before = [c for c in clicks.get((sess, pid), ()) if ts - TRACE_WINDOW <= c[0] <= ts]
        if before:
            query = max(before)[1]
            type_key = types.get(pid, "") if pid is not None else ""
            out.append(TracedSearch(shopper or "", clean_query(query), type_key))
    return out


@dataclass(frozen=True)
class Term:
    term: str
    searches: int
    buyers: int
    share: float


@dataclass(frozen=True)
class PackSize:
    type_key: str
    size: str
    searches: int
    share: float


def search_terms(traced: list[TracedSearch]) -> tuple[list[Term], list[PackSize], float | None]:
    """Queries by how many purchases they led to; pack sizes named per product type; the share
    of those searches that name a size."""
    n = len(traced)
    by_term: Counter[str] = Counter(t.query for t in traced)
    who: dict[str, set[str]] = defaultdict(set)
    for t in traced:
        who[t.query].add(t.shopper_id)
    terms = [
        Term(q, k, len(who[q]), k / n)
        for q, k in sorted(by_term.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    sizes: Counter[tuple[str, str]] = Counter()
    for t in traced:
        label = size_label(t.query)
        if label:
            sizes[(t.type_key, label)] += 1
    per_type = Counter[str]()
    for (type_key, _), k in sizes.items():
        per_type[type_key] += k
    packs = [
        PackSize(type_key, label, k, k / per_type[type_key])
        for (type_key, label), k in sorted(
            sizes.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1])
        )
    ]
    sized = sum(sizes.values())
    return terms, packs, (sized / n if n else None)


def search_suggestion(terms: list[Term], packs: list[PackSize], size_share: float | None) -> str:
    if not terms:
        return "No purchase in this range came from a search: advertise on your type's keywords."
    by_type: dict[str, list[PackSize]] = defaultdict(list)
    for p in packs:
        by_type[p.type_key].append(p)
    contrasts = [
        (v[0].searches / v[1].searches, t, v[0], v[1])
        for t, v in by_type.items()
        if len(v) >= 2 and v[1].searches > 0 and v[0].searches + v[1].searches >= 5
    ]
    if contrasts:
        ratio, type_key, a, b = max(contrasts, key=lambda c: (c[2].searches, c[0]))
        name = type_key.replace("_", " ")
        return (
            f"Buyers of your {name} search '{a.size}' {ratio:.1f}× more than '{b.size}': "
            f"put '{a.size}' in the title and stock that pack."
        )
    if size_share and size_share >= 0.2:
        return f"{size_share:.0%} of buyers' searches name a pack size: put sizes in your titles."
    return f"'{terms[0].term}' brings the most buyers: use it in your titles and ad keywords."


# --- page slots ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class SlotStat:
    page: str
    slot: int
    impressions: int
    clicks: int
    ctr: float | None
    market_ctr: float | None


def _slot_counts(
    session: Session, since: dt.datetime, until: dt.datetime, seller_id: str | None
) -> dict[tuple[str, int], dict[str, int]]:
    q = (
        select(Event.page, Event.slot, Event.kind, func.count())
        .where(
            Event.kind.in_(("impression", "click")),
            Event.ts >= since,
            Event.ts < until,
            Event.slot.is_not(None),
            Event.page.is_not(None),
        )
        .group_by(Event.page, Event.slot, Event.kind)
    )
    if seller_id is not None:
        q = q.where(Event.seller_id == seller_id)
    out: dict[tuple[str, int], dict[str, int]] = defaultdict(lambda: {"impression": 0, "click": 0})
    for page, slot, kind, n in session.execute(q):
        if slot is not None:
            out[(str(page), int(slot))][kind] = int(n)
    return out


def page_slots(
    session: Session, seller_id: str, since: dt.datetime, until: dt.datetime
) -> list[SlotStat]:
    own = _slot_counts(session, since, until, seller_id)
    market = _slot_counts(session, since, until, None)

    def ctr(c: dict[str, int]) -> float | None:
        return c["click"] / c["impression"] if c["impression"] else None

    return [
        SlotStat(page, slot, c["impression"], c["click"], ctr(c), ctr(market[(page, slot)]))
        for (page, slot), c in sorted(own.items())
    ]


def slots_suggestion(stats: list[SlotStat]) -> str:
    search = [s for s in stats if s.page == "search" and s.impressions > 0]
    if not search:
        return "Your products had no search impressions in this range: add keywords to titles."
    market = {s.slot: s.market_ctr for s in search if s.market_ctr}
    top = market.get(1)
    typical = max(search, key=lambda s: s.impressions)
    if top and typical.slot > 1 and typical.market_ctr:
        ratio = top / typical.market_ctr
        return (
            f"Most of your search impressions are at slot {typical.slot} "
            f"(CTR {typical.market_ctr:.0%} "
            f"market-wide) while slot 1 gets {top:.0%} ({ratio:.1f}×): bid on your best keywords "
            "to reach the top slot."
        )
    weak = [s for s in search if s.ctr is not None and s.market_ctr and s.impressions >= 20
            and s.ctr < 0.7 * s.market_ctr]  # fmt: skip
    if weak:
        s = weak[0]
        return (
            f"At search slot {s.slot} your CTR is {s.ctr:.0%} against {s.market_ctr:.0%} for all "
            "sellers: improve the title and image shown there."
        )
    return "Your products already sit at the top slots: keep prices and stock competitive there."
