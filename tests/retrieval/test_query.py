"""Query understanding: taxonomy synonyms in both languages, sizes, price caps, brands."""

from __future__ import annotations

import pytest

from retrieval.query import (
    QueryParser,
    Size,
    has_batchim,
    is_korean,
    parse_price_cap,
    parse_size,
)
from store.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def parser() -> QueryParser:
    return QueryParser(load_taxonomy(), {"Persil": "Persil", "퍼실": "Persil", "하기스": "Huggies"})


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("휴지", "toilet_paper"),
        ("두루마리휴지 주세요", "toilet_paper"),
        ("nappies", "diapers"),
        ("기저귀 팬티형", "diapers"),
        ("washing-up liquid", "dish_soap"),
        ("퐁퐁 있어요?", "dish_soap"),
        ("아기 물티슈", "baby_wipes"),
        ("물티슈", "wet_wipes"),
        ("baby wipes", "baby_wipes"),
        ("물걸레 청소포", "floor_wipes"),
        ("kf94 masks", "face_masks"),
        ("생수 2리터", "bottled_water"),
        ("쌀을 사고 싶어요", "rice"),
        ("some loo roll please", "toilet_paper"),
    ],
)
def test_synonyms_map_to_taxonomy_keys(parser: QueryParser, text: str, key: str) -> None:
    assert parser.parse(text).type_keys[:1] == [key]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("laudry soap", "liquid_laundry_detergent"),  # not bar soap
        ("dishwsher detergent", "dishwasher_detergent"),
        ("sparkilng water", "sparkling_water"),  # swapped letters
        ("toilett paper", "toilet_paper"),
    ],
)
def test_one_typo_in_a_long_word_still_matches_the_longer_phrase(
    parser: QueryParser, text: str, key: str
) -> None:
    assert parser.parse(text).type_keys[:1] == [key]


def test_short_words_need_exact_spelling(parser: QueryParser) -> None:
    assert parser.parse("laundry pads").type_keys != ["laundry_pods"]


@pytest.mark.parametrize("text", ["자동차 용품", "steam cleaner", "물걸레"])
def test_short_words_do_not_match_inside_others(parser: QueryParser, text: str) -> None:
    # "차" (tea) inside 자동차, "tea" inside steam, "물" (water) inside 물걸레
    assert "tea" not in parser.parse(text).type_keys
    assert "bottled_water" not in parser.parse(text).type_keys


def test_every_taxonomy_name_and_synonym_maps_back_to_its_type(parser: QueryParser) -> None:
    taxonomy = load_taxonomy()
    wrong = [
        (name, t.key, parser.type_keys(name))
        for t in taxonomy.types
        for lang in ("en", "ko")
        for name in t.names(lang)
        if t.key not in parser.type_keys(name)
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("2리터 생수", Size(2, "L")),
        ("500g", Size(500, "g")),
        ("1.5 L detergent", Size(1.5, "L")),
        ("500ml 물", Size(500, "ml")),
        ("휴지 30롤", Size(30, "roll")),
        ("쌀 10kg", Size(10, "kg")),
        ("물티슈 100매", Size(100, "count")),
        ("the 2-litre one", Size(2, "L")),  # the issue's own example, hyphenated
        ("a 12-roll pack", Size(12, "roll")),
    ],
)
def test_sizes_with_units(text: str, size: Size) -> None:
    assert parse_size(text.lower()) == size


def test_quantities_are_not_sizes() -> None:
    assert parse_size("세제 2개") is None


def test_size_conversion() -> None:
    assert Size(500, "ml").in_unit("L") == pytest.approx(0.5)
    assert Size(2, "kg").in_unit("g") == pytest.approx(2000)
    assert Size(2, "kg").in_unit("L") is None


@pytest.mark.parametrize(
    ("text", "cap"),
    [
        ("만원 이하 세제", 10000),
        ("생수 2리터 만원 이하", 10000),
        ("세제 3 만원 이하", 30000),
        ("1만원 이하", 10000),
        ("2만 5천원 미만 세탁세제", 25000),
        ("5천원 까지", 5000),
        ("10,000원 이하 휴지", 10000),
        ("under 10,000 won", 10000),
        ("tissue below 8000", 8000),
        ("tea bags under 5k", 5000),
        ("less than ₩12,900", 12900),
    ],
)
def test_price_caps(text: str, cap: int) -> None:
    assert parse_price_cap(text.lower())[0] == cap


