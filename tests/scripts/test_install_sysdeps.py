"""scripts/install-sysdeps.sh: a no-op when the packages are there (espeak-ng and sox by default,
chromium for `make browser`), and a clear message naming the fix where it cannot install them (no
apt-get, not root). Runs with a PATH of stubs, so nothing is ever installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "install-sysdeps.sh"


def stub(bin_dir: Path, name: str, body: str = "exit 0") -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    """Only bash and the script's helpers: no espeak-ng, sox, chromium, apt-get or sudo."""
    found = tmp_path / "bin"
    found.mkdir()
    for tool in ("bash", "env"):
        (found / tool).symlink_to(shutil.which(tool) or f"/bin/{tool}")
    return found


def run(bin_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bin_dir / "bash"), str(SCRIPT), *args], capture_output=True, text=True,
        env={"PATH": str(bin_dir), **env},
    )  # fmt: skip


def test_present_packages_are_a_no_op(bin_dir: Path) -> None:
    for name in ("espeak-ng", "sox", "chromium"):
        stub(bin_dir, name)
    stub(bin_dir, "apt-get", "echo apt-get must not run >&2; exit 9")
    default = run(bin_dir)
    assert default.returncode == 0 and "espeak-ng sox present" in default.stdout
    browser = run(bin_dir, "chromium")
    assert browser.returncode == 0 and "chromium present" in browser.stdout


def test_a_configured_chromium_counts_as_present(bin_dir: Path, tmp_path: Path) -> None:
    stub(tmp_path, "my-chromium")
    done = run(bin_dir, "chromium", JANGBOGI_CHROMIUM=str(tmp_path / "my-chromium"))
    assert done.returncode == 0 and "chromium present" in done.stdout


def test_no_apt_get_names_the_missing_package(bin_dir: Path) -> None:
    done = run(bin_dir, "chromium")
    assert done.returncode == 1
    assert "chromium not installed and no apt-get here" in done.stderr


def test_not_root_says_which_command_to_run(bin_dir: Path) -> None:
    stub(bin_dir, "apt-get", "echo apt-get must not run >&2; exit 9")
    stub(bin_dir, "id", "echo 1000")  # not root, and no sudo on the PATH
    done = run(bin_dir, "chromium")
    assert done.returncode == 1
    assert "not root; run: sudo apt-get install -y chromium" in done.stderr
    assert "must not run" not in done.stderr


def test_a_font_package_is_present_when_dpkg_has_it_installed(bin_dir: Path) -> None:
    """A font package has no command: dpkg's status decides."""
    (bin_dir / "grep").symlink_to(shutil.which("grep") or "/bin/grep")
    stub(bin_dir, "chromium")
    stub(bin_dir, "dpkg-query", 'printf "install ok installed"')
    done = run(bin_dir, "chromium", "fonts-nanum")
    assert done.returncode == 0 and "chromium fonts-nanum present" in done.stdout
    stub(bin_dir, "dpkg-query", "exit 1")  # not known to dpkg: missing, and no apt-get here
    missing = run(bin_dir, "chromium", "fonts-nanum")
    assert missing.returncode == 1
    assert "fonts-nanum not installed and no apt-get here" in missing.stderr
