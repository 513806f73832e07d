"""The schema: migrations match the models, constraints hold, the event log is append-only."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from store.db import transaction
from store.migrate import current_revision, head_revision, upgrade
from store.models import AdCampaign, AdSpend, Base, CartLine, Event, Order, Product, Seller
from store.repo.credentials import create_seller


def _product(seller_id: str = "s1", **kw: object) -> Product:
    fields: dict[str, object] = dict(
        seller_id=seller_id,
        type_key="toilet_paper",
        name_en="Tissue 30 rolls",
        name_ko="화장지 30롤",
        brand="깨끗한나라",
        size=30,
        unit="roll",
        price=18900,
        stock=5,
    )
    fields.update(kw)
    return Product(**fields)


def test_migrations_match_models_and_rerun_is_noop(engine: Engine) -> None:
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    assert current_revision(engine) == head_revision()
    upgrade(engine)  # second run: nothing to do, no error
    assert current_revision(engine) == head_revision()


@pytest.mark.parametrize(
    "bad",
    [{"price": -1}, {"stock": -3}, {"size": 0}],
    ids=["negative price", "negative stock", "zero size"],
)
def test_product_check_constraints(engine: Engine, bad: dict[str, object]) -> None:
    with transaction(engine) as s:
        create_seller(s, "s1", "Seller")
    with pytest.raises(IntegrityError), transaction(engine) as s:
        s.add(_product(**bad))
    with transaction(engine) as s:
        assert s.scalar(select(Product.id)) is None


def test_foreign_keys_enforced(engine: Engine) -> None:
    with pytest.raises(IntegrityError), transaction(engine) as s:
        s.add(_product(seller_id="nobody"))


def test_cart_line_qty_positive_and_unique(engine: Engine) -> None:
    from store.repo.carts import _cart

    with transaction(engine) as s:
        create_seller(s, "s1", "Seller")
        s.add(_product())
    with pytest.raises(IntegrityError), transaction(engine) as s:
        cart = _cart(s, "shopper-1")
        s.add(CartLine(cart_id=cart.id, product_id=1, qty=0))
    with pytest.raises(IntegrityError), transaction(engine) as s:
        cart = _cart(s, "shopper-1")
        s.add_all(
            [
                CartLine(cart_id=cart.id, product_id=1, qty=1),
                CartLine(cart_id=cart.id, product_id=1, qty=2),
            ]
        )


def test_event_log_is_append_only(engine: Engine) -> None:
    with transaction(engine) as s:
        s.execute(insert(Event), [{"kind": "search", "query": "휴지", "language": "ko"}])
    for stmt in (update(Event).values(query="tampered"), delete(Event)):
        with pytest.raises(DBAPIError, match="append-only"), transaction(engine) as s:
            s.execute(stmt)
    with transaction(engine) as s:
        assert s.scalars(select(Event.query)).all() == ["휴지"]


def test_ad_spend_unique_per_campaign_keyword_day(engine: Engine) -> None:
    import datetime as dt

    with transaction(engine) as s:
        create_seller(s, "s1", "Seller")
        s.add(AdCampaign(id=1, seller_id="s1", name="spring"))
    row = dict(campaign_id=1, keyword="휴지", date=dt.date(2026, 5, 1), cost=1000, clicks=3)
    with transaction(engine) as s:
        s.add(AdSpend(**row))
    with pytest.raises(IntegrityError), transaction(engine) as s:
        s.add(AdSpend(**row))


def test_transaction_rolls_back_everything(engine: Engine) -> None:
    with pytest.raises(RuntimeError), transaction(engine) as s:
        create_seller(s, "s1", "Seller")
        s.flush()
        raise RuntimeError("boom")
    with transaction(engine) as s:
        assert s.scalar(select(Seller.id)) is None
        assert s.scalar(select(Order.id)) is None


def test_sqlite_uses_wal(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from store.db import create_store_engine

    eng = create_store_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with eng.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
