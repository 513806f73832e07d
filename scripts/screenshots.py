"""Screenshots of the shopper page for the docs: a Korean and an English conversation (search, add,
checkout question), each at phone width (375 px) and on a desktop, and, when the gateway is in
demo mode, a seeded demo shopper's search with its personal reasons; into docs/screenshots/.

Against a running gateway (`--base http://127.0.0.1:8000`, e.g. `make demo`'s), or, without
`--base`, the whole stack on its own ports over a scratch copy of the demo store (as the
benchmarks do), so the pictures' shoppers and carts never reach the demo data.

Usage: .venv/bin/python scripts/screenshots.py [--base URL] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PORTS = {"RASA": 15705, "ACTION": 15755, "GATEWAY": 18710, "SELLER": 18720}
CHROMIUM = os.environ.get("JANGBOGI_CHROMIUM") or "/usr/bin/chromium"
SIZES = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 800}}
SCRIPTS = {"ko": ("화장지 찾아줘", "결제할게요"), "en": ("I need toilet paper", "checkout")}
DEMO_SHOPPER = "u00001"


def say(page: Any, text: str) -> None:
    from playwright.sync_api import expect

    log = page.get_by_test_id("conversation")
    done = int(log.get_attribute("data-turns") or 0) + 1
    page.get_by_test_id("chat-input").fill(text)
    page.get_by_test_id("chat-input").press("Enter")
    expect(log).to_have_attribute("data-turns", str(done), timeout=60_000)


def shoot(browser: Any, base: str, out: Path) -> list[Path]:
    from playwright.sync_api import expect

    saved = []
    for lang, (search, checkout) in SCRIPTS.items():
        for name, viewport in SIZES.items():
            ctx = browser.new_context(base_url=base, viewport=viewport, device_scale_factor=1,
                                      locale="ko-KR" if lang == "ko" else "en-US")  # fmt: skip
            page = ctx.new_page()
            page.goto("/", wait_until="networkidle")
            say(page, search)
            cards = page.get_by_test_id("product-card")
            cards.nth(0).get_by_test_id("add-to-cart").click()
            expect(page.get_by_test_id("cart-line")).to_have_count(1)
            cards.nth(1).get_by_test_id("add-to-cart").click()
            expect(page.get_by_test_id("cart-line")).to_have_count(2)
            say(page, checkout)  # on a phone the cart stays folded into its one-line summary
            path = out / f"shopper-{lang}-{name}.png"
            page.screenshot(path=str(path))
            saved.append(path)
            ctx.close()
    # A seeded demo shopper (demo mode only): the personal ranking's reasons on the cards.
    ctx = browser.new_context(base_url=base, viewport=SIZES["desktop"], locale="ko-KR")
    page = ctx.new_page()
    if page.goto(f"/?shopper={DEMO_SHOPPER}").status == 200:
        say(page, SCRIPTS["ko"][0])
        path = out / "shopper-ko-demo-shopper.png"
        page.screenshot(path=str(path))
        saved.append(path)
    ctx.close()
    return saved


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", help="a running gateway; default: start the stack on a scratch store")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    def run(base: str) -> None:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
            try:
                for path in shoot(browser, base, args.out):
                    print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
            finally:
                browser.close()

    if args.base:
        run(args.base.rstrip("/"))
        return
    from tests.stack import scratch_store, stack_running

    env = {**os.environ, **{f"JANGBOGI_{k}_PORT": str(v) for k, v in PORTS.items()}}
    with scratch_store(env) as scratch_env, stack_running(scratch_env):
        run(f"http://127.0.0.1:{PORTS['GATEWAY']}")


if __name__ == "__main__":
    main()
