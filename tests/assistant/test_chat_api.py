"""POST /v1/chat: a text turn reaches Rasa as the device's shopper, signed for Rasa's channel, and
the answer is exactly Rasa's reply list; bad tokens and bodies never reach Rasa, and a Rasa that
does not answer is a 502/503 naming the problem, never a 500."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient

from assistant.app import create_app
from assistant.auth import store_resolver
from assistant.voice.recognizer import SpeechEngine
from tests.assistant.conftest import make_settings

SECRET = "chat-test-" + "k" * 40 + "-0123456789abcdefghij"
REPLIES: list[dict[str, Any]] = [
    {"recipient_id": "", "text": "화장지 검색 결과예요"},
    {"recipient_id": "", "custom": {"type": "products", "items": [{"id": 3, "name": "화장지"}]}},
]


class SigningRasa:
    """Answers like Rasa's channel behind the gateway (nlu/channels.py): a turn without a valid
    token, or whose sender is not the token's sub, is refused."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.claims: list[dict[str, Any]] = []
        self.answer: httpx.Response | Exception | None = None

    def handler(self, request: httpx.Request) -> httpx.Response:
        if isinstance(self.answer, Exception):
            raise self.answer
        assert request.url.path == "/webhooks/rest/webhook"
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"],
                                options={"require": ["exp", "sub"]})  # fmt: skip
        except jwt.InvalidTokenError as exc:
            return httpx.Response(401, json={"error": f"invalid token: {exc}"})
        body = json.loads(request.content)
        if scheme != "Bearer" or body["sender"] != claims["sub"]:
            return httpx.Response(403, json={"error": "sender differs"})
        self.calls.append(body)
        self.claims.append(claims)
        if self.answer is not None:
            return self.answer
        return httpx.Response(200, json=[{**r, "recipient_id": body["sender"]} for r in REPLIES])


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[Any, dict[str, str]]]:
    """A migrated store with two devices of one new shopper, the second revoked."""
    from store.db import create_store_engine, transaction
    from store.migrate import upgrade
    from store.repo import credentials
    from store.repo.shoppers import get_or_create_shopper

    eng = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(eng)
    with transaction(eng) as s:
        get_or_create_shopper(s, "chat-shopper")
        good = credentials.add_device(s, "chat-shopper", "phone")
        revoked = credentials.add_device(s, "chat-shopper", "old phone")
        credentials.revoke_device(s, revoked.id)
    yield eng, {"good": good.secret, "revoked": revoked.secret}
    eng.dispose()


@pytest.fixture
def rasa() -> SigningRasa:
    return SigningRasa()


def gateway(engine: SpeechEngine, store_engine: Any, rasa: SigningRasa, tmp: Path,
            **settings: Any) -> TestClient:  # fmt: skip
    app = create_app(
        make_settings(tmp, **{"rasa_jwt_secret": SECRET, **settings}),
        engine=engine,
        resolve_token=store_resolver(store_engine),
        rasa_transport=httpx.MockTransport(rasa.handler),
        catalog_version=lambda: 1,
    )
    return TestClient(app)


