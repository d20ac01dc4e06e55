"""The sandbox's sample media: which file answers a ``/media/...`` URL, its type and its length.

Every result URL the sandbox hands out (``{base_url}/media/<job id>/output.mp4``,
``.../thumb.png``, ``.../output.wav`` ...) is answered with one of the small committed files in
``resources/sandbox/`` (made by ``resources/sandbox/make_media.py``), chosen by the file name's
extension. The durations below were measured with ``ffprobe`` when the files were made; a test
checks them against the files.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

MEDIA_DIR = Path(__file__).resolve().parents[2] / "resources" / "sandbox"
"""Where the sample files live (``resources/sandbox`` at the top of the repository)."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One committed sample file."""

    name: str
    content_type: str
    duration: Decimal | None = None
    """Real playing time in seconds; ``None`` for images."""

    @property
    def path(self) -> Path:
        return MEDIA_DIR / self.name

    def read(self) -> bytes:
        return _read(self.name)


VIDEO = Sample("sample.mp4", "video/mp4", Decimal("3.000"))
WAV = Sample("sample.wav", "audio/wav", Decimal("3.000"))
MP3 = Sample("sample.mp3", "audio/mpeg", Decimal("3.168"))
IMAGE = Sample("sample.png", "image/png")
THUMBNAIL = Sample("thumb.png", "image/png")

SAMPLES: dict[str, Sample] = {s.name: s for s in (VIDEO, WAV, MP3, IMAGE, THUMBNAIL)}

_BY_SUFFIX: dict[str, Sample] = {
    ".mp4": VIDEO, ".mov": VIDEO, ".webm": VIDEO,
    ".wav": WAV, ".mp3": MP3,
    ".png": IMAGE, ".jpg": IMAGE, ".jpeg": IMAGE, ".webp": IMAGE,
}

HASHED_LENGTHS = (5, 60)
"""A foreign media URL with no ``duration=`` hint is this many seconds long (inclusive range),
chosen by a hash of the URL so the same URL always has the same length."""


@functools.cache
def _read(name: str) -> bytes:
    return (MEDIA_DIR / name).read_bytes()


def sample_for(filename: str) -> Sample | None:
    """The sample that answers ``/media/<anything>/<filename>``; ``None`` for unknown kinds."""
    if filename in SAMPLES:
        return SAMPLES[filename]
    if filename.startswith("thumb") and filename.endswith(".png"):
        return THUMBNAIL
    suffix = Path(filename).suffix.lower()
    return _BY_SUFFIX.get(suffix)


def media_url(base_url: str, owner: str, filename: str) -> str:
    """The absolute URL the sandbox serves ``filename`` of ``owner`` (a job id or a name) at."""
    return f"{base_url}/media/{owner}/{filename}"


def parse_media_path(path: str) -> tuple[str, str] | None:
    """``/media/<owner>/<file>`` → ``(owner, file)``; ``None`` when ``path`` is not one."""
    parts = path.split("/")
    if len(parts) != 4 or parts[0] or parts[1] != "media" or not parts[2] or not parts[3]:
        return None
    return parts[2], parts[3]


def _hinted_length(query: str) -> Decimal | None:
    for raw in parse_qs(query).get("duration", []):
        try:
            value = Decimal(raw)
        except InvalidOperation:
            continue
        if value.is_finite() and value > 0:
            return value
    return None


def _hashed_length(url: str) -> Decimal:
    low, high = HASHED_LENGTHS
    digest = int.from_bytes(hashlib.sha256(url.encode()).digest()[:8], "big")
    return Decimal(low + digest % (high - low + 1))


def url_length(url: str, base_url: str,
               owner_length: Callable[[str], Decimal | None] | None = None) -> Decimal:
    """The playing time, in seconds, the sandbox assumes for the media at ``url``.

    In order: a ``duration=<seconds>`` query parameter; for this sandbox's own ``/media/`` URLs,
    the length of the job that owns it (``owner_length``: a job's output "is" as long as the
    job says) or else the sample file's real length; otherwise 5..60 s from a hash of the URL.
    """
    parts = urlsplit(url)
    hinted = _hinted_length(parts.query)
    if hinted is not None:
        return hinted
    base = urlsplit(base_url)
    if base_url and (parts.scheme, parts.netloc) == (base.scheme, base.netloc):
        located = parse_media_path(parts.path)
        if located is not None:
            owner, filename = located
            known = owner_length(owner) if owner_length is not None else None
            if known is not None:
                return known
            sample = sample_for(filename)
            if sample is not None and sample.duration is not None:
                return sample.duration
    return _hashed_length(url)
