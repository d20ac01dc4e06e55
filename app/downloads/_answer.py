"""What an answer to a (ranged) GET of a result file says: where its bytes go in the ``.part``,
or why there is nothing to write. Pure functions over a status and the headers, shared by both
transfer routes (:mod:`app.downloads._wire` and the ``httpx`` one in ``_transfer``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.downloads._errors import DownloadError, ExpiredURLError

_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)
_UNSATISFIED_RANGE = re.compile(r"^\s*bytes\s+\*/(\d+)\s*$", re.IGNORECASE)
_EXPIRED = frozenset({403, 404, 410})
_RETRYABLE = frozenset({408, 425, 429})


class Restart(Exception):
    """The server would not continue our ``.part``: drop it and fetch from the start."""


@dataclass(frozen=True, slots=True)
class Span:
    """Where one answer's bytes go: from ``start`` in the ``.part`` to ``end`` (``None``: not
    said), of a file of ``total`` bytes (``None``: not said)."""

    start: int
    end: int | None
    total: int | None


def span_of(status: int, headers: Mapping[str, str], offset: int) -> Span | None:
    """What an answer to ``Range: bytes=<offset>-`` (none when ``offset`` is 0) sends; ``None``
    when it says the ``.part`` is already whole. ``headers``: lower-case names. Raises
    :class:`Restart` when the server will not continue the ``.part``, :class:`DownloadError`
    when it sends no file."""
    if status in _EXPIRED:
        raise ExpiredURLError(f"The result's address was refused or has expired (HTTP "
                              f"{status}); fetch the job again for a fresh one.")
    if status == 416:
        match = _UNSATISFIED_RANGE.match(headers.get("content-range", ""))
        if offset and match is not None and int(match.group(1)) == offset:
            return None  # the .part is already whole
        if offset:
            raise Restart
        raise DownloadError("The server refused the download (HTTP 416).")
    if status == 206:
        return _partial(headers.get("content-range", ""), offset)
    if status == 200:
        length = headers.get("content-length", "").strip()
        total = int(length) if length.isdigit() else None
        return Span(0, total, total)
    if 200 <= status < 300:
        raise DownloadError(f"The server sent no file (HTTP {status}).")
    raise DownloadError(f"The result could not be downloaded (HTTP {status}).",
                        resumable=status >= 500 or status in _RETRYABLE)


def _partial(content_range: str, offset: int) -> Span:
    """The span of a 206 answer; :class:`Restart` unless it continues at ``offset``."""
    match = _CONTENT_RANGE.match(content_range)
    if match is None or int(match.group(1)) != offset:
        raise Restart
    start, last = offset, int(match.group(2))
    end = last + 1
    total = end if match.group(3) == "*" else int(match.group(3))
    if last < start or end > total:
        raise Restart
    return Span(start, end, total)


def check_encoding(headers: Mapping[str, str], start: int) -> None:
    """A compressed answer cannot be checked or resumed: :class:`Restart` a continuation,
    refuse a full transfer."""
    encoding = headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        if start:
            raise Restart
        raise DownloadError(f"The server sent the file compressed ({encoding}) although asked "
                            "not to; it cannot be checked or resumed.")


def checked_span(status: int, headers: Mapping[str, str], offset: int, part: Path,
                 max_bytes: int | None) -> Span | None:
    """:func:`span_of`, then the encoding and the announced size checked."""
    span = span_of(status, headers, offset)
    if span is None:
        return None
    check_encoding(headers, span.start)
    if max_bytes is not None and span.total is not None and span.total > max_bytes:
        raise too_large(part, max_bytes)
    return span


def too_large(part: Path, limit: int) -> DownloadError:
    """Drop ``part``; the error to raise."""
    part.unlink(missing_ok=True)
    return DownloadError(f"The result is larger than the limit of {limit:,} bytes; "
                         "the download was stopped.")


def cut_short(done: int, end: int) -> DownloadError:
    return DownloadError(f"The download was cut short: interrupted after {done:,} bytes (of "
                         f"{end:,}); the partial file is kept to resume.", resumable=True)


__all__ = ["Restart", "Span", "check_encoding", "checked_span", "cut_short", "span_of",
           "too_large"]
