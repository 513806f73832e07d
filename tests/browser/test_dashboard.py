"""The seller dashboard (`GET /dashboard` on the seller API) in Debian's Chromium, against the
session's `jangbogi serve` on a scratch copy of the demo store: the four charts drawn, a wrong
or revoked key refused with nothing shown, one seller never seeing another's data, tags with
their reasons, related products, the audience export, and the page's own message when the chart
library is missing. Every request the page makes goes to the seller API and nowhere else."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import create_engine

from tests.browser.conftest import Stack

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHARTS = ("chart-roas", "chart-searches", "chart-lifestyle", "chart-slots")
# Two demo sellers with different catalogues and campaigns: a house seller carrying every
# category and a baby shop (the same pair as tests/seller_api/test_isolation.py).
A, B = "s009", "s001"
LOAD_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def seller(stack: Stack) -> str:
    """The stack's seller API, with the demo's lifestyle model saved under the scratch store's
    name: the model file is named after the store's URL, and without it the API would train a
    new one in the background (minutes of both cores) instead of answering."""
    from seller_api.analytics.lifestyle import model_path
    from store.paths import var_dir

    # On PostgreSQL the stack runs on the store itself (no scratch var dir).
    folder = Path(stack.env.get("JANGBOGI_VAR_DIR") or var_dir()) / "lifestyle"
    target = model_path(create_engine(stack.database_url), folder)
    saved = sorted(folder.glob("model-*.pkl"), key=lambda p: p.stat().st_mtime)
    if not target.exists() and saved:
        shutil.copy2(saved[-1], target)
        if saved[-1].with_suffix(".json").exists():
            shutil.copy2(saved[-1].with_suffix(".json"), target.with_suffix(".json"))
    return stack.seller


@pytest.fixture(scope="module")
def keys(stack: Stack) -> dict[str, str]:
    return {s["seller_id"]: s["api_key"] for s in stack.credentials()["sellers"]}


@pytest.fixture(scope="module")
def period(stack: Stack) -> dict[str, str]:
    """The demo data's last 30 days. The page's default range ends at the seller's last sale,
    which moves to today once a chat test of the same session orders from that seller; the
    tests pin the demo's days so that what they expect is there."""
    from sqlalchemy.orm import Session as DbSession

    from store.models import Meta

    engine = create_engine(stack.database_url)
    try:
        with DbSession(engine) as s:
            config = json.loads(s.get_one(Meta, "demo_config").value)
    finally:
        engine.dispose()
    end = dt.date.fromisoformat(config["end_date"]) - dt.timedelta(days=1)
    return {"from": (end - dt.timedelta(days=29)).isoformat(), "to": end.isoformat()}


def api(base: str, key: str, path: str, **params: Any) -> Any:
    """The same endpoint the page calls, called directly: what the seller may see."""
    query = urllib.parse.urlencode(params)
    req = urllib.request.Request(f"{base}{path}?{query}", headers={"X-API-Key": key})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


class Session:
    """One browser tab on the dashboard, recording every request and error it sees."""

    def __init__(self, context: BrowserContext, base: str) -> None:
        self.base = base
        self.page: Page = context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def open(self) -> None:
        self.page.goto(f"{self.base}/dashboard")

    def sign_in(
        self, key: str, period: dict[str, str] | None = None, *, expect_data: bool = True
    ) -> None:
        box = self.page.get_by_test_id("api-key")
        box.fill(key)
        box.press("Enter")
        if expect_data:
            self.wait_loaded()
        if period:
            self.show_period(period)

    def show_period(self, period: dict[str, str]) -> None:
        """Choose the reports' days in the page's own from/to form."""
        self.page.get_by_test_id("from").fill(period["from"])
        self.page.get_by_test_id("to").fill(period["to"])
        self.page.get_by_test_id("to").press("Enter")
        self.wait_loaded()

    def wait_loaded(self) -> None:
        self.page.wait_for_selector("body[data-loaded=true]", timeout=LOAD_TIMEOUT_MS)

    def sign_out(self) -> None:
        self.page.click("#sign-out")

    def text(self) -> str:
        """What the tab shows: the page's visible text and every label and value the charts
        draw (those are pixels on a canvas, not text in the page)."""
        return str(
            self.page.evaluate(
                """() => [document.body.innerText,
                          ...[...document.querySelectorAll("canvas")].map((c) => {
                            const chart = window.Chart && Chart.getChart(c);
                            return chart ? JSON.stringify(chart.data.labels) + JSON.stringify(
                              chart.data.datasets.map((d) => [d.label, d.data])) : "";
                          })].join("\\n")"""
            )
        )

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(f"{self.base}/")]


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def tab(context: BrowserContext, seller: str) -> Session:
    session = Session(context, seller)
    session.open()
    return session


