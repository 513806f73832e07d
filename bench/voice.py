"""Voice benchmark: free vs catalog-biased decoding on the same clips, and stream latency.

    .venv/bin/python bench/voice.py [--full] [--runs 10] [--rasa-url URL]

Clips: espeak-ng Korean shopping requests at several voices, speeds and pitches (made now), plus
real recordings from tests/assistant/recordings when present. Reports, in one run:
- real-time factor (decode time / audio time) of free decoding (the stock model's language model),
  Vosk's runtime phrase list, and the compiled catalog grammar — with the ratio to free decoding;
- product-keyword accuracy of each (a clip counts when its product type is in the transcript) and
  how often speech outside the catalog came out as a product;
- on the WebSocket stream, for a 3 s utterance sent in real time: eof → final result and eof →
  Rasa's reply (a real Rasa with --rasa-url, else an in-process stand-in that answers at once).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.settings import GatewaySettings  # noqa: E402
from assistant.voice.recognizer import (  # noqa: E402
    LanguageModel,
    SpeechEngine,
    _vosk,
    korean_model_path,
)
from assistant.voice.vocabulary import Vocabulary  # noqa: E402
from tests.assistant.speech import (  # noqa: E402
    KO_PHRASES,
    OUT_OF_VOCABULARY,
    PITCHES,
    SPEEDS,
    VOICES,
    Clip,
    recorded_clips,
    speak,
)


def catalog_loader() -> Any:
    """The store's catalog when the demo data is there, else the tests' small catalog."""
    try:
        from assistant.voice.catalog import catalog_version, load_catalog_text

        if catalog_version()[0] > 0:
            return load_catalog_text, "store catalog"
    except Exception:
        pass
    from tests.assistant.conftest import fixture_catalog

    return fixture_catalog, "fixture catalog (no store)"


def make_clips(full: bool) -> list[Clip]:
    grid = list(itertools.product(VOICES, SPEEDS, PITCHES))
    if not full:
        grid = [("ko", 175, 35), ("ko", 140, 65), ("ko+f2", 175, 65), ("ko+f2", 210, 35)]
    clips = [
        Clip(f"{v} s{s} p{p}", text, types, speak(text, v, s, p))
        for text, types in KO_PHRASES
        for v, s, p in grid
    ]
    return clips + [c for c in recorded_clips() if c.types]


def decode(rec: Any, pcm: bytes) -> tuple[dict[str, Any], float]:
    t0 = time.perf_counter()
    for i in range(0, len(pcm), 8000):
        rec.AcceptWaveform(pcm[i : i + 8000])
    out = json.loads(rec.FinalResult())
    return out, time.perf_counter() - t0


def types_in(vocab: Vocabulary, words: list[str]) -> set[str]:
    return vocab.product_types(words)


def measure(
    name: str, make_rec: Any, clips: list[Clip], oov: list[Clip], judge: Any
) -> dict[str, Any]:
    dec = audio = 0.0
    hits = 0
    for clip in clips:
        rec = make_rec(clip.pcm.sample_rate)
        out, seconds = decode(rec, clip.pcm.data)
        dec += seconds
        audio += clip.pcm.seconds
        hits += bool(clip.types & judge(out))
    false = 0
    for clip in oov:
        out, _ = decode(make_rec(clip.pcm.sample_rate), clip.pcm.data)
        false += bool(judge(out))
    return {"name": name, "rtf": dec / audio, "accuracy": hits / len(clips),
            "false_product": false / max(1, len(oov))}  # fmt: skip


def stream_latency(engine: SpeechEngine, runs: int, rasa_url: str | None) -> dict[str, Any]:
    import httpx
    import uvicorn
    import websockets

    from assistant.app import create_app
    from assistant.settings import GatewaySettings

    transport = None
    if rasa_url is None:
        transport = httpx.MockTransport(
            lambda r: httpx.Response(200, json=[{"recipient_id": "b", "text": "네"}])
        )
    settings = GatewaySettings(rasa_url=rasa_url or "http://rasa.invalid")
    app = create_app(settings, engine=engine, resolve_token=lambda t: "bench-shopper",
                     rasa_transport=transport, catalog_version=lambda: 1)  # fmt: skip
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    pcm = speak("세탁세제 두 개 장바구니에 담아줘", "ko", 140, 50).data
    pad = 3 * 16000 * 2 - len(pcm)
    pcm = pcm + b"\0\0" * max(0, pad // 2)  # a 3 s utterance, trailing silence included

    async def once() -> float:
        url = f"ws://127.0.0.1:{port}/v1/voice/stream"
        async with websockets.connect(url, additional_headers={"Authorization": "Bearer x"}) as ws:
            await ws.send(json.dumps({"config": {"sample_rate": 16000}}))
            for i in range(0, len(pcm), 3200):  # 0.1 s chunks in real time
                await ws.send(pcm[i : i + 3200])
                await ws.recv()
                await asyncio.sleep(0.1)
            t0 = time.perf_counter()
            await ws.send('{"eof" : 1}')
            final = json.loads(await ws.recv())
            assert "replies" in final, final
        return time.perf_counter() - t0

    times = [asyncio.run(once()) for _ in range(runs)]
    server.should_exit = True
    return {"p50_ms": statistics.median(times) * 1000, "max_ms": max(times) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="every voice × speed × pitch")
    parser.add_argument("--runs", type=int, default=10, help="stream latency repetitions")
    parser.add_argument("--rasa-url", default=None, help="a running Rasa server for eof→reply")
    args = parser.parse_args()
    vosk = _vosk()
    loader, source = catalog_loader()
    print(f"catalog: {source}")
    engine = SpeechEngine(model_paths={"ko": korean_model_path()}, catalog_loader=loader,
                          cache_dir=Path(tempfile.mkdtemp(prefix="voice-bench-")),
                          min_conf=GatewaySettings().voice_min_conf)  # fmt: skip
    t0 = time.perf_counter()
    lm: LanguageModel = engine.model("ko")
    vocab = lm.vocabulary
    assert vocab is not None
    print(f"grammar build + load: {time.perf_counter() - t0:.1f} s, "
          f"{len(vocab.products)} product phrases, {len(vocab.templates)} templates")  # fmt: skip
    clips = make_clips(args.full)
    oov = [Clip(t, t, frozenset(), speak(t, "ko", 175, 35)) for t in OUT_OF_VOCABULARY]
    print(f"clips: {len(clips)} ({sum(c.pcm.seconds for c in clips):.0f} s of audio), "
          f"{len(oov)} outside the catalog")  # fmt: skip
    base = vosk.Model(str(korean_model_path()))
    phrase_list = json.dumps(vocab.phrase_list(), ensure_ascii=False)

    def words_of(out: dict[str, Any]) -> list[str]:
        return str(out.get("text", "")).split()

    def biased(min_conf: float) -> Any:
        def judge(out: dict[str, Any]) -> set[str]:
            from assistant.voice.recognizer import interpret

            return interpret(out, lm, min_conf).product_types

        return judge

    def rec_biased(rate: int) -> Any:
        r = vosk.KaldiRecognizer(lm.model, rate)
        r.SetWords(True)
        return r

    rows = [
        measure("free (stock LM)", lambda rate: vosk.KaldiRecognizer(base, rate), clips, oov,
                lambda o: types_in(vocab, words_of(o))),
        measure("runtime phrase list", lambda rate: vosk.KaldiRecognizer(base, rate, phrase_list),
                clips, oov, lambda o: types_in(vocab, words_of(o))),
        measure("catalog grammar, no guard", rec_biased, clips, oov, biased(0.0)),
        measure(f"catalog grammar, conf ≥ {engine.min_conf}", rec_biased, clips, oov,
                biased(engine.min_conf)),
    ]  # fmt: skip
    free_rtf = rows[0]["rtf"]
    print(f"\n{'decoding':<32}{'RTF':>7}{'× faster':>10}{'keyword acc':>13}{'OOV→product':>13}")
    for r in rows:
        print(f"{r['name']:<32}{r['rtf']:>7.3f}{free_rtf / r['rtf']:>10.1f}"
              f"{r['accuracy']:>13.1%}{r['false_product']:>13.1%}")  # fmt: skip
    print(f"\nstream, 3 s utterance sent in real time, {args.runs} runs each:")
    lat = stream_latency(engine, args.runs, None)
    print(f"  eof → final result (Rasa stand-in answers at once): p50 {lat['p50_ms']:.0f} ms, "
          f"max {lat['max_ms']:.0f} ms")  # fmt: skip
    if args.rasa_url:
        lat = stream_latency(engine, args.runs, args.rasa_url)
        print(f"  eof → final with Rasa's reply ({args.rasa_url}): p50 {lat['p50_ms']:.0f} ms, "
              f"max {lat['max_ms']:.0f} ms")  # fmt: skip
    else:
        print("  eof → Rasa's reply: pass --rasa-url of a running Rasa server to measure")
    engine.shutdown()


if __name__ == "__main__":
    main()
