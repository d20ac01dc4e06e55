"""Result URLs and file names aimed at the file system: ``file:``/``javascript:``/``data:``
URLs, redirects to them, names and titles with ``../``, absolute paths, reserved names. The
result is saved inside the output folder or refused with a message; nothing is written
anywhere else (the file system is checked after every example).
"""

from __future__ import annotations

import asyncio
import http.server
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import Any, ClassVar

import httpx
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.api.client import CreatifyClient, RetryPolicy
from app.api.snapshot import JobSnapshot, JobStatus
from app.downloads import (
    MAX_NAME,
    DownloadError,
    fetch_resumable,
    render_name,
    target_in,
)
from app.jobs.ledger import DownloadState, Ledger, LedgerError
from app.jobs.manager import JobManager
from tests.reliability.hostile.strategies import hostile, hostile_names, hostile_urls, odd_text

# A failing example's repr can be huge (the inputs are): report the failure, not that.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning")

BODY = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8
TEMPLATES = ["{generator}_{title}_{date}_{short_id}", "{title}", "{job_id}", "../{title}",
             "{title}/../../{generator}", "/etc/{title}", "..", ".{title}", "{generator}{time}",
             "CON", "{title}\\..\\x"]


class Tree:
    """A folder with the output folder deep inside and a sentinel beside it; ``changes()``
    lists every path that appeared outside the output folder."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="hostile-"))
        self.out = self.root / "a" / "b" / "out"
        self.out.mkdir(parents=True)
        self.state = self.root / "state"  # the ledger's folder: not the output's business
        self.state.mkdir()
        (self.root / "a" / "b" / "beside").mkdir()
        self.before = set(self._walk())
        self.parent_before = set(os.listdir(self.root.parent))

    def _walk(self) -> Iterator[Path]:
        for folder, dirs, files in os.walk(self.root):
            for name in dirs + files:
                yield Path(folder) / name

    def changes(self) -> list[str]:
        outside = [str(p) for p in self._walk() if p not in self.before
                   and self.out not in p.parents and self.state not in p.parents]
        inside_dirs = [str(p) for p in self.out.rglob("*") if p.is_dir() or p.is_symlink()]
        return outside + inside_dirs

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _plain(name: str) -> None:
    assert name and name not in (".", "..") and not name.startswith(".")
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert PurePath(name).name == name and len(name) <= MAX_NAME


@hostile
@given(template=st.one_of(st.sampled_from(TEMPLATES), odd_text), generator=hostile_names,
       title=hostile_names, job_id=hostile_names)
def test_a_rendered_name_is_a_plain_name_or_refused(template: str, generator: str, title: str,
                                                    job_id: str) -> None:
    try:
        name = render_name(template, generator=generator, title=title,
                           created=datetime(2026, 11, 25, tzinfo=UTC), job_id=job_id)
    except DownloadError as exc:
        assert str(exc)
        return
    _plain(name)


def _fits(name: str) -> bool:
    """The app only gives ``target_in`` rendered names (at most 120 characters); a longer one
    is refused by the file system itself (``OSError``: name too long)."""
    return len(name.encode("utf-8", "surrogatepass")) <= 255


@hostile
@given(name=hostile_names.filter(_fits))
def test_a_target_is_inside_the_folder_or_refused(name: str) -> None:
    tree = Tree()
    try:
        try:
            target = target_in(tree.out, name)
        except DownloadError as exc:
            assert str(exc)
        else:
            assert target.resolve().parent == tree.out.resolve()
        assert tree.changes() == []
    finally:
        tree.close()


def _mock(redirect: str | None) -> httpx.AsyncClient:
    def answer(request: httpx.Request) -> httpx.Response:
        if redirect is not None and not request.url.path.startswith("/final"):
            return httpx.Response(302, headers=[(b"Location", redirect.encode(
                "utf-8", "surrogatepass").replace(b"\r", b"").replace(b"\n", b""))])
        return httpx.Response(200, stream=httpx.ByteStream(BODY),
                              headers={"Content-Type": "video/mp4",
                                       "Content-Length": str(len(BODY))})
    return httpx.AsyncClient(transport=httpx.MockTransport(answer))


@hostile
@given(url=hostile_urls, redirect=st.one_of(st.none(), hostile_urls,
                                            st.just("http://cdn.example.com/final.mp4")),
       name=hostile_names.filter(_fits))
def test_a_result_url_of_any_scheme_is_saved_inside_or_refused(url: str, redirect: str | None,
                                                               name: str) -> None:
    tree = Tree()
    try:
        try:
            target = target_in(tree.out, name)
        except DownloadError:
            target = tree.out / "result.mp4"

        async def fetch() -> Any:
            async with _mock(redirect) as web:
                return await fetch_resumable(web, url, target)

        try:
            result = asyncio.run(fetch())
        except DownloadError as exc:
            assert str(exc)
            scheme = url.strip().split(":", 1)[0].lower()
            if scheme not in ("http", "https"):
                assert list(tree.out.iterdir()) == []  # refused before anything was written
        else:
            assert result.path.parent == tree.out and result.path.read_bytes() == BODY
        assert tree.changes() == []
    finally:
        tree.close()


class _Files(http.server.BaseHTTPRequestHandler):
    """``/ok...`` is a small video; anything else is 404 (an expired link)."""

    protocol_version = "HTTP/1.1"
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.path.startswith("/ok"):
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4")
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def files() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def _save(tree: Tree, base: str, generator: str, title: str, url: str, template: str,
                download_path: str | None) -> tuple[Any, list[str]]:
    crashes: list[str] = []
    client = CreatifyClient("ws_hostile", "sk-hostile-0123456789abcdef", base_url=base,
                            retry=RetryPolicy(attempts=1), timeout=3)
    ledger = Ledger(tree.state / "jobs.sqlite3")
    try:
        try:
            record = ledger.begin_submit(generator=generator, resource="text_to_speech",
                                         flow="create", title=title, request={},
                                         estimate=None, balance_before=None)
        except (LedgerError, ValueError):
            return None, crashes
        ledger.mark_created(record.key, JobSnapshot(
            resource="text_to_speech", id="00000000-0000-4000-8000-0000000000aa",
            status=JobStatus.DONE, raw_status="done", result_urls=(url,)))
        if download_path is not None:
            ledger.set_download(record.key, DownloadState.DOWNLOADING, path=download_path)
        manager = JobManager(client, ledger, tree.out, name_template=template,
                             on_error=lambda task, exc: crashes.append(f"{task}: {exc!r}"))
        try:
            await asyncio.wait_for(manager.download(record.key), 20)
        except Exception as exc:
            crashes.append(repr(exc))
        await manager.aclose()
        return ledger.get(record.key), crashes
    finally:
        ledger.close()
        await client.aclose()


def test_a_hostile_job_is_saved_inside_the_output_folder_or_fails_with_a_message(
        files: str) -> None:
    urls = st.one_of(
        hostile_urls.filter(lambda u: not u.strip().lower().startswith(("http:", "https:"))),
        st.builds(lambda path: f"{files}/ok/{path}", hostile_names),
        st.builds(lambda path: f"{files}/{path}", hostile_names),
        st.sampled_from([f"{files}/ok/../../../../etc/passwd", f"{files}/ok/%2e%2e/x.mp4",
                         f"{files}/ok/x.mp4?name=../../evil.mp4", f"{files}/gone.mp4"]))

    @hostile
    @given(generator=hostile_names, title=hostile_names, url=urls,
           template=st.sampled_from([*TEMPLATES[:3], "{generator}{time}"]),
           # A path in the ledger is one the app wrote: odd, but never with a NUL in it.
           download_path=st.one_of(st.none(), hostile_names,
                                   hostile_names.map(lambda name: "out:" + name)).filter(
                                       lambda p: p is None or "\x00" not in p))
    def check(generator: str, title: str, url: str, template: str,
              download_path: str | None) -> None:
        tree = Tree()
        try:
            if download_path is not None and download_path.startswith("out:"):
                download_path = str(tree.out / download_path[4:])
            record, crashes = asyncio.run(_save(tree, files, generator, title, url, template,
                                                download_path))
            assume(record is not None)
            assert crashes == []
            assert record.download_state in (DownloadState.DONE, DownloadState.FAILED), \
                record.download_state
            if record.download_state is DownloadState.FAILED:
                assert record.download_error and record.download_error.strip()
            else:
                saved = Path(record.download_path or "")
                assert saved.parent == tree.out and saved.read_bytes() == BODY
            assert tree.changes() == [], tree.changes()
        finally:
            tree.close()

    check()

