"""The assistant's spoken vocabulary: catalog words, numbers, counters and NLU phrases.

Vosk can only output words in its model's lexicon, and the small Korean model lacks many we need
(담아줘, 주문할게요, KF94, most brands). So every phrase is rewritten in in-vocabulary pieces
(``Model.vosk_model_find_word``): a compound the lexicon lacks is split into the fewest pieces it
has (쓰레기봉투 → 쓰레기 봉투, 담아줘 → 담아 줘), and a map records how to glue the pieces back into
the catalog's spelling. A phrase with a piece that cannot be spelled at all is left out rather than
decoded with a hole in it (Vosk silently drops unknown grammar words, which would teach the grammar
a different phrase).

The result is a slot grammar: sentence templates (built-in and from ``nlu/*.yml``) with ``{p}``
for a product phrase and ``{n}`` for a quantity, compiled into a decoding graph by
:mod:`assistant.voice.graph`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PRODUCT = "{p}"
NUMBER = "{n}"
SLOTS = (PRODUCT, NUMBER)

# Ways Korean shoppers ask for things; NLU examples add to these as the training data grows.
KO_TEMPLATES = (
    "{p}", "{p} 주세요", "{p} {n} 주세요", "{p} 있어요", "{p} 있나요", "{p} 찾아줘",
    "{p} 찾아 주세요", "{p} 보여줘", "{p} 보여 주세요", "{p} 추천해줘", "{p} 추천해 주세요",
    "{p} 사고 싶어요", "{p} {n} 사고 싶어요", "{p} 주문해줘", "{p} {n} 주문해줘",
    "{p} 주문해 주세요", "{p} {n} 주문해 주세요", "{p} 장바구니에 담아줘", "{p} 담아줘",
    "{p} {n} 담아줘", "{p} {n} 장바구니에 담아줘", "{p} {n} 장바구니에 넣어줘",
    "{p} 장바구니에 넣어줘", "{p} 얼마예요", "{p} 빼줘", "{p} 장바구니에서 빼줘",
    "{p} {n} 더 주세요", "{p} 하나 더", "{p} 다시 주문해줘", "{p} 떨어졌어", "{p} 다 떨어졌어요",
    "주문할게요", "주문해줘", "주문해 주세요", "결제해줘", "결제할게요", "장바구니 보여줘",
    "장바구니에 뭐 있어", "장바구니 비워줘", "주문 어디쯤 왔어", "배송 언제 와요", "주문 취소해줘",
    "네", "아니요", "응", "좋아요", "그걸로 할게요", "취소", "도와줘", "안녕하세요", "고마워요",
)  # fmt: skip
EN_TEMPLATES = (
    "{p}", "i need {p}", "i want {p}", "add {p} to my cart", "add {n} {p} to my cart",
    "add {n} {p}", "buy {p}", "buy {n} {p}", "order {p}", "find {p}", "show me {p}",
    "do you have {p}", "recommend {p}", "remove {p}", "how much is {p}", "we are out of {p}",
    "checkout", "place my order", "show my cart", "where is my order", "cancel my order", "yes",
    "no", "help", "hello", "thanks",
)  # fmt: skip
KO_NUMBERS = (
    "한",
    "두",
    "세",
    "네",
    "다섯",
    "여섯",
    "일곱",
    "여덟",
    "아홉",
    "열",
    "열 한",
    "열 두",
    "스무",
    "하나",
    "둘",
    "셋",
    "넷",
)
KO_COUNTERS = ("개", "병", "통", "팩", "봉지", "박스", "롤", "묶음", "세트", "캔", "장")
EN_NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
              "a", "an", "a couple of", "a few")  # fmt: skip
EN_COUNTERS = ("", "packs of", "bottles of", "boxes of", "rolls of", "bags of")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
ENTITY = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
CLEAN = re.compile(r"[^\w\s%.-]")


@dataclass(frozen=True)
class CatalogText:
    """What the vocabulary is built from, read from the store, the taxonomy and ``nlu/``."""

    # (phrase, type_key or None) for product types, synonyms, brands and product lines.
    products: tuple[tuple[str, str | None], ...]
    nlu_examples: tuple[str, ...] = ()

    def fingerprint(self) -> str:
        blob = json.dumps([self.products, self.nlu_examples], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass
class Vocabulary:
    """Spoken forms (in-vocabulary pieces) of everything the assistant expects to hear."""

    language: str
    products: dict[str, set[str]] = field(default_factory=dict)  # spoken phrase → type keys
    numbers: list[str] = field(default_factory=list)  # spoken quantity phrases ("두 개")
    templates: set[tuple[str, ...]] = field(default_factory=set)  # tokens and slot names
    joins: dict[tuple[str, ...], str] = field(default_factory=dict)  # pieces → written word
    dropped: list[str] = field(default_factory=list)  # phrases we could not spell
    fingerprint: str = ""

    def words(self) -> set[str]:
        out: set[str] = set()
        for phrase in [*self.products, *self.numbers]:
            out.update(phrase.split())
        for tmpl in self.templates:
            out.update(t for t in tmpl if t not in SLOTS)
        return out

    def phrase_list(self) -> list[str]:
        """The vocabulary as a Vosk runtime phrase list (for comparison in bench/voice.py)."""
        out: list[str] = []
        for tmpl in sorted(self.templates):
            words = [t if t != NUMBER else self.numbers[0] for t in tmpl if t != PRODUCT]
            out.append(" ".join(w for w in words if w))
        out.extend(sorted(self.products))
        out.extend(self.numbers)
        return [p for p in dict.fromkeys(out) if p]

    def join(self, words: list[str]) -> list[str]:
        """Glue pieces back into the catalog's spelling: ["쓰레기", "봉투"] → ["쓰레기봉투"]."""
        longest = max((len(k) for k in self.joins), default=1)
        out: list[str] = []
        i = 0
        while i < len(words):
            for width in range(min(longest, len(words) - i), 1, -1):
                written = self.joins.get(tuple(words[i : i + width]))
                if written is not None:
                    out.append(written)
                    i += width
                    break
            else:
                out.append(words[i])
                i += 1
        return out

    def product_types(self, words: list[str]) -> set[str]:
        """Type keys of the product phrases found in (spoken-form) words."""
        text = f" {' '.join(words)} "
        found: set[str] = set()
        for phrase, keys in self.products.items():
            if f" {phrase} " in text:
                found |= keys
        return found


