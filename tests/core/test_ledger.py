"""The job ledger: write before the network, one transaction (and one event) per change,
migrations, damaged files left alone, no secrets, crash safety and a fast list."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.api.snapshot import JobSnapshot, JobStatus
from app.jobs.ledger import (
    SCHEMA_VERSION,
    DownloadState,
    JobEvent,
    JobRecord,
    JobState,
    Ledger,
    LedgerError,
    state_for,
)
from app.jobs.ledger import _schema as ledger_schema
from app.logsafe import register_secret

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sk-live-ledger-test-5a4b3c2d1e0f"
T0 = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
L2V = "link_to_videos"
SERVER_ID = "3f2b9c1e-7a4d-4e8b-9c1a-2b3c4d5e6f70"
CDN = "https://cdn.creatify.ai/out"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float = 1.0) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "jobs.sqlite3"


@pytest.fixture
def ledger(path: Path, clock: Clock) -> Iterator[Ledger]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with Ledger(path, clock=clock) as opened:
        yield opened


def submit(ledger: Ledger, **overrides: Any) -> JobRecord:
    args: dict[str, Any] = {
        "generator": "url_to_video", "resource": L2V, "flow": "create",
        "title": "Blue mug", "request": {"link": "abc", "video_length": 30,
                                         "name": "Mug [k1]"},
        "estimate": Decimal("10"), "balance_before": Decimal("500.5"),
    }
    args.update(overrides)
    return ledger.begin_submit(**args)


def snap(status: JobStatus, raw: str | None = None, *, job_id: str = SERVER_ID,
         resource: str = L2V, **fields: Any) -> JobSnapshot:
    return JobSnapshot(resource=resource, id=job_id, status=status,
                       raw_status=status.value if raw is None else raw, **fields)


def created(ledger: Ledger, status: JobStatus = JobStatus.PENDING, *,
            job_id: str = SERVER_ID, **overrides: Any) -> JobRecord:
    record = submit(ledger, **overrides)
    resource = overrides.get("resource", L2V)
    return ledger.mark_created(record.key, snap(status, resource=resource, job_id=job_id))


def kinds(ledger: Ledger, key: str) -> list[str]:
    return [event.kind for event in ledger.events(key)]


# ---------------------------------------------------------------------------- states

def test_state_sets() -> None:
    terminal = {s for s in JobState if s.is_terminal}
    active = {s for s in JobState if s.is_active}
    assert terminal == {JobState.NOT_CREATED, JobState.IMAGE_DONE, JobState.DONE,
                        JobState.FAILED, JobState.REJECTED, JobState.PREVIEW_READY}
    assert active == {JobState.SUBMITTING, JobState.UNKNOWN, JobState.PENDING,
                      JobState.QUEUED, JobState.RUNNING, JobState.STALLED}
    assert not terminal & active
    assert terminal | active == set(JobState)
    assert {s.value for s in DownloadState} == {"none", "queued", "downloading", "done",
                                                "failed"}


# ---------------------------------------------------------------------------- begin_submit

def test_begin_submit_round_trip(ledger: Ledger, clock: Clock) -> None:
    record = submit(ledger, name_tag="cs-1a2b3c4d", estimate=Decimal("12.50"))
    assert len(record.key) == 32 and int(record.key, 16) >= 0
    assert record.short_key == record.key[:8]
    assert record.generator == "url_to_video" and record.resource == L2V
    assert record.flow == "create" and record.title == "Blue mug"
    assert record.request == {"link": "abc", "video_length": 30, "name": "Mug [k1]"}
    assert record.name_tag == "cs-1a2b3c4d"
    assert record.estimate == Decimal("12.50") and str(record.estimate) == "12.50"
    assert record.balance_before == Decimal("500.5")
    assert record.state is JobState.SUBMITTING and record.raw_status == ""
    assert record.server_id is None and record.progress is None
    assert record.result_urls == () and record.thumbnails == ()
    assert record.created_at == record.updated_at == T0
    assert record.created_at.tzinfo is not None
    assert record.submitted_at is record.finished_at is record.last_polled_at is None
    assert record.download_state is DownloadState.NONE and record.download_bytes == 0
    assert not record.hidden and record.watching
    assert ledger.get(record.key) == record
    with pytest.raises(TypeError):
        record.request["link"] = "changed"  # type: ignore[index]
    assert ledger.events(record.key) == [
        JobEvent(record.key, T0, "submitting",
                 "url_to_video (create) to link_to_videos; estimate 12.50 credits")]


def test_begin_submit_with_own_key_and_no_estimate(ledger: Ledger) -> None:
    key = uuid.uuid4().hex
    record = submit(ledger, key=key, estimate=None, balance_before=None)
    assert record.key == key and record.estimate is None and record.balance_before is None
    with pytest.raises(LedgerError, match="already exists"):
        submit(ledger, key=key)
    with pytest.raises(ValueError):
        submit(ledger, key="no spaces allowed")
    assert ledger.count() == 1


def test_begin_submit_refuses_bodies_that_are_not_json(ledger: Ledger) -> None:
    with pytest.raises(LedgerError, match="JSON"):
        submit(ledger, request={"length": Decimal("30")})
    with pytest.raises(LedgerError, match="JSON"):
        submit(ledger, request={"x": float("nan")})
    assert ledger.count() == 0


def test_begin_submit_is_durable_before_anything_else(ledger: Ledger, path: Path) -> None:
    record = submit(ledger)
    # Another connection (another process, after a crash) sees the committed row at once.
    other = sqlite3.connect(path)
    try:
        rows = other.execute("SELECT key, state, request, estimate FROM jobs").fetchall()
        events = other.execute("SELECT kind FROM events WHERE key = ?", (record.key,)).fetchall()
    finally:
        other.close()
    assert rows == [(record.key, "submitting", json.dumps(dict(record.request),
                                                          separators=(",", ":")), "10")]
    assert events == [("submitting",)]
    with Ledger(path) as second:
        assert second.get(record.key) == record


# ---------------------------------------------------------------------------- create outcomes

def test_mark_created(ledger: Ledger, clock: Clock) -> None:
    record = submit(ledger)
    clock.tick(2)
    done = ledger.mark_created(record.key, snap(JobStatus.RUNNING, "running", progress=0.1))
    assert done.server_id == SERVER_ID
    assert done.state is JobState.RUNNING and done.raw_status == "running"
    assert done.progress == 0.1 and done.submitted_at == clock.now
    assert done.updated_at == clock.now and done.finished_at is None
    assert kinds(ledger, record.key) == ["submitting", "created"]
    assert ledger.find(L2V, SERVER_ID) == done
    # Told twice: just news (nothing changed here, so nothing written).
    assert ledger.mark_created(record.key, snap(JobStatus.RUNNING, "running")) == done
    assert kinds(ledger, record.key) == ["submitting", "created"]
    with pytest.raises(LedgerError):
        ledger.mark_created(record.key, snap(JobStatus.RUNNING, job_id="another-id"))


def test_mark_created_finished_at_once(ledger: Ledger) -> None:
    record = submit(ledger, resource="links", generator="link")
    links = ledger.mark_created(record.key, snap(JobStatus.DONE, resource="links",
                                                 result_urls=(f"{CDN}/1.jpg",)))
    assert links.state is JobState.DONE and links.finished_at is not None
    assert links.result_urls == (f"{CDN}/1.jpg",)


def test_mark_created_with_an_unknown_status_reads_as_running(ledger: Ledger) -> None:
    record = submit(ledger)
    done = ledger.mark_created(record.key, snap(JobStatus.UNKNOWN, "warming_up"))
    assert done.state is JobState.RUNNING and done.raw_status == "warming_up"


def test_ambiguous_then_not_created(ledger: Ledger, clock: Clock) -> None:
    record = submit(ledger)
    unknown = ledger.mark_ambiguous(record.key, "read timeout after sending")
    assert unknown.state is JobState.UNKNOWN and unknown.state.is_active
    # Looking again and still not knowing is one more line of history, same state.
    again = ledger.mark_ambiguous(record.key, "not in the list yet")
    assert again.state is JobState.UNKNOWN
    clock.tick(60)
    gone = ledger.mark_not_created(record.key, "absent from the list after 10 minutes")
    assert gone.state is JobState.NOT_CREATED and gone.finished_at == clock.now
    assert gone.state.is_terminal
    assert kinds(ledger, record.key) == ["submitting", "ambiguous", "ambiguous", "not_created"]
    assert ledger.events(record.key)[1].detail == "read timeout after sending"
    assert ledger.active() == []


def test_not_created_straight_from_submitting(ledger: Ledger) -> None:
    record = submit(ledger)
    assert ledger.mark_not_created(record.key, "connect error: nothing sent").state \
        is JobState.NOT_CREATED


def test_create_outcomes_only_before_creation(ledger: Ledger) -> None:
    record = created(ledger, JobStatus.RUNNING)
    with pytest.raises(LedgerError):
        ledger.mark_ambiguous(record.key, "x")
    with pytest.raises(LedgerError):
        ledger.mark_not_created(record.key, "x")
    assert ledger.get(record.key) == record
    assert kinds(ledger, record.key) == ["submitting", "created"]


def test_set_server_id_after_reconciliation(ledger: Ledger) -> None:
    for first in ("ambiguous", "not_created"):
        record = submit(ledger)
        if first == "ambiguous":
            ledger.mark_ambiguous(record.key, "reset")
        else:
            ledger.mark_not_created(record.key, "absent")
        job_id = f"id-{first}"
        found = ledger.set_server_id(record.key, job_id, "found by its name tag")
        assert found.server_id == job_id and found.state is JobState.PENDING
        assert found.finished_at is None and found.state.is_active
        assert ledger.set_server_id(record.key, job_id, "again") == found  # no-op
        with pytest.raises(LedgerError, match="already has server id"):
            ledger.set_server_id(record.key, "id-other", "x")
        assert kinds(ledger, record.key) == ["submitting", first, "found"]
        polled = ledger.apply_snapshot(record.key, snap(JobStatus.RUNNING, job_id=job_id))
        assert polled.state is JobState.RUNNING


# ---------------------------------------------------------------------------- snapshots

EXPECTED = {
    JobStatus.PENDING: JobState.PENDING,
    JobStatus.QUEUED: JobState.QUEUED,
    JobStatus.RUNNING: JobState.RUNNING,
    JobStatus.IMAGE_DONE: JobState.IMAGE_DONE,
    JobStatus.DONE: JobState.DONE,
    JobStatus.FAILED: JobState.FAILED,
    JobStatus.REJECTED: JobState.REJECTED,
}


@pytest.mark.parametrize("status", [s for s in JobStatus if s is not JobStatus.UNKNOWN])
def test_apply_snapshot_maps_every_status(ledger: Ledger, clock: Clock,
                                          status: JobStatus) -> None:
    start = JobStatus.QUEUED if status is JobStatus.PENDING else JobStatus.PENDING
    record = created(ledger, start)
    clock.tick(30)
    after = ledger.apply_snapshot(record.key, snap(status))
    assert after.state is EXPECTED[status]
    assert after.raw_status == status.value
    assert after.updated_at == clock.now
    assert after.finished_at == (clock.now if status.is_terminal else None)
    assert kinds(ledger, record.key) == ["submitting", "created", "status"]
    assert state_for(status, JobState.RUNNING) is EXPECTED[status]


@pytest.mark.parametrize("previous", [JobStatus.PENDING, JobStatus.QUEUED, JobStatus.RUNNING])
def test_unknown_status_keeps_the_active_state(ledger: Ledger, previous: JobStatus) -> None:
    record = created(ledger, previous)
    after = ledger.apply_snapshot(record.key, snap(JobStatus.UNKNOWN, "thinking_hard"))
    assert after.state is EXPECTED[previous] and after.state.is_active
    assert after.raw_status == "thinking_hard" and after.finished_at is None
    assert kinds(ledger, record.key) == ["submitting", "created", "unknown status"]
    assert "thinking_hard" in ledger.events(record.key)[-1].detail
    # The same unknown value again: nothing new, nothing written.
    assert ledger.apply_snapshot(record.key, snap(JobStatus.UNKNOWN, "thinking_hard")) == after
    assert len(ledger.events(record.key)) == 3
    assert state_for(JobStatus.UNKNOWN, JobState.STALLED) is JobState.STALLED
    assert state_for(JobStatus.UNKNOWN, JobState.SUBMITTING) is JobState.RUNNING


def test_product_video_image_done_then_video(ledger: Ledger, clock: Clock) -> None:
    product = "product_to_videos"
    record = submit(ledger, resource=product, generator="product_to_video", flow="gen_image")
    ledger.mark_created(record.key, snap(JobStatus.RUNNING, "image_generating",
                                         resource=product))
    clock.tick(40)
    image = ledger.apply_snapshot(record.key, snap(
        JobStatus.IMAGE_DONE, "image_generated", resource=product,
        result_urls=(f"{CDN}/photo.png",), thumbnails=(f"{CDN}/photo.png",)))
    assert image.state is JobState.IMAGE_DONE and image.state.is_terminal
    assert image.finished_at == clock.now and image.result_urls == (f"{CDN}/photo.png",)
    assert ledger.needing_download() == [image]
    # gen_video on the same job: running again, then done.
    clock.tick(5)
    video = ledger.apply_snapshot(record.key, snap(JobStatus.RUNNING, "video_generating",
                                                   resource=product))
    assert video.state is JobState.RUNNING and video.finished_at is None
    assert video.result_urls == (f"{CDN}/photo.png",)  # kept while the answer omits it
    done = ledger.apply_snapshot(record.key, snap(
        JobStatus.DONE, "video_generated", resource=product,
        result_urls=(f"{CDN}/video.mp4", f"{CDN}/photo.png")))
    assert done.state is JobState.DONE and done.finished_at is not None
    assert kinds(ledger, record.key) == ["submitting", "created", "status", "status", "status"]


def test_unchanged_snapshot_writes_nothing(ledger: Ledger, clock: Clock, path: Path) -> None:
    record = created(ledger, JobStatus.RUNNING)
    before = ledger.apply_snapshot(record.key, snap(JobStatus.RUNNING, progress=0.4))
    clock.tick(10)
    watcher = sqlite3.connect(path)  # PRAGMA data_version moves when *another* one commits
    try:
        version = watcher.execute("PRAGMA data_version").fetchone()[0]
        assert ledger.apply_snapshot(record.key, snap(JobStatus.RUNNING, progress=0.4)) \
            == before
        # A snapshot without progress or results says nothing new either.
        assert ledger.apply_snapshot(record.key, snap(JobStatus.RUNNING)) == before
        assert watcher.execute("PRAGMA data_version").fetchone()[0] == version
        ledger.apply_snapshot(record.key, snap(JobStatus.RUNNING, progress=0.5))
        assert watcher.execute("PRAGMA data_version").fetchone()[0] != version  # it sees
    finally:
        watcher.close()
    assert kinds(ledger, record.key) == ["submitting", "created"]


def test_progress_alone_changes_the_row_without_an_event(ledger: Ledger, clock: Clock) -> None:
    record = created(ledger, JobStatus.RUNNING)
    clock.tick(5)
    after = ledger.apply_snapshot(record.key, snap(JobStatus.RUNNING, progress=0.55,
                                                   thumbnails=(f"{CDN}/t.jpg",)))
    assert after.progress == 0.55 and after.thumbnails == (f"{CDN}/t.jpg",)
    assert after.updated_at == clock.now
    assert kinds(ledger, record.key) == ["submitting", "created"]


def test_results_credits_and_reason_round_trip(ledger: Ledger, clock: Clock) -> None:
    record = created(ledger, JobStatus.RUNNING)
    done = ledger.apply_snapshot(record.key, snap(
        JobStatus.DONE, progress=1.0, result_urls=(f"{CDN}/a.mp4", f"{CDN}/b.mp4"),
        preview_url="https://app.creatify.ai/preview/x", thumbnails=(f"{CDN}/a.jpg",),
        response_text="Hello", credits_used=Decimal("10.5"), duration=31.0))
    assert done.result_urls == (f"{CDN}/a.mp4", f"{CDN}/b.mp4")
    assert done.preview_url == "https://app.creatify.ai/preview/x"
    assert done.thumbnails == (f"{CDN}/a.jpg",) and done.response_text == "Hello"
    assert done.credits_used == Decimal("10.5") and done.duration == 31.0
    assert ledger.get(record.key) == done
    # Credits arriving later, without a status change: one "updated" event.
    later = ledger.apply_snapshot(record.key, snap(JobStatus.DONE, credits_used=Decimal(11)))
    assert later.credits_used == Decimal(11)
    assert kinds(ledger, record.key) == ["submitting", "created", "status", "updated"]
    failed = created(ledger, JobStatus.RUNNING)
    reason = ledger.apply_snapshot(failed.key, snap(JobStatus.FAILED, job_id=SERVER_ID,
                                                    failed_reason="Bad link"))
    assert reason.failed_reason == "Bad link" and reason.state is JobState.FAILED


def test_two_local_jobs_on_one_server_job(ledger: Ledger, clock: Clock) -> None:
    """A render is a new local job on the same server job: find() gives the newest."""
    preview = created(ledger, JobStatus.DONE, flow="preview")
    clock.tick(60)
    render = created(ledger, JobStatus.RUNNING, flow="render")
    assert preview.server_id == render.server_id
    assert ledger.find(L2V, SERVER_ID) == render
    assert ledger.find(L2V, "nope") is None
    assert ledger.find("aurora", SERVER_ID) is None


def test_snapshot_guards(ledger: Ledger) -> None:
    record = submit(ledger)
    with pytest.raises(LedgerError, match="no server id"):
        ledger.apply_snapshot(record.key, snap(JobStatus.RUNNING))
    ledger.mark_created(record.key, snap(JobStatus.RUNNING))
    with pytest.raises(LedgerError):
        ledger.apply_snapshot(record.key, snap(JobStatus.DONE, job_id="someone-else"))
    with pytest.raises(LedgerError):
        ledger.apply_snapshot(record.key, snap(JobStatus.DONE, resource="aurora"))
    assert ledger.get(record.key).state is JobState.RUNNING
    with pytest.raises(KeyError):
        ledger.apply_snapshot("0" * 32, snap(JobStatus.DONE))


# ---------------------------------------------------------------------------- stalled

def test_stalled_is_sticky_until_the_job_ends(ledger: Ledger, clock: Clock) -> None:
    record = created(ledger, JobStatus.RUNNING)
    clock.tick(900)
    stalled = ledger.mark_stalled(record.key)
    assert stalled.state is JobState.STALLED and stalled.state.is_active
    assert not stalled.state.is_terminal and stalled.finished_at is None
    assert ledger.mark_stalled(record.key) == stalled  # already: nothing written
    still = ledger.apply_snapshot(record.key, snap(JobStatus.RUNNING, progress=0.9))
    assert still.state is JobState.STALLED and still.progress == 0.9
    assert ledger.active() == [still]
    done = ledger.apply_snapshot(record.key, snap(JobStatus.DONE))
    assert done.state is JobState.DONE
    assert kinds(ledger, record.key) == ["submitting", "created", "stalled", "status"]
    with pytest.raises(LedgerError):
        ledger.mark_stalled(record.key)
    with pytest.raises(LedgerError):
        ledger.mark_stalled(submit(ledger).key)


# ---------------------------------------------------------------------------- one event each

def test_every_transition_writes_exactly_one_event(ledger: Ledger, clock: Clock) -> None:
    record = submit(ledger)
    steps: list[Callable[[], JobRecord]] = [
        lambda: ledger.mark_created(record.key, snap(JobStatus.QUEUED, "in_queue")),
        lambda: ledger.apply_snapshot(record.key, snap(JobStatus.RUNNING)),
        lambda: ledger.mark_stalled(record.key),
        lambda: ledger.apply_snapshot(record.key, snap(JobStatus.DONE,
                                                       result_urls=(f"{CDN}/v.mp4",))),
        lambda: ledger.set_download(record.key, DownloadState.QUEUED),
        lambda: ledger.set_download(record.key, DownloadState.DOWNLOADING, path="/o/v.mp4.part"),
        lambda: ledger.set_download(record.key, DownloadState.FAILED, error="connection reset"),
        lambda: ledger.set_download(record.key, DownloadState.DOWNLOADING),
        lambda: ledger.set_download(record.key, DownloadState.DONE, path="/o/v.mp4",
                                    bytes_done=1234),
        lambda: ledger.set_hidden(record.key, True),
        lambda: ledger.set_hidden(record.key, False),
        lambda: ledger.set_watching(record.key, False),
        lambda: ledger.set_watching(record.key, True),
    ]
    for step in steps:
        before = len(ledger.events(record.key))
        clock.tick()
        step()
        assert len(ledger.events(record.key)) == before + 1
    assert ledger.events(record.key)[-1].at == clock.now
    # Repeating any of the last steps changes nothing and writes nothing.
    total = len(ledger.events(record.key))
    ledger.set_download(record.key, DownloadState.DONE, path="/o/v.mp4", bytes_done=1234)
    ledger.set_hidden(record.key, False)
    ledger.set_watching(record.key, True)
    ledger.apply_snapshot(record.key, snap(JobStatus.DONE, result_urls=(f"{CDN}/v.mp4",)))
    assert len(ledger.events(record.key)) == total


# ---------------------------------------------------------------------------- local state

def test_set_download_round_trip(ledger: Ledger, clock: Clock) -> None:
    record = created(ledger, JobStatus.DONE)
    down = ledger.set_download(record.key, DownloadState.DOWNLOADING, path="/out/a.mp4.part",
                               bytes_done=10)
    assert down.download_state is DownloadState.DOWNLOADING
    assert down.download_path == "/out/a.mp4.part" and down.download_bytes == 10
    more = ledger.set_download(record.key, DownloadState.DOWNLOADING, bytes_done=5000)
    assert more.download_bytes == 5000 and more.download_path == "/out/a.mp4.part"
    events = len(ledger.events(record.key))
    assert events == 3  # submitting, created, download (bytes alone: no event)
    failed = ledger.set_download(record.key, DownloadState.FAILED, error="HTTP 403 (expired)")
    assert failed.download_error == "HTTP 403 (expired)" and failed.download_bytes == 5000
    assert "HTTP 403" in ledger.events(record.key)[-1].detail
    again = ledger.set_download(record.key, DownloadState.QUEUED)
    assert again.download_error is None  # the error goes with the failed state
    with pytest.raises(ValueError):
        ledger.set_download(record.key, DownloadState.DOWNLOADING, bytes_done=-1)
    with pytest.raises(KeyError):
        ledger.set_download("f" * 32, DownloadState.QUEUED)


def test_mark_polled_in_one_transaction(ledger: Ledger, clock: Clock) -> None:
    records = [created(ledger, JobStatus.RUNNING) for _ in range(3)]
    at = T0 + timedelta(minutes=5)
    ledger.mark_polled([r.key for r in records[:2]] + ["not-a-job"], at=at)
    assert [ledger.get(r.key).last_polled_at for r in records] == [at, at, None]
    clock.tick(30)
    ledger.mark_polled(iter([records[2].key]))
    assert ledger.get(records[2].key).last_polled_at == clock.now
    assert ledger.get(records[2].key).updated_at == T0  # polling is not a change
    assert all(kinds(ledger, r.key) == ["submitting", "created"] for r in records)
    ledger.mark_polled([])


def test_hidden_and_watching_filters(ledger: Ledger, clock: Clock) -> None:
    jobs = []
    for _ in range(4):
        jobs.append(created(ledger, JobStatus.RUNNING))
        clock.tick()
    assert ledger.count() == 4 and [r.key for r in ledger.active()] == [r.key for r in jobs]
    hidden = ledger.set_hidden(jobs[0].key, True)
    assert hidden.hidden
    assert ledger.count() == 3 and ledger.count(include_hidden=True) == 4
    assert jobs[0].key not in [r.key for r in ledger.page()]
    assert jobs[0].key in [r.key for r in ledger.page(include_hidden=True)]
    assert jobs[0].key in [r.key for r in ledger.active()]  # hidden still costs: still polled
    ledger.set_watching(jobs[1].key, False)
    assert [r.key for r in ledger.active()] == [jobs[0].key, jobs[2].key, jobs[3].key]
    assert ledger.set_hidden(jobs[0].key, False).hidden is False  # undo
    assert ledger.count() == 4
    assert kinds(ledger, jobs[0].key)[-2:] == ["hidden", "shown"]
    assert kinds(ledger, jobs[1].key)[-1] == "stopped watching"


def test_page_is_newest_first(ledger: Ledger, clock: Clock) -> None:
    keys = []
    for _ in range(7):
        keys.append(submit(ledger).key)
        clock.tick()
    newest_first = keys[::-1]
    assert [r.key for r in ledger.page()] == newest_first
    assert [r.key for r in ledger.page(offset=2, limit=3)] == newest_first[2:5]
    assert ledger.page(offset=7) == []
    with pytest.raises(ValueError):
        ledger.page(offset=-1)
    # Same instant: still a stable, newest-inserted-first order.
    clock.now = T0
    a, b = submit(ledger).key, submit(ledger).key
    order = [r.key for r in ledger.page()]
    assert order.index(b) < order.index(a)


def test_active_and_needing_download(ledger: Ledger, clock: Clock) -> None:
    sub = submit(ledger)
    clock.tick()
    unknown = ledger.mark_ambiguous(submit(ledger).key, "reset")
    clock.tick()
    running = created(ledger, JobStatus.RUNNING)
    done = ledger.apply_snapshot(created(ledger, JobStatus.RUNNING).key, snap(
        JobStatus.DONE, result_urls=(f"{CDN}/v.mp4",)))
    text = ledger.apply_snapshot(created(ledger, JobStatus.RUNNING).key,
                                 snap(JobStatus.DONE, response_text="An answer"))
    failed = ledger.apply_snapshot(created(ledger, JobStatus.RUNNING).key,
                                   snap(JobStatus.FAILED))
    ledger.mark_not_created(submit(ledger).key, "refused")
    assert [r.key for r in ledger.active()] == [sub.key, unknown.key, running.key]
    assert ledger.needing_download() == [done]
    for state in (DownloadState.QUEUED, DownloadState.DOWNLOADING):
        assert [r.key for r in ledger.needing_download()] == [done.key]
        ledger.set_download(done.key, state)
    ledger.set_download(done.key, DownloadState.FAILED, error="x")
    assert ledger.needing_download() == []
    ledger.set_download(done.key, DownloadState.DONE)
    assert ledger.needing_download() == []
    assert text.key not in [r.key for r in ledger.needing_download()]
    assert failed.state is JobState.FAILED


def test_spent(ledger: Ledger, clock: Clock) -> None:
    assert ledger.spent() == Decimal(0)
    ids = iter(f"job-{n}" for n in range(100))

    def job(status: JobStatus = JobStatus.RUNNING, **overrides: Any) -> JobRecord:
        return created(ledger, status, job_id=next(ids), **overrides)

    def seen(record: JobRecord, status: JobStatus, **fields: Any) -> JobRecord:
        return ledger.apply_snapshot(record.key, snap(status, job_id=record.server_id or "",
                                                      resource=record.resource, **fields))
    old = job(estimate=Decimal(5))
    seen(old, JobStatus.DONE, credits_used=Decimal("4.5"))
    clock.tick(3600)
    since = clock.now
    # done, no credits_used (product videos never report it): the estimate counts
    p2v = job(estimate=Decimal(8), resource="product_to_videos")
    seen(p2v, JobStatus.IMAGE_DONE)
    seen(job(estimate=Decimal(10)), JobStatus.DONE)
    # failed with credits_used 0, failed without credits, still running: nothing yet
    seen(job(estimate=Decimal(20)), JobStatus.FAILED, credits_used=Decimal(0))
    job(estimate=Decimal(30))
    ledger.mark_not_created(submit(ledger, estimate=Decimal(40)).key, "refused")
    # Aurora charged up front while running: credits_used counts
    seen(job(resource="aurora", estimate=Decimal(50)), JobStatus.RUNNING,
         credits_used=Decimal("12.25"))
    # A preview (1) and its render: both report the server job's total (5), counted once
    preview = job(estimate=Decimal(1))
    seen(preview, JobStatus.DONE, credits_used=Decimal(1))
    render = ledger.begin_submit(generator="url_to_video", resource=L2V, flow="render",
                                 title="Render", request={}, estimate=Decimal(4),
                                 balance_before=None)
    ledger.mark_created(render.key, snap(JobStatus.DONE, job_id=preview.server_id or "",
                                         credits_used=Decimal(5)))
    assert ledger.spent() == Decimal("4.5") + 8 + 10 + Decimal("12.25") + 5
    assert ledger.spent(since) == 8 + 10 + Decimal("12.25") + 5
    assert ledger.spent(clock.tick(1)) == 0


def test_events_and_get_of_an_unknown_job(ledger: Ledger) -> None:
    with pytest.raises(KeyError):
        ledger.get("0" * 32)
    with pytest.raises(KeyError):
        ledger.events("0" * 32)


def test_closed_ledger_refuses(path: Path) -> None:
    path.parent.mkdir(parents=True)
    ledger = Ledger(path)
    ledger.close()
    ledger.close()
    with pytest.raises(LedgerError, match="closed"):
        ledger.count()


def test_pragmas(ledger: Ledger, path: Path) -> None:
    conn = ledger._db
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # NORMAL between writes; FULL only for the writes that precede the network
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    indexes = {row[0] for row in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    assert "CREATE INDEX jobs_by_server_id ON jobs(resource, server_id)" in indexes
    assert "CREATE INDEX jobs_by_state ON jobs(state)" in indexes
    assert "CREATE INDEX jobs_by_created ON jobs(created_at)" in indexes


# ---------------------------------------------------------------------------- secrets

def test_secrets_are_never_stored(ledger: Ledger, path: Path) -> None:
    register_secret(SECRET)
    for request in ({"api_key": SECRET}, {"scenes": [{"text": f"hello {SECRET}"}]},
                    {"a": {"b": ["x", ("y", SECRET)]}}, {SECRET: "as a key"}):
        with pytest.raises(LedgerError, match="secret"):
            submit(ledger, request=request)
    with pytest.raises(LedgerError, match="secret"):
        submit(ledger, title=f"about {SECRET}")
    with pytest.raises(LedgerError, match="secret"):
        submit(ledger, name_tag=SECRET)
    assert ledger.count() == 0
    # Free text from elsewhere is stored masked.
    record = created(ledger, JobStatus.RUNNING)
    ledger.apply_snapshot(record.key, snap(JobStatus.FAILED, failed_reason=f"bad key {SECRET}"))
    ledger.mark_polled([record.key])
    ledger.set_download(record.key, DownloadState.FAILED, error=f"401 for {SECRET}")
    assert SECRET not in repr(ledger.get(record.key))
    assert SECRET not in repr(ledger.events(record.key))
    ledger.close()
    for name in os.listdir(path.parent):
        assert SECRET.encode() not in (path.parent / name).read_bytes()


# ---------------------------------------------------------------------------- files and versions

def test_missing_file_is_created_and_reopened(path: Path, clock: Clock) -> None:
    path.parent.mkdir(parents=True)
    with Ledger(path, clock=clock) as first:
        key = submit(first).key
    with Ledger(str(path), clock=clock) as second:
        assert second.get(key).state is JobState.SUBMITTING


def test_unopenable_path_raises_ledger_error(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="no-such-dir"):
        Ledger(tmp_path / "no-such-dir" / "jobs.sqlite3")


def test_v0_file_is_migrated(path: Path) -> None:
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)  # an empty database: user_version 0, no tables
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()
    with Ledger(path) as ledger:
        assert ledger.count() == 0
        submit(ledger)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA application_id").fetchone()[0] \
            == ledger_schema.APPLICATION_ID
    finally:
        conn.close()


def test_empty_file_is_migrated(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    with Ledger(path) as ledger:
        assert ledger.count() == 0


def test_an_older_file_is_upgraded_in_order(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path.parent.mkdir(parents=True)
    with Ledger(path) as ledger:
        key = submit(ledger).key
    ran: list[int] = []
    first, second = SCHEMA_VERSION + 1, SCHEMA_VERSION + 2

    def next_one(conn: sqlite3.Connection) -> None:
        ran.append(first)
        conn.execute("ALTER TABLE jobs ADD COLUMN note TEXT")

    def after_that(conn: sqlite3.Connection) -> None:
        ran.append(second)
        conn.execute("UPDATE jobs SET note = 'from the last'")

    monkeypatch.setattr(ledger_schema, "MIGRATIONS",
                        (*ledger_schema.MIGRATIONS, next_one, after_that))
    monkeypatch.setattr(ledger_schema, "SCHEMA_VERSION", second)
    with Ledger(path) as upgraded:
        assert upgraded.get(key).state is JobState.SUBMITTING
        assert upgraded._db.execute("SELECT note FROM jobs").fetchall() == [("from the last",)]
        assert upgraded._db.execute("PRAGMA user_version").fetchone()[0] == second
    assert ran == [first, second]
    with Ledger(path):
        assert ran == [first, second]  # not run twice


def test_a_version_1_file_gains_previews_and_balance_readings(path: Path) -> None:
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    ledger_schema.MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO jobs (key, generator, resource, flow, title, request, state, "
                 "created_at, updated_at) VALUES ('old', 'text_to_speech', 'text_to_speech', "
                 "'create', 'hello', '{}', 'done', '2026-11-01T00:00:00.000000+00:00', "
                 "'2026-11-01T00:00:00.000000+00:00')")
    conn.commit()
    conn.close()
    with Ledger(path) as upgraded:
        assert upgraded.get("old").previews == ()
        upgraded.record_balance(Decimal("480"))
        assert [c for _at, c in upgraded.balance_readings()] == [Decimal("480")]


def test_a_failed_migration_leaves_the_file_as_it_was(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path.parent.mkdir(parents=True)
    with Ledger(path) as ledger:
        key = submit(ledger).key

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE jobs ADD COLUMN note TEXT")
        conn.execute("THIS IS NOT SQL")

    monkeypatch.setattr(ledger_schema, "MIGRATIONS", (*ledger_schema.MIGRATIONS, broken))
    monkeypatch.setattr(ledger_schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(LedgerError, match=f"from schema version {SCHEMA_VERSION} to "
                                          f"{SCHEMA_VERSION + 1}"):
        Ledger(path)
    monkeypatch.undo()
    with Ledger(path) as again:
        assert again.get(key).state is JobState.SUBMITTING
        columns = [row[1] for row in again._db.execute("PRAGMA table_info(jobs)")]
        assert "note" not in columns


def test_a_newer_file_is_refused_untouched(path: Path) -> None:
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE jobs (key TEXT PRIMARY KEY, future_column BLOB)")
    conn.execute("INSERT INTO jobs VALUES ('k', x'00')")
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(LedgerError, match=r"newer Creatify Studio.*99") as info:
        Ledger(path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == before
    # No journal or WAL beside it: only the (empty) lock processes take turns opening with.
    assert sorted(os.listdir(path.parent)) == [path.name, path.name + ".open.lock"]
    assert (path.parent / (path.name + ".open.lock")).stat().st_size == 0


def test_a_foreign_sqlite_file_is_refused_untouched(path: Path) -> None:
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(LedgerError, match="not a Creatify Studio job ledger"):
        Ledger(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("garbage", [
    b"this is not a database at all\n" * 100,
    b"SQLite format 3\x00" + b"\xff" * 4080,
])
def test_a_damaged_file_is_refused_and_kept(path: Path, garbage: bytes) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(garbage)
    with pytest.raises(LedgerError) as info:
        Ledger(path)
    assert str(path) in str(info.value)
    assert path.exists() and path.read_bytes() == garbage


# ---------------------------------------------------------------------------- crash safety

_CHILD = textwrap.dedent("""
    import os, sys
    from decimal import Decimal
    from app.jobs.ledger import JobState, Ledger
    ledger = Ledger(sys.argv[1])
    record = ledger.begin_submit(
        generator="url_to_video", resource="link_to_videos", flow="create", title="mug",
        request={"link": "abc"}, estimate=Decimal("10"), balance_before=Decimal("100"),
        key=sys.argv[2])
    print(record.key, flush=True)
    # The next change is cut short halfway through its transaction: the process dies.
    with ledger._write() as conn:
        conn.execute("UPDATE jobs SET state = 'running', server_id = 'x' WHERE key = ?",
                     (record.key,))
        conn.execute("INSERT INTO events (key, at, kind, detail) VALUES (?, 'now', 'x', '')",
                     (record.key,))
        os._exit(9)
