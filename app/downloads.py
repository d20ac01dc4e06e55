"""Save a job's result to the output folder.

Names: :func:`render_name` turns the naming template into a safe stem, :func:`target_in`
gives a path inside the output folder that is not taken yet (``name (2).mp4`` ...).

Transfers:

- :func:`fetch_resumable` streams into ``<target>.part``; after any interruption (network loss,
  a crash, the app closed) the next call continues with ``Range: bytes=<size of .part>-``. The
  size is checked against ``Content-Length`` / the ``Content-Range`` total, the ``.part`` is
  fsynced and renamed atomically. An expired or refused result URL raises
  :class:`ExpiredURLError`: fetch the job again for a fresh URL and call again (the ``.part``
  is kept).

:func:`write_sidecar` writes ``<file>.json`` beside a result (inputs, job id, credits ...;
never a secret). :class:`DownloadQueue` limits how many transfers run at once.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import re
import stat
import string
import time
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock_time
from decimal import Decimal
from enum import Enum
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import httpx

from app.atomic import fsync_directory, write_text_atomically
from app.generators.spec import url_problem
from app.logsafe import find_secret, redact

_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)
MAX_NAME = 120

DEFAULT_TEMPLATE = "{generator}_{title}_{date}_{short_id}"
"""The default file-name template (the extension is added from the result)."""

TEMPLATE_FIELDS = ("generator", "title", "date", "time", "short_id", "job_id")
"""The placeholders a naming template may use."""

_GENERATOR_MAX = 30
_TITLE_MAX = 60
_PROGRESS_INTERVAL = 0.1
"""Seconds between two progress reports (at most ~10 a second)."""

_WINDOWS_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL",
                               *(f"COM{i}" for i in range(1, 10)),
                               *(f"LPT{i}" for i in range(1, 10))})
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)
_UNSATISFIED_RANGE = re.compile(r"^\s*bytes\s+\*/(\d+)\s*$", re.IGNORECASE)
_EXPIRED = frozenset({403, 404, 410})
_RETRYABLE = frozenset({408, 425, 429})

_active_parts: set[Path] = set()
"""``.part`` files a :func:`fetch_resumable` in this process is writing right now."""


class DownloadError(Exception):
    """The file could not be fetched or saved; the message says why.

    ``resumable``: the same call may succeed later and will continue from the ``.part`` kept
    on disk (network errors, a transfer cut short, a 5xx/429 answer).
    """

    def __init__(self, message: str, *, resumable: bool = False) -> None:
        super().__init__(message)
        self.resumable = resumable


class ExpiredURLError(DownloadError):
    """The result URL was refused or has expired (HTTP 403/404/410): fetch the job again for a
    fresh URL. The ``.part`` is kept, so the new URL continues where this one stopped."""


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


# ---- names ----------------------------------------------------------------------------------


def safe_filename(name: str, fallback: str = "download") -> str:
    """``name`` reduced to a plain file name: no folders, no dot-files, no odd characters."""
    name = unicodedata.normalize("NFKC", name).replace("/", "_").replace("\\", "_")
    name = _UNSAFE.sub("_", name).strip(" ._")
    name = re.sub(r"_+", "_", name)
    if not name:
        name = fallback
    base = name.split(".", 1)[0]
    if base.rstrip(" ").upper() in _WINDOWS_RESERVED:  # CON, NUL.mp4 ... are devices there
        name = base + "_" + name[len(base):]
    stem, dot, suffix = name.rpartition(".")
    if dot and len(suffix) <= 8 and len(name) > MAX_NAME:
        return stem[: MAX_NAME - len(suffix) - 1] + "." + suffix
    return name[:MAX_NAME]


def _short(text: str, fallback: str, limit: int) -> str:
    return safe_filename(safe_filename(text, fallback)[:limit], fallback)


def render_name(template: str = DEFAULT_TEMPLATE, *, generator: str, title: str,
                created: datetime, job_id: str) -> str:
    """The file name (without extension) for a result, from the naming ``template``.

    Placeholders: ``{generator}``, ``{title}`` (at most 60 characters), ``{date}``
    (YYYY-MM-DD), ``{time}`` (HHMMSS), ``{short_id}`` (the job id's first 8 characters),
    ``{job_id}``. Each value, and then the whole name, goes through :func:`safe_filename`:
    the result has no path separator, does not start with a dot and is at most
    :data:`MAX_NAME` characters. An unknown placeholder, a format spec or conversion
    (``{title:>9}``, ``{title!r}``) or a stray brace raises :class:`DownloadError`.
    """
    values = {
        "generator": _short(generator, "result", _GENERATOR_MAX),
        "title": _short(title, "untitled", _TITLE_MAX),
        "date": created.strftime("%Y-%m-%d"),
        "time": created.strftime("%H%M%S"),
        "short_id": safe_filename(job_id[:8], "job"),
        "job_id": safe_filename(job_id, "job"),
    }
    known = ", ".join("{" + name + "}" for name in TEMPLATE_FIELDS)
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise DownloadError(f"The file name template {template!r} is not valid ({exc}); "
                            f"use the placeholders {known}.") from None
    pieces: list[str] = []
    for literal, field, spec, conversion in parsed:
        pieces.append(literal)
        if field is None:
            continue
        if field not in values:
            shown = "{" + field + "}" if field else "{}"
            raise DownloadError(f"Unknown placeholder {shown} in the file name template; "
                                f"use {known}.")
        if spec or conversion:
            raise DownloadError(f"The placeholder {{{field}}} in the file name template takes "
                                "no format or conversion.")
        pieces.append(values[field])
    return safe_filename("".join(pieces), "download")


def suffix_for(url: str, content_type: str | None) -> str:
    """A file extension for the result: from the URL path, else from the content type."""
    path_suffix = Path(urlsplit(url).path).suffix.lower()
    if re.fullmatch(r"\.[a-z0-9]{1,5}", path_suffix):
        return path_suffix
    kinds = {"video/mp4": ".mp4", "audio/mpeg": ".mp3", "audio/wav": ".wav",
             "audio/x-wav": ".wav", "image/png": ".png", "image/jpeg": ".jpg",
             "image/webp": ".webp", "video/webm": ".webm"}
    return kinds.get((content_type or "").split(";")[0].strip().lower(), ".bin")


def unique_path(folder: Path, filename: str) -> Path:
    """``folder/filename``, or ``name (2).ext`` etc. if taken."""
    candidate = folder / filename
    stem, suffix = candidate.stem, candidate.suffix
    number = 2
    while candidate.exists() or candidate.is_symlink():
        candidate = folder / f"{stem} ({number}){suffix}"
        number += 1
    return candidate


def target_in(folder: Path, filename: str) -> Path:
    """A path for ``filename`` directly inside ``folder`` that is not taken yet.

    ``filename`` must be a plain name (no separators, not ``.``/``..``); the resolved path's
    parent must be the resolved ``folder`` (so a symlink planted in the folder cannot lead
    out of it). Otherwise :class:`DownloadError`.
    """
    if (not filename or filename in (".", "..") or "/" in filename or "\\" in filename
            or "\x00" in filename or PurePath(filename).name != filename):
        raise DownloadError(f"Refusing to save as {filename!r}: not a plain file name.")
    candidate = unique_path(folder, filename)
    if candidate.resolve().parent != folder.resolve():
        raise DownloadError(f"Refusing to save {filename!r}: it would leave the output folder.")
    return candidate


def part_path(target: Path) -> Path:
    """Where :func:`fetch_resumable` keeps the incomplete ``target``."""
    return target.with_name(target.name + ".part")


# ---- the one-shot download ------------------------------------------------------------------


# ---- the resumable download -----------------------------------------------------------------


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


async def _receive(response: httpx.Response, part: Path, offset: int, report: _Reporter,
                   chunk: int, max_bytes: int | None,
                   ) -> tuple[int, int, int | None, str | None]:
    """Write one answer into ``part``: ``(where it started writing, bytes now in part, file
    total, content type)``."""
    status = response.status_code
    content_type = response.headers.get("content-type")
    if status in _EXPIRED:
        raise ExpiredURLError(f"The result's address was refused or has expired (HTTP "
                              f"{status}); fetch the job again for a fresh one.")
    if status == 416:
        match = _UNSATISFIED_RANGE.match(response.headers.get("content-range", ""))
        if offset and match is not None and int(match.group(1)) == offset:
            return offset, offset, offset, content_type  # the .part is already whole
        if offset:
            raise _Restart
        raise DownloadError("The server refused the download (HTTP 416).")
    end: int | None  # where this answer's bytes stop
    total: int | None  # the whole file's size
    if status == 206:
        match = _CONTENT_RANGE.match(response.headers.get("content-range", ""))
        if match is None or int(match.group(1)) != offset:
            raise _Restart
        start, last = offset, int(match.group(2))
        end = last + 1
        total = end if match.group(3) == "*" else int(match.group(3))
        if last < start or end > total:
            raise _Restart
    elif status == 200:
        start = 0
        length = response.headers.get("content-length", "")
        total = end = int(length) if length.isdigit() else None
    elif 200 <= status < 300:
        raise DownloadError(f"The server sent no file (HTTP {status}).")
    else:
        raise DownloadError(f"The result could not be downloaded (HTTP {status}).",
                            resumable=status >= 500 or status in _RETRYABLE)
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        if start:
            raise _Restart
        raise DownloadError(f"The server sent the file compressed ({encoding}) although asked "
                            "not to; it cannot be checked or resumed.")
    if max_bytes is not None and total is not None and total > max_bytes:
        raise _too_large(part, max_bytes)
    done = start
    with part.open("r+b" if start else "wb", buffering=chunk) as out:
        try:
            if start:
                out.seek(start)
                out.truncate()
            report(done, total, force=True)
            async for data in response.aiter_raw():
                done += len(data)
                if max_bytes is not None and done > max_bytes:
                    out.close()
                    raise _too_large(part, max_bytes)
                out.write(data)
                report(done, total)
        finally:
            if not out.closed:
                out.flush()
                os.fsync(out.fileno())
    if end is not None and done != end:
        raise DownloadError(f"The download was cut short ({done:,} of {end:,} bytes); the "
                            "partial file is kept to resume.", resumable=True)
    return start, done, total, content_type


# ---- sidecar files --------------------------------------------------------------------------


def sidecar_path(media: Path) -> Path:
    return media.with_name(media.name + ".json")


def _plain(value: Any, where: str) -> Any:
    """``value`` as JSON-ready data; :class:`DownloadError` for values that cannot be saved
    (secrets are refused afterwards, by :func:`app.logsafe.find_secret`)."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DownloadError(f"Refusing to write the sidecar file: {redact(where)} is "
                                f"{value}.")
        return value
    if isinstance(value, Enum):
        return _plain(value.value, where)
    if isinstance(value, Decimal | UUID | PurePath):
        return _plain(str(value), where)
    if isinstance(value, datetime | date | clock_time):
        return value.isoformat()
    if isinstance(value, Mapping):
        result: dict[str, Any] = {}
        for name, item in value.items():
            label = f"{where}.{name}" if where else str(name)
            result[_plain(str(name), label)] = _plain(item, label)
        return result
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [_plain(item, f"{where}[{index}]") for index, item in enumerate(items)]
    raise DownloadError(f"Refusing to write the sidecar file: {redact(where)} is a "
                        f"{type(value).__name__}, which cannot be saved.")


