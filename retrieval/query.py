"""Query understanding for raw Korean or English text.

Turns "만원 이하 2리터 생수" or "cheap nappies under 10,000 won" into a type (taxonomy synonyms
in both languages), a size with a unit, a price cap and a brand, plus the words left for the
search legs.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from store.taxonomy import Taxonomy

HANGUL = re.compile(r"[\uac00-\ud7a3]")  # syllables
# Korean text also comes as bare letters: chat shorthand "ㅇㅇ" (yes), "ㄴㄴ" (no), "ㅋㅋ".
KOREAN_TEXT = re.compile(r"[\uac00-\ud7a3\u3131-\u318e\u1100-\u11ff]")

# Units as shoppers write them → the taxonomy's unit and a factor into it.
UNIT_ALIASES: dict[str, tuple[str, float]] = {
    "l": ("L", 1.0),
    "liter": ("L", 1.0),
    "liters": ("L", 1.0),
    "litre": ("L", 1.0),
    "litres": ("L", 1.0),
    "리터": ("L", 1.0),
    "ℓ": ("L", 1.0),
    "ml": ("ml", 1.0),
    "밀리리터": ("ml", 1.0),
    "미리": ("ml", 1.0),
    "kg": ("kg", 1.0),
    "킬로": ("kg", 1.0),
    "킬로그램": ("kg", 1.0),
    "키로": ("kg", 1.0),
    "g": ("g", 1.0),
    "gram": ("g", 1.0),
    "grams": ("g", 1.0),
    "그램": ("g", 1.0),
    "m": ("m", 1.0),
    "미터": ("m", 1.0),
    "롤": ("roll", 1.0),
    "rolls": ("roll", 1.0),
    "roll": ("roll", 1.0),
    # "2개" is a quantity, not a size: only pack counts ("30개입", "100매") are sizes.
    "매": ("count", 1.0),
    "개입": ("count", 1.0),
    "입": ("count", 1.0),
    "count": ("count", 1.0),
    "ct": ("count", 1.0),
    "pack": ("count", 1.0),
    "pcs": ("count", 1.0),
    "켤레": ("pair", 1.0),
    "pair": ("pair", 1.0),
    "pairs": ("pair", 1.0),
}
# Conversions between units of one dimension, so "500ml" can match a size given in L.
CONVERT = {("ml", "L"): 0.001, ("L", "ml"): 1000.0, ("g", "kg"): 0.001, ("kg", "g"): 1000.0}

_UNIT_RE = "|".join(sorted((re.escape(u) for u in UNIT_ALIASES), key=len, reverse=True))
# "2L", "2 litre", "the 2-litre one"
SIZE_RE = re.compile(rf"(\d+(?:\.\d+)?)\s*-?\s*({_UNIT_RE})(?![a-z])", re.IGNORECASE)

_KO_DIGITS = {"일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7, "팔": 8, "구": 9}
_NUM = r"\d[\d,]*(?:\.\d+)?"
# "만원 이하", "2만 5천원 미만", "10,000원 이하"; "under 10,000 won", "below ₩5000", "less than 8k"
KO_PRICE_RE = re.compile(
    rf"((?:{_NUM}|[일이삼사오육칠팔구])?\s*만)?\s*((?:{_NUM}|[일이삼사오육칠팔구])?\s*천)?\s*"
    rf"({_NUM})?\s*원\s*(이하|미만|까지|아래|안쪽|밑)"
)
EN_PRICE_RE = re.compile(
    rf"(?:under|below|less than|max(?:imum)?|up to|no more than|cheaper than|<=?)\s*"
    rf"(?:₩|krw\s*)?({_NUM})\s*(k|thousand)?\s*(?:won|krw|원)?",
    re.IGNORECASE,
)


def is_korean(text: str) -> bool:
    return bool(KOREAN_TEXT.search(text))


def has_batchim(word: str) -> bool:
    """Whether ``word`` ends in a consonant when read in Korean, which picks the particle
    (을/를, 은/는). Digits count as read in Sino-Korean: 영, 일, 삼, 육, 칠, 팔 end in one."""
    last = word.strip()[-1:] or "a"
    if HANGUL.match(last):
        return (ord(last) - 0xAC00) % 28 != 0
    if last in "gG":  # a unit read as 그램 / 킬로그램 ("500g을"); L and ml are 리터 / 밀리리터
        return True
    return last.isdigit() and last in "013678"


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().strip()


@dataclass(frozen=True)
class Size:
    value: float
    unit: str

    def in_unit(self, unit: str) -> float | None:
        """This size expressed in ``unit``, or None when the dimensions differ."""
        if unit == self.unit:
            return self.value
        factor = CONVERT.get((self.unit, unit))
        return self.value * factor if factor else None

    def matches(self, size: float, unit: str) -> bool:
        """Whether a product of ``size`` ``unit`` comes in this size ("2리터": 2 L or 2,000 ml)."""
        value = self.in_unit(unit)
        return value is not None and abs(value - size) <= 1e-6 * max(1.0, value)


@dataclass
class ParsedQuery:
    raw: str
    language: str
    text: str  # what is left for the search legs once prices are taken out
    type_keys: list[str] = field(default_factory=list)
    brand: str | None = None
    size: Size | None = None
    max_price: int | None = None


def _num(s: str | None) -> float:
    """A number written in digits or one Korean digit word; none (as in "만원") means 1."""
    s = (s or "").strip()
    if not s:
        return 1.0
    if s in _KO_DIGITS:
        return float(_KO_DIGITS[s])
    return float(s.replace(",", ""))


def parse_price_cap(text: str) -> tuple[int | None, str]:
    """The price cap in won and the text without it."""
    m = KO_PRICE_RE.search(text)
    if m and (m.group(1) or m.group(2) or m.group(3)):
        man = _num(m.group(1)[:-1]) * 10000 if m.group(1) else 0.0
        cheon = _num(m.group(2)[:-1]) * 1000 if m.group(2) else 0.0
        rest = float(m.group(3).replace(",", "")) if m.group(3) else 0.0
        value = man + cheon + rest
        if value > 0:
            return int(value), (text[: m.start()] + " " + text[m.end() :]).strip()
    m = EN_PRICE_RE.search(text)
    if m:
        value = float(m.group(1).replace(",", ""))
        if m.group(2):
            value *= 1000
        return int(value), (text[: m.start()] + " " + text[m.end() :]).strip()
    return None, text


def parse_size(text: str) -> Size | None:
    m = SIZE_RE.search(text)
    if not m:
        return None
    unit, factor = UNIT_ALIASES[m.group(2).lower()]
    return Size(float(m.group(1)) * factor, unit)


class QueryParser:
    """Maps taxonomy names and synonyms (both languages) and known brands onto a query."""

    def __init__(self, taxonomy: Taxonomy, brands: Mapping[str, str] | Iterable[str] = ()) -> None:
        """``brands``: the catalog's brand names, or a map of alias (e.g. the Korean name) to
        the brand as stored on products."""
        phrases: dict[str, str] = {}
        for t in taxonomy.types:
            for lang in ("en", "ko"):
                for name in t.names(lang):
                    phrases.setdefault(normalise(name), t.key)
                    # Korean is often written without spaces ("두루마리휴지").
                    phrases.setdefault(normalise(name).replace(" ", ""), t.key)
        # Longest first, so "baby wipes" wins over "wipes" and "아기 물티슈" over "물티슈".
        self._phrases = sorted(phrases.items(), key=lambda kv: len(kv[0]), reverse=True)
        # Latin phrases again as word lists, for matching with one typo per long word.
        self._latin_phrases = [
            (phrase.split(), len(phrase), key)
            for phrase, key in self._phrases
            if phrase.isascii() and any(len(w) >= FUZZY_MIN_LEN for w in phrase.split())
        ]
        # Which phrase words a message word is near, worked out once per distinct word: trying
        # every phrase at every position called the near-match 2,600 times a message (3.7 ms;
        # training featurizes 18,000 messages twice). Bounded, as a server sees new words forever.
        self._phrase_words = sorted({w for words, _, _ in self._latin_phrases for w in words})
        self._near_words = functools.lru_cache(maxsize=65536)(self._words_near)
        aliases = dict(brands) if isinstance(brands, Mapping) else {b: b for b in brands}
        self._brands = sorted(
            ((normalise(a), b) for a, b in aliases.items() if a),
            key=lambda kv: len(kv[0]),
            reverse=True,
        )

    def type_keys(self, text: str) -> list[str]:
        """Taxonomy keys named in ``text``, in order of appearance (see :meth:`type_spans`)."""
        keys: list[str] = []
        for _, _, key in self.type_spans(text):
            if key not in keys:
                keys.append(key)
        return keys

    def type_spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, key) of the taxonomy phrases in the normalised ``text``, in order. The
        longest phrase wins, so a slightly misspelt "laudry soap" (a near match of "laundry
        soap") still beats the exact "soap" inside it."""
        t = normalise(text)
        return longest_first(t, self._exact_spans(t) + self._near_spans(t))

    def _exact_spans(self, t: str) -> list[Span]:
        spans: list[Span] = []
        for phrase, key in self._phrases:
            start = 0
            while (i := t.find(phrase, start)) >= 0:
                start = i + 1
                if _word_bounded(t, i, i + len(phrase)):
                    spans.append((len(phrase), i, i + len(phrase), key))
        return spans

    def _near_spans(self, t: str) -> list[Span]:
        """Latin phrases whose every word is near (one typo in a long word) the message's words
        at some position."""
        spans: list[Span] = []
        words = [(m.start(), m.end(), m.group()) for m in LATIN_WORD.finditer(t)]
        near = [self._near_words(w[2]) for w in words]
        for phrase_words, phrase_len, key in self._latin_phrases:
            n = len(phrase_words)
            for j in range(len(words) - n + 1):
                if phrase_words[0] in near[j] and all(
                    phrase_words[k] in near[j + k] for k in range(1, n)
                ):
                    spans.append((phrase_len, words[j][0], words[j + n - 1][1], key))
        return spans

    def _words_near(self, word: str) -> frozenset[str]:
        return frozenset(pw for pw in self._phrase_words if _near_product_word(word, pw))

    def brand(self, text: str) -> str | None:
        t = normalise(text)
        for norm, original in self._brands:
            i = t.find(norm)
            if i >= 0 and _word_bounded(t, i, i + len(norm)):
                return original
        return None

    def parse(self, raw: str) -> ParsedQuery:
        text = normalise(raw)
        max_price, rest = parse_price_cap(text)
        return ParsedQuery(
            raw=raw,
            language="ko" if is_korean(raw) else "en",
            text=rest,
            type_keys=self.type_keys(rest),
            brand=self.brand(rest),
            size=parse_size(rest),
            max_price=max_price,
        )