""")


def _run_child(code: str, *args: str, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **kwargs)


def test_a_crash_after_begin_submit_keeps_the_row(path: Path) -> None:
    path.parent.mkdir(parents=True)
    key = uuid.uuid4().hex
    child = _run_child(_CHILD, str(path), key)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 9, err
    assert out.strip() == key
    with Ledger(path) as ledger:
        record = ledger.get(key)
        assert record.state is JobState.SUBMITTING and record.server_id is None
        assert kinds(ledger, key) == ["submitting"]
        assert ledger.active() == [record]
        assert ledger._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


_LOOP = textwrap.dedent("""
    import sys
    from decimal import Decimal
    from app.jobs.ledger import Ledger
    ledger = Ledger(sys.argv[1])
    while True:
        record = ledger.begin_submit(
            generator="url_to_video", resource="link_to_videos", flow="create", title="mug",
            request={"link": "abc"}, estimate=Decimal("10"), balance_before=None)
        print(record.key, flush=True)
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_while_submitting_loses_nothing_committed(path: Path) -> None:
    path.parent.mkdir(parents=True)
    child = _run_child(_LOOP, str(path))
    assert child.stdout is not None
    seen = [child.stdout.readline().strip() for _ in range(25)]
    child.send_signal(signal.SIGKILL)
    rest, _err = child.communicate(timeout=60)
    seen += rest.split()
    assert child.returncode == -signal.SIGKILL
    with Ledger(path) as ledger:
        keys = {r.key for r in ledger.page(limit=100_000)}
        assert set(seen) <= keys  # every create that was told "go" is in the ledger
        assert len(keys) - len(seen) <= 1  # at most the one committed but not yet printed
        for key in keys:
            assert kinds(ledger, key) == ["submitting"]  # row and event: all or nothing
        assert ledger._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# ---------------------------------------------------------------------------- size

