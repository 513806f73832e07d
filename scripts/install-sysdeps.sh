#!/usr/bin/env bash
# System packages the gateway and its tests need, installed with apt-get when missing; says what
# to do where it cannot. Usage: install-sysdeps.sh [PACKAGE...]; each package is present when its
# command of the same name is on the PATH.
#   (no arguments)  espeak-ng (spoken replies, test audio) and sox (test audio conversion)
#   chromium        Debian's Chromium, the browser tests' browser (`make browser`): Playwright's own
#                   browser download does not work everywhere, a distribution package does. Present
#                   also when JANGBOGI_CHROMIUM names an executable (the tests then launch that).
#   fonts-nanum     Korean glyphs for that browser (Hangul is drawn as boxes without a font that has
#                   them); a package with no command, so present when dpkg has it installed.
set -euo pipefail

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(espeak-ng sox)

present() {
    if [ "$1" = chromium ] && [ -n "${JANGBOGI_CHROMIUM:-}" ] && [ -x "${JANGBOGI_CHROMIUM}" ]; then
        return 0
    fi
    case "$1" in
        fonts-*) dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" ;;
        *) command -v "$1" >/dev/null 2>&1 ;;
    esac
}

missing=()
for pkg in "${wanted[@]}"; do
    present "$pkg" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "==> system packages: ${wanted[*]} present"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: ${missing[*]} not installed and no apt-get here; install them with your package manager" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "error: ${missing[*]} not installed and not root; run: sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi
echo "==> installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
for pkg in "${missing[@]}"; do
    # Ubuntu's chromium package is a stub that installs a snap: say so rather than fail later.
    present "$pkg" || { echo "error: installed $pkg but no '$pkg' command; install it by hand" >&2; exit 1; }
done
echo "==> installed ${missing[*]}"
