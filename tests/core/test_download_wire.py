"""The fast download route (:class:`app.downloads.FileFetcher`: the whole transfer in a worker
thread) keeps every rule of :func:`fetch_resumable`, and neither route writes, fsyncs or renames
on the event loop's thread (the GUI thread). Real loopback HTTP: the simulator and tiny socket
servers; real files."""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import io
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any, ClassVar

import httpx
import pytest

from app.downloads import (
    DownloadError,
    DownloadResult,
    ExpiredURLError,
    FileFetcher,
    fetch_resumable,
)
from app.sandbox import Sandbox, media
from tests.e2e.test_downloads import PAYLOAD, Recorder, TinyServer, leftovers
from tests.e2e.test_downloads import tiny as tiny  # the fixture, reused

SAMPLE = media.VIDEO.path.read_bytes()
FAST = FileFetcher(connect_timeout=5, read_timeout=10)
posix = sys.modules.get("posix") or sys.modules.get("nt")  # where os.write and os.fsync live


@pytest.fixture(scope="module")
def simulator() -> Iterator[Sandbox]:
    with Sandbox(speed=2000, seed=7) as server:
        yield server


class LoopWrites:
    """Every file write, fsync, truncate or rename called from Python on the thread that
    watches (a profile hook sees each call of a built-in function)."""

    NAMES = frozenset({"write", "writev", "writelines", "fsync", "fdatasync", "ftruncate",
                       "truncate", "replace", "rename", "flush"})

    def __init__(self) -> None:
        self.seen: list[str] = []

    def _hook(self, frame: FrameType, event: str, arg: Any) -> None:
        if event != "c_call" or getattr(arg, "__name__", "") not in self.NAMES:
            return
        owner = getattr(arg, "__self__", None)
        in_memory = isinstance(owner, io.BytesIO | io.StringIO)  # httpx's own buffers
        if owner in (os, posix):
            self.seen.append(f"os.{arg.__name__}")
        elif isinstance(owner, io.IOBase) and not in_memory:
            self.seen.append(f"{type(owner).__name__}.{arg.__name__}")

    def __enter__(self) -> LoopWrites:
        sys.setprofile(self._hook)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.setprofile(None)


