"""Voice benchmark: free vs catalog-biased decoding on the same clips, and stream latency.

    .venv/bin/python bench/voice.py [--full] [--runs 10] [--rasa-url URL | --stack]

Clips: espeak-ng Korean shopping requests at several voices, speeds and pitches (made now), plus
real recordings from tests/assistant/recordings when present. Reports, in one run:
- real-time factor (decode time / audio time) of free decoding (the stock model's language model),
  Vosk's runtime phrase list, and the compiled catalog grammar — with the ratio to free decoding;
- product-keyword accuracy of each (a clip counts when its product type is in the transcript) and
  how often speech outside the catalog (tests/assistant/speech.py) came out as a product;
- a ceiling: the same grammar with only the fixture's product types in its product slot. What it
  misses the acoustic model cannot hear in espeak-ng's voice, whatever the grammar;
- for a 3 s utterance sent in real time over the WebSocket stream: eof → the recogniser's final
  result, eof → the final message through the gateway with a stand-in Rasa that answers at once
  (the gateway's own overhead), and eof → the final message with Rasa's reply from a real Rasa
  (--rasa-url of a running server, whose JANGBOGI_RASA_JWT_SECRET this process must share, or
  --stack to start `jangbogi serve` on spare ports with a secret made for the run).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import itertools
import json
import os
import secrets
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
from assistant.voice.graph import compile_grammar, read_word_ids, write_overlay_model  # noqa: E402
from assistant.voice.recognizer import (  # noqa: E402
    LanguageModel,
    SpeechEngine,
    Utterance,
    _vosk,
    korean_fillers,
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


QUICK_GRID = [("ko", 175, 35), ("ko", 140, 65), ("ko+f2", 175, 65), ("ko+f2", 210, 35)]


def make_clips(full: bool) -> tuple[list[Clip], list[Clip]]:
    """Catalog requests (plus real recordings) and speech outside the catalog, same voices."""
    grid = list(itertools.product(VOICES, SPEEDS, PITCHES)) if full else QUICK_GRID
    clips = [
        Clip(f"{v} s{s} p{p}", text, types, speak(text, v, s, p))
        for text, types in KO_PHRASES
        for v, s, p in grid
    ]
    oov = [
        Clip(f"{v} s{s} p{p}", text, frozenset(), speak(text, v, s, p))
        for text in OUT_OF_VOCABULARY
        for v, s, p in (grid if full else QUICK_GRID)
    ]
    return clips + [c for c in recorded_clips() if c.types], oov


def ceiling_model(engine: SpeechEngine, lm: LanguageModel, out: Path) -> LanguageModel:
    """The catalog grammar with only the fixture's product types in the product slot."""
    vocab = lm.vocabulary
    assert vocab is not None
    wanted = frozenset().union(*(types for _, types in KO_PHRASES))
    small = dataclasses.replace(
        vocab, products={p: k for p, k in vocab.products.items() if k & wanted}
    )
    word_ids = read_word_ids(korean_model_path())
    fst = compile_grammar(small, word_ids, korean_fillers(lambda w: w in word_ids), engine.weights)
    write_overlay_model(korean_model_path(), out, fst, word_ids, engine.conf_overrides)
    return LanguageModel("ko", _vosk().Model(str(out)), small, out)


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