def drawn_charts(page: Page, test_id: str) -> list[dict[str, Any]]:
    """Each canvas in the container: its size on screen and whether Chart.js drew data on it."""
    return list(
        page.get_by_test_id(test_id).evaluate(
            """(box) => [...box.querySelectorAll("canvas")].map((c) => {
                 const chart = Chart.getChart(c);
                 const r = c.getBoundingClientRect();
                 return {
                   width: r.width, height: r.height, pixels: c.width * c.height,
                   chart: Boolean(chart),
                   points: chart ? chart.data.datasets.flatMap((d) => d.data)
                                    .filter((v) => v !== null && v > 0).length : 0,
                 };
               })"""
        )
    )


def set_window(page: Page, days: int) -> None:
    """Move the attribution window slider as a user drags it (an input event)."""
    page.get_by_test_id("attribution-window").evaluate(
        "(el, days) => { el.value = String(days); el.dispatchEvent(new Event('input')); }", days
    )


def test_the_four_charts_are_drawn_with_data(
    tab: Session, keys: dict[str, str], period: dict[str, str]
) -> None:
    tab.sign_in(keys[B], period)
    assert tab.page.get_by_test_id("seller-name").inner_text() == f"Jangbogi Mart ({B})"
    for test_id in CHARTS:
        canvases = drawn_charts(tab.page, test_id)
        assert canvases, test_id
        for c in canvases:
            assert c["chart"] and c["width"] > 100 and c["height"] > 100, (test_id, c)
            assert c["pixels"] > 0 and c["points"] > 0, (test_id, c)
    # The advice beside the charts and the model's measured accuracy are there too.
    for test_id in ("budget", "searches-advice", "slots-advice", "loyal-advice"):
        assert tab.page.get_by_test_id(test_id).inner_text().strip(), test_id
    accuracy = tab.page.get_by_test_id("lifestyle-accuracy").locator("tbody tr")
    assert accuracy.count() >= 2 and "%" in accuracy.first.inner_text()
    assert not tab.foreign_requests() and not tab.errors, (tab.foreign_requests(), tab.errors)


def test_the_attribution_window_refetches_roas(
    tab: Session, keys: dict[str, str], period: dict[str, str]
) -> None:
    tab.sign_in(keys[B], period)
    with tab.page.expect_response(
        lambda r: "/v1/ads/roas" in r.url and "attribution_window_days=30" in r.url
    ) as answer:
        set_window(tab.page, 30)
    assert answer.value.status == 200
    tab.page.wait_for_function(
        """() => Chart.getChart(document.getElementById("roas-campaigns"))
                   .options.plugins.title.text.includes("30-day")"""
    )
    assert "30 days" in tab.page.locator("#window-days").inner_text()


