"""Korean quantities become digits before NLU; words that merely look like numbers stay."""

from __future__ import annotations

import pytest

from assistant.voice.numbers import normalise_numbers, parse_native, parse_sino


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("세탁세제 두 개 장바구니에 담아줘", "세탁세제 2개 장바구니에 담아줘"),
        ("휴지 열 두 개", "휴지 12개"),
        ("생수 스무 병", "생수 20병"),
        ("물티슈 세 팩 주세요", "물티슈 3팩 주세요"),
        ("삼 개 주세요", "3개 주세요"),
        ("이 십 오 개", "25개"),
        ("두개 주세요", "2개 주세요"),
        ("휴지 둘", "휴지 2개"),
        ("한 박스 담아줘", "1박스 담아줘"),
        ("네 알겠어요", "네 알겠어요"),
        ("세 번째 상품", "세 번째 상품"),
        ("화장지 주세요", "화장지 주세요"),
        ("", ""),
    ],
)
def test_normalise(spoken: str, written: str) -> None:
    assert normalise_numbers(spoken) == written


def test_parsers() -> None:
    assert parse_native(["열", "한"]) == 11
    assert parse_native(["스물", "다섯"]) == 25
    assert parse_sino(["백", "이"]) == 102
    assert parse_sino(["삼사"]) is None
    assert parse_native(["사과"]) is None
