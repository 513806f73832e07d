"""The seller dashboard's screenshot for the docs (docs/screenshots/dashboard.png): a demo
seller signed in, a tag suggestion and a listing's related products shown, the whole page.

Against a running seller API (`make demo`'s at http://127.0.0.1:8100 by default), signed in with
the seller's key from var/demo-credentials.json; it reads only. Korean text needs a Hangul font
(e.g. Debian's fonts-nanum), else the picture shows boxes.

Usage: .venv/bin/python scripts/dashboard_screenshot.py [--base URL] [--seller s001] [--out PNG]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("JANGBOGI_CHROMIUM") or "/usr/bin/chromium"
TITLE = "고려은단 유자청 1kg"


def seller_key(seller: str) -> str:
    from store.paths import var_dir

    creds = json.loads((var_dir() / "demo-credentials.json").read_text())
    for entry in creds["sellers"]:
        if entry["seller_id"] == seller:
            return str(entry["api_key"])
    raise SystemExit(f"error: no demo key for {seller} in var/demo-credentials.json")


def has_hangul_font() -> bool:
    if shutil.which("fc-list") is None:
        return True  # cannot tell; do not warn
    found = subprocess.run(["fc-list", ":lang=ko"], capture_output=True, text=True, check=False)
    return bool(found.stdout.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8100")
    parser.add_argument("--seller", default="s001")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots" / "dashboard.png")
    args = parser.parse_args()
    if not has_hangul_font():
        print("warning: no Hangul font installed; Korean text will show as boxes", file=sys.stderr)
    from playwright.sync_api import sync_playwright

    key = seller_key(args.seller)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_context(
                viewport={"width": 1280, "height": 900}, device_scale_factor=1
            ).new_page()
            page.goto(f"{args.base}/dashboard")
            page.get_by_test_id("api-key").fill(key)
            page.get_by_test_id("api-key").press("Enter")
            page.wait_for_selector("body[data-loaded=true]", timeout=60_000)
            page.get_by_test_id("tag-title").fill(TITLE)
            page.get_by_test_id("tag-title").press("Enter")
            page.wait_for_selector("[data-testid=tag]", timeout=60_000)
            page.get_by_test_id("listing").select_option(index=1)
            page.wait_for_selector("[data-testid=related]", timeout=60_000)
            page.evaluate("document.activeElement.blur()")
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out), full_page=True)
        finally:
            browser.close()
    print(f"==> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
