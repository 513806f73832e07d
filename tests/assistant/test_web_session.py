"""The shopper page's rules of who is talking: the first visit makes an anonymous cold-start
shopper and a signed, HTTP-only, SameSite=Strict cookie; the cookie (with the CSRF header) speaks
for that shopper in chat, voice and the cart; a forged, expired or foreign cookie speaks for
nobody; `/?shopper=` only in demo mode; the signing key survives a restart."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from assistant.app import create_app
from assistant.auth import store_resolver
from assistant.session import COOKIE, CSRF_HEADER, SessionSigner
from assistant.voice.audio import to_wav
from assistant.voice.recognizer import SpeechEngine
from tests.assistant.conftest import make_settings

SECRET = "web-test-" + "q" * 30 + "-0123456789abcdefghijklmn"
CSRF = {CSRF_HEADER: "test"}


class RecordingRasa:
    """Answers every turn with one text naming the sender, and records who it was."""

    def __init__(self) -> None:
        self.senders: list[str] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.senders.append(body["sender"])
        return httpx.Response(200, json=[{"recipient_id": body["sender"], "text": "네"}])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[Engine, dict[str, Any]]]:
    """A store with demo shopper u00001 (with a device), one seller, two products."""
    from store.db import create_store_engine, transaction
    from store.migrate import upgrade
    from store.repo import catalog, credentials
    from store.repo.shoppers import get_or_create_shopper

    eng = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(eng)
    with transaction(eng) as s:
        get_or_create_shopper(s, "u00001")
        token = credentials.add_device(s, "u00001", "phone").secret
        credentials.create_seller(s, "s1", "Seller One")
        ids = [
            catalog.add_product(s, seller_id="s1", type_key=key, name_en=en, name_ko=ko,
                                brand="B", size=2, price=price, stock=stock).id
            for key, en, ko, price, stock in [
                ("toilet_paper", "Tissue", "화장지", 18900, 5),
                ("bottled_water", "Water", "생수", 6900, 2),
            ]
        ]  # fmt: skip
    yield eng, {"token": token, "tissue": ids[0], "water": ids[1]}
    eng.dispose()


@pytest.fixture
def rasa() -> RecordingRasa:
    return RecordingRasa()


def gateway(
    engine: SpeechEngine, store: Engine, rasa: RecordingRasa, tmp: Path, **settings: Any
) -> TestClient:
    app = create_app(
        make_settings(tmp, **{"rasa_jwt_secret": SECRET, **settings}),
        engine=engine,
        resolve_token=store_resolver(store),
        rasa_transport=httpx.MockTransport(rasa.handler),
        catalog_version=lambda: 1,
        store_engine=store,
    )
    return TestClient(app)


@pytest.fixture
def web(
    engine: SpeechEngine, store: tuple[Engine, dict[str, Any]], rasa: RecordingRasa, tmp_path: Path
) -> Iterator[TestClient]:
    with gateway(engine, store[0], rasa, tmp_path) as client:
        yield client


def shopper_row(store: Engine, shopper: str) -> Any:
    from store.db import session_factory
    from store.models import Shopper

    with session_factory(store)() as s:
        return s.scalar(select(Shopper).where(Shopper.id == shopper))


def visit(client: TestClient) -> str:
    """Open the page; the shopper the gateway bound the browser to."""
    page = client.get("/")
    assert page.status_code == 200, page.text
    who = client.get("/v1/session")
    assert who.status_code == 200, who.text
    return str(who.json()["shopper"])


def test_first_visit_makes_a_cold_start_shopper_and_a_locked_down_cookie(
    web: TestClient, store: tuple[Engine, dict[str, Any]]
) -> None:
    page = web.get("/")
    assert page.status_code == 200 and 'data-testid="chat-input"' in page.text
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Max-Age=" in cookie
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    info = web.get("/v1/session").json()
    assert info["anonymous"] is True and info["shopper"].startswith("web-")
    assert info["demo_mode"] is False and info["max_chars"] == 1000
    row = shopper_row(store[0], info["shopper"])
    assert row is not None and row.source == "chat" and row.lifestyle is None
    # A reload keeps the same shopper (the cookie is re-signed, not replaced).
    assert visit(web) == info["shopper"]


def test_two_browsers_are_two_shoppers(
    engine: SpeechEngine, store: tuple[Engine, dict[str, Any]], rasa: RecordingRasa,
    tmp_path: Path,
) -> None:  # fmt: skip
    with (
        gateway(engine, store[0], rasa, tmp_path) as one,
        gateway(engine, store[0], rasa, tmp_path) as two,
    ):
        assert visit(one) != visit(two)


def test_cookie_speaks_for_its_shopper_in_chat_only_with_the_csrf_header(
    web: TestClient, rasa: RecordingRasa
) -> None:
    shopper = visit(web)
    refused = web.post("/v1/chat", json={"message": "안녕"})
    assert refused.status_code == 403 and CSRF_HEADER in refused.json()["detail"]
    assert rasa.senders == []
    ok = web.post("/v1/chat", json={"message": "안녕"}, headers=CSRF)
    assert ok.status_code == 200, ok.text
    assert rasa.senders == [shopper]


def test_a_body_cannot_name_another_shopper(web: TestClient, rasa: RecordingRasa) -> None:
    visit(web)
    resp = web.post("/v1/chat", json={"message": "hi", "sender": "u00001"}, headers=CSRF)
    assert resp.status_code == 422 and rasa.senders == []


def test_forged_or_foreign_cookie_speaks_for_nobody(
    web: TestClient, rasa: RecordingRasa, tmp_path: Path
) -> None:
    own = web.get("/").cookies[COOKIE]
    body, _, mac = own.rpartition(".")
    _, _, issued = body.partition(".")
    # The demo shopper's id with this browser's signature; then a cookie signed with another key.
    forged = f"dTAwMDAx.{issued}.{mac}"
    foreign = SessionSigner(b"another key " * 4, 3600).sign("u00001")
    for value in (forged, foreign, "garbage", own + "x"):
        web.cookies.clear()
        web.cookies.set(COOKIE, value)
        resp = web.post("/v1/chat", json={"message": "장바구니 보여줘"}, headers=CSRF)
        assert resp.status_code == 401, value
        assert "session cookie" in resp.json()["detail"]
    assert rasa.senders == []
    # The page itself gives such a browser a new anonymous shopper, never u00001.
    web.cookies.clear()
    web.cookies.set(COOKIE, forged)
    assert visit(web).startswith("web-")


def test_expired_cookie_is_refused() -> None:
    now = [1_000_000.0]
    signer = SessionSigner(b"k" * 64, max_age_s=60, clock=lambda: now[0])
    value = signer.sign("web-abc")
    assert signer.verify(value) == "web-abc"
    now[0] += 61
    assert signer.verify(value) is None


def test_shopper_query_is_refused_outside_demo_mode(web: TestClient, rasa: RecordingRasa) -> None:
    mine = visit(web)
    resp = web.get("/?shopper=u00001", follow_redirects=False)
    assert resp.status_code == 403
    assert 'data-testid="error"' in resp.text and "demo mode" in resp.text
    assert "set-cookie" not in resp.headers
    assert visit(web) == mine


def test_demo_mode_switches_to_a_known_shopper_only(
    engine: SpeechEngine, store: tuple[Engine, dict[str, Any]], rasa: RecordingRasa,
    tmp_path: Path,
) -> None:  # fmt: skip
    with gateway(engine, store[0], rasa, tmp_path, demo_mode=True) as client:
        switched = client.get("/?shopper=u00001", follow_redirects=False)
        assert switched.status_code == 303 and switched.headers["location"] == "/"
        assert "HttpOnly" in switched.headers["set-cookie"]
        info = client.get("/v1/session").json()
        assert info == {**info, "shopper": "u00001", "anonymous": False, "demo_mode": True}
        assert client.post("/v1/chat", json={"message": "hi"}, headers=CSRF).status_code == 200
        assert rasa.senders == ["u00001"]
        unknown = client.get("/?shopper=u99999", follow_redirects=False)
        assert unknown.status_code == 404 and "u99999" in unknown.text
        assert client.get("/v1/session").json()["shopper"] == "u00001"


def test_signing_key_is_a_private_file_that_survives_a_restart(
    engine: SpeechEngine, store: tuple[Engine, dict[str, Any]], rasa: RecordingRasa,
    tmp_path: Path,
) -> None:  # fmt: skip
    with gateway(engine, store[0], rasa, tmp_path) as first:
        shopper = visit(first)
        cookie = first.cookies[COOKIE]
    key_file = tmp_path / "session.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    with gateway(engine, store[0], rasa, tmp_path) as restarted:
        restarted.cookies.clear()
        restarted.cookies.set(COOKIE, cookie)
        assert restarted.get("/v1/session").json()["shopper"] == shopper
    # A configured key replaces the file's: the old cookie no longer names anyone.
    with gateway(engine, store[0], rasa, tmp_path, session_key="z" * 40) as other:
        other.cookies.set(COOKIE, cookie)
        assert other.get("/v1/session").status_code == 401


def test_device_token_still_works_and_a_wrong_one_is_not_excused_by_a_cookie(
    web: TestClient, store: tuple[Engine, dict[str, Any]], rasa: RecordingRasa
) -> None:
    visit(web)
    good = {"Authorization": f"Bearer {store[1]['token']}"}
    assert web.post("/v1/chat", json={"message": "hi"}, headers=good).status_code == 200
    bad = {"Authorization": "Bearer nope", **CSRF}
    assert web.post("/v1/chat", json={"message": "hi"}, headers=bad).status_code == 401
    assert rasa.senders == ["u00001"]


def test_cart_by_exact_product_id_with_clear_errors(
    web: TestClient, store: tuple[Engine, dict[str, Any]]
) -> None:
    ids = store[1]
    visit(web)
    assert web.get("/v1/cart").json() == {"type": "cart", "items": [], "total": 0,
                                          "currency": "KRW"}  # fmt: skip
    no_header = web.post("/v1/cart/items", json={"product_id": ids["tissue"]})
    assert no_header.status_code == 403
    cart = web.post("/v1/cart/items", json={"product_id": ids["tissue"], "qty": 2}, headers=CSRF)
    assert cart.status_code == 200, cart.text
    line = cart.json()["items"][0]
    assert (line["id"], line["qty"], line["type_key"]) == (ids["tissue"], 2, "toilet_paper")
    assert cart.json()["total"] == 2 * 18900
    web.post("/v1/cart/items", json={"product_id": ids["water"]}, headers=CSRF)
    more = web.put(f"/v1/cart/items/{ids['tissue']}", json={"qty": 3}, headers=CSRF).json()
    assert {ln["id"]: ln["qty"] for ln in more["items"]} == {ids["tissue"]: 3, ids["water"]: 1}
    less = web.delete(f"/v1/cart/items/{ids['water']}", headers=CSRF).json()
    assert [ln["id"] for ln in less["items"]] == [ids["tissue"]] and less["total"] == 3 * 18900
    zero = web.put(f"/v1/cart/items/{ids['tissue']}", json={"qty": 0}, headers=CSRF).json()
    assert zero["items"] == [] and zero["total"] == 0
    for resp, status, words in [
        (web.post("/v1/cart/items", json={"product_id": 999999}, headers=CSRF), 404, "not found"),
        (web.post("/v1/cart/items", json={"product_id": ids["water"], "qty": 3}, headers=CSRF),
         409, "in stock"),
        (web.put(f"/v1/cart/items/{ids['water']}", json={"qty": 1}, headers=CSRF), 404,
         "not in the cart"),
        (web.post("/v1/cart/items", json={"product_id": ids["water"], "qty": 100}, headers=CSRF),
         422, "99"),
    ]:  # fmt: skip
        assert resp.status_code == status, resp.text
        assert words in json.dumps(resp.json()["detail"])


def test_carts_are_per_browser(
    engine: SpeechEngine, store: tuple[Engine, dict[str, Any]], rasa: RecordingRasa,
    tmp_path: Path,
) -> None:  # fmt: skip
    ids = store[1]
    with (
        gateway(engine, store[0], rasa, tmp_path) as one,
        gateway(engine, store[0], rasa, tmp_path) as two,
    ):
        visit(one)
        visit(two)
        one.post("/v1/cart/items", json={"product_id": ids["tissue"]}, headers=CSRF)
        assert two.get("/v1/cart").json()["items"] == []
        assert len(one.get("/v1/cart").json()["items"]) == 1


def test_voice_takes_the_cookie_too(web: TestClient, rasa: RecordingRasa) -> None:
    visit(web)
    silence = to_wav(b"\0\0" * 16000, 16000)
    headers = {"Content-Type": "audio/wav", **CSRF}
    assert web.post("/v1/voice", content=silence, headers={"Content-Type": "audio/wav"}
                    ).status_code == 403  # fmt: skip
    resp = web.post("/v1/voice", content=silence, headers=headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["transcript"] == "" and resp.json()["replies"]
    assert rasa.senders == []  # silence never reaches Rasa


def test_page_assets_are_served_from_the_gateway(web: TestClient) -> None:
    page = web.get("/").text
    for asset in ("/static/app.js", "/static/app.css"):
        assert asset in page
        resp = web.get(asset)
        assert resp.status_code == 200 and len(resp.content) > 1000
    assert "http://" not in page and "https://" not in page  # no other host
