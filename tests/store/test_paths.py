"""Where the data files come from: the repository's own data/ folder, so that a clone stands
alone; JANGBOGI_DATA_DIR, JANGBOGI_TAXONOMY and the older JANGBOGI_SHARED_DIR only override."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.paths import clinc150_file, data_dir, dataset_dir, project_root, taxonomy_file
from store.taxonomy import load_taxonomy

OVERRIDES = ("JANGBOGI_DATA_DIR", "JANGBOGI_SHARED_DIR", "JANGBOGI_TAXONOMY", "JANGBOGI_HOME")


@pytest.fixture
def plain_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OVERRIDES:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("plain_env")
def test_the_data_ships_inside_the_repository() -> None:
    root = project_root()
    assert data_dir() == root / "data"
    assert taxonomy_file() == root / "data" / "taxonomy.yml"
    assert clinc150_file() == root / "data" / "clinc150" / "data_full.json"
    assert dataset_dir("completejourney") == root / "data" / "completejourney"
    for path in (taxonomy_file(), clinc150_file(), dataset_dir("completejourney")):
        assert path.exists(), f"{path} is missing: the clone would not stand alone"
        assert root in path.resolve().parents
    assert len(load_taxonomy(taxonomy_file()).types) == 74


@pytest.mark.usefixtures("plain_env")
def test_overrides_point_elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JANGBOGI_DATA_DIR", str(tmp_path / "mine"))
    assert taxonomy_file() == tmp_path / "mine" / "taxonomy.yml"
    assert clinc150_file() == tmp_path / "mine" / "clinc150" / "data_full.json"
    # the older shared folder's layout: taxonomy.yml at the top, the data sets under data/
    monkeypatch.setenv("JANGBOGI_SHARED_DIR", str(tmp_path / "shared"))
    assert taxonomy_file() == tmp_path / "shared" / "taxonomy.yml"
    assert dataset_dir("completejourney") == tmp_path / "shared" / "data" / "completejourney"
    monkeypatch.setenv("JANGBOGI_TAXONOMY", str(tmp_path / "t.yml"))
    assert taxonomy_file() == tmp_path / "t.yml"


@pytest.mark.usefixtures("plain_env")
def test_a_missing_taxonomy_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="data/ folder"):
        load_taxonomy(tmp_path / "nowhere.yml")
