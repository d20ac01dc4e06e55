"""The reliability suites' own counters can fail: planted duplicates, lost jobs, re-fetched
bytes and secrets are found (``run.py`` reports what these count)."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from app.api.client import CreatifyClient
from app.api.snapshot import JobSnapshot, JobStatus
from app.jobs.ledger import Ledger
from app.sandbox import Faults, Sandbox
from tests.reliability import crash_rounds, fault_matrix, secrets_suite
from tests.reliability.media_front import MediaFront, Transfer, below, served_twice

pytestmark = pytest.mark.e2e


def test_bytes_served_twice_and_below_the_part() -> None:
    transfers = [Transfer("/a", 0, 0, 1000), Transfer("/a", 800, 1, 1200),  # 200 again
                 Transfer("/b", 0, 0, 500), Transfer("/b", 0, 1, 500)]  # all again
    assert served_twice(transfers) == 200 + 500
    assert below([t for t in transfers if t.path == "/a" and t.epoch == 1], 800) == 0
    assert below([t for t in transfers if t.path == "/a" and t.epoch == 1], 900) == 100
    assert below([t for t in transfers if t.path == "/b" and t.epoch == 1], 300) == 300


def test_the_crash_count_finds_a_duplicate_a_lost_job_and_a_bad_file(tmp_path: Path) -> None:
    async def plant(base_url: str) -> list[str]:
        async with CreatifyClient("sandbox", "sandbox", base_url=base_url) as client:
            link = await client.create_link("https://shop.example.com/products/mug")
            ids = []
            for tag in ("dup00001", "dup00001", "lost0001", "good0001"):
                job = await client.create("link_to_videos", {"link": link.id,
                                                             "name": f"x [{tag}]"})
                ids.append(job.id)
            return ids

    with Sandbox(speed=1000) as server, MediaFront(server.base_url, size=1000) as front:
        ids = asyncio.run(plant(front.base_url))
        with Ledger(tmp_path / "jobs.sqlite3") as ledger:
            for tag, job_id in (("dup00001", ids[0]), ("good0001", ids[3])):
                row = ledger.begin_submit(generator="url_to_video", resource="link_to_videos",
                                          flow="create", title="t", request={}, estimate=None,
                                          balance_before=None, name_tag=tag)
                ledger.mark_created(row.key, JobSnapshot(
                    resource="link_to_videos", id=job_id, status=JobStatus.DONE,
                    raw_status="done", result_urls=(f"{front.base_url}/media/{job_id}/o.mp4",)))
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "stray.mp4.part").write_bytes(b"x")
        result = crash_rounds.Round(0, "polling", 1)
        crash_rounds._count(result, server, front, tmp_path, {})
    assert result.duplicate_creates == 1
    assert result.lost_jobs == 2  # the second "dup" create and the untagged-in-ledger one
    assert result.files_bad == 2  # done in the ledger, never saved
    assert result.stray_files == 1
    assert not result.clean


def test_the_fault_matrix_runs_every_simulator_fault(monkeypatch: pytest.MonkeyPatch) -> None:
    names = {name for name, _ in fault_matrix.scenarios(5)}
    faults = {f.name for f in dataclasses.fields(Faults)} - set(fault_matrix.PARAMETERS)
    assert faults <= names and {"all", "all+insufficient_credits"} <= names
    monkeypatch.delitem(fault_matrix.FAULT_VALUES, "reject_rate")
    with pytest.raises(SystemExit, match="reject_rate"):
        fault_matrix.scenarios(5)


def test_the_fault_matrix_judge_finds_a_lost_job_and_a_wrong_state(tmp_path: Path) -> None:
    async def plant(base_url: str) -> tuple[str, str]:
        async with CreatifyClient("sandbox", "sandbox", base_url=base_url) as client:
            link = await client.create_link("https://shop.example.com/products/mug")
            a = await client.create("link_to_videos", {"link": link.id, "name": "x [aaaa0001]"})
            b = await client.create("link_to_videos", {"link": link.id, "name": "x [bbbb0001]"})
            return a.id, b.id

    with Sandbox(speed=1000) as server:
        known, lost = asyncio.run(plant(server.base_url))
        creates = server.create_log
        outcome = fault_matrix.Outcome("planted")
        with Ledger(tmp_path / "jobs.sqlite3") as ledger:
            row = ledger.begin_submit(generator="url_to_video", resource="link_to_videos",
                                      flow="create", title="t", request={}, estimate=None,
                                      balance_before=None, name_tag="aaaa0001")
            ledger.mark_created(row.key, JobSnapshot(resource="link_to_videos", id=known,
                                                     status=JobStatus.FAILED,
                                                     raw_status="failed"))
            fault_matrix._judge(outcome, server, ledger.page(include_hidden=True), creates)
    assert outcome.lost_jobs == 2  # the link (no ledger row here) and job b
    assert outcome.wrong_states == 1  # "failed" in the ledger, running on the simulator
    assert lost in " ".join(outcome.details)


def test_the_secret_search_finds_every_form(tmp_path: Path) -> None:
    key = secrets_suite.make_key()
    assert secrets_suite.self_test(tmp_path, key) == []
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "log.txt").write_text(f"X-API-KEY: {key}\n")
    found = secrets_suite.scan(tmp_path, key)
    assert found["hits"] >= 1 and found["files_searched"] == 1
    assert secrets_suite.scan(tmp_path, secrets_suite.make_key())["hits"] == 0
