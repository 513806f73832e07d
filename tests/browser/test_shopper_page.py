"""The shopper page in a real browser (Debian's Chromium) against the real services: Korean and
English conversations from search to the order, the cart by buttons, one browser's cart hidden from
another, `?shopper=` refused outside demo mode, bad input and a Rasa that does not answer each
shown as a clear message with the cart kept; the mic through Chromium's fake capture of an
espeak-ng clip (about 12 s with the grammar's first compile; the 20 s limit test about 25 s).

Turns use phrasings from the training data (this checks the page and the gateway, not NLU)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import create_engine, select

from tests.browser.conftest import ROOT, Stack, free_port

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page

pytestmark = pytest.mark.rasa

HANGUL = re.compile(r"[\uac00-\ud7a3]")
TURN_TIMEOUT_MS = 60_000


@pytest.fixture
def context(browser: Browser, stack: Stack) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookie: a new shopper) on the stack's gateway."""
    ctx = browser.new_context(base_url=stack.gateway, locale="ko-KR")
    ctx.set_default_timeout(TURN_TIMEOUT_MS)
    try:
        yield ctx
    finally:
        ctx.close()


def open_page(ctx: BrowserContext, path: str = "/") -> Page:
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path)
    page.errors = errors  # type: ignore[attr-defined]
    return page


def turns(page: Page) -> int:
    return int(page.get_by_test_id("conversation").get_attribute("data-turns") or 0)


def say(page: Page, text: str) -> Locator:
    """Type ``text`` and press Enter; once the turn is over, the bot messages it added."""
    from playwright.sync_api import expect

    before = page.locator("[data-testid=message][data-from=bot]").count()
    done = turns(page) + 1
    box = page.get_by_test_id("chat-input")
    box.fill(text)
    box.press("Enter")
    expect(page.get_by_test_id("conversation")).to_have_attribute("data-turns", str(done))
    return page.locator(f"[data-testid=message][data-from=bot] >> nth={before}")


def press_and_wait(page: Page, button: Locator) -> None:
    from playwright.sync_api import expect

    done = turns(page) + 1
    button.click()
    expect(page.get_by_test_id("conversation")).to_have_attribute("data-turns", str(done))


def shopper_of(page: Page) -> str:
    info: dict[str, Any] = page.context.request.get("/v1/session").json()
    return str(info["shopper"])


def cart_lines(page: Page) -> dict[int, int]:
    """The cart as the page shows it: product id → quantity."""
    return {
        int(line.get_attribute("data-product-id") or 0): int(line.get_attribute("data-qty") or 0)
        for line in page.get_by_test_id("cart-line").all()
    }


def store_cart(page: Page) -> dict[int, int]:
    """The cart as the store has it (through the gateway, with the page's cookie)."""
    cart = page.context.request.get("/v1/cart").json()
    return {int(it["id"]): int(it["qty"]) for it in cart["items"]}


def orders_of(stack: Stack, shopper: str) -> list[tuple[int, int]]:
    from store.models import Order

    engine = create_engine(stack.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(Order.id, Order.total).where(Order.shopper_id == shopper))
            return [(int(r[0]), int(r[1])) for r in rows]
    finally:
        engine.dispose()


def card_ids(page: Page) -> list[int]:
    return [int(c.get_attribute("data-product-id") or 0)
            for c in page.get_by_test_id("product-card").all()]  # fmt: skip


