"""Tag rules, and precision@10 against the demo's planted queries (computed here)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from seller_api.analytics.tags import Draft, build_stats, candidate_tags, is_valid_tag, suggest
from seller_api.analytics.tags_eval import evaluate_tags
from tests.seller_api.conftest import Store


def test_candidate_tags_follow_the_marketplace_rule() -> None:
    assert candidate_tags("퍼실 세탁세제 3L 만원 이하") >= {
        "퍼실세탁세제",
        "퍼실",
        "세탁세제",
        "세탁세제3l",
    }
    assert "만원" not in str(candidate_tags("세제 만원 이하"))
    assert candidate_tags("cheap pull-ups under 20,000 won") == {"pullups"}
    for tag in candidate_tags("liquid laundry detergent 40 count!!"):
        assert is_valid_tag(tag) and not tag[-1].isdigit()
    assert (
        not is_valid_tag("세탁 세제") and not is_valid_tag("a" * 11) and not is_valid_tag("세제!")
    )


def test_suggestions_skip_other_brands_and_other_sizes(demo: Store) -> None:
    with Session(demo.engine) as s:
        stats = build_stats(s)
    tags, type_key = suggest(Draft("퍼실 파워젤 액체 세탁세제 3L", brand="Persil"), stats)
    assert type_key == "liquid_laundry_detergent"
    names = [t.tag for t in tags]
    assert 0 < len(names) <= 10 and all(is_valid_tag(t) for t in names)
    assert "세탁세제" in names and any(t.isascii() for t in names)  # both languages
    for other in ("다우니", "테크", "아리엘", "downy", "tech"):
        assert not any(other in t for t in names)
    assert not any(t.endswith(("1.5l", "4l", "2.5l")) for t in names)
    assert all(t.search_volume >= 5 for t in tags)


def test_precision_at_10_beats_the_popularity_baseline(demo: Store) -> None:
    score = evaluate_tags(demo.engine, every=16)
    assert score.products > 50
    assert score.precision_returned > 0.85
    assert score.precision_at_10 >= score.baseline_precision_at_10