def test_a_chosen_period_applies_to_every_report(tab: Session, keys: dict[str, str]) -> None:
    tab.sign_in(keys[B])
    last = tab.page.get_by_test_id("to").input_value()  # the API's default: the last sale
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", last)
    first = (dt.date.fromisoformat(last) - dt.timedelta(days=6)).isoformat()
    tab.requests.clear()
    tab.page.get_by_test_id("from").fill(first)
    with tab.page.expect_response(lambda r: "/v1/customers/loyal" in r.url):
        tab.page.get_by_test_id("to").press("Enter")
    tab.page.wait_for_load_state("networkidle")
    for path in ("/v1/ads/roas", "/v1/insights/search-terms", "/v1/insights/customers",
                 "/v1/insights/page-slots", "/v1/customers/loyal"):  # fmt: skip
        asked = [u for u in tab.requests if path in u]
        assert asked and all(f"from={first}" in u and f"to={last}" in u for u in asked), path

    # A range the API refuses is explained on the page, naming the field.
    tab.page.get_by_test_id("from").fill(last)
    tab.page.get_by_test_id("to").fill(first)
    tab.page.get_by_test_id("to").press("Enter")
    state = tab.page.locator("#roas-state.bad")
    state.wait_for()
    assert "from" in state.inner_text() and "after" in state.inner_text()


def test_a_wrong_key_is_refused_and_shows_nothing(tab: Session) -> None:
    tab.sign_in("jbk_this-key-does-not-exist", expect_data=False)
    error = tab.page.get_by_test_id("error")
    error.wait_for(state="visible")
    assert "not accepted" in error.inner_text()
    assert tab.page.locator("#dashboard").is_hidden()
    assert tab.page.evaluate("sessionStorage.length") == 0
    for test_id in CHARTS:
        assert not any(c["chart"] for c in drawn_charts(tab.page, test_id)), test_id


def test_a_key_revoked_while_signed_in_wipes_the_page(
    tab: Session, stack: Stack, seller: str, period: dict[str, str]
) -> None:
    from store.db import transaction
    from store.repo.credentials import issue_api_key, revoke_api_key

    engine = create_engine(stack.database_url)
    try:
        with transaction(engine) as s:
            issued = issue_api_key(s, "s002", label="dashboard browser test")
        tab.sign_in(issued.secret, period)
        roas = api(seller, issued.secret, "/v1/ads/roas", **period)
        campaigns = [c["campaign"] for c in roas["items"]]
        assert campaigns and campaigns[0] in tab.text()
        with transaction(engine) as s:
            revoke_api_key(s, issued.id)
    finally:
        engine.dispose()
    set_window(tab.page, 3)  # the page's next call is refused
    error = tab.page.get_by_test_id("error")
    error.wait_for(state="visible")
    assert "not accepted" in error.inner_text()
    assert tab.page.locator("#dashboard").is_hidden()
    assert not any(name in tab.text() for name in campaigns)
    assert tab.page.evaluate("sessionStorage.length") == 0


def _seen_by(base: str, key: str, period: dict[str, str]) -> dict[str, set[str]]:
    """What a seller's own API calls show: campaign names, product ids, top customers."""
    products: set[str] = set()
    cursor = None
    while True:
        page = api(base, key, "/v1/products", limit=100, **({"cursor": cursor} if cursor else {}))
        products |= {str(p["id"]) for p in page["items"]}
        if not (cursor := page["next"]):
            break
    return {
        "campaigns": {c["campaign"] for c in api(base, key, "/v1/ads/roas", **period)["items"]},
        "products": products,
    }


