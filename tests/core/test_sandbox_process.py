"""The offline sandbox in a child process: it starts on a free loopback port and serves, keeps
its account across restarts, resets, tells a second process where it is served, stops with
the session — and ends when its parent is killed outright. The bundle's way in (the hidden
``--serve-sandbox`` argument of ``packaging/launch.py``) serves it too. And: the balance is
read once after a burst of jobs ending, never once per job."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from app.generators import spec
from app.session import Mode, Session
from app.session._sandbox import SandboxElsewhere
from app.session._sandbox_process import SERVE_SANDBOX, SandboxProcess, sandbox_command

ROOT = Path(__file__).resolve().parents[2]
HEADERS = {"X-API-ID": "sandbox", "X-API-KEY": "sandbox"}


def wait_for(predicate: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what} within {timeout} s"
        time.sleep(0.05)


def answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/_sandbox/state", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def gone(pid: int) -> bool:
    """The process has ended (reaped, or a zombie waiting for a parent that reaps)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "\nState:\tZ" in status


def test_the_child_serves_keeps_its_account_and_resets(tmp_path: Path) -> None:
    state = tmp_path / "sandbox" / "state.json"
    first = SandboxProcess(speed=50, state_path=state)
    try:
        url = first.start()
        assert url.startswith("http://127.0.0.1:") and not first.restored and first.running
        assert first.pid != os.getpid()
        made = httpx.post(f"{url}/api/links/", headers=HEADERS,
                          json={"url": "https://shop.example.com/mug"})
        assert made.status_code in (200, 201)
        assert httpx.get(f"{url}/_sandbox/state").json()["jobs"]["links"] == 1
    finally:
        first.stop()
    assert not first.running and not answers(url)  # stopped: its port is closed
    again = SandboxProcess(speed=50, state_path=state)
    try:
        assert again.start() == url  # the port it last served on, while free
        assert again.restored
        assert httpx.get(f"{url}/_sandbox/state").json()["jobs"]["links"] == 1  # kept
        httpx.post(f"{url}/_sandbox/faults", json={"fail_rate": 0.25})
        again.reset()
        after = httpx.get(f"{url}/_sandbox/state").json()
        assert after["jobs"]["links"] == 0 and after["balance"] == 500 and not again.restored
        assert httpx.get(f"{url}/_sandbox/faults").json()["fail_rate"] == 0.25  # faults stay
    finally:
        again.stop()


