#!/usr/bin/env bash
# What the set-up needs before it spends minutes on anything, checked in well under a second:
# Python 3.11 and 3.10 that can create virtual environments, a writable var dir
# (JANGBOGI_VAR_DIR, else var/), models/ and checkout (the venvs live there), and free disk.
# Every problem is one message on stderr (with the commands that fix it); exit 1 when there is
# any, 0 when all is well.
set -u
cd "$(dirname "$0")/.." || exit 1

problems=0
problem() {
  problems=$((problems + 1))
  printf '%s\n' "$@" >&2
}

# --- Pythons: 3.11 for .venv, 3.10 for .venv-rasa ------------------------------------------------
# A working venv of the right version needs no base interpreter found here (it may have been made
# from one this search does not know); scripts/ensure-venv.sh looks again if it must rebuild it.
venv_runs() { "$1/bin/python" -S -c "import sys; sys.exit(sys.version_info[:2] != $2)" 2>/dev/null; }
found=()
for pair in ".venv 3.11" ".venv-rasa 3.10"; do
  read -r dir version <<<"$pair"
  if [ -e "$dir/.installed" ] && venv_runs "$dir" "(${version/./, })"; then
    found+=("Python $version ($dir)")
  elif py=$(scripts/find-python.sh "$version"); then  # its message names the install commands
    found+=("Python $version ($py)")
  else
    problems=$((problems + 1))
  fi
done

# --- writable folders -------------------------------------------------------------------------------
# Created when missing, then written to: a permission bit says nothing for root, a real write does.
writable() {
  local dir=$1 what=$2 fix=$3 out tmp
  if ! out=$(mkdir -p -- "$dir" 2>&1); then
    problem "error: $what $dir cannot be created: ${out##*: }" "  $fix"
    return 1
  fi
  if ! tmp=$(mktemp -p "$dir" .preflight.XXXXXX 2>&1); then
    problem "error: $what $dir is not writable: ${tmp##*: }" "  $fix"
    return 1
  fi
  rm -f -- "$tmp"
}
var="${JANGBOGI_VAR_DIR:-var}"
if writable "$var" "the var dir" \
  "fix its permissions, or set JANGBOGI_VAR_DIR to a writable folder (the store, logs, index)"; then
  db="$var/jangbogi.db"
  if [ -z "${DATABASE_URL:-}" ] && [ -e "$db" ] && [ ! -w "$db" ]; then
    problem "error: the store $db is read-only" "  fix its permissions (chmod u+w $db)"
  fi
fi
writable models "the models folder" "fix the permissions of $(pwd)/models" || true
writable . "the checkout" "fix the permissions of $(pwd) (the venvs .venv and .venv-rasa live there)" \
  || true

# --- free disk ----------------------------------------------------------------------------------
# Measured: each venv about 2.8 GB (plus pip's download cache), models and demo data about 1.5 GB.
free_gb() { df -Pk -- "$1" 2>/dev/null | awk 'NR == 2 {printf "%.1f", $4 / 1048576}'; }
need=2
for dir in .venv .venv-rasa; do [ -e "$dir/.installed" ] || need=$((need + 3)); done
need="${JANGBOGI_MIN_FREE_GB:-$need}"
have=$(free_gb .)
if [ -n "$have" ] && awk -v h="$have" -v n="$need" 'BEGIN {exit !(h < n)}'; then
  problem "error: $have GB free on the disk of $(pwd); the set-up needs about $need GB" \
    "  free some space (or set JANGBOGI_MIN_FREE_GB to check for less)"
fi

if [ "$problems" -gt 0 ]; then
  echo "preflight: $problems problem(s), so the set-up did not start; fix them and run make again." >&2
  exit 1
fi
printf -v pythons '%s, ' "${found[@]}"
echo "==> preflight: ${pythons}${have:-?} GB free"
