"""Build the desktop bundle on this platform from a clean build environment.

    python packaging/build.py        (Python >= 3.12; packaging/build.sh runs it on Linux)

Makes ``build/venv`` anew with the running interpreter, installs the app with its ``bundle``
extra (PyInstaller and Pillow, pinned in pyproject.toml) into it, and runs
``creatify-studio.spec``: ``dist/creatify-studio/`` on Linux and Windows,
``dist/Creatify Studio.app`` on macOS. ``packaging/archive.py`` then packs what was built (after
signing, when the workflow signs). Nothing outside build/ and dist/ is touched.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "build" / "venv"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def run(*command: str | Path) -> None:
    print("+", " ".join(str(part) for part in command), flush=True)
    subprocess.run([str(part) for part in command], cwd=ROOT, check=True)


def main() -> int:
    for stale in (VENV, ROOT / "build" / "pyinstaller", ROOT / "dist" / "creatify-studio",
                  ROOT / "dist" / "Creatify Studio.app"):
        shutil.rmtree(stale, ignore_errors=True)
    run(sys.executable, "-m", "venv", VENV)
    python = venv_python()
    run(python, "-m", "pip", "install", "-q", "--upgrade", "pip")
    run(python, "-m", "pip", "install", "-q", ".[bundle]")
    started = time.monotonic()
    run(python, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", "dist", "--workpath", "build/pyinstaller",
        "packaging/creatify-studio.spec")
    built = ROOT / "dist" / ("Creatify Studio.app" if sys.platform == "darwin"
                             else "creatify-studio")
    size = sum(p.stat().st_size for p in built.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"built {built.relative_to(ROOT)} ({size / 2**20:.0f} MiB) in "
          f"{time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
