"""Run the frozen bundle's ``--self-test`` in a bare environment and check its report.

    python packaging/check_bundle.py [EXECUTABLE]

The executable defaults to this platform's build: ``dist/creatify-studio/creatify-studio``
(``.exe`` on Windows) or ``dist/Creatify Studio.app/Contents/MacOS/creatify-studio``. The
environment holds only what a fresh login has (no PYTHONPATH, no virtual environment, no Qt
variables): proof that the bundle carries everything itself. Checked: the sandbox job ran and
its file was saved, QtMultimedia read a video's duration, QtCharts loaded, and keyring's
backends for this platform are in the bundle (without keyring's metadata they would not be).

On Linux the frozen program then runs its password store round trip (``--keyring-self-test``:
save, read back in a new process, remove) against a real Secret Service — GNOME Keyring on a
private D-Bus session bus (packaging/secret_service.py; apt: dbus, gnome-keyring) — and the
check fails unless every step passed.
"""

from __future__ import annotations

import importlib.util
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


def check_keyring(report: dict[str, object]) -> list[str]:
    """What is wrong with a ``--keyring-self-test`` report (nothing: an empty list)."""
    steps = report.get("steps")
    if not isinstance(steps, list) or [s.get("step") for s in steps if isinstance(s, dict)] \
            != ["save", "load", "delete", "gone"]:
        return [f"the keyring round trip did not run every step: {report}"]
    failed = [s for s in steps if not s.get("ok")]
    if failed or report.get("ok") is not True:
        return [f"the keyring round trip failed at {s.get('step')}: {s.get('detail')}"
                for s in failed] or [f"the keyring round trip did not pass: {report}"]
    if any(s.get("backend") != "SecretService Keyring" for s in steps):
        return [f"the keyring round trip did not use the Secret Service: {steps}"]
    return []


def keyring_round_trip(executable: Path) -> list[str]:
    """Run the frozen ``--keyring-self-test`` against a private GNOME Keyring (Linux); the
    problems found."""
    spec = importlib.util.spec_from_file_location("_secret_service",
                                                  ROOT / "packaging" / "secret_service.py")
    assert spec is not None and spec.loader is not None
    helper = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helper)
    with tempfile.TemporaryDirectory(prefix="creatify-keyring-") as folder:
        try:
            with helper.private_secret_service(Path(folder)) as service_env:
                env = {**bare_environment(service_env["HOME"]),
                       **{name: value for name, value in service_env.items()
                          if name.startswith(("DBUS_", "XDG_"))}}
                result = subprocess.run([str(executable), "--keyring-self-test"], env=env,
                                        stdin=subprocess.DEVNULL, capture_output=True,
                                        text=True, timeout=TIMEOUT)
        except helper.SecretServiceMissing as exc:
            return [f"no Secret Service to check the keyring with: {exc}"]
    try:
        report = json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return [f"the keyring round trip gave no report (exit {result.returncode}): "
                f"{result.stdout}\n{result.stderr[-4000:]}"]
    print(json.dumps(report, sort_keys=True))
    problems = check_keyring(report)
    if result.returncode != 0 and not problems:
        problems.append(f"the keyring round trip exited {result.returncode}")
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
    round_trip = "not run (a Secret Service check is for Linux)"
    if sys.platform.startswith("linux"):
        problems = keyring_round_trip(executable)
        if problems:
            print("frozen keyring round trip failed:", *problems, sep="\n")
            return 1
        round_trip = "saved, read back in a new process and removed in GNOME Keyring"
    print(f"frozen bundle OK: keyring backend {keyring['backend']} | QtMultimedia read "
          f"{multimedia['duration_ms']} ms | keyring round trip {round_trip}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
