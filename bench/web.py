"""Shopper page benchmark: the first load's weight (every byte a fresh browser transfers for GET /
until the network is idle, against the 300 KB target) and the time from a typed message to its
product cards on the page, against the same search as a plain REST turn (`POST /v1/chat` with a
device token, the baseline) measured in the same run, interleaved (target: p50 ≤ 2× baseline).

A real browser (Debian's Chromium through Playwright, as the browser tests use) on the whole
stack (`jangbogi serve`) on its own ports over a scratch copy of the demo store.

Usage: .venv/bin/python bench/web.py [--turns 24]
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from store.paths import database_url  # noqa: E402
from tests.stack import chat, register_devices, scratch_store, start_stack, stop_stack  # noqa: E402

PORTS = {"RASA": 15605, "ACTION": 15655, "GATEWAY": 18610, "SELLER": 18620}
SEARCHES = ["화장지 찾아줘", "I need toilet paper", "생수 찾아줘", "세탁세제 찾아줘",
            "dish soap", "물티슈 보여줘"]  # fmt: skip
WEIGHT_TARGET_KB = 300
SPEED_TARGET = 2.0
CHROMIUM = os.environ.get("JANGBOGI_CHROMIUM") or "/usr/bin/chromium"

# Runs in the page: submit the message as Enter does, resolve with the milliseconds until a new
# product card is in the document (a MutationObserver sees it in the same frame it is added).
TYPED_TO_CARDS = """async (message) => {
  const box = document.querySelector('[data-testid=chat-input]');
  const cards = () => document.querySelectorAll('[data-testid=product-card]').length;
  const before = cards();
  return await new Promise((resolve, reject) => {
    let t0 = 0;
    const observer = new MutationObserver(() => {
      if (cards() > before) { observer.disconnect(); resolve(performance.now() - t0); }
    });
    observer.observe(document.getElementById('log'), { childList: true, subtree: true });
    setTimeout(() => { observer.disconnect(); reject(new Error('no product cards')); }, 60000);
    box.value = message;
    t0 = performance.now();
    box.form.requestSubmit();
  });
}"""


def pct(values: list[float], p: float) -> float:
    return float(np.percentile(values, p))


def first_load_bytes(browser: Any, base: str) -> tuple[int, int]:
    """Bytes transferred (headers and bodies, both ways) and requests made by a fresh profile
    opening the page, until the network has been idle for 500 ms."""
    ctx = browser.new_context(base_url=base)
    sizes: list[int] = []
    page = ctx.new_page()
    page.on("requestfinished", lambda req: sizes.append(sum(req.sizes().values())))
    page.goto("/", wait_until="networkidle")
    ctx.close()
    return sum(sizes), len(sizes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--turns", type=int, default=24)
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"no Chromium at {CHROMIUM}: run `make browser` or set JANGBOGI_CHROMIUM")
    env = {**os.environ, **{f"JANGBOGI_{k}_PORT": str(v) for k, v in PORTS.items()},
           "JANGBOGI_DEMO_MODE": "0"}  # fmt: skip
    with scratch_store(env) as scratch_env:
        url = scratch_env.get("DATABASE_URL") or database_url()
        token = register_devices(url, ["bench-web-rest"])["bench-web-rest"]
        proc, _ = start_stack(scratch_env)
        try:
            run(args, token)
        finally:
            stop_stack(proc, signal.SIGINT)


def run(args: argparse.Namespace, token: str) -> None:
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{PORTS['GATEWAY']}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            weight, requests = first_load_bytes(browser, base)
            share = weight / 1000 / WEIGHT_TARGET_KB
            print(f"first load: {weight / 1000:.1f} KB in {requests} requests "
                  f"({share:.2f}x the {WEIGHT_TARGET_KB} KB target)")  # fmt: skip
            ctx = browser.new_context(base_url=base)
            page = ctx.new_page()
            page.goto("/", wait_until="networkidle")
            chat(PORTS["GATEWAY"], token, SEARCHES[0])  # warm: the action server's first search
            page.evaluate(TYPED_TO_CARDS, SEARCHES[0])
            rest, web = [], []
            for i in range(args.turns):
                message = SEARCHES[i % len(SEARCHES)]
                t = time.perf_counter()
                replies = chat(PORTS["GATEWAY"], token, message)
                rest.append((time.perf_counter() - t) * 1000)
                assert any(r.get("custom", {}).get("type") == "products" for r in replies), message
                web.append(float(page.evaluate(TYPED_TO_CARDS, message)))
            ctx.close()
        finally:
            browser.close()
    print(f"turns per kind: {args.turns} (searches, interleaved)")
    for name, values in (("REST turn (baseline)", rest), ("typed → cards", web)):
        ratio = pct(values, 50) / pct(rest, 50)
        print(f"  {name:<21} p50 {pct(values, 50):7.1f} ms  p95 {pct(values, 95):7.1f} ms  "
              f"{ratio:5.2f}x baseline p50")  # fmt: skip
    print(f"target: typed → cards p50 ≤ {SPEED_TARGET:g}x the REST turn; "
          f"first load ≤ {WEIGHT_TARGET_KB} KB")  # fmt: skip


if __name__ == "__main__":
    main()
