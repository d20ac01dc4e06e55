"""A front for the simulator that makes every result a multi-MiB file and counts its bytes.

The sandbox's sample results are a few dozen kilobytes, gone before a kill can land in the
middle of one. Real Creatify results are videos of several MiB. :class:`MediaFront` sits
between the app and the simulator on loopback:

- every API request (``/api/...``, ``/sse/...``, ``/_sandbox/...``) is forwarded to the
  simulator unchanged, and the simulator's address in the answer is replaced by the front's,
  so the app downloads results from the front;
- ``/media/<owner>/<file>`` is answered by the front itself: ``size`` bytes, deterministic per
  path (so a saved file can be compared byte for byte), with HTTP ``Range``, sent in 64 KiB
  pieces at about ``rate`` bytes a second per transfer;
- every media transfer is recorded (path, first byte, bytes handed to the kernel, the
  ``epoch`` it began in), so a test knows exactly which bytes it served twice.

The simulator stays the only judge of jobs, statuses, money and the create log.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

PIECE = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length",
                         "host", "proxy-connection", "te", "trailer", "upgrade"})


@dataclass
class Transfer:
    """One media answer: bytes ``start`` .. ``start + sent`` of ``path`` left the front."""

    path: str
    start: int
    epoch: int
    sent: int = 0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        try:
            if self.path.startswith("/media/"):
                self._media()
            else:
                self._forward()
        except (ConnectionError, TimeoutError, OSError):
            self.close_connection = True

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def _forward(self) -> None:
        front = self.server.front
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        upstream = http.client.HTTPConnection(front.upstream_host, front.upstream_port,
                                              timeout=60)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
            status = answer.status
            answer_headers = [(k, v) for k, v in answer.getheaders()
                              if k.lower() not in _HOP_BY_HOP]
        except (OSError, http.client.HTTPException):
            # The simulator dropped the connection (a reset fault): drop ours the same way.
            self.close_connection = True
            self.connection.close()
            return
        finally:
            upstream.close()
        data = data.replace(front.upstream.encode(), front.base_url.encode())
        self.send_response(status)
        for name, value in answer_headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _media(self) -> None:
        front = self.server.front
        path = self.path.split("?", 1)[0]
        data = front.content(path)
        size = len(data)
        start, status = 0, 200
        wanted = _RANGE.match((self.headers.get("Range") or "").strip())
        if wanted:
            start, status = int(wanted.group(1)), 206
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        self.send_response(status)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(size - start))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        self.end_headers()
        if self.command == "HEAD":
            return
        transfer = front.begin(path, start)
        try:
            for offset in range(start, size, PIECE):
                piece = data[offset:offset + PIECE]
                self.wfile.write(piece)
                with front.lock:
                    transfer.sent += len(piece)
                if front.rate:
                    time.sleep(len(piece) / front.rate)
        except (ConnectionError, OSError):
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    front: MediaFront

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a killed client drops its connections."""


class MediaFront:
    """See the module docstring. Use as a context manager, or ``start()`` / ``stop()``."""

    def __init__(self, upstream: str, *, size: int = 4 << 20, rate: float = 16 << 20) -> None:
        parts = urlsplit(upstream)
        assert parts.hostname and parts.port
        self.upstream = upstream.rstrip("/")
        self.upstream_host, self.upstream_port = parts.hostname, parts.port
        self.size = size
        self.rate = rate
        self.epoch = 0
        self.lock = threading.Lock()
        self.transfers: list[Transfer] = []
        self._contents: dict[str, bytes] = {}
        self._server: _Server | None = None
        self.base_url = ""

    def start(self) -> str:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.front = self
        self._server = server
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True, name="media-front").start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> MediaFront:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def content(self, path: str) -> bytes:
        """The bytes the front serves at ``path`` (the same every time)."""
        with self.lock:
            data = self._contents.get(path)
            if data is None:
                seed = hashlib.sha256(path.encode()).digest()
                data = (seed * (self.size // len(seed) + 1))[:self.size]
                self._contents[path] = data
            return data

    def begin(self, path: str, start: int) -> Transfer:
        with self.lock:
            transfer = Transfer(path, start, self.epoch)
            self.transfers.append(transfer)
            return transfer

    def bytes_sent(self) -> int:
        with self.lock:
            return sum(t.sent for t in self.transfers)

    def snapshot(self) -> list[Transfer]:
        with self.lock:
            return [Transfer(t.path, t.start, t.epoch, t.sent) for t in self.transfers]


def merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``(first, end)`` byte ranges merged into disjoint ones, in order."""
    out: list[tuple[int, int]] = []
    for first, end in sorted(r for r in ranges if r[1] > r[0]):
        if out and first <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((first, end))
    return out


def served_twice(transfers: list[Transfer]) -> int:
    """Bytes served more than once: everything sent, less the distinct bytes it covered."""
    by_path: dict[str, list[tuple[int, int]]] = {}
    for t in transfers:
        by_path.setdefault(t.path, []).append((t.start, t.start + t.sent))
    return sum(sum(end - first for first, end in ranges)
               - sum(end - first for first, end in merged(ranges))
               for ranges in by_path.values())


def below(transfers: list[Transfer], limit: int) -> int:
    """Distinct bytes under offset ``limit`` that ``transfers`` (one path) served."""
    return sum(max(0, min(end, limit) - first)
               for first, end in merged([(t.start, t.start + t.sent) for t in transfers]))


__all__ = ["MediaFront", "Transfer", "below", "merged", "served_twice"]
