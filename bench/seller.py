"""Seller API benchmark: ROAS by campaign and buyer insights for a 30-day range on a store with
10M events (SQLite file), p50/p95 latency, against an unindexed baseline measured in the same run.

The store is synthetic but shaped like the demo's: 50 sellers, 2,000 products, 100k shoppers
with known attributes, a year of orders (one purchase event per line), ad clicks on each
seller's campaigns, daily spend rows, and searches/impressions/clicks up to the event total.
Rows go in through the sqlite3 cursor with the event_log indexes dropped during the load and
recreated after it (as the demo writer does).

Measured per call, like the API does it: ``roas_report`` (spend, clicks with last-click
attribution, group by campaign) and the customers insight (buyers, gender × age band, lifestyle
of the buyers from a model trained once before timing — its training time is printed apart).
The baseline runs the same calls after dropping the per-seller indexes (``event_log`` by seller,
kind and time; ``order_lines`` by seller), i.e. what the queries cost without them.
Usage: ``.venv/bin/python bench/seller.py [--events 10000000] [--runs 15] [--keep PATH]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.orm import Session

from seller_api.analytics import insights, lifestyle, roas
from store.db import create_store_engine
from store.migrate import upgrade
from store.taxonomy import load_taxonomy

SELLERS = 50
PRODUCTS = 2_000
SHOPPERS = 100_000
DAYS = 365
END = dt.datetime(2026, 11, 1)
START = END - dt.timedelta(days=DAYS)
CAMPAIGNS_PER_SELLER = 3
KEYWORDS = 4
SELLER_INDEXES = ("ix_event_log_seller_kind_ts", "ix_order_lines_seller_order")
FMT = "%Y-%m-%d %H:%M:%S.%f"


def _ts(seconds: np.ndarray) -> list[str]:
    base = START.timestamp()
    return [dt.datetime.fromtimestamp(base + float(s), dt.UTC).strftime(FMT) for s in seconds]


def _chunks(n: int, size: int = 500_000) -> Iterator[tuple[int, int]]:
    for start in range(0, n, size):
        yield start, min(n, start + size)


def build(path: Path, n_events: int, rng: np.random.Generator, log: Callable[[str], None]) -> None:
    engine = create_store_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    tax = load_taxonomy()
    types = tax.keys()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    indexes = (
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL"
        " AND tbl_name IN ('event_log', 'order_lines')"
    )
    found = con.execute(indexes).fetchall()
    ddl = [sql for _, sql in found]
    for name, _ in found:
        con.execute(f"DROP INDEX {name}")
    now = END.strftime(FMT)
    sellers = [f"b{i:03d}" for i in range(SELLERS)]
    con.executemany("INSERT INTO sellers (id, name, created_at) VALUES (?, ?, ?)",
                    [(s, f"Seller {s}", now) for s in sellers])  # fmt: skip
    p_seller = rng.integers(0, SELLERS, PRODUCTS)
    p_type = rng.integers(0, len(types), PRODUCTS)
    p_price = rng.integers(1_000, 40_000, PRODUCTS) // 10 * 10
    con.executemany(
        "INSERT INTO products (id, seller_id, type_key, name_en, name_ko, brand, size, unit, price,"
        " currency, stock, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(i + 1, sellers[p_seller[i]], types[p_type[i]], f"Product {i}", f"상품 {i}", "Brand",
          float(tax[types[p_type[i]]].sizes[0]), tax[types[p_type[i]]].unit, int(p_price[i]),
          "KRW", 100, now, now) for i in range(PRODUCTS)],
    )  # fmt: skip
    gender = rng.choice(["F", "M"], SHOPPERS)
    band = rng.choice(["20s", "30s", "40s", "50s", "60s+"], SHOPPERS)
    kids = rng.integers(0, 3, SHOPPERS)
    married = (kids > 0) | (rng.random(SHOPPERS) < 0.3)
    con.executemany(
        "INSERT INTO shoppers (id, source, gender, age_band, married, kids_count, household_size,"
        " created_at) VALUES (?,?,?,?,?,?,?,?)",
        [(f"h{i:06d}", "bench", str(gender[i]), str(band[i]), int(married[i]), int(kids[i]),
          1 + int(married[i]) + int(kids[i]), now) for i in range(SHOPPERS)],
    )  # fmt: skip
    # Orders: ~8% of events are purchase lines, 1.8 lines per order.
    n_lines = int(n_events * 0.08)
    n_orders = int(n_lines / 1.8)
    o_shopper = rng.integers(0, SHOPPERS, n_orders)
    o_ts = np.sort(rng.uniform(0, DAYS * 86_400, n_orders))
    o_when = _ts(o_ts)
    line_order = np.sort(rng.integers(0, n_orders, n_lines))
    # Households with children buy more of the baby and household types (a learnable signal).
    l_product = rng.integers(0, PRODUCTS, n_lines)
    l_qty = rng.integers(1, 4, n_lines)
    status = np.where(rng.random(n_orders) < 0.015, "cancelled", "delivered")
    con.executemany(
        "INSERT INTO orders (id, shopper_id, status, total, currency, source, created_at)"
        " VALUES (?,?,?,?,?,?,?)",
        [(i + 1, f"h{o_shopper[i]:06d}", str(status[i]), 0, "KRW", "chat", o_when[i])
         for i in range(n_orders)],
    )  # fmt: skip
    con.executemany(
        "INSERT INTO order_lines (id, order_id, product_id, seller_id, qty, unit_price)"
        " VALUES (?,?,?,?,?,?)",
        [(i + 1, int(line_order[i]) + 1, int(l_product[i]) + 1, sellers[p_seller[l_product[i]]],
          int(l_qty[i]), int(p_price[l_product[i]])) for i in range(n_lines)],
    )  # fmt: skip
    log(f"  {n_orders:,} orders, {n_lines:,} lines")
    # Campaigns, keywords, daily spend.
    camp_rows, kw_rows, spend_rows = [], [], []
    cid = 0
    for s in sellers:
        for c in range(CAMPAIGNS_PER_SELLER):
            cid += 1
            camp_rows.append((cid, s, f"Campaign {c}", 10_000, now))
            for k in range(KEYWORDS):
                kw_rows.append((len(kw_rows) + 1, cid, f"kw{k}"))
                for d in range(DAYS):
                    day = (START + dt.timedelta(days=d)).date().isoformat()
                    spend_rows.append(
                        (
                            len(spend_rows) + 1,
                            cid,
                            f"kw{k}",
                            day,
                            int(rng.integers(0, 3000)),
                            int(rng.integers(0, 8)),
                        )
                    )
    con.executemany(
        "INSERT INTO ad_campaigns (id, seller_id, name, daily_budget, created_at)"
        " VALUES (?,?,?,?,?)",
        camp_rows,
    )
    con.executemany("INSERT INTO ad_keywords (id, campaign_id, keyword) VALUES (?,?,?)", kw_rows)
    con.executemany(
        "INSERT INTO ad_spend (id, campaign_id, keyword, date, cost, clicks) VALUES (?,?,?,?,?,?)",
        spend_rows,
    )
    con.commit()
    # Events: purchase lines, ad clicks (2%), the rest searches, impressions and clicks.
    cols = (
        "(ts, kind, shopper_id, session_id, query, language, product_id, seller_id, page, slot,"
        " order_id, campaign_id, keyword, qty)"
    )
    sql = f"INSERT INTO event_log {cols} VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    l_ts = o_ts[line_order]
    for a, b in _chunks(n_lines):
        when = _ts(l_ts[a:b])
        con.executemany(sql, [
            (when[j - a], "purchase", f"h{o_shopper[line_order[j]]:06d}", None, None, None,
             int(l_product[j]) + 1, sellers[p_seller[l_product[j]]], None, None,
             int(line_order[j]) + 1, None, None, int(l_qty[j])) for j in range(a, b)])  # fmt: skip
    n_ads = int(n_events * 0.02)
    # Half the ad clicks come from buyers shortly before their order, so attribution has work.
    pick = rng.integers(0, n_lines, n_ads)
    a_ts = np.clip(l_ts[pick] - rng.uniform(0, 10 * 86_400, n_ads), 0, None)
    a_shopper = np.where(
        rng.random(n_ads) < 0.5, o_shopper[line_order[pick]], rng.integers(0, SHOPPERS, n_ads)
    )
    a_seller = p_seller[l_product[pick]]
    a_campaign = a_seller * CAMPAIGNS_PER_SELLER + rng.integers(0, CAMPAIGNS_PER_SELLER, n_ads) + 1
    for a, b in _chunks(n_ads):
        when = _ts(a_ts[a:b])
        con.executemany(sql, [
            (when[j - a], "ad_click", f"h{a_shopper[j]:06d}", None, "kw", "ko",
             int(l_product[pick[j]]) + 1, sellers[a_seller[j]], None, None, None,
             int(a_campaign[j]), f"kw{j % KEYWORDS}", None)
            for j in range(a, b)])  # fmt: skip
    rest = n_events - n_lines - n_ads
    kinds = np.array(["search", "impression", "impression", "impression", "impression", "click"])
    for a, b in _chunks(rest):
        n = b - a
        kind = kinds[rng.integers(0, len(kinds), n)]
        prod = rng.integers(0, PRODUCTS, n)
        when = _ts(rng.uniform(0, DAYS * 86_400, n))
        shopper = rng.integers(0, SHOPPERS, n)
        slot = rng.integers(1, 9, n)
        con.executemany(sql, [
            (when[j], str(kind[j]), f"h{shopper[j]:06d}", None, "생수", "ko",
             None if kind[j] == "search" else int(prod[j]) + 1,
             None if kind[j] == "search" else sellers[p_seller[prod[j]]],
             None if kind[j] == "search" else "search",
             None if kind[j] == "search" else int(slot[j]),
             None, None, None, None) for j in range(n)])  # fmt: skip
        con.commit()
        log(f"  events {n_lines + n_ads + b:,} / {n_events:,}")
    t = time.perf_counter()
    for statement in ddl:
        con.execute(statement)
    con.execute("ANALYZE")
    con.commit()
    con.close()
    log(f"  indexes built in {time.perf_counter() - t:.0f} s")


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def measure(
    engine: object, sellers: list[str], runs: int, model: lifestyle.LifestyleModel
) -> dict[str, list[float]]:
    end = END.date() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=29)
    since, until = (
        dt.datetime.combine(start, dt.time()),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time()),
    )
    out: dict[str, list[float]] = {"roas": [], "customers": []}

    def customers(s: Session, seller: str) -> None:
        spent = insights.buyers(s, seller, since, until)
        insights.demographics(s, spent)
        rows = lifestyle.load_pairs(s, seller_id=seller, shoppers=set(spent), until=until)
        lifestyle.summarise(model.predict(rows))

    for i in range(runs):
        seller = sellers[i % len(sellers)]
        with Session(engine) as s:  # type: ignore[call-overload]
            out["roas"] += timed(
                functools.partial(roas.roas_report, s, seller, start, end, "campaign", 7), 1
            )
            out["customers"] += timed(functools.partial(customers, s, seller), 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--baseline-runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="build the store here and keep it")
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    folder = Path(tempfile.mkdtemp(prefix="seller-bench-"))
    path = args.keep or folder / "bench.db"
    if not path.exists():
        t = time.perf_counter()
        print(f"building a store with {args.events:,} events at {path} …")
        build(path, args.events, rng, print)
        print(f"built in {time.perf_counter() - t:.0f} s")
    engine = create_store_engine(f"sqlite:///{path}")
    t = time.perf_counter()
    with Session(engine) as s:
        model = lifestyle.train(s, targets=("married", "children"), evaluate=False)
    print(f"lifestyle model trained once in {time.perf_counter() - t:.1f} s (cached per process)")
    sellers = [f"b{i:03d}" for i in range(0, SELLERS, 5)]
    measure(engine, sellers[:2], 2, model)  # warm the page cache
    fast = measure(engine, sellers, args.runs, model)
    engine.dispose()
    con = sqlite3.connect(path)
    for name in SELLER_INDEXES:
        con.execute(f"DROP INDEX IF EXISTS {name}")
    con.commit()
    con.close()
    engine = create_store_engine(f"sqlite:///{path}")
    slow = measure(engine, sellers, args.baseline_runs, model)
    print(
        f"\n30-day range, {args.runs} runs over {len(sellers)} sellers (baseline: "
        f"{args.baseline_runs} runs without the per-seller indexes)"
    )
    print(f"{'query':<12}{'p50 ms':>10}{'p95 ms':>10}{'baseline p50':>15}{'ratio':>9}")
    for key in ("roas", "customers"):
        p50 = statistics.median(fast[key])
        p95 = float(np.percentile(fast[key], 95))
        base = statistics.median(slow[key])
        print(f"{key:<12}{p50:>10.1f}{p95:>10.1f}{base:>15.1f}{base / p50:>8.1f}×")
    print("target: p50 ≤ 500 ms on 2 cores")


if __name__ == "__main__":
    main()
