"""The spoken vocabulary: compounds split into lexicon pieces and glued back, NLU templates."""

from __future__ import annotations

import itertools
from pathlib import Path

from assistant.voice.graph import Fst, GrammarWeights, _minimal_dfa, compile_grammar
from assistant.voice.vocabulary import (
    NUMBER,
    PRODUCT,
    CatalogText,
    Speller,
    build_vocabulary,
    nlu_examples,
)

LEXICON = {"쓰레기", "봉투", "화장지", "주세요", "담아", "줘", "장바구니", "에", "두", "개", "세",
           "주문", "할게요", "물", "티슈", "찾아", "하나", "둘", "셋", "넷", "한", "네"}  # fmt: skip


def known(word: str) -> bool:
    return word in LEXICON


def test_speller_splits_unknown_compounds_into_fewest_pieces() -> None:
    s = Speller(known, "ko")
    assert s.token("쓰레기봉투") == ("쓰레기", "봉투")
    assert s.token("담아줘") == ("담아", "줘")
    assert s.token("화장지") == ("화장지",)
    assert s.token("KF94") is None


def test_vocabulary_joins_back_and_maps_types() -> None:
    catalog = CatalogText(
        products=(
            ("쓰레기봉투", "trash_bags"),
            ("화장지", "toilet_paper"),
            ("KF94 마스크", "mask"),
        ),
        nlu_examples=("쓰레기봉투 두 개 담아줘", "주문할게요"),
    )
    vocab = build_vocabulary(catalog, known, "ko")
    assert set(vocab.products) == {"쓰레기 봉투", "화장지"}
    assert "KF94 마스크" in vocab.dropped  # never decoded with a hole in it
    assert vocab.join(["쓰레기", "봉투", "두", "개", "담아", "줘"]) == [
        "쓰레기봉투",
        "두",
        "개",
        "담아줘",
    ]
    assert vocab.product_types(["쓰레기", "봉투", "주세요"]) == {"trash_bags"}
    # The NLU example became a template with slots; the built-in ones are there too.
    assert (PRODUCT, "두", "개", "담아", "줘") in vocab.templates or (
        PRODUCT,
        NUMBER,
        "담아",
        "줘",
    ) in vocab.templates
    assert ("주문", "할게요") in vocab.templates
    assert "두 개" in vocab.numbers


def test_minimal_dfa_shares_suffixes() -> None:
    dfa, finals = _minimal_dfa([("a", "x", "z"), ("b", "x", "z"), ("c",)])
    # start, after a|b (shared), after x, end
    assert len(dfa) == 4 and len(finals) == 1


def test_grammar_has_filler_and_accepts_templates() -> None:
    vocab = build_vocabulary(CatalogText(products=(("화장지", "toilet_paper"),)), known, "ko")
    ids = {w: i + 1 for i, w in enumerate(sorted(LEXICON | {"가", "나"}))}
    fst = compile_grammar(vocab, ids, ["가", "나"])
    # From the start: product words, template words and fillers.
    labels = {label for label, _dst, _cost in fst.arcs[0]}
    assert {ids["화장지"], ids["주문"], ids["가"]} <= labels


def test_neighbouring_product_phrases_become_one_slot() -> None:
    catalog = CatalogText(
        products=(("화장지", "toilet_paper"), ("물 티슈", "wet_wipes")),
        nlu_examples=("물 티슈 화장지 담아줘",),
    )
    vocab = build_vocabulary(catalog, known, "ko")
    assert (PRODUCT, "담아", "줘") in vocab.templates
    assert not any(a == b == PRODUCT for t in vocab.templates for a, b in itertools.pairwise(t))


def test_one_request_per_utterance_unless_chaining_is_priced() -> None:
    vocab = build_vocabulary(CatalogText(products=(("화장지", "toilet_paper"),)), known, "ko")
    ids = {w: i + 1 for i, w in enumerate(sorted(LEXICON | {"가", "나"}))}

    def accepts(fst: Fst, words: list[str]) -> bool:
        states = {0}
        for word in words:
            states = {d for s in states for label, d, _c in fst.arcs[s] if label == ids[word]}
        return any(s in fst.finals for s in states)

    one = compile_grammar(vocab, ids, ["가", "나"])
    assert accepts(one, ["화장지", "주세요"]) and accepts(one, ["화장지", "주세요", "가"])
    assert not accepts(one, ["화장지", "주세요", "화장지", "주세요"])
    two = compile_grammar(vocab, ids, ["가", "나"], GrammarWeights(next_sentence=12.0))
    assert accepts(two, ["화장지", "주세요", "화장지", "주세요"])


def test_nlu_examples_strip_entity_markup(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "shop.yml").write_text(
        'version: "3.1"\nnlu:\n  - intent: add\n    examples: |\n'
        "      - [휴지](product) [두 개](quantity) 담아줘\n"
        '      - add [tissue]{"entity": "product"} please\n',
        encoding="utf-8",
    )
    assert nlu_examples(tmp_path, "ko") == ["휴지 두 개 담아줘"]
    assert nlu_examples(tmp_path, "en") == ["add tissue please"]
