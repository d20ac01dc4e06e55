"""Run the frozen bundle's ``--self-test`` in a bare environment and check its report.

    python packaging/check_bundle.py [EXECUTABLE]

The executable defaults to this platform's build: ``dist/creatify-studio/creatify-studio``
(``.exe`` on Windows) or ``dist/Creatify Studio.app/Contents/MacOS/creatify-studio``. The
environment holds only what a fresh login has (no PYTHONPATH, no virtual environment, no Qt
variables): proof that the bundle carries everything itself. Checked: the sandbox job ran and
its file was saved, QtMultimedia read a video's duration, QtCharts loaded, and keyring's
backends for this platform are in the bundle (without keyring's metadata they would not be).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYRING_BACKEND = {"linux": "SecretService", "darwin": "macOS", "win32": "Windows"}
"""The keyring backend (its entry-point name) each platform's bundle must carry."""
TIMEOUT = 300


def default_executable() -> Path:
    if sys.platform == "darwin":
        return ROOT / "dist" / "Creatify Studio.app" / "Contents" / "MacOS" / "creatify-studio"
    suffix = ".exe" if sys.platform == "win32" else ""
    return ROOT / "dist" / "creatify-studio" / f"creatify-studio{suffix}"


def bare_environment(home: str) -> dict[str, str]:
    """Only what a fresh login has. Windows cannot start a process's sockets without
    SYSTEMROOT, nor find its per-user folders without the profile variables."""
    if sys.platform == "win32":
        keep = ("SYSTEMROOT", "WINDIR", "SYSTEMDRIVE", "USERPROFILE", "APPDATA",
                "LOCALAPPDATA", "TEMP", "TMP", "USERNAME", "COMSPEC")
        env = {name: os.environ[name] for name in keep if name in os.environ}
        system_root = env.get("SYSTEMROOT", r"C:\Windows")
        env["PATH"] = rf"{system_root}\System32;{system_root}"
        return env
    return {"PATH": "/usr/bin:/bin", "HOME": home,
            "LANG": "en_US.UTF-8" if sys.platform == "darwin" else "C.UTF-8"}


def check(report: dict[str, object]) -> list[str]:
    """What is wrong with a self-test report (nothing: an empty list)."""
    problems = []
    if report.get("ok") is not True:
        problems.append("the self-test did not pass (ok is not true)")
    multimedia = report.get("multimedia")
    if not (isinstance(multimedia, dict) and multimedia.get("loaded")
            and multimedia.get("duration_ms", 0) > 0):
        problems.append(f"QtMultimedia did not read the video: {multimedia}")
    charts = report.get("charts")
    if not (isinstance(charts, dict) and charts.get("loaded")):
        problems.append(f"QtCharts did not load: {charts}")
    keyring = report.get("keyring")
    wanted = KEYRING_BACKEND.get(sys.platform, "SecretService")
    if not (isinstance(keyring, dict) and wanted in keyring.get("backends_installed", [])):
        problems.append(f"keyring's {wanted} backend is not in the bundle: {keyring}")
    return problems


def main(argv: list[str]) -> int:
    executable = Path(argv[0]) if argv else default_executable()
    if not executable.is_file():
        print(f"no bundle at {executable}: build it first (packaging/build.py)")
        return 1
    with tempfile.TemporaryDirectory(prefix="creatify-self-test-") as data:
        result = subprocess.run([str(executable), "--self-test", "--data-dir", data],
                                env=bare_environment(os.environ.get("HOME", data)),
                                stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                timeout=TIMEOUT)
    try:
        report = json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        print(f"frozen self-test gave no report (exit {result.returncode}):\n{result.stdout}"
              f"\n{result.stderr[-4000:]}")
        return 1
    print(json.dumps(report, sort_keys=True))
    problems = check(report)
    if problems or result.returncode != 0:
        print("frozen self-test failed:", *problems, f"exit code {result.returncode}",
              result.stderr[-4000:], sep="\n")
        return 1
    keyring = report["keyring"]
    multimedia = report["multimedia"]
    assert isinstance(keyring, dict) and isinstance(multimedia, dict)
    print(f"frozen bundle OK: keyring backend {keyring['backend']} | QtMultimedia read "
          f"{multimedia['duration_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
