"""The real program on a real X server (Xvfb): ``creatify-studio --sandbox`` opens a usable
window, and ``--self-test`` passes. Both run the installed entry points as a user would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TITLE = "Creatify Studio — SANDBOX"

@pytest.fixture
def display() -> Iterator[str]:
    """A fresh Xvfb display (Xvfb and xdotool come from packaging/dev-setup.sh)."""
    assert shutil.which("Xvfb") and shutil.which("xdotool"), "run packaging/dev-setup.sh"
    for number in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and \
                not Path(f"/tmp/.X{number}-lock").exists():
            break
    name = f":{number}"
    server = subprocess.Popen(["Xvfb", name, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        assert time.monotonic() < deadline, "Xvfb did not start"
        time.sleep(0.05)
    yield name
    server.terminate()
    server.wait(timeout=10)


def _env(display: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "CREATIFY_API_ID", "CREATIFY_API_KEY")}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    return env


def _find_window(display: str, title: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = subprocess.run(["xdotool", "search", "--name", title], capture_output=True,
                               text=True, env={"DISPLAY": display}, check=False)
        ids = found.stdout.split()
        if ids:
            return ids[0]
        time.sleep(0.2)
    raise AssertionError(f"no window titled {title!r} appeared")


def test_sandbox_window_opens_and_responds(display: str, tmp_path: Path) -> None:
    app = subprocess.Popen([sys.executable, "-m", "ui", "--sandbox", "--data-dir",
                            str(tmp_path)], cwd=ROOT, env=_env(display),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        window = _find_window(display, TITLE, timeout=60)
        geometry = subprocess.run(["xwininfo", "-id", window], capture_output=True, text=True,
                                  env={"DISPLAY": display}, check=True).stdout
        assert "IsViewable" in geometry
        width = int(geometry.split("Width:")[1].split()[0])
        assert width >= 800
        # Usable: the event loop answers the keyboard (Ctrl+Q quits cleanly).
        deadline = time.monotonic() + 30
        log = tmp_path / "logs" / "creatify-studio.log"
        while "credits" not in (log.read_text() if log.exists() else "") \
                and time.monotonic() < deadline:
            time.sleep(0.2)
        for command in (["windowfocus", "--sync", window], ["key", "ctrl+q"]):
            subprocess.run(["xdotool", *command], env={"DISPLAY": display}, check=True,
                           timeout=20)
        output, _ = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate()
    assert app.returncode == 0, output
    assert "Traceback" not in output
    assert (tmp_path / "config" / "settings.json").exists()  # layout saved on the way out


def test_self_test_passes_offscreen(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run([sys.executable, "-m", "ui", "--self-test", "--data-dir",
                             str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=180, check=False)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert result.returncode == 0 and report["ok"] is True, result.stdout + result.stderr
    assert report["job"]["status"] == "done" and report["download"]["is_wav"]
    assert report["multimedia"]["duration_ms"] == 3000
    assert report["keyring"]["backend"]
