"""The set-up's first checks (scripts/find-python.sh, scripts/preflight.sh) and the venv repair
(scripts/ensure-venv.sh): a missing Python, a read-only var dir, too little disk and a broken or
half-installed venv each give a clear message or are repaired, in well under a second where
nothing has to be built."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ("find-python.sh", "preflight.sh", "ensure-venv.sh")
# What the scripts call; nothing else is on the PATH, so no Python is found by accident.
TOOLS = (
    "bash", "sh", "env", "ls", "grep", "sort", "awk", "df", "mkdir", "mktemp", "rm", "id",
    "dirname", "touch", "cat", "apt-cache", "apt-get", "dnf",
)  # fmt: skip


def _base_python() -> Path:
    """The real interpreter under this test run's venv (find-python.sh refuses venvs)."""
    return Path(getattr(sys, "_base_executable", sys.executable)).resolve()


PY311 = _base_python()
VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"  # 3.11 under .venv


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The scripts alone in a folder of their own: no .venv beside them, so preflight looks."""
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    for name in SCRIPTS:
        shutil.copy2(ROOT / "scripts" / name, root / "scripts" / name)
    return root


@pytest.fixture
def bare(tmp_path: Path) -> dict[str, str]:
    """An environment with no Python anywhere the scripts look: a PATH of the tools they need
    only, HOME and PYENV_ROOT empty (no pyenv versions, no uv-managed Pythons)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        if found := shutil.which(tool):
            (bin_dir / tool).symlink_to(found)
    home = tmp_path / "home"
    home.mkdir()
    return {
        "PATH": str(bin_dir),
        "HOME": str(home),
        "PYENV_ROOT": str(tmp_path / "no-pyenv"),
        "JANGBOGI_MIN_FREE_GB": "0",
    }


def _add_python(env: dict[str, str], name: str, target: Path = PY311) -> None:
    (Path(env["PATH"]) / name).symlink_to(target)


def _run(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[int, str, float]:
    started = time.monotonic()
    result = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=60)
    return result.returncode, result.stdout + result.stderr, time.monotonic() - started


# --- find-python.sh -------------------------------------------------------------------------------
def test_missing_python_names_the_install_commands(checkout: Path, bare: dict[str, str]) -> None:
    _add_python(bare, f"python{VERSION}")  # one version present, the other (3.10) hidden
    code, out, _ = _run([str(checkout / "scripts" / "find-python.sh"), "3.10"], bare)
    assert code == 1
    assert "Python 3.10 not found" in out
    assert "uv python install 3.10" in out
    assert "pyenv install 3.10.13" in out
    assert "no 'pyenv global' or 'pyenv local' needed" in out
    if shutil.which("apt-get"):
        assert "apt-get" in out  # this distribution's package, the PPA, or why neither
    elif shutil.which("dnf"):
        assert "dnf install python3.10" in out


def test_finds_pyenv_and_uv_versions_off_the_path(
    checkout: Path, bare: dict[str, str], tmp_path: Path
) -> None:
    find = [str(checkout / "scripts" / "find-python.sh"), VERSION]
    # pyenv: a version under PYENV_ROOT counts without shims or `pyenv global`.
    pyenv_bin = tmp_path / "pyenv" / "versions" / f"{VERSION}.99" / "bin"
    pyenv_bin.mkdir(parents=True)
    (pyenv_bin / f"python{VERSION}").symlink_to(PY311)
    code, out, _ = _run(find, {**bare, "PYENV_ROOT": str(tmp_path / "pyenv")})
    assert (code, out.strip()) == (0, str(pyenv_bin / f"python{VERSION}"))
    # uv: `uv python install` puts it under ~/.local/share/uv/python/cpython-X.Y.Z-<platform>/.
    uv_bin = (
        Path(bare["HOME"]) / f".local/share/uv/python/cpython-{VERSION}.98-linux-x86_64-gnu/bin"
    )
    uv_bin.mkdir(parents=True)
    (uv_bin / f"python{VERSION}").symlink_to(PY311)
    code, out, _ = _run(find, bare)
    assert (code, out.strip()) == (0, str(uv_bin / f"python{VERSION}"))


