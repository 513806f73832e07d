"""The lifestyle model's held-out accuracy, computed here (demo truth; Complete Journey is slow)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from seller_api.analytics.lifestyle import child_age_band
from seller_api.analytics.lifestyle_eval import evaluate_completejourney, evaluate_demo
from store.paths import shared_dir
from tests.seller_api.conftest import Store


def test_child_age_band() -> None:
    assert [child_age_band(a) for a in ([], [1, 9], [4], [8, 15])] == [None, "0-2", "3-6", "7+"]


def test_demo_lifestyle_held_out(demo: Store) -> None:
    scores = {s.target: s for s in evaluate_demo(demo.engine)}
    for target in ("married", "children", "occupation"):
        s = scores[target]
        assert s.model > s.baseline and s.model > 0.75, s
    assert scores["children_age"].model > 1 / 3  # better than chance over three bands


@pytest.mark.slow
def test_completejourney_held_out(engine: Engine) -> None:
    folder = shared_dir() / "data" / "completejourney"
    if not (Path(folder) / "demographics.csv.gz").exists():
        pytest.skip(f"no Complete Journey data at {folder}")
    if engine.dialect.name != "sqlite":
        pytest.skip("one backend is enough for an accuracy figure")
    from jangbogi.importers.completejourney import import_completejourney

    import_completejourney(engine, Path(folder))
    scores = {s.target: s for s in evaluate_completejourney(engine)}
    # The approach must beat the category-count logistic regression on the same folds.
    for target in ("married", "children"):
        assert scores[target].model > scores[target].baseline + 0.02, scores[target]
    assert scores["married"].model >= 0.58
