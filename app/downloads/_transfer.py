"""The transfer: :func:`fetch_resumable` streams into ``<target>.part``; after any interruption
(network loss, a crash, the app closed) the next call continues with
``Range: bytes=<size of .part>-``. The size is checked against ``Content-Length`` / the
``Content-Range`` total, the ``.part`` is fsynced and renamed atomically. An expired or refused
result URL raises :class:`ExpiredURLError`: fetch the job again for a fresh URL and call again
(the ``.part`` is kept).

Two routes, the same rules (:mod:`app.downloads._answer`): a :class:`FileFetcher` does the whole
transfer in a worker thread (the fast one, ``_wire``); an ``httpx.AsyncClient`` (a client with
its own transport or hooks) reads on the event loop and hands the bytes to a writer thread
(``_stream``). Either way no write, fsync or rename runs on the loop's thread."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.downloads._answer import Restart, cut_short
from app.downloads._errors import DownloadError
from app.downloads._names import part_path
from app.downloads._part import finish, in_thread, part_size
from app.downloads._stream import receive
from app.downloads._wire import FileFetcher, Interrupted, Line
from app.generators.spec import url_problem

_PROGRESS_INTERVAL = 0.1
"""Seconds between two progress reports (at most ~10 a second)."""

_active_parts: set[Path] = set()
"""``.part`` files a :func:`fetch_resumable` in this process is writing right now."""

Client = httpx.AsyncClient | FileFetcher
"""What fetches: a :class:`FileFetcher` (fast, a worker thread) or an ``httpx.AsyncClient``."""


@dataclass(frozen=True)
class DownloadResult:
    path: Path
    """Where the file is now (``target``, or ``name (2).ext`` if ``target`` appeared
    meanwhile: nothing is ever overwritten)."""
    bytes: int
    """The file's size."""
    resumed_from: int
    """Bytes that were already in the ``.part`` and not fetched again (0: a full transfer)."""
    content_type: str | None


class _Reporter:
    """Calls ``progress(done, total)`` at most every 0.1 s (forced reports always go out)."""

    def __init__(self, callback: Callable[[int, int | None], None] | None) -> None:
        self._callback = callback
        self._last = -math.inf
        self._sent: tuple[int, int | None] | None = None

    def __call__(self, done: int, total: int | None, force: bool = False) -> None:
        if self._callback is None or self._sent == (done, total):
            return
        now = time.monotonic()
        if force or now - self._last >= _PROGRESS_INTERVAL:
            self._last = now
            self._sent = (done, total)
            self._callback(done, total)


async def fetch_resumable(http: Client, url: str, target: Path, *,
                          progress: Callable[[int, int | None], None] | None = None,
                          chunk: int = 1 << 16, max_bytes: int | None = None) -> DownloadResult:
    """Fetch ``url`` into ``target``, continuing an earlier attempt's ``.part`` if there is one.

    - Streams into ``<target>.part``. If it exists, asks for ``Range: bytes=<its size>-`` and
      appends when the answer is a 206 starting there; a 200 starts over; a 416 means the
      ``.part`` is already whole (its size equals the total) or is wrong (it is dropped and the
      file fetched from the start). A server that sends a shorter range is asked for the rest.
    - Checks the size against ``Content-Length`` / the ``Content-Range`` total, fsyncs and
      renames atomically; never overwrites (``name (2).ext`` if ``target`` appeared).
    - ``progress(done, total)``: on the loop's thread, at most ~10 times a second, and once at
      the end with ``done == total``. ``chunk`` is kept for callers (the routes size their own
      buffers); ``max_bytes`` stops endless bodies.
    - Errors (:class:`DownloadError`): a non-http(s) URL (nothing written); network errors and
      transfers cut short (``resumable``, the ``.part`` kept); HTTP 403/404/410
      (:class:`ExpiredURLError`: fetch the job again for a fresh URL; ``.part`` kept); other
      non-2xx answers (``resumable`` for 5xx, 408, 425, 429).
    - Cancelled: the transfer stops, its ``.part`` is fsynced and kept.

    The ``.part`` is trusted: bytes in it that differ from the server's are the caller's risk.
    """
    problem = url_problem(url)
    if problem:
        raise DownloadError(f"Refusing to download the result: {problem}")
    if chunk < 1:
        raise ValueError("chunk must be at least 1 byte")
    part = part_path(target)
    key = part.resolve()
    if key in _active_parts:
        raise DownloadError(f"{target.name} is already being downloaded.")
    _active_parts.add(key)
    report = _Reporter(progress)
    try:
        if isinstance(http, FileFetcher):
            result = await _in_worker(http, url, target, part, report, max_bytes)
        else:
            result = await _over_httpx(http, url, target, part, report, max_bytes)
        report(result.bytes, result.bytes, True)
        return result
    except OSError as exc:
        raise DownloadError(f"The result could not be saved: {exc.strerror or exc}.") from exc
    finally:
        _active_parts.discard(key)