@pytest.fixture
def chat(
    engine: SpeechEngine, store: tuple[Any, dict[str, str]], rasa: SigningRasa, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    store_engine, tokens = store
    with gateway(engine, store_engine, rasa, tmp_path, chat_max_chars=50) as client:
        yield client, tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_turn_reaches_rasa_as_the_shopper_and_answers_rasas_list(
    chat: tuple[TestClient, dict[str, str]], rasa: SigningRasa
) -> None:
    client, tokens = chat
    resp = client.post(
        "/v1/chat", json={"message": "화장지 찾아줘"}, headers=bearer(tokens["good"])
    )
    assert resp.status_code == 200, resp.text
    assert resp.json() == [{**r, "recipient_id": "chat-shopper"} for r in REPLIES]
    assert rasa.calls == [{"sender": "chat-shopper", "message": "화장지 찾아줘"}]
    (claims,) = rasa.claims
    assert claims["sub"] == "chat-shopper" and 0 < claims["exp"] - time.time() <= 61


def test_curl_form_content_type_is_read_as_json(
    chat: tuple[TestClient, dict[str, str]], rasa: SigningRasa
) -> None:
    client, tokens = chat
    resp = client.post(
        "/v1/chat", content='{"message": "안녕하세요"}'.encode(),
        headers={**bearer(tokens["good"]), "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert resp.status_code == 200 and rasa.calls[0]["message"] == "안녕하세요"


@pytest.mark.parametrize(
    ("headers", "words"),
    [
        ({}, "missing device token"),
        ({"Authorization": "Basic dXNlcg=="}, "missing device token"),
        (bearer("jbd_not-a-token"), "unknown or revoked"),
        ("revoked", "unknown or revoked"),
    ],
)
def test_bad_device_token_is_401_and_never_reaches_rasa(
    chat: tuple[TestClient, dict[str, str]], rasa: SigningRasa, headers: Any, words: str
) -> None:
    client, tokens = chat
    if headers == "revoked":
        headers = bearer(tokens["revoked"])
    resp = client.post("/v1/chat", json={"message": "장바구니 보여줘"}, headers=headers)
    assert resp.status_code == 401 and words in resp.json()["detail"]
    assert resp.headers["www-authenticate"] == "Bearer"
    assert rasa.calls == []


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"not json", 422, "json"),
        (b"[]", 422, "message"),
        (b"{}", 422, "message"),
        (b'{"message": 5}', 422, "message"),
        (b'{"message": "hi", "sender": "u00001"}', 422, "sender"),
        (b'{"message": "   "}', 400, "message is empty"),
        (json.dumps({"message": "가" * 51}).encode(), 413, "51 characters; the limit is 50"),
        (json.dumps({"message": "a" * 5000}).encode(), 413, "the limit is 1624 bytes"),
    ],
)
def test_bad_body_is_a_clear_4xx_and_never_reaches_rasa(
    chat: tuple[TestClient, dict[str, str]], rasa: SigningRasa, body: bytes, status: int,
    words: str,
) -> None:  # fmt: skip
    client, tokens = chat
    resp = client.post("/v1/chat", content=body, headers=bearer(tokens["good"]))
    assert resp.status_code == status, resp.text
    assert words in json.dumps(resp.json()["detail"]).lower()
    assert rasa.calls == []


@pytest.mark.parametrize(
    ("answer", "status", "words"),
    [
        (httpx.ConnectError("connection refused"), 503, "not reachable at http://127.0.0.1:5005"),
        (httpx.ReadTimeout("timed out"), 503, "did not answer within 30 s"),
        (httpx.Response(500, text="boom"), 502, "HTTP 500"),
        (httpx.Response(200, text="<html>"), 502, "other than JSON"),
        (httpx.Response(200, json={"text": "hi"}), 502, "list of messages"),
    ],
)
def test_rasa_not_answering_is_502_or_503_naming_it(
    chat: tuple[TestClient, dict[str, str]], rasa: SigningRasa, answer: Any, status: int,
    words: str,
) -> None:  # fmt: skip
    client, tokens = chat
    rasa.answer = answer
    resp = client.post("/v1/chat", json={"message": "안녕"}, headers=bearer(tokens["good"]))
    assert resp.status_code == status and words in resp.json()["detail"]


@pytest.mark.parametrize("secret", [None, "another-secret-" + "z" * 40])
def test_secret_missing_or_not_rasas_is_502_naming_the_setting(
    engine: SpeechEngine, store: tuple[Any, dict[str, str]], rasa: SigningRasa, tmp_path: Path,
    secret: str | None,
) -> None:  # fmt: skip
    store_engine, tokens = store
    with gateway(engine, store_engine, rasa, tmp_path, rasa_jwt_secret=secret) as client:
        resp = client.post("/v1/chat", json={"message": "안녕"}, headers=bearer(tokens["good"]))
    assert resp.status_code == 502
    assert (
        "refused" in resp.json()["detail"] and "JANGBOGI_RASA_JWT_SECRET" in resp.json()["detail"]
    )
    assert rasa.calls == []
