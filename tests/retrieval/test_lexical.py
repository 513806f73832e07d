"""The lexical leg's tokens: a Korean word with a particle attached meets the bare word in a
product text, two-syllable words included ("휴지도" → "휴지")."""

from __future__ import annotations

from retrieval.lexical import BM25Index, tokens

DOCS = {
    1: "코디 소프트 화장지 30롤 toilet paper 휴지 두루마리",
    2: "려 자양윤모 샴푸 400ml shampoo",
    3: "햇반 쌀 10kg rice",
}


def index() -> BM25Index:
    bm25 = BM25Index()
    bm25.add(list(DOCS), list(DOCS.values()))
    return bm25


def test_a_two_syllable_word_is_its_own_bigram() -> None:
    assert "c:휴지" in tokens("휴지")
    assert "c:휴지" in tokens("휴지도 찾아줘")


def test_a_particle_after_a_two_syllable_word_still_finds_it() -> None:
    ids, _ = index().search("휴지도 찾아줘", k=3)
    assert ids[0] == 1
    ids, _ = index().search("휴지는 있어요?", k=3)
    assert ids[0] == 1


def test_a_one_syllable_word_with_a_particle_is_no_match_for_everything() -> None:
    # "쌀도" has the bigram "쌀도" only: no false match, and the bare word still finds rice.
    ids, _ = index().search("쌀", k=3)
    assert ids.tolist() == [3]