class Recorded(Recorder):
    """A progress callback that also notes the thread it was called on."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: set[int] = set()

    def __call__(self, done: int, total: int | None) -> None:
        self.threads.add(threading.get_ident())
        super().__call__(done, total)


class Stalled:
    """Announces ``size`` bytes, sends ``sent`` of them, then holds the connection open."""

    def __init__(self, size: int = 1_000_000, sent: int = 1000) -> None:
        self.size, self.sent = size, sent
        self.release = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/stalled.mp4"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            conn, _ = self._listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {self.size}\r\n"
                             "Content-Type: video/mp4\r\n\r\n".encode() + PAYLOAD[:self.sent])
                self.release.wait(30)

    def close(self) -> None:
        self.release.set()
        self._thread.join(5)
        self._listener.close()


@pytest.fixture
def stalled() -> Iterator[Stalled]:
    server = Stalled()
    yield server
    server.close()


class _Redirect(http.server.BaseHTTPRequestHandler):
    """``/to?<url>`` answers 302 to ``<url>``; ``/final`` is the payload."""

    protocol_version = "HTTP/1.1"
    seen: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("Range")))
        if self.path.startswith("/to?"):
            self.send_response(302)
            self.send_header("Location", self.path[4:])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        self.wfile.write(PAYLOAD)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def redirects() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


async def written(part: Path, size: int) -> None:
    """Wait (5 s at most) until ``part`` holds ``size`` bytes, and a little more."""
    deadline = time.monotonic() + 5
    while (not part.exists() or part.stat().st_size < size) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)


def transfer_threads(name: str, within: float = 1.0) -> list[str]:
    """Worker threads of the transfer into ``name`` still alive ``within`` seconds from now
    (the worker hands its outcome over just before it returns: it may take a moment more to
    end)."""
    deadline = time.monotonic() + within
    while True:
        alive = [t for t in threading.enumerate() if t.name == f"download {name}"]
        if not alive or time.monotonic() >= deadline:
            return [t.name for t in alive]
        alive[0].join(timeout=max(deadline - time.monotonic(), 0.0))


# ---- nothing written on the loop's thread ---------------------------------------------------


@pytest.mark.parametrize("route", ["wire", "httpx"])
async def test_no_write_fsync_or_rename_on_the_loop_thread(simulator: Sandbox, tmp_path: Path,
                                                           route: str) -> None:
    size = 6 << 20  # several 1 MiB batches and reads
    target = tmp_path / "big.bin"
    (tmp_path / "big.bin.part").write_bytes(b"".join(media.synthetic_chunks(0, 12_345)))
    progress = Recorded()
    async with httpx.AsyncClient(timeout=10) as web:
        client = FAST if route == "wire" else web
        with LoopWrites() as loop_writes:
            result = await fetch_resumable(client, media.synthetic_url(simulator.base_url, size),
                                           target, progress=progress)
    assert loop_writes.seen == []
    assert (result.bytes, result.resumed_from, result.path) == (size, 12_345, target)
    assert target.read_bytes() == b"".join(media.synthetic_chunks(0, size))
    assert progress.threads == {threading.get_ident()}  # reports come on the loop's thread
    progress.assert_monotonic_to(size)


def test_the_watch_sees_writes_on_its_thread(tmp_path: Path) -> None:
    """The check above can fail: buffered and raw writes and an fsync are all seen."""
    with LoopWrites() as loop_writes, (tmp_path / "x").open("wb") as out:
        out.write(b"x")
        out.flush()
        os.fsync(out.fileno())
    assert {"BufferedWriter.write", "BufferedWriter.flush", "os.fsync"} <= set(loop_writes.seen)


# ---- the fast route keeps the rules ----------------------------------------------------------


async def test_full_download_and_range_resume(simulator: Sandbox, tmp_path: Path) -> None:
    url = f"{simulator.base_url}/media/job1/output.mp4"
    progress = Recorded()
    first = await fetch_resumable(FAST, url, tmp_path / "clip.mp4", progress=progress)
    assert first == DownloadResult(tmp_path / "clip.mp4", len(SAMPLE), 0, "video/mp4")
    assert progress.calls[0] == (0, len(SAMPLE))
    progress.assert_monotonic_to(len(SAMPLE))
    (tmp_path / "again.mp4.part").write_bytes(SAMPLE[:5000])
    before = len(simulator.request_log)
    resumed = await fetch_resumable(FAST, url, tmp_path / "again.mp4")
    assert simulator.request_log[before:] == [("GET", "/media/job1/output.mp4")]
    assert (resumed.resumed_from, resumed.bytes) == (5000, len(SAMPLE))
    assert (tmp_path / "again.mp4").read_bytes() == SAMPLE
    assert leftovers(tmp_path) == ["again.mp4", "clip.mp4"]


async def test_interrupted_transfer_resumes_with_range(tiny: Callable[..., TinyServer],
                                                       tmp_path: Path) -> None:
    server = tiny(cut_first=True, cut_at=1000)
    target = tmp_path / "result.mp4"
    with pytest.raises(DownloadError, match="after 1,000 bytes") as info:
        await fetch_resumable(FAST, server.url, target)
    assert info.value.resumable and (tmp_path / "result.mp4.part").read_bytes() == PAYLOAD[:1000]
    progress = Recorded()
    result = await fetch_resumable(FAST, server.url, target, progress=progress)
    assert [r.get("range") for r in server.requests] == [None, "bytes=1000-"]
    assert all(r["accept-encoding"] == "identity" for r in server.requests)
    assert result == DownloadResult(target, 100_000, 1000, "video/mp4")
    assert target.read_bytes() == PAYLOAD and leftovers(tmp_path) == ["result.mp4"]
    assert progress.calls[0] == (1000, 100_000)


async def test_short_ranges_ignored_ranges_and_a_whole_part(tiny: Callable[..., TinyServer],
                                                            tmp_path: Path) -> None:
    short = tiny(range_cap=30_000)
    (tmp_path / "a.mp4.part").write_bytes(PAYLOAD[:1])
    result = await fetch_resumable(FAST, short.url, tmp_path / "a.mp4")
    assert [r.get("range") for r in short.requests] == [
        "bytes=1-", "bytes=30001-", "bytes=60001-", "bytes=90001-"]
    assert result.resumed_from == 1 and (tmp_path / "a.mp4").read_bytes() == PAYLOAD
    ignoring = tiny(ranges=False)
    (tmp_path / "b.mp4.part").write_bytes(b"?" * 70_000)
    result = await fetch_resumable(FAST, ignoring.url, tmp_path / "b.mp4")
    assert result.resumed_from == 0 and (tmp_path / "b.mp4").read_bytes() == PAYLOAD
    whole = tiny()
    (tmp_path / "c.mp4.part").write_bytes(PAYLOAD)
    progress = Recorded()
    result = await fetch_resumable(FAST, whole.url, tmp_path / "c.mp4", progress=progress)
    assert len(whole.requests) == 1 and result.resumed_from == result.bytes == 100_000
    assert progress.calls == [(100_000, 100_000)]
    longer = tiny()
    (tmp_path / "d.mp4.part").write_bytes(PAYLOAD + b"stale tail")
    result = await fetch_resumable(FAST, longer.url, tmp_path / "d.mp4")
    assert [r.get("range") for r in longer.requests] == ["bytes=100010-", None]
    assert result.resumed_from == 0 and (tmp_path / "d.mp4").read_bytes() == PAYLOAD


@pytest.mark.parametrize(("status", "expired", "resumable"), [
    (403, True, False), (404, True, False), (410, True, False), (500, False, True),
    (429, False, True), (400, False, False), (204, False, False), (301, False, False)])
async def test_answers_that_are_not_a_file(tiny: Callable[..., TinyServer], tmp_path: Path,
                                           status: int, expired: bool, resumable: bool) -> None:
    server = tiny(status=status)
    with pytest.raises(DownloadError, match=f"HTTP {status}") as info:
        await fetch_resumable(FAST, server.url, tmp_path / "r.mp4")
    assert isinstance(info.value, ExpiredURLError) is expired
    assert info.value.resumable is resumable and not (tmp_path / "r.mp4").exists()


async def test_limits_encoding_and_odd_parts(tiny: Callable[..., TinyServer],
                                             tmp_path: Path) -> None:
    endless, announced, gzipped = tiny(endless=True), tiny(), tiny(encoding="gzip")
    with pytest.raises(DownloadError, match="larger than the limit of 1,000,000"):
        await fetch_resumable(FAST, endless.url, tmp_path / "e.mp4", max_bytes=1_000_000)
    with pytest.raises(DownloadError, match="larger than the limit"):
        await fetch_resumable(FAST, announced.url, tmp_path / "a.mp4", max_bytes=99_999)
    with pytest.raises(DownloadError, match="compressed"):
        await fetch_resumable(FAST, gzipped.url, tmp_path / "g.mp4")
    assert leftovers(tmp_path) == []
    outside = tmp_path / "outside.bin"
    outside.write_bytes(b"precious")
    (tmp_path / "s.mp4.part").symlink_to(outside)
    with pytest.raises(DownloadError, match="not a regular file"):
        await fetch_resumable(FAST, announced.url, tmp_path / "s.mp4")
    assert outside.read_bytes() == b"precious"


async def test_redirects_only_to_web_addresses(redirects: str, tmp_path: Path) -> None:
    result = await fetch_resumable(FAST, f"{redirects}/to?{redirects}/final", tmp_path / "r.mp4")
    assert result.bytes == 100_000 and (tmp_path / "r.mp4").read_bytes() == PAYLOAD
    for elsewhere in ("file:///etc/passwd", "ftp://example.com/x.mp4"):
        with pytest.raises(DownloadError, match="redirected") as info:
            await fetch_resumable(FAST, f"{redirects}/to?{elsewhere}", tmp_path / "x.mp4")
        assert not info.value.resumable
    assert leftovers(tmp_path) == ["r.mp4"]


async def test_network_failures_are_resumable(stalled: Stalled, tmp_path: Path) -> None:
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(DownloadError, match="interrupted") as refused:
        await fetch_resumable(FAST, f"http://127.0.0.1:{port}/x.mp4", tmp_path / "x.mp4")
    assert refused.value.resumable
    impatient = FileFetcher(connect_timeout=5, read_timeout=0.3)
    started = time.monotonic()
    with pytest.raises(DownloadError, match=r"interrupted.*after 1,000 bytes") as timed_out:
        await fetch_resumable(impatient, stalled.url, tmp_path / "s.mp4")
    assert timed_out.value.resumable and time.monotonic() - started < 5
    assert (tmp_path / "s.mp4.part").read_bytes() == PAYLOAD[:1000]


async def test_cancelling_stops_a_blocked_read_and_keeps_the_part(stalled: Stalled,
                                                                  tmp_path: Path) -> None:
    progress = Recorded()
    task = asyncio.create_task(fetch_resumable(FAST, stalled.url, tmp_path / "s.mp4",
                                               progress=progress))
    await written(tmp_path / "s.mp4.part", 1000)  # then the worker blocks in a read (10 s)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 2
    assert (tmp_path / "s.mp4.part").read_bytes() == PAYLOAD[:1000]
    assert transfer_threads("s.mp4") == []  # the worker has ended: the .part is closed
    impatient = FileFetcher(connect_timeout=5, read_timeout=0.3)  # nobody answers any more
    with pytest.raises(DownloadError, match="after 1,000 bytes"):  # the name is free again
        await fetch_resumable(impatient, stalled.url, tmp_path / "s.mp4")


async def test_one_transfer_per_name_and_never_overwrite(tiny: Callable[..., TinyServer],
                                                         tmp_path: Path) -> None:
    server = tiny(pieces=20, interval=0.01)
    target = tmp_path / "r.mp4"
    started = asyncio.Event()
    first = asyncio.create_task(fetch_resumable(FAST, server.url, target,
                                                progress=lambda done, total: started.set()))
    await asyncio.wait_for(started.wait(), 5)
    with pytest.raises(DownloadError, match="already being downloaded"):
        await fetch_resumable(FAST, server.url, target)
    target.write_bytes(b"appeared meanwhile")
    result = await first
    assert result.path == tmp_path / "r (2).mp4" and result.path.read_bytes() == PAYLOAD
    assert target.read_bytes() == b"appeared meanwhile"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://h/x.mp4", "http:///nohost"])
async def test_other_schemes_are_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(DownloadError, match="Refusing") as info:
        await fetch_resumable(FAST, url, tmp_path / "out" / "x.mp4")
    assert not info.value.resumable and leftovers(tmp_path) == []


# ---- https ------------------------------------------------------------------------------------


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made now (nothing kept in the repository)."""
    crypto = pytest.importorskip("cryptography")
    del crypto
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class _Slow(_Redirect):
    """``/stall`` sends 1000 of the bytes it announces, then waits to be let go."""

    let_go = threading.Event()

    def do_GET(self) -> None:
        if self.path != "/stall":
            super().do_GET()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        self.wfile.write(PAYLOAD[:1000])
        self.wfile.flush()
        self.let_go.wait(10)