def test_korean_conversation_from_search_to_order(context: BrowserContext, stack: Stack) -> None:
    from playwright.sync_api import expect

    page = open_page(context)
    shopper = shopper_of(page)
    assert shopper.startswith("web-")  # a new, anonymous shopper
    say(page, "화장지 찾아줘")
    cards = page.get_by_test_id("product-card")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 2
    for card in cards.all():
        assert card.get_attribute("data-type-key") == "toilet_paper"
        assert int(card.get_attribute("data-price") or 0) > 0
        assert HANGUL.search(card.locator("h3").inner_text())  # named in Korean
        assert "원" in card.inner_text()
    assert page.locator("html").get_attribute("lang") == "ko"
    chosen = card_ids(page)[1]
    price = int(cards.nth(1).get_attribute("data-price") or 0)
    cards.nth(1).get_by_test_id("add-to-cart").click()
    expect(page.locator(f"[data-testid=cart-line][data-product-id='{chosen}']")).to_have_attribute(
        "data-qty", "1"
    )
    assert store_cart(page) == {chosen: 1}

    say(page, "결제할게요")
    confirm = page.get_by_test_id("confirm").last
    expect(confirm).to_be_visible()
    assert int(confirm.get_attribute("data-total") or 0) == price
    assert orders_of(stack, shopper) == []  # nothing before the yes
    press_and_wait(page, confirm.get_by_test_id("confirm-yes"))
    user_said = page.locator("[data-testid=message][data-from=user]").last
    assert user_said.locator("p").inner_text() == "네"  # the words a shopper would type
    receipt = page.get_by_test_id("order").last
    expect(receipt).to_be_visible()
    order_id = int(receipt.get_attribute("data-order-id") or 0)
    assert int(receipt.get_attribute("data-total") or 0) == price
    assert orders_of(stack, shopper) == [(order_id, price)]
    expect(page.get_by_test_id("cart-line")).to_have_count(0)  # the order emptied the cart
    assert page.errors == []  # type: ignore[attr-defined]


def test_english_conversation_from_search_to_order(context: BrowserContext, stack: Stack) -> None:
    from playwright.sync_api import expect

    page = open_page(context)
    shopper = shopper_of(page)
    say(page, "I need toilet paper")
    cards = page.get_by_test_id("product-card")
    expect(cards.first).to_be_visible()
    for card in cards.all():
        assert card.get_attribute("data-type-key") == "toilet_paper"
        assert not HANGUL.search(card.locator("h3").inner_text())  # named in English
        assert "won" in card.inner_text()
    # The page follows the conversation: English labels now.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.get_by_test_id("chat-input").get_attribute("placeholder", timeout=1000)
    assert not HANGUL.search(page.get_by_test_id("chat-input").get_attribute("placeholder") or "")
    first = card_ids(page)[0]
    price = int(cards.first.get_attribute("data-price") or 0)
    cards.first.get_by_test_id("add-to-cart").click()
    line = page.locator(f"[data-testid=cart-line][data-product-id='{first}']")
    expect(line).to_have_attribute("data-qty", "1")
    line.get_by_test_id("qty-plus").click()
    expect(line).to_have_attribute("data-qty", "2")

    say(page, "checkout")
    confirm = page.get_by_test_id("confirm").last
    expect(confirm).to_be_visible()
    assert int(confirm.get_attribute("data-total") or 0) == 2 * price
    press_and_wait(page, confirm.get_by_test_id("confirm-yes"))
    said = page.locator("[data-testid=message][data-from=user]").last
    assert said.locator("p").inner_text() == "yes"
    receipt = page.get_by_test_id("order").last
    expect(receipt).to_be_visible()
    assert receipt.get_attribute("data-status") == "placed"
    assert orders_of(stack, shopper) == [(int(receipt.get_attribute("data-order-id") or 0),
                                          2 * price)]  # fmt: skip


def test_cart_add_change_and_remove_by_buttons(context: BrowserContext, stack: Stack) -> None:
    from playwright.sync_api import expect

    page = open_page(context)
    say(page, "생수 찾아줘")
    cards = page.get_by_test_id("product-card")
    expect(cards.first).to_be_visible()
    a, b = card_ids(page)[:2]
    cards.nth(0).get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    cards.nth(1).get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    line_a = page.locator(f"[data-testid=cart-line][data-product-id='{a}']")
    line_b = page.locator(f"[data-testid=cart-line][data-product-id='{b}']")
    line_a.get_by_test_id("qty-plus").click()
    expect(line_a).to_have_attribute("data-qty", "2")
    line_a.get_by_test_id("qty-plus").click()
    expect(line_a).to_have_attribute("data-qty", "3")
    line_a.get_by_test_id("qty-minus").click()
    expect(line_a).to_have_attribute("data-qty", "2")
    assert store_cart(page) == {a: 2, b: 1}
    line_b.get_by_test_id("qty-minus").click()  # 1 → 0 removes the line
    expect(line_b).to_have_count(0)
    line_a.get_by_test_id("remove").click()
    expect(page.get_by_test_id("cart-line")).to_have_count(0)
    assert store_cart(page) == {}
    assert page.get_by_test_id("cart-total").get_attribute("data-total") == "0"
    # The assistant sees the same cart: adding by button, then asking in words.
    cards.nth(0).get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    reply = say(page, "장바구니 보여줘")
    expect(reply).to_contain_text("장바구니")
    assert cart_lines(page) == {a: 1}


