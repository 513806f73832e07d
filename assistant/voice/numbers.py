"""Korean number words in transcripts → digits, so NLU sees "2개" whether one typed or spoke it.

Vosk writes what it heard as words ("두 개", "열 두 병", "삼 개"). Chat users type digits, and the
NLU data and quantity extraction are written for digits, so the gateway normalises before Rasa.
Only numbers followed by a counter are converted: a bare "세" or "네" is also a verb ending or
"yes", so converting those everywhere would corrupt ordinary sentences.
"""

from __future__ import annotations

# Native Korean numbers, in the forms they take before a counter (한 개, 두 병) and alone.
NATIVE_UNITS = {
    "한": 1,
    "하나": 1,
    "두": 2,
    "둘": 2,
    "세": 3,
    "셋": 3,
    "석": 3,
    "서": 3,
    "네": 4,
    "넷": 4,
    "넉": 4,
    "너": 4,
    "다섯": 5,
    "여섯": 6,
    "일곱": 7,
    "여덟": 8,
    "아홉": 9,
}
NATIVE_TENS = {"열": 10, "스물": 20, "스무": 20, "서른": 30, "마흔": 40, "쉰": 50}
SINO_DIGITS = {"일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "륙": 6, "칠": 7, "팔": 8,
               "구": 9}  # fmt: skip
SINO_MULT = {"십": 10, "백": 100, "천": 1000}
# Counters a shopper uses for daily necessities; "개입" (pieces per pack) and units for sizes.
COUNTERS = ("개입", "개", "병", "통", "팩", "봉지", "봉", "박스", "상자", "롤", "묶음", "세트",
            "켤레", "장", "매", "캔", "포", "입", "리터", "킬로", "그램", "미리")  # fmt: skip
STANDALONE = {"하나": 1, "둘": 2, "셋": 3, "넷": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8,
              "아홉": 9, "열": 10}  # fmt: skip


def parse_native(words: list[str]) -> int | None:
    """ "열 두" → 12, "스무" → 20; None when the words are not one native number."""
    text = "".join(words)
    for tens_word, tens in sorted(NATIVE_TENS.items(), key=lambda kv: -len(kv[0])):
        if text.startswith(tens_word):
            rest = text[len(tens_word) :]
            if not rest:
                return tens
            unit = NATIVE_UNITS.get(rest)
            return tens + unit if unit else None
    return NATIVE_UNITS.get(text)


def parse_sino(words: list[str]) -> int | None:
    """ "삼" → 3, "이 십 오" / "이십오" → 25, "백" → 100; None when not one Sino-Korean number."""
    text = "".join(words)
    if not text or any(ch not in SINO_DIGITS and ch not in SINO_MULT for ch in text):
        return None
    total, digit = 0, None
    for ch in text:
        if ch in SINO_DIGITS:
            if digit is not None:
                return None  # two digits in a row ("삼사") is not a number we read
            digit = SINO_DIGITS[ch]
        else:
            total += (digit or 1) * SINO_MULT[ch]
            digit = None
    return total + (digit or 0)


def _number_before(tokens: list[str], end: int) -> tuple[int, int] | None:
    """The longest number ending just before ``end``: (value, start index)."""
    for width in (3, 2, 1):
        start = end - width
        if start < 0:
            continue
        words = tokens[start:end]
        value = parse_native(words)
        if value is None:
            value = parse_sino(words)
        if value is not None:
            return value, start
    return None


def _split_counter(token: str) -> tuple[str, str] | None:
    """ "두개" → ("두", "개"): Vosk and typists both glue the counter on."""
    for counter in COUNTERS:
        if token.endswith(counter) and len(token) > len(counter):
            head = token[: -len(counter)]
            if parse_native([head]) is not None or parse_sino([head]) is not None:
                return head, counter
    return None


def normalise_numbers(text: str) -> str:
    """Rewrite spoken Korean quantities as digits: "세탁세제 두 개" → "세탁세제 2개"."""
    tokens: list[str] = []
    for tok in text.split():
        split = _split_counter(tok)
        tokens.extend(split if split else [tok])
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in COUNTERS:
            # Look back over what we already emitted for the number words.
            found = _number_before(out, len(out))
            if found is not None:
                value, start = found
                del out[start:]
                out.append(f"{value}{tok}")
                i += 1
                continue
        out.append(tok)
        i += 1
    # A standalone native number at the end of a request ("휴지 둘") is a quantity too.
    if len(out) >= 2 and out[-1] in STANDALONE and out[-2] not in STANDALONE:
        out[-1] = f"{STANDALONE[out[-1]]}개"
    return " ".join(out)
