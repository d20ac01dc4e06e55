"""The transfer: :func:`fetch_resumable` streams into ``<target>.part``; after any interruption
(network loss, a crash, the app closed) the next call continues with
``Range: bytes=<size of .part>-``. The size is checked against ``Content-Length`` / the
``Content-Range`` total, the ``.part`` is fsynced and renamed atomically. An expired or refused
result URL raises :class:`ExpiredURLError`: fetch the job again for a fresh URL and call again
(the ``.part`` is kept)."""

from __future__ import annotations

import math
import os
import re
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.atomic import fsync_directory
from app.downloads._errors import DownloadError, ExpiredURLError
from app.downloads._names import part_path, unique_path
from app.generators.spec import url_problem

_PROGRESS_INTERVAL = 0.1
"""Seconds between two progress reports (at most ~10 a second)."""

_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)
_UNSATISFIED_RANGE = re.compile(r"^\s*bytes\s+\*/(\d+)\s*$", re.IGNORECASE)
_EXPIRED = frozenset({403, 404, 410})
_RETRYABLE = frozenset({408, 425, 429})

_active_parts: set[Path] = set()
"""``.part`` files a :func:`fetch_resumable` in this process is writing right now."""


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


class _Restart(Exception):
    """The server would not continue our ``.part``: drop it and fetch from the start."""


class _Reporter:
    """Calls ``progress(done, total)`` at most every 0.1 s (forced reports always go out)."""

    def __init__(self, callback: Callable[[int, int | None], None] | None) -> None:
        self._callback = callback
        self._last = -math.inf
        self._sent: tuple[int, int | None] | None = None

    def __call__(self, done: int, total: int | None, *, force: bool = False) -> None:
        if self._callback is None or self._sent == (done, total):
            return
        now = time.monotonic()
        if force or now - self._last >= _PROGRESS_INTERVAL:
            self._last = now
            self._sent = (done, total)
            self._callback(done, total)


def _part_size(part: Path) -> int:
    try:
        info = part.lstat()
    except FileNotFoundError:
        return 0
    if not stat.S_ISREG(info.st_mode):
        raise DownloadError(f"Refusing to write to {part.name}: it is not a regular file.")
    return info.st_size


def _finish(part: Path, target: Path) -> Path:
    """Rename the complete ``part`` to ``target`` (or a free ``name (n).ext``), atomically."""
    final = target
    if target.exists() or target.is_symlink():
        final = unique_path(target.parent, target.name)
    os.replace(part, final)
    fsync_directory(final.parent)
    return final


def _too_large(part: Path, limit: int) -> DownloadError:
    part.unlink(missing_ok=True)
    return DownloadError(f"The result is larger than the limit of {limit:,} bytes; "
                         "the download was stopped.")


