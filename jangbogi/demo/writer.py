"""Bulk writing of the generated rows: executemany in chunks, all in the caller's transaction.

Rows travel as tuples in a fixed column order (a million dicts would cost seconds). On SQLite
they go straight to the DBAPI cursor, through SQLAlchemy's own bind processors so the stored
text is exactly what an ORM insert stores; other databases get SQLAlchemy's executemany.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text

from jangbogi.demo.behaviour import DAY, EVENT_FIELDS, Sink
from store.models import (
    AdCampaign,
    AdKeyword,
    AdSpend,
    Cart,
    CartLine,
    Event,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    Seller,
    Shopper,
)

CHUNK = 20_000


@dataclass
class TableRows:
    table: Table
    columns: tuple[str, ...]
    rows: Iterable[tuple[Any, ...]]
    count: int


def from_dicts(table: Table, rows: Sequence[dict[str, Any]]) -> TableRows:
    columns = tuple(rows[0]) if rows else ()
    return TableRows(table, columns, [tuple(r[c] for c in columns) for r in rows], len(rows))


def _chunks(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    it = iter(rows)
    while batch := list(islice(it, CHUNK)):
        yield batch


def write_rows(conn: Connection, data: TableRows, advance: Callable[[int], None]) -> int:
    table, columns = data.table, data.columns
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        dialect = conn.dialect
        procs = [
            (i, proc)
            for i, c in enumerate(columns)
            if (proc := table.c[c].type.dialect_impl(dialect).bind_processor(dialect)) is not None
        ]
        sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
    n = 0
    for batch in _chunks(data.rows):
        if sqlite:
            if procs:
                batch = [_processed(row, procs) for row in batch]
            conn.exec_driver_sql(sql, batch)
        else:
            conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in batch])
        n += len(batch)
        advance(len(batch))
    return n


def _processed(
    row: tuple[Any, ...], procs: Sequence[tuple[int, Callable[[Any], Any]]]
) -> tuple[Any, ...]:
    values = list(row)
    for i, proc in procs:
        if values[i] is not None:
            values[i] = proc(values[i])
    return tuple(values)


class IndexesDeferred:
    """Drop a table's indexes for a bulk load on SQLite and recreate them from their stored DDL.

    Building an index once is far cheaper than updating it per row; the DDL comes from
    sqlite_master, so the recreated indexes are exactly the migrated ones.
    """

    def __init__(self, conn: Connection, table: Table) -> None:
        self.conn, self.table = conn, table
        self.ddl: list[tuple[str, str]] = []

    def __enter__(self) -> IndexesDeferred:
        if self.conn.dialect.name == "sqlite":
            self.ddl = [
                (name, sql)
                for name, sql in self.conn.exec_driver_sql(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                    "AND sql IS NOT NULL ORDER BY name",
                    (self.table.name,),
                )
            ]
            for name, _ in self.ddl:
                self.conn.exec_driver_sql(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            for _, sql in self.ddl:
                self.conn.exec_driver_sql(sql)


def ensure_empty(conn: Connection) -> None:
    """The demo writes explicit ids, so it needs the empty store the caller promised."""
    for model in (Seller, Product, Shopper, Order, Event):
        if conn.scalar(select(func.count()).select_from(model)):
            raise RuntimeError(
                f"table {model.__tablename__} is not empty: reset and migrate the store first"
            )


def follow_sequences(conn: Connection) -> None:
    """After explicit ids, move PostgreSQL's serial sequences past them."""
    if conn.dialect.name != "postgresql":
        return
    for model in (Product, Order, OrderLine, Event, AdCampaign, AdKeyword, AdSpend, Cart, CartLine):
        name = model.__tablename__
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
            )
        )


def order_status(ts: int, cancelled: bool, end: int) -> str:
    """Recent orders are still on their way, older ones delivered."""
    if cancelled:
        return OrderStatus.CANCELLED.value
    age = (end - ts) / DAY
    if age < 1:
        return OrderStatus.PLACED.value
    if age < 3:
        return OrderStatus.SHIPPED.value
    return OrderStatus.DELIVERED.value


def order_rows(sink: Sink, start: dt.datetime, end: int) -> TableRows:
    rows = (
        (order_id, shopper_id, order_status(ts, cancelled, end), total, "KRW", source,
         start + dt.timedelta(seconds=ts))
        for order_id, shopper_id, ts, total, source, cancelled in sink.orders
    )  # fmt: skip
    columns = ("id", "shopper_id", "status", "total", "currency", "source", "created_at")
    return TableRows(Order.__table__, columns, rows, len(sink.orders))  # type: ignore[arg-type]


def order_line_rows(sink: Sink) -> TableRows:
    columns = ("id", "order_id", "product_id", "seller_id", "qty", "unit_price")
    return TableRows(
        OrderLine.__table__,  # type: ignore[arg-type]
        columns,
        sink.order_lines,
        len(sink.order_lines),
    )


def event_rows(sink: Sink, start: dt.datetime) -> TableRows:
    rows = (
        (i, start + dt.timedelta(seconds=ev[0]), *ev[1:]) for i, ev in enumerate(sink.events, 1)
    )
    return TableRows(
        Event.__table__,  # type: ignore[arg-type]
        ("id", *EVENT_FIELDS),
        rows,
        len(sink.events),
    )


def cart_rows(sink: Sink, start: dt.datetime) -> TableRows:
    rows = ((cid, shopper, start + dt.timedelta(seconds=ts)) for cid, shopper, ts in sink.carts)
    return TableRows(
        Cart.__table__,  # type: ignore[arg-type]
        ("id", "shopper_id", "updated_at"),
        rows,
        len(sink.carts),
    )


def cart_line_rows(sink: Sink) -> TableRows:
    return TableRows(
        CartLine.__table__,  # type: ignore[arg-type]
        ("id", "cart_id", "product_id", "qty"),
        sink.cart_lines,
        len(sink.cart_lines),
    )
