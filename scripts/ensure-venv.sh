#!/usr/bin/env bash
# Usage: scripts/ensure-venv.sh DIR X.Y
# Makes DIR a virtual environment of Python X.Y, ready for the pip installs that follow it in the
# Makefile. An existing one is kept when its python runs X.Y with pip and no earlier install into
# it was cut short; otherwise it is made afresh (`venv --clear`), because each of these would
# otherwise survive into the next run:
#   - its python does not run: the base Python was removed or moved (pyenv uninstall, an upgrade);
#   - `python -m venv` was interrupted: no bin/python, or no pip in it;
#   - a pip install into it did not finish (DIR/.installing is still there): pip may have left a
#     package half unpacked but registered, which a rerun would take as installed.
# Leaves DIR/.installing behind; the Makefile removes it once every install step has succeeded.
# Exit 1 (with the install commands) when no Python X.Y can be found, else pip's or venv's code.
set -u
dir="${1:?usage: ensure-venv.sh DIR X.Y}"
want="${2:?usage: ensure-venv.sh DIR X.Y}"
here="$(dirname "$0")"

reason=""
if [ -e "$dir/.installing" ]; then
  reason="its last install did not finish"
elif [ ! -e "$dir/bin/python" ] && [ ! -L "$dir/bin/python" ]; then
  [ -e "$dir" ] && reason="it has no bin/python (creation interrupted)"
elif ! "$dir/bin/python" -c "import sys, pip; sys.exit('%d.%d' % sys.version_info[:2] != '$want')" \
  >/dev/null 2>&1; then
  reason="its python does not run Python $want with pip"
fi

if [ -n "$reason" ] || [ ! -e "$dir" ]; then
  py=$("$here/find-python.sh" "$want") || exit 1
  if [ -n "$reason" ]; then
    echo "==> $dir: $reason; creating it afresh with $py" >&2
  else
    echo "==> $dir: creating it with $py" >&2
  fi
  "$py" -m venv --clear "$dir" || exit
fi
touch "$dir/.installing"