def test_no_price_cap_without_a_limit_word() -> None:
    assert parse_price_cap("휴지 30롤 18900원")[0] is None


def test_whole_sentence(parser: QueryParser) -> None:
    p = parser.parse("퍼실 세탁세제 3L 2만원 이하로 보여줘")
    assert p.language == "ko"
    assert p.type_keys[0] == "liquid_laundry_detergent"
    assert p.brand == "Persil"
    assert p.size == Size(3, "L")
    assert p.max_price == 20000
    assert "2만원" not in p.text
    assert is_korean("휴지") and not is_korean("tissue")
    assert is_korean("ㅇㅇ") and is_korean("ㄴㄴ")  # chat shorthand in bare letters


def test_a_unit_word_is_not_a_misspelt_product() -> None:
    """ "liter" is one edit from "litter": as a unit it must not bring cat litter into a search
    for water, while a real typo of a product word still matches."""
    parser = QueryParser(load_taxonomy())
    assert [k for _, _, k in parser.type_spans("2 liter water under 5000 won")] == ["bottled_water"]
    assert [k for _, _, k in parser.type_spans("cat littr 10kg")] == ["cat_litter"]


@pytest.mark.parametrize(
    ("word", "batchim"),
    [("세제", False), ("생수", False), ("쌀", True), ("화장지 30롤", True), ("10", True),
     ("2", False), ("쌀 500g", True), ("세제 1kg", True), ("세제 2.5L", False),
     ("샴푸 680ml", False)],
)  # fmt: skip
def test_particles_follow_the_korean_reading(word: str, batchim: bool) -> None:
    """을/를 and 은/는 by how the word ends when read: 그램 ends in a consonant, 리터 does not."""
    assert has_batchim(word) is batchim


def _spans_by_trying_every_phrase(parser: QueryParser, text: str) -> list[tuple[int, int, str]]:
    """The oracle: the near-phrase part of type_spans as first written, every Latin phrase tried
    at every position with the near-match called word by word (slow: 3.7 ms a message)."""
    from retrieval.query import LATIN_WORD, _near_product_word, longest_first, normalise

    t = normalise(text)
    spans = parser._exact_spans(t)
    words = [(m.start(), m.end(), m.group()) for m in LATIN_WORD.finditer(t)]
    for phrase_words, phrase_len, key in parser._latin_phrases:
        n = len(phrase_words)
        for j in range(len(words) - n + 1):
            window = words[j : j + n]
            if all(
                _near_product_word(w[2], pw) for w, pw in zip(window, phrase_words, strict=True)
            ):
                spans.append((phrase_len, window[0][0], window[-1][1], key))
    return longest_first(t, spans)


def test_type_spans_equal_trying_every_phrase_everywhere(parser: QueryParser) -> None:
    """The per-word memo of near phrase words finds exactly what trying every phrase at every
    position found: on a sample of the NLU's own sentences in both languages and on every
    taxonomy name with a letter dropped, doubled or swapped."""
    import random
    from pathlib import Path

    import yaml

    texts: list[str] = []
    for path in sorted((Path(__file__).resolve().parents[2] / "nlu" / "data").glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            texts += [
                ln[2:].strip() for ln in block.get("examples", "").splitlines() if ln[:2] == "- "
            ]
    rng = random.Random(7)
    sample = rng.sample(texts, 1200)
    for t in load_taxonomy().types:
        for name in t.names("en"):
            i = rng.randrange(len(name))
            sample += [
                f"i need {name[:i] + name[i + 1 :]} please",
                f"{name[:i] + name[i] + name[i:]} 2 liter",
                f"cheap {name[:i] + name[i + 1 : i + 2] + name[i : i + 1] + name[i + 2 :]}",
            ]
    assert len(sample) > 1400
    for text in sample:
        assert parser.type_spans(text) == _spans_by_trying_every_phrase(parser, text), text
