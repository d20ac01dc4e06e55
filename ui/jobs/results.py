"""A job's results as the Jobs panel and the preview show them: each result's source (its
saved file, else its URL), its kind, how many there are in words ("4 images") and an
image's pixel size ("300×250").

The ledger records the first result's file; the others are named after it by the
downloads (``<stem>_1.png``, ``<stem>_2.png`` …, :func:`app.downloads.result_targets`),
so they are found again from that one path.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QPixmap

from app.downloads import result_targets
from app.jobs.ledger import JobRecord

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".gif"}
AUDIO_SUFFIXES = {".wav", ".mp3", ".m4a", ".aac", ".ogg"}


def saved_paths(record: JobRecord) -> list[str | None]:
    """The downloaded file of each result URL (``None`` where none is saved yet).

    The ledger records the first result's file; the others are named after it
    (``<stem>_1.png``, ``<stem>_2.png`` …, :func:`app.downloads.result_targets`).
    """
    count = len(record.result_urls)
    if not record.download_path or count == 0:
        return [None] * count
    first = Path(record.download_path)
    if count == 1:
        return [record.download_path]
    names = result_targets(first.parent, first.stem, record.result_urls, first)
    return [str(path) if path.exists() else None for path in names]


def _source(path: str | None, url: str) -> QUrl:
    return QUrl.fromLocalFile(path) if path and Path(path).exists() else QUrl(url)


def media_sources(record: JobRecord) -> list[QUrl]:
    """Every result: its downloaded file where there is one, else its URL; with no result,
    the preview (or the first compared style's preview)."""
    if record.result_urls:
        return [_source(path, url)
                for path, url in zip(saved_paths(record), record.result_urls, strict=True)]
    if record.download_path and Path(record.download_path).exists():
        return [QUrl.fromLocalFile(record.download_path)]
    if record.preview_url:
        return [QUrl(record.preview_url)]
    styles = [p.preview_url for p in record.previews if p.preview_url]
    return [QUrl(styles[0])] if styles else []  # a compare-styles job: the first style


def media_source(record: JobRecord) -> QUrl | None:
    """The first result (see :func:`media_sources`), or ``None``."""
    sources = media_sources(record)
    return sources[0] if sources else None


def media_kind(source: QUrl) -> str:
    """``image``, ``audio`` or ``video``, from the file name's suffix."""
    suffix = Path(source.path()).suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in AUDIO_SUFFIXES:
        return "audio"
    return "video"


def results_text(record: JobRecord) -> str:
    """How many results a job has, in words ("4 images", "2 videos", "3 results"), or ""
    for one result or none."""
    count = len(record.result_urls)
    if count < 2:
        return ""
    kinds = {media_kind(QUrl(url)) for url in record.result_urls}
    noun = {"image": "images", "video": "videos", "audio": "audio files"}.get(
        kinds.pop(), "results") if len(kinds) == 1 else "results"
    return f"{count} {noun}"


def size_text(pixmap: QPixmap | None) -> str:
    return f"{pixmap.width()}×{pixmap.height()}" if pixmap is not None \
        and not pixmap.isNull() else "…"


__all__ = ["AUDIO_SUFFIXES", "IMAGE_SUFFIXES", "media_kind", "media_source", "media_sources",
           "results_text", "saved_paths", "size_text"]