def write_sidecar(media: Path, info: Mapping[str, Any]) -> Path:
    """Write ``<media>.json`` beside ``media``: ``info`` as pretty JSON, atomically.

    ``info`` holds what the file came from (inputs, job id, generator, credits, estimate,
    timestamps ...). ``Decimal``, dates and times, UUIDs, paths and enums are written as
    strings. Any string (key or value, at any depth) that contains a registered secret
    (:func:`app.logsafe.register_secret`) makes it refuse with :class:`DownloadError`, and
    nothing is written.
    """
    plain = _plain(info, "")  # paths, ids, enums … as the strings that will be written
    where = find_secret(plain)
    if where is not None:
        raise DownloadError(f"Refusing to write the sidecar file: {where} contains a secret.")
    text = json.dumps(plain, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    target = sidecar_path(media)
    try:
        write_text_atomically(target, text)
    except OSError as exc:
        raise DownloadError(f"The sidecar file could not be saved: {exc.strerror or exc}."
                            ) from exc
    return target


# ---- concurrency ----------------------------------------------------------------------------


class DownloadQueue:
    """At most ``limit`` downloads at once; the others wait their turn (first come, first
    served). Create and use it on one event loop."""

    def __init__(self, limit: int = 3) -> None:
        if limit < 1:
            raise ValueError("the download limit must be at least 1")
        self._limit = limit
        self._slots = asyncio.Semaphore(limit)
        self._in_flight = 0
        self._waiting = 0

    async def run[T](self, job: Callable[[], Awaitable[T]]) -> T:
        """Wait for a free slot, then ``await job()`` and return its result."""
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        self._in_flight += 1
        try:
            return await job()
        finally:
            self._in_flight -= 1
            self._slots.release()

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def in_flight(self) -> int:
        """Jobs running now."""
        return self._in_flight

    @property
    def waiting(self) -> int:
        """Jobs waiting for a slot."""
        return self._waiting
