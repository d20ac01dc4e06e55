""""Sent exactly once" over real loopback sockets: a server that reads the request and hangs up.

No sandbox and no MockTransport: the real httpx/httpcore stack talks TCP to a tiny stdlib
server that records each full HTTP request and then closes (FIN), resets (RST via
SO_LINGER 1,0) or holds the connection without ever answering.
"""

from __future__ import annotations

import json
import logging
import socket
import struct
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from app.api.client import CreatifyClient, RetryPolicy
from app.api.errors import (
    AmbiguousCreateError,
    ConnectionFailedError,
    TimeoutFailedError,
)

pytestmark = pytest.mark.e2e

API_ID = "e2e-workspace"
API_KEY = "sk-e2e-" + uuid.uuid4().hex
BODY = {"link": "5b7c2a0e-8a51-4a1e-9d2b-1c3f4e5a6b7c", "name": "Mug ad – ünïcode",
        "video_length": 30, "aspect_ratio": "9x16", "override_script": "word " * 400}
JOB_ID = "3f2b9c1e-7a4d-4e8b-9c1a-2b3c4d5e6f70"


@dataclass(frozen=True)
class RawRequest:
    request_line: str
    headers: dict[str, str]
    body: bytes

    @property
    def method(self) -> str:
        return self.request_line.split(" ")[0]

    @property
    def target(self) -> str:
        return self.request_line.split(" ")[1]


class SilentServer:
    """Accepts connections, reads one whole request each, records it, never answers.

    ``mode``: ``"close"`` (orderly FIN), ``"rst"`` (abortive close) or ``"hang"`` (keep the
    connection open without a byte until the server stops).
    """

    def __init__(self, mode: str) -> None:
        assert mode in ("close", "rst", "hang")
        self.mode = mode
        self.requests: list[RawRequest] = []
        self.connections = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name=f"silent-{mode}", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            try:
                self._handle(conn)
            except OSError:
                conn.close()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                conn.close()
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        self.requests.append(RawRequest(lines[0], headers, body))
        if self.mode == "hang":
            self._held.append(conn)
            return
        if self.mode == "rst":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()
        for conn in self._held:
            conn.close()


@pytest.fixture(params=["close", "rst"])
def hangup_server(request: pytest.FixtureRequest) -> Iterator[SilentServer]:
    server = SilentServer(request.param)
    yield server
    server.close()


@pytest.fixture
def hang_server() -> Iterator[SilentServer]:
    server = SilentServer("hang")
    yield server
    server.close()


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def client_for(url: str, *, attempts: int = 3, timeout: float = 5.0,
               sleeps: Sleeps | None = None) -> CreatifyClient:
    return CreatifyClient(API_ID, API_KEY, base_url=url, timeout=timeout,
                          retry=RetryPolicy(attempts=attempts, base_delay=0.01, max_delay=0.02),
                          sleep=sleeps or Sleeps())


def assert_full_post(raw: RawRequest, path: str, body: dict[str, Any]) -> None:
    assert raw.method == "POST"
    assert raw.target == path
    assert raw.request_line.endswith("HTTP/1.1")
    assert raw.headers["x-api-id"] == API_ID
    assert raw.headers["x-api-key"] == API_KEY
    assert raw.headers["content-type"] == "application/json"
    assert int(raw.headers["content-length"]) == len(raw.body)
    assert len(raw.body) > 2000  # the whole body arrived, not just the first segment
    assert json.loads(raw.body) == body


async def test_create_whose_answer_is_lost_is_ambiguous_and_sent_once(
        hangup_server: SilentServer) -> None:
    sleeps = Sleeps()
    async with client_for(hangup_server.url, sleeps=sleeps) as client:
        with pytest.raises(AmbiguousCreateError) as info:
            await client.create("link_to_videos", BODY)
        assert client.requests_sent == 1
    assert len(hangup_server.requests) == 1
    assert hangup_server.connections == 1
    assert_full_post(hangup_server.requests[0], "/api/link_to_videos/", BODY)
    assert sleeps.waits == []
    assert "may or may not" in info.value.message
    assert API_KEY not in info.value.message
    # FIN before any answer is a protocol error; an RST is a read error (ECONNRESET)
    expected = {"close": "RemoteProtocolError", "rst": "ReadError"}[hangup_server.mode]
    assert type(info.value.cause).__name__ == expected


async def test_render_whose_answer_is_lost_is_ambiguous_and_sent_once(
        hangup_server: SilentServer) -> None:
    async with client_for(hangup_server.url) as client:
        with pytest.raises(AmbiguousCreateError):
            await client.render("link_to_videos", JOB_ID)
    assert [r.target for r in hangup_server.requests] == [f"/api/link_to_videos/{JOB_ID}/render/"]
    assert hangup_server.requests[0].body == b""


async def test_create_link_whose_answer_is_lost_is_sent_once(
        hangup_server: SilentServer) -> None:
    async with client_for(hangup_server.url) as client:
        with pytest.raises(AmbiguousCreateError):
            await client.create_link("https://shop.example.com/mug")
    assert len(hangup_server.requests) == 1
    assert json.loads(hangup_server.requests[0].body) == {"url": "https://shop.example.com/mug"}


async def test_stream_whose_answer_is_lost_is_ambiguous_and_sent_once(
        hangup_server: SilentServer) -> None:
    async with client_for(hangup_server.url) as client:
        with pytest.raises(AmbiguousCreateError):
            async for _ in client.text_generate_stream({"model_name": "gemini-2.5-flash",
                                                        "messages": []}):
                pass
    assert len(hangup_server.requests) == 1
    assert hangup_server.requests[0].target == "/sse/text_generator/stream/"