async def test_https_checks_the_certificate_and_cancels_a_blocked_read(tmp_path: Path) -> None:
    import ssl

    cert, key = _self_signed(tmp_path)
    serving = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    serving.load_cert_chain(cert, key)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    server.daemon_threads = True
    server.socket = serving.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"https://127.0.0.1:{server.server_address[1]}"
    out = tmp_path / "out"
    try:
        with pytest.raises(DownloadError, match="interrupted") as untrusted:
            await fetch_resumable(FAST, f"{base}/final", out / "a.mp4")  # certifi's roots
        assert untrusted.value.resumable and "SSLCertVerificationError" in str(untrusted.value)
        trusting = FileFetcher(connect_timeout=5, read_timeout=10,
                               tls=ssl.create_default_context(cafile=str(cert)))
        result = await fetch_resumable(trusting, f"{base}/final", out / "a.mp4")
        assert result.bytes == 100_000 and (out / "a.mp4").read_bytes() == PAYLOAD
        progress = Recorded()
        task = asyncio.create_task(fetch_resumable(trusting, f"{base}/stall", out / "s.mp4",
                                                   progress=progress))
        await written(out / "s.mp4.part", 1000)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.monotonic() - started < 2
        assert transfer_threads("s.mp4") == []
        assert (out / "s.mp4.part").read_bytes() == PAYLOAD[:1000]
    finally:
        _Slow.let_go.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "data:text/plain,hi", "ftp://h/x"])
def test_the_fetcher_itself_opens_nothing_but_the_web(tmp_path: Path, url: str) -> None:
    """Below fetch_resumable's own check: the fetcher has no file:, data: or ftp: handler."""
    with pytest.raises(DownloadError, match="unknown url type"):
        FAST.receive(url, tmp_path / "x.part", 0, FAST.line(), lambda *report: None, None)
    assert leftovers(tmp_path) == []
