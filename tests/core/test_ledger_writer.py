"""The ledger writer: a poll answer is one transaction, written off the event-loop thread;
the writes that precede the network are fsynced and survive the process being killed; the
batched answer writes exactly what the one-by-one calls wrote."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.api.client import CreatifyClient
from app.api.snapshot import JobSnapshot, JobStatus
from app.generators import spec
from app.generators.submit import request_body, submit
from app.jobs.ledger import DownloadState, JobRecord, JobState, Ledger, LedgerWriter
from app.jobs.manager import JobManager
from app.jobs.scheduler import PollPolicy, PollScheduler
from app.sandbox import Sandbox
from tests.e2e.conftest import sandbox_client

SPEED = 200.0
ROOT = Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


class Trace:
    """Every SQL statement one connection runs, with the thread it ran on."""

    def __init__(self) -> None:
        self.statements: list[tuple[int, str]] = []

    def __call__(self, sql: str) -> None:
        self.statements.append((threading.get_ident(), sql.strip()))

    def clear(self) -> None:
        self.statements.clear()

    def writes(self) -> list[str]:
        return [sql for _t, sql in self.statements
                if sql.split(" ", 1)[0].upper() in ("BEGIN", "UPDATE", "INSERT", "DELETE")]

    def count(self, prefix: str) -> int:
        return sum(1 for _t, sql in self.statements if sql.upper().startswith(prefix))


def trace(ledger: Ledger) -> Trace:
    probe = Trace()
    ledger._db.set_trace_callback(probe)
    return probe


async def trace_writer(writer: LedgerWriter) -> Trace:
    probe = Trace()
    await writer.run(lambda own: own._db.set_trace_callback(probe))
    return probe


def begin(ledger: Ledger, server_id: str | None = None, **fields: Any) -> JobRecord:
    record = ledger.begin_submit(generator="url_to_video", resource="link_to_videos",
                                 flow="create", title="t", request={"link": "x"},
                                 estimate=Decimal(5), balance_before=None, **fields)
    if server_id is not None:
        record = ledger.mark_created(record.key, snap(server_id, JobStatus.PENDING))
    return record


def snap(server_id: str, status: JobStatus, **fields: Any) -> JobSnapshot:
    return JobSnapshot(resource="link_to_videos", id=server_id, status=status,
                       raw_status=status.value, **fields)


# ---------------------------------------------------------------------------- apply_answer

def _answers() -> list[tuple[int, JobSnapshot]]:
    """Job index -> what a list said: progress only, a status change, done with results,
    nothing new, and one running long enough to stall."""
    return [
        (0, snap("s0", JobStatus.PENDING, progress=0.3)),
        (1, snap("s1", JobStatus.RUNNING)),
        (2, snap("s2", JobStatus.DONE, progress=1.0, result_urls=("https://x/v.mp4",),
                 credits_used=Decimal(5))),
        (3, snap("s3", JobStatus.PENDING)),
        (4, snap("s4", JobStatus.RUNNING, progress=0.5)),
    ]


def _rows(ledger: Ledger) -> tuple[list[JobRecord], list[tuple[str, str, str]]]:
    jobs = ledger.page(limit=100)
    events = [(e.key, e.kind, e.detail) for r in jobs for e in ledger.events(r.key)]
    # The times differ by the clock's ticks; what was written where must not.
    return [replace(r, updated_at=r.created_at, last_polled_at=None,
                    finished_at=r.created_at if r.finished_at else None) for r in jobs], events


def test_a_poll_answer_writes_what_the_one_by_one_calls_wrote(tmp_path: Path) -> None:
    one, batch = Ledger(tmp_path / "one.sqlite3", clock=Clock()), \
        Ledger(tmp_path / "batch.sqlite3", clock=Clock())
    keys = [f"job{i}" for i in range(6)]
    for ledger in (one, batch):
        for i, key in enumerate(keys):
            begin(ledger, f"s{i}", key=key)
    stalled: Callable[[JobRecord], bool] = lambda record: record.key == "job4"  # noqa: E731
    # Today's per-job calls, as the scheduler made them.
    one.mark_polled(keys)
    for i, snapshot in _answers():
        before = one.get(keys[i])
        record = one.apply_snapshot(keys[i], snapshot)
        if record.state.is_active and stalled(record) and record.state is not JobState.STALLED:
            record = one.mark_stalled(keys[i])
        assert (record != before) == (i != 3)
    changed = batch.apply_answer(keys, [(keys[i], s) for i, s in _answers()], stalled=stalled)
    assert [r.key for r in changed] == ["job0", "job1", "job2", "job4"]
    assert changed == [batch.get(r.key) for r in changed]
    assert changed[-1].state is JobState.STALLED and changed[2].state is JobState.DONE
    assert _rows(one) == _rows(batch)
    assert all(r.last_polled_at is not None for r in batch.page())
    one.close()
    batch.close()


def test_an_answer_that_changes_nothing_writes_only_the_stamps(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "jobs.sqlite3")
    record = begin(ledger, "s1")
    events = ledger.events(record.key)
    assert ledger.apply_answer([record.key], [(record.key, snap("s1", JobStatus.PENDING))]) == []
    assert ledger.events(record.key) == events
    after = ledger.get(record.key)
    assert after.updated_at == record.updated_at and after.last_polled_at is not None
    ledger.close()


def test_a_snapshot_that_is_not_its_jobs_is_skipped_the_rest_applies(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "jobs.sqlite3")
    a, b = begin(ledger, "s1"), begin(ledger, "s2")
    changed = ledger.apply_answer([a.key, b.key], [(a.key, snap("zz", JobStatus.DONE)),
                                                   (b.key, snap("s2", JobStatus.RUNNING)),
                                                   ("gone", snap("s3", JobStatus.DONE))])
    assert [r.key for r in changed] == [b.key]
    assert ledger.get(a.key).state is JobState.PENDING
    ledger.close()


def test_a_job_answered_twice_takes_both_in_order(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "jobs.sqlite3")
    record = begin(ledger, "s1")
    done = snap("s1", JobStatus.DONE, result_urls=("https://x/v.mp4",))
    changed = ledger.apply_answer([record.key], [(record.key, snap("s1", JobStatus.RUNNING)),
                                                 (record.key, done), (record.key, done)])
    assert [(r.key, r.state) for r in changed] == [(record.key, JobState.DONE)]
    kinds = [e.detail for e in ledger.events(record.key) if e.kind == "status"]
    assert kinds == ["pending → running", "running → done"]
    ledger.close()


def test_a_job_an_answer_finishes_is_queued_for_download_in_the_same_commit(
        tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "jobs.sqlite3")
    done, running, empty = begin(ledger, "s1"), begin(ledger, "s2"), begin(ledger, "s3")
    changed = ledger.apply_answer(
        [done.key, running.key, empty.key],
        [(done.key, snap("s1", JobStatus.DONE, result_urls=("https://x/v.mp4",))),
         (running.key, snap("s2", JobStatus.RUNNING)),
         (empty.key, snap("s3", JobStatus.DONE))], queue_downloads=True)
    states = {r.key: r.download_state for r in changed}
    assert states == {done.key: DownloadState.QUEUED, running.key: DownloadState.NONE,
                      empty.key: DownloadState.NONE}
    assert [(e.kind, e.detail) for e in ledger.events(done.key)][-2:] == [
        ("status", "pending → done"), ("download", "none → queued")]
    ledger.close()


# ---------------------------------------------------------------------------- the writer

async def test_the_writer_writes_in_its_own_thread_and_the_loop_reads_it(
        tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "jobs.sqlite3")
    writer = LedgerWriter(ledger)
    try:
        probe = await trace_writer(writer)
        record = await writer.begin_submit(
            generator="url_to_video", resource="link_to_videos", flow="create", title="t",
            request={"link": "x"}, estimate=Decimal(5), balance_before=None)
        assert ledger.get(record.key) == record  # committed: the loop's connection sees it
        await writer.mark_created(record.key, snap("s1", JobStatus.PENDING))
        await writer.set_download(record.key, DownloadState.QUEUED)
        threads = {thread for thread, _sql in probe.statements}
        assert threads == {writer.thread_id} and threading.get_ident() not in threads
        # FULL exactly for the write before the network; the others are NORMAL.
        statements = [sql for _t, sql in probe.statements]
        full = [i for i, sql in enumerate(statements) if sql == "PRAGMA synchronous=FULL"]
        assert len(full) == 1 and statements[full[0] + 1] == "BEGIN IMMEDIATE"
        assert "INSERT INTO jobs" in statements[full[0] + 2]
        assert probe.count("BEGIN") == 3
    finally:
        writer.close()
        ledger.close()
    with pytest.raises(Exception, match="closed"):
        await writer.mark_polled(["x"])


async def test_the_writes_keep_their_order(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "jobs.sqlite3")
    record = begin(ledger, "s1")
    writer = LedgerWriter(ledger)
    try:
        # Not awaited one by one: queued at once, applied in the order asked.
        done = await asyncio.gather(*(writer.set_download(record.key, DownloadState.DOWNLOADING,
                                                          bytes_done=n) for n in range(1, 51)))
        assert [r.download_bytes for r in done] == list(range(1, 51))
        assert ledger.get(record.key).download_bytes == 50
    finally:
        writer.close()
        ledger.close()


# ---------------------------------------------------------------------------- a poll round

@pytest.fixture
def server() -> Iterator[Sandbox]:
    with Sandbox(speed=SPEED, seed=5, balance=100_000) as sandbox:
        yield sandbox


@pytest.fixture
async def client(server: Sandbox) -> AsyncIterator[CreatifyClient]:
    async with sandbox_client(server, timeout=5) as api:
        yield api


async def test_a_poll_answer_of_a_hundred_jobs_is_one_transaction_off_the_loop_thread(
        client: CreatifyClient, tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "jobs.sqlite3")
    writer = LedgerWriter(ledger)
    try:
        gen = spec("url_to_video")
        link = await client.create_link("https://shop.example.com/p/1")
        values = {"link": link.id, "video_length": 15}
        keys = []
        for _ in range(100):
            record = ledger.begin_submit(generator=gen.key, resource=gen.resource.key,
                                         flow="create", title="t",
                                         request=request_body(gen, values),
                                         estimate=Decimal(1), balance_before=None)
            ledger.mark_created(record.key, await submit(client, gen, values))
            keys.append(record.key)
        changes: list[JobRecord] = []
        scheduler = PollScheduler(client, ledger, writer=writer, on_change=changes.append,
                                  policy=PollPolicy().scaled(SPEED))
        for key in keys:
            scheduler.watch(key)
        await asyncio.sleep(0.3)  # long enough for every job to have moved on
        on_loop, in_writer = trace(ledger), await trace_writer(writer)
        await scheduler.poll_once()
        assert scheduler.requests == 1
        assert on_loop.writes() == []  # nothing written on the loop thread
        assert in_writer.count("BEGIN") == 1 and in_writer.count("COMMIT") == 1
        assert {t for t, _sql in in_writer.statements} == {writer.thread_id}
        assert writer.thread_id != threading.get_ident()
        assert len(changes) == 100  # every job moved on, each told once, after the commit
        assert all(ledger.get(r.key) == r for r in changes)
        assert all(ledger.get(key).last_polled_at is not None for key in keys)
    finally:
        writer.close()
        ledger.close()


async def test_the_manager_tells_each_change_on_the_loop_after_it_committed(
        client: CreatifyClient, tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "jobs.sqlite3")
    loop_thread = threading.get_ident()
    problems: list[str] = []

    def on_change(record: JobRecord) -> None:
        if threading.get_ident() != loop_thread:
            problems.append("on_change off the loop thread")
        if ledger.get(record.key).updated_at < record.updated_at:
            problems.append(f"{record.key} told before it was committed")

    on_loop = trace(ledger)
    manager = JobManager(client, ledger, tmp_path / "out", on_change=on_change,
                         policy=PollPolicy().scaled(SPEED))
    try:
        await manager.start()
        link = await client.create_link("https://shop.example.com/p/2")
        records = [await manager.submit(spec("url_to_video"),
                                        {"link": link.id, "video_length": 15})
                   for _ in range(5)]
        ended = await asyncio.wait_for(
            asyncio.gather(*(manager.wait_ended(r.key) for r in records)), 30)
        assert {r.state for r in ended} == {JobState.DONE}
        for _ in range(300):
            if all(ledger.get(r.key).download_state is DownloadState.DONE for r in records):
                break
            await asyncio.sleep(0.05)
        assert all(ledger.get(r.key).download_state is DownloadState.DONE for r in records)
        assert ledger.get(records[0].key).download_bytes > 0
    finally:
        await manager.aclose()
        ledger.close()
    assert problems == []
    assert on_loop.writes() == []  # submits, polls and downloads: all written by the writer


# ---------------------------------------------------------------------------- a crash

_CHILD = textwrap.dedent("""
    import asyncio, os, sys
    from decimal import Decimal
    from app.jobs.ledger import DownloadState, Ledger, LedgerWriter

    async def main() -> None:
        ledger = Ledger(sys.argv[1])
        writer = LedgerWriter(ledger)
        record = await writer.begin_submit(
            generator="url_to_video", resource="link_to_videos", flow="create", title="t",
            request={"link": "x"}, estimate=Decimal(5), balance_before=None, key=sys.argv[2])
        if sys.argv[3] == "more":
            await writer.set_download(record.key, DownloadState.QUEUED)
        os._exit(0)  # killed: no close, no checkpoint, nothing flushed by Python

    asyncio.run(main())
""")


@pytest.mark.parametrize("then", ["nothing", "more"])
def test_a_process_killed_right_after_begin_submit_leaves_its_row(tmp_path: Path,
                                                                  then: str) -> None:
    path = tmp_path / "jobs.sqlite3"
    Ledger(path).close()
    subprocess.run([sys.executable, "-c", _CHILD, str(path), "k1", then], cwd=ROOT,
                   check=True, timeout=60)
    ledger = Ledger(path)
    record = ledger.get("k1")
    assert record.state is JobState.SUBMITTING
    assert record.download_state is (DownloadState.QUEUED if then == "more"
                                     else DownloadState.NONE)
    ledger.close()
    # Read by a plain connection too: the row is in the file (its WAL), not in a cache.
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT state FROM jobs WHERE key = 'k1'").fetchone() == ("submitting",)
    conn.close()