def test_refuses_a_venv_and_a_python_without_ensurepip(
    checkout: Path, bare: dict[str, str], tmp_path: Path
) -> None:
    find = [str(checkout / "scripts" / "find-python.sh"), VERSION]
    # A venv's python (this test run's own .venv/bin first on the PATH): a venv made from it
    # would depend on that venv.
    venv_bin = Path(sys.prefix) / "bin"
    assert sys.prefix != sys.base_prefix and (venv_bin / f"python{VERSION}").exists()
    code, out, _ = _run(find, {**bare, "PATH": f"{venv_bin}:{bare['PATH']}"})
    assert code == 1 and "not found" in out
    # Debian's python3.X without python3.X-venv: `python -m venv` would fail later.
    fake = tmp_path / "no-ensurepip"
    (fake / "ensurepip").mkdir(parents=True)
    (fake / "ensurepip" / "__init__.py").write_text("raise ImportError('python3-venv missing')\n")
    wrapper = tmp_path / "wrapped" / f"python{VERSION}"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nPYTHONPATH={fake} exec {PY311} "$@"\n')
    wrapper.chmod(0o755)
    code, out, _ = _run(find, {**bare, "PATH": f"{wrapper.parent}:{bare['PATH']}"})
    assert code == 1
    assert f"{wrapper} cannot create virtual environments" in out
    assert f"uv python install {VERSION}" in out


# --- preflight.sh ---------------------------------------------------------------------------------
def test_preflight_stops_at_once_without_python_310(checkout: Path, bare: dict[str, str]) -> None:
    _add_python(bare, f"python{VERSION}")
    code, out, seconds = _run([str(checkout / "scripts" / "preflight.sh")], bare)
    assert code == 1
    assert "Python 3.10 not found" in out and "uv python install 3.10" in out
    assert "Python 3.11" not in out.split("Python 3.10 not found")[0]  # 3.11 was found
    assert "1 problem(s), so the set-up did not start" in out
    assert seconds < 3, f"preflight took {seconds:.1f} s"


def test_preflight_refuses_an_unwritable_var_dir(
    checkout: Path, bare: dict[str, str], tmp_path: Path
) -> None:
    # A folder under a regular file cannot be created, by root either (permission bits would not
    # stop root, and a read-only bind mount needs privileges a test has not got).
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = {**bare, "JANGBOGI_VAR_DIR": str(blocker / "var")}
    code, out, _ = _run([str(checkout / "scripts" / "preflight.sh")], env)
    assert code == 1
    assert f"the var dir {blocker / 'var'} cannot be created: Not a directory" in out
    assert "set JANGBOGI_VAR_DIR to a writable folder" in out


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through permission bits")
def test_preflight_refuses_a_read_only_var_dir(
    checkout: Path, bare: dict[str, str], tmp_path: Path
) -> None:
    var = tmp_path / "ro-var"
    var.mkdir()
    var.chmod(0o555)
    try:
        env = {**bare, "JANGBOGI_VAR_DIR": str(var)}
        code, out, _ = _run([str(checkout / "scripts" / "preflight.sh")], env)
    finally:
        var.chmod(0o755)
    assert code == 1
    assert f"the var dir {var} is not writable" in out


