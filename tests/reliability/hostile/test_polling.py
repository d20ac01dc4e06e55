"""The job manager following a job on a server whose answers are hostile: any job object
(odd statuses, progress, result URLs of any scheme, names with ``../``, huge strings) or
garbage where the list should be. No crash, an unknown status never ends a job, and nothing
is written outside the output folder.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.api.client import CreatifyClient, RetryPolicy
from app.api.snapshot import JobSnapshot, JobStatus, normalize_status
from app.jobs.ledger import DownloadState, JobState, Ledger
from app.jobs.manager import JobManager
from app.jobs.scheduler import PollPolicy
from tests.reliability.hostile.strategies import (
    EXAMPLES,
    hostile,
    hostile_names,
    hostile_urls,
    json_values,
    odd_statuses,
    odd_text,
)
from tests.reliability.hostile.test_downloads import BODY, Tree

# A failing example's repr can be huge (the inputs are): report the failure, not that.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning")

JOB_ID = "11111111-2222-4333-8444-555555555555"


class _Creatify(http.server.BaseHTTPRequestHandler):
    """A fake Creatify whose list answer is whatever the example says; ``/media/`` serves a
    small file."""

    protocol_version = "HTTP/1.1"
    answer: ClassVar[list[bytes]] = [b"[]"]

    def do_GET(self) -> None:
        if self.path.startswith("/media/"):
            body, kind = BODY, "video/mp4"
        elif self.path.startswith("/api/remaining_credits/"):
            body, kind = b'{"remaining_credits": 100}', "application/json"
        else:
            body, kind = self.answer[0], "application/json"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def creatify() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Creatify)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def job_objects(base: str) -> st.SearchStrategy[dict[str, Any]]:
    urls = st.one_of(hostile_urls, st.builds(lambda n: f"{base}/media/{n}", hostile_names),
                     st.just(f"{base}/media/x/output.mp4"))
    return st.fixed_dictionaries(
        {"id": st.just(JOB_ID), "status": odd_statuses},
        optional={"video_output": urls, "progress": json_values, "name": odd_text,
                  "failed_reason": st.one_of(odd_text, json_values),
                  "credits_used": json_values, "duration": json_values,
                  "video_thumbnail": urls, "preview": urls})


async def _follow(tree: Tree, base: str, answer: bytes) -> tuple[Any, list[str]]:
    crashes: list[str] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _l, ctx: crashes.append(str(ctx.get("exception")
                                                                  or ctx.get("message"))))
    _Creatify.answer[0] = answer
    client = CreatifyClient("ws_hostile", "sk-hostile-0123456789abcdef", base_url=base,
                            retry=RetryPolicy(attempts=1), timeout=3)
    ledger = Ledger(tree.state / "jobs.sqlite3")
    record = ledger.begin_submit(generator="url_to_video", resource="link_to_videos",
                                 flow="create", title="../../hostile title", request={},
                                 estimate=None, balance_before=None)
    ledger.mark_created(record.key, JobSnapshot(resource="link_to_videos", id=JOB_ID,
                                                status=JobStatus.RUNNING, raw_status="running"))
    manager = JobManager(client, ledger, tree.out, policy=PollPolicy().scaled(200),
                         on_error=lambda task, exc: crashes.append(f"{task}: {exc!r}"))
    try:
        await manager.start()
        deadline = loop.time() + 0.6
        while loop.time() < deadline:
            await asyncio.sleep(0.02)
            current = ledger.get(record.key)
            if current.state.is_terminal and (not current.result_urls or current.download_state
                                              in (DownloadState.DONE, DownloadState.FAILED)):
                break
        return ledger.get(record.key), crashes
    finally:
        await manager.aclose()
        ledger.close()
        await client.aclose()


def test_a_hostile_job_object_never_crashes_the_manager_or_escapes_the_folder(
        creatify: str) -> None:
    answers = st.one_of(
        job_objects(creatify).map(lambda job: json.dumps([job]).encode()),
        job_objects(creatify).map(lambda job: json.dumps(job).encode()),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.sampled_from([b"", b"[", b"<html>", b"[" * 20_000, b"\xff\xfe"]))

    @settings(hostile, max_examples=max(5, EXAMPLES // 4))
    @given(answer=answers)
    def check(answer: bytes) -> None:
        tree = Tree()
        try:
            record, crashes = asyncio.run(_follow(tree, creatify, answer))
            assert crashes == []
            try:
                sent = json.loads(answer)
            except (ValueError, RecursionError):
                sent = None
            job = sent[0] if isinstance(sent, list) and sent else sent
            status = job.get("status") if isinstance(job, dict) else None
            if record.state.is_terminal:  # only a status we know ends a job
                assert normalize_status(status).is_terminal, (status, record.state)
            if record.download_state is DownloadState.FAILED:
                assert record.download_error and record.download_error.strip()
            if record.download_state is DownloadState.DONE:
                assert record.download_path
                assert Path(record.download_path).parent == tree.out
            assert record.state is not JobState.SUBMITTING
            assert tree.changes() == [], tree.changes()
        finally:
            tree.close()

    check()
