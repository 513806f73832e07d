"""Chat benchmark: round-trip latency of a search turn and a cart turn (custom actions) against a
plain Rasa turn without actions (the baseline) in the same run, and throughput at 10 concurrent
conversations. Every turn goes as a client's does: the gateway's `POST /v1/chat` with a device
token per shopper (Rasa's port takes only the gateway's signed turns), so the figures include the
gateway's hop. Starts the whole stack (`jangbogi serve`) on its own ports over a scratch copy of
the demo store (the benchmark's shoppers, devices and orders never reach the demo data).

Usage: .venv/bin/python bench/chat.py [--turns 60] [--concurrency 10]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from store.paths import database_url  # noqa: E402
from tests.stack import chat, register_devices, scratch_store, start_stack, stop_stack  # noqa: E402

PORTS = {"RASA": 15305, "ACTION": 15355, "GATEWAY": 18310, "SELLER": 18320}
SEARCHES = ["화장지 찾아줘", "I need toilet paper", "생수 2리터", "세탁세제 찾아줘", "nappies",
            "쌀 10kg", "dish soap", "물티슈 보여줘"]  # fmt: skip


TOKENS: dict[str, str] = {}  # shopper → device token, registered before the stack starts


def say(sender: str, message: str) -> tuple[float, list]:
    t = time.perf_counter()
    body = chat(PORTS["GATEWAY"], TOKENS[sender], message)
    return (time.perf_counter() - t) * 1000, body


def senders(args: argparse.Namespace) -> list[str]:
    return ["bench-warm", *(f"bench-{i}" for i in range(args.turns)),
            *(f"bench-conc-{n}" for n in range(args.concurrency * 4))]  # fmt: skip


def pct(values: list[float], p: float) -> float:
    return float(np.percentile(values, p))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--turns", type=int, default=60)
    ap.add_argument("--concurrency", type=int, default=10)
    args = ap.parse_args()
    env = {**os.environ, **{f"JANGBOGI_{k}_PORT": str(v) for k, v in PORTS.items()}}
    with scratch_store(env) as scratch_env:
        url = scratch_env.get("DATABASE_URL") or database_url()
        TOKENS.update(register_devices(url, senders(args)))
        proc, _ = start_stack(scratch_env)
        try:
            run(args)
        finally:
            stop_stack(proc, signal.SIGINT)


def run(args: argparse.Namespace) -> None:
    say("bench-warm", SEARCHES[0])  # loads the model and index in the action server
    plain, search, cart = [], [], []
    for i in range(args.turns):
        sender = f"bench-{i}"
        plain.append(say(sender, "안녕하세요" if i % 2 else "hello")[0])
        search.append(say(sender, SEARCHES[i % len(SEARCHES)])[0])
        cart.append(say(sender, "장바구니 보여줘" if i % 2 else "view cart")[0])
    print(f"turns per kind: {args.turns}")
    for name, values in (("plain (baseline)", plain), ("search", search), ("cart", cart)):
        ratio = pct(values, 50) / pct(plain, 50)
        print(f"  {name:<17} p50 {pct(values, 50):7.1f} ms  p95 {pct(values, 95):7.1f} ms  "
              f"{ratio:5.2f}x baseline p50")  # fmt: skip

    def conversation(n: int) -> int:
        sender = f"bench-conc-{n}"
        turns = 0
        for message in (SEARCHES[n % len(SEARCHES)], "두 개 담아줘" if n % 2 else "add two",
                        "장바구니 보여줘" if n % 2 else "view cart"):  # fmt: skip
            say(sender, message)
            turns += 1
        return turns

    t = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        done = sum(pool.map(conversation, range(args.concurrency * 4)))
    elapsed = time.perf_counter() - t
    print(f"throughput at {args.concurrency} concurrent conversations: "
          f"{done / elapsed:.1f} turns/s ({done} turns in {elapsed:.1f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
