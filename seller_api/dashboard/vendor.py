"""The browser libraries the dashboard serves (Chart.js), pinned in ``vendor.json``.

They are fetched from the npm registry at set-up (``make vendor-js``, ``scripts/vendor_js.py``)
into the vendor dir, never at run time and never from a CDN. The server checks a file's sha256
against its pin before serving it, so a file edited or half-written after set-up is refused
rather than run in a seller's browser.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from store.paths import var_dir

PINS_FILE = Path(__file__).with_name("vendor.json")
VENDOR_COMMAND = "make vendor-js"

Status = Literal["ok", "missing", "mismatch"]


@dataclass(frozen=True)
class Library:
    package: str
    version: str
    tarball: str  # the registry's URL of the package tarball (used when npm is not installed)
    integrity: str  # npm's Subresource Integrity string of the tarball: "sha512-<base64>"
    member: str  # the file inside the tarball
    file: str  # its name in the vendor dir and in the URL
    sha256: str  # hex digest of that file
    license: str

    @property
    def label(self) -> str:
        return f"{self.package}@{self.version}"


def load_pins(path: Path = PINS_FILE) -> list[Library]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [Library(**entry) for entry in raw["libraries"]]


def default_vendor_dir() -> Path:
    """``vendor/`` in the var dir: generated at set-up like the store and the index, so git
    ignores it and ``make clean`` removes it."""
    return var_dir() / "vendor"


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# (path, mtime_ns, size) -> status: hashing 200 KB on every request is waste; a changed file
# changes its mtime or size, which makes a new key.
_checked: dict[tuple[str, int, int], Status] = {}
_lock = threading.Lock()


def status(lib: Library, folder: Path) -> Status:
    """Whether the vendored file is there and matches its pin."""
    path = folder / lib.file
    try:
        st = path.stat()
    except FileNotFoundError:
        return "missing"
    key = (str(path), st.st_mtime_ns, st.st_size)
    with _lock:
        hit = _checked.get(key)
    if hit is None:
        hit = "ok" if file_sha256(path) == lib.sha256 else "mismatch"
        with _lock:
            _checked[key] = hit
    return hit