def test_one_seller_never_sees_anothers_data(
    context: BrowserContext,
    browser: Browser,
    seller: str,
    keys: dict[str, str],
    period: dict[str, str],
) -> None:
    own = {s: _seen_by(seller, keys[s], period) for s in (A, B)}
    only = {
        s: {k: own[s][k] - own[o][k] for k in own[s]} for s, o in ((A, B), (B, A))
    }  # fmt: skip
    assert only[A]["campaigns"] and only[B]["campaigns"] and only[B]["products"]

    tab = Session(context, seller)
    tab.open()
    for me, other in ((A, B), (B, A)):
        tab.sign_in(keys[me], period)
        text = tab.text()
        assert all(name in text for name in only[me]["campaigns"]), me
        assert not any(name in text for name in only[other]["campaigns"]), me
        listed = set(tab.page.locator("#listing option[value]:not([value=''])").evaluate_all(
            "(options) => options.map((o) => o.value)"
        ))  # fmt: skip
        assert listed and listed <= own[me]["products"], me
        tab.sign_out()
        # Signed out: nothing of the seller is left on the page or in the tab's storage.
        assert not any(name in tab.text() for name in only[me]["campaigns"])
        assert tab.page.locator("#listing option").count() == 0
        assert tab.page.evaluate("sessionStorage.length") == 0

    # The key stays in its tab: another browser's tab on the same page starts signed out.
    other_context = browser.new_context()
    try:
        other = Session(other_context, seller)
        tab.sign_in(keys[A])
        other.open()
        other.page.get_by_test_id("api-key").wait_for(state="visible")
        assert other.page.locator("#dashboard").is_hidden()
        assert not any(name in other.text() for name in only[A]["campaigns"])
    finally:
        other_context.close()


def test_tags_are_listed_with_their_reasons(tab: Session, keys: dict[str, str]) -> None:
    tab.sign_in(keys[B])
    title = tab.page.get_by_test_id("tag-title")
    title.fill("고려은단 유자청 1kg")
    title.press("Enter")
    tags = tab.page.get_by_test_id("tag")
    tags.first.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert 1 <= tags.count() <= 10
    for i in range(tags.count()):
        name = tags.nth(i).locator(".tag-name").inner_text()
        why = tags.nth(i).locator(".tag-why").inner_text()
        assert 1 <= len(name) <= 10 and " " not in name, name
        assert "searches" in why, why
    assert "유자청" in [tags.nth(i).locator(".tag-name").inner_text() for i in range(tags.count())]


def test_related_products_of_a_chosen_listing(
    tab: Session, seller: str, keys: dict[str, str]
) -> None:
    tab.sign_in(keys[B])
    listing = tab.page.get_by_test_id("listing")
    product_id = listing.locator("option[value]:not([value=''])").first.get_attribute("value")
    assert product_id
    listing.select_option(product_id)
    rows = tab.page.get_by_test_id("related")
    rows.first.wait_for(timeout=LOAD_TIMEOUT_MS)
    expected = api(seller, keys[B], f"/v1/products/{product_id}/related", limit=10)["items"]
    assert rows.count() == len(expected) > 0
    owns = [rows.nth(i).get_attribute("data-own") for i in range(rows.count())]
    assert owns == [str(r["own"]).lower() for r in expected]


def test_the_audience_exports_as_csv(
    tab: Session, seller: str, keys: dict[str, str], period: dict[str, str]
) -> None:
    tab.sign_in(keys[B], period)
    loyal = api(seller, keys[B], "/v1/customers/loyal", limit=1, **period)
    target = loyal["audience_segment"]
    assert target and tab.page.get_by_test_id("segment").input_value() == target
    with tab.page.expect_download() as download:
        tab.page.get_by_test_id("export-audience").click()
    path = download.value.path()
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert download.value.suggested_filename.startswith(f"audience-{B}-")
    assert len(rows) == loyal["segments"][target] > 0
    assert {r["segment"] for r in rows} == {target}


def test_a_missing_chart_library_says_which_command_to_run(
    context: BrowserContext, seller: str, keys: dict[str, str]
) -> None:
    """As when `make vendor-js` never ran (the server answers 404 for the file): the page says
    what to run, and the panels that need no chart still work."""
    context.route("**/dashboard/vendor/**", lambda route: route.fulfill(status=404))
    tab = Session(context, seller)
    tab.open()
    notice = tab.page.get_by_test_id("vendor-missing")
    notice.wait_for(state="visible")
    assert "make vendor-js" in notice.inner_text()
    tab.sign_in(keys[B])
    assert tab.page.get_by_test_id("segments").inner_text().strip()