def test_preflight_counts_each_problem_and_checks_disk(
    checkout: Path, bare: dict[str, str], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = {**bare, "JANGBOGI_VAR_DIR": str(blocker / "var"), "JANGBOGI_MIN_FREE_GB": "1000000"}
    code, out, _ = _run([str(checkout / "scripts" / "preflight.sh")], env)
    assert code == 1
    assert "the set-up needs about 1000000 GB" in out
    # no Python 3.11, no 3.10, the var dir, the disk: one message each
    assert "4 problem(s)" in out


def test_preflight_passes_when_all_is_there(checkout: Path, bare: dict[str, str]) -> None:
    py310 = subprocess.run(
        [str(ROOT / "scripts" / "find-python.sh"), "3.10"], capture_output=True, text=True
    )
    if py310.returncode != 0:
        pytest.skip("no Python 3.10 on this machine")
    _add_python(bare, f"python{VERSION}")
    _add_python(bare, "python3.10", Path(py310.stdout.strip()))
    code, out, seconds = _run([str(checkout / "scripts" / "preflight.sh")], bare)
    assert code == 0, out
    assert out.startswith("==> preflight: Python 3.11 (") and "GB free" in out
    assert (checkout / "var").is_dir() and (checkout / "models").is_dir()
    assert seconds < 3


# --- ensure-venv.sh -------------------------------------------------------------------------------
def _venv_python_runs(venv: Path) -> bool:
    return subprocess.run([str(venv / "bin" / "python"), "-c", "import pip"]).returncode == 0


@pytest.fixture(scope="module")
def pristine_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One venv made by ensure-venv.sh from nothing, copied by each test (making one takes
    seconds: ensurepip installs pip)."""
    tmp = tmp_path_factory.mktemp("pristine")
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    (bin_dir / f"python{VERSION}").symlink_to(PY311)
    for tool in ("bash", "dirname", "touch", "ls", "grep", "sort", "id", "awk"):
        if found := shutil.which(tool):
            (bin_dir / tool).symlink_to(found)
    env = {"PATH": str(bin_dir), "HOME": str(tmp), "PYENV_ROOT": str(tmp / "no-pyenv")}
    target = tmp / ".venv"
    code, out, _ = _run([str(ROOT / "scripts" / "ensure-venv.sh"), str(target), VERSION], env)
    assert code == 0, out
    assert "creating it with" in out and _venv_python_runs(target)
    assert (target / ".installing").exists()  # until the Makefile's last install step
    (target / ".installing").unlink()
    return target


@pytest.fixture
def venv(checkout: Path, bare: dict[str, str], pristine_venv: Path) -> tuple[Path, dict[str, str]]:
    _add_python(bare, f"python{VERSION}")
    target = checkout / ".venv"
    shutil.copytree(pristine_venv, target, symlinks=True)
    return target, bare


def test_ensure_venv_keeps_a_working_venv(checkout: Path, venv: tuple[Path, dict[str, str]]):
    target, env = venv  # the installs into it finished: no .installing
    (target / "kept").write_text("")
    code, out, _ = _run([str(checkout / "scripts" / "ensure-venv.sh"), str(target), VERSION], env)
    assert code == 0 and out == ""
    assert (target / "kept").exists()


@pytest.mark.parametrize(
    "damage, reason",
    [
        ("installing", "its last install did not finish"),
        ("dangling", "its python does not run"),
        ("no-python", "it has no bin/python"),
        ("no-pip", "its python does not run Python"),
    ],
)
def test_ensure_venv_rebuilds_a_broken_venv(
    checkout: Path, venv: tuple[Path, dict[str, str]], damage: str, reason: str
) -> None:
    target, env = venv
    (target / "stale").write_text("")
    python = target / "bin" / "python"
    if damage == "installing":  # pip was interrupted: the Makefile never removed the marker
        (target / ".installing").write_text("")
    elif damage == "dangling":  # its base Python was uninstalled
        python.unlink()
        python.symlink_to(target / "gone" / "python3")
    elif damage == "no-python":  # `python -m venv` was interrupted before it linked python
        for p in (target / "bin").iterdir():
            p.unlink()
    else:  # interrupted during ensurepip
        for site in (target / "lib").glob("python*/site-packages"):
            shutil.rmtree(site / "pip")
    code, out, _ = _run([str(checkout / "scripts" / "ensure-venv.sh"), str(target), VERSION], env)
    assert code == 0, out
    assert reason in out and "creating it afresh" in out
    assert _venv_python_runs(target)
    assert not (target / "stale").exists()  # cleared, not patched


def test_ensure_venv_without_python_says_how_to_install_it(
    checkout: Path, bare: dict[str, str]
) -> None:
    target = checkout / ".venv-rasa"
    code, out, _ = _run([str(checkout / "scripts" / "ensure-venv.sh"), str(target), "3.10"], bare)
    assert code == 1
    assert "uv python install 3.10" in out
    assert not target.exists()
