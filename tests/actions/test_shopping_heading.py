"""Search replies are titled with the product type in the shopper's language, not the sentence."""

from __future__ import annotations

from actions.shopping import heading


def test_known_type_is_named_in_the_shoppers_language() -> None:
    assert heading("toilet_paper", "화장지 찾아줘", "ko") == "화장지"
    assert heading("toilet_paper", "I need toilet paper", "en") == "toilet paper"


def test_without_a_known_type_the_query_is_kept() -> None:
    assert heading(None, "something nice", "en") == "something nice"
    assert heading("no_such_type", "뭔가 좋은 거", "ko") == "뭔가 좋은 거"