# ---- the fast route: the whole transfer in a worker thread -----------------------------------

async def _in_worker(fetcher: FileFetcher, url: str, target: Path, part: Path,
                     report: _Reporter, max_bytes: int | None) -> DownloadResult:
    loop = asyncio.get_running_loop()
    line = fetcher.line()

    def post(done: int, total: int | None, force: bool) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody listens
            loop.call_soon_threadsafe(report, done, total, force)

    def work() -> DownloadResult:
        target.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(3):
            try:
                return _requests(fetcher, url, target, part, line, post, max_bytes)
            except Restart:
                part.unlink(missing_ok=True)
        raise DownloadError("The server kept refusing to continue the download.")

    return await in_thread(work, name=f"download {target.name}", on_cancel=line.stop)


def _requests(fetcher: FileFetcher, url: str, target: Path, part: Path, line: Line,
              post: Callable[[int, int | None, bool], None],
              max_bytes: int | None) -> DownloadResult:
    """Requests until the file is whole (in the worker thread); :class:`Restart` to start
    from zero."""
    resumed_from: int | None = None
    while True:
        offset = part_size(part)
        try:
            start, done, total, content_type = fetcher.receive(url, part, offset, line, post,
                                                               max_bytes)
        except Interrupted as exc:
            raise _interrupted(exc.cause, part) from exc.cause
        resumed_from = start if resumed_from is None else resumed_from
        if total is None or done == total:
            return DownloadResult(finish(part, target), done, resumed_from, content_type)
        if offset < done < total:
            continue  # the server sent part of what is left: ask for the rest
        raise cut_short(done, total)


def _interrupted(cause: BaseException, part: Path) -> DownloadError:
    return DownloadError(f"The download was interrupted ({type(cause).__name__}) after "
                         f"{part_size(part):,} bytes; it can resume.", resumable=True)


# ---- the httpx route: reads on the loop, writes in a writer thread ---------------------------

async def _over_httpx(http: httpx.AsyncClient, url: str, target: Path, part: Path,
                      report: _Reporter, max_bytes: int | None) -> DownloadResult:
    await in_thread(lambda: target.parent.mkdir(parents=True, exist_ok=True),
                    name="download folder")
    for _ in range(3):
        try:
            return await _fetch(http, url, target, part, report, max_bytes)
        except Restart:
            await in_thread(lambda: part.unlink(missing_ok=True), name="download restart")
    raise DownloadError("The server kept refusing to continue the download.")


async def _fetch(http: httpx.AsyncClient, url: str, target: Path, part: Path,
                 report: _Reporter, max_bytes: int | None) -> DownloadResult:
    """Requests until the file is whole; raises :class:`Restart` to start from zero."""
    resumed_from: int | None = None
    while True:
        offset = part_size(part)
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        try:
            async with http.stream("GET", url, headers=headers,
                                   follow_redirects=True) as response:
                start, done, total, content_type = await receive(
                    response, part, offset, report, max_bytes)
        except httpx.UnsupportedProtocol as exc:
            raise DownloadError("The download was redirected to an address that is not "
                                "http(s).") from exc
        except httpx.TransportError as exc:
            raise _interrupted(exc, part) from exc
        except httpx.HTTPError as exc:
            raise DownloadError(f"The download failed: {type(exc).__name__}.") from exc
        except httpx.InvalidURL as exc:
            raise DownloadError(f"Refusing to download the result: {exc}.") from exc
        resumed_from = start if resumed_from is None else resumed_from
        if total is None or done == total:
            final = await in_thread(lambda: finish(part, target), name="download finish")
            return DownloadResult(final, done, resumed_from, content_type)
        if offset < done < total:
            continue  # the server sent part of what is left: ask for the rest
        raise cut_short(done, total)


__all__ = ["Client", "DownloadResult", "fetch_resumable"]
