"""A persistent simulator over loopback HTTP, driven by the real client and the real session:
jobs in flight survive a restart and are charged once, result URLs stay valid when the
address changes, and the session keeps its sandbox ledger so jobs are followed to the end."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from app.generators import spec
from app.sandbox import Sandbox, SandboxBusy
from app.session import Session
from tests.e2e.conftest import file_kind, sandbox_client, wait_terminal

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]

IMAGE = "https://cdn.example.com/face.png"
AUDIO = "https://cdn.example.com/voice.mp3?duration=10"
VIDEO = "https://cdn.example.com/ad.mp4?duration=12"


async def until(condition: Callable[[], object], timeout: float = 20.0,
                what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def test_a_restart_in_the_middle_of_running_jobs(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    first = Sandbox(speed=45, balance=1000, state_path=path)
    first.start()
    try:
        async with sandbox_client(first) as api:
            link = await api.create_link("https://shop.example.com/p/mug")
            video = await api.create("link_to_videos", {"link": link.id, "name": "Mug ad"})
            aurora = await api.create("aurora", {"image": IMAGE, "audio": AUDIO})
            clone = await api.create("ads_clone", {"link": link.id, "video_url": VIDEO})
            preview = await api.preview("link_to_videos", {"link": link.id})
            while not (await api.get_job("link_to_videos", preview.id)).preview_ready:
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.3)  # Ad Clone has paid its first block
            running = [await api.get_job(s.resource, s.id) for s in (video, aurora, clone)]
    finally:
        first.stop()
    assert not any(s.is_terminal for s in running), [s.raw_status for s in running]
    assert 0 < (running[2].credits_used or 0) < 36
    stopped_at = first.balance
    assert json.loads(path.read_text())["balance"] == str(stopped_at)

    second = Sandbox(speed=45, balance=5, state_path=path)  # the balance of a fresh one
    assert second.restored and second.balance == stopped_at
    with second:
        async with sandbox_client(second) as api:
            ended = [await wait_terminal(api, s) for s in running]
            assert [s.raw_status for s in ended] == ["done", "done", "done"]
            assert all(s.result_url and s.result_url.startswith(second.base_url + "/")
                       for s in ended)
            rendered = await api.render("link_to_videos", preview.id)  # a preview kept
            rendered = await wait_terminal(api, rendered)
            assert rendered.raw_status == "done" and rendered.result_url
            charges = sum((s.credits_used or Decimal(0)) for s in (*ended, rendered))
            assert second.balance == 1000 - 1 - charges  # the link, then each job once
            settled = second.balance
            await asyncio.sleep(0.3)
            assert second.balance == settled
        creates = second.create_log
        assert [r.job_id for r in creates] == [link.id, video.id, aurora.id, clone.id,
                                                preview.id, preview.id]
    third = Sandbox(state_path=path)
    assert third.balance == settled and third.create_log == creates


async def test_urls_stay_valid_after_a_restart_on_another_port(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    with Sandbox(speed=2000, state_path=path) as first:
        async with sandbox_client(first) as api:
            accent = (await api.voices())[0]["accents"][0]["id"]
            job = await api.create("text_to_speech", {"script": "Hello", "accent": accent})
            done = await wait_terminal(api, job)
        old_url = first.base_url
    assert done.result_url and done.result_url.startswith(old_url + "/media/")
    holder = socket.socket()
    try:  # the old port is taken by someone else now
        holder.bind(("127.0.0.1", int(old_url.rsplit(":", 1)[1])))
        holder.listen()
        with Sandbox(speed=2000, state_path=path) as moved:
            assert moved.base_url != old_url
            async with sandbox_client(moved) as api:
                again = await api.get_job("text_to_speech", job.id)
                links = await api.list_links()
            assert again.result_url == done.result_url.replace(old_url, moved.base_url)
            async with httpx.AsyncClient() as web:
                media = await web.get(again.result_url)
            assert media.status_code == 200 and file_kind(media.content) == "audio"
            assert links == []  # nothing else was made
            new_url = moved.base_url
    finally:
        holder.close()
    with Sandbox(speed=2000, state_path=path) as back:
        assert back.base_url == new_url  # the port it last served on, while free


async def test_the_session_keeps_its_sandbox_ledger_across_restarts(tmp_path: Path) -> None:
    output, data = tmp_path / "output", tmp_path / "data"
    studio = Session(output, data_dir=data, sandbox_speed=4, sandbox_in_process=True)
    try:
        await studio.use_sandbox()
        assert studio.sandbox is not None
        before = await studio.fetch_credits()
        voices = await studio.read_catalogue("voices")
        values = {"script": "Still followed after a restart.",
                  "accent": voices[0]["accents"][0]["id"]}
        record = await studio.submit(spec("text_to_speech"), values, estimate=Decimal(1))
        await until(lambda: (studio.job(record.key) or record).server_id, what="the create")
        assert not (studio.job(record.key) or record).state.is_terminal
    finally:
        await studio.aclose()
    assert (data / "sandbox" / "state.json").exists()
    assert (data / "sandbox-jobs.sqlite3").exists()

    again = Session(output, data_dir=data, sandbox_speed=4, sandbox_in_process=True)
    try:
        await again.use_sandbox()
        assert again.sandbox is not None and again.sandbox.restored
        assert again.job(record.key) is not None  # the ledger was kept
        await until(lambda: (again.job(record.key) or record).download_state.value == "done",
                    what="the job followed to its end and saved")
        ended = again.job(record.key)
        assert ended is not None and ended.state.value == "done"
        saved = Path(ended.download_path or "")
        assert saved.parent == output / "Sandbox" and file_kind(saved.read_bytes()) == "audio"
        assert again.sandbox.balance == before - (ended.credits_used or 0)
        assert ended.credits_used == 1
        creates = [r for r in again.sandbox.create_log if r.path == "/api/text_to_speech/"]
        assert [r.job_id for r in creates] == [ended.server_id]  # sent once
        # A reset forgets both the account and the ledger.
        await again.reset_sandbox()
        assert again.job(record.key) is None and again.sandbox.create_log == []
        assert again.sandbox.balance == 500
        kept = json.loads((data / "sandbox" / "state.json").read_text())
        assert kept["jobs"] == [] and kept["create_log"] == [] and kept["balance"] == "500"
    finally:
        await again.aclose()


def test_one_process_serves_a_state_file_and_a_killed_one_loses_no_create(
        tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    headers = {"X-API-ID": "sandbox", "X-API-KEY": "sandbox"}
    with subprocess.Popen([sys.executable, "-m", "app.sandbox", "--port", "0", "--speed", "5",
                           "--state", str(path)], stdout=subprocess.PIPE, text=True,
                          cwd=ROOT) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().split(" listening on ")[1].split()[0]
            rival = Sandbox(state_path=path)
            with pytest.raises(SandboxBusy) as busy:
                rival.start()
            assert busy.value.base_url == url  # where to talk to it instead
            accent = httpx.get(f"{url}/api/voices/", headers=headers).json()[0]["accents"][0]
            made = httpx.post(f"{url}/api/text_to_speech/", headers=headers,
                              json={"script": "Hello", "accent": accent["id"]})
            assert made.status_code == 201 and made.json()["status"] != "done"
        finally:
            process.kill()  # no clean stop: the OS drops the lock; the create is on disk
    job_id = made.json()["id"]
    with Sandbox(speed=1000, state_path=path) as heir:
        deadline = time.monotonic() + 10
        while (done := httpx.get(f"{heir.base_url}/api/text_to_speech/{job_id}/",
                                 headers=headers).json())["status"] != "done":
            assert time.monotonic() < deadline, done
            time.sleep(0.02)
        assert heir.balance == 500 - done["credits_used"] and done["credits_used"] > 0
        assert [r.job_id for r in heir.create_log] == [job_id]


async def test_a_second_session_on_the_data_folder_talks_to_the_first_ones_sandbox(
        tmp_path: Path) -> None:
    output, data = tmp_path / "output", tmp_path / "data"
    window = Session(output, data_dir=data, sandbox_speed=500, auto_download=False,
                     sandbox_in_process=True)
    script = Session(output, data_dir=data, sandbox_speed=500, auto_download=False,
                     role="command line")
    try:
        url = await window.use_sandbox()
        assert await script.use_sandbox() == url and script.sandbox is None
        voices = await script.read_catalogue("voices")
        record = await script.submit(spec("text_to_speech"),
                                     {"script": "Sent from the command line.",
                                      "accent": voices[0]["accents"][0]["id"]},
                                     estimate=Decimal(1))
        await until(lambda: (script.job(record.key) or record).server_id, what="the create")
        assert window.sandbox is not None
        assert [r.job_id for r in window.sandbox.create_log] == [
            (script.job(record.key) or record).server_id]
        with pytest.raises(RuntimeError, match="reset it there"):
            await script.reset_sandbox()
    finally:
        await script.aclose()
        await window.aclose()