def utterance_pcm() -> bytes:
    """A ~3 s request: speech, then silence up to 3 s (a speaker sends eof after the pause)."""
    pcm = speak("세탁세제 두 개 장바구니에 담아줘", "ko", 140, 50).data
    pad = 3 * 16000 * 2 - len(pcm)
    return pcm + b"\0\0" * max(0, pad // 2)


def final_latency(engine: SpeechEngine, runs: int) -> dict[str, float]:
    """eof → the recogniser's final result: the decoding left after the last chunk."""
    lm = engine.model("ko")
    pcm = utterance_pcm()
    times = []
    for _ in range(runs):
        utt = Utterance(lm, 16000, engine.min_conf)
        for i in range(0, len(pcm), 3200):
            utt.accept(pcm[i : i + 3200])
        t0 = time.perf_counter()
        utt.finish()
        times.append(time.perf_counter() - t0)
    return {"p50_ms": statistics.median(times) * 1000, "max_ms": max(times) * 1000}


def stack_env(rasa_port: int = 15305) -> dict[str, str]:
    """The environment of `jangbogi serve` on spare ports."""
    if not list((ROOT / "models").glob("*.tar.gz")):
        sys.exit("--stack needs a trained Rasa model: run `make model`")
    ports = {"rasa": rasa_port, "action": rasa_port + 50, "gateway": rasa_port + 3000,
             "seller": rasa_port + 3010}  # fmt: skip
    # This process's gateway signs the turns for that Rasa: both need the same secret.
    secret = os.environ.get("JANGBOGI_RASA_JWT_SECRET") or secrets.token_urlsafe(32)
    return {**os.environ, **{f"JANGBOGI_{k.upper()}_PORT": str(v) for k, v in ports.items()},
            "JANGBOGI_RASA_JWT_SECRET": secret}  # fmt: skip


def stream_latency(
    engine: SpeechEngine, runs: int, rasa_url: str | None, jwt_secret: str | None = None
) -> dict[str, Any]:
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
    if rasa_url is None:  # the stand-in checks no token; one made here keeps the gateway quiet
        jwt_secret = jwt_secret or secrets.token_urlsafe(32)
    # Without an explicit secret, GatewaySettings reads JANGBOGI_RASA_JWT_SECRET (--rasa-url).
    secret = {"rasa_jwt_secret": jwt_secret} if jwt_secret else {}
    settings = GatewaySettings(rasa_url=rasa_url or "http://rasa.invalid", **secret)
    app = create_app(settings, engine=engine, resolve_token=lambda t: "bench-shopper",
                     rasa_transport=transport, catalog_version=lambda: 1)  # fmt: skip
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    pcm = utterance_pcm()

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
            last.update(final)
        return time.perf_counter() - t0

    last: dict[str, Any] = {}

    asyncio.run(once())  # warm-up: the first turn of a conversation is not the steady state
    times = [asyncio.run(once()) for _ in range(runs)]
    server.should_exit = True
    return {"p50_ms": statistics.median(times) * 1000, "max_ms": max(times) * 1000,
            "transcript": last.get("transcript"), "replies": last.get("replies")}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="every voice × speed × pitch")
    parser.add_argument("--runs", type=int, default=10, help="stream latency repetitions")
    parser.add_argument("--rasa-url", default=None, help="a running Rasa server for eof→reply")
    parser.add_argument("--stack", action="store_true",
                        help="start `jangbogi serve` on spare ports for eof→reply")  # fmt: skip
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
    clips, oov = make_clips(args.full)
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
    ceiling = ceiling_model(engine, lm, engine.cache_dir / "ceiling")

    def rec_ceiling(rate: int) -> Any:
        r = vosk.KaldiRecognizer(ceiling.model, rate)
        r.SetWords(True)
        return r

    def judge_ceiling(out: dict[str, Any]) -> set[str]:
        from assistant.voice.recognizer import interpret

        return interpret(out, ceiling, engine.min_conf).product_types

    assert ceiling.vocabulary is not None
    rows.append(measure(f"ceiling: {len(ceiling.vocabulary.products)} fixture-type phrases",
                        rec_ceiling, clips, oov, judge_ceiling))  # fmt: skip
    free_rtf = rows[0]["rtf"]
    print(f"\n{'decoding':<38}{'RTF':>7}{'× faster':>10}{'keyword acc':>13}{'OOV→product':>13}")
    for r in rows:
        print(f"{r['name']:<38}{r['rtf']:>7.3f}{free_rtf / r['rtf']:>10.1f}"
              f"{r['accuracy']:>13.1%}{r['false_product']:>13.1%}")  # fmt: skip
    print(f"\n3 s utterance sent in real time, {args.runs} runs each:")
    lat = final_latency(engine, args.runs)
    print(f"  eof → recogniser's final result: p50 {lat['p50_ms']:.0f} ms, "
          f"max {lat['max_ms']:.0f} ms")  # fmt: skip
    lat = stream_latency(engine, args.runs, None)
    print(f"  eof → final message on the stream, Rasa stand-in answering at once: "
          f"p50 {lat['p50_ms']:.0f} ms, max {lat['max_ms']:.0f} ms")  # fmt: skip
    if args.rasa_url:
        reply_latency(engine, args.runs, args.rasa_url)
    elif args.stack:
        from tests.stack import scratch_store, stack_running

        # A copy of the store: the bench's shopper and searches stay out of the demo data.
        with scratch_store(stack_env()) as env, stack_running(env):
            reply_latency(engine, args.runs, f"http://127.0.0.1:{env['JANGBOGI_RASA_PORT']}",
                          env["JANGBOGI_RASA_JWT_SECRET"])  # fmt: skip
    else:
        print("  eof → Rasa's reply: pass --rasa-url of a running Rasa server, or --stack")
    engine.shutdown()


def reply_latency(
    engine: SpeechEngine, runs: int, rasa_url: str, jwt_secret: str | None = None
) -> None:
    lat = stream_latency(engine, runs, rasa_url, jwt_secret)
    print(f"  eof → final message with Rasa's reply ({rasa_url}): "
          f"p50 {lat['p50_ms']:.0f} ms, max {lat['max_ms']:.0f} ms")  # fmt: skip
    kinds = [(r.get("custom") or {}).get("type", "text") for r in lat["replies"] or []]
    print(f"    heard {lat['transcript']!r}, Rasa answered {kinds}")


if __name__ == "__main__":
    main()
