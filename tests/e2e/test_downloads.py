"""Saving results: real loopback HTTP from the simulator into the output folder."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.downloads import (
    DEFAULT_TEMPLATE,
    DownloadError,
    DownloadQueue,
    DownloadResult,
    ExpiredURLError,
    FileFetcher,
    fetch_results,
    fetch_resumable,
    render_name,
    result_targets,
    safe_filename,
    target_in,
    write_sidecar,
)
from app.generators import spec
from app.jobs.ledger import DownloadState, Ledger
from app.jobs.manager import JobManager, Pricing
from app.jobs.scheduler import PollPolicy
from app.logsafe import register_secret
from app.sandbox import Sandbox, media
from tests.e2e.conftest import sandbox_client

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("name", "safe"), [
    ("../../etc/passwd", "etc_passwd"), ("a/b\\c", "a_b_c"), ("..", "download"),
    (".hidden", "hidden"), ("ok name.mp4", "ok name.mp4"), ("x" * 300, "x" * 120),
    ("clip\x00.mp4", "clip_.mp4"), ("", "download")])
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe
    assert "/" not in safe_filename(name) and "\\" not in safe_filename(name)


async def test_downloads_stay_in_the_folder_and_never_overwrite(tmp_path: Path) -> None:
    with Sandbox() as sandbox:
        url = f"{sandbox.base_url}/media/job1/output.mp4"
        async with httpx.AsyncClient() as http:
            first = await fetch_resumable(
                http, url, target_in(tmp_path, safe_filename("../../evil") + ".mp4"))
            second = await fetch_resumable(
                http, url, target_in(tmp_path, safe_filename("../../evil") + ".mp4"))
            with pytest.raises(ExpiredURLError, match=r"404"):
                await fetch_resumable(http, f"{sandbox.base_url}/media/x",
                                      target_in(tmp_path, "missing.mp4"))
    assert first.path.parent == tmp_path and first.path.name == "evil.mp4"
    assert second.path.name == "evil (2).mp4"
    assert first.path.read_bytes()[4:8] == b"ftyp"
    assert not list(tmp_path.glob("*.part"))


# ---- resumable, verified downloads ------------------------------------------------------------

SAMPLE = media.VIDEO.path.read_bytes()
CREATED = datetime(2025, 3, 4, 15, 30, 7, tzinfo=UTC)
JOB = "3f2b9c1e-7a4d-4e8b-9c1a-2b3c4d5e6f70"
PAYLOAD = random.Random(4).randbytes(100_000)


class TinyServer:
    """One payload over raw stdlib sockets, one connection at a time, ``Connection: close``.

    ``cut_first``: the first answer announces the full Content-Length, sends ``cut_at`` bytes
    and closes. ``range_cap``: a 206 carries at most this many bytes. ``pieces``/``interval``:
    the body dribbles out. ``status``: answer every request with it. ``endless``: a 200 with no
    Content-Length that never ends. ``encoding``: a Content-Encoding header. ``ranges``: False
    ignores Range headers (always 200).
    """

    def __init__(self, payload: bytes = PAYLOAD, *, cut_first: bool = False, cut_at: int = 1000,
                 range_cap: int | None = None, pieces: int = 1, interval: float = 0.0,
                 status: int | None = None, endless: bool = False, encoding: str | None = None,
                 ranges: bool = True) -> None:
        self.payload, self.cut_first, self.cut_at = payload, cut_first, cut_at
        self.range_cap, self.pieces, self.interval = range_cap, pieces, interval
        self.status, self.endless, self.encoding, self.ranges = status, endless, encoding, ranges
        self.requests: list[dict[str, str]] = []
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/files/result.mp4"
        self._thread = threading.Thread(target=self._serve, name="tiny-server", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn, contextlib.suppress(OSError):
                self._answer(conn)

    def _answer(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            more = conn.recv(65536)
            if not more:
                return
            data += more
        lines = data.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
        headers = {name.strip().lower(): value.strip()
                   for name, _, value in (line.partition(":") for line in lines[1:])}
        self.requests.append(headers)
        first_answer = len(self.requests) == 1
        if self.status is not None:
            conn.sendall(f"HTTP/1.1 {self.status} No\r\nContent-Length: 0\r\n"
                         "Connection: close\r\n\r\n".encode())
            return
        if self.endless:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\n"
                         b"Connection: close\r\n\r\n")
            while not self._stop.is_set():
                conn.sendall(b"x" * 65536)
            return
        status, body, extra = "200 OK", self.payload, ""
        size = len(self.payload)
        wanted = re.fullmatch(r"bytes=(\d+)-", headers.get("range", ""))
        if wanted and self.ranges:
            first = int(wanted.group(1))
            if first >= size:
                conn.sendall(f"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Length: 0\r\n"
                             f"Content-Range: bytes */{size}\r\nConnection: close\r\n\r\n"
                             .encode())
                return
            last = size - 1 if self.range_cap is None else min(size, first + self.range_cap) - 1
            status, body = "206 Partial Content", self.payload[first:last + 1]
            extra = f"Content-Range: bytes {first}-{last}/{size}\r\n"
        if self.encoding:
            extra += f"Content-Encoding: {self.encoding}\r\n"
        conn.sendall(f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n"
                     f"Content-Type: video/mp4\r\nAccept-Ranges: bytes\r\n{extra}"
                     "Connection: close\r\n\r\n".encode())
        if self.cut_first and first_answer:
            conn.sendall(body[:self.cut_at])
            return  # close: the client saw fewer bytes than announced
        step = -(-len(body) // self.pieces)
        for index in range(0, len(body), step):
            conn.sendall(body[index:index + step])
            if self.interval:
                time.sleep(self.interval)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()


@pytest.fixture
def tiny() -> Iterator[Callable[..., TinyServer]]:
    servers: list[TinyServer] = []

    def start(**options: Any) -> TinyServer:
        servers.append(TinyServer(**options))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


class Recorder:
    """Progress callback that keeps every report."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int | None]] = []

    def __call__(self, done: int, total: int | None) -> None:
        self.calls.append((done, total))

    def assert_monotonic_to(self, total: int) -> None:
        dones = [done for done, _ in self.calls]
        assert dones == sorted(dones)
        assert self.calls[-1] == (total, total)


