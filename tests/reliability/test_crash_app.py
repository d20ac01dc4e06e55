"""The real windowed app (offscreen) SIGKILLed while it follows jobs, then started again."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.jobs.ledger import DownloadState, JobState, Ledger
from app.sandbox import Sandbox
from tests.reliability.test_crash import kill, read_until, start

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def launch_app(base_url: str, data_dir: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env.update(QT_QPA_PLATFORM="offscreen", CREATIFY_API_BASE_URL=base_url,
               CREATIFY_API_ID="sandbox", CREATIFY_API_KEY="sandbox")
    return subprocess.Popen([sys.executable, "-m", "ui", "--data-dir", str(data_dir)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def snapshot(ledger_file: Path) -> list[tuple[JobState, DownloadState, str | None]]:
    with Ledger(ledger_file) as ledger:
        return [(r.state, r.download_state, r.name_tag) for r in ledger.page(limit=100)]


def polled_since(ledger_file: Path, when: datetime) -> bool:
    with Ledger(ledger_file) as ledger:
        return any(r.last_polled_at and r.last_polled_at > when for r in ledger.page(limit=100))


def test_the_app_killed_while_following_jobs_finds_them_all_again(tmp_path: Path) -> None:
    ledger_file = tmp_path / "data" / "jobs.sqlite3"
    ledger_file.parent.mkdir()
    with Sandbox(speed=15.0, balance=10**6, seed=4) as server:
        runner = start(server.base_url, tmp_path / "data", "submit", "8")
        read_until(runner, 8)
        kill(runner)  # the jobs are in the ledger, running on the server

        launched = datetime.now(UTC)
        app = launch_app(server.base_url, tmp_path)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not polled_since(ledger_file, launched):
            time.sleep(0.05)
        assert polled_since(ledger_file, launched), "the app never polled"
        assert not all(state is JobState.DONE for state, _d, _t in snapshot(ledger_file))
        os.kill(app.pid, signal.SIGKILL)  # the window dies mid-poll
        app.communicate(timeout=10)

        again = launch_app(server.base_url, tmp_path)
        deadline = time.monotonic() + 60
        rows = snapshot(ledger_file)
        while time.monotonic() < deadline and not all(
                state is JobState.DONE and download is DownloadState.DONE
                for state, download, _tag in rows):
            time.sleep(0.2)
            rows = snapshot(ledger_file)
        os.kill(again.pid, signal.SIGKILL)
        _out, errors = again.communicate(timeout=10)
        creates = [c for c in server.create_log if c.path == "/api/link_to_videos/"]
    assert len(rows) == 8 and all(state is JobState.DONE for state, _d, _t in rows), errors
    assert all(download is DownloadState.DONE for _s, download, _t in rows)
    tags = [re.search(r"\[(\w+)\]$", str(c.body.get("name"))) for c in creates]
    assert len(creates) == 8 and len({t.group(1) for t in tags if t}) == 8  # none sent twice
    assert {t.group(1) for t in tags if t} == {tag for _s, _d, tag in rows}
    assert len(list((tmp_path / "output").glob("*.mp4"))) == 8