LATIN_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*")
# A phrase found in a text: (phrase length, start, end, taxonomy key).
Span = tuple[int, int, int, str]


def longest_first(t: str, spans: list[Span]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, key) in order of position, longer phrases taken first (ties:
    the earlier one, then the one found first)."""
    taken = [False] * len(t)
    found: list[tuple[int, int, str]] = []
    for _, i, end, key in sorted(spans, key=lambda s: (-s[0], s[1])):
        if not any(taken[i:end]):
            taken[i:end] = [True] * (end - i)
            found.append((i, end, key))
    return sorted(found)


FUZZY_MIN_LEN = 5  # shorter words must match exactly: "pads" vs "pods" are different things


def _near_product_word(word: str, target: str) -> bool:
    """A near match that never reads a unit as a misspelt product ("2 liter water" is not
    cat litter)."""
    return word == target or (word not in UNIT_ALIASES and _near(word, target))


def _near(word: str, target: str) -> bool:
    """Equal, or one edit apart (insert, delete, substitute, swap) when both are long words."""
    if word == target:
        return True
    if min(len(word), len(target)) < FUZZY_MIN_LEN or abs(len(word) - len(target)) > 1:
        return False
    i = 0
    while i < min(len(word), len(target)) and word[i] == target[i]:
        i += 1
    a, b = word[i:], target[i:]
    return (
        a[1:] == b[1:]  # substitution
        or a[1:] == b  # extra letter
        or a == b[1:]  # missing letter
        or (len(a) >= 2 and a[0] == b[1:2] and a[1] == b[0] and a[2:] == b[2:])  # swap
    )


PARTICLES = (
    "을",
    "를",
    "이",
    "가",
    "은",
    "는",
    "도",
    "좀",
    "요",
    "만",
    "로",
    "으로",
    "랑",
    "하고",
    "주",
)


def _word_bounded(text: str, start: int, end: int) -> bool:
    """Latin phrases must match whole words ("tea" not inside "steam"). Hangul nouns compound
    ("대용량휴지") and take particles ("휴지를"), so they may match inside a word — except
    one-syllable ones ("물", "차", "쌀"), which must start a word and end it or meet a particle,
    or "물걸레" would be water and "자동차" tea."""

    def latin(ch: str) -> bool:
        return ch.isascii() and ch.isalnum()

    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    first, last = text[start], text[end - 1]
    if end - start == 1 and HANGUL.match(first):
        return not HANGUL.match(before) and (
            not HANGUL.match(after) or text.startswith(PARTICLES, end)
        )
    if latin(first) and latin(before):
        return False
    return not (latin(last) and latin(after) and not after.isdigit())