def test_a_second_child_on_the_same_state_is_told_where_it_is_served(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = SandboxProcess(speed=50, state_path=state)
    rival = SandboxProcess(speed=50, state_path=state)
    try:
        url = first.start()
        with pytest.raises(SandboxElsewhere) as busy:
            rival.start()
        assert busy.value.base_url == url and not rival.running
    finally:
        rival.stop()
        first.stop()


PARENT = """
import json, sys, time
from pathlib import Path
from app.session._sandbox_process import SandboxProcess
child = SandboxProcess(speed=50, state_path=Path(sys.argv[1]))
print(json.dumps({"url": child.start(), "pid": child.pid}), flush=True)
time.sleep(120)
"""


def test_the_child_ends_when_its_parent_is_killed(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with subprocess.Popen([sys.executable, "-c", PARENT, str(state)], cwd=ROOT,
                          stdout=subprocess.PIPE, text=True) as parent:
        try:
            assert parent.stdout is not None
            said = json.loads(parent.stdout.readline())
            assert answers(said["url"])
            parent.send_signal(signal.SIGKILL)  # no clean-up code runs in the parent
            parent.wait(10)
            wait_for(lambda: not answers(said["url"]), 10, "the orphaned child stopped serving")
            if sys.platform.startswith("linux"):
                wait_for(lambda: gone(said["pid"]), 10, "the orphaned child exited")
        finally:
            if parent.poll() is None:
                parent.kill()
    heir = SandboxProcess(speed=50, state_path=state)  # its lock was let go
    try:
        heir.start()
        assert heir.restored  # it saved its account on the way out
    finally:
        heir.stop()


def test_the_bundle_serves_the_sandbox_from_its_hidden_argument(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As frozen: the child command is the executable itself with ``--serve-sandbox``, which
    ``packaging/launch.py`` hands to the sandbox before anything of the window is imported."""
    exe = tmp_path / "creatify-studio"
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{ROOT / "packaging" / "launch.py"}" '
                   '"$@"\n')
    exe.chmod(0o755)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    assert sandbox_command(["--port", "0"]) == [str(exe), SERVE_SANDBOX, "--port", "0"]
    child = SandboxProcess(speed=50, state_path=tmp_path / "state.json")
    try:
        url = child.start()
        assert answers(url)
    finally:
        child.stop()
    monkeypatch.undo()
    assert sandbox_command(["--port", "0"])[:3] == [sys.executable, "-m", "app.sandbox"]


def test_starting_a_session_does_not_import_the_simulator() -> None:
    code = "import sys, app.session; print(sorted(m for m in sys.modules if 'sandbox' in m " \
           "and m.startswith('app.sandbox')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "[]"


async def test_the_session_runs_the_sandbox_in_a_child_and_stops_it(tmp_path: Path) -> None:
    session = Session(tmp_path / "output", data_dir=tmp_path / "data", sandbox_speed=200,
                      auto_download=False)
    try:
        url = await session.use_sandbox()
        assert session.mode == Mode.SANDBOX and session.sandbox_served_here
        assert session.sandbox is None and session.sandbox_process is not None
        pid = session.sandbox_process.pid
        assert pid is not None and pid != os.getpid()
        assert (await session.fetch_credits()) == 500
        assert (await session.sandbox_controls().state()).speed == 200
        other = Session(tmp_path / "output", data_dir=tmp_path / "data", sandbox_speed=200,
                        auto_download=False, role="command line")
        try:
            assert await other.use_sandbox() == url and not other.sandbox_served_here
            with pytest.raises(RuntimeError, match="reset it there"):
                await other.reset_sandbox()
        finally:
            await other.aclose()
        async with httpx.AsyncClient() as http:
            await http.post(f"{url}/api/links/", headers=HEADERS,
                            json={"url": "https://shop.example.com/mug"})
        assert (await session.sandbox_controls().state()).jobs["links"] == 1
        assert await session.reset_sandbox() == url
        assert (await session.sandbox_controls().state()).jobs["links"] == 0
        crashed = session.sandbox_process._process
        assert crashed is not None
        crashed.kill()  # the simulator's process dies under the session
        await asyncio.to_thread(crashed.wait)
        assert not session.sandbox_served_here
        assert await session.reset_sandbox() == url  # started again, then reset
        assert session.sandbox_served_here and session.sandbox_process.pid != pid
        assert (await session.sandbox_controls().state()).balance == 500
        pid = session.sandbox_process.pid
    finally:
        await session.aclose()
    assert session.sandbox_process is None and not answers(url)
    if sys.platform.startswith("linux"):
        assert gone(pid)


async def test_the_balance_is_read_once_after_a_burst_of_jobs_ending(tmp_path: Path) -> None:
    session = Session(tmp_path / "output", data_dir=tmp_path / "data", sandbox_speed=10,
                      auto_download=False, sandbox_in_process=True)
    try:
        await session.use_sandbox()
        sandbox = session.sandbox
        assert sandbox is not None
        await session.fetch_credits()
        voices = await session.read_catalogue("voices")
        tts = spec("text_to_speech")
        values = {"script": "One of many.", "accent": voices[0]["accents"][0]["id"]}
        count = 12
        records = await asyncio.gather(*(session.submit(tts, values, estimate=Decimal(1))
                                         for _ in range(count)))
        sent = len(sandbox.request_log)  # the reads before each send are the guard's
        assert not any(j.state.is_terminal for r in records if (j := session.job(r.key)))

        def ended() -> bool:
            jobs = [session.job(r.key) for r in records]
            return all(j is not None and j.state.is_terminal for j in jobs)
        deadline = time.monotonic() + 30
        while not ended():
            assert time.monotonic() < deadline, "the jobs did not end"
            await asyncio.sleep(0.02)
        await asyncio.sleep(1.5)  # the read after the last ending, and nothing more
        reads = [p for _m, p in sandbox.request_log[sent:] if p == "/api/remaining_credits/"]
        assert 1 <= len(reads) <= 3, len(reads)  # was one read per job (12)
        assert session.credits == sandbox.balance == 500 - count  # the last figure shown
    finally:
        await session.aclose()
