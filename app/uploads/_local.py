"""What the form needs to know about a dropped file before anything is sent or paid.

:func:`inspect_local` reads, in a worker thread, what the file really is and (audio and video)
how long it plays, for the field's check and the estimate. A length that cannot be read is
reported in ``length_error`` (the form shows it and cannot estimate), never guessed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from app.uploads._errors import MediaLengthError
from app.uploads._media import Kind, MediaType, detect_media, media_seconds

INDEX_NAME = "uploads.json"
"""The content-hash index's file name in the data folder (``AppPaths.data_dir``)."""


@dataclass(frozen=True, slots=True)
class LocalMedia:
    path: Path
    media: MediaType
    size: int
    seconds: float | None
    """Playing time (audio, video); None for an image or when ``length_error`` says why."""
    length_error: str | None = None


def _inspect(path: Path, kinds: tuple[Kind, ...]) -> LocalMedia:
    media = detect_media(path, kinds)
    size = path.stat().st_size
    if media.kind == "image":
        return LocalMedia(path, media, size, None)
    try:
        return LocalMedia(path, media, size, media_seconds(path))
    except MediaLengthError as exc:
        return LocalMedia(path, media, size, None, exc.message)


async def inspect_local(path: str | Path,
                        kinds: tuple[Kind, ...] = ("image", "audio", "video")) -> LocalMedia:
    """The file's kind, size and playing time, read off the event loop. Raises
    :class:`UnsupportedFile` (plain ``message``) for a file the field cannot take."""
    return await asyncio.to_thread(_inspect, Path(path), kinds)