async def fetch_resumable(http: httpx.AsyncClient, url: str, target: Path, *,
                          progress: Callable[[int, int | None], None] | None = None,
                          chunk: int = 1 << 16, max_bytes: int | None = None) -> DownloadResult:
    """Fetch ``url`` into ``target``, continuing an earlier attempt's ``.part`` if there is one.

    - Streams into ``<target>.part``. If it exists, asks for ``Range: bytes=<its size>-`` and
      appends when the answer is a 206 starting there; a 200 starts over; a 416 means the
      ``.part`` is already whole (its size equals the total) or is wrong (it is dropped and the
      file fetched from the start). A server that sends a shorter range is asked for the rest.
    - Checks the size against ``Content-Length`` / the ``Content-Range`` total, fsyncs and
      renames atomically; never overwrites (``name (2).ext`` if ``target`` appeared).
    - ``progress(done, total)``: at most ~10 times a second, and once at the end with
      ``done == total``. ``chunk`` is the write buffer. ``max_bytes`` stops endless bodies.
    - Errors (:class:`DownloadError`): a non-http(s) URL (nothing written); network errors and
      transfers cut short (``resumable``, the ``.part`` kept); HTTP 403/404/410
      (:class:`ExpiredURLError`: fetch the job again for a fresh URL; ``.part`` kept); other
      non-2xx answers (``resumable`` for 5xx, 408, 425, 429).

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
        target.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(3):
            try:
                return await _fetch(http, url, target, part, report, chunk, max_bytes)
            except _Restart:
                part.unlink(missing_ok=True)
        raise DownloadError("The server kept refusing to continue the download.")
    except OSError as exc:
        raise DownloadError(f"The result could not be saved: {exc.strerror or exc}.") from exc
    finally:
        _active_parts.discard(key)


async def _fetch(http: httpx.AsyncClient, url: str, target: Path, part: Path,
                 report: _Reporter, chunk: int, max_bytes: int | None) -> DownloadResult:
    """Requests until the file is whole; raises :class:`_Restart` to start from zero."""
    resumed_from: int | None = None
    while True:
        offset = _part_size(part)
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        try:
            async with http.stream("GET", url, headers=headers,
                                   follow_redirects=True) as response:
                start, done, total, content_type = await _receive(
                    response, part, offset, report, chunk, max_bytes)
        except httpx.UnsupportedProtocol as exc:
            raise DownloadError("The download was redirected to an address that is not "
                                "http(s).") from exc
        except httpx.TransportError as exc:
            kept = _part_size(part)
            raise DownloadError(f"The download was interrupted ({type(exc).__name__}) after "
                                f"{kept:,} bytes; it can resume.", resumable=True) from exc
        except httpx.HTTPError as exc:
            raise DownloadError(f"The download failed: {type(exc).__name__}.") from exc
        except httpx.InvalidURL as exc:
            raise DownloadError(f"Refusing to download the result: {exc}.") from exc
        if resumed_from is None:
            resumed_from = start
        if total is None or done == total:
            report(done, done, force=True)
            return DownloadResult(_finish(part, target), done, resumed_from, content_type)
        if done > offset and done < total:
            continue  # the server sent part of what is left: ask for the rest
        raise DownloadError(f"The download was cut short ({done:,} of {total:,} bytes); the "
                            "partial file is kept to resume.", resumable=True)


@dataclass(frozen=True, slots=True)
class _Span:
    """Where one answer's bytes go: from ``start`` in the ``.part`` to ``end`` (``None``: not
    said), of a file of ``total`` bytes (``None``: not said)."""

    start: int
    end: int | None
    total: int | None


def _span(response: httpx.Response, offset: int) -> _Span | None:
    """What an answer to ``Range: bytes=<offset>-`` (none when ``offset`` is 0) sends; ``None``
    when it says the ``.part`` is already whole. Raises :class:`_Restart` when the server
    will not continue the ``.part``, :class:`DownloadError` when it sends no file."""
    status = response.status_code
    if status in _EXPIRED:
        raise ExpiredURLError(f"The result's address was refused or has expired (HTTP "
                              f"{status}); fetch the job again for a fresh one.")
    if status == 416:
        match = _UNSATISFIED_RANGE.match(response.headers.get("content-range", ""))
        if offset and match is not None and int(match.group(1)) == offset:
            return None  # the .part is already whole
        if offset:
            raise _Restart
        raise DownloadError("The server refused the download (HTTP 416).")
    if status == 206:
        return _partial(response.headers.get("content-range", ""), offset)
    if status == 200:
        length = response.headers.get("content-length", "")
        total = int(length) if length.isdigit() else None
        return _Span(0, total, total)
    if 200 <= status < 300:
        raise DownloadError(f"The server sent no file (HTTP {status}).")
    raise DownloadError(f"The result could not be downloaded (HTTP {status}).",
                        resumable=status >= 500 or status in _RETRYABLE)


def _partial(content_range: str, offset: int) -> _Span:
    """The span of a 206 answer; :class:`_Restart` unless it continues at ``offset``."""
    match = _CONTENT_RANGE.match(content_range)
    if match is None or int(match.group(1)) != offset:
        raise _Restart
    start, last = offset, int(match.group(2))
    end = last + 1
    total = end if match.group(3) == "*" else int(match.group(3))
    if last < start or end > total:
        raise _Restart
    return _Span(start, end, total)


def _check_encoding(response: httpx.Response, start: int) -> None:
    """A compressed answer cannot be checked or resumed: :class:`_Restart` a continuation,
    refuse a full transfer."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        if start:
            raise _Restart
        raise DownloadError(f"The server sent the file compressed ({encoding}) although asked "
                            "not to; it cannot be checked or resumed.")


async def _write(response: httpx.Response, part: Path, span: _Span, report: _Reporter,
                 chunk: int, max_bytes: int | None) -> int:
    """Write the answer's body into ``part`` from ``span.start``, fsynced; the bytes now in
    ``part``."""
    done = span.start
    with part.open("r+b" if span.start else "wb", buffering=chunk) as out:
        try:
            if span.start:
                out.seek(span.start)
                out.truncate()
            report(done, span.total, force=True)
            async for data in response.aiter_raw():
                done += len(data)
                if max_bytes is not None and done > max_bytes:
                    out.close()
                    raise _too_large(part, max_bytes)
                out.write(data)
                report(done, span.total)
        finally:
            if not out.closed:
                out.flush()
                os.fsync(out.fileno())
    return done


async def _receive(response: httpx.Response, part: Path, offset: int, report: _Reporter,
                   chunk: int, max_bytes: int | None,
                   ) -> tuple[int, int, int | None, str | None]:
    """Write one answer into ``part``: ``(where it started writing, bytes now in part, file
    total, content type)``."""
    content_type = response.headers.get("content-type")
    span = _span(response, offset)
    if span is None:
        return offset, offset, offset, content_type  # the .part is already whole
    _check_encoding(response, span.start)
    if max_bytes is not None and span.total is not None and span.total > max_bytes:
        raise _too_large(part, max_bytes)
    done = await _write(response, part, span, report, chunk, max_bytes)
    if span.end is not None and done != span.end:
        raise DownloadError(f"The download was cut short ({done:,} of {span.end:,} bytes); the "
                            "partial file is kept to resume.", resumable=True)
    return span.start, done, span.total, content_type


__all__ = ["DownloadResult", "fetch_resumable"]
