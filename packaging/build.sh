#!/usr/bin/env bash
# Build the desktop bundle: dist/creatify-studio/ and dist/creatify-studio-<version>-linux.tar.gz.
# Makes its own clean build environment in build/venv (nothing else on the machine is touched).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/dev-setup.sh >/dev/null  # system libraries and a Python >= 3.12 in .venv
PY=$(.venv/bin/python -c 'import sys; print(sys.executable)')
rm -rf build/venv build/creatify-studio dist/creatify-studio
"$PY" -m venv build/venv
build/venv/bin/python -m pip install -q --upgrade pip
build/venv/bin/python -m pip install -q . "pyinstaller==6.22.3"
started=$(date +%s)
build/venv/bin/pyinstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/creatify-studio.spec
VERSION=$(build/venv/bin/python -c 'import app; print(app.__version__)')
install -m 644 packaging/creatify-studio.desktop dist/creatify-studio/
install -m 644 resources/icons/creatify-studio.png dist/creatify-studio/
tar -C dist -czf "dist/creatify-studio-$VERSION-linux.tar.gz" creatify-studio
echo "built dist/creatify-studio ($(du -sh dist/creatify-studio | cut -f1)) and" \
     "dist/creatify-studio-$VERSION-linux.tar.gz in $(( $(date +%s) - started )) s"
