#!/usr/bin/env bash
# Prints the path of a Python X.Y interpreter (first argument) that can create virtual
# environments, or exits 1 with the commands that install one. Exit 2: bad usage.
#
# Looks, in this order, at: pythonX.Y on the PATH; pyenv's X.Y.* versions under $PYENV_ROOT (else
# `pyenv root`, else ~/.pyenv), read from that folder so they count without `pyenv global` or
# shims on the PATH; uv-managed X.Y under $UV_PYTHON_INSTALL_DIR (else
# ${XDG_DATA_HOME:-~/.local/share}/uv/python), then `uv python find`; python3.
# An interpreter counts only if it really runs X.Y, is not itself a virtual environment, and has
# venv and ensurepip (Debian and Ubuntu ship ensurepip apart, in pythonX.Y-venv).
set -u
want="${1:-}"
if [[ ! "$want" =~ ^3\.[0-9]+$ ]]; then
  echo "usage: find-python.sh X.Y (e.g. 3.10)" >&2
  exit 2
fi

no_venv=""  # the first X.Y found without venv/ensurepip, named in the message

# Sets exe to the interpreter's own path when $1 is a usable X.Y (a pyenv shim resolves to the
# real binary); returns 1 when it is not X.Y, does not run or is a virtual environment, and
# remembers in no_venv an X.Y that cannot create virtual environments.
exe=""
probe() {
  exe=""
  [ -x "$1" ] || return 1
  local out code
  out=$("$1" - "$want" 2>/dev/null <<'PY'
import sys
if "%d.%d" % sys.version_info[:2] != sys.argv[1] or sys.prefix != sys.base_prefix:
    sys.exit(1)
try:
    import ensurepip
    import venv  # noqa: F401

    ensurepip.version()
except Exception:
    sys.exit(2)
print(sys.executable)
PY
  )
  code=$?
  if [ "$code" -eq 2 ] && [ -z "$no_venv" ]; then no_venv="$1"; fi
  [ "$code" -eq 0 ] && [ -n "$out" ] || return 1
  exe="$out"
}

found() { echo "$1"; exit 0; }

# 1. pythonX.Y on the PATH (a pyenv shim counts when it resolves to X.Y).
if cand=$(command -v "python$want" 2>/dev/null) && probe "$cand"; then found "$exe"; fi

# 2. pyenv's versions folder, newest patch release first.
pyenv_root="${PYENV_ROOT:-}"
if [ -z "$pyenv_root" ] && command -v pyenv >/dev/null 2>&1; then
  pyenv_root=$(pyenv root 2>/dev/null)
fi
pyenv_root="${pyenv_root:-$HOME/.pyenv}"
if [ -d "$pyenv_root/versions" ]; then
  for v in $(ls -1 "$pyenv_root/versions" | grep -E "^${want//./\\.}\.[0-9]+$" | sort -t. -k3 -n -r); do
    if probe "$pyenv_root/versions/$v/bin/python$want"; then found "$exe"; fi
  done
fi

# 3. uv-managed Pythons (`uv python install X.Y`): the folder first, so uv itself need not be on
# the PATH; then `uv python find --system` (never a virtual environment such as this .venv).
uv_dir="${UV_PYTHON_INSTALL_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/uv/python}"
if [ -d "$uv_dir" ]; then
  # cpython-3.10.16-linux-x86_64-gnu: the patch number is the third dot-separated field's prefix.
  for v in $(ls -1 "$uv_dir" | grep -E "^cpython-${want//./\\.}\.[0-9]+-" | sort -t. -k3 -n -r); do
    if probe "$uv_dir/$v/bin/python$want"; then found "$exe"; fi
  done
fi
if command -v uv >/dev/null 2>&1; then
  if cand=$(uv python find --system --no-project "$want" 2>/dev/null \
            || uv python find --system "$want" 2>/dev/null) && probe "$cand"; then
    found "$exe"
  fi
fi

# 4. python3, when it happens to be X.Y.
if cand=$(command -v python3 2>/dev/null) && probe "$cand"; then found "$exe"; fi

# --- not found: say what installs it on this machine -------------------------------------------
pyenv_release="$want"
case "$want" in
  3.10) pyenv_release=3.10.13 ;;
  3.11) pyenv_release=3.11.9 ;;
esac
os_id="" os_like="" os_version=""
if [ -r /etc/os-release ]; then
  # shellcheck disable=SC1091
  os_id=$(. /etc/os-release && echo "${ID:-}")
  os_like=$(. /etc/os-release && echo "${ID_LIKE:-}")
  os_version=$(. /etc/os-release && echo "${PRETTY_NAME:-}")
fi
# Whether the distribution's package lists offer a package (exact name: apt-cache policy treats a
# name with a dot as a pattern when no package has it exactly).
apt_has() {
  apt-cache policy "$1" 2>/dev/null | awk -v p="$1:" '$1 == p {f = 1} f && /Candidate:/ {print $2; exit}' \
    | grep -qv '(none)'
}

sudo="sudo "
[ "$(id -u)" -eq 0 ] && sudo=""
{
  if [ -n "$no_venv" ]; then
    echo "error: Python $want at $no_venv cannot create virtual environments (no venv/ensurepip module)."
    case " $os_id $os_like " in
      *" debian "* | *" ubuntu "*)
        echo "  fix it:  ${sudo}apt-get install python$want-venv" ;;
    esac
    echo "  or install another Python $want with one of the commands below."
  else
    case "$want" in
      3.10) why="Rasa 3.6 (.venv-rasa) needs Python 3.10" ;;
      3.11) why="the application environment (.venv) needs Python 3.11" ;;
      *) why="Python $want is needed" ;;
    esac
    echo "error: Python $want not found: $why."
    echo "  looked at: python$want and python3 on the PATH, pyenv versions in $pyenv_root/versions,"
    echo "             uv-managed Pythons in $uv_dir"
  fi
  echo "install it with one of:"
  if command -v uv >/dev/null 2>&1; then
    echo "  uv (no root, prebuilt, a minute):  uv python install $want"
  else
    echo "  uv (no root, prebuilt, a minute):  curl -LsSf https://astral.sh/uv/install.sh | sh && ~/.local/bin/uv python install $want"
  fi
  if command -v pyenv >/dev/null 2>&1 || [ -d "$pyenv_root" ]; then
    echo "  pyenv (builds from source):        pyenv install $pyenv_release"
  else
    echo "  pyenv (builds from source):        https://github.com/pyenv/pyenv#installation, then: pyenv install $pyenv_release"
  fi
  echo "                                     (found in pyenv's folder: no 'pyenv global' or 'pyenv local' needed)"
  if command -v apt-get >/dev/null 2>&1; then
    if apt_has "python$want"; then
      echo "  ${os_version:-this system}'s packages:  ${sudo}apt-get install python$want python$want-venv"
    elif [[ " $os_id $os_like " == *" ubuntu "* ]]; then
      echo "  Ubuntu (deadsnakes PPA):           ${sudo}add-apt-repository ppa:deadsnakes/ppa && ${sudo}apt-get update && ${sudo}apt-get install python$want python$want-venv"
    else
      echo "  ${os_version:-this system}: no python$want package in its lists (empty lists? ${sudo}apt-get update); use uv or pyenv"
    fi
  elif command -v dnf >/dev/null 2>&1; then
    echo "  ${os_version:-this system}'s packages:  ${sudo}dnf install python$want"
  fi
  echo "then run make again."
} >&2
exit 1
