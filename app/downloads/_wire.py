"""The fast route for result files: the standard library's HTTP client in a worker thread,
reading what the socket has (up to 1 MiB a call, ``read1``) and writing it to the ``.part``.

Measured on loopback (``tests/benchmarks/run.py download``): ``httpx``'s async stream parses
every 64 KiB piece on the event loop and copies it several times, which capped the app at about
half of ``curl``; this route reads faster than ``curl`` and leaves the loop's thread (the GUI
thread) idle. ``urllib.request`` brings what a download needs: redirects, proxies from the
environment (as ``httpx`` honours them), TLS checked against ``certifi``'s roots (as ``httpx``
does).
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import certifi

from app import __version__
from app.downloads._answer import checked_span, cut_short, too_large
from app.downloads._errors import DownloadError
from app.downloads._part import PartFile
from app.generators.spec import url_problem

Post = Callable[[int, int | None, bool], None]
"""``post(done, total, force)``: a progress report from the worker thread (every 0.1 s at most
unless ``force``; the caller forwards it to the loop's thread)."""

BUFFER = 1 << 20


class Stopped(Exception):
    """The transfer was stopped on request (its task was cancelled)."""


class Interrupted(Exception):
    """The network failed (``cause``): not the file system, whose errors stay ``OSError``."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(type(cause).__name__)
        self.cause = cause


class Line:
    """One transfer's connection as seen from outside its thread: :meth:`stop` (from any
    thread) makes the worker give up at once, even in the middle of a blocked read."""

    def __init__(self, read_timeout: float) -> None:
        self.read_timeout = read_timeout
        self.stopped = False
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()

    def attach(self, sock: socket.socket) -> None:
        sock.settimeout(self.read_timeout)
        with self._lock:
            self._socket = sock
            stopped = self.stopped
        if stopped:
            _shut(sock)

    def stop(self) -> None:
        with self._lock:
            self.stopped = True
            sock = self._socket
        if sock is not None:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    """Wake a read blocked on ``sock`` in another thread (the plain socket call: an SSL
    socket's own ``shutdown`` would unwrap it under the reader's feet)."""
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Http(http.client.HTTPConnection):
    def __init__(self, host: str, *, line: Line, **options: Any) -> None:
        super().__init__(host, **options)
        self._line = line

    def connect(self) -> None:
        super().connect()  # within the connect timeout; reads get the read timeout
        assert self.sock is not None
        self._line.attach(self.sock)


class _Https(http.client.HTTPSConnection):
    def __init__(self, host: str, *, line: Line, **options: Any) -> None:
        super().__init__(host, **options)
        self._line = line

    def connect(self) -> None:
        super().connect()
        assert self.sock is not None
        self._line.attach(self.sock)


class _HttpHandler(urllib.request.HTTPHandler):
    def __init__(self, line: Line) -> None:
        super().__init__()
        self._line = line

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_Http, line=self._line), req)


class _HttpsHandler(urllib.request.HTTPSHandler):
    def __init__(self, line: Line, context: ssl.SSLContext) -> None:
        super().__init__(context=context)
        self._line = line
        self._tls = context

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_Https, line=self._line),
                            req, context=self._tls)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http(s) addresses only."""

    def http_error_302(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                       headers: http.client.HTTPMessage) -> Any:
        location = headers.get("location") or headers.get("uri")
        if location is not None:
            problem = url_problem(urllib.parse.urljoin(req.full_url, location))
            if problem:
                fp.close()
                raise DownloadError("The download was redirected to an address it will not "
                                    f"use: {problem}")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class FileFetcher:
    """How result files are fetched: in a worker thread with ``urllib.request``; one
    connection per request (a result file is one request).

    ``connect_timeout`` bounds reaching the server, ``read_timeout`` any wait for bytes;
    ``buffer`` is the most one read takes; ``tls`` the certificate check (``certifi``'s roots).
    Pass it to :func:`~app.downloads.fetch_resumable` / :func:`~app.downloads.fetch_results`
    where an ``httpx.AsyncClient`` went (that route stays, for clients with their own
    transport).
    """

    def __init__(self, *, connect_timeout: float = 10.0, read_timeout: float = 120.0,
                 buffer: int = BUFFER, tls: ssl.SSLContext | None = None) -> None:
        if buffer < 1:
            raise ValueError("buffer must be at least 1 byte")
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.buffer = buffer
        self.user_agent = f"CreatifyStudio/{__version__}"
        self._tls = tls or ssl.create_default_context(cafile=certifi.where())

    def line(self) -> Line:
        return Line(self.read_timeout)

    async def aclose(self) -> None:
        """Nothing to close (one connection per request, closed with it): here so that it
        stands where an ``httpx.AsyncClient`` stood."""

    def _open(self, url: str, offset: int, line: Line) -> http.client.HTTPResponse:
        headers = {"Accept-Encoding": "identity", "User-Agent": self.user_agent}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        # Only what a web download needs: no file:, ftp: or data: handler at all.
        opener = urllib.request.OpenerDirector()
        for handler in (urllib.request.ProxyHandler(), urllib.request.UnknownHandler(),
                        _HttpHandler(line), _HttpsHandler(line, self._tls),
                        urllib.request.HTTPDefaultErrorHandler(), _Redirects(),
                        urllib.request.HTTPErrorProcessor()):
            opener.add_handler(handler)
        try:
            response: http.client.HTTPResponse = opener.open(
                urllib.request.Request(url, headers=headers), timeout=self.connect_timeout)
        except urllib.error.HTTPError as answer:  # any status but 2xx: judged by the caller
            return answer  # type: ignore[return-value]
        return response

    def receive(self, url: str, part: Path, offset: int, line: Line, post: Post,
                max_bytes: int | None) -> tuple[int, int, int | None, str | None]:
        """One request (``Range: bytes=<offset>-`` when ``offset``) written into ``part``:
        ``(where it started writing, bytes now in part, file total, content type)``. Runs in
        a worker thread. Network trouble: :class:`Interrupted` (the caller says how many
        bytes were kept); :class:`Stopped` after :meth:`Line.stop`."""
        try:
            response = self._open(url, offset, line)
        except urllib.error.URLError as exc:
            if line.stopped:
                raise Stopped from None
            if isinstance(exc.reason, str):
                raise DownloadError(f"Refusing to download the result: {exc.reason}.") from exc
            raise Interrupted(exc.reason) from exc
        except (OSError, http.client.HTTPException) as exc:
            if line.stopped:
                raise Stopped from None
            raise Interrupted(exc) from exc
        except ValueError as exc:  # http.client.InvalidURL, a malformed address
            raise DownloadError(f"Refusing to download the result: {exc}.") from exc
        with response:
            headers = {name.lower(): value for name, value in response.headers.items()}
            content_type = headers.get("content-type")
            span = checked_span(response.status, headers, offset, part, max_bytes)
            if span is None:
                return offset, offset, offset, content_type  # the .part is already whole
            done = self._copy(response, part, span.start, span.total, line, post, max_bytes)
        if span.end is not None and done != span.end:
            raise cut_short(done, span.end)
        return span.start, done, span.total, content_type

    def _copy(self, response: http.client.HTTPResponse, part: Path, start: int,
              total: int | None, line: Line, post: Post, max_bytes: int | None) -> int:
        done = start
        post(done, total, True)
        last = time.monotonic()
        with PartFile(part, start) as out:
            while True:
                if line.stopped:
                    raise Stopped
                try:
                    # What the socket has, up to ``buffer`` bytes, in one call: nothing read
                    # is lost to a timeout or a reset, and progress flows on a slow link.
                    data = response.read1(self.buffer)
                except (OSError, http.client.HTTPException) as exc:
                    if line.stopped:
                        raise Stopped from None
                    raise Interrupted(exc) from exc
                if not data:
                    break
                done += len(data)
                if max_bytes is not None and done > max_bytes:
                    out.close(sync=False)
                    raise too_large(part, max_bytes)
                out.write(data)
                now = time.monotonic()
                if now - last >= 0.1:
                    last = now
                    post(done, total, False)
        if line.stopped:
            raise Stopped
        return done


__all__ = ["BUFFER", "FileFetcher", "Interrupted", "Line", "Post", "Stopped"]
