#!/usr/bin/env bash
# System packages the gateway and its tests need: espeak-ng (spoken replies, test audio) and sox
# (test audio conversion). Installs with apt-get when missing; says what to do where it cannot.
set -euo pipefail

missing=()
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
command -v sox >/dev/null 2>&1 || missing+=(sox)
if [ ${#missing[@]} -eq 0 ]; then
    echo "==> system packages: espeak-ng and sox present"
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
echo "==> installed ${missing[*]}"