def recording_client() -> tuple[httpx.AsyncClient, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    return httpx.AsyncClient(timeout=10, event_hooks={"request": [record]}), sent


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- names


@pytest.mark.parametrize("title", ["../../x", "..", "a/b", "a\\b", ".", "🎬🔥 launch 🚀",
                                   "x" * 500, "", "   ", "\u202egnp.exe", "C:\\Windows\\x",
                                   "name\x00with\nnul", "CON", "..\\..\\..\\etc"])
def test_render_name_is_safe_for_hostile_titles(title: str) -> None:
    name = render_name(DEFAULT_TEMPLATE, generator="avatar_v1", title=title, created=CREATED,
                       job_id=JOB)
    assert "/" not in name and "\\" not in name and "\x00" not in name and "\n" not in name
    assert not name.startswith(".") and ".." not in name
    assert len(name) <= 120
    assert name.endswith(" - AI Avatar - 2025-03-04")
    assert safe_filename(name) == name


def test_render_name_default_and_custom_templates() -> None:
    kwargs: dict[str, Any] = {"generator": "url_to_video", "title": "Summer sale!",
                              "created": CREATED, "job_id": JOB}
    assert render_name(DEFAULT_TEMPLATE, **kwargs) == "Summer sale - URL to Video - 2025-03-04"
    assert render_name("{generator}_{title}_{date}_{short_id}", **kwargs) == (
        "Summer sale - URL to Video - 2025-03-04")  # the old default: today's
    assert render_name("{date}/{time}-{job_id}", **kwargs) == f"2025-03-04_153007-{JOB}"
    assert render_name("../{title}", **kwargs) == "Summer sale"
    assert render_name("{title}", **{**kwargs, "title": ""}) == "untitled"
    assert render_name("{title}", **{**kwargs, "title": "nul"}) == "nul_"  # a Windows device
    assert len(render_name("{title}", **{**kwargs, "title": "é" * 500})) == 60


@pytest.mark.parametrize(("template", "message"), [
    ("{generator}_{secret}", r"Unknown placeholder \{secret\}"),
    ("{title.__class__}", r"Unknown placeholder"), ("{0}", r"Unknown placeholder \{0\}"),
    ("{}", r"Unknown placeholder \{\}"), ("{title!r}", "no format"),
    ("{title:>200}", "no format"), ("{title", "not valid"), ("}{title}", "not valid")])
def test_render_name_refuses_bad_templates(template: str, message: str) -> None:
    with pytest.raises(DownloadError, match=message):
        render_name(template, generator="g", title="t", created=CREATED, job_id=JOB)


def test_target_in_refuses_escapes(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    for bad in ["../x.mp4", "a/b.mp4", "..", ".", "", "a\\b.mp4", "x\x00.mp4", "/etc/passwd"]:
        with pytest.raises(DownloadError, match="Refusing"):
            target_in(folder, bad)
    (folder / "link.mp4").symlink_to(tmp_path / "elsewhere.mp4")  # dangling, leads out
    (tmp_path / "elsewhere").mkdir()
    (folder / "sub").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert target_in(folder, "link.mp4").name == "link (2).mp4"  # taken: never followed
    assert target_in(folder, "ok.mp4") == folder / "ok.mp4"
    (folder / "ok.mp4").write_bytes(b"keep")
    assert target_in(folder, "ok.mp4") == folder / "ok (2).mp4"


# -- fetch_resumable against the simulator


async def test_fetch_resumable_full_download(sandbox: Sandbox, tmp_path: Path) -> None:
    progress = Recorder()
    target = target_in(tmp_path, "clip.mp4")
    http, sent = recording_client()
    async with http:
        result = await fetch_resumable(http, f"{sandbox.base_url}/media/job1/output.mp4", target,
                                       progress=progress)
    assert result == DownloadResult(target, len(SAMPLE), 0, "video/mp4")
    assert target.read_bytes() == SAMPLE
    assert leftovers(tmp_path) == ["clip.mp4"]
    assert "range" not in sent[0].headers and sent[0].headers["accept-encoding"] == "identity"
    progress.assert_monotonic_to(len(SAMPLE))
    assert progress.calls[0] == (0, len(SAMPLE))


async def test_fetch_resumable_continues_a_part_with_range(sandbox: Sandbox,
                                                           tmp_path: Path) -> None:
    n = 12_345
    target = tmp_path / "clip.mp4"
    (tmp_path / "clip.mp4.part").write_bytes(SAMPLE[:n])
    url = f"{sandbox.base_url}/media/job2/output.mp4"
    before = len(sandbox.request_log)
    progress = Recorder()
    http, sent = recording_client()
    async with http:
        result = await fetch_resumable(http, url, target, progress=progress, chunk=1024)
    assert [r.headers.get("range") for r in sent] == [f"bytes={n}-"]
    assert sandbox.request_log[before:] == [("GET", "/media/job2/output.mp4")]
    assert result.resumed_from == n and result.bytes == len(SAMPLE)
    assert progress.calls[0] == (n, len(SAMPLE))  # only total - n bytes were fetched
    progress.assert_monotonic_to(len(SAMPLE))
    assert target.read_bytes() == SAMPLE
    assert leftovers(tmp_path) == ["clip.mp4"]


async def test_fetch_resumable_part_longer_than_the_file_restarts(sandbox: Sandbox,
                                                                  tmp_path: Path) -> None:
    target = tmp_path / "clip.mp4"
    (tmp_path / "clip.mp4.part").write_bytes(SAMPLE + b"stale tail")
    http, sent = recording_client()
    async with http:
        result = await fetch_resumable(http, f"{sandbox.base_url}/media/j/output.mp4", target)
    assert [r.headers.get("range") for r in sent] == [f"bytes={len(SAMPLE) + 10}-", None]
    assert result.resumed_from == 0 and target.read_bytes() == SAMPLE
    assert leftovers(tmp_path) == ["clip.mp4"]


async def test_fetch_resumable_complete_part_is_finished_without_a_body(
        sandbox: Sandbox, tmp_path: Path) -> None:
    target = tmp_path / "clip.mp4"
    (tmp_path / "clip.mp4.part").write_bytes(SAMPLE)
    progress = Recorder()
    http, sent = recording_client()
    async with http:
        result = await fetch_resumable(http, f"{sandbox.base_url}/media/j/output.mp4", target,
                                       progress=progress)
    assert len(sent) == 1  # one 416, nothing more
    assert result.resumed_from == result.bytes == len(SAMPLE)
    assert target.read_bytes() == SAMPLE and progress.calls == [(len(SAMPLE), len(SAMPLE))]


async def test_fetch_resumable_after_a_connection_reset(sandbox: Sandbox,
                                                        tmp_path: Path) -> None:
    target = tmp_path / "clip.mp4"
    part = tmp_path / "clip.mp4.part"
    part.write_bytes(SAMPLE[:5000])
    url = f"{sandbox.base_url}/media/j/output.mp4"
    sandbox.set_faults(reset_next_request_before_processing=1)
    async with httpx.AsyncClient(timeout=10) as http:
        with pytest.raises(DownloadError, match="interrupted") as info:
            await fetch_resumable(http, url, target)
        assert info.value.resumable and not isinstance(info.value, ExpiredURLError)
        assert part.read_bytes() == SAMPLE[:5000] and not target.exists()
        result = await fetch_resumable(http, url, target)
    assert result.resumed_from == 5000 and target.read_bytes() == SAMPLE


async def test_fetch_resumable_expired_url(sandbox: Sandbox, tmp_path: Path) -> None:
    target = tmp_path / "clip.mp4"
    (tmp_path / "clip.mp4.part").write_bytes(b"partial")
    async with httpx.AsyncClient(timeout=10) as http:
        with pytest.raises(ExpiredURLError, match=r"HTTP 404.*fresh"):
            await fetch_resumable(http, f"{sandbox.base_url}/media/nothing", target)
    assert leftovers(tmp_path) == ["clip.mp4.part"]  # kept for the fresh URL


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "ftp://h/x.mp4",
                                 "http:///nohost", "data:video/mp4;base64,AAAA"])