def test_quick_replies_send_what_a_shopper_would_say(context: BrowserContext) -> None:
    """After results: "첫 번째 거" selects the first; the question that follows offers 네 / 아니요,
    and 네 puts exactly that product in the cart."""
    from playwright.sync_api import expect

    page = open_page(context)
    say(page, "화장지 찾아줘")
    first = card_ids(page)[0]
    chips = page.get_by_test_id("quick-reply")
    expect(chips.first).to_have_text("첫 번째 거")
    press_and_wait(page, chips.first)
    said = page.locator("[data-testid=message][data-from=user]").last
    assert said.locator("p").inner_text() == "첫 번째 거"
    expect(page.get_by_test_id("product-card").last).to_have_attribute(
        "data-product-id", str(first)
    )
    expect(chips).to_have_text(["네", "아니요"])
    press_and_wait(page, chips.first)
    expect(page.get_by_test_id("cart-line")).to_have_count(1)
    assert cart_lines(page) == {first: 1} == store_cart(page)


def test_a_second_browser_cannot_see_the_first_ones_cart(browser: Browser, stack: Stack) -> None:
    from playwright.sync_api import expect

    first = browser.new_context(base_url=stack.gateway)
    second = browser.new_context(base_url=stack.gateway)
    try:
        page = open_page(first)
        say(page, "화장지 찾아줘")
        page.get_by_test_id("add-to-cart").first.click()
        expect(page.get_by_test_id("cart-line")).to_have_count(1)
        other = open_page(second)
        assert shopper_of(other) != shopper_of(page)
        expect(other.get_by_test_id("cart-empty")).to_be_visible()
        say(other, "장바구니 보여줘")
        expect(other.get_by_test_id("cart-line")).to_have_count(0)
        assert store_cart(other) == {}
        assert len(store_cart(page)) == 1
    finally:
        first.close()
        second.close()


def test_choosing_a_shopper_is_refused_outside_demo_mode(
    context: BrowserContext, stack: Stack
) -> None:
    from playwright.sync_api import expect

    page = open_page(context)
    mine = shopper_of(page)
    resp = page.goto("/?shopper=u00001")
    assert resp is not None and resp.status == 403
    expect(page.get_by_test_id("error")).to_contain_text("demo mode")
    page.goto("/")
    assert shopper_of(page) == mine != "u00001"


def test_empty_and_overlong_messages_are_explained_on_the_page(context: BrowserContext) -> None:
    from playwright.sync_api import expect

    page = open_page(context)
    box = page.get_by_test_id("chat-input")
    box.press("Enter")
    status = page.get_by_test_id("status")
    expect(status).to_be_visible()
    expect(status).to_contain_text("메시지를 입력해 주세요")
    box.fill("가" * 5000)
    box.press("Enter")
    expect(status).to_contain_text("5,000자")
    expect(status).to_contain_text("1,000자 이하")
    assert page.locator("[data-testid=message][data-from=user]").count() == 0
    assert box.input_value() == "가" * 5000  # nothing typed is thrown away
    box.fill("a" * 5000)
    box.press("Enter")
    expect(status).to_contain_text("5,000 characters")


@contextmanager
def extra_gateway(stack: Stack, **env: str) -> Iterator[str]:
    """Another gateway process on the stack's store, session key and Rasa secret, with ``env``
    on top; its base URL. Cookies ignore ports, so a browser's session works on both."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "assistant.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port)],
        env={**stack.env, **env}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the second gateway did not start")
                time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.fixture
def gateway_without_rasa(stack: Stack) -> Iterator[str]:
    """A gateway whose Rasa does not answer (a closed port): what a shopper meets when Rasa is
    down."""
    with extra_gateway(
        stack, JANGBOGI_RASA_URL="http://127.0.0.1:9", JANGBOGI_RASA_TIMEOUT_S="5"
    ) as url:
        yield url


@pytest.fixture
def demo_gateway(stack: Stack) -> Iterator[str]:
    """A gateway in demo mode on the stack's Rasa, as `make demo` runs it."""
    rasa = f"http://127.0.0.1:{stack.env['JANGBOGI_RASA_PORT']}"
    with extra_gateway(stack, JANGBOGI_DEMO_MODE="1", JANGBOGI_RASA_URL=rasa) as url:
        yield url


