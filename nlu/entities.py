"""Rule-based shopping entities for Korean and English (pure Python; runs inside Rasa's venv).

product (taxonomy key, via synonyms in both languages), brand, quantity (digits and number words,
Korean native and Sino-Korean with counters: "두 개", "세 팩", "2개"), size with unit ("500g",
"2리터"), price cap ("만원 이하", "under 10,000 won"), ordinal ("두 번째", "the second", "last"),
refinement (cheaper, bigger, smaller, other_brand) and language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.query import (
    SIZE_RE,
    UNIT_ALIASES,
    QueryParser,
    is_korean,
    normalise,
    parse_price_cap,
)

NATIVE = {"한": 1, "하나": 1, "두": 2, "둘": 2, "세": 3, "셋": 3, "네": 4, "넷": 4, "다섯": 5,
          "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9, "열": 10, "열두": 12, "스무": 20}  # fmt: skip
EN_NUM = {"one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "a couple of": 2,
          "a dozen": 12}  # fmt: skip
COUNTERS_KO = "개|팩|박스|병|봉지|통|묶음|세트|캔|롤|상자|봉|줄|장|마리"
COUNTERS_EN = r"packs?|bottles?|boxes|box|bags?|cans?|units?|pieces?|of them|of those|more"
ORD_KO = {"첫": 1, "두": 2, "세": 3, "네": 4, "다섯": 5}
ORD_EN = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
          "4th": 4, "fifth": 5, "5th": 5, "last": -1}  # fmt: skip
REFINEMENTS = (
    # The superlatives ("the cheapest one", "제일 싼 거") ask for the same move: the list sorted
    # by it, from the cheapest (largest, smallest) of the type.
    (
        "cheaper",
        r"cheaper|cheapest|less expensive|least expensive|lower price|lowest price|"
        r"더 싼|더 저렴|싼 거|저렴한|가격 더 낮은|싼걸|제일 싼|가장 싼|최저가",
    ),
    (
        "bigger",
        r"bigger|biggest|larger|largest|big(?:ger)? (?:pack|size)|더 큰|큰 용량|대용량|"
        r"용량 큰|큰 거|큰걸|제일 큰|가장 큰",
    ),
    (
        "smaller",
        r"smaller|smallest|small(?:er)? (?:pack|size)|더 작은|작은 걸|작은 사이즈|소용량|"
        r"작은 거|제일 작은|가장 작은",
    ),
    ("other_brand", r"another brand|other brands?|different brand|다른 브랜드|다른 회사|딴 브랜드"),
)

QTY_KO = re.compile(
    rf"(\d+|{'|'.join(sorted(NATIVE, key=len, reverse=True))})\s*({COUNTERS_KO})(?!\w*입)"
)
QTY_KO_BARE = re.compile(r"(?:^|\s)(하나|둘|셋|넷)(?:만|요|\s|$)")
QTY_EN = re.compile(
    rf"\b(\d+|{'|'.join(sorted(EN_NUM, key=len, reverse=True))})\s+(?:x\s+)?({COUNTERS_EN})?\b"
)
_EN_WORDS = "|".join(
    sorted((w for w in EN_NUM if " " not in w and len(w) > 2), key=len, reverse=True)
)
QTY_EN_FRONT = re.compile(
    rf"\b(?:add|put|take|get|buy|make it|make that|want|only|just|i'll take"
    rf"|(?:it|that|this|them|quantity|amount) to)\s+(\d+|{_EN_WORDS})\b"
)
ORDINAL_KO = re.compile(
    r"(첫|두|세|네|다섯)\s*번\s*째|(\d+)\s*번(?!\s*째)(?:\s*(?:거|걸|꺼|상품))?|마지막"
)
ORDINAL_EN = re.compile(
    r"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last)\b|"
    r"\b(?:number|option|no\.?)\s*(\d+|one|two|three|four|five)\b"
)


@dataclass(frozen=True)
class Entity:
    entity: str
    value: object
    start: int
    end: int
    text: str


class ShoppingEntities:
    def __init__(self, parser: QueryParser) -> None:
        self.parser = parser

    def extract(self, raw: str) -> list[Entity]:
        text = normalise(raw)
        ents: list[Entity] = [Entity("language", "ko" if is_korean(raw) else "en", 0, 0, "")]
        for start, end, key in self.parser.type_spans(text):
            ents.append(Entity("product", key, start, end, text[start:end]))
        brand = self.parser.brand(text)
        if brand:
            i = text.find(normalise(brand))
            ents.append(Entity("brand", brand, max(i, 0), max(i, 0) + len(brand), brand))
        sizes = list(SIZE_RE.finditer(text))
        for m in sizes:
            unit, factor = UNIT_ALIASES[m.group(2).lower()]
            value = f"{float(m.group(1)) * factor:g} {unit}"
            ents.append(Entity("size", value, m.start(), m.end(), m.group(0)))
        cap, _ = parse_price_cap(text)
        if cap is not None:
            ents.append(Entity("price_cap", cap, 0, len(text), text))
        taken = [(m.start(), m.end()) for m in sizes]
        ordinal = self._ordinal(text)
        if ordinal:
            ents.append(ordinal)
            taken.append((ordinal.start, ordinal.end))
        qty = self._quantity(text, taken)
        if qty:
            ents.append(qty)
        for name, pattern in REFINEMENTS:
            m = re.search(pattern, text)
            if m:
                ents.append(Entity("refinement", name, m.start(), m.end(), m.group(0)))
        return ents

    @staticmethod
    def _ordinal(text: str) -> Entity | None:
        m = ORDINAL_KO.search(text)
        if m:
            if m.group(1):
                value = ORD_KO[m.group(1)]
            elif m.group(2):
                value = int(m.group(2))
            else:
                value = -1  # 마지막
            return Entity("ordinal", value, m.start(), m.end(), m.group(0))
        m = ORDINAL_EN.search(text)
        if m:
            word = m.group(1) or m.group(2)
            value = ORD_EN.get(word) or EN_NUM.get(word) or int(word)
            return Entity("ordinal", value, m.start(), m.end(), m.group(0))
        return None

    @staticmethod
    def _quantity(text: str, taken: list[tuple[int, int]]) -> Entity | None:
        def free(m: re.Match[str]) -> bool:
            return not any(a < m.end() and m.start() < b for a, b in taken)

        for m in QTY_KO.finditer(text):
            if free(m):
                word = m.group(1)
                value = int(word) if word.isdigit() else NATIVE[word]
                return Entity("quantity", value, m.start(), m.end(), m.group(0))
        for m in QTY_KO_BARE.finditer(text):
            if free(m):
                return Entity("quantity", NATIVE[m.group(1)], m.start(1), m.end(1), m.group(1))
        for pattern in (QTY_EN_FRONT, QTY_EN):
            for m in pattern.finditer(text):
                word = m.group(1)
                if not free(m) or (pattern is QTY_EN and not m.group(2) and not word.isdigit()):
                    continue
                value = int(word) if word.isdigit() else EN_NUM[word]
                if 0 < value <= 99:
                    return Entity("quantity", value, m.start(1), m.end(1), word)
        return None