async def test_fetch_resumable_refuses_other_schemes(tmp_path: Path, url: str) -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(DownloadError, match="Refusing") as info:
            await fetch_resumable(http, url, tmp_path / "out" / "x.mp4")
    assert not info.value.resumable
    assert leftovers(tmp_path) == []


# -- fetch_resumable against tiny socket servers


async def test_interrupted_transfer_keeps_the_part_and_resumes(
        tiny: Callable[..., TinyServer], tmp_path: Path) -> None:
    server = tiny(cut_first=True, cut_at=1000)
    target = tmp_path / "result.mp4"
    part = tmp_path / "result.mp4.part"
    async with httpx.AsyncClient(timeout=10) as http:
        with pytest.raises(DownloadError, match="after 1,000 bytes") as info:
            await fetch_resumable(http, server.url, target)
        assert info.value.resumable
        assert part.read_bytes() == PAYLOAD[:1000] and not target.exists()
        progress = Recorder()
        result = await fetch_resumable(http, server.url, target, progress=progress)
    assert [r.get("range") for r in server.requests] == [None, "bytes=1000-"]
    assert result == DownloadResult(target, 100_000, 1000, "video/mp4")
    assert target.read_bytes() == PAYLOAD and leftovers(tmp_path) == ["result.mp4"]
    assert progress.calls[0] == (1000, 100_000)
    progress.assert_monotonic_to(100_000)