def test_demo_mode_acts_as_a_demo_shopper_with_their_reasons(
    context: BrowserContext, demo_gateway: str
) -> None:
    """`/?shopper=u00001` in demo mode: the seeded shopper, whose results carry the personal
    ranking's reason on each card."""
    from playwright.sync_api import expect

    page = open_page(context, f"{demo_gateway}/?shopper=u00001")
    assert page.url == f"{demo_gateway}/"  # the choice is not kept in the address
    assert shopper_of(page) == "u00001"
    expect(page.locator("#who")).to_contain_text("u00001")
    say(page, "화장지 찾아줘")
    cards = page.get_by_test_id("product-card")
    expect(cards.first).to_be_visible()
    reasons = [c.get_by_test_id("reason").inner_text() for c in cards.all() if
               c.get_by_test_id("reason").count()]  # fmt: skip
    assert reasons and all(HANGUL.search(r) for r in reasons)
    for card in cards.all():
        expect(card.get_by_test_id("brand")).not_to_be_empty()


def test_rasa_down_is_a_clear_message_and_the_cart_survives(
    context: BrowserContext, stack: Stack, gateway_without_rasa: str
) -> None:
    from playwright.sync_api import expect

    page = open_page(context)
    say(page, "화장지 찾아줘")
    wanted = card_ids(page)[0]
    page.get_by_test_id("add-to-cart").first.click()
    expect(page.get_by_test_id("cart-line")).to_have_count(1)

    down = open_page(context, f"{gateway_without_rasa}/")
    assert shopper_of(down) == shopper_of(page)  # the same shopper on the other gateway
    expect(down.get_by_test_id("cart-line")).to_have_count(1)  # read from the store, not Rasa
    say(down, "장바구니 보여줘")
    status = down.get_by_test_id("status")
    expect(status).to_be_visible()
    expect(status).to_contain_text("응답하지 않아요")
    expect(status).to_contain_text("장바구니는 그대로예요")
    failed = down.locator("[data-testid=message][data-from=user]").last
    assert failed.get_attribute("data-failed") == "true"
    assert down.get_by_test_id("chat-input").input_value() == "장바구니 보여줘"  # to send again
    assert cart_lines(down) == {wanted: 1}
    # The cart buttons need no Rasa; and back on the working gateway, the cart is all there.
    down.get_by_test_id("qty-plus").click()
    expect(down.get_by_test_id("cart-line")).to_have_attribute("data-qty", "2")
    page.reload()
    say(page, "장바구니 보여줘")
    assert cart_lines(page) == {wanted: 2}
    assert store_cart(page) == {wanted: 2}


def test_a_denied_microphone_is_explained(browser: Browser, stack: Stack) -> None:
    from playwright.sync_api import expect

    ctx = browser.new_context(base_url=stack.gateway, locale="en-US")  # no permission granted
    try:
        page = open_page(ctx)
        page.get_by_test_id("mic").click()
        status = page.get_by_test_id("status")
        expect(status).to_be_visible()
        assert re.search(r"microphone|cannot record", status.inner_text())
        assert page.get_by_test_id("mic").get_attribute("aria-pressed") == "false"
    finally:
        ctx.close()


