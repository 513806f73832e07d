#!/usr/bin/env bash
# Prints the path of a Python interpreter of version X.Y (first argument), or fails with a clear message.
# Looks at pythonX.Y on the PATH (a pyenv shim counts only if it really runs X.Y), then pyenv's
# installed X.Y.* versions, then python3.
set -u
want="${1:?usage: find-python.sh X.Y}"
runs() { "$1" -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$want' else 1)" >/dev/null 2>&1; }

if cand=$(command -v "python$want" 2>/dev/null) && runs "$cand" && [[ "$cand" != */shims/* ]]; then
  echo "$cand"; exit 0
fi
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E "^${want//./\\.}\.[0-9]+$" | sort -t. -k3 -n -r); do
    prefix=$(pyenv prefix "$v" 2>/dev/null) || continue
    if runs "$prefix/bin/python$want"; then echo "$prefix/bin/python$want"; exit 0; fi
  done
fi
if cand=$(command -v python3 2>/dev/null) && runs "$cand"; then
  echo "$cand"; exit 0
fi
echo "error: Python $want not found: put python$want on the PATH or install it with 'pyenv install $want'" >&2
exit 1
