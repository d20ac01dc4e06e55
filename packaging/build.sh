#!/usr/bin/env bash
# Build the Linux desktop bundle: dist/creatify-studio/ and
# dist/creatify-studio-<version>-linux.tar.gz. The build itself is packaging/build.py (a clean
# build environment in build/venv, nothing else on the machine touched) and the tarball
# packaging/archive.py; the CI workflow runs the same two on Windows and macOS.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/dev-setup.sh >/dev/null  # system libraries and a Python >= 3.12 in .venv
PY=$(.venv/bin/python -c 'import sys; print(sys.executable)')
started=$(date +%s)
"$PY" packaging/build.py
"$PY" packaging/archive.py
echo "bundle built and packed in $(( $(date +%s) - started )) s" \
     "($(du -sh dist/creatify-studio | cut -f1) unpacked)"
