"""`POST /v1/voice` (one WAV utterance) and `WS /v1/voice/stream` (the vosk-server protocol).

Bad input never reaches Rasa or the recogniser: content type, size, WAV format and the device
token are checked first, each with its own status and a message naming the problem.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, WebSocket
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.websockets import WebSocketDisconnect, WebSocketState

from assistant.api.deps import settings_of, shopper_of
from assistant.auth import bearer_token
from assistant.rasa_client import RasaError
from assistant.settings import GatewaySettings
from assistant.voice.audio import AudioError, check_stream_rate, is_silent, parse_wav
from assistant.voice.recognizer import ModelUnavailable, Transcript, Utterance, interpret
from assistant.voice.service import LANGUAGES, VoiceService
from assistant.voice.tts import TtsUnavailable, synthesize

router = APIRouter(prefix="/v1/voice", tags=["voice"])
WAV_TYPES = ("audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave")
RESULT_HEADER = "X-Voice-Result"  # base64 (UTF-8 JSON) of the JSON body, on audio responses

# WebSocket close codes: 1000 done; 4xxx mirror the HTTP status of the same problem.
CLOSE_DONE = 1000
CLOSE_BAD_INPUT = 4422
CLOSE_IDLE = 4408
CLOSE_TOO_LONG = 4413
CLOSE_UNAVAILABLE = 4503
NO_ENGLISH = "English voice needs a Vosk model: set VOSK_MODEL_EN to its folder"


def service(request: Request) -> VoiceService:
    svc: VoiceService = request.app.state.voice
    return svc


def language_of(value: str | None) -> str:
    lang = (value or "ko").split(",")[0].split("-")[0].strip().lower() or "ko"
    if lang not in LANGUAGES:
        raise HTTPException(422, f"language {lang!r} is not supported (ko or en)")
    return lang


def result_body(
    transcript: Transcript, language: str, replies: list[dict[str, Any]]
) -> dict[str, Any]:
    return {"transcript": transcript.text, "language": language, "replies": replies}


@router.post(
    "",
    summary="Recognise one utterance and answer with Rasa's replies",
    responses={
        200: {"content": {"application/json": {}, "audio/wav": {}}},
        401: {"description": "missing, unknown or revoked device token"},
        413: {"description": "audio over the size or duration limit"},
        415: {"description": "body is not audio/wav"},
        422: {"description": "not 16-bit mono PCM WAV at 8 or 16 kHz"},
        503: {"description": "no speech model for the language (English: set VOSK_MODEL_EN)"},
    },
)
async def recognise(
    request: Request,
    svc: Annotated[VoiceService, Depends(service)],
    settings: Annotated[GatewaySettings, Depends(settings_of)],
    authorization: Annotated[str | None, Header()] = None,
    content_type: Annotated[str | None, Header()] = None,
    accept: Annotated[str | None, Header()] = None,
    language: Annotated[str | None, Query(description="ko (default) or en")] = None,
) -> Response:
    shopper = await shopper_of(request, authorization)
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype not in WAV_TYPES:
        got = ctype or "no content type"
        raise HTTPException(415, f"send the utterance as audio/wav, not {got}")
    lang = language_of(language or request.headers.get("content-language"))
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.voice_max_bytes:
        limit = settings.voice_max_bytes
        raise HTTPException(413, f"audio is {declared} bytes; the limit is {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():  # stop reading once over the limit
        body.extend(chunk)
        if len(body) > settings.voice_max_bytes:
            raise HTTPException(413, f"audio exceeds the limit of {settings.voice_max_bytes} bytes")
    try:
        pcm = parse_wav(bytes(body), max_bytes=settings.voice_max_bytes,
                        max_seconds=settings.voice_max_seconds)  # fmt: skip
    except AudioError as exc:
        raise HTTPException(exc.status, exc.message) from None
    if not svc.engine.available(lang):
        raise HTTPException(503, NO_ENGLISH)
    try:
        transcript = Transcript("", "") if is_silent(pcm) else await svc.transcribe(pcm, lang)
    except ModelUnavailable as exc:
        raise HTTPException(503, str(exc)) from None
    try:
        replies = await svc.reply(shopper, transcript, lang)
    except RasaError as exc:
        raise HTTPException(502, str(exc)) from None
    body_json = result_body(transcript, lang, replies)
    if accept and "audio/wav" in accept and "application/json" not in accept.split(",")[0]:
        voice = settings.tts_voice_ko if lang == "ko" else settings.tts_voice_en
        texts = [str(r["text"]) for r in replies if r.get("text")]
        try:
            wav = await svc.engine.run(synthesize, texts, voice)
        except TtsUnavailable as exc:
            raise HTTPException(503, str(exc)) from None
        encoded = base64.b64encode(json.dumps(body_json, ensure_ascii=False).encode()).decode()
        return Response(wav, media_type="audio/wav", headers={RESULT_HEADER: encoded})
    return JSONResponse(body_json)


class StreamClosed(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


async def _deny(ws: WebSocket, status: int, message: str) -> None:
    """Refuse the handshake with an HTTP status where the server allows it, else close."""
    try:
        await ws.send_denial_response(JSONResponse({"detail": message}, status_code=status))
    except RuntimeError:
        await ws.close(code=4000 + status, reason=message)


@router.websocket("/stream")
async def stream(ws: WebSocket, language: str | None = None) -> None:
    """vosk-server protocol: ``{"config": {"sample_rate": 16000}}``, binary 16-bit PCM chunks,
    ``{"eof": 1}``; answers partials per chunk and a final result with ``replies``."""
    app = ws.app
    settings: GatewaySettings = app.state.settings
    svc: VoiceService = app.state.voice
    token = bearer_token(ws.headers.get("authorization"))
    shopper = await run_in_threadpool(app.state.resolve_token, token) if token else None
    if shopper is None:
        await _deny(ws, 401, "missing, unknown or revoked device token")
        return
    try:
        lang = language_of(language)
    except HTTPException as exc:
        await _deny(ws, 422, str(exc.detail))
        return
    if not svc.engine.available(lang):
        await _deny(ws, 503, NO_ENGLISH)
        return
    await ws.accept()
    try:
        await _run_stream(ws, svc, settings, str(shopper), lang)
    except StreamClosed as exc:
        if ws.application_state == WebSocketState.CONNECTED:
            await ws.send_text(json.dumps({"error": exc.reason}))
            await ws.close(code=exc.code, reason=exc.reason)
    except WebSocketDisconnect:
        pass


async def _run_stream(
    ws: WebSocket, svc: VoiceService, settings: GatewaySettings, shopper: str, lang: str
) -> None:
    opened = time.monotonic()
    too_long = f"stream longer than {settings.stream_max_s:g} s"
    sample_rate = 16000
    utt: Utterance | None = None
    pending = b""
    segments: list[Transcript] = []
    while True:
        remaining = settings.stream_max_s - (time.monotonic() - opened)
        if remaining <= 0:
            raise StreamClosed(CLOSE_TOO_LONG, too_long)
        try:
            wait = min(settings.stream_idle_s, remaining)
            msg = await asyncio.wait_for(ws.receive(), timeout=wait)
        except TimeoutError:
            if time.monotonic() - opened >= settings.stream_max_s:
                raise StreamClosed(CLOSE_TOO_LONG, too_long) from None
            raise StreamClosed(CLOSE_IDLE, f"no audio for {settings.stream_idle_s:g} s") from None
        if msg["type"] == "websocket.disconnect":
            return
        if msg.get("bytes") is not None:
            data = pending + msg["bytes"]
            data, pending = data[: len(data) // 2 * 2], data[len(data) // 2 * 2 :]
            if utt is None:
                try:
                    utt = await svc.utterance(lang, sample_rate)
                except Exception as exc:
                    raise StreamClosed(CLOSE_UNAVAILABLE, str(exc)) from None
            if utt.audio_seconds + len(data) / 2 / sample_rate > settings.stream_max_s:
                raise StreamClosed(CLOSE_TOO_LONG, too_long)
            out = await svc.engine.run(utt.accept, data)
            if "result" in out or "text" in out:  # an endpoint inside the stream: a segment
                segments.append(interpret(out, utt.lm, utt.min_conf))
            await ws.send_text(json.dumps(out, ensure_ascii=False))
            continue
        text = msg.get("text")
        try:
            obj = json.loads(text) if text else None
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            raise StreamClosed(CLOSE_BAD_INPUT, "text messages must be JSON: config or eof")
        if "config" in obj:
            if utt is not None:
                raise StreamClosed(CLOSE_BAD_INPUT, "config must come before the audio")
            cfg = obj["config"]
            try:
                if not isinstance(cfg, dict):
                    raise AudioError(422, "config must be an object")
                sample_rate = check_stream_rate(cfg.get("sample_rate", 16000))
            except AudioError as exc:
                raise StreamClosed(CLOSE_BAD_INPUT, exc.message) from None
            continue
        if "eof" in obj:
            await _finish(ws, svc, utt, segments, shopper, lang, sample_rate)
            return
        raise StreamClosed(CLOSE_BAD_INPUT, "unknown message: send config, audio or eof")


async def _finish(
    ws: WebSocket,
    svc: VoiceService,
    utt: Utterance | None,
    segments: list[Transcript],
    shopper: str,
    lang: str,
    sample_rate: int,
) -> None:
    final: dict[str, Any] = {"text": ""}
    if utt is not None:
        raw, last = await svc.engine.run(utt.finish)
        final = dict(raw)
        segments.append(last)
        silent = utt.samples == 0
    else:
        silent = True
    text = " ".join(s.text for s in segments if s.text).strip()
    transcript = Transcript("" if silent else text, final.get("text", ""))
    try:
        replies = await svc.reply(shopper, transcript, lang)
        final["replies"] = replies
    except RasaError as exc:
        final["replies"], final["error"] = [], str(exc)
    final.update(transcript=transcript.text, language=lang)
    await ws.send_text(json.dumps(final, ensure_ascii=False))
    await ws.close(code=CLOSE_DONE)