class Speller:
    """Rewrites text into words the recogniser's lexicon has, splitting unknown compounds."""

    def __init__(self, known: Callable[[str], bool], language: str) -> None:
        self._known = known
        self._cache: dict[str, tuple[str, ...] | None] = {}
        self.language = language

    def known(self, word: str) -> bool:
        return self._known(word)

    def token(self, token: str) -> tuple[str, ...] | None:
        if token not in self._cache:
            self._cache[token] = self._spell(token)
        return self._cache[token]

    def _spell(self, token: str) -> tuple[str, ...] | None:
        if self._known(token):
            return (token,)
        if self.language == "en" and self._known(token.lower()):
            return (token.lower(),)
        if self.language != "ko" or not HANGUL.search(token):
            return None
        # Fewest pieces; among equals, fewest one-syllable pieces (a lone syllable matches
        # almost any sound, so it is the weakest anchor for the decoder).
        n = len(token)
        best: list[tuple[int, int, tuple[str, ...]] | None] = [None] * (n + 1)
        best[0] = (0, 0, ())
        for end in range(1, n + 1):
            for start in range(max(0, end - 8), end):
                prev = best[start]
                piece = token[start:end]
                if prev is None or not self._known(piece):
                    continue
                cand = (prev[0] + 1, prev[1] + (len(piece) == 1), (*prev[2], piece))
                if best[end] is None or cand[:2] < best[end][:2]:  # type: ignore[index]
                    best[end] = cand
        found = best[n]
        return found[2] if found else None

    def phrase(self, text: str) -> tuple[tuple[str, ...], dict[tuple[str, ...], str]] | None:
        """Spoken pieces of a phrase and the joins that restore its written words."""
        pieces: list[str] = []
        joins: dict[tuple[str, ...], str] = {}
        for tok in text.split():
            if tok in SLOTS:
                pieces.append(tok)
                continue
            spelled = self.token(tok)
            if spelled is None:
                return None
            pieces.extend(spelled)
            if len(spelled) > 1:
                joins[spelled] = tok
        return tuple(pieces), joins


def _clean(text: str, language: str) -> str:
    text = CLEAN.sub(" ", text)
    return " ".join(text.lower().split() if language == "en" else text.split())