async def test_server_sending_short_ranges_is_asked_for_the_rest(
        tiny: Callable[..., TinyServer], tmp_path: Path) -> None:
    server = tiny(range_cap=30_000)
    (tmp_path / "r.mp4.part").write_bytes(PAYLOAD[:1])
    async with httpx.AsyncClient(timeout=10) as http:
        result = await fetch_resumable(http, server.url, tmp_path / "r.mp4")
    assert [r.get("range") for r in server.requests] == [
        "bytes=1-", "bytes=30001-", "bytes=60001-", "bytes=90001-"]
    assert result.resumed_from == 1 and (tmp_path / "r.mp4").read_bytes() == PAYLOAD


async def test_server_ignoring_range_starts_over(tiny: Callable[..., TinyServer],
                                                 tmp_path: Path) -> None:
    server = tiny(ranges=False)
    (tmp_path / "r.mp4.part").write_bytes(b"?" * 70_000)
    async with httpx.AsyncClient(timeout=10) as http:
        result = await fetch_resumable(http, server.url, tmp_path / "r.mp4")
    assert server.requests[0]["range"] == "bytes=70000-"
    assert result.resumed_from == 0 and (tmp_path / "r.mp4").read_bytes() == PAYLOAD


@pytest.mark.parametrize("status", [403, 404, 410])
async def test_refused_urls_are_expired(tiny: Callable[..., TinyServer], tmp_path: Path,
                                        status: int) -> None:
    server = tiny(status=status)
    async with httpx.AsyncClient(timeout=10) as http:
        with pytest.raises(ExpiredURLError, match=f"HTTP {status}"):
            await fetch_resumable(http, server.url, tmp_path / "r.mp4")


