"""What a local file really is (from its bytes, not its name) and how long it plays.

``filetype`` reads the magic bytes; ``mutagen`` reads the playing time from the container's
headers (mp3, wav, m4a/mp4/mov, ogg, flac, aac…). Both are pure Python and loaded on first use.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from app.uploads._errors import MediaLengthError, UnsupportedFile

Kind = Literal["image", "audio", "video"]

ACCEPTED: dict[str, tuple[Kind, str]] = {
    # MIME type filetype reports → (kind, the extension the object gets)
    "image/png": ("image", ".png"),
    "image/jpeg": ("image", ".jpg"),
    "image/webp": ("image", ".webp"),
    "audio/mpeg": ("audio", ".mp3"),
    "audio/x-wav": ("audio", ".wav"),
    "audio/mp4": ("audio", ".m4a"),
    "audio/m4a": ("audio", ".m4a"),
    "audio/aac": ("audio", ".aac"),
    "audio/ogg": ("audio", ".ogg"),
    "audio/x-flac": ("audio", ".flac"),
    "video/mp4": ("video", ".mp4"),
    "video/quicktime": ("video", ".mov"),
    "video/webm": ("video", ".webm"),
}
"""The formats Creatify's media inputs take (images: png, jpg, webp, as the docs list)."""

_CONTENT_TYPE = {"audio/x-wav": "audio/wav", "audio/x-flac": "audio/flac",
                 "audio/m4a": "audio/mp4"}
_NAMES = {"image": "an image (PNG, JPEG or WebP)",
          "audio": "an audio file (MP3, WAV, M4A, AAC, OGG or FLAC)",
          "video": "a video (MP4, MOV or WebM)"}


@dataclass(frozen=True, slots=True)
class MediaType:
    kind: Kind
    content_type: str
    extension: str


def detect_media(path: str | os.PathLike[str],
                 kinds: tuple[Kind, ...] = ("image", "audio", "video")) -> MediaType:
    """The file's kind, Content-Type and canonical extension, read from its first bytes.

    Raises :class:`UnsupportedFile` when it is none of :data:`ACCEPTED` or not of ``kinds``
    (the form's field: an image field refuses a video), and :class:`UploadError`-derived
    errors for a file that cannot be read.
    """
    import filetype  # type: ignore[import-untyped]  # (no type hints shipped)

    name = Path(path).name
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        raise UnsupportedFile(f"“{name}” could not be read ({exc.strerror or exc}).") from exc
    guess = filetype.guess(head)
    mime = str(guess.mime) if guess is not None else ""
    found = ACCEPTED.get(mime)
    wanted = " or ".join(_NAMES[k] for k in kinds)
    if found is None:
        what = f"a {guess.extension.upper()} file" if guess is not None else "not a media file"
        raise UnsupportedFile(f"“{name}” is {what}; Creatify takes {wanted} here.")
    kind, extension = found
    if kind not in kinds:
        raise UnsupportedFile(f"“{name}” is {_NAMES[kind].split(' (')[0]}; this field takes "
                              f"{wanted}.")
    return MediaType(kind, _CONTENT_TYPE.get(mime, mime), extension)


def media_seconds(path: str | os.PathLike[str]) -> float:
    """How long the audio or video file at ``path`` plays, in seconds, read from its headers.

    Raises :class:`MediaLengthError` (never guesses) when the file is missing, is not audio
    or video mutagen can read (WebM, for one), or its headers give no length.
    """
    import mutagen

    name = Path(path).name
    try:
        media = mutagen.File(path)
    except OSError as exc:
        raise MediaLengthError(f"“{name}” could not be read ({exc.strerror or exc}).") from exc
    except mutagen.MutagenError as exc:
        raise MediaLengthError(f"The length of “{name}” could not be read: the file looks "
                               f"damaged ({exc}).") from exc
    length = getattr(getattr(media, "info", None), "length", None) if media is not None else None
    if type(media).__name__ == "MP4":
        length = _movie_seconds(path) or length
    if not isinstance(length, int | float) or not length > 0:
        raise MediaLengthError(f"The length of “{name}” could not be read from the file, so "
                               "the price cannot be estimated. Save it as MP3, WAV or M4A "
                               "(audio) or MP4/MOV (video) and choose it again.")
    return float(length)


def _boxes(fh: BinaryIO, end: int) -> dict[bytes, tuple[int, int]]:
    """The ISO-BMFF boxes from the file position to ``end``: name → (body start, body end)."""
    found: dict[bytes, tuple[int, int]] = {}
    pos = fh.tell()
    while pos + 8 <= end:
        fh.seek(pos)
        size, name = struct.unpack(">I4s", fh.read(8))
        head = 8
        if size == 1:
            (size,) = struct.unpack(">Q", fh.read(8))
            head = 16
        elif size == 0:
            size = end - pos
        if size < head:
            break
        found.setdefault(name, (pos + head, min(pos + size, end)))
        pos += size
    return found


def _movie_seconds(path: str | os.PathLike[str]) -> float | None:
    """The MP4/MOV/M4A movie header's duration (``moov/mvhd``): the length a player shows.

    mutagen reports the sound track's own length, which still counts the encoder's priming
    samples that the file's edit list skips (3.128 s for a clip that plays 3.000 s); the movie
    header is the presented length, what ffprobe reports. None when it cannot be read.
    """
    try:
        with open(path, "rb") as fh:
            moov = _boxes(fh, os.fstat(fh.fileno()).st_size).get(b"moov")
            if moov is None:
                return None
            fh.seek(moov[0])
            mvhd = _boxes(fh, moov[1]).get(b"mvhd")
            if mvhd is None:
                return None
            fh.seek(mvhd[0])
            data = fh.read(32)
        if data[0] == 0:
            timescale, duration = struct.unpack(">II", data[12:20])
        elif data[0] == 1:
            timescale, duration = struct.unpack(">IQ", data[20:32])
        else:
            return None
    except (OSError, struct.error, IndexError):
        return None
    return duration / timescale if timescale and duration else None
