"""One ledger, two processes: a headless Session in this process and a second Creatify Studio
(a child process running a Session as the command line would) on the same data folder, both
talking to one simulator over loopback HTTP.

Checked: exactly one of them polls Creatify (each counts its own GET requests with a counting
transport of its own client); the other sees every change through the ledger; a killed
follower is replaced within a few seconds; a paid send from each at the same moment is
recorded and sent once each, and the budget guard of one counts what the other committed;
the ledger file passes ``PRAGMA integrity_check`` after all of it.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.api.client import CreatifyClient
from app.generators import spec
from app.jobs.budget import BudgetError, BudgetLimits
from app.jobs.ledger import JobRecord
from app.jobs.scheduler import PollPolicy
from app.sandbox import Sandbox
from app.session import COMMAND_LINE, Session, SessionEvents
from tests.e2e.conftest import FAST_RETRY

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SPEED = 100.0
TTS_PATH = "/api/text_to_speech/"

# The second process: a Session over the same ledger, driven by JSON lines on stdin, telling
# what it sees as JSON lines on stdout. Its client counts the GETs it makes per path.
CHILD = r'''
import asyncio, json, sys, time
from decimal import Decimal
from pathlib import Path
import httpx
from app.api.client import CreatifyClient, RetryPolicy
from app.generators import spec
from app.jobs.budget import BudgetLimits
from app.jobs.scheduler import PollPolicy
from app.session import PAID_ERRORS, Session, SessionEvents, describe

base_url, ledger, output = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
speed = float(sys.argv[4])
gets = {}
slow = {"balance_at": 0.0}

class Counting(httpx.AsyncHTTPTransport):
    async def handle_async_request(self, request):
        if request.method == "GET":
            gets[request.url.path] = gets.get(request.url.path, 0) + 1
        response = await super().handle_async_request(request)
        if request.url.path.rstrip("/").endswith("remaining_credits"):
            await asyncio.sleep(max(0.0, slow["balance_at"] - time.time()))
        return response

def say(**message):
    print(json.dumps(message, default=str), flush=True)

async def main():
    events = SessionEvents(
        follower_changed=lambda mine, who: say(event="role", follower=mine),
        job_changed=lambda r: say(event="job", key=r.key, state=r.state.value))
    session = Session(output, data_dir=ledger.parent, auto_download=False, events=events,
                      role="command line")
    client = CreatifyClient("sandbox", "sandbox", base_url=base_url, transport=Counting(),
                            retry=RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05))
    await session.use_client(client, ledger, PollPolicy().scaled(speed))
    say(event="ready", follower=session.is_follower)
    loop = asyncio.get_running_loop()
    tasks = set()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        command = json.loads(line)
        if command["do"] == "quit":
            break
        if command["do"] == "gets":
            say(event="gets", gets=gets)
        elif command["do"] == "budget":
            session.budget = BudgetLimits(daily=Decimal(command["daily"]))
            slow["balance_at"] = command["balance_at"]
        elif command["do"] == "submit":
            async def submit(values):
                try:
                    record = await session.submit(spec("text_to_speech"), values,
                                                  estimate=Decimal(1))
                    say(event="submitted", key=record.key, state=record.state.value)
                except PAID_ERRORS as exc:
                    say(event="refused", message=describe(exc))
            task = asyncio.ensure_future(submit(command["values"]))
            tasks.add(task)
        elif command["do"] == "wait":
            async def wait(key):
                record = await session.wait_ended(key)
                say(event="ended", key=key, state=record.state.value)
            task = asyncio.ensure_future(wait(command["key"]))
            tasks.add(task)
        elif command["do"] == "follow":
            async def follow():
                records = await session.follow()
                say(event="followed", states={r.key: r.state.value for r in records})
            task = asyncio.ensure_future(follow())
            tasks.add(task)
    await session.aclose()
    say(event="closed")

asyncio.run(main())
'''


class Counting(httpx.AsyncHTTPTransport):
    """The real network transport, counting this process's GET requests per path."""

    def __init__(self) -> None:
        super().__init__()
        self.gets: Counter[str] = Counter()
        self.balance_at = 0.0
        """No balance answer handed on before this wall-clock time: two processes' budget
        checks then go on from their balance at the same moment."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            self.gets[request.url.path] += 1
        response = await super().handle_async_request(request)
        if request.url.path.rstrip("/").endswith("remaining_credits"):
            await asyncio.sleep(max(0.0, self.balance_at - time.time()))
        return response


def job_reads(gets: Counter[str] | dict[str, int]) -> int:
    """The GETs that follow text-to-speech jobs (the list with ``?ids=``, or one by id)."""
    return sum(count for path, count in gets.items() if path.startswith(TTS_PATH))


class Child:
    """The second process, and what it said so far."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.said: list[dict[str, Any]] = []
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while line := await self.process.stdout.readline():
            self.said.append(json.loads(line))

    def send(self, **command: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(command) + "\n").encode())

    async def heard(self, event: str, timeout: float = 20.0,
                    where: Callable[[dict[str, Any]], bool] = lambda _m: True) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for message in self.said:
                if message["event"] == event and where(message):
                    return message
            assert self.process.returncode is None or event == "closed", \
                f"the child exited ({self.process.returncode}) before saying {event}"
            assert time.monotonic() < deadline, f"the child never said {event}: {self.said}"
            await asyncio.sleep(0.02)

    async def quit(self) -> None:
        if self.process.returncode is None:
            self.send(do="quit")
            await self.heard("closed")
            await asyncio.wait_for(self.process.wait(), 10)
        await self.reader


