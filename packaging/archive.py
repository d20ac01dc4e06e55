"""Pack the built bundle into this platform's artifact, in dist/.

    python packaging/archive.py      (after packaging/build.py, and after signing if any)

- Linux: ``creatify-studio-<version>-linux.tar.gz`` — the onedir with ``creatify-studio.desktop``
  and the icon beside the executable;
- Windows: ``creatify-studio-<version>-windows.zip`` — the onedir;
- macOS: ``creatify-studio-<version>-macos.dmg`` — the ``.app`` on a compressed disk image
  (``hdiutil``; the notarisation ticket is stapled to it by the workflow when it signs).

The version is the built package's (``build/venv``). Prints the artifact's path.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
ONEDIR = DIST / "creatify-studio"
APP = DIST / "Creatify Studio.app"


def built_version() -> str:
    python = ROOT / "build" / "venv" / ("Scripts/python.exe" if sys.platform == "win32"
                                        else "bin/python")
    return subprocess.run([str(python), "-c", "from importlib.metadata import version; "
                           "print(version('creatify-studio'))"], check=True, text=True,
                          capture_output=True).stdout.strip()


def linux(version: str) -> Path:
    for extra in (ROOT / "packaging" / "creatify-studio.desktop",
                  ROOT / "resources" / "icons" / "creatify-studio.png"):
        shutil.copy2(extra, ONEDIR / extra.name)
    target = DIST / f"creatify-studio-{version}-linux.tar.gz"
    with tarfile.open(target, "w:gz") as tar:
        tar.add(ONEDIR, arcname=ONEDIR.name)
    return target


def windows(version: str) -> Path:
    target = DIST / f"creatify-studio-{version}-windows.zip"
    shutil.make_archive(str(target.with_suffix("")), "zip", root_dir=DIST, base_dir=ONEDIR.name)
    return target


def macos(version: str) -> Path:
    target = DIST / f"creatify-studio-{version}-macos.dmg"
    target.unlink(missing_ok=True)
    subprocess.run(["hdiutil", "create", "-volname", "Creatify Studio", "-srcfolder", str(APP),
                    "-ov", "-format", "UDZO", str(target)], check=True)
    return target


def main() -> int:
    version = built_version()
    make = macos if sys.platform == "darwin" else windows if sys.platform == "win32" else linux
    target = make(version)
    print(f"{target.relative_to(ROOT)} ({target.stat().st_size / 2**20:.0f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
