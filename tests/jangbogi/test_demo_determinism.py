"""Same config, same rows; another seed, other rows; both database backends."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import Engine, func, insert, select

from jangbogi.demo import DemoConfig, seed_demo
from store.db import create_store_engine, transaction
from store.migrate import upgrade
from store.models import Base, Event, Order, Product

TINY = DemoConfig(n_shoppers=60, days=30)


def _table_digests(engine: Engine) -> dict[str, str]:
    """A digest of every table's rows in primary-key order."""
    out = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            h = hashlib.sha256()
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                h.update(repr(tuple(row)).encode())
            out[table.name] = h.hexdigest()
    return out


def _seeded(path: Path, config: DemoConfig) -> dict[str, str]:
    engine = create_store_engine(f"sqlite:///{path}")
    upgrade(engine)
    seed_demo(engine, config)
    digests = _table_digests(engine)
    engine.dispose()
    return digests


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return _seeded(tmp_path_factory.mktemp("a") / "a.db", TINY)


def test_same_config_gives_identical_tables(
    first: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert _seeded(tmp_path_factory.mktemp("b") / "b.db", TINY) == first


def test_another_seed_gives_other_rows(
    first: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    other = _seeded(
        tmp_path_factory.mktemp("c") / "c.db", DemoConfig(seed=7, n_shoppers=60, days=30)
    )
    for table in ("products", "shoppers", "orders", "event_log", "meta"):
        assert other[table] != first[table], table


def test_progress_bars_one_per_phase(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'p.db'}")
    upgrade(engine)
    with Progress(console=Console(file=io.StringIO())) as progress:
        seed_demo(engine, DemoConfig(n_shoppers=20, days=10), progress=progress)
        tasks = {t.description: t for t in progress.tasks}
    assert list(tasks) == ["catalog", "shoppers", "simulation", "writing"]
    assert all(t.finished for t in tasks.values())
    engine.dispose()


def test_seed_on_sqlite_and_postgresql(engine: Engine) -> None:
    """Explicit ids must leave each backend's id allocation working for later inserts."""
    counts = seed_demo(engine, DemoConfig(n_shoppers=30, days=20))
    with transaction(engine) as s:
        assert s.scalar(select(func.count()).select_from(Product)) == counts["products"]
        s.execute(insert(Event), [{"kind": "search", "query": "생수", "language": "ko"}])
        assert s.scalar(select(func.max(Event.id))) == counts["events"] + 1
        order = Order(shopper_id="u00001", total=0)
        s.add(order)
        s.flush()
        assert order.id == counts["orders"] + 1
