#!/usr/bin/env bash
# Run the frozen bundle's self-test in a bare environment (only PATH, HOME, LANG) and check
# it: the sandbox job, QtMultimedia reading a video's duration, QtCharts, keyring's backends
# present; on Linux also the password store round trip against a real GNOME Keyring on a
# private D-Bus bus. The check itself is packaging/check_bundle.py, which the CI workflow runs
# on Linux, Windows and macOS alike.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python packaging/check_bundle.py "$@"