def _bulk_insert(path: Path, n: int) -> None:
    """Test-only: ``n`` rows through the real schema, one transaction, shaped like a real row
    (one made by begin_submit and apply_snapshot)."""
    with Ledger(path) as ledger:
        template = created(ledger, JobStatus.RUNNING)
        ledger.apply_snapshot(template.key, snap(
            JobStatus.DONE, progress=1.0, result_urls=(f"{CDN}/v.mp4",),
            thumbnails=(f"{CDN}/t.jpg",), credits_used=Decimal(10), duration=31.0))
    conn = sqlite3.connect(path)
    try:
        conn.row_factory = sqlite3.Row
        row = dict(conn.execute("SELECT * FROM jobs").fetchone())
        columns = list(row)
        start = datetime(2025, 1, 1, tzinfo=UTC)
        states = ("done", "failed", "running", "done", "image_done")

        def rows() -> Iterator[tuple[Any, ...]]:
            for i in range(n):
                at = (start + timedelta(seconds=i * 7)).isoformat(timespec="microseconds")
                row.update(key=uuid.uuid4().hex, server_id=f"srv-{i}", created_at=at,
                           updated_at=at, state=states[i % len(states)],
                           hidden=int(i % 10 == 0), title=f"Product {i}")
                yield tuple(row[c] for c in columns)

        with conn:
            conn.execute("DELETE FROM events")
            conn.execute("DELETE FROM jobs")
            conn.executemany(f"INSERT INTO jobs ({', '.join(columns)}) "
                             f"VALUES ({', '.join('?' * len(columns))})", rows())
    finally:
        conn.close()