@pytest.mark.parametrize(("status", "resumable"), [(500, True), (503, True), (429, True),
                                                   (400, False), (204, False), (301, False)])
async def test_other_answers_are_errors(tiny: Callable[..., TinyServer], tmp_path: Path,
                                        status: int, resumable: bool) -> None:
    server = tiny(status=status)
    async with httpx.AsyncClient(timeout=10) as http:
        with pytest.raises(DownloadError, match=f"HTTP {status}") as info:
            await fetch_resumable(http, server.url, tmp_path / "r.mp4")
    assert not isinstance(info.value, ExpiredURLError)
    assert info.value.resumable is resumable
    assert not (tmp_path / "r.mp4").exists()


async def test_progress_is_throttled(tiny: Callable[..., TinyServer], tmp_path: Path) -> None:
    server = tiny(pieces=30, interval=0.02)  # ~0.6 s of dribbling
    progress = Recorder()
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=10) as http:
        await fetch_resumable(http, server.url, tmp_path / "r.mp4", progress=progress,
                              chunk=512)
    elapsed = time.monotonic() - started
    assert 3 <= len(progress.calls) <= elapsed * 10 + 3
    progress.assert_monotonic_to(100_000)


async def test_max_bytes_stops_endless_and_oversized_bodies(tiny: Callable[..., TinyServer],
                                                            tmp_path: Path) -> None:
    endless = tiny(endless=True)
    announced = tiny()
    async with httpx.AsyncClient(timeout=10) as http:
        with pytest.raises(DownloadError, match="larger than the limit of 1,000,000"):
            await fetch_resumable(http, endless.url, tmp_path / "e.mp4", max_bytes=1_000_000)
        with pytest.raises(DownloadError, match="larger than the limit"):
            await fetch_resumable(http, announced.url, tmp_path / "a.mp4", max_bytes=99_999)
        result = await fetch_resumable(http, announced.url, tmp_path / "a.mp4",
                                       max_bytes=100_000)
    assert result.bytes == 100_000
    assert leftovers(tmp_path) == ["a.mp4"]


async def test_compressed_answer_is_refused(tiny: Callable[..., TinyServer],
                                            tmp_path: Path) -> None:
    server = tiny(encoding="gzip")
    async with httpx.AsyncClient(timeout=10) as http:
        with pytest.raises(DownloadError, match="compressed"):
            await fetch_resumable(http, server.url, tmp_path / "r.mp4")
    assert server.requests[0]["accept-encoding"] == "identity"


async def test_never_overwrites_and_never_writes_twice_at_once(
        tiny: Callable[..., TinyServer], tmp_path: Path) -> None:
    server = tiny(pieces=20, interval=0.01)
    target = tmp_path / "r.mp4"
    started = asyncio.Event()
    async with httpx.AsyncClient(timeout=10) as http:
        first = asyncio.create_task(fetch_resumable(
            http, server.url, target, progress=lambda done, total: started.set()))
        await asyncio.wait_for(started.wait(), 5)
        with pytest.raises(DownloadError, match="already being downloaded"):
            await fetch_resumable(http, server.url, target)
        target.write_bytes(b"appeared meanwhile")
        result = await first
    assert result.path == tmp_path / "r (2).mp4" and result.path.read_bytes() == PAYLOAD
    assert target.read_bytes() == b"appeared meanwhile"


async def test_part_that_is_not_a_regular_file_is_refused(tiny: Callable[..., TinyServer],
                                                          tmp_path: Path) -> None:
    server = tiny()
    outside = tmp_path / "outside.bin"
    outside.write_bytes(b"precious")
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "r.mp4.part").symlink_to(outside)
    async with httpx.AsyncClient(timeout=10) as http:
        with pytest.raises(DownloadError, match="not a regular file"):
            await fetch_resumable(http, server.url, folder / "r.mp4")
    assert outside.read_bytes() == b"precious" and server.requests == []


# -- sidecar files


