"""espeak-ng fixtures made at test time, the keyword set, and real recordings when present."""

from __future__ import annotations

import csv
import itertools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from assistant.voice.audio import Pcm, parse_wav, to_wav

RECORDINGS = Path(__file__).parent / "recordings"

# Korean shopping requests and the product types a correct transcript names (taxonomy keys).
# Fixed before measuring: the examples plus one request per common type and form.
KO_PHRASES: tuple[tuple[str, frozenset[str]], ...] = (
    ("화장지 주세요", frozenset({"toilet_paper"})),
    ("세탁세제 두 개 장바구니에 담아줘", frozenset({"liquid_laundry_detergent"})),
    ("물티슈 찾아줘", frozenset({"wet_wipes"})),
    ("샴푸 있어요", frozenset({"shampoo"})),
    ("쓰레기봉투 세 개 주문해줘", frozenset({"trash_bags"})),
    ("치약 추천해 주세요", frozenset({"toothpaste"})),
    ("생수 열 개 담아줘", frozenset({"bottled_water"})),
    ("기저귀 보여줘", frozenset({"diapers"})),
    ("섬유유연제 하나 사고 싶어요", frozenset({"fabric_softener"})),
    ("키친타월 주세요", frozenset({"paper_towels"})),
    ("주방세제 장바구니에 담아줘", frozenset({"dish_soap"})),
    ("바디워시 두 개 주문해줘", frozenset({"body_wash"})),
)
NO_PRODUCT = ("주문할게요", "장바구니 보여줘")
# Speech outside the catalog: a product here is a false accept. Shopping-shaped requests for
# things the shop does not sell, and requests an assistant hears that are not shopping at all.
OUT_OF_VOCABULARY = (
    "자동차 주세요", "비행기 표 예약해줘", "노트북 두 개 담아줘", "피아노 보여줘", "음악 틀어줘",
    "엄마한테 전화해줘", "지하철 시간표 보여줘", "강아지 사진 찾아줘", "영화 예매해줘",
    "자전거 타고 싶어요", "호텔 방 있어요", "텔레비전 켜줘",
)  # fmt: skip
SPEEDS = (140, 175, 210)
PITCHES = (35, 65)
VOICES = ("ko", "ko+f2")
QUICK = (("ko", 175, 35), ("ko+f2", 140, 65))  # the default (non-slow) subset


@dataclass(frozen=True)
class Clip:
    name: str
    text: str
    types: frozenset[str]
    pcm: Pcm


def espeak_missing() -> str | None:
    for exe in ("espeak-ng", "sox"):
        if shutil.which(exe) is None:
            return f"{exe} is not installed (run `make sysdeps`)"
    return None


def speak(
    text: str, voice: str = "ko", speed: int = 175, pitch: int = 50, rate: int = 16000
) -> Pcm:
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", text],
        capture_output=True,
        check=True,
    ).stdout
    # -D: no dither. sox dithers with random noise by default, so the same phrase gave different
    # samples, transcripts and confidences on every call: flaky tests and noisy benchmarks.
    raw = subprocess.run(
        ["sox", "-D", "-t", "wav", "-", "-t", "raw", "-r", str(rate), "-c", "1", "-b", "16",
         "-e", "signed-integer", "-"],
        input=wav, capture_output=True, check=True,
    ).stdout  # fmt: skip
    return Pcm(rate, raw)


def speak_wav(text: str, **kwargs: int | str) -> bytes:
    pcm = speak(text, **kwargs)  # type: ignore[arg-type]
    return to_wav(pcm.data, pcm.sample_rate)


def espeak_clips(
    phrases: tuple[tuple[str, frozenset[str]], ...] = KO_PHRASES, quick: bool = False
) -> list[Clip]:
    grid = QUICK if quick else tuple(itertools.product(VOICES, SPEEDS, PITCHES))
    return [
        Clip(f"{voice} s{speed} p{pitch}: {text}", text, types, speak(text, voice, speed, pitch))
        for text, types in phrases
        for voice, speed, pitch in grid
    ]


def recorded_clips() -> list[Clip]:
    """Real recordings: ``recordings/transcripts.tsv`` rows ``file<TAB>transcript<TAB>type keys``
    (comma-separated keys, may be empty), WAV files beside it (16-bit mono, 8 or 16 kHz)."""
    index = RECORDINGS / "transcripts.tsv"
    if not index.is_file():
        return []
    out = []
    with index.open(encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if not row or row[0].startswith("#"):
                continue
            keys = frozenset(k for k in (row[2] if len(row) > 2 else "").split(",") if k)
            pcm = parse_wav((RECORDINGS / row[0]).read_bytes(), max_bytes=1 << 30, max_seconds=600)
            out.append(Clip(row[0], row[1], keys, pcm))
    return out
