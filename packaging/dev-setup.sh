#!/usr/bin/env bash
# Set up Creatify Studio from a clone on Linux: system libraries Qt needs, a Python >= 3.12
# virtual environment in .venv, and the app with its test tools installed into it.
# Safe to run again. Usage: bash packaging/dev-setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Qt's libraries, Xvfb for the window tests, ffmpeg (ffprobe checks the sandbox's sample
# media), the shellcheck that actionlint runs on the CI workflow's shell steps, and a real
# Secret Service for the credentials round trip (tests/system, packaging/check_bundle.py):
# dbus (dbus-daemon, dbus-send) and gnome-keyring.
APT_PACKAGES=(libpulse0 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0
              libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0 libxcb-image0
              libfontconfig1 libdbus-1-3 xvfb xauth xdotool x11-utils fonts-dejavu-core
              ffmpeg shellcheck dbus gnome-keyring)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$pkg")
done
if ((${#missing[@]})) && command -v apt-get >/dev/null; then
    echo "Installing system packages: ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        "${missing[@]}"
fi

# The newest Python >= 3.12 we can find (pyenv first: its shims fail for unselected versions).
find_python() {
    if command -v pyenv >/dev/null; then
        local v
        for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9])(\.[0-9]+)?$' \
                   | sort -t. -k1,1n -k2,2n -k3,3n -r); do
            if [ -x "$(pyenv prefix "$v")/bin/python3" ]; then
                echo "$(pyenv prefix "$v")/bin/python3"; return 0
            fi
        done
    fi
    local candidate
    for candidate in python3.14 python3.13 python3.12 python3; do
        if command -v "$candidate" >/dev/null &&
           "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            command -v "$candidate"; return 0
        fi
    done
    return 1
}

if [ ! -x .venv/bin/python ]; then
    PY=$(find_python) || { echo "Creatify Studio needs Python 3.12 or newer." >&2; exit 1; }
    echo "Creating .venv with $("$PY" --version)"
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
echo "Ready: $(.venv/bin/python --version) in .venv"