def test_write_sidecar_round_trip(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"video")
    info = {"job_id": JOB, "generator": "ai_avatar", "credits_used": Decimal("12.5"),
            "estimate": {"credits": Decimal(10), "breakdown": "31 s → 2 × 30 s blocks × 5"},
            "created": CREATED, "inputs": {"script": "Héllo wörld 🎬", "scenes": [1, 2.5, None],
                                           "flags": (True, False)}}
    path = write_sidecar(clip, info)
    assert path == tmp_path / "clip.mp4.json"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("{\n  \"job_id\"") and "Héllo wörld 🎬" in text
    assert json.loads(text) == {
        "job_id": JOB, "generator": "ai_avatar", "credits_used": "12.5",
        "estimate": {"credits": "10", "breakdown": "31 s → 2 × 30 s blocks × 5"},
        "created": "2025-03-04T15:30:07+00:00",
        "inputs": {"script": "Héllo wörld 🎬", "scenes": [1, 2.5, None], "flags": [True, False]}}
    write_sidecar(clip, {"job_id": JOB, "again": True})  # replaced in one step
    assert json.loads(path.read_text(encoding="utf-8")) == {"job_id": JOB, "again": True}
    assert leftovers(tmp_path) == ["clip.mp4", "clip.mp4.json"]


def test_write_sidecar_refuses_secrets(tmp_path: Path) -> None:
    secret = "sk-sidecar-" + uuid.uuid4().hex
    register_secret(secret)
    clip = tmp_path / "clip.mp4"
    for info in ({"inputs": {"headers": [{"X-API-KEY": f"Bearer {secret}"}]}},
                 {"inputs": {secret: "as a key"}}, {"note": secret}):
        with pytest.raises(DownloadError, match="secret") as caught:
            write_sidecar(clip, info)
        assert secret not in str(caught.value)
    assert leftovers(tmp_path) == []


def test_write_sidecar_refuses_what_json_cannot_hold(tmp_path: Path) -> None:
    for info in ({"x": object()}, {"x": float("nan")}, {"x": b"bytes"}):
        with pytest.raises(DownloadError, match="Refusing"):
            write_sidecar(tmp_path / "clip.mp4", info)
    assert leftovers(tmp_path) == []


