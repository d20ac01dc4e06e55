"""SIGKILL the job runner while it submits, polls and downloads; run it again; count.

No job may be lost, none submitted twice (the simulator's create log is the witness), and an
interrupted download must resume from its ``.part`` with HTTP Range.
"""

from __future__ import annotations

import http.server
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from app.jobs.ledger import DownloadState, JobState, Ledger
from app.sandbox import Sandbox

pytestmark = pytest.mark.e2e

CHILD = Path(__file__).with_name("crash_child.py")
SPEED = 60.0


def start(base_url: str, data: Path, mode: str, arg: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(CHILD), base_url, str(data), mode, arg,
                             str(SPEED)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def read_until(child: subprocess.Popen[str], count: int, timeout: float = 60.0) -> list[str]:
    assert child.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while len(lines) < count:
        assert time.monotonic() < deadline, f"child too slow: {lines}"
        line = child.stdout.readline()
        if not line:
            errors = child.stderr.read() if child.stderr else ""
            raise AssertionError(f"child ended early: {errors}")
        lines.append(line.strip())
    return lines


def kill(child: subprocess.Popen[str]) -> None:
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    child.communicate()


def resume(base_url: str, data: Path, mode: str = "resume", arg: str = "0") -> None:
    result = subprocess.run([sys.executable, str(CHILD), base_url, str(data), mode, arg,
                             str(SPEED)], capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0 and "settled" in result.stdout, result.stderr[-3000:]


@pytest.mark.parametrize(("moment", "after"), [("submitting", 3), ("polling", 12)])
def test_sigkill_loses_nothing_and_sends_nothing_twice(tmp_path: Path, moment: str,
                                                       after: int) -> None:
    with Sandbox(speed=SPEED, balance=10**6, seed=9) as server:
        child = start(server.base_url, tmp_path, "submit", "12")
        read_until(child, after)
        if moment == "polling":
            time.sleep(0.05)
        kill(child)
        resume(server.base_url, tmp_path)
        creates = [c for c in server.create_log if "link_to_videos" in c.path]
        with Ledger(tmp_path / "jobs.sqlite3") as ledger:
            records = ledger.page(limit=100, include_hidden=True)
    assert records, "nothing was recorded"
    by_tag: dict[str, int] = {}
    for create in creates:
        match = re.search(r"\[(\w+)\]$", str(create.body.get("name", "")))
        assert match, create.body
        by_tag[match.group(1)] = by_tag.get(match.group(1), 0) + 1
    duplicates = sum(n - 1 for n in by_tag.values() if n > 1)
    assert duplicates == 0
    recorded_tags = {r.name_tag for r in records}
    lost = [tag for tag in by_tag if tag not in recorded_tags]
    assert lost == []  # every create the simulator received has its ledger row
    created_ids = {c.job_id for c in creates if c.job_id}
    assert created_ids <= {r.server_id for r in records}
    for record in records:
        if record.server_id:
            assert record.state is JobState.DONE, (record.state, record.key)
            assert record.download_state is DownloadState.DONE
            assert Path(record.download_path or "").exists()
        else:  # killed before its create left: it stays "unknown", never re-sent
            assert record.state is JobState.UNKNOWN
            assert record.name_tag not in by_tag


class SlowFile(http.server.BaseHTTPRequestHandler):
    """A large result served slowly, with Range, that remembers what it sent."""

    protocol_version = "HTTP/1.1"
    data = bytes(range(256)) * (6 * 4096)  # 6 MiB
    ranges: ClassVar[list[str | None]] = []
    sent: ClassVar[list[int]] = [0]

    def do_GET(self) -> None:
        header = self.headers.get("Range")
        self.ranges.append(header)
        start = int(header.split("=")[1].split("-")[0]) if header else 0
        body = self.data[start:]
        self.send_response(206 if header else 200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(len(body)))
        if header:
            self.send_header("Content-Range", f"bytes {start}-{len(self.data) - 1}/"
                                              f"{len(self.data)}")
        self.end_headers()
        try:
            for offset in range(0, len(body), 64 * 1024):
                self.wfile.write(body[offset:offset + 64 * 1024])
                self.sent[0] += len(body[offset:offset + 64 * 1024])
                time.sleep(0.01)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_server() -> Iterator[str]:
    SlowFile.ranges = []
    SlowFile.sent = [0]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowFile)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/media/big.mp4"
    server.shutdown()
    server.server_close()


def test_sigkill_while_downloading_resumes_from_the_part(tmp_path: Path,
                                                         slow_server: str) -> None:
    with Sandbox(speed=SPEED) as server:
        child = start(server.base_url, tmp_path, "download", slow_server)
        read_until(child, 1)
        out = tmp_path / "out"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            parts = list(out.glob("*.part")) if out.exists() else []
            if parts and parts[0].stat().st_size > 1_000_000:
                break
            time.sleep(0.02)
        kill(child)
        part_size = parts[0].stat().st_size
        assert 0 < part_size < len(SlowFile.data)
        resume(server.base_url, tmp_path, "download", slow_server)
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        [record] = ledger.page()
    assert record.download_state is DownloadState.DONE
    saved = Path(record.download_path or "")
    assert saved.read_bytes() == SlowFile.data
    assert SlowFile.ranges[0] is None and SlowFile.ranges[-1] is not None
    resumed_from = int(SlowFile.ranges[-1].split("=")[1].split("-")[0])
    assert resumed_from >= part_size - 64 * 1024  # from the .part, not from zero
    redownloaded = SlowFile.sent[0] - len(SlowFile.data)
    print(f"\npart {part_size:,} B; resumed from {resumed_from:,} B; "
          f"bytes downloaded twice: {redownloaded:,}")
    assert redownloaded < 1_000_000
    assert not list(saved.parent.glob("*.part"))
    assert saved.with_name(saved.name + ".json").exists()
