"""The sandbox's HTTP server: a threading HTTP/1.1 server and its request handler.

It moves bytes and applies the transport faults; every decision about the API itself is the
:class:`~app.sandbox.world.World`'s. Per request: read it, ask the world which faults it
suffers (``World.admit``), sleep the latency (never holding the world's lock), then reset the
connection, answer a 5xx/429, or serve it — ``/media/...`` sample files and synthetic files of
any size (streamed as they are made; both with HTTP ranges) and ``/preview/<id>/`` pages here,
everything else through ``World.handle``.

Every answer has a Content-Length and connections are kept alive, except the text
generator's event stream (chunked, then the connection closes). A "reset" is a real TCP RST:
``SO_LINGER`` (on, 0 s) and close, with nothing written. Only loopback clients are served.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import re
import socket
import socketserver
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from app.sandbox import media
from app.sandbox.wire import FaultPlan, Request, Response
from app.sandbox.world import World

__all__ = ["IDLE_TIMEOUT", "MAX_BODY", "MAX_UPLOAD_BODY", "SandboxHTTPServer", "is_loopback"]

log = logging.getLogger("app.sandbox.server")  # one logger for the HTTP layer

MAX_BODY = 16 * 1024 * 1024
MAX_UPLOAD_BODY = 512 * 1024 * 1024
"""A custom avatar's training video (``POST /api/personas_v2/``, multipart) may be this large;
it is held in memory while it is read (the simulator keeps no file of it)."""
UPLOAD_PATHS = frozenset({"/api/personas_v2/"})
IDLE_TIMEOUT = 120.0
"""Seconds an idle keep-alive connection is kept open."""

_GATEWAY_PAGES = {
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
}


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (the sandbox never listens further)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _seconds_text(seconds: float) -> str:
    return str(int(seconds)) if seconds == int(seconds) else f"{seconds:g}"


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "CreatifySandbox/1.0"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = IDLE_TIMEOUT
    server: SandboxHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is the world's."""

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    # ---- one request ------------------------------------------------------------------------

    def _serve(self) -> None:
        try:
            self._serve_one()
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception:
            log.exception("sandbox: unexpected error answering %s %s", self.command, self.path)
            self.close_connection = True
            with contextlib.suppress(OSError):
                self._send(500, _json_bytes({"detail": "A server error occurred."}))

    def _serve_one(self) -> None:
        body = self._read_body()
        if body is None:
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Request(self.command, self.path, headers, body)
        world = self.server.world
        plan = world.admit(request)
        if plan.latency > 0:
            time.sleep(plan.latency)
        if plan.reset_before:
            world.record_unanswered(request, 0)
            self._reset()
            return
        if plan.status is not None:
            world.record_unanswered(request, plan.status)
            self._send_fault(plan)
            return
        if request.path.startswith("/media/"):
            self._send_media(request)
        elif request.path.startswith("/preview/"):
            self._send_preview(request)
        else:
            response = world.handle(request, lost=plan.reset_after)
            if plan.reset_after:
                self._reset()
            elif response.events is not None:
                self._send_events(response)
            else:
                if response.delay > 0:
                    time.sleep(response.delay)
                self._send_response(response, plan)

    def _read_body(self) -> bytes | None:
        """The request body (Content-Length or chunked); ``None`` after answering an error."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        raw_length = self.headers.get("Content-Length")
        if raw_length is None:
            return b""
        try:
            length = int(raw_length)
        except ValueError:
            length = -1
        limit = self._body_limit()
        if not 0 <= length <= limit:
            self.close_connection = True
            self._send(413 if length > limit else 400,
                       _json_bytes({"detail": "Bad Content-Length."}))
            return None
        return self.rfile.read(length)

    def _body_limit(self) -> int:
        return MAX_UPLOAD_BODY if self.path.split("?")[0] in UPLOAD_PATHS else MAX_BODY

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        size = 0
        while True:
            line = self.rfile.readline(1024)
            chunk = int(line.split(b";", 1)[0].strip() or b"0", 16)
            if chunk == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            size += chunk
            if size > self._body_limit():
                raise ConnectionError("request body too large")
            parts.append(self.rfile.read(chunk))
            self.rfile.readline(8)

    # ---- answers ----------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        self._send_head(status, len(body), content_type, headers)
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _send_head(self, status: int, length: int, content_type: str,
                   headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    def _send_response(self, response: Response, plan: FaultPlan) -> None:
        body = b"" if response.body is None else _json_bytes(response.body)
        if plan.malformed and 200 <= response.status < 300 and body:
            body = body[:max(1, len(body) // 2)]  # a cut object/array is never valid JSON
        self._send(response.status, body, headers=response.headers)

    def _send_fault(self, plan: FaultPlan) -> None:
        assert plan.status is not None
        if plan.status == 429:
            wait = _seconds_text(plan.retry_after)
            self._send(429, _json_bytes({"detail": "Request was throttled. Expected available "
                                                   f"in {wait} seconds."}),
                       headers={"Retry-After": wait})
        elif plan.status in _GATEWAY_PAGES:
            title = _GATEWAY_PAGES[plan.status]
            page = (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
                    f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
                    "</body>\r\n</html>\r\n")
            self._send(plan.status, page.encode(), "text/html")
        else:
            self._send(plan.status, _json_bytes({"detail": "A server error occurred."}))

    def _send_events(self, response: Response) -> None:
        """``text/event-stream``, chunked, one ``data:`` event per chunk, then close."""
        assert response.events is not None
        self.close_connection = True
        self.send_response(response.status)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        for event in response.events:
            if response.event_interval > 0:
                time.sleep(response.event_interval)
            payload = b"data: " + _json_bytes(event) + b"\n\n"
            self.wfile.write(b"%x\r\n%s\r\n" % (len(payload), payload))
        self.wfile.write(b"0\r\n\r\n")

    def _send_media(self, request: Request) -> None:
        located = media.parse_media_path(request.path)
        synthetic = media.synthetic_size(*located) if located is not None else None
        sample = media.sample_for(located[1]) if located is not None else None
        if synthetic is None and sample is None:
            self._send(404, _json_bytes({"detail": "Not found."}))
            return
        if request.method not in ("GET", "HEAD"):
            self._send(405, _json_bytes({"detail": f'Method "{request.method}" not allowed.'}),
                       headers={"Allow": "GET, HEAD"})
            return
        if synthetic is not None:
            self._send_synthetic(synthetic)
            return
        assert sample is not None
        data = sample.read()
        size = len(data)
        headers = {"Accept-Ranges": "bytes", "Cache-Control": "public, max-age=86400"}
        wanted = _parse_range(self.headers.get("Range"), size)
        if wanted is None:
            self._send(200, data, sample.content_type, headers)
        elif isinstance(wanted, str):  # unsatisfiable
            self._send(416, b"", sample.content_type,
                       {**headers, "Content-Range": f"bytes */{size}"})
        else:
            first, last = wanted
            self._send(206, data[first:last + 1], sample.content_type,
                       {**headers, "Content-Range": f"bytes {first}-{last}/{size}"})

    def _send_synthetic(self, size: int) -> None:
        """A synthetic file (``media.synthetic_chunks``), streamed as it is made."""
        headers = {"Accept-Ranges": "bytes", "Cache-Control": "no-store"}
        wanted = _parse_range(self.headers.get("Range"), size)
        if isinstance(wanted, str):  # unsatisfiable
            self._send(416, b"", media.SYNTHETIC_TYPE,
                       {**headers, "Content-Range": f"bytes */{size}"})
            return
        status, (first, last) = (200, (0, size - 1)) if wanted is None else (206, wanted)
        if status == 206:
            headers["Content-Range"] = f"bytes {first}-{last}/{size}"
        self._send_head(status, last + 1 - first, media.SYNTHETIC_TYPE, headers)
        if self.command != "HEAD":
            for chunk in media.synthetic_chunks(first, last + 1):
                self.wfile.write(chunk)

    def _send_preview(self, request: Request) -> None:
        parts = request.path.strip("/").split("/")
        page = self.server.world.preview_page(parts[1]) if len(parts) == 2 else None
        if page is None:
            self._send(404, _json_bytes({"detail": "Not found."}))
        else:
            self._send(200, page.encode(), "text/html; charset=utf-8")

    def _reset(self) -> None:
        """Drop the connection with a TCP RST and no answer."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        # The real close (and the RST) happens when finish() closes rfile, the last reference.
        self.connection.close()


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """(first, last) byte of a single ``Range``; ``"unsatisfiable"``; ``None``: send it all
    (no header, a syntax we ignore, or several ranges)."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return None
    start, end = match.groups()
    if not start and not end:
        return None
    if not start:  # bytes=-n: the last n bytes
        suffix = int(end)
        if suffix == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - suffix), size - 1
    first = int(start)
    if first >= size:
        return "unsatisfiable"
    last = int(end) if end else size - 1
    if last < first:
        return None  # invalid: ignore the header
    return first, min(last, size - 1)


class SandboxHTTPServer(ThreadingHTTPServer):
    """One thread per connection; keeps track of them so :meth:`close_connections` can end
    idle keep-alive connections at stop."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], world: World) -> None:
        self.world = world
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would ask DNS for the host's FQDN: slow and pointless here.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def verify_request(self, request: Any, client_address: Any) -> bool:
        return is_loopback(str(client_address[0]))

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(target=self.process_request_thread,
                                  args=(request, client_address), daemon=True,
                                  name="creatify-sandbox-connection")
        with self._connections_lock:
            self._connections[request] = thread
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.pop(request, None)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("sandbox: connection from %s ended with an error", client_address,
                  exc_info=True)

    def close_connections(self, timeout: float) -> None:
        """Wake every connection thread (idle keep-alive ones block reading) and join them."""
        with self._connections_lock:
            open_now = list(self._connections.items())
        for sock, _ in open_now:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + timeout
        for _, thread in open_now:
            thread.join(max(0.0, deadline - time.monotonic()))