async def test_get_is_retried_then_gives_up(hangup_server: SilentServer) -> None:
    sleeps = Sleeps()
    async with client_for(hangup_server.url, attempts=3, sleeps=sleeps) as client:
        with pytest.raises((ConnectionFailedError, TimeoutFailedError)) as info:
            await client.get_job("aurora", JOB_ID)
        assert client.requests_sent == 3
    assert not isinstance(info.value, AmbiguousCreateError)
    assert len(hangup_server.requests) == 3
    assert all(r.method == "GET" and r.target == f"/api/aurora/{JOB_ID}/"
               for r in hangup_server.requests)
    assert all(r.headers["x-api-key"] == API_KEY for r in hangup_server.requests)
    assert len(sleeps.waits) == 2


async def test_list_with_ids_is_retried_with_the_same_query(
        hangup_server: SilentServer) -> None:
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(3)]
    async with client_for(hangup_server.url, attempts=2) as client:
        with pytest.raises(ConnectionFailedError):
            await client.list_jobs("lipsyncs", ids)
    targets = [r.target for r in hangup_server.requests]
    assert len(targets) == 2
    assert targets[0] == targets[1]
    assert targets[0].startswith("/api/lipsyncs/?ids=")


async def test_create_on_a_server_that_never_answers_times_out_ambiguous(
        hang_server: SilentServer) -> None:
    async with client_for(hang_server.url, timeout=0.3) as client:
        with pytest.raises(AmbiguousCreateError) as info:
            await client.create("link_to_videos", BODY)
    assert len(hang_server.requests) == 1
    assert_full_post(hang_server.requests[0], "/api/link_to_videos/", BODY)
    assert "ReadTimeout" in info.value.message


async def test_get_on_a_server_that_never_answers_times_out_after_retries(
        hang_server: SilentServer) -> None:
    sleeps = Sleeps()
    async with client_for(hang_server.url, attempts=2, timeout=0.3, sleeps=sleeps) as client:
        with pytest.raises(TimeoutFailedError):
            await client.remaining_credits()
    assert len(hang_server.requests) == 2
    assert len(sleeps.waits) == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_post_with_nothing_listening_is_connection_failed_nothing_sent() -> None:
    sleeps = Sleeps()
    async with client_for(f"http://127.0.0.1:{_free_port()}", sleeps=sleeps) as client:
        with pytest.raises(ConnectionFailedError) as info:
            await client.create("link_to_videos", BODY)
        assert client.requests_sent == 1
    assert not isinstance(info.value, AmbiguousCreateError)
    assert "nothing was sent" in info.value.message
    assert sleeps.waits == []


async def test_get_with_nothing_listening_is_retried_then_connection_failed() -> None:
    sleeps = Sleeps()
    async with client_for(f"http://127.0.0.1:{_free_port()}", attempts=3,
                          sleeps=sleeps) as client:
        with pytest.raises(ConnectionFailedError):
            await client.get_job("aurora", JOB_ID)
        assert client.requests_sent == 3
    assert len(sleeps.waits) == 2


async def test_no_log_record_over_real_sockets_contains_the_key(
        hangup_server: SilentServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "app"):
        caplog.set_level(logging.DEBUG, logger=name)
    async with client_for(hangup_server.url, attempts=2) as client:
        with pytest.raises(AmbiguousCreateError):
            await client.create("aurora", {"image": "i", "audio": "a"})
        with pytest.raises(ConnectionFailedError):
            await client.get_job("aurora", JOB_ID)
    assert len(hangup_server.requests) == 3
    assert any(r.name.startswith("httpcore") for r in caplog.records)
    for record in caplog.records:
        assert API_KEY not in record.getMessage()
        assert API_KEY not in repr(record.args)
        if record.exc_info:
            assert API_KEY not in logging.Formatter().formatException(record.exc_info)
    assert API_KEY not in caplog.text


# --- Retry-After: one 429 holds every later request of the client, in real time ------------------


class ThrottlingServer:
    """Answers the first request 429 with ``Retry-After`` and every later one 200/201, recording
    when each request arrived (monotonic seconds)."""

    def __init__(self, retry_after: int) -> None:
        import time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.arrivals: list[tuple[str, str, float]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                outer.arrivals.append((self.command, self.path, time.monotonic()))
                if len(outer.arrivals) == 1:
                    status, body = 429, {"detail": "Request was throttled."}
                    extra = {"Retry-After": str(retry_after)}
                elif self.command == "POST":
                    status, body, extra = 201, {"id": JOB_ID, "status": "pending"}, {}
                else:
                    status, body, extra = 200, {"remaining_credits": 42}, {}
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json",
                                    "Content-Length": str(len(data)), **extra}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


async def test_a_429_on_a_paid_post_holds_every_later_request_for_retry_after() -> None:
    from app.api.errors import RateLimitedError
    server = ThrottlingServer(retry_after=1)
    try:
        async with CreatifyClient(API_ID, API_KEY, base_url=server.url) as client:
            with pytest.raises(RateLimitedError):
                await client.create("link_to_videos", BODY)
            assert await client.remaining_credits() == 42        # a free read waits
            await client.create("link_to_videos", BODY)           # and so does a paid POST
    finally:
        server.close()
    (m1, _, t1), (m2, _, t2), (m3, _, t3) = server.arrivals
    assert (m1, m2, m3) == ("POST", "GET", "POST")  # the throttled POST was not sent again
    assert t2 - t1 >= 0.95
    assert t3 - t1 >= 0.95
