"""The follower lease, the send lock and the ledger watch over real files (two holders in one
process stand for two processes: each opens the lock file on its own, as another process
would; ``tests/e2e/test_two_processes.py`` runs real second processes)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from app.api.snapshot import JobSnapshot, JobStatus
from app.jobs.lease import COMMAND_LINE, WINDOW, FollowerLease, Holder, LedgerWatch, SendLock
from app.jobs.ledger import Ledger, LedgerError

ROOT = Path(__file__).resolve().parents[2]


def submitting(ledger: Ledger, title: str = "a job") -> str:
    return ledger.begin_submit(generator="text_to_speech", resource="text_to_speech",
                               flow="create", title=title, request={"script": title},
                               estimate=Decimal(1), balance_before=Decimal(100)).key


def test_one_holder_at_a_time_and_the_next_takes_over(tmp_path: Path) -> None:
    ledger = tmp_path / "jobs.sqlite3"
    window = FollowerLease(ledger, WINDOW)
    command_line = FollowerLease(ledger, COMMAND_LINE)
    assert window.try_acquire() and window.held
    assert window.try_acquire()  # asking again changes nothing
    assert not command_line.try_acquire() and not command_line.held
    assert command_line.holder() == Holder(WINDOW, os.getpid())
    assert window.holder() is None  # we hold it ourselves
    window.release()
    window.release()  # idempotent
    assert command_line.holder() is None  # nobody says they follow
    assert command_line.try_acquire()
    assert not window.try_acquire()
    assert window.holder() == Holder(COMMAND_LINE, os.getpid())
    command_line.release()


def test_the_lease_goes_with_a_killed_process(tmp_path: Path) -> None:
    ledger = tmp_path / "jobs.sqlite3"
    code = ("import sys, time\nfrom app.jobs.lease import FollowerLease\n"
            "lease = FollowerLease(sys.argv[1], 'command line')\n"
            "print(lease.try_acquire(), flush=True)\ntime.sleep(60)\n")
    child = subprocess.Popen([sys.executable, "-c", code, str(ledger)], stdout=subprocess.PIPE,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "True"
        ours = FollowerLease(ledger, WINDOW)
        assert not ours.try_acquire()
        assert ours.holder() == Holder(COMMAND_LINE, child.pid)
        child.kill()
        child.wait(10)
        assert ours.try_acquire()  # at once: the operating system dropped the lock
        ours.release()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
        if child.stdout is not None:
            child.stdout.close()


def test_an_in_memory_ledger_is_always_followed_here() -> None:
    lease = FollowerLease(":memory:")
    assert lease.held and lease.try_acquire() and lease.holder() is None
    assert LedgerWatch(":memory:").changed() == []


async def test_the_send_lock_makes_a_second_sender_wait(tmp_path: Path) -> None:
    ledger = tmp_path / "jobs.sqlite3"
    first, second = SendLock(ledger), SendLock(ledger)
    order: list[str] = []

    async def send(lock: SendLock, name: str, hold: float) -> None:
        async with lock:
            order.append(f"{name} in")
            await asyncio.sleep(hold)
            order.append(f"{name} out")

    one = asyncio.ensure_future(send(first, "first", 0.2))
    await asyncio.sleep(0.05)
    await send(second, "second", 0)
    await one
    assert order == ["first in", "first out", "second in", "second out"]


async def test_the_send_lock_gives_up_with_a_message(tmp_path: Path) -> None:
    ledger = tmp_path / "jobs.sqlite3"
    holder, waiter = SendLock(ledger), SendLock(ledger, timeout=0.1)
    async with holder:
        started = time.monotonic()
        with pytest.raises(LedgerError, match="nothing was sent"):
            async with waiter:
                pass
        assert time.monotonic() - started < 2
    async with waiter:  # released, and not left half-held by the failure
        pass


def test_the_watch_sees_other_connections_changes_not_its_own(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    with Ledger(path) as ours, Ledger(path) as theirs:
        before = submitting(theirs, "there before")
        watch = LedgerWatch(path)
        try:
            assert watch.changed() == []  # what was there at the start is not news
            key = submitting(theirs, "theirs")
            assert watch.changed() == [key]
            assert watch.changed() == []  # nothing new since
            mine = ours.get(submitting(ours, "ours"))
            watch.saw(mine.key, mine.updated_at)
            assert watch.changed() == []  # our own write, already reported
            snapshot = JobSnapshot(resource="text_to_speech", id="srv-1",
                                   status=JobStatus.RUNNING, raw_status="running",
                                   progress=0.1)
            theirs.mark_created(key, snapshot)
            theirs.mark_created(before, JobSnapshot(resource="text_to_speech", id="srv-2",
                                                    status=JobStatus.RUNNING,
                                                    raw_status="running", progress=0.1))
            assert watch.changed() == [key, before]  # in the order they changed
            # Progress alone writes no event: an active row whose stamp moved is news too.
            theirs.apply_snapshot(key, JobSnapshot(resource="text_to_speech", id="srv-1",
                                                   status=JobStatus.RUNNING,
                                                   raw_status="running", progress=0.5))
            assert watch.changed() == [key]
            theirs.mark_polled([key])  # no change anyone shows
            assert watch.changed() == []
        finally:
            watch.close()
