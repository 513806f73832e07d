"""WS /v1/voice/stream speaks the vosk-server protocol; limits close the stream with a reason."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
import websockets
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketDenialResponse

from assistant.app import create_app
from assistant.voice.recognizer import SpeechEngine
from tests.assistant.conftest import AUTH, TOKENS, FakeRasa, make_settings
from tests.assistant.speech import espeak_missing, speak

pytestmark = pytest.mark.skipif(espeak_missing() is not None, reason=str(espeak_missing()))
CHUNK = 8000  # 0.25 s of 16 kHz audio, as vosk-server's sample clients send


def vosk_client(ws: Any, pcm: bytes, rate: int = 16000) -> list[dict[str, Any]]:
    """What an unchanged vosk-server client does: config, binary chunks, eof; read every answer."""
    ws.send_text(json.dumps({"config": {"sample_rate": rate}}))
    answers = []
    for i in range(0, len(pcm), CHUNK):
        ws.send_bytes(pcm[i : i + CHUNK])
        answers.append(json.loads(ws.receive_text()))
    ws.send_text('{"eof" : 1}')
    answers.append(json.loads(ws.receive_text()))
    return answers


def test_stream_partials_then_final_with_replies(client: TestClient, rasa: FakeRasa) -> None:
    pcm = speak("화장지 주세요", "ko", 175, 35)
    with client.websocket_connect("/v1/voice/stream", headers=AUTH) as ws:
        answers = vosk_client(ws, pcm.data)
    *partials, final = answers
    assert all("partial" in a or "text" in a for a in partials)
    assert any(a.get("partial") for a in partials)  # words appear while the shopper speaks
    assert "화장지" in final["text"] and "화장지" in final["transcript"]
    assert final["replies"][0]["recipient_id"] == "shopper-1"
    assert rasa.calls == [{"sender": "shopper-1", "message": final["transcript"]}]


def test_stream_at_8_khz(client: TestClient) -> None:
    pcm = speak("화장지 주세요", rate=8000)
    with client.websocket_connect("/v1/voice/stream", headers=AUTH) as ws:
        final = vosk_client(ws, pcm.data, 8000)[-1]
    assert "replies" in final


def test_eof_without_audio_is_didnt_catch_that(client: TestClient, rasa: FakeRasa) -> None:
    with client.websocket_connect("/v1/voice/stream", headers=AUTH) as ws:
        ws.send_text('{"eof": 1}')
        final = json.loads(ws.receive_text())
    assert final["transcript"] == "" and "못 들었어요" in final["replies"][0]["text"]
    assert rasa.calls == []


@pytest.mark.parametrize(
    ("headers", "words"),
    [({}, "missing"), ({"Authorization": "Bearer tok-revoked"}, "revoked")],
)
def test_stream_needs_a_live_device_token(
    client: TestClient, headers: dict[str, str], words: str
) -> None:
    with (
        pytest.raises(WebSocketDenialResponse) as info,
        client.websocket_connect("/v1/voice/stream", headers=headers),
    ):
        pass
    assert info.value.status_code == 401  # type: ignore[attr-defined]
    assert words in info.value.json()["detail"]  # type: ignore[attr-defined]


def test_english_stream_without_model_is_refused_with_503(client: TestClient) -> None:
    with (
        pytest.raises(WebSocketDenialResponse) as info,
        client.websocket_connect("/v1/voice/stream?language=en", headers=AUTH),
    ):
        pass
    assert info.value.status_code == 503  # type: ignore[attr-defined]
    assert "VOSK_MODEL_EN" in info.value.json()["detail"]  # type: ignore[attr-defined]


def closed_with(ws: Any) -> tuple[dict[str, Any], int, str]:
    error = json.loads(ws.receive_text())
    msg = ws.receive()
    assert msg["type"] == "websocket.close"
    return error, msg["code"], msg.get("reason", "")


@pytest.mark.parametrize(
    ("messages", "code", "words"),
    [
        ([{"config": {"sample_rate": 44100}}], 4422, "44100 Hz"),
        ([{"config": {"sample_rate": "fast"}}], 4422, "sample_rate"),
        (["not json"], 4422, "JSON"),
        ([{"hello": 1}], 4422, "unknown message"),
        ([b"\0\0" * 100, {"config": {"sample_rate": 8000}}], 4422, "before the audio"),
    ],
)
def test_bad_stream_messages_close_with_a_reason(
    client: TestClient, rasa: FakeRasa, messages: list[Any], code: int, words: str
) -> None:
    with client.websocket_connect("/v1/voice/stream", headers=AUTH) as ws:
        for m in messages:
            if isinstance(m, bytes):
                ws.send_bytes(m)
                ws.receive_text()
            elif isinstance(m, str):
                ws.send_text(m)
            else:
                ws.send_text(json.dumps(m))
        error, got, reason = closed_with(ws)
    assert got == code and words in reason and words in error["error"]
    assert rasa.calls == []


def test_idle_stream_is_closed(client: TestClient, rasa: FakeRasa) -> None:
    with client.websocket_connect("/v1/voice/stream", headers=AUTH) as ws:  # idle limit 1 s here
        ws.send_bytes(b"\0\0" * 1600)
        ws.receive_text()
        error, code, reason = closed_with(ws)
    assert "no audio" in error["error"]
    assert code == 4408 and "no audio for 1 s" in reason
    assert rasa.calls == []


def test_overlong_stream_is_closed(client: TestClient, rasa: FakeRasa) -> None:
    with client.websocket_connect("/v1/voice/stream", headers=AUTH) as ws:  # limit 6 s here
        for _ in range(30):
            ws.send_bytes(b"\1\0" * CHUNK)
            msg = json.loads(ws.receive_text())
            if "error" in msg:
                break
        close = ws.receive()
    assert close["code"] == 4413 and "longer than 6 s" in close["reason"]
    assert rasa.calls == []


# --- four speakers at once, over a real socket -----------------------------------------------
@pytest.fixture(scope="module")
def server(
    engine: SpeechEngine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, FakeRasa]]:
    rasa = FakeRasa()
    app = create_app(
        make_settings(Path(tmp_path_factory.mktemp("srv"))),
        engine=engine,
        resolve_token=TOKENS.get,
        rasa_transport=httpx.MockTransport(rasa.handler),
        catalog_version=lambda: 1,
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"ws://127.0.0.1:{port}/v1/voice/stream", rasa
    srv.should_exit = True
    thread.join(timeout=10)


async def speak_stream(url: str, token: str, pcm: bytes, realtime: bool) -> dict[str, Any]:
    async with websockets.connect(
        url, additional_headers={"Authorization": f"Bearer {token}"}
    ) as ws:
        await ws.send(json.dumps({"config": {"sample_rate": 16000}}))
        for i in range(0, len(pcm), CHUNK):
            await ws.send(pcm[i : i + CHUNK])
            await ws.recv()
            if realtime:
                await asyncio.sleep(0.05)
        await ws.send('{"eof" : 1}')
        return dict(json.loads(await ws.recv()))


def test_four_simultaneous_streams_each_get_their_own_result(server: tuple[str, FakeRasa]) -> None:
    url, rasa = server
    requests = [
        ("tok-good", "화장지 주세요", "화장지"),
        ("tok-two", "생수 주세요", "생수"),
        ("tok-good", "마스크 주세요", "마스크"),
        ("tok-two", "화장지 두 개 주세요", "화장지"),
    ]
    clips = [speak(text, "ko", 175, 35).data for _t, text, _k in requests]
    # Each clip alone, then all four at once: concurrency must not change any result.
    alone = [
        asyncio.run(speak_stream(url, tok, pcm, False))
        for (tok, _t, _k), pcm in zip(requests, clips, strict=True)
    ]

    async def together() -> list[dict[str, Any]]:
        return await asyncio.gather(
            *(
                speak_stream(url, tok, pcm, True)
                for (tok, _t, _k), pcm in zip(requests, clips, strict=True)
            )
        )

    finals = asyncio.run(together())
    for (tok, _text, keyword), one, final in zip(requests, alone, finals, strict=True):
        assert final["transcript"] == one["transcript"]
        assert keyword in final["transcript"]
        assert final["replies"][0]["recipient_id"] == TOKENS[tok]
    senders = sorted(c["sender"] for c in rasa.calls[-4:])
    assert senders == ["shopper-1", "shopper-1", "shopper-2", "shopper-2"]
