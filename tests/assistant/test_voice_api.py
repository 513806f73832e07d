"""POST /v1/voice: a spoken request reaches Rasa as the device owner; bad input never does."""

from __future__ import annotations

import base64
import json
import struct

import pytest
from fastapi.testclient import TestClient

from assistant.voice.audio import to_wav
from tests.assistant.conftest import AUTH, FakeRasa
from tests.assistant.speech import espeak_missing, speak_wav
from tests.assistant.test_audio import wav

WAV = {"Content-Type": "audio/wav"}

pytestmark = pytest.mark.skipif(espeak_missing() is not None, reason=str(espeak_missing()))


def post(client: TestClient, body: bytes, headers: dict[str, str] | None = None, **kw: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/v1/voice", content=body, headers={**AUTH, **WAV, **(headers or {})}, params=kw
    )


def test_spoken_request_reaches_rasa_as_the_shopper(client: TestClient, rasa: FakeRasa) -> None:
    resp = post(client, speak_wav("화장지 주세요", voice="ko", speed=175, pitch=35))
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["language"] == "ko"
    assert "화장지" in body["transcript"]
    assert rasa.calls == [{"sender": "shopper-1", "message": body["transcript"]}]
    assert body["replies"][0]["recipient_id"] == "shopper-1"


def test_quantities_reach_rasa_as_digits(client: TestClient, rasa: FakeRasa) -> None:
    resp = post(client, speak_wav("생수 열 개 담아줘", voice="ko", speed=175, pitch=35))
    assert resp.status_code == 200
    assert "10개" in resp.json()["transcript"]


def test_8_khz_is_accepted(client: TestClient) -> None:
    resp = post(client, speak_wav("화장지 주세요", rate=8000))
    assert resp.status_code == 200 and "transcript" in resp.json()


def test_a_browsers_48_khz_stereo_recording_is_understood(
    client: TestClient, rasa: FakeRasa
) -> None:
    """The shopper page sends WAV at the browser's rate; the gateway resamples it."""
    import numpy as np

    mono = np.frombuffer(
        speak_wav("화장지 주세요", voice="ko", speed=175, pitch=35, rate=48000)[44:], dtype="<i2"
    )
    stereo = wav(channels=2, rate=48000, data=np.repeat(mono, 2).astype("<i2").tobytes())
    resp = post(client, stereo)
    assert resp.status_code == 200, resp.text
    assert "화장지" in resp.json()["transcript"]
    assert rasa.calls == [{"sender": "shopper-1", "message": resp.json()["transcript"]}]


def test_trailing_silence_keeps_the_words(client: TestClient, rasa: FakeRasa) -> None:
    """A recording stopped by hand ends in silence; the recogniser closes the words' segment at
    that pause, and the transcript must still hold them (it used to come back empty)."""
    spoken = speak_wav("화장지 주세요", voice="ko", speed=175, pitch=35)
    padded = to_wav(b"\0\0" * 8000 + spoken[44:] + b"\0\0" * 16000, 16000)
    resp = post(client, padded)
    assert resp.status_code == 200, resp.text
    assert resp.json()["transcript"] == "화장지 주세요"
    assert rasa.calls == [{"sender": "shopper-1", "message": "화장지 주세요"}]


def test_spoken_replies_with_accept_audio_wav(client: TestClient) -> None:
    resp = post(client, speak_wav("화장지 주세요", speed=175, pitch=35), {"Accept": "audio/wav"})
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "audio/wav"
    assert resp.content[:4] == b"RIFF" and len(resp.content) > 10_000
    result = json.loads(base64.b64decode(resp.headers["X-Voice-Result"]))
    assert result["replies"] and result["language"] == "ko"


@pytest.mark.parametrize(
    ("body", "headers", "status", "words"),
    [
        (wav(), {"Content-Type": "audio/mpeg"}, 415, "audio/mpeg"),
        (wav(), {"Content-Type": "application/json"}, 415, "application/json"),
        (b"not audio", {}, 422, "not a WAV"),
        (wav()[:40], {}, 422, "no data chunk"),
        (wav(data=b"\0" * 2000)[:-500], {}, 422, "truncated"),
        (wav(channels=3), {}, 422, "3 channels"),
        (wav(bits=8), {}, 422, "8-bit"),
        (wav(tag=7), {}, 422, "µ-law"),
        (wav(rate=96000), {}, 422, "96000 Hz"),
        (to_wav(b"\1\0" * 16000 * 21, 16000), {}, 413, "20 s"),
        (b"RIFF" + b"\0" * (4 << 20), {}, 413, "limit"),
        (wav(), {"Authorization": ""}, 401, "missing device token"),
        (wav(), {"Authorization": "Basic dTpw"}, 401, "missing device token"),
        (wav(), {"Authorization": "Bearer tok-revoked"}, 401, "revoked"),
    ],
)
def test_bad_input_is_refused_and_never_reaches_rasa(
    client: TestClient,
    rasa: FakeRasa,
    body: bytes,
    headers: dict[str, str],
    status: int,
    words: str,
) -> None:
    resp = post(client, body, headers)
    assert resp.status_code == status, resp.text
    assert words in resp.json()["detail"]
    assert rasa.calls == []


@pytest.mark.parametrize("body", [to_wav(b"", 16000), to_wav(b"\0\0" * 32000, 16000)])
def test_empty_or_silent_audio_gets_didnt_catch_that(
    client: TestClient, rasa: FakeRasa, body: bytes
) -> None:
    resp = post(client, body)
    assert resp.status_code == 200
    assert resp.json()["transcript"] == ""
    assert "못 들었어요" in resp.json()["replies"][0]["text"]
    assert rasa.calls == []


def test_low_noise_is_not_forced_into_a_product(client: TestClient, rasa: FakeRasa) -> None:
    import random

    rng = random.Random(7)
    noise = b"".join(struct.pack("<h", rng.randint(-300, 300)) for _ in range(32000))
    resp = post(client, to_wav(noise, 16000))
    assert resp.status_code == 200
    assert not any(w in resp.json()["transcript"] for w in ("화장지", "세제", "샴푸"))


def test_english_without_a_model_is_503_naming_the_setting(
    client: TestClient, rasa: FakeRasa
) -> None:
    resp = post(client, wav(), language="en")
    assert resp.status_code == 503
    assert "VOSK_MODEL_EN" in resp.json()["detail"]
    assert rasa.calls == []


def test_unknown_language_is_422(client: TestClient) -> None:
    assert post(client, wav(), language="fr").status_code == 422


def test_rasa_down_is_502_not_a_crash(client: TestClient, rasa: FakeRasa) -> None:
    rasa.down = True
    resp = post(client, speak_wav("화장지 주세요", speed=175, pitch=35))
    assert resp.status_code == 502 and "Rasa" in resp.json()["detail"]
    assert client.get("/health").status_code == 200
