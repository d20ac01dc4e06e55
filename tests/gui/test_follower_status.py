"""The real window and a command line (a second process running a Session) on one data folder:
while the command line follows the jobs the status bar says so and the window still shows
every change of the command line's job; when the command line exits the window takes over
and the notice goes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from app.api.client import CreatifyClient
from app.credentials import CredentialStore
from app.jobs.ledger import JobRecord
from app.jobs.scheduler import PollPolicy
from app.sandbox import Sandbox
from app.settings import Settings, SettingsStore
from tests.e2e.test_two_processes import CHILD
from tests.gui.conftest import settle_then_close, until
from tests.samples import MemoryKeyring
from ui.main import wire_window
from ui.service import Mode, StudioService
from ui.window.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
SPEED = 100.0


class CommandLine:
    """The second process; a thread reads what it says (JSON lines) into ``said``."""

    def __init__(self, server: Sandbox, ledger: Path, output: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD, server.base_url, str(ledger), str(output),
             str(SPEED)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
        self.said: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.said.append(json.loads(line))

    def send(self, **command: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def heard(self, event: str) -> dict[str, Any] | None:
        return next((m for m in self.said if m["event"] == event), None)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.send(do="quit")
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self._reader.join(5)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


@pytest.fixture
async def window(tmp_path: Path, qapp: Any) -> AsyncIterator[tuple[MainWindow, StudioService]]:
    qapp.setQuitOnLastWindowClosed(False)
    service = StudioService(tmp_path / "output", sandbox_speed=SPEED, auto_download=False)
    window = MainWindow(service, SettingsStore(tmp_path / "config" / "settings.json"),
                        Settings(), CredentialStore(backend=MemoryKeyring(), trust_backend=True),
                        str(tmp_path / "output"))
    wire_window(window, service, "http://127.0.0.1:9")
    window.show()
    yield window, service
    await settle_then_close(service)
    window.close()
    window.deleteLater()


async def test_the_status_bar_says_who_follows_and_the_window_takes_over(
        window: tuple[MainWindow, StudioService], tmp_path: Path) -> None:
    main, service = window
    ledger = tmp_path / "data" / "jobs.sqlite3"
    ledger.parent.mkdir()
    seen: list[JobRecord] = []
    service.jobChanged.connect(seen.append)
    with Sandbox(speed=SPEED, seed=16, balance=10_000) as server:
        async with CreatifyClient("sandbox", "sandbox", base_url=server.base_url) as probe:
            accent = (await probe.voices())[0]["accents"][0]["id"]
        command_line = CommandLine(server, ledger, tmp_path / "output")
        try:
            await until(lambda: command_line.heard("ready"), timeout=20)
            assert command_line.heard("ready") == {"event": "ready", "follower": True}
            await service.session.use_client(
                CreatifyClient("sandbox", "sandbox", base_url=server.base_url), ledger,
                PollPolicy().scaled(SPEED), Mode.SANDBOX)
            label = main.status_widgets.follower_label
            await until(label.isVisible)
            assert label.text() == "Jobs followed by another Creatify Studio (command line)"
            assert not service.session.is_follower

            command_line.send(do="submit", values={"script": "Sent from a script.",
                                                   "accent": accent})
            await until(lambda: command_line.heard("submitted"), timeout=20)
            key = command_line.heard("submitted")["key"]  # type: ignore[index]
            await until(lambda: any(r.key == key and r.state.value == "done" for r in seen),
                        timeout=20, message="the window never saw the script's job end")

            command_line.stop()
            await until(lambda: service.session.is_follower, timeout=5,
                        message="the window did not take over")
            await until(lambda: not label.isVisible())
            assert label.text() == ""
        finally:
            command_line.stop()
            await service.session.drop_connection()
