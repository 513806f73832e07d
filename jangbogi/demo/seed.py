"""``seed_demo``: build the whole demo data set and write it into an empty store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from rich.progress import Progress
from sqlalchemy import Engine

from jangbogi.demo.ads import campaign_rows, keyword_rows, plan_campaigns, spend_rows, truth_json
from jangbogi.demo.behaviour import DAY, ShopperSimulation, Sink
from jangbogi.demo.catalog import build_catalog, product_rows, seller_rows
from jangbogi.demo.config import DemoConfig
from jangbogi.demo.population import build_population, shopper_row
from jangbogi.demo.rand import Stream
from jangbogi.demo.writer import (
    IndexesDeferred,
    cart_line_rows,
    cart_rows,
    ensure_empty,
    event_rows,
    follow_sequences,
    from_dicts,
    order_line_rows,
    order_rows,
    write_rows,
)
from store.models import (
    AdCampaign,
    AdKeyword,
    AdSpend,
    Event,
    Meta,
    Product,
    Seller,
    Shopper,
)
from store.taxonomy import load_taxonomy


class _Phases:
    """One progress bar per phase when a rich Progress is given; silent otherwise."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress

    def start(self, description: str, total: int) -> Callable[[int], None]:
        if self.progress is None:
            return lambda _n: None
        progress = self.progress
        task = progress.add_task(description, total=total)
        return lambda n: progress.advance(task, n)


def seed_demo(
    engine: Engine,
    config: DemoConfig = DemoConfig(),  # frozen, so a shared default is safe
    progress: Progress | None = None,
) -> dict[str, int]:
    """Generate the demo data set for ``config`` and write it into ``engine``'s store.

    The store must be migrated and empty. Same config, same rows: nothing depends on the wall
    clock or on hash order. Writes the ``demo_config`` and ``demo_ads`` meta rows but no
    credentials. Returns row counts per table.
    """
    phases = _Phases(progress)
    taxonomy = load_taxonomy()
    start = dt.datetime.combine(config.start_date, dt.time())

    advance = phases.start("catalog", len(taxonomy.types) + 1)
    catalog = build_catalog(config, taxonomy, Stream.of(config.seed, "catalog"))
    products = product_rows(
        catalog, start - dt.timedelta(days=240), Stream.of(config.seed, "stock")
    )
    sellers = seller_rows(catalog, start - dt.timedelta(days=400))
    advance(len(taxonomy.types))
    market = plan_campaigns(config, taxonomy, catalog)
    advance(1)

    advance = phases.start("shoppers", config.n_shoppers)
    people = build_population(config, taxonomy, catalog, advance)
    rs = Stream.of(config.seed, "signup")
    shoppers = [
        shopper_row(p, start - dt.timedelta(seconds=rs.randint(1, 400 * DAY))) for p in people
    ]

    advance = phases.start("simulation", config.n_shoppers)
    sink = Sink()
    for person in people:
        ShopperSimulation(person, config, taxonomy, catalog, market, sink).run()
        advance(1)

    end = config.days * DAY
    meta = [
        {"key": "demo_config", "value": config.to_json()},
        {"key": "demo_ads", "value": truth_json(market)},
    ]
    tables = [
        from_dicts(Meta.__table__, meta),  # type: ignore[arg-type]
        from_dicts(Seller.__table__, sellers),  # type: ignore[arg-type]
        from_dicts(Product.__table__, products),  # type: ignore[arg-type]
        from_dicts(Shopper.__table__, shoppers),  # type: ignore[arg-type]
        from_dicts(AdCampaign.__table__, campaign_rows(market, start)),  # type: ignore[arg-type]
        from_dicts(AdKeyword.__table__, keyword_rows(market)),  # type: ignore[arg-type]
        from_dicts(AdSpend.__table__, spend_rows(market, config)),  # type: ignore[arg-type]
        order_rows(sink, start, end),
        order_line_rows(sink),
        cart_rows(sink, start),
        cart_line_rows(sink),
        event_rows(sink, start),
    ]
    advance = phases.start("writing", sum(t.count for t in tables))
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        ensure_empty(conn)
        for data in tables:
            if data.table.name == Event.__tablename__:
                with IndexesDeferred(conn, data.table):
                    counts[data.table.name] = write_rows(conn, data, advance)
            else:
                counts[data.table.name] = write_rows(conn, data, advance)
        follow_sequences(conn)
    return {
        "sellers": counts["sellers"],
        "products": counts["products"],
        "shoppers": counts["shoppers"],
        "orders": counts["orders"],
        "order_lines": counts["order_lines"],
        "events": counts["event_log"],
        "campaigns": counts["ad_campaigns"],
        "ad_keywords": counts["ad_keywords"],
        "ad_spend_rows": counts["ad_spend"],
        "carts": counts["carts"],
        "cart_lines": counts["cart_lines"],
    }
