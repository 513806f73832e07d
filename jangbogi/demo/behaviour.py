"""Simulated shopping behaviour of one demo shopper over the period.

The household runs out of each type it needs after the type's ``cycle_days``, scaled by pack
size, quantity and household size, with noise. When the first type runs out the shopper makes
a trip and also buys every type due within a few days (families look further ahead, so their
baskets are bigger). For every item: a search (Korean or English), impressions of the results
on page "search" with a click-through rate falling by slot, clicks, an add-to-cart, sometimes an
ad click that may win the sale, and at checkout one order with its purchase events. Browsing
sessions on the "home" and "category" pages, searches without a purchase and a few carts left
open at the end fill in the rest. The constants below shape the planted patterns of
docs/demo-data.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from jangbogi.demo.ads import P_AD_CLICK, P_DEFERRED_CONVERSION, AdMarket, Campaign
from jangbogi.demo.catalog import Catalog, ProductSpec, reference_size
from jangbogi.demo.config import DemoConfig
from jangbogi.demo.population import Persona
from jangbogi.demo.queries import build_query
from jangbogi.demo.rand import Stream
from store.taxonomy import Taxonomy

DAY = 86_400
# Nobody orders a type more often than every ten days here: faster use means bigger quantities.
MIN_INTERVAL_DAYS = 10.0
# How strongly a bigger pack lengthens the repurchase cycle (1.0 would be proportional; people
# who buy big packs also use more freely).
PACK_CYCLE_EXPONENT = 0.35
CYCLE_NOISE = 0.18  # sigma of the log-normal noise on each repurchase interval
LOOKAHEAD_SHARE = 0.3  # a trip buys a type early by at most this share of its cycle
P_SKIP = 0.04  # a due type bought elsewhere this time
P_OTHER_LANGUAGE = 0.1  # a query in the shopper's other language
P_ABANDONED_SEARCH = 0.2  # per trip: one more search that ends without buying
P_OPEN_CART = 0.08  # shoppers who end the period with lines in their cart
BROWSE_PER_DAY = 0.035  # browsing sessions on the home and category pages
P_VOICE_ORDER = 0.3

# Click probability of a result that is not the one the shopper came for, by slot (1-based).
OTHER_CLICK_TOP = 0.2
OTHER_CLICK_DECAY = 0.72
# Where the result the shopper buys is ranked: slot s with weight TARGET_SLOT_DECAY ** (s - 1).
TARGET_SLOT_DECAY = 0.55
BROWSE_CLICK_TOP = 0.12
BROWSE_CLICK_DECAY = 0.75

# Used up per person, not per household, or per infant / per pet.
PERSONAL_TYPES = frozenset(
    {"razor", "shaving_foam", "deodorant", "sunscreen", "sanitary_pads", "panty_liners",
     "body_lotion", "baby_shampoo", "dog_food", "cat_food", "cat_litter", "pet_pads"}
)  # fmt: skip
TYPICAL_HOUSEHOLD = 2.5
INFANT_TYPES = frozenset({"diapers", "baby_wipes", "infant_formula"})

_SIZE_UTILITY: dict[str, dict[str, float]] = {
    "small": {"small": 2.0, "medium": 0.0, "large": -2.0},
    "medium": {"small": -0.7, "medium": 1.3, "large": -0.7},
    "large": {"small": -2.0, "medium": 0.0, "large": 2.0},
}
PRICE_WEIGHT = 6.0  # utility per unit of log relative unit price, times price sensitivity
FAVOURITE_BONUS = 0.8

# Event tuple layout; the writer maps it onto event_log columns.
EVENT_FIELDS = (
    "ts", "kind", "shopper_id", "session_id", "query", "language", "product_id", "seller_id",
    "page", "slot", "order_id", "campaign_id", "keyword", "qty",
)  # fmt: skip
Event = tuple[
    int, str, str, str, str | None, str | None, int | None, str | None, str | None, int | None,
    int | None, int | None, str | None, int | None,
]  # fmt: skip


@dataclass
class Sink:
    """Rows produced by the simulation, ids allocated in generation order."""

    events: list[Event] = field(default_factory=list)
    # (id, shopper_id, ts, total, source, cancelled)
    orders: list[tuple[int, str, int, int, str, bool]] = field(default_factory=list)
    # (id, order_id, product_id, seller_id, qty, unit_price)
    order_lines: list[tuple[int, int, int, str, int, int]] = field(default_factory=list)
    carts: list[tuple[int, str, int]] = field(default_factory=list)  # (id, shopper_id, ts)
    cart_lines: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass
class _TypeChoice:
    products: list[ProductSpec]
    utility: list[float]
    favourite: list[int]  # indexes of the favourite brand's products


class ShopperSimulation:
    def __init__(
        self,
        persona: Persona,
        config: DemoConfig,
        taxonomy: Taxonomy,
        catalog: Catalog,
        market: AdMarket,
        sink: Sink,
    ) -> None:
        self.p = persona
        self.config = config
        self.taxonomy = taxonomy
        self.catalog = catalog
        self.market = market
        self.sink = sink
        self.rs = Stream.of(config.seed, "shopper", persona.index)
        self.events: list[Event] = []
        self.end = config.days * DAY
        self._choices: dict[str, _TypeChoice] = {}
        self._sessions = 0
        self._last_order_ts = 0

    # -- choice -----------------------------------------------------------------------------
    def _choice(self, type_key: str) -> _TypeChoice:
        cached = self._choices.get(type_key)
        if cached is not None:
            return cached
        p = self.p
        favourite = p.favourite_brands.get(type_key)
        size_util = _SIZE_UTILITY[p.pack_size_pref]
        products = self.catalog.by_type[type_key]
        utility = []
        for prod in products:
            rel = prod.unit_price / self.catalog.median_unit_price[(type_key, prod.size_rank)]
            u = size_util[prod.pack] - PRICE_WEIGHT * p.price_sensitivity * math.log(rel)
            if prod.brand.en == favourite:
                u += FAVOURITE_BONUS
            utility.append(u)
        fav = [i for i, prod in enumerate(products) if prod.brand.en == favourite]
        choice = _TypeChoice(products, utility, fav)
        self._choices[type_key] = choice
        return choice

    def choose_product(self, type_key: str) -> ProductSpec:
        """Loyal shoppers mostly stick to their favourite brand; the rest weigh size and price
        (a multinomial logit: utility plus Gumbel noise)."""
        c = self._choice(type_key)
        rs = self.rs
        pool = c.favourite if c.favourite and rs.chance(self.p.brand_loyalty) else None
        indexes = pool if pool is not None else range(len(c.products))
        best, best_u = 0, -math.inf
        for i in indexes:
            u = c.utility[i] + rs.gumbel()
            if u > best_u:
                best, best_u = i, u
        return c.products[best]

    def _best_of_seller(self, type_key: str, seller_id: str) -> ProductSpec | None:
        c = self._choice(type_key)
        best: ProductSpec | None = None
        best_u = -math.inf
        for prod, u in zip(c.products, c.utility, strict=True):
            if prod.seller_id == seller_id and u > best_u:
                best, best_u = prod, u
        return best

    # -- consumption ------------------------------------------------------------------------
    def _consumption(self, type_key: str) -> float:
        if type_key in INFANT_TYPES:
            return max(1, self.p.infants) ** 0.8 if self.p.infants else 0.6
        if type_key in PERSONAL_TYPES:
            return 1.0
        # Taxonomy cycles are for a typical household of about 2.5 people.
        return (self.p.household_size / TYPICAL_HOUSEHOLD) ** 0.5

    def _cycle_days(self, prod: ProductSpec, qty: int) -> float:
        t = prod.ptype
        base = t.cycle_days * (prod.size / reference_size(t)) ** PACK_CYCLE_EXPONENT
        return base * qty**0.8 / self._consumption(t.key)

    def _quantity(self, prod: ProductSpec) -> int:
        one = self._cycle_days(prod, 1)
        qty = 1 if one >= MIN_INTERVAL_DAYS else min(6, math.ceil(MIN_INTERVAL_DAYS / one))
        if self.rs.chance(0.06):
            qty += 1  # stocking up
        return qty

    # -- events -----------------------------------------------------------------------------
    def _session(self, tag: str = "") -> str:
        self._sessions += 1
        return f"{self.p.id}-{tag}{self._sessions:04d}"

    def _language(self) -> str:
        lang = self.p.language
        if self.rs.chance(P_OTHER_LANGUAGE):
            return "en" if lang == "ko" else "ko"
        return lang

    def _results(self, type_key: str, target: ProductSpec | None, n: int) -> list[ProductSpec]:
        """n search results of the type; the target (if any) ranked high, the rest at random."""
        rs = self.rs
        others = [q for q in self.catalog.by_type[type_key] if q is not target]
        # Partial Fisher-Yates: the first n draws are a uniform sample without replacement.
        for i in range(min(n, len(others))):
            j = i + int(rs.u() * (len(others) - i))
            others[i], others[j] = others[j], others[i]
        results = others[: n - (1 if target is not None else 0)]
        if target is not None:
            slot = rs.weighted_index([TARGET_SLOT_DECAY**s for s in range(len(results) + 1)])
            results.insert(slot, target)
        return results

    def _search(
        self, ts: int, session: str, type_key: str, target: ProductSpec, day: int, buy: bool
    ) -> tuple[int, ProductSpec | None, bool]:
        """One search for ``type_key`` aiming at ``target``.

        Returns the time after it, the product added to the cart (None when not buying) and
        whether its purchase is deferred to a separate order (a late ad conversion).
        """
        rs, p, ev = self.rs, self.p, self.events
        sid = p.id
        ptype = self.taxonomy[type_key]
        loyal = p.brand_loyalty if target.brand.en == p.favourite_brands.get(type_key) else 0.0
        q = build_query(
            ptype,
            target,
            self._language(),
            loyal_to_brand=loyal,
            price_sensitivity=p.price_sensitivity,
            rs=rs,
        )
        text, lang = q.text, q.language
        ev.append((ts, "search", sid, session, text, lang, None, None, None, None, None, None,
                   None, None))  # fmt: skip
        ts += rs.randint(1, 3)

        ad_product: ProductSpec | None = None
        deferred = False
        if buy:
            ad_product, deferred, ts, ignored = self._ad(ts, session, type_key, text, lang, day)
            if ignored is not None and ignored is target:
                # An ad click that does not convert must not buy the advertised product anyway,
                # or every tier would show the same measured conversion.
                target = self._other_than(type_key, ignored)
        results = self._results(type_key, None if ad_product else target, rs.randint(4, 8))
        for slot, prod in enumerate(results, 1):
            ev.append((ts, "impression", sid, session, text, lang, prod.id, prod.seller_id,
                       "search", slot, None, None, None, None))  # fmt: skip
        for slot, prod in enumerate(results, 1):
            wanted = buy and prod is target and ad_product is None
            if wanted or rs.chance(OTHER_CLICK_TOP * OTHER_CLICK_DECAY ** (slot - 1)):
                ts += rs.randint(4, 40)
                ev.append((ts, "click", sid, session, text, lang, prod.id, prod.seller_id,
                           "search", slot, None, None, None, None))  # fmt: skip
        if not buy:
            return ts + rs.randint(10, 90), None, False
        bought = ad_product or target
        return ts + rs.randint(5, 60), bought, deferred

    def _ad(
        self, ts: int, session: str, type_key: str, text: str, lang: str, day: int
    ) -> tuple[ProductSpec | None, bool, int, ProductSpec | None]:
        """The ad auction on a search: maybe an ad click, maybe it converts.

        Returns the product bought through the ad (or None), whether that purchase is deferred,
        the time after it, and the advertised product when the click did not convert.
        """
        rs = self.rs
        # Spend is booked on the click's calendar day (a late session can pass midnight).
        click_day = ts // DAY
        matches = [
            (c, kw) for c, kw in self.market.matching(type_key, text) if c.start_day <= click_day
        ]
        if not matches or not rs.chance(P_AD_CLICK):
            return None, False, ts, None
        campaign: Campaign
        campaign, keyword = matches[rs.weighted_index([c.tier.weight for c, _ in matches])]
        prod = self._best_of_seller(type_key, campaign.seller_id)
        if prod is None:
            return None, False, ts, None
        self.events.append((ts, "ad_click", self.p.id, session, text, lang, prod.id,
                            prod.seller_id, None, None, None, campaign.id, keyword,
                            None))  # fmt: skip
        self.market.clicks[(campaign.id, keyword, click_day)] += 1
        ts += rs.randint(5, 30)
        if not rs.chance(campaign.cvr):
            return None, False, ts, prod
        deferred = rs.chance(P_DEFERRED_CONVERSION) and day + 3 < self.config.days
        return prod, deferred, ts, None

    def _other_than(self, type_key: str, avoid: ProductSpec) -> ProductSpec:
        for _ in range(8):
            prod = self.choose_product(type_key)
            if prod is not avoid:
                return prod
        return next(p for p in self.catalog.by_type[type_key] if p is not avoid)

    def _add_to_cart(self, ts: int, session: str, prod: ProductSpec, qty: int) -> None:
        self.events.append((ts, "add_to_cart", self.p.id, session, None, None, prod.id,
                            prod.seller_id, None, None, None, None, None, qty))  # fmt: skip

    def _checkout(self, ts: int, session: str, lines: list[tuple[ProductSpec, int]]) -> None:
        merged: dict[int, tuple[ProductSpec, int]] = {}
        for prod, qty in lines:
            merged[prod.id] = (prod, qty + (merged[prod.id][1] if prod.id in merged else 0))
        sink = self.sink
        order_id = len(sink.orders) + 1
        total = 0
        for prod, qty in merged.values():
            sink.order_lines.append(
                (len(sink.order_lines) + 1, order_id, prod.id, prod.seller_id, qty, prod.price)
            )
            total += qty * prod.price
            self.events.append((ts, "purchase", self.p.id, session, None, None, prod.id,
                                prod.seller_id, None, None, order_id, None, None, qty))  # fmt: skip
        self._last_order_ts = max(self._last_order_ts, ts)
        source = "voice" if self.rs.chance(P_VOICE_ORDER) else "chat"
        sink.orders.append((order_id, self.p.id, ts, total, source, self.rs.chance(0.015)))

    # -- the period -------------------------------------------------------------------------
    def _trip_start(self, day: int) -> int:
        hour = self.p.shop_hour + self.rs.uniform(-0.5, 0.5)
        ts = day * DAY + int(hour * 3600)
        return min(ts, self.end - 3 * 3600)

    def run(self) -> None:
        p, rs = self.p, self.rs
        days = self.config.days
        if not p.needs:
            return
        # Stock at home on day 0 lasts anywhere up to one typical cycle.
        cycle = {key: self.taxonomy[key].cycle_days / self._consumption(key) for key in p.needs}
        due = {key: rs.u() * cycle[key] for key in p.needs}
        last_trip_day = -1
        while True:
            first = min(due.values())
            day = max(int(first), last_trip_day + 1)
            if day >= days:
                break
            # Types due soon join the trip; "soon" is short for types bought often, so a trip
            # never pulls a fortnightly purchase forward by a week.
            basket = [
                k
                for k in p.needs
                if due[k] <= day + min(p.lookahead_days, LOOKAHEAD_SHARE * cycle[k])
            ]
            ts = self._trip_start(day)
            session = self._session()
            lines: list[tuple[ProductSpec, int]] = []
            for key in basket:
                target = self.choose_product(key)
                qty = self._quantity(target)
                cycle[key] = self._cycle_days(target, qty)
                if rs.chance(P_SKIP):
                    due[key] = day + cycle[key] * rs.lognormal(CYCLE_NOISE)
                    continue
                ts, bought, deferred = self._search(ts, session, key, target, day, buy=True)
                assert bought is not None
                if deferred:
                    # Clicked an ad, came back a few days later and bought just that.
                    later = (day + rs.randint(1, 3)) * DAY + int(rs.uniform(9, 22) * 3600)
                    later_session = self._session("a")
                    self._add_to_cart(later, later_session, bought, qty)
                    self._checkout(later + rs.randint(30, 300), later_session, [(bought, qty)])
                else:
                    self._add_to_cart(ts, session, bought, qty)
                    ts += rs.randint(20, 120)
                    lines.append((bought, qty))
                cycle[key] = self._cycle_days(bought, qty)
                due[key] = day + cycle[key] * rs.lognormal(CYCLE_NOISE)
            if rs.chance(P_ABANDONED_SEARCH):
                key = rs.pick(p.needs) if rs.chance(0.6) else rs.pick(self.taxonomy.keys())
                ts, _, _ = self._search(ts, session, key, self.choose_product(key), day, False)
            if lines:
                ts += rs.randint(30, 300)
                self._checkout(ts, session, lines)
            last_trip_day = day
        self._browse()
        if rs.chance(P_OPEN_CART):
            self._open_cart()
        self.events.sort(key=lambda e: e[0])  # stable: keeps in-session order on equal times
        self.sink.events.extend(self.events)

    def _browse(self) -> None:
        rs, p, ev = self.rs, self.p, self.events
        n = rs.poisson(BROWSE_PER_DAY * self.config.days)
        for _ in range(n):
            day = rs.randint(0, self.config.days - 1)
            ts = max(0, self._trip_start(day) - rs.randint(3600, 6 * 3600))
            session = self._session("b")
            if rs.chance(0.6):
                # Home: recommendations, mostly from the types the household buys.
                page = "home"
                pool = self._distinct(
                    rs.randint(6, 10),
                    lambda: (
                        self.choose_product(rs.pick(p.needs))
                        if rs.chance(0.6)
                        else rs.pick(self.catalog.products)
                    ),
                )
            else:
                page = "category"
                category = self.taxonomy[rs.pick(p.needs)].category
                keys = [t.key for t in self.taxonomy.types if t.category == category]
                by_type = self.catalog.by_type
                pool = self._distinct(8, lambda: rs.pick(by_type[rs.pick(keys)]))  # noqa: B023 (used at once)
            for slot, prod in enumerate(pool, 1):
                ev.append((ts, "impression", p.id, session, None, None, prod.id, prod.seller_id,
                           page, slot, None, None, None, None))  # fmt: skip
            for slot, prod in enumerate(pool, 1):
                if rs.chance(BROWSE_CLICK_TOP * BROWSE_CLICK_DECAY ** (slot - 1)):
                    ts += rs.randint(3, 60)
                    ev.append((ts, "click", p.id, session, None, None, prod.id, prod.seller_id,
                               page, slot, None, None, None, None))  # fmt: skip

    @staticmethod
    def _distinct(n: int, draw: Callable[[], ProductSpec]) -> list[ProductSpec]:
        """Up to n different products (a page never shows one product twice)."""
        out: list[ProductSpec] = []
        seen: set[int] = set()
        for _ in range(4 * n):
            prod = draw()
            if prod.id not in seen:
                seen.add(prod.id)
                out.append(prod)
                if len(out) == n:
                    break
        return out

    def _open_cart(self) -> None:
        """A last visit after the final order whose cart is never checked out."""
        rs, p = self.rs, self.p
        day = self.config.days - rs.randint(1, 4)
        ts = max(self._trip_start(day), self._last_order_ts + 3600)
        if ts >= self.end - 2 * 3600:
            return
        session = self._session()
        sink = self.sink
        cart_id = len(sink.carts) + 1
        in_cart: dict[int, int] = {}
        for _ in range(rs.randint(1, 3)):
            key = rs.pick(p.needs)
            target = self.choose_product(key)
            qty = self._quantity(target)
            # An ad conversion here only puts the advertised product in the cart.
            ts, bought, _ = self._search(ts, session, key, target, day, buy=True)
            assert bought is not None
            self._add_to_cart(ts, session, bought, qty)
            in_cart[bought.id] = in_cart.get(bought.id, 0) + qty
            ts += rs.randint(20, 120)
        sink.carts.append((cart_id, p.id, ts))
        for product_id, qty in in_cart.items():
            sink.cart_lines.append((len(sink.cart_lines) + 1, cart_id, product_id, qty))