def nlu_examples(nlu_dir: Path, language: str) -> list[str]:
    """Training examples of one language from ``nlu/*.yml`` (entity markup removed)."""
    out: list[str] = []
    for path in sorted(nlu_dir.rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            examples = block.get("examples") if isinstance(block, dict) else None
            if not isinstance(examples, str):
                continue
            for line in examples.splitlines():
                line = line.strip()
                if not line.startswith("- "):
                    continue
                text = ENTITY.sub(r"\1", line[2:]).strip()
                if bool(HANGUL.search(text)) == (language == "ko"):
                    out.append(text)
    return out


def _template_from_example(text: str, product_phrases: list[str]) -> str:
    """Replace catalog phrases (longest first) and quantities in an example by slots.

    Neighbouring product phrases ("퍼실 세탁세제": a brand, then a type) become one slot: a
    ``{p} {p}`` template lets the decoder spell any sound as a string of short catalog words
    ("우유 얼룩 제거제", "소독 젤 질레트"); the catalog's own product lines cover brand + type.
    """
    padded = f" {text} "
    for phrase in product_phrases:
        padded = padded.replace(f" {phrase} ", f" {PRODUCT} ")
    padded = re.sub(r" \d+\s*(개|병|통|팩|봉지|박스|롤|묶음|세트|캔|장)? ", f" {NUMBER} ", padded)
    tokens: list[str] = []
    for tok in padded.split():
        if not (tok == PRODUCT and tokens and tokens[-1] == PRODUCT):
            tokens.append(tok)
    return " ".join(tokens)


def build_vocabulary(
    catalog: CatalogText, known: Callable[[str], bool], language: str
) -> Vocabulary:
    """Spell the catalog, numbers and templates with the lexicon; see the module docstring."""
    speller = Speller(known, language)
    vocab = Vocabulary(language=language, fingerprint=catalog.fingerprint())
    written_products: list[str] = []
    for phrase, type_key in catalog.products:
        cleaned = _clean(phrase, language)
        spelled = speller.phrase(cleaned) if cleaned else None
        if not spelled or not spelled[0]:
            vocab.dropped.append(phrase)
            continue
        pieces, joins = spelled
        vocab.products.setdefault(" ".join(pieces), set())
        if type_key:
            vocab.products[" ".join(pieces)].add(type_key)
        vocab.joins.update(joins)
        written_products.append(cleaned)
    numbers = KO_NUMBERS if language == "ko" else EN_NUMBERS
    counters = KO_COUNTERS if language == "ko" else EN_COUNTERS
    for num in numbers:
        for counter in counters:
            spelled = speller.phrase(f"{num} {counter}".strip())
            if spelled and spelled[0]:
                vocab.numbers.append(" ".join(spelled[0]))
    if language == "ko":  # "휴지 둘" — a bare native number is a quantity too
        vocab.numbers.extend(n for n in ("하나", "둘", "셋", "넷") if known(n))
    vocab.numbers = list(dict.fromkeys(vocab.numbers))
    by_length = sorted(set(written_products), key=len, reverse=True)
    builtin = KO_TEMPLATES if language == "ko" else EN_TEMPLATES
    examples = [_template_from_example(_clean(e, language), by_length) for e in
                catalog.nlu_examples]  # fmt: skip
    for tmpl in [*builtin, *examples]:
        spelled = speller.phrase(tmpl)
        if spelled is None or not spelled[0]:
            if tmpl:
                vocab.dropped.append(tmpl)
            continue
        pieces, joins = spelled
        vocab.templates.add(pieces)
        vocab.joins.update(joins)
    return vocab


def gather_catalog_text(
    rows: Iterable[tuple[str, str, str, str]],
    taxonomy_names: Iterable[tuple[str, str, str]],
    nlu: list[str],
    language: str,
) -> CatalogText:
    """Product phrases for one language.

    rows: (name_ko, name_en, brand, type_key) per product; taxonomy_names: (type_key, language,
    name) for every type name and synonym.
    """
    phrases: dict[str, str | None] = {}
    for key, lang, name in taxonomy_names:
        if lang == language:
            phrases[name] = key
    for name_ko, name_en, brand, type_key in rows:
        name = name_ko if language == "ko" else name_en
        # Shoppers say a brand, or a brand's product line without the pack size.
        words = [w for w in name.split() if not any(ch.isdigit() for ch in w)]
        if not words:
            continue
        brand_word = words[0] if language == "ko" else brand
        phrases.setdefault(brand_word, None)
        line = " ".join(words)
        phrases.setdefault(line, type_key)
    return CatalogText(products=tuple(sorted(phrases.items())), nlu_examples=tuple(nlu))