def test_phone_width_and_keyboard_only(browser: Browser, stack: Stack) -> None:
    """375 px wide: nothing wider than the screen; Tab reaches the box and Enter sends."""
    from playwright.sync_api import expect

    ctx = browser.new_context(base_url=stack.gateway, viewport={"width": 375, "height": 740})
    try:
        page = open_page(ctx)
        expect(page.get_by_test_id("chat-input")).to_be_focused()  # ready to type on load
        page.keyboard.type("화장지 찾아줘")
        done = turns(page) + 1
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("conversation")).to_have_attribute("data-turns", str(done))
        expect(page.get_by_test_id("product-card").first).to_be_visible()
        # Tab goes on to the mic and the send button.
        page.keyboard.press("Tab")
        expect(page.get_by_test_id("mic")).to_be_focused()
        page.keyboard.press("Tab")
        expect(page.get_by_test_id("send")).to_be_focused()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375
        for testid in ("chat-input", "mic", "send"):
            box = page.get_by_test_id(testid).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
        # Every button has a name for screen readers.
        unnamed = page.evaluate(
            "[...document.querySelectorAll('button')].filter(b => !(b.getAttribute('aria-label')"
            " || b.textContent.trim())).length"
        )
        assert unnamed == 0
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def spoken_clip(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """ "화장지 주세요" spoken by espeak-ng at 48 kHz (a browser's rate), with silence around it,
    as the file Chromium's fake microphone plays."""
    from assistant.voice.audio import to_wav
    from tests.assistant.speech import espeak_missing, speak

    if espeak_missing():
        pytest.skip(str(espeak_missing()))
    pcm = speak("화장지 주세요", voice="ko", speed=175, pitch=35, rate=48000)
    silence = b"\0\0" * 48000
    path = tmp_path_factory.mktemp("clip") / "clip.wav"
    path.write_bytes(to_wav(silence[: len(silence) // 2] + pcm.data + silence * 3, 48000))
    return path, pcm.seconds


@contextmanager
def speaking_page(playwright: Any, stack: Stack, clip: Any) -> Iterator[Page]:
    """The shopper page (Korean) in a Chromium whose microphone plays ``clip``."""
    from tests.browser.conftest import FAKE_MEDIA, launch

    chromium = launch(playwright, *FAKE_MEDIA, f"--use-file-for-fake-audio-capture={clip}")
    try:
        yield open_page(chromium.new_context(base_url=stack.gateway, locale="ko-KR"))
    finally:
        chromium.close()


def test_mic_records_sends_and_shows_what_was_heard(
    playwright: Any, stack: Stack, spoken_clip: Any
) -> None:
    from playwright.sync_api import expect

    clip, seconds = spoken_clip
    with speaking_page(playwright, stack, clip) as page:
        mic = page.get_by_test_id("mic")
        mic.click()
        expect(mic).to_have_attribute("aria-pressed", "true")
        page.wait_for_timeout((seconds + 1.5) * 1000)
        done = turns(page) + 1
        mic.click()
        expect(page.get_by_test_id("conversation")).to_have_attribute(
            "data-turns", str(done), timeout=180_000
        )
        heard = page.locator("[data-testid=message][data-from=user][data-voice=true]").last
        expect(heard).to_contain_text("화장지")
        card = page.get_by_test_id("product-card").first
        expect(card).to_have_attribute("data-type-key", "toilet_paper")
        # The spoken reply (espeak-ng's WAV from the gateway) is loaded and playable.
        spoken = page.get_by_test_id("spoken-reply").last
        expect(spoken).to_have_attribute("src", re.compile(r"^blob:"))
        duration = spoken.evaluate(
            "a => new Promise(ok => a.readyState >= 1 ? ok(a.duration)"
            " : a.addEventListener('loadedmetadata', () => ok(a.duration)))"
        )
        assert duration > 0.5


def test_a_recording_past_the_limit_stops_at_20_s_and_says_so(
    playwright: Any, stack: Stack, spoken_clip: Any
) -> None:
    from playwright.sync_api import expect

    clip, _ = spoken_clip
    with speaking_page(playwright, stack, clip) as page:
        mic = page.get_by_test_id("mic")
        done = turns(page) + 1
        mic.click()  # and never pressed again: the shopper talks on for 30 s
        expect(mic).to_have_attribute("aria-pressed", "false", timeout=30_000)
        expect(page.get_by_test_id("conversation")).to_have_attribute(
            "data-turns", str(done), timeout=180_000
        )
        expect(page.get_by_test_id("status")).to_contain_text("20초까지예요")
        assert page.get_by_test_id("mic").is_enabled()