def test_write_sidecar_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clip = tmp_path / "clip.mp4"
    write_sidecar(clip, {"version": 1})

    def fail(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(DownloadError, match="No space left"):
        write_sidecar(clip, {"version": 2})
    assert json.loads((tmp_path / "clip.mp4.json").read_text()) == {"version": 1}
    assert leftovers(tmp_path) == ["clip.mp4.json"]  # no temp file left


# -- the queue


async def test_download_queue_limits_concurrency() -> None:
    queue = DownloadQueue(limit=2)
    running = peak = 0
    seen: list[int] = []

    async def job(number: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        seen.append(queue.in_flight)
        await asyncio.sleep(0.02)
        running -= 1
        if number == 3:
            raise DownloadError("boom")
        return number * 10

    tasks = [asyncio.create_task(queue.run(lambda n=n: job(n))) for n in range(5)]
    await asyncio.sleep(0.005)
    assert queue.in_flight == 2 and queue.waiting == 3
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert results[:3] == [0, 10, 20] and isinstance(results[3], DownloadError)
    assert results[4] == 40
    assert peak == 2 and max(seen) == 2
    assert queue.in_flight == 0 and queue.waiting == 0
    with pytest.raises(ValueError, match="at least 1"):
        DownloadQueue(0)


# -- every result of a job (Image Ads' several images, several asset outputs)

RESULT_JOB = {"local_key": "k1", "server_id": JOB, "generator": "image_ad",
              "resource": "iab_images", "flow": "create", "status": "done"}


def result_urls(sandbox: Sandbox, owner: str) -> list[str]:
    return [f"{sandbox.base_url}/media/{owner}/300x250.png",
            f"{sandbox.base_url}/media/{owner}/728x90.png",
            f"{sandbox.base_url}/media/{owner}/clip.mp4"]


async def test_every_result_is_saved_under_its_own_name_with_its_sidecar(
        sandbox: Sandbox, tmp_path: Path) -> None:
    urls = result_urls(sandbox, "iab1")
    progress = Recorder()
    async with httpx.AsyncClient(timeout=10) as http:
        saved = await fetch_results(http, urls, tmp_path, "Image Ad_mug", progress=progress,
                                    info={"job": RESULT_JOB, "credits_used": None})
    names = ["Image Ad_mug_1.png", "Image Ad_mug_2.png", "Image Ad_mug_3.mp4"]
    assert [f.path.name for f in saved.files] == names
    assert saved.first == tmp_path / names[0]
    assert [f.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for f in saved.files] == \
        [True, True, False]
    assert saved.files[2].path.read_bytes()[4:8] == b"ftyp"
    assert saved.bytes == sum(f.path.stat().st_size for f in saved.files)
    assert leftovers(tmp_path) == sorted([*names, *(n + ".json" for n in names)])
    for index, (name, url) in enumerate(zip(names, urls, strict=True), 1):
        side = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
        assert side["job"] == RESULT_JOB and side["source_url"] == url
        assert side["result"] == {"index": index, "of": 3, "files": names}
    dones = [done for done, _ in progress.calls]
    assert dones == sorted(dones) and progress.calls[-1] == (saved.bytes, saved.bytes)


async def test_one_result_keeps_the_plain_name(sandbox: Sandbox, tmp_path: Path) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        saved = await fetch_results(http, result_urls(sandbox, "one")[:1], tmp_path, "Ad")
    assert [f.path.name for f in saved.files] == ["Ad.png"]
    assert leftovers(tmp_path) == ["Ad.png"]  # no info: no sidecar
    with pytest.raises(DownloadError, match="no result"):
        async with httpx.AsyncClient(timeout=10) as http:
            await fetch_results(http, [], tmp_path, "Ad")


def test_a_new_set_never_takes_names_in_use(tmp_path: Path) -> None:
    urls = ["https://cdn.example.com/a.png", "https://cdn.example.com/b.png"]
    (tmp_path / "Ad_2.png.part").write_bytes(b"x")  # another set's transfer under way
    targets = result_targets(tmp_path, "Ad", urls)
    assert [t.name for t in targets] == ["Ad (2)_1.png", "Ad (2)_2.png"]
    # The set's recorded first file gives the same names back (a resumed set).
    assert result_targets(tmp_path, "ignored", urls, first=targets[0]) == targets
    assert result_targets(tmp_path, "Ad", urls[:1], first=tmp_path / "Ad (3).png") == \
        [tmp_path / "Ad (3).png"]
    elsewhere = tmp_path / "other" / "Ad_1.png"
    assert result_targets(tmp_path, "Ad", urls, first=elsewhere)[0].parent == tmp_path


async def test_a_set_cut_short_resumes_into_the_same_names(sandbox: Sandbox,
                                                           tmp_path: Path) -> None:
    """The second result's link has expired and nothing can refresh it: the first file stays
    (with its sidecar); the next try skips it and saves the rest under the same names."""
    urls = result_urls(sandbox, "cut")[:2]
    broken = [urls[0], f"{sandbox.base_url}/gone/728x90.png"]
    info = {"job": RESULT_JOB}
    async with httpx.AsyncClient(timeout=10) as http:
        with pytest.raises(ExpiredURLError):
            await fetch_results(http, broken, tmp_path, "Ad", info=info)
        assert leftovers(tmp_path) == ["Ad_1.png", "Ad_1.png.json"]
        before = len(sandbox.request_log)
        saved = await fetch_results(http, urls, tmp_path, "changed title", info=info,
                                    first=tmp_path / "Ad_1.png")
    assert [f.path.name for f in saved.files] == ["Ad_1.png", "Ad_2.png"]
    assert saved.files[0].resumed_from == saved.files[0].bytes  # not fetched again
    assert [path for _, path in sandbox.request_log[before:]] == ["/media/cut/728x90.png"]
    assert leftovers(tmp_path) == ["Ad_1.png", "Ad_1.png.json", "Ad_2.png", "Ad_2.png.json"]


async def test_expired_result_links_are_read_again_once(sandbox: Sandbox,
                                                        tmp_path: Path) -> None:
    urls = result_urls(sandbox, "fresh")[:2]
    stale = [f"{sandbox.base_url}/gone/a.png", f"{sandbox.base_url}/gone/b.png"]
    asked: list[int] = []

    async def refresh() -> list[str]:
        asked.append(1)
        return urls

    async with httpx.AsyncClient(timeout=10) as http:
        saved = await fetch_results(http, stale, tmp_path, "Ad", refresh=refresh)
        assert saved.urls == tuple(urls) and len(asked) == 1
        assert [f.path.name for f in saved.files] == ["Ad_1.png", "Ad_2.png"]

        async def still_stale() -> list[str]:
            return stale

        with pytest.raises(ExpiredURLError):
            await fetch_results(http, stale, tmp_path / "again", "Ad", refresh=still_stale)


async def test_the_job_manager_saves_every_image_of_an_image_ad(tmp_path: Path) -> None:
    """A real Image Ad job through the job manager: each of its images is saved under its own
    name with a sidecar naming the set, the first one's path and the set's bytes recorded;
    asking again later (the user's "download again") saves nothing twice."""
    with Sandbox(speed=2000, seed=3, balance=100) as server:
        async with sandbox_client(server) as client:
            with Ledger(tmp_path / "jobs.sqlite3") as ledger:
                out = tmp_path / "out"
                manager = JobManager(client, ledger, out, policy=PollPolicy().scaled(400))
                await manager.start()
                try:
                    record = await manager.submit(spec("image_ad"), {
                        "image": f"{server.base_url}/media/samples/sample.png"},
                        pricing=Pricing(Decimal(2)))
                    deadline = time.monotonic() + 20
                    while ledger.get(record.key).download_state is not DownloadState.DONE:
                        assert time.monotonic() < deadline, ledger.get(record.key)
                        await asyncio.sleep(0.02)
                    final = ledger.get(record.key)
                    before = len(server.request_log)
                    await manager.download(record.key)
                    media_reads = [p for _, p in server.request_log[before:]
                                   if p.startswith("/media/")]
                finally:
                    await manager.aclose()
    files = sorted(p for p in out.iterdir() if p.suffix == ".png")
    assert len(files) == len(final.result_urls) > 1
    assert final.download_path == str(files[0]) and files[0].name.endswith("_1.png")
    assert final.download_bytes == sum(f.stat().st_size for f in files)
    side = json.loads(files[-1].with_name(files[-1].name + ".json").read_text("utf-8"))
    assert side["result"]["files"] == [f.name for f in files]
    assert side["job"]["generator"] == "image_ad" and side["job"]["server_id"] == final.server_id
    assert media_reads == []  # already saved: nothing fetched again
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f.name for f in files] + [f.name + ".json" for f in files])