async def start_child(server: Sandbox, ledger: Path, output: Path,
                      speed: float = SPEED) -> Child:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, server.base_url, str(ledger), str(output), str(speed),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env, cwd=ROOT)
    child = Child(process)
    await child.heard("ready")
    return child


class Seen:
    """What this process's session reported."""

    def __init__(self) -> None:
        self.jobs: list[JobRecord] = []
        self.roles: list[tuple[bool, str | None]] = []

    def events(self) -> SessionEvents:
        return SessionEvents(job_changed=self.jobs.append,
                             follower_changed=lambda mine, who: self.roles.append((mine, who)))

    def states(self, key: str) -> list[str]:
        return [r.state.value for r in self.jobs if r.key == key]


async def until(condition: Callable[[], object], timeout: float = 20.0,
                what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def values(text: str) -> dict[str, Any]:
    return {"script": text, "accent": ACCENT}


ACCENT = ""


@pytest.fixture
async def server() -> AsyncIterator[Sandbox]:
    global ACCENT
    with Sandbox(speed=SPEED, seed=16, balance=100_000) as sandbox:
        async with CreatifyClient("sandbox", "sandbox", base_url=sandbox.base_url) as probe:
            ACCENT = (await probe.voices())[0]["accents"][0]["id"]
        yield sandbox


async def open_session(server: Sandbox, ledger: Path, seen: Seen,
                       speed: float = SPEED) -> tuple[Session, Counting]:
    counting = Counting()
    session = Session(ledger.parent / "output", data_dir=ledger.parent, auto_download=False,
                      events=seen.events())
    client = CreatifyClient("sandbox", "sandbox", base_url=server.base_url, transport=counting,
                            retry=FAST_RETRY)
    await session.use_client(client, ledger, PollPolicy().scaled(speed))
    return session, counting


def check_integrity(ledger: Path) -> None:
    with sqlite3.connect(ledger) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


async def test_one_process_polls_and_the_other_sees_every_change(
        server: Sandbox, tmp_path: Path) -> None:
    ledger = tmp_path / "data" / "jobs.sqlite3"
    ledger.parent.mkdir()
    seen = Seen()
    session, counting = await open_session(server, ledger, seen)
    child = await start_child(server, ledger, tmp_path / "output")
    try:
        assert session.is_follower and seen.roles == [(True, None)]
        assert await child.heard("ready") == {"event": "ready", "follower": False}
        assert {"event": "role", "follower": False} in child.said

        # The command line sends; the window (the follower) polls it to its end and both see
        # every step: the child without reading Creatify once.
        child.send(do="submit", values=values("Sent by the command line."))
        theirs = (await child.heard("submitted"))["key"]
        child.send(do="wait", key=theirs)
        assert (await child.heard("ended"))["state"] == "done"
        await until(lambda: "done" in seen.states(theirs), what="the window seeing it end")
        assert seen.states(theirs)[0] in ("submitting", "pending", "queued", "running")

        # The window sends; the command line follows every active job through the ledger.
        ours = await session.submit(spec("text_to_speech"), values("Sent by the window."),
                                    estimate=Decimal(1))
        child.send(do="follow")
        followed = await child.heard("followed")
        assert followed["states"] in ({ours.key: "done"}, {})  # {}: ended before it looked
        await until(lambda: any(m["event"] == "job" and m["key"] == ours.key
                                and m["state"] == "done" for m in child.said),
                    what="the command line seeing the window's job end")

        child.send(do="gets")
        theirs_gets = (await child.heard("gets"))["gets"]
        assert job_reads(theirs_gets) == 0, theirs_gets
        assert job_reads(counting.gets) >= 2, counting.gets
        logged = sum(1 for method, target in server.request_log
                     if method == "GET" and target.startswith(TTS_PATH))
        assert logged == job_reads(counting.gets)  # every job read the simulator saw was ours
        assert [r.path for r in server.create_log] == [TTS_PATH, TTS_PATH]
    finally:
        await child.quit()
        await session.aclose()
    check_integrity(ledger)


async def test_a_killed_follower_is_replaced_within_seconds(tmp_path: Path) -> None:
    ledger = tmp_path / "data" / "jobs.sqlite3"
    ledger.parent.mkdir()
    with Sandbox(speed=2, seed=16, balance=1000) as server:
        await killed_follower(server, ledger, tmp_path)
    check_integrity(ledger)


async def killed_follower(server: Sandbox, ledger: Path, tmp_path: Path) -> None:
    """A text-to-speech job takes 5 s at this speed: the follower dies while it runs."""
    async with CreatifyClient("sandbox", "sandbox", base_url=server.base_url) as probe:
        accent = (await probe.voices())[0]["accents"][0]["id"]
    child = await start_child(server, ledger, tmp_path / "output", speed=2)
    seen = Seen()
    session, counting = await open_session(server, ledger, seen, speed=2)
    try:
        assert await child.heard("ready") == {"event": "ready", "follower": True}
        assert not session.is_follower
        assert seen.roles == [(False, COMMAND_LINE)]
        assert session.follower() is not None
        assert session.follower().pid == child.process.pid  # type: ignore[union-attr]

        record = await session.submit(spec("text_to_speech"),
                                      {"script": "Outlives its follower.", "accent": accent},
                                      estimate=Decimal(1))
        await until(lambda: any(m["event"] == "job" and m["key"] == record.key
                                and m["state"] != "submitting" for m in child.said),
                    what="the command line seeing the job")
        await asyncio.sleep(1.0)
        assert job_reads(counting.gets) == 0  # the command line follows it so far
        assert not session.job(record.key).state.is_terminal  # type: ignore[union-attr]
        child.process.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        await child.process.wait()
        await until(lambda: session.is_follower, timeout=5.0, what="the takeover")
        assert time.monotonic() - killed < 3.0
        assert seen.roles[-1] == (True, None)
        ended = await asyncio.wait_for(session.wait_ended(record.key), 20)
        assert ended.state.value == "done"
        assert [r.path for r in server.create_log] == [TTS_PATH]
        assert job_reads(counting.gets) >= 1
    finally:
        await session.aclose()
        if child.process.returncode is None:
            child.process.kill()
            await child.process.wait()
        await child.reader


async def test_paid_sends_at_the_same_moment_count_each_other(
        server: Sandbox, tmp_path: Path) -> None:
    ledger = tmp_path / "data" / "jobs.sqlite3"
    ledger.parent.mkdir()
    seen = Seen()
    session, counting = await open_session(server, ledger, seen)
    child = await start_child(server, ledger, tmp_path / "output")
    try:
        # Room for both: each sent once, recorded once.
        child.send(do="submit", values=values("Both at once, the command line."))
        ours = await session.submit(spec("text_to_speech"), values("Both at once, the window."),
                                    estimate=Decimal(1))
        theirs = (await child.heard("submitted"))["key"]
        assert ours.key != theirs
        await until(lambda: len(server.create_log) == 2, what="both creates")
        scripts = sorted(r.body["script"] for r in server.create_log)
        assert scripts == ["Both at once, the command line.", "Both at once, the window."]
        assert len({r.job_id for r in server.create_log}) == 2

        # Room for one more only (spent 2 today, cap 3.5): of two sends at the same moment
        # (neither balance read answered before the same instant, so both budget checks would
        # run together) the budget guard of one counts the other's committed credit.
        session.budget = BudgetLimits(daily=Decimal("3.5"))
        counting.balance_at = time.time() + 0.5
        child.send(do="budget", daily="3.5", balance_at=counting.balance_at)
        child.send(do="submit", values=values("Second round, the command line."))
        try:
            mine: JobRecord | None = await session.submit(
                spec("text_to_speech"), values("Second round, the window."),
                estimate=Decimal(1))
        except BudgetError:
            mine = None
        def second_answer() -> list[dict[str, Any]]:
            return [m for m in child.said if m["event"] == "refused"
                    or (m["event"] == "submitted" and m["key"] != theirs)]
        await until(second_answer, what="the command line's second answer")
        [answer] = second_answer()
        # Exactly one of the two was sent: the other was refused by the daily cap.
        assert (mine is None) == (answer["event"] == "submitted"), (mine, answer)
        if answer["event"] == "refused":
            assert "daily cap of 3.5" in answer["message"]
        assert len(server.create_log) == 3
        rows = session.jobs_page()
        assert len(rows) == 3 and len({r.server_id for r in rows}) == 3
    finally:
        await child.quit()
        await session.aclose()
    check_integrity(ledger)


# A sender killed mid-send: the row is committed and the create reaches Creatify, but the
# process dies before it records the answer (as the job manager would have written them).
DYING_SENDER = r'''
import asyncio, os, sys, uuid
from decimal import Decimal
from app.api.client import CreatifyClient
from app.generators import Flow, spec
from app.generators.submit import request_body, submit
from app.jobs.ledger import Ledger

base_url, path, accent = sys.argv[1], sys.argv[2], sys.argv[3]
gen = spec("text_to_speech")
values = {"script": "Its sender died.", "accent": accent}
tag = uuid.uuid4().hex[:8] if gen.resource.has_name else None
ledger = Ledger(path)
record = ledger.begin_submit(generator=gen.key, resource=gen.resource.key, flow="create",
                             title="Its sender died", request=request_body(gen, values, tag),
                             estimate=Decimal(1), balance_before=None, name_tag=tag)
print(record.key, flush=True)

async def send():
    async with CreatifyClient("sandbox", "sandbox", base_url=base_url) as client:
        await submit(client, gen, values, flow=Flow.CREATE, name_tag=tag)

asyncio.run(send())
os._exit(9)  # dies before recording the answer
'''


async def test_a_create_whose_sender_died_is_found_never_sent_again(
        server: Sandbox, tmp_path: Path) -> None:
    ledger = tmp_path / "data" / "jobs.sqlite3"
    ledger.parent.mkdir()
    seen = Seen()
    session, _counting = await open_session(server, ledger, seen)
    try:
        assert session.jobs is not None and session.is_follower
        session.jobs.orphan_after = 1.0
        dying = await asyncio.create_subprocess_exec(
            sys.executable, "-c", DYING_SENDER, server.base_url, str(ledger), ACCENT,
            stdout=asyncio.subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=ROOT)
        out, _ = await dying.communicate()
        assert dying.returncode == 9
        key = out.decode().strip()
        assert session.job(key).state.value == "submitting"  # type: ignore[union-attr]
        assert len(server.create_log) == 1
        # Left alone for a while (no answer will ever be recorded): looked up, found, followed.
        await until(lambda: "done" in seen.states(key), timeout=15,
                    what="the orphaned create found and followed")
        record = session.job(key)
        assert record is not None and record.server_id == server.create_log[0].job_id
        assert len(server.create_log) == 1  # never sent again
    finally:
        await session.aclose()
    check_integrity(ledger)


async def test_many_sends_from_both_while_one_polls_keep_the_ledger_whole(
        server: Sandbox, tmp_path: Path) -> None:
    ledger = tmp_path / "data" / "jobs.sqlite3"
    ledger.parent.mkdir()
    seen = Seen()
    session, _counting = await open_session(server, ledger, seen)
    child = await start_child(server, ledger, tmp_path / "output")
    try:
        for n in range(6):
            child.send(do="submit", values=values(f"Command line job {n}."))
        ours = await asyncio.gather(*(
            session.submit(spec("text_to_speech"), values(f"Window job {n}."),
                           estimate=Decimal(1)) for n in range(6)))
        await until(lambda: sum(m["event"] == "submitted" for m in child.said) == 6,
                    what="the command line's six sends")
        theirs = [m["key"] for m in child.said if m["event"] == "submitted"]
        ended = await asyncio.wait_for(session.follow([r.key for r in ours] + theirs), 30)
        assert [r.state.value for r in ended] == ["done"] * 12
        assert len(server.create_log) == 12
        assert len({r.job_id for r in server.create_log}) == 12
        sent = Counter(r.body["script"] for r in server.create_log)
        assert set(sent.values()) == {1} and len(sent) == 12
        rows = session.jobs_page()
        assert len(rows) == 12 and len({r.server_id for r in rows}) == 12
        assert all(r.credits_used is not None for r in rows)
    finally:
        await child.quit()
        await session.aclose()
    check_integrity(ledger)


async def test_following_every_job_waits_for_jobs_sent_meanwhile(tmp_path: Path) -> None:
    """The command line's ``follow()`` (what ``watch`` does) while the window polls: a job the
    window sends after it began is waited for too."""
    ledger = tmp_path / "data" / "jobs.sqlite3"
    ledger.parent.mkdir()
    with Sandbox(speed=5, seed=16, balance=1000) as server:
        async with CreatifyClient("sandbox", "sandbox", base_url=server.base_url) as probe:
            accent = (await probe.voices())[0]["accents"][0]["id"]
        seen = Seen()
        session, _counting = await open_session(server, ledger, seen, speed=5)
        child = await start_child(server, ledger, tmp_path / "output", speed=5)
        try:
            tts = spec("text_to_speech")
            first = await session.submit(tts, {"script": "First.", "accent": accent},
                                         estimate=Decimal(1))
            child.send(do="follow")
            await asyncio.sleep(0.5)
            assert not any(m["event"] == "followed" for m in child.said)  # still waiting
            second = await session.submit(tts, {"script": "Sent meanwhile.", "accent": accent},
                                          estimate=Decimal(1))
            followed = await child.heard("followed", timeout=30)
            assert followed["states"] == {first.key: "done", second.key: "done"}
        finally:
            await child.quit()
            await session.aclose()
    check_integrity(ledger)
