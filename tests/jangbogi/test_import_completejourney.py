"""The Complete Journey importer, run once on the real files into a temporary SQLite store.

Expected values are recomputed here from the CSV files with plain csv/gzip, independently of the
importer's own parsing, so a parsing mistake in the importer cannot hide itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rich.progress import Progress
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from jangbogi.importers import completejourney
from jangbogi.importers.completejourney import (
    DEMOGRAPHICS_FILE,
    META_KEY,
    PRODUCTS_FILE,
    SELLER_ID,
    SPLIT_DATE,
    TRANSACTIONS_FILE,
    import_completejourney,
    parse_id,
    parse_package_size,
    taxonomy_map,
    title_words,
)
from store.db import create_store_engine
from store.migrate import upgrade
from store.models import Event, Meta, Order, OrderLine, Product, Seller, Shopper
from store.paths import dataset_dir
from store.taxonomy import load_taxonomy

DATA = dataset_dir("completejourney")

pytestmark = pytest.mark.skipif(
    not (DATA / PRODUCTS_FILE).is_file(), reason=f"Complete Journey data not found at {DATA}"
)


def _read(name: str) -> list[dict[str, str]]:
    with gzip.open(DATA / name, "rt", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _int(text: str) -> int:
    # R wrote a few ids in exponent form ("4.0128e+10"); they are exact integers.
    return int(Decimal(text))


@dataclass(frozen=True)
class Source:
    products: list[dict[str, str]]
    transactions: list[dict[str, str]]
    demographics: list[dict[str, str]]

    @property
    def product_ids(self) -> set[int]:
        return {_int(r["product_id"]) for r in self.products}

    def kept_lines(self) -> Iterator[dict[str, str]]:
        """Line items that become order lines: a quantity and a known product."""
        known = self.product_ids
        for r in self.transactions:
            if float(r["quantity"]) > 0 and _int(r["product_id"]) in known:
                yield r


@dataclass(frozen=True)
class Imported:
    engine: Engine
    counts: dict[str, int]


@pytest.fixture(scope="module")
def source() -> Source:
    return Source(_read(PRODUCTS_FILE), _read(TRANSACTIONS_FILE), _read(DEMOGRAPHICS_FILE))


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    tmp = tmp_path_factory.mktemp("cj")
    engine = create_store_engine(f"sqlite:///{tmp}/cj.db")
    upgrade(engine)
    counts = import_completejourney(engine, DATA)
    return Imported(engine, counts)


def _count(engine: Engine, model: type[Any]) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def _table_counts(engine: Engine) -> dict[str, int]:
    models = (Seller, Product, Shopper, Order, OrderLine, Event, Meta)
    return {m.__tablename__: _count(engine, m) for m in models}


# ---------------------------------------------------------------- counts


def test_row_counts_match_the_source_files(imported: Imported, source: Source) -> None:
    kept = list(source.kept_lines())
    households = {_int(r["household_id"]) for r in source.transactions} | {
        _int(r["household_id"]) for r in source.demographics
    }
    assert len(source.products) == 92_331
    assert _count(imported.engine, Product) == len(source.products)
    assert _count(imported.engine, Shopper) == len(households)
    assert _count(imported.engine, Order) == len({r["basket_id"] for r in kept})
    assert _count(imported.engine, OrderLine) == len(kept)
    assert _count(imported.engine, Event) == len(kept)
    zero = sum(1 for r in source.transactions if float(r["quantity"]) == 0)
    assert imported.counts["skipped_zero_quantity"] == zero


def test_returned_counts_match_the_tables(imported: Imported, source: Source) -> None:
    c = imported.counts
    assert c["already_imported"] == 0
    assert c["products"] == _count(imported.engine, Product)
    assert c["shoppers"] == _count(imported.engine, Shopper)
    assert c["shoppers_with_demographics"] == len(source.demographics)
    assert c["orders"] == _count(imported.engine, Order)
    assert c["order_lines"] == c["events"] == _count(imported.engine, OrderLine)
    with Session(imported.engine) as s:
        mapped = s.scalar(select(func.count()).where(Product.type_key != "other")) or 0
    assert c["products_mapped"] == mapped > 10_000


# ---------------------------------------------------------------- shoppers


def _pick(rows: list[dict[str, str]], **want: str) -> dict[str, str]:
    return next(r for r in rows if all(r[k] == v for k, v in want.items()))


def test_demographics_carried_over(imported: Imported, source: Source) -> None:
    demo = source.demographics
    samples = [
        _pick(demo, household_id="1"),
        _pick(demo, kids_count="3+"),
        _pick(demo, household_size="5+"),
        _pick(demo, marital_status=""),
        _pick(demo, marital_status="Unmarried"),
        _pick(demo, income="Under 15K"),
    ]
    married = {"Married": True, "Unmarried": False, "": None}
    with Session(imported.engine) as s:
        for row in samples:
            shopper = s.get(Shopper, f"cj-{row['household_id']}")
            assert shopper is not None, row
            assert shopper.source == "completejourney"
            assert shopper.gender is None
            assert shopper.age_band == row["age"]
            assert shopper.income_band == row["income"]
            assert shopper.married is married[row["marital_status"]]
            assert shopper.kids_count == int(row["kids_count"].rstrip("+"))
            assert shopper.household_size == int(row["household_size"].rstrip("+"))


def test_household_without_demographics_has_no_guesses(imported: Imported, source: Source) -> None:
    with_demo = {r["household_id"] for r in source.demographics}
    household = next(
        r["household_id"] for r in source.transactions if r["household_id"] not in with_demo
    )
    with Session(imported.engine) as s:
        shopper = s.get(Shopper, f"cj-{household}")
    assert shopper is not None
    fields = (shopper.age_band, shopper.income_band, shopper.married, shopper.kids_count)
    assert fields == (None, None, None, None)
    assert shopper.household_size is None


# ---------------------------------------------------------------- orders, lines, events


def test_order_totals_equal_summed_sales(imported: Imported, source: Source) -> None:
    totals: dict[str, int] = defaultdict(int)
    first_seen: dict[str, str] = {}
    household: dict[str, str] = {}
    for r in source.kept_lines():
        key = f"cj:{_int(r['basket_id'])}"
        totals[key] += int((Decimal(r["sales_value"]) * 100).to_integral_value())
        first_seen[key] = min(
            first_seen.get(key, r["transaction_timestamp"]), r["transaction_timestamp"]
        )
        household[key] = f"cj-{r['household_id']}"
    with Session(imported.engine) as s:
        orders = s.execute(
            select(Order.idempotency_key, Order.total, Order.created_at, Order.shopper_id)
        ).all()
        statuses = set(s.scalars(select(Order.status).distinct()))
        currencies = set(s.scalars(select(Order.currency).distinct()))
    assert {k: t for k, t, _, _ in orders} == totals
    assert all(ts.isoformat(sep=" ") == first_seen[k or ""] for k, _, ts, _ in orders)
    assert all(shopper == household[k or ""] for k, _, _, shopper in orders)
    assert statuses == {"delivered"} and currencies == {"USD"}


def test_order_lines_price_the_line_and_events_mirror_them(imported: Imported) -> None:
    with Session(imported.engine) as s:
        lines = s.execute(
            select(OrderLine.order_id, OrderLine.product_id, OrderLine.qty, OrderLine.seller_id)
        ).all()
        events = s.execute(
            select(Event.order_id, Event.product_id, Event.qty, Event.seller_id, Event.kind)
        ).all()
        mismatched_ts = s.scalar(
            select(func.count())
            .select_from(Event)
            .join(Order, Order.id == Event.order_id)
            .where((Event.ts != Order.created_at) | (Event.shopper_id != Order.shopper_id))
        )
    assert sorted(lines) == sorted((o, p, q, sel) for o, p, q, sel, _ in events)
    assert {kind for *_, kind in events} == {"purchase"}
    assert {sel for *_, sel in lines} == {SELLER_ID}
    assert min(q for _, _, q, _ in lines) >= 1
    assert mismatched_ts == 0


def test_both_sides_of_the_evaluation_split_hold_orders(imported: Imported) -> None:
    with Session(imported.engine) as s:
        fit = s.scalar(select(func.count()).where(Order.created_at < SPLIT_DATE))
        test = s.scalar(select(func.count()).where(Order.created_at >= SPLIT_DATE))
    assert fit and test and fit > 2 * test


# ---------------------------------------------------------------- products


def test_product_fields(imported: Imported, source: Source) -> None:
    row = _pick(source.products, product_type="FLUID MILK WHITE ONLY", package_size="1 GA")
    with Session(imported.engine) as s:
        product = s.scalars(
            select(Product).where(Product.external_id == f"cj:{row['product_id']}")
        ).one()
    assert product.name_en == f"{row['brand']} Fluid Milk White Only 1 GA"
    assert product.name_ko == product.name_en
    assert (product.brand, product.size, product.unit) == (row["brand"], 1.0, "GA")
    assert (product.type_key, product.currency, product.stock) == ("milk", "USD", 0)
    assert product.seller_id == SELLER_ID
    assert product.attributes == {
        "source": "completejourney",
        "department": row["department"],
        "product_category": row["product_category"],
        "product_type": row["product_type"],
        "package_size": "1 GA",
        "manufacturer_id": int(row["manufacturer_id"]),
    }


def test_price_is_the_median_unit_price_paid(imported: Imported, source: Source) -> None:
    paid: dict[int, list[Decimal]] = defaultdict(list)
    for r in source.kept_lines():
        paid[_int(r["product_id"])].append(Decimal(r["sales_value"]) * 100 / Decimal(r["quantity"]))
    # An odd number of purchases has one middle value, so no rounding question arises.
    product_id, prices = max(
        ((p, v) for p, v in paid.items() if len(v) % 2 == 1), key=lambda kv: len(kv[1])
    )
    median = sorted(prices)[len(prices) // 2]
    never_sold = next(p for p in source.product_ids if p not in paid)
    with Session(imported.engine) as s:
        price = s.scalar(select(Product.price).where(Product.external_id == f"cj:{product_id}"))
        zero = s.scalar(select(Product.price).where(Product.external_id == f"cj:{never_sold}"))
    assert price == round(median)
    assert zero == 0


def test_every_product_has_a_valid_size_and_unit(imported: Imported) -> None:
    with Session(imported.engine) as s:
        bad = s.scalar(
            select(func.count()).where(
                (Product.size <= 0) | (Product.unit == "") | (Product.price < 0)
            )
        )
        units = set(s.scalars(select(Product.unit).distinct()))
    assert bad == 0
    assert {"OZ", "CT", "LB", "GA", "each"} <= units


# ---------------------------------------------------------------- taxonomy mapping


def test_taxonomy_mapping_uses_only_known_keys(imported: Imported) -> None:
    known = set(load_taxonomy().keys())
    assert set(taxonomy_map().values()) <= known
    with Session(imported.engine) as s:
        used = set(s.scalars(select(Product.type_key).distinct()))
    assert used <= known | {"other"}
    assert {"milk", "eggs", "diapers", "toilet_paper", "liquid_laundry_detergent"} <= used


def test_every_mapped_pair_exists_in_the_source(source: Source) -> None:
    # A typo in the hand-written map would silently map nothing: every pair must occur.
    pairs = {(r["product_category"], r["product_type"]) for r in source.products}
    assert set(taxonomy_map()) - pairs == set()


# ---------------------------------------------------------------- idempotency


def test_second_import_is_a_no_op(imported: Imported) -> None:
    before = _table_counts(imported.engine)
    again = import_completejourney(imported.engine, DATA)
    assert again["already_imported"] == 1
    assert again["products"] == imported.counts["products"]
    assert _table_counts(imported.engine) == before


def test_refuses_a_store_with_cj_rows_but_no_import_record(tmp_path: Path) -> None:
    engine = _empty_store(tmp_path)
    with Session(engine) as s, s.begin():
        s.add(Seller(id=SELLER_ID, name="made by hand"))
    with pytest.raises(ValueError, match=META_KEY):
        import_completejourney(engine, DATA)
    assert _count(engine, Product) == 0


# ---------------------------------------------------------------- clear errors


def _empty_store(tmp_path: Path) -> Engine:
    engine = create_store_engine(f"sqlite:///{tmp_path}/empty.db")
    upgrade(engine)
    return engine


def _write_gz(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def _tiny_folder(tmp_path: Path) -> Path:
    """A valid three-file data set of one product, one household and one basket."""
    folder = tmp_path / "cj"
    folder.mkdir()
    _write_gz(
        folder / PRODUCTS_FILE,
        [
            "product_id",
            "manufacturer_id",
            "department",
            "brand",
            "product_category",
            "product_type",
            "package_size",
        ],
        [["1", "2", "GROCERY", "National", "EGGS", "EGGS - LARGE", "1 DZ"]],
    )
    _write_gz(
        folder / TRANSACTIONS_FILE,
        [
            "household_id",
            "store_id",
            "basket_id",
            "product_id",
            "quantity",
            "sales_value",
            "retail_disc",
            "coupon_disc",
            "coupon_match_disc",
            "week",
            "transaction_timestamp",
        ],
        [["7", "1", "99", "1", "2.0", "3.98", "0", "0", "0", "1", "2017-01-02 10:00:00"]],
    )
    _write_gz(
        folder / DEMOGRAPHICS_FILE,
        [
            "household_id",
            "age",
            "income",
            "home_ownership",
            "marital_status",
            "household_size",
            "household_comp",
            "kids_count",
        ],
        [["7", "25-34", "50-74K", "", "Married", "5+", "2 Adults Kids", "3+"]],
    )
    return folder


def test_tiny_folder_imports(tmp_path: Path) -> None:
    engine = _empty_store(tmp_path)
    with Progress(disable=True) as progress:
        counts = import_completejourney(engine, _tiny_folder(tmp_path), progress=progress)
    assert all(task.finished for task in progress.tasks)
    assert (counts["products"], counts["orders"], counts["order_lines"]) == (1, 1, 1)
    with Session(engine) as s:
        line = s.scalars(select(OrderLine)).one()
        shopper = s.get(Shopper, "cj-7")
    assert (line.qty, line.unit_price) == (2, 199)
    assert shopper is not None and (shopper.kids_count, shopper.household_size) == (3, 5)


def test_failure_while_writing_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _empty_store(tmp_path)

    def fail(*_args: object, **_kwargs: object) -> dict[str, int]:
        raise RuntimeError("disk full")

    # Products and shoppers are written by then; the one transaction must take them back.
    monkeypatch.setattr(completejourney, "_write_orders", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        import_completejourney(engine, _tiny_folder(tmp_path))
    assert set(_table_counts(engine).values()) == {0}


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    engine = _empty_store(tmp_path)
    with pytest.raises(FileNotFoundError, match="folder not found"):
        import_completejourney(engine, tmp_path / "nowhere")


def test_missing_file_is_named(tmp_path: Path) -> None:
    engine = _empty_store(tmp_path)
    folder = _tiny_folder(tmp_path)
    (folder / TRANSACTIONS_FILE).unlink()
    with pytest.raises(FileNotFoundError, match=TRANSACTIONS_FILE):
        import_completejourney(engine, folder)


def test_missing_column_is_named(tmp_path: Path) -> None:
    engine = _empty_store(tmp_path)
    folder = _tiny_folder(tmp_path)
    _write_gz(folder / DEMOGRAPHICS_FILE, ["household_id", "age"], [["7", "25-34"]])
    with pytest.raises(ValueError, match=rf"{DEMOGRAPHICS_FILE}.*missing column.*income"):
        import_completejourney(engine, folder)
    assert _table_counts(engine)["products"] == 0


def test_bad_value_names_file_and_line_and_writes_nothing(tmp_path: Path) -> None:
    engine = _empty_store(tmp_path)
    folder = _tiny_folder(tmp_path)
    with gzip.open(folder / TRANSACTIONS_FILE, "rt", encoding="utf-8") as fh:
        text = fh.read()
    with gzip.open(folder / TRANSACTIONS_FILE, "wt", encoding="utf-8") as fh:
        fh.write(text + "7,1,100,1,one,1.00,0,0,0,1,2017-01-03 10:00:00\n")
    with pytest.raises(ValueError, match=rf"{TRANSACTIONS_FILE} line 3"):
        import_completejourney(engine, folder)
    assert set(_table_counts(engine).values()) == {0}


def test_not_gzip_is_a_clear_error(tmp_path: Path) -> None:
    engine = _empty_store(tmp_path)
    folder = _tiny_folder(tmp_path)
    (folder / PRODUCTS_FILE).write_text("product_id\n1\n")
    with pytest.raises(ValueError, match=rf"{PRODUCTS_FILE}.*not a readable gzipped"):
        import_completejourney(engine, folder)


# ---------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 GA", (1.0, "GA")),
        ("12 OZ", (12.0, "OZ")),
        ("1/2 GAL", (0.5, "GA")),
        ("12 PK/12 OZ", (12.0, "PK")),
        ("13 FL OZ", (13.0, "OZ")),
        ("5 LB BAG", (5.0, "LB")),
        ("5 X 7 IN", (1.0, "each")),
        ("LARGE", (1.0, "each")),
        ("", (1.0, "each")),
        ("0 OZ", (1.0, "each")),
    ],
)
def test_parse_package_size(text: str, expected: tuple[float, str]) -> None:
    assert parse_package_size(text) == expected


def test_parse_id_accepts_exponent_form_and_rejects_fractions() -> None:
    assert parse_id("4.0128e+10") == 40_128_000_000
    assert parse_id("9e+05") == 900_000
    with pytest.raises(ValueError):
        parse_id("1.5")


def test_title_words() -> None:
    assert title_words("FLUID MILK WHITE ONLY") == "Fluid Milk White Only"
    assert title_words("CAN CATFD GOURMET/SUP PREM (GR") == "Can Catfd Gourmet/Sup Prem (Gr"
    assert title_words("BABY'S FIRST") == "Baby's First"


# ---------------------------------------------------------------- the full year (--full)


def _parquet(path: Path, **columns: list[Any]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table(columns), path)
    return path


def test_full_transactions_hold_the_sample_with_the_same_values() -> None:
    # The shared folder's file is a random sample of the package's year: every sampled line
    # must come out of the parquet reader exactly as the CSV reader reads it.
    sample = {
        (line.basket_id, line.product_id): line
        for line in completejourney._parse_file(DATA / TRANSACTIONS_FILE, completejourney._line)
    }
    found, other_time = 0, []
    households = set()
    for line in completejourney.read_parquet_lines(completejourney.full_transactions_path()):
        assert type(line.ts) is dt.datetime
        households.add(line.household_id)
        mine = sample.get((line.basket_id, line.product_id))
        if mine is None:
            continue
        found += 1
        assert (line.household_id, line.quantity, line.cents) == (
            mine.household_id, mine.quantity, mine.cents,
        )  # fmt: skip
        if line.ts != mine.ts:
            other_time.append((mine, line))
    assert found == len(sample) == 75_000
    assert len(households) == 2_469
    # The two publications disagree on one time: a zero-quantity row (skipped by the import)
    # whose basket id R printed as "4.0128e+10", at 05:22:06 in the CSV and 05:22:00 here.
    assert [(m.basket_id, m.quantity, (m.ts - line.ts).seconds) for m, line in other_time] == [
        (40_128_000_000, 0, 6)
    ]


def test_parquet_lines_follow_the_csv_rules(tmp_path: Path) -> None:
    stamps = [dt.datetime(2017, 3, 1, 8, 30), dt.datetime(2017, 3, 1, 8, 31)]
    path = _parquet(
        tmp_path / "t.parquet",
        household_id=[7, 7], basket_id=[40_128_000_000, 40_128_000_000], product_id=[11, 12],
        quantity=[0, 3], sales_value=[0.0, 2.675], transaction_timestamp=stamps,
    )  # fmt: skip
    rows = [
        {"household_id": "7", "basket_id": "4.0128e+10", "product_id": "11", "quantity": "0",
         "sales_value": "0", "transaction_timestamp": "2017-03-01 08:30:00"},
        {"household_id": "7", "basket_id": "40128000000", "product_id": "12", "quantity": "3",
         "sales_value": "2.675", "transaction_timestamp": "2017-03-01 08:31:00"},
    ]  # fmt: skip
    lines = list(completejourney.read_parquet_lines(path))
    assert lines == [completejourney._line(r) for r in rows]
    assert [(line.quantity, line.cents) for line in lines] == [(0, 0), (3, 268)]


def test_parquet_without_a_needed_column_or_not_parquet_is_refused(tmp_path: Path) -> None:
    path = _parquet(tmp_path / "t.parquet", household_id=[1], basket_id=[2], product_id=[3])
    with pytest.raises(ValueError, match=r"missing column.*quantity.*sales_value"):
        list(completejourney.read_parquet_lines(path))
    junk = tmp_path / "junk.parquet"
    junk.write_text("household_id,basket_id\n1,2\n")
    with pytest.raises(ValueError, match="not a readable parquet"):
        list(completejourney.read_parquet_lines(junk))


def test_full_import_needs_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(completejourney, "FULL_PACKAGE", "no_such_package_here")
    engine = _empty_store(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"no_such_package_here.*make venv"):
        import_completejourney(engine, DATA, full=True)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 0
