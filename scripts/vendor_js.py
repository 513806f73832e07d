#!/usr/bin/env python3
"""Fetch the dashboard's browser libraries (Chart.js) from the npm registry, checked by hash.

Each library pinned in ``seller_api/dashboard/vendor.json`` is packed with ``npm pack`` (or, where
npm is not installed, downloaded from the registry's tarball URL), its sha512 compared with the
pinned ``integrity`` (a different tarball is refused and nothing is written), and the one file the
dashboard loads is extracted into the vendor dir (``var/vendor/``), checked again by sha256.
A file already there with the pinned sha256 is left alone, so a second run is instant and
offline. ``--from-dir`` takes ``<package>-<version>.tgz`` from a folder instead of the network.

Usage: ``python scripts/vendor_js.py [--dest DIR] [--pins FILE] [--from-dir DIR]`` (``make
vendor-js``). Exit status 1 with one line on stderr when a library cannot be vendored.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a file (make), not from the installed package
    sys.path.insert(0, str(ROOT))

from seller_api.dashboard.vendor import (  # noqa: E402
    PINS_FILE,
    Library,
    default_vendor_dir,
    file_sha256,
    load_pins,
)

FETCH_TIMEOUT_S = 60


class VendorError(Exception):
    """A library that cannot be vendored; the message says why and what to do."""


def tarball_name(lib: Library) -> str:
    """What ``npm pack`` names the tarball (``@scope/name`` → ``scope-name``)."""
    return f"{lib.package.lstrip('@').replace('/', '-')}-{lib.version}.tgz"


def sri_sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def check_integrity(lib: Library, data: bytes) -> None:
    """Refuse a tarball whose sha512 is not the pinned one (npm's integrity string)."""
    pinned = [p for p in lib.integrity.split() if p.startswith("sha512-")]
    if not pinned:
        raise VendorError(f"{lib.label}: the pin has no sha512 integrity value")
    got = sri_sha512(data)
    if got not in pinned:
        raise VendorError(
            f"{lib.label}: refused, the tarball's {got[:24]}… is not the pinned "
            f"{pinned[0][:24]}… (a different or tampered package)"
        )


def fetch_tarball(lib: Library, from_dir: Path | None) -> bytes:
    if from_dir is not None:
        path = from_dir / tarball_name(lib)
        if not path.is_file():
            raise VendorError(f"{lib.label}: no {path}")
        return path.read_bytes()
    npm = shutil.which("npm")
    if npm is None:  # the same bytes, straight from the registry
        with urllib.request.urlopen(lib.tarball, timeout=FETCH_TIMEOUT_S) as resp:
            return bytes(resp.read())
    with tempfile.TemporaryDirectory(prefix="jangbogi-npm-") as tmp:
        done = subprocess.run(
            [npm, "pack", f"{lib.package}@{lib.version}", "--silent", "--pack-destination", tmp],
            cwd=tmp, capture_output=True, text=True, timeout=FETCH_TIMEOUT_S * 2, check=False,
        )  # fmt: skip
        path = Path(tmp) / tarball_name(lib)
        if done.returncode != 0 or not path.is_file():
            last = (done.stderr.strip().splitlines() or ["no tarball written"])[-1]
            raise VendorError(f"{lib.label}: npm pack failed: {last}")
        return path.read_bytes()


def extract(lib: Library, data: bytes) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        try:
            member = tar.getmember(lib.member)
        except KeyError:
            raise VendorError(f"{lib.label}: the tarball has no {lib.member}") from None
        handle = tar.extractfile(member) if member.isfile() else None
        if handle is None:
            raise VendorError(f"{lib.label}: {lib.member} is not a regular file")
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != lib.sha256:
        raise VendorError(f"{lib.label}: {lib.member} does not match its pinned sha256")
    return content


def vendor(lib: Library, dest: Path, from_dir: Path | None = None) -> str:
    """Make ``dest/<file>`` the pinned file; answers what was done, for the one-line report."""
    target = dest / lib.file
    if target.is_file() and file_sha256(target) == lib.sha256:
        return "present, sha256 checked"
    data = fetch_tarball(lib, from_dir)
    check_integrity(lib, data)
    content = extract(lib, data)
    dest.mkdir(parents=True, exist_ok=True)
    # Written beside the target and renamed: a server never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=dest, prefix=f".{lib.file}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return "fetched from npm, sha512 checked" if from_dir is None else "unpacked, sha512 checked"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, help="default: the var dir's vendor/")
    parser.add_argument("--pins", type=Path, default=PINS_FILE)
    parser.add_argument("--from-dir", type=Path, help="take <package>-<version>.tgz from here")
    args = parser.parse_args(argv)
    dest = args.dest or default_vendor_dir()
    for lib in load_pins(args.pins):
        try:
            what = vendor(lib, dest, args.from_dir)
        except (VendorError, OSError, subprocess.SubprocessError, tarfile.TarError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"==> {lib.label}: {what} ({dest / lib.file})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