def test_page_is_fast_over_100k_rows(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    n = 100_000
    path.parent.mkdir(parents=True)
    started = time.perf_counter()
    _bulk_insert(path, n)
    insert_s = time.perf_counter() - started
    started = time.perf_counter()
    ledger = Ledger(path)
    open_ms = (time.perf_counter() - started) * 1000
    try:
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            page = ledger.page(limit=500)
            timings.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        deep = ledger.page(offset=80_000, limit=500, include_hidden=True)
        deep_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        visible, total = ledger.count(), ledger.count(include_hidden=True)
        count_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        active = ledger.active()
        active_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        job = ledger.find(L2V, "srv-54321")
        find_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        ledger.apply_snapshot(page[0].key, snap(JobStatus.DONE, job_id=page[0].server_id or "",
                                                credits_used=Decimal(11)))
        write_ms = (time.perf_counter() - started) * 1000
    finally:
        ledger.close()
    assert len(page) == 500 and not any(r.hidden for r in page)
    assert [r.created_at for r in page] == sorted((r.created_at for r in page), reverse=True)
    assert page[0].title == f"Product {n - 1}"
    assert len(deep) == 500
    assert total == n and visible == n - n // 10
    assert len(active) == n // 5
    assert job is not None and job.title == "Product 54321"
    with capsys.disabled():
        print(f"\nledger, {n:,} rows: insert {insert_s:.2f} s, open {open_ms:.1f} ms, "
              f"page(limit=500) {min(timings):.1f} ms best / {max(timings):.1f} ms worst, "
              f"page(offset=80,000) {deep_ms:.1f} ms, count() x2 {count_ms:.1f} ms, "
              f"active() [{len(active):,}] {active_ms:.1f} ms, find {find_ms:.2f} ms, "
              f"apply_snapshot {write_ms:.2f} ms")
    assert min(timings) < 50, timings


# ---------------------------------------------------------------------------- v2 additions

def test_style_previews_are_kept_and_a_list_answer_without_them_keeps_them(
        ledger: Ledger) -> None:
    from app.api.snapshot import StylePreview
    record = created(ledger, flow="compare_styles")
    previews = (StylePreview("m1", "FullScreenTemplate", "done", "https://p/1", "https://t/1",
                             30.0),
                StylePreview("m2", "AvatarBubbleTemplate", "done", None, None, None))
    running = ledger.apply_snapshot(record.key, snap(JobStatus.RUNNING))
    ready = ledger.apply_snapshot(record.key, snap(JobStatus.RUNNING, previews=previews))
    assert ready.previews == previews and running.previews == ()
    assert ready.state is JobState.PREVIEW_READY
    assert ledger.events(record.key)[-1].detail == "running → preview_ready (running)"
    again = ledger.apply_snapshot(record.key, snap(JobStatus.DONE))
    assert again.previews == previews and again.state is JobState.PREVIEW_READY


def test_committed_counts_estimates_of_jobs_in_flight_without_a_reported_charge(
        ledger: Ledger) -> None:
    assert ledger.committed() == 0
    submit(ledger, estimate=Decimal("10"))                         # submitting
    running = created(ledger, estimate=Decimal("5"), job_id="j1")  # pending
    charged = created(ledger, estimate=Decimal("7"), job_id="j2")
    ledger.apply_snapshot(charged.key, snap(JobStatus.RUNNING, job_id="j2",
                                            credits_used=Decimal("7")))
    not_yet = created(ledger, estimate=Decimal("4"), job_id="j3")  # 0 until it is charged
    ledger.apply_snapshot(not_yet.key, snap(JobStatus.RUNNING, job_id="j3",
                                            credits_used=Decimal("0")))
    partly = created(ledger, estimate=Decimal("24"), job_id="j4")  # Ad Clone: block by block
    ledger.apply_snapshot(partly.key, snap(JobStatus.RUNNING, job_id="j4",
                                           credits_used=Decimal("12")))
    done = created(ledger, estimate=Decimal("100"), job_id="j5")
    ledger.apply_snapshot(done.key, snap(JobStatus.DONE, job_id="j5"))
    refused = submit(ledger, estimate=Decimal("50"))
    ledger.mark_not_created(refused.key, "refused")
    submit(ledger, estimate=None)
    assert ledger.committed() == Decimal(10 + 5 + 4 + 12)
    assert running.key in {r.key for r in ledger.paid_jobs()}
    assert len(ledger.paid_jobs()) == 7


def test_committed_counts_what_the_guard_held_for_a_minimum_or_an_unknown_price(
        ledger: Ledger) -> None:
    """A job priced "at least 2" held at a per-job ceiling of 8, and one of unknown price
    held at 8, commit 8 each while they run, less what they report using."""
    submit(ledger, estimate=Decimal("2"), held=Decimal("8"))
    unknown = created(ledger, estimate=None, held=Decimal("8"), job_id="u1")
    exact = submit(ledger, estimate=Decimal("3"), held=Decimal("3"))  # nothing more held
    assert ledger.committed() == Decimal(8 + 8 + 3)
    ledger.apply_snapshot(unknown.key, snap(JobStatus.RUNNING, job_id="u1",
                                            credits_used=Decimal("5")))
    assert ledger.committed() == Decimal(8 + 3 + 3)
    ledger.mark_not_created(exact.key, "refused")
    assert ledger.committed() == Decimal(8 + 3)


def test_balance_readings_come_back_in_order_and_from_a_time(ledger: Ledger) -> None:
    first = T0
    ledger.record_balance(Decimal("500"), at=first)
    ledger.record_balance(Decimal("490.5"), at=first + timedelta(hours=1))
    assert ledger.balance_readings() == [(first, Decimal("500")),
                                         (first + timedelta(hours=1), Decimal("490.5"))]
    assert [c for _, c in ledger.balance_readings(first + timedelta(minutes=1))] == \
        [Decimal("490.5")]


# ---------------------------------------------------------------------------- v3: preview_ready

PREVIEW = "https://cdn.creatify.ai/preview/p1.mp4"


@pytest.mark.parametrize("status", [JobStatus.PENDING, JobStatus.RUNNING, JobStatus.DONE,
                                    JobStatus.UNKNOWN])
def test_a_preview_step_with_its_preview_is_preview_ready_whatever_the_status(
        ledger: Ledger, status: JobStatus) -> None:
    record = created(ledger, flow="preview_render", estimate=Decimal(1))
    assert record.state is JobState.PENDING
    ready = ledger.apply_snapshot(record.key, snap(status, preview_url=PREVIEW,
                                                   credits_used=Decimal(1)))
    assert ready.state is JobState.PREVIEW_READY and ready.preview_url == PREVIEW
    assert ready.state.is_terminal and not ready.state.is_active
    assert ready.finished_at is not None and ready.credits_used == Decimal(1)
    assert ledger.active() == [] and ledger.needing_download() == []
    assert ledger.committed() == 0


@pytest.mark.parametrize("status", [JobStatus.FAILED, JobStatus.REJECTED])
def test_a_failed_preview_is_failed_even_with_a_preview_field(
        ledger: Ledger, status: JobStatus) -> None:
    record = created(ledger, flow="preview_render")
    after = ledger.apply_snapshot(record.key, snap(status, preview_url=PREVIEW))
    assert after.state.value == status.value


def test_preview_fields_do_not_decide_the_state_of_a_render_or_a_one_step_job(
        ledger: Ledger) -> None:
    for flow in ("create", "render", "regenerate"):
        record = created(ledger, flow=flow, job_id=f"srv-{flow}")
        after = ledger.apply_snapshot(record.key, snap(JobStatus.PENDING, job_id=f"srv-{flow}",
                                                       preview_url=PREVIEW))
        assert after.state is JobState.PENDING, flow
        done = ledger.apply_snapshot(record.key, snap(JobStatus.DONE, job_id=f"srv-{flow}",
                                                      preview_url=PREVIEW,
                                                      result_urls=(f"{CDN}/{flow}.mp4",)))
        assert done.state is JobState.DONE, flow


def test_a_preview_ready_row_keeps_its_state_cost_and_nothing_of_its_render(
        ledger: Ledger, clock: Clock) -> None:
    preview = created(ledger, flow="preview_render", estimate=Decimal(1))
    preview = ledger.apply_snapshot(preview.key, snap(JobStatus.PENDING, preview_url=PREVIEW,
                                                      credits_used=Decimal(1)))
    events_before = len(ledger.events(preview.key))
    clock.tick()
    # The server job's render: running, then done with its output and the full charge.
    for later in (snap(JobStatus.RUNNING, preview_url=PREVIEW, progress=0.5),
                  snap(JobStatus.DONE, preview_url=PREVIEW, credits_used=Decimal(5),
                       result_urls=(f"{CDN}/final.mp4",))):
        after = ledger.apply_snapshot(preview.key, later)
        assert after == preview
    assert len(ledger.events(preview.key)) == events_before
    # A fresh preview link is still taken.
    fresh = ledger.apply_snapshot(preview.key, snap(JobStatus.DONE, preview_url=PREVIEW + "?2"))
    assert fresh.preview_url == PREVIEW + "?2" and fresh.state is JobState.PREVIEW_READY
    assert fresh.credits_used == Decimal(1) and fresh.result_urls == ()


def test_state_for_preview_ready() -> None:
    assert state_for(JobStatus.PENDING, JobState.RUNNING, preview_ready=True) \
        is JobState.PREVIEW_READY
    assert state_for(JobStatus.PENDING, JobState.RUNNING) is JobState.PENDING
    assert state_for(JobStatus.FAILED, JobState.RUNNING, preview_ready=True) is JobState.FAILED
    assert state_for(JobStatus.FAILED, JobState.PREVIEW_READY) is JobState.PREVIEW_READY
    assert state_for(JobStatus.RUNNING, JobState.STALLED, preview_ready=True) \
        is JobState.PREVIEW_READY


def test_a_refused_create_keeps_creatifys_reason(ledger: Ledger) -> None:
    record = submit(ledger)
    refused = ledger.mark_not_created(record.key, "video_length: must be one of 15, 30, 45, 60")
    assert refused.state is JobState.NOT_CREATED
    assert refused.failed_reason == "video_length: must be one of 15, 30, 45, 60"
    register_secret(SECRET)
    other = ledger.mark_not_created(submit(ledger).key, f"bad key {SECRET}")
    assert other.failed_reason is not None and SECRET not in other.failed_reason


def test_a_version_2_file_turns_finished_previews_into_preview_ready(path: Path) -> None:
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path)
    ledger_schema.MIGRATIONS[0](conn)
    ledger_schema.MIGRATIONS[1](conn)
    conn.execute("PRAGMA user_version = 2")
    rows = [  # key, flow, state, result_urls, preview_url, previews
        ("pv", "preview_render", "done", "[]", PREVIEW, "[]"),
        ("cs", "compare_styles", "done", "[]", None,
         '[{"media_job": "m1", "visual_style": "A"}]'),
        ("rendered", "preview_render", "done", f'["{CDN}/x.mp4"]', PREVIEW, "[]"),
        ("running", "preview_render", "running", "[]", None, "[]"),
        ("render", "render", "done", "[]", PREVIEW, "[]"),
        ("plain", "create", "done", f'["{CDN}/y.mp4"]', None, "[]"),
    ]
    for key, flow, state, results, preview, previews in rows:
        conn.execute("INSERT INTO jobs (key, generator, resource, flow, title, request, state, "
                     "result_urls, preview_url, previews, created_at, updated_at) VALUES "
                     "(?, 'url_to_video', 'link_to_videos', ?, 't', '{}', ?, ?, ?, ?, "
                     "'2026-11-01T00:00:00.000000+00:00', '2026-11-01T00:00:00.000000+00:00')",
                     (key, flow, state, results, preview, previews))
    conn.commit()
    conn.close()
    with Ledger(path) as upgraded:
        states = {key: upgraded.get(key).state.value for key, *_rest in rows}
    assert states == {"pv": "preview_ready", "cs": "preview_ready", "rendered": "done",
                      "running": "running", "render": "done", "plain": "done"}


def test_a_running_render_commits_its_estimate_less_only_its_own_charge(
        ledger: Ledger, clock: Clock) -> None:
    preview = created(ledger, flow="preview_render", estimate=Decimal(1))
    ledger.apply_snapshot(preview.key, snap(JobStatus.PENDING, preview_url=PREVIEW,
                                            credits_used=Decimal(1)))
    assert ledger.committed() == 0
    clock.tick()
    render = ledger.begin_submit(generator="url_to_video", resource=L2V, flow="render",
                                 title="Render", request={"render_of": SERVER_ID},
                                 estimate=Decimal(4), balance_before=None)
    ledger.mark_created(render.key, snap(JobStatus.RUNNING, credits_used=Decimal(1)))
    assert ledger.committed() == 4  # the 1 reported is the preview's, not the render's
    ledger.apply_snapshot(render.key, snap(JobStatus.RUNNING, credits_used=Decimal(3)))
    assert ledger.committed() == 2
    assert ledger.get(preview.key).credits_used == 1
