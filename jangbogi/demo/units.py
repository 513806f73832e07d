"""How pack sizes are written in product names and in shoppers' queries (Korean and English)."""

from __future__ import annotations

from jangbogi.demo.brands import COUNT_DEFAULT, COUNT_WORDS
from store.taxonomy import ProductType

# (canonical written form, spoken alternatives) per taxonomy unit; "{n}" is the number.
_KO: dict[str, tuple[str, tuple[str, ...]]] = {
    "L": ("{n}L", ("{n}리터", "{n}l")),
    "ml": ("{n}ml", ("{n}미리", "{n}ML")),
    "kg": ("{n}kg", ("{n}키로", "{n}킬로")),
    "g": ("{n}g", ("{n}그램",)),
    "roll": ("{n}롤", ("{n}롤", "{n}개입")),
    "pair": ("{n}켤레", ("{n}켤레",)),
    "m": ("{n}m", ("{n}미터",)),
}
_EN: dict[str, tuple[str, tuple[str, ...]]] = {
    "L": ("{n}L", ("{n} liter", "{n} litre", "{n}l")),
    "ml": ("{n}ml", ("{n} ml",)),
    "kg": ("{n}kg", ("{n} kg", "{n} kilo")),
    "g": ("{n}g", ("{n} grams",)),
    "roll": ("{n} rolls", ("{n} roll", "{n} pack")),
    "pair": ("{n} pairs", ("{n} pair",)),
    "m": ("{n}m", ("{n} meter",)),
}


def fmt_number(x: float) -> str:
    """3.0 -> '3', 1.5 -> '1.5', 0.93 -> '0.93'."""
    return f"{x:g}"


def _forms(ptype: ProductType, language: str) -> tuple[str, tuple[str, ...]]:
    if ptype.unit == "count":
        ko, en = COUNT_WORDS.get(ptype.key, COUNT_DEFAULT)
        if language == "ko":
            return "{n}" + ko, ("{n}" + ko, "{n}개")
        return "{n} " + en, ("{n} " + en, "{n} pack")
    table = _KO if language == "ko" else _EN
    return table[ptype.unit]


def size_label(ptype: ProductType, size: float, language: str) -> str:
    """The size as written on a product name, e.g. '3L', '60매', '30 rolls'."""
    canonical, _ = _forms(ptype, language)
    return canonical.format(n=fmt_number(size))


def size_variants(ptype: ProductType, size: float, language: str) -> tuple[str, ...]:
    """Ways a shopper may say the size in a query, the written form first ('2L', '2리터')."""
    canonical, spoken = _forms(ptype, language)
    n = fmt_number(size)
    return (canonical.format(n=n), *(s.format(n=n) for s in spoken))