@pytest.mark.parametrize("route", ["wire", "httpx"])
async def test_a_file_saved_before_a_crash_without_its_sidecar_is_not_fetched_again(
        sandbox: Sandbox, tmp_path: Path, route: str) -> None:
    """Killed between renaming the finished ``.part`` and writing its sidecar: the resumed
    set takes the file it has (one ranged request past its end) — no second copy beside it,
    no byte fetched twice."""
    urls = result_urls(sandbox, "crash")[:2]
    info = {"job": RESULT_JOB}
    async with httpx.AsyncClient(timeout=10) as http:
        fetcher = FileFetcher() if route == "wire" else http
        saved = await fetch_results(fetcher, urls, tmp_path, "Ad", info=info)
        whole = [f.path.read_bytes() for f in saved.files]
        (tmp_path / "Ad_2.png.json").unlink()  # the second file's sidecar never written
        before = len(sandbox.request_log)
        again = await fetch_results(fetcher, urls, tmp_path, "Ad", info=info,
                                    first=tmp_path / "Ad_1.png")
    assert [f.path.name for f in again.files] == ["Ad_1.png", "Ad_2.png"]
    assert [f.path.read_bytes() for f in again.files] == whole
    assert again.files[1].resumed_from == len(whole[1])  # nothing of it fetched again
    assert [path for _, path in sandbox.request_log[before:]] == ["/media/crash/728x90.png"]
    assert leftovers(tmp_path) == ["Ad_1.png", "Ad_1.png.json", "Ad_2.png", "Ad_2.png.json"]


async def test_a_recorded_name_the_file_system_refuses_is_a_download_error(
        sandbox: Sandbox, tmp_path: Path) -> None:
    """Taking back a finished file never crashes on a recorded name too long to exist: the
    fetch reports it, as before."""
    too_long = tmp_path / ("x" * 400 + ".png")
    with pytest.raises(DownloadError):
        await fetch_results(FileFetcher(), result_urls(sandbox, "long")[:1], tmp_path, "Ad",
                            info={"job": RESULT_JOB}, first=too_long)
